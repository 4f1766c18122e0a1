// The audit log in the manager's words: one line per change ("Mia Manager checked Dan Roe
// into Room 201 (2 cards)"), its entries and ids kept for support behind a disclosure.

import type { AuditAbout, AuditView } from './types'

/** One change as the log shows it: the entries one use case wrote together. */
export interface AuditChange {
  key: string
  at: string
  actor: string
  terminal: string | null
  /** What the change was asked to do (`stay.check_in`). */
  action: string
  outcome: AuditView['outcome']
  /** Why it was refused, in the desk's words. */
  refusal: string | null
  about: AuditAbout
  entries: AuditView[]
}

/** The audit log's actor for an operator (the use cases record `operator:<name>`). */
export const operatorActor = (name: string) => `operator:${name}`

/** Who acted, as a person reads it: an operator by name, the API, the PMS link, a terminal. */
export function actorLabel(actor: string): string {
  if (actor.startsWith('operator:')) return actor.slice('operator:'.length)
  if (actor === 'api') return 'The local API'
  if (actor === 'pms') return 'The PMS link'
  if (actor.startsWith('pms:')) return `The PMS link (workstation ${actor.slice('pms:'.length)})`
  if (actor.startsWith('terminal:')) return actor.slice('terminal:'.length)
  return 'The desk'
}

/** Entries (newest first) as changes: entries of one change side by side become one line,
 * naming its people and rooms in the order the change met them. */
export function auditChanges(entries: AuditView[]): AuditChange[] {
  const groups: AuditView[][] = []
  for (const entry of entries) {
    const last = groups[groups.length - 1]
    if (last && entry.change_id !== null && last[0].change_id === entry.change_id) last.push(entry)
    else groups.push([entry])
  }
  return groups.map((group) => {
    const first = group[0]
    const about: AuditAbout = { people: [], rooms: [], rooms_before: [], door: null, cards: 0, operator: null }
    for (const entry of [...group].reverse()) merge(about, entry.about)
    about.rooms_before = about.rooms_before.filter((room) => !about.rooms.includes(room))
    const refused = group.find((entry) => entry.outcome === 'refused')
    return {
      key: first.change_id === null ? `entry-${first.id}` : `change-${first.change_id}`,
      at: first.at,
      actor: first.actor,
      terminal: first.terminal,
      action: first.change_action ?? first.action,
      outcome: refused ? 'refused' : 'ok',
      refusal: refused ? refusalWords(refused.detail) : null,
      about,
      entries: group,
    }
  })
}

function merge(into: AuditAbout, from: AuditAbout) {
  for (const name of from.people) if (!into.people.includes(name)) into.people.push(name)
  for (const room of from.rooms) if (!into.rooms.includes(room)) into.rooms.push(room)
  for (const room of from.rooms_before) if (!into.rooms_before.includes(room)) into.rooms_before.push(room)
  into.door ??= from.door
  into.operator ??= from.operator
  into.cards += from.cards
}

/** A refusal as recorded ("reservation_conflict: Room 101 is taken …") without its code;
 * one about something that no longer exists says so without its id. */
function refusalWords(detail: string | null): string | null {
  if (detail === null) return null
  if (detail.startsWith('not_found:')) return 'What it was about no longer exists.'
  return detail.replace(/^[a-z_]+: /, '')
}

/** "Ann", "Ann and Tom", "Ann, Tom and Eva" */
export function listWords(items: string[]): string {
  return new Intl.ListFormat('en', { type: 'conjunction' }).format(items)
}

const plural = (count: number, one: string, many: string) => `${count} ${count === 1 ? one : many}`

/** What one change did, as one sentence. */
export function changeSentence(change: AuditChange): string {
  const who = actorLabel(change.actor)
  const about = change.about
  const people = about.people.length > 0 ? listWords(about.people) : 'a guest'
  const rooms = about.rooms.length > 0 ? listWords(about.rooms) : (about.door ?? 'a room')
  const before = about.rooms_before.length > 0 ? listWords(about.rooms_before) : null
  const cards = about.cards > 0 ? ` (${plural(about.cards, 'card', 'cards')})` : ''
  const where = about.rooms.length > 0 ? ` (${listWords(about.rooms)})` : ''
  const door = about.door ?? (about.rooms.length > 0 ? listWords(about.rooms) : 'a door')
  if (change.action === 'setting.set') {
    const setting = change.entries[0].subject_id ?? ''
    const what =
      SETTINGS[setting] ?? (setting.startsWith('pms_encoder_code.') ? 'changed the PMS link’s code for an encoder' : 'changed a setting')
    return `${change.outcome === 'refused' ? 'Refused: ' : ''}${who} ${what}`
  }
  const sentence = SENTENCES[change.action]
  const text = sentence
    ? sentence({ who, people, rooms, before, cards, where, door, operator: about.operator ?? 'an operator' })
    : `${who}: ${spelledOut(change.action)}${about.people.length > 0 ? `, ${people}` : ''}${where}`
  if (change.outcome !== 'refused') return text
  return change.action === 'operator.sign_in' ? `A sign-in as ${about.operator ?? 'an unknown name'} was refused` : `Refused: ${text}`
}

