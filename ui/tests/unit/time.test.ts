import { describe, expect, it } from 'vitest'
import {
  dayRange,
  formatDate,
  formatDateTime,
  formatShort,
  formatStay,
  formatTime,
  formatUntil,
  fromLocalInput,
  nights,
  overlaps,
  periodRange,
  toLocalDate,
  toLocalInput,
  wallClock,
} from '../../src/lib/time'

describe('formatting in the property’s time zone', () => {
  it('shows winter and summer times in Lisbon', () => {
    expect(formatDateTime('2025-01-15T15:00:00Z', 'Europe/Lisbon')).toBe('15 Jan 2025, 15:00')
    expect(formatDateTime('2025-07-15T15:00:00Z', 'Europe/Lisbon')).toBe('15 Jul 2025, 16:00')
  })

  it('does not depend on the workstation’s zone', () => {
    expect(formatTime('2025-03-12T23:30:00Z', 'America/New_York')).toBe('19:30')
    expect(formatDate('2025-03-12T23:30:00Z', 'Asia/Tokyo')).toBe('13 Mar 2025')
    expect(formatShort('2025-03-12T23:30:00Z', 'Asia/Tokyo')).toBe('Thu 13 Mar 08:30')
  })

  it('shows a stay with its nights', () => {
    expect(formatStay('2025-03-12T15:00:00Z', '2025-03-14T11:00:00Z', 'Europe/Lisbon')).toBe(
      'Wed 12 Mar 15:00 – Fri 14 Mar 11:00 (2 nights)',
    )
    expect(formatStay('2025-03-12T15:00:00Z', '2025-03-13T11:00:00Z', 'Europe/Lisbon')).toMatch(/\(1 night\)$/)
    expect(nights('2025-03-12T15:00:00Z', '2025-03-12T18:00:00Z', 'Europe/Lisbon')).toBe(0)
  })

  it('shows an access with no end as such, not as a date', () => {
    expect(formatStay('2025-03-12T15:00:00Z', null, 'Europe/Lisbon')).toBe('Wed 12 Mar 15:00 – no end')
    expect(formatUntil(null, 'Europe/Lisbon')).toBe('with no end')
    expect(formatUntil('2025-03-14T11:00:00Z', 'Europe/Lisbon')).toBe('until 14 Mar 2025, 11:00')
  })

  it('counts nights by the property’s calendar, not UTC’s', () => {
    // 23:30 UTC is already the next day in Tokyo.
    expect(nights('2025-03-12T14:00:00Z', '2025-03-12T23:30:00Z', 'Asia/Tokyo')).toBe(1)
  })

  it('falls back to UTC for an unknown zone', () => {
    expect(wallClock('2025-03-12T15:00:00Z', 'Not/AZone').hour).toBe(15)
  })
})

describe('datetime-local values', () => {
  it('round-trips through the property’s zone', () => {
    expect(toLocalInput('2025-07-15T15:00:00Z', 'Europe/Lisbon')).toBe('2025-07-15T16:00')
    expect(fromLocalInput('2025-07-15T16:00', 'Europe/Lisbon')).toBe('2025-07-15T15:00:00.000Z')
    expect(fromLocalInput('2025-01-15T16:00', 'Europe/Lisbon')).toBe('2025-01-15T16:00:00.000Z')
    expect(fromLocalInput('2025-03-12T11:00', 'America/New_York')).toBe('2025-03-12T15:00:00.000Z')
    expect(toLocalDate('2025-03-12T23:30:00Z', 'Asia/Tokyo')).toBe('2025-03-13')
  })

  it('moves a time skipped by the clocks going forward on by the change', () => {
    // Lisbon, 30 March 2025: 01:00 became 02:00.
    expect(fromLocalInput('2025-03-30T01:30', 'Europe/Lisbon')).toBe('2025-03-30T01:30:00.000Z')
    expect(toLocalInput('2025-03-30T01:30:00Z', 'Europe/Lisbon')).toBe('2025-03-30T02:30')
  })

  it('takes the first of a time repeated when the clocks go back', () => {
    // Lisbon, 26 October 2025: 02:00 went back to 01:00; 01:30 happens twice.
    expect(fromLocalInput('2025-10-26T01:30', 'Europe/Lisbon')).toBe('2025-10-26T00:30:00.000Z')
  })

  it('refuses what is not a date', () => {
    expect(fromLocalInput('', 'Europe/Lisbon')).toBeNull()
    expect(fromLocalInput('tomorrow', 'Europe/Lisbon')).toBeNull()
    expect(fromLocalInput('2025-02-31T10:00', 'Europe/Lisbon')).toBeNull()
    expect(fromLocalInput('2025-13-01T10:00', 'Europe/Lisbon')).toBeNull()
  })

  it('gives a property day as a UTC range', () => {
    expect(dayRange('2025-07-15', 'Europe/Lisbon')).toEqual({
      since: '2025-07-14T23:00:00.000Z',
      until: '2025-07-15T23:00:00.000Z',
    })
    // The day the clocks go forward is 23 hours long.
    expect(dayRange('2025-03-30', 'Europe/Lisbon')).toEqual({
      since: '2025-03-30T00:00:00.000Z',
      until: '2025-03-30T23:00:00.000Z',
    })
    expect(dayRange('2025-12-31', 'UTC')?.until).toBe('2026-01-01T00:00:00.000Z')
    expect(dayRange('nope', 'UTC')).toBeNull()
  })

  it('tells overlapping periods apart from back-to-back ones', () => {
    expect(overlaps('2025-03-12T15:00:00Z', '2025-03-14T11:00:00Z', '2025-03-13T15:00:00Z', '2025-03-15T11:00:00Z')).toBe(true)
    expect(overlaps('2025-03-12T15:00:00Z', '2025-03-14T11:00:00Z', '2025-03-14T11:00:00Z', '2025-03-15T11:00:00Z')).toBe(false)
  })

  it('takes a missing end for no end', () => {
    expect(overlaps('2025-03-12T15:00:00Z', null, '2090-03-13T15:00:00Z', '2090-03-15T11:00:00Z')).toBe(true)
    expect(overlaps('2025-03-12T15:00:00Z', '2025-03-14T11:00:00Z', '2025-03-14T11:00:00Z', null)).toBe(false)
    expect(overlaps('2025-03-12T15:00:00Z', '2025-03-14T11:00:00Z', '2025-03-10T11:00:00Z', null)).toBe(true)
  })
})

describe('a period of days typed as two dates', () => {
  it('takes whole days at the property, either side open, and names what cannot be taken', () => {
    expect(periodRange('2025-03-13', '2025-07-14', 'Europe/Lisbon')).toEqual({
      from: { since: '2025-03-13T00:00:00.000Z', until: '2025-03-14T00:00:00.000Z' },
      to: { since: '2025-07-13T23:00:00.000Z', until: '2025-07-14T23:00:00.000Z' },
    })
    expect(periodRange('', '', 'Europe/Lisbon')).toEqual({ from: null, to: null })
    expect(periodRange('2025-03-13', '2025-03-01', 'Europe/Lisbon')).toEqual({ problem: 'The last day must not be before the first.' })
    expect(periodRange('13/03/2025', '', 'Europe/Lisbon')).toEqual({ problem: 'Enter the dates as day, month and year.' })
  })
})
