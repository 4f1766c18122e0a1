// The timeline's logic (rooms × days, the tape chart), kept out of the component so that it
// can be tested on its own: days and windows, where a bar sits, which rows are on screen,
// moving between bars with the keys, where a stay may be dropped, a day's arrivals and
// departures.

import { floorName, guestNames } from './board'
import type { DropVerdict } from './dnd'
import { movedFrame } from './dnd'
import { t } from './i18n.svelte'
import { monthShort, offsetAt, overlaps, weekdayShort } from './time'
import type { StayBar, StaySummary, StayStatus, Timeline, TimelineRoom } from './types'

/** A property-local day, "2025-03-12". */
export type Day = string

const DAY_MS = 86_400_000

const pad = (value: number) => String(value).padStart(2, '0')

let lastDay = ''
let lastUtc = 0

/** A day's midnight as if it were UTC; the last one is remembered (bars ask for the same
 * first day of the chart over and over). */
function utcOf(day: Day): number {
  if (day !== lastDay) {
    const [year, month, date] = day.split('-').map(Number)
    lastDay = day
    lastUtc = Date.UTC(year, month - 1, date)
  }
  return lastUtc
}

function dayOf(utc: number): Day {
  const date = new Date(utc)
  return `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`
}

/** `day` moved by `count` days (negative: back). */
export function addDays(day: Day, count: number): Day {
  return dayOf(utcOf(day) + count * DAY_MS)
}

/** Days from `a` to `b` (negative when `b` is earlier). */
export function daysBetween(a: Day, b: Day): number {
  return Math.round((utcOf(b) - utcOf(a)) / DAY_MS)
}

/** `count` days from `from`. */
export function daysFrom(from: Day, count: number): Day[] {
  return Array.from({ length: count }, (_, index) => addDays(from, index))
}

const offsets = new Map<string, Map<number, number>>()
const QUARTER_HOUR_MS = 900_000

/** An instant as wall-clock milliseconds at the property (UTC fields read the local time).
 * The zone's offset is asked of Intl once per quarter hour (zones change offset on quarter
 * hours): a 60-day chart draws thousands of bars, and Intl takes microseconds a call. */
function wallMs(instant: string, zone: string): number {
  const time = Date.parse(instant)
  let known = offsets.get(zone)
  if (!known) {
    known = new Map()
    offsets.set(zone, known)
  }
  const bucket = Math.floor(time / QUARTER_HOUR_MS)
  let offset = known.get(bucket)
  if (offset === undefined) {
    offset = offsetAt(bucket * QUARTER_HOUR_MS, zone)
    known.set(bucket, offset)
  }
  return time + offset
}

/** The property-local day of an instant. */
export function localDay(instant: string, zone: string): Day {
  return dayOf(Math.floor(wallMs(instant, zone) / DAY_MS) * DAY_MS)
}

/** "Wed 12" and "Mar" for a column heading; "Wed 12 Mar" whole (in the operator's language). */
export function dayLabel(day: Day): { weekday: string; date: number; month: string; full: string } {
  const date = new Date(utcOf(day))
  const weekday = weekdayShort(date.getUTCDay())
  const month = monthShort(date.getUTCMonth() + 1)
  return { weekday, date: date.getUTCDate(), month, full: t('board:days.full', { weekday, date: date.getUTCDate(), month }) }
}

/** "Tom Morrow, tomorrow" or "Tom Morrow, Fri 14 Mar": who arrives next in a room after
 * today, and when (the tile says "Next: " before it). */
export function nextArrivalWords(stay: Pick<StaySummary, 'guests' | 'starts_at'>, now: string, zone: string): string {
  const day = localDay(stay.starts_at, zone)
  const guests = guestNames(stay.guests)
  return daysBetween(localDay(now, zone), day) === 1
    ? t('board:nextArrival.tomorrow', { guests })
    : t('board:nextArrival.onDay', { guests, day: dayLabel(day).full })
}

/** "7–9 Dec", "30 Nov – 2 Dec", "7 Dec – no end": a stay's days, short. */
export function dayRangeLabel(starts: string, ends: string | null, zone: string): string {
  const first = dayLabel(localDay(starts, zone))
  if (ends === null) return t('board:days.rangeNoEnd', { date: first.date, month: first.month })
  const last = dayLabel(localDay(ends, zone))
  if (first.full === last.full) return t('board:days.range', { date: first.date, month: first.month })
  if (first.month === last.month) return t('board:days.rangeSameMonth', { first: first.date, last: last.date, month: last.month })
  return t('board:days.rangeTwoMonths', { firstDate: first.date, firstMonth: first.month, lastDate: last.date, lastMonth: last.month })
}

/** Where an instant falls on the timeline, in days from the start of `from` (15:00 on the
 * second day is 1.625). */
export function dayPosition(instant: string, from: Day, zone: string): number {
  return (wallMs(instant, zone) - utcOf(from)) / DAY_MS
}

