import { describe, expect, it } from 'vitest'
import { cardStatus, cardsToEncode, issuedCards, staleCards, stayCardsToEncode } from '../../src/lib/cards'
import { card, stayDetail } from './fixtures'

describe('cards', () => {
  it('names each state', () => {
    expect(cardStatus(card('a'))).toBe('not_issued')
    expect(cardStatus(card('a', { issued_at: '2025-03-12T15:00:00Z' }))).toBe('issued')
    expect(cardStatus(card('a', { issued_at: '2025-03-12T15:00:00Z', is_encoding_required: true }))).toBe('needs_encoding')
    expect(cardStatus(card('a', { issued_at: 'x', revoked_at: 'y' }))).toBe('revoked')
    expect(cardStatus(card('a', { issued_at: 'x', revoked_at: 'y', collected_at: 'z' }))).toBe('collected')
    expect(cardStatus(card('a', { issued_at: 'x', lost_at: 'z' }))).toBe('lost')
  })

  it('lists what still needs the encoder, guest by guest', () => {
    const stay = stayDetail([
      { name: 'Ana', cards: [card('a1', { issued_at: 'x' }), card('a2', { copy_number: 2 })] },
      { name: 'Ben', cards: [card('b1', { issued_at: 'x', is_encoding_required: true }), card('b2', { mode: 'code' })] },
    ])
    expect(stayCardsToEncode(stay)).toEqual([
      { id: 'a2', label: 'Ana, card 2' },
      { id: 'b1', label: 'Ben, card 1' },
    ])
    expect(stayCardsToEncode(stay, 'new').map((c) => c.id)).toEqual(['a2'])
    expect(stayCardsToEncode(stay, 'stale').map((c) => c.id)).toEqual(['b1'])
    expect(staleCards(stay)).toBe(1)
    expect(issuedCards(stay)).toBe(2)
    expect(cardsToEncode([{ full_name: null, cards: [card('s')] }])).toEqual([{ id: 's', label: 'Guest, card 1' }])
  })
})
