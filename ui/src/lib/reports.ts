// The reports a manager takes away: each one a table (columns and rows of words, as on the
// screen, in the operator's language) that is shown, printed, or saved as CSV.

import type { AuditChange } from './audit'
import { changeSentence, listWords } from './audit'
import { cardOutWords } from './cardsOut'
import { cardsOut, cardsStateText } from './staff'
import { t } from './i18n.svelte'
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

function reasonWords(reason: WarningView['cards_out'][number]['reason']): string {
  switch (reason) {
    case 'not_returned':
      return t('manager:reports.cardsOut.reasons.notReturned')
    case 'replaced':
      return t('manager:reports.cardsOut.reasons.replaced')
    case 'lost':
      return t('manager:reports.cardsOut.reasons.lost')
  }
}

/** Every card out of use that a door may still accept, by room. */
export function cardsOutReport(warnings: WarningView[], zone: string): ReportTable {
  const rows = warnings
    .filter((warning) => warning.code === 'cards_not_collected')
    .flatMap((warning) =>
      warning.cards_out.map((card) => [
        listWords(card.rooms.length > 0 ? card.rooms : warning.rooms),
        card.guest ?? t('manager:reports.cardsOut.guest'),
        t('manager:reports.cardsOut.card', { number: card.copy_number ?? 1 }),
        reasonWords(card.reason),
        card.out_since ? formatDateTime(card.out_since, zone) : '',
        cardOutWords(card, zone),
      ]),
    )
    .sort((a, b) => a[0].localeCompare(b[0], undefined, { numeric: true }) || a[1].localeCompare(b[1]))
  return {
    title: t('manager:reports.cardsOut.title'),
    columns: [
      t('manager:reports.columns.room'),
      t('manager:reports.columns.guest'),
      t('manager:reports.columns.card'),
      t('manager:reports.columns.why'),
      t('manager:reports.columns.since'),
      t('manager:reports.columns.stillOpens'),
    ],
    rows,
    empty: t('manager:reports.cardsOut.empty'),
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
        ? t('manager:reports.staffKeys.revoked')
        : Date.parse(ends) <= at
          ? t('manager:reports.staffKeys.expired')
          : left <= 1
            ? t('manager:reports.staffKeys.withinADay')
            : t('manager:reports.staffKeys.inDays', { days: left })
      return [
        person.full_name ?? t('manager:reports.staffKeys.staff'),
        person.opens,
        formatDateTime(ends, zone),
        when,
        cardsStateText(person),
      ]
    })
  return {
    title: t('manager:reports.staffKeys.title'),
    columns: [
      t('manager:reports.columns.name'),
      t('manager:reports.columns.opens'),
      t('manager:reports.columns.ends'),
      t('manager:reports.columns.when'),
      t('manager:reports.columns.cards'),
    ],
    rows,
    empty: t('manager:reports.staffKeys.empty', { days }),
  }
}

/** A day's arrivals and departures, by time. */
export function dayReport(timeline: Timeline, day: Day, zone: string): ReportTable {
  const { arrivals, departures } = dayMovements(timeline, day, zone)
  const rows = [
    ...arrivals.map((move) => [
      t('manager:reports.day.arrival'),
      formatTime(move.at, zone),
      move.room.name,
      listWords(move.bar.guests),
      statusWords(move.bar.status),
    ]),
    ...departures.map((move) => [
      t('manager:reports.day.departure'),
      formatTime(move.at, zone),
      move.room.name,
      listWords(move.bar.guests),
      statusWords(move.bar.status),
    ]),
  ].sort((a, b) => a[1].localeCompare(b[1]) || a[0].localeCompare(b[0]) || a[2].localeCompare(b[2], undefined, { numeric: true }))
  return {
    title: t('manager:reports.day.title'),
    columns: [
      '',
      t('manager:reports.columns.time'),
      t('manager:reports.columns.room'),
      t('manager:reports.columns.guests'),
      t('manager:reports.columns.now'),
    ],
    rows,
    empty: t('manager:reports.day.empty'),
  }
}

function statusWords(status: Timeline['floors'][number]['rooms'][number]['stays'][number]['status']): string {
  switch (status) {
    case 'upcoming':
      return t('manager:reports.day.status.upcoming')
    case 'in_house':
      return t('manager:reports.day.status.inHouse')
    case 'checked_out':
      return t('manager:reports.day.status.checkedOut')
    case 'moved_away':
      return t('manager:reports.day.status.movedAway')
  }
}

/** What operators did over a period, one line per change. */
export function actionsReport(changes: AuditChange[], zone: string): ReportTable {
  return {
    title: t('manager:reports.actions.title'),
    columns: [t('manager:reports.columns.when'), t('manager:reports.columns.whatHappened'), t('manager:reports.columns.outcome')],
    rows: changes.map((change) => [
      formatDateTime(change.at, zone),
      change.refusal ? `${changeSentence(change)} (${change.refusal})` : changeSentence(change),
      change.outcome === 'ok' ? t('manager:outcome.done') : t('manager:outcome.refused'),
    ]),
    empty: t('manager:reports.actions.empty'),
  }
}

/** What a simulated door decided, newest first. */
export function doorReport(entries: DoorLogEntry[], door: string, zone: string): ReportTable {
  return {
    title: t('manager:reports.door.title', { door }),
    columns: [
      t('manager:reports.columns.when'),
      t('manager:reports.columns.card'),
      t('manager:reports.columns.result'),
      t('manager:reports.columns.why'),
    ],
    rows: entries.map((entry) => [
      formatDateTime(entry.at, zone),
      cardWords(entry.card, zone),
      entry.granted ? t('manager:reports.door.opened') : t('manager:reports.door.refused'),
      verdictWords(entry.reason, door, entry.card, zone),
    ]),
    empty: t('manager:reports.door.empty', { door }),
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
