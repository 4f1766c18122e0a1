// Reading a card on the encoder, and the door simulator.

import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { startUi } from './harness.mjs'
import { appInfo, base, calls, doors, id, signIn } from './fixtures.mjs'

let ui
before(async () => {
  ui = await startUi()
})
after(async () => {
  await ui?.close()
})

const TOKEN = 'token-Mia Manager'

/** A simulated card the desk wrote for `holder` in Room 102, with its dates and status. */
const written = (card_id, holder, status = 'current', valid_from = '2025-03-11T15:00:00Z') => ({
  card_id,
  written: true,
  holder: { holder, rooms: ['Room 102'], valid_from, valid_until: '2025-03-14T11:00:00Z', status },
})

const report = {
  card_id: '04A1B2C3',
  blank: false,
  authentic: true,
  problem: null,
  content: {
    kind: 'guest',
    copy_number: 1,
    key_epoch: 1,
    issued_at: '2025-03-11T15:05:00Z',
    valid_from: '2025-03-11T15:00:00Z',
    valid_until: '2025-03-14T11:00:00Z',
  },
  access_method_id: id('method-ana-1'),
  access_grant_id: id('grant-ana'),
  reservation_key: 'stay-ana',
  user_full_name: 'Ana Silva',
  doors: [
    {
      acs_entrance_id: doors['102'].acs_entrance_id,
      name: 'Room 102 door',
      sequence: 7,
      decision: 'granted',
      reason: { reason: 'joined' },
      explanation: 'Same reservation as the lock’s: it opens.',
    },
    {
      acs_entrance_id: doors.lobby.acs_entrance_id,
      name: 'Lobby',
      sequence: null,
      decision: 'denied',
      reason: { reason: 'expired' },
      explanation: 'The card expired on 14 March at 11:00.',
    },
  ],
  out_of_sync: ['The stay now ends on 16 March: re-encode this card.'],
}

test('read card shows whose card it is, its dates, and what each door would do', async () => {
  const { page, problems } = await ui.open(
    base({
      read_card: [
        { error: { type: 'no_credential_on_encoder', message: 'There is no card on the encoder.' } },
        { ok: report },
        {
          ok: {
            ...report,
            card_id: 'FFEE',
            blank: true,
            content: null,
            user_full_name: null,
            reservation_key: null,
            doors: [],
            out_of_sync: [],
          },
        },
        {
          ok: {
            ...report,
            authentic: false,
            problem: 'The card’s signature does not match: it was altered or copied.',
            user_full_name: null,
          },
        },
      ],
    }),
  )
  await signIn(page)
  await page.getByRole('button', { name: 'Read card' }).first().click()
  const screen = page.getByTestId('read-card')
  await screen.getByRole('button', { name: 'Read card' }).click()
  await screen.getByTestId('error').filter({ hasText: 'There is no card on the encoder.' }).waitFor()
  await screen.getByRole('button', { name: 'Retry' }).click()

  const result = screen.getByTestId('card-report')
  await result.waitFor()
  assert.equal((await result.getByTestId('card-owner').textContent()).trim(), 'Ana Silva’s card')
  assert.equal(await result.getByTestId('card-dates').textContent(), '11 Mar 2025, 15:00 to 14 Mar 2025, 11:00')
  // The card's number and the stay's key are for support, behind "Details".
  assert.doesNotMatch(await result.innerText(), /stay-ana|04A1B2C3/)
  await result.getByText('Details').click()
  assert.match(await result.innerText(), /Card number\s*04A1B2C3\s*Reservation\s*stay-ana/)
  assert.match(await result.textContent(), /1 of 2 doors would open now/)
  const rows = result.getByTestId('door-verdict')
  assert.match(await rows.nth(0).textContent(), /Room 102 door\s*Opens\s*Opens Room 102 door: a card of the stay that holds the room\./)
  assert.match(await rows.nth(1).textContent(), /Lobby\s*Refused\s*This card has expired\./)
  assert.equal(await rows.nth(1).locator('td[title]').getAttribute('title'), 'The card expired on 14 March at 11:00.')
  assert.match(await result.getByTestId('out-of-sync').textContent(), /The stay now ends on 16 March: re-encode this card\./)

  await screen.getByRole('button', { name: 'Read card' }).click()
  await result.getByRole('heading', { name: 'Blank card' }).waitFor()
  assert.match(await result.textContent(), /This card carries nothing this front desk can read\./)
  await screen.getByRole('button', { name: 'Read card' }).click()
  await result.getByTestId('card-problem').filter({ hasText: 'altered or copied' }).waitFor()

  assert.deepEqual(
    (await calls(page, 'read_card')).map((c) => c.args),
    Array(4).fill({ token: TOKEN }),
  )
  assert.deepEqual(problems, [])
})

