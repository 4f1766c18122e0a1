// The shapes the commands take and return. Where ts-rs has generated a type into ./bindings
// it is re-exported from there; the others are PROVISIONAL hand-written twins of the Rust
// structs (crates/frontdesk/src/{stays,operators,cards,error}.rs, crates/store/src/{records,
// audit,desk}.rs, crates/engine/src/lock.rs), written the way ts-rs writes them: snake_case
// fields, `Option<T>` as `T | null`, DateTime<Utc> and Uuid as strings.
//
// When ./bindings/<Name>.ts appears, replace the provisional definition below with
// `export type { Name } from './bindings/Name'`: every component imports from here, so this
// file is the one place to switch.

export type { AppInfo } from './bindings/AppInfo'
export type { EncoderState } from './bindings/EncoderState'
export type { WireError } from './bindings/WireError'

/** An RFC 3339 instant in UTC, as chrono serializes `DateTime<Utc>`. */
export type Instant = string
/** A UUID, as the uuid crate serializes it. */
export type Uuid = string

// ---- operators (crates/frontdesk/src/operators.rs, crates/store/src/desk.rs)

export type Role = 'receptionist' | 'manager'

export type Operator = { id: Uuid; name: string; role: Role }

export type Session = { token: string; operator: Operator }

// ---- the room board and stays (crates/frontdesk/src/stays.rs)

export type RoomState = 'vacant' | 'arriving' | 'in_house' | 'departing'

export type SpaceKind = 'guest_room' | 'suite' | 'unit' | 'common'

export type StaySummary = {
  reservation_key: string
  starts_at: Instant
  ends_at: Instant
  guests: Array<string>
  warnings: number
}

export type RoomTile = {
  space_id: Uuid
  key: string
  name: string
  kind: SpaceKind
  state: RoomState
  has_warnings: boolean
  /** Today's stays, earliest first. */
  stays: Array<StaySummary>
}

export type BoardFloor = { floor: number | null; label: string; rooms: Array<RoomTile> }

export type Board = {
  property_name: string
  time_zone: string
  now: Instant
  floors: Array<BoardFloor>
}

export type WarningCode =
  | 'encoding_required'
  | 'cards_not_collected'
  | 'previous_guest_can_enter'
  | 'sequence_inversion'

export type StoredWarning = {
  code: WarningCode
  message: string
  access_method_id: Uuid | null
  entrance_id: Uuid | null
  created_at: Instant
}

export type AccessMode = 'card' | 'mobile_key' | 'code'

export type AccessMethodRecord = {
  id: Uuid
  access_grant_id: Uuid
  request_index: number
  mode: AccessMode
  code: string | null
  /** Cards: 1 for a grant's first card, 2 for the next copy, and so on. */
  copy_number: number | null
  created_at: Instant
  issued_at: Instant | null
  card_id: string | null
  is_encoding_required: boolean
  revoked_at: Instant | null
  collected_at: Instant | null
  lost_at: Instant | null
  warnings: Array<StoredWarning>
}

export type GuestDetail = {
  user_identity_id: Uuid
  full_name: string | null
  access_grant_id: Uuid
  entrance_ids: Array<Uuid>
  starts_at: Instant
  ends_at: Instant
  cards: Array<AccessMethodRecord>
  warnings: Array<StoredWarning>
}

export type StayDetail = {
  reservation_key: string
  space_id: Uuid | null
  room_name: string
  starts_at: Instant
  ends_at: Instant
  guests: Array<GuestDetail>
}

export type EntranceOption = { acs_entrance_id: Uuid; name: string; selected: boolean }

export type CheckInOptions = {
  space_id: Uuid
  room_name: string
  starts_at: Instant
  ends_at: Instant
  room_doors: Array<EntranceOption>
  common_areas: Array<EntranceOption>
}

export type NewGuest = {
  full_name: string
  email_address: string | null
  phone_number: string | null
}

export type CheckIn = {
  space_id: Uuid
  starts_at: Instant
  ends_at: Instant
  guests: Array<NewGuest>
  common_entrance_ids: Array<Uuid>
  cards_per_guest: number
  reservation_key: string | null
}

export type AddGuest = {
  reservation_key: string
  guest: NewGuest
  /** Some of the stay's room doors; all of them when null. */
  room_entrance_ids: Array<Uuid> | null
  common_entrance_ids: Array<Uuid>
  cards: number
}

