//! Stays as the front desk works with them, through the desk's use cases: the room board,
//! check-in and its form, joiners, room moves, date changes, lost keys, check-out, the
//! manager's warnings and staff cards. The clock is fixed; the test property is in
//! Europe/Lisbon (UTC+1 in summer, UTC in winter).

// Helpers outside #[test] functions unwrap too, and the shared support returns WireError.
#![allow(clippy::unwrap_used, clippy::result_large_err)]

use std::collections::{BTreeMap, BTreeSet};

use engine::model::{AccessGrantId, AccessMethodId, EntranceId};
use engine::warnings::WarningCode;
use frontdesk::{
    AccessGrantRecord, AccessMethodRecord, AuditEntry, AuditFilter, Board, CheckIn, FixAction,
    GrantFilter, MoveResult, NewGuest, Operator, Role, RoomState, RoomTile, StayDetail, WireError,
};
use store::AuditOutcome;
use uuid::Uuid;

use crate::support::{Desk, at, present};

mod audit_log;
mod board;
mod card_capacity;
mod check_in;
mod check_out;
mod dates;
mod group;
mod joiners;
mod lost_keys;
mod moves;
mod overlaps;
mod remade_cards;
mod staff_and_roles;
mod warnings;

/// When the desk books the stays ahead of time.
const BOOKED: &str = "2025-07-10T12:00:00Z";
/// 15:00 in Lisbon on Monday 14 July.
const ARRIVE: &str = "2025-07-14T14:00:00Z";
/// 11:00 in Lisbon on Friday 18 July.
const LEAVE: &str = "2025-07-18T10:00:00Z";
/// Tuesday evening, mid-stay.
const DURING: &str = "2025-07-15T18:00:00Z";

type Row = BTreeMap<String, Option<String>>;

/// Every table but the audit log, which records refusals too.
const DATA_TABLES: [&str; 20] = [
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
    "encode_operations",
    "cards",
    "lock_states",
    "lock_events",
    "one_shot_numbers",
    "action_attempts",
    "operators",
    "settings",
];

fn manager() -> Operator {
    Operator {
        id: Uuid::new_v4(),
        name: "Marta".to_owned(),
        role: Role::Manager,
        terminal: None,
    }
}

fn receptionist() -> Operator {
    Operator {
        id: Uuid::new_v4(),
        name: "Rui".to_owned(),
        role: Role::Receptionist,
        terminal: None,
    }
}

fn guest(name: &str) -> NewGuest {
    NewGuest {
        full_name: name.to_owned(),
        email_address: None,
        phone_number: None,
    }
}

fn doors(desk: &Desk, keys: &[&str]) -> Vec<EntranceId> {
    keys.iter().map(|key| desk.entrance_id(key)).collect()
}

/// The common areas a check-in offers: the gym, lobby and pool doors.
fn common_areas(desk: &Desk) -> Vec<EntranceId> {
    doors(desk, &["gym-door", "lobby-door", "pool-door"])
}

fn request(
    desk: &Desk,
    room: &str,
    starts_at: &str,
    ends_at: &str,
    guests: &[&str],
    key: Option<&str>,
) -> CheckIn {
    CheckIn {
        space_id: desk.space_id(room),
        starts_at: at(starts_at),
        ends_at: at(ends_at),
        guests: guests.iter().map(|name| guest(name)).collect(),
        common_entrance_ids: common_areas(desk),
        cards_per_guest: 1,
        reservation_key: key.map(str::to_owned),
        allow_overlap: false,
    }
}

/// A receptionist checks guests in at `BOOKED`: one card each, every common area.
fn check_in(
    desk: &Desk,
    room: &str,
    starts_at: &str,
    ends_at: &str,
    guests: &[&str],
    key: &str,
) -> StayDetail {
    desk.desk
        .check_in(
            &receptionist(),
            at(BOOKED),
            &request(desk, room, starts_at, ends_at, guests, Some(key)),
        )
        .unwrap()
}

fn refused<T: std::fmt::Debug>(result: frontdesk::Result<T>) -> WireError {
    match result {
        Ok(value) => panic!("expected a refusal, got {value:?}"),
        Err(error) => error.to_wire(),
    }
}

fn assert_invalid(error: &WireError, field: &str) {
    assert_eq!(error.status, 400, "{error:?}");
    assert_eq!(error.error_type, "invalid_input", "{error:?}");
    assert_eq!(error.field.as_deref(), Some(field), "{error:?}");
    assert!(error.message.starts_with(field), "{error:?}");
}

fn snapshot(desk: &Desk) -> BTreeMap<&'static str, Vec<Row>> {
    desk.desk
        .store()
        .read(|r| {
            let mut tables = BTreeMap::new();
            for table in DATA_TABLES {
                tables.insert(table, r.table_rows(table)?);
            }
            Ok::<_, store::Error>(tables)
        })
        .unwrap()
}

fn audit(desk: &Desk) -> Vec<AuditEntry> {
    desk.desk.audit_log(&AuditFilter::default()).unwrap()
}

/// The newest audit entry of `action`.
fn last_audit(desk: &Desk, action: &str) -> AuditEntry {
    audit(desk)
        .into_iter()
        .find(|entry| entry.action == action)
        .unwrap_or_else(|| panic!("no audit entry for {action}"))
}

