//! Stays as the front desk works with them, through the desk's use cases: the room board,
//! check-in and its form, joiners, room moves, date changes, lost keys, check-out, the
//! manager's warnings and staff cards. The clock is fixed; the test property is in
//! Europe/Lisbon (UTC+1 in summer, UTC in winter).

// Helpers outside #[test] functions unwrap too, and the shared support returns WireError.
#![allow(clippy::unwrap_used, clippy::result_large_err)]

mod support;

use std::collections::{BTreeMap, BTreeSet};

use engine::lock::{Decision, Reason};
use engine::model::{AccessGrantId, AccessMethodId, EntranceId, TimeFrame};
use engine::warnings::WarningCode;
use frontdesk::{
    AccessGrantRecord, AccessMethodRecord, AddGuest, AuditEntry, AuditFilter, Board, CheckIn,
    FixAction, GrantFilter, LockDecision, MoveResult, NewGuest, Operator, Role, RoomState,
    RoomTile, StayDetail, WireError,
};
use store::AuditOutcome;
use support::{Desk, at, grant_entrance, sequence_at};
use uuid::Uuid;

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
const DATA_TABLES: [&str; 19] = [
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
    "action_attempts",
    "operators",
    "settings",
];

fn manager() -> Operator {
    Operator {
        id: Uuid::new_v4(),
        name: "Marta".to_owned(),
        role: Role::Manager,
    }
}

