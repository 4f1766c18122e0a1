import { describe, expect, it } from 'vitest'
import {
  cancelDoors,
  cancelInstructions,
  cancelLeavesOpen,
  cardOutTitle,
  cardOutWords,
  cardsOutSummary,
  doorOpenWords,
} from '../../src/lib/cardsOut'
import type { CardOut, DoorStillOpen } from '../../src/lib/types'

const ZONE = 'Europe/Lisbon'
const END = '2025-07-18T10:00:00Z'

function door(name: string, extra: Partial<DoorStillOpen> = {}): DoorStillOpen {
  return { acs_entrance_id: `id-${name}`, name, until: 'newer_card', at_latest: END, held_by: null, ...extra }
}

function cardOut(extra: Partial<CardOut> = {}): CardOut {
  return {
    card_id: '04AABB',
    access_grant_id: 'g1',
    access_method_id: 'm1',
    reservation_key: 'r-ann',
    guest: 'Ann Walker',
    copy_number: 1,
    reason: 'not_returned',
    out_since: '2025-03-11T10:00:00Z',
    rooms: ['Room 101'],
    doors: [door('Room 101 door'), door('Lobby door', { until: 'card_end' })],
    cancel_entrance_ids: ['id-Room 101 door'],
    ...extra,
  }
}

describe('cards still out', () => {
  it('names the card and why it is out', () => {
    expect(cardOutTitle(cardOut())).toBe('Ann Walker, card 1 (not returned)')
    expect(cardOutTitle(cardOut({ reason: 'replaced', copy_number: 2 }))).toBe('Ann Walker, card 2 (replaced by a newer card)')
    expect(cardOutTitle(cardOut({ reason: 'lost', guest: null }))).toBe('Guest, card 1 (reported lost)')
  })

  it('says until when each door opens, at the property', () => {
    expect(cardOutWords(cardOut(), ZONE)).toBe(
      'Opens Room 101 door until a newer card or a cancel card is used there, 18 Jul 2025, 11:00 at the latest; Lobby door until 18 Jul 2025, 11:00.',
    )
    const booked = door('Room 101 door', {
      held_by: { reservation_key: 'r-tom', guests: ['Tom Morrow'], starts_at: '2025-07-20T14:00:00Z', same_reservation: false },
    })
    expect(doorOpenWords(booked, ZONE)).toBe("Room 101 door until Tom Morrow's first card is used there (arriving 20 Jul 2025, 15:00)")
    const own = door('Room 101 door', {
      held_by: { reservation_key: 'r-ann', guests: ['Ann Walker'], starts_at: '2025-07-14T14:00:00Z', same_reservation: true },
    })
    expect(doorOpenWords(own, ZONE)).toBe("Room 101 door until 18 Jul 2025, 11:00, like the stay's own cards: collect it")
    expect(doorOpenWords(door('Lobby door', { until: 'card_end', at_latest: null }), ZONE)).toBe('Lobby door, with no end')
  })

  it('tells where to take a cancel card and what it leaves open', () => {
    expect(cancelDoors([cardOut(), cardOut({ card_id: '04CC' })])).toEqual([{ id: 'id-Room 101 door', name: 'Room 101 door' }])
    expect(cancelInstructions(['Room 101 door'])).toMatch(/^Take this cancel card to Room 101 door and present it once there\./)
    expect(cancelInstructions(['Room 101 door', 'Room 102 door'])).toMatch(
      /^Take this cancel card to Room 101 door and Room 102 door and present it once at each door\./,
    )
    expect(cancelLeavesOpen([cardOut()], ZONE)).toEqual(['Lobby door until 18 Jul 2025, 11:00'])
  })
  it('sums a warning up', () => {
    expect(cardsOutSummary([cardOut()])).toBe(
      "A card that is no one's key any more. It may still open the doors listed here until stopped.",
    )
    expect(cardsOutSummary([cardOut(), cardOut({ reason: 'lost' })])).toBe(
      "2 cards that are no one's key any more (1 reported lost). They may still open the doors listed here until stopped.",
    )
    expect(cardsOutSummary([])).toBe('No card of this stay opens a door any more.')
  })
})
