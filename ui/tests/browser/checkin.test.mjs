// Check-in: dates from check_in_options, two guests, common areas, then two cards encoded
// one after another with "Present card n of 2" prompts; and an encoder failure in plain
// words with Retry.

import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { startUi } from './harness.mjs'
import {
  base,
  calls,
  cardOut,
  cardRecord,
  checkInOptions,
  doors,
  encodeReply,
  guest,
  id,
  receptionist,
  release,
  roomButton,
  signIn,
} from './fixtures.mjs'

let ui
before(async () => {
  ui = await startUi()
})
after(async () => {
  await ui?.close()
})

const annCard = cardRecord('ann-1', { access_grant_id: id('grant-ann') })
const bobCard = cardRecord('bob-1', { access_grant_id: id('grant-bob') })
const checkedIn = {
  reservation_key: 'stay-new',
  space_id: id('space-101'),
  room_name: 'Room 101',
  starts_at: '2025-03-12T15:00:12Z',
  ends_at: '2025-03-14T11:00:00Z',
  guests: [guest('Ann Lee', [annCard]), guest('Bob Lee', [bobCard])],
}

async function fillCheckIn(page) {
  await roomButton(page, '101').click()
  const dialog = page.getByRole('dialog', { name: 'Check in to Room 101' })
  await dialog.waitFor()
  // The defaults: dates from check_in_options in the property's zone (Lisbon, UTC+0 in
  // March), the lobby and gym ticked, the pool not.
  await dialog.getByLabel('Guest 1 name').waitFor()
  assert.equal(await dialog.getByLabel('Arrival').inputValue(), '12/03/2025 15:00')
  assert.equal(await dialog.getByLabel('Departure').inputValue(), '13/03/2025 11:00')
  assert.equal(await dialog.getByLabel('Lobby').isChecked(), true)
  assert.equal(await dialog.getByLabel('Gym').isChecked(), true)
  assert.equal(await dialog.getByLabel('Pool').isChecked(), false)
  assert.equal(await dialog.getByLabel('Guest 1 name').evaluate((el) => el === document.activeElement), true)

  // Nothing is sent while a guest has no name.
  await dialog.getByRole('button', { name: 'Add a guest' }).click()
  await dialog.getByRole('button', { name: /^Check in and make 2 cards$/ }).click()
  await dialog.getByText('Enter the guest’s name.').first().waitFor()
  assert.deepEqual(await calls(page, 'check_in'), [])

  await dialog.getByLabel('Guest 1 name').fill('Ann Lee')
  await dialog.getByLabel('Email (optional)').first().fill('ann@example.com')
  await dialog.getByLabel('Guest 2 name').fill('Bob Lee')
  await dialog.getByRole('button', { name: 'Add a guest' }).click()
  await dialog.getByLabel('Guest 3 name').fill('Nobody')
  await dialog.getByRole('button', { name: 'Remove guest 3' }).click()
  assert.equal(await dialog.getByTestId('guest-row').count(), 2)
  await dialog.getByLabel('Departure').fill('14/03/2025 11:00')
  await dialog.getByLabel('Gym').uncheck()
  await dialog.getByLabel('Pool').check()
  await dialog.getByRole('button', { name: 'Check in and make 2 cards' }).click()
  return dialog
}

