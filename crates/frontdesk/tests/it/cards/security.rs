//! Security through the locks: copied images and retired keys.

use encoder::card;
use encoder::supervisor::Source;
use engine::lock::{self, Decision, Door, LockState, Reason};
use frontdesk::{CardStation, Context};

use super::{
    SAT_15, WED_11, issue, lock_state, opens, overrode, refuses, simulator, uid, write_raw,
};
use crate::support::{Desk, at};

#[test]
fn a_card_image_copied_onto_another_card_is_refused() {
    let desk = Desk::new();
    let grant = desk
        .stay(
            &desk.guest(),
            &["room-101", "gym"],
            SAT_15,
            WED_11,
            Some("stay-1"),
        )
        .unwrap();
    let card_id = issue(&desk, grant.access_method_ids[0]);
    let image = simulator(&desk).card(&uid(&card_id)).unwrap().image;

    let other = simulator(&desk).present_blank_card();
    write_raw(&desk, &other, &image);
    assert_eq!(
        card::open(&image, &other, desk.station.keys()),
        Err(card::CardError::UidMismatch)
    );
    for door in ["room-101-door", "gym-door"] {
        assert_eq!(
            refuses(&desk, door, &other.to_hex(), SAT_15),
            Reason::NotAuthentic
        );
    }
    assert_eq!(lock_state(&desk, "room-101-door"), LockState::default());
    assert!(simulator(&desk).present_card(&other));
    let report = desk
        .desk
        .read_card(&Context::new("desk", at(SAT_15)), &desk.station)
        .unwrap();
    assert!(!report.authentic);
    assert_eq!(report.access_method_id, None, "the copy is no card of ours");
    // The original still works.
    assert_eq!(
        opens(&desk, "room-101-door", &card_id, SAT_15),
        overrode(0, 1)
    );
}

#[test]
fn after_a_key_rotation_old_cards_are_refused_as_retired() {
    let desk = Desk::new();
    let grant = desk
        .stay(&desk.guest(), &["room-101"], SAT_15, WED_11, Some("stay-1"))
        .unwrap();
    let method = grant.access_method_ids[0];
    let card_id = issue(&desk, method);
    let card_uid = uid(&card_id);
    assert_eq!(
        opens(&desk, "room-101-door", &card_id, SAT_15),
        overrode(0, 1)
    );

    let mut rotated = desk.station.keys().clone();
    assert_eq!(rotated.rotate().unwrap(), 2);
    let image = simulator(&desk).card(&card_uid).unwrap().image;
    // The ring keeps the old keys: the card is genuine, only retired.
    let data = card::open(&image, &card_uid, &rotated).unwrap();
    assert_eq!(data.key_epoch, 1);
    let door = Door {
        entrance_id: desk.entrance_id("room-101-door"),
        can_belong_to_reservation: true,
        place: lock::DoorPlace::GuestRoom { floor: Some(1) },
    };
    let state = lock_state(&desk, "room-101-door");
    let when = at("2025-05-12T12:00:00Z");
    let judgement = lock::judge(
        &rotated.lock_config(),
        door,
        state,
        &data.to_lock_card(),
        when,
    );
    assert_eq!(judgement.decision, Decision::Denied);
    assert_eq!(judgement.reason, Reason::RetiredKeyEpoch { epoch: 1 });
    assert_eq!(judgement.state, state);
    // The locks not yet reprogrammed still take it.
    let old = lock::judge(
        &desk.station.keys().lock_config(),
        door,
        state,
        &data.to_lock_card(),
        when,
    );
    assert_eq!(old.reason, Reason::Joined);

    // A desk on the rotated keys: its doors refuse the old card, and a re-encoded one works.
    let station = CardStation::new(Source::Simulated(simulator(&desk).clone()), rotated.clone());
    let entrance = desk.entrance_id("room-101-door");
    let decision = desk
        .desk
        .present_card(&desk.context, &station, entrance, &card_id, Some(when))
        .unwrap();
    assert_eq!(decision.reason, Reason::RetiredKeyEpoch { epoch: 1 });
    assert!(simulator(&desk).present_card(&card_uid));
    desk.desk
        .encode_card(&desk.context, &station, method, &mut |_, _| {})
        .unwrap();
    let image = simulator(&desk).card(&card_uid).unwrap().image;
    assert_eq!(card::read(&image).unwrap().key_epoch, 2);
    let decision = desk
        .desk
        .present_card(&desk.context, &station, entrance, &card_id, Some(when))
        .unwrap();
    assert_eq!(decision.reason, Reason::Joined);
}
