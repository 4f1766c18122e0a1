// Encoders, card encoding and scanning as Seam's action attempts, the simulated encoder's
// failures, and the door simulator, through the unmodified seam SDK against a freshly
// started `frontdesk serve` with the simulated encoder.
//
// The SDK waits for each action attempt itself (it polls /action_attempts/get every second),
// so a call either returns the succeeded attempt or throws SeamActionAttemptFailedError.
import assert from 'node:assert/strict'
import { beforeEach, describe, test } from 'node:test'
import { SeamActionAttemptFailedError, SeamHttpApiError } from 'seam'

import { apiError, useFrontDesk } from './fixture.mjs'

// A short wait for a card, so that the "no card" failure is quick.
const desk = useFrontDesk({ args: ['--card-wait-seconds', '2'] })
beforeEach(lookUp)
const system = {}
let acs_encoder_id

/** Looks up the systems and the desk encoder once, for the first test. */
async function lookUp() {
  if (acs_encoder_id) return
  for (const s of await desk.seam.acs.systems.list()) system[s.external_type] = s.acs_system_id
  const encoders = await desk.seam.acs.encoders.list()
  assert.equal(encoders.length, 1)
  acs_encoder_id = encoders[0].acs_encoder_id
}

/** A card stay for a new guest; returns the grant. */
async function stay(spaceKey, reservation_key, starts_at, ends_at, cards = 1) {
  return desk.seam.accessGrants.create({
    user_identity_id: await desk.guest(`Guest of ${reservation_key}`),
    space_ids: [desk.space[spaceKey]],
    starts_at, ends_at,
    requested_access_methods: Array.from({ length: cards }, () => ({ mode: 'card' })),
    reservation_key,
  })
}

const encode = (access_method_id) =>
  desk.seam.accessMethods.encode({ access_method_id, acs_encoder_id })

const scan = () => desk.seam.acs.encoders.scanCredential({ acs_encoder_id })

const presentCard = async (acs_entrance_id, card_id, at) =>
  (await desk.seam.client.post('/simulate/locks/present_card', { acs_entrance_id, card_id, at })).data

function assertSucceeded(attempt, action_type) {
  assert.equal(attempt.status, 'success', JSON.stringify(attempt))
  assert.equal(attempt.action_type, action_type)
  assert.match(attempt.action_attempt_id, /^[0-9a-f-]{36}$/)
  assert.equal(attempt.error, null)
}

/** Encodes and checks the attempt; returns the card's id. */
async function encodeCard(access_method_id) {
  const attempt = await encode(access_method_id)
  assertSucceeded(attempt, 'ENCODE_CREDENTIAL')
  assert.equal(attempt.result.access_method_id, access_method_id)
  assert.match(attempt.result.card_id, /^[0-9A-F]{8,20}$/)
  return attempt.result.card_id
}

describe('encoders', () => {
  test('the desk encoder is listed for the offline system, none for the online one', async () => {
    const encoders = await desk.seam.acs.encoders.list()
    assert.equal(encoders.length, 1)
    const [encoder] = encoders
    assert.equal(encoder.acs_system_id, system.visionline_system)
    assert.equal(typeof encoder.display_name, 'string')
    assert.ok(!Number.isNaN(Date.parse(encoder.created_at)))
    assert.deepEqual(encoder.errors, [])

    const visionline = await desk.seam.acs.encoders.list({ acs_system_id: system.visionline_system })
    assert.deepEqual(visionline.map((e) => e.acs_encoder_id), [acs_encoder_id])
    assert.deepEqual(await desk.seam.acs.encoders.list({ acs_system_id: system.brivo_account }), [])
    const both = await desk.seam.acs.encoders.list({
      acs_system_ids: [system.visionline_system, system.brivo_account],
    })
    assert.deepEqual(both.map((e) => e.acs_system_id), [system.visionline_system])
    assert.equal((await desk.seam.acs.encoders.list({ acs_encoder_ids: [acs_encoder_id] })).length, 1)

    const fetched = await desk.seam.acs.encoders.get({ acs_encoder_id })
    assert.equal(fetched.acs_encoder_id, acs_encoder_id)
    const unknown = await apiError(desk.seam.acs.encoders.get({ acs_encoder_id: crypto.randomUUID() }))
    assert.ok(unknown instanceof SeamHttpApiError)
    assert.equal(unknown.statusCode, 404)
  })
})