test('check-in with two guests encodes two cards one after another', async () => {
  const { page, problems } = await ui.open(
    base({
      check_in_options: { ok: checkInOptions('101') },
      check_in: { ok: checkedIn },
      encode_cards: encodeReply([annCard, bobCard], { pauses: true }),
    }),
  )
  await signIn(page)
  const dialog = await fillCheckIn(page)

  const prompt = dialog.getByTestId('encode-prompt')
  await prompt.filter({ hasText: 'Present card 1 of 2' }).waitFor()
  assert.equal(await dialog.getByTestId('encode-progress').evaluate((el) => el.value), 0)
  await release(page, 'card-1')
  await prompt.filter({ hasText: 'Present card 2 of 2' }).waitFor()
  assert.equal(await dialog.getByTestId('encode-progress').evaluate((el) => el.value), 0.5)
  assert.match(await dialog.getByTestId('encode-item').first().textContent(), /Ann Lee, card 1\s*Ready/)
  await release(page, 'card-2')
  await dialog.getByTestId('encode-done').filter({ hasText: 'All 2 cards are ready.' }).waitFor()
  assert.equal(await dialog.getByTestId('encode-progress').evaluate((el) => el.value), 1)

  const [checkIn] = await calls(page, 'check_in')
  assert.deepEqual(checkIn.args, {
    token: 'token-Mia Manager',
    request: {
      space_id: id('space-101'),
      // Untouched, the suggested arrival keeps its seconds.
      starts_at: '2025-03-12T15:00:12Z',
      ends_at: '2025-03-14T11:00:00.000Z',
      guests: [
        { full_name: 'Ann Lee', email_address: 'ann@example.com', phone_number: null },
        { full_name: 'Bob Lee', email_address: null, phone_number: null },
      ],
      common_entrance_ids: [doors.lobby.acs_entrance_id, doors.pool.acs_entrance_id],
      cards_per_guest: 1,
      reservation_key: null,
      allow_overlap: false,
    },
  })
  assert.deepEqual(
    (await calls(page, 'encode_cards')).map((c) => c.args),
    [{ token: 'token-Mia Manager', accessMethodIds: [annCard.id, bobCard.id] }],
  )

  await dialog.getByRole('button', { name: 'Done' }).click()
  await dialog.getByTestId('check-in-done').filter({ hasText: 'Ann Lee and Bob Lee are checked in to Room 101.' }).waitFor()
  await dialog.getByRole('button', { name: 'Close' }).last().click()
  await page.getByRole('dialog').waitFor({ state: 'detached' })
  // The board is fetched again after the check-in.
  assert.equal((await calls(page, 'room_board')).length, 2)
  assert.deepEqual(problems, [])
})

test('an encoder failure is shown in plain words, and Retry carries on with the cards left', async () => {
  const failure = {
    type: 'no_credential_on_encoder',
    message: 'No card was put on the encoder in time.',
  }
  const { page, problems } = await ui.open(
    base({
      check_in_options: { ok: checkInOptions('101') },
      check_in: { ok: checkedIn },
      encode_cards: [
        // The first card is written, then no second card comes.
        {
          error: failure,
          steps: [
            { emit: 'encode-progress', payload: { event: 'present_card', index: 0, total: 2 } },
            {
              emit: 'encode-progress',
              payload: {
                event: 'written',
                index: 0,
                card: {
                  access_method: { ...annCard, issued_at: '2025-03-12T15:01:00Z', card_id: 'C-ANN' },
                  card_id: 'C-ANN',
                  op_id: id('op-1'),
                },
              },
            },
            { emit: 'encode-progress', payload: { event: 'present_card', index: 1, total: 2 } },
          ],
        },
        encodeReply([bobCard]),
      ],
    }),
  )
  await signIn(page)
  const dialog = await fillCheckIn(page)

  const error = dialog.getByTestId('encode-error')
  await error.waitFor()
  assert.equal(await error.getAttribute('data-error-type'), 'no_credential_on_encoder')
  assert.match(await error.textContent(), /No card was put on the encoder in time\./)
  assert.match(await error.textContent(), /Put a blank key card on the encoder, then press Retry\./)
  assert.match(await dialog.getByTestId('encode-item').first().textContent(), /Ready/)
  assert.equal(await dialog.getByTestId('encode-item').first().getAttribute('title'), 'Card number C-ANN')

  await dialog.getByRole('button', { name: 'Retry the 1 remaining' }).click()
  await dialog.getByTestId('encode-done').waitFor()
  const encodes = (await calls(page, 'encode_cards')).map((c) => c.args.accessMethodIds)
  assert.deepEqual(encodes, [[annCard.id, bobCard.id], [bobCard.id]])
  assert.deepEqual(problems, [])
})

test('a refused check-in shows the guide’s title and message', async () => {
  const { page, problems } = await ui.open(
    base({
      check_in_options: { ok: checkInOptions('101') },
      check_in: {
        error: {
          type: 'reservation_conflict',
          title: 'Overlapping reservation',
          message: 'Room 101 door already belongs to reservation stay-x for part of this time; choose other dates or another room.',
        },
      },
    }),
  )
  await signIn(page)
  const dialog = await fillCheckIn(page)
  const error = dialog.getByTestId('error')
  await error.waitFor()
  assert.match(await error.textContent(), /Overlapping reservation/)
  assert.match(await error.textContent(), /choose other dates or another room/)
  assert.deepEqual(problems, [])
})

