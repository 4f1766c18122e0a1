// Every example of the "Reservation Access Grants" guide through the unmodified seam SDK
// (1.245.0) against a freshly started `frontdesk serve`, asserting what the SDK sees.
//
// Two changes to the guide's code, both forced by the SDK: ids are looked up by key (the
// guide writes "room-101" where an id goes), and every create passes
// requested_access_methods, which the SDK requires before it sends anything.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { SeamHttpApiError } from 'seam'

import { apiError, useFrontDesk } from './fixture.mjs'

const desk = useFrontDesk()
const card = [{ mode: 'card' }]
const starts_at = '2025-05-10T15:00:00Z'
const ends_at = '2025-05-14T11:00:00Z'

function assertApiError(error, statusCode, code, title, message) {
  assert.ok(error instanceof SeamHttpApiError, `expected SeamHttpApiError, got ${error}`)
  assert.equal(error.statusCode, statusCode)
  assert.equal(error.code, code)
  assert.equal(error.message, message)
  assert.ok(error.requestId.startsWith('request_'), 'the SDK read a request id')
  assert.equal(error.cause?.response?.data?.error?.title, title)
}

describe('Issuing Access Grants with Reservations', () => {
  test('2. check entrance capabilities', async () => {
    const entrances = await desk.seam.acs.entrances.list({ space_id: desk.space['room-101'] })
    const capable = entrances.filter((e) => e.can_belong_to_reservation)
    assert.deepEqual(capable.map((e) => e.entrance_key), ['room-101-door'])
    const gym = await desk.seam.acs.entrances.list({ space_id: desk.space.gym })
    assert.ok(gym.every((e) => !e.can_belong_to_reservation))
  })

  test('mixed grants: reservation behaviour per entrance', async () => {
    const guest = await desk.guest()
    const grant = await desk.seam.accessGrants.create({
      user_identity_id: guest,
      acs_entrance_ids: [desk.entrance['room-101-door'], desk.entrance['gym-door'], desk.entrance['lobby-door']],
      starts_at: '2025-05-10T15:00:00Z',
      ends_at: '2025-05-14T11:00:00Z',
      requested_access_methods: [{ mode: 'card' }],
      reservation_key: 'mixed-stay-1',
    })
    assert.equal(grant.reservation_key, 'mixed-stay-1')
    assert.equal(grant.acs_entrance_ids.length, 3)
    // A second reservation on the same room and the gym: only room 101 is contested, and
    // the gym never takes part in the subset check.
    const joiner = await desk.seam.accessGrants.create({
      user_identity_id: await desk.guest(),
      acs_entrance_ids: [desk.entrance['room-101-door'], desk.entrance['pool-door']],
      starts_at, ends_at, requested_access_methods: card,
      reservation_key: 'mixed-stay-1',
    })
    assert.equal(joiner.reservation_key, 'mixed-stay-1')
  })

  test('3. create the access grant with reservation_key, 4. Seam provisions credentials', async () => {
    const guest = await desk.guest()
    const grant = await desk.seam.accessGrants.create({
      user_identity_id: guest,
      acs_entrance_ids: [desk.entrance['room-102-door']],
      starts_at: '2025-05-10T15:00:00Z',
      ends_at: '2025-05-14T11:00:00Z',
      requested_access_methods: [{ mode: 'card' }],
      reservation_key: 'stay-provision',
    })
    assert.equal(grant.starts_at, '2025-05-10T15:00:00.000Z')
    assert.equal(grant.ends_at, '2025-05-14T11:00:00.000Z')
    assert.equal(grant.requested_access_methods[0].created_access_method_ids.length, 1)
    const methods = await desk.seam.accessMethods.list({ access_grant_id: grant.access_grant_id })
    assert.equal(methods.length, 1)
    assert.equal(methods[0].mode, 'card')
    assert.equal(methods[0].is_issued, false)
    assert.equal(methods[0].is_ready_for_encoding, true)
    const fetched = await desk.seam.accessMethods.get({ access_method_id: methods[0].access_method_id })
    assert.equal(fetched.access_method_id, methods[0].access_method_id)
  })
})

