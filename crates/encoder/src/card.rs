//! The card image (`docs/cards.md`, "The card image").
//!
//! A fixed-size, versioned, little-endian image of [`IMAGE_LEN`] bytes. Its last
//! [`MAC_LEN`] bytes are a MAC (HMAC-SHA-256 truncated to 16 bytes) over every byte before
//! it, under the card's own key: derived from the property's master key for the card's
//! purpose ([`CardKind::key_purpose`]: guest, cancel and one-shot cards
//! [`KeyPurpose::Guest`], staff, lock-out and lift cards [`KeyPurpose::Staff`]) of the card's
//! key epoch, and from the card's UID
//! ([`KeyRing::card_key`]). So a changed bit, a guest card edited into a staff card, or an
//! image copied onto another card is refused by [`open`].
//!
//! | offset | size | field |
//! | ---: | ---: | --- |
//! | 0 | 4 | magic `b"FDK1"` |
//! | 4 | 1 | format version ([`FORMAT_VERSION`]) |
//! | 5 | 1 | kind: guest 1, staff 2, cancel 3; one-shot 4, lock-out 5, lift 6 (version 4 on) |
//! | 6 | 2 | flags (u16) |
//! | 8 | 4 | key epoch (u32) |
//! | 12 | 16 | property id |
//! | 28 | 1 | UID length (4, 7 or 10) |
//! | 29 | 10 | UID, zero padded |
//! | 39 | 16 | reservation id (all zero: none) |
//! | 55 | 16 | card id (the access method's id) |
//! | 71 | 2 | copy number (u16) |
//! | 73 | 16 | op id of the issuing operation |
//! | 89 | 8 | issued at (i64, unix seconds) |
//! | 97 | 8 | valid from (i64, unix seconds) |
//! | 105 | 8 | valid until (i64, unix seconds) |
//! | 113 | 1 | first shift's weekdays (bit 0 Monday … bit 6 Sunday) |
//! | 114 | 2 | first shift's start minute (u16) |
//! | 116 | 2 | first shift's end minute (u16); all three shift fields zero: no shift |
//! | 118 | 1 | number of capable doors, c ≤ [`MAX_CAPABLE_DOORS`] |
//! | 119 | 20·c | per capable door: entrance id (16), sequence (u32) |
//! | 119+20c | 1 | number of common doors, m ≤ [`MAX_COMMON_DOORS`] |
//! | 120+20c | 16·m | per common door: entrance id (16) |
//! | 120+20c+16m | 1 | number of staff zones, z ≤ [`MAX_ZONES`] (version 2 on) |
//! | 121+20c+16m | 3·z | per zone: kind (all guest rooms 1, floor 2), floor (i16; 0 for all guest rooms) |
//! | 121+20c+16m+3z | 1 | staff level: area 1, floor 2, master 3, emergency 4; 0 on other cards (version 3 on) |
//! | 122+20c+16m+3z | 1 | number of further shifts, s < [`MAX_SHIFTS`] (version 3 on) |
//! | 123+20c+16m+3z | 5·s | per further shift: weekdays (1), start minute (u16), end minute (u16) |
//! | … | … | zero padding up to 496 |
//! | 496 | 16 | MAC |
//!
//! Staff cards list their doors as common doors, and may carry zones (only they do, so a
//! card with zones has no capable doors), a level and shifts. A one-shot card lists its doors
//! as capable doors, each with its one-shot number; lock-out and lift cards list theirs as
//! capable doors too, each with the number of the guests in the room when the card was made.
//! Version 1 images, which have no zone field, still read, as cards without zones; version 1 and 2 staff cards read with the
//! level their zones make (all guest rooms: master; floors: floor; none: area) and their one
//! shift. Times are kept in whole seconds: [`seal`] drops sub-second parts.

use chrono::{DateTime, SubsecRound, Utc};
use engine::lock::{Card, CardContent, DoorSequence, Shift, StaffLevel, StaffZone};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use subtle::ConstantTimeEq;
use uuid::Uuid;

use crate::keys::{KeyPurpose, KeyRing};
use crate::uid::{CardUid, MAX_UID_LEN};

