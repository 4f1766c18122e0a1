// What managers see (warnings with their fixes, the audit log, operators and
// the local API) and what receptionists do not.

import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { startUi } from './harness.mjs'
import {
  anaStay,
  backupStatus,
  base,
  calls,
  cardOut,
  cardRecord,
  doors,
  encodeReply,
  guest,
  id,
  manager,
  pmsLinkOff,
  receptionist,
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
const MANAGER_COMMANDS = [
  'warnings',
  'audit_log',
  'staff_access',
  'staff_door_choices',
  'issue_staff_access',
  'update_staff_access',
  'revoke_staff_access',
  'delete_staff_access',
  'report_staff_card_lost',
  'spare_cards',
  'make_spare_card',
  'hand_out_spare',
  'void_spare',
  'encode_lock_out_card',
  'list_operators',
  'create_operator',
  'reset_operator_pin',
  'set_operator_role',
  'set_operator_enabled',
  'api_status',
  'set_api_enabled',
  'pms_link',
  'pms_link_status',
  'backup_status',
  'set_backup_password',
  'set_backup_schedule',
  'back_up_now',
  'set_pms_link',
  'terminals',
  'revoke_terminal',
  'door_log',
  'save_report',
]

test('a receptionist sees the desk’s screens and none of the manager’s', async () => {
  const { page, problems } = await ui.open(base({}, receptionist))
  await signIn(page, receptionist)
  const nav = page.getByRole('navigation', { name: 'Screens' })
  assert.deepEqual(await nav.getByRole('button').allInnerTexts(), ['Room board', 'Read card', 'Door simulator'])
  assert.match(await page.getByTestId('operator').textContent(), /Rex Desk\s*Receptionist/)
  for (const name of ['Read card', 'Door simulator', 'Room board']) {
    await nav.getByRole('button', { name }).click()
    assert.equal(await nav.getByRole('button', { name }).getAttribute('aria-current'), 'page')
  }
  const called = (await calls(page)).map((c) => c.command)
  assert.deepEqual(
    called.filter((c) => MANAGER_COMMANDS.includes(c)),
    [],
  )
  assert.deepEqual(problems, [])
})

test('a manager sees the manager’s screens too; a refusal from the back end is shown plainly', async () => {
  const { page, problems } = await ui.open(
    base({
      warnings: { error: { type: 'forbidden', message: 'Mia Manager signed in as receptionist; this needs a manager.' } },
      audit_log: { ok: [] },
      list_operators: { ok: [manager, receptionist] },
    }),
  )
  await signIn(page, manager)
  const nav = page.getByRole('navigation', { name: 'Screens' })
  assert.deepEqual(await nav.getByRole('button').allInnerTexts(), [
    'Room board',
    'Read card',
    'Door simulator',
    'Staff cards',
    'Spare cards',
    'Manager',
    'Reports',
    'Operators & settings',
  ])
  await nav.getByRole('button', { name: 'Manager' }).click()
  const error = page.getByTestId('error').first()
  await error.waitFor()
  assert.match(await error.textContent(), /this needs a manager\.\s*Ask a manager to do this\./)
  assert.deepEqual(problems, [])
})

const warning = (code, fix, extra = {}) => ({
  access_grant_id: id(`grant-${code}`),
  access_grant_ids: [id(`grant-${code}`)],
  access_method_ids: [id(`method-${code}`)],
  code,
  message: `Message for ${code}.`,
  created_at: '2025-03-12T10:00:00Z',
  reservation_key: `stay-${code}`,
  guests: ['Ana Silva'],
  rooms: ['Room 101'],
  door: null,
  ends_at: '2025-03-14T11:00:00Z',
  checked_out_at: null,
  cards: 1,
  fix,
  outstanding_card_ids: [],
  cards_out: [],
  ...extra,
})

test('manager warnings, each with its fix-it action', async () => {
  const reEncode = warning('encoding_required', 're_encode')
  // A checked-out stay's warning names its grant; the cards still out come with it.
  const collect = warning('cards_not_collected', 'cancel_card', {
    access_method_ids: [],
    cards_out: [cardOut('04A1')],
    checked_out_at: '2025-03-12T09:00:00Z',
  })
  const inversion = warning('sequence_inversion', 'reissue_stay', { access_method_ids: [], reservation_key: 'stay-ana', cards: 0 })
  const none = warning('previous_guest_can_enter', 'none', { access_method_ids: [], door: 'Room 101 door', cards: 0 })
  const fresh = [cardRecord('ana-x'), cardRecord('ben-x')]
  const { page, problems } = await ui.open(
    base({
      warnings: [
        { ok: [reEncode, collect, inversion, none] },
        { ok: [collect, inversion, none] },
        { ok: [inversion, none] },
        { ok: [none] },
      ],
      audit_log: { ok: [] },
      list_operators: { ok: [manager, receptionist] },
      encode_cards: [encodeReply([cardRecord('encoding_required')]), encodeReply(fresh)],
      card_collected: { ok: null },
      remake_cards: { ok: anaStay({ guests: [guest('Ana Silva', [fresh[0]]), guest('Ben Silva', [fresh[1]])] }) },
    }),
  )
  await signIn(page)
  await page.getByRole('button', { name: 'Manager' }).click()
  const table = page.getByTestId('warnings')
  await table.waitFor()
  const rows = table.getByTestId('warning')
  assert.equal(await rows.count(), 4)
  // In words, with the ids and the API's wording behind "Details".
  assert.match(
    await rows.nth(0).innerText(),
    /12 Mar 2025, 10:00\s*Needs re-encoding\s*Room 101: the dates of Ana Silva changed after 1 key card was made; it still carries the old dates\.\s*Details\s*Re-encode card/,
  )
  assert.doesNotMatch(await rows.nth(0).innerText(), /stay-encoding_required|Message for/)
  await rows.nth(0).getByText('Details').click()
  assert.match(await rows.nth(0).innerText(), /Reservation\s*stay-encoding_required[\s\S]*Message for encoding_required\./)
  assert.match(
    await rows.nth(1).getByTestId('warning-sentence').textContent(),
    /^Room 101: 1 key card not returned \(Ana Silva, checked out 12 Mar 2025\)\.$/,
  )
  assert.match(
    await rows.nth(3).getByTestId('warning-sentence').textContent(),
    /^Room 101 door: the previous guest’s cards still open it until a card of Ana Silva is first used there\.$/,
  )
  assert.match(await rows.nth(3).textContent(), /Nothing to do: it passes with the next guest’s first card\./)

  // re_encode → encode_cards with the warning's card
  await rows.nth(0).getByRole('button', { name: 'Re-encode card' }).click()
  const dialog = page.getByRole('dialog', { name: 'Re-encode' })
  await dialog.getByTestId('encode-done').waitFor()
  await dialog.getByRole('button', { name: 'Done' }).click()
  await page.getByTestId('fix-result').filter({ hasText: 'The card is re-encoded.' }).waitFor()
  await rows.nth(2).waitFor({ state: 'visible' })
  assert.equal(await rows.count(), 3)

  // cancel_card: the card still out, where and until when, with Collected → card_collected
  assert.match(
    await rows.nth(0).getByTestId('card-still-out').textContent(),
    /Ana Silva, card 1 \(not returned\)\s*Opens Room 101 door until a newer card or a cancel card is used there, 14 Mar 2025, 11:00 at the latest; Lobby until 14 Mar 2025, 11:00\./,
  )
  await rows.nth(0).getByRole('button', { name: 'Collected' }).click()
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="warning"]').length === 2)

  // reissue_stay → remake_cards (the cards are refused, not lost), then encode the new cards
  await rows.nth(0).getByRole('button', { name: 'Remake the stay’s cards' }).click()
  await page.getByRole('dialog', { name: 'Re-encode' }).getByTestId('encode-done').filter({ hasText: 'All 2 cards are ready.' }).waitFor()
  await page.getByRole('dialog', { name: 'Re-encode' }).getByRole('button', { name: 'Done' }).click()
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="warning"]').length === 1)

  assert.deepEqual(
    (await calls(page, 'encode_cards')).map((c) => c.args.accessMethodIds),
    [reEncode.access_method_ids, fresh.map((c) => c.id)],
  )
  assert.deepEqual(
    (await calls(page, 'card_collected')).map((c) => c.args.cardId),
    ['04A1'],
  )
  assert.deepEqual(
    (await calls(page, 'remake_cards')).map((c) => c.args),
    [{ token: TOKEN, reservationKey: 'stay-ana' }],
  )
  assert.deepEqual(problems, [])
})

