// Cards out of use that may still open a door, in the receptionist's words: whose card, which
// doors and until when, and what to do with a cancel card.

import { formatDateTime } from './time'
import type { CardOut, DoorStillOpen } from './types'

const REASONS: Record<CardOut['reason'], string> = {
  not_returned: 'not returned',
  replaced: 'replaced by a newer card',
  lost: 'reported lost',
}

/** "Ann Walker, card 2 (replaced by a newer card)" */
export function cardOutTitle(card: CardOut): string {
  return `${card.guest ?? 'Guest'}, card ${card.copy_number ?? 1} (${REASONS[card.reason]})`
}

/** "Ann and Tom", "Ann, Tom and Eva" */
function names(list: string[]): string {
  if (list.length === 0) return 'the next guest'
  if (list.length === 1) return list[0]
  return `${list.slice(0, -1).join(', ')} and ${list[list.length - 1]}`
}

/** Until when one door may still accept the card, and what stops it there. */
export function doorOpenWords(door: DoorStillOpen, zone: string): string {
  const end = door.at_latest === null ? null : formatDateTime(door.at_latest, zone)
  if (door.until === 'card_end') return end ? `${door.name} until ${end}` : `${door.name}, with no end`
  if (door.until === 'once') return end ? `${door.name} once, until ${end}` : `${door.name} once`
  const holder = door.held_by
  if (holder && holder.same_reservation) {
    return end ? `${door.name} until ${end}, like the stay's own cards: collect it` : `${door.name}, like the stay's own cards: collect it`
  }
  if (holder) {
    return `${door.name} until ${names(holder.guests)}'s first card is used there (arriving ${formatDateTime(holder.starts_at, zone)})`
  }
  return end
    ? `${door.name} until a newer card or a cancel card is used there, ${end} at the latest`
    : `${door.name} until a newer card or a cancel card is used there`
}

/** "Opens Room 101 door until …; Lobby door until …." */
export function cardOutWords(card: CardOut, zone: string): string {
  return `Opens ${card.doors.map((door) => doorOpenWords(door, zone)).join('; ')}.`
}

/** The doors of these cards that a cancel card can close, each once, with their names. */
export function cancelDoors(cards: CardOut[]): { id: string; name: string }[] {
  const found = new Map<string, string>()
  for (const card of cards) {
    for (const id of card.cancel_entrance_ids) {
      const door = card.doors.find((candidate) => candidate.acs_entrance_id === id)
      if (door && !found.has(id)) found.set(id, door.name)
    }
  }
  return [...found].map(([id, name]) => ({ id, name }))
}

/** "Room 101 door and Room 102 door" */
export function doorList(doors: string[]): string {
  return names(doors)
}

/** What to do with a cancel card just written for these doors. */
export function cancelInstructions(doors: string[]): string {
  return doors.length === 1
    ? `Take this cancel card to ${doors[0]} and present it once there. From then on the door refuses every card made for it before, and stays shut to the cancel card itself.`
    : `Take this cancel card to ${doorList(doors)} and present it once at each door. From then on they refuse every card made for them before, and stay shut to the cancel card itself.`
}

/** What a cancel card cannot stop: the common doors, and rooms a stay holds. */
export function cancelLeavesOpen(cards: CardOut[], zone: string): string[] {
  const left: string[] = []
  for (const card of cards) {
    for (const door of card.doors) {
      if (card.cancel_entrance_ids.includes(door.acs_entrance_id)) continue
      const words = doorOpenWords(door, zone)
      if (!left.includes(words)) left.push(words)
    }
  }
  return left
}

/** A warning's cards still out in one sentence; the cards themselves say where and until when. */
export function cardsOutSummary(cards: CardOut[]): string {
  if (cards.length === 0) return 'No card of this stay opens a door any more.'
  const lost = cards.filter((card) => card.reason === 'lost').length
  const count = cards.length === 1 ? 'A card' : `${cards.length} cards`
  const verb = cards.length === 1 ? 'is' : 'are'
  const may = cards.length === 1 ? 'It may' : 'They may'
  const lostWords =
    lost === 0 ? '' : lost === cards.length ? (lost === 1 ? ' (reported lost)' : ' (all reported lost)') : ` (${lost} reported lost)`
  return `${count} that ${verb} no one's key any more${lostWords}. ${may} still open the doors listed here until stopped.`
}
