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
