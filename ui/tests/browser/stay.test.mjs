// The stay panel: joiner (with fewer doors in a suite), duplicate, extend with re-encode,
// lost key, check-out with collected and lost cards.

import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { startUi } from './harness.mjs'
import {
  anaStay,
  base,
  board,
  calls,
  cardOut,
  cardRecord,
  checkInOptions,
  doors,
  encodeReply,
  guest,
  id,
  issued,
  roomButton,
  signIn,
  summary,
  tile,
} from './fixtures.mjs'

let ui
before(async () => {
  ui = await startUi()
})
after(async () => {
  await ui?.close()
})

const TOKEN = 'token-Mia Manager'

async function openStay(page, number = '102') {
  await roomButton(page, number).click()
  const panel = page.getByTestId('stay-panel')
  await panel.getByTestId('guest').first().waitFor()
  return panel
}

test('the stay panel shows guests, their doors and the state of each card', async () => {
  const stay = anaStay()
  stay.guests[1].cards.push(cardRecord('ben-2', { copy_number: 2 }))
  const { page, problems } = await ui.open(base({ stay: { ok: stay } }))
  await signIn(page)
  const panel = await openStay(page)
  assert.equal(await page.getByRole('dialog', { name: 'Room 102: Ana Silva, Ben Silva' }).count(), 1)
  assert.equal(await panel.getByTestId('stay-dates').textContent(), 'Tue 11 Mar 15:00 – Fri 14 Mar 11:00 (3 nights)')
  assert.match(await panel.getByTestId('guest').first().textContent(), /Opens Room 102 door, Lobby/)
  assert.deepEqual(await panel.getByTestId('card').evaluateAll((els) => els.map((e) => e.dataset.status)), [
    'issued',
    'issued',
    'not_issued',
  ])
  assert.match(await panel.getByTestId('card').nth(2).textContent(), /Card 2\s*Not issued/)
  await panel.getByRole('button', { name: 'Encode 1 card' }).waitFor()
  assert.deepEqual(
    (await calls(page, 'stay')).map((c) => c.args),
    [{ token: TOKEN, reservationKey: 'stay-ana' }],
  )
  assert.deepEqual(problems, [])
})

test('the stay panel lists its cards still out (the old room after a move) with their fixes', async () => {
  const moved = anaStay({
    cards_still_out: [
      cardOut('04A1'),
      cardOut('04B2', { guest: 'Ben Silva', reason: 'replaced', copy_number: 2, cancel_entrance_ids: [] }),
    ],
  })
  const { page, problems } = await ui.open(
    base({
      // Loaded, again after the cancel card, and after Ana's card came back.
      stay: [{ ok: moved }, { ok: moved }, { ok: anaStay({ cards_still_out: [moved.cards_still_out[1]] }) }],
      card_collected: { ok: null },
      encode_cancel_card: { ok: { access_method: null, card_id: '04CA11', op_id: id('op-cancel') } },
    }),
  )
  await signIn(page)
  const panel = await openStay(page)
  const out = panel.getByTestId('card-still-out')
  await out.nth(1).waitFor()
  assert.match(
    await out.nth(0).textContent(),
    /Ana Silva, card 1 \(not returned\)\s*Opens Room 101 door until a newer card or a cancel card is used there, 14 Mar 2025, 11:00 at the latest; Lobby until 14 Mar 2025, 11:00\./,
  )
  assert.match(await out.nth(1).textContent(), /Ben Silva, card 2 \(replaced by a newer card\)/)
  // No room door a cancel card can close: no cancel card offered.
  assert.equal(await out.nth(1).getByRole('button', { name: 'Encode cancel card' }).count(), 0)

  await out.nth(0).getByRole('button', { name: 'Encode cancel card' }).click()
  await panel.getByRole('button', { name: 'Encode the cancel card' }).click()
  await panel
    .getByTestId('cancel-card-done')
    .filter({ hasText: 'Take this cancel card to Room 101 door and present it once there.' })
    .waitFor()
  await panel.getByTestId('cancel-card').getByRole('button', { name: 'Done' }).click()

  await out.nth(0).getByRole('button', { name: 'Collected' }).click()
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="card-still-out"]').length === 1)
  assert.deepEqual(
    (await calls(page, 'card_collected')).map((c) => c.args.cardId),
    ['04A1'],
  )
  assert.deepEqual(
    (await calls(page, 'encode_cancel_card')).map((c) => c.args.entranceIds),
    [[doors[101].acs_entrance_id]],
  )
  assert.deepEqual(problems, [])
})

