// The room board's logic, kept out of the components so that it can be tested on its own:
// searching and filtering rooms, and moving between tiles with the arrow keys.

import { t } from './i18n.svelte'
import type { Board, BoardFloor, RoomState, RoomTile, StaySummary } from './types'

/** A room state's name, in the operator's language: each read asks the catalogue, so a
 * template that reads it follows a change of language. */
export const STATE_LABELS: Record<RoomState, string> = {
  get vacant() {
    return t('board:states.vacant')
  },
  get arriving() {
    return t('board:states.arriving')
  },
  get in_house() {
    return t('board:states.inHouse')
  },
  get departing() {
    return t('board:states.departing')
  },
}

export const STATES: RoomState[] = ['vacant', 'arriving', 'in_house', 'departing']

/** What the board shows: all rooms, one state, or only rooms with warnings. */
export type BoardFilter = 'all' | RoomState | 'warnings'

/** Lower case, accents off, spaces squeezed: "  José  Ñúñez" → "jose nunez". */
export function normalize(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim()
}

const haystacks = new WeakMap<RoomTile, string>()

/** Everything a search can match in a tile, normalized once per tile object. */
function haystack(room: RoomTile): string {
  let text = haystacks.get(room)
  if (text === undefined) {
    const guests = room.stays.flatMap((stay) => stay.guests)
    text = normalize([room.name, room.key, ...guests].join('\n'))
    haystacks.set(room, text)
  }
  return text
}

/** True when `room` matches the search: every word of `query` appears in its name, key or a
 * guest's name ("ana 10" finds Ana in room 102). An empty query matches every room. */
export function matchesQuery(room: RoomTile, query: string): boolean {
  const words = normalize(query).split(' ').filter(Boolean)
  if (words.length === 0) return true
  const text = haystack(room)
  return words.every((word) => text.includes(word))
}

export function matchesFilter(room: RoomTile, filter: BoardFilter): boolean {
  if (filter === 'all') return true
  if (filter === 'warnings') return room.has_warnings
  return room.state === filter
}

/** The floors with only the rooms that match; floors left empty are dropped. Returns the
 * board's own floor objects when nothing is filtered, so that nothing re-renders. */
export function filterBoard(floors: BoardFloor[], query: string, filter: BoardFilter = 'all'): BoardFloor[] {
  if (normalize(query) === '' && filter === 'all') return floors
  const result: BoardFloor[] = []
  for (const floor of floors) {
    const rooms = floor.rooms.filter((room) => matchesFilter(room, filter) && matchesQuery(room, query))
    if (rooms.length > 0) result.push({ ...floor, rooms })
  }
  return result
}

/** How many floors, from the first, fill `rows` rows of a grid `columns` wide: each floor
 * takes its rooms' rows and `headingRows` for its heading. */
export function floorsFilling(floors: BoardFloor[], columns: number, rows: number, headingRows: number): number {
  const perRow = Math.max(1, Math.floor(columns))
  let to = 0
  let filled = 0
  while (to < floors.length && filled < rows) {
    filled += headingRows + Math.ceil(floors[to].rooms.length / perRow)
    to += 1
  }
  return to
}

/** Where to stop building floors that starts at floor `from`: after the floor that brings the
 * rooms built to at least `rooms` (floors are built whole), or at the last floor. */
export function floorsToBuild(floors: BoardFloor[], from: number, rooms: number): number {
  let to = from
  let added = 0
  while (to < floors.length && added < rooms) {
    added += floors[to].rooms.length
    to += 1
  }
  return to
}

export function countRooms(floors: BoardFloor[]): number {
  let count = 0
  for (const floor of floors) count += floor.rooms.length
  return count
}

/** Rooms in each state (and with warnings), for the legend. */
export function stateCounts(floors: BoardFloor[]): Record<RoomState | 'warnings', number> {
  const counts = { vacant: 0, arriving: 0, in_house: 0, departing: 0, warnings: 0 }
  for (const floor of floors) {
    for (const room of floor.rooms) {
      counts[room.state] += 1
      if (room.has_warnings) counts.warnings += 1
    }
  }
  return counts
}

export function findRoom(board: Board, spaceId: string): RoomTile | undefined {
  for (const floor of board.floors) {
    const room = floor.rooms.find((candidate) => candidate.space_id === spaceId)
    if (room) return room
  }
  return undefined
}

/** The room and summary of a stay on the board. */
export function findStay(board: Board, reservationKey: string): { room: RoomTile; stay: StaySummary } | undefined {
  for (const floor of board.floors) {
    for (const room of floor.rooms) {
      const stay = room.stays.find((candidate) => candidate.reservation_key === reservationKey)
      if (stay) return { room, stay }
    }
  }
  return undefined
}

