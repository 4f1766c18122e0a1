//! The card at the lock, before and after a key rotation.

use encoder::card::{self, CardData, CardError, CardKind, FORMAT_VERSION};
use engine::lock::{CardContent, Decision, DoorSequence, LockState, Reason, StaffLevel, judge};

use super::{
    capable_door, common_door, guest_card, lobby, now, ring, room, staff_card, uid_a, uid_b,
};

#[test]
fn to_lock_card_maps_each_kind() {
    let keys = ring();
    let guest = guest_card(&keys, &uid_a());
    let lock_card = guest.to_lock_card();
    assert_eq!(lock_card.property_id, keys.property_id());
    assert_eq!(lock_card.format_version, FORMAT_VERSION);
    assert_eq!(lock_card.key_epoch, 1);
    assert_eq!(lock_card.valid_from, guest.valid_from);
    assert_eq!(lock_card.valid_until, guest.valid_until);
    assert_eq!(
        lock_card.content,
        CardContent::Guest {
            reservation_id: guest.reservation_id,
            capable_doors: guest.capable_doors.clone(),
            common_doors: guest.common_doors.clone(),
        }
    );

    let staff = staff_card(&keys, &uid_a());
    assert_eq!(
        staff.to_lock_card().content,
        CardContent::Staff {
            level: StaffLevel::Area,
            doors: vec![room(), lobby()],
            zones: vec![],
            schedule: staff.schedule.clone(),
        }
    );

    let cancel = CardData {
        kind: CardKind::Cancel,
        common_doors: vec![],
        ..guest.clone()
    };
    assert_eq!(
        cancel.to_lock_card().content,
        CardContent::Cancel {
            doors: guest.capable_doors.clone(),
        }
    );
}

#[test]
fn opened_cards_work_at_the_lock() {
    let keys = ring();
    let config = keys.lock_config();
    assert_eq!(config.property_id, keys.property_id());
    assert_eq!(config.format_version, FORMAT_VERSION);
    assert_eq!(config.min_key_epoch, 1);

    let open = |data: &CardData| {
        let image = card::seal(data, &keys).unwrap();
        card::open(&image, &data.uid, &keys).unwrap().to_lock_card()
    };
    let guest = open(&guest_card(&keys, &uid_a()));
    let judged = judge(&config, capable_door(), LockState::default(), &guest, now());
    assert_eq!(judged.reason, Reason::Overrode { from: 0, to: 3 });
    let judged = judge(&config, common_door(), LockState::default(), &guest, now());
    assert_eq!(judged.reason, Reason::CommonArea);

    let staff = open(&staff_card(&keys, &uid_b()));
    let judged = judge(&config, capable_door(), LockState::default(), &staff, now());
    assert_eq!(judged.reason, Reason::StaffAccess);

    let cancel = open(&CardData {
        kind: CardKind::Cancel,
        common_doors: vec![],
        capable_doors: vec![DoorSequence {
            entrance_id: room(),
            sequence: 4,
        }],
        ..guest_card(&keys, &uid_b())
    });
    let state = LockState {
        guest_sequence: 3,
        ..LockState::default()
    };
    let judged = judge(&config, capable_door(), state, &cancel, now());
    assert_eq!(judged.decision, Decision::Denied);
    assert_eq!(judged.reason, Reason::CancelApplied { from: 3, to: 4 });
}

#[test]
fn after_rotation_old_cards_open_but_the_lock_refuses_them() {
    let mut keys = ring();
    let old = guest_card(&keys, &uid_a());
    let old_image = card::seal(&old, &keys).unwrap();

    assert_eq!(keys.rotate().unwrap(), 2);
    assert_eq!(keys.current_epoch(), 2);
    assert_eq!(keys.min_epoch(), 2);
    assert!(keys.is_retired(1));
    assert_eq!(keys.epochs().collect::<Vec<_>>(), [1, 2]);
    let config = keys.lock_config();
    assert_eq!(config.min_key_epoch, 2);

    // The old card is genuine (the MAC verifies with the kept keys) ...
    let opened = card::open(&old_image, &uid_a(), &keys).unwrap();
    assert_eq!(opened, old);
    // ... and retired: the lock refuses it.
    let judged = judge(
        &config,
        capable_door(),
        LockState::default(),
        &opened.to_lock_card(),
        now(),
    );
    assert_eq!(judged.decision, Decision::Denied);
    assert_eq!(judged.reason, Reason::RetiredKeyEpoch { epoch: 1 });

    let new = CardData {
        key_epoch: keys.current_epoch(),
        ..guest_card(&keys, &uid_b())
    };
    let new_image = card::seal(&new, &keys).unwrap();
    assert_eq!(new_image[8..12], 2u32.to_le_bytes());
    let opened = card::open(&new_image, &uid_b(), &keys).unwrap();
    let judged = judge(
        &config,
        capable_door(),
        LockState::default(),
        &opened.to_lock_card(),
        now(),
    );
    assert!(judged.is_granted(), "{judged:?}");

    // Relabelling the old card as epoch 2 makes it a forgery.
    let mut relabelled = old_image;
    relabelled[8..12].copy_from_slice(&2u32.to_le_bytes());
    assert_eq!(
        card::open(&relabelled, &uid_a(), &keys),
        Err(CardError::BadMac)
    );
}

