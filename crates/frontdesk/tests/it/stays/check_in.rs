//! The check-in form, and checking guests in.

use std::collections::BTreeMap;

use engine::model::EntranceId;
use engine::warnings::WarningCode;
use frontdesk::{AccessMethodRecord, AuditEntry, CheckIn};
use uuid::Uuid;

use super::{
    ARRIVE, BOOKED, DURING, LEAVE, assert_invalid, assert_refusal_audited, audit, check_in,
    entrance_keys, grants_of, keys, manager, receptionist, refused, request, snapshot,
};
use crate::support::{Desk, at, grant_entrance, sequence_at};

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
