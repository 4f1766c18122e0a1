// Signing in, and creating the first manager on a new installation.

import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { startUi } from './harness.mjs'
import { appInfo, base, board, calls, manager, receptionist, session, signIn } from './fixtures.mjs'

let ui
before(async () => {
  ui = await startUi()
})
after(async () => {
  await ui?.close()
})

test('a new installation creates the first manager, who lands on the room board', async () => {
  const { page, problems } = await ui.open(base({ operators_exist: { ok: false }, create_first_manager: { ok: session(manager) } }))
  await page.getByRole('heading', { name: 'Create the first manager' }).waitFor()

  // A PIN typed differently twice is caught before anything is sent.
  await page.getByLabel('Name').fill('Mia Manager')
  await page.getByLabel('PIN', { exact: true }).fill('2468')
  await page.getByLabel('PIN again').fill('2469')
  await page.getByRole('button', { name: 'Create manager and sign in' }).click()
  await page.getByText('The two PINs differ.').waitFor()
  assert.deepEqual(await calls(page, 'create_first_manager'), [])

  await page.getByLabel('PIN', { exact: true }).fill('2468')
  await page.getByLabel('PIN again').fill('2468')
  await page.getByRole('button', { name: 'Create manager and sign in' }).click()
  await page.getByTestId('room-board').waitFor()

  assert.deepEqual(
    (await calls(page, 'create_first_manager')).map((c) => c.args),
    [{ name: 'Mia Manager', pin: '2468' }],
  )
  const operator = page.getByTestId('operator')
  assert.match(await operator.textContent(), /Mia Manager\s*Manager/)
  assert.equal(await page.getByTestId('property-name').textContent(), appInfo.property_name)
  assert.equal((await page.getByTestId('encoder-state').textContent()).trim(), 'Simulated')
  // Every call after sign-in carries the session's token.
  assert.deepEqual(
    (await calls(page, 'room_board')).map((c) => c.args),
    [{ token: 'token-Mia Manager' }],
  )
  assert.deepEqual(problems, [])
})

test('a wrong PIN is refused in the front desk’s words; the right one signs in; sign out returns', async () => {
  const { page, problems } = await ui.open(
    base({
      sign_in: [
        { error: { type: 'unauthorized', message: 'That name and PIN do not match: check them and try again.' } },
        {
          error: {
            type: 'too_many_attempts',
            message: 'Too many wrong PINs in a row for this name. Try again in 2 seconds, or ask a manager to set a new PIN.',
            retry_after_seconds: 2,
          },
        },
        { ok: session(receptionist) },
      ],
    }),
  )
  await page.getByRole('heading', { name: 'Sign in' }).waitFor()
  await page.getByLabel('Name').fill('Rex Desk')
  await page.getByLabel('PIN', { exact: true }).fill('1111')
  await page.getByRole('button', { name: 'Sign in' }).click()
  const error = page.getByTestId('error')
  await error.waitFor()
  // One sentence: what happened and what to do.
  assert.equal((await error.innerText()).trim(), 'That name and PIN do not match: check them and try again.')

  // Locked out: the wait ticks down, then clears. The button stays: a manager may have set a
  // new PIN meanwhile, which lifts the lock-out.
  await page.getByLabel('PIN', { exact: true }).fill('2222')
  await page.getByRole('button', { name: 'Sign in' }).click()
  const locked = page.getByTestId('locked-out')
  await locked.filter({ hasText: 'Try again in 0:02' }).waitFor()
  assert.equal(await page.getByRole('button', { name: 'Sign in' }).isDisabled(), false)
  await locked.filter({ hasText: 'Try again in 0:01' }).waitFor()
  await locked.waitFor({ state: 'detached', timeout: 4000 })

  await signIn(page, receptionist, '1357')
  assert.deepEqual(
    (await calls(page, 'sign_in')).map((c) => c.args),
    [
      { name: 'Rex Desk', pin: '1111' },
      { name: 'Rex Desk', pin: '2222' },
      { name: 'Rex Desk', pin: '1357' },
    ],
  )
  await page.getByRole('button', { name: 'Sign out' }).click()
  await page.getByRole('heading', { name: 'Sign in' }).waitFor()
  assert.deepEqual(
    (await calls(page, 'sign_out')).map((c) => c.args),
    [{ token: 'token-Rex Desk' }],
  )
  assert.deepEqual(problems, [])
})