describe('encoding and scanning', () => {
  test('accessMethods.encode and acs.encoders.encodeCredential each write a card', async () => {
    const grant = await stay('room-101', 'enc-stay-1', '2025-06-10T15:00:00Z', '2025-06-14T11:00:00Z', 2)
    const [first, second] = grant.access_method_ids
    assert.equal((await desk.seam.accessMethods.get({ access_method_id: first })).is_issued, false)

    const firstCard = await encodeCard(first)
    const issued = await desk.seam.accessMethods.get({ access_method_id: first })
    assert.equal(issued.is_issued, true)
    assert.ok(!Number.isNaN(Date.parse(issued.issued_at)))

    const attempt = await desk.seam.acs.encoders.encodeCredential({ access_method_id: second, acs_encoder_id })
    assertSucceeded(attempt, 'ENCODE_CREDENTIAL')
    assert.equal(attempt.result.access_method_id, second)
    assert.notEqual(attempt.result.card_id, firstCard, 'each encode writes a fresh card')
    assert.equal((await desk.seam.accessMethods.get({ access_method_id: second })).is_issued, true)
  })

  test('scanCredential reads the card last encoded, still on the encoder', async () => {
    const grant = await stay('room-203', 'enc-scan-1', '2025-06-10T15:00:00Z', '2025-06-14T11:00:00Z')
    const [method] = grant.access_method_ids
    const card_id = await encodeCard(method)

    const attempt = await scan()
    assertSucceeded(attempt, 'SCAN_CREDENTIAL')
    const onEncoder = attempt.result.acs_credential_on_encoder
    assert.equal(onEncoder.card_id, card_id)
    assert.equal(onEncoder.is_issued, true)
    assert.equal(onEncoder.is_authentic, true)
    assert.equal(onEncoder.starts_at, '2025-06-10T15:00:00.000Z')
    assert.equal(onEncoder.ends_at, '2025-06-14T11:00:00.000Z')
    assert.deepEqual(onEncoder.doors.map((d) => d.acs_entrance_id), [desk.entrance['room-203-door']])
    const onSeam = attempt.result.acs_credential_on_seam
    assert.equal(onSeam.access_method_id, method)
    assert.equal(onSeam.access_grant_id, grant.access_grant_id)
    assert.equal(onSeam.reservation_key, 'enc-scan-1')
    assert.deepEqual(attempt.result.warnings, [])
  })

  test('encode refuses what is not a card, or an unknown encoder, before touching a card', async () => {
    const grant = await desk.seam.accessGrants.create({
      user_identity_id: await desk.guest(), space_ids: [desk.space['room-101']],
      starts_at: '2025-06-20T15:00:00Z', ends_at: '2025-06-22T11:00:00Z',
      requested_access_methods: [{ mode: 'mobile_key' }], reservation_key: 'enc-mobile-1',
    })
    const mobile = await apiError(encode(grant.access_method_ids[0]))
    assert.ok(mobile instanceof SeamHttpApiError)
    assert.equal(mobile.statusCode, 400)
    assert.equal(mobile.code, 'invalid_input')
    assert.deepEqual(mobile.validationErrors.map((e) => e.parameterName), ['access_method_id'])

    const noMethod = await apiError(encode(crypto.randomUUID()))
    assert.equal(noMethod.statusCode, 404)
    const noEncoder = await apiError(desk.seam.accessMethods.encode({
      access_method_id: grant.access_method_ids[0], acs_encoder_id: crypto.randomUUID(),
    }))
    assert.equal(noEncoder.statusCode, 404)
  })
})

