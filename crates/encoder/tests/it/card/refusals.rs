//! Images refused when read (tampered, copied, edited, foreign) and cards refused at seal.

use chrono::Duration;
use encoder::card::{
    self, CardData, CardError, CardKind, IMAGE_LEN, MAC_OFFSET, MAX_CAPABLE_DOORS,
    MAX_COMMON_DOORS, MAX_SHIFTS,
};
use encoder::keys::KeyPurpose;
use engine::lock::{DoorSequence, Shift, StaffLevel, StaffZone};
use uuid::Uuid;

use super::{guest_card, lobby, now, remac, ring, room, staff_card, uid, uid_a, uid_b};

#[test]
fn every_single_bit_flip_is_refused() {
    let keys = ring();
    for data in [guest_card(&keys, &uid_a()), staff_card(&keys, &uid_a())] {
        let image = card::seal(&data, &keys).unwrap();
        for bit in 0..IMAGE_LEN * 8 {
            let mut flipped = image;
            flipped[bit / 8] ^= 1 << (bit % 8);
            let result = card::open(&flipped, &uid_a(), &keys);
            assert!(result.is_err(), "bit {bit} flipped and still opened");
            if bit / 8 >= MAC_OFFSET {
                assert_eq!(result, Err(CardError::BadMac), "bit {bit}");
            }
        }
    }
}

#[test]
fn an_image_copied_onto_another_card_is_refused() {
    let keys = ring();
    let image = card::seal(&guest_card(&keys, &uid_a()), &keys).unwrap();
    let copied = card::open(&image, &uid_b(), &keys).unwrap_err();
    assert_eq!(copied, CardError::UidMismatch);
    assert!(copied.is_forgery());

    // Rewriting the embedded UID to the new card's does not help: the key follows the UID.
    let mut rewritten = image;
    rewritten[29..36].copy_from_slice(uid_b().as_bytes());
    assert_eq!(card::read(&rewritten).unwrap().uid, uid_b());
    let error = card::open(&rewritten, &uid_b(), &keys).unwrap_err();
    assert_eq!(error, CardError::BadMac);
    assert!(error.is_forgery());

    // Nor onto a card with a UID of another length.
    let short = uid(&[0xDE, 0xAD, 0xBE, 0xEF]);
    let mut rewritten = image;
    rewritten[28] = 4;
    rewritten[29..39].copy_from_slice(&[0xDE, 0xAD, 0xBE, 0xEF, 0, 0, 0, 0, 0, 0]);
    assert_eq!(
        card::open(&rewritten, &short, &keys),
        Err(CardError::BadMac)
    );
}

#[test]
fn a_guest_card_edited_into_a_staff_card_is_refused() {
    let keys = ring();

    // A guest card that would parse as a staff card once its kind byte changes.
    let mut data = guest_card(&keys, &uid_a());
    data.reservation_id = None;
    data.capable_doors.clear();
    data.common_doors = vec![room(), lobby()];
    let image = card::seal(&data, &keys).unwrap();
    let mut edited = image;
    edited[5] = CardKind::Staff.as_byte();
    // After the two common doors and the empty zone count: the level, "area".
    edited[153] = 1;
    assert_eq!(card::read(&edited).unwrap().kind, CardKind::Staff);
    assert_eq!(card::open(&edited, &uid_a(), &keys), Err(CardError::BadMac));

    // An ordinary guest card with its kind byte changed no longer even parses.
    let image = card::seal(&guest_card(&keys, &uid_a()), &keys).unwrap();
    let mut edited = image;
    edited[5] = CardKind::Staff.as_byte();
    assert!(card::open(&edited, &uid_a(), &keys).is_err());

    // Re-fielded as a proper staff card, keeping the guest card's MAC.
    let staff = staff_card(&keys, &uid_a());
    let mut forged = card::seal(&staff, &keys).unwrap();
    forged[MAC_OFFSET..].copy_from_slice(&image[MAC_OFFSET..]);
    assert_eq!(card::open(&forged, &uid_a(), &keys), Err(CardError::BadMac));

    // Even someone who extracted this card's own (guest) key cannot make it a staff card:
    // staff cards are MAC'd under keys from another master key.
    let guest_key = keys.card_key(1, KeyPurpose::Guest, &uid_a()).unwrap();
    remac(&mut forged, &guest_key);
    assert_eq!(card::open(&forged, &uid_a(), &keys), Err(CardError::BadMac));
    // Whereas that key does make guest cards for this very card (hence per-card keys).
    let mut longer_stay = image;
    longer_stay[105..113].copy_from_slice(&(now() + Duration::days(30)).timestamp().to_le_bytes());
    remac(&mut longer_stay, &guest_key);
    assert!(card::open(&longer_stay, &uid_a(), &keys).is_ok());
    // ... but not for any other card.
    let mut other = longer_stay;
    other[29..36].copy_from_slice(uid_b().as_bytes());
    remac(&mut other, &guest_key);
    assert_eq!(card::open(&other, &uid_b(), &keys), Err(CardError::BadMac));
}

