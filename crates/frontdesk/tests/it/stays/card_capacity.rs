//! Cards with more doors than a card carries are refused when set up.

use engine::model::{EntranceId, TimeFrame};

use super::{
    ARRIVE, BOOKED, LEAVE, assert_invalid, assert_refusal_audited, manager, refused, snapshot,
};
use crate::support::{Desk, at};

/// The test property with a fourth floor of 20 rooms, each with a Visionline door.
fn fourth_floor(desk: &Desk) -> Vec<EntranceId> {
    let mut file: serde_json::Value = serde_json::from_str(crate::support::TEST_PROPERTY).unwrap();
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
            requested_access_methods: vec![crate::support::card()],
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