interface Parts {
  who: string
  people: string
  rooms: string
  /** Rooms the change took access away from; `null` when it took none (a refused move). */
  before: string | null
  cards: string
  where: string
  door: string
  operator: string
}

const SENTENCES: Record<string, (p: Parts) => string> = {
  'stay.check_in': (p) => `${p.who} checked ${p.people} into ${p.rooms}${p.cards}`,
  'stay.check_in_group': (p) => `${p.who} checked a group into ${p.rooms}${p.cards}`,
  'stay.add_guest': (p) => `${p.who} added ${p.people} to the stay in ${p.rooms}${p.cards}`,
  'stay.move': (p) =>
    p.before ? `${p.who} moved ${p.people} from ${p.before} to ${p.rooms}${p.cards}` : `${p.who} moved ${p.people} out of ${p.rooms}`,
  'stay.change_dates': (p) => `${p.who} changed the dates of ${p.people} in ${p.rooms}`,
  'stay.reissue': (p) => `${p.who} made new cards for ${p.people} in ${p.rooms} after a lost key${p.cards}`,
  'stay.remake_cards': (p) => `${p.who} remade the cards of ${p.people} in ${p.rooms}${p.cards}`,
  'stay.check_out': (p) => `${p.who} checked ${p.people} out of ${p.before ?? p.rooms}`,
  'stay.overlap_allowed': (p) => `${p.who} let the stay of ${p.people} in ${p.rooms} overlap another`,
  'access_grant.create': (p) => `${p.who} gave ${p.people} access to ${p.rooms}${p.cards}`,
  'access_grant.update': (p) => `${p.who} changed the access of ${p.people}${p.where}`,
  'access_grant.delete': (p) => `${p.who} ended the access of ${p.people} to ${p.before ?? p.rooms}`,
  'access_method.encoded': (p) => `${p.who} encoded a card for ${p.people}${p.where}`,
  'access_method.collected': (p) => `${p.who} took back a card of ${p.people}${p.where}`,
  'access_method.lost': (p) => `${p.who} reported a card of ${p.people} lost${p.where}`,
  'access_method.copy': (p) => `${p.who} added a card for ${p.people}${p.where}`,
  'access_method.delete': (p) => `${p.who} withdrew a card of ${p.people}${p.where}`,
  'card.encoded': (p) => `${p.who} encoded a card`,
  'card.encode_failed': (p) => `${p.who}: a card encode failed`,
  'card.collected': (p) => `${p.who} took back a card of ${p.people}${p.where}`,
  'card.lost': (p) => `${p.who} reported a card of ${p.people} lost${p.where}`,
  'card.encode_cancel': (p) => `${p.who} encoded a cancel card for ${p.door}`,
  'card.encode_lock_out': (p) => `${p.who} encoded a lock-out card for ${p.door}`,
  'card.encode_lock_out_lift': (p) => `${p.who} encoded a card lifting the lock-out of ${p.door}`,
  'user_identity.create': (p) => `${p.who} added ${p.people}`,
  'staff.issue': (p) => `${p.who} gave ${p.people} a staff key${p.where}${p.cards}`,
  'staff.update': (p) => `${p.who} changed the staff key of ${p.people}`,
  'staff.revoke': (p) => `${p.who} revoked the staff key of ${p.people}`,
  'staff.delete': (p) => `${p.who} ended the staff key of ${p.people}`,
  'staff.card_lost': (p) => `${p.who} reported a staff card of ${p.people} lost`,
  'lock.present_card': (p) => `${p.who} presented a card at ${p.door} (door simulator)`,
  'lock.set_privacy': (p) => `${p.who} changed the privacy setting of ${p.door} (door simulator)`,
  'spare.make': (p) => `${p.who} made spare cards${p.where}`,
  'spare.hand_out': (p) => `${p.who} recorded a spare card handed to ${p.people}${p.where}`,
  'spare.void': (p) => `${p.who} took a spare card out of use${p.where}`,
  'operator.create': (p) => `${p.who} added the operator ${p.operator}`,
  'operator.sign_in': (p) => `${p.operator} signed in`,
  'operator.reset_pin': (p) => `${p.who} gave ${p.operator} a new PIN`,
  'operator.set_role': (p) => `${p.who} changed the role of ${p.operator}`,
  'operator.disable': (p) => `${p.who} disabled ${p.operator}`,
  'operator.enable': (p) => `${p.who} enabled ${p.operator} again`,
  'terminal.pairing_create': (p) => `${p.who} started pairing a terminal`,
  'terminal.pair': (p) => `${p.who}: a terminal was paired`,
  'terminal.revoke': (p) => `${p.who} removed a terminal`,
  'property.import': (p) => `${p.who} imported the property file`,
  'backup.make': (p) => `${p.who} made a backup`,
}

/** What a change of each setting did. */
const SETTINGS: Record<string, string> = {
  'backup.key': 'set the backup password',
  'backup.schedule': 'changed the backup schedule',
  'backup.last': 'recorded a backup',
  'api.enabled': 'turned the local API on or off',
}

/** An action without a sentence of its own, spelled out ("terminal.rename" → "terminal rename"). */
function spelledOut(action: string): string {
  return action.replace(/[._]/g, ' ').trim()
}

export function hasChanges(entry: AuditView): boolean {
  return entry.before !== null || entry.after !== null
}
