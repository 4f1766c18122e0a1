//! Time frame changes: cards to encode again, and stays without a card.

use encoder::card;
use engine::lock::Reason;
use engine::warnings::WarningCode;
use frontdesk::CreateAccessGrant;

use super::{
    FRI_11, SAT_15, WED_11, WED_15, has_warning, issue, move_end, opens, overrode, refuses,
    simulator, uid,
};
use crate::support::{Desk, at};

// --- 4. time frame changes ---------------------------------------------------------------------

#[test]
fn a_time_change_needs_the_card_re_encoded() {
    let desk = Desk::new();
    let grant = desk
        .stay(&desk.guest(), &["room-101"], SAT_15, WED_11, Some("stay-1"))
        .unwrap();
    let method = grant.access_method_ids[0];
    let card_id = issue(&desk, method);
    assert_eq!(
        opens(&desk, "room-101-door", &card_id, "2025-05-12T12:00:00Z"),
        overrode(0, 1)
    );

    move_end(&desk, grant.id, FRI_11);
    assert!(has_warning(&desk, grant.id, WarningCode::EncodingRequired));
    assert!(
        desk.desk
            .access_method(method)
            .unwrap()
            .is_encoding_required
    );
    // The plastic still carries May 14.
    assert_eq!(
        refuses(&desk, "room-101-door", &card_id, "2025-05-15T12:00:00Z"),
        Reason::Expired
    );

    // Re-encode the same plastic.
    assert!(simulator(&desk).present_card(&uid(&card_id)));
    let again = desk.encode(method);
    assert_eq!(again.card_id, card_id);
    assert!(!has_warning(&desk, grant.id, WarningCode::EncodingRequired));
    assert!(
        !desk
            .desk
            .access_method(method)
            .unwrap()
            .is_encoding_required
    );
    assert_eq!(
        opens(&desk, "room-101-door", &card_id, "2025-05-15T12:00:00Z"),
        Reason::Joined
    );
    assert_eq!(
        refuses(&desk, "room-101-door", &card_id, "2025-05-16T11:05:00Z"),
        Reason::Expired
    );
    let records = desk
        .desk
        .store()
        .read(|r| r.cards_of_method(method))
        .unwrap();
    assert_eq!(records.len(), 2);
    assert_eq!(records[0].op_id, again.op_id);
    assert_eq!(records[0].superseded_at, None);
    assert!(records[1].superseded_at.is_some());
}

#[test]
fn a_time_change_during_the_write_leaves_the_card_flagged_with_the_dates_on_the_plastic() {
    let desk = Desk::new();
    let grant = desk
        .stay(&desk.guest(), &["room-101"], SAT_15, WED_11, Some("stay-1"))
        .unwrap();
    let method = grant.access_method_ids[0];
    simulator(&desk).present_blank_card();
    // The stay is extended while the encoder is between two chunks of the card.
    let mut extended = false;
    let written = desk
        .desk
        .encode_card(&desk.context, &desk.station, method, &mut |done, _| {
            if done > 0 && !extended {
                extended = true;
                move_end(&desk, grant.id, FRI_11);
            }
        })
        .unwrap();
    assert!(
        extended,
        "the write reported no progress to extend the stay in"
    );

    // The plastic carries the dates read before the change, and the record says so.
    let records = desk
        .desk
        .store()
        .read(|r| r.cards_of_method(method))
        .unwrap();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].valid_until, at(WED_11));
    let on_card =
        card::read(&simulator(&desk).card(&uid(&written.card_id)).unwrap().image).unwrap();
    assert_eq!(on_card.valid_until, at(WED_11));
    // So the card is not up to date: it must be encoded again, and the grant says so.
    assert!(
        desk.desk
            .access_method(method)
            .unwrap()
            .is_encoding_required
    );
    assert!(has_warning(&desk, grant.id, WarningCode::EncodingRequired));
    assert_eq!(
        refuses(
            &desk,
            "room-101-door",
            &written.card_id,
            "2025-05-15T12:00:00Z"
        ),
        Reason::Expired
    );

    // Encoding it again brings the new dates and clears the flag.
    assert!(simulator(&desk).present_card(&uid(&written.card_id)));
    desk.encode(method);
    assert!(!has_warning(&desk, grant.id, WarningCode::EncodingRequired));
    assert_eq!(
        opens(
            &desk,
            "room-101-door",
            &written.card_id,
            "2025-05-15T12:00:00Z"
        ),
        overrode(0, 1)
    );
}

#[test]
fn a_stay_with_no_card_does_not_play_in_its_door_s_timeline_until_it_has_one() {
    let desk = Desk::new();
    // An earlier stay with a mobile key only: no card will ever carry a number to the lock.
    let mobile = desk
        .create(&CreateAccessGrant {
            user_identity_id: Some(desk.guest().id),
            space_keys: vec!["room-101".to_owned()],
            starts_at: Some(at(SAT_15)),
            ends_at: Some(at(WED_11)),
            requested_access_methods: vec![crate::support::mode(
                engine::model::AccessMode::MobileKey,
            )],
            reservation_key: Some("stay-mobile".to_owned()),
            ..Default::default()
        })
        .unwrap();
    let later = desk
        .stay(
            &desk.guest(),
            &["room-101"],
            WED_15,
            FRI_11,
            Some("stay-card"),
        )
        .unwrap();
    issue(&desk, later.access_method_ids[0]);
    // The card stay is not warned of a stay that never reaches the lock.
    assert!(!has_warning(
        &desk,
        later.id,
        WarningCode::SequenceInversion
    ));
    assert!(!has_warning(
        &desk,
        mobile.id,
        WarningCode::SequenceInversion
    ));

    // A guest with a card joins the earlier stay: its card will be encoded after the later
    // stay's and used first, so the later stay's card will be refused, and that is warned of.
    desk.stay(
        &desk.guest(),
        &["room-101"],
        SAT_15,
        WED_11,
        Some("stay-mobile"),
    )
    .unwrap();
    assert!(has_warning(&desk, later.id, WarningCode::SequenceInversion));
}
