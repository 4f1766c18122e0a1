// What a lock did with a card, and which card it was, in a person's words: for the door
// simulator and the card reader, where one guest's several cards must be told apart.

import { t } from './i18n.svelte'
import { formatDate, formatStay } from './time'
import type { CardDescription, Reason, SimulatedCardView } from './types'

/** A card's status in words, by its key in the catalogue; `other` says nothing. */
const STATUS = {
  current: 'current',
  old_dates: 'oldDates',
  replaced: 'replaced',
  returned: 'returned',
  lost: 'lost',
  withdrawn: 'withdrawn',
  ended: 'ended',
  other: null,
} as const satisfies Record<CardDescription['status'], string | null>

/** "Ann Lee · Room 101 · Fri 5 Dec 15:00 – Sun 7 Dec 11:00 (2 nights) · current key" */
export function cardLabel(card: SimulatedCardView, zone: string): string {
  return card.written ? cardWords(card.holder, zone) : t('desk:cards.blank')
}

/** A written card as the desk tells it apart: whose, which rooms, its dates, its status. */
export function cardWords(holder: CardDescription | null, zone: string): string {
  if (!holder) return t('desk:cards.unknown')
  const parts = [holder.holder]
  if (holder.rooms.length > 0) parts.push(holder.rooms.join(', '))
  parts.push(formatStay(holder.valid_from, holder.valid_until, zone))
  const status = STATUS[holder.status]
  if (status) parts.push(t(`desk:verdicts.status.${status}`))
  return parts.join(' · ')
}

/** Why a door opened or not, as one sentence about the door and the card. */
export function verdictWords(reason: Reason, door: string, card: CardDescription | null, zone: string): string {
  switch (reason.reason) {
    case 'joined':
      return t('desk:verdicts.reason.joined', { door })
    case 'overrode':
      return t('desk:verdicts.reason.overrode', { door })
    case 'common_area':
      return t('desk:verdicts.reason.commonArea', { door })
    case 'staff_access':
      return t('desk:verdicts.reason.staffAccess', { door })
    case 'emergency_access':
      return t('desk:verdicts.reason.emergencyAccess', { door })
    case 'cancel_applied':
      return t('desk:verdicts.reason.cancelApplied', { door })
    case 'cancel_stale':
      return t('desk:verdicts.reason.cancelStale', { door })
    case 'one_shot_used':
      return t('desk:verdicts.reason.oneShotUsed', { door })
    case 'one_shot_spent':
      return t('desk:verdicts.reason.oneShotSpent', { door })
    case 'locked_out':
      return t('desk:verdicts.reason.lockedOut', { door })
    case 'lock_out_lifted':
      return t('desk:verdicts.reason.lockOutLifted', { door })
    case 'door_locked_out':
      return t('desk:verdicts.reason.doorLockedOut', { door })
    case 'wrong_property':
      return t('desk:verdicts.reason.wrongProperty')
    case 'unknown_format':
      return t('desk:verdicts.reason.unknownFormat')
    case 'retired_key_epoch':
      return t('desk:verdicts.reason.retiredKeyEpoch')
    case 'not_yet_valid':
      return card
        ? t('desk:verdicts.reason.notYetValidFrom', { door, date: formatDate(card.valid_from, zone) })
        : t('desk:verdicts.reason.notYetValid', { door })
    case 'expired':
      return card ? t('desk:verdicts.reason.expiredOn', { date: formatDate(card.valid_until, zone) }) : t('desk:verdicts.reason.expired')
    case 'door_not_on_card':
      return t('desk:verdicts.reason.doorNotOnCard', { door })
    case 'no_sequence_for_door':
      return t('desk:verdicts.reason.noSequenceForDoor', { door })
    case 'overridden':
      return t('desk:verdicts.reason.overridden', { door })
    case 'sequence_too_far_ahead':
      return t('desk:verdicts.reason.sequenceTooFarAhead', { door })
    case 'outside_shift':
      return t('desk:verdicts.reason.outsideShift', { door })
    case 'privacy_on':
      return t('desk:verdicts.reason.privacyOn', { door })
    case 'not_authentic':
      return t('desk:verdicts.reason.notAuthentic')
  }
}
