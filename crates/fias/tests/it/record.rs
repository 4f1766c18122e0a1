//! Records read as the specification's examples write them, and written so that they read
//! back the same.

// clippy.toml allows unwrap in `#[test]` functions; the helpers here are test code too.
#![allow(clippy::unwrap_used)]

use fias::{FieldId, Record, RecordType};
use proptest::prelude::*;

fn field(id: &str) -> FieldId {
    FieldId::new(id).unwrap()
}

#[test]
fn the_specifications_key_request_reads_field_by_field() {
    let record = Record::parse(
        "KR|WS3|KC1|RN2781|KTN|KO1 2 1|GA991229|GD000102|G#11122|$21000278100011122|",
    )
    .unwrap();
    assert_eq!(record.kind(), RecordType::KEY_REQUEST);
    assert_eq!(record.get(FieldId::ROOM), Some("2781"));
    assert_eq!(record.get(FieldId::KEY_OPTIONS), Some("1 2 1"));
    assert_eq!(record.get(FieldId::RESERVATION), Some("11122"));
    assert_eq!(record.get(field("$2")), Some("1000278100011122"));
    assert_eq!(record.get(FieldId::GUEST_NAME), None);
}

#[test]
fn empty_fields_are_there_and_empty() {
    let record = Record::parse("KR|K#1|KC1|KTN|RN206|WS1|GN|KO|").unwrap();
    assert_eq!(record.get(FieldId::GUEST_NAME), Some(""));
    assert_eq!(record.value(FieldId::GUEST_NAME), None);
    assert_eq!(record.get(FieldId::KEY_OPTIONS), Some(""));
}

#[test]
fn a_record_without_a_two_letter_type_is_refused_with_its_start() {
    for text in ["", "K|RN1|", "K1|RN1|", "KRX|RN1|", "|RN1|"] {
        let error = Record::parse(text).unwrap_err();
        assert!(
            error.to_string().contains("two-letter record type"),
            "{text}: {error}"
        );
    }
}

#[test]
fn a_lower_case_type_and_a_missing_last_bar_are_tolerated() {
    let record = Record::parse("ls|DA201214|TI131253").unwrap();
    assert_eq!(record.kind(), RecordType::LINK_START);
    assert_eq!(record.get(FieldId::TIME), Some("131253"));
}

#[test]
fn a_value_cannot_smuggle_in_another_field() {
    let record = Record::new(RecordType::KEY_ANSWER)
        .with(FieldId::CLEAR_TEXT, "Room 101|ASOK|\u{2}")
        .with(FieldId::ANSWER_STATUS, "UR");
    let text = record.to_string();
    assert_eq!(text, "KA|CTRoom 101 ASOK  |ASUR|");
    assert_eq!(
        Record::parse(&text).unwrap().get(FieldId::ANSWER_STATUS),
        Some("UR")
    );
}

proptest! {
    #[test]
    fn what_is_written_reads_back(
        kind in "[A-Z]{2}",
        fields in prop::collection::vec(("[A-Z0-9#$]{2}", "[^|\\x00-\\x1f\\x7f]{0,20}"), 0..12),
    ) {
        let mut record = Record::new(Record::parse(&kind).unwrap().kind());
        for (id, value) in &fields {
            record = record.with(field(id), value);
        }
        let read = Record::parse(&record.to_string()).unwrap();
        prop_assert_eq!(read, record);
    }
}
