import { describe, expect, it } from 'vitest'
import { departureAfter, monthGrid, nightsOf, otherMonth, withDay } from '../../src/lib/stayDates'

describe('a stay’s dates in the forms', () => {
  it('counts nights by the dates, whatever the times', () => {
    expect(nightsOf('2026-12-05T15:00', '2026-12-07T11:00')).toBe(2)
    expect(nightsOf('2026-12-31T23:30', '2027-01-01T00:10')).toBe(1)
    expect(nightsOf('2026-12-05T15:00', '')).toBeNull()
  })

  it('sets the departure by nights, keeping its time, and across a month’s end', () => {
    expect(departureAfter('2026-12-30T15:00', '2026-12-31T10:30', 3)).toBe('2027-01-02T10:30')
    expect(departureAfter('2026-12-30T15:00', '', 1)).toBe('2026-12-31T11:00')
    expect(departureAfter('', '2026-12-31T10:30', 1)).toBeNull()
    expect(departureAfter('2026-12-30T15:00', '2026-12-31T10:30', 1.5)).toBeNull()
  })

  it('changes a day and keeps the time', () => {
    expect(withDay('2026-12-05T15:00', '2026-12-09')).toBe('2026-12-09T15:00')
    expect(withDay('', '2026-12-09', '14:00')).toBe('2026-12-09T14:00')
  })

  it('lays a month out in weeks from Monday', () => {
    const december = monthGrid('2026-12-17')
    // 1 December 2026 is a Tuesday.
    expect(december[0]).toEqual([null, '2026-12-01', '2026-12-02', '2026-12-03', '2026-12-04', '2026-12-05', '2026-12-06'])
    expect(december.at(-1)).toEqual(['2026-12-28', '2026-12-29', '2026-12-30', '2026-12-31', null, null, null])
    expect(otherMonth('2026-12-17', 1)).toBe('2027-01-01')
    expect(otherMonth('2026-01-31', -1)).toBe('2025-12-01')
  })
})
