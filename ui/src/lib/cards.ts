// What the desk says about a card record, and which cards still need the encoder.

import { t } from './i18n.svelte'
import type { CardView, GuestDetail, StaffAccess, StayDetail } from './types'

export type CardStatus = 'issued' | 'needs_encoding' | 'not_issued' | 'collected' | 'lost' | 'revoked'

export function cardStatus(card: CardView): CardStatus {
  if (card.lost_at) return 'lost'
  if (card.collected_at) return 'collected'
  if (card.revoked_at) return 'revoked'
  if (!card.issued_at) return 'not_issued'
  if (card.is_encoding_required) return 'needs_encoding'
  return 'issued'
}

const CARD_STATUS_KEYS = {
  issued: 'stay:cards.status.issued',
  needs_encoding: 'stay:cards.status.needsEncoding',
  not_issued: 'stay:cards.status.notIssued',
  collected: 'stay:cards.status.collected',
  lost: 'stay:cards.status.lost',
  revoked: 'stay:cards.status.revoked',
} as const satisfies Record<CardStatus, string>

/** "Issued", "Needs re-encoding", … in the operator's language. */
export function cardStatusLabel(status: CardStatus): string {
  return t(CARD_STATUS_KEYS[status])
}

/** "Card 2" or "Card" */
export function cardName(card: CardView): string {
  return card.copy_number ? t('stay:cards.name', { number: card.copy_number }) : t('stay:cards.nameNoNumber')
}

/** What the encoder's prompts call a holder's card: "Ann Walker, card 2". */
export function cardToEncodeLabel(holder: string | null | undefined, card: CardView): string {
  const name = holder ?? t('stay:unnamedGuest')
  return card.copy_number
    ? t('stay:cards.toEncode', { holder: name, number: card.copy_number })
    : t('stay:cards.toEncodeNoNumber', { holder: name })
}

/** A card waiting for the encoder, with what the prompts call it. */
export interface CardToEncode {
  id: string
  label: string
}

function pending(card: CardView, which: 'new' | 'stale' | 'both'): boolean {
  const status = cardStatus(card)
  if (which === 'new') return status === 'not_issued'
  if (which === 'stale') return status === 'needs_encoding'
  return status === 'not_issued' || status === 'needs_encoding'
}

/** The cards of guests (or staff) still to encode: never made (`new`), carrying old dates
 * (`stale`), or `both`; guest by guest in order. */
export function cardsToEncode(
  holders: Array<Pick<GuestDetail, 'full_name' | 'cards'>>,
  which: 'new' | 'stale' | 'both' = 'both',
): CardToEncode[] {
  const result: CardToEncode[] = []
  for (const holder of holders) {
    for (const card of holder.cards) {
      if (card.mode === 'card' && pending(card, which)) {
        result.push({ id: card.id, label: cardToEncodeLabel(holder.full_name, card) })
      }
    }
  }
  return result
}

export function stayCardsToEncode(stay: StayDetail, which: 'new' | 'stale' | 'both' = 'both'): CardToEncode[] {
  return cardsToEncode(stay.guests, which)
}

export function staffCardsToEncode(staff: StaffAccess): CardToEncode[] {
  return cardsToEncode([staff], 'both')
}

/** Cards of a stay that carry old dates. */
export function staleCards(stay: StayDetail): number {
  return stay.guests.reduce((count, guest) => count + guest.cards.filter((card) => cardStatus(card) === 'needs_encoding').length, 0)
}

/** Cards of a stay already encoded (issued, live). */
export function issuedCards(stay: StayDetail): number {
  return stay.guests.reduce(
    (count, guest) => count + guest.cards.filter((card) => ['issued', 'needs_encoding'].includes(cardStatus(card))).length,
    0,
  )
}