test('add a guest to a stay (joiner) and encode the new card', async () => {
  const cyCard = cardRecord('cy-1', { access_grant_id: id('grant-cy') })
  const joined = anaStay()
  joined.guests.push(guest('Cy Silva', [cyCard]))
  const { page, problems } = await ui.open(
    base({
      stay: [{ ok: anaStay() }, { ok: { ...joined, guests: [...joined.guests.slice(0, 2), guest('Cy Silva', [issued('cy-1')])] } }],
      check_in_options: { ok: checkInOptions('102') },
      add_guest: { ok: joined },
      encode_cards: encodeReply([cyCard]),
    }),
  )
  await signIn(page)
  const panel = await openStay(page)
  await panel.getByRole('button', { name: 'Add guest' }).click()
  const form = panel.getByTestId('add-guest-form')
  await form.waitFor()
  // A room with one door has nothing to choose; the common areas start as the defaults.
  assert.equal(await form.getByRole('group', { name: 'Room doors this guest opens' }).count(), 0)
  await form.getByLabel('Name', { exact: true }).fill('Cy Silva')
  await form.getByRole('button', { name: 'Add guest and make cards' }).click()
  await panel.getByTestId('encode-done').waitFor()
  await panel.getByRole('button', { name: 'Done' }).click()
  await panel.getByTestId('stay-notice').filter({ hasText: 'Cy Silva joined the stay.' }).waitFor()
  assert.equal(await panel.getByTestId('guest').count(), 3)

  assert.deepEqual(
    (await calls(page, 'add_guest')).map((c) => c.args),
    [
      {
        token: TOKEN,
        request: {
          reservation_key: 'stay-ana',
          guest: { full_name: 'Cy Silva', email_address: null, phone_number: null },
          room_entrance_ids: null,
          common_entrance_ids: [doors.lobby.acs_entrance_id, doors.gym.acs_entrance_id],
          cards: 1,
        },
      },
    ],
  )
  assert.deepEqual(
    (await calls(page, 'encode_cards')).map((c) => c.args.accessMethodIds),
    [[cyCard.id]],
  )
  assert.deepEqual(problems, [])
})

test('a joiner in a suite may open fewer of its doors', async () => {
  const suiteBoard = board()
  const eve = summary('stay-eve', ['Eve Stone'], '2025-03-11T15:00:00Z', '2025-03-14T11:00:00Z')
  suiteBoard.floors[2].rooms[0] = tile('301', 'in_house', [eve], { name: 'Suite 301', kind: 'suite' })
  const eveStay = {
    ...anaStay(),
    reservation_key: 'stay-eve',
    space_id: id('space-301'),
    room_name: 'Suite 301',
    guests: [guest('Eve Stone', [issued('eve-1')])],
  }
  const kidCard = cardRecord('kid-1')
  const { page, problems } = await ui.open(
    base({
      room_board: { ok: suiteBoard },
      stay: { ok: eveStay },
      check_in_options: { ok: checkInOptions('301', [doors['301'], doors['301b']]) },
      add_guest: { ok: { ...eveStay, guests: [...eveStay.guests, guest('Kid Stone', [kidCard])] } },
      encode_cards: encodeReply([kidCard]),
    }),
  )
  await signIn(page)
  const panel = await openStay(page, '301')
  await panel.getByRole('button', { name: 'Add guest' }).click()
  const form = panel.getByTestId('add-guest-form')
  await form.getByLabel('Name', { exact: true }).fill('Kid Stone')
  await form.getByLabel('Suite 301 bedroom door').uncheck()
  await form.getByLabel('Gym').uncheck()
  await form.getByLabel('Cards').fill('1')
  await form.getByRole('button', { name: 'Add guest and make cards' }).click()
  await panel.getByTestId('encode-done').waitFor()
  const [{ args }] = await calls(page, 'add_guest')
  assert.deepEqual(args.request.room_entrance_ids, [doors['301'].acs_entrance_id])
  assert.deepEqual(args.request.common_entrance_ids, [doors.lobby.acs_entrance_id])
  assert.deepEqual(problems, [])
})