fn assert_refusal_audited(desk: &Desk, action: &str, actor: &str, error: &WireError) {
    let entry = last_audit(desk, action);
    assert_eq!(entry.outcome, AuditOutcome::Refused, "{entry:?}");
    assert_eq!(entry.actor, actor);
    let detail = entry.detail.unwrap_or_default();
    assert!(detail.starts_with(error.error_type.as_str()), "{detail}");
}

/// The live grants of a stay, oldest first.
fn grants_of(desk: &Desk, key: &str) -> Vec<AccessGrantRecord> {
    desk.desk
        .access_grants(&GrantFilter {
            reservation_key: Some(key.to_owned()),
            ..Default::default()
        })
        .unwrap()
}

/// A grant, deleted or not.
fn grant_ever(desk: &Desk, id: AccessGrantId) -> AccessGrantRecord {
    desk.desk
        .store()
        .read(|r| r.access_grant(id))
        .unwrap()
        .unwrap()
}

/// An access method, revoked or not.
fn method(desk: &Desk, id: AccessMethodId) -> AccessMethodRecord {
    desk.desk
        .store()
        .read(|r| r.access_method(id))
        .unwrap()
        .unwrap()
}

fn entrance_keys(desk: &Desk, grant: &AccessGrantRecord) -> BTreeSet<String> {
    grant
        .entrance_ids()
        .into_iter()
        .map(|id| desk.desk.entrance(id).unwrap().key)
        .collect()
}

fn keys(list: &[&str]) -> BTreeSet<String> {
    list.iter().map(|key| (*key).to_owned()).collect()
}

fn guest_named<'a>(stay: &'a StayDetail, name: &str) -> &'a frontdesk::GuestDetail {
    stay.guests
        .iter()
        .find(|guest| guest.full_name.as_deref() == Some(name))
        .unwrap_or_else(|| panic!("no guest {name} in {stay:?}"))
}

/// Encodes the access method's card onto a fresh blank on the simulated encoder.
fn issue(desk: &Desk, id: AccessMethodId) -> String {
    desk.station
        .simulator()
        .expect("the test desk uses the simulated encoder")
        .present_blank_card();
    let written = desk.encode(id);
    assert_eq!(
        written.access_method.as_ref().map(|method| method.id),
        Some(id)
    );
    written.card_id
}

/// A fix action as the desktop app receives it.
fn fix_name(fix: FixAction) -> String {
    serde_json::to_value(fix)
        .unwrap()
        .as_str()
        .unwrap()
        .to_owned()
}

fn tile<'a>(board: &'a Board, key: &str) -> &'a RoomTile {
    board
        .floors
        .iter()
        .flat_map(|floor| &floor.rooms)
        .find(|room| room.key == key)
        .unwrap_or_else(|| panic!("no tile for {key}"))
}

fn state(desk: &Desk, key: &str, now: &str) -> RoomState {
    let board = desk.desk.room_board(&receptionist(), at(now)).unwrap();
    tile(&board, key).state
}

/// The `cards_not_collected` message of a grant, if it has one.
fn lost_card_warning(grant: &AccessGrantRecord) -> Option<String> {
    grant
        .warnings
        .iter()
        .find(|warning| warning.code == WarningCode::CardsNotCollected)
        .map(|warning| warning.message.clone())
}

/// Ana and Bruno check in to room 101 for the week under `key`, with two cards each.
fn two_guests_with_two_cards(desk: &Desk, key: &str) -> Vec<AccessGrantRecord> {
    let mut stay = request(
        desk,
        "room-101",
        ARRIVE,
        LEAVE,
        &["Ana Silva", "Bruno Costa"],
        Some(key),
    );
    stay.cards_per_guest = 2;
    desk.desk
        .check_in(&receptionist(), at(BOOKED), &stay)
        .unwrap();
    grants_of(desk, key)
}

/// Ana and Bruno with two cards each; Bruno gives one back unmade (it is revoked) and asks
/// for a duplicate: four cards held, all encoded.
fn stay_with_a_copy(desk: &Desk) -> Vec<AccessGrantRecord> {
    let grants = two_guests_with_two_cards(desk, "R-7");
    // Bruno gives one of his two cards back unmade, then asks for a duplicate.
    desk.desk
        .delete_access_method(&desk.context, grants[1].access_method_ids[1])
        .unwrap();
    desk.desk
        .add_card_copy(&desk.context, grants[1].id)
        .unwrap();
    let grants = grants_of(desk, "R-7");
    for grant in &grants {
        for id in &grant.access_method_ids {
            if method(desk, *id).revoked_at.is_none() {
                issue(desk, *id);
            }
        }
    }
    grants
}

/// A receptionist moves stay R-7 to room 102 on Tuesday evening.
fn move_r7_to_room_102(desk: &Desk) -> MoveResult {
    desk.desk
        .move_stay(
            &receptionist(),
            at(DURING),
            "R-7",
            desk.space_id("room-102"),
            false,
        )
        .unwrap()
}

/// Whether every card of the stay is still to encode.
fn none_encoded(stay: &StayDetail) -> bool {
    stay.guests
        .iter()
        .flat_map(|guest| &guest.cards)
        .all(|card| !card.is_issued())
}

fn live_cards(stay: &StayDetail) -> usize {
    stay.guests.iter().map(|guest| guest.cards.len()).sum()
}
