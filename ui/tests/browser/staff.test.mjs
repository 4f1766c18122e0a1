// The staff screen: doors chosen by floor, all guest rooms, common area or single door;
// rows that say who, what, when and where the cards stand; edit, revoke, delete and lost.

import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { startUi } from './harness.mjs'
import { base, calls, cardRecord, doors, encodeReply, id, signIn } from './fixtures.mjs'

let ui
before(async () => {
  ui = await startUi()
})
after(async () => {
  await ui?.close()
})

const TOKEN = 'token-Mia Manager'
const door = (key) => doors[key].acs_entrance_id
const floor1 = ['101', '102', '103', '104'].map(door)
const floor2 = ['201', '202', '203', '204'].map(door)
const floor3 = ['301', '301b', '302'].map(door)
const roomDoor = (key) => ({ acs_entrance_id: door(key), name: doors[key].name, floor: Number(key[0]) })

/** What the desk offers for staff cards in the test hotel. */
const choices = {
  all_guest_rooms: { label: 'All guest rooms', floor: null, rooms: 10, entrance_ids: [...floor1, ...floor2, ...floor3] },
  floors: [
    { label: 'Floor 1', floor: 1, rooms: 4, entrance_ids: floor1 },
    { label: 'Floor 2', floor: 2, rooms: 4, entrance_ids: floor2 },
    { label: 'Floor 3', floor: 3, rooms: 2, entrance_ids: floor3 },
  ],
  common_doors: ['lobby', 'gym', 'pool'].map((key) => ({ acs_entrance_id: door(key), name: doors[key].name, floor: null })),
  room_doors: ['101', '102', '103', '104', '201', '202', '203', '204', '301', '301b', '302'].map(roomDoor),
}

const hanaCard = cardRecord('hana-1', { access_grant_id: id('grant-hana') })
const hanaIssued = { ...hanaCard, issued_at: '2025-03-12T15:00:00Z', card_id: 'S-1' }

/** Hana's housekeeping entry for floor 1 and the lobby, its card as given. */
function hana(cards_state, cards = [hanaIssued], extra = {}) {
  return {
    access_grant_id: id('grant-hana'),
    full_name: 'Hana Housekeeping',
    entrance_ids: [...floor1, door('lobby')],
    opens: 'Floor 1 (4 rooms), Lobby',
    starts_at: '2025-03-12T08:00:00Z',
    ends_at: '2025-04-12T20:00:00Z',
    revoked_at: null,
    cards_state,
    cards,
    staff_terms: null,
    ...extra,
  }
}

async function openStaff(replies) {
  const { page, problems } = await ui.open(base({ staff_door_choices: { ok: choices }, ...replies }))
  await signIn(page)
  await page.getByRole('button', { name: 'Staff cards' }).click()
  const screen = page.getByTestId('staff-cards')
  await screen.getByTestId('staff-form').waitFor()
  return { page, problems, screen }
}

