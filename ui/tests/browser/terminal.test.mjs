// A terminal of a property server: its link in the header, the board greyed while the server
// is out of reach and read again when it is back, a refused (revoked) terminal; and the
// property's terminals in a manager's settings. A standalone desk shows none of the link.

import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { startUi } from './harness.mjs'
import {
  anaStay,
  base,
  board,
  calls,
  deskChanged,
  receptionist,
  roomButton,
  signIn,
  summary,
  terminalInfo,
  terminalStatus,
  terminalView,
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

/** The words the back end refuses a terminal's commands with while its server is out of reach. */
const UNREACHABLE = {
  type: 'server_unreachable',
  message:
    'The property server cannot be reached, so nothing was changed. Check that the server PC is on and this PC is on its network; the desk carries on by itself when the server is back.',
}

async function connection(page, status) {
  await page.evaluate((payload) => window.__frontdeskMock.emit('server-connection', payload), status)
}

async function reply(page, command, value) {
  await page.evaluate(([name, answer]) => window.__frontdeskMock.set(name, answer), [command, value])
}

test('a standalone desk shows no server link, and its settings keep the local API', async () => {
  const { page, problems } = await ui.open(
    base({ api_status: { ok: { enabled: false, address: null, key_file: null } }, list_operators: { ok: [] } }),
  )
  await signIn(page)
  await roomButton(page, '101').waitFor()
  assert.equal(await page.getByTestId('server-state').count(), 0)
  assert.equal(await page.getByTestId('offline-notice').count(), 0)
  assert.equal(await page.getByTestId('board-views').getAttribute('aria-disabled'), null)

  await page.getByRole('button', { name: 'Operators & settings' }).click()
  await page.getByRole('switch', { name: 'Allow the local API' }).waitFor()
  assert.equal(await page.getByTestId('api-on-server').count(), 0)
  assert.equal((await calls(page, 'api_status')).length, 1)
  // Terminals belong to a property server: a standalone desk has none to list.
  assert.equal(await page.getByTestId('terminals').count(), 0)
  assert.deepEqual(await calls(page, 'terminals'), [])
  assert.deepEqual(problems, [])
})

test('a terminal shows its link; when it is lost the board is greyed and kept, and read again when it is back', async () => {
  const { page, problems } = await ui.open(
    base({ app_info: { ok: terminalInfo() }, stay: { ok: anaStay() }, duplicate_card: { error: UNREACHABLE } }),
  )
  const state = page.getByTestId('server-state')
  await state.waitFor()
  assert.equal(await state.getAttribute('role'), 'status')
  assert.equal((await state.textContent()).trim(), 'Desk 2 · Connected to the property server')
  await signIn(page)
  await roomButton(page, '101').waitFor()
  const views = page.getByTestId('board-views')
  assert.equal(await views.getAttribute('aria-disabled'), null)
  // The receptionist is at a stay when the link goes.
  await roomButton(page, '102').click()
  const panel = page.getByTestId('stay-panel')
  await panel.getByTestId('guest').first().waitFor()

  // The link is lost: said at once in the header and over the board, which keeps its rooms.
  await connection(page, terminalStatus({ online: false, problem: 'The property server cannot be reached (connection refused).' }))
  await state.filter({ hasText: 'Server unreachable' }).waitFor()
  assert.match(await state.textContent(), /Desk 2 · Server unreachable\s*The property server cannot be reached \(connection refused\)\./)
  assert.equal(
    (await page.getByTestId('offline-notice').textContent()).trim(),
    'The property server cannot be reached: changes are refused until it is back.',
  )
  assert.equal(await views.getAttribute('aria-disabled'), 'true')
  assert.match(await views.getAttribute('class'), /offline/)
  assert.equal(await page.getByTestId('room').count(), 10)
  assert.equal(await roomButton(page, '102').getAttribute('aria-label'), 'Room 102, in house, Ana Silva and Ben Silva')

  // Changes heard meanwhile are not read while the server is out of reach.
  const boardReads = (await calls(page, 'room_board')).length
  const stayReads = (await calls(page, 'stay')).length
  await deskChanged(page)
  await page.waitForTimeout(300)
  assert.equal((await calls(page, 'room_board')).length, boardReads)
  assert.equal((await calls(page, 'stay')).length, stayReads)

  // An action fails with the back end's words, where errors show.
  await panel.getByRole('button', { name: 'Duplicate card for Ana Silva' }).click()
  const error = panel.getByTestId('error')
  await error.waitFor()
  assert.equal(await error.getAttribute('data-error-type'), 'server_unreachable')
  assert.equal((await error.textContent()).trim(), UNREACHABLE.message)
  await page.keyboard.press('Escape')
  await panel.waitFor({ state: 'detached' })

  // Back: no longer greyed, and the rooms are read again at once.
  const later = board()
  later.floors[0].rooms[0] = tile('101', 'in_house', [summary('stay-max', ['Max Weber'], '2025-03-12T14:30:00Z', '2025-03-14T11:00:00Z')])
  await reply(page, 'room_board', { ok: later })
  await connection(page, terminalStatus())
  await state.filter({ hasText: 'Connected to the property server' }).waitFor()
  await page.waitForFunction(() => document.querySelector('[data-room="101"]')?.getAttribute('aria-label')?.includes('Max Weber'))
  assert.equal(await views.getAttribute('aria-disabled'), null)
  assert.doesNotMatch(await views.getAttribute('class'), /offline/)
  assert.equal(await page.getByTestId('offline-notice').count(), 0)
  await page.waitForTimeout(300)
  assert.equal((await calls(page, 'room_board')).length, boardReads + 1)
  // The property's name and time zone come from the server: read again with the link.
  assert.equal((await calls(page, 'app_info')).length, 2)
  assert.deepEqual(problems, [])
})

test('a terminal the server refuses (revoked) says why in the header', async () => {
  const { page, problems } = await ui.open(base({ app_info: { ok: terminalInfo() } }))
  const state = page.getByTestId('server-state')
  await state.filter({ hasText: 'Connected' }).waitFor()
  const refused = 'This terminal was revoked at the property server. Ask the person who looks after it to pair it again.'
  await connection(page, terminalStatus({ online: false, problem: refused }))
  await state.filter({ hasText: refused }).waitFor()
  assert.match(await state.textContent(), /^\s*Desk 2 · Server unreachable\s*This terminal was revoked at the property server\./)
  assert.deepEqual(problems, [])
})

test('the manager lists the terminals and revokes one after saying yes', async () => {
  const desk1 = terminalView('Desk 1')
  const desk2 = terminalView('Desk 2', { paired_at: '2025-03-05T10:00:00Z', last_seen_at: null })
  const old = terminalView('Back office', { paired_at: '2025-01-20T09:00:00Z', revoked_at: '2025-03-10T16:00:00Z' })
  const { page, problems } = await ui.open(
    base({
      app_info: { ok: terminalInfo() },
      list_operators: { ok: [] },
      terminals: { ok: [desk1, desk2, old] },
      revoke_terminal: { ok: { ...desk2, revoked_at: '2025-03-12T15:00:00Z' } },
    }),
  )
  await signIn(page)
  await page.getByRole('button', { name: 'Operators & settings' }).click()
  const section = page.getByTestId('terminals')
  const rows = section.getByTestId('terminal')
  await rows.nth(2).waitFor()
  const cells = (row) => row.locator('td').evaluateAll((tds) => tds.map((td) => td.textContent.replace(/\s+/g, ' ').trim()))
  assert.deepEqual(await cells(rows.nth(0)), ['Desk 1', '1 Mar 2025', '12 Mar 2025, 14:55', 'Revoke'])
  assert.deepEqual(await cells(rows.nth(1)), ['Desk 2', '5 Mar 2025', 'Never', 'Revoke'])
  assert.deepEqual(await cells(rows.nth(2)), ['Back office', '20 Jan 2025', '12 Mar 2025, 14:55', 'Revoked 10 Mar 2025'])
  assert.equal(await rows.nth(2).getByRole('button').count(), 0)

  // Asked first; Cancel revokes nothing.
  await rows.nth(1).getByRole('button', { name: 'Revoke Desk 2' }).click()
  const confirm = page.getByRole('dialog', { name: 'Revoke Desk 2?' })
  await confirm.waitFor()
  assert.match(await confirm.textContent(), /It will be refused at its next request and its operators signed out\./)
  await confirm.getByRole('button', { name: 'Cancel' }).click()
  await confirm.waitFor({ state: 'detached' })
  assert.deepEqual(await calls(page, 'revoke_terminal'), [])

  await rows.nth(1).getByRole('button', { name: 'Revoke Desk 2' }).click()
  await confirm.getByRole('button', { name: 'Revoke Desk 2' }).click()
  await confirm.waitFor({ state: 'detached' })
  await section.getByTestId('terminals-notice').filter({ hasText: 'Desk 2 is revoked' }).waitFor()
  assert.deepEqual(
    (await calls(page, 'revoke_terminal')).map((c) => c.args),
    [{ token: TOKEN, terminalId: desk2.terminal_id }],
  )
  // Revoked ones after the live ones, each with its date.
  assert.deepEqual(await rows.evaluateAll((els) => els.map((e) => e.cells[0].textContent.trim())), ['Desk 1', 'Desk 2', 'Back office'])
  assert.deepEqual(await cells(rows.nth(1)), ['Desk 2', '5 Mar 2025', 'Never', 'Revoked 12 Mar 2025'])
  assert.equal(await section.getByRole('button', { name: /Revoke/ }).count(), 1)
  assert.deepEqual(problems, [])
})

test('no terminal paired: the settings say how to pair one; on a terminal the API is the server’s', async () => {
  const { page, problems } = await ui.open(base({ app_info: { ok: terminalInfo() }, list_operators: { ok: [] } }))
  await signIn(page)
  await page.getByRole('button', { name: 'Operators & settings' }).click()
  const empty = page.getByTestId('terminals-empty')
  await empty.waitFor()
  assert.equal((await empty.textContent()).trim(), 'No terminal is paired. Pair one with frontdesk terminals pair on the property server.')
  assert.match(await page.getByTestId('api-on-server').textContent(), /runs on the property server/)
  assert.equal(await page.getByRole('switch', { name: 'Allow the local API' }).count(), 0)
  assert.deepEqual(await calls(page, 'api_status'), [])
  await page.getByTestId('server-pms-link-off').filter({ hasText: 'The property server runs no PMS link.' }).waitFor()
  assert.deepEqual(await calls(page, 'pms_link'), [])
  assert.deepEqual(problems, [])
})

test('on a terminal the settings show how the property server’s PMS link stands', async () => {
  const link = {
    direction: 'connect',
    address: 'opera-ifc.hotel.lan:5010',
    encoding: 'windows-1252',
    peer: '10.0.0.20:5010',
    state: 'alive',
    last_record: 'KD',
    last_record_at: '2025-03-12T14:50:00Z',
    last_error: null,
  }
  const reaching = { ...link, peer: null, state: null, last_error: 'opera-ifc.hotel.lan:5010: connection refused' }
  const { page, problems } = await ui.open(
    base({ app_info: { ok: terminalInfo() }, list_operators: { ok: [] }, pms_link_status: [{ ok: link }, { ok: reaching }] }),
  )
  await signIn(page)
  await page.getByRole('button', { name: 'Operators & settings' }).click()
  const panel = page.getByTestId('server-pms-link')
  await panel.getByText('Connected: the PMS can order keys').waitFor()
  const text = async () => (await panel.textContent()).replace(/\s+/g, ' ')
  assert.match(await text(), /Connects to the PMS at opera-ifc\.hotel\.lan:5010, character set windows-1252\./)
  assert.match(await text(), /PMS 10\.0\.0\.20:5010/)
  assert.match(await text(), /Last record Check-out \(KD\), 12 Mar 2025, 14:50/)
  // Read again while open: the link dropped and the server is trying again.
  await panel.getByText('Trying to reach the PMS at opera-ifc.hotel.lan:5010').waitFor({ timeout: 5000 })
  assert.match(await text(), /Last problem opera-ifc\.hotel\.lan:5010: connection refused/)
  assert.equal(await panel.getByRole('switch').count(), 0)
  assert.deepEqual(await calls(page, 'pms_link'), [])
  assert.deepEqual(problems, [])
})

test('a receptionist never asks for the terminals', async () => {
  const { page, problems } = await ui.open(base({ app_info: { ok: terminalInfo() } }, receptionist))
  await signIn(page, receptionist)
  await roomButton(page, '101').waitFor()
  assert.equal(await page.getByRole('button', { name: 'Operators & settings' }).count(), 0)
  assert.deepEqual(await calls(page, 'terminals'), [])
  assert.deepEqual(problems, [])
})
