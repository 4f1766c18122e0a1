// The audit log in the manager's words.

import type { AuditView } from './types'

const ACTIONS: Record<string, string> = {
  'stay.check_in': 'Checked in',
  'stay.add_guest': 'Added a guest',
  'stay.move': 'Moved a stay',
  'stay.change_dates': 'Changed dates',
  'stay.reissue': 'Reissued cards (lost key)',
  'stay.check_out': 'Checked out',
  'access_method.lost': 'Reported a card lost',
  'access_method.collected': 'Collected a card',
  'access_method.encoded': 'Encoded a card',
  'card.collected': 'Collected a card',
  'card.lost': 'Reported a card lost',
  'card.encoded': 'Encoded a cancel card',
  'card.encode_cancel': 'Encoded a cancel card',
  'lock.present_card': 'Presented a card at a door',
  'stay.overlap_allowed': 'Allowed a stay to overlap another',
  'staff.issue': 'Issued staff access',
  'operator.create': 'Added an operator',
  'operator.sign_in': 'Signed in',
}

/** "stay.check_in" → "Checked in"; unknown actions are spelled out ("access_grant.create" →
 * "Access grant create"). */
export function actionLabel(action: string): string {
  const known = ACTIONS[action]
  if (known) return known
  const words = action.replace(/[._]/g, ' ').trim()
  return words.charAt(0).toUpperCase() + words.slice(1)
}

/** The audit log's actor for an operator (the use cases record `operator:<name>`). */
export const operatorActor = (name: string) => `operator:${name}`

/** "operator:Ana" → "Ana"; other actors (the API, the system) as they are. */
export function actorLabel(actor: string): string {
  return actor.startsWith('operator:') ? actor.slice('operator:'.length) : actor
}

export function hasChanges(entry: AuditView): boolean {
  return entry.before !== null || entry.after !== null
}
