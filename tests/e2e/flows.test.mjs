// The real app, end to end: release build with the UI embedded, each test on its own fresh
// database with the demo hotel and the simulated encoder, driven through tauri-driver and
// WebKitWebDriver under Xvfb. Each test saves a screenshot to tests/e2e/screenshots/.

import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { after, before, test } from 'node:test'
import { By } from 'selenium-webdriver'
import { openApp, startTauriDriver } from './driver.mjs'
import {
  byButton,
  byLabel,
  byTestId,
  cardStatuses,
  checkIn,
  chip,
  choose,
  click,
  dateValue,
  closeDialog,
  encodeAll,
  firstManager,
  openStay,
  room,
  screenshot,
  setDate,
  setValue,
  type,
  waitFor,
  waitGone,
} from './ui.mjs'

const TIMEOUT = { timeout: 180_000 }

let driver
before(async () => {
  driver = await startTauriDriver()
})
after(async () => {
  await driver?.stop()
})

/** Runs `body` against a freshly opened app on the demo hotel; closes it after. */
let failures = 0
async function withApp(body) {
  const app = await openApp(driver.url, ['--property', 'demo'])
  try {
    await body(app.session)
  } catch (error) {
    await screenshot(app.session, `failed-${failures++}`).catch(() => {})
    throw error
  } finally {
    await app.close()
  }
}

/** `YYYY-MM-DDTHH:mm` moved on by `days`. */
function addDays(local, days) {
  const date = new Date(`${local.slice(0, 10)}T00:00:00Z`)
  date.setUTCDate(date.getUTCDate() + days)
  return date.toISOString().slice(0, 10) + local.slice(10)
}

test('first start: the first manager is created and lands on the room board', TIMEOUT, async () => {
  await withApp(async (session) => {
    await waitFor(session, By.xpath('//h1|//h2'), { text: 'Create the first manager' })
    await type(session, byLabel('Name'), 'Mia Manager')
    await type(session, byLabel('PIN'), '2468')
    await type(session, byLabel('PIN again'), '2468')
    await screenshot(session, 'sign-in')
    await click(session, byButton('Create manager and sign in'))
    await waitFor(session, byTestId('room-board'))
    assert.match(await (await waitFor(session, byTestId('operator'))).getText(), /Mia Manager\s*Manager/)
    assert.equal(await (await waitFor(session, byTestId('property-name'))).getText(), 'Harbor View Hotel')
    await waitFor(session, room('101'))
    await screenshot(session, 'room-board')

    // Signing out and in again with the same name and PIN.
    await click(session, byButton('Sign out'))
    await waitFor(session, By.xpath('//h1|//h2'), { text: 'Sign in' })
    await type(session, byLabel('Name'), 'Mia Manager')
    await type(session, byLabel('PIN'), '2468')
    await click(session, byButton('Sign in'))
    await waitFor(session, byTestId('room-board'))
  })
})

test('check-in with two cards, a joiner, and an extension that re-encodes the cards', TIMEOUT, async () => {
  await withApp(async (session) => {
    await firstManager(session)
    await checkIn(session, '101', ['Ann Lee', 'Bob Lee'], { screenshotName: 'check-in-encoding' })

    let panel = await openStay(session, '101')
    assert.equal((await panel.findElements(byTestId('guest'))).length, 2)
    assert.deepEqual(await cardStatuses(panel), ['issued', 'issued'])

    // A joiner: a third guest with a card of their own.
    await click(session, byButton('Add guest'), { scope: panel })
    const form = await waitFor(session, byTestId('add-guest-form'), { scope: panel })
    await type(session, byLabel('Name'), 'Cy Lee', { scope: form })
    await click(session, byButton('Add guest and make cards'), { scope: form })
    await encodeAll(session, panel)
    await waitFor(session, byTestId('stay-notice'), { scope: panel, text: 'Cy Lee joined the stay.' })
    assert.equal((await panel.findElements(byTestId('guest'))).length, 3)
    assert.deepEqual(await cardStatuses(panel), ['issued', 'issued', 'issued'])

    // Two more nights: the cards carry the old dates until they are re-encoded.
    await click(session, byButton('Extend or shorten'), { scope: panel })
    const dates = await waitFor(session, byTestId('dates-form'), { scope: panel })
    const departure = await waitFor(session, byLabel('Departure'), { scope: dates })
    await setDate(session, departure, addDays(await dateValue(session, departure), 2))
    await click(session, byButton('Change dates'), { scope: dates })
    const banner = await waitFor(session, byTestId('stale-banner'), { scope: panel })
    assert.deepEqual(await cardStatuses(panel), ['needs_encoding', 'needs_encoding', 'needs_encoding'])
    await click(session, byButton('Re-encode 3 cards'), { scope: banner })
    await encodeAll(session, panel)
    await waitFor(session, byTestId('stay-notice'), { scope: panel, text: 'The cards carry the new dates.' })
    assert.deepEqual(await cardStatuses(panel), ['issued', 'issued', 'issued'])
    assert.equal((await panel.findElements(byTestId('stale-banner'))).length, 0)
    // The new dates went onto new plastic: the replaced cards still open the doors until their
    // old end, and the stay lists each of them.
    const stillOut = await waitFor(session, byTestId('cards-still-out'), { scope: panel })
    const replaced = await stillOut.findElements(byTestId('card-still-out'))
    assert.equal(replaced.length, 3)
    assert.match(await replaced[0].getText(), /replaced by a newer card/)
    assert.match(await replaced[0].getText(), /Lobby door until/)
    await screenshot(session, 'stay-panel')
    await closeDialog(session)
  })
})