test('a card still out gets a cancel card from the manager’s warning, with what to do in words', async () => {
  const out = warning('cards_not_collected', 'cancel_card', { access_method_ids: [], cards_out: [cardOut('04A1')] })
  const lost = warning('cards_not_collected', 'cancel_card', {
    access_grant_id: id('grant-lost'),
    access_method_ids: [],
    cards_out: [cardOut('04B2', { reason: 'lost' })],
  })
  const { page, problems } = await ui.open(
    base({
      warnings: [{ ok: [out, lost] }, { ok: [lost] }],
      audit_log: { ok: [] },
      list_operators: { ok: [manager, receptionist] },
      encode_cancel_card: [
        {
          error: {
            type: 'invalid_input',
            field: 'acs_entrance_ids[0]',
            message:
              'Room 101 door is booked for Tom Morrow from 15 Mar 15:00: their first card used at the door stops the old cards there. A cancel card would lock Tom Morrow out too.',
          },
        },
        { ok: { access_method: null, card_id: '04CA11', op_id: id('op-cancel') } },
      ],
    }),
  )
  await signIn(page)
  await page.getByRole('button', { name: 'Manager' }).click()
  const rows = page.getByTestId('warnings').getByTestId('warning')
  await rows.nth(1).waitFor()
  // A lost card cannot be collected or lost again; a cancel card still stops it at the room.
  assert.equal(await rows.nth(1).getByRole('button', { name: 'Collected' }).count(), 0)
  assert.match(await rows.nth(1).textContent(), /Ana Silva, card 1 \(reported lost\)/)

  await rows.nth(0).getByRole('button', { name: 'Encode cancel card' }).click()
  const cancel = rows.nth(0).getByTestId('cancel-card')
  await cancel.getByRole('button', { name: 'Encode the cancel card' }).click()
  // Refused: a stay holds the room now, and the message says the real way out.
  assert.match(
    await cancel.getByTestId('cancel-card-error').textContent(),
    /booked for Tom Morrow from 15 Mar 15:00: their first card used at the door stops the old cards there/,
  )
  await cancel.getByRole('button', { name: 'Encode the cancel card' }).click()
  const done = cancel.getByTestId('cancel-card-done')
  await done.waitFor()
  assert.match(await done.textContent(), /The cancel card is ready\.\s*Take this cancel card to Room 101 door and present it once there\./)
  assert.match(await cancel.getByTestId('cancel-card-leaves').textContent(), /does not stop the card at: Lobby until 14 Mar 2025, 11:00/)
  await cancel.getByRole('button', { name: 'Done' }).click()
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="warning"]').length === 1)
  assert.deepEqual(
    (await calls(page, 'encode_cancel_card')).map((c) => c.args.entranceIds),
    [[id('door-101')], [id('door-101')]],
  )
  assert.deepEqual(problems, [])
})

