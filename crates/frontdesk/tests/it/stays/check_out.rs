//! Checking out, and cards of a closed stay reported lost.

use std::collections::BTreeMap;

use engine::warnings::WarningCode;
use frontdesk::RoomState;
use store::AuditOutcome;
use uuid::Uuid;

use super::{
    ARRIVE, BOOKED, LEAVE, assert_invalid, fix_name, grant_ever, grants_of, issue, last_audit,
    manager, method, receptionist, refused, request, snapshot, state, two_guests_with_two_cards,
};
use crate::support::{Desk, at};

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

    // One warning for the stay, naming both guests and counting both cards.
    let outstanding = |desk: &Desk| -> Vec<(Vec<String>, String, Option<String>, u32)> {
        desk.desk
            .warnings(&marta, at(BOOKED))
            .unwrap()
            .into_iter()
            .filter(|view| view.code == WarningCode::CardsNotCollected)
            .map(|view| {
                let mut guests = view.guests;
                guests.sort();
                (guests, fix_name(view.fix), view.reservation_key, view.cards)
            })
            .collect()
    };
    assert_eq!(
        outstanding(&desk),
        [(
            vec!["Ana Silva".to_owned(), "Bruno Costa".to_owned()],
            "cancel_card".to_owned(),
            Some("R-4".to_owned()),
            2
        )]
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
    assert_eq!(outstanding(&desk)[0].0, ["Bruno Costa"]);
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
            vec!["Bruno Costa".to_owned()],
            "cancel_card".to_owned(),
            Some("R-4".to_owned()),
            1
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