test('a stay dragged onto another room moves there; its new cards are encoded', TIMEOUT, async () => {
  await withApp(async (session) => {
    await firstManager(session)
    await checkIn(session, '102', ['Dan Roe'], { screenshotName: 'check-in-encoding' })

    // A real pointer drag through WebDriver actions: press on the chip, move past the
    // threshold, move over room 201, release.
    const source = await waitFor(session, chip('102'))
    const target = await waitFor(session, By.xpath('//li[contains(@class, "tile")][.//*[@data-room="room-201"]]'))
    await session
      .actions({ async: true })
      .move({ origin: source })
      .press()
      .move({ origin: source, x: 12, y: 6, duration: 100 })
      .move({ origin: target, duration: 400 })
      .move({ origin: target, x: 2, y: 2, duration: 100 })
      .release()
      .perform()

    const dialog = await waitFor(session, byTestId('move-dialog'))
    await click(session, byButton('Move to Room 201'), { scope: dialog })
    await waitFor(session, byTestId('move-result'), { scope: dialog })
    await click(session, By.xpath('.//button[starts-with(normalize-space(), "Encode") and contains(., "Room 201")]'), { scope: dialog })
    // One button closes the dialog once the cards are encoded.
    await encodeAll(session, dialog, /ready/, () => screenshot(session, 'room-move'))
    await waitGone(session, By.css('dialog[open]'))

    // The stay is in 201 now; 102 is free.
    assert.equal((await session.findElements(chip('102'))).length, 0)
    await waitFor(session, chip('201'))
    const panel = await openStay(session, '201')
    assert.match(await panel.getText(), /Room 201/)
    assert.match(await panel.getText(), /Dan Roe/)
    await screenshot(session, 'stay-panel')
    await closeDialog(session)
  })
})

test('"Move to room…" moves a stay from the stay panel', TIMEOUT, async () => {
  await withApp(async (session) => {
    await firstManager(session)
    await checkIn(session, '103', ['Eve Moss'])
    const panel = await openStay(session, '103')
    await click(session, byTestId('move-menu-button'), { scope: panel })
    const menu = await waitFor(session, By.css('[role="menu"]'))
    await screenshot(session, 'move-menu')
    await click(session, By.xpath('.//li[@role="menuitem"][.//*[normalize-space()="Room 203"]]'), { scope: menu })
    const dialog = await waitFor(session, byTestId('move-dialog'))
    await click(session, byButton('Move to Room 203'), { scope: dialog })
    await waitFor(session, byTestId('move-result'), { scope: dialog })
    await click(session, By.xpath('.//button[starts-with(normalize-space(), "Encode") and contains(., "Room 203")]'), { scope: dialog })
    await encodeAll(session, dialog)
    await waitGone(session, By.css('dialog[open]'))
    await waitFor(session, chip('203'))
  })
})

test('a move remakes every card of the stay, the copy included, and keeps its dates', TIMEOUT, async () => {
  await withApp(async (session) => {
    await firstManager(session)
    await checkIn(session, '104', ['Dee Dale', 'Eli Dale'])
    let panel = await openStay(session, '104')
    const dates = await (await waitFor(session, byTestId('stay-dates'), { scope: panel })).getText()
    await click(
      session,
      By.xpath(
        './/li[@data-testid="guest"][.//strong[normalize-space()="Dee Dale"]]//button[starts-with(normalize-space(), "Duplicate card")]',
      ),
      { scope: panel },
    )
    await encodeAll(session, panel)
    await waitFor(session, byTestId('stay-notice'), { scope: panel, text: 'A copy for Dee Dale is ready.' })

    await click(session, byTestId('move-menu-button'), { scope: panel })
    const menu = await waitFor(session, By.css('[role="menu"]'))
    await click(session, By.xpath('.//li[@role="menuitem"][.//*[normalize-space()="Room 204"]]'), { scope: menu })
    const dialog = await waitFor(session, byTestId('move-dialog'))
    await click(session, byButton('Move to Room 204'), { scope: dialog })
    await waitFor(session, byTestId('move-result'), { scope: dialog })
    assert.equal((await dialog.findElements(byTestId('outstanding-card'))).length, 3)
    await click(session, byButton('Encode 3 new cards for Room 204'), { scope: dialog })
    await encodeAll(session, dialog)
    await waitGone(session, By.css('dialog[open]'))

    panel = await openStay(session, '204')
    assert.equal(await (await waitFor(session, byTestId('stay-dates'), { scope: panel })).getText(), dates)
    assert.deepEqual(await cardStatuses(panel), ['issued', 'issued', 'issued'])
    await closeDialog(session)
  })
})

test('check-out leaves cards not collected; the past stay lists the one still out, and the manager resolves it', TIMEOUT, async () => {
  await withApp(async (session) => {
    await firstManager(session)
    await checkIn(session, '104', ['Fay Hart', 'Gus Hart'])
    const panel = await openStay(session, '104')
    await click(session, byButton('Check out…'), { scope: panel })
    await click(session, byButton('Check out'), { scope: panel })
    await waitFor(session, byTestId('checked-out'), { scope: panel })
    const outstanding = await panel.findElements(byTestId('outstanding-card'))
    assert.equal(outstanding.length, 2)
    await click(session, byButton('Collected'), { scope: outstanding[0] })
    await waitFor(session, By.xpath('.//*[normalize-space()="Collected"]'), { scope: outstanding[0] })
    await click(session, By.xpath('.//div[@class="actions"]/button[normalize-space()="Close"] | .//button[@aria-label="Close"]'), {
      scope: panel,
    })
    await waitGone(session, By.css('dialog[open]'))

    // The stay is over; found by the search, it opens read only with the card in a pocket.
    await type(session, byTestId('board-search'), 'fay hart')
    await click(session, byTestId('found-stay'), { text: 'checked out' })
    const past = await waitFor(session, byTestId('past-stay'))
    await waitFor(session, By.xpath('.//h2'), { scope: past, text: 'Room 104: Fay Hart and Gus Hart, checked out' })
    await session.wait(async () => (await past.findElements(byTestId('card-still-out'))).length === 1, 20_000)
    await screenshot(session, 'past-stay')
    await click(session, By.xpath('.//button[@aria-label="Close"]'), { scope: past })
    await waitGone(session, By.css('dialog[open]'))

    // The manager sees the one card still out.
    await click(session, By.xpath('//nav//button[normalize-space()="Manager"]'))
    await waitFor(session, byTestId('warnings'))
    const rows = () => session.findElements(By.css('[data-testid="warning"][data-code="cards_not_collected"]'))
    await session.wait(async () => (await rows()).length === 1, 20_000)
    await screenshot(session, 'manager-warnings')

    // The manager resolves it from the warning's own fix-it action.
    await click(session, By.xpath('//tr[@data-testid="warning"][@data-code="cards_not_collected"]//button[normalize-space()="Collected"]'))
    await session.wait(async () => (await rows()).length === 0, 20_000)
  })
})

