//! Round trips of guest and staff cards, staff zones and older format versions.

use chrono::Duration;
use encoder::CardUid;
use encoder::card::{
    self, CardData, CardError, CardKind, FORMAT_VERSION, IMAGE_LEN, MAC_OFFSET, MAX_CAPABLE_DOORS,
    MAX_COMMON_DOORS, MAX_SHIFTS, MAX_ZONES, OLDEST_FORMAT_VERSION,
};
use encoder::keys::{KeyPurpose, KeyRing, MasterKeys};
use engine::lock::{
    Door, DoorPlace, DoorSequence, LockState, Reason, Shift, StaffLevel, StaffZone, judge,
};
use uuid::Uuid;

use super::{
    capable_door, common_door, guest_card, hmac16, lobby, now, remac, ring, room, staff_card,
    uid_a, with_zones,
};

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
    with_zones(
        CardData {
            common_doors: vec![lobby()],
            ..staff_card(keys, card_uid)
        },
        vec![
            StaffZone::Floor { floor: 1 },
            StaffZone::Floor { floor: -2 },
        ],
    )
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
        let data = with_zones(
            CardData {
                common_doors: (0..MAX_COMMON_DOORS as u128)
                    .map(|index| Uuid::from_u128(0x300 + index))
                    .collect(),
                ..staff_card(&keys, &uid_a())
            },
            zones,
        );
        let image = card::seal(&data, &keys).unwrap();
        assert_eq!(card::open(&image, &uid_a(), &keys).unwrap(), data);
    }
}

#[test]
fn zones_follow_the_common_doors() {
    let keys = ring();
    let image = card::seal(&zoned_staff_card(&keys, &uid_a()), &keys).unwrap();
    assert_eq!(image[4], FORMAT_VERSION);
    assert_eq!(image[118], 0);
    assert_eq!(image[119], 1);
    assert_eq!(&image[120..136], lobby().as_bytes());
    assert_eq!(image[136], 2, "two zones");
    assert_eq!(image[137..140], [2, 1, 0], "floor 1");
    assert_eq!(image[140..143], [2, 0xFE, 0xFF], "floor -2");
    assert_eq!(image[143], 2, "level: floor");
    assert_eq!(image[144], 0, "no further shift");
    assert!(image[145..MAC_OFFSET].iter().all(|&byte| byte == 0));
    let all = with_zones(
        zoned_staff_card(&keys, &uid_a()),
        vec![StaffZone::AllGuestRooms],
    );
    let image = card::seal(&all, &keys).unwrap();
    assert_eq!(
        image[136..142],
        [1, 1, 0, 0, 3, 0],
        "one zone: all guest rooms; level: master"
    );
}

/// The image `data` had as format `version` 1 or 2: the same bytes up to the common doors
/// (version 1: no zone field) or the zones (version 2), no level and one shift at most,
/// sealed under the same key.
fn older_image(data: &CardData, keys: &KeyRing, version: u8) -> [u8; IMAGE_LEN] {
    assert!(version == 2 || data.zones.is_empty());
    assert!(data.schedule.len() <= 1);
    let mut image = card::seal(data, keys).unwrap();
    image[4] = version;
    let level_at = 118
        + 1
        + 20 * data.capable_doors.len()
        + 1
        + 16 * data.common_doors.len()
        + 1
        + 3 * data.zones.len();
    image[level_at] = 0;
    let key = keys
        .card_key(data.key_epoch, data.kind.key_purpose(), &data.uid)
        .unwrap();
    remac(&mut image, &key);
    image
}

fn version_1_image(data: &CardData, keys: &KeyRing) -> [u8; IMAGE_LEN] {
    older_image(data, keys, 1)
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

#[test]
fn version_2_staff_cards_read_with_the_level_of_their_zones_and_their_one_shift() {
    let keys = ring();
    let config = keys.lock_config();
    for (zones, level) in [
        (vec![], StaffLevel::Area),
        (vec![StaffZone::Floor { floor: 1 }], StaffLevel::Floor),
        (vec![StaffZone::AllGuestRooms], StaffLevel::Master),
    ] {
        let data = with_zones(staff_card(&keys, &uid_a()), zones);
        let image = older_image(&data, &keys, 2);
        let opened = card::open(&image, &uid_a(), &keys).unwrap();
        assert_eq!(opened.staff_level, Some(level));
        assert_eq!(opened.schedule, data.schedule);
        assert_eq!(opened, data);
        let judged = judge(
            &config,
            capable_door(),
            LockState::default(),
            &opened.to_lock_card(),
            now(),
        );
        assert_eq!(judged.reason, Reason::StaffAccess, "{level:?}");
    }
}

fn night_and_weekend() -> Vec<Shift> {
    vec![
        Shift {
            weekdays: 0b0001_1111,
            start_minute: 22 * 60,
            end_minute: 6 * 60,
        },
        Shift {
            weekdays: 0b0110_0000,
            start_minute: 8 * 60,
            end_minute: 12 * 60,
        },
        Shift {
            weekdays: 0b0110_0000,
            start_minute: 13 * 60,
            end_minute: 17 * 60,
        },
    ]
}

/// An emergency card for nights and weekends: no doors, three shifts.
fn night_emergency_card(keys: &KeyRing) -> CardData {
    CardData {
        staff_level: Some(StaffLevel::Emergency),
        common_doors: vec![],
        schedule: night_and_weekend(),
        ..staff_card(keys, &uid_a())
    }
}

#[test]
fn an_emergency_card_with_several_shifts_keeps_them_in_order() {
    let keys = ring();
    let data = night_emergency_card(&keys);
    let image = card::seal(&data, &keys).unwrap();
    assert_eq!(image[113], 0b0001_1111, "the first shift in the header");
    assert_eq!(image[114..116], 1320u16.to_le_bytes());
    assert_eq!(image[116..118], 360u16.to_le_bytes());
    assert_eq!(image[118..121], [0, 0, 0], "no doors, no zones");
    assert_eq!(image[121], 4, "level: emergency");
    assert_eq!(image[122], 2, "two further shifts");
    assert_eq!(image[123], 0b0110_0000);
    assert_eq!(image[124..128], [0xE0, 0x01, 0xD0, 0x02]);
    assert!(image[133..MAC_OFFSET].iter().all(|&byte| byte == 0));
    assert_eq!(card::open(&image, &uid_a(), &keys).unwrap(), data);

    let all = CardData {
        schedule: vec![night_and_weekend()[0]; MAX_SHIFTS],
        ..data
    };
    let image = card::seal(&all, &keys).unwrap();
    assert_eq!(card::open(&image, &uid_a(), &keys).unwrap(), all);
}

#[test]
fn read_refuses_a_malformed_level_or_shift_list() {
    let keys = ring();
    let data = night_emergency_card(&keys);
    let image = card::seal(&data, &keys).unwrap();
    let edited = |at: usize, byte: u8| {
        let mut image = image;
        image[at] = byte;
        card::read(&image)
    };
    assert_eq!(edited(121, 5), Err(CardError::Malformed("staff_level")));
    assert_eq!(edited(121, 0), Err(CardError::Malformed("staff_level")));
    assert_eq!(
        edited(122, MAX_SHIFTS as u8),
        Err(CardError::Malformed("shift"))
    );
    // Further shifts without a first one.
    let mut no_first = image;
    no_first[113..118].fill(0);
    assert_eq!(card::read(&no_first), Err(CardError::Malformed("shift")));
}
