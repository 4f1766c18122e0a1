// The audit log in the manager's words: one line per change ("Mia Manager checked Dan Roe
// into Room 201 (2 cards)"), its entries and ids kept for support behind a disclosure. Each
// sentence is the catalogues' (manager.json, audit.*), in the operator's language.

import { language, t } from './i18n.svelte'
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
  if (actor === 'api') return t('manager:audit.actor.api')
  if (actor === 'pms') return t('manager:audit.actor.pms')
  if (actor.startsWith('pms:')) return t('manager:audit.actor.pmsWorkstation', { workstation: actor.slice('pms:'.length) })
  if (actor.startsWith('terminal:')) return actor.slice('terminal:'.length)
  return t('manager:audit.actor.desk')
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
  if (detail.startsWith('not_found:')) return t('manager:audit.gone')
  return detail.replace(/^[a-z_]+: /, '')
}

/** "Ann", "Ann and Tom", "Ann, Tom, and Eva", in the operator's language. */
export function listWords(items: string[]): string {
  return new Intl.ListFormat(language(), { type: 'conjunction' }).format(items)
}

/** What one change did, as one sentence. */
export function changeSentence(change: AuditChange): string {
  const who = actorLabel(change.actor)
  const about = change.about
  const rooms = about.rooms.length > 0 ? listWords(about.rooms) : null
  const parts: Parts = {
    who,
    people: about.people.length > 0 ? listWords(about.people) : t('manager:audit.aGuest'),
    rooms: rooms ?? about.door ?? t('manager:audit.aRoom'),
    before: about.rooms_before.length > 0 ? listWords(about.rooms_before) : null,
    cards: about.cards,
    inRooms: rooms !== null,
    door: about.door ?? rooms ?? t('manager:audit.aDoor'),
    operator: about.operator ?? t('manager:audit.anOperator'),
  }
  const refused = (sentence: string) => t('manager:audit.refused', { sentence })
  if (change.action === 'setting.set') {
    const text = settingSentence(change.entries[0].subject_id ?? '', who)
    return change.outcome === 'refused' ? refused(text) : text
  }
  const sentence = SENTENCES[change.action]
  const text = sentence ? sentence(parts) : otherSentence(change.action, about.people.length > 0 ? parts.people : null, rooms, who)
  if (change.outcome !== 'refused') return text
  return change.action === 'operator.sign_in'
    ? t('manager:audit.signInRefused', { operator: about.operator ?? t('manager:audit.unknownName') })
    : refused(text)
}

interface Parts {
  who: string
  people: string
  rooms: string
  /** Rooms the change took access away from; `null` when it took none (a refused move). */
  before: string | null
  /** Cards the change made (none: the sentence does not count them). */
  cards: number
  /** True when the change names its rooms (`rooms` is then their list). */
  inRooms: boolean
  door: string
  operator: string
}

/** The words a sentence fills in: `Parts` without its flags. */
function words(p: Parts) {
  return { who: p.who, people: p.people, rooms: p.rooms, before: p.before ?? '', door: p.door, operator: p.operator }
}

/** The words of a sentence that counts the cards made. */
function counted(p: Parts) {
  return { ...words(p), count: p.cards }
}