test('the door simulator: the next guest’s card overrides the previous guest’s', TIMEOUT, async () => {
  await withApp(async (session) => {
    await firstManager(session)

    // Guest 1 stays in 105 and checks out with the card still in their pocket.
    await checkIn(session, '105', ['Hal First'])
    await click(session, By.xpath('//nav//button[normalize-space()="Door simulator"]'))
    let screen = await waitFor(session, byTestId('door-simulator'))
    const halCard = await choose(session, await waitFor(session, byLabel('Card'), { scope: screen }), 'Hal First')
    await click(session, By.xpath('//nav//button[normalize-space()="Room board"]'))
    let panel = await openStay(session, '105')
    await click(session, byButton('Check out…'), { scope: panel })
    await click(session, byButton('Check out'), { scope: panel })
    await waitFor(session, byTestId('checked-out'), { scope: panel })
    await click(session, By.xpath('.//div[@class="actions"]/button[normalize-space()="Close"] | .//button[@aria-label="Close"]'), {
      scope: panel,
    })
    await waitGone(session, By.css('dialog[open]'))

    // Guest 2 gets the room.
    await checkIn(session, '105', ['Ivy Second'])

    await click(session, By.xpath('//nav//button[normalize-space()="Door simulator"]'))
    screen = await waitFor(session, byTestId('door-simulator'))
    await choose(session, await waitFor(session, byLabel('Door'), { scope: screen }), 'Room 105')
    const card = await waitFor(session, byLabel('Card'), { scope: screen })

    // Guest 1's card still opens the door: no newer card has been used there.
    await choose(session, card, halCard)
    await click(session, byButton('Present card'), { scope: screen })
    let verdict = await waitFor(session, byTestId('lock-decision'), { scope: screen })
    assert.match(await verdict.getAttribute('class'), /granted/)

    // Guest 2's card overrides it at first use...
    await choose(session, card, 'Ivy Second')
    await click(session, byButton('Present card'), { scope: screen })
    verdict = await waitFor(session, byTestId('lock-decision'), { scope: screen, text: /the new guest’s first card there/ })
    assert.match(await verdict.getAttribute('class'), /granted/)

    // ...and guest 1's card no longer opens it.
    await choose(session, card, halCard)
    await click(session, byButton('Present card'), { scope: screen })
    verdict = await waitFor(session, byTestId('lock-decision'), { scope: screen, text: /overridden|newer|replaced/i })
    assert.match(await verdict.getAttribute('class'), /denied/)
    await screenshot(session, 'door-simulator')

    // Guest 2 throws the deadbolt: their own card is refused until they release it.
    const deadbolt = await waitFor(session, byTestId('deadbolt'), { scope: screen })
    await click(session, byButton('Throw the deadbolt (guest inside)'), { scope: deadbolt })
    await waitFor(session, byTestId('deadbolt'), { scope: screen, text: 'thrown from inside' })
    await choose(session, card, 'Ivy Second')
    await click(session, byButton('Present card'), { scope: screen })
    verdict = await waitFor(session, byTestId('lock-decision'), { scope: screen, text: /deadbolt/ })
    assert.match(await verdict.getAttribute('class'), /denied/)
    await screenshot(session, 'door-simulator-deadbolt')
    await click(session, byButton('Release the deadbolt'), { scope: screen })
    await waitFor(session, byTestId('deadbolt'), { scope: screen, text: 'not thrown' })
    await click(session, byButton('Present card'), { scope: screen })
    verdict = await waitFor(session, byTestId('lock-decision'), { scope: screen, text: /a card of the stay that holds the room/ })
    assert.match(await verdict.getAttribute('class'), /granted/)
  })
})

