//! The card image and the key ring: round trips, tampering, copying, key rotation and the key
//! file.
#![allow(clippy::unwrap_used)]

use chrono::{DateTime, Duration, TimeZone, Utc};
use encoder::CardUid;
use encoder::card::{
    self, CardData, CardError, CardKind, FORMAT_VERSION, IMAGE_LEN, MAC_LEN, MAC_OFFSET,
    MAX_CAPABLE_DOORS, MAX_COMMON_DOORS, MAX_ZONES, OLDEST_FORMAT_VERSION,
};
use encoder::keys::{KeyError, KeyPurpose, KeyRing, MasterKeys};
use engine::lock::{
    CardContent, Decision, Door, DoorPlace, DoorSequence, LockState, Reason, Shift, StaffZone,
    judge,
};
use hmac::{Hmac, Mac};
use proptest::prelude::*;
use sha2::Sha256;
use uuid::Uuid;

fn ring() -> KeyRing {
    KeyRing::generate(Uuid::new_v4()).unwrap()
}

fn uid(bytes: &[u8]) -> CardUid {
    CardUid::new(bytes).unwrap()
}

fn uid_a() -> CardUid {
    uid(&[0x04, 0xA2, 0x3B, 0x5C, 0x61, 0x7D, 0x80])
}

fn uid_b() -> CardUid {
    uid(&[0x04, 0xA2, 0x3B, 0x5C, 0x61, 0x7D, 0x81])
}

fn at(seconds: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(seconds, 0).unwrap()
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 10, 15, 0, 0).unwrap()
}

fn room() -> Uuid {
    Uuid::from_u128(0x101)
}

fn lobby() -> Uuid {
    Uuid::from_u128(0x1)
}

fn guest_card(keys: &KeyRing, card_uid: &CardUid) -> CardData {
    CardData {
        property_id: keys.property_id(),
        key_epoch: keys.current_epoch(),
        uid: card_uid.clone(),
        kind: CardKind::Guest,
        flags: 0,
        reservation_id: Some(Uuid::from_u128(0xBEEF)),
        card_id: Uuid::from_u128(0xCA7D),
        copy_number: 1,
        op_id: [7; 16],
        issued_at: now() - Duration::hours(1),
        valid_from: now() - Duration::hours(1),
        valid_until: now() + Duration::days(2),
        shift: None,
        capable_doors: vec![DoorSequence {
            entrance_id: room(),
            sequence: 3,
        }],
        common_doors: vec![lobby()],
        zones: vec![],
    }
}

fn staff_card(keys: &KeyRing, card_uid: &CardUid) -> CardData {
    CardData {
        kind: CardKind::Staff,
        reservation_id: None,
        shift: Some(Shift {
            weekdays: 0b0111_1111,
            start_minute: 6 * 60,
            end_minute: 18 * 60,
        }),
        capable_doors: vec![],
        common_doors: vec![room(), lobby()],
        ..guest_card(keys, card_uid)
    }
}

fn capable_door() -> Door {
    Door {
        entrance_id: room(),
        can_belong_to_reservation: true,
        place: DoorPlace::GuestRoom { floor: Some(1) },
    }
}

fn common_door() -> Door {
    Door {
        entrance_id: lobby(),
        can_belong_to_reservation: false,
        place: DoorPlace::Other,
    }
}

fn hmac16(key: &[u8], message: &[u8]) -> [u8; MAC_LEN] {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).unwrap();
    mac.update(message);
    mac.finalize().into_bytes()[..MAC_LEN].try_into().unwrap()
}

/// Replaces the MAC of an edited image with one under `key`.
fn remac(image: &mut [u8; IMAGE_LEN], key: &[u8; 32]) {
    let tag = hmac16(key, &image[..MAC_OFFSET]);
    image[MAC_OFFSET..].copy_from_slice(&tag);
}

// ---- round trips -------------------------------------------------------------------------

#[test]
fn a_sealed_guest_card_opens_to_the_same_data() {
    let keys = ring();
    let data = guest_card(&keys, &uid_a());
    let image = card::seal(&data, &keys).unwrap();
    assert_eq!(image.len(), IMAGE_LEN);
    assert_eq!(card::open(&image, &uid_a(), &keys).unwrap(), data);
}