test('duplicate a guest’s card, then encode the copy', async () => {
  const copy = cardRecord('ana-2', { access_grant_id: id('grant-ana'), copy_number: 2 })
  const { page, problems } = await ui.open(
    base({ stay: { ok: anaStay() }, duplicate_card: { ok: copy }, encode_cards: encodeReply([copy]) }),
  )
  await signIn(page)
  const panel = await openStay(page)
  await panel.getByRole('button', { name: 'Duplicate card for Ana Silva' }).click()
  await panel.getByTestId('encode-item').filter({ hasText: 'Ana Silva, card 2' }).waitFor()
  await panel.getByTestId('encode-done').filter({ hasText: 'The card is ready.' }).waitFor()
  await panel.getByRole('button', { name: 'Done' }).click()
  await panel.getByTestId('stay-notice').filter({ hasText: 'A copy for Ana Silva is ready.' }).waitFor()
  assert.deepEqual(
    (await calls(page, 'duplicate_card')).map((c) => c.args),
    [{ token: TOKEN, accessGrantId: id('grant-ana') }],
  )
  assert.deepEqual(
    (await calls(page, 'encode_cards')).map((c) => c.args.accessMethodIds),
    [[copy.id]],
  )
  assert.deepEqual(problems, [])
})

test('extend a stay: the cards are flagged for re-encoding until they are re-encoded', async () => {
  const extended = (required) => {
    const stay = anaStay({ ends_at: '2025-03-16T11:00:00Z' })
    for (const g of stay.guests) g.cards = g.cards.map((c) => ({ ...c, is_encoding_required: required }))
    return stay
  }
  const { page, problems } = await ui.open(
    base({
      stay: [{ ok: anaStay() }, { ok: extended(false) }],
      change_dates: { ok: extended(true) },
      encode_cards: encodeReply(extended(true).guests.flatMap((g) => g.cards)),
    }),
  )
  await signIn(page)
  const panel = await openStay(page)
  await panel.getByRole('button', { name: 'Extend or shorten' }).click()
  const form = panel.getByTestId('dates-form')
  assert.equal(await form.getByLabel('Departure').inputValue(), '14/03/2025 11:00')
  await form.getByLabel('Departure').fill('16/03/2025 11:00')
  await form.getByRole('button', { name: 'Change dates' }).click()

  const banner = panel.getByTestId('stale-banner')
  await banner.waitFor()
  assert.match(await banner.textContent(), /2 cards need re-encoding\./)
  assert.equal(
    await panel.getByTestId('stay-notice').textContent(),
    'The stay now runs Tue 11 Mar 15:00 – Sun 16 Mar 11:00 (5 nights). 2 cards carry the old dates and must be re-encoded.',
  )
  assert.deepEqual(await panel.getByTestId('card').evaluateAll((els) => els.map((e) => e.dataset.status)), [
    'needs_encoding',
    'needs_encoding',
  ])
  assert.match(await panel.getByTestId('card').first().textContent(), /Needs re-encoding/)
  assert.deepEqual(
    (await calls(page, 'change_dates')).map((c) => c.args),
    [{ token: TOKEN, reservationKey: 'stay-ana', startsAt: null, endsAt: '2025-03-16T11:00:00.000Z', allowOverlap: false }],
  )

  await banner.getByRole('button', { name: 'Re-encode 2 cards' }).click()
  await panel.getByTestId('encode-done').waitFor()
  await panel.getByRole('button', { name: 'Done' }).click()
  await panel.getByTestId('stay-notice').filter({ hasText: 'The cards carry the new dates.' }).waitFor()
  assert.equal(await panel.getByTestId('stale-banner').count(), 0)
  assert.deepEqual(
    (await calls(page, 'encode_cards')).map((c) => c.args.accessMethodIds),
    [[id('method-ana-1'), id('method-ben-1')]],
  )
  assert.deepEqual(problems, [])
})

