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
        encoder_identity: None,
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

#[test]
fn an_encoder_named_by_what_it_is_settles_its_own_cut_short_encodes_and_no_other() {
    use encoder::simulator::{Fault, UnplugAt};

    let folder = tempfile::tempdir().unwrap();
    let db = folder.path().join("desk.db");
    let named = DeskFiles {
        encoder_identity: Some("usb 1209:0001 ENC-A".to_owned()),
        ..files(db.clone(), None, WhenNoProperty::ImportDemo)
    };
    let (method, card) = {
        let opened = open_desk(&named, &context()).unwrap();
        let manager = opened
            .desk
            .create_first_manager(&context(), "Marta", "2468")
            .unwrap();
        let room = opened
            .desk
            .spaces()
            .unwrap()
            .into_iter()
            .find(|space| space.key.starts_with("room-"))
            .unwrap();
        let now = Utc::now();
        let stay = opened
            .desk
            .check_in(
                &manager,
                now,
                &frontdesk::CheckIn {
                    space_id: room.id,
                    starts_at: now,
                    ends_at: now + chrono::Duration::days(1),
                    guests: vec![frontdesk::NewGuest {
                        full_name: "Ana".into(),
                        email_address: None,
                        phone_number: None,
                    }],
                    common_entrance_ids: Vec::new(),
                    cards_per_guest: 1,
                    reservation_key: None,
                    allow_overlap: false,
                },
            )
            .unwrap();
        let method = stay.guests[0].cards[0].id;
        let simulator = opened.station.simulator().unwrap();
        let card = simulator.present_blank_card();
        simulator.fail_next(Fault::UnplugMidWrite(UnplugAt::AfterWrite));
        assert!(
            opened
                .desk
                .encode_cards(
                    &manager.context(now),
                    &opened.station,
                    &[method],
                    &mut |_| {}
                )
                .is_err()
        );
        let pending_as_the_desk_s_own = opened
            .desk
            .store()
            .read(|r| r.pending_encode_operations(None))
            .unwrap();
        assert!(
            pending_as_the_desk_s_own.is_empty(),
            "journalled as ENC-A's"
        );
        (method, card.to_hex())
    };

    // Another encoder as the desk's own does not settle ENC-A's encode...
    let other = open_desk(
        &files(db.clone(), None, WhenNoProperty::Require),
        &context(),
    )
    .unwrap();
    assert!(other.resolution.written.is_empty() && other.resolution.failed.is_empty());
    drop(other);
    // ...ENC-A does, from what it wrote.
    let again = open_desk(&named, &context()).unwrap();
    assert_eq!(again.resolution.written.len(), 1);
    assert_eq!(
        again.desk.access_method(method).unwrap().card_id,
        Some(card)
    );
}