describe('Rules and Validation', () => {
  test('rule 1: reservation_key requires at least one capable entrance', async () => {
    const error = await apiError(desk.seam.accessGrants.create({
      user_identity_id: await desk.guest(),
      acs_entrance_ids: [desk.entrance['gym-door'], desk.entrance['pool-door']],
      starts_at, ends_at,
      requested_access_methods: [{ mode: 'card' }],
      reservation_key: 'stay-rule-1',
    }))
    assertApiError(error, 400, 'reservation_key_not_supported', 'reservation_key not supported.',
      'No targeted entrances support reservation behavior. Remove reservation_key or include at least one reservation-capable entrance.')
  })

  test('rule 2: the reservation door set is fixed once established', async () => {
    const guest = await desk.guest()
    await desk.seam.accessGrants.create({
      user_identity_id: guest, space_ids: [desk.space['room-101']],
      starts_at, ends_at, requested_access_methods: card, reservation_key: 'stay-rule-2',
    })
    const error = await apiError(desk.seam.accessGrants.create({
      user_identity_id: guest,
      space_ids: [desk.space['room-203']], // different door
      starts_at, ends_at,
      requested_access_methods: [{ mode: 'card' }],
      reservation_key: 'stay-rule-2',
    }))
    assertApiError(error, 409, 'reservation_entrance_change_requires_cleanup',
      'Reservation entrance change requires cleanup.',
      'To change the doors for this reservation, delete the existing access grants first.')

    const access_grants = await desk.seam.accessGrants.list({ reservation_key: 'stay-rule-2' })
    assert.equal(access_grants.length, 1)
    for (const { access_grant_id } of access_grants) {
      await desk.seam.accessGrants.delete({ access_grant_id })
    }
    const moved = await desk.seam.accessGrants.create({
      user_identity_id: guest,
      space_ids: [desk.space['room-203']], // different door
      starts_at, ends_at,
      requested_access_methods: [{ mode: 'card' }],
      reservation_key: 'stay-rule-2',
    })
    assert.deepEqual(moved.space_ids, [desk.space['room-203']])
  })

  test('rule 3: joiners can target subsets of reservation-capable doors', async () => {
    await desk.seam.accessGrants.create({
      user_identity_id: await desk.guest(), space_ids: [desk.space['suite-300']],
      starts_at, ends_at, requested_access_methods: card, reservation_key: 'stay-rule-3',
    })
    // Valid: subset joiner (one of the suite's two doors).
    const subset = await desk.seam.accessGrants.create({
      user_identity_id: await desk.guest('guest-2'),
      acs_entrance_ids: [desk.entrance['suite-300-bedroom']], // subset
      starts_at, ends_at, requested_access_methods: card,
      reservation_key: 'stay-rule-3',
    })
    assert.equal(subset.acs_entrance_ids.length, 1)
    // Invalid: superset joiner (adds 102).
    const error = await apiError(desk.seam.accessGrants.create({
      user_identity_id: await desk.guest('guest-3'),
      space_ids: [desk.space['suite-300'], desk.space['room-102']], // superset of reservation-capable set
      starts_at, ends_at, requested_access_methods: card,
      reservation_key: 'stay-rule-3',
    }))
    assertApiError(error, 409, 'reservation_joiner_entrance_set_conflict',
      'Reservation joiner entrance set conflict.',
      'Joiner access grants must use the same or a subset of the reservation-capable doors.')
  })

  test('rule 4: time frames must overlap', async () => {
    await desk.seam.accessGrants.create({
      user_identity_id: await desk.guest('guest-1'), space_ids: [desk.space['room-102']],
      starts_at: '2025-05-10T15:00:00Z', ends_at: '2025-05-14T11:00:00Z',
      requested_access_methods: card, reservation_key: 'stay-rule-4',
    })
    // joiner with overlapping window
    await desk.seam.accessGrants.create({
      user_identity_id: await desk.guest('guest-2'), space_ids: [desk.space['room-102']],
      starts_at: '2025-05-11T11:00:00Z', // overlaps with guest-1
      ends_at: '2025-05-14T11:00:00Z',
      requested_access_methods: card, reservation_key: 'stay-rule-4',
    })
    const error = await apiError(desk.seam.accessGrants.create({
      user_identity_id: await desk.guest('guest-3'), space_ids: [desk.space['room-102']],
      starts_at: '2025-05-15T15:00:00Z', // no overlap with guest-1
      ends_at: '2025-05-18T11:00:00Z',
      requested_access_methods: card, reservation_key: 'stay-rule-4',
    }))
    assertApiError(error, 409, 'reservation_time_frames_must_overlap',
      'Reservation time frames must overlap.',
      'Access grants in the same reservation must have overlapping time frames.')
  })

  test('error table: reservation_key required for guest cards', async () => {
    const error = await apiError(desk.seam.accessGrants.create({
      user_identity_id: await desk.guest(), space_ids: [desk.space['room-203']],
      starts_at, ends_at, requested_access_methods: card,
    }))
    assertApiError(error, 400, 'reservation_key_required_for_guest_cards',
      'reservation_key required for guest cards.',
      'The targeted provider requires a reservation for guest credentials (e.g., Visionline) but none was provided. Add a reservation_key when issuing guest credentials for these entrances.')
  })

  test('staff credentials are issued without a reservation and cannot join one', async () => {
    const staff = await desk.staff()
    const grant = await desk.seam.accessGrants.create({
      user_identity_id: staff, space_ids: [desk.space['room-101'], desk.space['room-102']],
      starts_at, ends_at, requested_access_methods: card,
    })
    assert.ok(!('reservation_key' in grant), 'standard access has no reservation_key')
    const error = await apiError(desk.seam.accessGrants.create({
      user_identity_id: staff, space_ids: [desk.space['room-101']],
      starts_at, ends_at, requested_access_methods: card, reservation_key: 'stay-staff',
    }))
    assert.equal(error.statusCode, 400)
    assert.equal(error.code, 'staff_credentials_cannot_belong_to_reservation')
  })

  test('the SDK itself refuses a create without requested_access_methods', async () => {
    await assert.rejects(
      desk.seam.accessGrants.create({
        user_identity_id: await desk.guest(), space_ids: [desk.space['room-101']],
        starts_at, ends_at, reservation_key: 'stay-sdk',
      }),
      TypeError,
    )
  })
})

