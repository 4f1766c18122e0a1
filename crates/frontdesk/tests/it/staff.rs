//! Staff cards through the desk's use cases: zones (a whole floor, all guest rooms) on the
//! card and at the simulated doors, the staff screen's choices and rows, and editing,
//! revoking, deleting and losing a staff card.

// Helpers outside #[test] functions unwrap too, and the shared support returns WireError.
#![allow(clippy::unwrap_used, clippy::result_large_err)]

use encoder::CardUid;
use encoder::card;
use engine::lock::{Decision, Reason, StaffZone};
use engine::model::{EntranceId, TimeFrame};
use engine::warnings::WarningCode;
use frontdesk::{
    AccessGrantRecord, Operator, Role, StaffAccess, StaffCardsState, StaffChange, WireError,
};
use store::AuditOutcome;
use uuid::Uuid;

use crate::support::{Desk, TEST_PROPERTY, at, present};

const BOOKED: &str = "2025-07-10T12:00:00Z";
/// Housekeeping's week.
const FROM: &str = "2025-07-14T06:00:00Z";
const UNTIL: &str = "2025-07-20T18:00:00Z";
/// Mid-week, within the card's dates.
const DURING: &str = "2025-07-15T10:00:00Z";

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

fn week() -> TimeFrame {
    TimeFrame::new(at(FROM), at(UNTIL))
}

