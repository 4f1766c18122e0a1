// The 2,000-room board in Chromium (the built UI, the Rust side mocked as in the browser
// tests): from the board's data to the first paint of the board ('room-board:render', which
// RoomBoard.svelte records), on a fresh page each run. Prints one row of the benchmark's table.
//
//     node bench/board.mjs [--smoke] [--runs N]
//
// Needs ui/dist/ (npm run build).

import { parseArgs } from 'node:util'
import { startUi } from '../tests/browser/harness.mjs'
import { base, bigBoard, signIn } from '../tests/browser/fixtures.mjs'
import { duration, median, row } from './rows.mjs'

const GOAL_MS = 100
const ROOMS = 2000

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
} finally {
  await ui.close()
}
