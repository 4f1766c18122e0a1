// The built UI in Chromium with the Rust side mocked (see harness.mjs).

import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { boardLayout } from './fixtures.mjs'
import { startUi } from './harness.mjs'

/** @type {Awaited<ReturnType<typeof startUi>>} */
let ui
before(async () => {
  ui = await startUi()
})
after(async () => {
  await ui?.close()
})

const quayside = {
  property_name: 'Quayside Test Inn',
  time_zone: 'Europe/Lisbon',
  locale: 'en-GB',
  encoders: [{ name: 'Encoder 1', state: 'simulated', simulated: true, serial: null }],
  terminal: null,
  restored: null,
}

test('the app shows the property and the encoder, and follows the encoder', async () => {
  const { page, problems } = await ui.open({
    app_info: { ok: quayside },
    operators_exist: { ok: true },
    board_layout: { ok: boardLayout() },
  })

  const name = page.getByTestId('property-name')
  await name.waitFor()
  assert.equal(await name.textContent(), 'Quayside Test Inn')
  const encoder = page.getByTestId('encoder-state')
  assert.equal((await encoder.textContent()).trim(), 'Simulated')

  await page.evaluate(() => window.__frontdeskMock.emit('encoder-state', { encoder: 0, state: 'disconnected' }))
  await page.getByTestId('encoder-state').filter({ hasText: 'No encoder' }).waitFor()

  const calls = await page.evaluate(() => window.__frontdeskMock.calls.map((c) => c.command))
  // Both asked at once at start-up, each once: the sign-in form takes the answer it needs;
  // then the rooms, which the board lays out behind the sign-in form.
  assert.deepEqual(calls, ['operators_exist', 'app_info', 'board_layout'])
  assert.deepEqual(problems, [])
})

test('a refused command shows the front desk’s message', async () => {
  const { page, problems } = await ui.open({
    app_info: {
      error: {
        type: 'database_too_new',
        message: 'The database was written by a newer version of the front desk.',
      },
    },
  })
  const error = page.getByTestId('error')
  await error.waitFor()
  assert.match(await error.textContent(), /written by a newer version/)
  assert.deepEqual(problems, [])
})