const booked = {
  type: 'conflict',
  field: 'space_id',
  message:
    'Room 101 is booked for Tom Morrow from 13 Mar 15:00 to 15 Mar 11:00; checking Ann Lee and Bob Lee in until 14 Mar 11:00 would lock Tom out. A manager may allow it.',
}
const anyway = /^Check in anyway \(the other stay's cards stop working at this guest's first use\)$/

test('a room booked for another stay is said before anything is made, and a manager may check in anyway', async () => {
  const { page, problems } = await ui.open(
    base({
      check_in_options: { ok: checkInOptions('101') },
      check_in: [{ error: booked }, { ok: checkedIn }],
      encode_cards: encodeReply([annCard, bobCard]),
    }),
  )
  await signIn(page)
  const dialog = await fillCheckIn(page)
  const refusal = dialog.getByTestId('check-in-refused')
  await refusal.filter({ hasText: 'Room 101 is booked for Tom Morrow from 13 Mar 15:00 to 15 Mar 11:00' }).waitFor()
  assert.match(await refusal.textContent(), /would lock Tom out/)
  // Nothing to encode yet: the form is still there.
  assert.equal(await dialog.getByTestId('encode-prompt').count(), 0)
  assert.deepEqual(await calls(page, 'encode_cards'), [])

  await dialog.getByRole('button', { name: anyway }).click()
  await dialog.getByTestId('encode-done').waitFor()
  const sent = (await calls(page, 'check_in')).map((c) => c.args.request.allow_overlap)
  assert.deepEqual(sent, [false, true])
  assert.deepEqual(problems, [])
})

test('a receptionist sees why the room is booked but is not offered to check in anyway', async () => {
  const { page, problems } = await ui.open(
    base(
      {
        check_in_options: { ok: checkInOptions('101') },
        check_in: { error: booked },
      },
      receptionist,
    ),
  )
  await signIn(page, receptionist)
  const dialog = await fillCheckIn(page)
  await dialog.getByTestId('check-in-refused').filter({ hasText: 'would lock Tom out' }).waitFor()
  assert.equal(await dialog.getByRole('button', { name: anyway }).count(), 0)
  assert.equal((await calls(page, 'check_in')).length, 1)
  assert.deepEqual(problems, [])
})

const tomsCardsMadeAhead = {
  booked: null,
  troubles: [
    {
      message:
        "Tom Morrow's cards for Room 101 door (from 15 Mar 15:00) were made before this stay's: once Ann Lee and Bob Lee's first card is used there, they will be refused. Remake Tom's cards after this.",
      remake: { reservation_key: 'stay-tom', guests: 'Tom Morrow' },
    },
  ],
}

test('what the check-in would do at the doors is said first; going ahead remakes the locked-out stay’s cards', async () => {
  const { page, problems } = await ui.open(
    base({
      check_in_options: { ok: checkInOptions('101') },
      predict: { ok: tomsCardsMadeAhead },
      check_in: { ok: checkedIn },
      remake_cards: { ok: { ...checkedIn, reservation_key: 'stay-tom', guests: [guest('Tom Morrow', [])] } },
      encode_cards: encodeReply([annCard, bobCard]),
    }),
  )
  await signIn(page)
  const dialog = await fillCheckIn(page)
  const trouble = dialog.getByTestId('predicted-trouble')
  await trouble.filter({ hasText: "Tom Morrow's cards for Room 101 door" }).waitFor()
  assert.deepEqual(await calls(page, 'check_in'), [])
  const [asked] = await calls(page, 'predict')
  assert.deepEqual(asked.args.change, {
    kind: 'check_in',
    space_id: id('space-101'),
    starts_at: '2025-03-12T15:00:12Z',
    ends_at: '2025-03-14T11:00:00.000Z',
    guests: ['Ann Lee', 'Bob Lee'],
    reservation_key: null,
  })
  const remake = trouble.getByLabel(/Remake Tom Morrow’s cards afterwards/)
  assert.equal(await remake.isChecked(), true)

  // Sent again as it is, the check-in goes ahead and Tom's cards are remade after it.
  await dialog.getByRole('button', { name: 'Check in and make 2 cards' }).click()
  await dialog.getByTestId('remade').filter({ hasText: 'New cards are waiting for Tom Morrow' }).waitFor()
  await dialog.getByTestId('encode-done').waitFor()
  assert.equal((await calls(page, 'check_in')).length, 1)
  assert.equal((await calls(page, 'predict')).length, 1)
  assert.deepEqual(
    (await calls(page, 'remake_cards')).map((c) => c.args.reservationKey),
    ['stay-tom'],
  )
  assert.deepEqual(problems, [])
})

