// The staff screen's logic: doors chosen by floor, all guest rooms, common area or single
// door, said in words as the card will carry them (docs/cards.md, "Staff levels and zones"),
// when its card works, and what each staff entry's cards are and what can be done with them.

import { cardStatus } from './cards'
import { t } from './i18n.svelte'
import { WEEKDAY_KEYS, weekdayShort } from './time'
import type { CardView, Day, StaffAccess, StaffDoorChoices, StaffTerms } from './types'

/** Whether a group's doors are all, some or none of the chosen ones. */
export type GroupState = 'all' | 'some' | 'none'

export function groupState(chosen: readonly string[], doors: readonly string[]): GroupState {
  if (doors.length === 0) return 'none'
  const set = new Set(chosen)
  const count = doors.filter((door) => set.has(door)).length
  if (count === doors.length) return 'all'
  return count === 0 ? 'none' : 'some'
}

/** The chosen doors with a whole group added (`on`) or taken away, in the order chosen. */
export function toggleGroup(chosen: readonly string[], doors: readonly string[], on: boolean): string[] {
  if (!on) {
    const removed = new Set(doors)
    return chosen.filter((door) => !removed.has(door))
  }
  const set = new Set(chosen)
  return [...chosen, ...doors.filter((door) => !set.has(door))]
}

/** "Floor 1 (20 rooms)" */
const withRooms = (label: string, count: number) => t('desk:staff.rooms', { label, count })

/** What the chosen doors open, as the card carries them: all guest rooms, or each whole
 * floor, then every other door by name ("Floor 1 (20 rooms), Lobby"). Mirrors the desk's
 * own zone plan (crates/frontdesk/src/zones.rs). */
export function describeChoice(choices: StaffDoorChoices, chosen: readonly string[]): string {
  const parts: string[] = []
  const covered = new Set<string>()
  const all = choices.all_guest_rooms
  if (groupState(chosen, all.entrance_ids) === 'all') {
    parts.push(withRooms(all.label, all.rooms))
    all.entrance_ids.forEach((door) => covered.add(door))
  } else {
    for (const floor of choices.floors) {
      if (groupState(chosen, floor.entrance_ids) === 'all') {
        parts.push(withRooms(floor.label, floor.rooms))
        floor.entrance_ids.forEach((door) => covered.add(door))
      }
    }
  }
  const names = new Map([...choices.common_doors, ...choices.room_doors].map((door) => [door.acs_entrance_id, door.name]))
  for (const door of chosen) {
    const name = names.get(door)
    if (name && !covered.has(door)) parts.push(name)
  }
  return parts.join(', ')
}

/** How many doors the card lists one by one (a card carries at most 12). */
export function singleDoorCount(choices: StaffDoorChoices, chosen: readonly string[]): number {
  const zoned = new Set<string>()
  if (groupState(chosen, choices.all_guest_rooms.entrance_ids) === 'all') {
    choices.all_guest_rooms.entrance_ids.forEach((door) => zoned.add(door))
  } else {
    for (const floor of choices.floors) {
      if (groupState(chosen, floor.entrance_ids) === 'all') floor.entrance_ids.forEach((door) => zoned.add(door))
    }
  }
  return new Set(chosen.filter((door) => !zoned.has(door))).size
}

/** The cards of an entry that work now (encoded, not lost or revoked). */
export function workingCards(person: StaffAccess): CardView[] {
  return person.cards.filter((card) => ['issued', 'needs_encoding'].includes(cardStatus(card)))
}

/** The cards of an entry that are out of use but not back: revoked or lost. */
export function cardsOut(person: StaffAccess): CardView[] {
  return person.cards.filter((card) => card.issued_at && card.revoked_at && !card.collected_at)
}

/** The entry's cards in words: "Not encoded", "Encoded, 2 cards", "Card lost"… */
export function cardsStateText(person: StaffAccess): string {
  const working = workingCards(person).length
  switch (person.cards_state) {
    case 'not_encoded':
      return t('desk:staff.state.notEncoded')
    case 'encoded':
      return t('desk:staff.state.encoded', { count: working })
    case 'needs_re_encoding':
      return t('desk:staff.state.needsReEncoding')
    case 'lost':
      return t('desk:staff.state.lost')
    case 'revoked':
      return person.cards.some((card) => card.lost_at && !card.collected_at)
        ? t('desk:staff.state.revokedLost')
        : t('desk:staff.state.revokedNotBack')
    case 'used':
      return t('desk:staff.state.used')
  }
}

/** What a manager can do with an entry, in the order the row offers it. */
export type StaffAction = 'encode' | 'new_card' | 'edit' | 'lost' | 'revoke' | 'delete' | 'returned' | 'lost_after_revoke'

export function staffActions(person: StaffAccess): StaffAction[] {
  switch (person.cards_state) {
    case 'not_encoded':
      return ['encode', 'edit', 'delete']
    case 'encoded':
      return ['edit', 'lost', 'revoke']
    case 'needs_re_encoding':
      return ['encode', 'edit', 'lost', 'revoke']
    case 'lost':
      return ['new_card', 'edit', 'revoke']
    case 'revoked': {
      const notLost = cardsOut(person).some((card) => !card.lost_at)
      return notLost ? ['returned', 'lost_after_revoke'] : []
    }
    case 'used':
      return ['revoke']
  }
}

const WEEK: Day[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']

/** "Mon" for `mon`, in the operator's language. */
export const dayName = (day: Day) => weekdayShort(WEEKDAY_KEYS.indexOf(day))

/** Days in words: runs of three or more as `Mon–Fri`, every day as `Every day`. */
export function daysText(days: readonly Day[]): string {
  const on = WEEK.filter((day) => days.includes(day))
  if (on.length === WEEK.length) return t('desk:staff.everyDay')
  const runs: Day[][] = []
  for (const day of on) {
    const run = runs.at(-1)
    if (run && WEEK.indexOf(run.at(-1) as Day) + 1 === WEEK.indexOf(day)) run.push(day)
    else runs.push([day])
  }
  return runs.flatMap((run) => (run.length >= 3 ? [`${dayName(run[0])}–${dayName(run.at(-1) as Day)}`] : run.map(dayName))).join(', ')
}

/** When a staff card works, in words: `Any time`, or each window as `Mon–Sat 08:00–16:00`. */
export function scheduleText(terms: StaffTerms | null): string {
  const windows = terms?.schedule ?? []
  if (windows.length === 0) return t('desk:staff.anyTime')
  return windows.map((window) => t('desk:staff.window', { days: daysText(window.days), from: window.from, to: window.to })).join('; ')
}
