//! The audit log as a manager reads it: the entries one use case writes grouped as one
//! change, each naming its guests, rooms and cards.

use frontdesk::{AuditQuery, AuditView};

use super::{ARRIVE, BOOKED, LEAVE, manager, receptionist, refused, request};
use crate::support::{Desk, at};

fn log(desk: &Desk) -> Vec<AuditView> {
    desk.desk
        .audit_entries(&manager(), &AuditQuery::default())
        .unwrap()
}

/// The entries of the newest change named `action`, newest first.
fn change(entries: &[AuditView], action: &str) -> Vec<AuditView> {
    let id = entries
        .iter()
        .find(|entry| entry.change_action.as_deref() == Some(action))
        .and_then(|entry| entry.change_id)
        .unwrap_or_else(|| panic!("no change {action}: {entries:#?}"));
    entries
        .iter()
        .filter(|entry| entry.change_id == Some(id))
        .cloned()
        .collect()
}

#[test]
fn a_check_in_is_one_change_naming_its_guest_room_and_cards() {
    let desk = Desk::new();
    let mut stay = request(&desk, "room-101", ARRIVE, LEAVE, &["Dan Roe"], Some("R-1"));
    stay.cards_per_guest = 2;
    desk.desk
        .check_in(&receptionist(), at(BOOKED), &stay)
        .unwrap();

    let check_in = change(&log(&desk), "stay.check_in");
    let actions: Vec<&str> = check_in.iter().map(|entry| entry.action.as_str()).collect();
    assert!(actions.contains(&"access_grant.create"), "{actions:?}");
    assert!(actions.contains(&"user_identity.create"), "{actions:?}");
    let grant = check_in
        .iter()
        .find(|entry| entry.action == "access_grant.create")
        .unwrap();
    assert_eq!(grant.about.people, ["Dan Roe"]);
    assert_eq!(grant.about.rooms, ["Room 101"]);
    assert_eq!(grant.about.cards, 2);
    let cards: u32 = check_in.iter().map(|entry| entry.about.cards).sum();
    assert_eq!(cards, 2, "the cards are counted once, on the grant");
    assert!(check_in.iter().all(|entry| entry.actor == "operator:Rui"));
}

#[test]
fn a_move_names_the_room_left_and_the_room_taken() {
    let desk = Desk::new();
    let stay = request(&desk, "room-101", ARRIVE, LEAVE, &["Ann Lee"], Some("R-2"));
    desk.desk
        .check_in(&receptionist(), at(BOOKED), &stay)
        .unwrap();
    desk.desk
        .move_stay(
            &receptionist(),
            at(BOOKED),
            "R-2",
            desk.space_id("room-102"),
            false,
        )
        .unwrap();

    let moved = change(&log(&desk), "stay.move");
    let left: Vec<&String> = moved
        .iter()
        .flat_map(|entry| &entry.about.rooms_before)
        .collect();
    let taken: Vec<&String> = moved.iter().flat_map(|entry| &entry.about.rooms).collect();
    assert_eq!(left, ["Room 101"]);
    assert_eq!(taken, ["Room 102"]);
    assert!(moved.iter().all(|entry| entry.about.people == ["Ann Lee"]));
}

#[test]
fn a_refusal_is_a_change_of_its_own_naming_the_stay() {
    let desk = Desk::new();
    let stay = request(&desk, "room-101", ARRIVE, LEAVE, &["Ann Lee"], Some("R-3"));
    desk.desk
        .check_in(&receptionist(), at(BOOKED), &stay)
        .unwrap();
    refused(desk.desk.move_stay(
        &receptionist(),
        at(BOOKED),
        "R-3",
        desk.space_id("room-101"),
        false,
    ));

    let entries = log(&desk);
    let refusal = &entries[0];
    assert_eq!(refusal.action, "stay.move");
    assert_eq!(refusal.change_action.as_deref(), Some("stay.move"));
    assert_eq!(refusal.about.people, ["Ann Lee"]);
    assert_eq!(refusal.about.rooms, ["Room 101"]);
    assert_ne!(refusal.change_id, entries[1].change_id);
}