#[test]
fn a_sealed_staff_card_opens_to_the_same_data() {
    let keys = ring();
    let data = staff_card(&keys, &uid_a());
    let image = card::seal(&data, &keys).unwrap();
    assert_eq!(card::open(&image, &uid_a(), &keys).unwrap(), data);
}

#[test]
fn read_shows_a_card_without_keys() {
    let keys = ring();
    let data = guest_card(&keys, &uid_a());
    let image = card::seal(&data, &keys).unwrap();
    assert_eq!(card::read(&image).unwrap(), data);
}

#[test]
fn times_are_kept_in_whole_seconds() {
    let keys = ring();
    let mut data = guest_card(&keys, &uid_a());
    data.issued_at += Duration::milliseconds(999);
    data.valid_from += Duration::milliseconds(250);
    data.valid_until += Duration::nanoseconds(1);
    let image = card::seal(&data, &keys).unwrap();
    let opened = card::open(&image, &uid_a(), &keys).unwrap();
    assert_ne!(opened, data);
    assert_eq!(opened, data.truncated_to_seconds());
}

#[test]
fn the_image_follows_the_documented_layout() {
    let keys = KeyRing::new(
        Uuid::from_bytes(core::array::from_fn(|index| index as u8)),
        MasterKeys {
            guest: [0x11; 32],
            staff: [0x22; 32],
            programming: [0x33; 32],
        },
    );
    let data = CardData {
        flags: 0x0102,
        copy_number: 0x0304,
        capable_doors: vec![
            DoorSequence {
                entrance_id: room(),
                sequence: 0x0A0B_0C0D,
            },
            DoorSequence {
                entrance_id: Uuid::from_u128(0x102),
                sequence: 9,
            },
        ],
        ..guest_card(&keys, &uid_a())
    };
    let image = card::seal(&data, &keys).unwrap();
    assert_eq!(&image[0..4], b"FDK1");
    assert_eq!(image[4], FORMAT_VERSION);
    assert_eq!(image[5], 1);
    assert_eq!(image[6..8], [0x02, 0x01]);
    assert_eq!(image[8..12], 1u32.to_le_bytes());
    assert_eq!(&image[12..28], keys.property_id().as_bytes());
    assert_eq!(image[28], 7);
    assert_eq!(
        image[29..39],
        [0x04, 0xA2, 0x3B, 0x5C, 0x61, 0x7D, 0x80, 0, 0, 0]
    );
    assert_eq!(&image[39..55], Uuid::from_u128(0xBEEF).as_bytes());
    assert_eq!(&image[55..71], Uuid::from_u128(0xCA7D).as_bytes());
    assert_eq!(image[71..73], [0x04, 0x03]);
    assert_eq!(image[73..89], [7; 16]);
    assert_eq!(image[89..97], data.issued_at.timestamp().to_le_bytes());
    assert_eq!(image[97..105], data.valid_from.timestamp().to_le_bytes());
    assert_eq!(image[105..113], data.valid_until.timestamp().to_le_bytes());
    assert_eq!(image[113..118], [0; 5], "no shift");
    assert_eq!(image[118], 2);
    assert_eq!(&image[119..135], room().as_bytes());
    assert_eq!(image[135..139], [0x0D, 0x0C, 0x0B, 0x0A]);
    assert_eq!(&image[139..155], Uuid::from_u128(0x102).as_bytes());
    assert_eq!(image[155..159], 9u32.to_le_bytes());
    assert_eq!(image[159], 1);
    assert_eq!(&image[160..176], lobby().as_bytes());
    assert!(image[176..MAC_OFFSET].iter().all(|&byte| byte == 0));

    // The MAC: HMAC-SHA-256 over everything before it, truncated, under the guest card key,
    // computed here independently (HKDF by hand in Python, see the key vector test).
    let card_key = keys.card_key(1, KeyPurpose::Guest, &uid_a()).unwrap();
    assert_eq!(image[MAC_OFFSET..], hmac16(&card_key, &image[..MAC_OFFSET]));
}

