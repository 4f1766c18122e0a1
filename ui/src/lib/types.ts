// The shapes the commands take and return: the TypeScript bindings that ts-rs generates from
// the Rust types into ./bindings (regenerate with
// `UPDATE_BINDINGS=1 cargo test -p frontdesk-desktop bindings`; never edit them by hand).
// Every component imports from here; only UI-only types are defined in this file.

export type { AccessMethodRecord } from './bindings/AccessMethodRecord'
export type { AccessMode } from './bindings/AccessMode'
export type { AddGuest } from './bindings/AddGuest'
export type { ApiStatus } from './bindings/ApiStatus'
export type { AppInfo } from './bindings/AppInfo'
export type { AuditEntry } from './bindings/AuditEntry'
export type { AuditOutcome } from './bindings/AuditOutcome'
export type { AuditQuery } from './bindings/AuditQuery'
export type { Board } from './bindings/Board'
export type { BoardFloor } from './bindings/BoardFloor'
export type { CardContent } from './bindings/CardContent'
export type { CardKind } from './bindings/CardKind'
export type { CardReport } from './bindings/CardReport'
export type { CheckIn } from './bindings/CheckIn'
export type { CheckInOptions } from './bindings/CheckInOptions'
export type { CheckOutResult } from './bindings/CheckOutResult'
export type { Decision } from './bindings/Decision'
export type { DoorVerdict } from './bindings/DoorVerdict'
export type { EncodeEvent } from './bindings/EncodeEvent'
export type { EncodedCard } from './bindings/EncodedCard'
export type { EncoderState } from './bindings/EncoderState'
export type { EntranceOption } from './bindings/EntranceOption'
export type { EntranceView } from './bindings/EntranceView'
export type { FixAction } from './bindings/FixAction'
export type { FoundStay } from './bindings/FoundStay'
export type { GuestDetail } from './bindings/GuestDetail'
export type { LockDecision } from './bindings/LockDecision'
export type { MoveResult } from './bindings/MoveResult'
export type { NewGuest } from './bindings/NewGuest'
export type { Operator } from './bindings/Operator'
export type { OutstandingCard } from './bindings/OutstandingCard'
export type { Reason } from './bindings/Reason'
export type { Role } from './bindings/Role'
export type { RoomState } from './bindings/RoomState'
export type { RoomTile } from './bindings/RoomTile'
export type { Session } from './bindings/Session'
export type { SimulatedCardView } from './bindings/SimulatedCardView'
export type { SpaceKind } from './bindings/SpaceKind'
export type { StaffAccess } from './bindings/StaffAccess'
export type { StayBar } from './bindings/StayBar'
export type { StayDetail } from './bindings/StayDetail'
export type { StayStatus } from './bindings/StayStatus'
export type { StaySummary } from './bindings/StaySummary'
export type { StoredWarning } from './bindings/StoredWarning'
export type { Timeline } from './bindings/Timeline'
export type { TimelineFloor } from './bindings/TimelineFloor'
export type { TimelineRoom } from './bindings/TimelineRoom'
export type { WarningCode } from './bindings/WarningCode'
export type { WarningView } from './bindings/WarningView'
export type { WireError } from './bindings/WireError'
export type { JsonValue } from './bindings/serde_json/JsonValue'

// ---- UI-only

/** An RFC 3339 instant in UTC, as chrono serializes `DateTime<Utc>`. */
export type Instant = string
/** A UUID, as the uuid crate serializes it. */
export type Uuid = string
