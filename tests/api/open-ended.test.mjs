// Grants without an end (a staff member's standing access) and without a start (from now),
// through the unmodified seam SDK, down to the card the simulated encoder writes.
import assert from 'node:assert/strict'
import { test } from 'node:test'

import { guideTime } from './server.mjs'
import { useFrontDesk } from './fixture.mjs'

const desk = useFrontDesk()

test('a staff grant without dates starts now, answers ends_at null, and so does its card', async () => {
  const grant = await desk.seam.accessGrants.create({
    user_identity_id: await desk.staff('Night porter'),
    space_ids: [desk.space.gym, desk.space.pool],
    requested_access_methods: [{ mode: 'card' }],
  })
  assert.equal(grant.ends_at, null)
  const sinceStart = Date.parse(grant.starts_at) - Date.parse(guideTime)
  assert.ok(sinceStart >= 0 && sinceStart < 60_000, `starts_at ${grant.starts_at} is not now`)
  assert.equal((await desk.seam.accessGrants.get({ access_grant_id: grant.access_grant_id })).ends_at, null)

  const [acs_encoder] = await desk.seam.acs.encoders.list()
  const [access_method_id] = grant.access_method_ids
  const encoded = await desk.seam.accessMethods.encode({ access_method_id, acs_encoder_id: acs_encoder.acs_encoder_id })
  assert.equal(encoded.status, 'success')
  const scanned = await desk.seam.acs.encoders.scanCredential({ acs_encoder_id: acs_encoder.acs_encoder_id })
  assert.equal(scanned.result.acs_credential_on_encoder.ends_at, null)
  const far = await desk.seam.client.post('/simulate/locks/present_card', {
    acs_entrance_id: desk.entrance['pool-door'], card_id: encoded.result.card_id, at: '2080-01-01T00:00:00Z',
  })
  assert.equal(far.data.decision, 'granted')

  await desk.seam.accessGrants.update({ access_grant_id: grant.access_grant_id, ends_at: '2025-12-31T00:00:00Z' })
  assert.equal((await desk.seam.accessGrants.get({ access_grant_id: grant.access_grant_id })).ends_at, '2025-12-31T00:00:00.000Z')
  await desk.seam.accessGrants.update({ access_grant_id: grant.access_grant_id, ends_at: null })
  assert.equal((await desk.seam.accessGrants.get({ access_grant_id: grant.access_grant_id })).ends_at, null)
})