describe('encodeCredential by acs_credential_id', () => {
  test("a card access method is its card's credential: encoding it by that id re-encodes the card", async () => {
    const grant = await stay('room-101', 'enc-cred-1', '2025-07-10T15:00:00Z', '2025-07-14T11:00:00Z')
    const access_grant_id = grant.access_grant_id
    const [access_method_id] = grant.access_method_ids
    const first = await encode(access_method_id)
    assertSucceeded(first, 'ENCODE_CREDENTIAL')
    assert.equal(first.result.acs_credential_id, access_method_id)
    const onSeam = (await scan()).result.acs_credential_on_seam
    assert.equal(onSeam.acs_credential_id, access_method_id)

    await desk.seam.accessGrants.update({ access_grant_id, ends_at: '2025-07-15T11:00:00Z' })
    assert.equal((await desk.seam.accessMethods.get({ access_method_id })).is_encoding_required, true)

    const again = await desk.seam.acs.encoders.encodeCredential({ acs_credential_id: access_method_id, acs_encoder_id })
    assertSucceeded(again, 'ENCODE_CREDENTIAL')
    assert.equal(again.result.acs_credential_id, access_method_id)
    assert.equal(again.result.access_method_id, access_method_id)
    const fresh = await desk.seam.accessMethods.get({ access_method_id })
    assert.equal(fresh.is_encoding_required, false)
    assert.equal(fresh.is_issued, true)
    assert.deepEqual((await desk.seam.accessGrants.get({ access_grant_id })).warnings, [])
    assert.equal((await scan()).result.acs_credential_on_encoder.ends_at, '2025-07-15T11:00:00.000Z')
  })

  test('an unknown, non-card or contradicting acs_credential_id is refused, naming it', async () => {
    const unknown = await apiError(desk.seam.acs.encoders.encodeCredential({ acs_credential_id: crypto.randomUUID(), acs_encoder_id }))
    assert.ok(unknown instanceof SeamHttpApiError)
    assert.equal(unknown.statusCode, 404)
    assert.match(unknown.message, /acs_credential/)

    const grant = await desk.seam.accessGrants.create({
      user_identity_id: await desk.guest(), space_ids: [desk.space['room-101']],
      starts_at: '2025-07-20T15:00:00Z', ends_at: '2025-07-22T11:00:00Z',
      requested_access_methods: [{ mode: 'mobile_key' }, { mode: 'card' }], reservation_key: 'enc-cred-2',
    })
    const [mobile, card] = grant.access_method_ids
    const notCard = await apiError(desk.seam.acs.encoders.encodeCredential({ acs_credential_id: mobile, acs_encoder_id }))
    assert.equal(notCard.statusCode, 400)
    assert.deepEqual(notCard.validationErrors.map((e) => e.parameterName), ['acs_credential_id'])
    const both = await apiError(desk.seam.acs.encoders.encodeCredential({ acs_credential_id: mobile, access_method_id: card, acs_encoder_id }))
    assert.equal(both.statusCode, 400)
    assert.deepEqual(both.validationErrors.map((e) => e.parameterName), ['acs_credential_id'])
    assert.equal((await desk.seam.accessMethods.get({ access_method_id: card })).is_issued, false)
  })
})

