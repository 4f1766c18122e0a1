// The PMS's key link at a standalone desk, end to end: a manager switches it on in the
// settings; a PMS (here a plain TCP client speaking FIAS, as IFC8 or a bridge does) starts the
// link and orders a new guest's key; the card is encoded on the desk's simulated encoder, the
// settings show the link alive, and the room board shows the guest.

import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { By } from 'selenium-webdriver'
import { freePort, openApp, startTauriDriver } from './driver.mjs'
import { field, pms } from './pms.mjs'
import { byLabel, byTestId, chip, click, firstManager, screenshot, type, waitFor } from './ui.mjs'

const TIMEOUT = { timeout: 180_000 }

let driver
before(async () => {
  driver = await startTauriDriver()
})
after(async () => {
  await driver?.stop()
})

function yymmdd(date) {
  return date.toISOString().slice(2, 10).replaceAll('-', '')
}

test('a manager switches the PMS link on; the PMS orders a key and the desk encodes it', TIMEOUT, async () => {
  const port = await freePort()
  const app = await openApp(driver.url)
  const { session } = app
  let link
  try {
    await firstManager(session)
    await click(session, By.xpath('//nav//button[normalize-space()="Operators & settings"]'))
    const panel = await waitFor(session, byTestId('pms-link'))
    await type(session, byLabel('Listen on (this computer)'), `127.0.0.1:${port}`, { scope: panel })
    await click(session, byTestId('pms-link-toggle'))
    await waitFor(session, byTestId('pms-link-status'), { text: `Waiting for the PMS on 127.0.0.1:${port}` })

    link = await pms(port)
    link.send('LS|DA261207|TI101500|')
    const description = await link.nextOf('LD')
    assert.match(description, /IFDL/)
    await link.nextOf('LA')
    link.send('LA|')
    const today = new Date()
    const tomorrow = new Date(today.getTime() + 86_400_000)
    link.send(`KR|KC1|KTN|RN101|WS7|G#5150|GNAda Lovelace|GA${yymmdd(today)}|GD${yymmdd(tomorrow)}|`)
    const answer = await link.nextOf('KA')
    assert.equal(field(answer, 'AS'), 'OK', answer)
    assert.equal(field(answer, 'CT'), '1 key for Room 101')
    assert.equal(field(answer, 'WS'), '7')
    assert.match(field(answer, '$2') ?? '', /^[0-9A-F]+$/i)

    const status = await waitFor(session, byTestId('pms-link-status'), { text: 'Connected: the PMS can order keys' })
    assert.match(await status.getText(), /Key request \(KR\)/)
    await screenshot(session, 'pms-link-settings')

    await click(session, By.xpath('//nav//button[normalize-space()="Room board"]'))
    await waitFor(
      session,
      By.xpath('//*[@data-room="room-101"]/..//*[@data-testid="stay-chip"][contains(normalize-space(.), "Ada Lovelace")]'),
    )
    assert.ok(await (await session.findElement(chip('101'))).isDisplayed())
  } finally {
    link?.close()
    await app.close()
  }
})
