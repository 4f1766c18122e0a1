// The views read their data again when the property changed somewhere (`desk-changed`): a
// burst read once, nothing the operator is doing lost, nothing read in the middle of the
// operator's own request, and a stay changed elsewhere said in words.

import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { startUi } from './harness.mjs'
import {
  anaStay,
  bar,
  base,
  board,
  calls,
  cardOut,
  checkInOptions,
  deskChanged,
  guest,
  id,
  issued,
  manager,
  receptionist,
  release,
  roomButton,
  signIn,
  summary,
  tile,
  timeline,
} from './fixtures.mjs'

let ui
before(async () => {
  ui = await startUi()
})
after(async () => {
  await ui?.close()
})

/** Replaces a command's reply while the page runs. */
async function reply(page, command, value) {
  await page.evaluate(([name, answer]) => window.__frontdeskMock.set(name, answer), [command, value])
}

/** Lets the page run for a while: what has not happened by then is not going to. */
const settle = (page) => page.waitForTimeout(300)

/** The board with Lia Moreno checked in to 201 at another desk. */
function boardWithLia() {
  const later = board()
  later.floors[1].rooms[0] = tile('201', 'in_house', [summary('stay-lia', ['Lia Moreno'], '2025-03-12T14:00:00Z', '2025-03-15T11:00:00Z')])
  return later
}

test('a guest checked in elsewhere appears on the board at once; the check-in being typed here stays', async () => {
  const { page, problems } = await ui.open(base({ check_in_options: { ok: checkInOptions('101') } }))
  await signIn(page)
  await roomButton(page, '101').click()
  const dialog = page.getByRole('dialog', { name: 'Check in to Room 101' })
  const name = dialog.getByLabel('Guest 1 name')
  await name.fill('Nora Quinn')
  // Records whether the rooms ever left the screen while they were read again.
  await page.evaluate(() => {
    window.fewestRooms = Infinity
    new MutationObserver(() => {
      window.fewestRooms = Math.min(window.fewestRooms, document.querySelectorAll('[data-testid="room"]').length)
      if (document.body.textContent.includes('Loading the rooms')) window.fewestRooms = 0
    }).observe(document.body, { subtree: true, childList: true, characterData: true })
  })

  await reply(page, 'room_board', { ok: boardWithLia() })
  // Three changes in a row: read once.
  await deskChanged(page, 2)
  await deskChanged(page, 3)
  await deskChanged(page, 4)
  await page.waitForFunction(() => document.querySelector('[data-room="201"]')?.getAttribute('aria-label')?.includes('Lia Moreno'))
  assert.equal(await roomButton(page, '201').getAttribute('aria-label'), 'Room 201, in house, Lia Moreno')
  await settle(page)
  assert.equal((await calls(page, 'room_board')).length, 2)
  assert.equal(await page.evaluate(() => window.fewestRooms), 10)

  // The dialog is still open, with what was typed and the focus where it was.
  assert.equal(await dialog.isVisible(), true)
  assert.equal(await name.inputValue(), 'Nora Quinn')
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('name')), 'guest-0-name')
  assert.equal((await calls(page, 'check_in_options')).length, 1)
  assert.deepEqual(problems, [])
})

test('the focus stays on its room when the stay it was on leaves the board', async () => {
  const { page, problems } = await ui.open(base())
  await signIn(page)
  await roomButton(page, '103').locator('xpath=..').getByTestId('stay-chip').focus()
  const gone = board()
  gone.floors[0].rooms[2] = tile('103')
  await reply(page, 'room_board', { ok: gone })
  await deskChanged(page)
  await page.waitForFunction(() => document.querySelector('[data-room="103"]')?.getAttribute('aria-label') === 'Room 103, vacant')
  await page.waitForFunction(() => document.activeElement?.dataset.room === '103')
  assert.deepEqual(problems, [])
})

test('an open stay shows what was changed at another desk, in the view the operator is in', async () => {
  const joined = anaStay({ ends_at: '2025-03-15T11:00:00Z' })
  joined.guests.push(guest('Cy Silva', [issued('cy-1')]))
  const { page, problems } = await ui.open(base({ stay: { ok: anaStay() } }))
  await signIn(page)
  await roomButton(page, '102').click()
  const panel = page.getByTestId('stay-panel')
  await panel.getByTestId('guest').nth(1).waitFor()

  await reply(page, 'stay', { ok: joined })
  await deskChanged(page)
  await panel.getByTestId('guest').nth(2).waitFor()
  assert.match(await panel.getByTestId('guest').nth(2).textContent(), /Cy Silva/)
  assert.equal(await panel.getByTestId('stay-dates').textContent(), 'Tue 11 Mar 15:00 – Sat 15 Mar 11:00 (4 nights)')

  // In the dates form, the form stays as typed while the stay is read again.
  await panel.getByRole('button', { name: 'Extend or shorten' }).click()
  const form = panel.getByTestId('dates-form')
  await form.getByLabel('Departure').fill('18/03/2025 11:00')
  await reply(page, 'stay', { ok: anaStay({ ends_at: '2025-03-16T11:00:00Z' }) })
  await deskChanged(page, 3)
  await page.waitForFunction(() => window.__frontdeskMock.calls.filter((c) => c.command === 'stay').length === 3)
  await settle(page)
  assert.equal(await form.isVisible(), true)
  assert.equal(await form.getByLabel('Departure').inputValue(), '18/03/2025 11:00')
  await form.getByRole('button', { name: 'Back' }).click()
  assert.equal(await panel.getByTestId('stay-dates').textContent(), 'Tue 11 Mar 15:00 – Sun 16 Mar 11:00 (5 nights)')
  assert.equal(await panel.getByTestId('stay-elsewhere').count(), 0)
  assert.deepEqual(problems, [])
})

