// A property server (`frontdesk serve --terminals-listen`) with two real desktop terminals,
// each paired with a code from `frontdesk terminals pair`, each with its own simulated
// encoder, driven through their own tauri-driver: a guest checked in at one shows on the
// other's board without a refresh; the PMS encodes on a terminal's encoder through the `seam`
// SDK and over FIAS, and a manager at a terminal sees the server's FIAS link come alive; a used
// pairing code is refused.

import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { after, before, test } from 'node:test'
import { By } from 'selenium-webdriver'
import { Seam } from 'seam'
import { APP, openTerminal, repoDir, startServer, startTauriDriver, stopServer } from './driver.mjs'
import { field, pms } from './pms.mjs'
import { byButton, byLabel, byTestId, checkIn, click, room, screenshot, type, waitFor } from './ui.mjs'

const TIMEOUT = { timeout: 240_000 }
const FRONTDESK = process.env.FRONTDESK_BIN ?? path.join(repoDir, 'target/debug/frontdesk')
const API_KEY = 'seam_e2e_terminals_0123456789abcdef'
const MANAGER = { name: 'Mia Manager', pin: '2468' }

let dir
let server
let drivers = []

/** Runs the `frontdesk` tool with `input` on standard input; its stdout, or a failure. */
function tool(args, input = '') {
  const run = spawnSync(FRONTDESK, args, { input, encoding: 'utf8' })
  if (run.status !== 0) throw new Error(`frontdesk ${args.join(' ')}: ${run.stderr}`)
  return run.stdout
}

/** A pairing code for a terminal called `name`: the last word `frontdesk terminals pair` prints. */
function pairingCode(name) {
  return tool(['terminals', 'pair', '--db', server.db, '--name', name]).trim().split(/\s+/).at(-1)
}

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'frontdesk-e2e-terminals-'))
  const db = path.join(dir, 'server.db')
  const started = await startServer(FRONTDESK, db, API_KEY, ['--terminals-listen', '127.0.0.1:0', '--fias-listen', '127.0.0.1:0'])
  const fias = started.output.match(/the PMS link listens on 127\.0\.0\.1:(\d+)/)
  assert.ok(fias, started.output)
  server = { ...started, db, fiasPort: Number(fias[1]) }
  tool(['operators', 'add', '--db', db, '--name', MANAGER.name, '--role', 'manager'], `${MANAGER.pin}\n`)
  drivers = [await startTauriDriver(), await startTauriDriver()]
})

after(async () => {
  for (const driver of drivers) await driver.stop()
  await stopServer(server)
  if (dir) rmSync(dir, { recursive: true, force: true })
})

async function signIn(session) {
  await waitFor(session, By.xpath('//h1|//h2'), { text: 'Sign in', timeout: 30_000 })
  await type(session, byLabel('Name'), MANAGER.name)
  await type(session, byLabel('PIN'), MANAGER.pin)
  await click(session, byButton('Sign in'))
  await waitFor(session, byTestId('room-board'))
}

/** A terminal called `name`, paired now, signed in as the manager. */
async function terminal(driver, name) {
  const folder = mkdtempSync(path.join(dir, 'terminal-'))
  const app = await openTerminal(driver.url, folder, pairingCode(name))
  await signIn(app.session)
  return app
}

test('a guest checked in at one terminal shows on the other terminal’s board', TIMEOUT, async () => {
  const desk2 = await terminal(drivers[0], 'Desk 2')
  const desk3 = await terminal(drivers[1], 'Desk 3')
  try {
    for (const [app, name] of [
      [desk2, 'Desk 2'],
      [desk3, 'Desk 3'],
    ]) {
      const state = await waitFor(app.session, byTestId('server-state'))
      assert.match(await state.getText(), new RegExp(name))
      assert.equal(await (await waitFor(app.session, byTestId('property-name'))).getText(), 'Harbor View Hotel')
    }
    await waitFor(desk3.session, room('101'))
    await checkIn(desk2.session, '101', ['Ada Lovelace'])
    // Desk 3 did nothing: its board follows the server.
    await waitFor(
      desk3.session,
      By.xpath('//*[@data-room="room-101"]/..//*[@data-testid="stay-chip"][contains(normalize-space(.), "Ada Lovelace")]'),
      { timeout: 10_000 },
    )
    await screenshot(desk2.session, 'terminal-checked-in')
    await screenshot(desk3.session, 'terminal-live-board')
  } catch (error) {
    await screenshot(desk2.session, 'failed-terminal-desk-2').catch(() => {})
    await screenshot(desk3.session, 'failed-terminal-desk-3').catch(() => {})
    throw error
  } finally {
    await desk2.close().catch(() => {})
    await desk3.close().catch(() => {})
  }
})