#[test]
fn a_staff_shift_is_stored_in_place() {
    let keys = ring();
    let image = card::seal(&staff_card(&keys, &uid_a()), &keys).unwrap();
    assert_eq!(image[5], 2);
    assert_eq!(image[113], 0x7F);
    assert_eq!(image[114..116], 360u16.to_le_bytes());
    assert_eq!(image[116..118], 1080u16.to_le_bytes());
    assert_eq!(image[118], 0, "staff cards carry no capable doors");
    assert_eq!(image[119], 2, "their doors are common doors");
}

// ---- staff zones and format versions -------------------------------------------------------

fn zoned_staff_card(keys: &KeyRing, card_uid: &CardUid) -> CardData {
    CardData {
        zones: vec![
            StaffZone::Floor { floor: 1 },
            StaffZone::Floor { floor: -2 },
        ],
        common_doors: vec![lobby()],
        ..staff_card(keys, card_uid)
    }
}

#[test]
fn a_staff_card_with_zones_opens_to_the_same_data() {
    let keys = ring();
    for zones in [
        vec![StaffZone::AllGuestRooms],
        vec![
            StaffZone::Floor { floor: 1 },
            StaffZone::Floor { floor: -2 },
        ],
        (0..MAX_ZONES as i32)
            .map(|floor| StaffZone::Floor { floor })
            .collect(),
    ] {
        let data = CardData {
            zones,
            common_doors: (0..MAX_COMMON_DOORS as u128)
                .map(|index| Uuid::from_u128(0x300 + index))
                .collect(),
            ..staff_card(&keys, &uid_a())
        };
        let image = card::seal(&data, &keys).unwrap();
        assert_eq!(card::open(&image, &uid_a(), &keys).unwrap(), data);
    }
}

#[test]
fn zones_follow_the_common_doors() {
    let keys = ring();
    let image = card::seal(&zoned_staff_card(&keys, &uid_a()), &keys).unwrap();
    assert_eq!(image[4], 2);
    assert_eq!(image[118], 0);
    assert_eq!(image[119], 1);
    assert_eq!(&image[120..136], lobby().as_bytes());
    assert_eq!(image[136], 2, "two zones");
    assert_eq!(image[137..140], [2, 1, 0], "floor 1");
    assert_eq!(image[140..143], [2, 0xFE, 0xFF], "floor -2");
    assert!(image[143..MAC_OFFSET].iter().all(|&byte| byte == 0));
    let all = CardData {
        zones: vec![StaffZone::AllGuestRooms],
        ..zoned_staff_card(&keys, &uid_a())
    };
    let image = card::seal(&all, &keys).unwrap();
    assert_eq!(image[136..140], [1, 1, 0, 0], "one zone: all guest rooms");
}

/// The image `data` had as format version 1: the same bytes up to the common doors, no zone
/// field, sealed under the same key.
fn version_1_image(data: &CardData, keys: &KeyRing) -> [u8; IMAGE_LEN] {
    assert!(data.zones.is_empty());
    let mut image = card::seal(data, keys).unwrap();
    image[4] = 1;
    let key = keys
        .card_key(data.key_epoch, data.kind.key_purpose(), &data.uid)
        .unwrap();
    remac(&mut image, &key);
    image
}

#[test]
fn version_1_cards_still_read_and_open_doors() {
    let keys = ring();
    assert_eq!(OLDEST_FORMAT_VERSION, 1);
    let config = keys.lock_config();
    for data in [guest_card(&keys, &uid_a()), staff_card(&keys, &uid_a())] {
        let image = version_1_image(&data, &keys);
        let opened = card::open(&image, &uid_a(), &keys).unwrap();
        assert_eq!(opened, data);
        let judged = judge(
            &config,
            capable_door(),
            LockState::default(),
            &opened.to_lock_card(),
            now(),
        );
        assert!(judged.is_granted(), "{judged:?}");
    }
    // Version 1 has no zone field: bytes there are padding, and padding must be zero.
    let mut image = version_1_image(&staff_card(&keys, &uid_a()), &keys);
    image[152] = 1;
    assert_eq!(card::read(&image), Err(CardError::Malformed("padding")));
}

