// Moving a stay: a real mouse drag of the stay's chip onto another room, the keyboard drag,
// and the "Move to room…" menu; a confirmation that says which old cards keep opening the
// old door; the result announced; the new cards encoded.

import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { startUi } from './harness.mjs'
import { anaStay, base, calls, cardRecord, encodeReply, guest, id, roomButton, signIn } from './fixtures.mjs'

let ui
before(async () => {
  ui = await startUi()
})
after(async () => {
  await ui?.close()
})

const TOKEN = 'token-Mia Manager'
const oldCards = [
  {
    access_method_id: id('method-ana-1'),
    card_id: 'C-ANA-1',
    guest: 'Ana Silva',
    doors: ['Room 102 door', 'Lobby'],
    valid_until: '2025-03-14T11:00:00Z',
  },
  {
    access_method_id: id('method-ben-1'),
    card_id: 'C-BEN-1',
    guest: 'Ben Silva',
    doors: ['Room 102 door', 'Lobby'],
    valid_until: '2025-03-14T11:00:00Z',
  },
]
const newCards = [cardRecord('ana-201'), cardRecord('ben-201')]
const moved = (number) =>
  anaStay({
    space_id: id(`space-${number}`),
    room_name: `Room ${number}`,
    guests: [guest('Ana Silva', [newCards[0]]), guest('Ben Silva', [newCards[1]])],
  })

function replies(number) {
  return base({
    stay: { ok: anaStay() },
    move_stay: { ok: { stay: moved(number), old_cards: oldCards } },
    encode_cards: encodeReply(newCards),
    mark_collected: { ok: null },
  })
}

const announced = (page) =>
  page
    .getByTestId('announcer')
    .textContent()
    .then((t) => t.trim())

async function dragChip(page, from, to) {
  const chip = page.locator(`[data-room="${from}"]`).locator('xpath=..').getByTestId('stay-chip')
  const source = await chip.boundingBox()
  const target = await page.locator(`.tile:has([data-room="${to}"])`).boundingBox()
  await page.mouse.move(source.x + source.width / 2, source.y + source.height / 2)
  await page.mouse.down()
  await page.mouse.move(source.x + source.width / 2 + 10, source.y + source.height / 2 + 5, { steps: 3 })
  await page.mouse.move(target.x + target.width / 2, target.y + target.height / 2, { steps: 12 })
  return page.mouse
}

async function confirmAndEncode(page, to) {
  const dialog = page.getByTestId('move-dialog')
  const pre = dialog.getByTestId('pre-move')
  await pre.filter({ hasText: 'The 2 cards' }).waitFor()
  assert.equal(
    await pre.textContent(),
    `Ana Silva and Ben Silva will move from Room 102 to Room ${to}. The 2 cards already made for Room 102 will keep opening Room 102 until collected or cancelled (a cancel card or the next guest's card used at that door); new cards for Room ${to} are made next.`,
  )
  await dialog.getByRole('button', { name: `Move to Room ${to}` }).click()
  await dialog.getByTestId('move-result').waitFor()
  assert.match(await dialog.textContent(), /Old cards that still open Room 102/)
  assert.equal(await dialog.getByTestId('outstanding-card').count(), 2)
  assert.match(
    await dialog.getByTestId('outstanding-card').first().textContent(),
    /Ana Silva\s*Opens Room 102 door, Lobby until 14 Mar 2025, 11:00/,
  )
  await page.waitForFunction(() => document.querySelector('[data-testid="announcer"]').textContent.includes('Moved'))
  assert.equal(
    await announced(page),
    `Moved the stay of Ana Silva and Ben Silva from Room 102 to Room ${to}. 2 old cards still open Room 102 until collected or cancelled.`,
  )
  await dialog.getByTestId('outstanding-card').first().getByRole('button', { name: 'Collected' }).click()
  await dialog.getByText('1 card still opens Room 102 until collected or cancelled.').waitFor()
  await dialog.getByRole('button', { name: `Encode 2 new cards for Room ${to}` }).click()
  await dialog.getByTestId('encode-done').waitFor()
  // One button closes the dialog once the cards are encoded.
  assert.equal(await dialog.getByRole('button', { name: 'Done' }).count(), 0)
  await dialog.getByTestId('encode-finish').filter({ hasText: 'Close' }).click()
  await page.getByRole('dialog').waitFor({ state: 'detached' })
  assert.deepEqual(
    (await calls(page, 'move_stay')).map((c) => c.args),
    [{ token: TOKEN, reservationKey: 'stay-ana', toSpaceId: id(`space-${to}`), allowOverlap: false }],
  )
  assert.deepEqual(
    (await calls(page, 'encode_cards')).map((c) => c.args.accessMethodIds),
    [newCards.map((c) => c.id)],
  )
  assert.equal((await calls(page, 'room_board')).length, 2)
}

