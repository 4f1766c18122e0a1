// The manager's warnings as a list that is read again after every change: each row keyed by
// what it is about, so that a row being worked on stays with its warning when others come
// or go.

import type { WarningView } from './types'

/** A key per warning, the same from one read to the next: its code, grant and card (a second
 * warning with all three the same is numbered). */
export function warningKeys(warnings: WarningView[]): string[] {
  const seen = new Map<string, number>()
  return warnings.map((warning) => {
    const base = `${warning.code}:${warning.access_grant_id}:${warning.access_method_id ?? ''}`
    const count = seen.get(base) ?? 0
    seen.set(base, count + 1)
    return count === 0 ? base : `${base}#${count}`
  })
}
