//! Group check-in: several rooms of one booking at once, each its own stay, all or none.

use frontdesk::{GroupCheckIn, MAX_GROUP_ROOMS};

use super::{
    ARRIVE, BOOKED, LEAVE, assert_invalid, check_in, manager, receptionist, refused, request,
    snapshot,
};
use crate::support::{Desk, at};

#[test]
fn every_room_of_a_group_becomes_its_own_stay_with_its_cards_to_encode() {
    let desk = Desk::new();
    let group = GroupCheckIn {
        group_name: Some("Smith wedding".to_owned()),
        rooms: vec![
            request(
                &desk,
                "room-101",
                ARRIVE,
                LEAVE,
                &["Ann Smith", "Bo Smith"],
                None,
            ),
            request(
                &desk,
                "room-102",
                ARRIVE,
                LEAVE,
                &["Cy Smith"],
                Some("pms-88"),
            ),
            request(&desk, "suite-300", ARRIVE, LEAVE, &["Di Smith"], None),
        ],
    };
    let stays = desk
        .desk
        .check_in_group(&receptionist(), at(BOOKED), &group)
        .unwrap();
    assert_eq!(
        stays
            .iter()
            .map(|stay| stay.room_name.as_str())
            .collect::<Vec<_>>(),
        ["Room 101", "Room 102", "Suite 300"]
    );
    assert_eq!(stays[1].reservation_key, "pms-88");
    assert_ne!(stays[0].reservation_key, stays[2].reservation_key);
    let cards: Vec<usize> = stays
        .iter()
        .map(|stay| stay.guests.iter().map(|guest| guest.cards.len()).sum())
        .collect();
    assert_eq!(cards, [2, 1, 1]);
    // Each is a stay of its own, as a check-in room by room makes it.
    for stay in &stays {
        let read = desk
            .desk
            .stay_at(&manager(), &stay.reservation_key, at(BOOKED))
            .unwrap();
        assert_eq!(read.room_name, stay.room_name);
    }
    let audited = super::last_audit(&desk, "stay.check_in_group");
    assert_eq!(audited.subject_id.as_deref(), Some("Smith wedding"));
}

#[test]
fn a_room_that_cannot_be_checked_in_is_named_and_nothing_of_the_group_is_made() {
    let desk = Desk::new();
    check_in(&desk, "room-102", ARRIVE, LEAVE, &["Earlier Guest"], "r-1");
    let before = snapshot(&desk);
    let cases = [
        (
            vec![
                request(&desk, "room-101", ARRIVE, LEAVE, &["Ann"], None),
                request(&desk, "room-102", ARRIVE, LEAVE, &["Bo"], None),
            ],
            "rooms[1].space_id",
        ),
        (
            vec![
                request(&desk, "room-101", ARRIVE, LEAVE, &["Ann"], None),
                request(&desk, "room-101", ARRIVE, LEAVE, &["Bo"], None),
            ],
            "rooms[1].space_id",
        ),
        (
            vec![
                request(&desk, "room-101", ARRIVE, LEAVE, &["Ann"], None),
                request(&desk, "room-203", ARRIVE, LEAVE, &[], None),
            ],
            "rooms[1].guests",
        ),
        (
            vec![
                request(&desk, "room-101", ARRIVE, LEAVE, &["Ann"], None),
                frontdesk::CheckIn {
                    cards_per_guest: 0,
                    ..request(&desk, "room-203", ARRIVE, LEAVE, &["Cy"], None)
                },
            ],
            "rooms[1].cards_per_guest",
        ),
        (Vec::new(), "rooms"),
    ];
    for (index, (rooms, field)) in cases.into_iter().enumerate() {
        let group = GroupCheckIn {
            group_name: None,
            rooms,
        };
        let error = refused(
            desk.desk
                .check_in_group(&receptionist(), at(BOOKED), &group),
        );
        if index == 0 {
            // Booked for another stay: the room is named, in the receptionist's words.
            assert_eq!((error.status, error.field.as_deref()), (409, Some(field)));
            assert!(error.message.starts_with("Room 102 is booked"), "{error:?}");
        } else {
            assert_invalid(&error, field);
        }
        assert_eq!(snapshot(&desk), before, "{field}: nothing changed");
    }
    let too_many = GroupCheckIn {
        group_name: None,
        rooms: vec![request(&desk, "room-101", ARRIVE, LEAVE, &["Ann"], None); MAX_GROUP_ROOMS + 1],
    };
    assert_invalid(
        &refused(
            desk.desk
                .check_in_group(&receptionist(), at(BOOKED), &too_many),
        ),
        "rooms",
    );
}
