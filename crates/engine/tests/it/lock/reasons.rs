//! Why a lock refused or granted, and until when a card out of use may still open a door.

use engine::lock::{Reason, Shift, StillOpens, judge, still_opens};

use super::{
    at, at_sequence, config, fresh, guest_1, guest_2, gym, lobby, may_guest, room_101, staff,
};

// Reasons

fn every_reason() -> Vec<Reason> {
    let all = vec![
        Reason::Joined,
        Reason::Overrode { from: 1, to: 2 },
        Reason::CommonArea,
        Reason::StaffAccess,
        Reason::EmergencyAccess,
        Reason::CancelApplied { from: 3, to: 4 },
        Reason::CancelStale { card: 5, lock: 6 },
        Reason::WrongProperty,
        Reason::UnknownFormat { version: 7 },
        Reason::RetiredKeyEpoch { epoch: 8 },
        Reason::NotYetValid,
        Reason::Expired,
        Reason::DoorNotOnCard,
        Reason::NoSequenceForDoor,
        Reason::Overridden { card: 9, lock: 10 },
        Reason::SequenceTooFarAhead { card: 61, lock: 10 },
        Reason::OutsideShift,
        Reason::PrivacyOn,
        Reason::OneShotUsed,
        Reason::OneShotSpent { card: 2, lock: 3 },
        Reason::LockedOut,
        Reason::LockOutLifted,
        Reason::DoorLockedOut,
        Reason::NotAuthentic,
    ];
    // Fails to compile when a variant is added and not listed above.
    for reason in &all {
        match reason {
            Reason::Joined
            | Reason::Overrode { .. }
            | Reason::CommonArea
            | Reason::StaffAccess
            | Reason::EmergencyAccess
            | Reason::CancelApplied { .. }
            | Reason::CancelStale { .. }
            | Reason::WrongProperty
            | Reason::UnknownFormat { .. }
            | Reason::RetiredKeyEpoch { .. }
            | Reason::NotYetValid
            | Reason::Expired
            | Reason::DoorNotOnCard
            | Reason::NoSequenceForDoor
            | Reason::Overridden { .. }
            | Reason::SequenceTooFarAhead { .. }
            | Reason::OutsideShift
            | Reason::PrivacyOn
            | Reason::OneShotUsed
            | Reason::OneShotSpent { .. }
            | Reason::LockedOut
            | Reason::LockOutLifted
            | Reason::DoorLockedOut
            | Reason::NotAuthentic => {}
        }
    }
    all
}

#[test]
fn every_reason_explains_itself_in_a_distinct_sentence() {
    let reasons = every_reason();
    let mut sentences = std::collections::BTreeSet::new();
    for reason in &reasons {
        let sentence = reason.explain();
        assert!(
            sentence.trim().len() > 10,
            "{reason:?} explains too little: {sentence:?}"
        );
        assert!(
            sentences.insert(sentence.clone()),
            "{reason:?} repeats {sentence:?}"
        );
    }
    assert_eq!(sentences.len(), reasons.len());
}

#[test]
fn reasons_with_numbers_name_them() {
    for (reason, numbers) in [
        (Reason::Overrode { from: 11, to: 12 }, ["11", "12"]),
        (Reason::CancelApplied { from: 13, to: 14 }, ["13", "14"]),
        (Reason::CancelStale { card: 15, lock: 16 }, ["15", "16"]),
        (Reason::Overridden { card: 17, lock: 18 }, ["17", "18"]),
        (
            Reason::SequenceTooFarAhead { card: 99, lock: 19 },
            ["99", "19"],
        ),
    ] {
        let sentence = reason.explain();
        for number in numbers {
            assert!(sentence.contains(number), "{reason:?}: {sentence}");
        }
    }
    assert!(
        Reason::UnknownFormat { version: 42 }
            .explain()
            .contains("42")
    );
    assert!(
        Reason::RetiredKeyEpoch { epoch: 43 }
            .explain()
            .contains("43")
    );
}

#[test]
fn reasons_serialize_with_a_snake_case_tag() {
    let json = serde_json::to_value(Reason::Overrode { from: 1, to: 2 }).unwrap();
    assert_eq!(
        json,
        serde_json::json!({ "reason": "overrode", "from": 1, "to": 2 })
    );
    let json = serde_json::to_value(Reason::SequenceTooFarAhead { card: 61, lock: 10 }).unwrap();
    assert_eq!(
        json,
        serde_json::json!({ "reason": "sequence_too_far_ahead", "card": 61, "lock": 10 })
    );
    for reason in every_reason() {
        let back: Reason = serde_json::from_value(serde_json::to_value(reason).unwrap()).unwrap();
        assert_eq!(back, reason);
    }
}

// ---------------------------------------------------------------------------------------------
// Until when a card out of use may still open a door

#[test]
fn a_card_opens_its_room_until_a_newer_card_is_used_and_its_common_doors_until_its_end() {
    let during = at(2025, 5, 12, 12, 0);
    let end = guest_1().valid_until;
    assert_eq!(
        still_opens(&config(), room_101(), at_sequence(1), &guest_1(), during),
        Some(StillOpens::NewerCard { at_latest: end })
    );
    assert_eq!(
        still_opens(&config(), lobby(), fresh(), &guest_1(), during),
        Some(StillOpens::CardEnd { at: end })
    );
    // Guest 2's card was used at the room: guest 1's card is done there, not at the lobby.
    assert_eq!(
        still_opens(&config(), room_101(), at_sequence(2), &guest_1(), during),
        None
    );
    assert!(still_opens(&config(), lobby(), at_sequence(2), &guest_1(), during).is_some());
    // Its end passed, with the clock skew: no door takes it.
    let after = end + config().clock_skew;
    assert_eq!(
        still_opens(&config(), lobby(), fresh(), &guest_1(), after),
        None
    );
    assert_eq!(
        still_opens(&config(), room_101(), at_sequence(1), &guest_1(), after),
        None
    );
    // Not a door of the card.
    assert_eq!(
        still_opens(&config(), gym(), fresh(), &guest_1(), during),
        None
    );
}

#[test]
fn a_card_refused_only_for_now_still_counts() {
    // Not valid yet: it opens once its stay begins.
    let before = at(2025, 5, 1, 0, 0);
    assert!(still_opens(&config(), room_101(), fresh(), &guest_2(), before).is_some());
    // Too far ahead of the lock: a newer card used there brings it within reach.
    let far = may_guest(config().look_ahead + 5);
    let now = at(2025, 5, 12, 12, 0);
    assert_eq!(
        judge(&config(), room_101(), fresh(), &far, now).reason,
        Reason::SequenceTooFarAhead {
            card: config().look_ahead + 5,
            lock: 0
        }
    );
    assert!(still_opens(&config(), room_101(), fresh(), &far, now).is_some());
    // A staff card outside its shift opens in its next shift.
    let night = Shift {
        weekdays: 0b111_1111,
        start_minute: 22 * 60,
        end_minute: 6 * 60,
    };
    let card = staff(&[lobby()], Some(night));
    assert_eq!(
        still_opens(&config(), lobby(), fresh(), &card, at(2025, 5, 12, 12, 0)),
        Some(StillOpens::CardEnd {
            at: card.valid_until
        })
    );
}