fn receptionist() -> Operator {
    Operator {
        id: Uuid::new_v4(),
        name: "Rui".to_owned(),
        role: Role::Receptionist,
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

fn present(desk: &Desk, door: &str, card_id: &str, when: &str) -> LockDecision {
    desk.desk
        .present_card(
            &desk.context,
            &desk.station,
            desk.entrance_id(door),
            card_id,
            Some(at(when)),
        )
        .unwrap()
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

// --- the room board --------------------------------------------------------------------------

/// The test property with room 104 on floor 1, room 1001 on floor 10 and a garden annex
/// without a floor.
fn extended_property() -> String {
    let mut file: serde_json::Value = serde_json::from_str(support::TEST_PROPERTY).unwrap();
    let spaces = file["spaces"].as_array_mut().unwrap();
    spaces.push(serde_json::json!(
        { "key": "room-104", "name": "Room 104", "floor": 1, "kind": "guest_room" }));
    spaces.push(serde_json::json!(
        { "key": "room-1001", "name": "Room 1001", "floor": 10, "kind": "guest_room" }));
    spaces.push(serde_json::json!({ "key": "annex", "name": "Garden annex", "kind": "unit" }));
    let entrances = file["entrances"].as_array_mut().unwrap();
    for (key, name, space) in [
        ("room-104-door", "Room 104 door", "room-104"),
        ("room-1001-door", "Room 1001 door", "room-1001"),
        ("annex-door", "Garden annex door", "annex"),
    ] {
        entrances.push(serde_json::json!({
            "key": key, "name": name, "access_system": "vl", "spaces": [space],
            "can_belong_to_reservation": true, "modes": ["card"]
        }));
    }
    file.to_string()
}

#[test]
fn the_board_shows_every_room_by_floor_with_its_state_in_lisbon_time() {
    let desk = Desk::new();
    desk.desk
        .import_property(&desk.context, &extended_property())
        .unwrap();
    let marta = manager();
    check_in(
        &desk,
        "room-101",
        ARRIVE,
        LEAVE,
        &["Ana Silva", "Bruno Costa"],
        "R-101",
    );
    // Leaves at 11:00 Lisbon on the 16th.
    check_in(
        &desk,
        "room-102",
        "2025-07-13T14:00:00Z",
        "2025-07-16T10:00:00Z",
        &["Carla Dias"],
        "R-102",
    );
    // Arrives at 15:00 Lisbon on the 16th.
    check_in(
        &desk,
        "room-203",
        "2025-07-16T14:00:00Z",
        "2025-07-19T10:00:00Z",
        &["Duarte Reis"],
        "R-203",
    );
    // Left two days ago and was never checked out.
    check_in(
        &desk,
        "room-104",
        "2025-07-11T14:00:00Z",
        "2025-07-14T10:00:00Z",
        &["Eva Lopes"],
        "R-104",
    );
    // The suite: a stay next week only, and a housekeeper's card on its doors today.
    check_in(
        &desk,
        "suite-300",
        "2025-07-21T14:00:00Z",
        "2025-07-23T10:00:00Z",
        &["Filipa Nunes"],
        "R-300",
    );
    desk.desk
        .issue_staff_access(
            &marta,
            at(BOOKED),
            "Hana Housekeeping",
            &doors(
                &desk,
                &["suite-300-main", "suite-300-bedroom", "room-1001-door"],
            ),
            TimeFrame::new(at("2025-07-15T00:00:00Z"), at("2025-07-17T00:00:00Z")),
        )
        .unwrap();
    // Room 101's dates change after one of its cards was made: it needs a new card.
    let stay = desk.desk.stay(&receptionist(), "R-101").unwrap();
    issue(&desk, guest_named(&stay, "Ana Silva").cards[0].id);
    desk.desk
        .change_dates(
            &receptionist(),
            at(BOOKED),
            "R-101",
            None,
            Some(at("2025-07-19T10:00:00Z")),
            false,
        )
        .unwrap();

    // 00:30 on Wednesday 16 July in Lisbon, still Tuesday the 15th in UTC. Read in UTC,
    // room 102 would still be in house (it leaves "tomorrow") and room 203 vacant.
    let now = at("2025-07-15T23:30:00Z");
    let board = desk.desk.room_board(&receptionist(), now).unwrap();
    assert_eq!(board.property_name, "Test Inn");
    assert_eq!(board.time_zone, "Europe/Lisbon");
    assert_eq!(board.now, now);

    let layout: Vec<(String, Option<i32>, BTreeSet<String>)> = board
        .floors
        .iter()
        .map(|floor| {
            (
                floor.label.clone(),
                floor.floor,
                floor.rooms.iter().map(|room| room.key.clone()).collect(),
            )
        })
        .collect();
    assert_eq!(
        layout,
        [
            (
                "Floor 1".to_owned(),
                Some(1),
                keys(&["room-101", "room-102", "room-104"])
            ),
            ("Floor 2".to_owned(), Some(2), keys(&["room-203"])),
            ("Floor 3".to_owned(), Some(3), keys(&["suite-300"])),
            ("Floor 10".to_owned(), Some(10), keys(&["room-1001"])),
            ("Other".to_owned(), None, keys(&["annex"])),
        ]
    );
    let states: BTreeMap<&str, (RoomState, bool)> = board
        .floors
        .iter()
        .flat_map(|floor| &floor.rooms)
        .map(|room| (room.key.as_str(), (room.state, room.has_warnings)))
        .collect();
    assert_eq!(
        states,
        BTreeMap::from([
            ("room-101", (RoomState::InHouse, true)),
            ("room-102", (RoomState::Departing, false)),
            ("room-104", (RoomState::Departing, false)),
            ("room-203", (RoomState::Arriving, false)),
            ("suite-300", (RoomState::Vacant, false)),
            ("room-1001", (RoomState::Vacant, false)),
            ("annex", (RoomState::Vacant, false)),
        ])
    );

    let room_101 = tile(&board, "room-101");
    assert_eq!(room_101.name, "Room 101");
    assert_eq!(room_101.space_id, desk.space_id("room-101"));
    assert_eq!(room_101.stays.len(), 1);
    assert_eq!(room_101.stays[0].reservation_key, "R-101");
    assert_eq!(room_101.stays[0].guests, ["Ana Silva", "Bruno Costa"]);
    assert!(room_101.stays[0].warnings > 0);
    assert_eq!(tile(&board, "room-102").stays[0].guests, ["Carla Dias"]);
    assert_eq!(tile(&board, "room-203").stays[0].guests, ["Duarte Reis"]);
    assert_eq!(tile(&board, "room-104").stays[0].guests, ["Eva Lopes"]);
    // Neither next week's stay nor the staff card is a stay of today.
    assert!(tile(&board, "suite-300").stays.is_empty());
    assert!(tile(&board, "room-1001").stays.is_empty());
    // The suite is vacant today and names who comes next; a stay of today is not next.
    let next = |key: &str| {
        tile(&board, key).next_arrival.as_ref().map(|stay| {
            (
                stay.reservation_key.clone(),
                stay.guests.clone(),
                stay.starts_at,
            )
        })
    };
    assert_eq!(
        next("suite-300"),
        Some((
            "R-300".to_owned(),
            vec!["Filipa Nunes".to_owned()],
            at("2025-07-21T14:00:00Z")
        ))
    );
    assert_eq!(next("room-203"), None);
    assert_eq!(next("room-1001"), None);
    // Beyond a week from the end of today, the board does not look.
    let early = desk
        .desk
        .room_board(&receptionist(), at("2025-07-13T12:00:00Z"))
        .unwrap();
    assert!(tile(&early, "suite-300").next_arrival.is_none());
    assert_eq!(
        tile(&early, "room-203")
            .next_arrival
            .as_ref()
            .map(|stay| stay.reservation_key.as_str()),
        Some("R-203")
    );

    // Later that day: room 102 left at 11:00 and is not checked out; 203 arrives at 15:00.
    assert_eq!(
        state(&desk, "room-102", "2025-07-16T12:00:00Z"),
        RoomState::Departing
    );
    assert_eq!(
        state(&desk, "room-203", "2025-07-16T12:00:00Z"),
        RoomState::Arriving
    );
    assert_eq!(
        state(&desk, "room-203", "2025-07-16T14:00:00Z"),
        RoomState::InHouse
    );
    desk.desk
        .check_out(&receptionist(), at("2025-07-16T12:00:00Z"), "R-102")
        .unwrap();
    assert_eq!(
        state(&desk, "room-102", "2025-07-16T12:00:00Z"),
        RoomState::Vacant
    );
    // The day before the suite's stay, 15:00 Lisbon: not arriving yet.
    assert_eq!(
        state(&desk, "suite-300", "2025-07-20T14:00:00Z"),
        RoomState::Vacant
    );
    // Its arrival day in Lisbon starts at 23:00 UTC the day before.
    assert_eq!(
        state(&desk, "suite-300", "2025-07-20T23:30:00Z"),
        RoomState::Arriving
    );
}

#[test]
fn a_stay_leaving_today_is_departing_and_one_leaving_tomorrow_is_in_house() {
    let desk = Desk::new();
    check_in(&desk, "room-101", ARRIVE, LEAVE, &["Ana Silva"], "R-1");
    // Thursday 23:30 Lisbon (22:30 UTC): the stay leaves tomorrow.
    assert_eq!(
        state(&desk, "room-101", "2025-07-17T22:30:00Z"),
        RoomState::InHouse
    );
    // Friday 00:30 Lisbon (Thursday 23:30 UTC): it leaves today.
    assert_eq!(
        state(&desk, "room-101", "2025-07-17T23:30:00Z"),
        RoomState::Departing
    );
    // Friday 10:59 Lisbon, and after 11:00 while not checked out.
    assert_eq!(
        state(&desk, "room-101", "2025-07-18T09:59:00Z"),
        RoomState::Departing
    );
    assert_eq!(
        state(&desk, "room-101", "2025-07-18T10:00:00Z"),
        RoomState::Departing
    );
    // A week later nobody checked it out: still departing, not vacant.
    assert_eq!(
        state(&desk, "room-101", "2025-07-25T10:00:00Z"),
        RoomState::Departing
    );
    // Monday before 15:00: arriving later today.
    assert_eq!(
        state(&desk, "room-101", "2025-07-14T08:00:00Z"),
        RoomState::Arriving
    );
    // Sunday: nothing today.
    assert_eq!(
        state(&desk, "room-101", "2025-07-13T12:00:00Z"),
        RoomState::Vacant
    );
}

// --- the check-in form -----------------------------------------------------------------------

#[test]
fn the_check_in_form_runs_from_now_to_the_next_mornings_11_00_in_lisbon() {
    let desk = Desk::new();
    let room = desk.space_id("room-101");
    for (now, ends_at) in [
        // 10:30 in Lisbon: an early arrival still leaves tomorrow.
        ("2025-07-16T09:30:00Z", "2025-07-17T10:00:00Z"),
        // 11:00 sharp and 11:30 in Lisbon: until 11:00 tomorrow.
        ("2025-07-16T10:00:00Z", "2025-07-17T10:00:00Z"),
        ("2025-07-16T10:30:00Z", "2025-07-17T10:00:00Z"),
        // 11:30 in Lisbon is 10:30 in UTC, before 11:00 UTC: still tomorrow.
        ("2025-07-15T10:30:00Z", "2025-07-16T10:00:00Z"),
        // 00:30 on the 16th in Lisbon, the 15th in UTC: the night of the 15th, so 11:00 on
        // the 16th.
        ("2025-07-15T23:30:00Z", "2025-07-16T10:00:00Z"),
        // 15:00 check-in in summer.
        ("2025-07-14T14:00:00Z", "2025-07-15T10:00:00Z"),
        // In winter Lisbon is on UTC.
        ("2025-01-15T10:30:00Z", "2025-01-16T11:00:00Z"),
        ("2025-01-15T15:00:00Z", "2025-01-16T11:00:00Z"),
        // The night the clocks go back: 11:00 on Sunday is 11:00 UTC.
        ("2025-10-25T22:00:00Z", "2025-10-26T11:00:00Z"),
    ] {
        let options = desk
            .desk
            .check_in_options(&receptionist(), room, at(now))
            .unwrap();
        assert_eq!(options.starts_at, at(now), "at {now}");
        assert_eq!(options.ends_at, at(ends_at), "at {now}");
    }
}

#[test]
fn the_check_in_form_offers_the_room_s_doors_and_the_offline_common_areas_all_ticked() {
    let desk = Desk::new();
    let suite = desk.space_id("suite-300");
    let options = desk
        .desk
        .check_in_options(&receptionist(), suite, at(BOOKED))
        .unwrap();
    assert_eq!(options.space_id, suite);
    assert_eq!(options.room_name, "Suite 300");
    let room_doors: BTreeMap<EntranceId, String> = options
        .room_doors
        .iter()
        .map(|door| (door.acs_entrance_id, door.name.clone()))
        .collect();
    assert_eq!(
        room_doors,
        BTreeMap::from([
            (
                desk.entrance_id("suite-300-main"),
                "Suite 300 main door".to_owned()
            ),
            (
                desk.entrance_id("suite-300-bedroom"),
                "Suite 300 bedroom door".to_owned()
            ),
        ])
    );
    // Gym, lobby and pool are on Visionline; the parking gate is on an online system.
    let common: BTreeMap<EntranceId, String> = options
        .common_areas
        .iter()
        .map(|door| (door.acs_entrance_id, door.name.clone()))
        .collect();
    assert_eq!(
        common,
        BTreeMap::from([
            (desk.entrance_id("gym-door"), "Gym door".to_owned()),
            (desk.entrance_id("lobby-door"), "Lobby door".to_owned()),
            (desk.entrance_id("pool-door"), "Pool door".to_owned()),
        ])
    );
    assert!(
        options
            .room_doors
            .iter()
            .chain(&options.common_areas)
            .all(|door| door.selected)
    );

    let room = desk
        .desk
        .check_in_options(&receptionist(), desk.space_id("room-203"), at(BOOKED))
        .unwrap();
    assert_eq!(room.room_name, "Room 203");
    let names: Vec<&str> = room.room_doors.iter().map(|d| d.name.as_str()).collect();
    assert_eq!(names, ["Room 203 door"]);

    let error = refused(
        desk.desk
            .check_in_options(&receptionist(), Uuid::new_v4(), at(BOOKED)),
    );
    assert_eq!(
        (error.status, error.error_type.as_str()),
        (404, "not_found")
    );
}

// --- check-in --------------------------------------------------------------------------------

#[test]
fn two_guests_with_two_cards_each_make_one_reservation_on_the_room_and_common_areas() {
    let desk = Desk::new();
    let mut check_in = request(
        &desk,
        "room-101",
        ARRIVE,
        LEAVE,
        &["Ana Silva", "Bruno Costa"],
        Some("PMS-1001"),
    );
    check_in.cards_per_guest = 2;
    check_in.guests[0].email_address = Some("ana@example.com".to_owned());
    check_in.guests[1].phone_number = Some("  ".to_owned());
    let stay = desk
        .desk
        .check_in(&receptionist(), at(BOOKED), &check_in)
        .unwrap();

    assert_eq!(stay.reservation_key, "PMS-1001");
    assert_eq!(stay.space_id, Some(desk.space_id("room-101")));
    assert_eq!(stay.room_name, "Room 101");
    assert_eq!((stay.starts_at, stay.ends_at), (at(ARRIVE), at(LEAVE)));
    let names: Vec<_> = stay.guests.iter().map(|g| g.full_name.clone()).collect();
    assert_eq!(
        names,
        [Some("Ana Silva".to_owned()), Some("Bruno Costa".to_owned())]
    );
    for guest in &stay.guests {
        assert_eq!(guest.cards.len(), 2);
        assert!(guest.cards.iter().all(|card| !card.is_issued()));
        assert!(guest.warnings.is_empty());
    }
    let ana = desk
        .desk
        .user_identity(stay.guests[0].user_identity_id)
        .unwrap();
    assert_eq!(ana.kind, engine::model::UserKind::Guest);
    assert_eq!(ana.email_address.as_deref(), Some("ana@example.com"));
    let bruno = desk
        .desk
        .user_identity(stay.guests[1].user_identity_id)
        .unwrap();
    assert_eq!(bruno.phone_number, None);

    let grants = grants_of(&desk, "PMS-1001");
    assert_eq!(grants.len(), 2);
    assert!(grants[0].reservation_id.is_some());
    assert_eq!(grants[0].reservation_id, grants[1].reservation_id);
    for grant in &grants {
        // The room's door is the reservation's, numbered when its first card is encoded; the
        // common areas are not.
        assert!(grant_entrance(&desk, grant, "room-101-door").reservation_door);
        assert_eq!(sequence_at(&desk, grant, "room-101-door"), None);
        for common in ["gym-door", "lobby-door", "pool-door"] {
            assert!(!grant_entrance(&desk, grant, common).reservation_door);
            assert_eq!(sequence_at(&desk, grant, common), None);
        }
        assert_eq!(
            entrance_keys(&desk, grant),
            keys(&["room-101-door", "gym-door", "lobby-door", "pool-door"])
        );
        assert_eq!((grant.starts_at, grant.ends_at), (at(ARRIVE), at(LEAVE)));
    }
    let cards: Vec<AccessMethodRecord> = grants
        .iter()
        .flat_map(|grant| {
            desk.desk
                .access_methods(frontdesk::MethodFilter::Grant(grant.id))
        })
        .flatten()
        .collect();
    assert_eq!(cards.len(), 4);
    assert!(
        cards
            .iter()
            .all(|card| card.mode == engine::model::AccessMode::Card)
    );

    // Every grant was recorded as the receptionist's.
    let created: Vec<AuditEntry> = audit(&desk)
        .into_iter()
        .filter(|entry| entry.action == "access_grant.create")
        .collect();
    assert_eq!(created.len(), 2);
    assert!(created.iter().all(|entry| entry.actor == "operator:Rui"));

    // The stay reads back the same.
    assert_eq!(desk.desk.stay(&receptionist(), "PMS-1001").unwrap(), stay);
}

/// The check-in answers from the grants it made: that answer must be the stay as a read
/// gives it, with dates to the millisecond as stored (a desk sends the clock's nanoseconds)
/// and with the door warnings that the second guest's grant gave the first guest's too.
#[test]
fn a_check_in_answers_the_stay_as_stored() {
    let desk = Desk::new();
    check_in(&desk, "room-101", ARRIVE, LEAVE, &["Ana Silva"], "stay-1");
    let mut overlapping = request(
        &desk,
        "room-101",
        DURING,
        "2025-07-20T10:00:00Z",
        &["Bruno Costa", "Carla Dias"],
        Some("stay-2"),
    );
    overlapping.starts_at += chrono::Duration::nanoseconds(123_456_789);
    overlapping.ends_at += chrono::Duration::nanoseconds(987_654_321);
    // Overlapping stays in one room: only a manager's override lets them in.
    overlapping.allow_overlap = true;
    let answer = desk
        .desk
        .check_in(&manager(), at(BOOKED), &overlapping)
        .unwrap();

    assert_eq!(answer, desk.desk.stay(&receptionist(), "stay-2").unwrap());
    assert_eq!(
        answer.starts_at,
        at(DURING) + chrono::Duration::milliseconds(123)
    );
    for guest in &answer.guests {
        let codes: Vec<WarningCode> = guest.warnings.iter().map(|w| w.code).collect();
        assert_eq!(codes, [WarningCode::PreviousGuestCanEnter], "{guest:?}");
    }
}

#[test]
fn a_check_in_without_a_reservation_key_gets_one_made_up() {
    let desk = Desk::new();
    let first = desk
        .desk
        .check_in(
            &receptionist(),
            at(BOOKED),
            &request(&desk, "room-101", ARRIVE, LEAVE, &["Ana Silva"], None),
        )
        .unwrap();
    let second = desk
        .desk
        .check_in(
            &receptionist(),
            at(BOOKED),
            &request(&desk, "room-102", ARRIVE, LEAVE, &["Bruno Costa"], None),
        )
        .unwrap();
    for stay in [&first, &second] {
        assert!(stay.reservation_key.starts_with("stay-"), "{stay:?}");
        assert!(stay.reservation_key.len() > "stay-".len());
        assert_eq!(grants_of(&desk, &stay.reservation_key).len(), 1);
    }
    assert_ne!(first.reservation_key, second.reservation_key);
}

#[test]
fn ten_cards_per_guest_is_the_most() {
    let desk = Desk::new();
    let mut check_in = request(
        &desk,
        "room-101",
        ARRIVE,
        LEAVE,
        &["Ana Silva"],
        Some("R-1"),
    );
    check_in.cards_per_guest = frontdesk::MAX_CARDS_PER_GUEST;
    let stay = desk
        .desk
        .check_in(&receptionist(), at(BOOKED), &check_in)
        .unwrap();
    assert_eq!(stay.guests[0].cards.len(), 10);
}

#[test]
fn a_refused_check_in_names_its_field_and_changes_nothing() {
    let desk = Desk::new();
    let gym = desk.space_id("gym");
    let room_102 = desk.entrance_id("room-102-door");
    let parking = desk.entrance_id("parking-gate");
    let base = request(
        &desk,
        "room-101",
        ARRIVE,
        LEAVE,
        &["Ana Silva", "Bruno Costa"],
        Some("R-1"),
    );
    type Change = Box<dyn Fn(&mut CheckIn)>;
    let cases: Vec<(&str, Change)> = vec![
        ("guests", Box::new(|r| r.guests.clear())),
        (
            "guests[0].full_name",
            Box::new(|r| r.guests[0].full_name = "  ".to_owned()),
        ),
        // The first guest is made before the second is refused: it is rolled back too.
        (
            "guests[1].full_name",
            Box::new(|r| r.guests[1].full_name = String::new()),
        ),
        ("cards_per_guest", Box::new(|r| r.cards_per_guest = 0)),
        ("cards_per_guest", Box::new(|r| r.cards_per_guest = 11)),
        ("space_id", Box::new(move |r| r.space_id = gym)),
        ("space_id", Box::new(|r| r.space_id = Uuid::new_v4())),
        (
            "ends_at",
            Box::new(|r| r.ends_at = r.starts_at - chrono::Duration::hours(1)),
        ),
        (
            "ends_at",
            Box::new(|r| r.ends_at = at("2025-07-01T10:00:00Z")),
        ),
        // Another room's door is not a common area.
        (
            "common_entrance_ids[1]",
            Box::new(move |r| r.common_entrance_ids.insert(1, room_102)),
        ),
        // The parking gate is on an online system: the desk's cards do not open it.
        (
            "common_entrance_ids[3]",
            Box::new(move |r| r.common_entrance_ids.push(parking)),
        ),
        (
            "common_entrance_ids[0]",
            Box::new(|r| r.common_entrance_ids = vec![Uuid::new_v4()]),
        ),
    ];
    // A stay already in the database, so that "nothing changed" means something.
    check_in(&desk, "room-203", ARRIVE, LEAVE, &["Carla Dias"], "R-0");
    for (field, change) in cases {
        let mut check_in = base.clone();
        change(&mut check_in);
        let before = snapshot(&desk);
        let error = refused(desk.desk.check_in(&receptionist(), at(BOOKED), &check_in));
        assert_invalid(&error, field);
        assert_eq!(snapshot(&desk), before, "{field}: nothing changes");
        assert_refusal_audited(&desk, "stay.check_in", "operator:Rui", &error);
    }
    assert!(grants_of(&desk, "R-1").is_empty());
    let people: Vec<_> = desk
        .desk
        .user_identities()
        .unwrap()
        .into_iter()
        .filter_map(|user| user.full_name)
        .collect();
    assert_eq!(people, ["Carla Dias"]);
}

// --- joiners ---------------------------------------------------------------------------------

#[test]
fn a_joiner_gets_every_door_of_the_stay_by_default() {
    let desk = Desk::new();
    check_in(&desk, "room-101", ARRIVE, LEAVE, &["Ana Silva"], "R-1");
    let stay = desk
        .desk
        .add_guest(
            &receptionist(),
            at(BOOKED),
            &AddGuest {
                reservation_key: "R-1".to_owned(),
                guest: guest("Bruno Costa"),
                room_entrance_ids: None,
                common_entrance_ids: doors(&desk, &["gym-door"]),
                cards: 2,
            },
        )
        .unwrap();
    assert_eq!(stay.guests.len(), 2);
    let bruno = guest_named(&stay, "Bruno Costa");
    assert_eq!(bruno.cards.len(), 2);
    assert_eq!((bruno.starts_at, bruno.ends_at), (at(ARRIVE), at(LEAVE)));

    let grants = grants_of(&desk, "R-1");
    assert_eq!(grants.len(), 2);
    assert_eq!(grants[0].reservation_id, grants[1].reservation_id);
    assert_eq!(
        sequence_at(&desk, &desk.encoded(&grants[1]), "room-101-door"),
        Some(1)
    );
    assert_eq!(
        entrance_keys(&desk, &grants[1]),
        keys(&["room-101-door", "gym-door"])
    );
}

#[test]
fn a_joiner_may_open_only_some_of_a_suite_s_doors() {
    let desk = Desk::new();
    check_in(&desk, "suite-300", ARRIVE, LEAVE, &["Ana Silva"], "R-3");
    let stay = desk
        .desk
        .add_guest(
            &receptionist(),
            at(BOOKED),
            &AddGuest {
                reservation_key: "R-3".to_owned(),
                guest: guest("Carla Dias"),
                room_entrance_ids: Some(doors(&desk, &["suite-300-bedroom"])),
                common_entrance_ids: Vec::new(),
                cards: 1,
            },
        )
        .unwrap();
    let carla = guest_named(&stay, "Carla Dias");
    assert_eq!(carla.entrance_ids, doors(&desk, &["suite-300-bedroom"]));

    let grants = grants_of(&desk, "R-3");
    let ana = &grants[0];
    let carla = &grants[1];
    assert_eq!(entrance_keys(&desk, carla), keys(&["suite-300-bedroom"]));
    assert_eq!(carla.reservation_id, ana.reservation_id);
    assert_eq!(
        sequence_at(&desk, carla, "suite-300-bedroom"),
        sequence_at(&desk, ana, "suite-300-bedroom")
    );

    // Her card opens the bedroom and not the suite's main door.
    let card = issue(&desk, carla.access_method_ids[0]);
    let main = present(&desk, "suite-300-main", &card, DURING);
    assert_eq!(main.decision, Decision::Denied, "{main:?}");
    let bedroom = present(&desk, "suite-300-bedroom", &card, DURING);
    assert_eq!(bedroom.decision, Decision::Granted, "{bedroom:?}");
}

#[test]
fn a_joiner_with_more_doors_than_the_stay_gets_the_guide_s_409() {
    let desk = Desk::new();
    check_in(&desk, "room-101", ARRIVE, LEAVE, &["Ana Silva"], "R-1");
    let before = snapshot(&desk);
    let error = refused(desk.desk.add_guest(
        &receptionist(),
        at(BOOKED),
        &AddGuest {
            reservation_key: "R-1".to_owned(),
            guest: guest("Bruno Costa"),
            room_entrance_ids: Some(doors(&desk, &["room-101-door", "room-102-door"])),
            common_entrance_ids: Vec::new(),
            cards: 1,
        },
    ));
    assert_eq!(error.status, 409);
    assert_eq!(error.error_type, "reservation_joiner_entrance_set_conflict");
    assert_eq!(
        error.title.as_deref(),
        Some("Reservation joiner entrance set conflict.")
    );
    assert_eq!(
        error.message,
        "Joiner access grants must use the same or a subset of the reservation-capable doors."
    );
    assert_eq!(snapshot(&desk), before);
    assert_refusal_audited(&desk, "stay.add_guest", "operator:Rui", &error);
}

#[test]
fn a_refused_joiner_names_its_field() {
    let desk = Desk::new();
    check_in(&desk, "room-101", ARRIVE, LEAVE, &["Ana Silva"], "R-1");
    let add_with = |name: &str, cards: u32, key: &str, common: Vec<EntranceId>| {
        desk.desk.add_guest(
            &receptionist(),
            at(BOOKED),
            &AddGuest {
                reservation_key: key.to_owned(),
                guest: guest(name),
                room_entrance_ids: None,
                common_entrance_ids: common,
                cards,
            },
        )
    };
    let add = |name: &str, cards: u32, key: &str| add_with(name, cards, key, Vec::new());
    let before = snapshot(&desk);
    assert_invalid(&refused(add(" ", 1, "R-1")), "guest.full_name");
    assert_invalid(
        &refused(add_with(
            "Bruno Costa",
            1,
            "R-1",
            doors(&desk, &["gym-door", "parking-gate"]),
        )),
        "common_entrance_ids[1]",
    );
    assert_invalid(&refused(add("Bruno Costa", 0, "R-1")), "cards");
    assert_invalid(&refused(add("Bruno Costa", 11, "R-1")), "cards");
    let error = refused(add("Bruno Costa", 1, "R-404"));
    assert_eq!(
        (error.status, error.error_type.as_str()),
        (404, "not_found")
    );
    assert_eq!(snapshot(&desk), before);
}

// --- room moves ------------------------------------------------------------------------------

#[test]
fn a_move_lists_the_old_room_s_cards_and_makes_a_new_reservation_on_the_new_room() {
    let desk = Desk::new();
    let rui = receptionist();
    // Room 102 was let before: its door has handed out sequence 1.
    check_in(
        &desk,
        "room-102",
        "2025-07-10T14:00:00Z",
        "2025-07-12T10:00:00Z",
        &["Zeca Antunes"],
        "R-OLD",
    );
    desk.desk
        .check_out(&rui, at("2025-07-12T10:30:00Z"), "R-OLD")
        .unwrap();
    // Ana with the gym and pool and two cards, Bruno with the lobby and one card.
    let mut stay = request(
        &desk,
        "room-101",
        ARRIVE,
        LEAVE,
        &["Ana Silva"],
        Some("R-7"),
    );
    stay.common_entrance_ids = doors(&desk, &["gym-door", "pool-door"]);
    stay.cards_per_guest = 2;
    desk.desk.check_in(&rui, at(BOOKED), &stay).unwrap();
    desk.desk
        .add_guest(
            &rui,
            at(BOOKED),
            &AddGuest {
                reservation_key: "R-7".to_owned(),
                guest: guest("Bruno Costa"),
                room_entrance_ids: None,
                common_entrance_ids: doors(&desk, &["lobby-door"]),
                cards: 1,
            },
        )
        .unwrap();
    let old = grants_of(&desk, "R-7");
    let ana_card = issue(&desk, old[0].access_method_ids[0]);
    let bruno_card = issue(&desk, old[1].access_method_ids[0]);

    let moved = desk
        .desk
        .move_stay(&rui, at(DURING), "R-7", desk.space_id("room-102"), false)
        .unwrap();

    // The two cards made for room 101 still open it; Ana's second card was never made.
    let listed: BTreeMap<String, (Option<String>, Vec<String>)> = moved
        .old_cards
        .iter()
        .map(|card| {
            (
                card.card_id.clone().unwrap(),
                (card.guest.clone(), card.doors.clone()),
            )
        })
        .collect();
    assert_eq!(listed.len(), 2, "{:?}", moved.old_cards);
    let (ana, ana_doors) = &listed[&ana_card];
    assert_eq!(ana.as_deref(), Some("Ana Silva"));
    assert!(
        ana_doors.contains(&"Room 101 door".to_owned()),
        "{ana_doors:?}"
    );
    assert!(ana_doors.contains(&"Gym door".to_owned()), "{ana_doors:?}");
    let (bruno, bruno_doors) = &listed[&bruno_card];
    assert_eq!(bruno.as_deref(), Some("Bruno Costa"));
    assert!(bruno_doors.contains(&"Room 101 door".to_owned()));
    assert!(
        moved
            .old_cards
            .iter()
            .all(|card| card.valid_until == at(LEAVE))
    );
    assert_eq!(
        moved.old_cards[0].access_method_id,
        old[0].access_method_ids[0]
    );

    // The new stay: same key, same guests, same dates, on room 102.
    assert_eq!(moved.stay.reservation_key, "R-7");
    assert_eq!(moved.stay.space_id, Some(desk.space_id("room-102")));
    assert_eq!(moved.stay.room_name, "Room 102");
    assert_eq!(
        (moved.stay.starts_at, moved.stay.ends_at),
        (at(ARRIVE), at(LEAVE))
    );
    let new = grants_of(&desk, "R-7");
    assert_eq!(new.len(), 2);
    assert_eq!(new[0].user_identity_id, old[0].user_identity_id);
    assert_eq!(new[1].user_identity_id, old[1].user_identity_id);
    // A new reservation, with the room's next sequence once its first card is made.
    assert_eq!(new[0].reservation_id, new[1].reservation_id);
    assert_ne!(new[0].reservation_id, old[0].reservation_id);
    assert_eq!(sequence_at(&desk, &new[0], "room-102-door"), None);
    // No card was made for the room's earlier stay: its first number is this one's.
    assert_eq!(
        sequence_at(&desk, &desk.encoded(&new[0]), "room-102-door"),
        Some(1)
    );
    assert_eq!(
        sequence_at(&desk, &desk.encoded(&new[1]), "room-102-door"),
        Some(1)
    );
    // Each guest keeps their common areas and number of cards.
    assert_eq!(
        entrance_keys(&desk, &new[0]),
        keys(&["room-102-door", "gym-door", "pool-door"])
    );
    assert_eq!(
        entrance_keys(&desk, &new[1]),
        keys(&["room-102-door", "lobby-door"])
    );
    assert_eq!(guest_named(&moved.stay, "Ana Silva").cards.len(), 2);
    assert_eq!(guest_named(&moved.stay, "Bruno Costa").cards.len(), 1);
    assert!(none_encoded(&moved.stay));

    // The old grants are gone and say their cards are out.
    for grant in &old {
        let grant = grant_ever(&desk, grant.id);
        assert!(grant.deleted_at.is_some());
        assert!(
            grant
                .warnings
                .iter()
                .any(|warning| warning.code == WarningCode::CardsNotCollected)
        );
    }
    // Room 101's reservation is cleared: the next stay there gets its next sequence.
    let next = check_in(
        &desk,
        "room-101",
        "2025-07-20T14:00:00Z",
        "2025-07-22T10:00:00Z",
        &["Carla Dias"],
        "R-8",
    );
    let next = desk
        .desk
        .access_grant(next.guests[0].access_grant_id)
        .unwrap();
    assert_eq!(
        sequence_at(&desk, &desk.encoded(&next), "room-101-door"),
        Some(2)
    );

    let board = desk.desk.room_board(&rui, at(DURING)).unwrap();
    assert_eq!(tile(&board, "room-101").state, RoomState::Vacant);
    assert_eq!(tile(&board, "room-102").state, RoomState::InHouse);
    assert_eq!(tile(&board, "room-102").stays[0].guests.len(), 2);

    // Room 102's door opens to the new card at first use (Zeca's stay never had a card).
    let new_card = issue(&desk, new[0].access_method_ids[0]);
    assert_eq!(
        present(&desk, "room-102-door", &new_card, "2025-07-15T18:30:00Z").reason,
        Reason::Overrode { from: 0, to: 1 }
    );
}

#[test]
fn moving_a_stay_that_has_not_started_keeps_its_dates() {
    let desk = Desk::new();
    check_in(&desk, "room-101", ARRIVE, LEAVE, &["Ana Silva"], "R-7");
    let moved = desk
        .desk
        .move_stay(
            &receptionist(),
            at(BOOKED),
            "R-7",
            desk.space_id("suite-300"),
            false,
        )
        .unwrap();
    assert!(moved.old_cards.is_empty());
    assert_eq!(
        (moved.stay.starts_at, moved.stay.ends_at),
        (at(ARRIVE), at(LEAVE))
    );
    assert_eq!(
        entrance_keys(&desk, &grants_of(&desk, "R-7")[0]),
        keys(&[
            "suite-300-main",
            "suite-300-bedroom",
            "gym-door",
            "lobby-door",
            "pool-door"
        ])
    );
}

#[test]
fn moving_onto_a_room_taken_for_overlapping_dates_is_refused_and_changes_nothing() {
    let desk = Desk::new();
    check_in(&desk, "room-101", ARRIVE, LEAVE, &["Ana Silva"], "R-7");
    check_in(
        &desk,
        "room-203",
        "2025-07-17T14:00:00Z",
        "2025-07-20T10:00:00Z",
        &["Duarte Reis"],
        "R-9",
    );
    let before = snapshot(&desk);
    let error = refused(desk.desk.move_stay(
        &receptionist(),
        at(DURING),
        "R-7",
        desk.space_id("room-203"),
        false,
    ));
    assert_eq!(error.status, 409);
    assert_eq!(error.error_type, "conflict");
    assert_eq!(error.field.as_deref(), Some("to_space_id"));
    assert_eq!(
        error.message,
        "Room 203 is booked for Duarte Reis from 17 Jul 15:00 to 20 Jul 11:00; \
         moving Ana Silva here until 18 Jul 11:00 would lock Duarte out. A manager may allow it."
    );
    assert_eq!(snapshot(&desk), before);
    assert_refusal_audited(&desk, "stay.move", "operator:Rui", &error);

    // A stay that starts when this one leaves does not overlap it. Its keys are made in
    // advance.
    let advance = check_in(
        &desk,
        "room-102",
        LEAVE,
        "2025-07-20T10:00:00Z",
        &["Eva Lopes"],
        "R-10",
    );
    issue(&desk, advance.guests[0].cards[0].id);
    move_r7_to_room_102(&desk);
    let moved = grants_of(&desk, "R-7");
    let next = grants_of(&desk, "R-10");
    // The moved stay's card, made when it starts, takes a higher number than the next
    // guest's, made already; its stay is earlier, so the next guest's cards would be refused:
    // the desk warns on that stay.
    assert_eq!(sequence_at(&desk, &moved[0], "room-102-door"), None);
    assert!(sequence_at(&desk, &next[0], "room-102-door").is_some());
    assert!(
        next[0]
            .warnings
            .iter()
            .any(|warning| warning.code == WarningCode::SequenceInversion)
    );
}

#[test]
fn a_stay_that_already_left_the_new_room_does_not_block_a_move() {
    let desk = Desk::new();
    // Room 102's last guest left on Monday morning and was never checked out.
    check_in(
        &desk,
        "room-102",
        "2025-07-12T14:00:00Z",
        "2025-07-14T10:00:00Z",
        &["Zeca Antunes"],
        "R-1",
    );
    // Ana arrived on Sunday in room 101 and moves on Tuesday evening.
    check_in(
        &desk,
        "room-101",
        "2025-07-13T14:00:00Z",
        LEAVE,
        &["Ana Silva"],
        "R-7",
    );
    let moved = move_r7_to_room_102(&desk);
    assert_eq!(moved.stay.space_id, Some(desk.space_id("room-102")));
    // The stay keeps its arrival; it overlaps Zeca's only before the move, when its cards
    // for room 102 did not exist, so Zeca's cards (expired since Monday) are no concern.
    assert_eq!(moved.stay.starts_at, at("2025-07-13T14:00:00Z"));
    assert!(
        moved
            .stay
            .guests
            .iter()
            .flat_map(|guest| &guest.warnings)
            .all(|warning| warning.code != WarningCode::PreviousGuestCanEnter),
        "{:?}",
        moved.stay.guests
    );
}

#[test]
fn a_move_into_the_same_room_a_common_area_or_nowhere_is_refused() {
    let desk = Desk::new();
    check_in(&desk, "room-101", ARRIVE, LEAVE, &["Ana Silva"], "R-7");
    let before = snapshot(&desk);
    for target in [
        desk.space_id("room-101"),
        desk.space_id("pool"),
        Uuid::new_v4(),
    ] {
        let error = refused(
            desk.desk
                .move_stay(&receptionist(), at(DURING), "R-7", target, false),
        );
        assert_invalid(&error, "to_space_id");
        assert_eq!(snapshot(&desk), before);
    }
    let error = refused(desk.desk.move_stay(
        &receptionist(),
        at(DURING),
        "R-404",
        desk.space_id("room-102"),
        false,
    ));
    assert_eq!(
        (error.status, error.error_type.as_str()),
        (404, "not_found")
    );
}

// --- overlapping stays ----------------------------------------------------------------------

/// Tom Morrow's stay in room 203, booked ahead: Thursday 17 July 15:00 to Sunday 11:00.
fn tom_booked(desk: &Desk) -> StayDetail {
    check_in(
        desk,
        "room-203",
        "2025-07-17T14:00:00Z",
        "2025-07-20T10:00:00Z",
        &["Tom Morrow"],
        "R-TOM",
    )
}

const OVER_TOM: &str = "Room 203 is booked for Tom Morrow from 17 Jul 15:00 to 20 Jul 11:00; \
     checking Ann Walker in until 18 Jul 11:00 would lock Tom out. A manager may allow it.";

#[test]
fn a_check_in_over_another_stay_in_the_room_is_refused_in_the_receptionist_s_words() {
    let desk = Desk::new();
    tom_booked(&desk);
    let before = snapshot(&desk);
    let ann = request(&desk, "room-203", ARRIVE, LEAVE, &["Ann Walker"], None);
    let error = refused(desk.desk.check_in(&receptionist(), at(BOOKED), &ann));
    assert_eq!((error.status, error.error_type.as_str()), (409, "conflict"));
    assert_eq!(error.field.as_deref(), Some("space_id"));
    assert_eq!(error.message, OVER_TOM);
    assert_eq!(snapshot(&desk), before);
    assert_refusal_audited(&desk, "stay.check_in", "operator:Rui", &error);

    // A guest arriving inside Tom's stay is told from when.
    let late = request(
        &desk,
        "room-203",
        "2025-07-19T14:00:00Z",
        "2025-07-21T10:00:00Z",
        &["Ann Walker", "Bea Walker"],
        None,
    );
    let error = refused(desk.desk.check_in(&receptionist(), at(BOOKED), &late));
    assert_eq!(
        error.message,
        "Room 203 is booked for Tom Morrow from 17 Jul 15:00 to 20 Jul 11:00; checking Ann \
         Walker and Bea Walker in from 19 Jul 15:00 would lock Tom out. A manager may allow it."
    );
    assert_eq!(snapshot(&desk), before);
}

#[test]
fn a_manager_may_check_in_over_another_stay_and_the_override_is_audited() {
    let desk = Desk::new();
    tom_booked(&desk);
    let mut ann = request(
        &desk,
        "room-203",
        ARRIVE,
        LEAVE,
        &["Ann Walker"],
        Some("R-ANN"),
    );
    ann.allow_overlap = true;
    let stay = desk.desk.check_in(&manager(), at(BOOKED), &ann).unwrap();
    assert_eq!(stay.guests[0].full_name.as_deref(), Some("Ann Walker"));
    let entry = last_audit(&desk, "stay.overlap_allowed");
    assert_eq!(entry.outcome, AuditOutcome::Ok);
    assert_eq!(entry.actor, "operator:Marta");
    assert_eq!(entry.subject_id.as_deref(), Some("R-ANN"));
    let detail = entry.detail.unwrap_or_default();
    assert!(detail.contains("Tom Morrow"), "{detail}");
    let after = entry.after.unwrap();
    assert_eq!(after["overlapped_reservation_key"], "R-TOM");
}

#[test]
fn a_receptionist_may_not_override_an_overlap() {
    let desk = Desk::new();
    tom_booked(&desk);
    let before = snapshot(&desk);
    let mut ann = request(&desk, "room-203", ARRIVE, LEAVE, &["Ann Walker"], None);
    ann.allow_overlap = true;
    let error = refused(desk.desk.check_in(&receptionist(), at(BOOKED), &ann));
    assert_eq!(
        (error.status, error.error_type.as_str()),
        (403, "forbidden")
    );
    assert_eq!(snapshot(&desk), before);
    assert_refusal_audited(&desk, "stay.check_in", "operator:Rui", &error);
    let entry = last_audit(&desk, "stay.check_in");
    assert_eq!(entry.after.unwrap()["allow_overlap"], true);
}

#[test]
fn back_to_back_stays_touch_without_overlapping_but_a_minute_more_does() {
    let desk = Desk::new();
    tom_booked(&desk);
    // Ann leaves at 15:00 on Thursday, when Tom arrives; Eva arrives at 11:00 on Sunday.
    check_in(
        &desk,
        "room-203",
        ARRIVE,
        "2025-07-17T14:00:00Z",
        &["Ann Walker"],
        "R-ANN",
    );
    check_in(
        &desk,
        "room-203",
        "2025-07-20T10:00:00Z",
        "2025-07-22T10:00:00Z",
        &["Eva Lopes"],
        "R-EVA",
    );
    let error = refused(desk.desk.check_in(
        &receptionist(),
        at(BOOKED),
        &request(
            &desk,
            "room-203",
            "2025-07-20T09:59:00Z",
            "2025-07-21T10:00:00Z",
            &["Ann Walker"],
            None,
        ),
    ));
    assert_eq!(error.status, 409, "{error:?}");
    assert!(error.message.contains("Tom Morrow"), "{}", error.message);
}

#[test]
fn a_move_into_a_room_booked_later_is_refused_unless_a_manager_allows_it() {
    let desk = Desk::new();
    check_in(&desk, "room-101", ARRIVE, LEAVE, &["Ann Walker"], "R-ANN");
    tom_booked(&desk);
    let before = snapshot(&desk);
    let to = desk.space_id("room-203");
    let error = refused(
        desk.desk
            .move_stay(&receptionist(), at(DURING), "R-ANN", to, false),
    );
    assert_eq!((error.status, error.error_type.as_str()), (409, "conflict"));
    assert_eq!(
        error.message,
        "Room 203 is booked for Tom Morrow from 17 Jul 15:00 to 20 Jul 11:00; moving Ann \
         Walker here until 18 Jul 11:00 would lock Tom out. A manager may allow it."
    );
    let error = refused(
        desk.desk
            .move_stay(&receptionist(), at(DURING), "R-ANN", to, true),
    );
    assert_eq!(error.status, 403, "{error:?}");
    assert_eq!(snapshot(&desk), before);

    let moved = desk
        .desk
        .move_stay(&manager(), at(DURING), "R-ANN", to, true)
        .unwrap();
    assert_eq!(moved.stay.space_id, Some(to));
    let entry = last_audit(&desk, "stay.overlap_allowed");
    assert_eq!(entry.actor, "operator:Marta");
    assert_eq!(entry.after.unwrap()["overlapped_reservation_key"], "R-TOM");
}

#[test]
fn extending_a_stay_into_the_next_one_is_refused_unless_a_manager_allows_it() {
    let desk = Desk::new();
    check_in(
        &desk,
        "room-203",
        ARRIVE,
        "2025-07-17T10:00:00Z",
        &["Ann Walker"],
        "R-ANN",
    );
    tom_booked(&desk);
    let before = snapshot(&desk);
    let error = refused(desk.desk.change_dates(
        &receptionist(),
        at(DURING),
        "R-ANN",
        None,
        Some(at(LEAVE)),
        false,
    ));
    assert_eq!((error.status, error.error_type.as_str()), (409, "conflict"));
    assert_eq!(error.field.as_deref(), Some("ends_at"));
    assert_eq!(
        error.message,
        "Room 203 is booked for Tom Morrow from 17 Jul 15:00 to 20 Jul 11:00; extending Ann \
         Walker's stay until 18 Jul 11:00 would lock Tom out. A manager may allow it."
    );
    assert_eq!(snapshot(&desk), before);
    assert_refusal_audited(&desk, "stay.change_dates", "operator:Rui", &error);

    // Up to Tom's arrival is fine.
    desk.desk
        .change_dates(
            &receptionist(),
            at(DURING),
            "R-ANN",
            None,
            Some(at("2025-07-17T14:00:00Z")),
            false,
        )
        .unwrap();
    // A manager may agree to the overlap; shortening it again needs no one's word.
    desk.desk
        .change_dates(&manager(), at(DURING), "R-ANN", None, Some(at(LEAVE)), true)
        .unwrap();
    assert_eq!(
        last_audit(&desk, "stay.overlap_allowed").actor,
        "operator:Marta"
    );
    desk.desk
        .change_dates(
            &receptionist(),
            at(DURING),
            "R-ANN",
            None,
            Some(at("2025-07-17T18:00:00Z")),
            false,
        )
        .unwrap();
}

// --- dates -----------------------------------------------------------------------------------

#[test]
fn changing_dates_moves_every_guest_and_flags_the_encoded_cards() {
    let desk = Desk::new();
    let mut stay = request(
        &desk,
        "room-101",
        ARRIVE,
        LEAVE,
        &["Ana Silva", "Bruno Costa"],
        Some("R-5"),
    );
    stay.cards_per_guest = 2;
    desk.desk
        .check_in(&receptionist(), at(BOOKED), &stay)
        .unwrap();
    let grants = grants_of(&desk, "R-5");
    let ana_card = grants[0].access_method_ids[0];
    let bruno_card = grants[1].access_method_ids[0];
    issue(&desk, ana_card);
    issue(&desk, bruno_card);

    let later = at("2025-07-20T10:00:00Z");
    let changed = desk
        .desk
        .change_dates(&receptionist(), at(DURING), "R-5", None, Some(later), false)
        .unwrap();
    assert_eq!((changed.starts_at, changed.ends_at), (at(ARRIVE), later));
    for guest in &changed.guests {
        assert_eq!((guest.starts_at, guest.ends_at), (at(ARRIVE), later));
        assert!(
            guest
                .warnings
                .iter()
                .any(|warning| warning.code == WarningCode::EncodingRequired)
        );
    }
    for grant in grants_of(&desk, "R-5") {
        for (index, id) in grant.access_method_ids.iter().enumerate() {
            let card = method(&desk, *id);
            // The first card of each guest was made with the old dates; the second not yet.
            assert_eq!(card.is_encoding_required, index == 0, "{card:?}");
        }
    }
    let flagged: BTreeSet<AccessMethodId> = desk
        .desk
        .warnings(&manager(), at(BOOKED))
        .unwrap()
        .into_iter()
        .filter(|view| {
            view.code == WarningCode::EncodingRequired && view.fix == FixAction::ReEncode
        })
        .filter_map(|view| view.access_method_id)
        .collect();
    assert_eq!(flagged, BTreeSet::from([ana_card, bruno_card]));

    // Re-encoding a card clears its flag; the other stays flagged.
    issue(&desk, ana_card);
    assert!(!method(&desk, ana_card).is_encoding_required);
    assert!(method(&desk, bruno_card).is_encoding_required);

    // An earlier arrival moves both guests' starts.
    let earlier = at("2025-07-14T10:00:00Z");
    let changed = desk
        .desk
        .change_dates(
            &receptionist(),
            at(BOOKED),
            "R-5",
            Some(earlier),
            None,
            false,
        )
        .unwrap();
    assert!(
        changed
            .guests
            .iter()
            .all(|guest| (guest.starts_at, guest.ends_at) == (earlier, later))
    );
    assert!(method(&desk, ana_card).is_encoding_required);
}

#[test]
fn an_end_in_the_past_is_refused_naming_ends_at() {
    let desk = Desk::new();
    check_in(
        &desk,
        "room-101",
        ARRIVE,
        LEAVE,
        &["Ana Silva", "Bruno Costa"],
        "R-5",
    );
    let before = snapshot(&desk);
    // Tuesday evening, the guests ask to have left on Tuesday morning.
    let error = refused(desk.desk.change_dates(
        &receptionist(),
        at(DURING),
        "R-5",
        None,
        Some(at("2025-07-15T10:00:00Z")),
        false,
    ));
    assert_invalid(&error, "ends_at");
    assert_eq!(snapshot(&desk), before);
    assert_refusal_audited(&desk, "stay.change_dates", "operator:Rui", &error);
    // Before the arrival.
    let error = refused(desk.desk.change_dates(
        &receptionist(),
        at(BOOKED),
        "R-5",
        None,
        Some(at("2025-07-13T10:00:00Z")),
        false,
    ));
    assert_invalid(&error, "ends_at");
    assert_eq!(snapshot(&desk), before);
    let error = refused(desk.desk.change_dates(
        &receptionist(),
        at(BOOKED),
        "R-404",
        None,
        Some(at(LEAVE)),
        false,
    ));
    assert_eq!(error.status, 404);
}

// --- lost keys -------------------------------------------------------------------------------

#[test]
fn a_lost_key_reissues_the_stay_under_a_new_reservation_that_overrides_at_first_use() {
    let desk = Desk::new();
    let mut stay = request(
        &desk,
        "room-101",
        ARRIVE,
        LEAVE,
        &["Ana Silva", "Bruno Costa"],
        Some("R-8"),
    );
    stay.cards_per_guest = 2;
    desk.desk
        .check_in(&receptionist(), at(BOOKED), &stay)
        .unwrap();
    let old = grants_of(&desk, "R-8");
    let ana_old = issue(&desk, old[0].access_method_ids[0]);
    let bruno_old = issue(&desk, old[1].access_method_ids[0]);
    assert_eq!(
        present(&desk, "room-101-door", &ana_old, "2025-07-14T15:00:00Z").reason,
        Reason::Overrode { from: 0, to: 1 }
    );

    let reissued = desk
        .desk
        .reissue_stay(&receptionist(), at(DURING), "R-8")
        .unwrap();
    assert_eq!(reissued.reservation_key, "R-8");
    let new = grants_of(&desk, "R-8");
    assert_eq!(new.len(), 2);
    for (before, after) in old.iter().zip(&new) {
        assert_ne!(before.id, after.id);
        assert_eq!(after.user_identity_id, before.user_identity_id);
        assert_eq!(
            after.entrance_ids().into_iter().collect::<BTreeSet<_>>(),
            before.entrance_ids().into_iter().collect::<BTreeSet<_>>()
        );
        assert_eq!(after.ends_at, before.ends_at);
        // The stay keeps its dates: a reissue changes the cards, not the stay.
        assert_eq!(after.starts_at, before.starts_at);
        assert_ne!(after.reservation_id, before.reservation_id);
        // A new reservation: its number comes with its first card.
        assert_eq!(sequence_at(&desk, after, "room-101-door"), None);
        assert_eq!(after.access_method_ids.len(), 2);
        for id in &after.access_method_ids {
            assert!(!method(&desk, *id).is_issued());
        }
        // The issued old cards are lost; the one never made is not.
        let before = grant_ever(&desk, before.id);
        assert!(before.deleted_at.is_some());
        assert!(method(&desk, before.access_method_ids[0]).lost_at.is_some());
        assert!(method(&desk, before.access_method_ids[1]).lost_at.is_none());
        // A lost card is no one's key, yet it opens doors: it stays in the warnings.
        let lost = lost_card_warning(&before).expect("a warning about the lost card");
        assert!(
            lost.starts_with("Lost card (copy 1) still opens "),
            "{lost}"
        );
        for door in [
            "Room 101 door until a newer card is used there",
            "Pool door until ",
        ] {
            assert!(lost.contains(door), "{lost}");
        }
    }
    assert_eq!(new[0].reservation_id, new[1].reservation_id);
    let views: Vec<_> = desk
        .desk
        .warnings(&manager(), at(DURING))
        .unwrap()
        .into_iter()
        .filter(|view| view.code == WarningCode::CardsNotCollected)
        .collect();
    assert_eq!(views.len(), 2, "{views:?}");
    // Nothing to collect: the fix is at the doors, each lost card listed with them.
    assert!(views.iter().all(|view| view.fix == FixAction::CancelCard
        && view.outstanding_card_ids.is_empty()
        && view.cards_out.len() == 1
        && view.cards_out[0].reason == frontdesk::CardOutReason::Lost));

    // The lost card still opens the door until a new card is first used there.
    assert_eq!(
        present(&desk, "room-101-door", &ana_old, "2025-07-15T18:30:00Z").reason,
        Reason::Joined
    );
    let ana_new = issue(&desk, new[0].access_method_ids[0]);
    assert_eq!(
        present(&desk, "room-101-door", &ana_new, "2025-07-15T19:00:00Z").reason,
        Reason::Overrode { from: 1, to: 2 }
    );
    for lost in [&ana_old, &bruno_old] {
        let decision = present(&desk, "room-101-door", lost, "2025-07-15T19:05:00Z");
        assert_eq!(decision.decision, Decision::Denied);
        assert_eq!(decision.reason, Reason::Overridden { card: 1, lock: 2 });
    }
    let bruno_new = issue(&desk, new[1].access_method_ids[0]);
    assert_eq!(
        present(&desk, "room-101-door", &bruno_new, "2025-07-15T19:10:00Z").reason,
        Reason::Joined
    );

    // The room's lock moved past the lost cards: they now open only the common doors, until
    // their end, and then nothing, and the warnings follow.
    for before in &old {
        let lost = lost_card_warning(&grant_ever(&desk, before.id)).expect("still opens the pool");
        assert!(!lost.contains("Room 101 door"), "{lost}");
        assert!(
            lost.contains("Pool door until 2025-07-18T10:00:00Z"),
            "{lost}"
        );
    }
    let pool = present(&desk, "pool-door", &ana_old, "2025-07-16T09:00:00Z");
    assert_eq!(pool.decision, Decision::Granted);
    let after_the_end = at(LEAVE) + chrono::Duration::minutes(6);
    assert!(
        desk.desk
            .warnings(&manager(), after_the_end)
            .unwrap()
            .iter()
            .all(|view| view.code != WarningCode::CardsNotCollected)
    );
    assert_eq!(
        present(&desk, "pool-door", &ana_old, "2025-07-18T10:06:00Z").reason,
        Reason::Expired
    );
}

/// The `cards_not_collected` message of a grant, if it has one.
fn lost_card_warning(grant: &AccessGrantRecord) -> Option<String> {
    grant
        .warnings
        .iter()
        .find(|warning| warning.code == WarningCode::CardsNotCollected)
        .map(|warning| warning.message.clone())
}

#[test]
fn reissuing_keeps_a_joiner_s_fewer_doors() {
    let desk = Desk::new();
    check_in(&desk, "suite-300", ARRIVE, LEAVE, &["Ana Silva"], "R-3");
    desk.desk
        .add_guest(
            &receptionist(),
            at(BOOKED),
            &AddGuest {
                reservation_key: "R-3".to_owned(),
                guest: guest("Carla Dias"),
                room_entrance_ids: Some(doors(&desk, &["suite-300-bedroom"])),
                common_entrance_ids: doors(&desk, &["pool-door"]),
                cards: 1,
            },
        )
        .unwrap();
    let reissued = desk
        .desk
        .reissue_stay(&receptionist(), at(BOOKED), "R-3")
        .unwrap();
    let new = grants_of(&desk, "R-3");
    assert_eq!(
        entrance_keys(&desk, &new[1]),
        keys(&["suite-300-bedroom", "pool-door"])
    );
    // No card was made before the reissue: the bedroom's first number is this one's.
    assert_eq!(
        sequence_at(&desk, &desk.encoded(&new[1]), "suite-300-bedroom"),
        Some(1)
    );
    assert_eq!(
        (reissued.starts_at, reissued.ends_at),
        (at(ARRIVE), at(LEAVE))
    );
    assert_eq!(reissued.space_id, Some(desk.space_id("suite-300")));
}

/// Ana (both suite doors), Carla (the bedroom) and Bruno (both doors) share the suite; Ana
/// leaves early, so the stay's oldest grant is Carla's, on one door only.
fn suite_after_the_first_guest_left(desk: &Desk) -> Vec<AccessGrantRecord> {
    check_in(desk, "suite-300", ARRIVE, LEAVE, &["Ana Silva"], "R-3");
    for (name, room_doors) in [
        ("Carla Dias", Some(doors(desk, &["suite-300-bedroom"]))),
        ("Bruno Costa", None),
    ] {
        desk.desk
            .add_guest(
                &receptionist(),
                at(BOOKED),
                &AddGuest {
                    reservation_key: "R-3".to_owned(),
                    guest: guest(name),
                    room_entrance_ids: room_doors,
                    common_entrance_ids: Vec::new(),
                    cards: 1,
                },
            )
            .unwrap();
    }
    let ana = grants_of(desk, "R-3")[0].id;
    desk.desk.delete_access_grant(&desk.context, ana).unwrap();
    let left = grants_of(desk, "R-3");
    assert_eq!(entrance_keys(desk, &left[0]), keys(&["suite-300-bedroom"]));
    left
}

#[test]
fn a_stay_whose_first_guest_left_keeps_its_room_and_all_its_doors() {
    let desk = Desk::new();
    suite_after_the_first_guest_left(&desk);
    let stay = desk.desk.stay(&receptionist(), "R-3").unwrap();
    assert_eq!(stay.space_id, Some(desk.space_id("suite-300")));
    assert_eq!(stay.room_name, "Suite 300");
    // A new guest gets every door of the stay by default, not the oldest guest's.
    desk.desk
        .add_guest(
            &receptionist(),
            at(BOOKED),
            &AddGuest {
                reservation_key: "R-3".to_owned(),
                guest: guest("Duarte Reis"),
                room_entrance_ids: None,
                common_entrance_ids: Vec::new(),
                cards: 1,
            },
        )
        .unwrap();
    let duarte = grants_of(&desk, "R-3").pop().unwrap();
    assert_eq!(
        entrance_keys(&desk, &duarte),
        keys(&["suite-300-main", "suite-300-bedroom"])
    );
    // A lost key reissues everyone, each on their own doors.
    desk.desk
        .reissue_stay(&receptionist(), at(BOOKED), "R-3")
        .unwrap();
    let reissued: BTreeMap<String, BTreeSet<String>> = desk
        .desk
        .stay(&receptionist(), "R-3")
        .unwrap()
        .guests
        .iter()
        .map(|guest| {
            let grant = desk.desk.access_grant(guest.access_grant_id).unwrap();
            (
                guest.full_name.clone().unwrap(),
                entrance_keys(&desk, &grant),
            )
        })
        .collect();
    assert_eq!(
        reissued,
        BTreeMap::from([
            (
                "Bruno Costa".to_owned(),
                keys(&["suite-300-main", "suite-300-bedroom"])
            ),
            ("Carla Dias".to_owned(), keys(&["suite-300-bedroom"])),
            (
                "Duarte Reis".to_owned(),
                keys(&["suite-300-main", "suite-300-bedroom"])
            ),
        ])
    );
    // And it can still move.
    let moved = desk
        .desk
        .move_stay(
            &receptionist(),
            at(BOOKED),
            "R-3",
            desk.space_id("room-101"),
            false,
        )
        .unwrap();
    assert_eq!(moved.stay.room_name, "Room 101");
    assert_eq!(moved.stay.guests.len(), 3);
}

// --- check-out -------------------------------------------------------------------------------

#[test]
fn check_out_ends_the_stay_and_lists_the_cards_not_yet_back() {
    let desk = Desk::new();
    let rui = receptionist();
    let marta = manager();
    let grants = two_guests_with_two_cards(&desk, "R-4");
    let ana_card = issue(&desk, grants[0].access_method_ids[0]);
    let bruno_card = issue(&desk, grants[1].access_method_ids[0]);

    let now = at("2025-07-18T09:00:00Z");
    let result = desk.desk.check_out(&rui, now, "R-4").unwrap();
    assert_eq!(result.reservation_key, "R-4");
    let listed: BTreeMap<String, Option<String>> = result
        .uncollected
        .iter()
        .map(|card| (card.card_id.clone().unwrap(), card.guest.clone()))
        .collect();
    assert_eq!(
        listed,
        BTreeMap::from([
            (ana_card, Some("Ana Silva".to_owned())),
            (bruno_card, Some("Bruno Costa".to_owned())),
        ])
    );
    for card in &result.uncollected {
        assert!(card.doors.contains(&"Room 101 door".to_owned()));
        assert_eq!(card.valid_until, at(LEAVE));
    }

    // The grants are gone, and so is the stay.
    assert!(grants_of(&desk, "R-4").is_empty());
    for grant in &grants {
        assert!(grant_ever(&desk, grant.id).deleted_at.is_some());
        for id in &grant.access_method_ids {
            assert!(method(&desk, *id).revoked_at.is_some());
        }
    }
    let error = refused(desk.desk.stay(&rui, "R-4"));
    assert_eq!(
        (error.status, error.error_type.as_str()),
        (404, "not_found")
    );
    assert_eq!(
        state(&desk, "room-101", "2025-07-18T09:00:00Z"),
        RoomState::Vacant
    );

    let outstanding = |desk: &Desk| -> Vec<(Option<String>, String, Option<String>)> {
        desk.desk
            .warnings(&marta, at(BOOKED))
            .unwrap()
            .into_iter()
            .filter(|view| view.code == WarningCode::CardsNotCollected)
            .map(|view| (view.guest, fix_name(view.fix), view.reservation_key))
            .collect()
    };
    let mut found = outstanding(&desk);
    found.sort();
    assert_eq!(
        found,
        [
            (
                Some("Ana Silva".to_owned()),
                "cancel_card".to_owned(),
                Some("R-4".to_owned())
            ),
            (
                Some("Bruno Costa".to_owned()),
                "cancel_card".to_owned(),
                Some("R-4".to_owned())
            ),
        ]
    );

    // Each warning carries the cards still out, so the manager can act on them.
    let mut out: Vec<_> = desk
        .desk
        .warnings(&marta, at(BOOKED))
        .unwrap()
        .into_iter()
        .filter(|view| view.code == WarningCode::CardsNotCollected)
        .flat_map(|view| view.outstanding_card_ids)
        .collect();
    out.sort();
    let mut issued = vec![
        grants[0].access_method_ids[0],
        grants[1].access_method_ids[0],
    ];
    issued.sort();
    assert_eq!(out, issued);

    // Ana hands her card in; Bruno's is lost.
    desk.desk
        .mark_card_collected(&rui.context(now), grants[0].access_method_ids[0])
        .unwrap();
    assert_eq!(outstanding(&desk).len(), 1);
    assert_eq!(outstanding(&desk)[0].0.as_deref(), Some("Bruno Costa"));
    let lost = desk
        .desk
        .report_card_lost(&rui, now, grants[1].access_method_ids[0])
        .unwrap();
    assert_eq!(lost.lost_at, Some(now));
    // Bruno's card still opens doors, but there is nothing left to collect: a cancel card
    // or the next guest's card stops it.
    assert_eq!(
        outstanding(&desk),
        [(
            Some("Bruno Costa".to_owned()),
            "cancel_card".to_owned(),
            Some("R-4".to_owned())
        )]
    );
    let views = desk.desk.warnings(&marta, now).unwrap();
    let bruno = views
        .iter()
        .find(|view| view.code == WarningCode::CardsNotCollected)
        .unwrap();
    assert!(bruno.outstanding_card_ids.is_empty());
    assert_eq!(bruno.cards_out.len(), 1);
    assert_eq!(bruno.cards_out[0].reason, frontdesk::CardOutReason::Lost);
    let entry = last_audit(&desk, "access_method.lost");
    assert_eq!(entry.outcome, AuditOutcome::Ok);
    assert_eq!(entry.actor, "operator:Rui");

    // A second check-out finds nothing to end.
    let error = refused(desk.desk.check_out(&rui, now, "R-4"));
    assert_eq!(error.status, 404);
}

#[test]
fn only_a_card_out_of_a_closed_stay_can_be_reported_lost() {
    let desk = Desk::new();
    let mut stay = request(
        &desk,
        "room-101",
        ARRIVE,
        LEAVE,
        &["Ana Silva"],
        Some("R-4"),
    );
    stay.cards_per_guest = 3;
    let stay = desk
        .desk
        .check_in(&receptionist(), at(BOOKED), &stay)
        .unwrap();
    let [never_made, live, returned] = [0, 1, 2].map(|index| stay.guests[0].cards[index].id);
    issue(&desk, live);
    issue(&desk, returned);
    let before = snapshot(&desk);
    // A card never encoded is not in anyone's pocket.
    assert_invalid(
        &refused(
            desk.desk
                .report_card_lost(&receptionist(), at(BOOKED), never_made),
        ),
        "access_method_id",
    );
    // A card of a live stay still opens the room: the lost-key flow reissues the stay, so
    // that it stays on the check-out list and the new cards override it.
    assert_invalid(
        &refused(
            desk.desk
                .report_card_lost(&receptionist(), at(BOOKED), live),
        ),
        "access_method_id",
    );
    let error = refused(
        desk.desk
            .report_card_lost(&receptionist(), at(BOOKED), Uuid::new_v4()),
    );
    assert_eq!(error.status, 404);
    assert_eq!(snapshot(&desk), before);

    let now = at(LEAVE);
    let out = desk.desk.check_out(&receptionist(), now, "R-4").unwrap();
    assert_eq!(out.uncollected.len(), 2);
    desk.desk
        .mark_card_collected(&receptionist().context(now), returned)
        .unwrap();
    // A card back at the desk is not lost.
    assert_invalid(
        &refused(desk.desk.report_card_lost(&receptionist(), now, returned)),
        "access_method_id",
    );
    let lost = desk
        .desk
        .report_card_lost(&receptionist(), now, live)
        .unwrap();
    assert_eq!(lost.lost_at, Some(now));
}

// --- the manager's warnings ------------------------------------------------------------------

#[test]
fn the_manager_sees_every_warning_with_its_fix() {
    let desk = Desk::new();
    let rui = receptionist();
    let marta = manager();
    // Room 101: the dates changed after a card was made.
    let a = check_in(&desk, "room-101", ARRIVE, LEAVE, &["Ana Silva"], "R-A");
    let ana_card = a.guests[0].cards[0].id;
    issue(&desk, ana_card);
    desk.desk
        .change_dates(
            &rui,
            at(BOOKED),
            "R-A",
            None,
            Some(at("2025-07-19T10:00:00Z")),
            false,
        )
        .unwrap();
    // Room 102: checked out with a card still out.
    let b = check_in(&desk, "room-102", ARRIVE, LEAVE, &["Bruno Costa"], "R-B");
    issue(&desk, b.guests[0].cards[0].id);
    desk.desk.check_out(&rui, at(BOOKED), "R-B").unwrap();
    // Room 203: a stay booked for later dates with its keys made in advance, then one set up
    // after it for earlier dates.
    let c = check_in(
        &desk,
        "room-203",
        "2025-07-24T14:00:00Z",
        "2025-07-26T10:00:00Z",
        &["Carla Dias"],
        "R-C",
    );
    issue(&desk, c.guests[0].cards[0].id);
    check_in(
        &desk,
        "room-203",
        "2025-07-20T14:00:00Z",
        "2025-07-22T10:00:00Z",
        &["Duarte Reis"],
        "R-D",
    );
    // The suite: a late check-out overlaps the next guest's arrival.
    check_in(
        &desk,
        "suite-300",
        ARRIVE,
        "2025-07-18T16:00:00Z",
        &["Eva Lopes"],
        "R-E",
    );
    // The late check-out was agreed after the next guest was booked: a manager allows it.
    let mut next = request(
        &desk,
        "suite-300",
        "2025-07-18T14:00:00Z",
        "2025-07-20T10:00:00Z",
        &["Filipa Nunes"],
        Some("R-F"),
    );
    next.allow_overlap = true;
    desk.desk.check_in(&marta, at(BOOKED), &next).unwrap();

    let views = desk.desk.warnings(&marta, at(BOOKED)).unwrap();
    let summary: BTreeSet<(WarningCode, bool, String, String, String)> = views
        .iter()
        .map(|view| {
            assert!(!view.message.is_empty());
            (
                view.code,
                view.access_method_id.is_some(),
                fix_name(view.fix),
                view.guest.clone().unwrap(),
                view.reservation_key.clone().unwrap(),
            )
        })
        .collect();
    let expected: BTreeSet<(WarningCode, bool, String, String, String)> = [
        (
            WarningCode::EncodingRequired,
            true,
            "re_encode",
            "Ana Silva",
            "R-A",
        ),
        (
            WarningCode::EncodingRequired,
            false,
            "none",
            "Ana Silva",
            "R-A",
        ),
        (
            WarningCode::CardsNotCollected,
            false,
            "cancel_card",
            "Bruno Costa",
            "R-B",
        ),
        (
            WarningCode::SequenceInversion,
            false,
            "reissue_stay",
            "Carla Dias",
            "R-C",
        ),
        (
            WarningCode::PreviousGuestCanEnter,
            false,
            "none",
            "Filipa Nunes",
            "R-F",
        ),
    ]
    .into_iter()
    .map(|(code, method, fix, guest, key)| {
        (
            code,
            method,
            fix.to_owned(),
            guest.to_owned(),
            key.to_owned(),
        )
    })
    .collect();
    assert_eq!(summary, expected);
    let re_encode = views
        .iter()
        .find(|view| view.fix == FixAction::ReEncode)
        .unwrap();
    assert_eq!(re_encode.access_method_id, Some(ana_card));
    assert_eq!(re_encode.access_grant_id, a.guests[0].access_grant_id);

    // Each fix clears its warning.
    issue(&desk, ana_card);
    desk.desk.reissue_stay(&rui, at(BOOKED), "R-C").unwrap();
    let left: BTreeSet<WarningCode> = desk
        .desk
        .warnings(&marta, at(BOOKED))
        .unwrap()
        .into_iter()
        .map(|view| view.code)
        .collect();
    assert_eq!(
        left,
        BTreeSet::from([
            WarningCode::CardsNotCollected,
            WarningCode::PreviousGuestCanEnter
        ])
    );

    // The list is a manager's.
    let error = refused(desk.desk.warnings(&rui, at(BOOKED)));
    assert_eq!(
        (error.status, error.error_type.as_str()),
        (403, "forbidden")
    );
    assert!(error.message.contains("manager"), "{}", error.message);
}

// --- staff -----------------------------------------------------------------------------------

#[test]
fn a_manager_issues_staff_cards_without_a_reservation() {
    let desk = Desk::new();
    let marta = manager();
    let shift = TimeFrame::new(at("2025-07-14T06:00:00Z"), at("2025-07-20T18:00:00Z"));
    let staff_doors = doors(&desk, &["room-101-door", "room-102-door", "gym-door"]);

    let before = snapshot(&desk);
    let error = refused(desk.desk.issue_staff_access(
        &receptionist(),
        at(BOOKED),
        "Hana Housekeeping",
        &staff_doors,
        shift,
    ));
    assert_eq!(
        (error.status, error.error_type.as_str()),
        (403, "forbidden")
    );
    assert_eq!(snapshot(&desk), before);
    let error = refused(desk.desk.staff_access(&receptionist(), at(BOOKED)));
    assert_eq!(error.status, 403);

    let grant = desk
        .desk
        .issue_staff_access(&marta, at(BOOKED), "Hana Housekeeping", &staff_doors, shift)
        .unwrap();
    assert_eq!(grant.reservation_key, None);
    assert_eq!(grant.reservation_id, None);
    assert!(
        grant
            .entrances
            .iter()
            .all(|entrance| !entrance.reservation_door && entrance.sequence.is_none())
    );
    assert_eq!(
        entrance_keys(&desk, &grant),
        keys(&["room-101-door", "room-102-door", "gym-door"])
    );
    assert_eq!(
        (grant.starts_at, grant.ends_at),
        (shift.starts_at, shift.ends_at)
    );
    assert_eq!(grant.access_method_ids.len(), 1);
    assert_eq!(grant.name.as_deref(), Some("Staff: Hana Housekeeping"));
    let hana = desk.desk.user_identity(grant.user_identity_id).unwrap();
    assert_eq!(hana.kind, engine::model::UserKind::Staff);
    assert_eq!(
        last_audit(&desk, "access_grant.create").actor,
        "operator:Marta"
    );

    let staff = desk.desk.staff_access(&marta, at(BOOKED)).unwrap();
    assert_eq!(staff.len(), 1);
    assert_eq!(staff[0].access_grant_id, grant.id);
    assert_eq!(staff[0].full_name.as_deref(), Some("Hana Housekeeping"));
    assert_eq!(staff[0].entrance_ids, grant.entrance_ids());
    assert_eq!(staff[0].cards.len(), 1);

    // Guests check in after her: their first card takes the room's first sequence.
    let stay = check_in(&desk, "room-101", ARRIVE, LEAVE, &["Ana Silva"], "R-1");
    let guest_grant = desk
        .desk
        .access_grant(stay.guests[0].access_grant_id)
        .unwrap();
    assert_eq!(sequence_at(&desk, &guest_grant, "room-101-door"), None);
    // Her card never overrides the guest, and the guest's never shuts her out.
    let staff_card = issue(&desk, grant.access_method_ids[0]);
    let guest_card = issue(&desk, stay.guests[0].cards[0].id);
    assert_eq!(
        present(&desk, "room-101-door", &guest_card, "2025-07-14T15:00:00Z").reason,
        Reason::Overrode { from: 0, to: 1 }
    );
    assert_eq!(
        present(&desk, "room-101-door", &staff_card, "2025-07-15T09:00:00Z").reason,
        Reason::StaffAccess
    );
    assert_eq!(
        present(&desk, "room-101-door", &guest_card, "2025-07-15T10:00:00Z").reason,
        Reason::Joined
    );
    // Not a stay on the board.
    let board = desk
        .desk
        .room_board(&receptionist(), at("2025-07-15T09:00:00Z"))
        .unwrap();
    assert_eq!(tile(&board, "room-102").state, RoomState::Vacant);
    assert_eq!(tile(&board, "room-101").stays[0].guests, ["Ana Silva"]);
}

#[test]
fn a_receptionist_may_do_every_front_desk_use_case() {
    let desk = Desk::new();
    let rui = receptionist();
    assert!(desk.desk.room_board(&rui, at(BOOKED)).is_ok());
    assert!(
        desk.desk
            .check_in_options(&rui, desk.space_id("room-101"), at(BOOKED))
            .is_ok()
    );
    check_in(&desk, "room-101", ARRIVE, LEAVE, &["Ana"], "R-1");
    assert!(desk.desk.stay(&rui, "R-1").is_ok());
    assert!(
        desk.desk
            .change_dates(&rui, at(BOOKED), "R-1", None, Some(at(DURING)), false)
            .is_ok()
    );
    assert!(desk.desk.reissue_stay(&rui, at(BOOKED), "R-1").is_ok());
    assert!(
        desk.desk
            .move_stay(&rui, at(BOOKED), "R-1", desk.space_id("room-102"), false)
            .is_ok()
    );
    assert!(desk.desk.check_out(&rui, at(BOOKED), "R-1").is_ok());
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

#[test]
fn a_move_remakes_every_card_duplicates_included_and_keeps_the_stay_s_dates() {
    let desk = Desk::new();
    let old = stay_with_a_copy(&desk);
    let before = desk.desk.stay(&receptionist(), "R-7").unwrap();
    assert_eq!(live_cards(&before), 4);

    let moved = move_r7_to_room_102(&desk);

    // Four new cards to encode, two each; the card revoked before the move is not remade.
    assert_eq!(live_cards(&moved.stay), 4, "{:?}", moved.stay);
    assert_eq!(guest_named(&moved.stay, "Ana Silva").cards.len(), 2);
    assert_eq!(guest_named(&moved.stay, "Bruno Costa").cards.len(), 2);
    assert!(none_encoded(&moved.stay));
    // The stay's dates and times are those it was booked with, not the move's.
    assert_eq!(
        (moved.stay.starts_at, moved.stay.ends_at),
        (at(ARRIVE), at(LEAVE))
    );
    for (before, after) in old.iter().zip(grants_of(&desk, "R-7")) {
        assert_eq!(
            (after.starts_at, after.ends_at),
            (before.starts_at, before.ends_at)
        );
    }
    // The four cards of room 101 stay listed, and their grants warn about them.
    assert_eq!(moved.old_cards.len(), 4, "{:?}", moved.old_cards);
    for grant in &old {
        let message = lost_card_warning(&grant_ever(&desk, grant.id))
            .expect("a warning about the old room's cards");
        assert!(message.contains("Room 101 door"), "{message}");
    }
    let views = desk.desk.warnings(&manager(), at(DURING)).unwrap();
    let outstanding: usize = views
        .iter()
        .filter(|view| view.code == WarningCode::CardsNotCollected)
        .map(|view| view.outstanding_card_ids.len())
        .sum();
    assert_eq!(outstanding, 4, "{views:?}");
}

#[test]
fn a_reissue_remakes_duplicates_and_keeps_the_stay_s_dates() {
    let desk = Desk::new();
    let old = stay_with_a_copy(&desk);
    let reissued = desk
        .desk
        .reissue_stay(&receptionist(), at(DURING), "R-7")
        .unwrap();
    assert_eq!(live_cards(&reissued), 4, "{reissued:?}");
    assert_eq!(guest_named(&reissued, "Bruno Costa").cards.len(), 2);
    assert_eq!(
        (reissued.starts_at, reissued.ends_at),
        (at(ARRIVE), at(LEAVE))
    );
    for (before, after) in old.iter().zip(grants_of(&desk, "R-7")) {
        assert_eq!(
            (after.starts_at, after.ends_at),
            (before.starts_at, before.ends_at)
        );
    }
}

/// The test property with a fourth floor of 20 rooms, each with a Visionline door.
fn fourth_floor(desk: &Desk) -> Vec<EntranceId> {
    let mut file: serde_json::Value = serde_json::from_str(support::TEST_PROPERTY).unwrap();
    for number in 401..=420 {
        file["spaces"]
            .as_array_mut()
            .unwrap()
            .push(serde_json::json!({
                "key": format!("room-{number}"), "name": format!("Room {number}"),
                "floor": 4, "kind": "guest_room"
            }));
        file["entrances"]
            .as_array_mut()
            .unwrap()
            .push(serde_json::json!({
                "key": format!("room-{number}-door"), "name": format!("Room {number} door"),
                "access_system": "vl", "spaces": [format!("room-{number}")],
                "can_belong_to_reservation": true, "modes": ["card"]
            }));
    }
    desk.desk
        .import_property(&desk.context, &file.to_string())
        .unwrap();
    (401..=420)
        .map(|number| desk.entrance_id(&format!("room-{number}-door")))
        .collect()
}

#[test]
fn a_staff_card_with_more_doors_than_a_card_carries_is_refused_at_set_up() {
    let desk = Desk::new();
    let floor = fourth_floor(&desk);
    let marta = manager();
    let shift = TimeFrame::new(at("2025-07-14T06:00:00Z"), at("2025-07-20T18:00:00Z"));

    // Thirteen of the floor's twenty rooms are thirteen single doors.
    let before = snapshot(&desk);
    let error = refused(desk.desk.issue_staff_access(
        &marta,
        at(BOOKED),
        "Hana Housekeeping",
        &floor[..13],
        shift,
    ));
    assert_invalid(&error, "acs_entrance_ids");
    for words in [
        "a staff card carries at most 12 single doors",
        "13 were chosen",
        "make a second card for the rest",
    ] {
        assert!(error.message.contains(words), "{}", error.message);
    }
    assert_eq!(snapshot(&desk), before);
    assert_refusal_audited(&desk, "staff.issue", "operator:Marta", &error);

    // Twelve doors fit; a door on an online system is not on the card and does not count.
    let mut twelve = floor[..12].to_vec();
    twelve.push(desk.entrance_id("parking-gate"));
    let grant = desk
        .desk
        .issue_staff_access(&marta, at(BOOKED), "Hana Housekeeping", &twelve, shift)
        .unwrap();
    desk.encode(grant.access_method_ids[0]);
    // The whole floor fits: it travels as one zone.
    let grant = desk
        .desk
        .issue_staff_access(&marta, at(BOOKED), "Hana Housekeeping", &floor, shift)
        .unwrap();
    desk.station.simulator().unwrap().present_blank_card();
    desk.encode(grant.access_method_ids[0]);
}

#[test]
fn a_guest_card_with_more_room_doors_than_a_card_carries_is_refused_at_set_up() {
    let desk = Desk::new();
    let floor = fourth_floor(&desk);
    let guest = desk.guest();
    let error = desk
        .create(&frontdesk::CreateAccessGrant {
            user_identity_id: Some(guest.id),
            acs_entrance_ids: floor[..9].to_vec(),
            starts_at: Some(at(ARRIVE)),
            ends_at: Some(at(LEAVE)),
            requested_access_methods: vec![support::card()],
            reservation_key: Some("R-GROUP".to_owned()),
            ..Default::default()
        })
        .unwrap_err();
    assert_invalid(&error, "acs_entrance_ids");
    assert!(
        error
            .message
            .contains("at most 8 doors of one room or suite"),
        "{}",
        error.message
    );
}
