//! Opening a desk from its files, as `frontdesk serve` and the desktop app do.
#![allow(clippy::unwrap_used)]

use chrono::Utc;
use frontdesk::Context;
use frontdesk::setup::{DeskFiles, EncoderChoice, WhenNoProperty, open_desk, parse_usb_id};

fn files(db: std::path::PathBuf, property: Option<&str>, when: WhenNoProperty) -> DeskFiles {
    DeskFiles {
        db,
        property: property.map(str::to_owned),
        when_no_property: when,
        encoder: EncoderChoice::Simulated,
        card_keys: None,
        simulated_encoder_file: None,
    }
}

fn context() -> Context {
    Context::new("setup test", Utc::now())
}

#[test]
fn a_database_without_a_property_is_refused_when_one_is_required() {
    let folder = tempfile::tempdir().unwrap();
    let db = folder.path().join("desk.db");
    let error = open_desk(&files(db, None, WhenNoProperty::Require), &context()).unwrap_err();
    let wire = error.to_wire();
    assert_eq!(wire.error_type, "file_error");
    assert!(wire.message.contains("--property demo"), "{}", wire.message);
}

#[test]
fn the_demo_goes_into_a_new_database_in_a_new_folder_with_its_files_beside_it() {
    let folder = tempfile::tempdir().unwrap();
    let db = folder.path().join("data").join("desk.db");
    let opened = open_desk(
        &files(db.clone(), None, WhenNoProperty::ImportDemo),
        &context(),
    )
    .unwrap();
    assert_eq!(opened.property.name, "Harbor View Hotel");
    assert!(opened.station.simulator().is_some());
    assert!(opened.resolution.unresolved.is_empty());
    assert!(folder.path().join("data/desk.db.card-keys.json").exists());
    drop(opened);

    // Opened again without a property: the stored one, under the same id.
    let again = open_desk(&files(db, None, WhenNoProperty::Require), &context()).unwrap();
    assert_eq!(again.property.name, "Harbor View Hotel");
}

#[test]
fn an_action_attempt_left_pending_by_a_stopped_desk_ends_in_an_error_when_it_opens_again() {
    let folder = tempfile::tempdir().unwrap();
    let db = folder.path().join("desk.db");
    let opened = open_desk(
        &files(db.clone(), None, WhenNoProperty::ImportDemo),
        &context(),
    )
    .unwrap();
    let now = context().now;
    let interrupted = opened
        .desk
        .start_action_attempt("ENCODE_CREDENTIAL", now)
        .unwrap();
    let finished = opened
        .desk
        .start_action_attempt("SCAN_CREDENTIAL", now)
        .unwrap();
    let result = serde_json::json!({ "card": "read" });
    opened
        .desk
        .finish_action_attempt(finished, &Ok(result.clone()), now)
        .unwrap();
    // The process stops with the encode under way: its caller may still poll it.
    drop(opened);

    let again = open_desk(&files(db, None, WhenNoProperty::Require), &context()).unwrap();
    let attempt = again.desk.action_attempt(interrupted).unwrap();
    assert_eq!(attempt.status, store::AttemptStatus::Error);
    let error = attempt.error.unwrap();
    assert_eq!(error["type"], "action_attempt_expired");
    assert!(
        error["message"].as_str().unwrap().contains("is_issued"),
        "{error}"
    );
    let untouched = again.desk.action_attempt(finished).unwrap();
    assert_eq!(untouched.status, store::AttemptStatus::Success);
    assert_eq!(untouched.result, Some(result));
}

#[test]
fn a_broken_property_file_lists_its_problems_and_an_unreadable_one_names_its_path() {
    let folder = tempfile::tempdir().unwrap();
    let broken = folder.path().join("broken.json");
    std::fs::write(&broken, r#"{"name": "", "spaces": [{}]}"#).unwrap();
    let db = folder.path().join("desk.db");
    let error = open_desk(
        &files(db.clone(), broken.to_str(), WhenNoProperty::Require),
        &context(),
    )
    .unwrap_err();
    let text = error.to_wire().message_with_problems();
    assert!(text.lines().count() > 1, "{text}");

    let missing = folder.path().join("missing.json");
    let error = open_desk(
        &files(db, missing.to_str(), WhenNoProperty::Require),
        &context(),
    )
    .unwrap_err();
    assert!(
        error.to_wire().message.contains("missing.json"),
        "{}",
        error.to_wire().message
    );
}

#[test]
fn usb_ids_are_read_in_hex_with_or_without_0x() {
    assert_eq!(parse_usb_id("0x1209"), Ok(0x1209));
    assert_eq!(parse_usb_id("1209"), Ok(0x1209));
    assert!(parse_usb_id("0xZZ").unwrap_err().contains("0xZZ"));
}