#[test]
fn zones_are_refused_where_they_do_not_belong() {
    let keys = ring();
    let refused = |data: CardData| card::seal(&data, &keys).unwrap_err();
    let zones = vec![StaffZone::AllGuestRooms];
    assert_eq!(
        refused(CardData {
            zones: zones.clone(),
            ..guest_card(&keys, &uid_a())
        }),
        CardError::Malformed("zones")
    );
    assert_eq!(
        refused(CardData {
            kind: CardKind::Cancel,
            common_doors: vec![],
            zones,
            ..guest_card(&keys, &uid_a())
        }),
        CardError::Malformed("zones")
    );
    assert_eq!(
        refused(CardData {
            zones: vec![StaffZone::AllGuestRooms; MAX_ZONES + 1],
            ..staff_card(&keys, &uid_a())
        }),
        CardError::TooManyZones(MAX_ZONES + 1)
    );
    assert_eq!(
        refused(CardData {
            zones: vec![StaffZone::Floor { floor: 40_000 }],
            ..staff_card(&keys, &uid_a())
        }),
        CardError::Malformed("zones")
    );
}

#[test]
fn read_refuses_a_malformed_zone_field() {
    let keys = ring();
    let image = card::seal(&zoned_staff_card(&keys, &uid_a()), &keys).unwrap();
    let edited = |at: usize, byte: u8| {
        let mut image = image;
        image[at] = byte;
        card::read(&image)
    };
    assert_eq!(
        edited(137, 3),
        Err(CardError::Malformed("zones")),
        "unknown kind"
    );
    assert_eq!(
        edited(137, 1),
        Err(CardError::Malformed("zones")),
        "all guest rooms with a floor"
    );
    assert_eq!(
        edited(136, MAX_ZONES as u8 + 1),
        Err(CardError::TooManyZones(MAX_ZONES + 1))
    );
    // A guest card with a full door list has its zone count last: zones there are refused
    // before they are read, so nothing is read past the end.
    let mut guest = guest_card(&keys, &uid_a());
    guest.capable_doors = (0..MAX_CAPABLE_DOORS as u128)
        .map(|index| DoorSequence {
            entrance_id: Uuid::from_u128(0x200 + index),
            sequence: 1,
        })
        .collect();
    guest.common_doors = (0..MAX_COMMON_DOORS as u128)
        .map(|index| Uuid::from_u128(0x300 + index))
        .collect();
    let mut image = card::seal(&guest, &keys).unwrap();
    image[472] = MAX_ZONES as u8;
    assert_eq!(card::read(&image), Err(CardError::Malformed("zones")));
}

#[test]
fn a_zone_card_opens_the_rooms_of_its_floor_at_the_lock() {
    let keys = ring();
    let config = keys.lock_config();
    let data = zoned_staff_card(&keys, &uid_a());
    let image = card::seal(&data, &keys).unwrap();
    let lock_card = card::open(&image, &uid_a(), &keys).unwrap().to_lock_card();
    let floor_2_room = Door {
        entrance_id: Uuid::from_u128(0x201),
        place: DoorPlace::GuestRoom { floor: Some(2) },
        ..capable_door()
    };
    // 2026-03-10 15:00 is within the 06:00–18:00 shift.
    let at_door = |door| judge(&config, door, LockState::default(), &lock_card, now());
    assert_eq!(at_door(capable_door()).reason, Reason::StaffAccess);
    assert_eq!(at_door(common_door()).reason, Reason::StaffAccess);
    assert_eq!(at_door(floor_2_room).reason, Reason::DoorNotOnCard);
}

// ---- refusals of the image itself ----------------------------------------------------------

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
    assert_eq!(edit(4, 3), Err(CardError::UnsupportedVersion(3)));
    assert_eq!(edit(5, 0), Err(CardError::UnknownKind(0)));
    assert_eq!(edit(5, 4), Err(CardError::UnknownKind(4)));
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
            shift: staff.shift,
            ..guest.clone()
        }),
        CardError::Malformed("shift")
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
                shift: Some(shift),
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

// ---- the card at the lock ------------------------------------------------------------------

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
            doors: vec![room(), lobby()],
            zones: vec![],
            shift: staff.shift,
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
        overridden_at: None,
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

