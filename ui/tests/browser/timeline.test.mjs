// The timeline (rooms × days) beside today's tiles: a future stay's bar, a click that opens
// the stay, a click on an empty day that checks in from that day, a bar dragged or carried
// with the keyboard to another room's row (the move's confirmation), a day's arrivals and
// departures; on the Today view, the guests arriving soon and stays found beyond today.

import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { startUi } from './harness.mjs'
import {
  NOW,
  anaStay,
  base,
  bigBoard,
  bigTimeline,
  calls,
  cardOut,
  cardRecord,
  checkInOptions,
  encodeReply,
  guest,
  id,
  signIn,
} from './fixtures.mjs'

let ui
before(async () => {
  ui = await startUi()
})
after(async () => {
  await ui?.close()
})

const TOKEN = 'token-Mia Manager'

const row = (page, number) => page.locator(`[data-testid="timeline-row"][data-room="${number}"]`)
const barIn = (page, number) => row(page, number).getByTestId('timeline-bar')

async function openTimeline(page) {
  await signIn(page)
  await page.getByTestId('view-timeline').click()
  await row(page, '101').waitFor()
}

test('a stay arriving on Friday is a bar in its room, past stays muted, today marked', async () => {
  const { page, problems } = await ui.open(base())
  await openTimeline(page)
  // From the day before the board's today (Wed 12 March), two weeks.
  assert.deepEqual((await calls(page, 'timeline')).map((c) => c.args).at(-1), { token: TOKEN, from: '2025-03-11', days: 14 })
  const eva = barIn(page, '201')
  assert.equal((await eva.textContent()).trim(), 'Eva Lopes, Rui Lopes')
  assert.equal(await eva.getAttribute('aria-label'), 'Eva Lopes and Rui Lopes, 14–16 Mar, arriving in Room 201')
  assert.match(await eva.getAttribute('class'), /upcoming/)
  // Friday 15:00 is 3 days and 15 hours after Tuesday 00:00, at 44 px a day.
  const track = await row(page, '201').locator('.track').boundingBox()
  const box = await eva.boundingBox()
  assert.ok(Math.abs(box.x - track.x - 3.625 * 44) < 1.5, `${box.x - track.x}`)
  assert.match(await barIn(page, '203').getAttribute('class'), /checked_out/)
  assert.equal(await page.locator('.day.today').getAttribute('data-day'), '2025-03-12')
  assert.equal(await barIn(page, '101').count(), 0)
  assert.deepEqual(problems, [])
})

test('a checked-out stay opens read only, with the card left in a pocket and its fixes', async () => {
  const past = {
    reservation_key: 'stay-zoe',
    room_name: 'Room 203',
    starts_at: '2025-03-09T15:00:00Z',
    checked_out_at: '2025-03-11T10:40:00Z',
    guests: ['Zoe Adams'],
    cards_made: 2,
    cards_still_out: [cardOut('04C3', { guest: 'Zoe Adams', reason: 'not_returned' })],
  }
  const { page, problems } = await ui.open(
    base({ past_stay: [{ ok: past }, { ok: { ...past, cards_still_out: [] } }], card_collected: { ok: null } }),
  )
  await openTimeline(page)
  await barIn(page, '203').click()
  const panel = page.getByTestId('past-stay')
  await panel.getByTestId('card-still-out').waitFor()
  assert.deepEqual(
    (await calls(page, 'past_stay')).map((c) => c.args),
    [{ token: TOKEN, reservationKey: 'stay-zoe' }],
  )
  assert.equal(await calls(page, 'stay').then((list) => list.length), 0)
  assert.match(await panel.getByRole('heading', { level: 2 }).textContent(), /Room 203: Zoe Adams, checked out/)
  assert.equal(
    (await panel.getByTestId('past-stay-dates').textContent()).replace(/\s+/g, ' ').trim(),
    'Arrived Sun 9 Mar 15:00, checked out Tue 11 Mar 10:40.',
  )
  await panel.getByRole('button', { name: 'Collected' }).click()
  await panel.getByTestId('past-stay-cards').waitFor()
  assert.equal(
    (await panel.getByTestId('past-stay-cards').textContent()).replace(/\s+/g, ' ').trim(),
    'All 2 of its cards are back at the desk or no longer open any door.',
  )
  assert.deepEqual(
    (await calls(page, 'card_collected')).map((c) => c.args.cardId),
    ['04C3'],
  )
  assert.deepEqual(problems, [])
})

test('a click on a bar opens the stay; on an empty later day, check-in from that day', async () => {
  const { page, problems } = await ui.open(base({ stay: { ok: anaStay() }, check_in_options: { ok: checkInOptions('101') } }))
  await openTimeline(page)
  await barIn(page, '102').click()
  await page.getByTestId('stay-panel').getByTestId('guest').first().waitFor()
  assert.deepEqual(
    (await calls(page, 'stay')).map((c) => c.args),
    [{ token: TOKEN, reservationKey: 'stay-ana' }],
  )
  await page.keyboard.press('Escape')
  await page.getByRole('dialog').waitFor({ state: 'detached' })

  // Room 101, Saturday 15 March: the fifth column.
  const track = await row(page, '101').locator('.track').boundingBox()
  await page.mouse.click(track.x + 4.5 * 44, track.y + track.height / 2)
  await page.getByTestId('check-in').waitFor()
  assert.deepEqual(
    (await calls(page, 'check_in_options')).map((c) => c.args),
    [{ token: TOKEN, spaceId: id('space-101'), day: '2025-03-15' }],
  )
  assert.deepEqual(problems, [])
})

