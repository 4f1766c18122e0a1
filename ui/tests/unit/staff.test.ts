import { describe, expect, it } from 'vitest'
import {
  cardsStateText,
  daysText,
  describeChoice,
  groupState,
  scheduleText,
  singleDoorCount,
  staffActions,
  toggleGroup,
} from '../../src/lib/staff'
import type { StaffAccess, StaffDoorChoices } from '../../src/lib/types'
import { card } from './fixtures'

const floor1 = ['101', '102', '103']
const floor2 = ['201', '202']
const choices: StaffDoorChoices = {
  all_guest_rooms: { label: 'All guest rooms', floor: null, rooms: 5, entrance_ids: [...floor1, ...floor2] },
  floors: [
    { label: 'Floor 1', floor: 1, rooms: 3, entrance_ids: floor1 },
    { label: 'Floor 2', floor: 2, rooms: 2, entrance_ids: floor2 },
  ],
  common_doors: [
    { acs_entrance_id: 'lobby', name: 'Lobby', floor: null },
    { acs_entrance_id: 'pool', name: 'Pool', floor: null },
  ],
  room_doors: [...floor1, ...floor2].map((door) => ({ acs_entrance_id: door, name: `Room ${door} door`, floor: Number(door[0]) })),
}

function person(state: StaffAccess['cards_state'], cards = [card('s1')]): StaffAccess {
  return {
    access_grant_id: 'grant',
    full_name: 'Hana',
    entrance_ids: floor1,
    opens: 'Floor 1 (3 rooms)',
    staff_terms: null,
    one_shot: state === 'used',
    starts_at: '2025-03-12T08:00:00Z',
    ends_at: '2025-04-12T20:00:00Z',
    revoked_at: state === 'revoked' ? '2025-03-13T08:00:00Z' : null,
    cards_state: state,
    cards,
  }
}

describe('staff doors', () => {
  it('sees a group as all, some or none of the chosen doors', () => {
    expect(groupState(['101', '102', '103', 'lobby'], floor1)).toBe('all')
    expect(groupState(['102'], floor1)).toBe('some')
    expect(groupState(['lobby'], floor1)).toBe('none')
    expect(groupState([], [])).toBe('none')
  })

  it('adds and takes away a whole group, keeping the order chosen', () => {
    expect(toggleGroup(['lobby', '102'], floor1, true)).toEqual(['lobby', '102', '101', '103'])
    expect(toggleGroup(['lobby', '102', '201'], floor1, false)).toEqual(['lobby', '201'])
  })

  it('says the choice as the card carries it: all rooms, whole floors, then single doors', () => {
    expect(describeChoice(choices, [...floor1, 'lobby', 'pool'])).toBe('Floor 1 (3 rooms), Lobby, Pool')
    expect(describeChoice(choices, ['lobby', ...floor1, ...floor2])).toBe('All guest rooms (5 rooms), Lobby')
    expect(describeChoice(choices, ['201', ...floor1])).toBe('Floor 1 (3 rooms), Room 201 door')
    expect(describeChoice(choices, [])).toBe('')
  })

  it('counts only the doors a card lists one by one', () => {
    expect(singleDoorCount(choices, [...floor1, 'lobby'])).toBe(1)
    expect(singleDoorCount(choices, ['101', '102', 'lobby'])).toBe(3)
    expect(singleDoorCount(choices, [...floor1, ...floor2])).toBe(0)
  })
})

describe('staff rows', () => {
  const issued = card('s1', { issued_at: '2025-03-12T09:00:00Z', card_id: 'C1' })

  it('says where the cards stand', () => {
    expect(cardsStateText(person('not_encoded'))).toBe('Not encoded')
    expect(cardsStateText(person('encoded', [issued]))).toBe('Encoded, 1 card')
    expect(cardsStateText(person('encoded', [issued, card('s2', { issued_at: 'x', copy_number: 2 })]))).toBe('Encoded, 2 cards')
    expect(cardsStateText(person('needs_re_encoding', [{ ...issued, is_encoding_required: true }]))).toMatch(/re-encode/)
    expect(cardsStateText(person('lost', [{ ...issued, revoked_at: 'x', lost_at: 'x' }]))).toMatch(/^Card lost/)
    expect(cardsStateText(person('revoked', [{ ...issued, revoked_at: 'x' }]))).toMatch(/^Revoked, card not back/)
    expect(cardsStateText(person('revoked', [{ ...issued, revoked_at: 'x', lost_at: 'y' }]))).toMatch(/^Revoked, card lost/)
  })

  it('offers what fits each state', () => {
    expect(staffActions(person('not_encoded'))).toEqual(['encode', 'edit', 'delete'])
    expect(staffActions(person('encoded', [issued]))).toEqual(['edit', 'lost', 'revoke'])
    expect(staffActions(person('needs_re_encoding', [issued]))).toEqual(['encode', 'edit', 'lost', 'revoke'])
    expect(staffActions(person('lost'))).toEqual(['new_card', 'edit', 'revoke'])
    expect(staffActions(person('revoked', [{ ...issued, revoked_at: 'x' }]))).toEqual(['returned', 'lost_after_revoke'])
    expect(staffActions(person('revoked', [{ ...issued, revoked_at: 'x', lost_at: 'y' }]))).toEqual([])
    expect(staffActions(person('used', [issued]))).toEqual(['revoke'])
    expect(cardsStateText(person('used', [issued]))).toMatch(/^Used: the locks took the one-shot key/)
  })
})

describe('staff schedules in words', () => {
  it('says runs of days as ranges and each window with its hours', () => {
    expect(daysText(['mon', 'tue', 'wed', 'thu', 'fri', 'sat'])).toBe('Mon–Sat')
    expect(daysText(['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'])).toBe('Every day')
    expect(daysText(['mon', 'wed', 'sat', 'sun'])).toBe('Mon, Wed, Sat, Sun')
    expect(daysText(['fri', 'mon', 'tue', 'wed'])).toBe('Mon–Wed, Fri')
    expect(scheduleText(null)).toBe('Any time')
    expect(scheduleText({ level: 'area', schedule: [] })).toBe('Any time')
    expect(
      scheduleText({
        level: 'master',
        schedule: [
          { days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '22:00', to: '07:00' },
          { days: ['sat'], from: '08:00', to: '12:00' },
        ],
      }),
    ).toBe('Mon–Fri 22:00–07:00; Sat 08:00–12:00')
  })
})
