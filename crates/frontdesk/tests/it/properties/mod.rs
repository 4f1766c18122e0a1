//! Property-based tests: random sequences of front-desk operations (create, update and delete
//! grants; copy, encode, collect and revoke access methods; the clock moving on) through the
//! real use cases on a real SQLite database. After every operation the whole database is
//! read back and checked against the invariants of `docs/domain.md`, and a small model of the
//! reservations predicts whether each operation goes through and, if not, with which error.
// Helpers outside #[test] functions unwrap too; requests and errors are kept unboxed.
#![allow(
    clippy::unwrap_used,
    clippy::result_large_err,
    clippy::large_enum_variant
)]

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Duration, TimeZone, Utc};
use engine::model::{AccessMode, TimeFrame, UserKind};
use frontdesk::{
    AccessGrantRecord, AccessMethodRecord, CreateAccessGrant, EntranceRecord, SpaceRecord,
    UpdateAccessGrant,
};
use uuid::Uuid;

use crate::support::Desk;

mod checks;
mod expect;
mod invariants;
mod model;
mod ops;
mod world;

/// One row of a table, column name to value as text.
type Row = BTreeMap<String, Option<String>>;

/// Every table the use cases write, except the audit log (which refusals may grow).
const DATA_TABLES: [&str; 12] = [
    "property",
    "access_systems",
    "spaces",
    "entrances",
    "entrance_spaces",
    "user_identities",
    "reservations",
    "reservation_doors",
    "access_grants",
    "access_grant_entrances",
    "access_methods",
    "warnings",
];

/// Tables whose row count may never go down: nothing is ever deleted.
const GROWING_TABLES: [&str; 5] = [
    "access_grants",
    "access_grant_entrances",
    "access_methods",
    "reservations",
    "reservation_doors",
];

const KEYS: [&str; 4] = ["k1", "k2", "k3", "k4"];
const ACTORS: [&str; 3] = ["desk", "api-client", "night-audit"];
const NAMES: [&str; 3] = ["Late checkout", "Room move", ""];
/// Frames are built from slots of six hours around `origin()`, so that stays often touch.
const SLOT_HOURS: i64 = 6;

/// The fixed `now` every sequence starts at.
fn origin() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 5, 10, 12, 0, 0).unwrap()
}

fn slot(n: i64) -> DateTime<Utc> {
    origin() + Duration::hours(n * SLOT_HOURS)
}

// ---------------------------------------------------------------------------------------
// The model
// ---------------------------------------------------------------------------------------

#[derive(Debug, Clone)]
struct ModelGrant {
    id: Uuid,
    key: Option<String>,
    reservation_id: Option<Uuid>,
    /// Reservation-capable doors targeted (they carry the reservation's sequence).
    capable: BTreeSet<Uuid>,
    /// Whether a door of an offline system that opens with a card is targeted: only those
    /// go on the desk's cards.
    has_card_door: bool,
    frame: TimeFrame,
    live: bool,
}

#[derive(Debug, Clone)]
struct ModelMethod {
    id: Uuid,
    grant: Uuid,
    mode: AccessMode,
    revoked: bool,
    card_id: Option<String>,
    /// The end written on its card: the grant's end when it was encoded.
    card_until: Option<DateTime<Utc>>,
    /// The ends written on its earlier cards, each replaced by a card on a new blank: they
    /// are still out there.
    replaced_until: Vec<DateTime<Utc>>,
    collected: bool,
    encoding_required: bool,
}

#[derive(Debug, Clone)]
struct ModelReservation {
    id: Uuid,
    doors: BTreeSet<Uuid>,
}

#[derive(Debug, Default)]
struct Model {
    grants: Vec<ModelGrant>,
    methods: Vec<ModelMethod>,
    /// The live reservation of each key.
    reservations: BTreeMap<String, ModelReservation>,
}

/// Where the model expects a new grant to go.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Placement {
    Standard,
    Establish,
    Join(Uuid),
}

/// What the model expects of one operation: its audit action and the outcome (the error
/// `type` when refused).
#[derive(Debug)]
struct Expect {
    action: &'static str,
    outcome: Result<Expected, &'static str>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Expected {
    Grant(Placement),
    Updated,
    Deleted,
    NewCard,
    Method,
    Revoked(BTreeSet<Uuid>),
    Nothing,
}

// ---------------------------------------------------------------------------------------
// The world: a front desk on a database, the model, and what history has shown
// ---------------------------------------------------------------------------------------