test('an unticked remake is not made, and a changed form is told again', async () => {
  const { page, problems } = await ui.open(
    base({
      check_in_options: { ok: checkInOptions('101') },
      predict: { ok: tomsCardsMadeAhead },
      check_in: { ok: checkedIn },
      encode_cards: encodeReply([annCard, bobCard]),
    }),
  )
  await signIn(page)
  const dialog = await fillCheckIn(page)
  await dialog.getByTestId('predicted-trouble').waitFor()
  await dialog.getByLabel('Departure').fill('13/03/2025 11:00')
  await dialog.getByRole('button', { name: 'Check in and make 2 cards' }).click()
  await page.waitForFunction(() => window.__frontdeskMock.calls.filter((c) => c.command === 'predict').length === 2)
  assert.deepEqual(await calls(page, 'check_in'), [])

  await dialog.getByLabel(/Remake Tom Morrow’s cards afterwards/).uncheck()
  await dialog.getByRole('button', { name: 'Check in and make 2 cards' }).click()
  await dialog.getByTestId('encode-done').waitFor()
  assert.equal((await calls(page, 'check_in')).length, 1)
  assert.deepEqual(await calls(page, 'remake_cards'), [])
  assert.deepEqual(problems, [])
})
test('a vacant room shows the cards still out for it where its check-in opens', async () => {
  const { page, problems } = await ui.open(
    base({
      check_in_options: { ok: checkInOptions('101') },
      // Reported lost, it still opens the room: it stays listed.
      room_cards_out: [{ ok: [cardOut('04A1')] }, { ok: [cardOut('04A1', { reason: 'lost' })] }],
      card_lost: { ok: null },
    }),
  )
  await signIn(page)
  await roomButton(page, '101').click()
  const dialog = page.getByRole('dialog', { name: 'Check in to Room 101' })
  const out = dialog.getByTestId('room-cards-out')
  await out.waitFor()
  assert.match(await out.textContent(), /Cards still out for Room 101/)
  assert.match(
    await out.textContent(),
    /Ana Silva, card 1 \(not returned\)\s*Opens Room 101 door until a newer card or a cancel card is used there/,
  )
  await out.getByRole('button', { name: 'Lost' }).click()
  await out.getByText('Ana Silva, card 1 (reported lost)').waitFor()
  assert.equal(await out.getByRole('button', { name: 'Lost' }).count(), 0)
  await out.getByRole('button', { name: 'Encode cancel card' }).waitFor()
  assert.deepEqual(
    (await calls(page, 'room_cards_out')).map((c) => c.args),
    [
      { token: 'token-Mia Manager', spaceId: id('space-101') },
      { token: 'token-Mia Manager', spaceId: id('space-101') },
    ],
  )
  assert.deepEqual(
    (await calls(page, 'card_lost')).map((c) => c.args.cardId),
    ['04A1'],
  )
  assert.deepEqual(problems, [])
})

