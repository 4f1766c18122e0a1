//! The key records a PMS sends, read into typed requests. A field that is there but cannot be
//! read is an error naming it; a field the PMS leaves out takes the property's default.

use chrono::{NaiveDate, NaiveTime};

use crate::record::{FieldId, Record, RecordType};

/// The most cards one `KR` may ask for (`K#` is two digits in the specification).
pub const MAX_KEY_COUNT: u32 = 99;

/// What a `KR` asks for (`KT`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyType {
    /// `N`: a new stay's keys; they override the previous guest's at first use.
    New,
    /// `D`: more keys of the same stay, joining those already made.
    Duplicate,
    /// `O`: a key the lock accepts once.
    OneShot,
}

/// `KO`: the positions (1 = first) the PMS set on or off. A blank position, or one past the
/// end of the field, is left to the property's default; `0` is off; `1` or any other
/// character (the specification leaves levels to the lock system) is on.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyOptions(Vec<(u32, bool)>);

impl KeyOptions {
    pub fn parse(text: &str) -> Self {
        Self(
            (1u32..)
                .zip(text.chars())
                .filter_map(|(position, c)| match c {
                    ' ' => None,
                    '0' => Some((position, false)),
                    _ => Some((position, true)),
                })
                .collect(),
        )
    }

    /// The positions set on (`true`) or off, leaving out those left to the default.
    pub fn set(&self) -> impl Iterator<Item = (u32, bool)> + '_ {
        self.0.iter().copied()
    }
}

/// A field that is there but cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct FieldError {
    pub field: FieldId,
    pub message: String,
}

impl FieldError {
    fn new(field: FieldId, message: impl Into<String>) -> Self {
        Self {
            field,
            message: message.into(),
        }
    }
}

/// The fields every key record names: which encoder, which PMS workstation asked, which
/// reservation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Addressing {
    /// `KC`.
    pub encoder: Option<String>,
    /// `WS`.
    pub workstation: Option<String>,
    /// `G#`.
    pub reservation: Option<String>,
}

/// A stay's dates as the PMS sends them: dates, and the departure's time of day.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StayDates {
    /// `GA`.
    pub arrival: Option<NaiveDate>,
    /// `GD`.
    pub departure: Option<NaiveDate>,
    /// `DT`.
    pub departure_time: Option<NaiveTime>,
}

/// `KR`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyRequest {
    pub addressing: Addressing,
    pub key_type: KeyType,
    /// `K#`: 1 when absent.
    pub count: u32,
    /// `RN`.
    pub room: String,
    /// `SI`: more rooms the keys open.
    pub extra_rooms: Vec<String>,
    pub dates: StayDates,
    /// `GN`.
    pub guest_name: Option<String>,
    /// `KO`.
    pub options: KeyOptions,
}

/// `KD`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyDelete {
    pub addressing: Addressing,
    /// `RN`.
    pub room: Option<String>,
}

/// `KM`: new dates, or a move from `RO` to `RN`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyChange {
    pub addressing: Addressing,
    /// `RN`.
    pub room: Option<String>,
    /// `RO`: set for a room move.
    pub old_room: Option<String>,
    pub extra_rooms: Vec<String>,
    pub dates: StayDates,
}

/// A key record the link handles.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyRecord {
    Request(KeyRequest),
    Delete(KeyDelete),
    Change(KeyChange),
}

impl KeyRecord {
    /// The request a record makes; `Ok(None)` for a record that is not a key request.
    pub fn read(record: &Record) -> Result<Option<Self>, FieldError> {
        Ok(Some(match record.kind() {
            RecordType::KEY_REQUEST => Self::Request(KeyRequest {
                addressing: addressing(record),
                key_type: key_type(record)?,
                count: key_count(record)?,
                room: record
                    .value(FieldId::ROOM)
                    .map(|room| room.trim().to_owned())
                    .filter(|room| !room.is_empty())
                    .ok_or_else(|| FieldError::new(FieldId::ROOM, "no room number"))?,
                extra_rooms: extra_rooms(record),
                dates: dates(record)?,
                guest_name: text(record, FieldId::GUEST_NAME),
                options: KeyOptions::parse(record.get(FieldId::KEY_OPTIONS).unwrap_or_default()),
            }),
            RecordType::KEY_DELETE => Self::Delete(KeyDelete {
                addressing: addressing(record),
                room: text(record, FieldId::ROOM),
            }),
            RecordType::KEY_CHANGE => Self::Change(KeyChange {
                addressing: addressing(record),
                room: text(record, FieldId::ROOM),
                old_room: text(record, FieldId::OLD_ROOM),
                extra_rooms: extra_rooms(record),
                dates: dates(record)?,
            }),
            _ => return Ok(None),
        }))
    }

