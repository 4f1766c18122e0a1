// Dates and times as the desk shows them: always in the property's time zone (an IANA name
// from AppInfo/Board), whatever the workstation's own zone is. The wire carries UTC instants
// (RFC 3339); forms take a date field's value (components/DateField.svelte: "2025-03-12T15:00")
// read as wall-clock time at the property. Their words come from the operator's language
// (lib/i18n.svelte.ts).
import { t } from './i18n.svelte'

export const MONTH_KEYS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'] as const
/** Sunday first, as `Date.getUTCDay` counts. */
export const WEEKDAY_KEYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const

/** "Mar" for 3 (1–12), in the operator's language. */
export function monthShort(month: number): string {
  return t(`months.short.${MONTH_KEYS[month - 1]}`)
}

/** "March" for 3 (1–12), in the operator's language. */
export function monthLong(month: number): string {
  return t(`months.long.${MONTH_KEYS[month - 1]}`)
}

/** "Wed" for 3 (0 is Sunday), in the operator's language. */
export function weekdayShort(day: number): string {
  return t(`weekdays.short.${WEEKDAY_KEYS[day]}`)
}

/** Wall-clock fields of an instant in a zone. `month` is 1–12. */
export interface WallClock {
  year: number
  month: number
  day: number
  hour: number
  minute: number
  second: number
}

const formatters = new Map<string, Intl.DateTimeFormat>()

function formatter(timeZone: string): Intl.DateTimeFormat {
  let found = formatters.get(timeZone)
  if (!found) {
    found = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    })
    formatters.set(timeZone, found)
  }
  return found
}

/** True when `timeZone` is a zone this browser knows. */
export function isKnownZone(timeZone: string): boolean {
  try {
    formatter(timeZone)
    return true
  } catch {
    return false
  }
}

/** The wall clock at the property for an instant (an unknown zone falls back to UTC). */
export function wallClock(instant: Date | string, timeZone: string): WallClock {
  const date = typeof instant === 'string' ? new Date(instant) : instant
  const zone = isKnownZone(timeZone) ? timeZone : 'UTC'
  const fields: Record<string, number> = {}
  for (const part of formatter(zone).formatToParts(date)) {
    if (part.type !== 'literal') fields[part.type] = Number(part.value)
  }
  return {
    year: fields.year,
    month: fields.month,
    day: fields.day,
    hour: fields.hour === 24 ? 0 : fields.hour,
    minute: fields.minute,
    second: fields.second,
  }
}

const pad = (value: number) => String(value).padStart(2, '0')

function weekday(clock: WallClock): string {
  return weekdayShort(new Date(Date.UTC(clock.year, clock.month - 1, clock.day)).getUTCDay())
}

/** "12 Mar 2025" */
export function formatDate(instant: string, timeZone: string): string {
  const c = wallClock(instant, timeZone)
  return t('dates.date', { day: c.day, month: monthShort(c.month), year: c.year })
}

/** "15:00" */
export function formatTime(instant: string, timeZone: string): string {
  const c = wallClock(instant, timeZone)
  return `${pad(c.hour)}:${pad(c.minute)}`
}

/** "12 Mar 2025, 15:00" */
export function formatDateTime(instant: string, timeZone: string): string {
  return t('dates.dateTime', { date: formatDate(instant, timeZone), time: formatTime(instant, timeZone) })
}

/** "Wed 12 Mar 15:00": for stays, whose year is plain from context. */
export function formatShort(instant: string, timeZone: string): string {
  const c = wallClock(instant, timeZone)
  return t('dates.short', { weekday: weekday(c), day: c.day, month: monthShort(c.month), time: `${pad(c.hour)}:${pad(c.minute)}` })
}

/** "Wed 12 Mar 15:00 – Fri 14 Mar 11:00 (2 nights)"; "Wed 12 Mar 15:00 – no end" when `ends`
 * is null (a staff member's standing access, a lease without an end date). */
export function formatStay(starts: string, ends: string | null, timeZone: string): string {
  if (ends === null) return t('dates.stayNoEnd', { starts: formatShort(starts, timeZone) })
  const count = nights(starts, ends, timeZone)
  const words = { starts: formatShort(starts, timeZone), ends: formatShort(ends, timeZone) }
  return count > 0 ? t('dates.stayNights', { ...words, count }) : t('dates.stay', words)
}

