// The 2,000-room board in Chromium (the built UI, the Rust side mocked as in the browser
// tests): from the board's data to the first paint of the board ('room-board:render', which
// RoomBoard.svelte records), on a fresh page each run; then its timeline of 2,000 rooms × 60
// days: from the timeline's data to its first paint ('timeline:render', Timeline.svelte), and
// frames dropped while it scrolls (animation frames more than 1.5 frames apart while the
// chart scrolls by a row and a half each frame, top to bottom). Prints rows of the benchmark's
// table.
//
//     node bench/board.mjs [--smoke] [--runs N]
//
// Needs ui/dist/ (npm run build).

import { parseArgs } from 'node:util'
import { startUi } from '../tests/browser/harness.mjs'
import { base, bigBoard, bigTimeline, signIn } from '../tests/browser/fixtures.mjs'
import { duration, median, percentile, row } from './rows.mjs'

const GOAL_MS = 100
const ROOMS = 2000
const DAYS = 60
/** A frame at 60 Hz, and the gap between frames that counts as a dropped one. */
const FRAME_MS = 1000 / 60
const DROPPED_GAP_MS = 1.5 * FRAME_MS
/** How long the scroll test scrolls, and how far each frame. */
const SCROLL_MS = 3000
const SCROLL_STEP_PX = 45

const { values: options } = parseArgs({ options: { smoke: { type: 'boolean' }, runs: { type: 'string' } } })
const runs = Number(options.runs ?? (options.smoke ? 2 : 30))

async function renderOnce(ui) {
  const { page, problems } = await ui.open(base({ room_board: { ok: bigBoard(ROOMS) } }))
  try {
    await signIn(page)
    await page.waitForFunction(() => performance.getEntriesByName('room-board:complete').length > 0)
    const [render, complete, rooms] = await page.evaluate(() => [
      performance.getEntriesByName('room-board:render')[0].duration,
      performance.getEntriesByName('room-board:complete')[0].duration,
      document.querySelectorAll('[data-testid="room"]').length,
    ])
    if (rooms !== ROOMS) throw new Error(`the board shows ${rooms} rooms, not ${ROOMS}`)
    if (problems.length > 0) throw new Error(`the page reported: ${problems.join('; ')}`)
    return { render, complete }
  } finally {
    await page.close()
  }
}

/** The timeline's first paint, and the frames dropped while it scrolls, on a fresh page. */
async function timelineOnce(ui, timeline) {
  const { page, problems } = await ui.open(base({ room_board: { ok: bigBoard(ROOMS) }, timeline: { ok: timeline } }))
  try {
    await signIn(page)
    await page.getByTestId('view-timeline').click()
    await page.waitForFunction(() => performance.getEntriesByName('timeline:render').length > 0)
    const [render, rows, bars] = await page.evaluate(() => [
      performance.getEntriesByName('timeline:render').at(-1).duration,
      document.querySelectorAll('[data-testid="timeline-row"]').length,
      document.querySelectorAll('[data-testid="timeline-bar"]').length,
    ])
    if (rows === 0 || rows > 200) throw new Error(`the timeline has ${rows} rooms in the DOM`)
    const countFrames = ({ scrollMs, step, droppedGap }) =>
      new Promise((resolve) => {
        const chart = document.querySelector('[data-testid="timeline"] .chart')
        // Read once: reading it after each scroll would force a layout in every frame.
        const bottom = chart.scrollHeight - chart.clientHeight
        let position = chart.scrollTop
        let last = 0
        let frames = 0
        let dropped = 0
        let worst = 0
        let started = 0
        function frame(time) {
          if (started === 0) started = time
          else {
            const gap = time - last
            frames += 1
            worst = Math.max(worst, gap)
            if (gap > droppedGap) dropped += 1
          }
          last = time
          position = Math.min(bottom, position + step)
          chart.scrollTop = position
          if (time - started < scrollMs && position < bottom) requestAnimationFrame(frame)
          else resolve({ frames, dropped, worst, rooms: document.querySelectorAll('[data-testid="timeline-row"]').length })
        }
        requestAnimationFrame(frame)
      })
    const scroll = await page.evaluate(countFrames, { scrollMs: SCROLL_MS, step: SCROLL_STEP_PX, droppedGap: DROPPED_GAP_MS })
    // The same frames with the chart still, back at the top: what the machine drops anyway.
    await page.evaluate(() => (document.querySelector('[data-testid="timeline"] .chart').scrollTop = 0))
    const still = await page.evaluate(countFrames, { scrollMs: SCROLL_MS, step: 0, droppedGap: DROPPED_GAP_MS })
    if (problems.length > 0) throw new Error(`the page reported: ${problems.join('; ')}`)
    return { render, rows, bars, scroll, still }
  } finally {
    await page.close()
  }
}

const ui = await startUi()
try {
  // One untimed run first: it warms the preview server and Chromium's caches.
  await renderOnce(ui)
  const render = []
  const complete = []
  for (let run = 0; run < runs; run++) {
    const measured = await renderOnce(ui)
    render.push(measured.render)
    complete.push(measured.complete)
  }
  console.log(
    row({
      path: `ui: ${ROOMS.toLocaleString('en')}-room board, data → first paint (Chromium)`,
      figure: { values: render },
      limit: GOAL_MS,
      notes: `the floors on screen; every room in the DOM after ${duration(median(complete))} (median), built in batches between frames`,
    }),
  )

  const timeline = bigTimeline(ROOMS, DAYS)
  const allBars = timeline.floors.reduce((n, floor) => n + floor.rooms.reduce((m, room) => m + room.stays.length, 0), 0)
  await timelineOnce(ui, timeline)
  const timelineRuns = []
  for (let run = 0; run < runs; run++) timelineRuns.push(await timelineOnce(ui, timeline))
  const last = timelineRuns.at(-1)
  console.log(
    row({
      path: `ui: timeline, ${ROOMS.toLocaleString('en')} rooms × ${DAYS} days, data → first paint (Chromium)`,
      figure: { values: timelineRuns.map((run) => run.render) },
      limit: GOAL_MS,
      notes: `${last.rows} rooms and ${last.bars} bars in the DOM, of ${ROOMS.toLocaleString('en')} rooms and ${allBars.toLocaleString('en')} bars`,
    }),
  )
  const frames = timelineRuns.map((run) => run.scroll.frames)
  console.log(
    row({
      path: `ui: timeline, ${ROOMS.toLocaleString('en')} rooms × ${DAYS} days, frames dropped while scrolling (Chromium)`,
      figure: { values: timelineRuns.map((run) => run.scroll.dropped) },
      limit: 0,
      format: (value) => String(value),
      notes:
        `frames more than ${DROPPED_GAP_MS.toFixed(1)} ms apart in ${median(frames)} frames (median) scrolling ${SCROLL_STEP_PX} px a frame; ` +
        `worst gap ${duration(Math.max(...timelineRuns.map((run) => run.scroll.worst)))}; ` +
        `with the chart still, ${median(timelineRuns.map((run) => run.still.dropped))} (median, p99 ${percentile(
          timelineRuns.map((run) => run.still.dropped),
          99,
        )}) of the same 3 s of frames are dropped`,
    }),
  )
} finally {
  await ui.close()
}