test('the door simulator presents a card at a door, now or at a chosen time, and logs it', async () => {
  const decision = (extra) => ({
    acs_entrance_id: doors['102'].acs_entrance_id,
    card_id: 'C-ANA-1',
    at: '2025-03-12T15:00:00Z',
    decision: 'granted',
    reason: { reason: 'joined' },
    explanation: 'Same reservation as the lock’s: it opens.',
    ...extra,
  })
  const { page, problems } = await ui.open(
    base({
      simulator_cards: {
        ok: [
          written('C-ANA-1', 'Ana Silva'),
          written('C-ANA-2', 'Ana Silva', 'replaced', '2025-03-10T15:00:00Z'),
          written('C-CARL-1', 'Carl Jones', 'ended'),
          { card_id: 'BLANK-1', written: false, holder: null },
        ],
      },
      present_card: [
        { ok: decision() },
        {
          ok: decision({
            card_id: 'C-CARL-1',
            at: '2025-03-13T09:00:00Z',
            decision: 'denied',
            reason: { reason: 'overridden', card: 3, lock: 4 },
            explanation: 'A newer guest’s card was used at this door since this card was made.',
          }),
        },
      ],
    }),
  )
  await signIn(page)
  await page.getByRole('button', { name: 'Door simulator' }).click()
  const screen = page.getByTestId('door-simulator')
  await screen.getByLabel('Door').selectOption({ label: 'Room 102 door' })
  // Each card told apart by its room, dates and status, not by its number.
  assert.deepEqual(await screen.getByLabel('Card').locator('option').allTextContents(), [
    'Ana Silva · Room 102 · Tue 11 Mar 15:00 – Fri 14 Mar 11:00 (3 nights) · current key',
    'Ana Silva · Room 102 · Mon 10 Mar 15:00 – Fri 14 Mar 11:00 (4 nights) · replaced by a newer card',
    'Carl Jones · Room 102 · Tue 11 Mar 15:00 – Fri 14 Mar 11:00 (3 nights) · stay over',
    'Blank card',
  ])
  await screen.getByLabel('Card').selectOption('C-ANA-1')
  await screen.getByRole('button', { name: 'Present card' }).click()
  const verdict = screen.getByTestId('lock-decision')
  await verdict.filter({ hasText: 'Opens' }).waitFor()
  assert.match(await verdict.textContent(), /Opens Room 102 door: a card of the stay that holds the room\./)

  await screen.getByLabel('Card').selectOption('C-CARL-1')
  // A time the property's order does not read (day 31 of February) is refused, not "now".
  const presented = (await calls(page, 'present_card')).length
  await screen.getByLabel('At (optional)').fill('31/02/2025 09:00')
  await screen.getByRole('button', { name: 'Present card' }).click()
  await screen.getByText('Enter a date and time, or leave it empty for now.').waitFor()
  assert.equal((await calls(page, 'present_card')).length, presented)
  await screen.getByLabel('At (optional)').fill('13/03/2025 09:00')
  await screen.getByRole('button', { name: 'Present card' }).click()
  await verdict.filter({ hasText: 'Refused' }).waitFor()
  assert.match(await verdict.textContent(), /This card no longer opens Room 102 door: a newer guest’s card was used there\./)

  const log = screen.getByTestId('simulator-log')
  assert.equal(await log.locator('tbody tr').count(), 2)
  assert.match(
    await log.locator('tbody tr').first().textContent(),
    /13 Mar 2025, 09:00\s*Room 102 door\s*Carl Jones · Room 102 · Tue 11 Mar 15:00 – Fri 14 Mar 11:00 \(3 nights\) · stay over\s*Refused/,
  )
  assert.doesNotMatch(await log.innerText(), /C-CARL-1|overridden/)
  assert.deepEqual(
    (await calls(page, 'present_card')).map((c) => c.args),
    [
      { token: TOKEN, entranceId: doors['102'].acs_entrance_id, cardId: 'C-ANA-1', at: null },
      { token: TOKEN, entranceId: doors['102'].acs_entrance_id, cardId: 'C-CARL-1', at: '2025-03-13T09:00:00.000Z' },
    ],
  )
  assert.deepEqual(problems, [])
})

