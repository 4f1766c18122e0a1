// What Seam's API and SDK promise, through the unmodified seam SDK against a freshly started
// `frontdesk serve`: every object in Seam's published shape (the fixture checks every answer
// against @seamapi/types; here, that the check can fail and that it saw every route), every
// list filter applied or refused by name, pagination through the SDK's paginator, and
// errors that keep their field, kind and title in the SDK's error.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { SeamHttpApiError, SeamHttpInvalidInputError } from 'seam'

import { apiError, useFrontDesk } from './fixture.mjs'
import { checked, schema } from './schemas.mjs'

const desk = useFrontDesk({ args: ['--card-wait-seconds', '2'] })
const card = [{ mode: 'card' }]

/** A card stay for a new guest on one space; returns the grant. */
async function stay(spaceKey, reservation_key, starts_at = '2025-06-10T15:00:00Z', ends_at = '2025-06-14T11:00:00Z') {
  return desk.seam.accessGrants.create({
    user_identity_id: await desk.guest(`Guest of ${reservation_key}`),
    space_ids: [desk.space[spaceKey]],
    starts_at, ends_at, requested_access_methods: card, reservation_key,
  })
}

const sorted = (items) => [...items].sort()

describe("Seam's published shapes", () => {
  test('the check fails on a missing required field and on a wrong type', async () => {
    const grant = await stay('room-101', 'shape-1')
    const validate = schema('access_grant')
    assert.equal(validate(grant), true, JSON.stringify(validate.errors))
    const { location_ids, ...missing } = grant
    assert.equal(validate(missing), false, 'location_ids is required')
    assert.equal(validate({ ...grant, pending_mutations: {} }), false, 'pending_mutations is a list')
    assert.equal(validate({ ...grant, warnings: [{ warning_code: 'made_up', message: 'x', created_at: grant.created_at }] }), false,
      'a warning code neither Seam nor this desk has')
    const system = (await desk.seam.acs.systems.list())[0]
    assert.equal(schema('acs_system')({ ...system, is_credential_manager: 'no' }), false)
  })

  test('every route the suite uses answered in shape, encoding and scanning included', async () => {
    const grant = await stay('room-102', 'shape-2')
    const [access_method_id] = grant.access_method_ids
    await desk.seam.accessGrants.get({ access_grant_id: grant.access_grant_id })
    await desk.seam.accessGrants.list({ reservation_key: 'shape-2' })
    await desk.seam.accessMethods.list({ access_grant_id: grant.access_grant_id })
    await desk.seam.acs.entrances.list({ space_id: desk.space['room-102'] })
    await desk.seam.spaces.list()
    await desk.seam.accessGrants.update({ access_grant_id: grant.access_grant_id, name: 'Shape' })
    await desk.seam.accessMethods.get({ access_method_id })
    await desk.seam.acs.entrances.get({ acs_entrance_id: desk.entrance['room-102-door'] })
    const [system] = await desk.seam.acs.systems.list()
    await desk.seam.acs.systems.get({ acs_system_id: system.acs_system_id })
    await desk.seam.spaces.get({ space_id: desk.space['room-102'] })
    const user = await desk.seam.userIdentities.get({ user_identity_id: grant.user_identity_id })
    await desk.seam.userIdentities.list()
    const [encoder] = await desk.seam.acs.encoders.list()
    await desk.seam.acs.encoders.get({ acs_encoder_id: encoder.acs_encoder_id })

    const encoded = await desk.seam.accessMethods.encode({ access_method_id, acs_encoder_id: encoder.acs_encoder_id })
    // An ENCODE_CREDENTIAL result is an acs_credential, with our card_id inside it.
    assert.equal(schema('acs_credential')(encoded.result), true, JSON.stringify(schema('acs_credential').errors))
    assert.equal(encoded.result.access_method, 'card')
    assert.equal(encoded.result.is_managed, true)
    assert.equal(encoded.result.workspace_id, user.workspace_id)
    assert.equal(encoded.result.access_method_id, access_method_id)
    assert.match(encoded.result.card_id, /^[0-9A-F]{8,20}$/)
    await desk.seam.actionAttempts.get({ action_attempt_id: encoded.action_attempt_id })

    const scanned = await desk.seam.acs.encoders.scanCredential({ acs_encoder_id: encoder.acs_encoder_id })
    const onSeam = scanned.result.acs_credential_on_seam
    assert.equal(onSeam.acs_credential_id, encoded.result.acs_credential_id, 'the scan finds the credential the encode made')
    assert.equal(onSeam.card_id, encoded.result.card_id)

    await desk.seam.accessMethods.delete({ access_method_id })
    await desk.seam.accessGrants.delete({ access_grant_id: grant.access_grant_id })

    for (const route of [
      '/access_grants/create', '/access_grants/get', '/access_grants/list', '/access_grants/update',
      '/access_grants/delete', '/access_methods/get', '/access_methods/list', '/access_methods/delete',
      '/access_methods/encode', '/acs/entrances/get', '/acs/entrances/list', '/acs/systems/get',
      '/acs/systems/list', '/spaces/get', '/spaces/list', '/user_identities/create',
      '/user_identities/get', '/user_identities/list', '/acs/encoders/list', '/acs/encoders/get',
      '/acs/encoders/scan_credential', '/action_attempts/get',
    ]) {
      assert.ok(checked.has(route), `${route} was checked against its schema`)
    }
  })
})

