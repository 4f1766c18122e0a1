// The installed service, as a property-management system meets it: the seam SDK (the API
// suite's, from tests/api) at FRONTDESK_ENDPOINT with the key from the installed key file
// (FRONTDESK_API_KEY_FILE). Lists the property's entrances, makes a stay's access grant and
// finds it again; a wrong key is refused. Run by tests/install/run.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'

const fromApiSuite = createRequire(new URL('../api/package.json', import.meta.url))
const { Seam, SeamHttpApiError } = await import(pathToFileURL(fromApiSuite.resolve('seam')).href)

const endpoint = process.env.FRONTDESK_ENDPOINT
const apiKey = readFileSync(process.env.FRONTDESK_API_KEY_FILE, 'utf8').trim()
const seam = new Seam({ apiKey, endpoint })

const entrances = await seam.acs.entrances.list()
assert.ok(entrances.length > 0, 'the property has entrances')
const [room] = await seam.spaces.list({ space_key: 'room-101' })
assert.ok(room, "the demo hotel's room 101 is there")

const guest = await seam.userIdentities.create({ full_name: 'Installed Guest' })
const day = 24 * 60 * 60 * 1000
const tomorrow = new Date(Date.now() + day)
const grant = await seam.accessGrants.create({
  user_identity_id: guest.user_identity_id,
  space_ids: [room.space_id],
  starts_at: tomorrow.toISOString(),
  ends_at: new Date(tomorrow.getTime() + 2 * day).toISOString(),
  requested_access_methods: [{ mode: 'card' }],
  reservation_key: 'install-test-stay',
})
const found = await seam.accessGrants.list({ reservation_key: 'install-test-stay' })
assert.deepEqual(found.map((g) => g.access_grant_id), [grant.access_grant_id])
const again = await seam.accessGrants.get({ access_grant_id: grant.access_grant_id })
assert.equal(again.reservation_key, 'install-test-stay')

const stranger = new Seam({ apiKey: 'seam_not_the_installed_key_0000', endpoint })
await assert.rejects(stranger.acs.entrances.list(), (error) => {
  assert.ok(error instanceof SeamHttpApiError, `expected an API error, got ${error}`)
  assert.equal(error.statusCode, 401)
  return true
})

console.log(
  `install test: the service answered: ${entrances.length} entrances, ` +
    `grant ${grant.access_grant_id} made and found, a wrong key refused`,
)