test('a remake offered for new dates and then gone Back from is not made by a later change', async () => {
  const toms = {
    booked: null,
    troubles: [
      {
        message: "Tom Morrow's cards for Room 102 door (from 16 Mar 15:00) were made before this stay's dates.",
        remake: { reservation_key: 'stay-tom', guests: 'Tom Morrow' },
      },
    ],
  }
  const { page, problems } = await ui.open(
    base({
      stay: { ok: anaStay() },
      predict: [{ ok: toms }, { ok: { booked: null, troubles: [] } }],
      change_dates: { ok: anaStay({ ends_at: '2025-03-15T11:00:00Z' }) },
      remake_cards: { ok: anaStay({ reservation_key: 'stay-tom', guests: [guest('Tom Morrow', [])] }) },
    }),
  )
  await signIn(page)
  const panel = await openStay(page)
  await panel.getByRole('button', { name: 'Extend or shorten' }).click()
  const form = panel.getByTestId('dates-form')
  await form.getByLabel('Departure').fill('17/03/2025 11:00')
  await form.getByRole('button', { name: 'Change dates' }).click()
  const remake = form.getByTestId('predicted-trouble').getByLabel(/Remake Tom Morrow’s cards afterwards/)
  assert.equal(await remake.isChecked(), true)
  await form.getByRole('button', { name: 'Back' }).click()

  await panel.getByRole('button', { name: 'Extend or shorten' }).click()
  await form.getByLabel('Departure').fill('15/03/2025 11:00')
  await form.getByRole('button', { name: 'Change dates' }).click()
  await panel.getByTestId('stay-notice').waitFor()
  assert.equal((await calls(page, 'change_dates')).length, 1)
  assert.deepEqual(await calls(page, 'remake_cards'), [])
  assert.match(await panel.getByTestId('stay-notice').textContent(), /^The stay now runs .*\.$/)
  assert.deepEqual(problems, [])
})

test('new dates go through; a remake that then fails is said on the stay, not lost', async () => {
  const toms = {
    booked: null,
    troubles: [
      {
        message: "Tom Morrow's cards for Room 102 door (from 16 Mar 15:00) were made before this stay's dates.",
        remake: { reservation_key: 'stay-tom', guests: 'Tom Morrow' },
      },
    ],
  }
  const { page, problems } = await ui.open(
    base({
      stay: { ok: anaStay() },
      predict: { ok: toms },
      change_dates: { ok: anaStay({ ends_at: '2025-03-17T11:00:00Z' }) },
      remake_cards: { error: { type: 'database_busy', message: 'The database is busy with another change; nothing was changed.' } },
    }),
  )
  await signIn(page)
  const panel = await openStay(page)
  await panel.getByRole('button', { name: 'Extend or shorten' }).click()
  const form = panel.getByTestId('dates-form')
  await form.getByLabel('Departure').fill('17/03/2025 11:00')
  await form.getByRole('button', { name: 'Change dates' }).click()
  await form.getByTestId('predicted-trouble').waitFor()
  // Told once; the same dates again go ahead, with Tom's remake ticked.
  await form.getByRole('button', { name: 'Change dates' }).click()
  await panel.getByTestId('stay-notice').waitFor()
  assert.deepEqual(
    (await calls(page, 'remake_cards')).map((c) => c.args.reservationKey),
    ['stay-tom'],
  )
  const error = panel.getByTestId('error')
  assert.equal(await error.getAttribute('data-error-type'), 'database_busy')
  assert.match(await error.textContent(), /busy/)
  assert.match(await panel.getByTestId('stay-notice').textContent(), /^The stay now runs /)
  assert.deepEqual(problems, [])
})