test('a stay moved or checked out elsewhere while it is open is said in words', async () => {
  const { page, problems } = await ui.open(
    base({
      stay: { ok: anaStay() },
      past_stay: {
        ok: {
          reservation_key: 'stay-ana',
          room_name: 'Room 201',
          starts_at: '2025-03-11T15:00:00Z',
          checked_out_at: '2025-03-12T15:10:00Z',
          guests: ['Ana Silva', 'Ben Silva'],
          cards_made: 2,
          cards_still_out: [],
        },
      },
    }),
  )
  await signIn(page)
  await roomButton(page, '102').click()
  const panel = page.getByTestId('stay-panel')
  await panel.getByTestId('guest').first().waitFor()

  await reply(page, 'stay', { ok: anaStay({ space_id: id('space-201'), room_name: 'Room 201' }) })
  await deskChanged(page)
  const said = panel.getByTestId('stay-elsewhere')
  await said.waitFor()
  assert.equal(await said.textContent(), 'This stay was changed elsewhere while it was open here: it is now in Room 201.')
  assert.equal(await page.getByRole('dialog', { name: 'Room 201: Ana Silva, Ben Silva' }).count(), 1)

  // Checked out elsewhere: no longer among the live stays.
  await reply(page, 'stay', { error: { type: 'not_found', message: 'No stay stay-ana.' } })
  await deskChanged(page, 3)
  await said.filter({ hasText: 'This stay was checked out elsewhere while it was open here.' }).waitFor()
  assert.equal(await panel.getByTestId('error').count(), 0)
  assert.equal(await panel.getByRole('button', { name: 'Check out…' }).count(), 0)
  await panel.getByRole('button', { name: 'Show the checked-out stay' }).click()
  await page.getByTestId('past-stay').getByTestId('past-stay-cards').waitFor()
  assert.deepEqual(problems, [])
})

test('a stay is not read again in the middle of the operator’s own change, but right after it', async () => {
  const extended = anaStay({ ends_at: '2025-03-16T11:00:00Z' })
  const { page, problems } = await ui.open(base({ stay: { ok: anaStay() }, change_dates: { ok: extended, steps: [{ pause: 'dates' }] } }))
  await signIn(page)
  await roomButton(page, '102').click()
  const panel = page.getByTestId('stay-panel')
  await panel.getByRole('button', { name: 'Extend or shorten' }).click()
  const form = panel.getByTestId('dates-form')
  await form.getByLabel('Departure').fill('16/03/2025 11:00')
  await form.getByRole('button', { name: 'Change dates' }).click()
  await page.waitForFunction(() => window.__frontdeskMock.waiting().includes('dates'))

  await reply(page, 'stay', { ok: extended })
  await deskChanged(page)
  await settle(page)
  assert.equal((await calls(page, 'stay')).length, 1)

  await release(page, 'dates')
  await panel.getByTestId('stay-notice').waitFor()
  await page.waitForFunction(() => window.__frontdeskMock.calls.filter((c) => c.command === 'stay').length === 2)
  assert.match(await panel.getByTestId('stay-notice').textContent(), /^The stay now runs Tue 11 Mar 15:00 – Sun 16 Mar 11:00/)
  assert.equal(await panel.getByTestId('stay-elsewhere').count(), 0)
  assert.deepEqual(problems, [])
})