// ---- card keys -----------------------------------------------------------------------------

#[test]
fn card_keys_match_the_documented_derivation() {
    // Computed independently: HKDF-SHA256(salt = property id bytes, ikm = master key,
    // info = b"frontdesk card key v1" || purpose byte || uid).
    let keys = KeyRing::new(
        Uuid::from_bytes(core::array::from_fn(|index| index as u8)),
        MasterKeys {
            guest: [0x11; 32],
            staff: [0x22; 32],
            programming: [0x33; 32],
        },
    );
    let hex = |key: [u8; 32]| {
        key.iter()
            .map(|byte| format!("{byte:02x}"))
            .collect::<String>()
    };
    assert_eq!(
        hex(keys.card_key(1, KeyPurpose::Guest, &uid_a()).unwrap()),
        "64953def59546711763849ad8de35ab80a77dcef2b8045d647e3823cc25d43da"
    );
    assert_eq!(
        hex(keys.card_key(1, KeyPurpose::Staff, &uid_a()).unwrap()),
        "f8b5820dff62cd24c759d6b99ce6ba5d29ff10d26d082286cd068f9c0069aa4b"
    );
}

#[test]
fn card_keys_differ_by_uid_purpose_epoch_and_property() {
    let mut keys = ring();
    let key = |keys: &KeyRing, epoch, purpose, card: &CardUid| {
        keys.card_key(epoch, purpose, card).unwrap()
    };
    let guest_a = key(&keys, 1, KeyPurpose::Guest, &uid_a());
    assert_eq!(
        guest_a,
        key(&keys, 1, KeyPurpose::Guest, &uid_a()),
        "deterministic"
    );
    assert_ne!(guest_a, key(&keys, 1, KeyPurpose::Guest, &uid_b()));
    assert_ne!(guest_a, key(&keys, 1, KeyPurpose::Staff, &uid_a()));
    assert_ne!(guest_a, key(&keys, 1, KeyPurpose::Programming, &uid_a()));
    assert_ne!(
        key(&keys, 1, KeyPurpose::Staff, &uid_a()),
        key(&keys, 1, KeyPurpose::Programming, &uid_a())
    );
    assert_ne!(
        guest_a,
        keys.master_keys(1).unwrap().guest,
        "not the master key"
    );
    assert_eq!(keys.card_key(2, KeyPurpose::Guest, &uid_a()), None);

    keys.rotate().unwrap();
    assert_eq!(
        guest_a,
        key(&keys, 1, KeyPurpose::Guest, &uid_a()),
        "old keys kept"
    );
    assert_ne!(guest_a, key(&keys, 2, KeyPurpose::Guest, &uid_a()));

    // Same master keys, another property: other card keys.
    let master = || MasterKeys {
        guest: [9; 32],
        staff: [8; 32],
        programming: [7; 32],
    };
    let here = KeyRing::new(Uuid::from_u128(1), master());
    let there = KeyRing::new(Uuid::from_u128(2), master());
    assert_ne!(
        key(&here, 1, KeyPurpose::Guest, &uid_a()),
        key(&there, 1, KeyPurpose::Guest, &uid_a())
    );
}

#[test]
fn generated_rings_have_distinct_random_keys() {
    let a = ring();
    let b = ring();
    let (ka, kb) = (a.master_keys(1).unwrap(), b.master_keys(1).unwrap());
    assert_ne!(ka.guest, kb.guest);
    assert_ne!(ka.guest, ka.staff);
    assert_ne!(ka.staff, ka.programming);
    assert_ne!(ka.guest, [0; 32]);
    assert_eq!((a.current_epoch(), a.min_epoch()), (1, 1));
}

// ---- no keys in Debug or errors -----------------------------------------------------------

fn hex_of(key: &[u8; 32]) -> [String; 2] {
    let lower: String = key.iter().map(|byte| format!("{byte:02x}")).collect();
    [lower.to_uppercase(), lower]
}