describe('simulated scan failures', () => {
  test('nextCredentialScanWillFail fails the next scan only, not an encode before it; then scans work', async () => {
    const grant = await stay('room-102', 'enc-scanfail-1', '2025-07-24T15:00:00Z', '2025-07-26T11:00:00Z')
    await desk.seam.acs.encoders.simulate.nextCredentialScanWillFail({ acs_encoder_id })
    const card_id = await encodeCard(grant.access_method_ids[0])

    const started = Date.now()
    const failed = await apiError(scan())
    assert.ok(failed instanceof SeamActionAttemptFailedError, `expected the scan to fail, got ${failed}`)
    assert.equal(failed.code, 'uncategorized_error')
    assert.equal(failed.actionAttempt.action_type, 'SCAN_CREDENTIAL')
    assert.ok(Date.now() - started < 5_000)

    const recovered = await scan()
    assertSucceeded(recovered, 'SCAN_CREDENTIAL')
    assert.equal(recovered.result.acs_credential_on_encoder.card_id, card_id)
  })

  test('no_credential_on_encoder fails at once; nextCredentialScanWillSucceed withdraws a staged failure', async () => {
    await desk.seam.acs.encoders.simulate.nextCredentialScanWillFail({ acs_encoder_id, error_code: 'no_credential_on_encoder' })
    const started = Date.now()
    const failed = await apiError(scan())
    assert.ok(failed instanceof SeamActionAttemptFailedError, `expected the scan to fail, got ${failed}`)
    assert.equal(failed.code, 'no_credential_on_encoder')
    assert.ok(Date.now() - started < 1_500, `took ${Date.now() - started} ms`)

    await desk.seam.acs.encoders.simulate.nextCredentialScanWillFail({ acs_encoder_id })
    await desk.seam.acs.encoders.simulate.nextCredentialScanWillSucceed({ acs_encoder_id })
    assertSucceeded(await scan(), 'SCAN_CREDENTIAL')

    const unstaged = await apiError(desk.seam.acs.encoders.simulate.nextCredentialScanWillFail({ acs_encoder_id, error_code: 'action_attempt_expired' }))
    assert.equal(unstaged.statusCode, 400)
    assert.deepEqual(unstaged.validationErrors.map((e) => e.parameterName), ['error_code'])
    const scenario = await apiError(desk.seam.acs.encoders.simulate.nextCredentialScanWillSucceed({ acs_encoder_id, scenario: 'credential_on_encoder_is_empty' }))
    assert.equal(scenario.statusCode, 400)
    assert.deepEqual(scenario.validationErrors.map((e) => e.parameterName), ['scenario'])
    assertSucceeded(await scan(), 'SCAN_CREDENTIAL')
  })
})

describe("the guide's scenarios with cards", () => {
  test('4. reservation time frame changes: encoding_required until re-encoded', async () => {
    const grant = await stay('room-102', 'enc-time-stay-1', '2025-08-10T15:00:00Z', '2025-08-14T11:00:00Z')
    const access_grant_id = grant.access_grant_id
    const [access_method_id] = grant.access_method_ids
    await encodeCard(access_method_id)
    assert.deepEqual((await desk.seam.accessGrants.get({ access_grant_id })).warnings, [])

    // extend the reservation window
    await desk.seam.accessGrants.update({ access_grant_id, ends_at: '2025-08-16T11:00:00Z' })
    const updated = await desk.seam.accessGrants.get({ access_grant_id })
    assert.equal(updated.ends_at, '2025-08-16T11:00:00.000Z')
    assert.deepEqual(updated.warnings.map((w) => w.warning_code), ['encoding_required'])
    const stale = await desk.seam.accessMethods.get({ access_method_id })
    assert.equal(stale.is_encoding_required, true)
    assert.equal(stale.is_issued, true)
    // The card on the encoder still carries the old dates, and the scan says so.
    const scanned = await scan()
    assert.equal(scanned.result.acs_credential_on_encoder.ends_at, '2025-08-14T11:00:00.000Z')
    assert.deepEqual(scanned.result.warnings.map((w) => w.warning_code), ['acs_credential_on_encoder_out_of_sync'])

    // re-encode
    await encodeCard(access_method_id)
    assert.deepEqual((await desk.seam.accessGrants.get({ access_grant_id })).warnings, [])
    const fresh = await desk.seam.accessMethods.get({ access_method_id })
    assert.equal(fresh.is_encoding_required, false)
    assert.equal(fresh.is_issued, true)
    const rescanned = await scan()
    assert.equal(rescanned.result.acs_credential_on_encoder.ends_at, '2025-08-16T11:00:00.000Z')
    assert.deepEqual(rescanned.result.warnings, [])
  })

  test('1. back-to-back reservations at the door: the new guest overrides on first use', async () => {
    const door = desk.entrance['room-203-door']
    // guest 1 (sat → wed) with a late checkout, so that the card is still within its dates
    // when guest 2 arrives; guest 2 (wed → fri), a different reservation.
    const first = await stay('room-203', 'enc-b2b-1', '2025-09-06T15:00:00Z', '2025-09-10T18:00:00Z')
    const second = await stay('room-203', 'enc-b2b-2', '2025-09-10T15:00:00Z', '2025-09-12T11:00:00Z')
    const card1 = await encodeCard(first.access_method_ids[0])
    const card2 = await encodeCard(second.access_method_ids[0])
    assert.notEqual(card1, card2)

    const during = await presentCard(door, card1, '2025-09-07T20:00:00Z')
    assert.equal(during.decision, 'granted')
    assert.equal(typeof during.reason, 'string')
    assert.equal((await presentCard(door, card1, '2025-09-10T10:00:00Z')).decision, 'granted')
    const early = await presentCard(door, card2, '2025-09-10T12:00:00Z')
    assert.deepEqual([early.decision, early.reason], ['denied', 'not_yet_valid'])

    const overrides = await presentCard(door, card2, '2025-09-10T15:30:00Z')
    assert.deepEqual([overrides.decision, overrides.reason], ['granted', 'overrode'])
    const refused = await presentCard(door, card1, '2025-09-10T16:00:00Z')
    assert.deepEqual([refused.decision, refused.reason], ['denied', 'overridden'])
    assert.equal(typeof refused.explanation, 'string')
    const again = await presentCard(door, card2, '2025-09-11T09:00:00Z')
    assert.deepEqual([again.decision, again.reason], ['granted', 'joined'])
  })

  test('the door simulator refuses an unknown card', async () => {
    const unknown = await apiError(presentCard(desk.entrance['room-101-door'], '04FFFFFFFFFFFF'))
    assert.equal(unknown.statusCode, 404)
    const malformed = await apiError(presentCard(desk.entrance['room-101-door'], 'not-a-card'))
    assert.equal(malformed.statusCode, 400)
    assert.equal(malformed.code, 'invalid_input')
  })
})

