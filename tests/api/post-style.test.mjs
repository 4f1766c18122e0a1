// The same calls in the older request style (every route as POST with a JSON body), sent
// through the SDK's own HTTP client so that its auth and error handling apply.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { SeamHttpApiError } from 'seam'

import { apiError, useFrontDesk } from './fixture.mjs'

const desk = useFrontDesk()
const post = async (path, body) => (await desk.seam.client.post(path, body)).data

test('reads, creates, updates and deletes all work as POST with JSON', async () => {
  const { user_identity } = await post('/user_identities/create', { full_name: 'Guest One' })
  assert.equal(user_identity.kind, 'guest')
  assert.equal((await post('/user_identities/get', { user_identity_id: user_identity.user_identity_id })).user_identity.full_name, 'Guest One')
  assert.ok((await post('/user_identities/list', {})).user_identities.length >= 1)

  const { spaces } = await post('/spaces/list', {})
  const room = spaces.find((space) => space.space_key === 'room-101')
  assert.equal((await post('/spaces/get', { space_id: room.space_id })).space.space_key, 'room-101')
  const { acs_entrances } = await post('/acs/entrances/list', { space_id: room.space_id })
  assert.equal(acs_entrances.length, 1)
  assert.equal((await post('/acs/entrances/get', { acs_entrance_id: acs_entrances[0].acs_entrance_id })).acs_entrance.can_belong_to_reservation, true)
  const { acs_systems } = await post('/acs/systems/list', {})
  assert.deepEqual(acs_systems.map((s) => s.external_type).sort(), ['brivo_account', 'visionline_system'])

  const { access_grant } = await post('/access_grants/create', {
    user_identity_id: user_identity.user_identity_id,
    space_ids: [room.space_id],
    starts_at: '2025-05-10T15:00:00Z',
    ends_at: '2025-05-14T11:00:00Z',
    requested_access_methods: [{ mode: 'card' }, { mode: 'card' }],
    reservation_key: 'post-stay-1',
  })
  const id = access_grant.access_grant_id
  assert.equal((await post('/access_grants/get', { access_grant_id: id })).access_grant.reservation_key, 'post-stay-1')
  assert.equal((await post('/access_grants/list', { reservation_key: 'post-stay-1' })).access_grants.length, 1)
  assert.equal((await post('/access_grants/update', { access_grant_id: id, ends_at: '2025-05-16T11:00:00Z' })).ok, true)
  assert.equal((await post('/access_grants/get', { access_grant_id: id })).access_grant.ends_at, '2025-05-16T11:00:00.000Z')

  const { access_methods } = await post('/access_methods/list', { access_grant_id: id })
  assert.deepEqual(access_methods.map((m) => m.display_name), ['Card 1', 'Card 2'])
  assert.equal((await post('/access_methods/get', { access_method_id: access_methods[0].access_method_id })).access_method.mode, 'card')
  assert.equal((await post('/access_methods/delete', { access_method_id: access_methods[1].access_method_id })).ok, true)
  assert.equal((await post('/access_methods/list', { access_grant_id: id })).access_methods.length, 1)

  assert.equal((await post('/access_grants/delete', { access_grant_id: id })).ok, true)
  const gone = await apiError(post('/access_grants/get', { access_grant_id: id }))
  assert.ok(gone instanceof SeamHttpApiError)
  assert.equal(gone.statusCode, 404)
})

test('rule errors reach the SDK the same way through POST', async () => {
  const { user_identity } = await post('/user_identities/create', { full_name: 'Guest Two' })
  const { spaces } = await post('/spaces/list', {})
  const key = (k) => spaces.find((space) => space.space_key === k).space_id
  const error = await apiError(post('/access_grants/create', {
    user_identity_id: user_identity.user_identity_id,
    space_ids: [key('gym'), key('pool')],
    starts_at: '2025-05-10T15:00:00Z',
    ends_at: '2025-05-14T11:00:00Z',
    requested_access_methods: [{ mode: 'card' }],
    reservation_key: 'post-stay-2',
  }))
  assert.ok(error instanceof SeamHttpApiError)
  assert.equal(error.statusCode, 400)
  assert.equal(error.code, 'reservation_key_not_supported')
})

test('wrong types are refused as invalid_input naming the parameter', async () => {
  const error = await apiError(post('/access_grants/create', {
    requested_access_methods: [{ mode: 'carrier-pigeon' }],
  }))
  assert.equal(error.statusCode, 400)
  assert.equal(error.code, 'invalid_input')
  assert.deepEqual(error.validationErrors.map((e) => e.parameterName), ['requested_access_methods[0].mode'])
})

test('a wrong API key is refused with 401', async () => {
  const { Seam } = await import('seam')
  const stranger = new Seam({ apiKey: 'seam_not_the_right_key_at_all', endpoint: desk.server.endpoint })
  const error = await apiError(stranger.spaces.list())
  assert.equal(error.statusCode, 401)
  assert.equal(error.code, 'unauthorized')
})
