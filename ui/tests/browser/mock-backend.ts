// Stands in for the Rust side in browser tests: an init script (see harness.mjs) installs
// it before the app's own scripts run. It is bundled on its own, never into dist/.
//
// The test puts the replies in `window.__FRONTDESK_MOCK__` first, one per command:
//
// - `{ ok: value }` or `{ error: wireError }`: resolve or reject;
// - either with `steps`: things to do first, in order: `{ emit: event, payload }` sends an
//   event as the Rust side would (the encoder's `encode-progress`), `{ pause: name }` waits
//   until the test calls `window.__frontdeskMock.release(name)`, `{ sleep: ms }` waits;
// - an array of replies: one per call, the last one repeated;
// - `{ byArg: 'reservationKey', cases: { 'stay-1': reply, ... }, otherwise?: reply }`: the
//   reply for one argument's value.
//
// Commands without a reply reject as not mocked. Every invoke is recorded in
// `window.__frontdeskMock.calls`; `emit(event, payload)` sends an event; `set(command, reply)`
// changes a reply while the page runs.

import { emit } from '@tauri-apps/api/event'
import { mockIPC } from '@tauri-apps/api/mocks'

type Step = { emit: string; payload: unknown } | { pause: string } | { sleep: number }
type Plain = ({ ok: unknown } | { error: unknown }) & { steps?: Step[] }
type Reply = Plain | Reply[] | { byArg: string; cases: Record<string, Reply>; otherwise?: Reply }

interface MockControl {
  calls: { command: string; args: unknown }[]
  emit: (event: string, payload: unknown) => Promise<void>
  set: (command: string, reply: Reply) => void
  release: (pause: string) => void
  /** The pauses a command is waiting at now. */
  waiting: () => string[]
}

declare global {
  interface Window {
    __FRONTDESK_MOCK__?: Record<string, Reply>
    __frontdeskMock: MockControl
  }
}

const replies: Record<string, Reply> = window.__FRONTDESK_MOCK__ ?? {}
const counts = new Map<string, number>()
const released = new Set<string>()
const waiters = new Map<string, () => void>()

const control: MockControl = {
  calls: [],
  emit: (event, payload) => emit(event, payload),
  set: (command, reply) => {
    replies[command] = reply
    counts.delete(command)
  },
  release: (pause) => {
    released.add(pause)
    waiters.get(pause)?.()
    waiters.delete(pause)
  },
  waiting: () => [...waiters.keys()],
}
window.__frontdeskMock = control

function pick(reply: Reply, command: string, args: Record<string, unknown>, nth: number): Plain {
  if (Array.isArray(reply)) return pick(reply[Math.min(nth, reply.length - 1)], command, args, nth)
  if ('byArg' in reply) {
    const value = String(args?.[reply.byArg])
    const found = reply.cases[value] ?? reply.otherwise
    if (!found) throw { type: 'not_mocked', message: `The browser test has no reply for ${command} with ${reply.byArg} ${value}.` }
    return pick(found, command, args, nth)
  }
  return reply
}

async function run(steps: Step[]) {
  for (const step of steps) {
    if ('emit' in step) await emit(step.emit, step.payload)
    else if ('sleep' in step) await new Promise((resolve) => setTimeout(resolve, step.sleep))
    else if (!released.has(step.pause)) await new Promise<void>((resolve) => waiters.set(step.pause, resolve))
  }
}

mockIPC(
  async (command, args) => {
    control.calls.push({ command, args })
    const reply = replies[command]
    if (reply === undefined) {
      throw { type: 'not_mocked', message: `The browser test has no reply for ${command}.` }
    }
    const nth = counts.get(command) ?? 0
    counts.set(command, nth + 1)
    const chosen = pick(reply, command, (args ?? {}) as Record<string, unknown>, nth)
    if (chosen.steps) await run(chosen.steps)
    if ('error' in chosen) throw chosen.error
    return chosen.ok
  },
  { shouldMockEvents: true },
)