describe('Common scenarios', () => {
  test('1. back-to-back reservations', async () => {
    // guest 1 (sat → wed); in September, clear of the other tests' stays in room 203
    const first = await desk.seam.accessGrants.create({
      user_identity_id: await desk.guest('guest-1'), space_ids: [desk.space['room-203']],
      starts_at: '2025-09-06T15:00:00Z', ends_at: '2025-09-10T11:00:00Z',
      requested_access_methods: [{ mode: 'card' }], reservation_key: 'b2b-stay-1',
    })
    // guest 2 (wed → fri): different key → overrides guest 1 on first use
    const second = await desk.seam.accessGrants.create({
      user_identity_id: await desk.guest('guest-2'), space_ids: [desk.space['room-203']],
      starts_at: '2025-09-10T15:00:00Z', ends_at: '2025-09-12T11:00:00Z',
      requested_access_methods: [{ mode: 'card' }], reservation_key: 'b2b-stay-2',
    })
    assert.notEqual(first.access_grant_id, second.access_grant_id)
    // Stays that do not overlap, set up in order: nothing to warn about.
    assert.deepEqual((await desk.seam.accessGrants.get({ access_grant_id: first.access_grant_id })).warnings, [])
    assert.deepEqual(second.warnings, [])
  })

  test('2. multiple guests on the same reservation', async () => {
    for (const name of ['g1', 'g2']) {
      await desk.seam.accessGrants.create({
        user_identity_id: await desk.guest(name), space_ids: [desk.space['suite-300']],
        starts_at: '2025-06-01T15:00:00Z', ends_at: '2025-06-04T11:00:00Z',
        requested_access_methods: [{ mode: 'card' }], reservation_key: 'multi-stay-1',
      })
    }
    const grants = await desk.seam.accessGrants.list({ reservation_key: 'multi-stay-1' })
    assert.equal(grants.length, 2)
    assert.ok(grants.every((g) => g.reservation_key === 'multi-stay-1'))
  })

  test('3. relocate a reservation to a new room', async () => {
    const guest = await desk.guest('guest-1')
    const oldGrant = await desk.seam.accessGrants.create({
      user_identity_id: guest, space_ids: [desk.space['room-101']],
      starts_at: '2025-07-10T15:00:00Z', ends_at: '2025-07-14T11:00:00Z',
      requested_access_methods: [{ mode: 'card' }], reservation_key: 'move-stay-1',
    })
    await desk.seam.accessGrants.delete({ access_grant_id: oldGrant.access_grant_id })
    const error = await apiError(desk.seam.accessGrants.get({ access_grant_id: oldGrant.access_grant_id }))
    assert.equal(error.statusCode, 404)
    assert.equal(error.code, 'not_found')
    const moved = await desk.seam.accessGrants.create({
      user_identity_id: guest, space_ids: [desk.space['room-203']],
      starts_at: '2025-07-10T15:30:00Z', ends_at: '2025-07-14T11:00:00Z',
      requested_access_methods: [{ mode: 'card' }], reservation_key: 'move-stay-1',
    })
    assert.equal(moved.reservation_key, 'move-stay-1')
  })

  test('4. reservation time frame changes', async () => {
    const grant = await desk.seam.accessGrants.create({
      user_identity_id: await desk.guest(), space_ids: [desk.space['room-102']],
      starts_at: '2025-08-10T15:00:00Z', ends_at: '2025-08-14T11:00:00Z',
      requested_access_methods: [{ mode: 'card' }], reservation_key: 'time-stay-1',
    })
    // extend the reservation window
    await desk.seam.accessGrants.update({
      access_grant_id: grant.access_grant_id,
      ends_at: '2025-08-16T11:00:00Z',
    })
    const updated = await desk.seam.accessGrants.get({ access_grant_id: grant.access_grant_id })
    assert.equal(updated.ends_at, '2025-08-16T11:00:00.000Z')
    // No card was encoded yet, so nothing needs re-encoding.
    const cards = await desk.seam.accessMethods.list({ access_grant_id: grant.access_grant_id })
    assert.equal(cards[0].is_encoding_required, false)

    const error = await apiError(desk.seam.accessGrants.update({
      access_grant_id: grant.access_grant_id, ends_at: '2025-08-01T11:00:00Z',
    }))
    assert.equal(error.statusCode, 400)
    assert.equal(error.code, 'invalid_input')
  })
})
