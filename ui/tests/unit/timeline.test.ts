import { describe, expect, it } from 'vitest'
import {
  addDays,
  arrivingSoon,
  barLabel,
  barPlace,
  canDropBar,
  dayLabel,
  dayMovements,
  dayPosition,
  dayRangeLabel,
  daysBetween,
  daysFrom,
  findBar,
  localDay,
  nextArrivalWords,
  moveBetweenBars,
  moveBetweenRooms,
  timelineRows,
  visibleDays,
  visibleRows,
} from '../../src/lib/timeline'
import type { StayBar, StayStatus, Timeline, TimelineRoom } from '../../src/lib/types'

const ZONE = 'Europe/Lisbon'
/** Wednesday 12 March 2025, 15:00 in Lisbon (UTC+0 in winter). */
const NOW = '2025-03-12T15:00:00Z'

function bar(key: string, guests: string[], starts: string, ends: string | null, status: StayStatus = 'in_house'): StayBar {
  return { reservation_key: key, starts_at: starts, ends_at: ends, guests, warnings: 0, status }
}

function room(key: string, stays: StayBar[] = []): TimelineRoom {
  return { space_id: `space-${key}`, key, name: `Room ${key}`, kind: 'guest_room', stays }
}

/** From Tue 11 March, 7 days. 101: Ana in house to the 14th; 102: Tom moved away on the
 * 12th at 10:00 to 201; 103: Eva arriving Fri 14 at 15:00; 104: Carl checked out on the 11th;
 * 201: Tom since the move; 202 empty. */
function timeline(): Timeline {
  return {
    property_name: 'Test Inn',
    time_zone: ZONE,
    now: NOW,
    from: '2025-03-11',
    days: 7,
    starts_at: '2025-03-11T00:00:00Z',
    ends_at: '2025-03-18T00:00:00Z',
    floors: [
      {
        floor: 1,
        label: 'Floor 1',
        rooms: [
          room('101', [bar('ana', ['Ana Silva'], '2025-03-10T15:00:00Z', '2025-03-14T11:00:00Z')]),
          room('102', [bar('tom', ['Tom Morrow'], '2025-03-11T15:00:00Z', '2025-03-12T10:00:00Z', 'moved_away')]),
          room('103', [bar('eva', ['Eva Lopes', 'Rui Lopes'], '2025-03-14T15:00:00Z', '2025-03-16T11:00:00Z', 'upcoming')]),
          room('104', [bar('carl', ['Carl Jones'], '2025-03-09T15:00:00Z', '2025-03-11T10:30:00Z', 'checked_out')]),
        ],
      },
      {
        floor: 2,
        label: 'Floor 2',
        rooms: [room('201', [bar('tom', ['Tom Morrow'], '2025-03-12T10:00:00Z', '2025-03-15T11:00:00Z')]), room('202')],
      },
    ],
  }
}

describe('days', () => {
  it('adds days across months and years and counts between them', () => {
    expect(addDays('2025-02-27', 3)).toBe('2025-03-02')
    expect(addDays('2025-01-01', -1)).toBe('2024-12-31')
    expect(daysBetween('2025-03-11', '2025-03-18')).toBe(7)
    expect(daysBetween('2025-03-18', '2025-03-11')).toBe(-7)
    expect(daysFrom('2025-03-30', 3)).toEqual(['2025-03-30', '2025-03-31', '2025-04-01'])
  })

  it('reads days and times at the property, not UTC', () => {
    // Lisbon is on summer time (UTC+1) from 30 March: 23:30 UTC on the 31st is 00:30 on 1 April.
    expect(localDay('2025-03-31T23:30:00Z', ZONE)).toBe('2025-04-01')
    expect(dayPosition('2025-03-12T15:00:00Z', '2025-03-11', ZONE)).toBe(1.625)
    expect(dayPosition('2025-03-31T23:30:00Z', '2025-03-31', ZONE)).toBeCloseTo(1 + 30 / 1440)
  })

  it('labels days and stays in short words', () => {
    expect(dayLabel('2025-03-12')).toEqual({ weekday: 'Wed', date: 12, month: 'Mar', full: 'Wed 12 Mar' })
    expect(dayRangeLabel('2025-12-07T15:00:00Z', '2025-12-09T11:00:00Z', ZONE)).toBe('7–9 Dec')
    expect(dayRangeLabel('2025-11-30T15:00:00Z', '2025-12-02T11:00:00Z', ZONE)).toBe('30 Nov – 2 Dec')
    expect(dayRangeLabel('2025-12-07T15:00:00Z', null, ZONE)).toBe('7 Dec – no end')
    expect(barLabel(bar('eva', ['Eva Lopes', 'Rui Lopes'], '2025-03-14T15:00:00Z', '2025-03-16T11:00:00Z', 'upcoming'), ZONE)).toBe(
      'Eva Lopes and Rui Lopes, 14–16 Mar, arriving',
    )
  })
})

