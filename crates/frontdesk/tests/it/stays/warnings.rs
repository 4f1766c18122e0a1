//! The manager's warnings, each with its fix.

use std::collections::BTreeSet;

use engine::warnings::WarningCode;
use frontdesk::FixAction;

use super::{
    ARRIVE, BOOKED, LEAVE, check_in, fix_name, issue, manager, receptionist, refused, request,
};
use crate::support::{Desk, at};

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
    // One line per problem: Ana's changed dates once, not once for the stay and once per card.
    let summary: BTreeSet<(WarningCode, String, String, String, u32)> = views
        .iter()
        .map(|view| {
            assert!(!view.message.is_empty());
            (
                view.code,
                fix_name(view.fix),
                view.guests.join(", "),
                view.reservation_key.clone().unwrap(),
                view.cards,
            )
        })
        .collect();
    let expected: BTreeSet<(WarningCode, String, String, String, u32)> = [
        (
            WarningCode::EncodingRequired,
            "re_encode",
            "Ana Silva",
            "R-A",
            1,
        ),
        (
            WarningCode::CardsNotCollected,
            "cancel_card",
            "Bruno Costa",
            "R-B",
            1,
        ),
        (
            WarningCode::SequenceInversion,
            "reissue_stay",
            "Carla Dias",
            "R-C",
            0,
        ),
        (
            WarningCode::PreviousGuestCanEnter,
            "none",
            "Filipa Nunes",
            "R-F",
            0,
        ),
    ]
    .into_iter()
    .map(|(code, fix, guest, key, cards)| {
        (
            code,
            fix.to_owned(),
            guest.to_owned(),
            key.to_owned(),
            cards,
        )
    })
    .collect();
    assert_eq!(summary, expected);
    let re_encode = views
        .iter()
        .find(|view| view.fix == FixAction::ReEncode)
        .unwrap();
    assert_eq!(re_encode.access_method_ids, vec![ana_card]);
    assert_eq!(re_encode.access_grant_id, a.guests[0].access_grant_id);
    assert_eq!(re_encode.rooms, vec!["Room 101".to_owned()]);
    let not_returned = views
        .iter()
        .find(|view| view.code == WarningCode::CardsNotCollected)
        .unwrap();
    assert_eq!(not_returned.rooms, vec!["Room 102".to_owned()]);
    assert_eq!(not_returned.checked_out_at, Some(at(BOOKED)));
    let door = views
        .iter()
        .find(|view| view.code == WarningCode::PreviousGuestCanEnter)
        .unwrap();
    assert!(door.door.is_some(), "{door:?}");

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

#[test]
fn a_stay_whose_dates_changed_is_one_warning_whatever_its_cards() {
    let desk = Desk::new();
    let mut stay = request(
        &desk,
        "room-101",
        ARRIVE,
        LEAVE,
        &["Ana Silva", "Bruno Costa"],
        Some("R-A"),
    );
    stay.cards_per_guest = 2;
    let made = desk
        .desk
        .check_in(&receptionist(), at(BOOKED), &stay)
        .unwrap();
    let cards: Vec<_> = made
        .guests
        .iter()
        .flat_map(|guest| guest.cards.iter().map(|card| card.id))
        .collect();
    assert_eq!(cards.len(), 4);
    for card in &cards[..3] {
        issue(&desk, *card);
    }
    desk.desk
        .change_dates(
            &receptionist(),
            at(BOOKED),
            "R-A",
            None,
            Some(at("2025-07-19T10:00:00Z")),
            false,
        )
        .unwrap();

    let views = desk.desk.warnings(&manager(), at(BOOKED)).unwrap();
    assert_eq!(views.len(), 1, "{views:#?}");
    let view = &views[0];
    assert_eq!(view.code, WarningCode::EncodingRequired);
    assert_eq!(view.fix, FixAction::ReEncode);
    assert_eq!(view.cards, 3);
    let mut to_encode = view.access_method_ids.clone();
    to_encode.sort();
    let mut issued = cards[..3].to_vec();
    issued.sort();
    assert_eq!(to_encode, issued);
    assert_eq!(
        view.guests,
        vec!["Ana Silva".to_owned(), "Bruno Costa".to_owned()]
    );
    assert_eq!(view.access_grant_ids.len(), 2);
}