test('lost key: every card of the stay is reissued and encoded', async () => {
  const fresh = [cardRecord('ana-new'), cardRecord('ben-new')]
  const reissued = anaStay({ guests: [guest('Ana Silva', [fresh[0]]), guest('Ben Silva', [fresh[1]])] })
  const { page, problems } = await ui.open(
    base({ stay: { ok: anaStay() }, reissue_stay: { ok: reissued }, encode_cards: encodeReply(fresh) }),
  )
  await signIn(page)
  const panel = await openStay(page)
  await panel.getByRole('button', { name: 'Lost key…' }).click()
  assert.match(await panel.getByTestId('lost-explainer').textContent(), /first new card used at\s+the door locks out the old ones/)
  await panel.getByRole('button', { name: 'Reissue all cards' }).click()
  await panel.getByTestId('encode-done').filter({ hasText: 'All 2 cards are ready.' }).waitFor()
  assert.deepEqual(
    (await calls(page, 'reissue_stay')).map((c) => c.args),
    [{ token: TOKEN, reservationKey: 'stay-ana' }],
  )
  assert.deepEqual(
    (await calls(page, 'encode_cards')).map((c) => c.args.accessMethodIds),
    [fresh.map((c) => c.id)],
  )
  assert.deepEqual(problems, [])
})

test('check-out lists the cards not collected, each marked collected or lost', async () => {
  const outstanding = (name, card) => ({
    access_method_id: id(`method-${card}`),
    card_id: `C-${card.toUpperCase()}`,
    guest: name,
    doors: ['Room 102 door', 'Lobby'],
    valid_until: '2025-03-14T11:00:00Z',
  })
  const { page, problems } = await ui.open(
    base({
      stay: { ok: anaStay() },
      check_out: {
        ok: { reservation_key: 'stay-ana', uncollected: [outstanding('Ana Silva', 'ana-1'), outstanding('Ben Silva', 'ben-1')] },
      },
      mark_collected: { ok: null },
      report_card_lost: { ok: null },
    }),
  )
  await signIn(page)
  const panel = await openStay(page)
  await panel.getByRole('button', { name: 'Check out…' }).click()
  await panel.getByRole('button', { name: 'Check out', exact: true }).click()
  await panel.getByTestId('checked-out').waitFor()
  const cards = panel.getByTestId('outstanding-card')
  assert.equal(await cards.count(), 2)
  assert.match(await cards.first().textContent(), /Ana Silva\s*Opens Room 102 door, Lobby until 14 Mar 2025, 11:00/)
  assert.match(await panel.textContent(), /2 cards still open Room 102 until collected or cancelled/)
  await cards.first().getByRole('button', { name: 'Collected' }).click()
  await cards.first().getByText('Collected', { exact: true }).waitFor()
  await cards.nth(1).getByRole('button', { name: 'Lost' }).click()
  await cards.nth(1).getByText('Reported lost').waitFor()
  await panel.getByText('Every card is accounted for.').waitFor()

  assert.deepEqual(
    (await calls(page, 'check_out')).map((c) => c.args),
    [{ token: TOKEN, reservationKey: 'stay-ana' }],
  )
  assert.deepEqual(
    (await calls(page, 'mark_collected')).map((c) => c.args),
    [{ token: TOKEN, accessMethodId: id('method-ana-1') }],
  )
  assert.deepEqual(
    (await calls(page, 'report_card_lost')).map((c) => c.args),
    [{ token: TOKEN, accessMethodId: id('method-ben-1') }],
  )
  await panel.getByRole('button', { name: 'Close' }).last().click()
  await page.getByRole('dialog').waitFor({ state: 'detached' })
  assert.equal((await calls(page, 'room_board')).length, 2)
  assert.deepEqual(problems, [])
})
