//! Key records read into requests: every field the PMS may send, its defaults, and a clear
//! error naming a field that cannot be read.

// clippy.toml allows unwrap in `#[test]` functions; the helpers here are test code too.
#![allow(clippy::unwrap_used)]

use chrono::{NaiveDate, NaiveTime};
use fias::Record;
use fias::requests::{KeyRecord, KeyType};

fn read(text: &str) -> Result<Option<KeyRecord>, String> {
    KeyRecord::read(&Record::parse(text).unwrap()).map_err(|error| error.to_string())
}

fn request(text: &str) -> fias::requests::KeyRequest {
    match read(text).unwrap() {
        Some(KeyRecord::Request(request)) => request,
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_key_request_from_opera_reads_whole() {
    let request = request(
        "KR|K#1|KC1|KTN|RN206|WS1|DA201214|DT12:00|G#16400|GNAda Lovelace|GA201215|GD201216|TI131253|KO1 0|SI207;208|",
    );
    assert_eq!(request.key_type, KeyType::New);
    assert_eq!(request.count, 1);
    assert_eq!(request.room, "206");
    assert_eq!(request.extra_rooms, ["207", "208"]);
    assert_eq!(request.addressing.encoder.as_deref(), Some("1"));
    assert_eq!(request.addressing.workstation.as_deref(), Some("1"));
    assert_eq!(request.addressing.reservation.as_deref(), Some("16400"));
    assert_eq!(request.guest_name.as_deref(), Some("Ada Lovelace"));
    assert_eq!(request.dates.arrival, NaiveDate::from_ymd_opt(2020, 12, 15));
    assert_eq!(
        request.dates.departure,
        NaiveDate::from_ymd_opt(2020, 12, 16)
    );
    assert_eq!(
        request.dates.departure_time,
        NaiveTime::from_hms_opt(12, 0, 0)
    );
    // "1 0": position 1 on, 2 left to the default, 3 off, the rest left to the default.
    assert_eq!(
        request.options.set().collect::<Vec<_>>(),
        [(1, true), (3, false)]
    );
}

#[test]
fn absent_fields_take_their_defaults() {
    let request = request("KR|RN101|");
    assert_eq!(request.key_type, KeyType::New);
    assert_eq!(request.count, 1);
    assert!(request.extra_rooms.is_empty());
    assert_eq!(request.dates.arrival, None);
    assert_eq!(request.dates.departure_time, None);
    assert_eq!(request.options.set().count(), 0);
}

#[test]
fn a_departure_time_reads_as_hh_mm_or_hhmmss() {
    for (text, expected) in [
        ("11:30", (11, 30, 0)),
        ("113000", (11, 30, 0)),
        ("1130", (11, 30, 0)),
    ] {
        let request = request(&format!("KR|RN1|DT{text}|"));
        let (h, m, s) = expected;
        assert_eq!(
            request.dates.departure_time,
            NaiveTime::from_hms_opt(h, m, s),
            "{text}"
        );
    }
}

#[test]
fn a_field_that_cannot_be_read_is_named() {
    for (text, field) in [
        ("KR|RN1|GA201332|", "GA: \"201332\" is not a date"),
        ("KR|RN1|GDtomorrow|", "GD: \"tomorrow\" is not a date"),
        ("KR|RN1|DT25:00|", "DT: \"25:00\" is not a time of day"),
        ("KR|RN1|KTX|", "KT: key type \"X\""),
        ("KR|RN1|K#0|", "K#: \"0\" is not a number of keys"),
        ("KR|RN1|K#100|", "K#: \"100\""),
        ("KR|RN1|K#two|", "K#: \"two\""),
        ("KR|KTN|", "RN: no room number"),
        ("KR|RN |", "RN: no room number"),
    ] {
        let error = read(text).unwrap_err();
        assert!(error.starts_with(field), "{text}: {error}");
    }
}

#[test]
fn deletes_and_changes_read_their_fields() {
    match read("KD|WS9|KC3|RN2781|G#12345|").unwrap() {
        Some(KeyRecord::Delete(delete)) => {
            assert_eq!(delete.room.as_deref(), Some("2781"));
            assert_eq!(delete.addressing.reservation.as_deref(), Some("12345"));
        }
        other => panic!("{other:?}"),
    }
    match read("KM|WS3|KC1|RN3222|RO2781|GA991229|GD000104|G#11122|SI3012;3013|").unwrap() {
        Some(KeyRecord::Change(change)) => {
            assert_eq!(change.room.as_deref(), Some("3222"));
            assert_eq!(change.old_room.as_deref(), Some("2781"));
            assert_eq!(change.extra_rooms, ["3012", "3013"]);
            // Two-digit years are this century's.
            assert_eq!(change.dates.arrival, NaiveDate::from_ymd_opt(2099, 12, 29));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(read("LS|DA201214|").unwrap(), None);
}
