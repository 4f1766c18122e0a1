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
  desk.signedIn({ token: 'token-mia', operator: { id: 'op-mia', name: 'Mia', role: 'manager' } })
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
