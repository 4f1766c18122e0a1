import { describe, expect, it } from 'vitest'
import {
  countRooms,
  filterBoard,
  findStay,
  floorsFilling,
  floorsToBuild,
  guestNames,
  matchesQuery,
  moveFocus,
  normalize,
  positionOf,
  stateCounts,
  tileLabel,
} from '../../src/lib/board'
import { board } from './fixtures'

const b = board()
const keys = (floors: ReturnType<typeof filterBoard>) => floors.flatMap((f) => f.rooms.map((r) => r.key))

describe('search', () => {
  it('normalizes case, accents and spaces', () => {
    expect(normalize('  José   NÚÑEZ ')).toBe('jose nunez')
  })

  it('finds rooms by number, name or guest, accents ignored', () => {
    expect(keys(filterBoard(b.floors, '102'))).toEqual(['102'])
    expect(keys(filterBoard(b.floors, 'room 20'))).toEqual(['201', '202'])
    expect(keys(filterBoard(b.floors, 'ben'))).toEqual(['101'])
    expect(keys(filterBoard(b.floors, 'jose nunez'))).toEqual(['202'])
    expect(keys(filterBoard(b.floors, 'NÚÑEZ'))).toEqual(['202'])
  })

  it('needs every word to match', () => {
    expect(keys(filterBoard(b.floors, 'ana 101'))).toEqual(['101'])
    expect(keys(filterBoard(b.floors, 'ana 102'))).toEqual([])
  })

  it('returns the floors themselves when nothing is filtered', () => {
    expect(filterBoard(b.floors, '   ')).toBe(b.floors)
  })

  it('drops floors left empty and keeps their labels', () => {
    const floors = filterBoard(b.floors, 'carl')
    expect(floors.map((f) => f.label)).toEqual(['Floor 1'])
  })

  it('filters by state and by warnings, with the search', () => {
    expect(keys(filterBoard(b.floors, '', 'vacant'))).toEqual(['102', '201', 'lobby'])
    expect(keys(filterBoard(b.floors, '', 'departing'))).toEqual(['103'])
    expect(keys(filterBoard(b.floors, '', 'warnings'))).toEqual(['202'])
    expect(keys(filterBoard(b.floors, '20', 'vacant'))).toEqual(['201'])
  })

  it('matches a room with an empty query', () => {
    expect(matchesQuery(b.floors[0].rooms[1], '')).toBe(true)
  })

  it('counts rooms and states', () => {
    expect(countRooms(b.floors)).toBe(7)
    expect(stateCounts(b.floors)).toEqual({ vacant: 3, arriving: 1, in_house: 2, departing: 1, warnings: 1 })
  })

  it('finds a stay and a room position', () => {
    expect(findStay(b, 'stay-jose')?.room.key).toBe('202')
    expect(findStay(b, 'nope')).toBeUndefined()
    expect(positionOf(b.floors, 'space-201')).toEqual({ floor: 1, index: 0 })
    expect(positionOf(b.floors, 'nope')).toBeNull()
  })
})

describe('building the board', () => {
  // Floors of 4, 2 and 1 rooms.
  it('finds the floors that fill the screen, headings counted', () => {
    expect(floorsFilling(b.floors, 2, 1, 0.5)).toBe(1) // floor 1 takes 2.5 rows
    expect(floorsFilling(b.floors, 2, 2.5, 0.5)).toBe(1)
    expect(floorsFilling(b.floors, 2, 3, 0.5)).toBe(2) // floor 2 takes 1.5 more
    expect(floorsFilling(b.floors, 4, 100, 0.5)).toBe(3)
    expect(floorsFilling(b.floors, 0, 4, 0)).toBe(1) // at least one room per row
  })

  it('builds whole floors until they hold the rooms asked for', () => {
    expect(floorsToBuild(b.floors, 0, 1)).toBe(1)
    expect(floorsToBuild(b.floors, 0, 4)).toBe(1)
    expect(floorsToBuild(b.floors, 0, 5)).toBe(2)
    expect(floorsToBuild(b.floors, 1, 2)).toBe(2)
  })

  it('stops at the last floor', () => {
    expect(floorsToBuild(b.floors, 1, 100)).toBe(3)
    expect(floorsToBuild(b.floors, 3, 100)).toBe(3)
  })
})

