// Action attempts through the unmodified seam SDK with its default wait (it polls
// /action_attempts/get every second for 10 s), against `frontdesk serve` with its default
// card wait: a staged failure is the attempt's own error, not the SDK's timeout, and the
// encoder works again right after it.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { SeamActionAttemptFailedError } from 'seam'

import { apiError, useFrontDesk } from './fixture.mjs'

const desk = useFrontDesk()
let acs_encoder_id

/** The SDK waits 10 s by default; a staged failure must come back well within it. */
const WELL_WITHIN = 5_000

async function timed(promise) {
  const started = Date.now()
  const outcome = await promise.then((value) => ({ value }), (error) => ({ error }))
  return { ...outcome, ms: Date.now() - started }
}

async function cardStay(reservation_key, day) {
  const grant = await desk.seam.accessGrants.create({
    user_identity_id: await desk.guest(`Guest of ${reservation_key}`),
    space_ids: [desk.space['suite-300']],
    starts_at: `2025-11-${day}T15:00:00Z`,
    ends_at: `2025-11-${day}T23:00:00Z`,
    requested_access_methods: [{ mode: 'card' }],
    reservation_key,
  })
  return grant.access_method_ids[0]
}

describe('a staged encode failure within the SDK default wait', () => {
  const codes = ['no_credential_on_encoder', 'uncategorized_error', 'encoding_interrupted', 'incompatible_card_format']
  for (const [index, error_code] of codes.entries()) {
    test(`${error_code}: the SDK throws the attempt's error at once, then a scan and an encode work`, async () => {
      acs_encoder_id ??= (await desk.seam.acs.encoders.list())[0].acs_encoder_id
      const access_method_id = await cardStay(`attempt-${error_code}`, String(10 + index))
      await desk.seam.acs.encoders.simulate.nextCredentialEncodeWillFail({ acs_encoder_id, error_code })

      const failed = await timed(desk.seam.accessMethods.encode({ access_method_id, acs_encoder_id }))
      assert.ok(failed.error instanceof SeamActionAttemptFailedError, `expected the attempt's error, got ${failed.error ?? 'success'}`)
      assert.equal(failed.error.code, error_code)
      assert.ok(failed.ms < WELL_WITHIN, `the failure took ${failed.ms} ms`)
      assert.equal((await desk.seam.accessMethods.get({ access_method_id })).is_issued, false)

      // One staged failure only: the encoder answers the next scan and encode by itself.
      const scanned = await timed(desk.seam.acs.encoders.scanCredential({ acs_encoder_id }))
      assert.equal(scanned.error, undefined, `the scan after it failed: ${scanned.error}`)
      assert.equal(scanned.value.status, 'success')
      assert.ok(scanned.ms < WELL_WITHIN, `the scan took ${scanned.ms} ms`)

      const encoded = await timed(desk.seam.accessMethods.encode({ access_method_id, acs_encoder_id }))
      assert.equal(encoded.error, undefined, `the encode after it failed: ${encoded.error}`)
      assert.equal(encoded.value.status, 'success')
      assert.ok(encoded.ms < WELL_WITHIN, `the encode took ${encoded.ms} ms`)
      assert.equal((await desk.seam.accessMethods.get({ access_method_id })).is_issued, true)
    })
  }
})