describe('simulated encoder failures', () => {
  // Every error type the simulator stages (fault_for in crates/api/src/encoding.rs).
  const codes = [
    'no_credential_on_encoder',
    'encoding_interrupted',
    'uncategorized_error',
    'incompatible_card_format',
    'encoder_communication_timeout',
    'encoder_not_online',
  ]

  for (const [index, error_code] of codes.entries()) {
    test(`nextCredentialEncodeWillFail ${error_code}, then nextCredentialEncodeWillSucceed`, async () => {
      const day = (n) => String(1 + 4 * index + n).padStart(2, '0')
      const grant = await stay('suite-300', `enc-fail-${error_code}`, `2025-10-${day(0)}T15:00:00Z`, `2025-10-${day(2)}T11:00:00Z`)
      const [access_method_id] = grant.access_method_ids
      await desk.seam.acs.encoders.simulate.nextCredentialEncodeWillFail({ acs_encoder_id, error_code })

      const error = await apiError(encode(access_method_id))
      assert.ok(error instanceof SeamActionAttemptFailedError, `expected the attempt to fail, got ${error}`)
      assert.equal(error.code, error_code)
      assert.equal(error.actionAttempt.status, 'error')
      assert.equal(error.actionAttempt.action_type, 'ENCODE_CREDENTIAL')
      assert.equal(error.actionAttempt.error.type, error_code)
      assert.equal(error.message, error.actionAttempt.error.message)
      assert.ok(error.message.length > 0)
      assert.equal((await desk.seam.accessMethods.get({ access_method_id })).is_issued, false)

      await desk.seam.acs.encoders.simulate.nextCredentialEncodeWillSucceed({ acs_encoder_id })
      await encodeCard(access_method_id)
      assert.equal((await desk.seam.accessMethods.get({ access_method_id })).is_issued, true)
    })
  }

  test('an error_code the simulator does not stage is refused', async () => {
    const error = await apiError(desk.seam.acs.encoders.simulate.nextCredentialEncodeWillFail({
      acs_encoder_id, error_code: 'credential_deleted',
    }))
    assert.ok(error instanceof SeamHttpApiError)
    assert.equal(error.statusCode, 400)
    assert.equal(error.code, 'invalid_input')
    assert.deepEqual(error.validationErrors.map((e) => e.parameterName), ['error_code'])
  })
})