/// The size of every card image.
pub const IMAGE_LEN: usize = 512;
/// The image layout this crate writes (version 2: staff zones; version 3: staff levels and
/// shifts; version 4: one-shot, lock-out and lift cards).
pub const FORMAT_VERSION: u8 = 4;
/// The oldest layout this crate (and a lock it programs) still reads.
pub const OLDEST_FORMAT_VERSION: u8 = 1;
/// The most reservation-capable doors (with a sequence) a card carries.
pub const MAX_CAPABLE_DOORS: usize = 8;
/// The most common doors (without a sequence; a staff card's doors) a card carries.
pub const MAX_COMMON_DOORS: usize = 12;
/// The most staff zones (all guest rooms, a floor) a staff card carries.
pub const MAX_ZONES: usize = 16;
/// The most shifts (days and hours) a staff card carries.
pub const MAX_SHIFTS: usize = 7;
/// The first bytes of every image.
pub const MAGIC: [u8; 4] = *b"FDK1";
/// The length of the truncated MAC at the end of the image.
pub const MAC_LEN: usize = 16;
/// Where the MAC starts; it covers every byte before.
pub const MAC_OFFSET: usize = IMAGE_LEN - MAC_LEN;

const MINUTES_PER_DAY: u16 = 24 * 60;
/// The fixed fields, up to the number of capable doors.
const HEADER_LEN: usize = 118;
const CAPABLE_DOOR_LEN: usize = 16 + 4;
const COMMON_DOOR_LEN: usize = 16;
const ZONE_LEN: usize = 1 + 2;
const SHIFT_LEN: usize = 1 + 2 + 2;
const ZONE_ALL_GUEST_ROOMS: u8 = 1;
const ZONE_FLOOR: u8 = 2;
// The largest card of each shape ends before the MAC, so writer and reader never run past
// it: a guest card with every door (475 bytes, with its empty zone count, level and shift
// count) and a staff card with every zone and shift (393).
const LARGEST_GUEST_CARD: usize = HEADER_LEN
    + 1
    + MAX_CAPABLE_DOORS * CAPABLE_DOOR_LEN
    + 1
    + MAX_COMMON_DOORS * COMMON_DOOR_LEN
    + 1
    + 1
    + 1;
const LARGEST_STAFF_CARD: usize = HEADER_LEN
    + 1
    + 1
    + MAX_COMMON_DOORS * COMMON_DOOR_LEN
    + 1
    + MAX_ZONES * ZONE_LEN
    + 1
    + 1
    + (MAX_SHIFTS - 1) * SHIFT_LEN;
const _: () = assert!(LARGEST_GUEST_CARD <= MAC_OFFSET && LARGEST_STAFF_CARD <= MAC_OFFSET);

/// What a card is for.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CardKind {
    Guest,
    Staff,
    /// Moves its doors' sequences up without opening them.
    Cancel,
    /// Opens each of its doors once.
    OneShot,
    /// Makes its doors refuse guest cards until lifted, without opening them.
    LockOut,
    /// Lifts its doors' lock-out, without opening them.
    LockOutLift,
}

impl CardKind {
    pub fn as_byte(self) -> u8 {
        match self {
            Self::Guest => 1,
            Self::Staff => 2,
            Self::Cancel => 3,
            Self::OneShot => 4,
            Self::LockOut => 5,
            Self::LockOutLift => 6,
        }
    }

    /// The kind of `byte` in an image of format `version`: kinds newer than the image's
    /// format are unknown to it.
    pub fn from_byte(byte: u8, version: u8) -> Option<Self> {
        let kind = match byte {
            1 => Self::Guest,
            2 => Self::Staff,
            3 => Self::Cancel,
            4 => Self::OneShot,
            5 => Self::LockOut,
            6 => Self::LockOutLift,
            _ => return None,
        };
        (version >= kind.since_version()).then_some(kind)
    }

    /// The first format version with this kind.
    fn since_version(self) -> u8 {
        match self {
            Self::Guest | Self::Staff | Self::Cancel => 1,
            Self::OneShot | Self::LockOut | Self::LockOutLift => 4,
        }
    }

