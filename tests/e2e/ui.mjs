// Helpers for driving the real app's UI through selenium-webdriver: find things the way a
// person names them (a label's text, a button's name), wait for them, and take screenshots.

import { mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { By, until } from 'selenium-webdriver'
import { repoDir } from './driver.mjs'

export const SCREENSHOTS = path.join(repoDir, 'tests/e2e/screenshots')
const WAIT = 20_000

const quote = (text) => (text.includes('"') ? `'${text}'` : `"${text}"`)

/** The input, select or textarea of the label whose text is `text`. */
export const byLabel = (text) =>
  By.xpath(
    `.//label[span[normalize-space()=${quote(text)}] or normalize-space()=${quote(text)}]//*[self::input or self::select or self::textarea]`,
  )

/** A button by its text or its aria-label. */
export const byButton = (name) => By.xpath(`.//button[normalize-space()=${quote(name)} or @aria-label=${quote(name)}]`)

export const byTestId = (id) => By.css(`[data-testid="${id}"]`)

/** Waits until `locator` finds a displayed element inside `scope` (the session or an element). */
export async function waitFor(session, locator, { scope = session, text, timeout = WAIT } = {}) {
  const deadline = Date.now() + timeout
  let last = ''
  while (Date.now() < deadline) {
    try {
      for (const element of await scope.findElements(locator)) {
        if (!(await element.isDisplayed())) continue
        if (text === undefined) return element
        last = await element.getText()
        if (text instanceof RegExp ? text.test(last) : last.includes(text)) return element
      }
    } catch {
      // the element went away while we looked: look again
    }
    await session.sleep(100)
  }
  throw new Error(`timed out waiting for ${locator}${text ? ` with text ${text} (last: ${JSON.stringify(last)})` : ''}`)
}

/** Waits until `locator` finds nothing displayed. */
export async function waitGone(session, locator, timeout = WAIT) {
  await session.wait(async () => {
    for (const element of await session.findElements(locator)) {
      try {
        if (await element.isDisplayed()) return false
      } catch {
        // gone
      }
    }
    return true
  }, timeout)
}

/** Clicks what `locator` finds, again if a live refresh replaced it or laid it out anew
 * between finding and clicking it. */
export async function click(session, locator, options) {
  const deadline = Date.now() + WAIT
  for (;;) {
    const element = await waitFor(session, locator, options)
    try {
      await session.wait(until.elementIsEnabled(element), WAIT)
      await element.click()
      return element
    } catch (error) {
      const moved = error?.name === 'ElementNotInteractableError' || error?.name === 'StaleElementReferenceError'
      if (!moved || Date.now() > deadline) throw error
      // Half out of a scrolled dialog, say: brought into view as a person would scroll to it.
      if (error.name === 'ElementNotInteractableError') {
        await session.executeScript("arguments[0].scrollIntoView({ block: 'center' })", element).catch(() => {})
      }
      await session.sleep(100)
    }
  }
}

/** Types into a text field (clearing it first). */
export async function type(session, locator, value, options) {
  const element = await waitFor(session, locator, options)
  await element.clear()
  await element.sendKeys(value)
  return element
}

/** Sets a field's value as the UI sees a person's edit (date-time inputs, selects). */
export async function setValue(session, element, value) {
  await session.executeScript(
    `const el = arguments[0];
     const proto = el instanceof HTMLSelectElement ? HTMLSelectElement.prototype : HTMLInputElement.prototype;
     Object.getOwnPropertyDescriptor(proto, 'value').set.call(el, arguments[1]);
     el.dispatchEvent(new Event('input', { bubbles: true }));
     el.dispatchEvent(new Event('change', { bubbles: true }));`,
    element,
    value,
  )
}

/** A date field's value as a date input's ("2026-12-08T15:00", "2026-12-08"): the field shows
 * it as the demo hotel writes dates (en-GB: "08/12/2026 15:00"). */
export async function dateValue(session, field) {
  const text = await session.executeScript('return arguments[0].value', field)
  const match = /^(\d{2})\/(\d{2})\/(\d{4})(?: (\d{2}:\d{2}))?$/.exec(text)
  if (!match) throw new Error(`not a date as the demo hotel writes one: ${text}`)
  return `${match[3]}-${match[2]}-${match[1]}${match[4] ? `T${match[4]}` : ''}`
}

/** Types a date ("2026-12-08T15:00") into a date field as the demo hotel writes it. */
export async function setDate(session, field, value) {
  const [date, time] = value.split('T')
  const [year, month, day] = date.split('-')
  await setValue(session, field, `${day}/${month}/${year}${time ? ` ${time}` : ''}`)
}

/** Chooses the option of `select` whose text contains `text`, or whose value is `text`;
 * returns its value. */
export async function choose(session, select, text) {
  const deadline = Date.now() + WAIT
  while (Date.now() < deadline) {
    for (const option of await select.findElements(By.css('option'))) {
      const value = await option.getAttribute('value')
      if ((await option.getText()).includes(text) || value === text) {
        await setValue(session, select, value)
        return value
      }
    }
    await session.sleep(100)
  }
  throw new Error(`no option with ${JSON.stringify(text)}`)
}

export async function screenshot(session, name) {
  mkdirSync(SCREENSHOTS, { recursive: true })
  writeFileSync(path.join(SCREENSHOTS, `${name}.png`), await session.takeScreenshot(), 'base64')
}

export const room = (number) => By.css(`[data-testid="room"][data-room="room-${number}"]`)
export const chip = (number) => By.xpath(`//*[@data-room="room-${number}"]/..//*[@data-testid="stay-chip"]`)

/** Creates the first manager (the app's first start) and waits for the room board. */
export async function firstManager(session, name = 'Mia Manager', pin = '2468') {
  await waitFor(session, By.xpath('//h1|//h2'), { text: 'Create the first manager' })
  await type(session, byLabel('Name'), name)
  await type(session, byLabel('PIN'), pin)
  await type(session, byLabel('PIN again'), pin)
  await click(session, byButton('Create manager and sign in'))
  await waitFor(session, byTestId('room-board'))
}

/** Waits for a batch of encodes in `scope` to finish (starting it if it waits for a press),
 * calls `before` then (a screenshot), and presses the button that finishes it (Done; Close
 * where it also closes the dialog). */
export async function encodeAll(session, scope, done = /ready/, before = async () => {}) {
  const start = await scope.findElements(By.xpath('.//*[@data-testid="encode"]//button[starts-with(normalize-space(), "Encode")]'))
  if (start.length > 0 && (await start[0].isDisplayed())) await start[0].click()
  await waitFor(session, byTestId('encode-done'), { scope, text: done, timeout: 60_000 })
  await before()
  await click(session, byTestId('encode-finish'), { scope })
}

/** Checks `guests` in to `number` with one card each, encoding them; leaves the dialog closed. */
export async function checkIn(session, number, guests, { screenshotName } = {}) {
  await click(session, room(number))
  const dialog = await waitFor(session, By.css('dialog[open]'), { text: `Check in to Room ${number}` })
  await waitFor(session, byLabel('Guest 1 name'), { scope: dialog })
  for (let index = 0; index < guests.length; index++) {
    if (index > 0) await click(session, byButton('Add a guest'), { scope: dialog })
    await type(session, byLabel(`Guest ${index + 1} name`), guests[index], { scope: dialog })
  }
  const cards = guests.length === 1 ? '1 card' : `${guests.length} cards`
  await click(session, byButton(`Check in and make ${cards}`), { scope: dialog })
  if (screenshotName) {
    await waitFor(session, byTestId('encode-item'), { scope: dialog })
    await screenshot(session, screenshotName)
  }
  await encodeAll(session, dialog)
  await waitFor(session, byTestId('check-in-done'), { scope: dialog, text: 'checked in to Room' })
  await click(session, By.xpath('.//div[@class="actions"]/button[normalize-space()="Close"]'), { scope: dialog })
  await waitGone(session, By.css('dialog[open]'))
}

/** Opens the stay panel of the stay in `number`. */
export async function openStay(session, number) {
  await click(session, room(number))
  const panel = await waitFor(session, byTestId('stay-panel'))
  await waitFor(session, byTestId('guest'), { scope: panel })
  return panel
}

export async function closeDialog(session) {
  const dialog = await waitFor(session, By.css('dialog[open]'))
  await click(session, By.css('button.close[aria-label="Close"]'), { scope: dialog })
  await waitGone(session, By.css('dialog[open]'))
}

/** The texts of the cards' statuses in the stay panel. */
export async function cardStatuses(panel) {
  const cards = await panel.findElements(byTestId('card'))
  return Promise.all(cards.map((card) => card.getAttribute('data-status')))
}