describe('labels', () => {
  it('names guests briefly', () => {
    expect(guestNames([])).toBe('No guest named')
    expect(guestNames(['Ana'])).toBe('Ana')
    expect(guestNames(['Ana', 'Ben'])).toBe('Ana and Ben')
    expect(guestNames(['Ana', 'Ben', 'Cy'])).toBe('Ana and 2 others')
  })

  it('gives each tile a full accessible name', () => {
    expect(tileLabel(b.floors[1].rooms[1])).toBe('Room 202, in house, José Núñez, has warnings')
    expect(tileLabel(b.floors[0].rooms[1])).toBe('Room 102, vacant')
    expect(tileLabel(b.floors[0].rooms[1], 'Tom Morrow, tomorrow')).toBe('Room 102, vacant, next Tom Morrow, tomorrow')
  })
})

describe('moveFocus', () => {
  // Three floors of 10, 3 and 7 rooms, in rows of 4.
  const sizes = [10, 3, 7]
  const move = (floor: number, index: number, key: string, ctrl = false) => moveFocus(sizes, { floor, index }, key, 4, ctrl)

  it('steps right and left, across floors', () => {
    expect(move(0, 0, 'ArrowRight')).toEqual({ floor: 0, index: 1 })
    expect(move(0, 9, 'ArrowRight')).toEqual({ floor: 1, index: 0 })
    expect(move(1, 0, 'ArrowLeft')).toEqual({ floor: 0, index: 9 })
    expect(move(0, 0, 'ArrowLeft')).toBeNull()
    expect(move(2, 6, 'ArrowRight')).toBeNull()
  })

  it('moves up and down a row, and between floors at the same column', () => {
    expect(move(0, 1, 'ArrowDown')).toEqual({ floor: 0, index: 5 })
    expect(move(0, 5, 'ArrowUp')).toEqual({ floor: 0, index: 1 })
    // Row 2 of floor 0 holds 8 and 9: from 7 (row 1, column 3) down goes to the last room.
    expect(move(0, 7, 'ArrowDown')).toEqual({ floor: 0, index: 9 })
    // From the last row, down enters the next floor at the same column (clamped).
    expect(move(0, 9, 'ArrowDown')).toEqual({ floor: 1, index: 1 })
    expect(move(0, 8, 'ArrowDown')).toEqual({ floor: 1, index: 0 })
    // Up from the first row enters the last row of the floor above.
    expect(move(1, 1, 'ArrowUp')).toEqual({ floor: 0, index: 9 })
    expect(move(1, 2, 'ArrowUp')).toEqual({ floor: 0, index: 9 })
    expect(move(2, 3, 'ArrowUp')).toEqual({ floor: 1, index: 2 })
    expect(move(0, 2, 'ArrowUp')).toBeNull()
    expect(move(2, 6, 'ArrowDown')).toBeNull()
  })

  it('jumps with Home, End, Ctrl and the page keys', () => {
    expect(move(0, 5, 'Home')).toEqual({ floor: 0, index: 0 })
    expect(move(0, 5, 'End')).toEqual({ floor: 0, index: 9 })
    expect(move(1, 1, 'Home', true)).toEqual({ floor: 0, index: 0 })
    expect(move(1, 1, 'End', true)).toEqual({ floor: 2, index: 6 })
    expect(move(0, 8, 'PageDown')).toEqual({ floor: 1, index: 2 })
    expect(move(2, 5, 'PageUp')).toEqual({ floor: 1, index: 2 })
    expect(move(0, 0, 'Home')).toBeNull()
  })

  it('ignores other keys and skips empty floors', () => {
    expect(move(0, 0, 'a')).toBeNull()
    expect(moveFocus([2, 0, 2], { floor: 0, index: 1 }, 'ArrowRight', 4)).toEqual({ floor: 2, index: 0 })
    expect(moveFocus([], { floor: 0, index: 0 }, 'ArrowRight', 4)).toBeNull()
  })
})
