// Every screen in a person's words: after a morning's work (check-ins, a move, an extension,
// a check-out with a card still out), each screen's visible text is read and
// must hold no id, no API word and no "card(s)". Ids stay behind the "Details" disclosures,
// which are left closed.

import assert from 'node:assert/strict'
import { readFileSync, rmSync } from 'node:fs'
import { after, before, test } from 'node:test'
import { By } from 'selenium-webdriver'
import { openApp, startTauriDriver } from './driver.mjs'
import {
  byButton,
  byLabel,
  byTestId,
  checkIn,
  click,
  dateValue,
  closeDialog,
  encodeAll,
  firstManager,
  openStay,
  screenshot,
  setDate,
  waitFor,
  waitGone,
} from './ui.mjs'

const TIMEOUT = { timeout: 300_000 }

let driver
before(async () => {
  driver = await startTauriDriver()
})
after(async () => {
  await driver?.stop()
})

/** What must not be on a screen, each with what it is. */
const NOT_WORDS = [
  [/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/i, 'an id'],
  [/\bstay-[0-9a-f]{8}\b/, 'a made-up reservation key'],
  [/\b[0-9A-F]{8,}\b/, 'a card number'],
  [/\baccess[ _]grants?\b|\baccess[ _]methods?\b|\buser[ _]identit|\bacs_|\breservation[ _]key\b/i, 'an API word'],
  [/\b[a-z]+_[a-z_]+\b/, 'a code word'],
  [/\w\(s\)/, 'a plural hedge'],
]

/** The screen's text as a person sees it (closed disclosures and hidden parts left out). */
async function visibleText(session) {
  return session.executeScript('return document.body.innerText')
}

async function assertInWords(session, screen) {
  const text = await visibleText(session)
  const found = NOT_WORDS.flatMap(([pattern, what]) => {
    const match = text.match(pattern)
    if (!match) return []
    const at = match.index ?? 0
    return [`${what}: “${text.slice(Math.max(0, at - 40), at + match[0].length + 40).replace(/\s+/g, ' ')}”`]
  })
  if (found.length > 0) await screenshot(session, `words-${screen.replace(/\W+/g, '-')}`)
  assert.deepEqual(found, [], `${screen} speaks like its database`)
}

const nav = (name) => By.xpath(`//nav//button[normalize-space()="${name}"]`)

/** `YYYY-MM-DDTHH:mm` moved on by `days`. */
function addDays(local, days) {
  const date = new Date(`${local.slice(0, 10)}T00:00:00Z`)
  date.setUTCDate(date.getUTCDate() + days)
  return date.toISOString().slice(0, 10) + local.slice(10)
}

