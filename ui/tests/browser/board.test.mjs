// The room board: states, legend, search, keyboard navigation, and 2,000 rooms.

import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { startUi } from './harness.mjs'
import { base, bigBoard, calls, checkInOptions, id, roomButton, signIn } from './fixtures.mjs'

let ui
before(async () => {
  ui = await startUi()
})
after(async () => {
  await ui?.close()
})

test('the board shows rooms by floor with their state, guests and warnings', async () => {
  const { page, problems } = await ui.open(base())
  await signIn(page)
  await roomButton(page, '202').waitFor()

  assert.deepEqual(await page.locator('.floor h3').allInnerTexts(), ['Floor 1 4 rooms', 'Floor 2 4 rooms', 'Floor 3 2 rooms'])
  assert.equal(await roomButton(page, '102').getAttribute('aria-label'), 'Room 102, in house, Ana Silva and Ben Silva')
  assert.equal(await roomButton(page, '202').getAttribute('aria-label'), 'Room 202, in house, José Núñez, has warnings')
  assert.equal(await roomButton(page, '103').getAttribute('aria-label'), 'Room 103, departing, Carl Jones')
  assert.equal(await roomButton(page, '104').getAttribute('aria-label'), 'Room 104, arriving, Dee Park')
  // Vacant today, booked from tomorrow.
  assert.equal(await roomButton(page, '204').getAttribute('aria-label'), 'Room 204, vacant, next Tom Morrow, tomorrow')
  assert.equal(await roomButton(page, '204').getByTestId('next-arrival').textContent(), 'Next: Tom Morrow, tomorrow')
  assert.equal(await page.getByTestId('next-arrival').count(), 1)
  assert.equal(await page.locator('.tile.warned').count(), 1)
  assert.match(
    await page.getByRole('list', { name: 'Legend' }).innerText(),
    /Vacant\s*6.*Arriving\s*1.*In house\s*2.*Departing\s*1.*Warnings\s*1/s,
  )
  const chip = page.getByTestId('stay-chip').first()
  assert.equal(await chip.getAttribute('aria-roledescription'), 'draggable stay')
  assert.match(await page.locator(`#${await chip.getAttribute('aria-describedby')}`).textContent(), /press Space or Enter to pick it up/)
  assert.equal(await page.getByTestId('board-count').textContent(), '10 rooms')
  assert.deepEqual(problems, [])
})

test('search finds rooms by number or guest, and the filter by state', async () => {
  const { page, problems } = await ui.open(base())
  await signIn(page)
  const search = page.getByTestId('board-search')
  await search.fill('nunez')
  await page.getByTestId('board-count').filter({ hasText: '1 of 10 rooms' }).waitFor()
  assert.deepEqual(await page.getByTestId('room').evaluateAll((els) => els.map((e) => e.dataset.room)), ['202'])

  await search.fill('10')
  await page.getByTestId('board-count').filter({ hasText: '4 of 10 rooms' }).waitFor()
  await search.fill('nobody here')
  await page.getByTestId('board-empty').waitFor()

  await search.fill('')
  await page.getByTestId('board-filter').selectOption('vacant')
  await page.getByTestId('board-count').filter({ hasText: '6 of 10 rooms' }).waitFor()
  await page.getByTestId('board-filter').selectOption('warnings')
  await page.getByTestId('board-count').filter({ hasText: '1 of 10 rooms' }).waitFor()
  assert.deepEqual(problems, [])
})

test('the board is one tab stop, and the arrow keys move between rooms and floors', async () => {
  const { page, problems } = await ui.open(base({ check_in_options: { ok: checkInOptions('101') } }))
  await signIn(page)
  await roomButton(page, '101').waitFor()
  // Only the first room (and its stay chip, if any) is in the tab order.
  assert.deepEqual(await page.locator('.room[tabindex="0"]').evaluateAll((els) => els.map((e) => e.dataset.room)), ['101'])
  await page.getByTestId('board-search').focus()
  const focused = () => page.evaluate(() => document.activeElement?.closest('.tile')?.querySelector('.room')?.dataset.room)
  await page.keyboard.press('Tab') // the filter
  await page.keyboard.press('Tab') // Group check-in…
  await page.keyboard.press('Tab') // Refresh
  // "Make keys before arrival…", then the guests arriving soon (Dee today, Eva on Friday),
  // each a link to the stay.
  await page.getByTestId('arriving-guest').nth(1).waitFor()
  await page.keyboard.press('Tab')
  await page.keyboard.press('Tab')
  await page.keyboard.press('Tab')
  await page.keyboard.press('Tab') // the board
  assert.equal(await focused(), '101')
  await page.keyboard.press('ArrowRight')
  assert.equal(await focused(), '102')
  await page.keyboard.press('End')
  assert.equal(await focused(), '104')
  await page.keyboard.press('ArrowRight') // on to the next floor
  assert.equal(await focused(), '201')
  await page.keyboard.press('PageDown')
  assert.equal(await focused(), '301')
  await page.keyboard.press('ArrowUp')
  assert.equal(await focused(), '201')
  await page.keyboard.press('Control+Home')
  assert.equal(await focused(), '101')
  await page.keyboard.press('ArrowDown') // floor 1 is one row: down enters floor 2, same column
  assert.equal(await focused(), '201')
  // The focused room is now the board's tab stop.
  const stop = await page.locator('.room[tabindex="0"]').evaluateAll((els) => els.map((e) => e.dataset.room))
  assert.deepEqual(stop, [await focused()])
  // Enter on a vacant room opens check-in.
  await page.keyboard.press('Control+Home')
  await page.keyboard.press('Enter')
  await page.getByRole('dialog', { name: 'Check in to Room 101' }).waitFor()
  assert.deepEqual(
    (await calls(page, 'check_in_options')).map((c) => c.args),
    [{ token: 'token-Mia Manager', spaceId: id('space-101') }],
  )
  await page.getByLabel('Guest 1 name').waitFor()
  await page.keyboard.press('Escape')
  await page.getByRole('dialog').waitFor({ state: 'detached' })
  assert.equal(await focused(), '101')
  assert.deepEqual(problems, [])
})

