import { describe, expect, it } from 'vitest'
import type { CardOut, WarningView } from '../../src/lib/types'
import { warningKeys, warningSentence } from '../../src/lib/warnings'

const ZONE = 'Europe/Lisbon'

const warning = (code: WarningView['code'], grant: string, extra: Partial<WarningView> = {}): WarningView => ({
  access_grant_id: grant,
  access_grant_ids: [grant],
  access_method_ids: [],
  code,
  message: '',
  created_at: '2025-03-12T10:00:00Z',
  reservation_key: null,
  guests: ['Gus Hart'],
  rooms: ['Room 104'],
  door: null,
  ends_at: '2026-11-28T11:00:00Z',
  checked_out_at: null,
  cards: 1,
  fix: 'none',
  outstanding_card_ids: [],
  cards_out: [],
  ...extra,
})

const cardOut = (reason: CardOut['reason']): CardOut => ({
  card_id: '04A1',
  access_grant_id: 'g1',
  access_method_id: 'm1',
  reservation_key: null,
  guest: 'Gus Hart',
  copy_number: 1,
  reason,
  out_since: '2026-11-27T10:05:00Z',
  rooms: ['Room 104'],
  doors: [],
  cancel_entrance_ids: [],
})

describe('warning keys', () => {
  it('keys each warning by what it is about, the same from one read to the next', () => {
    const a = warning('encoding_required', 'g1', { reservation_key: 'R-1' })
    const b = warning('previous_guest_can_enter', 'g2', { door: 'Room 101 door' })
    expect(warningKeys([a, b])).toEqual(['encoding_required:R-1:', 'previous_guest_can_enter:g2:Room 101 door'])
    expect(warningKeys([b])).toEqual(['previous_guest_can_enter:g2:Room 101 door'])
  })

  it('numbers a second warning about the same thing', () => {
    const a = warning('cards_not_collected', 'g1')
    expect(new Set(warningKeys([a, a, a])).size).toBe(3)
  })
})

describe('warnings in words', () => {
  it('says which room, how many cards, whose and since when', () => {
    const out = warning('cards_not_collected', 'g1', { checked_out_at: '2026-11-27T10:05:00Z', cards_out: [cardOut('not_returned')] })
    expect(warningSentence(out, ZONE)).toBe('Room 104: 1 key card not returned (Gus Hart, checked out 27 Nov 2026)')
    const lost = warning('cards_not_collected', 'g1', {
      cards: 3,
      guests: ['Gus Hart', 'Ida Hart'],
      cards_out: [cardOut('not_returned'), cardOut('lost'), cardOut('not_returned')],
    })
    expect(warningSentence(lost, ZONE)).toBe(
      'Room 104: 2 key cards not returned and 1 key card reported lost (Gus Hart and Ida Hart, stay ends 28 Nov 2026)',
    )
  })

  it('counts the cards to re-encode once for the stay', () => {
    const dates = warning('encoding_required', 'g1', { cards: 2, fix: 're_encode', access_method_ids: ['m1', 'm2'] })
    expect(warningSentence(dates, ZONE)).toBe(
      'Room 104: the dates of Gus Hart changed after 2 key cards were made; they still carry the old dates',
    )
  })
})