test('an expired session sends the operator back to sign in', async () => {
  const { page, problems } = await ui.open(base({ room_board: { error: { type: 'unauthorized', message: 'Your session has expired.' } } }))
  await page.getByLabel('Name').fill(manager.name)
  await page.getByLabel('PIN', { exact: true }).fill('2468')
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.waitForFunction(() => window.__frontdeskMock.calls.some((c) => c.command === 'room_board'))
  await page.getByRole('heading', { name: 'Sign in' }).waitFor()
  await page.getByText('Your session has ended. Sign in again to carry on.').waitFor()
  assert.deepEqual(problems, [])
})

test('the first screen restores a backup: a wrong password is named, a good one closes the desk to restore it', async () => {
  const { page, problems } = await ui.open(
    base({
      operators_exist: { ok: false },
      restore_backup: [
        {
          error: {
            type: 'invalid_input',
            field: 'password',
            message: 'password does not open this backup: it is not the backup password the backup was made with.',
          },
        },
        { ok: 'Harbor View Hotel' },
      ],
    }),
  )
  await page.getByRole('heading', { name: 'Create the first manager' }).waitFor()
  const restore = page.getByTestId('restore-backup')
  await restore.getByText('Restore from a backup…').click()
  await restore.getByLabel('Backup file').fill('/mnt/backups/frontdesk-20250312-150000.fdbackup')
  await restore.getByLabel('Backup password').fill('harbour lights at dawn')
  await restore.getByRole('button', { name: 'Restore' }).click()
  await restore.getByText('Password does not open this backup: it is not the backup password the backup was made with.').waitFor()
  assert.equal(await restore.getByLabel('Backup password').inputValue(), '', 'the password is not kept')
  await restore.getByLabel('Backup password').fill('harbour lights at dusk')
  await restore.getByRole('button', { name: 'Restore' }).click()
  await restore.getByText('The backup is good. The front desk closes and opens again on it.').waitFor()
  assert.deepEqual(
    (await calls(page, 'restore_backup')).map((c) => c.args),
    [
      { file: '/mnt/backups/frontdesk-20250312-150000.fdbackup', password: 'harbour lights at dawn' },
      { file: '/mnt/backups/frontdesk-20250312-150000.fdbackup', password: 'harbour lights at dusk' },
    ],
  )
  assert.deepEqual(problems, [])
})

test('after a restore the first screen says what it did', async () => {
  const restored = {
    property_name: 'Harbor View Hotel',
    made_at: '2025-03-12T15:00:00Z',
    set_aside: '/home/desk/.local/share/com.frontdesk.desk/frontdesk.db.before-restore-20250312-160000',
    card_keys_restored: true,
    error: null,
  }
  const { page, problems } = await ui.open(base({ app_info: { ok: { ...appInfo, restored } } }))
  const outcome = page.getByTestId('restore-outcome')
  await outcome.waitFor()
  assert.match(await outcome.textContent(), /Restored Harbor View Hotel as it was on 12 Mar 2025, 15:00\./)
  assert.match(await outcome.textContent(), /kept as \/home\/desk\/.*before-restore-20250312-160000/)
  assert.match(await outcome.textContent(), /The card keys came from the backup\./)
  assert.deepEqual(problems, [])
})

test('the keyboard: ? lists the shortcuts, Alt+digit goes to a screen, / finds a room', async () => {
  const { page, problems } = await ui.open(base({ warnings: { ok: [] }, audit_log: { ok: [] }, list_operators: { ok: [] } }))
  await signIn(page)
  await page.getByTestId('room-board').waitFor()
  await page.keyboard.press('?')
  const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' })
  await help.getByText('Go to a screen, in the order of the menu').waitFor()
  await page.keyboard.press('Escape')
  await help.waitFor({ state: 'detached' })

  await page.keyboard.press('Alt+6')
  await page.getByTestId('manager').waitFor()
  assert.equal(await page.getByRole('button', { name: 'Manager' }).getAttribute('aria-current'), 'page')
  await page.keyboard.press('Alt+2')
  await page.getByTestId('read-card').waitFor()

  await page.keyboard.press('/')
  const search = page.getByTestId('board-search')
  await search.waitFor()
  assert.equal(await search.evaluate((element) => element === document.activeElement), true)
  // Typed into a field, ? is a character, not a shortcut.
  await page.keyboard.type('10?')
  assert.equal(await search.inputValue(), '10?')
  assert.equal(await page.getByRole('dialog', { name: 'Keyboard shortcuts' }).count(), 0)
  assert.deepEqual(problems, [])
})