test('drag a stay with the mouse onto a vacant room, confirm, and encode the new cards', async () => {
  const { page, problems } = await ui.open(replies('201'))
  await signIn(page)
  await roomButton(page, '201').waitFor()
  const mouse = await dragChip(page, '102', '201')
  await page.getByTestId('drag-ghost').filter({ hasText: '→ Room 201' }).waitFor()
  assert.equal(await page.locator('.tile.drop-ok').count(), 1)
  assert.equal(await page.locator('.tile.drag-source [data-room="102"]').count(), 1)
  await page.waitForFunction(() => document.querySelector('[data-testid="announcer"]').textContent.includes('Over Room 201'))
  assert.equal(await announced(page), 'Over Room 201. Drop here to move the stay.')
  await mouse.up()
  await confirmAndEncode(page, '201')
  assert.deepEqual(problems, [])
})

test('a drop on a room with an overlapping stay is refused and said so', async () => {
  const { page, problems } = await ui.open(replies('201'))
  await signIn(page)
  await roomButton(page, '202').waitFor()
  const mouse = await dragChip(page, '102', '202')
  await page.getByTestId('drag-ghost').filter({ hasText: 'Cannot move here' }).waitFor()
  assert.equal(await page.locator('.tile.drop-no').count(), 1)
  await page.waitForFunction(() => document.querySelector('[data-testid="announcer"]').textContent.includes('Over Room 202'))
  assert.equal(await announced(page), 'Over Room 202. Cannot move here: Room 202 has an overlapping stay (José Núñez).')
  await mouse.up()
  await page.waitForFunction(() => document.querySelector('[data-testid="announcer"]').textContent.includes('not moved'))
  assert.equal(await announced(page), 'The stay was not moved to Room 202: Room 202 has an overlapping stay (José Núñez).')
  assert.equal(await page.getByRole('dialog').count(), 0)
  assert.equal(await page.locator('.tile.drop-no, .tile.drop-ok, .tile.drag-source').count(), 0)
  assert.deepEqual(await calls(page, 'move_stay'), [])
  // A plain click on the chip (no drag) opens the stay.
  await page.locator('[data-room="102"]').locator('xpath=..').getByTestId('stay-chip').click()
  await page.getByTestId('stay-panel').getByTestId('guest').first().waitFor()
  assert.deepEqual(problems, [])
})

test('the keyboard picks a stay up, moves it over the rooms and drops it', async () => {
  const { page, problems } = await ui.open(replies('201'))
  await signIn(page)
  await roomButton(page, '101').focus()
  await page.keyboard.press('ArrowRight')
  await page.keyboard.press('Tab')
  const focused = await page.evaluate(() => document.activeElement.getAttribute('aria-roledescription'))
  assert.equal(focused, 'draggable stay')
  await page.keyboard.press('Space')
  await page.waitForFunction(() => document.querySelector('[data-testid="announcer"]').textContent.includes('Picked up'))
  assert.equal(
    await announced(page),
    'Picked up the stay of Ana Silva and Ben Silva in Room 102. Use the arrow keys to choose a room, Space or Enter to drop, Escape to cancel.',
  )
  await page.keyboard.press('ArrowDown')
  await page.waitForFunction(() => document.querySelector('[data-testid="announcer"]').textContent.includes('Room 202'))
  assert.match(await announced(page), /^Over Room 202\. Cannot move here/)
  await page.keyboard.press('ArrowLeft')
  await page.waitForFunction(() => document.querySelector('[data-testid="announcer"]').textContent.includes('Room 201'))
  assert.equal(await announced(page), 'Over Room 201. Drop here to move the stay.')
  // Escape cancels; picking up again and dropping opens the confirmation.
  await page.keyboard.press('Escape')
  await page.waitForFunction(() => document.querySelector('[data-testid="announcer"]').textContent.includes('cancelled'))
  assert.equal(await announced(page), 'Move cancelled. The stay of Ana Silva and Ben Silva stays in Room 102.')
  await page.keyboard.press('Enter')
  await page.keyboard.press('ArrowDown')
  await page.keyboard.press('ArrowLeft')
  await page.keyboard.press('Enter')
  await confirmAndEncode(page, '201')
  assert.deepEqual(problems, [])
})

