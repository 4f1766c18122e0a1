// Runes work here (the file's name has `.svelte.`): `follow` runs inside an effect root, as
// it would inside a component.
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks'
import { emit } from '@tauri-apps/api/event'
import { flushSync } from 'svelte'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { desk } from '../../src/lib/desk.svelte'
import { live, follow, SETTLE_MS } from '../../src/lib/live.svelte'
import type { AppInfo, TerminalStatus } from '../../src/lib/types'

const desk2: TerminalStatus = {
  property_name: 'Harbor View Hotel',
  terminal_name: 'Desk 2',
  server: '10.0.0.2:8788',
  online: true,
  problem: null,
}
const info: AppInfo = {
  property_name: 'Harbor View Hotel',
  time_zone: 'Europe/Lisbon',
  locale: 'en-GB',
  encoders: [{ name: 'Encoder 1', state: 'simulated', simulated: true, serial: null }],
  terminal: desk2,
  restored: null,
}

let stop: () => void = () => undefined
const asked: string[] = []

beforeEach(async () => {
  vi.stubGlobal('window', globalThis)
  vi.useFakeTimers()
  asked.length = 0
  mockIPC(
    (command) => {
      asked.push(command)
      return info
    },
    { shouldMockEvents: true },
  )
  live.link = null
  stop = await live.start()
})
afterEach(() => {
  stop()
  clearMocks()
  vi.useRealTimers()
  vi.unstubAllGlobals()
})

/** Lets the timers and the promises run: a settle window and a read. */
async function pass(ms = SETTLE_MS) {
  await vi.advanceTimersByTimeAsync(ms)
  flushSync()
  await vi.advanceTimersByTimeAsync(1)
}

/** A view following the changes: how many times it read, and whether it is idle. */
function view() {
  const state = $state({ reads: 0, idle: true })
  const cleanup = $effect.root(() => {
    follow(
      async () => {
        state.reads += 1
      },
      () => state.idle,
    )
  })
  return { state, cleanup }
}

describe('live', () => {
  it('reads a burst of changes once, after it settles', async () => {
    const { state, cleanup } = view()
    await emit('desk-changed', 2)
    await emit('desk-changed', 3)
    await vi.advanceTimersByTimeAsync(SETTLE_MS / 2)
    await emit('desk-changed', 4)
    flushSync()
    expect(state.reads).toBe(0)
    await pass()
    expect(state.reads).toBe(1)
    await pass(500)
    expect(state.reads).toBe(1)
    await emit('desk-changed', 5)
    await pass()
    expect(state.reads).toBe(2)
    cleanup()
  })

  it('waits for the view to be idle, then reads once', async () => {
    const { state, cleanup } = view()
    state.idle = false
    await emit('desk-changed', 2)
    await pass()
    await emit('desk-changed', 3)
    await pass(500)
    expect(state.reads).toBe(0)
    state.idle = true
    await pass(1)
    expect(state.reads).toBe(1)
    await pass(500)
    expect(state.reads).toBe(1)
    cleanup()
  })

  it('reads nothing while the server is out of reach, and everything once it is back', async () => {
    const { state, cleanup } = view()
    live.link = desk2
    await emit('server-connection', { ...desk2, online: false, problem: 'The property server cannot be reached (timed out).' })
    flushSync()
    expect(live.offline).toBe(true)
    await emit('desk-changed', 2)
    await pass(500)
    expect(state.reads).toBe(0)

    // Back, and the change the server tells with it: one read, and the app's info again.
    await emit('server-connection', desk2)
    await emit('desk-changed', 3)
    flushSync()
    expect(live.offline).toBe(false)
    await pass()
    await pass(500)
    expect(state.reads).toBe(1)
    expect(asked).toEqual(['app_info'])
    expect(desk.info).toEqual(info)
    cleanup()
  })

  it('stops reading with the view', async () => {
    const { state, cleanup } = view()
    cleanup()
    await emit('desk-changed', 2)
    await pass(500)
    expect(state.reads).toBe(0)
  })
})