test('dragging a bar onto another room opens the move; a taken room is refused', async () => {
  const { page, problems } = await ui.open(base({ stay: { ok: anaStay() } }))
  await openTimeline(page)
  const source = await barIn(page, '102').boundingBox()
  const taken = await row(page, '202').boundingBox()
  const free = await row(page, '204').boundingBox()
  await page.mouse.move(source.x + 10, source.y + source.height / 2)
  await page.mouse.down()
  await page.mouse.move(source.x + 20, source.y + source.height / 2 + 4, { steps: 3 })
  await page.mouse.move(source.x + 20, taken.y + taken.height / 2, { steps: 8 })
  await page.locator('.lane.drop-no[data-room="202"]').waitFor()
  await page.mouse.move(source.x + 20, free.y + free.height / 2, { steps: 8 })
  await page.locator('.lane.drop-ok[data-room="204"]').waitFor()
  await page.mouse.up()
  const dialog = page.getByTestId('move-dialog')
  await dialog.getByRole('button', { name: 'Move to Room 204' }).waitFor()
  assert.equal(await page.locator('.lane.drop-ok, .lane.drop-no').count(), 0)
  assert.deepEqual(problems, [])
})

test('the keyboard moves between bars, carries one to another room and drops it', async () => {
  const { page, problems } = await ui.open(base({ stay: { ok: anaStay() } }))
  await openTimeline(page)
  await barIn(page, '102').focus()
  // Down goes to the next room with a bar (103), up comes back.
  await page.keyboard.press('ArrowDown')
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.stay), 'stay-carl')
  await page.keyboard.press('ArrowUp')
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.stay), 'stay-ana')
  // Space picks Ana's stay up; down over 103 and 104, past the floor's heading, to 201.
  // Escape puts it back first.
  await page.keyboard.press('Space')
  await page.keyboard.press('ArrowDown')
  // Carl leaves 103 this morning: Ana's stay fits there from now on.
  await page.locator('.lane.drop-ok[data-room="103"]').waitFor()
  await page.keyboard.press('Escape')
  await page.waitForFunction(() => document.querySelector('[data-testid="announcer"]').textContent.includes('Move cancelled'))
  assert.equal(await page.locator('.lane.drop-ok, .lane.drop-no').count(), 0)
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.stay), 'stay-ana')
  await page.keyboard.press('Space')
  for (let step = 0; step < 3; step++) await page.keyboard.press('ArrowDown')
  await page.locator('.lane.drop-ok[data-room="201"]').waitFor()
  await page.waitForFunction(() => document.querySelector('[data-testid="announcer"]').textContent.includes('Over Room 201'))
  await page.keyboard.press('Enter')
  await page.getByTestId('move-dialog').getByRole('button', { name: 'Move to Room 201' }).waitFor()
  assert.deepEqual(problems, [])
})

test('Escape after carrying a bar far down the chart puts the focus back on the bar', async () => {
  const { page, problems } = await ui.open(base({ room_board: { ok: bigBoard(200) }, timeline: { ok: bigTimeline(200, 14) } }))
  await signIn(page)
  await page.getByTestId('view-timeline').click()
  const first = row(page, '101').getByTestId('timeline-bar').first()
  await first.waitFor()
  const carried = await first.getAttribute('data-stay')
  await first.focus()
  await page.keyboard.press('Space')
  // Far enough down that the chart scrolls the bar's own row out of the page.
  for (let step = 0; step < 60; step++) await page.keyboard.press('ArrowDown')
  await page.waitForFunction(() => document.querySelector('[data-testid="announcer"]').textContent.includes('Over Room 211'))
  await page.keyboard.press('Escape')
  await page.waitForFunction(() => document.querySelector('[data-testid="announcer"]').textContent.includes('Move cancelled'))
  await page.waitForFunction((key) => document.activeElement?.dataset.stay === key, carried)
  assert.deepEqual(problems, [])
})

test("a day's heading lists its arrivals and departures; Today shows who arrives soon", async () => {
  const { page, problems } = await ui.open(base({ stay: { ok: anaStay() } }))
  await signIn(page)
  const soon = page.getByTestId('arriving-soon')
  await soon.getByTestId('arriving-guest').first().waitFor()
  assert.deepEqual(
    (await soon.getByTestId('arriving-guest').allTextContents()).map((text) => text.replace(/\s+/g, ' ').trim()),
    ['Dee Park — Room 104, today 18:00', 'Eva Lopes and Rui Lopes — Room 201, Fri 14 Mar 15:00'],
  )
  assert.deepEqual(
    (await calls(page, 'timeline')).map((c) => c.args),
    [{ token: TOKEN, from: '2025-03-12', days: 4 }],
  )

  await page.getByTestId('view-timeline').click()
  await page.locator('[data-testid="timeline-day"][data-day="2025-03-14"]').click()
  const list = page.getByTestId('day-list')
  await list.getByRole('heading', { name: 'Fri 14 Mar' }).waitFor()
  assert.deepEqual(await list.getByTestId('day-arrivals').locator('li').allTextContents(), ['15:00 · Eva Lopes and Rui Lopes — Room 201'])
  assert.deepEqual(await list.getByTestId('day-departures').locator('li').allTextContents(), ['11:00 · Ana Silva and Ben Silva — Room 102'])
  assert.deepEqual(problems, [])
})