/** "Ana Silva", "Ana Silva and Ben Silva", "Ana Silva and 2 others". */
export function guestNames(guests: string[]): string {
  if (guests.length === 0) return t('board:guests.none')
  if (guests.length === 1) return guests[0]
  if (guests.length === 2) return t('board:guests.two', { first: guests[0], second: guests[1] })
  return t('board:guests.more', { first: guests[0], count: guests.length - 1 })
}

/** The accessible name of a room's tile: "Room 102, in house, Ana Silva, has warnings";
 * `next` is its next arrival ("Tom Morrow, tomorrow"), when it has one. */
export function tileLabel(room: RoomTile, next?: string): string {
  const parts = [room.name, STATE_LABELS[room.state].toLowerCase()]
  for (const stay of room.stays) parts.push(guestNames(stay.guests))
  if (next) parts.push(t('board:tile.labelNext', { arrival: next }))
  if (room.has_warnings) parts.push(t('board:tile.labelWarnings'))
  return parts.join(', ')
}

/** A tile's place on the (filtered) board. */
export interface TilePosition {
  floor: number
  index: number
}

/**
 * Where a key moves the focus on a board whose floors hold `sizes[i]` rooms each, laid out in
 * rows of `columns`. Left and right step through rooms (on to the next or previous floor);
 * up and down move a row, into the floor above or below at the same column when the floor
 * ends; Home and End go to the floor's first and last room, with Ctrl to the board's;
 * PageUp and PageDown to the previous and next floor. Null when the key does not move.
 */
export function moveFocus(sizes: number[], from: TilePosition, key: string, columns: number, ctrl = false): TilePosition | null {
  const floors = sizes.length
  if (floors === 0 || sizes[from.floor] === undefined) return null
  const cols = Math.max(1, Math.floor(columns))
  const last = (floor: number) => sizes[floor] - 1
  const clamp = (floor: number, index: number): TilePosition => ({ floor, index: Math.min(index, last(floor)) })
  const nonEmpty = (start: number, step: number): number | null => {
    for (let floor = start; floor >= 0 && floor < floors; floor += step) if (sizes[floor] > 0) return floor
    return null
  }
  const { floor, index } = from
  let to: TilePosition | null = null
  switch (key) {
    case 'ArrowRight':
      if (index < last(floor)) to = { floor, index: index + 1 }
      else {
        const next = nonEmpty(floor + 1, 1)
        if (next !== null) to = { floor: next, index: 0 }
      }
      break
    case 'ArrowLeft':
      if (index > 0) to = { floor, index: index - 1 }
      else {
        const previous = nonEmpty(floor - 1, -1)
        if (previous !== null) to = { floor: previous, index: last(previous) }
      }
      break
    case 'ArrowDown': {
      const column = index % cols
      if (index + cols <= last(floor)) to = { floor, index: index + cols }
      else if (Math.floor(index / cols) < Math.floor(last(floor) / cols)) to = { floor, index: last(floor) }
      else {
        const next = nonEmpty(floor + 1, 1)
        if (next !== null) to = clamp(next, column)
      }
      break
    }
    case 'ArrowUp': {
      const column = index % cols
      if (index - cols >= 0) to = { floor, index: index - cols }
      else {
        const previous = nonEmpty(floor - 1, -1)
        if (previous !== null) {
          const lastRow = Math.floor(last(previous) / cols) * cols
          to = clamp(previous, lastRow + column)
        }
      }
      break
    }
    case 'Home':
      if (ctrl) {
        const first = nonEmpty(0, 1)
        if (first !== null) to = { floor: first, index: 0 }
      } else to = { floor, index: 0 }
      break
    case 'End':
      if (ctrl) {
        const final = nonEmpty(floors - 1, -1)
        if (final !== null) to = { floor: final, index: last(final) }
      } else to = { floor, index: last(floor) }
      break
    case 'PageDown': {
      const next = nonEmpty(floor + 1, 1)
      if (next !== null) to = clamp(next, index)
      break
    }
    case 'PageUp': {
      const previous = nonEmpty(floor - 1, -1)
      if (previous !== null) to = clamp(previous, index)
      break
    }
    default:
      return null
  }
  if (!to || (to.floor === floor && to.index === index)) return null
  return to
}

/** Where a room is on the (filtered) floors. */
export function positionOf(floors: BoardFloor[], spaceId: string): TilePosition | null {
  for (let floor = 0; floor < floors.length; floor++) {
    const index = floors[floor].rooms.findIndex((room) => room.space_id === spaceId)
    if (index >= 0) return { floor, index }
  }
  return null
}

/** A floor's name in the operator's language ("Floor 3"; "Other" for rooms without one). */
export function floorName(floor: { floor: number | null }): string {
  return floor.floor === null ? t('board:floors.other') : t('board:floors.numbered', { floor: floor.floor })
}