    /// The master key the card's MAC key is derived from: lock-out cards are made by
    /// managers, under the staff key.
    pub fn key_purpose(self) -> KeyPurpose {
        match self {
            Self::Guest | Self::Cancel | Self::OneShot => KeyPurpose::Guest,
            Self::Staff | Self::LockOut | Self::LockOutLift => KeyPurpose::Staff,
        }
    }
}

/// Everything on a card.
///
/// Which fields a kind may use: a guest card has no level, no shift and no zones; a staff card
/// has a level, no reservation and no capable doors (its doors are `common_doors` and `zones`);
/// a cancel, one-shot, lock-out or lift card has no level, no shift, no common doors and no
/// zones, and at least one capable door (a one-shot card's numbers are its one-shot numbers;
/// a lock-out card's, the numbers of the guests in the rooms); only a cancel card may name a
/// reservation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardData {
    pub property_id: Uuid,
    /// The key epoch the card is sealed under: the ring's current epoch for a new card.
    pub key_epoch: u32,
    /// The UID of the card the image is for.
    pub uid: CardUid,
    pub kind: CardKind,
    pub flags: u16,
    pub reservation_id: Option<Uuid>,
    /// The access method the card delivers.
    pub card_id: Uuid,
    pub copy_number: u16,
    /// The operation that wrote the card (issuing exactly once).
    pub op_id: [u8; 16],
    pub issued_at: DateTime<Utc>,
    pub valid_from: DateTime<Utc>,
    pub valid_until: DateTime<Utc>,
    /// Staff cards only: how much of the property the card opens.
    pub staff_level: Option<StaffLevel>,
    /// Staff cards only: when the card works; always when empty.
    pub schedule: Vec<Shift>,
    pub capable_doors: Vec<DoorSequence>,
    pub common_doors: Vec<Uuid>,
    /// Staff cards only: groups of guest room doors the card opens without listing them.
    pub zones: Vec<StaffZone>,
}

impl CardData {
    /// The card as a lock sees it once its MAC was verified.
    pub fn to_lock_card(&self) -> Card {
        let content = match self.kind {
            CardKind::Guest => CardContent::Guest {
                reservation_id: self.reservation_id,
                capable_doors: self.capable_doors.clone(),
                common_doors: self.common_doors.clone(),
            },
            CardKind::Staff => CardContent::Staff {
                level: self.staff_level.unwrap_or_default(),
                doors: self.common_doors.clone(),
                zones: self.zones.clone(),
                schedule: self.schedule.clone(),
            },
            CardKind::Cancel => CardContent::Cancel {
                doors: self.capable_doors.clone(),
            },
            CardKind::OneShot => CardContent::OneShot {
                doors: self.capable_doors.clone(),
            },
            CardKind::LockOut | CardKind::LockOutLift => CardContent::LockOut {
                doors: self.capable_doors.clone(),
                lift: self.kind == CardKind::LockOutLift,
            },
        };
        Card {
            property_id: self.property_id,
            format_version: FORMAT_VERSION,
            key_epoch: self.key_epoch,
            valid_from: self.valid_from,
            valid_until: self.valid_until,
            content,
        }
    }

    /// The same data with its times cut to whole seconds, as an image keeps them.
    pub fn truncated_to_seconds(&self) -> Self {
        Self {
            issued_at: self.issued_at.trunc_subsecs(0),
            valid_from: self.valid_from.trunc_subsecs(0),
            valid_until: self.valid_until.trunc_subsecs(0),
            ..self.clone()
        }
    }

