import { clearMocks, mockIPC } from '@tauri-apps/api/mocks'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { WireError } from '../../src/lib/bindings/WireError'
import { desk } from '../../src/lib/desk.svelte'
import { AppError } from '../../src/lib/ipc'
import { OpenStay } from '../../src/lib/openStay.svelte'
import { card, stayDetail } from './fixtures'

// mockIPC installs itself on `window`; in Node that is the global object.
beforeEach(() => {
  vi.stubGlobal('window', globalThis)
  desk.signedIn({ token: 'token-mia', operator: { id: 'op-mia', name: 'Mia', role: 'manager' }, language: 'en' })
})
afterEach(() => {
  clearMocks()
  vi.unstubAllGlobals()
  desk.signedOut()
})

const refused: WireError = { type: 'not_found', title: 'Not found', message: 'No such stay.' }
const ana = stayDetail([{ name: 'Ana Silva', cards: [card('card-1')] }])

describe('OpenStay', () => {
  it('reads the stay whose key it is given at the time, and forgets an earlier error', async () => {
    const asked: unknown[] = []
    mockIPC((command, args) => {
      asked.push([command, args])
      return ana
    })
    let key = 'stay-old'
    const open = new OpenStay(() => key)
    open.error = new AppError(refused)
    key = 'stay-ana'
    await open.load()
    expect(open.stay).toEqual(ana)
    expect(open.error).toBeNull()
    expect(asked).toEqual([['stay', { token: 'token-mia', reservationKey: 'stay-ana' }]])
  })

  it('keeps the stay it has when reading fails, with the error', async () => {
    mockIPC(() => {
      throw refused
    })
    const open = new OpenStay(() => 'stay-ana')
    open.stay = ana
    await open.load()
    expect(open.stay).toEqual(ana)
    expect(open.error).toMatchObject({ type: 'not_found', message: 'No such stay.' })
  })

  it('is busy while a change runs, and clears the notice and error before it', async () => {
    const open = new OpenStay(() => 'stay-ana')
    open.notice = 'The cards are ready.'
    open.error = new AppError(refused)
    let busyMeanwhile: boolean | undefined
    const result = await open.act(async () => {
      busyMeanwhile = open.busy
      expect(open.notice).toBeNull()
      expect(open.error).toBeNull()
      return 'done'
    })
    expect(result).toBe('done')
    expect(busyMeanwhile).toBe(true)
    expect(open.busy).toBe(false)
  })

  it('keeps a failed change as the error and answers undefined', async () => {
    const open = new OpenStay(() => 'stay-ana')
    const result = await open.act(() => Promise.reject(refused))
    expect(result).toBeUndefined()
    expect(open.error).toBeInstanceOf(AppError)
    expect(open.error?.message).toBe('No such stay.')
    expect(open.busy).toBe(false)
  })
})

describe('OpenStay after a change elsewhere', () => {
  it('shows the stay as it is now, and says when it was moved to another room', async () => {
    const open = new OpenStay(() => 'stay-ana')
    open.stay = ana
    mockIPC(() => ({ ...ana, guests: [...ana.guests, ...ana.guests] }))
    await open.reread()
    expect(open.stay?.guests).toHaveLength(2)
    expect(open.elsewhere).toBeNull()

    mockIPC(() => ({ ...ana, space_id: 'space-201', room_name: 'Room 201' }))
    await open.reread()
    expect(open.stay?.room_name).toBe('Room 201')
    expect(open.elsewhere).toBe('This stay was changed elsewhere while it was open here: it is now in Room 201.')
    expect(open.over).toBe(false)
  })

  it('says a stay no longer live was checked out, when it is found among the past stays', async () => {
    const asked: string[] = []
    mockIPC((command) => {
      asked.push(command)
      if (command === 'stay') throw refused
      return { reservation_key: 'stay-ana' }
    })
    const open = new OpenStay(() => 'stay-ana')
    open.stay = ana
    await open.reread()
    expect(asked).toEqual(['stay', 'past_stay'])
    expect(open).toMatchObject({ over: true, checkedOut: true, error: null, stay: ana })
    expect(open.elsewhere).toBe('This stay was checked out elsewhere while it was open here.')
    // Over: not read again.
    await open.reread()
    expect(asked).toHaveLength(2)
  })

  it('says a stay found nowhere is no longer on the board', async () => {
    mockIPC(() => {
      throw refused
    })
    const open = new OpenStay(() => 'stay-ana')
    open.stay = ana
    await open.reread()
    expect(open).toMatchObject({ over: true, checkedOut: false })
    expect(open.elsewhere).toMatch(/no longer on the board/)
  })

  it('keeps the stay as last read, with no error, while the property server is out of reach', async () => {
    mockIPC(() => {
      throw { type: 'server_unreachable', message: 'The property server cannot be reached, so nothing was changed.' }
    })
    const open = new OpenStay(() => 'stay-ana')
    open.stay = ana
    await open.reread()
    expect(open).toMatchObject({ stay: ana, error: null, over: false, elsewhere: null })
  })

  it('drops a read answered after the operator’s own change began', async () => {
    let answer: (value: unknown) => void = () => undefined
    mockIPC((command) => (command === 'stay' ? new Promise((resolve) => (answer = resolve)) : null))
    const open = new OpenStay(() => 'stay-ana')
    open.stay = ana
    const reading = open.reread()
    const changed = { ...ana, ends_at: '2025-03-20T11:00:00Z' }
    await open.act(async () => (open.stay = changed))
    answer({ ...ana, space_id: 'space-999', room_name: 'Room 999' })
    await reading
    expect(open.stay).toEqual(changed)
    expect(open.elsewhere).toBeNull()
  })
})