fn assert_no_key(text: &str, keys: &KeyRing) {
    for epoch in keys.epochs() {
        let master = keys.master_keys(epoch).unwrap();
        for key in [&master.guest, &master.staff, &master.programming] {
            for hex in hex_of(key) {
                assert!(!text.contains(&hex[..8]), "key hex in {text}");
            }
            assert!(!text.contains(&format!("{key:?}")), "key bytes in {text}");
            assert!(
                !text.contains(&format!("{:?}", &key[..4])[1..]),
                "key bytes in {text}"
            );
        }
    }
}

#[test]
fn debug_output_redacts_keys() {
    let fixed = KeyRing::new(
        Uuid::nil(),
        MasterKeys {
            guest: [0xA5; 32],
            staff: [0x5A; 32],
            programming: [0x3C; 32],
        },
    );
    for text in [
        format!("{fixed:?}"),
        format!("{fixed:#?}"),
        format!("{:?}", fixed.master_keys(1).unwrap()),
    ] {
        for needle in ["a5", "A5", "5a", "5A", "3c", "3C", "165", "90", "60"] {
            assert!(!text.contains(needle), "{needle} in {text}");
        }
        assert!(text.contains("redacted"), "{text}");
    }

    let mut keys = ring();
    keys.rotate().unwrap();
    let text = format!("{keys:?} {keys:#?} {:?}", keys.master_keys(2).unwrap());
    assert_no_key(&text, &keys);
    assert!(text.contains(&keys.property_id().to_string()));
}

// ---- the key file --------------------------------------------------------------------------

#[cfg(unix)]
fn mode(path: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[cfg(unix)]
fn chmod(path: &std::path::Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

#[cfg(unix)]
#[test]
fn the_key_file_is_created_private_and_loads_again() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("secrets").join("keys.json");
    let property = Uuid::new_v4();

    let created = KeyRing::load_or_create(&path, property).unwrap();
    assert_eq!(mode(&path), 0o600);
    assert_eq!(mode(path.parent().unwrap()), 0o700);
    assert_eq!(created.property_id(), property);
    assert_eq!(created.current_epoch(), 1);
    // No temporary files left behind.
    let names: Vec<_> = std::fs::read_dir(path.parent().unwrap())
        .unwrap()
        .map(|entry| entry.unwrap().file_name())
        .collect();
    assert_eq!(names, ["keys.json"]);

    let loaded = KeyRing::load_or_create(&path, property).unwrap();
    assert_eq!(loaded, created);
    assert_eq!(KeyRing::load(&path, property).unwrap(), created);

    // A card made before the restart opens after it.
    let image = card::seal(&guest_card(&created, &uid_a()), &created).unwrap();
    assert!(card::open(&image, &uid_a(), &loaded).is_ok());
}

#[cfg(unix)]
#[test]
fn a_key_file_others_can_read_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("keys.json");
    let property = Uuid::new_v4();
    let keys = KeyRing::load_or_create(&path, property).unwrap();

    for loose in [0o644, 0o640, 0o604, 0o620] {
        chmod(&path, loose);
        let error = KeyRing::load_or_create(&path, property).unwrap_err();
        assert!(
            matches!(error, KeyError::InsecurePermissions { mode, .. } if mode == loose),
            "{error:?}"
        );
        let message = error.to_string();
        assert!(message.contains(&path.display().to_string()), "{message}");
        assert!(message.contains("chmod 600"), "{message}");
        assert_no_key(&message, &keys);
    }
    chmod(&path, 0o600);
    assert_eq!(KeyRing::load_or_create(&path, property).unwrap(), keys);
    chmod(&path, 0o400);
    assert_eq!(KeyRing::load_or_create(&path, property).unwrap(), keys);
}

#[cfg(unix)]
#[test]
fn a_key_file_of_another_property_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("keys.json");
    let ours = Uuid::new_v4();
    let theirs = Uuid::new_v4();
    let keys = KeyRing::load_or_create(&path, theirs).unwrap();
    let error = KeyRing::load_or_create(&path, ours).unwrap_err();
    assert!(
        matches!(error, KeyError::WrongProperty { found, expected, .. }
            if found == theirs && expected == ours),
        "{error:?}"
    );
    assert_no_key(&error.to_string(), &keys);
    // The file was left alone.
    assert_eq!(KeyRing::load(&path, theirs).unwrap(), keys);
}