    /// Checks what both `seal` and `read` insist on, besides the layout itself.
    fn check(&self) -> Result<(), CardError> {
        if self.capable_doors.len() > MAX_CAPABLE_DOORS
            || self.common_doors.len() > MAX_COMMON_DOORS
        {
            return Err(CardError::TooManyDoors {
                capable: self.capable_doors.len(),
                common: self.common_doors.len(),
            });
        }
        if self.zones.len() > MAX_ZONES {
            return Err(CardError::TooManyZones(self.zones.len()));
        }
        let floor_fits = |zone: &StaffZone| match zone {
            StaffZone::AllGuestRooms => true,
            StaffZone::Floor { floor } => i16::try_from(*floor).is_ok(),
        };
        if !self.zones.iter().all(floor_fits) {
            return Err(CardError::Malformed("zones"));
        }
        if self.kind != CardKind::Staff && !self.zones.is_empty() {
            return Err(CardError::Malformed("zones"));
        }
        if self.reservation_id == Some(Uuid::nil()) {
            return Err(CardError::Malformed("reservation_id"));
        }
        if self.valid_from >= self.valid_until {
            return Err(CardError::Malformed("valid_until"));
        }
        if self.schedule.len() > MAX_SHIFTS {
            return Err(CardError::TooManyShifts(self.schedule.len()));
        }
        let valid = |shift: &Shift| {
            shift.weekdays != 0
                && shift.weekdays < 0x80
                && shift.start_minute < MINUTES_PER_DAY
                && shift.end_minute <= MINUTES_PER_DAY
        };
        if !self.schedule.iter().all(valid) {
            return Err(CardError::Malformed("shift"));
        }
        if self.kind != CardKind::Staff && (!self.schedule.is_empty() || self.staff_level.is_some())
        {
            return Err(CardError::Malformed(if self.schedule.is_empty() {
                "staff_level"
            } else {
                "shift"
            }));
        }
        match self.kind {
            CardKind::Guest => {}
            CardKind::Staff => {
                if self.reservation_id.is_some() {
                    return Err(CardError::Malformed("reservation_id"));
                }
                if !self.capable_doors.is_empty() {
                    return Err(CardError::Malformed("capable_doors"));
                }
                let level = self
                    .staff_level
                    .ok_or(CardError::Malformed("staff_level"))?;
                let zones_agree = match level {
                    StaffLevel::Emergency => self.zones.is_empty(),
                    level => level == level_of_zones(&self.zones),
                };
                if !zones_agree {
                    return Err(CardError::Malformed("staff_level"));
                }
            }
            CardKind::Cancel | CardKind::OneShot | CardKind::LockOut | CardKind::LockOutLift => {
                if self.capable_doors.is_empty() {
                    return Err(CardError::Malformed("capable_doors"));
                }
                if !self.common_doors.is_empty() {
                    return Err(CardError::Malformed("common_doors"));
                }
                if self.kind != CardKind::Cancel && self.reservation_id.is_some() {
                    return Err(CardError::Malformed("reservation_id"));
                }
            }
        }
        Ok(())
    }
}

/// Why an image was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CardError {
    #[error("a card image is {IMAGE_LEN} bytes long")]
    WrongLength,
    #[error("not a key card image of this system")]
    BadMagic,
    #[error("unsupported card format version {0}")]
    UnsupportedVersion(u8),
    #[error("unknown card kind {0}")]
    UnknownKind(u8),
    #[error("card field `{0}` is malformed")]
    Malformed(&'static str),
    #[error(
        "too many doors for one card: {capable} reservation doors (at most {MAX_CAPABLE_DOORS}) \
         and {common} other doors (at most {MAX_COMMON_DOORS})"
    )]
    TooManyDoors { capable: usize, common: usize },
    #[error("too many staff zones for one card: {0} (at most {MAX_ZONES})")]
    TooManyZones(usize),
    #[error("too many shifts for one card: {0} (at most {MAX_SHIFTS})")]
    TooManyShifts(usize),
    #[error("card belongs to property {card}, not to this property ({keys})")]
    WrongProperty { card: Uuid, keys: Uuid },
    #[error("the image was made for another card (UID mismatch)")]
    UidMismatch,
    #[error("card made under key epoch {0}, which this property has no keys for")]
    UnknownEpoch(u32),
    /// Only from [`seal`]: the locks refuse cards of retired epochs, so none are made.
    #[error("key epoch {0} is retired; new cards are made under the current epoch")]
    RetiredEpoch(u32),
    #[error("the card's MAC does not verify: the card was altered or forged")]
    BadMac,
}

impl CardError {
    /// The image is well formed but not a genuine card for this card: altered, forged or
    /// copied from another card.
    pub fn is_forgery(&self) -> bool {
        matches!(self, Self::UidMismatch | Self::BadMac)
    }
}