#[test]
fn one_shot_and_lock_out_cards_round_trip_and_work_at_the_lock() {
    let keys = ring();
    let config = keys.lock_config();
    let open = |data: &CardData| {
        let image = card::seal(data, &keys).unwrap();
        assert_eq!(image[4], FORMAT_VERSION);
        assert_eq!(image[5], data.kind.as_byte());
        let opened = card::open(&image, &data.uid, &keys).unwrap();
        assert_eq!(&opened, data);
        opened.to_lock_card()
    };
    let one_shot = CardData {
        kind: CardKind::OneShot,
        reservation_id: None,
        common_doors: vec![],
        capable_doors: vec![DoorSequence {
            entrance_id: room(),
            sequence: 1,
        }],
        ..guest_card(&keys, &uid_a())
    };
    let first = judge(
        &config,
        capable_door(),
        LockState::default(),
        &open(&one_shot),
        now(),
    );
    assert_eq!(first.reason, Reason::OneShotUsed);
    let again = judge(
        &config,
        capable_door(),
        first.state,
        &open(&one_shot),
        now(),
    );
    assert_eq!(again.reason, Reason::OneShotSpent { card: 1, lock: 1 });

    let lock_out = |kind| CardData {
        kind,
        reservation_id: None,
        capable_doors: vec![DoorSequence {
            entrance_id: room(),
            sequence: 2,
        }],
        common_doors: vec![],
        ..guest_card(&keys, &uid_b())
    };
    let shut = judge(
        &config,
        capable_door(),
        LockState::default(),
        &open(&lock_out(CardKind::LockOut)),
        now(),
    );
    assert_eq!(shut.reason, Reason::LockedOut);
    assert!(shut.state.locked_out);
    assert_eq!(
        shut.state.guest_sequence, 2,
        "moved up to the door's last number"
    );
    let lifted = judge(
        &config,
        capable_door(),
        shut.state,
        &open(&lock_out(CardKind::LockOutLift)),
        now(),
    );
    assert_eq!(lifted.reason, Reason::LockOutLifted);
    assert!(!lifted.state.locked_out);
}

#[test]
fn one_shot_and_lock_out_cards_carry_only_their_own_fields() {
    let keys = ring();
    let refused = |data: CardData| card::seal(&data, &keys).unwrap_err();
    let guest = guest_card(&keys, &uid_a());
    // A one-shot card belongs to no reservation and lists no common door.
    assert_eq!(
        refused(CardData {
            kind: CardKind::OneShot,
            common_doors: vec![],
            ..guest.clone()
        }),
        CardError::Malformed("reservation_id")
    );
    assert_eq!(
        refused(CardData {
            kind: CardKind::OneShot,
            reservation_id: None,
            ..guest.clone()
        }),
        CardError::Malformed("common_doors")
    );
    // A lock-out card lists its doors with their numbers, at least one, and nothing else.
    assert_eq!(
        refused(CardData {
            kind: CardKind::LockOut,
            reservation_id: None,
            ..guest.clone()
        }),
        CardError::Malformed("common_doors")
    );
    assert_eq!(
        refused(CardData {
            kind: CardKind::LockOutLift,
            reservation_id: None,
            capable_doors: vec![],
            common_doors: vec![],
            ..guest
        }),
        CardError::Malformed("capable_doors")
    );
    // Made under the staff key: a guest key cannot make one.
    assert_eq!(
        CardKind::LockOut.key_purpose(),
        encoder::keys::KeyPurpose::Staff
    );
}