test('2,000 rooms render quickly and stay responsive (benchmark)', async () => {
  const big = bigBoard(2000)
  const { page, problems } = await ui.open(base({ room_board: { ok: big } }))
  await signIn(page)
  await page.getByTestId('board-count').filter({ hasText: '2000 rooms' }).waitFor()
  await page.waitForFunction(() => performance.getEntriesByName('room-board:complete').length > 0)
  const [render, dom, complete] = await page.evaluate(() => [
    performance.getEntriesByName('room-board:render')[0].duration,
    performance.getEntriesByName('room-board:dom')[0].duration,
    performance.getEntriesByName('room-board:complete')[0].duration,
  ])
  const elements = await page.evaluate(() => document.querySelectorAll('.floors *').length)
  // Built in batches after the first paint, but in the end every room is there, with one
  // tab stop for the whole board.
  assert.equal(await page.getByTestId('room').count(), 2000)
  assert.deepEqual(await page.locator('.room[tabindex="0"]').evaluateAll((els) => els.map((e) => e.dataset.room)), ['101'])

  // Searching the whole board: from the keystroke to the next paint.
  const search = await page.evaluate(async () => {
    const input = document.querySelector('[data-testid="board-search"]')
    const start = performance.now()
    input.value = 'guest 3'
    input.dispatchEvent(new Event('input', { bubbles: true }))
    await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve)))
    return performance.now() - start
  })
  const shown = await page.getByTestId('board-count').textContent()

  // Arrow-key steps across the big board.
  await page.getByTestId('board-search').fill('')
  await page.getByTestId('board-count').filter({ hasText: '2000 rooms' }).waitFor()
  await roomButton(page, '101').focus()
  const keys = await page.evaluate(async () => {
    const start = performance.now()
    for (let i = 0; i < 20; i++) {
      document.activeElement.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowDown', bubbles: true }))
      await new Promise((resolve) => requestAnimationFrame(resolve))
    }
    return (performance.now() - start) / 20
  })

  console.log(
    `# 2,000-room board: rendered (data to first paint) in ${render.toFixed(1)} ms ` +
      `(DOM ready in ${dom.toFixed(1)} ms; every room built in ${complete.toFixed(1)} ms, ${elements} elements); search "guest 3" → ${shown} in ${search.toFixed(1)} ms; ` +
      `arrow key ${keys.toFixed(1)} ms per step`,
  )
  assert.ok(render < 5000, `the 2,000-room board took ${render} ms`)
  assert.match(shown, /of 2000 rooms/)
  assert.deepEqual(problems, [])
})

test('a big board paints its first screen at once; the keys reach floors not built yet', async () => {
  const { page, problems } = await ui.open(base({ room_board: { ok: bigBoard(2000) } }))
  // With the page's clock stopped, nothing runs after the first screen is built.
  await page.clock.install()
  await page.getByLabel('Name').fill('Mia Manager')
  await page.getByLabel('PIN', { exact: true }).fill('2468')
  await page.clock.pauseAt(new Date(Date.now() + 60_000))
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.getByTestId('board-count').filter({ hasText: '2000 rooms' }).waitFor()
  const built = await page.getByTestId('room').count()
  assert.ok(built > 0 && built < 2000, `${built} rooms built before the first paint`)
  assert.equal(await page.locator('.floor h3').count(), 40)
  assert.equal(await page.locator('.floor').last().getAttribute('aria-label'), 'Floor 40')

  await roomButton(page, '101').focus()
  await page.keyboard.press('Control+End')
  const focused = () => page.evaluate(() => document.activeElement?.dataset.room)
  assert.equal(await focused(), '4050')
  await page.keyboard.press('PageUp')
  assert.equal(await focused(), '3950')
  assert.deepEqual(await page.locator('.room[tabindex="0"]').evaluateAll((els) => els.map((e) => e.dataset.room)), ['3950'])

  await page.clock.runFor(1000)
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="room"]').length === 2000)
  assert.equal(await focused(), '3950')
  assert.deepEqual(problems, [])
})