/// A concrete request, made from an [`Op`] against the current state.
#[derive(Debug)]
enum Request {
    Create(CreateAccessGrant),
    Update(UpdateAccessGrant),
    Delete(Uuid),
    CopyCard(Uuid),
    Encode(Uuid),
    Collect(Uuid),
    RevokeMethod(Uuid),
    RevokeMethodsOfGrant(Uuid),
    RevokeMethodsOfReservation(&'static str),
    AdvanceClock(i64),
}

#[derive(Debug)]
enum Outcome {
    Grant(AccessGrantRecord),
    Method(AccessMethodRecord),
    Methods(Vec<AccessMethodRecord>),
    Nothing,
}

/// A whole-database snapshot: the data tables, and the audit log apart.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Snapshot {
    data: BTreeMap<&'static str, Vec<Row>>,
    audit: Vec<Row>,
}

/// What the database has shown so far, to check that history is never rewritten.
#[derive(Debug, Default)]
struct History {
    /// Each reservation's doors and sequences as last seen (`None`: no card encoded yet).
    reservation_doors: BTreeMap<String, BTreeMap<String, Option<i64>>>,
    /// Each (door, sequence) ever handed out, and to which reservation.
    sequences: BTreeMap<(String, i64), String>,
    /// Cleared reservations, with when.
    cleared: BTreeMap<String, String>,
    /// Access methods ever issued.
    issued: BTreeSet<String>,
    /// Row counts of `GROWING_TABLES`.
    counts: BTreeMap<&'static str, usize>,
}

struct World {
    desk: Desk,
    now: DateTime<Utc>,
    /// (id, kind) of users 0 to 3.
    users: Vec<(Uuid, UserKind)>,
    entrances: Vec<EntranceRecord>,
    spaces: Vec<SpaceRecord>,
    model: Model,
    history: History,
    /// How many operations went through and how many were refused, for the coverage check.
    accepted: usize,
    refused: usize,
}

fn cell(row: &Row, column: &str) -> String {
    row.get(column)
        .unwrap_or_else(|| panic!("no column {column}"))
        .clone()
        .unwrap_or_else(|| panic!("{column} is NULL"))
}

fn optional_number(row: &Row, column: &str) -> Option<i64> {
    row[column].as_deref().map(|text| text.parse().unwrap())
}

fn instant(row: &Row, column: &str) -> DateTime<Utc> {
    instant_of(&cell(row, column))
}

fn instant_of(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&Utc)
}

fn is_live(grant: &Row) -> bool {
    grant["deleted_at"].is_none()
}

fn cleared_at(reservation: &Row) -> Option<String> {
    reservation["cleared_at"].clone()
}

/// The one audit row an operation added; every earlier row is unchanged.
fn new_audit_row(before: &Snapshot, after: &Snapshot, what: &str) -> Row {
    assert_eq!(
        after.audit.len(),
        before.audit.len() + 1,
        "{what}\nexpected exactly one new audit record"
    );
    let mut new: Vec<&Row> = after
        .audit
        .iter()
        .filter(|row| !before.audit.contains(row))
        .collect();
    assert_eq!(new.len(), 1, "{what}\nan earlier audit record changed");
    new.pop().unwrap().clone()
}

fn assert_audit(row: &Row, outcome: &str, actor: &str, action: &str, what: &str) {
    assert_eq!(cell(row, "outcome"), outcome, "{what}\naudit outcome");
    assert_eq!(cell(row, "actor"), actor, "{what}\naudit actor");
    assert_eq!(cell(row, "action"), action, "{what}\naudit action");
}

/// Live grants of a key with more than one live grant whose frame overlaps none of the
/// others'.
/// Pairs of live grants of one key whose time frames do not overlap.
fn grants_apart(snapshot: &Snapshot) -> Vec<(String, String)> {
    let mut by_key: BTreeMap<String, Vec<(String, TimeFrame)>> = BTreeMap::new();
    for row in &snapshot.data["access_grants"] {
        if let Some(key) = &row["reservation_key"]
            && is_live(row)
        {
            by_key.entry(key.clone()).or_default().push((
                cell(row, "id"),
                TimeFrame::new(instant(row, "starts_at"), instant(row, "ends_at")),
            ));
        }
    }
    let mut apart = Vec::new();
    for grants in by_key.values() {
        for (index, (id, frame)) in grants.iter().enumerate() {
            for (other, other_frame) in &grants[index + 1..] {
                if !frame.overlaps(other_frame) {
                    apart.push((id.clone(), other.clone()));
                }
            }
        }
    }
    apart
}