/// Builds the image of `data`, MAC'd under the card key of `data.key_epoch` (set it to the
/// ring's current epoch for a new card), `data.uid` and the kind's purpose. Times are kept in
/// whole seconds. Refuses an inconsistent card, a card of another property than the ring's,
/// and an epoch the ring has no keys for or has retired.
pub fn seal(data: &CardData, keys: &KeyRing) -> Result<[u8; IMAGE_LEN], CardError> {
    let data = &data.truncated_to_seconds();
    data.check()?;
    if data.property_id != keys.property_id() {
        return Err(CardError::WrongProperty {
            card: data.property_id,
            keys: keys.property_id(),
        });
    }
    let key = keys
        .card_key(data.key_epoch, data.kind.key_purpose(), &data.uid)
        .ok_or(CardError::UnknownEpoch(data.key_epoch))?;
    if keys.is_retired(data.key_epoch) {
        return Err(CardError::RetiredEpoch(data.key_epoch));
    }

    let mut writer = Writer::default();
    writer.put(&MAGIC);
    writer.put(&[FORMAT_VERSION, data.kind.as_byte()]);
    writer.put(&data.flags.to_le_bytes());
    writer.put(&data.key_epoch.to_le_bytes());
    writer.put(data.property_id.as_bytes());
    let uid = data.uid.as_bytes();
    let mut uid_field = [0u8; MAX_UID_LEN];
    uid_field[..uid.len()].copy_from_slice(uid);
    writer.put(&[uid.len() as u8]);
    writer.put(&uid_field);
    writer.put(data.reservation_id.unwrap_or_default().as_bytes());
    writer.put(data.card_id.as_bytes());
    writer.put(&data.copy_number.to_le_bytes());
    writer.put(&data.op_id);
    for time in [data.issued_at, data.valid_from, data.valid_until] {
        writer.put(&time.timestamp().to_le_bytes());
    }
    let no_shift = Shift {
        weekdays: 0,
        start_minute: 0,
        end_minute: 0,
    };
    writer.put_shift(data.schedule.first().unwrap_or(&no_shift));
    debug_assert_eq!(writer.at, HEADER_LEN);
    writer.put(&[data.capable_doors.len() as u8]);
    for door in &data.capable_doors {
        writer.put(door.entrance_id.as_bytes());
        writer.put(&door.sequence.to_le_bytes());
    }
    writer.put(&[data.common_doors.len() as u8]);
    for door in &data.common_doors {
        writer.put(door.as_bytes());
    }
    writer.put(&[data.zones.len() as u8]);
    for zone in &data.zones {
        let (kind, floor) = match zone {
            StaffZone::AllGuestRooms => (ZONE_ALL_GUEST_ROOMS, 0),
            // `check` made sure the floor fits.
            StaffZone::Floor { floor } => (ZONE_FLOOR, *floor as i16),
        };
        writer.put(&[kind]);
        writer.put(&floor.to_le_bytes());
    }
    writer.put(&[data.staff_level.map_or(0, level_byte)]);
    let further = data.schedule.get(1..).unwrap_or_default();
    writer.put(&[further.len() as u8]);
    for shift in further {
        writer.put_shift(shift);
    }

    let mut image = writer.image;
    let tag = mac(&key, &image[..MAC_OFFSET]);
    image[MAC_OFFSET..].copy_from_slice(&tag);
    Ok(image)
}

