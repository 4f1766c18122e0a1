// The forms' validation: plain functions that turn what the receptionist typed into the
// request a command takes, or say what to fix, field by field, before anything is sent.

import { t } from './i18n.svelte'
import { fromLocalInput } from './time'
import type { AddGuest, CheckIn, NewGuest } from './types'

/** The most cards made for one guest at once (crates/frontdesk MAX_CARDS_PER_GUEST). */
export const MAX_CARDS_PER_GUEST = 10

/** Field → what to fix. Empty when the form is good. */
export type Problems = Record<string, string>

export interface GuestInput {
  full_name: string
  email_address: string
  phone_number: string
}

export const emptyGuest = (): GuestInput => ({ full_name: '', email_address: '', phone_number: '' })

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/
const PHONE = /^\+?[0-9 ()./-]{5,20}$/

/** Checks one guest; problems are keyed `${prefix}.full_name` and so on. */
export function checkGuest(guest: GuestInput, prefix: string, problems: Problems): NewGuest {
  const name = guest.full_name.trim()
  if (name === '') problems[`${prefix}.full_name`] = t('desk:forms.guestName')
  else if (name.length > 200) problems[`${prefix}.full_name`] = t('desk:forms.nameTooLong')
  const email = guest.email_address.trim()
  if (email !== '' && !EMAIL.test(email)) problems[`${prefix}.email_address`] = t('desk:forms.email')
  const phone = guest.phone_number.trim()
  if (phone !== '' && !PHONE.test(phone)) problems[`${prefix}.phone_number`] = t('desk:forms.phone')
  return { full_name: name, email_address: email || null, phone_number: phone || null }
}

export function checkCardCount(value: number, field: string, problems: Problems): number {
  if (!Number.isInteger(value) || value < 1 || value > MAX_CARDS_PER_GUEST) {
    problems[field] = t('desk:forms.cardCount', { max: MAX_CARDS_PER_GUEST })
  }
  return value
}

/** A stay's dates from `datetime-local` values at the property. When a value is what the
 * form started with, the original instant is kept (to the second). */
export function checkDates(
  input: { starts: string; ends: string },
  timeZone: string,
  problems: Problems,
  original?: { starts: string; ends: string; starts_at: string; ends_at: string | null },
): { starts_at: string; ends_at: string } | null {
  const read = (value: string, field: 'starts' | 'ends') => {
    const kept = field === 'starts' ? original?.starts_at : original?.ends_at
    if (original && value === original[field] && kept) return kept
    return fromLocalInput(value, timeZone)
  }
  const starts_at = read(input.starts, 'starts')
  const ends_at = read(input.ends, 'ends')
  if (!starts_at) problems.starts_at = t('desk:forms.startsAt')
  if (!ends_at) problems.ends_at = t('desk:forms.endsAt')
  if (!starts_at || !ends_at) return null
  if (Date.parse(ends_at) <= Date.parse(starts_at)) {
    problems.ends_at = t('desk:forms.endBeforeStart')
    return null
  }
  return { starts_at, ends_at }
}

export interface CheckInForm {
  space_id: string
  starts: string
  ends: string
  guests: GuestInput[]
  common_entrance_ids: string[]
  cards_per_guest: number
}

/** The check-in request, or the problems to fix first. */
export function validateCheckIn(
  form: CheckInForm,
  timeZone: string,
  original?: { starts: string; ends: string; starts_at: string; ends_at: string },
): { request: CheckIn | null; problems: Problems } {
  const problems: Problems = {}
  const dates = checkDates(form, timeZone, problems, original)
  if (form.guests.length === 0) problems.guests = t('desk:forms.noGuest')
  const guests = form.guests.map((guest, index) => checkGuest(guest, `guests[${index}]`, problems))
  checkCardCount(form.cards_per_guest, 'cards_per_guest', problems)
  if (Object.keys(problems).length > 0 || !dates) return { request: null, problems }
  return {
    request: {
      space_id: form.space_id,
      starts_at: dates.starts_at,
      ends_at: dates.ends_at,
      guests,
      common_entrance_ids: [...form.common_entrance_ids],
      cards_per_guest: form.cards_per_guest,
      reservation_key: null,
      allow_overlap: false,
    },
    problems,
  }
}

export interface AddGuestForm {
  reservation_key: string
  guest: GuestInput
  /** The room doors ticked, out of `all_room_doors`. */
  room_entrance_ids: string[]
  all_room_doors: string[]
  common_entrance_ids: string[]
  cards: number
}

/** The joiner request (`room_entrance_ids` null when every room door is ticked). */
export function validateAddGuest(form: AddGuestForm): { request: AddGuest | null; problems: Problems } {
  const problems: Problems = {}
  const guest = checkGuest(form.guest, 'guest', problems)
  if (form.all_room_doors.length > 0 && form.room_entrance_ids.length === 0) {
    problems.room_entrance_ids = t('desk:forms.noRoomDoor')
  }
  checkCardCount(form.cards, 'cards', problems)
  if (Object.keys(problems).length > 0) return { request: null, problems }
  const everyDoor = form.all_room_doors.every((id) => form.room_entrance_ids.includes(id))
  return {
    request: {
      reservation_key: form.reservation_key,
      guest,
      room_entrance_ids: everyDoor ? null : form.all_room_doors.filter((id) => form.room_entrance_ids.includes(id)),
      common_entrance_ids: [...form.common_entrance_ids],
      cards: form.cards,
    },
    problems,
  }
}

/** New dates for a stay: only what changed is sent (null keeps the other end). */
export function validateDateChange(
  input: { starts: string; ends: string },
  stay: { starts_at: string; ends_at: string | null },
  original: { starts: string; ends: string },
  timeZone: string,
): { startsAt: string | null; endsAt: string | null; problems: Problems } {
  const problems: Problems = {}
  const dates = checkDates(input, timeZone, problems, { ...original, ...stay })
  if (!dates) return { startsAt: null, endsAt: null, problems }
  const startsAt = input.starts === original.starts ? null : dates.starts_at
  const endsAt = input.ends === original.ends ? null : dates.ends_at
  if (startsAt === null && endsAt === null) problems.ends_at = t('desk:forms.noDateChange')
  return { startsAt, endsAt, problems }
}

/** A new operator's name and PIN (4 to 8 digits, as the front desk requires). */
export function validateOperator(name: string, pin: string, confirm?: string): Problems {
  const problems: Problems = {}
  const trimmed = name.trim()
  if (trimmed === '') problems.name = t('desk:forms.operatorName')
  else if (trimmed.length > 64) problems.name = t('desk:forms.operatorNameTooLong')
  if (!/^\d{4,8}$/.test(pin)) problems.pin = t('desk:forms.pinDigits')
  else if (confirm !== undefined && confirm !== pin) problems.confirm = t('desk:forms.pinsDiffer')
  return problems
}
