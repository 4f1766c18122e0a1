import type { CardView, Board, RoomTile, StayDetail, StaySummary } from '../../src/lib/types'

export const NOW = '2025-03-12T15:00:00Z'

export function stay(key: string, guests: string[], starts: string, ends: string, warnings = 0): StaySummary {
  return { reservation_key: key, starts_at: starts, ends_at: ends, guests, warnings }
}

export function room(key: string, stays: StaySummary[] = [], extra: Partial<RoomTile> = {}): RoomTile {
  return {
    space_id: `space-${key}`,
    key,
    name: `Room ${key}`,
    kind: 'guest_room',
    state: stays.length === 0 ? 'vacant' : 'in_house',
    has_warnings: stays.some((s) => s.warnings > 0),
    stays,
    next_arrival: null,
    ...extra,
  }
}

/** Floor 1: 101 Ana (in house until the 14th), 102 vacant, 103 Carl (departing today),
 * 104 Dee (arriving tonight). Floor 2: 201 vacant, 202 José Núñez with warnings. Other: Lobby (common). */
export function board(): Board {
  return {
    property_name: 'Quayside Test Inn',
    time_zone: 'Europe/Lisbon',
    now: NOW,
    floors: [
      {
        floor: 1,
        label: 'Floor 1',
        rooms: [
          room('101', [stay('stay-ana', ['Ana Silva', 'Ben Silva'], '2025-03-11T15:00:00Z', '2025-03-14T11:00:00Z')]),
          room('102'),
          room('103', [stay('stay-carl', ['Carl Jones'], '2025-03-10T15:00:00Z', '2025-03-12T11:00:00Z')], { state: 'departing' }),
          room('104', [stay('stay-dee', ['Dee Park'], '2025-03-12T18:00:00Z', '2025-03-13T11:00:00Z')], { state: 'arriving' }),
        ],
      },
      {
        floor: 2,
        label: 'Floor 2',
        rooms: [room('201'), room('202', [stay('stay-jose', ['José Núñez'], '2025-03-11T15:00:00Z', '2025-03-15T11:00:00Z', 1)])],
      },
      { floor: null, label: 'Other', rooms: [room('lobby', [], { name: 'Lobby', kind: 'common' })] },
    ],
  }
}

export function card(id: string, extra: Partial<CardView> = {}): CardView {
  return {
    id,
    access_grant_id: 'grant',
    mode: 'card',
    copy_number: 1,
    created_at: NOW,
    issued_at: null,
    card_id: null,
    is_encoding_required: false,
    revoked_at: null,
    collected_at: null,
    lost_at: null,
    warnings: [],
    ...extra,
  }
}

export function stayDetail(guests: Array<{ name: string; cards: CardView[] }>): StayDetail {
  return {
    reservation_key: 'stay-ana',
    space_id: 'space-101',
    room_name: 'Room 101',
    starts_at: '2025-03-11T15:00:00Z',
    ends_at: '2025-03-14T11:00:00Z',
    guests: guests.map((guest, index) => ({
      user_identity_id: `user-${index}`,
      full_name: guest.name,
      access_grant_id: `grant-${index}`,
      entrance_ids: ['door-101'],
      starts_at: '2025-03-11T15:00:00Z',
      ends_at: '2025-03-14T11:00:00Z',
      cards: guest.cards,
      warnings: [],
    })),
    cards_still_out: [],
  }
}