test('the PMS encodes on a terminal’s encoder through the seam SDK', TIMEOUT, async () => {
  const desk4 = await terminal(drivers[0], 'Desk 4')
  try {
    const seam = new Seam({ apiKey: API_KEY, endpoint: server.endpoint })
    let encoder
    for (let tries = 0; tries < 100 && !encoder; tries++) {
      const encoders = await seam.acs.encoders.list()
      encoder = encoders.find((found) => found.display_name === 'Desk 4 encoder (simulated)' && found.state === 'simulated')
      if (!encoder) await new Promise((resolve) => setTimeout(resolve, 100))
    }
    assert.ok(encoder, 'Desk 4’s encoder is an encoder of the property, ready')
    const spaces = await seam.spaces.list()
    const room102 = spaces.find((space) => space.name === 'Room 102')
    const now = new Date()
    const grant = await seam.accessGrants.create({
      user_identity: { full_name: 'Grace Hopper' },
      space_ids: [room102.space_id],
      starts_at: now.toISOString(),
      ends_at: new Date(now.getTime() + 2 * 86_400_000).toISOString(),
      requested_access_methods: [{ mode: 'card' }],
      reservation_key: 'pms-e2e-1',
    })
    const [method] = await seam.accessMethods.list({ access_grant_id: grant.access_grant_id })
    const attempt = await seam.acs.encoders.encodeCredential({
      acs_encoder_id: encoder.acs_encoder_id,
      access_method_id: method.access_method_id,
    })
    assert.equal(attempt.status, 'success', JSON.stringify(attempt))
    // The card is on Desk 4's pad: reading it there says whose it is.
    const { session } = desk4
    await click(session, By.xpath('//nav//button[normalize-space()="Read card"]'))
    const reader = await waitFor(session, byTestId('read-card'))
    await click(session, byButton('Read card'), { scope: reader })
    await waitFor(session, byTestId('card-owner'), { text: 'Grace Hopper' })
    await screenshot(session, 'terminal-pms-encoded')
  } catch (error) {
    await screenshot(desk4.session, 'failed-terminal-pms').catch(() => {})
    throw error
  } finally {
    await desk4.close().catch(() => {})
  }
})

test('the PMS orders a key over FIAS on a terminal’s encoder; the terminal’s manager sees the link alive', TIMEOUT, async () => {
  const desk6 = await terminal(drivers[1], 'Desk 6')
  const { session } = desk6
  let link
  try {
    assert.match(
      tool(['encoders', 'set-pms-code', '--db', server.db, 'Desk 6 encoder', '--code', 'D6']),
      /Desk 6 encoder: the PMS names it D6/,
    )
    await click(session, By.xpath('//nav//button[normalize-space()="Operators & settings"]'))
    await waitFor(session, byTestId('server-pms-link'))
    await waitFor(session, byTestId('pms-link-status'), { text: `Waiting for the PMS on 127.0.0.1:${server.fiasPort}` })

    link = await pms(server.fiasPort)
    link.send('LS|')
    await link.nextOf('LA')
    link.send('LA|')
    const today = new Date()
    const day = (date) => date.toISOString().slice(2, 10).replaceAll('-', '')
    const tomorrow = new Date(today.getTime() + 86_400_000)
    link.send(`KR|KCD6|KTN|RN103|WS2|G#7070|GNKatherine Johnson|GA${day(today)}|GD${day(tomorrow)}|`)
    const answer = await link.nextOf('KA')
    assert.equal(field(answer, 'AS'), 'OK', answer)
    assert.equal(field(answer, 'CT'), '1 key for Room 103')

    const status = await waitFor(session, byTestId('pms-link-status'), { text: 'Connected: the PMS can order keys', timeout: 10_000 })
    assert.match(await status.getText(), /Key request \(KR\)/)
    await screenshot(session, 'terminal-pms-link')
    // The card is on Desk 6's pad: reading it there says whose it is.
    await click(session, By.xpath('//nav//button[normalize-space()="Read card"]'))
    const reader = await waitFor(session, byTestId('read-card'))
    await click(session, byButton('Read card'), { scope: reader })
    await waitFor(session, byTestId('card-owner'), { text: 'Katherine Johnson' })
  } catch (error) {
    await screenshot(session, 'failed-terminal-fias').catch(() => {})
    throw error
  } finally {
    link?.close()
    await desk6.close().catch(() => {})
  }
})

test('a used pairing code is refused and pairs nothing', TIMEOUT, async () => {
  const code = pairingCode('Desk 5')
  const first = mkdtempSync(path.join(dir, 'terminal-'))
  const desk5 = await openTerminal(drivers[1].url, first, code)
  await desk5.close().catch(() => {})
  const second = mkdtempSync(path.join(dir, 'terminal-'))
  const run = spawnSync(APP, ['--pair', code, '--terminal-file', path.join(second, 'terminal.json')], {
    encoding: 'utf8',
    timeout: 60_000,
  })
  assert.notEqual(run.status, 0)
  assert.match(run.stderr, /pairing code is not valid/)
  const listed = tool(['terminals', 'list', '--db', server.db])
  assert.equal(listed.match(/^Desk 5\t/gm)?.length, 1, listed)
})
