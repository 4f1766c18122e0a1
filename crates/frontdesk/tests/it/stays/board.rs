//! The room board: every room by floor with its state and its stays, in the property's time.

use std::collections::{BTreeMap, BTreeSet};

use engine::model::TimeFrame;
use frontdesk::RoomState;

use super::{
    ARRIVE, BOOKED, LEAVE, check_in, doors, guest_named, issue, keys, manager, receptionist, state,
    tile,
};
use crate::support::{Desk, at};

/// The test property with room 104 on floor 1, room 1001 on floor 10 and a garden annex
/// without a floor.
fn extended_property() -> String {
    let mut file: serde_json::Value = serde_json::from_str(crate::support::TEST_PROPERTY).unwrap();
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

#[test]
fn the_layout_before_sign_in_has_the_board_s_rooms_and_no_one_in_them() {
    let desk = Desk::new();
    desk.desk
        .import_property(&desk.context, &extended_property())
        .unwrap();
    check_in(&desk, "room-101", ARRIVE, LEAVE, &["Ana Silva"], "R-101");
    let now = at("2025-07-14T12:00:00Z");
    let board = desk.desk.room_board(&manager(), now).unwrap();
    let layout = desk.desk.board_layout(now).unwrap();

    let rooms = |board: &frontdesk::Board| -> Vec<(String, Vec<String>)> {
        board
            .floors
            .iter()
            .map(|floor| {
                let keys = floor.rooms.iter().map(|room| room.key.clone()).collect();
                (floor.label.clone(), keys)
            })
            .collect()
    };
    assert_eq!(
        rooms(&layout),
        rooms(&board),
        "the same floors and rooms, in order"
    );
    assert_eq!(tile(&board, "room-101").stays[0].guests, ["Ana Silva"]);
    for room in layout.floors.iter().flat_map(|floor| &floor.rooms) {
        assert_eq!(room.state, RoomState::Vacant, "{}", room.key);
        assert!(room.stays.is_empty() && room.next_arrival.is_none() && !room.has_warnings);
    }
    let said = serde_json::to_string(&layout).unwrap();
    assert!(
        !said.contains("Ana Silva") && !said.contains("R-101"),
        "{said}"
    );
}