test('"Move to room…" lists the rooms that take the stay, works from the keyboard, and moves it', async () => {
  const { page, problems } = await ui.open(replies('203'))
  await signIn(page)
  await roomButton(page, '102').click()
  const panel = page.getByTestId('stay-panel')
  const button = panel.getByRole('button', { name: 'Move to room…' })
  await button.waitFor()
  assert.equal(await button.getAttribute('aria-haspopup'), 'menu')
  await button.focus()
  await page.keyboard.press('ArrowDown')
  const menu = page.getByRole('menu', { name: 'Move the stay to room' })
  await menu.waitFor()
  assert.equal(await button.getAttribute('aria-expanded'), 'true')
  const items = await menu.getByRole('menuitem').evaluateAll((els) => els.map((e) => e.querySelector('.name').textContent))
  // Not 102 (its own), 104 (Dee arrives tonight), 202 (José) or 204 (Tom arrives tomorrow):
  // they overlap. The free rooms first; 103, whose guest leaves today, last.
  assert.deepEqual(items, ['Room 101', 'Room 201', 'Room 203', 'Suite 301', 'Room 302', 'Room 103'])
  assert.match(await menu.getByRole('menuitem').first().textContent(), /Room 101\s*Floor 1 · Free/)
  const active = () => page.evaluate(() => document.activeElement.querySelector('.name')?.textContent)
  assert.equal(await active(), 'Room 101')
  await page.keyboard.press('ArrowDown')
  assert.equal(await active(), 'Room 201')
  await page.keyboard.press('End')
  assert.equal(await active(), 'Room 103')
  await page.keyboard.press('Escape')
  assert.equal(await menu.count(), 0)
  assert.equal(await page.evaluate(() => document.activeElement.dataset.testid), 'move-menu-button')
  // The stay panel is still open: Escape closed only the menu.
  assert.equal(await panel.count(), 1)

  await page.keyboard.press('Enter')
  await menu.waitFor()
  await page.keyboard.type('203')
  assert.equal(await active(), 'Room 203')
  await page.keyboard.press('Enter')
  await confirmAndEncode(page, '203')
  assert.deepEqual(problems, [])
})

test('a move the front desk refuses keeps the stay and says why', async () => {
  const { page, problems } = await ui.open(
    base({
      stay: { ok: anaStay() },
      move_stay: {
        error: {
          type: 'conflict',
          field: 'to_space_id',
          message: "to_space_id: Room 201 is taken by stay 'stay-zed' from 2025-03-13 15:00 to 2025-03-15 11:00; choose another room",
        },
      },
    }),
  )
  await signIn(page)
  const mouse = await dragChip(page, '102', '201')
  await mouse.up()
  const dialog = page.getByTestId('move-dialog')
  await dialog.getByRole('button', { name: 'Move to Room 201' }).click()
  await dialog.getByTestId('error').filter({ hasText: 'choose another room' }).waitFor()
  await page.waitForFunction(() => document.querySelector('[data-testid="announcer"]').textContent.includes('not moved'))
  assert.match(await announced(page), /^The stay was not moved: .*choose another room$/)
  assert.deepEqual(problems, [])
})