describe('every list filter the SDK sends is applied', () => {
  test('spaces.list: space_key, search, connected_account_id', async () => {
    const byKey = await desk.seam.spaces.list({ space_key: 'room-203' })
    assert.deepEqual(byKey.map((s) => s.space_key), ['room-203'])
    const searched = await desk.seam.spaces.list({ search: 'room 1' })
    assert.deepEqual(searched.map((s) => s.space_key), ['room-101', 'room-102'])
    const brivo = (await desk.seam.acs.systems.list({ search: 'brivo' }))[0]
    const online = await desk.seam.spaces.list({ connected_account_id: brivo.connected_account_id })
    assert.deepEqual(online.map((s) => s.space_key), ['parking'])
  })

  test('acs.entrances.list: acs_entrance_ids, search, space_id, acs_system_id, connected_account_id', async () => {
    const ids = [desk.entrance['gym-door'], desk.entrance['lobby-door']]
    const picked = await desk.seam.acs.entrances.list({ acs_entrance_ids: ids })
    assert.deepEqual(sorted(picked.map((e) => e.acs_entrance_id)), sorted(ids))
    const suite = await desk.seam.acs.entrances.list({ search: 'suite 300' })
    assert.deepEqual(suite.map((e) => e.entrance_key), ['suite-300-bedroom', 'suite-300-main'])
    const both = await desk.seam.acs.entrances.list({ space_id: desk.space['suite-300'], search: 'bedroom' })
    assert.deepEqual(both.map((e) => e.entrance_key), ['suite-300-bedroom'])
    const [vl] = await desk.seam.acs.systems.list({ search: 'visionline' })
    const offline = await desk.seam.acs.entrances.list({ acs_system_id: vl.acs_system_id })
    assert.ok(offline.length > 0 && offline.every((e) => e.acs_system_id === vl.acs_system_id))
    const byAccount = await desk.seam.acs.entrances.list({ connected_account_id: vl.connected_account_id })
    assert.deepEqual(byAccount.map((e) => e.acs_entrance_id), offline.map((e) => e.acs_entrance_id))
  })

  test('accessGrants.list: access_grant_ids, reservation_key, space_id, acs_entrance_id, user_identity_id, acs_system_id', async () => {
    const a = await stay('room-203', 'filter-a', '2025-07-01T15:00:00Z', '2025-07-03T11:00:00Z')
    const b = await stay('room-203', 'filter-b', '2025-07-05T15:00:00Z', '2025-07-07T11:00:00Z')
    const picked = await desk.seam.accessGrants.list({ access_grant_ids: [b.access_grant_id] })
    assert.deepEqual(picked.map((g) => g.access_grant_id), [b.access_grant_id])
    const byKey = await desk.seam.accessGrants.list({ reservation_key: 'filter-a' })
    assert.deepEqual(byKey.map((g) => g.access_grant_id), [a.access_grant_id])
    const byUser = await desk.seam.accessGrants.list({ user_identity_id: b.user_identity_id })
    assert.deepEqual(byUser.map((g) => g.access_grant_id), [b.access_grant_id])
    const inRoom = await desk.seam.accessGrants.list({ space_id: desk.space['room-203'], access_grant_ids: [a.access_grant_id, b.access_grant_id] })
    assert.equal(inRoom.length, 2)
    const atDoor = await desk.seam.accessGrants.list({ acs_entrance_id: desk.entrance['room-203-door'] })
    assert.ok(atDoor.some((g) => g.access_grant_id === a.access_grant_id))
    assert.ok(atDoor.every((g) => g.acs_entrance_ids.includes(desk.entrance['room-203-door'])))
    const brivo = (await desk.seam.acs.systems.list({ search: 'brivo' }))[0]
    const online = await desk.seam.accessGrants.list({ acs_system_id: brivo.acs_system_id, access_grant_ids: [a.access_grant_id] })
    assert.deepEqual(online, [])
  })

  test('userIdentities.list: user_identity_ids, search, created_before', async () => {
    const grace = await desk.seam.userIdentities.create({ full_name: 'Grace Hopper', email_address: 'grace@example.com' })
    const other = await desk.guest('Someone Else')
    const picked = await desk.seam.userIdentities.list({ user_identity_ids: [grace.user_identity_id, other] })
    assert.deepEqual(sorted(picked.map((u) => u.user_identity_id)), sorted([grace.user_identity_id, other]))
    const found = await desk.seam.userIdentities.list({ search: 'hopper' })
    assert.deepEqual(found.map((u) => u.user_identity_id), [grace.user_identity_id])
    const earlier = await desk.seam.userIdentities.list({ created_before: grace.created_at })
    assert.ok(!earlier.some((u) => u.user_identity_id === grace.user_identity_id))
  })

  test('accessMethods.list: any combination of its filters, or none', async () => {
    const a = await stay('room-101', 'methods-a', '2025-08-01T15:00:00Z', '2025-08-03T11:00:00Z')
    // The SDK insists on one filter; its HTTP client sends none, as Seam's spec allows.
    const all = (await desk.seam.client.get('/access_methods/list')).data.access_methods
    assert.ok(a.access_method_ids.every((id) => all.some((m) => m.access_method_id === id)))
    const combined = await desk.seam.accessMethods.list({
      access_grant_id: a.access_grant_id, space_id: desk.space['room-101'], acs_entrance_id: desk.entrance['room-101-door'],
    })
    assert.deepEqual(combined.map((m) => m.access_method_id), a.access_method_ids)
    const elsewhere = await desk.seam.accessMethods.list({ access_grant_id: a.access_grant_id, space_id: desk.space.gym })
    assert.deepEqual(elsewhere, [])
  })

  test('a filter this desk cannot apply is refused by name, never dropped', async () => {
    for (const [call, field] of [
      [() => desk.seam.spaces.list({ parent_space_key: 'wing-a' }), 'parent_space_key'],
      [() => desk.seam.acs.entrances.list({ location_id: crypto.randomUUID() }), 'location_id'],
      [() => desk.seam.accessGrants.list({ access_grant_key: 'pms-1' }), 'access_grant_key'],
      [() => desk.seam.userIdentities.list({ credential_manager_acs_system_id: crypto.randomUUID() }), 'credential_manager_acs_system_id'],
      [() => desk.seam.accessMethods.list({ device_id: crypto.randomUUID() }), 'device_id'],
      [() => desk.seam.acs.systems.list({ customer_key: 'c-1' }), 'customer_key'],
    ]) {
      const error = await apiError(call())
      assert.ok(error instanceof SeamHttpInvalidInputError, `${field}: got ${error}`)
      assert.deepEqual(error.validationErrors.map((e) => e.parameterName), [field])
      assert.match(error.message, new RegExp(field))
    }
  })
})