/// What an image says, without checking its MAC: for showing what is on a card. Never grant
/// anything on the strength of `read`; use [`open`].
pub fn read(image: &[u8]) -> Result<CardData, CardError> {
    if image.len() != IMAGE_LEN {
        return Err(CardError::WrongLength);
    }
    let mut reader = Reader { image, at: 0 };
    if reader.take::<4>() != MAGIC {
        return Err(CardError::BadMagic);
    }
    let version = reader.u8();
    if !(OLDEST_FORMAT_VERSION..=FORMAT_VERSION).contains(&version) {
        return Err(CardError::UnsupportedVersion(version));
    }
    let kind_byte = reader.u8();
    let kind = CardKind::from_byte(kind_byte, version).ok_or(CardError::UnknownKind(kind_byte))?;
    let flags = reader.u16();
    let key_epoch = reader.u32();
    let property_id = reader.uuid();
    let uid_len = usize::from(reader.u8());
    let uid_field = reader.take::<MAX_UID_LEN>();
    let uid = uid_field
        .get(..uid_len)
        .and_then(CardUid::new)
        .ok_or(CardError::Malformed("uid"))?;
    if uid_field[uid_len..].iter().any(|&byte| byte != 0) {
        return Err(CardError::Malformed("uid"));
    }
    let reservation_id = Some(reader.uuid()).filter(|id| !id.is_nil());
    let card_id = reader.uuid();
    let copy_number = reader.u16();
    let op_id = reader.take::<16>();
    let issued_at = reader.time("issued_at")?;
    let valid_from = reader.time("valid_from")?;
    let valid_until = reader.time("valid_until")?;
    let first_shift = reader.shift();
    let first_shift =
        (first_shift.weekdays != 0 || first_shift.start_minute != 0 || first_shift.end_minute != 0)
            .then_some(first_shift);
    debug_assert_eq!(reader.at, HEADER_LEN);

    let capable = usize::from(reader.u8());
    if capable > MAX_CAPABLE_DOORS {
        return Err(CardError::TooManyDoors { capable, common: 0 });
    }
    let capable_doors = (0..capable)
        .map(|_| DoorSequence {
            entrance_id: reader.uuid(),
            sequence: reader.u32(),
        })
        .collect();
    let common = usize::from(reader.u8());
    if common > MAX_COMMON_DOORS {
        return Err(CardError::TooManyDoors { capable, common });
    }
    let common_doors = (0..common).map(|_| reader.uuid()).collect();
    let zones = if version >= 2 {
        read_zones(&mut reader, capable)?
    } else {
        Vec::new()
    };
    let mut schedule: Vec<Shift> = first_shift.into_iter().collect();
    let staff_level = if version >= 3 {
        let level = reader.u8();
        let further = usize::from(reader.u8());
        if further >= MAX_SHIFTS || (further > 0 && first_shift.is_none()) {
            return Err(CardError::Malformed("shift"));
        }
        if further > 0 && capable > 0 {
            return Err(CardError::Malformed("shift"));
        }
        schedule.extend((0..further).map(|_| reader.shift()));
        match level {
            0 => None,
            byte => Some(level_from_byte(byte).ok_or(CardError::Malformed("staff_level"))?),
        }
    } else {
        // Before levels, a staff card's zones were its level.
        (kind == CardKind::Staff).then(|| level_of_zones(&zones))
    };
    if image[reader.at..MAC_OFFSET].iter().any(|&byte| byte != 0) {
        return Err(CardError::Malformed("padding"));
    }

    let data = CardData {
        property_id,
        key_epoch,
        uid,
        kind,
        flags,
        reservation_id,
        card_id,
        copy_number,
        op_id,
        issued_at,
        valid_from,
        valid_until,
        staff_level,
        schedule,
        capable_doors,
        common_doors,
        zones,
    };
    data.check()?;
    Ok(data)
}

/// The zone field of a version 2 image. Only a card without capable doors (a staff card)
/// has room for zones, so they are refused on any other before they are read.
fn read_zones(reader: &mut Reader<'_>, capable: usize) -> Result<Vec<StaffZone>, CardError> {
    let count = usize::from(reader.u8());
    if count > MAX_ZONES {
        return Err(CardError::TooManyZones(count));
    }
    if count > 0 && capable > 0 {
        return Err(CardError::Malformed("zones"));
    }
    (0..count)
        .map(|_| {
            let kind = reader.u8();
            let floor = i16::from_le_bytes(reader.take());
            match (kind, floor) {
                (ZONE_ALL_GUEST_ROOMS, 0) => Ok(StaffZone::AllGuestRooms),
                (ZONE_FLOOR, floor) => Ok(StaffZone::Floor {
                    floor: i32::from(floor),
                }),
                _ => Err(CardError::Malformed("zones")),
            }
        })
        .collect()
}

/// The level a staff card's zones make: all guest rooms is a master, floors a floor card, none
/// an area card (an emergency card has none either, and says so with its level).
pub fn level_of_zones(zones: &[StaffZone]) -> StaffLevel {
    if zones.contains(&StaffZone::AllGuestRooms) {
        StaffLevel::Master
    } else if zones.is_empty() {
        StaffLevel::Area
    } else {
        StaffLevel::Floor
    }
}