test('the search also finds stays beyond today, and opens them', async () => {
  const found = [
    {
      reservation_key: 'stay-eva',
      space_id: id('space-201'),
      room_name: 'Room 201',
      starts_at: '2025-03-14T15:00:00Z',
      ends_at: '2025-03-16T11:00:00Z',
      guests: ['Eva Lopes', 'Rui Lopes'],
      status: 'upcoming',
    },
    {
      reservation_key: 'stay-eve',
      space_id: id('space-203'),
      room_name: 'Room 203',
      starts_at: '2025-02-07T15:00:00Z',
      ends_at: '2025-02-09T11:00:00Z',
      guests: ['Eve Marsh'],
      status: 'checked_out',
    },
  ]
  const { page, problems } = await ui.open(base({ find_stays: { ok: found }, stay: { ok: anaStay({ reservation_key: 'stay-eva' }) } }))
  await signIn(page)
  await page.getByTestId('board-search').fill('Ev')
  const list = page.getByTestId('found-stays')
  await list.getByTestId('found-stay').first().waitFor()
  assert.deepEqual(
    (await list.getByTestId('found-stay').allTextContents()).map((text) => text.replace(/\s+/g, ' ').trim()),
    ['Eva Lopes and Rui Lopes — Room 201, 14–16 Mar, arriving', 'Eve Marsh — Room 203, 7–9 Feb, checked out'],
  )
  assert.deepEqual(
    (await calls(page, 'find_stays')).map((c) => c.args),
    [{ token: TOKEN, query: 'ev' }],
  )
  await list.getByTestId('found-stay').first().click()
  await page.getByTestId('stay-panel').waitFor()
  assert.deepEqual(
    (await calls(page, 'stay')).map((c) => c.args.reservationKey),
    ['stay-eva'],
  )
  await page.keyboard.press('Escape')
  await page.getByRole('dialog').waitFor({ state: 'detached' })
  // A past stay opens read only.
  await list.getByTestId('found-stay').nth(1).click()
  await page.getByTestId('past-stay').waitFor()
  assert.deepEqual(
    (await calls(page, 'past_stay')).map((c) => c.args.reservationKey),
    ['stay-eve'],
  )
  assert.deepEqual(problems, [])
})

test('keys before arrival: the coming days’ cards are made one after another, for their envelopes', async () => {
  const evaCard = cardRecord('eva-1')
  const ruiCard = cardRecord('rui-1')
  const eva = (cards) => ({
    reservation_key: 'stay-eva',
    space_id: id('space-201'),
    room_name: 'Room 201',
    starts_at: '2025-03-14T15:00:00Z',
    ends_at: '2025-03-16T11:00:00Z',
    guests: [guest('Eva Lopes', [cards[0]]), guest('Rui Lopes', [cards[1]])],
  })
  const made = [evaCard, ruiCard].map((card, index) => ({ ...card, issued_at: NOW, card_id: `E-${index + 1}` }))
  const { page, problems } = await ui.open(
    base({
      stay: [{ ok: eva([evaCard, ruiCard]) }, { ok: eva(made) }],
      encode_cards: encodeReply([evaCard, ruiCard]),
    }),
  )
  await signIn(page)
  await page.getByTestId('arriving-soon').getByTestId('keys-ahead-open').click()
  const dialog = page.getByTestId('keys-ahead')
  const row = dialog.getByTestId('keys-ahead-list').locator('tbody tr')
  await row.first().waitFor()
  assert.deepEqual(await row.first().locator('td').allTextContents(), ['Eva Lopes, Rui Lopes', 'Room 201', '14 Mar 2025, 15:00', '2'])
  await dialog.getByRole('button', { name: 'Make 2 cards' }).click()
  await dialog.getByTestId('encode-done').waitFor()
  await dialog.getByRole('button', { name: 'Done' }).click()
  await dialog.getByTestId('keys-ahead-done').filter({ hasText: '2 cards made.' }).waitFor()
  await dialog.getByRole('button', { name: 'Every card is made' }).waitFor()
  assert.match(await row.first().textContent(), /All made/)
  // Only the later days' arrivals: Dee Park arrives today and is not asked for.
  assert.deepEqual(
    (await calls(page, 'stay')).map((c) => c.args.reservationKey),
    ['stay-eva', 'stay-eva'],
  )
  assert.deepEqual(
    (await calls(page, 'encode_cards')).map((c) => c.args.accessMethodIds),
    [[evaCard.id, ruiCard.id]],
  )
  assert.deepEqual(problems, [])
})