test('the audit log filters by operator, room and dates (in the property’s zone)', async () => {
  const about = (extra = {}) => ({ people: [], rooms: [], rooms_before: [], door: null, cards: 0, operator: null, ...extra })
  const entry = (n, actor, action, outcome = 'ok', extra = {}) => ({
    id: n,
    at: `2025-03-1${Math.min(n, 3)}T09:30:00Z`,
    actor,
    action,
    subject_id: id(`subject-${n}`),
    outcome,
    before: null,
    after: outcome === 'ok' ? { reservation_key: 'stay-ana' } : null,
    detail: outcome === 'refused' ? 'reservation_conflict: Room 201 is taken.' : null,
    terminal: null,
    change_id: n,
    change_action: null,
    about: about(),
    ...extra,
  })
  // One check-in: its guest, then her grant, in one change.
  const checkIn = { change_id: 2, change_action: 'stay.check_in' }
  const checkInEntries = [
    entry(5, 'operator:Rex Desk', 'access_grant.create', 'ok', {
      ...checkIn,
      at: '2025-03-12T09:30:00Z',
      about: about({ people: ['Ana Silva'], rooms: ['Room 201'], cards: 2 }),
    }),
    entry(4, 'operator:Rex Desk', 'user_identity.create', 'ok', {
      ...checkIn,
      at: '2025-03-12T09:30:00Z',
      about: about({ people: ['Ana Silva'] }),
    }),
  ]
  const move = entry(3, 'operator:Rex Desk', 'stay.move', 'refused', {
    about: about({ people: ['Ana Silva'], rooms: ['Room 201'] }),
    subject_id: 'stay-ana',
  })
  const { page, problems } = await ui.open(
    base({
      warnings: { ok: [] },
      list_operators: { ok: [manager, receptionist] },
      audit_log: [
        {
          ok: [
            ...checkInEntries,
            entry(1, 'operator:Mia Manager', 'operator.sign_in', 'ok', {
              at: '2025-03-11T09:30:00Z',
              about: about({ operator: 'Mia Manager' }),
            }),
          ],
        },
        { ok: [move] },
        { ok: [] },
      ],
    }),
  )
  await signIn(page)
  await page.getByRole('button', { name: 'Manager' }).click()
  const log = page.getByTestId('audit-log')
  await log.waitFor()
  // One line per change, in words; the records and their ids behind "Details".
  assert.equal(await log.getByTestId('audit-entry').count(), 2)
  assert.match(
    await log.getByTestId('audit-entry').first().innerText(),
    /^12 Mar 2025, 09:30\s*Rex Desk checked Ana Silva into Room 201 \(2 cards\)\s*Details\s*Done$/,
  )
  assert.match(await log.getByTestId('audit-entry').nth(1).innerText(), /Mia Manager signed in/)
  await log.getByTestId('audit-entry').first().getByText('Details').click()
  assert.match(await log.getByTestId('audit-entry').first().innerText(), /access_grant\.create[\s\S]*user_identity\.create/)

  const filters = page.getByTestId('audit-filters')
  await filters.getByLabel('Operator').selectOption({ label: 'Rex Desk' })
  await filters.getByLabel('Room').selectOption({ label: 'Room 201' })
  await filters.getByLabel('From', { exact: true }).fill('13/03/2025')
  await filters.getByLabel('To', { exact: true }).fill('14/07/2025')
  await filters.getByRole('button', { name: 'Show' }).click()
  await log.getByTestId('audit-entry').filter({ hasText: 'Refused: Rex Desk moved Ana Silva' }).waitFor()
  assert.match(await log.innerText(), /Room 201 is taken\.\s*Details\s*Refused/)
  assert.doesNotMatch(await log.innerText(), /reservation_conflict/)

  await filters.getByLabel('To', { exact: true }).fill('01/03/2025')
  await filters.getByRole('button', { name: 'Show' }).click()
  await page.getByText('The last day must not be before the first.').waitFor()
  await filters.getByLabel('To', { exact: true }).fill('')
  await filters.getByLabel('From', { exact: true }).fill('')
  await filters.getByRole('button', { name: 'Show' }).click()
  await page.getByTestId('audit-empty').waitFor()

  const queries = (await calls(page, 'audit_log')).map((c) => c.args.query)
  assert.deepEqual(queries, [
    { actor: null, room_space_id: null, since: null, until: null, limit: 200 },
    {
      actor: 'operator:Rex Desk',
      room_space_id: id('space-201'),
      since: '2025-03-13T00:00:00.000Z',
      // The whole of 14 July in Lisbon (UTC+1): until the start of the 15th.
      until: '2025-07-14T23:00:00.000Z',
      limit: 200,
    },
    { actor: 'operator:Rex Desk', room_space_id: id('space-201'), since: null, until: null, limit: 200 },
  ])
  assert.deepEqual(problems, [])
})