test('training: the guest throws the deadbolt; the card is refused until it is released', async () => {
  const room = doors['102'].acs_entrance_id
  const privacy = (on, at) => ({ ok: { acs_entrance_id: room, on, at } })
  const { page, problems } = await ui.open(
    base({
      simulator_cards: { ok: [written('C-ANA-1', 'Ana Silva')] },
      set_privacy: [privacy(true, '2025-03-12T22:00:00Z'), privacy(false, '2025-03-13T08:00:00Z')],
      present_card: {
        ok: {
          acs_entrance_id: room,
          card_id: 'C-ANA-1',
          at: '2025-03-12T22:30:00Z',
          decision: 'denied',
          reason: { reason: 'privacy_on' },
          explanation: 'the deadbolt is thrown from inside (privacy): only an emergency key opens',
        },
      },
    }),
  )
  await signIn(page)
  await page.getByRole('button', { name: 'Door simulator' }).click()
  const screen = page.getByTestId('door-simulator')
  // A common area has no deadbolt to throw.
  await screen.getByLabel('Door').selectOption({ label: 'Gym' })
  assert.equal(await screen.getByTestId('deadbolt').count(), 0)
  await screen.getByLabel('Door').selectOption({ label: 'Room 102 door' })
  const deadbolt = screen.getByTestId('deadbolt')
  assert.match(await deadbolt.textContent(), /Deadbolt: not thrown\./)
  await deadbolt.getByRole('button', { name: 'Throw the deadbolt (guest inside)' }).click()
  await deadbolt.filter({ hasText: 'Deadbolt: thrown from inside (privacy).' }).waitFor()
  await screen.getByRole('button', { name: 'Present card' }).click()
  await screen.getByTestId('lock-decision').filter({ hasText: 'Refused' }).waitFor()
  await deadbolt.getByRole('button', { name: 'Release the deadbolt' }).click()
  await deadbolt.filter({ hasText: 'Deadbolt: not thrown.' }).waitFor()
  const rows = screen.getByTestId('simulator-log').locator('tbody tr')
  assert.equal(await rows.count(), 3)
  assert.match(await rows.nth(0).textContent(), /13 Mar 2025, 08:00\s*Room 102 door\s*Guest inside\s*Deadbolt released/)
  assert.match(
    await rows.nth(1).textContent(),
    /Ana Silva · Room 102 .* current key\s*Refused\s*The guest inside Room 102 door has thrown the deadbolt/,
  )
  assert.match(await rows.nth(2).textContent(), /Deadbolt thrown\s*the guest locked the door from inside/)
  assert.deepEqual(
    (await calls(page, 'set_privacy')).map((c) => c.args),
    [
      { token: TOKEN, entranceId: room, on: true, at: null },
      { token: TOKEN, entranceId: room, on: false, at: null },
    ],
  )
  assert.deepEqual(problems, [])
})