/** A bar's place in day columns, cut to the window: `left` and `width` in days, and whether
 * the stay goes on before or after what is shown. Null when it is outside. */
export interface BarPlace {
  left: number
  width: number
  before: boolean
  after: boolean
}

export function barPlace(bar: Pick<StayBar, 'starts_at' | 'ends_at'>, from: Day, days: number, zone: string): BarPlace | null {
  const start = dayPosition(bar.starts_at, from, zone)
  const end = bar.ends_at === null ? Infinity : dayPosition(bar.ends_at, from, zone)
  if (end <= 0 || start >= days) return null
  const left = Math.max(0, start)
  const right = Math.min(days, end)
  return { left, width: Math.max(right - left, 0.05), before: start < 0, after: end > days }
}

/** Past bars are drawn muted. */
export function isPast(status: StayStatus): boolean {
  return status === 'checked_out' || status === 'moved_away'
}

/** A stay's status in a few words, in the operator's language: each read asks the catalogue,
 * so a template that reads it follows a change of language. */
export const STATUS_WORDS: Record<StayStatus, string> = {
  get upcoming() {
    return t('board:status.upcoming')
  },
  get in_house() {
    return t('board:status.inHouse')
  },
  get checked_out() {
    return t('board:status.checkedOut')
  },
  get moved_away() {
    return t('board:status.movedAway')
  },
}

/** What a bar says to a screen reader: "Ana Silva, 7–9 Dec, arriving". */
export function barLabel(bar: StayBar, zone: string): string {
  return t('board:bar.label', {
    guests: guestNames(bar.guests),
    days: dayRangeLabel(bar.starts_at, bar.ends_at, zone),
    status: STATUS_WORDS[bar.status],
  })
}

// ---- rows

/** A line of the chart: a floor's heading or a room. */
export type Row = { kind: 'floor'; label: string; rooms: number } | { kind: 'room'; room: TimelineRoom; floor: string }

/** The floors' headings and rooms, top to bottom. */
export function timelineRows(timeline: Timeline): Row[] {
  const rows: Row[] = []
  for (const floor of timeline.floors) {
    rows.push({ kind: 'floor', label: floorName(floor), rooms: floor.rooms.length })
    for (const room of floor.rooms) rows.push({ kind: 'room', room, floor: floorName(floor) })
  }
  return rows
}

/** The rows to have in the DOM for a scroll position: those in view and `overscan` more on
 * each side. `end` is exclusive. */
export function visibleRows(
  scrollTop: number,
  viewport: number,
  rowHeight: number,
  total: number,
  overscan = 8,
): { start: number; end: number } {
  const first = Math.floor(Math.max(0, scrollTop) / rowHeight)
  const count = Math.ceil(Math.max(0, viewport) / rowHeight) + 1
  return { start: Math.max(0, first - overscan), end: Math.min(total, first + count + overscan) }
}

/** The days (in columns from the first shown) to draw bars in for a horizontal scroll: those
 * in view and `overscan` more on each side. `end` is exclusive. */
export function visibleDays(
  scrollLeft: number,
  width: number,
  dayWidth: number,
  days: number,
  overscan = 4,
): { start: number; end: number } {
  const first = Math.floor(Math.max(0, scrollLeft) / dayWidth)
  const count = Math.ceil(Math.max(0, width) / dayWidth) + 1
  return { start: Math.max(0, first - overscan), end: Math.min(days, first + count + overscan) }
}

// ---- keys

/** A bar's place among the rows: its row and its index in the room's stays. */
export interface BarPosition {
  row: number
  index: number
}

/** The bar a key moves to from `at`: Left and Right to the previous and next bar of the
 * room; Up and Down to the nearest room above or below that has a bar in the window, on its
 * bar nearest in time; Home and End to the room's first and last bar. Null when the key does
 * not move or there is nowhere to go. */
export function moveBetweenBars(rows: Row[], at: BarPosition, key: string): BarPosition | null {
  const row = rows[at.row]
  if (row?.kind !== 'room') return null
  const stays = row.room.stays
  switch (key) {
    case 'ArrowLeft':
      return at.index > 0 ? { row: at.row, index: at.index - 1 } : null
    case 'ArrowRight':
      return at.index < stays.length - 1 ? { row: at.row, index: at.index + 1 } : null
    case 'Home':
      return stays.length > 0 ? { row: at.row, index: 0 } : null
    case 'End':
      return stays.length > 0 ? { row: at.row, index: stays.length - 1 } : null
    case 'ArrowUp':
    case 'ArrowDown': {
      const step = key === 'ArrowUp' ? -1 : 1
      const time = stays[at.index] ? Date.parse(stays[at.index].starts_at) : 0
      for (let index = at.row + step; index >= 0 && index < rows.length; index += step) {
        const candidate = rows[index]
        if (candidate.kind !== 'room' || candidate.room.stays.length === 0) continue
        return { row: index, index: nearestInTime(candidate.room.stays, time) }
      }
      return null
    }
  }
  return null
}

