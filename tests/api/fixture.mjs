// One server and SDK client per test file, with the property's ids looked up by key,
// since the guide writes "room-101" where a real id goes. Every answer the client receives
// is checked against Seam's published schema (schemas.mjs): a call that gets a wrong answer
// fails, and a file whose answers broke the schema anywhere fails at its end.
import assert from 'node:assert/strict'
import { after, before } from 'node:test'
import { Seam } from 'seam'

import { checkEveryAnswer, violations } from './schemas.mjs'
import { apiKey, startServer } from './server.mjs'

/** `options` go to startServer (`args` for extra `frontdesk serve` flags). */
export function useFrontDesk(options = {}) {
  const context = {}
  before(async () => {
    context.server = await startServer(options)
    context.seam = new Seam({ apiKey, endpoint: context.server.endpoint })
    checkEveryAnswer(context.seam)
    const spaces = await context.seam.spaces.list()
    const entrances = await context.seam.acs.entrances.list()
    context.space = Object.fromEntries(spaces.map((s) => [s.space_key, s.space_id]))
    context.entrance = Object.fromEntries(entrances.map((e) => [e.entrance_key, e.acs_entrance_id]))
  })
  after(async () => {
    await context.server?.stop()
    assert.deepEqual(violations.map(({ path, problems }) => ({ path, problems })), [],
      "every answer has Seam's shape")
  })
  context.guest = async (name = 'Guest') =>
    (await context.seam.userIdentities.create({ full_name: name })).user_identity_id
  context.staff = async (name = 'Housekeeping') =>
    (await context.seam.userIdentities.create({ full_name: name, kind: 'staff' })).user_identity_id
  return context
}

/** Awaits `promise`, expecting the SDK to throw the API's error. */
export async function apiError(promise) {
  try {
    await promise
  } catch (error) {
    return error
  }
  throw new Error('expected the request to fail')
}