#[cfg(unix)]
#[test]
fn the_key_file_round_trips_after_rotation() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("keys.json");
    let property = Uuid::new_v4();
    let mut keys = KeyRing::load_or_create(&path, property).unwrap();
    let old_image = card::seal(&guest_card(&keys, &uid_a()), &keys).unwrap();

    keys.rotate().unwrap();
    keys.rotate().unwrap();
    keys.save(&path).unwrap();
    assert_eq!(mode(&path), 0o600);

    let loaded = KeyRing::load_or_create(&path, property).unwrap();
    assert_eq!(loaded, keys);
    assert_eq!(loaded.current_epoch(), 3);
    assert_eq!(loaded.min_epoch(), 3);
    assert_eq!(loaded.epochs().collect::<Vec<_>>(), [1, 2, 3]);
    assert_eq!(loaded.lock_config().min_key_epoch, 3);
    // Epoch 1 cards still open (and the locks refuse them).
    assert_eq!(
        card::open(&old_image, &uid_a(), &loaded).unwrap().key_epoch,
        1
    );

    // The file holds hex keys, as documented.
    let text = std::fs::read_to_string(&path).unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(json["property_id"], property.to_string());
    assert_eq!(json["current_epoch"], 3);
    assert_eq!(
        json["epochs"]["3"]["staff"],
        hex_of(&keys.master_keys(3).unwrap().staff)[1]
    );
}

#[cfg(unix)]
#[test]
fn a_damaged_key_file_is_refused_without_quoting_keys() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("keys.json");
    let property = Uuid::new_v4();
    let keys = KeyRing::load_or_create(&path, property).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    let guest_hex = hex_of(&keys.master_keys(1).unwrap().guest)[1].clone();

    let damage = |text: String| {
        std::fs::write(&path, text).unwrap();
        chmod(&path, 0o600);
        let error = KeyRing::load_or_create(&path, property).unwrap_err();
        assert!(matches!(error, KeyError::Corrupt { .. }), "{error:?}");
        let message = error.to_string();
        assert!(message.contains(&path.display().to_string()), "{message}");
        assert_no_key(&message, &keys);
        message
    };
    // A key where a number belongs: serde would quote it; we do not.
    damage(text.replacen(
        "\"current_epoch\": 1",
        &format!("\"current_epoch\": \"{guest_hex}\""),
        1,
    ));
    damage(text.replacen(&guest_hex, &guest_hex[..62], 1));
    damage(text.replacen(&guest_hex, &format!("{}zz", &guest_hex[..62]), 1));
    damage(text.replacen("\"current_epoch\": 1", "\"current_epoch\": 2", 1));
    damage(text.replacen("\"min_epoch\": 1", "\"min_epoch\": 2", 1));
    damage("not json".into());
}

// ---- properties ----------------------------------------------------------------------------

fn door_id() -> impl Strategy<Value = Uuid> {
    any::<u128>().prop_map(Uuid::from_u128)
}

prop_compose! {
    fn card_uid()(len in prop::sample::select(vec![4usize, 7, 10]), bytes in any::<[u8; 10]>())
        -> CardUid {
        CardUid::new(&bytes[..len]).unwrap()
    }
}

prop_compose! {
    fn shift()(weekdays in 1u8..0x80, start_minute in 0u16..1440, end_minute in 0u16..=1440)
        -> Shift {
        Shift { weekdays, start_minute, end_minute }
    }
}

prop_compose! {
    fn times()(issued in -100_000_000_000i64..100_000_000_000,
               from in -100_000_000_000i64..100_000_000_000,
               length in 1i64..10_000_000_000) -> (DateTime<Utc>, DateTime<Utc>, DateTime<Utc>) {
        (at(issued), at(from), at(from + length))
    }
}

fn zone() -> impl Strategy<Value = StaffZone> {
    prop_oneof![
        Just(StaffZone::AllGuestRooms),
        any::<i16>().prop_map(|floor| StaffZone::Floor {
            floor: i32::from(floor)
        }),
    ]
}

