//! Changing a stay's dates.

use std::collections::BTreeSet;

use engine::model::AccessMethodId;
use engine::warnings::WarningCode;
use frontdesk::FixAction;

use super::{
    ARRIVE, BOOKED, DURING, LEAVE, assert_invalid, assert_refusal_audited, check_in, grants_of,
    issue, manager, method, receptionist, refused, request, snapshot,
};
use crate::support::{Desk, at};

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
        .flat_map(|view| view.access_method_ids)
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
