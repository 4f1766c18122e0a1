// The manager's warnings as a list that is read again after every change: each row keyed by
// what it is about, so that a row being worked on stays with its warning when others come
// or go; and each warning as one sentence about rooms and guests, by name, in the operator's
// language.

import { listWords } from './audit'
import { t } from './i18n.svelte'
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
export function warningTitle(code: WarningView['code']): string {
  switch (code) {
    case 'encoding_required':
      return t('manager:warnings.titles.encodingRequired')
    case 'cards_not_collected':
      return t('manager:warnings.titles.cardsNotCollected')
    case 'previous_guest_can_enter':
      return t('manager:warnings.titles.previousGuestCanEnter')
    case 'sequence_inversion':
      return t('manager:warnings.titles.sequenceInversion')
    case 'sequence_too_far_ahead':
      return t('manager:warnings.titles.sequenceTooFarAhead')
  }
}

/** "Room 104: 1 key card not returned (Gus Hart, checked out 27 Nov 2026)" */
export function warningSentence(warning: WarningView, zone: string): string {
  const rooms = warning.rooms.length > 0 ? listWords(warning.rooms) : (warning.door ?? t('manager:warnings.aRoom'))
  const guests = warning.guests.length > 0 ? listWords(warning.guests) : t('manager:warnings.theGuest')
  const door = warning.door ?? rooms
  switch (warning.code) {
    case 'cards_not_collected': {
      const lost = warning.cards_out.filter((card) => card.reason === 'lost').length
      const returned = warning.cards - lost
      const parts = [
        ...(returned > 0 ? [t('manager:warnings.cardsNotReturned', { count: returned })] : []),
        ...(lost > 0 ? [t('manager:warnings.cardsLost', { count: lost })] : []),
      ]
      const cards = parts.length > 0 ? listWords(parts) : t('manager:warnings.aCardNotReturned')
      return warning.checked_out_at
        ? t('manager:warnings.notCollectedCheckedOut', { rooms, cards, guests, date: formatDate(warning.checked_out_at, zone) })
        : t('manager:warnings.notCollectedStayEnds', { rooms, cards, guests, date: formatDate(warning.ends_at, zone) })
    }
    case 'encoding_required':
      return t('manager:warnings.encodingRequired', { rooms, guests, count: warning.cards })
    case 'previous_guest_can_enter':
      return t('manager:warnings.previousGuestCanEnter', { door, guests })
    case 'sequence_inversion':
      return t('manager:warnings.sequenceInversion', { rooms, guests })
    case 'sequence_too_far_ahead':
      return t('manager:warnings.sequenceTooFarAhead', { door, guests })
  }
}

/** A warning on one guest of an open stay, about one of its doors; `null` for the warnings
 * the stay panel says elsewhere (re-encoding in its banner, cards still out in their list). */
export function stayWarningSentence(code: WarningView['code'], door: string): string | null {
  switch (code) {
    case 'previous_guest_can_enter':
      return t('manager:warnings.stay.previousGuestCanEnter', { door })
    case 'sequence_inversion':
      return t('manager:warnings.stay.sequenceInversion', { door })
    case 'sequence_too_far_ahead':
      return t('manager:warnings.stay.sequenceTooFarAhead', { door })
    case 'encoding_required':
    case 'cards_not_collected':
      return null
  }
}