test('operators and the local API switch', async () => {
  const newbie = { id: id('op-new'), name: 'Nia New', role: 'receptionist' }
  const { page, problems } = await ui.open(
    base({
      list_operators: [{ ok: [manager, receptionist] }, { ok: [manager, newbie, receptionist] }],
      create_operator: { ok: newbie },
      api_status: { ok: { enabled: false, address: null, key_file: '/home/desk/.local/share/frontdesk/api-key' } },
      set_api_enabled: { ok: { enabled: true, address: 'http://127.0.0.1:8787', key_file: '/home/desk/.local/share/frontdesk/api-key' } },
    }),
  )
  await signIn(page)
  await page.getByRole('button', { name: 'Operators & settings' }).click()
  const screen = page.getByTestId('settings')
  await screen.getByTestId('operators').getByRole('cell', { name: 'Rex Desk', exact: true }).waitFor()
  const form = screen.getByTestId('operator-form')
  await form.getByLabel('Name').fill('Nia New')
  await form.getByLabel('PIN (4 to 8 digits)').fill('12')
  await form.getByRole('button', { name: 'Add operator' }).click()
  await form.getByText('The PIN must be 4 to 8 digits.').waitFor()
  await form.getByLabel('PIN (4 to 8 digits)').fill('9753')
  await form.getByRole('button', { name: 'Add operator' }).click()
  await screen.getByText('Nia New can now sign in as receptionist.').waitFor()
  await screen.getByTestId('operators').getByRole('cell', { name: 'Nia New', exact: true }).waitFor()

  const toggle = screen.getByRole('switch', { name: 'Allow the local API' })
  assert.equal(await toggle.isChecked(), false)
  await toggle.check()
  await screen.getByTestId('api-status').filter({ hasText: 'http://127.0.0.1:8787' }).waitFor()
  assert.deepEqual(
    (await calls(page, 'create_operator')).map((c) => c.args),
    [{ token: TOKEN, name: 'Nia New', pin: '9753', role: 'receptionist' }],
  )
  assert.deepEqual(
    (await calls(page, 'set_api_enabled')).map((c) => c.args),
    [{ token: TOKEN, enabled: true }],
  )
  assert.deepEqual(problems, [])
})

