// Date and time fields as the property writes them. A field's value is what a native
// `date` / `datetime-local` input's would be ("2026-12-08", "2026-12-08T15:00"), so forms and
// lib/time.ts read it as before; what a person sees and types is day, month and year in the
// order of the property's locale (`en-GB` 08/12/2026, `en-US` 12/08/2026) and a 24-hour time.
import { t } from './i18n.svelte'

export type DatePart = 'day' | 'month' | 'year'

/** How a locale writes a numeric date: its parts in order and the mark between them. */
export interface DateOrder {
  parts: DatePart[]
  separator: string
}

const FALLBACK_LOCALE = 'en-GB'
const orders = new Map<string, DateOrder>()

/** The order of day, month and year in `locale` (an unknown one reads as en-GB). */
export function dateOrder(locale: string): DateOrder {
  let found = orders.get(locale)
  if (!found) {
    let format: Intl.DateTimeFormat
    try {
      format = new Intl.DateTimeFormat(locale, { day: '2-digit', month: '2-digit', year: 'numeric', timeZone: 'UTC' })
    } catch {
      return dateOrder(FALLBACK_LOCALE)
    }
    const parts = format.formatToParts(new Date(Date.UTC(2006, 10, 23)))
    found = {
      parts: parts.map((part) => part.type).filter((type): type is DatePart => type === 'day' || type === 'month' || type === 'year'),
      separator: parts.find((part) => part.type === 'literal')?.value ?? '/',
    }
    orders.set(locale, found)
  }
  return found
}

const pad = (value: number) => String(value).padStart(2, '0')

/** "08/12/2026" for "2026-12-08" in en-GB; "" for a value that is not a date. */
export function formatDateField(value: string, locale: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(value)
  if (!match) return ''
  const numbers: Record<DatePart, string> = { year: match[1], month: match[2], day: match[3] }
  const order = dateOrder(locale)
  return order.parts.map((part) => numbers[part]).join(order.separator)
}

/** "2026-12-08" for "8/12/2026" (or "08.12.2026", "8 12 26") in en-GB; null when it is no
 * date. Any run of non-digits separates; a two-digit year is this century's. */
export function parseDateField(text: string, locale: string): string | null {
  const numbers = text.trim().split(/\D+/).filter(Boolean)
  const order = dateOrder(locale)
  if (numbers.length !== 3 || order.parts.length !== 3) return null
  const found: Partial<Record<DatePart, string>> = {}
  order.parts.forEach((part, index) => (found[part] = numbers[index]))
  const { day, month, year } = found
  if (!day || !month || !year || day.length > 2 || month.length > 2 || (year.length !== 4 && year.length !== 2)) return null
  const fullYear = Number(year.length === 2 ? `20${year}` : year)
  const date = new Date(Date.UTC(fullYear, Number(month) - 1, Number(day)))
  if (date.getUTCFullYear() !== fullYear || date.getUTCMonth() !== Number(month) - 1 || date.getUTCDate() !== Number(day)) return null
  return `${fullYear}-${pad(Number(month))}-${pad(Number(day))}`
}

/** "15:00" for "15:00", "9:05", "0905" or "9.05"; null when it is no time of day. */
export function parseTimeField(text: string): string | null {
  const match = /^(\d{1,2})\D?(\d{2})$/.exec(text.trim())
  if (!match) return null
  const [hour, minute] = [Number(match[1]), Number(match[2])]
  return hour <= 23 && minute <= 59 ? `${pad(hour)}:${pad(minute)}` : null
}

/** "08/12/2026 15:00" for "2026-12-08T15:00" in en-GB; "" for a value that is not one. */
export function formatDateTimeField(value: string, locale: string): string {
  const match = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/.exec(value)
  return match ? `${formatDateField(match[1], locale)} ${match[2]}` : ''
}

/** "2026-12-08T15:00" for "8/12/2026 15:00" (or "08/12/2026, 15.00") in en-GB; null when
 * it is not a date and a time. */
export function parseDateTimeField(text: string, locale: string): string | null {
  const match = /^(.*?)[\s,]+(\d{1,2}\D?\d{2})$/.exec(text.trim())
  if (!match) return null
  const date = parseDateField(match[1], locale)
  const time = parseTimeField(match[2])
  return date && time ? `${date}T${time}` : null
}

/** "dd/mm/yyyy" in English, "dd/mm/aaaa" in Spanish, in the locale's order. */
export function datePattern(locale: string): string {
  const order = dateOrder(locale)
  return order.parts.map((part) => t(`dates.letters.${part}`)).join(order.separator)
}