/** Nights between two instants: calendar days between their dates at the property. */
export function nights(starts: string, ends: string, timeZone: string): number {
  const a = wallClock(starts, timeZone)
  const b = wallClock(ends, timeZone)
  const days = (Date.UTC(b.year, b.month - 1, b.day) - Date.UTC(a.year, a.month - 1, a.day)) / 86_400_000
  return Math.max(0, Math.round(days))
}

/** "until 12 Mar 2025, 15:00", or "with no end" when `instant` is null. */
export function formatUntil(instant: string | null, timeZone: string): string {
  return instant === null ? t('dates.withNoEnd') : t('dates.until', { dateTime: formatDateTime(instant, timeZone) })
}

/** The value of a `datetime-local` input showing this instant at the property:
 * "2025-03-12T15:00". */
export function toLocalInput(instant: string, timeZone: string): string {
  const c = wallClock(instant, timeZone)
  return `${c.year}-${pad(c.month)}-${pad(c.day)}T${pad(c.hour)}:${pad(c.minute)}`
}

/** The value of a `date` input for this instant's date at the property: "2025-03-12". */
export function toLocalDate(instant: string, timeZone: string): string {
  return toLocalInput(instant, timeZone).slice(0, 10)
}

const LOCAL_INPUT = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2}))?)?$/

/** The zone's offset from UTC at an instant, in milliseconds (Lisbon in summer: +3 600 000). */
export function offsetAt(instant: number, timeZone: string): number {
  const c = wallClock(new Date(instant), timeZone)
  const asUtc = Date.UTC(c.year, c.month - 1, c.day, c.hour, c.minute, c.second)
  return asUtc - Math.floor(instant / 1000) * 1000
}

/**
 * The UTC instant (ISO string) of a wall-clock time at the property, from a `datetime-local`
 * ("2025-03-12T15:00") or `date` ("2025-03-12", midnight) value; null when it is not one.
 * A time skipped by a daylight-saving change is moved forward by the change (01:30 on a
 * spring-forward night at 01:00 reads as 02:30); a repeated time takes its first occurrence.
 */
export function fromLocalInput(value: string, timeZone: string): string | null {
  const match = LOCAL_INPUT.exec(value.trim())
  if (!match) return null
  const [year, month, day, hour, minute, second] = match.slice(1).map((part) => Number(part ?? 0))
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return null
  const naive = Date.UTC(year, month - 1, day, hour, minute, second)
  if (new Date(naive).getUTCDate() !== day) return null // 31 February
  const zone = isKnownZone(timeZone) ? timeZone : 'UTC'
  // The offsets a day either side of the wall-clock time bracket any change on the day.
  const before = offsetAt(naive - 86_400_000, zone)
  const after = offsetAt(naive + 86_400_000, zone)
  const candidates = [naive - before, naive - after].sort((a, b) => a - b)
  for (const instant of candidates) {
    if (naive - offsetAt(instant, zone) === instant) return new Date(instant).toISOString()
  }
  // In a gap: the earlier offset read forward.
  return new Date(naive - before).toISOString()
}

/** `[start, end)` of a property date ("2025-03-12") as UTC instants: for date filters. */
export function dayRange(date: string, timeZone: string): { since: string; until: string } | null {
  const since = fromLocalInput(date, timeZone)
  if (!since) return null
  const [year, month, day] = date.split('-').map(Number)
  const next = new Date(Date.UTC(year, month - 1, day + 1))
  const nextDate = `${next.getUTCFullYear()}-${pad(next.getUTCMonth() + 1)}-${pad(next.getUTCDate())}`
  const until = fromLocalInput(nextDate, timeZone)
  return until ? { since, until } : null
}

/** A period of whole days at the property typed as two dates (`YYYY-MM-DD`, either empty
 * for no bound): the first day's range and the last's, or why they cannot be taken. */
export function periodRange(
  first: string,
  last: string,
  timeZone: string,
): { from: { since: string; until: string } | null; to: { since: string; until: string } | null } | { problem: string } {
  const from = first ? dayRange(first, timeZone) : null
  const to = last ? dayRange(last, timeZone) : null
  if ((first && !from) || (last && !to)) return { problem: t('dates.badPeriod') }
  if (from && to && Date.parse(to.until) <= Date.parse(from.since)) return { problem: t('dates.periodBackwards') }
  return { from, to }
}

/** True when [a0, a1) and [b0, b1) share an instant; a null end is no end. */
export function overlaps(a0: string, a1: string | null, b0: string, b1: string | null): boolean {
  const end = (instant: string | null) => (instant === null ? Infinity : Date.parse(instant))
  return Date.parse(a0) < end(b1) && Date.parse(b0) < end(a1)
}
