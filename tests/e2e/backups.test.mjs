// Backups in the real app: a manager sets them up and makes one; a new desk's first screen
// restores it, closing and starting again on the restored database.

import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { after, before, test } from 'node:test'
import { By } from 'selenium-webdriver'
import { openApp, startTauriDriver } from './driver.mjs'
import { byButton, byLabel, byTestId, click, firstManager, screenshot, type, waitFor } from './ui.mjs'

const TIMEOUT = { timeout: 240_000 }
const PASSWORD = 'harbour lights at dusk'

let driver
before(async () => {
  driver = await startTauriDriver()
})
after(async () => {
  await driver?.stop()
})

/** Waits until `check` holds, up to `ms`. */
async function until(check, ms, what) {
  const deadline = Date.now() + ms
  while (Date.now() < deadline) {
    if (check()) return
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  throw new Error(`timed out waiting until ${what}`)
}

test('a manager backs the desk up; a new desk’s first screen restores it and starts again on it', TIMEOUT, async () => {
  const kept = mkdtempSync(path.join(tmpdir(), 'frontdesk-e2e-backups-'))
  let backup
  const first = await openApp(driver.url, ['--property', 'demo'])
  try {
    const session = first.session
    await firstManager(session)
    await click(session, By.xpath('//nav//button[normalize-space()="Operators & settings"]'))
    const panel = await waitFor(session, byTestId('backups'), { text: 'No backup has been made yet.' })
    await type(session, byLabel('Backup password'), PASSWORD, { scope: panel })
    await type(session, byLabel('The same password again'), PASSWORD, { scope: panel })
    await click(session, byButton('Set password'), { scope: panel })
    await waitFor(session, By.css('[role="status"]'), { scope: panel, text: 'The backup password is set.' })

    // A folder that is not a full path is named; then a real one.
    const folder = path.join(first.dataDir, 'backups')
    await type(session, byLabel('Folder (another disk or a network share)'), 'backups', { scope: panel })
    await click(session, byButton('Save'), { scope: panel })
    await waitFor(session, By.css('.problem'), { scope: panel, text: 'Folder must be a full path' })
    await type(session, byLabel('Folder (another disk or a network share)'), folder, { scope: panel })
    await click(session, byButton('Save'), { scope: panel })
    await waitFor(session, By.css('[role="status"]'), { scope: panel, text: `Backups go to ${folder} every 24 hours.` })
    await click(session, byButton('Back up now'), { scope: panel })
    await waitFor(session, byTestId('last-backup'), { scope: panel, text: 'Last backup:' })
    const files = await waitFor(session, byTestId('backup-files'), { scope: panel })
    assert.match(await files.getText(), /frontdesk-[0-9a-f]{8}-\d{8}-\d{6}\.fdbackup/)
    await screenshot(session, 'backups')
    // The schedule may have made one of its own meanwhile: the newest is taken.
    const made = readdirSync(folder)
      .filter((name) => name.endsWith('.fdbackup'))
      .sort()
    assert.ok(made.length >= 1)
    backup = path.join(kept, made.at(-1))
    copyFileSync(path.join(folder, made.at(-1)), backup)
  } finally {
    await first.close()
  }

  const second = await openApp(driver.url, ['--property', 'demo'])
  const db = path.join(second.dataDir, 'frontdesk.db')
  try {
    const session = second.session
    await waitFor(session, By.xpath('//h2'), { text: 'Create the first manager' })
    const restore = await waitFor(session, byTestId('restore-backup'))
    await click(session, By.xpath('.//summary'), { scope: restore })
    await type(session, byLabel('Backup file'), backup, { scope: restore })
    await type(session, byLabel('Backup password'), 'harbour lights at dawn', { scope: restore })
    await click(session, byButton('Restore'), { scope: restore })
    await waitFor(session, By.css('.problem'), { scope: restore, text: 'it is not the backup password' })
    await screenshot(session, 'restore-refused')
    await type(session, byLabel('Backup password'), PASSWORD, { scope: restore })
    await click(session, byButton('Restore'), { scope: restore })
    // The app closes, and starts again on its own to restore: the database it replaced is
    // set aside beside it.
    await until(
      () => readdirSync(second.dataDir).some((name) => name.startsWith('frontdesk.db.before-restore-')),
      30_000,
      'the restarted desk restored the backup',
    )
  } finally {
    // The desk that started again is not this session's: it is stopped by its command line.
    try {
      execFileSync('pkill', ['-f', `restore-from ${backup}`])
    } catch {
      // already gone
    }
    await second.session.quit().catch(() => {})
  }

  // Opened again on the restored database: the manager of the backed-up desk signs in.
  const again = await openApp(driver.url, ['--db', db])
  try {
    const session = again.session
    await waitFor(session, By.xpath('//h2'), { text: 'Sign in' })
    await type(session, byLabel('Name'), 'Mia Manager')
    await type(session, byLabel('PIN'), '2468')
    await click(session, byButton('Sign in'))
    await waitFor(session, byTestId('room-board'))
    assert.ok(existsSync(`${db}.card-keys.json`))
  } finally {
    await again.close()
    rmSync(second.dataDir, { recursive: true, force: true })
    rmSync(kept, { recursive: true, force: true })
  }
})