#[test]
fn a_card_of_another_property_is_refused() {
    let ours = ring();
    let theirs = ring();
    let image = card::seal(&guest_card(&theirs, &uid_a()), &theirs).unwrap();
    assert_eq!(
        card::open(&image, &uid_a(), &ours),
        Err(CardError::WrongProperty {
            card: theirs.property_id(),
            keys: ours.property_id(),
        })
    );
    // Rewriting the property id leaves the MAC wrong.
    let mut edited = image;
    edited[12..28].copy_from_slice(ours.property_id().as_bytes());
    assert_eq!(card::open(&edited, &uid_a(), &ours), Err(CardError::BadMac));
}

#[test]
fn malformed_images_are_refused_by_read() {
    let keys = ring();
    let image = card::seal(&guest_card(&keys, &uid_a()), &keys).unwrap();

    assert_eq!(
        card::read(&image[..IMAGE_LEN - 1]),
        Err(CardError::WrongLength)
    );
    assert_eq!(
        card::read(&[image.as_slice(), &[0]].concat()),
        Err(CardError::WrongLength)
    );
    assert_eq!(card::read(&[]), Err(CardError::WrongLength));

    let edit = |offset: usize, byte: u8| {
        let mut edited = image;
        edited[offset] = byte;
        card::read(&edited)
    };
    assert_eq!(edit(0, b'X'), Err(CardError::BadMagic));
    assert_eq!(edit(4, 0), Err(CardError::UnsupportedVersion(0)));
    assert_eq!(edit(4, 5), Err(CardError::UnsupportedVersion(5)));
    assert_eq!(edit(5, 0), Err(CardError::UnknownKind(0)));
    assert_eq!(edit(5, 7), Err(CardError::UnknownKind(7)));
    // A kind newer than the image's format is unknown to it.
    let mut version_3 = image;
    version_3[4] = 3;
    version_3[5] = CardKind::OneShot.as_byte();
    assert_eq!(card::read(&version_3), Err(CardError::UnknownKind(4)));
    assert_eq!(edit(28, 5), Err(CardError::Malformed("uid")));
    assert_eq!(edit(28, 11), Err(CardError::Malformed("uid")));
    assert_eq!(
        edit(38, 1),
        Err(CardError::Malformed("uid")),
        "bytes past the UID"
    );
    assert_eq!(edit(113, 0x80), Err(CardError::Malformed("shift")));
    assert_eq!(
        edit(118, 9),
        Err(CardError::TooManyDoors {
            capable: 9,
            common: 0
        })
    );
    assert_eq!(
        edit(139, 13),
        Err(CardError::TooManyDoors {
            capable: 1,
            common: 13
        })
    );
    assert_eq!(edit(300, 1), Err(CardError::Malformed("padding")));
    // valid_until before valid_from
    let mut edited = image;
    edited[105..113].copy_from_slice(&0i64.to_le_bytes());
    assert_eq!(
        card::read(&edited),
        Err(CardError::Malformed("valid_until"))
    );
    let mut edited = image;
    edited[89..97].copy_from_slice(&i64::MAX.to_le_bytes());
    assert_eq!(card::read(&edited), Err(CardError::Malformed("issued_at")));

    for error in [
        CardError::WrongLength,
        CardError::BadMagic,
        CardError::Malformed("uid"),
        CardError::UnknownEpoch(3),
    ] {
        assert!(!error.is_forgery());
    }
}

// ---- refusals at seal ----------------------------------------------------------------------

#[test]
fn too_many_doors_are_refused_at_seal() {
    let keys = ring();
    let mut data = guest_card(&keys, &uid_a());
    data.capable_doors = (0..=MAX_CAPABLE_DOORS as u128)
        .map(|index| DoorSequence {
            entrance_id: Uuid::from_u128(0x200 + index),
            sequence: 1,
        })
        .collect();
    assert_eq!(
        card::seal(&data, &keys),
        Err(CardError::TooManyDoors {
            capable: MAX_CAPABLE_DOORS + 1,
            common: 1
        })
    );

    let mut data = staff_card(&keys, &uid_a());
    data.common_doors = (0..=MAX_COMMON_DOORS as u128)
        .map(|index| Uuid::from_u128(0x300 + index))
        .collect();
    assert_eq!(
        card::seal(&data, &keys),
        Err(CardError::TooManyDoors {
            capable: 0,
            common: MAX_COMMON_DOORS + 1
        })
    );

    // The limits themselves fit.
    data.common_doors.pop();
    let image = card::seal(&data, &keys).unwrap();
    assert_eq!(card::open(&image, &uid_a(), &keys).unwrap(), data);
    let mut data = guest_card(&keys, &uid_a());
    data.capable_doors = (0..MAX_CAPABLE_DOORS as u128)
        .map(|index| DoorSequence {
            entrance_id: Uuid::from_u128(0x200 + index),
            sequence: u32::MAX,
        })
        .collect();
    data.common_doors = (0..MAX_COMMON_DOORS as u128)
        .map(|index| Uuid::from_u128(0x300 + index))
        .collect();
    let image = card::seal(&data, &keys).unwrap();
    assert_eq!(card::open(&image, &uid_a(), &keys).unwrap(), data);
}