describe('pagination', () => {
  test("the SDK's paginator walks every paged list to its end", async () => {
    for (let n = 0; n < 3; n += 1) await desk.guest(`Paged ${n}`)
    const lists = {
      spaces: (limit) => desk.seam.spaces.list({ limit }),
      entrances: (limit) => desk.seam.acs.entrances.list({ limit }),
      grants: (limit) => desk.seam.accessGrants.list({ limit }),
      users: (limit) => desk.seam.userIdentities.list({ limit }),
      encoders: (limit) => desk.seam.acs.encoders.list({ limit }),
    }
    for (const [name, list] of Object.entries(lists)) {
      const whole = await list(500)
      const paged = await desk.seam.createPaginator(list(2)).flattenToArray()
      assert.deepEqual(paged, whole, `${name} page by page is the whole list`)
      assert.ok(whole.length > 0, name)
    }
  })

  test("the guide's list-then-delete clean-up goes on after the page it deleted", async () => {
    const made = []
    for (let n = 0; n < 5; n += 1) {
      made.push((await stay('suite-300', 'cleanup-1', '2025-09-20T15:00:00Z', '2025-09-22T11:00:00Z')).access_grant_id)
    }
    const paginator = desk.seam.createPaginator(desk.seam.accessGrants.list({ reservation_key: 'cleanup-1', limit: 2 }))
    const deleted = []
    for await (const page of paginator) {
      for (const { access_grant_id } of page) {
        await desk.seam.accessGrants.delete({ access_grant_id })
        deleted.push(access_grant_id)
      }
    }
    assert.deepEqual(deleted, made, 'every grant was reached, in order')
    assert.deepEqual(await desk.seam.accessGrants.list({ reservation_key: 'cleanup-1' }), [])
  })
})