test('training: a door whose deadbolt was thrown before shows it thrown', async () => {
  const room = doors['102'].acs_entrance_id
  const { page, problems } = await ui.open(base({ door_privacy: { ok: { acs_entrance_id: room, on: true, at: '2025-03-12T22:00:00Z' } } }))
  await signIn(page)
  await page.getByRole('button', { name: 'Door simulator' }).click()
  const screen = page.getByTestId('door-simulator')
  await screen.getByLabel('Door').selectOption({ label: 'Room 102 door' })
  const deadbolt = screen.getByTestId('deadbolt')
  await deadbolt.filter({ hasText: 'Deadbolt: thrown from inside (privacy).' }).waitFor()
  await deadbolt.getByRole('button', { name: 'Release the deadbolt' }).waitFor()
  assert.ok((await calls(page, 'door_privacy')).some((c) => c.args.entranceId === room))
  assert.deepEqual(problems, [])
})

test('training: the simulated encoder is unplugged and plugged back in from the door simulator', async () => {
  const { page, problems } = await ui.open(
    base({
      plug_simulated_encoder: [
        { ok: null, steps: [{ emit: 'encoder-state', payload: { encoder: 0, state: 'disconnected' } }] },
        { ok: null, steps: [{ emit: 'encoder-state', payload: { encoder: 0, state: 'simulated' } }] },
      ],
    }),
  )
  await signIn(page)
  await page.getByRole('button', { name: 'Door simulator' }).click()
  const plug = page.getByTestId('simulated-encoder')
  const state = page.getByTestId('encoder-state')
  await plug.getByRole('button', { name: 'Unplug the encoder' }).click()
  await state.filter({ hasText: 'No encoder' }).waitFor()
  await plug.filter({ hasText: 'unplugged' }).waitFor()
  await plug.getByRole('button', { name: 'Plug the encoder back in' }).click()
  await state.filter({ hasText: 'Simulated' }).waitFor()
  assert.deepEqual(
    (await calls(page, 'plug_simulated_encoder')).map((c) => c.args),
    [
      { token: TOKEN, plugged: false },
      { token: TOKEN, plugged: true },
    ],
  )
  assert.deepEqual(problems, [])
})

test('a desk with two encoders: each operator’s choice is asked at sign-in, changed in the header, and the one unplugged', async () => {
  const twoEncoders = {
    ...appInfo,
    encoders: [
      { name: 'Counter', state: 'simulated', simulated: true, serial: null },
      { name: 'Back office', state: 'simulated', simulated: true, serial: null },
    ],
  }
  const { page, problems } = await ui.open(
    base({
      app_info: { ok: twoEncoders },
      chosen_encoder: { ok: 1 },
      choose_encoder: { ok: 0 },
      plug_simulated_encoder: { ok: null, steps: [{ emit: 'encoder-state', payload: { encoder: 0, state: 'disconnected' } }] },
    }),
  )
  const state = page.getByTestId('encoder-state')
  // Before sign-in: the main encoder, and no choice.
  await state.filter({ hasText: 'Counter: Simulated' }).waitFor()
  assert.equal(await page.getByTestId('encoder-choice').count(), 0)

  await signIn(page)
  const choice = page.getByTestId('encoder-choice')
  await state.filter({ hasText: 'Back office: Simulated' }).waitFor()
  assert.equal(await choice.inputValue(), '1')
  assert.deepEqual(
    (await calls(page, 'chosen_encoder')).map((c) => c.args),
    [{ token: TOKEN }],
  )

  await choice.selectOption({ label: 'Counter' })
  await state.filter({ hasText: 'Counter: Simulated' }).waitFor()
  assert.deepEqual(
    (await calls(page, 'choose_encoder')).map((c) => c.args),
    [{ token: TOKEN, encoder: 0 }],
  )

  // Training unplugs the chosen one; the other stays as it was.
  await page.getByRole('button', { name: 'Door simulator' }).click()
  const plug = page.getByTestId('simulated-encoder')
  await plug.filter({ hasText: 'Counter (simulated): plugged in.' }).waitFor()
  await plug.getByRole('button', { name: 'Unplug the encoder' }).click()
  await state.filter({ hasText: 'Counter: No encoder' }).waitFor()
  assert.deepEqual(await choice.locator('option').allTextContents(), ['Counter (not connected)', 'Back office'])
  assert.deepEqual(problems, [])
})