// Each action's sentence. Where a change made cards their count ends it ("(2 cards)"), and
// where it names its rooms a card's sentence ends with them ("(Room 104)"): each is a sentence
// of its own in the catalogues.
const SENTENCES: Record<string, (p: Parts) => string> = {
  'stay.check_in': (p) => (p.cards > 0 ? t('manager:audit.did.checkInWithCards', counted(p)) : t('manager:audit.did.checkIn', words(p))),
  'stay.check_in_group': (p) =>
    p.cards > 0 ? t('manager:audit.did.checkInGroupWithCards', counted(p)) : t('manager:audit.did.checkInGroup', words(p)),
  'stay.add_guest': (p) => (p.cards > 0 ? t('manager:audit.did.addGuestWithCards', counted(p)) : t('manager:audit.did.addGuest', words(p))),
  'stay.move': (p) =>
    p.before === null
      ? t('manager:audit.did.moveOut', words(p))
      : p.cards > 0
        ? t('manager:audit.did.moveWithCards', counted(p))
        : t('manager:audit.did.move', words(p)),
  'stay.change_dates': (p) => t('manager:audit.did.changeDates', words(p)),
  'stay.reissue': (p) => (p.cards > 0 ? t('manager:audit.did.reissueWithCards', counted(p)) : t('manager:audit.did.reissue', words(p))),
  'stay.remake_cards': (p) =>
    p.cards > 0 ? t('manager:audit.did.remakeCardsWithCards', counted(p)) : t('manager:audit.did.remakeCards', words(p)),
  'stay.check_out': (p) => t('manager:audit.did.checkOut', { ...words(p), rooms: p.before ?? p.rooms }),
  'stay.overlap_allowed': (p) => t('manager:audit.did.overlapAllowed', words(p)),
  'access_grant.create': (p) =>
    p.cards > 0 ? t('manager:audit.did.grantCreateWithCards', counted(p)) : t('manager:audit.did.grantCreate', words(p)),
  'access_grant.update': (p) => (p.inRooms ? t('manager:audit.did.grantUpdateIn', words(p)) : t('manager:audit.did.grantUpdate', words(p))),
  'access_grant.delete': (p) => t('manager:audit.did.grantDelete', { ...words(p), rooms: p.before ?? p.rooms }),
  'access_method.encoded': (p) =>
    p.inRooms ? t('manager:audit.did.cardEncodedForIn', words(p)) : t('manager:audit.did.cardEncodedFor', words(p)),
  'access_method.collected': (p) => cardTakenBack(p),
  'access_method.lost': (p) => cardLost(p),
  'access_method.copy': (p) => (p.inRooms ? t('manager:audit.did.cardAddedIn', words(p)) : t('manager:audit.did.cardAdded', words(p))),
  'access_method.delete': (p) =>
    p.inRooms ? t('manager:audit.did.cardWithdrawnIn', words(p)) : t('manager:audit.did.cardWithdrawn', words(p)),
  'card.encoded': (p) => t('manager:audit.did.cardEncoded', words(p)),
  'card.encode_failed': (p) => t('manager:audit.did.cardEncodeFailed', words(p)),
  'card.collected': (p) => cardTakenBack(p),
  'card.lost': (p) => cardLost(p),
  'card.encode_cancel': (p) => t('manager:audit.did.cancelCard', words(p)),
  'card.encode_lock_out': (p) => t('manager:audit.did.lockOutCard', words(p)),
  'card.encode_lock_out_lift': (p) => t('manager:audit.did.lockOutLift', words(p)),
  'user_identity.create': (p) => t('manager:audit.did.personAdded', words(p)),
  'staff.issue': (p) =>
    p.inRooms
      ? p.cards > 0
        ? t('manager:audit.did.staffIssueInWithCards', counted(p))
        : t('manager:audit.did.staffIssueIn', words(p))
      : p.cards > 0
        ? t('manager:audit.did.staffIssueWithCards', counted(p))
        : t('manager:audit.did.staffIssue', words(p)),
  'staff.update': (p) => t('manager:audit.did.staffUpdate', words(p)),
  'staff.revoke': (p) => t('manager:audit.did.staffRevoke', words(p)),
  'staff.delete': (p) => t('manager:audit.did.staffDelete', words(p)),
  'staff.card_lost': (p) => t('manager:audit.did.staffCardLost', words(p)),
  'lock.present_card': (p) => t('manager:audit.did.presentCard', words(p)),
  'lock.set_privacy': (p) => t('manager:audit.did.setPrivacy', words(p)),
  'spare.make': (p) => (p.inRooms ? t('manager:audit.did.spareMakeIn', words(p)) : t('manager:audit.did.spareMake', words(p))),
  'spare.hand_out': (p) => (p.inRooms ? t('manager:audit.did.spareHandOutIn', words(p)) : t('manager:audit.did.spareHandOut', words(p))),
  'spare.void': (p) => (p.inRooms ? t('manager:audit.did.spareVoidIn', words(p)) : t('manager:audit.did.spareVoid', words(p))),
  'operator.create': (p) => t('manager:audit.did.operatorCreate', words(p)),
  'operator.sign_in': (p) => t('manager:audit.did.signIn', words(p)),
  'operator.reset_pin': (p) => t('manager:audit.did.resetPin', words(p)),
  'operator.set_role': (p) => t('manager:audit.did.setRole', words(p)),
  'operator.set_language': (p) => t('manager:audit.did.setLanguage', words(p)),
  'operator.disable': (p) => t('manager:audit.did.disable', words(p)),
  'operator.enable': (p) => t('manager:audit.did.enable', words(p)),
  'terminal.pairing_create': (p) => t('manager:audit.did.pairingCreate', words(p)),
  'terminal.pair': (p) => t('manager:audit.did.pair', words(p)),
  'terminal.revoke': (p) => t('manager:audit.did.terminalRevoke', words(p)),
  'property.import': (p) => t('manager:audit.did.propertyImport', words(p)),
  'backup.make': (p) => t('manager:audit.did.backupMake', words(p)),
}

function cardTakenBack(p: Parts): string {
  return p.inRooms ? t('manager:audit.did.cardTakenBackIn', words(p)) : t('manager:audit.did.cardTakenBack', words(p))
}

function cardLost(p: Parts): string {
  return p.inRooms ? t('manager:audit.did.cardLostIn', words(p)) : t('manager:audit.did.cardLost', words(p))
}

/** What a change of each setting did. */
function settingSentence(setting: string, who: string): string {
  switch (setting) {
    case 'backup.key':
      return t('manager:audit.setting.backupKey', { who })
    case 'backup.schedule':
      return t('manager:audit.setting.backupSchedule', { who })
    case 'backup.last':
      return t('manager:audit.setting.backupLast', { who })
    case 'api.enabled':
      return t('manager:audit.setting.apiEnabled', { who })
  }
  return setting.startsWith('pms_encoder_code.')
    ? t('manager:audit.setting.pmsEncoderCode', { who })
    : t('manager:audit.setting.other', { who })
}

/** An action without a sentence of its own: its name spelled out, whom and where. */
function otherSentence(action: string, people: string | null, rooms: string | null, who: string): string {
  const named = { who, action: spelledOut(action), people: people ?? '', rooms: rooms ?? '' }
  if (people !== null) return rooms !== null ? t('manager:audit.other.peopleIn', named) : t('manager:audit.other.people', named)
  return rooms !== null ? t('manager:audit.other.in', named) : t('manager:audit.other.plain', named)
}

/** An action without a sentence of its own, spelled out ("terminal.rename" → "terminal rename"). */
function spelledOut(action: string): string {
  return action.replace(/[._]/g, ' ').trim()
}

export function hasChanges(entry: AuditView): boolean {
  return entry.before !== null || entry.after !== null
}