describe("the guide's words reach SDK users", () => {
  test('refused input is SeamHttpInvalidInputError with the field in validation_errors', async () => {
    const error = await apiError(desk.seam.accessGrants.create({
      user_identity_id: await desk.guest(), space_ids: [desk.space['room-102']],
      starts_at: '2025-10-14T11:00:00Z', ends_at: '2025-10-10T15:00:00Z',
      requested_access_methods: card, reservation_key: 'words-1',
    }))
    assert.ok(error instanceof SeamHttpInvalidInputError, `got ${error}`)
    assert.equal(error.statusCode, 400)
    assert.equal(error.code, 'invalid_input')
    assert.equal(error.message, 'ends_at must be after starts_at.')
    assert.deepEqual(error.validationErrors, [{ parameterName: 'ends_at', errorMessages: ['must be after starts_at'] }])
    assert.deepEqual(error.data, { kind: 'VALIDATION_ERROR' })
    assert.deepEqual(await desk.seam.accessGrants.list({ reservation_key: 'words-1' }), [], 'nothing was made')
  })

  test('a 409 rule error carries the guide kind and title in data', async () => {
    await stay('room-101', 'words-2', '2025-11-01T15:00:00Z', '2025-11-03T11:00:00Z')
    const error = await apiError(stay('room-203', 'words-2', '2025-11-01T15:00:00Z', '2025-11-03T11:00:00Z'))
    assert.ok(error instanceof SeamHttpApiError)
    assert.equal(error.statusCode, 409)
    assert.equal(error.code, 'reservation_entrance_change_requires_cleanup')
    assert.deepEqual(error.data, { kind: 'CONFLICT', title: 'Reservation entrance change requires cleanup.' })
  })

  test('a 400 rule error carries VALIDATION_ERROR and its title', async () => {
    const error = await apiError(desk.seam.accessGrants.create({
      user_identity_id: await desk.guest(), acs_entrance_ids: [desk.entrance['gym-door']],
      starts_at: '2025-11-01T15:00:00Z', ends_at: '2025-11-03T11:00:00Z',
      requested_access_methods: card, reservation_key: 'words-3',
    }))
    assert.equal(error.code, 'reservation_key_not_supported')
    assert.deepEqual(error.data, { kind: 'VALIDATION_ERROR', title: 'reservation_key not supported.' })
  })
})