prop_compose! {
    /// Any valid card for `property_id` at epoch 1.
    fn card_data(property_id: Uuid)(
        uid in card_uid(),
        kind in prop::sample::select(vec![CardKind::Guest, CardKind::Staff, CardKind::Cancel]),
        flags in any::<u16>(),
        reservation in prop::option::of(1u128..),
        card_id in door_id(),
        copy_number in any::<u16>(),
        op_id in any::<[u8; 16]>(),
        (issued_at, valid_from, valid_until) in times(),
        shift in prop::option::of(shift()),
        capable in prop::collection::vec((door_id(), any::<u32>()), 1..=MAX_CAPABLE_DOORS),
        common_doors in prop::collection::vec(door_id(), 0..=MAX_COMMON_DOORS),
        zones in prop::collection::vec(zone(), 0..=MAX_ZONES),
    ) -> CardData {
        let mut capable_doors: Vec<_> = capable
            .into_iter()
            .map(|(entrance_id, sequence)| DoorSequence { entrance_id, sequence })
            .collect();
        let mut data = CardData {
            property_id,
            key_epoch: 1,
            uid,
            kind,
            flags,
            reservation_id: reservation.map(Uuid::from_u128),
            card_id,
            copy_number,
            op_id,
            issued_at,
            valid_from,
            valid_until,
            shift: None,
            capable_doors: vec![],
            common_doors,
            zones: vec![],
        };
        match kind {
            CardKind::Guest => {
                // Guest cards may also have no capable door at all.
                if flags % 4 == 0 {
                    capable_doors.clear();
                }
                data.capable_doors = capable_doors;
            }
            CardKind::Staff => {
                data.reservation_id = None;
                data.shift = shift;
                data.zones = zones;
            }
            CardKind::Cancel => {
                data.capable_doors = capable_doors;
                data.common_doors.clear();
            }
        }
        data
    }
}

fn fixed_ring() -> KeyRing {
    KeyRing::new(
        Uuid::from_u128(0x5EED),
        MasterKeys {
            guest: [1; 32],
            staff: [2; 32],
            programming: [3; 32],
        },
    )
}

proptest! {
    #[test]
    fn any_valid_card_round_trips(data in card_data(Uuid::from_u128(0x5EED))) {
        let keys = fixed_ring();
        let image = card::seal(&data, &keys).unwrap();
        prop_assert_eq!(card::read(&image).unwrap(), data.clone());
        prop_assert_eq!(card::open(&image, &data.uid, &keys).unwrap(), data.clone());
        prop_assert_eq!(card::seal(&data, &keys).unwrap(), image, "deterministic");
    }

    #[test]
    fn any_byte_change_is_refused(
        data in card_data(Uuid::from_u128(0x5EED)),
        offset in 0..IMAGE_LEN,
        change in 1u8..,
    ) {
        let keys = fixed_ring();
        let mut image = card::seal(&data, &keys).unwrap();
        image[offset] ^= change;
        prop_assert!(card::open(&image, &data.uid, &keys).is_err());
    }

    #[test]
    fn any_valid_card_is_refused_on_another_uid(
        data in card_data(Uuid::from_u128(0x5EED)),
        other in card_uid(),
    ) {
        prop_assume!(other != data.uid);
        let keys = fixed_ring();
        let image = card::seal(&data, &keys).unwrap();
        let error = card::open(&image, &other, &keys).unwrap_err();
        prop_assert_eq!(error, CardError::UidMismatch);
    }

    #[test]
    fn random_bytes_never_open(bytes in prop::collection::vec(any::<u8>(), IMAGE_LEN)) {
        let keys = fixed_ring();
        let _ = card::read(&bytes);
        prop_assert!(card::open(&bytes, &uid_a(), &keys).is_err());
    }

    #[test]
    fn random_tails_after_a_valid_header_never_open(
        data in card_data(Uuid::from_u128(0x5EED)),
        tail in prop::collection::vec(any::<u8>(), IMAGE_LEN - 118),
    ) {
        let keys = fixed_ring();
        let mut image = card::seal(&data, &keys).unwrap();
        prop_assume!(image[118..] != tail[..]);
        image[118..].copy_from_slice(&tail);
        let _ = card::read(&image);
        prop_assert!(card::open(&image, &data.uid, &keys).is_err());
    }
}
