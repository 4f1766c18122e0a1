//! Properties over random cards.

use chrono::{DateTime, Utc};
use encoder::CardUid;
use encoder::card::{
    self, CardData, CardError, CardKind, IMAGE_LEN, MAX_CAPABLE_DOORS, MAX_COMMON_DOORS,
    MAX_SHIFTS, MAX_ZONES,
};
use encoder::keys::{KeyRing, MasterKeys};
use engine::lock::{DoorSequence, Shift, StaffLevel, StaffZone};
use proptest::prelude::*;
use uuid::Uuid;

use super::{at, uid_a};

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
        kind in prop::sample::select(vec![
            CardKind::Guest,
            CardKind::Staff,
            CardKind::Cancel,
            CardKind::OneShot,
            CardKind::LockOut,
            CardKind::LockOutLift,
        ]),
        flags in any::<u16>(),
        reservation in prop::option::of(1u128..),
        card_id in door_id(),
        copy_number in any::<u16>(),
        op_id in any::<[u8; 16]>(),
        (issued_at, valid_from, valid_until) in times(),
        schedule in prop::collection::vec(shift(), 0..=MAX_SHIFTS),
        emergency in any::<bool>(),
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
            staff_level: None,
            schedule: vec![],
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
                data.schedule = schedule;
                // An emergency card opens every door and carries no zones.
                if emergency {
                    data.staff_level = Some(StaffLevel::Emergency);
                } else {
                    data.staff_level = Some(card::level_of_zones(&zones));
                    data.zones = zones;
                }
            }
            CardKind::Cancel | CardKind::OneShot | CardKind::LockOut | CardKind::LockOutLift => {
                if kind != CardKind::Cancel {
                    data.reservation_id = None;
                }
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
