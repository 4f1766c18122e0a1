// A terminal of a property server, in words: its link as the header says it, and the
// property's terminals as a manager's settings list them.

import { t } from './i18n.svelte'
import type { TerminalStatus, TerminalView } from './types'

/** The link's state: connected, still connecting (just started), or lost or refused. */
export type LinkTone = 'online' | 'connecting' | 'away'

/** What the header says about the link: "Desk 2 · Connected to the property server"; when it
 * is lost or refused, why, in the server's or the link's words. */
export function linkState(status: TerminalStatus): { tone: LinkTone; words: string; problem: string | null } {
  const name = status.terminal_name
  if (status.online) return { tone: 'online', words: t('desk:terminal.online', { name }), problem: null }
  if (status.problem === null) return { tone: 'connecting', words: t('desk:terminal.connecting', { name }), problem: null }
  return { tone: 'away', words: t('desk:terminal.away', { name }), problem: status.problem }
}

/** The list with `changed` in its place, live terminals first and revoked ones last (as the
 * server lists them). */
export function withTerminal(list: TerminalView[], changed: TerminalView): TerminalView[] {
  const replaced = list.some((terminal) => terminal.terminal_id === changed.terminal_id)
    ? list.map((terminal) => (terminal.terminal_id === changed.terminal_id ? changed : terminal))
    : [...list, changed]
  return [...replaced.filter((terminal) => terminal.revoked_at === null), ...replaced.filter((terminal) => terminal.revoked_at !== null)]
}
