// Cards out of use that may still open a door, in the receptionist's words: whose card, which
// doors and until when, and what to do with a cancel card.

import { t } from './i18n.svelte'
import { formatDateTime } from './time'
import type { CardOut, DoorStillOpen } from './types'

const TITLES = {
  not_returned: 'stay:cardsOut.title.notReturned',
  replaced: 'stay:cardsOut.title.replaced',
  lost: 'stay:cardsOut.title.lost',
} as const satisfies Record<CardOut['reason'], string>

/** "Ann Walker, card 2 (replaced by a newer card)" */
export function cardOutTitle(card: CardOut): string {
  return t(TITLES[card.reason], { guest: card.guest ?? t('stay:unnamedGuest'), number: card.copy_number ?? 1 })
}

/** "Ann and Tom", "Ann, Tom and Eva" */
function names(list: string[]): string {
  if (list.length === 0) return t('stay:list.nextGuest')
  if (list.length === 1) return list[0]
  return t('stay:list.and', { rest: list.slice(0, -1).join(', '), last: list[list.length - 1] })
}

/** Until when one door may still accept the card, and what stops it there. */
export function doorOpenWords(door: DoorStillOpen, zone: string): string {
  const end = door.at_latest === null ? null : formatDateTime(door.at_latest, zone)
  const words = { door: door.name, end }
  if (door.until === 'card_end') return end ? t('stay:cardsOut.door.untilEnd', words) : t('stay:cardsOut.door.noEnd', words)
  if (door.until === 'once') return end ? t('stay:cardsOut.door.onceUntil', words) : t('stay:cardsOut.door.once', words)
  const holder = door.held_by
  if (holder && holder.same_reservation) {
    return end ? t('stay:cardsOut.door.sameStayUntil', words) : t('stay:cardsOut.door.sameStay', words)
  }
  if (holder) {
    return t('stay:cardsOut.door.heldBy', {
      door: door.name,
      guests: names(holder.guests),
      arriving: formatDateTime(holder.starts_at, zone),
    })
  }
  return end ? t('stay:cardsOut.door.newerUntil', words) : t('stay:cardsOut.door.newer', words)
}

/** "Opens Room 101 door until …; Lobby door until …." */
export function cardOutWords(card: CardOut, zone: string): string {
  return t('stay:cardsOut.opens', { doors: card.doors.map((door) => doorOpenWords(door, zone)).join('; ') })
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
  return doors.length === 1 ? t('stay:cardsOut.cancelOne', { door: doors[0] }) : t('stay:cardsOut.cancelMany', { doors: doorList(doors) })
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
  if (cards.length === 0) return t('stay:cardsOut.summary.none')
  const lost = cards.filter((card) => card.reason === 'lost').length
  if (lost === 0) return t('stay:cardsOut.summary.plain', { count: cards.length })
  if (lost === cards.length) return t('stay:cardsOut.summary.allLost', { count: cards.length })
  return t('stay:cardsOut.summary.someLost', { count: lost, cards: cards.length })
}