test('a manager gives a new PIN, changes a role, disables and enables an operator', async () => {
  const view = (operator, extra = {}) => ({ ...operator, created_at: '2025-03-01T09:00:00Z', disabled_at: null, ...extra })
  const rex = view(receptionist)
  const mia = view(manager)
  const rexManager = view(receptionist, { role: 'manager' })
  const rexDisabled = view(receptionist, { disabled_at: '2025-03-12T15:00:00Z' })
  const { page, problems } = await ui.open(
    base({
      // Read at the start and after each change: the PIN, the refused role, the role, disabled, enabled.
      list_operators: [
        { ok: [mia, rex] },
        { ok: [mia, rex] },
        { ok: [mia, rex] },
        { ok: [mia, rexManager] },
        { ok: [mia, rexDisabled] },
        { ok: [mia, rex] },
      ],
      reset_operator_pin: { ok: null },
      set_operator_role: [
        {
          error: {
            type: 'invalid_input',
            field: 'role',
            message: 'role must stay manager: Mia Manager is the only enabled manager; add another manager first.',
          },
        },
        { ok: rexManager },
      ],
      set_operator_enabled: [{ ok: rexDisabled }, { ok: rex }],
    }),
  )
  await signIn(page)
  await page.getByRole('button', { name: 'Operators & settings' }).click()
  const table = page.getByTestId('operators')
  const rexRow = table.getByTestId('operator').filter({ hasText: 'Rex Desk' })
  const miaRow = table.getByTestId('operator').filter({ hasText: 'Mia Manager' })
  await rexRow.waitFor()
  assert.match(await miaRow.innerText(), /^Mia Manager \(you\)/)
  // A manager cannot disable their own name.
  assert.equal(await miaRow.getByRole('button', { name: /^Disable/ }).count(), 0)

  // A new PIN, typed twice: a mismatch is named before anything is sent.
  await rexRow.getByRole('button', { name: 'New PIN for Rex Desk' }).click()
  const reset = page.getByTestId('pin-reset-form')
  await reset.getByRole('heading', { name: 'New PIN for Rex Desk' }).waitFor()
  await reset.getByLabel('New PIN (4 to 8 digits)').fill('4826')
  await reset.getByLabel('The same PIN again').fill('4827')
  await reset.getByRole('button', { name: 'Save the new PIN' }).click()
  await reset.getByText('The two PINs differ.').waitFor()
  await reset.getByLabel('The same PIN again').fill('4826')
  await reset.getByRole('button', { name: 'Save the new PIN' }).click()
  await page.getByTestId('operators-notice').filter({ hasText: 'Rex Desk signs in with the new PIN from now on.' }).waitFor()
  assert.equal(await page.getByTestId('pin-reset-form').count(), 0)

  // The sole manager stays one: the refusal is said; then Rex becomes a manager.
  await miaRow.getByLabel('Role of Mia Manager').selectOption('receptionist')
  await page.getByTestId('error').filter({ hasText: 'Mia Manager is the only enabled manager' }).waitFor()
  assert.equal(await miaRow.getByLabel('Role of Mia Manager').inputValue(), 'manager')
  await rexRow.getByLabel('Role of Rex Desk').selectOption('manager')
  await page.getByTestId('operators-notice').filter({ hasText: 'Rex Desk is now manager.' }).waitFor()

  await rexRow.getByRole('button', { name: 'Disable Rex Desk' }).click()
  await page.getByTestId('operators-notice').filter({ hasText: 'Rex Desk can no longer sign in.' }).waitFor()
  await rexRow.filter({ hasText: 'Disabled since 12 Mar 2025' }).waitFor()
  await rexRow.getByRole('button', { name: 'Enable Rex Desk' }).click()
  await page.getByTestId('operators-notice').filter({ hasText: 'Rex Desk can sign in again.' }).waitFor()

  assert.deepEqual(
    (await calls(page, 'reset_operator_pin')).map((c) => c.args),
    [{ token: TOKEN, operatorId: receptionist.id, pin: '4826' }],
  )
  assert.deepEqual(
    (await calls(page, 'set_operator_role')).map((c) => c.args),
    [
      { token: TOKEN, operatorId: manager.id, role: 'receptionist' },
      { token: TOKEN, operatorId: receptionist.id, role: 'manager' },
    ],
  )
  assert.deepEqual(
    (await calls(page, 'set_operator_enabled')).map((c) => c.args),
    [
      { token: TOKEN, operatorId: receptionist.id, enabled: false },
      { token: TOKEN, operatorId: receptionist.id, enabled: true },
    ],
  )
  assert.deepEqual(problems, [])
})

