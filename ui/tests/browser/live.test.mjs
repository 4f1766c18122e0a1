// The views read their data again when the property changed somewhere (`desk-changed`): a
// burst read once, nothing the operator is doing lost.

import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { startUi } from './harness.mjs'
import { bar, base, board, calls, checkInOptions, deskChanged, roomButton, signIn, summary, tile, timeline } from './fixtures.mjs'

let ui
before(async () => {
  ui = await startUi()
})
after(async () => {
  await ui?.close()
})

/** Replaces a command's reply while the page runs. */
async function reply(page, command, value) {
  await page.evaluate(([name, answer]) => window.__frontdeskMock.set(name, answer), [command, value])
}

/** Lets the page run for a while: what has not happened by then is not going to. */
const settle = (page) => page.waitForTimeout(300)

/** The board with Lia Moreno checked in to 201 at another desk. */
function boardWithLia() {
  const later = board()
  later.floors[1].rooms[0] = tile('201', 'in_house', [summary('stay-lia', ['Lia Moreno'], '2025-03-12T14:00:00Z', '2025-03-15T11:00:00Z')])
  return later
}

test('a guest checked in elsewhere appears on the board at once; the check-in being typed here stays', async () => {
  const { page, problems } = await ui.open(base({ check_in_options: { ok: checkInOptions('101') } }))
  await signIn(page)
  await roomButton(page, '101').click()
  const dialog = page.getByRole('dialog', { name: 'Check in to Room 101' })
  const name = dialog.getByLabel('Guest 1 name')
  await name.fill('Nora Quinn')
  // Records whether the rooms ever left the screen while they were read again.
  await page.evaluate(() => {
    window.fewestRooms = Infinity
    new MutationObserver(() => {
      window.fewestRooms = Math.min(window.fewestRooms, document.querySelectorAll('[data-testid="room"]').length)
      if (document.body.textContent.includes('Loading the rooms')) window.fewestRooms = 0
    }).observe(document.body, { subtree: true, childList: true, characterData: true })
  })

  await reply(page, 'room_board', { ok: boardWithLia() })
  // Three changes in a row: read once.
  await deskChanged(page, 2)
  await deskChanged(page, 3)
  await deskChanged(page, 4)
  await page.waitForFunction(() => document.querySelector('[data-room="201"]')?.getAttribute('aria-label')?.includes('Lia Moreno'))
  assert.equal(await roomButton(page, '201').getAttribute('aria-label'), 'Room 201, in house, Lia Moreno')
  await settle(page)
  assert.equal((await calls(page, 'room_board')).length, 2)
  assert.equal(await page.evaluate(() => window.fewestRooms), 10)

  // The dialog is still open, with what was typed and the focus where it was.
  assert.equal(await dialog.isVisible(), true)
  assert.equal(await name.inputValue(), 'Nora Quinn')
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('name')), 'guest-0-name')
  assert.equal((await calls(page, 'check_in_options')).length, 1)
  assert.deepEqual(problems, [])
})

test('the focus stays on its room when the stay it was on leaves the board', async () => {
  const { page, problems } = await ui.open(base())
  await signIn(page)
  await roomButton(page, '103').locator('xpath=..').getByTestId('stay-chip').focus()
  const gone = board()
  gone.floors[0].rooms[2] = tile('103')
  await reply(page, 'room_board', { ok: gone })
  await deskChanged(page)
  await page.waitForFunction(() => document.querySelector('[data-room="103"]')?.getAttribute('aria-label') === 'Room 103, vacant')
  await page.waitForFunction(() => document.activeElement?.dataset.room === '103')
  assert.deepEqual(problems, [])
})

test('the timeline waits for a stay carried with the keys to be put down, then shows the change', async () => {
  // Sixty days: wider than the window, so that the chart scrolls sideways.
  const later = timeline({ days: 60 })
  later.floors[0].rooms[0].stays.push(bar('stay-lia', ['Lia Moreno'], '2025-03-12T14:00:00Z', '2025-03-15T11:00:00Z'))
  const { page, problems } = await ui.open(base({ timeline: { ok: timeline({ days: 60 }) } }))
  await signIn(page)
  await page.getByTestId('view-timeline').click()
  const row = (number) => page.locator(`[data-testid="timeline-row"][data-room="${number}"]`)
  const chartReads = async () => (await calls(page, 'timeline')).filter((c) => c.args.days === 14).length
  // Eva's stay, from Friday: in view with the chart scrolled a little.
  await row('201').getByTestId('timeline-bar').focus()
  const scroll = await page.locator('.chart').evaluate((chart) => {
    chart.scrollLeft = 40
    return chart.scrollLeft
  })
  assert.equal(scroll, 40)
  const before = await chartReads()

  await page.keyboard.press('Space')
  await page.keyboard.press('ArrowDown')
  const over = page.locator('.lane[data-room="202"]:is(.drop-ok, .drop-no)')
  await over.waitFor()
  await reply(page, 'timeline', { ok: later })
  await deskChanged(page)
  await settle(page)
  // Still carried, over the same room, and the days not read meanwhile.
  assert.equal(await chartReads(), before)
  assert.equal(await over.count(), 1)

  await page.keyboard.press('Escape')
  await row('101').getByTestId('timeline-bar').waitFor()
  assert.equal(await chartReads(), before + 1)
  assert.equal((await row('101').getByTestId('timeline-bar').textContent()).trim(), 'Lia Moreno')
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.stay), 'stay-eva')
  assert.equal(await page.locator('.chart').evaluate((chart) => chart.scrollLeft), scroll)
  assert.deepEqual(problems, [])
})