describe('barPlace', () => {
  it('puts a bar from its arrival time to its departure time, in days', () => {
    const place = barPlace(bar('eva', [], '2025-03-14T15:00:00Z', '2025-03-16T11:00:00Z'), '2025-03-11', 7, ZONE)
    expect(place).toMatchObject({ left: 3.625, before: false, after: false })
    expect(place?.width).toBeCloseTo(2 - 0.625 + 11 / 24)
  })

  it('cuts a bar at the window and says so', () => {
    const ana = barPlace(bar('ana', [], '2025-03-10T15:00:00Z', '2025-03-14T11:00:00Z'), '2025-03-11', 7, ZONE)
    expect(ana?.left).toBe(0)
    expect(ana?.before).toBe(true)
    const open = barPlace(bar('lease', [], '2025-03-12T15:00:00Z', null), '2025-03-11', 7, ZONE)
    expect(open).toMatchObject({ left: 1.625, after: true })
    expect((open?.left ?? 0) + (open?.width ?? 0)).toBe(7)
  })

  it('leaves out a bar outside the window', () => {
    expect(barPlace(bar('old', [], '2025-03-01T15:00:00Z', '2025-03-11T00:00:00Z'), '2025-03-11', 7, ZONE)).toBeNull()
    expect(barPlace(bar('late', [], '2025-03-18T00:00:00Z', '2025-03-19T11:00:00Z'), '2025-03-11', 7, ZONE)).toBeNull()
  })
})

describe('rows', () => {
  it('lists each floor heading before its rooms', () => {
    const rows = timelineRows(timeline())
    expect(rows.map((row) => (row.kind === 'floor' ? row.label : row.room.key))).toEqual([
      'Floor 1',
      '101',
      '102',
      '103',
      '104',
      'Floor 2',
      '201',
      '202',
    ])
  })

  it('builds only the rows in view and a few more', () => {
    expect(visibleRows(0, 300, 30, 2000, 5)).toEqual({ start: 0, end: 16 })
    expect(visibleRows(3000, 300, 30, 2000, 5)).toEqual({ start: 95, end: 116 })
    expect(visibleRows(59_900, 300, 30, 2000, 5)).toEqual({ start: 1991, end: 2000 })
  })

  it('draws bars only in the days in view and a few more', () => {
    expect(visibleDays(0, 440, 44, 60, 2)).toEqual({ start: 0, end: 13 })
    expect(visibleDays(880, 440, 44, 60, 2)).toEqual({ start: 18, end: 33 })
    expect(visibleDays(2200, 440, 44, 60, 2)).toEqual({ start: 48, end: 60 })
  })
})

describe('keys', () => {
  const rows = timelineRows(timeline())

  it("moves left and right between a room's bars and up and down to rooms with bars", () => {
    const double = timeline()
    double.floors[0].rooms[0].stays.push(bar('zed', ['Zed'], '2025-03-15T15:00:00Z', '2025-03-16T11:00:00Z'))
    const two = timelineRows(double)
    expect(moveBetweenBars(two, { row: 1, index: 0 }, 'ArrowRight')).toEqual({ row: 1, index: 1 })
    expect(moveBetweenBars(two, { row: 1, index: 1 }, 'ArrowRight')).toBeNull()
    expect(moveBetweenBars(two, { row: 1, index: 1 }, 'Home')).toEqual({ row: 1, index: 0 })
    // Down from 104 skips the floor heading to 201; up from 201 goes back to 104.
    expect(moveBetweenBars(rows, { row: 4, index: 0 }, 'ArrowDown')).toEqual({ row: 6, index: 0 })
    expect(moveBetweenBars(rows, { row: 6, index: 0 }, 'ArrowUp')).toEqual({ row: 4, index: 0 })
    // Nothing below 201 has a bar.
    expect(moveBetweenBars(rows, { row: 6, index: 0 }, 'ArrowDown')).toBeNull()
    expect(moveBetweenBars(rows, { row: 1, index: 0 }, 'x')).toBeNull()
  })

  it('finds a stay again after a read, in the room it lives in now rather than the one it left', () => {
    // Tom moved from 102 to 201: his live bar is in 201 (row 6).
    expect(findBar(rows, 'tom')).toEqual({ row: 6, index: 0 })
    expect(findBar(rows, 'carl')).toEqual({ row: 4, index: 0 })
    expect(findBar(rows, 'nobody')).toBeNull()
  })

  it('carries a stay over every room, empty ones too, but not floor headings', () => {
    expect(moveBetweenRooms(rows, 6, 'ArrowDown')).toBe(7)
    expect(moveBetweenRooms(rows, 6, 'ArrowUp')).toBe(4)
    expect(moveBetweenRooms(rows, 7, 'ArrowDown')).toBeNull()
    expect(moveBetweenRooms(rows, 1, 'ArrowLeft')).toBeNull()
  })
})

