// The reports a manager takes away: each one a table (columns and rows of words, as on the
// screen) that is shown, printed, or saved as CSV.

import type { AuditChange } from './audit'
import { changeSentence, listWords } from './audit'
import { cardOutWords } from './cardsOut'
import { cardsOut, cardsStateText } from './staff'
import { formatDateTime, formatTime } from './time'
import { dayMovements, type Day } from './timeline'
import type { DoorLogEntry, StaffAccess, Timeline, WarningView } from './types'
import { cardWords, verdictWords } from './verdicts'

export interface ReportTable {
  title: string
  columns: string[]
  rows: string[][]
  /** What the report says when it has no row. */
  empty: string
}

const REASONS = { not_returned: 'Not returned', replaced: 'Replaced by a newer card', lost: 'Reported lost' } as const

/** Every card out of use that a door may still accept, by room. */
export function cardsOutReport(warnings: WarningView[], zone: string): ReportTable {
  const rows = warnings
    .filter((warning) => warning.code === 'cards_not_collected')
    .flatMap((warning) =>
      warning.cards_out.map((card) => [
        listWords(card.rooms.length > 0 ? card.rooms : warning.rooms),
        card.guest ?? 'Guest',
        `Card ${card.copy_number ?? 1}`,
        REASONS[card.reason],
        card.out_since ? formatDateTime(card.out_since, zone) : '',
        cardOutWords(card, zone),
      ]),
    )
    .sort((a, b) => a[0].localeCompare(b[0], undefined, { numeric: true }) || a[1].localeCompare(b[1]))
  return {
    title: 'Cards still out',
    columns: ['Room', 'Guest', 'Card', 'Why', 'Since', 'Still opens'],
    rows,
    empty: 'Every card out of use is back, or opens nothing any more.',
  }
}

const DAY_MS = 86_400_000

/** Staff keys that end within `days` days or ended in the last 30, and those revoked in the
 * last 30 with a card still out, soonest first. */
export function staffKeysReport(staff: StaffAccess[], now: string, zone: string, days = 7): ReportTable {
  const at = Date.parse(now)
  const rows = staff
    .filter((person) => person.ends_at !== null)
    .filter((person) => {
      const ends = Date.parse(person.ends_at as string)
      // Revoked: listed while a card of it is out, for the 30 days after.
      if (person.revoked_at) return Date.parse(person.revoked_at) >= at - 30 * DAY_MS && cardsOut(person).length > 0
      return ends <= at + days * DAY_MS && ends >= at - 30 * DAY_MS
    })
    .sort((a, b) => Date.parse(a.ends_at as string) - Date.parse(b.ends_at as string))
    .map((person) => {
      const ends = person.ends_at as string
      const left = Math.ceil((Date.parse(ends) - at) / DAY_MS)
      const when = person.revoked_at
        ? 'Revoked, a card not back'
        : Date.parse(ends) <= at
          ? 'Expired'
          : left <= 1
            ? 'Expires within a day'
            : `Expires in ${left} days`
      return [person.full_name ?? 'Staff', person.opens, formatDateTime(ends, zone), when, cardsStateText(person)]
    })
  return {
    title: 'Staff keys expiring and expired',
    columns: ['Name', 'Opens', 'Ends', 'When', 'Cards'],
    rows,
    empty: `No staff key ends in the next ${days} days or ended in the last 30.`,
  }
}

/** A day's arrivals and departures, by time. */
export function dayReport(timeline: Timeline, day: Day, zone: string): ReportTable {
  const { arrivals, departures } = dayMovements(timeline, day, zone)
  const rows = [
    ...arrivals.map((move) => [
      'Arrival',
      formatTime(move.at, zone),
      move.room.name,
      listWords(move.bar.guests),
      statusWords(move.bar.status),
    ]),
    ...departures.map((move) => [
      'Departure',
      formatTime(move.at, zone),
      move.room.name,
      listWords(move.bar.guests),
      statusWords(move.bar.status),
    ]),
  ].sort((a, b) => a[1].localeCompare(b[1]) || a[0].localeCompare(b[0]) || a[2].localeCompare(b[2], undefined, { numeric: true }))
  return {
    title: 'Arrivals and departures',
    columns: ['', 'Time', 'Room', 'Guests', 'Now'],
    rows,
    empty: 'No one arrives or leaves that day.',
  }
}

function statusWords(status: Timeline['floors'][number]['rooms'][number]['stays'][number]['status']): string {
  switch (status) {
    case 'upcoming':
      return 'Expected'
    case 'in_house':
      return 'In house'
    case 'checked_out':
      return 'Checked out'
    case 'moved_away':
      return 'Moved to another room'
  }
}

/** What operators did over a period, one line per change. */
export function actionsReport(changes: AuditChange[], zone: string): ReportTable {
  return {
    title: 'Operators’ actions',
    columns: ['When', 'What happened', 'Outcome'],
    rows: changes.map((change) => [
      formatDateTime(change.at, zone),
      change.refusal ? `${changeSentence(change)} (${change.refusal})` : changeSentence(change),
      change.outcome === 'ok' ? 'Done' : 'Refused',
    ]),
    empty: 'Nothing was recorded over this period.',
  }
}

/** What a simulated door decided, newest first. */
export function doorReport(entries: DoorLogEntry[], door: string, zone: string): ReportTable {
  return {
    title: `What ${door} decided`,
    columns: ['When', 'Card', 'Result', 'Why'],
    rows: entries.map((entry) => [
      formatDateTime(entry.at, zone),
      cardWords(entry.card, zone),
      entry.granted ? 'Opened' : 'Refused',
      verdictWords(entry.reason, door, entry.card, zone),
    ]),
    empty: `No card was presented at ${door} yet.`,
  }
}

/** The table as CSV (RFC 4180, with a byte-order mark so that spreadsheets read accents). A
 * cell a spreadsheet would take for a formula (a name typed as "=HYPERLINK(…)") starts with
 * an apostrophe, which shows it as the text it is. */
export function toCsv(table: ReportTable): string {
  const cell = (raw: string) => {
    const text = /^[=+\-@\t\r]/.test(raw) ? `'${raw}` : raw
    return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text
  }
  const lines = [table.columns, ...table.rows].map((row) => row.map(cell).join(','))
  return `\ufeff${lines.join('\r\n')}\r\n`
}

/** "cards-still-out-2026-12-07.csv" */
export function csvFileName(table: ReportTable, day: Day): string {
  const slug = table.title
    .toLowerCase()
    .normalize('NFD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
  return `${slug}-${day}.csv`
}