test('the PMS key link: a bad address is named, then the link goes on and shows how it stands', async () => {
  const alive = {
    ...pmsLinkOff,
    enabled: true,
    address: '127.0.0.1:5011',
    encoding: 'utf-8',
    peer: '127.0.0.1:40112',
    state: 'alive',
    last_record: 'KR',
    last_record_at: '2025-07-14T10:30:00Z',
  }
  const { page, problems } = await ui.open(
    base({
      list_operators: { ok: [manager] },
      api_status: { ok: { enabled: false, address: null, key_file: '/home/desk/.local/share/frontdesk/api-key' } },
      pms_link: [{ ok: pmsLinkOff }, { ok: alive }],
      set_pms_link: [
        {
          error: {
            type: 'invalid_input',
            field: 'address',
            message: 'address: "10.0.0.9:5011" is not on this computer; the desk listens for the PMS on 127.0.0.1',
          },
        },
        { ok: alive },
      ],
    }),
  )
  await signIn(page)
  await page.getByRole('button', { name: 'Operators & settings' }).click()
  const panel = page.getByTestId('pms-link')
  const address = panel.getByLabel('Listen on (this computer)')
  assert.equal(await address.inputValue(), '127.0.0.1:5010')
  await address.fill('10.0.0.9:5011')
  await panel.getByLabel('Character set').selectOption('utf-8')
  const toggle = panel.getByRole('switch', { name: 'Allow the PMS link' })
  // Refused at once: the switch goes back off (a click, as check() would see it flip back).
  await toggle.click()
  await panel.getByText('"10.0.0.9:5011" is not on this computer; the desk listens for the PMS on 127.0.0.1').waitFor()
  assert.equal(await address.getAttribute('aria-invalid'), 'true')
  assert.equal(await toggle.isChecked(), false)
  await address.fill('127.0.0.1:5011')
  await toggle.check()
  await panel.getByText('The PMS link is on.').waitFor()
  const status = panel.getByTestId('pms-link-status')
  await status.getByText('Connected: the PMS can order keys').waitFor()
  assert.match(await status.textContent(), /127\.0\.0\.1:40112/)
  assert.match(await status.textContent(), /Key request \(KR\), 14 Jul 2025, 11:30/)
  assert.deepEqual(
    (await calls(page, 'set_pms_link')).map((c) => c.args.settings),
    [
      { enabled: true, direction: 'listen', address: '10.0.0.9:5011', encoding: 'utf-8' },
      { enabled: true, direction: 'listen', address: '127.0.0.1:5011', encoding: 'utf-8' },
    ],
  )
  assert.deepEqual(problems, [])
})

test('spare cards out of date are in the warnings, in words, and listed on the spares screen', async () => {
  const spare = (number, state, status) => ({
    id: id(`spare-${number}`),
    space_id: id('space-101'),
    room_name: 'Room 101',
    number,
    card_id: `04AB0${number}`,
    made_at: '2025-03-10T09:00:00Z',
    valid_until: '2025-04-09T09:00:00Z',
    state,
    status,
    locks_out: [],
  })
  const { page, problems } = await ui.open(
    base({
      warnings: { ok: [] },
      audit_log: { ok: [] },
      list_operators: { ok: [] },
      spare_cards: {
        ok: [
          spare(1, { state: 'ready' }, 'Ready: handed out, it opens Room 101 as the next guest’s key.'),
          spare(
            2,
            { state: 'overtaken', entrance_id: id('door-101'), card: 3, door: 4 },
            'Out of date: a newer card was made for Room 101 door.',
          ),
        ],
      },
    }),
  )
  await signIn(page)
  await page.getByRole('button', { name: 'Manager' }).click()
  const listed = page.getByTestId('spare-warnings')
  await listed.waitFor()
  assert.match(await listed.textContent(), /Room 101, spare 2: Out of date: a newer card was made for Room 101 door/)
  assert.doesNotMatch(await listed.textContent(), /spare 1/)

  await page.getByRole('button', { name: 'Spare cards' }).click()
  await page.getByTestId('spares-out-of-date').filter({ hasText: '1 spare in the safe is out of date' }).waitFor()
  const rows = page.getByTestId('spare-row')
  assert.equal(await rows.count(), 2)
  assert.deepEqual(await rows.evaluateAll((els) => els.map((el) => el.dataset.state)), ['ready', 'overtaken'])
  assert.deepEqual(problems, [])
})