test('every screen speaks a person’s words after a morning’s work', TIMEOUT, async () => {
  const app = await openApp(driver.url, ['--property', 'demo'])
  const session = app.session
  try {
    await firstManager(session)
    await checkIn(session, '101', ['Ann Lee', 'Bob Lee'])
    await checkIn(session, '104', ['Gus Hart'])
    await checkIn(session, '201', ['Dan Roe'])

    // Ann and Bob stay two more nights, their cards not yet re-encoded.
    let panel = await openStay(session, '101')
    await click(session, byButton('Extend or shorten'), { scope: panel })
    const dates = await waitFor(session, byTestId('dates-form'), { scope: panel })
    const departure = await waitFor(session, byLabel('Departure'), { scope: dates })
    await setDate(session, departure, addDays(await dateValue(session, departure), 2))
    await click(session, byButton('Change dates'), { scope: dates })
    await waitFor(session, byTestId('stale-banner'), { scope: panel })
    await assertInWords(session, 'stay panel')
    await closeDialog(session)

    // Gus checks out with his card in his pocket.
    panel = await openStay(session, '104')
    await click(session, byButton('Check out…'), { scope: panel })
    await click(session, byButton('Check out'), { scope: panel })
    await waitFor(session, byTestId('checked-out'), { scope: panel })
    await assertInWords(session, 'check-out')
    await click(session, By.xpath('.//div[@class="actions"]/button[normalize-space()="Close"] | .//button[@aria-label="Close"]'), {
      scope: panel,
    })
    await waitGone(session, By.css('dialog[open]'))

    // Dan moves to Room 202.
    panel = await openStay(session, '201')
    await click(session, byTestId('move-menu-button'), { scope: panel })
    const menu = await waitFor(session, By.css('[role="menu"]'))
    await assertInWords(session, 'move menu')
    await click(session, By.xpath('.//li[@role="menuitem"][.//*[normalize-space()="Room 202"]]'), { scope: menu })
    const move = await waitFor(session, byTestId('move-dialog'))
    await assertInWords(session, 'move dialog')
    await click(session, byButton('Move to Room 202'), { scope: move })
    await waitFor(session, byTestId('move-result'), { scope: move })
    await click(session, By.xpath('.//button[starts-with(normalize-space(), "Encode") and contains(., "Room 202")]'), { scope: move })
    await encodeAll(session, move)
    await waitGone(session, By.css('dialog[open]'))
    await assertInWords(session, 'room board')
    await click(session, byTestId('view-timeline'))
    await waitFor(session, byTestId('timeline'))
    await assertInWords(session, 'timeline')
    await click(session, byTestId('view-today'))

    // The manager's screen: one warning per problem, the log in sentences.
    await click(session, nav('Manager'))
    await waitFor(session, byTestId('warnings'))
    const log = await waitFor(session, byTestId('audit-log'))
    await waitFor(session, byTestId('audit-sentence'), {
      scope: log,
      text: 'Mia Manager checked Ann Lee and Bob Lee into Room 101 (2 cards)',
    })
    await waitFor(session, byTestId('audit-sentence'), { scope: log, text: 'Mia Manager moved Dan Roe from Room 201 to Room 202' })
    const warnings = await session.findElements(By.css('[data-testid="warning"][data-code="encoding_required"]'))
    assert.equal(warnings.length, 1, 'one warning for the stay whose dates changed')
    assert.match(
      await (await warnings[0].findElement(byTestId('warning-sentence'))).getText(),
      /^Room 101: the dates of Ann Lee and Bob Lee changed after 2 key cards were made; they still carry the old dates\.$/,
    )
    const notReturned = await waitFor(
      session,
      By.css('[data-testid="warning"][data-code="cards_not_collected"] [data-testid="warning-sentence"]'),
      {
        text: 'Room 104:',
      },
    )
    assert.match(await notReturned.getText(), /^Room 104: 1 key card not returned \(Gus Hart, checked out \d+ \w{3} \d{4}\)\.$/)
    await screenshot(session, 'manager-in-words')
    await session.executeScript('arguments[0].scrollIntoView()', log)
    await screenshot(session, 'audit-log-in-words')
    await assertInWords(session, 'manager')

    for (const screen of ['Room board', 'Staff cards', 'Reports', 'Spare cards', 'Door simulator', 'Read card', 'Operators & settings']) {
      const buttons = await session.findElements(nav(screen))
      assert.equal(buttons.length, 1, `the ${screen} screen is in the menu`)
      await buttons[0].click()
      await session.sleep(500)
      await assertInWords(session, screen)
    }

    // The cards still out, taken away as CSV: the file is where the screen says.
    await click(session, nav('Reports'))
    const report = await waitFor(session, byTestId('report'), { text: 'Gus Hart' })
    await click(session, byButton('Save as CSV'), { scope: report })
    const saved = await waitFor(session, byTestId('report-saved'), { scope: report })
    const file = (await saved.getText()).replace(/^Saved as /, '')
    try {
      const csv = readFileSync(file, 'utf8')
      assert.match(csv, /^\ufeffRoom,Guest,Card,Why,Since,Still opens\r\nRoom 104,Gus Hart,Card 1,Not returned,/)
    } finally {
      rmSync(file, { force: true })
    }
    await screenshot(session, 'reports')
  } catch (error) {
    await screenshot(session, 'words-failed').catch(() => {})
    throw error
  } finally {
    await app.close()
  }
})
