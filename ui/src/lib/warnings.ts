// The manager's warnings as a list that is read again after every change: each row keyed by
// what it is about, so that a row being worked on stays with its warning when others come
// or go; and each warning as one sentence about rooms and guests, by name.

import { listWords } from './audit'
import { formatDate } from './time'
import type { WarningView } from './types'

/** A key per warning, the same from one read to the next: its code, stay (or grant) and door
 * (a second warning with all three the same is numbered). */
export function warningKeys(warnings: WarningView[]): string[] {
  const seen = new Map<string, number>()
  return warnings.map((warning) => {
    const base = `${warning.code}:${warning.reservation_key ?? warning.access_grant_id}:${warning.door ?? ''}`
    const count = seen.get(base) ?? 0
    seen.set(base, count + 1)
    return count === 0 ? base : `${base}#${count}`
  })
}

/** Each kind of warning's title. */
export const WARNING_TITLES: Record<WarningView['code'], string> = {
  encoding_required: 'Needs re-encoding',
  cards_not_collected: 'Card not returned',
  previous_guest_can_enter: 'Previous guest can enter',
  sequence_inversion: 'Stays out of order',
  sequence_too_far_ahead: 'Lock will refuse the cards',
}

const cardCount = (count: number) => `${count} key ${count === 1 ? 'card' : 'cards'}`

/** "Room 104: 1 key card not returned (Gus Hart, checked out 27 Nov 2026)" */
export function warningSentence(warning: WarningView, zone: string): string {
  const rooms = warning.rooms.length > 0 ? listWords(warning.rooms) : (warning.door ?? 'A room')
  const guests = warning.guests.length > 0 ? listWords(warning.guests) : 'the guest'
  const door = warning.door ?? rooms
  switch (warning.code) {
    case 'cards_not_collected': {
      const lost = warning.cards_out.filter((card) => card.reason === 'lost').length
      const returned = warning.cards - lost
      const parts = [
        ...(returned > 0 ? [`${cardCount(returned)} not returned`] : []),
        ...(lost > 0 ? [`${cardCount(lost)} reported lost`] : []),
      ]
      const when = warning.checked_out_at
        ? `checked out ${formatDate(warning.checked_out_at, zone)}`
        : `stay ends ${formatDate(warning.ends_at, zone)}`
      return `${rooms}: ${parts.length > 0 ? listWords(parts) : 'a key card not returned'} (${guests}, ${when})`
    }
    case 'encoding_required':
      return `${rooms}: the dates of ${guests} changed after ${cardCount(warning.cards)} ${warning.cards === 1 ? 'was' : 'were'} made; ${warning.cards === 1 ? 'it still carries' : 'they still carry'} the old dates`
    case 'previous_guest_can_enter':
      return `${door}: the previous guest’s cards still open it until a card of ${guests} is first used there`
    case 'sequence_inversion':
      return `${rooms}: the cards of ${guests} were made before those of an earlier stay, and the door will refuse them once that stay’s cards are used; remake them`
    case 'sequence_too_far_ahead':
      return `${door}: the lock will refuse the cards of ${guests}, made after cards for stays that never used this door; bring the lock up to date before the guest arrives`
  }
}

/** A warning on one guest of an open stay, about one of its doors; `null` for the warnings
 * the stay panel says elsewhere (re-encoding in its banner, cards still out in their list). */
export function stayWarningSentence(code: WarningView['code'], door: string): string | null {
  switch (code) {
    case 'previous_guest_can_enter':
      return `${door}: the previous guest’s cards still open it until a card of this stay is first used there.`
    case 'sequence_inversion':
      return `${door}: these cards were made before those of an earlier stay, and the door will refuse them once that stay’s cards are used there. Remake them.`
    case 'sequence_too_far_ahead':
      return `${door}: the lock will refuse these cards until it is brought up to date at the door.`
    case 'encoding_required':
    case 'cards_not_collected':
      return null
  }
}
