// A manager's keys in the real app (release build, demo hotel, simulated encoder): a
// housekeeping card for a whole floor of twenty rooms is set up with one tick, encoded, and
// opens that floor's rooms at the door simulator, and no other floor's; an emergency key; a
// one-shot key that opens its room once; a lock-out card that shuts a guest out until lifted.

import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { By } from 'selenium-webdriver'
import { openApp, startTauriDriver } from './driver.mjs'
import {
  byButton,
  byLabel,
  byTestId,
  checkIn,
  choose,
  click,
  closeDialog,
  encodeAll,
  firstManager,
  openStay,
  screenshot,
  type,
  waitFor,
} from './ui.mjs'

const TIMEOUT = { timeout: 180_000 }

let driver
before(async () => {
  driver = await startTauriDriver()
})
after(async () => {
  await driver?.stop()
})

async function withApp(body) {
  const app = await openApp(driver.url, ['--property', 'demo'])
  try {
    await body(app.session)
  } catch (error) {
    await screenshot(app.session, 'staff-failed').catch(() => {})
    throw error
  } finally {
    await app.close()
  }
}

/** Presents `card` at `door` in the door simulator; returns the decision's element once the
 * simulator's log has the new line. */
async function present(session, screen, door, card) {
  await choose(session, await waitFor(session, byLabel('Door'), { scope: screen }), door)
  await choose(session, await waitFor(session, byLabel('Card'), { scope: screen }), card)
  const logLines = () => screen.findElements(By.css('[data-testid="simulator-log"] tbody tr'))
  const before = (await logLines()).length
  await click(session, byButton('Present card'), { scope: screen })
  await session.wait(async () => (await logLines()).length > before, 20_000)
  return waitFor(session, byTestId('lock-decision'), { scope: screen })
}

test('a housekeeping card for floor 1 is encoded and opens floor 1’s rooms, not floor 2’s', TIMEOUT, async () => {
  await withApp(async (session) => {
    await firstManager(session)
    await click(session, By.xpath('//nav//button[normalize-space()="Staff cards"]'))
    const screen = await waitFor(session, byTestId('staff-cards'))
    const form = await waitFor(session, byTestId('staff-form'), { scope: screen })
    await type(session, byLabel('Name'), 'Hana Housekeeping', { scope: form })
    await click(session, byLabel('Floor 1 — 20 rooms'), { scope: form })
    await click(session, byLabel('Lobby door'), { scope: form })
    await waitFor(session, byTestId('staff-doors-summary'), { scope: form, text: 'Opens: Floor 1 (20 rooms), Lobby door.' })
    await screenshot(session, 'staff-floor-form')
    await click(session, byButton('Issue staff card'), { scope: form })
    await encodeAll(session, screen)

    const row = await waitFor(session, byTestId('staff-row'), { scope: screen, text: 'Encoded, 1 card' })
    assert.match(await row.getText(), /Hana Housekeeping\s*Floor 1 \(20 rooms\), Lobby door/)
    await screenshot(session, 'staff-floor-encoded')

    await click(session, By.xpath('//nav//button[normalize-space()="Door simulator"]'))
    const simulator = await waitFor(session, byTestId('door-simulator'))
    for (const door of ['Room 101', 'Room 115', 'Room 120']) {
      const verdict = await present(session, simulator, door, 'Hana Housekeeping')
      assert.match(await verdict.getAttribute('class'), /granted/, door)
    }
    const refused = await present(session, simulator, 'Room 201', 'Hana Housekeeping')
    assert.match(await refused.getAttribute('class'), /denied/)
    assert.match(await refused.getText(), /This card is not for Room 201/)
    await screenshot(session, 'staff-floor-door-simulator')
  })
})

test('an emergency key opens a room whose guest threw the deadbolt; a floor card does not', TIMEOUT, async () => {
  await withApp(async (session) => {
    await firstManager(session)
    await click(session, By.xpath('//nav//button[normalize-space()="Staff cards"]'))
    const screen = await waitFor(session, byTestId('staff-cards'))
    let form = await waitFor(session, byTestId('staff-form'), { scope: screen })
    await type(session, byLabel('Name'), 'Dora Duty', { scope: form })
    await click(session, byLabel('Emergency key: every door, a thrown deadbolt included (manager only)'), { scope: form })
    await click(session, byButton('Issue staff card'), { scope: form })
    await encodeAll(session, screen)
    const row = await waitFor(session, byTestId('staff-row'), { scope: screen, text: 'Encoded, 1 card' })
    assert.match(await row.getText(), /Dora Duty\s*Every door, a thrown deadbolt included \(emergency key\)/)

    // Housekeeping for floor 1 on the housekeeping shift, for comparison.
    form = await waitFor(session, byTestId('staff-form'), { scope: screen })
    await type(session, byLabel('Name'), 'Hana Housekeeping', { scope: form })
    await click(session, byLabel('Floor 1 — 20 rooms'), { scope: form })
    await choose(session, await waitFor(session, byLabel('Shift'), { scope: form }), 'Any time')
    await click(session, byButton('Issue staff card'), { scope: form })
    await encodeAll(session, screen)
    await waitFor(session, byTestId('staff-row'), { scope: screen, text: 'Hana Housekeeping' })
    await screenshot(session, 'staff-emergency-key')

    await click(session, By.xpath('//nav//button[normalize-space()="Door simulator"]'))
    const simulator = await waitFor(session, byTestId('door-simulator'))
    await choose(session, await waitFor(session, byLabel('Door'), { scope: simulator }), 'Room 104')
    const deadbolt = await waitFor(session, byTestId('deadbolt'), { scope: simulator })
    await click(session, byButton('Throw the deadbolt (guest inside)'), { scope: deadbolt })
    await waitFor(session, byTestId('deadbolt'), { scope: simulator, text: 'thrown from inside' })
    const refused = await present(session, simulator, 'Room 104', 'Hana Housekeeping')
    assert.match(await refused.getAttribute('class'), /denied/)
    assert.match(await refused.getText(), /deadbolt/)
    const opened = await present(session, simulator, 'Room 104', 'Dora Duty')
    assert.match(await opened.getAttribute('class'), /granted/)
    assert.match(await opened.getText(), /emergency key/)
    const lobby = await present(session, simulator, 'Lobby', 'Dora Duty')
    assert.match(await lobby.getAttribute('class'), /granted/)
    await screenshot(session, 'emergency-key-door-simulator')
  })
})