/** A card of the old room that still opens it after a move or check-out. */
export type OutstandingCard = {
  access_method_id: Uuid
  card_id: string | null
  guest: string | null
  doors: Array<string>
  valid_until: Instant
}

export type MoveResult = { stay: StayDetail; old_cards: Array<OutstandingCard> }

export type CheckOutResult = { reservation_key: string; uncollected: Array<OutstandingCard> }

export type FixAction = 're_encode' | 'collect_card' | 'reissue_stay' | 'none'

export type WarningView = {
  access_grant_id: Uuid
  access_method_id: Uuid | null
  code: WarningCode
  message: string
  created_at: Instant
  reservation_key: string | null
  guest: string | null
  fix: FixAction
}

export type StaffAccess = {
  access_grant_id: Uuid
  full_name: string | null
  entrance_ids: Array<Uuid>
  starts_at: Instant
  ends_at: Instant
  cards: Array<AccessMethodRecord>
}

export type EntranceView = {
  acs_entrance_id: Uuid
  name: string
  key: string
  can_belong_to_reservation: boolean
  space_ids: Array<Uuid>
}

// ---- cards and locks (crates/frontdesk/src/cards.rs, crates/engine/src/lock.rs)

export type EncodedCard = {
  /** The access method it was written for, now issued (none for a cancel card). */
  access_method: AccessMethodRecord | null
  card_id: string
  op_id: Uuid
}

/** The payload of the `encode-progress` event. `index` counts from 0 within the batch. */
export type EncodeEvent =
  | { event: 'present_card'; index: number; total: number }
  | { event: 'progress'; index: number; done: number; total: number }
  | { event: 'written'; index: number; card: EncodedCard }

export type Decision = 'granted' | 'denied'

/** Why a lock decided as it did (serde: internally tagged by `reason`). */
export type Reason =
  | { reason: 'joined' }
  | { reason: 'overrode'; from: number; to: number }
  | { reason: 'common_area' }
  | { reason: 'staff_access' }
  | { reason: 'cancel_applied'; from: number; to: number }
  | { reason: 'cancel_stale'; card: number; lock: number }
  | { reason: 'wrong_property' }
  | { reason: 'unknown_format'; version: number }
  | { reason: 'retired_key_epoch'; epoch: number }
  | { reason: 'not_yet_valid' }
  | { reason: 'expired' }
  | { reason: 'door_not_on_card' }
  | { reason: 'no_sequence_for_door' }
  | { reason: 'overridden'; card: number; lock: number }
  | { reason: 'sequence_too_far_ahead'; card: number; lock: number }
  | { reason: 'outside_shift' }
  | { reason: 'not_authentic' }

export type CardKind = 'guest' | 'staff' | 'cancel'

export type CardContent = {
  kind: CardKind
  copy_number: number
  key_epoch: number
  issued_at: Instant
  valid_from: Instant
  valid_until: Instant
}

export type DoorVerdict = {
  acs_entrance_id: Uuid
  name: string
  sequence: number | null
  decision: Decision
  reason: Reason
  explanation: string
}

export type CardReport = {
  card_id: string
  blank: boolean
  authentic: boolean
  problem: string | null
  content: CardContent | null
  access_method_id: Uuid | null
  access_grant_id: Uuid | null
  reservation_key: string | null
  user_full_name: string | null
  doors: Array<DoorVerdict>
  out_of_sync: Array<string>
}

export type LockDecision = {
  acs_entrance_id: Uuid
  card_id: string
  at: Instant
  decision: Decision
  reason: Reason
  explanation: string
}

/** A card the simulated encoder has, for the door simulator's picker. */
export type SimulatedCardView = { card_id: string; written: boolean; holder: string | null }

// ---- manager (crates/store/src/audit.rs)

export type AuditOutcome = 'ok' | 'refused'

/** Any JSON value (ts-rs's serde-json-impl). */
export type JsonValue = number | string | boolean | Array<JsonValue> | { [key in string]?: JsonValue } | null

export type AuditEntry = {
  /** i64 in Rust: ts-rs writes `bigint`, but JSON carries a number. */
  id: number
  at: Instant
  actor: string
  action: string
  subject_id: string | null
  outcome: AuditOutcome
  before: JsonValue | null
  after: JsonValue | null
  detail: string | null
}

export type AuditQuery = {
  actor: string | null
  room_space_id: Uuid | null
  since: Instant | null
  until: Instant | null
  limit: number | null
}

export type ApiStatus = { enabled: boolean; address: string | null; key_file: string | null }
