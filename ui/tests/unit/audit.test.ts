import { describe, expect, it } from 'vitest'
import { actorLabel, auditChanges, changeSentence, operatorActor } from '../../src/lib/audit'
import type { AuditAbout, AuditView } from '../../src/lib/types'

const about = (extra: Partial<AuditAbout> = {}): AuditAbout => ({
  people: [],
  rooms: [],
  rooms_before: [],
  door: null,
  cards: 0,
  operator: null,
  ...extra,
})

let next = 100
const entry = (action: string, extra: Partial<AuditView> = {}): AuditView => ({
  id: next--,
  at: '2026-11-27T10:00:00Z',
  actor: operatorActor('Mia Manager'),
  action,
  subject_id: null,
  outcome: 'ok',
  before: null,
  after: null,
  detail: null,
  terminal: null,
  change_id: null,
  change_action: null,
  about: about(),
  ...extra,
})

describe('the audit log in words', () => {
  it('makes one sentence of a check-in’s entries', () => {
    const change = { change_id: 7, change_action: 'stay.check_in' }
    const changes = auditChanges([
      entry('access_grant.create', { ...change, about: about({ people: ['Dan Roe'], rooms: ['Room 201'], cards: 2 }) }),
      entry('user_identity.create', { ...change, about: about({ people: ['Dan Roe'] }) }),
    ])
    expect(changes).toHaveLength(1)
    expect(changes[0].entries).toHaveLength(2)
    expect(changeSentence(changes[0])).toBe('Mia Manager checked Dan Roe into Room 201 (2 cards)')
  })

  it('names the guests in the order they were checked in, though the log reads newest first', () => {
    const change = { change_id: 8, change_action: 'stay.check_in' }
    const [checkIn] = auditChanges([
      entry('access_grant.create', { ...change, about: about({ people: ['Bob Lee'], rooms: ['Room 101'], cards: 1 }) }),
      entry('access_grant.create', { ...change, about: about({ people: ['Ann Lee'], rooms: ['Room 101'], cards: 1 }) }),
    ])
    expect(changeSentence(checkIn)).toBe('Mia Manager checked Ann Lee and Bob Lee into Room 101 (2 cards)')
  })

  it('keeps changes apart, and entries older than changes each on their own', () => {
    const changes = auditChanges([
      entry('stay.check_out', { change_id: 9, about: about({ people: ['Gus Hart'], rooms_before: ['Room 104'] }) }),
      entry('access_method.encoded', { change_id: 8, about: about({ people: ['Gus Hart'], rooms: ['Room 104'], cards: 1 }) }),
      entry('access_method.encoded', { about: about({ people: ['Gus Hart'], rooms: ['Room 104'], cards: 1 }) }),
      entry('access_method.encoded', { about: about({ people: ['Gus Hart'], rooms: ['Room 104'], cards: 1 }) }),
    ])
    expect(changes.map(changeSentence)).toEqual([
      'Mia Manager checked Gus Hart out of Room 104',
      'Mia Manager encoded a card for Gus Hart (Room 104)',
      'Mia Manager encoded a card for Gus Hart (Room 104)',
      'Mia Manager encoded a card for Gus Hart (Room 104)',
    ])
  })

  it('says where a stay moved from and to, and who a refusal was', () => {
    const move = { change_id: 3, change_action: 'stay.move' }
    const [moved] = auditChanges([
      entry('access_grant.create', { ...move, about: about({ people: ['Ann Lee'], rooms: ['Room 305'], cards: 1 }) }),
      entry('access_grant.delete', { ...move, about: about({ people: ['Ann Lee'], rooms_before: ['Room 201'] }) }),
    ])
    expect(changeSentence(moved)).toBe('Mia Manager moved Ann Lee from Room 201 to Room 305 (1 card)')
    const [refused] = auditChanges([
      entry('stay.check_in', {
        actor: 'api',
        outcome: 'refused',
        detail: 'reservation_conflict: Room 101 is taken from 6 Dec.',
        about: about({ rooms: ['Room 101'] }),
      }),
    ])
    expect(changeSentence(refused)).toBe('Refused: The local API checked a guest into Room 101')
    expect(refused.refusal).toBe('Room 101 is taken from 6 Dec.')
  })

  it('names settings, and spells out an action it has no sentence for', () => {
    const [schedule] = auditChanges([entry('setting.set', { subject_id: 'backup.schedule' })])
    expect(changeSentence(schedule)).toBe('Mia Manager changed the backup schedule')
    const [unknown] = auditChanges([entry('terminal.rename', { about: about({ rooms: ['Room 9'] }) })])
    expect(changeSentence(unknown)).toBe('Mia Manager: terminal rename (Room 9)')
  })

  it('says whose PIN, role or sign-in an operator’s change was', () => {
    const named = (name: string) => about({ operator: name })
    const sentences = auditChanges([
      entry('operator.reset_pin', { about: named('Rui') }),
      entry('operator.set_role', { about: named('Rui') }),
      entry('operator.disable', { about: named('Rui') }),
      entry('operator.enable', { about: named('Rui') }),
      entry('operator.set_language', { about: named('Mia Manager') }),
      entry('operator.sign_in', { actor: 'front desk (desktop)', about: named('Rui') }),
      entry('operator.sign_in', { actor: 'terminal:Desk 2', outcome: 'refused', detail: 'unauthorized: no', about: named('Eve') }),
    ]).map(changeSentence)
    expect(sentences).toEqual([
      'Mia Manager gave Rui a new PIN',
      'Mia Manager changed the role of Rui',
      'Mia Manager disabled Rui',
      'Mia Manager enabled Rui again',
      'Mia Manager chose the language the desk speaks to them',
      'Rui signed in',
      'A sign-in as Eve was refused',
    ])
  })

  it('names who acted', () => {
    expect(actorLabel(operatorActor('Ana'))).toBe('Ana')
    expect(actorLabel('api')).toBe('The local API')
    expect(actorLabel('pms:WS1')).toBe('The PMS link (workstation WS1)')
    expect(actorLabel('terminal:Desk 2')).toBe('Desk 2')
    expect(actorLabel('frontdesk serve')).toBe('The desk')
  })
})
