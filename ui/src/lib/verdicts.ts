// What a lock did with a card, and which card it was, in a person's words: for the door
// simulator and the card reader, where one guest's several cards must be told apart.

import { formatDate, formatStay } from './time'
import type { CardDescription, Reason, SimulatedCardView } from './types'

const STATUS: Record<CardDescription['status'], string> = {
  current: 'current key',
  old_dates: 'old dates, to re-encode',
  replaced: 'replaced by a newer card',
  returned: 'given back',
  lost: 'reported lost',
  withdrawn: 'taken out of use',
  ended: 'stay over',
  other: '',
}

/** "Ann Lee · Room 101 · Fri 5 Dec 15:00 – Sun 7 Dec 11:00 (2 nights) · current key" */
export function cardLabel(card: SimulatedCardView, zone: string): string {
  return card.written ? cardWords(card.holder, zone) : 'Blank card'
}

/** A written card as the desk tells it apart: whose, which rooms, its dates, its status. */
export function cardWords(holder: CardDescription | null, zone: string): string {
  if (!holder) return 'A card this desk has no record of'
  const parts = [holder.holder]
  if (holder.rooms.length > 0) parts.push(holder.rooms.join(', '))
  parts.push(formatStay(holder.valid_from, holder.valid_until, zone))
  if (STATUS[holder.status]) parts.push(STATUS[holder.status])
  return parts.join(' · ')
}

/** Why a door opened or not, as one sentence about the door and the card. */
export function verdictWords(reason: Reason, door: string, card: CardDescription | null, zone: string): string {
  switch (reason.reason) {
    case 'joined':
      return `Opens ${door}: a card of the stay that holds the room.`
    case 'overrode':
      return `Opens ${door}: this is the new guest’s first card there, and the previous guest’s cards no longer open it.`
    case 'common_area':
      return `Opens ${door}: a common door this card is for.`
    case 'staff_access':
      return `Opens ${door}: a staff card for this door.`
    case 'emergency_access':
      return `Opens ${door}: an emergency key opens every door, a thrown deadbolt too.`
    case 'cancel_applied':
      return `${door} now refuses every card made for it before this cancel card.`
    case 'cancel_stale':
      return `This cancel card changes nothing at ${door}: a newer card was used there since it was made.`
    case 'one_shot_used':
      return `Opens ${door}, once: this card will not open it again.`
    case 'one_shot_spent':
      return `This one-time card was already used at ${door}.`
    case 'locked_out':
      return `${door} is locked out: guest cards are refused until a lift card or the next guest’s card is used there.`
    case 'lock_out_lifted':
      return `Opens ${door}: the lock-out is lifted.`
    case 'door_locked_out':
      return `${door} is locked out: this card is refused until a lift card or the next guest’s card is used there.`
    case 'wrong_property':
      return 'This card was made for another property.'
    case 'unknown_format':
      return 'The lock cannot read this card: it was written by a newer or another system.'
    case 'retired_key_epoch':
      return 'This card was made with keys the property no longer uses.'
    case 'not_yet_valid':
      return card ? `This card opens ${door} only from ${formatDate(card.valid_from, zone)}.` : `This card is not valid at ${door} yet.`
    case 'expired':
      return card ? `This card stopped opening doors on ${formatDate(card.valid_until, zone)}.` : 'This card has expired.'
    case 'door_not_on_card':
      return `This card is not for ${door}.`
    case 'no_sequence_for_door':
      return `This card was not made for the stays of ${door}.`
    case 'overridden':
      return `This card no longer opens ${door}: a newer guest’s card was used there.`
    case 'sequence_too_far_ahead':
      return `${door} will refuse this card until its lock is brought up to date: cards made before it were never used there.`
    case 'outside_shift':
      return `This staff card does not open ${door} at this time of day.`
    case 'privacy_on':
      return `The guest inside ${door} has thrown the deadbolt: only an emergency key opens.`
    case 'not_authentic':
      return 'This card is not genuine: its seal does not match the property’s keys.'
  }
}
