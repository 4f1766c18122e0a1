// A stay's dates as the forms hold them: `datetime-local` values ("2026-12-05T15:00") read as
// wall-clock time at the property. The nights field and the calendar change the date part
// only, keeping the times the desk proposed.

import { addDays, daysBetween, type Day } from './timeline'

const LOCAL = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})$/

/** The day of a form value, or null when it is not one. */
export function dayOf(value: string): Day | null {
  return LOCAL.exec(value)?.[1] ?? null
}

/** The value with its day changed, its time kept (`time` when it had none). */
export function withDay(value: string, day: Day, time = '15:00'): string {
  return `${day}T${LOCAL.exec(value)?.[2] ?? time}`
}

/** Nights from arrival to departure, or null while either is not a date. */
export function nightsOf(starts: string, ends: string): number | null {
  const from = dayOf(starts)
  const to = dayOf(ends)
  return from && to ? daysBetween(from, to) : null
}

/** The departure `nights` nights after the arrival, at the departure's time (11:00 when none). */
export function departureAfter(starts: string, ends: string, nights: number): string | null {
  const from = dayOf(starts)
  if (!from || !Number.isInteger(nights) || nights < 0) return null
  return withDay(ends, addDays(from, nights), '11:00')
}

/** The weeks of a month as calendar rows, Monday first; days outside it are null. */
export function monthGrid(month: Day): (Day | null)[][] {
  const first = `${month.slice(0, 7)}-01`
  const [year, monthNumber] = first.split('-').map(Number)
  const length = new Date(Date.UTC(year, monthNumber, 0)).getUTCDate()
  const lead = (new Date(Date.UTC(year, monthNumber - 1, 1)).getUTCDay() + 6) % 7
  const cells: (Day | null)[] = [...Array<null>(lead).fill(null), ...Array.from({ length }, (_, index) => addDays(first, index))]
  while (cells.length % 7 !== 0) cells.push(null)
  return Array.from({ length: cells.length / 7 }, (_, week) => cells.slice(week * 7, week * 7 + 7))
}

/** The first day of the month before or after `month`'s. */
export function otherMonth(month: Day, step: 1 | -1): Day {
  const [year, monthNumber] = month.split('-').map(Number)
  const date = new Date(Date.UTC(year, monthNumber - 1 + step, 1))
  return date.toISOString().slice(0, 10)
}