#[test]
fn seal_refuses_inconsistent_cards() {
    let keys = ring();
    let guest = guest_card(&keys, &uid_a());
    let staff = staff_card(&keys, &uid_a());
    let refused = |data: CardData| card::seal(&data, &keys).unwrap_err();

    assert_eq!(
        refused(CardData {
            reservation_id: Some(Uuid::nil()),
            ..guest.clone()
        }),
        CardError::Malformed("reservation_id")
    );
    assert_eq!(
        refused(CardData {
            schedule: staff.schedule.clone(),
            ..guest.clone()
        }),
        CardError::Malformed("shift")
    );
    assert_eq!(
        refused(CardData {
            staff_level: Some(StaffLevel::Master),
            ..guest.clone()
        }),
        CardError::Malformed("staff_level")
    );
    assert_eq!(
        refused(CardData {
            staff_level: None,
            ..staff.clone()
        }),
        CardError::Malformed("staff_level")
    );
    for (level, zones) in [
        (StaffLevel::Master, vec![]),
        (StaffLevel::Floor, vec![StaffZone::AllGuestRooms]),
        (StaffLevel::Area, vec![StaffZone::Floor { floor: 1 }]),
        (StaffLevel::Emergency, vec![StaffZone::Floor { floor: 1 }]),
    ] {
        assert_eq!(
            refused(CardData {
                staff_level: Some(level),
                zones: zones.clone(),
                ..staff.clone()
            }),
            CardError::Malformed("staff_level"),
            "{level:?} with {zones:?}"
        );
    }
    assert_eq!(
        refused(CardData {
            schedule: vec![staff.schedule[0]; MAX_SHIFTS + 1],
            ..staff.clone()
        }),
        CardError::TooManyShifts(MAX_SHIFTS + 1)
    );
    assert_eq!(
        refused(CardData {
            valid_until: guest.valid_from,
            ..guest.clone()
        }),
        CardError::Malformed("valid_until")
    );
    assert_eq!(
        refused(CardData {
            capable_doors: guest.capable_doors.clone(),
            ..staff.clone()
        }),
        CardError::Malformed("capable_doors")
    );
    assert_eq!(
        refused(CardData {
            reservation_id: guest.reservation_id,
            ..staff.clone()
        }),
        CardError::Malformed("reservation_id")
    );
    for shift in [
        Shift {
            weekdays: 0,
            start_minute: 0,
            end_minute: 0,
        },
        Shift {
            weekdays: 0x80,
            start_minute: 0,
            end_minute: 60,
        },
        Shift {
            weekdays: 1,
            start_minute: 1440,
            end_minute: 60,
        },
        Shift {
            weekdays: 1,
            start_minute: 0,
            end_minute: 1441,
        },
    ] {
        assert_eq!(
            refused(CardData {
                schedule: vec![staff.schedule[0], shift],
                ..staff.clone()
            }),
            CardError::Malformed("shift"),
            "{shift:?}"
        );
    }
    let cancel = CardData {
        kind: CardKind::Cancel,
        common_doors: vec![],
        ..guest.clone()
    };
    assert!(card::seal(&cancel, &keys).is_ok());
    assert_eq!(
        refused(CardData {
            capable_doors: vec![],
            ..cancel.clone()
        }),
        CardError::Malformed("capable_doors")
    );
    assert_eq!(
        refused(CardData {
            common_doors: vec![lobby()],
            ..cancel
        }),
        CardError::Malformed("common_doors")
    );
}

#[test]
fn seal_refuses_unknown_retired_and_foreign_keys() {
    let mut keys = ring();
    let data = guest_card(&keys, &uid_a());
    assert_eq!(
        card::seal(
            &CardData {
                key_epoch: 2,
                ..data.clone()
            },
            &keys
        ),
        Err(CardError::UnknownEpoch(2))
    );
    assert_eq!(
        card::seal(
            &CardData {
                key_epoch: 0,
                ..data.clone()
            },
            &keys
        ),
        Err(CardError::UnknownEpoch(0))
    );
    let other = ring();
    assert_eq!(
        card::seal(&data, &other),
        Err(CardError::WrongProperty {
            card: keys.property_id(),
            keys: other.property_id(),
        })
    );
    keys.rotate().unwrap();
    assert_eq!(card::seal(&data, &keys), Err(CardError::RetiredEpoch(1)));
}

#[test]
fn open_refuses_an_epoch_the_ring_lacks() {
    let keys = ring();
    let image = card::seal(&guest_card(&keys, &uid_a()), &keys).unwrap();
    let mut edited = image;
    edited[8..12].copy_from_slice(&7u32.to_le_bytes());
    assert_eq!(
        card::open(&edited, &uid_a(), &keys),
        Err(CardError::UnknownEpoch(7))
    );
}