test('each operator reads the desk in their own language, chosen at sign-in or in the header', async () => {
  const { page, problems } = await ui.open(
    base({
      sign_in: [{ ok: session(receptionist, 'es') }, { ok: session(manager) }],
      set_my_language: { ok: null },
      sign_out: { ok: null },
    }),
  )
  // Rex reads Spanish: the desk speaks it from the moment he is signed in.
  await page.getByLabel('Name').fill('Rex Desk')
  await page.getByLabel('PIN', { exact: true }).fill('1357')
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.getByRole('button', { name: 'Panel de habitaciones' }).waitFor()
  assert.equal(await page.locator('html').getAttribute('lang'), 'es')
  assert.equal(await page.getByTestId('language-choice').inputValue(), 'es')
  assert.deepEqual(await calls(page, 'set_my_language'), [], 'his own language: nothing to keep')

  // Back at the sign-in screen, which speaks what the PC spoke last. Mia chooses English
  // there, and it becomes her language once she is signed in.
  await page.getByRole('button', { name: 'Cerrar sesión' }).click()
  await page.getByRole('heading', { name: 'Iniciar sesión' }).waitFor()
  await page.getByTestId('language-choice').selectOption('en')
  await page.getByRole('heading', { name: 'Sign in' }).waitFor()
  await page.getByLabel('Name').fill('Mia Manager')
  await page.getByLabel('PIN', { exact: true }).fill('2468')
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.getByRole('button', { name: 'Room board' }).waitFor()
  assert.deepEqual(await calls(page, 'set_my_language'), [], 'English was already hers')

  // In the header she switches to Spanish, which is kept for her next sign-in.
  await page.getByTestId('language-choice').selectOption('es')
  await page.getByRole('button', { name: 'Panel de habitaciones' }).waitFor()
  assert.deepEqual(
    (await calls(page, 'set_my_language')).map((c) => c.args),
    [{ token: 'token-Mia Manager', language: 'es' }],
  )
  assert.deepEqual(problems, [])
})

test('a language that cannot be kept leaves the desk in the one it spoke, and says why', async () => {
  const { page, problems } = await ui.open(
    base({
      sign_in: { ok: session(manager) },
      set_my_language: { error: { type: 'server_unreachable', message: 'The property server cannot be reached.' } },
    }),
  )
  await signIn(page, manager)
  await page.getByTestId('language-choice').selectOption('es')
  await page.getByRole('alert').filter({ hasText: 'Your language was not kept' }).waitFor()
  assert.equal(await page.getByTestId('language-choice').inputValue(), 'en')
  await page.getByRole('button', { name: 'Room board' }).waitFor()
  assert.deepEqual(problems, [])
})

test('the board is laid out behind the sign-in form, filled in at sign-in and emptied at sign-out', async () => {
  const { page, problems } = await ui.open(base())
  await page.getByLabel('Name').waitFor()
  // The rooms are there, out of sight and out of reach, with no one in them.
  const tile = page.locator('[data-testid="room"][data-room="102"]')
  await tile.waitFor({ state: 'attached' })
  assert.equal(await tile.isVisible(), false)
  assert.equal(await page.getByTestId('room-board').count(), 0)
  assert.doesNotMatch(await page.locator('main').textContent(), /Ana Silva/)
  await tile.evaluate((element) => (element.dataset.laidOutBeforeSignIn = 'yes'))

  await signIn(page)
  await page.getByTestId('room-board').waitFor()
  await page.getByText('Ana Silva').first().waitFor()
  // The same tile, its guests filled in: nothing was built again.
  assert.equal(await tile.getAttribute('data-laid-out-before-sign-in'), 'yes')
  assert.equal(await tile.isVisible(), true)

  await page.getByRole('button', { name: 'Sign out' }).click()
  await page.getByLabel('Name').waitFor()
  assert.doesNotMatch(await page.locator('main').textContent(), /Ana Silva/, 'no guest is left behind the form')
  assert.deepEqual(
    (await calls(page)).filter((c) => ['board_layout', 'room_board'].includes(c.command)).map((c) => c.command),
    ['board_layout', 'room_board', 'board_layout'],
  )
  assert.deepEqual(problems, [])
})

test('a board that cannot be read at sign-in is said, never shown as rooms all vacant', async () => {
  const { page, problems } = await ui.open(
    base({ room_board: [{ error: { type: 'database_busy', message: 'The database is busy: try again.' } }, { ok: board() }] }),
  )
  await page.getByLabel('Name').waitFor()
  await page.locator('[data-testid="room"]').first().waitFor({ state: 'attached' })
  await signIn(page)
  await page.getByText('The database is busy: try again.').waitFor()
  assert.equal(await page.locator('[data-testid="room"]').count(), 0, 'no room laid out before sign-in is left to read as vacant')
  await page.getByRole('button', { name: 'Retry' }).click()
  await page.getByText('Ana Silva').first().waitFor()
  assert.deepEqual(problems, [])
})