test('a lost key: the lost card stays in the manager’s warnings while a door still takes it', TIMEOUT, async () => {
  await withApp(async (session) => {
    await firstManager(session)
    await checkIn(session, '106', ['Lia Lost'])
    await click(session, By.xpath('//nav//button[normalize-space()="Door simulator"]'))
    let screen = await waitFor(session, byTestId('door-simulator'))
    const lostCard = await choose(session, await waitFor(session, byLabel('Card'), { scope: screen }), 'Lia Lost')

    // The guest lost the card: the stay's cards are made again.
    await click(session, By.xpath('//nav//button[normalize-space()="Room board"]'))
    const panel = await openStay(session, '106')
    await click(session, byButton('Lost key…'), { scope: panel })
    await click(session, byButton('Reissue all cards'), { scope: panel })
    await encodeAll(session, panel)
    await closeDialog(session)

    // The manager sees the lost card, where it still opens and until when, and no "collect".
    await click(session, By.xpath('//nav//button[normalize-space()="Manager"]'))
    await waitFor(session, byTestId('warnings'))
    const lostRow = () => waitFor(session, By.css('[data-testid="warning"][data-code="cards_not_collected"]'), { text: /reported lost/ })
    let row = await lostRow()
    assert.match(await row.getText(), /Room 106 door until Lia Lost's first card is used there/)
    assert.match(await row.getText(), /Lobby/)
    assert.equal((await row.findElements(byButton('Collected'))).length, 0)
    await screenshot(session, 'lost-card-warning')

    // At the doors: the lost card still opens the lobby; the new card locks it out of the room.
    await click(session, By.xpath('//nav//button[normalize-space()="Door simulator"]'))
    screen = await waitFor(session, byTestId('door-simulator'))
    const door = await waitFor(session, byLabel('Door'), { scope: screen })
    const card = await waitFor(session, byLabel('Card'), { scope: screen })
    await choose(session, door, 'Lobby')
    await setValue(session, card, lostCard)
    await click(session, byButton('Present card'), { scope: screen })
    let verdict = await waitFor(session, byTestId('lock-decision'), { scope: screen })
    assert.match(await verdict.getAttribute('class'), /granted/)
    let newCard
    for (const option of await card.findElements(By.css('option'))) {
      const value = await option.getAttribute('value')
      if ((await option.getText()).includes('Lia Lost') && value !== lostCard) newCard = value
    }
    assert.ok(newCard, 'the new card is listed in the door simulator')
    await choose(session, door, 'Room 106')
    await setValue(session, card, newCard)
    await click(session, byButton('Present card'), { scope: screen })
    verdict = await waitFor(session, byTestId('lock-decision'), { scope: screen, text: /the new guest’s first card there/ })
    assert.match(await verdict.getAttribute('class'), /granted/)

    // The warning follows the lock: the room is no longer listed, the lobby still is.
    await click(session, By.xpath('//nav//button[normalize-space()="Manager"]'))
    await waitFor(session, byTestId('warnings'))
    await session.wait(async () => !/Room 106 door/.test(await (await lostRow()).getText()), 20_000)
    assert.match(await (await lostRow()).getText(), /Lobby/)
  })
})

test('a stay placed before cards made ahead: the desk says so first, remakes them, and both guests get in', TIMEOUT, async () => {
  await withApp(async (session) => {
    await firstManager(session)

    // Tom arrives in two nights (never today on the board, whatever the hour); his card is
    // made ahead, now.
    await click(session, room('107'))
    let dialog = await waitFor(session, By.css('dialog[open]'), { text: 'Check in to Room 107' })
    const checkOut = await dateValue(session, await waitFor(session, byLabel('Departure'), { scope: dialog }))
    const annLeaves = addDays(checkOut, 1)
    const tomArrives = `${annLeaves.slice(0, 10)}T15:00`
    await setDate(session, await waitFor(session, byLabel('Arrival'), { scope: dialog }), tomArrives)
    await setDate(session, await waitFor(session, byLabel('Departure'), { scope: dialog }), addDays(checkOut, 2))
    await type(session, byLabel('Guest 1 name'), 'Tom Morrow', { scope: dialog })
    await click(session, byButton('Check in and make 1 card'), { scope: dialog })
    await encodeAll(session, dialog)
    await click(session, By.xpath('.//div[@class="actions"]/button[normalize-space()="Close"]'), { scope: dialog })
    await waitGone(session, By.css('dialog[open]'))
    await click(session, By.xpath('//nav//button[normalize-space()="Door simulator"]'))
    let screen = await waitFor(session, byTestId('door-simulator'))
    const tomsOldCard = await choose(session, await waitFor(session, byLabel('Card'), { scope: screen }), 'Tom Morrow')

    // Ann, from now until Tom's day: the desk says what her card would do to Tom's first.
    await click(session, By.xpath('//nav//button[normalize-space()="Room board"]'))
    await click(session, room('107'))
    dialog = await waitFor(session, By.css('dialog[open]'), { text: 'Check in to Room 107' })
    await setDate(session, await waitFor(session, byLabel('Departure'), { scope: dialog }), annLeaves)
    await type(session, byLabel('Guest 1 name'), 'Ann Walker', { scope: dialog })
    await click(session, byButton('Check in and make 1 card'), { scope: dialog })
    const trouble = await waitFor(session, byTestId('predicted-trouble'), { scope: dialog, text: /Tom Morrow's cards for Room 107/ })
    assert.match(await trouble.getText(), /once Ann Walker's first card is used there, they will be refused/)
    await screenshot(session, 'predicted-trouble')
    await click(session, byButton('Check in and make 1 card'), { scope: dialog })
    await encodeAll(session, dialog)
    await click(session, byButton('Encode Tom Morrow’s new card now'), { scope: dialog })
    await encodeAll(session, dialog)
    await waitFor(session, byTestId('check-in-done'), { scope: dialog, text: 'checked in to Room 107' })
    await click(session, By.xpath('.//div[@class="actions"]/button[normalize-space()="Close"]'), { scope: dialog })
    await waitGone(session, By.css('dialog[open]'))

    // At the door: Ann's card tonight, then Tom's new card on his day; his old one is refused.
    await click(session, By.xpath('//nav//button[normalize-space()="Door simulator"]'))
    screen = await waitFor(session, byTestId('door-simulator'))
    await choose(session, await waitFor(session, byLabel('Door'), { scope: screen }), 'Room 107')
    const card = await waitFor(session, byLabel('Card'), { scope: screen })
    const at = await waitFor(session, byLabel('At (optional)'), { scope: screen })
    await choose(session, card, 'Ann Walker')
    await click(session, byButton('Present card'), { scope: screen })
    let verdict = await waitFor(session, byTestId('lock-decision'), { scope: screen })
    assert.match(await verdict.getAttribute('class'), /granted/)
    let tomsNewCard
    for (const option of await card.findElements(By.css('option'))) {
      const value = await option.getAttribute('value')
      if ((await option.getText()).includes('Tom Morrow') && value !== tomsOldCard) tomsNewCard = value
    }
    assert.ok(tomsNewCard, "Tom's new card is listed in the door simulator")
    await setDate(session, at, tomArrives.replace('T15:00', 'T15:30'))
    await setValue(session, card, tomsNewCard)
    await click(session, byButton('Present card'), { scope: screen })
    verdict = await waitFor(session, byTestId('lock-decision'), { scope: screen, text: /the new guest’s first card there/ })
    assert.match(await verdict.getAttribute('class'), /granted/)
    await setDate(session, at, tomArrives.replace('T15:00', 'T16:00'))
    await setValue(session, card, tomsOldCard)
    await click(session, byButton('Present card'), { scope: screen })
    verdict = await waitFor(session, byTestId('lock-decision'), { scope: screen, text: /overridden|newer|replaced/i })
    assert.match(await verdict.getAttribute('class'), /denied/)
  })
})

test('after a move the old room’s card is listed with the stay; a cancel card from there closes the old room to it', TIMEOUT, async () => {
  await withApp(async (session) => {
    await firstManager(session)
    await checkIn(session, '107', ['Kim Move'])
    await click(session, By.xpath('//nav//button[normalize-space()="Door simulator"]'))
    let screen = await waitFor(session, byTestId('door-simulator'))
    const oldCard = await choose(session, await waitFor(session, byLabel('Card'), { scope: screen }), 'Kim Move')

    // The stay moves to 203 and gets its new card.
    await click(session, By.xpath('//nav//button[normalize-space()="Room board"]'))
    let panel = await openStay(session, '107')
    await click(session, byTestId('move-menu-button'), { scope: panel })
    const menu = await waitFor(session, By.css('[role="menu"]'))
    await click(session, By.xpath('.//li[@role="menuitem"][.//*[normalize-space()="Room 203"]]'), { scope: menu })
    const dialog = await waitFor(session, byTestId('move-dialog'))
    await click(session, byButton('Move to Room 203'), { scope: dialog })
    await waitFor(session, byTestId('move-result'), { scope: dialog })
    await click(session, By.xpath('.//button[starts-with(normalize-space(), "Encode") and contains(., "Room 203")]'), { scope: dialog })
    await encodeAll(session, dialog)
    await waitGone(session, By.css('dialog[open]'))

    // The stay panel lists the old room's card: which doors and until when.
    panel = await openStay(session, '203')
    const out = await waitFor(session, By.css(`[data-testid="card-still-out"][data-card-id="${oldCard}"]`), { scope: panel })
    assert.match(await out.getText(), /Kim Move, card 1 \(not returned\)/)
    assert.match(await out.getText(), /Room 107 door until a newer card or a cancel card is used there/)
    assert.match(await out.getText(), /Lobby/)
    await screenshot(session, 'stay-cards-still-out')

    // A cancel card for the old room, and what to do with it.
    await click(session, byButton('Encode cancel card'), { scope: out })
    const cancel = await waitFor(session, byTestId('cancel-card'), { scope: panel })
    await click(session, byButton('Encode the cancel card'), { scope: cancel })
    const done = await waitFor(session, byTestId('cancel-card-done'), {
      scope: cancel,
      text: 'Take this cancel card to Room 107 door and present it once there.',
    })
    await screenshot(session, 'cancel-card')
    await click(session, byButton('Done'), { scope: cancel })
    await closeDialog(session)

    // At the old room: the cancel card moves the lock on, and the old card is refused.
    await click(session, By.xpath('//nav//button[normalize-space()="Door simulator"]'))
    screen = await waitFor(session, byTestId('door-simulator'))
    const door = await waitFor(session, byLabel('Door'), { scope: screen })
    const card = await waitFor(session, byLabel('Card'), { scope: screen })
    await choose(session, door, 'Room 107')
    await choose(session, card, 'Cancel card')
    await click(session, byButton('Present card'), { scope: screen })
    let verdict = await waitFor(session, byTestId('lock-decision'), { scope: screen, text: /cancel card/i })
    assert.match(await verdict.getAttribute('class'), /denied/)
    await setValue(session, card, oldCard)
    await click(session, byButton('Present card'), { scope: screen })
    verdict = await waitFor(session, byTestId('lock-decision'), { scope: screen, text: /no longer opens/ })
    assert.match(await verdict.getAttribute('class'), /denied/)
    await screenshot(session, 'cancel-card-at-the-door')

    // The warning for that door drops: the card is listed for the lobby only.
    await click(session, By.xpath('//nav//button[normalize-space()="Manager"]'))
    await waitFor(session, byTestId('warnings'))
    const row = await waitFor(session, By.css(`[data-testid="warning"][data-code="cards_not_collected"] [data-card-id="${oldCard}"]`))
    assert.doesNotMatch(await row.getText(), /Room 107/)
    assert.match(await row.getText(), /Lobby/)
    await screenshot(session, 'cancel-card-warning')
  })
})

test('the encoder unplugged and plugged back in: the desk says so, then encodes without a restart', TIMEOUT, async () => {
  await withApp(async (session) => {
    await firstManager(session)
    await waitFor(session, byTestId('encoder-state'), { text: 'Simulated' })

    await click(session, By.xpath('//nav//button[normalize-space()="Door simulator"]'))
    await click(session, byButton('Unplug the encoder'))
    await waitFor(session, byTestId('encoder-state'), { text: 'No encoder' })

    // A check-in meanwhile: the stay is saved, its card cannot be made, and the desk says why.
    await click(session, By.xpath('//nav//button[normalize-space()="Room board"]'))
    await click(session, room('106'))
    let dialog = await waitFor(session, By.css('dialog[open]'), { text: 'Check in to Room 106' })
    await type(session, byLabel('Guest 1 name'), 'Jo Wire', { scope: dialog })
    await click(session, byButton('Check in and make 1 card'), { scope: dialog })
    await encodeStart(session, dialog)
    await waitFor(session, By.css('[role="alert"]'), { scope: dialog, text: /plugged in/ })
    await screenshot(session, 'encoder-unplugged')
    await click(session, byButton('Finish later'), { scope: dialog })
    await waitFor(session, byTestId('check-in-done'), { scope: dialog, text: '1 card is still to encode' })
    await click(session, By.xpath('.//div[@class="actions"]/button[normalize-space()="Close"]'), { scope: dialog })
    await waitGone(session, By.css('dialog[open]'))

    // Plugged back in: the same window encodes the card.
    await click(session, By.xpath('//nav//button[normalize-space()="Door simulator"]'))
    await click(session, byButton('Plug the encoder back in'))
    await waitFor(session, byTestId('encoder-state'), { text: 'Simulated' })
    await click(session, By.xpath('//nav//button[normalize-space()="Room board"]'))
    const panel = await openStay(session, '106')
    await click(session, byButton('Encode 1 card'), { scope: panel })
    await encodeAll(session, panel)
    // The panel reloads the stay after encoding: wait for its card list to be back.
    await waitFor(session, By.css('[data-testid="card"]'), { scope: panel })
    assert.deepEqual(await cardStatuses(panel), ['issued'])
    await closeDialog(session)
  })
})

/** Presses the encode dialog's start button when it shows one. */
async function encodeStart(session, scope) {
  const start = await scope.findElements(By.xpath('.//*[@data-testid="encode"]//button[starts-with(normalize-space(), "Encode")]'))
  if (start.length > 0 && (await start[0].isDisplayed())) await start[0].click()
}

test('a manager adds a receptionist, switches the local API on and off, gives him a new PIN and disables him', TIMEOUT, async () => {
  await withApp(async (session) => {
    await firstManager(session)
    await click(session, By.xpath('//nav//button[normalize-space()="Operators & settings"]'))
    const form = await waitFor(session, byTestId('operator-form'))
    await type(session, byLabel('Name'), 'Rui Desk', { scope: form })
    await type(session, byLabel('PIN (4 to 8 digits)'), '735910', { scope: form })
    await click(session, byButton('Add operator'), { scope: form })
    await waitFor(session, byTestId('operators'), { text: 'Rui Desk' })

    await click(session, byTestId('api-toggle'))
    const status = await waitFor(session, byTestId('api-status'), { text: 'http://127.0.0.1:8787' })
    assert.match(await status.getText(), /On/)
    await screenshot(session, 'settings')
    await click(session, byTestId('api-toggle'))
    await waitFor(session, byTestId('api-status'), { text: /Off/ })

    // Rui forgot his PIN: the manager gives him a new one.
    const rui = await waitFor(session, By.xpath('//tr[@data-testid="operator"][.//td[normalize-space()="Rui Desk"]]'))
    await click(session, byButton('New PIN for Rui Desk'), { scope: rui })
    const reset = await waitFor(session, byTestId('pin-reset-form'))
    await type(session, byLabel('New PIN (4 to 8 digits)'), '2580', { scope: reset })
    await type(session, byLabel('The same PIN again'), '2580', { scope: reset })
    await click(session, byButton('Save the new PIN'), { scope: reset })
    await waitFor(session, byTestId('operators-notice'), { text: 'Rui Desk signs in with the new PIN from now on.' })

    await click(session, byButton('Sign out'))
    await type(session, byLabel('Name'), 'Rui Desk')
    await type(session, byLabel('PIN'), '735910')
    await click(session, byButton('Sign in'))
    await waitFor(session, byTestId('error'), { text: 'That name and PIN do not match: check them and try again.' })
    await type(session, byLabel('PIN'), '2580')
    await click(session, byButton('Sign in'))
    await waitFor(session, byTestId('room-board'))
    const nav = await (await waitFor(session, By.css('nav'))).getText()
    assert.doesNotMatch(nav, /Manager|Operators|Reports/)

    // Disabled by the manager, Rui can no longer sign in.
    await click(session, byButton('Sign out'))
    await type(session, byLabel('Name'), 'Mia Manager')
    await type(session, byLabel('PIN'), '2468')
    await click(session, byButton('Sign in'))
    await click(session, By.xpath('//nav//button[normalize-space()="Operators & settings"]'))
    await click(session, byButton('Disable Rui Desk'))
    await waitFor(session, byTestId('operators-notice'), { text: 'Rui Desk can no longer sign in.' })
    await waitFor(session, By.xpath('//tr[@data-testid="operator"][.//td[normalize-space()="Rui Desk"]]'), { text: 'Disabled since' })
    await screenshot(session, 'operators')
    await click(session, byButton('Sign out'))
    await type(session, byLabel('Name'), 'Rui Desk')
    await type(session, byLabel('PIN'), '2580')
    await click(session, byButton('Sign in'))
    await waitFor(session, byTestId('error'), { text: 'That name and PIN do not match' })
  })
})

test('a guest checked in for tomorrow is on the timeline, arriving soon, and found by the search', TIMEOUT, async () => {
  await withApp(async (session) => {
    await firstManager(session)
    // The timeline opens on yesterday: tomorrow is its third day. A click there on Room
    // 101's row opens the check-in from tomorrow.
    await click(session, byTestId('view-timeline'))
    const track = await waitFor(session, By.css('[data-testid="timeline-row"][data-room="room-101"] .track'))
    const width = (await track.getRect()).width
    // Tomorrow in the hotel's time zone: the heading after today's.
    const tomorrow = await (await waitFor(session, By.css('.day.today + .day'))).getAttribute('data-day')
    assert.equal(tomorrow, await (await session.findElements(byTestId('timeline-day')))[2].getAttribute('data-day'))
    await session
      .actions()
      .move({ origin: track, x: Math.round(2.5 * 44 - width / 2), y: 0 })
      .click()
      .perform()
    const dialog = await waitFor(session, By.css('dialog[open]'), { text: 'Check in to Room 101' })
    const arrival = await waitFor(session, byLabel('Arrival'), { scope: dialog })
    assert.equal(await dateValue(session, arrival), `${tomorrow}T15:00`)
    await type(session, byLabel('Guest 1 name'), 'Tia Morrow', { scope: dialog })
    await click(session, byButton('Check in and make 1 card'), { scope: dialog })
    await encodeAll(session, dialog)
    await waitFor(session, byTestId('check-in-done'), { scope: dialog, text: 'checked in to Room' })
    await click(session, By.xpath('.//div[@class="actions"]/button[normalize-space()="Close"]'), { scope: dialog })
    await waitGone(session, By.css('dialog[open]'))

    // A one-night bar shows its name cut short; its label says it whole.
    const bar = await waitFor(session, By.css('[data-testid="timeline-row"][data-room="room-101"] [data-testid="timeline-bar"]'))
    assert.match(await bar.getAttribute('aria-label'), /^Tia Morrow, .*, arriving in Room 101$/)
    await screenshot(session, 'timeline')

    await click(session, byTestId('view-today'))
    await waitFor(session, byTestId('arriving-guest'), { text: 'Tia Morrow — Room 101' })
    // Her card was made at check-in: the keys before arrival have nothing left to make.
    await click(session, byTestId('keys-ahead-open'))
    const ahead = await waitFor(session, byTestId('keys-ahead'))
    await waitFor(session, byTestId('keys-ahead-list'), { scope: ahead, text: 'Tia Morrow' })
    assert.match(await (await waitFor(session, byTestId('keys-ahead-list'), { scope: ahead })).getText(), /Room 101.*All made/s)
    await waitFor(session, byButton('Every card is made'), { scope: ahead })
    await click(session, byButton('Close'), { scope: ahead })
    await waitGone(session, By.css('dialog[open]'))
    // Room 101 is vacant today; its tile names who comes tomorrow.
    const tile = await waitFor(session, room('101'))
    await waitFor(session, byTestId('next-arrival'), { scope: tile, text: 'Next: Tia Morrow, tomorrow' })
    await type(session, byTestId('board-search'), 'tia')
    await waitFor(session, byTestId('found-stay'), { text: 'Tia Morrow — Room 101' })
    await screenshot(session, 'arriving-soon-and-search')
  })
})

test('a group check-in makes a stay per room, their cards encoded room after room', TIMEOUT, async () => {
  await withApp(async (session) => {
    await firstManager(session)
    await click(session, byTestId('group-check-in-open'))
    const dialog = await waitFor(session, byTestId('group-check-in'))
    await type(session, byLabel('Group or booking (optional)'), 'Smith wedding', { scope: dialog })
    const rooms = [
      ['Room 110', 'Ann Smith'],
      ['Room 111', 'Bo Smith'],
    ]
    for (const [index, [name, guest]] of rooms.entries()) {
      await choose(session, await waitFor(session, By.css(`select[name="room-${index}"]`), { scope: dialog }), name)
      await type(session, By.css(`input[name="guest-${index}"]`), guest, { scope: dialog })
    }
    await screenshot(session, 'group-check-in')
    await click(session, byButton('Check in 2 rooms and make 2 cards'), { scope: dialog })
    await waitFor(session, byTestId('encode-item'), { scope: dialog, text: 'Room 110: Ann Smith' })
    await encodeAll(session, dialog)
    await click(session, By.xpath('.//div[@class="actions"]/button[normalize-space()="Close"]'), { scope: dialog })
    await waitGone(session, By.css('dialog[open]'))
    assert.match(await (await waitFor(session, chip('110'))).getAttribute('aria-label'), /Ann Smith/)
    assert.match(await (await waitFor(session, chip('111'))).getAttribute('aria-label'), /Bo Smith/)

    await click(session, By.xpath('//nav//button[normalize-space()="Door simulator"]'))
    const screen = await waitFor(session, byTestId('door-simulator'))
    for (const [door, guest, expected] of [
      ['Room 110', 'Ann Smith', /granted/],
      ['Room 111', 'Bo Smith', /granted/],
      ['Room 111', 'Ann Smith', /denied/],
    ]) {
      await choose(session, await waitFor(session, byLabel('Door'), { scope: screen }), door)
      await choose(session, await waitFor(session, byLabel('Card'), { scope: screen }), guest)
      const logLines = () => screen.findElements(By.css('[data-testid="simulator-log"] tbody tr'))
      const before = (await logLines()).length
      await click(session, byButton('Present card'), { scope: screen })
      await session.wait(async () => (await logLines()).length > before, 20_000)
      const verdict = await waitFor(session, byTestId('lock-decision'), { scope: screen })
      assert.match(await verdict.getAttribute('class'), expected, `${guest} at ${door}`)
    }
  })
})

test('a spare card: made for the safe, used while the desk is down, then recorded as the guest’s stay', TIMEOUT, async () => {
  await withApp(async (session) => {
    await firstManager(session)
    await click(session, By.xpath('//nav//button[normalize-space()="Spare cards"]'))
    let screen = await waitFor(session, byTestId('spare-cards'))
    await choose(session, await waitFor(session, byLabel('Room'), { scope: screen }), 'Room 112')
    await setValue(session, await waitFor(session, byLabel('How many'), { scope: screen }), '1')
    await click(session, byButton('Make 1 spare card'), { scope: screen })
    await waitFor(session, byTestId('spare-notice'), { scope: screen, text: '1 spare card for Room 112 made' })
    await waitFor(session, byTestId('spare-status'), { scope: screen, text: 'Ready' })
    await screenshot(session, 'spare-cards')

    // The desk is down: the night porter hands spare 1 to a walk-in, who opens the room.
    await click(session, By.xpath('//nav//button[normalize-space()="Door simulator"]'))
    const simulator = await waitFor(session, byTestId('door-simulator'))
    await click(session, byButton('Refresh cards'), { scope: simulator })
    await choose(session, await waitFor(session, byLabel('Door'), { scope: simulator }), 'Room 112')
    await choose(session, await waitFor(session, byLabel('Card'), { scope: simulator }), 'Spare 1 of Room 112')
    await click(session, byButton('Present card'), { scope: simulator })
    const verdict = await waitFor(session, byTestId('lock-decision'), { scope: simulator })
    assert.match(await verdict.getAttribute('class'), /granted/)

    // Back up, the manager records it.
    await click(session, By.xpath('//nav//button[normalize-space()="Spare cards"]'))
    screen = await waitFor(session, byTestId('spare-cards'))
    await waitFor(session, byTestId('spare-status'), { scope: screen, text: 'Used at Room 112 door' })
    await click(session, byButton('Handed out…'), { scope: screen })
    const form = await waitFor(session, byTestId('spare-handing'), { scope: screen })
    await type(session, byLabel('Guest’s name'), 'Walter Walkin', { scope: form })
    await screenshot(session, 'spare-handed-out')
    await click(session, byButton('Check the guest in with this spare'), { scope: form })
    await waitFor(session, byTestId('spare-notice'), { scope: screen, text: 'Walter Walkin is checked in to Room 112 with spare 1' })
    await waitFor(session, By.xpath('.//p[normalize-space()="No spare card is in the safe."]'), { scope: screen })

    await click(session, By.xpath('//nav//button[normalize-space()="Room board"]'))
    assert.match(await (await waitFor(session, chip('112'))).getAttribute('aria-label'), /Walter Walkin/)
    const panel = await openStay(session, '112')
    assert.deepEqual(await cardStatuses(panel), ['issued'])
  })
})

test('a desk with two encoders: the operator chooses one, cards go to it, and the other works while it is unplugged', TIMEOUT, async () => {
  const app = await openApp(driver.url, ['--property', 'demo', '--simulated-encoders', '2'])
  const session = app.session
  try {
    await firstManager(session)
    const choice = await waitFor(session, byTestId('encoder-choice'))
    await waitFor(session, byTestId('encoder-state'), { text: 'Encoder 1: Simulated' })
    await choose(session, choice, 'Encoder 2')
    await waitFor(session, byTestId('encoder-state'), { text: 'Encoder 2: Simulated' })

    await checkIn(session, '106', ['Kai Second'])
    // The card was written by the second encoder; the first wrote none.
    const written = (file) =>
      JSON.parse(readFileSync(path.join(app.dataDir, file), 'utf8')).cards.filter((card) => card.image !== '').length
    assert.equal(written('frontdesk.db.simulated-encoder-2.json'), 1)
    assert.equal(written('frontdesk.db.simulated-encoder.json'), 0)

    // Its card opens the room at the door simulator, which holds both encoders' cards.
    await click(session, By.xpath('//nav//button[normalize-space()="Door simulator"]'))
    const screen = await waitFor(session, byTestId('door-simulator'))
    await choose(session, await waitFor(session, byLabel('Door'), { scope: screen }), 'Room 106')
    await choose(session, await waitFor(session, byLabel('Card'), { scope: screen }), 'Kai Second')
    await click(session, byButton('Present card'), { scope: screen })
    const verdict = await waitFor(session, byTestId('lock-decision'), { scope: screen })
    assert.match(await verdict.getAttribute('class'), /granted/)

    // The second encoder unplugged: the header says so; the first one still encodes.
    await waitFor(session, byTestId('simulated-encoder'), { scope: screen, text: 'Encoder 2 (simulated): plugged in' })
    await click(session, byButton('Unplug the encoder'), { scope: screen })
    await waitFor(session, byTestId('encoder-state'), { text: 'Encoder 2: No encoder' })
    await screenshot(session, 'two-encoders')
    await choose(session, await waitFor(session, byTestId('encoder-choice')), 'Encoder 1')
    await waitFor(session, byTestId('encoder-state'), { text: 'Encoder 1: Simulated' })
    await click(session, By.xpath('//nav//button[normalize-space()="Room board"]'))
    await checkIn(session, '107', ['Lea First'])
    assert.equal(written('frontdesk.db.simulated-encoder.json'), 1)

    // The choice is the operator's: kept across signing out and in.
    await choose(session, await waitFor(session, byTestId('encoder-choice')), 'Encoder 2')
    await waitFor(session, byTestId('encoder-state'), { text: 'Encoder 2: No encoder' })
    await click(session, byButton('Sign out'))
    await type(session, byLabel('Name'), 'Mia Manager')
    await type(session, byLabel('PIN'), '2468')
    await click(session, byButton('Sign in'))
    await waitFor(session, byTestId('room-board'))
    await waitFor(session, byTestId('encoder-state'), { text: 'Encoder 2: No encoder' })
  } catch (error) {
    await screenshot(session, `failed-${failures++}`).catch(() => {})
    throw error
  } finally {
    await app.close()
  }
})