describe('canDropBar', () => {
  const t = timeline()
  const [r101, r102, r103, r104] = t.floors[0].rooms
  const [r201, r202] = t.floors[1].rooms
  const ana = r101.stays[0]

  it('accepts an empty room and a room whose stays do not overlap', () => {
    expect(canDropBar(ana, r101, r202, NOW)).toEqual({ ok: true })
    // Carl checked out of 104 on the 11th, and Tom left 102: past bars do not block.
    expect(canDropBar(ana, r101, r104, NOW)).toEqual({ ok: true })
    expect(canDropBar(ana, r101, r102, NOW)).toEqual({ ok: true })
  })

  it('refuses its own room, an overlapping stay, and a stay that is over', () => {
    expect(canDropBar(ana, r101, r101, NOW)).toEqual({ ok: false, reason: 'the stay is already in Room 101' })
    expect(canDropBar(ana, r101, r201, NOW)).toEqual({
      ok: false,
      reason: 'Room 201 has an overlapping stay (Tom Morrow)',
    })
    // Eva arrives on the 14th at 15:00, after Ana leaves at 11:00: no overlap.
    expect(canDropBar(ana, r101, r103, NOW)).toEqual({ ok: true })
    expect(canDropBar(r104.stays[0], r104, r202, NOW)).toEqual({ ok: false, reason: 'the stay has left this room' })
  })
})

describe('arrivals and departures', () => {
  it("lists a day's arrivals and departures, leaving out a move", () => {
    const t = timeline()
    const wednesday = dayMovements(t, '2025-03-12', ZONE)
    // Tom's bar in 201 starts where his bar in 102 ended: a move, neither an arrival nor a
    // departure.
    expect(wednesday.arrivals).toEqual([])
    expect(wednesday.departures).toEqual([])
    const friday = dayMovements(t, '2025-03-14', ZONE)
    expect(friday.arrivals.map((m) => [m.bar.reservation_key, m.room.key, m.at])).toEqual([['eva', '103', '2025-03-14T15:00:00Z']])
    expect(friday.departures.map((m) => [m.bar.reservation_key, m.room.key])).toEqual([['ana', '101']])
    expect(dayMovements(t, '2025-03-11', ZONE).departures.map((m) => m.bar.reservation_key)).toEqual(['carl'])
  })

  it('says who is arriving soon, from now on, day by day', () => {
    const t = timeline()
    t.floors[1].rooms[1].stays.push(bar('lia', ['Lia Reis'], '2025-03-12T18:00:00Z', '2025-03-13T11:00:00Z', 'upcoming'))
    t.floors[1].rooms[1].stays.push(bar('early', ['Early Bird'], '2025-03-12T09:00:00Z', '2025-03-12T12:00:00Z'))
    const soon = arrivingSoon(t, ZONE, 3)
    expect(soon.map((entry) => [entry.day, entry.arrivals.map((m) => m.bar.guests[0])])).toEqual([
      ['2025-03-12', ['Lia Reis']],
      ['2025-03-14', ['Eva Lopes']],
    ])
    expect(arrivingSoon(t, ZONE, 1).map((entry) => entry.day)).toEqual(['2025-03-12'])
  })
})

describe('nextArrivalWords', () => {
  it('says tomorrow for tomorrow and the day beyond', () => {
    const tom = { guests: ['Tom Morrow'], starts_at: '2025-03-13T15:00:00Z' }
    expect(nextArrivalWords(tom, NOW, ZONE)).toBe('Tom Morrow, tomorrow')
    // 23:30 UTC on the 13th is already the 14th in Madrid.
    const eva = { guests: ['Eva Lopes', 'Rui Lopes'], starts_at: '2025-03-13T23:30:00Z' }
    expect(nextArrivalWords(eva, NOW, 'Europe/Madrid')).toBe('Eva Lopes and Rui Lopes, Fri 14 Mar')
    expect(nextArrivalWords(eva, NOW, ZONE)).toBe('Eva Lopes and Rui Lopes, tomorrow')
  })
})