test('a one-shot key opens its room once, and the staff screen then shows it used', TIMEOUT, async () => {
  await withApp(async (session) => {
    await firstManager(session)
    await click(session, By.xpath('//nav//button[normalize-space()="Staff cards"]'))
    const screen = await waitFor(session, byTestId('staff-cards'))
    const form = await waitFor(session, byTestId('staff-form'), { scope: screen })
    await type(session, byLabel('Name'), 'Carl Contractor', { scope: form })
    await click(session, byLabel('One-shot key: each door I choose opens once (a viewing, a contractor’s visit)'), { scope: form })
    await click(session, By.css('[data-testid="single-doors"] summary'), { scope: form })
    await click(session, byLabel('Room 105 door'), { scope: form })
    await click(session, byButton('Issue staff card'), { scope: form })
    await encodeAll(session, screen)
    const row = await waitFor(session, byTestId('staff-row'), { scope: screen, text: 'Encoded, 1 card' })
    assert.match(await row.getText(), /Carl Contractor\s*Room 105/)
    assert.match(await row.getText(), /Once at each door/)

    await click(session, By.xpath('//nav//button[normalize-space()="Door simulator"]'))
    const simulator = await waitFor(session, byTestId('door-simulator'))
    const opened = await present(session, simulator, 'Room 105', 'Carl Contractor')
    assert.match(await opened.getAttribute('class'), /granted/)
    assert.match(await opened.getText(), /once: this card will not open it again/)
    const again = await present(session, simulator, 'Room 105', 'Carl Contractor')
    assert.match(await again.getAttribute('class'), /denied/)
    assert.match(await again.getText(), /already used/)
    await screenshot(session, 'one-shot-door-simulator')

    await click(session, By.xpath('//nav//button[normalize-space()="Staff cards"]'))
    const list = await waitFor(session, byTestId('staff-cards'))
    await waitFor(session, byTestId('staff-row'), { scope: list, text: 'Used: the locks took the one-shot key at each of its doors' })
    await screenshot(session, 'one-shot-used')
  })
})

test('a lock-out card shuts the guest out of the room until a lift card is used there', TIMEOUT, async () => {
  await withApp(async (session) => {
    await firstManager(session)
    await checkIn(session, '106', ['Evan Evicted'])
    const panel = await openStay(session, '106')
    const lockOut = await waitFor(session, byTestId('lock-out'), { scope: panel })
    await click(session, By.css('summary'), { scope: lockOut })
    await click(session, byButton('Encode a lock-out card'), { scope: lockOut })
    await waitFor(session, byTestId('lock-out-done'), { scope: lockOut, text: 'Lock-out card' })
    await screenshot(session, 'lock-out-card')
    await click(session, byButton('Encode a lift card'), { scope: lockOut })
    await waitFor(session, byTestId('lock-out-done'), { scope: lockOut, text: 'Lift card' })
    await closeDialog(session)

    await click(session, By.xpath('//nav//button[normalize-space()="Door simulator"]'))
    const simulator = await waitFor(session, byTestId('door-simulator'))
    assert.match(await (await present(session, simulator, 'Room 106', 'Evan Evicted')).getAttribute('class'), /granted/)
    const shut = await present(session, simulator, 'Room 106', 'Lock-out card')
    assert.match(await shut.getAttribute('class'), /denied/)
    assert.match(await shut.getText(), /is locked out: guest cards are refused/)
    await waitFor(session, byTestId('locked-out'), { scope: simulator, text: 'Locked out' })
    const refused = await present(session, simulator, 'Room 106', 'Evan Evicted')
    assert.match(await refused.getAttribute('class'), /denied/)
    assert.match(await refused.getText(), /locked out/)
    await screenshot(session, 'lock-out-door-simulator')
    await present(session, simulator, 'Room 106', 'Lift card')
    const back = await present(session, simulator, 'Room 106', 'Evan Evicted')
    assert.match(await back.getAttribute('class'), /granted/)
    assert.equal((await simulator.findElements(byTestId('locked-out'))).length, 0)
  })
})