test('backups: the password, a folder refused by its field, then the schedule, a backup made now and the list', async () => {
  const schedule = { folder: '/mnt/backups', every_hours: 6, keep: 10 }
  const made = backupStatus({
    password_set: true,
    schedule,
    last: { at: '2025-03-12T15:00:00Z', file: 'frontdesk-20250312-150000.fdbackup', error: null },
    backups: [{ name: 'frontdesk-20250312-150000.fdbackup', bytes: 3 * 1024 * 1024, modified_at: '2025-03-12T15:00:00Z' }],
  })
  const { page, problems } = await ui.open(
    base({
      list_operators: { ok: [manager] },
      api_status: { ok: { enabled: false, address: null, key_file: '/home/desk/.local/share/frontdesk/api-key' } },
      set_backup_password: { ok: backupStatus({ password_set: true }) },
      set_backup_schedule: [
        { error: { type: 'invalid_input', field: 'folder', message: 'folder must be a full path (such as /mnt/backups or D:\\Backups).' } },
        { ok: backupStatus({ password_set: true, schedule }) },
      ],
      back_up_now: { ok: made },
    }),
  )
  await signIn(page)
  await page.getByRole('button', { name: 'Operators & settings' }).click()
  const panel = page.getByTestId('backups')
  await panel.getByText('No backup has been made yet.').waitFor()
  assert.equal(await panel.getByRole('button', { name: 'Back up now' }).isDisabled(), true)

  // The password: too short, then typed differently, are caught before anything is sent.
  const passwords = panel.getByTestId('backup-password-form')
  await passwords.getByLabel('Backup password').fill('short')
  await passwords.getByLabel('The same password again').fill('short')
  await passwords.getByRole('button', { name: 'Set password' }).click()
  await passwords.getByText('At least 12 characters').waitFor()
  await passwords.getByLabel('Backup password').fill('harbour lights at dusk')
  await passwords.getByLabel('The same password again').fill('harbour lights at dawn')
  await passwords.getByRole('button', { name: 'Set password' }).click()
  await passwords.getByText('The two passwords differ.').waitFor()
  assert.deepEqual(await calls(page, 'set_backup_password'), [])
  await passwords.getByLabel('The same password again').fill('harbour lights at dusk')
  await passwords.getByRole('button', { name: 'Set password' }).click()
  await panel.getByText('The backup password is set.', { exact: false }).waitFor()
  await passwords.getByRole('button', { name: 'Change password' }).waitFor()

  const when = panel.getByTestId('backup-schedule-form')
  await when.getByLabel('Folder (another disk or a network share)').fill('backups')
  await when.getByLabel('Every (hours)').fill('6')
  await when.getByLabel('Keep the last').fill('10')
  await when.getByRole('button', { name: 'Save' }).click()
  await when.getByText('Folder must be a full path (such as /mnt/backups or D:\\Backups).').waitFor()
  assert.equal(await when.getByLabel('Folder (another disk or a network share)').getAttribute('aria-invalid'), 'true')
  await when.getByLabel('Folder (another disk or a network share)').fill('/mnt/backups')
  await when.getByRole('button', { name: 'Save' }).click()
  await panel.getByText('Backups go to /mnt/backups every 6 hours.').waitFor()

  await panel.getByRole('button', { name: 'Back up now' }).click()
  await panel
    .getByTestId('last-backup')
    .filter({ hasText: 'Last backup: 12 Mar 2025, 15:00, frontdesk-20250312-150000.fdbackup.' })
    .waitFor()
  assert.match(await panel.getByTestId('backup-files').textContent(), /frontdesk-20250312-150000\.fdbackup.*3\.0 MB/)
  assert.deepEqual(
    (await calls(page, 'set_backup_schedule')).map((c) => c.args.schedule),
    [
      { folder: 'backups', every_hours: 6, keep: 10 },
      { folder: '/mnt/backups', every_hours: 6, keep: 10 },
    ],
  )
  assert.deepEqual(
    (await calls(page, 'set_backup_password')).map((c) => c.args),
    [{ token: TOKEN, password: 'harbour lights at dusk' }],
  )
  assert.deepEqual(problems, [])
})

