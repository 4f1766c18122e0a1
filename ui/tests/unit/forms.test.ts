import { describe, expect, it } from 'vitest'
import { emptyGuest, validateAddGuest, validateCheckIn, validateDateChange, validateOperator, type CheckInForm } from '../../src/lib/forms'

const zone = 'Europe/Lisbon'

function form(extra: Partial<CheckInForm> = {}): CheckInForm {
  return {
    space_id: 'space-101',
    starts: '2025-03-12T15:00',
    ends: '2025-03-14T11:00',
    guests: [{ full_name: ' Ana Silva ', email_address: '', phone_number: '' }],
    common_entrance_ids: ['door-lobby', 'door-gym'],
    cards_per_guest: 2,
    ...extra,
  }
}

describe('validateCheckIn', () => {
  it('makes the check-in request with dates in UTC and empty fields as null', () => {
    const { request, problems } = validateCheckIn(form(), zone)
    expect(problems).toEqual({})
    expect(request).toEqual({
      space_id: 'space-101',
      starts_at: '2025-03-12T15:00:00.000Z',
      ends_at: '2025-03-14T11:00:00.000Z',
      guests: [{ full_name: 'Ana Silva', email_address: null, phone_number: null }],
      common_entrance_ids: ['door-lobby', 'door-gym'],
      cards_per_guest: 2,
      reservation_key: null,
      allow_overlap: false,
    })
  })

  it('keeps the suggested instant to the second when the date was not touched', () => {
    const original = {
      starts: '2025-03-12T15:00',
      ends: '2025-03-14T11:00',
      starts_at: '2025-03-12T15:00:42.123Z',
      ends_at: '2025-03-14T11:00:00Z',
    }
    expect(validateCheckIn(form(), zone, original).request?.starts_at).toBe('2025-03-12T15:00:42.123Z')
    expect(validateCheckIn(form({ starts: '2025-03-12T16:00' }), zone, original).request?.starts_at).toBe('2025-03-12T16:00:00.000Z')
  })

  it('lists every problem by field', () => {
    const { request, problems } = validateCheckIn(
      form({
        ends: '2025-03-12T10:00',
        guests: [
          { full_name: 'Ana', email_address: 'ana@', phone_number: 'call me' },
          { full_name: '  ', email_address: 'ben@example.com', phone_number: '+351 912 345 678' },
        ],
        cards_per_guest: 11,
      }),
      zone,
    )
    expect(request).toBeNull()
    expect(problems).toEqual({
      ends_at: 'The stay must end after it starts.',
      'guests[0].email_address': 'Enter an email address like name@example.com, or leave it empty.',
      'guests[0].phone_number': 'Enter a phone number (digits, spaces and +), or leave it empty.',
      'guests[1].full_name': 'Enter the guest’s name.',
      cards_per_guest: 'Choose 1 to 10 cards.',
    })
  })

  it('needs a guest, dates and a whole number of cards', () => {
    const { problems } = validateCheckIn(form({ guests: [], starts: '', ends: 'x', cards_per_guest: 1.5 }), zone)
    expect(problems.guests).toBe('Add at least one guest.')
    expect(problems.starts_at).toBe('Enter when the stay starts.')
    expect(problems.ends_at).toBe('Enter when the stay ends.')
    expect(problems.cards_per_guest).toBe('Choose 1 to 10 cards.')
    expect(validateCheckIn(form({ cards_per_guest: 0 }), zone).problems.cards_per_guest).toBeDefined()
  })
})

describe('validateAddGuest', () => {
  const base = {
    reservation_key: 'stay-1',
    guest: { ...emptyGuest(), full_name: 'Cy' },
    room_entrance_ids: ['door-a', 'door-b'],
    all_room_doors: ['door-a', 'door-b'],
    common_entrance_ids: ['door-lobby'],
    cards: 1,
  }

  it('sends null room doors when every door is ticked', () => {
    expect(validateAddGuest(base).request?.room_entrance_ids).toBeNull()
  })

  it('sends the ticked doors of a suite', () => {
    const { request } = validateAddGuest({ ...base, room_entrance_ids: ['door-b'] })
    expect(request).toEqual({
      reservation_key: 'stay-1',
      guest: { full_name: 'Cy', email_address: null, phone_number: null },
      room_entrance_ids: ['door-b'],
      common_entrance_ids: ['door-lobby'],
      cards: 1,
    })
  })

  it('refuses no door, no name and too many cards', () => {
    const { request, problems } = validateAddGuest({ ...base, guest: emptyGuest(), room_entrance_ids: [], cards: 12 })
    expect(request).toBeNull()
    expect(Object.keys(problems).sort()).toEqual(['cards', 'guest.full_name', 'room_entrance_ids'])
  })
})

describe('validateDateChange', () => {
  const stay = { starts_at: '2025-03-11T15:00:07Z', ends_at: '2025-03-14T11:00:00Z' }
  const original = { starts: '2025-03-11T15:00', ends: '2025-03-14T11:00' }

  it('sends only the end when only the end changed', () => {
    expect(validateDateChange({ starts: original.starts, ends: '2025-03-16T11:00' }, stay, original, zone)).toEqual({
      startsAt: null,
      endsAt: '2025-03-16T11:00:00.000Z',
      problems: {},
    })
  })

  it('asks for a change and refuses an end before the start', () => {
    expect(validateDateChange(original, stay, original, zone).problems.ends_at).toMatch(/Change the start or the end/)
    expect(validateDateChange({ starts: original.starts, ends: '2025-03-10T11:00' }, stay, original, zone).problems.ends_at).toBe(
      'The stay must end after it starts.',
    )
  })
})

describe('validateOperator', () => {
  it('wants a name and a 4 to 8 digit PIN typed twice alike', () => {
    expect(validateOperator('Ana', '1234', '1234')).toEqual({})
    expect(validateOperator(' ', '12', undefined)).toEqual({ name: 'Enter a name.', pin: 'The PIN must be 4 to 8 digits.' })
    expect(validateOperator('Ana', '12a4')).toHaveProperty('pin')
    expect(validateOperator('Ana', '123456789')).toHaveProperty('pin')
    expect(validateOperator('Ana', '1234', '4321')).toEqual({ confirm: 'The two PINs differ.' })
  })
})