    pub fn addressing(&self) -> &Addressing {
        match self {
            Self::Request(request) => &request.addressing,
            Self::Delete(delete) => &delete.addressing,
            Self::Change(change) => &change.addressing,
        }
    }
}

/// The fields a `KA` echoes, read from any key record (even one that cannot be read whole).
pub fn addressing(record: &Record) -> Addressing {
    Addressing {
        encoder: text(record, FieldId::KEY_CODER),
        workstation: text(record, FieldId::WORKSTATION),
        reservation: text(record, FieldId::RESERVATION),
    }
}

/// A field's value, trimmed; `None` when absent or blank.
fn text(record: &Record, field: FieldId) -> Option<String> {
    record
        .value(field)
        .map(str::trim)
        .filter(|value| !value.is_empty())
        .map(str::to_owned)
}

fn key_type(record: &Record) -> Result<KeyType, FieldError> {
    match record.value(FieldId::KEY_TYPE).map(str::trim) {
        Some("N") | None => Ok(KeyType::New),
        Some("D") => Ok(KeyType::Duplicate),
        Some("O") => Ok(KeyType::OneShot),
        Some(other) => Err(FieldError::new(
            FieldId::KEY_TYPE,
            format!("key type {other:?} is not N (new), D (duplicate) or O (one-shot)"),
        )),
    }
}

fn key_count(record: &Record) -> Result<u32, FieldError> {
    let Some(count) = record.value(FieldId::KEY_COUNT).map(str::trim) else {
        return Ok(1);
    };
    match count.parse::<u32>() {
        Ok(count @ 1..=MAX_KEY_COUNT) => Ok(count),
        _ => Err(FieldError::new(
            FieldId::KEY_COUNT,
            format!("{count:?} is not a number of keys from 1 to {MAX_KEY_COUNT}"),
        )),
    }
}

fn extra_rooms(record: &Record) -> Vec<String> {
    record
        .get(FieldId::SUITE_INFO)
        .unwrap_or_default()
        .split([';', ','])
        .map(str::trim)
        .filter(|room| !room.is_empty())
        .map(str::to_owned)
        .collect()
}

fn dates(record: &Record) -> Result<StayDates, FieldError> {
    Ok(StayDates {
        arrival: date(record, FieldId::ARRIVAL)?,
        departure: date(record, FieldId::DEPARTURE)?,
        departure_time: departure_time(record)?,
    })
}

/// `YYMMDD`, in this century.
fn date(record: &Record, field: FieldId) -> Result<Option<NaiveDate>, FieldError> {
    let Some(value) = record.value(field).map(str::trim) else {
        return Ok(None);
    };
    parse_date(value)
        .map(Some)
        .ok_or_else(|| FieldError::new(field, format!("{value:?} is not a date (YYMMDD)")))
}

/// A FIAS date, `YYMMDD`, in the years 2000–2099.
pub fn parse_date(value: &str) -> Option<NaiveDate> {
    if value.len() != 6 || !value.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    NaiveDate::parse_from_str(&format!("20{value}"), "%Y%m%d").ok()
}

/// `DT`: `HH:MM` as the specification writes it, or `HHMMSS` as some bridges send it.
fn departure_time(record: &Record) -> Result<Option<NaiveTime>, FieldError> {
    let Some(value) = record.value(FieldId::DEPARTURE_TIME).map(str::trim) else {
        return Ok(None);
    };
    let parsed = match value.len() {
        5 => NaiveTime::parse_from_str(value, "%H:%M").ok(),
        4 if value.bytes().all(|b| b.is_ascii_digit()) => {
            NaiveTime::parse_from_str(value, "%H%M").ok()
        }
        6 if value.bytes().all(|b| b.is_ascii_digit()) => {
            NaiveTime::parse_from_str(value, "%H%M%S").ok()
        }
        _ => None,
    };
    parsed.map(Some).ok_or_else(|| {
        FieldError::new(
            FieldId::DEPARTURE_TIME,
            format!("{value:?} is not a time of day (HH:MM or HHMMSS)"),
        )
    })
}
