// Moving a stay to another room by drag and drop (mouse or keyboard) or from the
// "Move to room…" menu. Which rooms accept a stay is decided here, in plain functions, so
// that the board, the menu and the tests agree. The front desk checks again when the move is
// made (`move_stay`): the board knows today's stays and each room's next arrival within a
// week, so a stay further ahead in the target room is found there, with its message.

import { findStay, guestNames } from './board'
import { t } from './i18n.svelte'
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
    return { ok: false, reason: t('board:drop.alreadyIn', { room: target.name }) }
  }
  if (target.kind === 'common') {
    return { ok: false, reason: t('board:drop.commonArea', { room: target.name }) }
  }
  const frame = movedFrame(stay, board.now)
  if (!frame) {
    return { ok: false, reason: t('board:drop.ended') }
  }
  const known = target.next_arrival ? [...target.stays, target.next_arrival] : target.stays
  const taken = known.find((other) => overlaps(frame.starts_at, frame.ends_at, other.starts_at, other.ends_at))
  if (taken) {
    return { ok: false, reason: t('board:drop.overlapping', { room: target.name, guests: guestNames(taken.guests) }) }
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

/** How to move a stay from the keyboard, for the board's stays (`aria-describedby`). */
export function dragInstructions(): string {
  return t('board:drag.instructions')
}

export function announcePickUp(stay: StaySummary, from: Pick<RoomTile, 'name'>): string {
  return t('board:drag.pickedUp', { guests: guestNames(stay.guests), room: from.name })
}

export function announceOver(target: Pick<RoomTile, 'name'>, verdict: DropVerdict): string {
  return verdict.ok
    ? t('board:drag.over', { room: target.name })
    : t('board:drag.overRefused', { room: target.name, reason: verdict.reason })
}

export function announceCancel(stay: StaySummary, from: Pick<RoomTile, 'name'>): string {
  return t('board:drag.cancelled', { guests: guestNames(stay.guests), room: from.name })
}

export function announceRefusedDrop(target: Pick<RoomTile, 'name'>, verdict: DropVerdict): string {
  return verdict.ok ? '' : t('board:drag.refused', { room: target.name, reason: verdict.reason })
}

/** The sentence the confirmation says before the move: what happens to the cards. */
export function preMoveSentence(guests: string[], from: string, to: string, issuedCards: number): string {
  const words = { guests: guestNames(guests), from, to }
  if (issuedCards === 0) return t('board:move.noCards', words)
  return t('board:move.cards', { ...words, count: issuedCards })
}
