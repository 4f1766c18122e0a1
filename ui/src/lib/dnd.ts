// Moving a stay to another room by drag and drop (mouse or keyboard) or from the
// "Move to room…" menu. Which rooms accept a stay is decided here, in plain functions, so
// that the board, the menu and the tests agree. The front desk checks again when the move is
// made (`move_stay`): the board knows today's stays and each room's next arrival within a
// week, so a stay further ahead in the target room is found there, with its message.

import { findStay, guestNames } from './board'
import { overlaps } from './time'
import type { Board, RoomTile, StaySummary } from './types'

export type DropVerdict = { ok: true } | { ok: false; reason: string }

/** The part of a stay a move takes to the new room: from now (or its start, if later) to
 * its end (null: no end). Null when the stay has already ended. */
export function movedFrame(stay: StaySummary, now: string): { starts_at: string; ends_at: string | null } | null {
  const starts = Date.parse(stay.starts_at) > Date.parse(now) ? stay.starts_at : now
  if (stay.ends_at !== null && Date.parse(stay.ends_at) <= Date.parse(starts)) return null
  return { starts_at: starts, ends_at: stay.ends_at }
}

/**
 * Whether `stay` may be dropped on `target`: not on its own room, not on a common area, not
 * on a room with a stay (today's or its next arrival) that overlaps the part of the stay that
 * moves, and not once the stay has ended.
 */
export function canDropStay(stay: StaySummary, target: RoomTile, board: Board): DropVerdict {
  const from = findStay(board, stay.reservation_key)?.room
  if (from?.space_id === target.space_id || target.stays.some((s) => s.reservation_key === stay.reservation_key)) {
    return { ok: false, reason: `the stay is already in ${target.name}` }
  }
  if (target.kind === 'common') {
    return { ok: false, reason: `${target.name} is a common area, not a room` }
  }
  const frame = movedFrame(stay, board.now)
  if (!frame) {
    return { ok: false, reason: 'the stay has ended; check it out instead' }
  }
  const known = target.next_arrival ? [...target.stays, target.next_arrival] : target.stays
  const taken = known.find((other) => overlaps(frame.starts_at, frame.ends_at, other.starts_at, other.ends_at))
  if (taken) {
    return { ok: false, reason: `${target.name} has an overlapping stay (${guestNames(taken.guests)})` }
  }
  return { ok: true }
}

/** Every room that accepts the stay, in board order: the "Move to room…" menu. */
export function dropTargets(stay: StaySummary, board: Board): RoomTile[] {
  const rooms: RoomTile[] = []
  for (const floor of board.floors) {
    for (const room of floor.rooms) if (canDropStay(stay, room, board).ok) rooms.push(room)
  }
  return rooms
}

// What the live region says while a stay is moved (dnd-kit's announcements, in our words).

export const DRAG_INSTRUCTIONS =
  'To move this stay to another room, press Space or Enter to pick it up, use the arrow keys to ' +
  'choose a room, then press Space or Enter to drop it there, or Escape to cancel. ' +
  'You can also open the room and choose Move to room….'

export function announcePickUp(stay: StaySummary, from: Pick<RoomTile, 'name'>): string {
  return `Picked up the stay of ${guestNames(stay.guests)} in ${from.name}. Use the arrow keys to choose a room, Space or Enter to drop, Escape to cancel.`
}

export function announceOver(target: Pick<RoomTile, 'name'>, verdict: DropVerdict): string {
  return verdict.ok ? `Over ${target.name}. Drop here to move the stay.` : `Over ${target.name}. Cannot move here: ${verdict.reason}.`
}

export function announceCancel(stay: StaySummary, from: Pick<RoomTile, 'name'>): string {
  return `Move cancelled. The stay of ${guestNames(stay.guests)} stays in ${from.name}.`
}

export function announceRefusedDrop(target: Pick<RoomTile, 'name'>, verdict: DropVerdict): string {
  return verdict.ok ? '' : `The stay was not moved to ${target.name}: ${verdict.reason}.`
}

/** The sentence the confirmation says before the move: what happens to the cards. */
export function preMoveSentence(guests: string[], from: string, to: string, issuedCards: number): string {
  const who = guestNames(guests)
  if (issuedCards === 0) {
    return `${who} will move from ${from} to ${to}. No card has been made yet, so nothing opens ${from} for them after the move; new cards for ${to} are made next.`
  }
  const cards = issuedCards === 1 ? 'The 1 card already made' : `The ${issuedCards} cards already made`
  return `${who} will move from ${from} to ${to}. ${cards} for ${from} will keep opening ${from} until collected or cancelled (a cancel card or the next guest's card used at that door); new cards for ${to} are made next.`
}
