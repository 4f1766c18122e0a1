// The real app, release build with the UI embedded, on the demo hotel and the simulated
// encoder.

import assert from 'node:assert/strict'
import { mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { after, before, test } from 'node:test'
import { By, until } from 'selenium-webdriver'
import { openApp, repoDir, startTauriDriver, windowTitles } from './driver.mjs'

const SCREENSHOTS = path.join(repoDir, 'tests/e2e/screenshots')

/** @type {Awaited<ReturnType<typeof startTauriDriver>>} */
let driver
before(async () => {
  driver = await startTauriDriver()
})
after(async () => {
  await driver?.stop()
})

test('the app opens on the demo hotel with the simulated encoder', { timeout: 60_000 }, async () => {
  const app = await openApp(driver.url, ['--property', 'demo'])
  try {
    const { session } = app
    const name = await session.wait(until.elementLocated(By.css('[data-testid="property-name"]')), 15_000)
    assert.equal(await name.getText(), 'Harbor View Hotel')
    const encoder = await session.findElement(By.css('[data-testid="encoder-state"]'))
    assert.equal(await encoder.getText(), 'Simulated')

    assert.ok(
      windowTitles().includes('Front desk — Harbor View Hotel'),
      `the window is titled by the property: ${JSON.stringify(windowTitles())}`,
    )

    mkdirSync(SCREENSHOTS, { recursive: true })
    writeFileSync(path.join(SCREENSHOTS, 'main-window.png'), await session.takeScreenshot(), 'base64')
  } finally {
    await app.close()
  }
})
