import { describe, expect, it } from 'vitest'
import {
  dateOrder,
  datePattern,
  formatDateField,
  formatDateTimeField,
  parseDateField,
  parseDateTimeField,
  parseTimeField,
} from '../../src/lib/dateFields'
import { setLanguage } from '../../src/lib/i18n.svelte'

describe('date fields', () => {
  it('write a date in the order of the property locale', () => {
    expect(formatDateField('2026-12-08', 'en-GB')).toBe('08/12/2026')
    expect(formatDateField('2026-12-08', 'en-US')).toBe('12/08/2026')
    expect(formatDateField('2026-12-08', 'es-ES')).toBe('08/12/2026')
    expect(formatDateField('2026-12-08', 'de-DE')).toBe('08.12.2026')
    expect(formatDateField('2026-12-08', 'sv-SE')).toBe('2026-12-08')
    expect(formatDateField('', 'en-GB')).toBe('')
  })

  it('read back what they write, and what a person types', () => {
    for (const locale of ['en-GB', 'en-US', 'es-ES', 'de-DE', 'sv-SE']) {
      expect(parseDateField(formatDateField('2027-01-31', locale), locale)).toBe('2027-01-31')
    }
    expect(parseDateField('8/12/2026', 'en-GB')).toBe('2026-12-08')
    expect(parseDateField('8/12/2026', 'en-US')).toBe('2026-08-12')
    expect(parseDateField(' 8 12 26 ', 'en-GB')).toBe('2026-12-08')
    expect(parseDateField('8.12.2026', 'de-DE')).toBe('2026-12-08')
  })

  it('refuse what is no date', () => {
    for (const text of ['', '8/12', '31/02/2026', '8/13/2026', '08/12/202', '123/1/2026', 'tomorrow']) {
      expect(parseDateField(text, 'en-GB'), text).toBeNull()
    }
  })

  it('take a date and a 24-hour time', () => {
    expect(formatDateTimeField('2026-12-08T15:00', 'en-GB')).toBe('08/12/2026 15:00')
    expect(formatDateTimeField('2026-12-08T15:00', 'en-US')).toBe('12/08/2026 15:00')
    expect(parseDateTimeField('08/12/2026 15:00', 'en-GB')).toBe('2026-12-08T15:00')
    expect(parseDateTimeField('8/12/2026, 9.05', 'en-GB')).toBe('2026-12-08T09:05')
    expect(parseDateTimeField('08/12/2026', 'en-GB')).toBeNull()
    expect(parseDateTimeField('08/12/2026 24:00', 'en-GB')).toBeNull()
    expect(parseTimeField('0905')).toBe('09:05')
    expect(parseTimeField('9:60')).toBeNull()
  })

  it('fall back to day, month, year for a locale the WebView does not know', () => {
    expect(dateOrder('xx-invalid-').parts).toEqual(['day', 'month', 'year'])
  })

  it('show the pattern in the operator language and the property order', () => {
    expect(datePattern('en-GB')).toBe('dd/mm/yyyy')
    expect(datePattern('en-US')).toBe('mm/dd/yyyy')
    setLanguage('es')
    expect(datePattern('es-ES')).toBe('dd/mm/aaaa')
    setLanguage('en')
  })
})
