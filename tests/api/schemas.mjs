// Seam's published shapes, from the OpenAPI spec in @seamapi/types (its `connect` export),
// as a JSON-schema validator for every answer the suite receives. `useFrontDesk` hooks it into
// the SDK's HTTP client, so every test checks every object it is given.
//
// Two deliberate allowances, both ours by design and documented in docs/api.md:
// - Extra properties are allowed, as in Seam's schemas (none says additionalProperties:
//   false): our extensions (`card_id`, `entrance_key`, `kind`, `floor`, ...) sit beside
//   Seam's fields. A missing required field or a wrong type still fails.
// - Warnings may carry our own codes, listed in OUR_WARNING_CODES, in the shape every Seam
//   warning has (`warning_code`, `message`, `created_at`). Any other code fails.
import { openapi } from '@seamapi/types/connect'
import Ajv from 'ajv'
import addFormats from 'ajv-formats'

/** The engine's warning codes (crates/engine/src/warnings.rs), beside Seam's. */
export const OUR_WARNING_CODES = [
  'encoding_required',
  'cards_not_collected',
  'previous_guest_can_enter',
  'sequence_inversion',
  'sequence_too_far_ahead',
  // The scan's finding that the card differs from what the desk would write now.
  'acs_credential_on_encoder_out_of_sync',
]

const ourWarning = {
  type: 'object',
  required: ['warning_code', 'message', 'created_at'],
  properties: {
    warning_code: { type: 'string', enum: OUR_WARNING_CODES },
    message: { type: 'string' },
    created_at: { type: 'string', format: 'date-time' },
  },
}

/**
 * The spec as Ajv reads it: our warning shape added to every union of warnings (a `oneOf`
 * told apart by warning_code), and OpenAPI's `nullable` without a `type` (which Ajv refuses)
 * written as JSON schema: "null, or what the rest says".
 */
function prepare(node) {
  if (Array.isArray(node)) return node.map(prepare)
  if (node === null || typeof node !== 'object') return node
  let copy = Object.fromEntries(Object.entries(node).map(([k, v]) => [k, prepare(v)]))
  if (copy.discriminator?.propertyName === 'warning_code' && Array.isArray(copy.oneOf)) {
    copy.oneOf = [...copy.oneOf, ourWarning]
  }
  if (copy.nullable === true && copy.type === undefined) {
    const { nullable, discriminator, ...rest } = copy
    const constrained = Object.keys(rest).some((k) => !k.startsWith('x-') && k !== 'description')
    copy = constrained ? { anyOf: [{ type: 'null' }, rest] } : {}
  }
  return copy
}

const ajv = new Ajv({ strict: false, allErrors: true })
addFormats(ajv)
// OpenAPI's number formats; JSON numbers are finite already.
ajv.addFormat('float', { type: 'number', validate: Number.isFinite })
ajv.addSchema(prepare({ $id: 'seam', components: openapi.components }))

/** The validator of one of Seam's objects by schema name (`access_grant`, ...). */
export const schema = (name) => ajv.getSchema(`seam#/components/schemas/${name}`)

// A route's answer refers to the objects as `#/components/schemas/x`: point that at the spec.
function withAbsoluteRefs(node) {
  if (Array.isArray(node)) return node.map(withAbsoluteRefs)
  if (node === null || typeof node !== 'object') return node
  return Object.fromEntries(Object.entries(node).map(([k, v]) =>
    [k, k === '$ref' && typeof v === 'string' && v.startsWith('#/') ? `seam${v}` : withAbsoluteRefs(v)]))
}

const byRoute = new Map()

/** The validator of a route's successful answer, or null for a route Seam does not have. */
function routeValidator(path) {
  if (!byRoute.has(path)) {
    const operation = openapi.paths[path]?.post ?? openapi.paths[path]?.get
    const answer = operation?.responses?.['200']?.content?.['application/json']?.schema
    byRoute.set(path, answer ? ajv.compile(prepare(withAbsoluteRefs(answer))) : null)
  }
  return byRoute.get(path)
}

/** Every route whose answers were checked, and every violation found. */
export const checked = new Set()
export const violations = []

/** Checks one answer of `path`; returns the problems, also recorded in `violations`. */
export function checkAnswer(path, body) {
  const validate = routeValidator(path)
  if (!validate) return []
  checked.add(path)
  if (validate(body)) return []
  const problems = validate.errors.map((e) => `${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`)
  violations.push({ path, problems, body })
  return problems
}

/** Hooks the checks into an SDK client: a wrong answer fails the call that received it. */
export function checkEveryAnswer(seam) {
  seam.client.interceptors.response.use((response) => {
    const path = new URL(response.config.url, 'http://x').pathname
    const problems = checkAnswer(path, response.data)
    if (problems.length > 0) {
      throw new Error(`${path} answered outside Seam's schema:\n  ${problems.join('\n  ')}\n${JSON.stringify(response.data)}`)
    }
    return response
  })
}