/// The test property with floor 1 grown to 20 rooms (101 to 120).
fn hotel() -> Desk {
    let desk = Desk::new();
    let mut file: serde_json::Value = serde_json::from_str(TEST_PROPERTY).unwrap();
    for number in 103..=120 {
        file["spaces"]
            .as_array_mut()
            .unwrap()
            .push(serde_json::json!({
                "key": format!("room-{number}"), "name": format!("Room {number}"),
                "floor": 1, "kind": "guest_room"
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
    desk
}

fn floor_1_doors(desk: &Desk) -> Vec<EntranceId> {
    (101..=120)
        .map(|number| desk.entrance_id(&format!("room-{number}-door")))
        .collect()
}

fn doors(desk: &Desk, keys: &[&str]) -> Vec<EntranceId> {
    keys.iter().map(|key| desk.entrance_id(key)).collect()
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
}

/// The newest audit entry of `action`.
fn last_audit(desk: &Desk, action: &str) -> store::AuditEntry {
    desk.desk
        .audit_log(&store::AuditFilter::default())
        .unwrap()
        .into_iter()
        .find(|entry| entry.action == action)
        .unwrap_or_else(|| panic!("no audit entry for {action}"))
}

/// Whether `action` went through and was audited as done by Marta.
fn audited_ok(desk: &Desk, action: &str) -> bool {
    desk.desk
        .audit_log(&store::AuditFilter::default())
        .unwrap()
        .iter()
        .any(|entry| {
            entry.action == action
                && entry.outcome == AuditOutcome::Ok
                && entry.actor == "operator:Marta"
        })
}

/// A housekeeping card for floor 1's rooms, the lobby and the pool.
fn housekeeping(desk: &Desk) -> AccessGrantRecord {
    let mut chosen = floor_1_doors(desk);
    chosen.extend(doors(desk, &["lobby-door", "pool-door"]));
    desk.desk
        .issue_staff_access(&manager(), at(BOOKED), "Hana Housekeeping", &chosen, week())
        .unwrap()
}

/// Encodes an access method's card onto a fresh blank; returns the card's id.
fn issue(desk: &Desk, id: Uuid) -> String {
    desk.station.simulator().unwrap().present_blank_card();
    desk.encode(id).card_id
}

fn row(desk: &Desk, id: Uuid) -> Option<StaffAccess> {
    desk.desk
        .staff_access(&manager(), at(DURING))
        .unwrap()
        .into_iter()
        .find(|row| row.access_grant_id == id)
}

fn card_data(desk: &Desk, card_id: &str) -> card::CardData {
    let uid = CardUid::from_hex(card_id).unwrap();
    let image = desk.station.simulator().unwrap().card(&uid).unwrap().image;
    card::open(&image, &uid, desk.station.keys()).unwrap()
}

// --- zones --------------------------------------------------------------------------------

#[test]
fn a_housekeeping_card_for_a_floor_of_20_rooms_opens_that_floor_and_no_other() {
    let desk = hotel();
    let grant = housekeeping(&desk);
    let listed = row(&desk, grant.id).unwrap();
    assert_eq!(listed.opens, "Floor 1 (20 rooms), Lobby door, Pool door");
    assert_eq!(listed.cards_state, StaffCardsState::NotEncoded);

    let card_id = issue(&desk, grant.access_method_ids[0]);
    // The floor travels as one zone; only the common doors are listed.
    let data = card_data(&desk, &card_id);
    assert_eq!(data.zones, vec![StaffZone::Floor { floor: 1 }]);
    assert_eq!(data.common_doors.len(), 2);
    assert_eq!(
        row(&desk, grant.id).unwrap().cards_state,
        StaffCardsState::Encoded
    );

    for number in 101..=120 {
        let decision = present(&desk, &format!("room-{number}-door"), &card_id, DURING);
        assert_eq!(
            (decision.decision, decision.reason),
            (Decision::Granted, Reason::StaffAccess),
            "room {number}"
        );
    }
    assert_eq!(
        present(&desk, "lobby-door", &card_id, DURING).reason,
        Reason::StaffAccess
    );
    for door in ["room-203-door", "suite-300-main", "gym-door"] {
        let decision = present(&desk, door, &card_id, DURING);
        assert_eq!(
            (decision.decision, decision.reason),
            (Decision::Denied, Reason::DoorNotOnCard),
            "{door}"
        );
    }
}

#[test]
fn a_floor_card_stays_off_the_guest_track() {
    let desk = hotel();
    let staff_card = issue(&desk, housekeeping(&desk).access_method_ids[0]);
    let guest = desk
        .desk
        .check_in(
            &receptionist(),
            at(BOOKED),
            &frontdesk::CheckIn {
                space_id: desk.space_id("room-101"),
                starts_at: at("2025-07-14T14:00:00Z"),
                ends_at: at("2025-07-18T10:00:00Z"),
                guests: vec![frontdesk::NewGuest {
                    full_name: "Ana Silva".to_owned(),
                    email_address: None,
                    phone_number: None,
                }],
                common_entrance_ids: Vec::new(),
                cards_per_guest: 1,
                reservation_key: Some("R-1".to_owned()),
                allow_overlap: false,
            },
        )
        .unwrap();
    let guest_card = issue(&desk, guest.guests[0].cards[0].id);
    assert_eq!(
        present(&desk, "room-101-door", &guest_card, "2025-07-14T15:00:00Z").reason,
        Reason::Overrode { from: 0, to: 1 }
    );
    assert_eq!(
        present(&desk, "room-101-door", &staff_card, DURING).reason,
        Reason::StaffAccess
    );
    // The guest still joins: the staff card moved nothing.
    assert_eq!(
        present(&desk, "room-101-door", &guest_card, DURING).reason,
        Reason::Joined
    );
}

#[test]
fn all_guest_rooms_fit_one_card_and_open_suites_too() {
    let desk = hotel();
    let choices = desk.desk.staff_door_choices(&manager()).unwrap();
    let grant = desk
        .desk
        .issue_staff_access(
            &manager(),
            at(BOOKED),
            "Mo Maintenance",
            &choices.all_guest_rooms.entrance_ids,
            week(),
        )
        .unwrap();
    assert_eq!(
        row(&desk, grant.id).unwrap().opens,
        "All guest rooms (22 rooms)"
    );
    let card_id = issue(&desk, grant.access_method_ids[0]);
    let data = card_data(&desk, &card_id);
    assert_eq!(data.zones, vec![StaffZone::AllGuestRooms]);
    assert!(data.common_doors.is_empty());
    for door in ["room-120-door", "room-203-door", "suite-300-bedroom"] {
        assert_eq!(
            present(&desk, door, &card_id, DURING).reason,
            Reason::StaffAccess,
            "{door}"
        );
    }
    assert_eq!(
        present(&desk, "gym-door", &card_id, DURING).reason,
        Reason::DoorNotOnCard
    );
}

#[test]
fn single_room_doors_beyond_a_card_are_refused_with_the_floor_as_the_way_out() {
    let desk = hotel();
    let thirteen = floor_1_doors(&desk)[..13].to_vec();
    let error = refused(desk.desk.issue_staff_access(
        &manager(),
        at(BOOKED),
        "Hana Housekeeping",
        &thirteen,
        week(),
    ));
    assert_invalid(&error, "acs_entrance_ids");
    for words in ["at most 12 single doors", "13 were chosen", "whole floors"] {
        assert!(error.message.contains(words), "{}", error.message);
    }
}

#[test]
fn the_staff_screen_offers_floors_all_rooms_common_doors_and_single_rooms() {
    let desk = hotel();
    let choices = desk.desk.staff_door_choices(&manager()).unwrap();
    let floors: Vec<(String, Option<i32>, u32, usize)> = choices
        .floors
        .iter()
        .map(|floor| {
            (
                floor.label.clone(),
                floor.floor,
                floor.rooms,
                floor.entrance_ids.len(),
            )
        })
        .collect();
    assert_eq!(
        floors,
        vec![
            ("Floor 1".to_owned(), Some(1), 20, 20),
            ("Floor 2".to_owned(), Some(2), 1, 1),
            // One suite with two doors.
            ("Floor 3".to_owned(), Some(3), 1, 2),
        ]
    );
    assert_eq!(choices.all_guest_rooms.rooms, 22);
    assert_eq!(choices.all_guest_rooms.entrance_ids.len(), 23);
    let common: Vec<&str> = choices
        .common_doors
        .iter()
        .map(|door| door.name.as_str())
        .collect();
    // The parking gate is on an online system: the desk's cards do not open it.
    assert_eq!(common.len(), 3, "{common:?}");
    assert!(!common.iter().any(|name| name.contains("Parking")));
    assert_eq!(choices.room_doors.len(), 23);
    assert_eq!(choices.room_doors[0].floor, Some(1));
    assert_eq!(
        refused(desk.desk.staff_door_choices(&receptionist())).status,
        403
    );
}

// --- edit, revoke, delete, lost -------------------------------------------------------------

#[test]
fn editing_doors_name_and_dates_flags_the_card_and_the_new_card_carries_the_change() {
    let desk = hotel();
    let grant = housekeeping(&desk);
    let card_id = issue(&desk, grant.access_method_ids[0]);

    let change = StaffChange {
        access_grant_id: grant.id,
        full_name: Some("Hana Silva".to_owned()),
        acs_entrance_ids: Some(doors(&desk, &["room-203-door", "gym-door"])),
        starts_at: None,
        ends_at: Some(at("2025-07-25T18:00:00Z")),
    };
    let after = desk
        .desk
        .update_staff_access(&manager(), at(BOOKED), &change)
        .unwrap();
    assert_eq!(after.name.as_deref(), Some("Staff: Hana Silva"));
    assert_eq!(after.ends_at, at("2025-07-25T18:00:00Z"));
    let listed = row(&desk, grant.id).unwrap();
    assert_eq!(listed.full_name.as_deref(), Some("Hana Silva"));
    assert_eq!(listed.opens, "Floor 2 (1 room), Gym door");
    assert_eq!(listed.cards_state, StaffCardsState::NeedsReEncoding);
    let audit = last_audit(&desk, "staff.update");
    assert_eq!(
        (audit.outcome, audit.actor.as_str()),
        (AuditOutcome::Ok, "operator:Marta")
    );

    // Until it is written again the plastic still carries floor 1.
    assert_eq!(
        present(&desk, "room-101-door", &card_id, DURING).reason,
        Reason::StaffAccess
    );
    desk.station
        .simulator()
        .unwrap()
        .present_card(&CardUid::from_hex(&card_id).unwrap());
    desk.encode(grant.access_method_ids[0]);
    assert_eq!(
        row(&desk, grant.id).unwrap().cards_state,
        StaffCardsState::Encoded
    );
    let data = card_data(&desk, &card_id);
    assert_eq!(data.zones, vec![StaffZone::Floor { floor: 2 }]);
    assert_eq!(
        present(&desk, "room-101-door", &card_id, DURING).reason,
        Reason::DoorNotOnCard
    );
    assert_eq!(
        present(&desk, "room-203-door", &card_id, DURING).reason,
        Reason::StaffAccess
    );
}

#[test]
fn a_bad_edit_names_its_field_and_changes_nothing() {
    let desk = hotel();
    let grant = housekeeping(&desk);
    let change = |edit: fn(&mut StaffChange)| {
        let mut change = StaffChange {
            access_grant_id: grant.id,
            ..Default::default()
        };
        edit(&mut change);
        refused(
            desk.desk
                .update_staff_access(&manager(), at(BOOKED), &change),
        )
    };
    assert_invalid(
        &change(|c| c.full_name = Some("  ".to_owned())),
        "full_name",
    );
    assert_invalid(
        &change(|c| c.acs_entrance_ids = Some(Vec::new())),
        "acs_entrance_ids",
    );
    assert_invalid(
        &change(|c| c.acs_entrance_ids = Some(vec![Uuid::from_u128(7)])),
        "acs_entrance_ids[0]",
    );
    assert_invalid(
        &change(|c| c.ends_at = Some(at("2025-07-01T00:00:00Z"))),
        "ends_at",
    );
    let error = refused(desk.desk.update_staff_access(
        &receptionist(),
        at(BOOKED),
        &StaffChange {
            access_grant_id: grant.id,
            full_name: Some("Eve".to_owned()),
            ..Default::default()
        },
    ));
    assert_eq!(error.status, 403);
    let refusal = last_audit(&desk, "staff.update");
    assert_eq!(refusal.outcome, AuditOutcome::Refused);
    let listed = row(&desk, grant.id).unwrap();
    assert_eq!(listed.full_name.as_deref(), Some("Hana Housekeeping"));
    assert_eq!(listed.opens, "Floor 1 (20 rooms), Lobby door, Pool door");
    assert_eq!((listed.starts_at, listed.ends_at), (at(FROM), at(UNTIL)));
}

#[test]
fn a_revoked_card_stays_listed_and_warned_while_it_still_opens_its_floor() {
    let desk = hotel();
    let grant = housekeeping(&desk);
    let method_id = grant.access_method_ids[0];
    let card_id = issue(&desk, method_id);

    assert_eq!(
        refused(
            desk.desk
                .revoke_staff_access(&receptionist(), at(BOOKED), grant.id)
        )
        .status,
        403
    );
    desk.desk
        .revoke_staff_access(&manager(), at(BOOKED), grant.id)
        .unwrap();
    assert!(audited_ok(&desk, "access_grant.delete"));
    let listed = row(&desk, grant.id).expect("listed while its card is out");
    assert_eq!(listed.cards_state, StaffCardsState::Revoked);
    assert!(listed.revoked_at.is_some());

    // The lock model says the card still opens the floor: no guest card overrides it.
    assert_eq!(
        present(&desk, "room-115-door", &card_id, DURING).decision,
        Decision::Granted
    );
    let warnings = desk.desk.warnings(&manager(), at(DURING)).unwrap();
    let warning = warnings
        .iter()
        .find(|warning| warning.access_grant_id == grant.id)
        .expect("the manager is warned");
    assert_eq!(warning.code, WarningCode::CardsNotCollected);
    assert!(
        warning.message.contains("Room 115 door"),
        "{}",
        warning.message
    );
    assert_eq!(warning.outstanding_card_ids, vec![method_id]);

    // Once it is back it opens nothing and drops off the list.
    desk.desk
        .mark_card_collected(&desk.context, method_id)
        .unwrap();
    assert!(row(&desk, grant.id).is_none());
    assert!(
        !desk
            .desk
            .warnings(&manager(), at(DURING))
            .unwrap()
            .iter()
            .any(|warning| warning.access_grant_id == grant.id)
    );
}

#[test]
fn only_an_entry_whose_card_was_never_encoded_is_deleted() {
    let desk = hotel();
    let never = housekeeping(&desk);
    let encoded = housekeeping(&desk);
    issue(&desk, encoded.access_method_ids[0]);

    let error = refused(
        desk.desk
            .delete_staff_access(&manager(), at(BOOKED), encoded.id),
    );
    assert_invalid(&error, "access_grant_id");
    assert!(
        error.message.contains("revoke it instead"),
        "{}",
        error.message
    );
    assert_eq!(
        last_audit(&desk, "staff.delete").outcome,
        AuditOutcome::Refused
    );
    assert_eq!(
        refused(
            desk.desk
                .delete_staff_access(&receptionist(), at(BOOKED), never.id)
        )
        .status,
        403
    );

    desk.desk
        .delete_staff_access(&manager(), at(BOOKED), never.id)
        .unwrap();
    assert!(audited_ok(&desk, "access_grant.delete"));
    assert!(row(&desk, never.id).is_none());
    assert!(row(&desk, encoded.id).is_some());
    assert!(
        desk.desk
            .warnings(&manager(), at(DURING))
            .unwrap()
            .is_empty()
    );
}

#[test]
fn a_lost_staff_card_is_warned_about_and_a_new_card_replaces_it() {
    let desk = hotel();
    let grant = housekeeping(&desk);
    let lost_id = grant.access_method_ids[0];
    let lost_card = issue(&desk, lost_id);

    assert_eq!(
        refused(
            desk.desk
                .report_staff_card_lost(&receptionist(), at(BOOKED), lost_id)
        )
        .status,
        403
    );
    desk.desk
        .report_staff_card_lost(&manager(), at(BOOKED), lost_id)
        .unwrap();
    assert!(audited_ok(&desk, "access_method.lost"));
    assert_eq!(
        row(&desk, grant.id).unwrap().cards_state,
        StaffCardsState::Lost
    );
    let error = refused(
        desk.desk
            .report_staff_card_lost(&manager(), at(BOOKED), lost_id),
    );
    assert_invalid(&error, "access_method_id");
    // Lost, it still opens the floor until its end, and the manager sees it.
    assert_eq!(
        present(&desk, "room-101-door", &lost_card, DURING).decision,
        Decision::Granted
    );
    let warning = desk
        .desk
        .warnings(&manager(), at(DURING))
        .unwrap()
        .into_iter()
        .find(|warning| warning.access_grant_id == grant.id)
        .expect("the lost card is warned about");
    assert!(
        warning.message.starts_with("Lost card"),
        "{}",
        warning.message
    );

    let copy = desk.desk.add_card_copy(&desk.context, grant.id).unwrap();
    issue(&desk, copy.id);
    assert_eq!(
        row(&desk, grant.id).unwrap().cards_state,
        StaffCardsState::Encoded
    );
}

#[test]
fn staff_actions_refuse_a_guest_grant() {
    let desk = hotel();
    let guest = desk.guest();
    let stay = desk
        .stay(
            &guest,
            &["room-101"],
            "2025-07-14T14:00:00Z",
            "2025-07-18T10:00:00Z",
            Some("R-1"),
        )
        .unwrap();
    assert_invalid(
        &refused(
            desk.desk
                .revoke_staff_access(&manager(), at(BOOKED), stay.id),
        ),
        "access_grant_id",
    );
    assert_invalid(
        &refused(desk.desk.update_staff_access(
            &manager(),
            at(BOOKED),
            &StaffChange {
                access_grant_id: stay.id,
                full_name: Some("Eve".to_owned()),
                ..Default::default()
            },
        )),
        "access_grant_id",
    );
}