fn level_byte(level: StaffLevel) -> u8 {
    match level {
        StaffLevel::Area => 1,
        StaffLevel::Floor => 2,
        StaffLevel::Master => 3,
        StaffLevel::Emergency => 4,
    }
}

fn level_from_byte(byte: u8) -> Option<StaffLevel> {
    Some(match byte {
        1 => StaffLevel::Area,
        2 => StaffLevel::Floor,
        3 => StaffLevel::Master,
        4 => StaffLevel::Emergency,
        _ => return None,
    })
}

/// Reads `image` as found on the card whose real UID is `uid`, and verifies it: the image
/// must be made for this UID, for the ring's property, under an epoch the ring has keys for,
/// and its MAC must verify (compared in constant time). A card of a retired epoch opens; the
/// lock refuses it ([`KeyRing::lock_config`]).
pub fn open(image: &[u8], uid: &CardUid, keys: &KeyRing) -> Result<CardData, CardError> {
    let data = read(image)?;
    if data.property_id != keys.property_id() {
        return Err(CardError::WrongProperty {
            card: data.property_id,
            keys: keys.property_id(),
        });
    }
    if data.uid != *uid {
        return Err(CardError::UidMismatch);
    }
    let key = keys
        .card_key(data.key_epoch, data.kind.key_purpose(), uid)
        .ok_or(CardError::UnknownEpoch(data.key_epoch))?;
    let expected = mac(&key, &image[..MAC_OFFSET]);
    if !bool::from(expected.ct_eq(&image[MAC_OFFSET..])) {
        return Err(CardError::BadMac);
    }
    Ok(data)
}

/// HMAC-SHA-256 of `message` under `key`, truncated to [`MAC_LEN`] bytes.
fn mac(key: &[u8; 32], message: &[u8]) -> [u8; MAC_LEN] {
    let mut hmac = <Hmac<Sha256> as Mac>::new_from_slice(key)
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    hmac.update(message);
    let full = hmac.finalize().into_bytes();
    let mut tag = [0; MAC_LEN];
    tag.copy_from_slice(&full[..MAC_LEN]);
    tag
}

struct Writer {
    image: [u8; IMAGE_LEN],
    at: usize,
}

impl Default for Writer {
    fn default() -> Self {
        Self {
            image: [0; IMAGE_LEN],
            at: 0,
        }
    }
}

impl Writer {
    /// Callers stay within `MAC_OFFSET`: the door, zone and shift counts were checked and the
    /// largest image takes 475 bytes.
    fn put(&mut self, bytes: &[u8]) {
        self.image[self.at..self.at + bytes.len()].copy_from_slice(bytes);
        self.at += bytes.len();
    }

    fn put_shift(&mut self, shift: &Shift) {
        self.put(&[shift.weekdays]);
        self.put(&shift.start_minute.to_le_bytes());
        self.put(&shift.end_minute.to_le_bytes());
    }
}

/// Reads fields front to back from an image of `IMAGE_LEN` bytes; the largest layout ends
/// before the MAC, so no read runs past the end.
struct Reader<'a> {
    image: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn take<const N: usize>(&mut self) -> [u8; N] {
        let mut bytes = [0; N];
        bytes.copy_from_slice(&self.image[self.at..self.at + N]);
        self.at += N;
        bytes
    }

    fn u8(&mut self) -> u8 {
        self.take::<1>()[0]
    }

    fn u16(&mut self) -> u16 {
        u16::from_le_bytes(self.take())
    }

    fn u32(&mut self) -> u32 {
        u32::from_le_bytes(self.take())
    }

    fn uuid(&mut self) -> Uuid {
        Uuid::from_bytes(self.take())
    }

    fn shift(&mut self) -> Shift {
        Shift {
            weekdays: self.u8(),
            start_minute: self.u16(),
            end_minute: self.u16(),
        }
    }

    fn time(&mut self, field: &'static str) -> Result<DateTime<Utc>, CardError> {
        DateTime::from_timestamp(i64::from_le_bytes(self.take()), 0)
            .ok_or(CardError::Malformed(field))
    }
}