test('a group check-in: a row to fix is said by the row, nothing is sent until it is fixed, then every card in turn', async () => {
  const secondStay = {
    ...checkedIn,
    reservation_key: 'stay-bob',
    space_id: id('space-201'),
    room_name: 'Room 201',
    guests: [guest('Bob Lee', [bobCard])],
  }
  const firstStay = { ...checkedIn, guests: [guest('Ann Lee', [annCard])] }
  const { page, problems } = await ui.open(
    base({
      check_in_options: { ok: checkInOptions('101') },
      check_in_group: [
        { error: { type: 'conflict', field: 'rooms[1].space_id', message: 'Room 201 is booked for Tom Morrow from 13 Mar 15:00.' } },
        { ok: [firstStay, secondStay] },
      ],
      encode_cards: encodeReply([annCard, bobCard]),
    }),
  )
  await signIn(page)
  await page.getByTestId('group-check-in-open').click()
  const dialog = page.getByTestId('group-check-in')
  await dialog.locator('select[name="room-0"]').selectOption({ label: 'Room 101' })
  await dialog.locator('input[name="guest-0"]').fill('Ann Lee')
  await dialog.locator('select[name="room-1"]').selectOption({ label: 'Room 201' })
  await dialog.getByRole('button', { name: 'Check in 2 rooms and make 2 cards' }).click()
  await dialog.getByTestId('group-room-problem').filter({ hasText: 'Enter the guest’s name.' }).waitFor()
  assert.deepEqual(await calls(page, 'check_in_group'), [])

  await dialog.locator('input[name="guest-1"]').fill('Bob Lee')
  await dialog.getByRole('button', { name: 'Check in 2 rooms and make 2 cards' }).click()
  await dialog.getByTestId('group-room-problem').filter({ hasText: 'Room 201 is booked for Tom Morrow' }).waitFor()
  await dialog.getByRole('button', { name: 'Check in 2 rooms and make 2 cards' }).click()
  await dialog.getByTestId('encode-done').waitFor()
  const sent = (await calls(page, 'check_in_group')).map((c) => c.args.request.rooms.map((room) => room.guests[0].full_name))
  assert.deepEqual(sent, [
    ['Ann Lee', 'Bob Lee'],
    ['Ann Lee', 'Bob Lee'],
  ])
  const encoded = await calls(page, 'encode_cards')
  assert.deepEqual(
    encoded.flatMap((c) => c.args.accessMethodIds),
    [annCard.id, bobCard.id],
  )
  assert.deepEqual(problems, [])
})

test('the stay’s dates by nights or on a calendar, which Escape closes without closing the check-in', async () => {
  const { page, problems } = await ui.open(base({ check_in_options: { ok: checkInOptions('101') }, check_in: { ok: checkedIn } }))
  await signIn(page)
  await roomButton(page, '101').click()
  const dialog = page.getByRole('dialog', { name: 'Check in to Room 101' })
  await dialog.getByLabel('Guest 1 name').waitFor()
  const nights = dialog.getByLabel('Nights')
  assert.equal(await nights.inputValue(), '1')

  // Three nights: the departure moves, its time kept.
  await nights.fill('3')
  assert.equal(await dialog.getByLabel('Departure').inputValue(), '15/03/2025 11:00')

  // The departure on the calendar: March 2025, days before the arrival closed.
  const calendars = dialog.getByRole('button', { name: 'Calendar', exact: true })
  assert.equal(await calendars.nth(1).getAttribute('aria-describedby'), 'stay-ends-label')
  await calendars.nth(1).click()
  const calendar = dialog.getByRole('dialog', { name: 'Calendar' })
  await calendar.getByRole('grid', { name: 'March 2025' }).waitFor()
  assert.equal(await calendar.getByRole('button', { name: 'Tue 11 Mar' }).isDisabled(), true)
  assert.equal(await calendar.getByRole('button', { name: 'Sat 15 Mar' }).getAttribute('aria-pressed'), 'true')
  // The keys: a week on, then picked.
  await page.keyboard.press('ArrowDown')
  assert.equal(await calendar.getByRole('button', { name: 'Sat 22 Mar' }).evaluate((el) => el === document.activeElement), true)
  await page.keyboard.press('Enter')
  assert.equal(await dialog.getByLabel('Departure').inputValue(), '22/03/2025 11:00')
  assert.equal(await nights.inputValue(), '10')

  // The arrival on the calendar keeps the nights; Escape closes only the calendar.
  await calendars.first().click()
  const arrival = dialog.getByRole('dialog', { name: 'Calendar' })
  await arrival.getByRole('button', { name: 'Fri 14 Mar' }).click()
  assert.equal(await dialog.getByLabel('Arrival').inputValue(), '14/03/2025 15:00')
  assert.equal(await dialog.getByLabel('Departure').inputValue(), '24/03/2025 11:00')
  await calendars.first().click()
  await arrival.waitFor()
  await page.keyboard.press('Escape')
  await arrival.waitFor({ state: 'detached' })
  assert.equal(await dialog.isVisible(), true)
  assert.deepEqual(problems, [])
})