test('staff cards: a whole floor and the lobby by shortcut, said in words, then encoded', async () => {
  const { page, problems, screen } = await openStaff({
    staff_access: [{ ok: [] }, { ok: [hana('not_encoded', [hanaCard])] }, { ok: [hana('encoded')] }],
    issue_staff_access: { ok: hana('not_encoded', [hanaCard]) },
    encode_cards: encodeReply([hanaCard]),
  })
  await screen.getByText('No staff card has been issued.').waitFor()
  const form = screen.getByTestId('staff-form')
  await form.getByRole('button', { name: 'Issue staff card' }).click()
  await form.getByText('Enter the staff member’s name.').waitFor()
  await form.getByText('Tick at least one door, floor or area.').waitFor()

  await form.getByLabel('Name').fill('Hana Housekeeping')
  // All guest rooms ticks every floor; untick it again.
  await form.getByLabel('All guest rooms — 10 rooms').check()
  assert.equal(await form.getByLabel('Floor 2 — 4 rooms').isChecked(), true)
  assert.equal(
    await form
      .getByTestId('staff-doors-summary')
      .textContent()
      .then((t) => t.trim()),
    'Opens: All guest rooms (10 rooms).',
  )
  await form.getByLabel('All guest rooms — 10 rooms').uncheck()
  assert.equal(await form.getByLabel('Floor 1 — 4 rooms').isChecked(), false)

  await form.getByLabel('Floor 1 — 4 rooms').check()
  await form.getByLabel('Lobby').check()
  assert.match(await form.getByTestId('staff-doors-summary').textContent(), /Opens: Floor 1 \(4 rooms\), Lobby\./)
  // Single doors wait in their own, closed section, showing what the floor chose.
  const singles = form.getByTestId('single-doors')
  assert.equal(await singles.getAttribute('open'), null)
  assert.match(await singles.locator('summary').textContent(), /Single doors \(4 chosen\)/)
  await singles.locator('summary').click()
  assert.equal(await singles.getByLabel('Room 103 door').isChecked(), true)
  assert.equal(await singles.getByLabel('Room 201 door').isChecked(), false)
  // One room of the floor taken away leaves the floor mixed and three single doors.
  await singles.getByLabel('Room 103 door').uncheck()
  assert.equal(await form.getByLabel('Floor 1 — 4 rooms').evaluate((input) => input.indeterminate), true)
  assert.match(await form.getByTestId('staff-doors-summary').textContent(), /Opens: Lobby, Room 101 door, Room 102 door, Room 104 door\./)
  await form.getByLabel('Floor 1 — 4 rooms').check()

  await form.getByLabel('From').fill('12/03/2025 08:00')
  await form.getByLabel('Until').fill('12/04/2025 21:00')
  await form.getByRole('button', { name: 'Issue staff card' }).click()
  await screen.getByTestId('encode-done').waitFor()
  await screen.getByRole('button', { name: 'Done' }).click()

  const row = screen.getByTestId('staff-row')
  await row.filter({ hasText: 'Encoded, 1 card' }).waitFor()
  assert.match(
    await row.textContent(),
    /Hana Housekeeping\s*Floor 1 \(4 rooms\), Lobby\s*Wed 12 Mar 08:00 – Sat 12 Apr 21:00.*Encoded, 1 card\s*Edit\s*Card lost\s*Revoke/s,
  )
  const [issue] = await calls(page, 'issue_staff_access')
  assert.equal(issue.args.fullName, 'Hana Housekeeping')
  assert.deepEqual(new Set(issue.args.entranceIds), new Set([...floor1, door('lobby')]))
  assert.equal(issue.args.entranceIds.length, 5)
  assert.deepEqual(
    (await calls(page, 'encode_cards')).map((c) => c.args.accessMethodIds),
    [[hanaCard.id]],
  )
  assert.deepEqual(problems, [])
})

