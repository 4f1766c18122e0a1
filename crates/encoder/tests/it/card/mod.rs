//! The card image and the key ring: round trips, tampering, copying, key rotation and the key
//! file.
#![allow(clippy::unwrap_used)]

use chrono::{DateTime, Duration, TimeZone, Utc};
use encoder::CardUid;
use encoder::card::{CardData, CardKind, IMAGE_LEN, MAC_LEN, MAC_OFFSET};
use encoder::keys::KeyRing;
use engine::lock::{Door, DoorPlace, DoorSequence, Shift, StaffLevel, StaffZone};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use uuid::Uuid;

mod at_the_lock;
mod keys;
mod random;
mod refusals;
mod round_trips;

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
        staff_level: None,
        schedule: vec![],
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
        staff_level: Some(StaffLevel::Area),
        schedule: vec![Shift {
            weekdays: 0b0111_1111,
            start_minute: 6 * 60,
            end_minute: 18 * 60,
        }],
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

/// `data` with `zones`, and the level they make.
fn with_zones(data: CardData, zones: Vec<StaffZone>) -> CardData {
    CardData {
        staff_level: Some(encoder::card::level_of_zones(&zones)),
        zones,
        ..data
    }
}