test('the timeline waits for a stay carried with the keys to be put down, then shows the change', async () => {
  // Sixty days: wider than the window, so that the chart scrolls sideways.
  const later = timeline({ days: 60 })
  later.floors[0].rooms[0].stays.push(bar('stay-lia', ['Lia Moreno'], '2025-03-12T14:00:00Z', '2025-03-15T11:00:00Z'))
  const { page, problems } = await ui.open(base({ timeline: { ok: timeline({ days: 60 }) } }))
  await signIn(page)
  await page.getByTestId('view-timeline').click()
  const row = (number) => page.locator(`[data-testid="timeline-row"][data-room="${number}"]`)
  const chartReads = async () => (await calls(page, 'timeline')).filter((c) => c.args.days === 14).length
  // Eva's stay, from Friday: in view with the chart scrolled a little.
  await row('201').getByTestId('timeline-bar').focus()
  const scroll = await page.locator('.chart').evaluate((chart) => {
    chart.scrollLeft = 40
    return chart.scrollLeft
  })
  assert.equal(scroll, 40)
  const before = await chartReads()

  await page.keyboard.press('Space')
  await page.keyboard.press('ArrowDown')
  const over = page.locator('.lane[data-room="202"]:is(.drop-ok, .drop-no)')
  await over.waitFor()
  await reply(page, 'timeline', { ok: later })
  await deskChanged(page)
  await settle(page)
  // Still carried, over the same room, and the days not read meanwhile.
  assert.equal(await chartReads(), before)
  assert.equal(await over.count(), 1)

  await page.keyboard.press('Escape')
  await row('101').getByTestId('timeline-bar').waitFor()
  assert.equal(await chartReads(), before + 1)
  assert.equal((await row('101').getByTestId('timeline-bar').textContent()).trim(), 'Lia Moreno')
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.stay), 'stay-eva')
  assert.equal(await page.locator('.chart').evaluate((chart) => chart.scrollLeft), scroll)
  assert.deepEqual(problems, [])
})

test('a past stay shows a card collected at another desk', async () => {
  const past = {
    reservation_key: 'stay-zoe',
    room_name: 'Room 203',
    starts_at: '2025-03-09T15:00:00Z',
    checked_out_at: '2025-03-11T10:40:00Z',
    guests: ['Zoe Adams'],
    cards_made: 2,
    cards_still_out: [cardOut('04C3', { guest: 'Zoe Adams' })],
  }
  const { page, problems } = await ui.open(base({ past_stay: { ok: past } }))
  await signIn(page)
  await page.getByTestId('view-timeline').click()
  await page.locator('[data-testid="timeline-row"][data-room="203"]').getByTestId('timeline-bar').click()
  const panel = page.getByTestId('past-stay')
  await panel.getByTestId('card-still-out').waitFor()
  await reply(page, 'past_stay', { ok: { ...past, cards_still_out: [] } })
  await deskChanged(page)
  await panel.getByTestId('past-stay-cards').filter({ hasText: 'All 2 of its cards are back at the desk' }).waitFor()
  assert.equal(await panel.getByTestId('card-still-out').count(), 0)
  assert.deepEqual(problems, [])
})

test('the manager’s warnings and audit log follow the changes, with the filters last shown', async () => {
  const warning = (code) => ({
    access_grant_id: id(`grant-${code}`),
    access_grant_ids: [id(`grant-${code}`)],
    access_method_ids: [id(`method-${code}`)],
    code,
    message: `Message for ${code}.`,
    created_at: '2025-03-12T10:00:00Z',
    reservation_key: `stay-${code}`,
    guests: ['Ana Silva'],
    rooms: ['Room 101'],
    door: null,
    ends_at: '2025-03-14T11:00:00Z',
    checked_out_at: null,
    cards: 1,
    fix: 're_encode',
    outstanding_card_ids: [],
    cards_out: [],
  })
  const entry = (n, action) => ({
    id: n,
    at: '2025-03-12T09:30:00Z',
    actor: 'operator:Rex Desk',
    action,
    subject_id: 'stay-ana',
    outcome: 'ok',
    before: null,
    after: null,
    detail: null,
    terminal: null,
    change_id: n,
    change_action: null,
    about: { people: ['Ana Silva'], rooms: ['Room 101'], rooms_before: [], door: null, cards: 0, operator: null },
  })
  const { page, problems } = await ui.open(
    base({
      warnings: [{ ok: [warning('encoding_required')] }, { ok: [warning('encoding_required'), warning('sequence_inversion')] }],
      audit_log: [{ ok: [entry(1, 'stay.check_in')] }, { ok: [entry(2, 'stay.move'), entry(1, 'stay.check_in')] }],
      list_operators: { ok: [manager, receptionist] },
    }),
  )
  await signIn(page)
  await page.getByRole('button', { name: 'Manager' }).click()
  await page.getByTestId('audit-entry').first().waitFor()
  await page.getByTestId('warning').first().waitFor()
  // A filter chosen but not shown yet is not the log's.
  await page.getByTestId('audit-filters').getByLabel('Operator').selectOption({ label: 'Rex Desk' })

  await deskChanged(page)
  await page.getByTestId('warning').nth(1).waitFor()
  await page.getByTestId('audit-entry').nth(1).waitFor()
  assert.match(await page.getByTestId('audit-entry').first().textContent(), /Rex Desk moved Ana Silva/)
  assert.deepEqual(
    (await calls(page, 'audit_log')).map((c) => c.args.query.actor),
    [null, null],
  )
  assert.equal(await page.getByTestId('audit-filters').getByLabel('Operator').inputValue(), 'operator:Rex Desk')
  assert.deepEqual(problems, [])
})