test('staff cards: an emergency key for the duty manager, and weekend nights of her own', async () => {
  const housekeeping = { days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat'], from: '08:00', to: '16:00' }
  // Replies without a card to encode keep the form on screen.
  const duty = hana('not_encoded', [], {
    access_grant_id: id('grant-duty'),
    full_name: 'Duty Manager',
    opens: 'Every door, a thrown deadbolt included (emergency key)',
    staff_terms: { level: 'emergency' },
  })
  const nights = hana('not_encoded', [], {
    staff_terms: { level: 'area', schedule: [{ days: ['sat', 'sun'], from: '22:00', to: '06:00' }] },
  })
  const { page, problems, screen } = await openStaff({
    staff_access: [{ ok: [] }, { ok: [duty] }, { ok: [duty, nights] }],
    issue_staff_access: [{ ok: duty }, { ok: nights }],
  })
  const form = screen.getByTestId('staff-form')
  await form.getByLabel('Name').fill('Duty Manager')
  await form.getByLabel(/Emergency key: every door/).check()
  // No doors to choose for a key that opens them all.
  assert.equal(await form.getByLabel('Lobby').count(), 0)
  await form.getByRole('button', { name: 'Issue staff card' }).click()
  const rows = screen.getByTestId('staff-row')
  await rows.first().filter({ hasText: 'Every door, a thrown deadbolt included (emergency key)' }).waitFor()
  assert.match(await rows.first().textContent(), /Any time/)

  // Hana's weekend nights, hours of her own: a window with no day is said first.
  await form.getByLabel('Name').fill('Hana Housekeeping')
  await form.getByLabel('The doors I choose').check()
  await form.getByLabel('Floor 1 — 4 rooms').check()
  await form.getByLabel('Shift').selectOption({ label: 'Housekeeping: Mon–Sat, 08:00–16:00' })
  await form.getByLabel('Shift').selectOption({ label: 'Days and hours of my own…' })
  for (const day of ['Mon', 'Tue', 'Wed', 'Thu', 'Fri']) await form.getByLabel(day, { exact: true }).uncheck()
  await form.getByRole('button', { name: 'Issue staff card' }).click()
  await form.getByText('Tick at least one day.').waitFor()
  await form.getByLabel('Sat', { exact: true }).check()
  await form.getByLabel('Sun', { exact: true }).check()
  await form.getByLabel('Shift starts').fill('22:00')
  await form.getByLabel('Shift ends').fill('06:00')
  await form.getByRole('button', { name: 'Issue staff card' }).click()
  await rows.nth(1).filter({ hasText: 'Sat, Sun 22:00–06:00' }).waitFor()

  const issued = (await calls(page, 'issue_staff_access')).map((c) => c.args)
  assert.equal(issued.length, 2)
  assert.deepEqual(issued[0].entranceIds, [])
  assert.deepEqual(issued[0].terms, { level: 'emergency', schedule: [] })
  assert.deepEqual(new Set(issued[1].entranceIds), new Set(floor1))
  assert.deepEqual(issued[1].terms, { level: 'area', schedule: [{ days: ['sat', 'sun'], from: '22:00', to: '06:00' }] })
  assert.notDeepEqual(issued[1].terms.schedule[0], housekeeping)
  assert.deepEqual(problems, [])
})

test('staff cards: a master key is edited by name and dates, its doors coming with it', async () => {
  const master = hana('encoded', [hanaIssued], {
    full_name: 'Mo Master',
    entrance_ids: [...floor1, ...floor2, ...floor3],
    opens: 'All guest rooms (10 rooms)',
    staff_terms: { level: 'master' },
  })
  const { page, problems, screen } = await openStaff({
    staff_access: [{ ok: [master] }, { ok: [{ ...master, full_name: 'Mo Manager' }] }],
    update_staff_access: { ok: { ...master, full_name: 'Mo Manager' } },
  })
  await screen.getByTestId('staff-row').getByRole('button', { name: 'Edit' }).click()
  const form = screen.getByTestId('staff-form')
  await form.getByRole('heading', { name: 'Change Mo Master' }).waitFor()
  assert.match(await form.getByTestId('staff-level-doors').textContent(), /All guest rooms \(10 rooms\): its doors come with its key/)
  assert.equal(await form.getByLabel('Lobby').count(), 0)
  await form.getByLabel('Name').fill('Mo Manager')
  await form.getByRole('button', { name: 'Save changes' }).click()
  await screen.getByTestId('staff-notice').waitFor()
  const [change] = (await calls(page, 'update_staff_access')).map((c) => c.args.change)
  assert.equal(change.full_name, 'Mo Manager')
  assert.equal(change.acs_entrance_ids, null)
  assert.deepEqual(problems, [])
})

test('staff cards: more single doors than a card carries are refused with what to do, by the doors', async () => {
  const message =
    'acs_entrance_ids: a staff card carries at most 12 single doors besides whole floors and 13 were chosen; choose whole floors (or all guest rooms) instead of single room doors, fewer doors, or make a second card for the rest.'
  const { problems, screen } = await openStaff({
    staff_access: { ok: [] },
    issue_staff_access: { error: { type: 'invalid_input', message, field: 'acs_entrance_ids' } },
  })
  const form = screen.getByTestId('staff-form')
  await form.getByLabel('Name').fill('Hana Housekeeping')
  await form.getByLabel('Lobby').check()
  await form.getByRole('button', { name: 'Issue staff card' }).click()
  const refusal = form.getByTestId('staff-doors-problem')
  await refusal.waitFor()
  assert.equal(await refusal.textContent(), `A${message.slice('acs_entrance_ids: a'.length)}`)
  assert.doesNotMatch(await form.textContent(), /acs_entrance_ids/)
  assert.equal(await screen.getByTestId('staff-notice').count(), 0)
  assert.deepEqual(problems, [])
})

test('staff cards: edit name and floors; a refused name shows by the name; the card is then re-encoded', async () => {
  const changed = hana('needs_re_encoding', [{ ...hanaIssued, is_encoding_required: true }], {
    full_name: 'Hana Silva',
    entrance_ids: [door('lobby'), ...floor2],
    opens: 'Floor 2 (4 rooms), Lobby',
  })
  const { page, problems, screen } = await openStaff({
    staff_access: [{ ok: [hana('encoded')] }, { ok: [changed] }, { ok: [{ ...changed, cards_state: 'encoded', cards: [hanaIssued] }] }],
    update_staff_access: [
      {
        error: {
          type: 'invalid_input',
          field: 'full_name',
          message: 'full_name: must be at most 255 characters, without control characters',
        },
      },
      { ok: changed },
    ],
    encode_cards: encodeReply([hanaIssued]),
  })
  const row = screen.getByTestId('staff-row')
  await row.getByRole('button', { name: 'Edit' }).click()
  const form = screen.getByTestId('staff-form')
  await form.getByRole('heading', { name: 'Change Hana Housekeeping' }).waitFor()
  assert.equal(await form.getByLabel('Name').inputValue(), 'Hana Housekeeping')
  assert.equal(await form.getByLabel('Floor 1 — 4 rooms').isChecked(), true)
  assert.equal(await form.getByLabel('Lobby').isChecked(), true)
  await form.getByLabel('Name').fill('Hana Silva')
  await form.getByLabel('Floor 1 — 4 rooms').uncheck()
  await form.getByLabel('Floor 2 — 4 rooms').check()
  await form.getByRole('button', { name: 'Save changes' }).click()
  await form.getByText('Must be at most 255 characters, without control characters').waitFor()
  await form.getByRole('button', { name: 'Save changes' }).click()

  await screen.getByTestId('encode-done').waitFor()
  await screen.getByRole('button', { name: 'Done' }).click()
  await row.filter({ hasText: 'Encoded, 1 card' }).waitFor()
  assert.match(await row.textContent(), /Hana Silva\s*Floor 2 \(4 rooms\), Lobby/)
  const updates = (await calls(page, 'update_staff_access')).map((c) => c.args)
  assert.equal(updates.length, 2)
  assert.equal(updates[1].token, TOKEN)
  assert.deepEqual(updates[1].change, {
    access_grant_id: id('grant-hana'),
    full_name: 'Hana Silva',
    acs_entrance_ids: [door('lobby'), ...floor2],
    // The dates were left alone.
    starts_at: null,
    ends_at: null,
  })
  assert.deepEqual(
    (await calls(page, 'encode_cards')).map((c) => c.args.accessMethodIds),
    [[hanaIssued.id]],
  )
  assert.deepEqual(problems, [])
})

test('staff cards: a revoked card stays listed until it is back', async () => {
  const revoked = hana('revoked', [{ ...hanaIssued, revoked_at: '2025-03-12T16:00:00Z' }], { revoked_at: '2025-03-12T16:00:00Z' })
  const { page, problems, screen } = await openStaff({
    staff_access: [{ ok: [hana('encoded')] }, { ok: [revoked] }, { ok: [] }],
    revoke_staff_access: { ok: revoked },
    mark_collected: { ok: null },
  })
  const row = screen.getByTestId('staff-row')
  await row.getByRole('button', { name: 'Revoke' }).click()
  await row.getByText('Revoke Hana Housekeeping’s card?').waitFor()
  await row.getByRole('button', { name: 'Yes, revoke' }).click()
  await row.filter({ hasText: 'Revoked, card not back' }).waitFor()
  assert.match(await row.textContent(), /it opens its doors until returned or its end\s*Card returned\s*Card lost/)
  assert.equal(await row.getByRole('button', { name: 'Edit' }).count(), 0)
  await row.getByRole('button', { name: 'Card returned' }).click()
  await screen.getByText('No staff card has been issued.').waitFor()
  assert.deepEqual(
    (await calls(page, 'revoke_staff_access')).map((c) => c.args),
    [{ token: TOKEN, accessGrantId: id('grant-hana') }],
  )
  assert.deepEqual(
    (await calls(page, 'mark_collected')).map((c) => c.args),
    [{ token: TOKEN, accessMethodId: hanaIssued.id }],
  )
  assert.deepEqual(problems, [])
})

test('staff cards: a lost card is reported, then a new card encoded', async () => {
  const lostCard = { ...hanaIssued, revoked_at: '2025-03-12T16:00:00Z', lost_at: '2025-03-12T16:00:00Z' }
  const newCard = cardRecord('hana-2', { access_grant_id: id('grant-hana'), copy_number: 2 })
  const { page, problems, screen } = await openStaff({
    staff_access: [
      { ok: [hana('encoded')] },
      { ok: [hana('lost', [lostCard])] },
      { ok: [hana('encoded', [lostCard, { ...newCard, issued_at: '2025-03-12T16:05:00Z' }])] },
    ],
    report_staff_card_lost: { ok: lostCard },
    duplicate_card: { ok: newCard },
    encode_cards: encodeReply([newCard]),
  })
  const row = screen.getByTestId('staff-row')
  await row.getByRole('button', { name: 'Card lost' }).click()
  await row.filter({ hasText: 'Card lost: it opens its doors until its end' }).waitFor()
  await row.getByRole('button', { name: 'Encode a new card' }).click()
  await screen.getByTestId('encode-done').waitFor()
  await screen.getByRole('button', { name: 'Done' }).click()
  await row.filter({ hasText: 'Encoded, 1 card' }).waitFor()
  assert.deepEqual(
    (await calls(page, 'report_staff_card_lost')).map((c) => c.args),
    [{ token: TOKEN, accessMethodId: hanaIssued.id }],
  )
  assert.deepEqual(
    (await calls(page, 'duplicate_card')).map((c) => c.args),
    [{ token: TOKEN, accessGrantId: id('grant-hana') }],
  )
  assert.deepEqual(
    (await calls(page, 'encode_cards')).map((c) => c.args.accessMethodIds),
    [[newCard.id]],
  )
  assert.deepEqual(problems, [])
})

test('staff cards: an entry whose card was never encoded is deleted; a refusal is shown in words', async () => {
  const { page, problems, screen } = await openStaff({
    staff_access: [{ ok: [hana('not_encoded', [hanaCard])] }, { ok: [] }],
    delete_staff_access: [
      { error: { type: 'forbidden', message: 'Mia Manager signed in as receptionist; this needs a manager.' } },
      { ok: null },
    ],
  })
  const row = screen.getByTestId('staff-row')
  assert.match(await row.textContent(), /Not encoded\s*Encode\s*Edit\s*Delete/)
  await row.getByRole('button', { name: 'Delete' }).click()
  await row.getByRole('button', { name: 'Yes, delete' }).click()
  await screen
    .getByTestId('error')
    .getByText(/this needs a manager/)
    .waitFor()
  await row.getByRole('button', { name: 'Delete' }).click()
  await row.getByRole('button', { name: 'Yes, delete' }).click()
  await screen.getByText('No staff card has been issued.').waitFor()
  assert.equal((await calls(page, 'delete_staff_access')).length, 2)
  assert.deepEqual(problems, [])
})