test('on a long board the drag scrolls near the window’s edge; Escape cancels a mouse drag', async () => {
  const { bigBoard } = await import('./fixtures.mjs')
  const big = bigBoard(600)
  big.floors[0].rooms[1] = {
    ...big.floors[0].rooms[1],
    state: 'in_house',
    stays: [
      {
        reservation_key: 'stay-far',
        starts_at: '2025-03-11T15:00:00Z',
        ends_at: '2025-03-14T11:00:00Z',
        guests: ['Far Mover'],
        warnings: 0,
      },
    ],
  }
  const { page, problems } = await ui.open(base({ room_board: { ok: big } }))
  await signIn(page)
  await page.getByTestId('board-count').filter({ hasText: '600 rooms' }).waitFor()
  const chip = page.locator('[data-room="102"]').locator('xpath=..').getByTestId('stay-chip')
  const box = await chip.boundingBox()
  await page.mouse.move(box.x + 10, box.y + 5)
  await page.mouse.down()
  await page.mouse.move(box.x + 30, box.y + 40, { steps: 3 })
  const before = await page.evaluate(() => scrollY)
  await page.mouse.move(640, 795, { steps: 5 })
  await page.waitForFunction((start) => scrollY > start + 400, before)
  await page.keyboard.press('Escape')
  await page.waitForFunction(() => document.querySelector('[data-testid="announcer"]').textContent.includes('cancelled'))
  assert.equal(await page.getByTestId('drag-ghost').count(), 0)
  const stopped = await page.evaluate(() => scrollY)
  await page.waitForTimeout(200)
  assert.equal(await page.evaluate(() => scrollY), stopped)
  await page.mouse.up()
  assert.equal(await page.getByRole('dialog').count(), 0)
  assert.deepEqual(problems, [])
})

test('a move is told before it is made: the room booked, and a stay whose cards it would lock out', async () => {
  const tom = {
    message:
      "Tom Morrow's cards for Room 201 door (from 15 Mar 15:00) were made before this stay's: once Ana Silva and Ben Silva's first card is used there, they will be refused. Remake Tom's cards after this.",
    remake: { reservation_key: 'stay-tom', guests: 'Tom Morrow' },
  }
  const { page, problems } = await ui.open({
    ...replies('201'),
    predict: { ok: { booked: null, troubles: [tom] } },
    remake_cards: { ok: anaStay({ reservation_key: 'stay-tom', guests: [guest('Tom Morrow', [])] }) },
  })
  await signIn(page)
  const mouse = await dragChip(page, '102', '201')
  await mouse.up()
  const dialog = page.getByTestId('move-dialog')
  await dialog.getByTestId('predicted-trouble').filter({ hasText: "Tom Morrow's cards for Room 201 door" }).waitFor()
  assert.deepEqual(
    (await calls(page, 'predict')).map((c) => c.args.change),
    [{ kind: 'move', reservation_key: 'stay-ana', to_space_id: id('space-201') }],
  )
  await dialog.getByRole('button', { name: 'Move to Room 201' }).click()
  await dialog.getByTestId('remade').filter({ hasText: 'New cards are waiting for Tom Morrow' }).waitFor()
  assert.deepEqual(
    (await calls(page, 'remake_cards')).map((c) => c.args.reservationKey),
    ['stay-tom'],
  )
  assert.deepEqual(problems, [])
})

test('a room booked over the stay is said as the move opens; a manager may move anyway', async () => {
  const booked =
    'Room 201 is booked for Tom Morrow from 13 Mar 15:00 to 15 Mar 11:00; moving Ana Silva and Ben Silva here until 14 Mar 11:00 would lock Tom out'
  const { page, problems } = await ui.open({ ...replies('201'), predict: { ok: { booked, troubles: [] } } })
  await signIn(page)
  const mouse = await dragChip(page, '102', '201')
  await mouse.up()
  const dialog = page.getByTestId('move-dialog')
  await dialog.getByTestId('move-booked').filter({ hasText: 'would lock Tom out' }).waitFor()
  await dialog.getByRole('button', { name: /^Move anyway/ }).click()
  await dialog.getByTestId('move-result').waitFor()
  assert.deepEqual(
    (await calls(page, 'move_stay')).map((c) => c.args.allowOverlap),
    [true],
  )
  assert.deepEqual(problems, [])
})