test('reports: cards still out, a day’s arrivals and departures and a door’s decisions, saved as CSV and printed', async () => {
  const out = warning('cards_not_collected', 'cancel_card', {
    access_method_ids: [],
    checked_out_at: '2025-03-11T10:00:00Z',
    cards_out: [cardOut('04A1', { rooms: ['Room 101'], out_since: '2025-03-11T10:00:00Z' })],
  })
  const { page, problems } = await ui.open(
    base({
      warnings: { ok: [out, warning('sequence_inversion', 'reissue_stay')] },
      list_operators: { ok: [manager, receptionist] },
      save_report: { ok: '/home/desk/Downloads/cards-still-out-2025-03-12.csv' },
      door_log: {
        ok: [
          {
            at: '2025-03-12T14:00:00Z',
            granted: false,
            reason: { reason: 'overridden', card: 3, lock: 4 },
            explanation: 'A newer guest’s card was used at this door since this card was made.',
            card_id: '04A1',
            card: {
              holder: 'Ana Silva',
              rooms: ['Room 101'],
              valid_from: '2025-03-10T15:00:00Z',
              valid_until: '2025-03-14T11:00:00Z',
              status: 'ended',
            },
          },
        ],
      },
    }),
  )
  await signIn(page)
  await page.getByRole('button', { name: 'Reports' }).click()
  const report = page.getByTestId('report')
  await report.getByRole('heading', { name: 'Cards still out' }).waitFor()
  const rows = report.getByTestId('report-row')
  assert.equal(await rows.count(), 1)
  assert.match(
    await rows.first().innerText(),
    /^Room 101\s+Ana Silva\s+Card 1\s+Not returned\s+11 Mar 2025, 10:00\s+Opens Room 101 door until/,
  )

  await report.getByRole('button', { name: 'Save as CSV' }).click()
  await report.getByTestId('report-saved').filter({ hasText: 'Saved as /home/desk/Downloads/cards-still-out-2025-03-12.csv' }).waitFor()
  const [saved] = await calls(page, 'save_report')
  assert.match(saved.args.fileName, /^cards-still-out-\d{4}-\d{2}-\d{2}\.csv$/)
  assert.equal(saved.args.token, TOKEN)
  assert.match(
    saved.args.csv,
    /^\ufeffRoom,Guest,Card,Why,Since,Still opens\r\nRoom 101,Ana Silva,Card 1,Not returned,"11 Mar 2025, 10:00",/,
  )

  // Printed, the page is the report alone.
  await page.emulateMedia({ media: 'print' })
  assert.equal(await page.getByRole('navigation', { name: 'Screens' }).isVisible(), false)
  assert.equal(await report.getByRole('button', { name: 'Print' }).isVisible(), false)
  assert.equal(await report.getByTestId('report-table').isVisible(), true)
  await page.emulateMedia({ media: 'screen' })

  await page.getByRole('button', { name: 'Arrivals and departures' }).click()
  await page.getByTestId('report-filters').getByLabel('Day').fill('11/03/2025')
  await page.getByTestId('report-filters').getByRole('button', { name: 'Show' }).click()
  await report.getByRole('heading', { name: 'Arrivals and departures' }).waitFor()
  await report.getByTestId('report-row').filter({ hasText: 'Zoe Adams' }).waitFor()
  assert.match(
    await report.getByTestId('report-row').filter({ hasText: 'Zoe Adams' }).innerText(),
    /^Departure\s+10:40\s+Room 203\s+Zoe Adams\s+Checked out$/,
  )
  assert.deepEqual((await calls(page, 'timeline')).at(-1).args, { token: TOKEN, from: '2025-03-11', days: 1 })

  await page.getByRole('button', { name: 'Door decisions' }).click()
  await page.getByTestId('report-filters').getByLabel('Door').selectOption({ label: 'Room 101 door' })
  await page.getByTestId('report-filters').getByRole('button', { name: 'Show' }).click()
  const decision = report.getByTestId('report-row').first()
  await decision.filter({ hasText: 'Refused' }).waitFor()
  assert.match(
    await decision.innerText(),
    /Ana Silva · Room 101 · .* · stay over\s+Refused\s+This card no longer opens Room 101 door: a newer guest’s card was used there\./,
  )
  assert.deepEqual((await calls(page, 'door_log')).at(-1).args, { token: TOKEN, entranceId: doors['101'].acs_entrance_id, limit: 500 })
  assert.deepEqual(problems, [])
})