/** Where a stay's bar is among the rows (a stay moved to another room is found there), or
 * null when the rows no longer show it. */
export function findBar(rows: Row[], reservationKey: string): BarPosition | null {
  for (let row = 0; row < rows.length; row += 1) {
    const line = rows[row]
    if (line.kind !== 'room') continue
    const index = line.room.stays.findIndex((stay) => stay.reservation_key === reservationKey && !isPast(stay.status))
    if (index >= 0) return { row, index }
  }
  for (let row = 0; row < rows.length; row += 1) {
    const line = rows[row]
    if (line.kind !== 'room') continue
    const index = line.room.stays.findIndex((stay) => stay.reservation_key === reservationKey)
    if (index >= 0) return { row, index }
  }
  return null
}

function nearestInTime(stays: StayBar[], time: number): number {
  let best = 0
  for (let index = 1; index < stays.length; index += 1) {
    if (Math.abs(Date.parse(stays[index].starts_at) - time) < Math.abs(Date.parse(stays[best].starts_at) - time)) {
      best = index
    }
  }
  return best
}

/** The room row a carried stay goes to with Up or Down (floor headings skipped). */
export function moveBetweenRooms(rows: Row[], row: number, key: string): number | null {
  const step = key === 'ArrowUp' ? -1 : key === 'ArrowDown' ? 1 : 0
  if (step === 0) return null
  for (let index = row + step; index >= 0 && index < rows.length; index += step) {
    if (rows[index].kind === 'room') return index
  }
  return null
}

// ---- moves

/** Whether a bar may be dropped on another room's row: only a stay still live (arriving or
 * in house), not on its own room, and not over a live stay the row shows for the part of
 * the stay that moves (the desk checks again, with stays beyond the window). */
export function canDropBar(bar: StayBar, from: TimelineRoom, target: TimelineRoom, now: string): DropVerdict {
  if (isPast(bar.status)) {
    return { ok: false, reason: t('board:drop.leftRoom') }
  }
  if (target.space_id === from.space_id) {
    return { ok: false, reason: t('board:drop.alreadyIn', { room: target.name }) }
  }
  if (target.kind === 'common') {
    return { ok: false, reason: t('board:drop.commonArea', { room: target.name }) }
  }
  const frame = movedFrame(bar, now)
  if (!frame) return { ok: false, reason: t('board:drop.ended') }
  const taken = target.stays.find(
    (other) => !isPast(other.status) && overlaps(frame.starts_at, frame.ends_at, other.starts_at, other.ends_at),
  )
  if (taken) return { ok: false, reason: t('board:drop.overlapping', { room: target.name, guests: guestNames(taken.guests) }) }
  return { ok: true }
}

// ---- a day's comings and goings

export interface Movement {
  bar: StayBar
  room: TimelineRoom
  /** The arrival or departure time. */
  at: string
}

/** The stays arriving and leaving on a property-local day, by time. A bar that starts where
 * another of its stay ended (a move) is not an arrival, and one moved away is not a
 * departure. `after`: only arrivals after that instant (those still to come). */
export function dayMovements(timeline: Timeline, day: Day, zone: string, after?: string): { arrivals: Movement[]; departures: Movement[] } {
  const arrivals: Movement[] = []
  const departures: Movement[] = []
  const movedAt = new Set<string>()
  for (const floor of timeline.floors) {
    for (const room of floor.rooms) {
      for (const bar of room.stays) {
        if (bar.status === 'moved_away' && bar.ends_at) movedAt.add(`${bar.reservation_key} ${bar.ends_at}`)
      }
    }
  }
  for (const floor of timeline.floors) {
    for (const room of floor.rooms) {
      for (const bar of room.stays) {
        const continued = movedAt.has(`${bar.reservation_key} ${bar.starts_at}`)
        if (!continued && localDay(bar.starts_at, zone) === day && (!after || Date.parse(bar.starts_at) > Date.parse(after))) {
          arrivals.push({ bar, room, at: bar.starts_at })
        }
        if (bar.ends_at && bar.status !== 'moved_away' && localDay(bar.ends_at, zone) === day) {
          departures.push({ bar, room, at: bar.ends_at })
        }
      }
    }
  }
  const byTime = (a: Movement, b: Movement) => Date.parse(a.at) - Date.parse(b.at) || a.room.name.localeCompare(b.room.name)
  return { arrivals: arrivals.sort(byTime), departures: departures.sort(byTime) }
}

/** The arrivals still to come from now through the next `days` days, day by day. */
export function arrivingSoon(timeline: Timeline, zone: string, days: number): { day: Day; arrivals: Movement[] }[] {
  const today = localDay(timeline.now, zone)
  return daysFrom(today, days + 1)
    .map((day) => ({ day, arrivals: dayMovements(timeline, day, zone, timeline.now).arrivals }))
    .filter((entry) => entry.arrivals.length > 0)
}
