import { clearMocks, mockIPC } from '@tauri-apps/api/mocks'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { AppInfo } from '../../src/lib/bindings/AppInfo'
import type { WireError } from '../../src/lib/bindings/WireError'
import { AppError, IPC_ERROR, api, call, onSessionEnded } from '../../src/lib/ipc'

// mockIPC installs itself on `window`; in Node that is the global object.
beforeEach(() => vi.stubGlobal('window', globalThis))
afterEach(() => {
  clearMocks()
  vi.unstubAllGlobals()
})

const harbor: AppInfo = {
  property_name: 'Harbor View Hotel',
  time_zone: 'Europe/Lisbon',
  locale: 'en-GB',
  encoders: [{ name: 'Encoder 1', state: 'simulated', simulated: true, serial: null }],
  terminal: null,
  restored: null,
}

describe('call', () => {
  it('resolves with the command’s answer and passes the arguments', async () => {
    const seen: unknown[] = []
    mockIPC((command, args) => {
      seen.push([command, args])
      return harbor
    })
    await expect(api.appInfo()).resolves.toEqual(harbor)
    await call('anything', { room: '101' })
    expect(seen).toEqual([
      ['app_info', {}],
      ['anything', { room: '101' }],
    ])
  })

  it('turns a rejected WireError into an AppError with every field', async () => {
    const wire: WireError = {
      type: 'invalid_property_file',
      title: 'Property file refused',
      message: 'The property file was not imported; fix these 1 problem(s) and import it again.',
      field: 'spaces',
      problems: ['spaces[0].key: missing'],
    }
    mockIPC(() => {
      throw wire
    })
    const error = await api.appInfo().catch((reason: unknown) => reason)
    expect(error).toBeInstanceOf(AppError)
    expect(error).toBeInstanceOf(Error)
    expect(error).toMatchObject({
      name: 'AppError',
      type: 'invalid_property_file',
      title: 'Property file refused',
      message: wire.message,
      field: 'spaces',
      problems: ['spaces[0].key: missing'],
    })
  })

  it('leaves the optional fields of a short WireError empty', async () => {
    mockIPC(() => {
      throw { type: 'not_found', message: 'No space with id 42; it may have been deleted.' }
    })
    const error = (await api.appInfo().catch((reason: unknown) => reason)) as AppError
    expect(error.type).toBe('not_found')
    expect(error.title).toBeUndefined()
    expect(error.field).toBeUndefined()
    expect(error.problems).toEqual([])
  })

  it('reports Tauri’s own string rejections (a missing permission) as ipc_error', async () => {
    const refusal = 'app_info not allowed. Permissions associated with this command: allow-app-info'
    mockIPC(() => {
      throw refusal
    })
    const error = (await api.appInfo().catch((reason: unknown) => reason)) as AppError
    expect(error).toBeInstanceOf(AppError)
    expect(error.type).toBe(IPC_ERROR)
    expect(error.message).toBe(refusal)
  })

  it('reports anything else as ipc_error with a readable message', async () => {
    mockIPC(() => {
      throw 42
    })
    const error = (await api.appInfo().catch((reason: unknown) => reason)) as AppError
    expect(error.type).toBe(IPC_ERROR)
    expect(error.message).toBe('The app did not answer as expected.')
  })
})

describe('api', () => {
  it('names commands and arguments as the Rust side takes them (camelCase args, snake_case requests)', async () => {
    const seen: Array<[string, unknown]> = []
    mockIPC((command, args) => {
      seen.push([command, args])
      return null
    })
    const t = 'tok'
    const request = {
      space_id: 's',
      starts_at: 'a',
      ends_at: 'b',
      guests: [],
      common_entrance_ids: [],
      cards_per_guest: 1,
      reservation_key: null,
      allow_overlap: false,
    }
    await api.stay(t, 'stay-1')
    await api.checkInOptions(t, 'space-1')
    await api.checkInOptions(t, 'space-1', '2025-03-15')
    await api.timeline(t, '2025-03-11', 14)
    await api.findStays(t, 'ana')
    await api.checkIn(t, request)
    await api.duplicateCard(t, 'grant-1')
    await api.moveStay(t, 'stay-1', 'space-2')
    await api.moveStay(t, 'stay-1', 'space-2', true)
    await api.changeDates(t, 'stay-1', null, '2025-03-16T11:00:00.000Z')
    await api.encodeCards(t, ['m1', 'm2'])
    await api.markCollected(t, 'm1')
    await api.reportCardLost(t, 'm2')
    await api.presentCard(t, 'door-1', 'CARD', null)
    await api.issueStaffAccess(t, 'Sam', ['door-1'], 'a', 'b', { level: 'emergency' })
    await api.auditLog(t, { actor: null, room_space_id: 'space-1', since: null, until: null, limit: 10 })
    expect(seen).toEqual([
      ['stay', { token: t, reservationKey: 'stay-1' }],
      ['check_in_options', { token: t, spaceId: 'space-1' }],
      ['check_in_options', { token: t, spaceId: 'space-1', day: '2025-03-15' }],
      ['timeline', { token: t, from: '2025-03-11', days: 14 }],
      ['find_stays', { token: t, query: 'ana' }],
      ['check_in', { token: t, request }],
      ['duplicate_card', { token: t, accessGrantId: 'grant-1' }],
      ['move_stay', { token: t, reservationKey: 'stay-1', toSpaceId: 'space-2', allowOverlap: false }],
      ['move_stay', { token: t, reservationKey: 'stay-1', toSpaceId: 'space-2', allowOverlap: true }],
      ['change_dates', { token: t, reservationKey: 'stay-1', startsAt: null, endsAt: '2025-03-16T11:00:00.000Z', allowOverlap: false }],
      ['encode_cards', { token: t, accessMethodIds: ['m1', 'm2'] }],
      ['mark_collected', { token: t, accessMethodId: 'm1' }],
      ['report_card_lost', { token: t, accessMethodId: 'm2' }],
      ['present_card', { token: t, entranceId: 'door-1', cardId: 'CARD', at: null }],
      [
        'issue_staff_access',
        { token: t, fullName: 'Sam', entranceIds: ['door-1'], startsAt: 'a', endsAt: 'b', terms: { level: 'emergency' }, oneShot: false },
      ],
      ['audit_log', { token: t, query: { actor: null, room_space_id: 'space-1', since: null, until: null, limit: 10 } }],
    ])
  })
})

describe('onSessionEnded', () => {
  it('is told when a command with a token is refused as unauthorized, not on a failed sign-in', async () => {
    const ended: AppError[] = []
    const stop = onSessionEnded((error) => ended.push(error))
    mockIPC(() => {
      throw { type: 'unauthorized', message: 'Sign in again.' }
    })
    await expect(api.roomBoard('old-token')).rejects.toMatchObject({ type: 'unauthorized' })
    expect(ended.map((e) => e.message)).toEqual(['Sign in again.'])
    await expect(api.signIn('Ana', '0000')).rejects.toBeInstanceOf(AppError)
    expect(ended).toHaveLength(1)
    stop()
    await expect(api.roomBoard('old-token')).rejects.toBeInstanceOf(AppError)
    expect(ended).toHaveLength(1)
  })

  it('is not told about other refusals', async () => {
    const ended: AppError[] = []
    const stop = onSessionEnded((error) => ended.push(error))
    mockIPC(() => {
      throw { type: 'forbidden', message: 'This needs a manager.' }
    })
    await expect(api.warnings('tok')).rejects.toMatchObject({ type: 'forbidden' })
    expect(ended).toEqual([])
    stop()
  })
})
