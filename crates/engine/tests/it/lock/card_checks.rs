//! What a lock checks of a card before its doors: property, format, key epoch, validity.

use chrono::Duration;
use engine::lock::{LockConfig, Reason, judge};
use uuid::Uuid;

use super::{
    FORMAT, at, at_sequence, config, denied, fresh, granted, guest_1, guest_2, lobby, may_12,
    may_guest, room_101,
};

#[test]
fn card_of_another_property_is_refused() {
    let mut other = may_guest(1);
    other.property_id = Uuid::from_u128(0xBAD);
    let judgement = judge(&config(), room_101(), fresh(), &other, may_12());
    denied(&judgement, Reason::WrongProperty);
    assert_eq!(judgement.state, fresh());
}

#[test]
fn wrong_property_is_reported_before_expiry() {
    let mut other = guest_1();
    other.property_id = Uuid::from_u128(0xBAD);
    denied(
        &judge(&config(), room_101(), fresh(), &other, at(2026, 1, 1, 0, 0)),
        Reason::WrongProperty,
    );
}

#[test]
fn a_lock_reads_every_format_from_its_oldest_to_its_newest() {
    let config = LockConfig {
        oldest_format_version: FORMAT - 1,
        ..config()
    };
    for version in [FORMAT - 1, FORMAT] {
        let mut card = may_guest(1);
        card.format_version = version;
        assert!(judge(&config, room_101(), fresh(), &card, may_12()).is_granted());
    }
    for version in [FORMAT - 2, FORMAT + 1] {
        let mut card = may_guest(1);
        card.format_version = version;
        denied(
            &judge(&config, room_101(), fresh(), &card, may_12()),
            Reason::UnknownFormat { version },
        );
    }
}

#[test]
fn unknown_card_format_is_refused() {
    let mut newer = may_guest(1);
    newer.format_version = FORMAT + 1;
    denied(
        &judge(&config(), room_101(), fresh(), &newer, may_12()),
        Reason::UnknownFormat {
            version: FORMAT + 1,
        },
    );
    let mut older = may_guest(1);
    older.format_version = FORMAT - 1;
    denied(
        &judge(&config(), room_101(), fresh(), &older, may_12()),
        Reason::UnknownFormat {
            version: FORMAT - 1,
        },
    );
}

#[test]
fn card_made_under_a_retired_key_epoch_is_refused() {
    let config = LockConfig {
        min_key_epoch: 3,
        ..config()
    };
    let mut old = may_guest(1);
    old.key_epoch = 2;
    let judgement = judge(&config, room_101(), fresh(), &old, may_12());
    denied(&judgement, Reason::RetiredKeyEpoch { epoch: 2 });
    assert_eq!(judgement.state, fresh());

    for epoch in [3, 4] {
        let mut current = may_guest(1);
        current.key_epoch = epoch;
        assert!(judge(&config, room_101(), fresh(), &current, may_12()).is_granted());
    }
}

#[test]
fn not_yet_valid_allows_exactly_five_minutes_of_clock_skew() {
    let config = config();
    assert_eq!(config.clock_skew, Duration::minutes(5));
    let card = guest_2(); // valid from 2025-05-14T15:00Z
    let at_the_edge = at(2025, 5, 14, 14, 55);
    assert!(judge(&config, room_101(), at_sequence(1), &card, at_the_edge).is_granted());
    let just_before = at_the_edge - Duration::seconds(1);
    let judgement = judge(&config, room_101(), at_sequence(1), &card, just_before);
    denied(&judgement, Reason::NotYetValid);
    assert_eq!(
        judgement.state,
        at_sequence(1),
        "a refused early card does not override"
    );
}

#[test]
fn expired_allows_just_under_five_minutes_of_clock_skew() {
    let config = config();
    let card = guest_1(); // valid until 2025-05-14T11:00Z
    let at_the_edge = at(2025, 5, 14, 11, 5);
    denied(
        &judge(&config, room_101(), at_sequence(1), &card, at_the_edge),
        Reason::Expired,
    );
    let just_before = at_the_edge - Duration::seconds(1);
    granted(
        &judge(&config, room_101(), at_sequence(1), &card, just_before),
        Reason::Joined,
    );
}

#[test]
fn clock_skew_is_configurable() {
    let config = LockConfig {
        clock_skew: Duration::zero(),
        ..config()
    };
    let card = guest_1();
    denied(
        &judge(
            &config,
            room_101(),
            at_sequence(1),
            &card,
            at(2025, 5, 10, 14, 59),
        ),
        Reason::NotYetValid,
    );
    assert!(
        judge(
            &config,
            room_101(),
            at_sequence(1),
            &card,
            at(2025, 5, 10, 15, 0)
        )
        .is_granted()
    );
    assert!(
        judge(
            &config,
            room_101(),
            at_sequence(1),
            &card,
            at(2025, 5, 14, 10, 59)
        )
        .is_granted()
    );
    denied(
        &judge(
            &config,
            room_101(),
            at_sequence(1),
            &card,
            at(2025, 5, 14, 11, 0),
        ),
        Reason::Expired,
    );
}

#[test]
fn expired_card_is_refused_at_a_common_door_too() {
    denied(
        &judge(
            &config(),
            lobby(),
            fresh(),
            &guest_1(),
            at(2025, 5, 20, 0, 0),
        ),
        Reason::Expired,
    );
}
