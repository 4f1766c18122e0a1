//! The people who use the desktop app: the first manager, the rules for names and PINs,
//! signing in, what a receptionist may not do, and the audit of it all. The clock is fixed.

// Helpers outside #[test] functions unwrap too, and the shared support returns WireError.
#![allow(clippy::unwrap_used, clippy::result_large_err)]

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordVerifier};
use frontdesk::{
    AuditEntry, AuditFilter, Context, Language, Operator, Permission, Role, WireError,
};
use store::AuditOutcome;

use crate::support::{Desk, at};

const NOW: &str = "2025-07-15T08:00:00Z";
const MARTA_PIN: &str = "4821";
const RUI_PIN: &str = "735910";

/// The workstation the desk app runs on: who signs in is not known yet.
fn workstation() -> Context {
    Context::new("workstation:front-1", at(NOW))
}

fn refused<T: std::fmt::Debug>(result: frontdesk::Result<T>) -> WireError {
    match result {
        Ok(value) => panic!("expected a refusal, got {value:?}"),
        Err(error) => error.to_wire(),
    }
}

fn assert_invalid(error: &WireError, field: &str) {
    assert_eq!(error.status, 400, "{error:?}");
    assert_eq!(error.error_type, "invalid_input", "{error:?}");
    assert_eq!(error.field.as_deref(), Some(field), "{error:?}");
}

/// A desk with Marta, its first manager, and Rui, a receptionist she added.
fn staffed() -> (Desk, Operator, Operator) {
    let desk = Desk::new();
    let marta = desk
        .desk
        .create_first_manager(&workstation(), "Marta", MARTA_PIN)
        .unwrap();
    let rui = desk
        .desk
        .create_operator(&marta, at(NOW), "Rui", RUI_PIN, Role::Receptionist)
        .unwrap();
    (desk, marta, rui)
}

fn audit(desk: &Desk, action: &str) -> Vec<AuditEntry> {
    let mut entries: Vec<AuditEntry> = desk
        .desk
        .audit_log(&AuditFilter::default())
        .unwrap()
        .into_iter()
        .filter(|entry| entry.action == action)
        .collect();
    entries.reverse();
    entries
}

fn operator_rows(desk: &Desk) -> Vec<std::collections::BTreeMap<String, Option<String>>> {
    desk.desk
        .store()
        .read(|r| r.table_rows("operators"))
        .unwrap()
}

#[test]
fn the_first_manager_is_made_once_then_managers_add_the_others() {
    let desk = Desk::new();
    assert!(!desk.desk.has_operators().unwrap());
    let marta = desk
        .desk
        .create_first_manager(&workstation(), "  Marta ", MARTA_PIN)
        .unwrap();
    assert_eq!(marta.name, "Marta");
    assert_eq!(marta.role, Role::Manager);
    assert!(desk.desk.has_operators().unwrap());

    let error = refused(
        desk.desk
            .create_first_manager(&workstation(), "Mallory", "1111"),
    );
    assert_eq!(
        (error.status, error.error_type.as_str()),
        (403, "forbidden")
    );
    let operators: Vec<(uuid::Uuid, String)> = desk
        .desk
        .operators(&marta)
        .unwrap()
        .into_iter()
        .map(|operator| (operator.id, operator.name))
        .collect();
    assert_eq!(operators, [(marta.id, marta.name.clone())]);

    let created = audit(&desk, "operator.create");
    assert_eq!(created.len(), 2);
    assert_eq!(created[0].outcome, AuditOutcome::Ok);
    assert_eq!(created[0].actor, "workstation:front-1");
    assert_eq!(created[0].subject_id, Some(marta.id.to_string()));
    assert_eq!(created[1].outcome, AuditOutcome::Refused);
    assert_eq!(created[1].actor, "workstation:front-1");
    assert!(
        created[1]
            .detail
            .as_deref()
            .unwrap()
            .starts_with("forbidden")
    );

    // Marta adds a receptionist and another manager.
    let rui = desk
        .desk
        .create_operator(&marta, at(NOW), "Rui", RUI_PIN, Role::Receptionist)
        .unwrap();
    assert_eq!(rui.role, Role::Receptionist);
    let sofia = desk
        .desk
        .create_operator(&marta, at(NOW), "Sofia", "55555555", Role::Manager)
        .unwrap();
    assert_eq!(sofia.role, Role::Manager);
    // The list of operators is a manager's.
    assert_eq!(refused(desk.desk.operators(&rui)).status, 403);
    let names: Vec<String> = desk
        .desk
        .operators(&marta)
        .unwrap()
        .into_iter()
        .map(|operator| operator.name)
        .collect();
    assert_eq!(names, ["Marta", "Rui", "Sofia"]);
    let last = audit(&desk, "operator.create").pop().unwrap();
    assert_eq!(last.actor, "operator:Marta");
    assert_eq!(last.outcome, AuditOutcome::Ok);
}

#[test]
fn a_pin_is_4_to_8_digits() {
    let desk = Desk::new();
    for pin in [
        "",
        "123",
        "123456789",
        "12a4",
        "12 34",
        " 1234",
        "1234 ",
        "-1234",
        "١٢٣٤",
        "１２３４",
    ] {
        let error = refused(desk.desk.create_first_manager(&workstation(), "Marta", pin));
        assert_invalid(&error, "pin");
        assert!(
            error.message.contains("4 to 8 digits"),
            "{pin:?}: {error:?}"
        );
        assert!(!desk.desk.has_operators().unwrap());
    }
    let marta = desk
        .desk
        .create_first_manager(&workstation(), "Marta", "1234")
        .unwrap();
    let by = at(NOW);
    desk.desk
        .create_operator(&marta, by, "Rui", "12345678", Role::Receptionist)
        .unwrap();
    let error = refused(
        desk.desk
            .create_operator(&marta, by, "Sofia", "123", Role::Receptionist),
    );
    assert_invalid(&error, "pin");
    assert_eq!(desk.desk.operators(&marta).unwrap().len(), 2);
}

#[test]
fn a_name_is_1_to_64_printable_characters_and_unique() {
    let (desk, marta, _) = staffed();
    let by = at(NOW);
    let long = "x".repeat(65);
    for name in ["", "   ", long.as_str(), "Rui\nAdmin", "Ana\u{7}"] {
        let error =
            refused(
                desk.desk
                    .create_operator(&marta, by, name, "2468", Role::Receptionist),
            );
        assert_invalid(&error, "name");
    }
    let longest = "y".repeat(64);
    let created = desk
        .desk
        .create_operator(&marta, by, &longest, "2468", Role::Receptionist)
        .unwrap();
    assert_eq!(created.name, longest);

    // Names are unique, whatever their case or surrounding spaces.
    for name in ["Rui", "rui", " RUI "] {
        let error = refused(
            desk.desk
                .create_operator(&marta, by, name, "2468", Role::Manager),
        );
        assert_eq!(error.status, 409, "{name:?}: {error:?}");
        assert_eq!(error.error_type, "conflict");
        assert_eq!(error.field.as_deref(), Some("name"));
    }
    let error = refused(
        desk.desk
            .create_first_manager(&workstation(), "   ", MARTA_PIN),
    );
    // A first manager once there are operators is refused before its name is looked at.
    assert_eq!(error.status, 403);
    assert_eq!(desk.desk.operators(&marta).unwrap().len(), 3);
}

#[test]
fn sign_in_answers_the_same_for_a_wrong_pin_and_an_unknown_name() {
    let (desk, marta, rui) = staffed();
    let signed_in = desk
        .desk
        .sign_in(&workstation(), "Marta", MARTA_PIN)
        .unwrap();
    assert_eq!(signed_in, marta);
    assert_eq!(
        desk.desk.sign_in(&workstation(), " Rui ", RUI_PIN).unwrap(),
        rui
    );
    assert_eq!(rui.role, Role::Receptionist);

    let wrong_pin = refused(desk.desk.sign_in(&workstation(), "Marta", "4822"));
    let someone_else_s_pin = refused(desk.desk.sign_in(&workstation(), "Marta", RUI_PIN));
    let unknown = refused(desk.desk.sign_in(&workstation(), "Mallory", MARTA_PIN));
    let empty = refused(desk.desk.sign_in(&workstation(), "", ""));
    assert_eq!(wrong_pin.status, 401);
    assert_eq!(wrong_pin.error_type, "unauthorized");
    assert_eq!(wrong_pin.field, None);
    assert!(!wrong_pin.message.contains("Marta"));
    for other in [&someone_else_s_pin, &unknown, &empty] {
        assert_eq!(
            other, &wrong_pin,
            "the same answer, so names cannot be probed"
        );
    }
}

#[test]
fn a_pin_is_stored_only_as_its_argon2_hash() {
    let (desk, marta, rui) = staffed();
    // Another operator with Marta's PIN gets a hash of their own.
    desk.desk
        .create_operator(&marta, at(NOW), "Sofia", MARTA_PIN, Role::Receptionist)
        .unwrap();
    let rows = operator_rows(&desk);
    assert_eq!(rows.len(), 3);
    let mut hashes = Vec::new();
    for row in &rows {
        let name = row["name"].clone().unwrap();
        let pin = if name == "Rui" { RUI_PIN } else { MARTA_PIN };
        let stored = row["pin_hash"].clone().unwrap();
        // A PHC string: $argon2id$v=19$m=…,t=…,p=…$salt$hash
        assert!(stored.starts_with("$argon2id$v=19$"), "{stored}");
        assert!(!stored.contains(pin), "{stored}");
        for (column, value) in row {
            assert_ne!(value.as_deref(), Some(pin), "{column} holds the PIN");
        }
        let hash = PasswordHash::new(&stored).unwrap();
        assert!(hash.salt.is_some());
        assert!(
            Argon2::default()
                .verify_password(pin.as_bytes(), &hash)
                .is_ok()
        );
        assert!(Argon2::default().verify_password(b"0000", &hash).is_err());
        hashes.push(stored);
    }
    hashes.sort();
    hashes.dedup();
    assert_eq!(hashes.len(), 3, "each hash has its own salt");

    // The store's record never shows the hash to a caller that serializes it.
    let record = desk
        .desk
        .store()
        .read(|r| r.operator_by_name("Rui"))
        .unwrap()
        .unwrap();
    assert_eq!(record.id, rui.id);
    let shown = serde_json::to_string(&record).unwrap();
    assert!(!shown.contains("argon2"), "{shown}");
    assert!(!serde_json::to_string(&rui).unwrap().contains("argon2"));
    // Nor is the PIN or its hash in the audit log.
    for entry in desk.desk.audit_log(&AuditFilter::default()).unwrap() {
        let text = serde_json::to_string(&entry).unwrap();
        assert!(
            !text.contains(RUI_PIN) && !text.contains("argon2"),
            "{text}"
        );
    }
}

#[test]
fn a_receptionist_cannot_create_operators_even_calling_the_use_case_directly() {
    let (desk, _, rui) = staffed();
    assert!(rui.may(Permission::FrontDesk));
    assert!(!rui.may(Permission::Manage));
    let before = operator_rows(&desk);
    for role in [Role::Receptionist, Role::Manager] {
        let error = refused(
            desk.desk
                .create_operator(&rui, at(NOW), "Eve", "0000", role),
        );
        assert_eq!(
            (error.status, error.error_type.as_str()),
            (403, "forbidden")
        );
        assert!(error.message.contains("manager"), "{error:?}");
    }
    assert_eq!(operator_rows(&desk), before);
    // The attempts are on record, as Rui's.
    let refusals: Vec<AuditEntry> = audit(&desk, "operator.create")
        .into_iter()
        .filter(|entry| entry.outcome == AuditOutcome::Refused)
        .collect();
    assert_eq!(refusals.len(), 2);
    for entry in refusals {
        assert_eq!(entry.actor, "operator:Rui");
        assert!(entry.detail.as_deref().unwrap().starts_with("forbidden"));
    }
}

#[test]
fn every_sign_in_and_every_refusal_is_audited_with_its_actor() {
    let (desk, marta, _) = staffed();
    let front = Context::new("workstation:front-1", at(NOW));
    let back = Context::new("workstation:back-office", at("2025-07-15T09:30:00Z"));
    desk.desk.sign_in(&front, "Marta", MARTA_PIN).unwrap();
    refused(desk.desk.sign_in(&back, "Marta", "9999"));
    refused(desk.desk.sign_in(&back, "Mallory", "9999"));
    desk.desk.sign_in(&back, "Rui", RUI_PIN).unwrap();

    let entries = audit(&desk, "operator.sign_in");
    let seen: Vec<(String, AuditOutcome, String)> = entries
        .iter()
        .map(|entry| (entry.actor.clone(), entry.outcome, entry.at.to_rfc3339()))
        .collect();
    assert_eq!(
        seen,
        [
            (
                "workstation:front-1".to_owned(),
                AuditOutcome::Ok,
                at(NOW).to_rfc3339()
            ),
            (
                "workstation:back-office".to_owned(),
                AuditOutcome::Refused,
                at("2025-07-15T09:30:00Z").to_rfc3339()
            ),
            (
                "workstation:back-office".to_owned(),
                AuditOutcome::Refused,
                at("2025-07-15T09:30:00Z").to_rfc3339()
            ),
            (
                "workstation:back-office".to_owned(),
                AuditOutcome::Ok,
                at("2025-07-15T09:30:00Z").to_rfc3339()
            ),
        ]
    );
    // Who signed in is the subject; a refusal names whom it was tried for, never the PIN.
    assert_eq!(entries[0].subject_id, Some(marta.id.to_string()));
    for refusal in &entries[1..3] {
        assert!(
            refusal
                .detail
                .as_deref()
                .unwrap()
                .starts_with("unauthorized")
        );
        let text = serde_json::to_string(refusal).unwrap();
        assert!(!text.contains("9999"), "{text}");
    }
    assert_eq!(
        entries[1].after.as_ref().unwrap()["name"],
        serde_json::json!("Marta")
    );
    assert_eq!(
        entries[2].after.as_ref().unwrap()["name"],
        serde_json::json!("Mallory")
    );
}

#[test]
fn an_operator_acts_under_their_own_name() {
    let (desk, marta, rui) = staffed();
    assert!(marta.may(Permission::Manage) && marta.may(Permission::FrontDesk));
    let context = rui.context(at(NOW));
    assert_eq!(context.actor, "operator:Rui");
    assert_eq!(context.now, at(NOW));
    // A receptionist is refused the manager's views, with a message that says why.
    let error = refused(desk.desk.warnings(&rui, at(NOW)));
    assert_eq!(error.status, 403);
    assert_eq!(
        error.message,
        "Rui signed in as receptionist; this needs a manager."
    );
    assert!(desk.desk.warnings(&marta, at(NOW)).unwrap().is_empty());
}

fn at_seconds(seconds: i64) -> Context {
    Context::new(
        "workstation:front-1",
        at(NOW) + chrono::Duration::seconds(seconds),
    )
}

#[test]
fn five_wrong_pins_in_a_row_lock_the_name_out_for_longer_each_time() {
    let (desk, _, _) = staffed();
    for attempt in 0..5 {
        let error = refused(desk.desk.sign_in(&at_seconds(attempt), "Rui", "0000"));
        assert_eq!(error.error_type, "unauthorized", "attempt {attempt}");
    }

    // Locked: even the right PIN is not checked until the lock-out ends.
    let error = refused(desk.desk.sign_in(&at_seconds(10), "Rui", RUI_PIN));
    assert_eq!(error.status, 429, "{error:?}");
    assert_eq!(error.error_type, "too_many_attempts");
    assert!(error.message.contains("24 seconds"), "{}", error.message);
    assert_eq!(
        error.retry_after_seconds,
        Some(24),
        "the desk counts the wait down"
    );

    // After 30 s it is open again; one more wrong PIN locks it for twice as long.
    refused(desk.desk.sign_in(&at_seconds(35), "Rui", "0000"));
    assert_eq!(
        refused(desk.desk.sign_in(&at_seconds(35 + 59), "Rui", RUI_PIN)).status,
        429
    );
    let rui = desk
        .desk
        .sign_in(&at_seconds(35 + 60), "Rui", RUI_PIN)
        .unwrap();
    assert_eq!(rui.name, "Rui");

    // A successful sign-in starts the count again.
    for attempt in 0..4 {
        refused(desk.desk.sign_in(&at_seconds(200 + attempt), "Rui", "0000"));
    }
    desk.desk.sign_in(&at_seconds(210), "Rui", RUI_PIN).unwrap();
}

#[test]
fn an_unknown_name_is_locked_out_like_a_known_one_and_others_are_not_affected() {
    let (desk, _, _) = staffed();
    for attempt in 0..5 {
        refused(desk.desk.sign_in(&at_seconds(attempt), "Nobody", "0000"));
    }
    let error = refused(desk.desk.sign_in(&at_seconds(6), " nobody ", "0000"));
    assert_eq!(error.error_type, "too_many_attempts");
    desk.desk
        .sign_in(&at_seconds(7), "Marta", MARTA_PIN)
        .unwrap();
    let refusals = audit(&desk, "operator.sign_in")
        .into_iter()
        .filter(|entry| entry.outcome == AuditOutcome::Refused)
        .count();
    assert_eq!(refusals, 6);
}

#[test]
fn wrong_pins_far_apart_do_not_add_up() {
    let (desk, _, _) = staffed();
    for attempt in 0..10 {
        refused(
            desk.desk
                .sign_in(&at_seconds(attempt * 3_600), "Rui", "0000"),
        );
    }
    desk.desk
        .sign_in(&at_seconds(10 * 3_600), "Rui", RUI_PIN)
        .unwrap();
}

#[test]
fn a_receptionist_is_refused_every_manager_action_the_backend_offers() {
    let (desk, marta, rui) = staffed();
    let door = desk.desk.entrances(None, None).unwrap()[0].id;
    let frame = engine::model::TimeFrame {
        starts_at: at(NOW),
        ends_at: at(NOW) + chrono::Duration::hours(8),
    };
    let manager_actions = |who: &Operator| -> Vec<(&str, Result<(), WireError>)> {
        let wire = |result: frontdesk::Result<()>| result.map_err(|error| error.to_wire());
        vec![
            (
                "create_operator",
                wire(
                    desk.desk
                        .create_operator(who, at(NOW), "Eve", "0000", Role::Receptionist)
                        .map(drop),
                ),
            ),
            (
                "check_in allowing an overlap",
                wire(
                    desk.desk
                        .check_in(
                            who,
                            at(NOW),
                            &frontdesk::CheckIn {
                                space_id: desk.space_id("room-101"),
                                starts_at: frame.starts_at,
                                ends_at: frame.ends_at,
                                guests: vec![frontdesk::NewGuest {
                                    full_name: "Walk-in".to_owned(),
                                    email_address: None,
                                    phone_number: None,
                                }],
                                common_entrance_ids: Vec::new(),
                                cards_per_guest: 1,
                                reservation_key: None,
                                allow_overlap: true,
                            },
                        )
                        .map(drop),
                ),
            ),
            ("warnings", wire(desk.desk.warnings(who, at(NOW)).map(drop))),
            (
                "staff_access",
                wire(desk.desk.staff_access(who, at(NOW)).map(drop)),
            ),
            (
                "staff_door_choices",
                wire(desk.desk.staff_door_choices(who).map(drop)),
            ),
            (
                "issue_staff_access",
                wire(
                    desk.desk
                        .issue_staff_access(who, at(NOW), "Night porter", &[door], frame)
                        .map(drop),
                ),
            ),
            (
                "audit_entries",
                wire(
                    desk.desk
                        .audit_entries(who, &frontdesk::AuditQuery::default())
                        .map(drop),
                ),
            ),
        ]
    };
    for (action, result) in manager_actions(&rui) {
        let error = result.expect_err(action);
        assert_eq!(
            (error.status, error.error_type.as_str()),
            (403, "forbidden"),
            "{action}"
        );
    }
    // The same calls as a manager go through: the refusals above are the role's.
    for (action, result) in manager_actions(&marta) {
        result.unwrap_or_else(|error| panic!("{action}: {error:?}"));
    }
}

#[test]
fn the_api_s_client_does_the_desk_s_work_and_not_a_manager_s() {
    let now = at(NOW);
    let api = Context::api(now);
    assert_eq!(api.actor, "api");
    assert!(api.require(Permission::FrontDesk).is_ok());
    let refused = api.require(Permission::Manage).unwrap_err().to_wire();
    assert_eq!(
        (refused.status, refused.error_type.as_str()),
        (403, "forbidden")
    );

    let rui = Operator {
        id: uuid::Uuid::new_v4(),
        name: "Rui".to_owned(),
        role: Role::Receptionist,
        terminal: None,
    };
    assert!(rui.context(now).require(Permission::FrontDesk).is_ok());
    let refused = rui
        .context(now)
        .require(Permission::Manage)
        .unwrap_err()
        .to_wire();
    assert_eq!(
        (refused.status, refused.error_type.as_str()),
        (403, "forbidden")
    );

    // The desk's own work at start-up is vouched for by the process.
    assert!(
        Context::new("desk", now)
            .require(Permission::Manage)
            .is_ok()
    );
}

#[test]
fn a_manager_gives_a_new_pin_which_also_lifts_a_lock_out() {
    let (desk, marta, rui) = staffed();
    for attempt in 0..5 {
        refused(desk.desk.sign_in(&at_seconds(attempt), "Rui", "0000"));
    }
    assert_eq!(
        refused(desk.desk.sign_in(&at_seconds(6), "Rui", RUI_PIN)).status,
        429
    );

    // A bad PIN is named and changes nothing; a receptionist may not reset one.
    let before = operator_rows(&desk);
    assert_invalid(
        &refused(
            desk.desk
                .reset_operator_pin(&marta.context(at(NOW)), rui.id, "12a4"),
        ),
        "pin",
    );
    let error = refused(
        desk.desk
            .reset_operator_pin(&rui.context(at(NOW)), marta.id, "9999"),
    );
    assert_eq!(error.error_type, "forbidden");
    assert_eq!(operator_rows(&desk), before);

    desk.desk
        .reset_operator_pin(&marta.context(at_seconds(7).now), rui.id, "2580")
        .unwrap();
    assert_eq!(
        refused(desk.desk.sign_in(&at_seconds(8), "Rui", RUI_PIN)).error_type,
        "unauthorized",
        "the old PIN is gone, and the lock-out with it"
    );
    assert_eq!(
        desk.desk.sign_in(&at_seconds(9), "Rui", "2580").unwrap().id,
        rui.id
    );
    // The PIN is never on record, not even in the refused attempt.
    for entry in audit(&desk, "operator.reset_pin") {
        let recorded = format!("{:?} {:?}", entry.before, entry.after);
        assert!(
            !recorded.contains("2580") && !recorded.contains("12a4"),
            "{recorded}"
        );
    }
}

#[test]
fn the_last_enabled_manager_stays_one_and_no_one_disables_themselves() {
    let (desk, marta, rui) = staffed();
    let as_marta = marta.context(at(NOW));

    let error = refused(
        desk.desk
            .set_operator_role(&as_marta, marta.id, Role::Receptionist),
    );
    assert_invalid(&error, "role");
    assert!(
        error.message.contains("Marta is the only enabled manager"),
        "{}",
        error.message
    );
    assert_invalid(
        &refused(desk.desk.set_operator_enabled(&as_marta, marta.id, false)),
        "enabled",
    );

    // Rui becomes a manager: now Marta may step down, but still not disable herself.
    let promoted = desk
        .desk
        .set_operator_role(&as_marta, rui.id, Role::Manager)
        .unwrap();
    assert_eq!(promoted.role, Role::Manager);
    assert_invalid(
        &refused(desk.desk.set_operator_enabled(&as_marta, marta.id, false)),
        "enabled",
    );
    // Rui disabled: Marta is the only enabled manager again.
    desk.desk
        .set_operator_enabled(&as_marta, rui.id, false)
        .unwrap();
    assert_invalid(
        &refused(
            desk.desk
                .set_operator_role(&as_marta, marta.id, Role::Receptionist),
        ),
        "role",
    );
    let unknown = refused(
        desk.desk
            .set_operator_enabled(&as_marta, uuid::Uuid::new_v4(), true),
    );
    assert_eq!(unknown.error_type, "not_found");
}

#[test]
fn a_disabled_operator_cannot_sign_in_and_their_session_ends() {
    let (desk, marta, rui) = staffed();
    let as_marta = marta.context(at(NOW));
    assert_eq!(
        desk.desk.session_operator(&rui).unwrap().role,
        Role::Receptionist
    );

    let disabled = desk
        .desk
        .set_operator_enabled(&as_marta, rui.id, false)
        .unwrap();
    assert_eq!(disabled.disabled_at, Some(at(NOW)));
    assert_eq!(
        refused(desk.desk.sign_in(&workstation(), "Rui", RUI_PIN)).error_type,
        "unauthorized"
    );
    assert_eq!(
        refused(desk.desk.session_operator(&rui)).error_type,
        "unauthorized"
    );
    let listed = desk.desk.operators(&marta).unwrap();
    assert!(
        listed
            .iter()
            .any(|operator| operator.id == rui.id && operator.disabled_at.is_some())
    );

    // Enabled again, as a manager: the session sees the new role.
    desk.desk
        .set_operator_enabled(&as_marta, rui.id, true)
        .unwrap();
    desk.desk
        .set_operator_role(&as_marta, rui.id, Role::Manager)
        .unwrap();
    assert_eq!(
        desk.desk.session_operator(&rui).unwrap().role,
        Role::Manager
    );
    desk.desk.sign_in(&workstation(), "Rui", RUI_PIN).unwrap();
    let actions: Vec<String> = audit(&desk, "operator.disable")
        .into_iter()
        .chain(audit(&desk, "operator.enable"))
        .chain(audit(&desk, "operator.set_role"))
        .map(|entry| format!("{} {:?}", entry.action, entry.outcome))
        .collect();
    assert_eq!(
        actions,
        [
            "operator.disable Ok",
            "operator.enable Ok",
            "operator.set_role Ok"
        ]
    );
}

#[test]
fn the_it_person_s_tools_find_an_operator_by_name_in_any_case() {
    let (desk, _, rui) = staffed();
    let tools = Context::new("frontdesk (server tools)", at(NOW));
    assert_eq!(
        desk.desk.operator_named(&tools, " rui ").unwrap().id,
        rui.id
    );
    assert_invalid(&refused(desk.desk.operator_named(&tools, "Nobody")), "name");
    assert_eq!(desk.desk.operators_by(&tools).unwrap().len(), 2);
}

#[test]
fn a_request_made_with_a_role_taken_away_meanwhile_is_refused() {
    let (desk, marta, rui) = staffed();
    let as_marta = marta.context(at(NOW));
    desk.desk
        .set_operator_role(&as_marta, rui.id, Role::Manager)
        .unwrap();
    // Rui signs in as a manager; Marta makes him a receptionist while his session goes on.
    let rui_as_manager = desk.desk.sign_in(&workstation(), "Rui", RUI_PIN).unwrap();
    desk.desk
        .set_operator_role(&as_marta, rui.id, Role::Receptionist)
        .unwrap();
    let error = refused(desk.desk.reset_operator_pin(
        &rui_as_manager.context(at(NOW)),
        marta.id,
        "1111",
    ));
    assert_eq!(error.error_type, "forbidden");
    // Disabled meanwhile: the session is over, even for a desk's own work.
    desk.desk
        .set_operator_enabled(&as_marta, rui.id, false)
        .unwrap();
    let error = refused(desk.desk.check_in(
        &rui_as_manager,
        at(NOW),
        &frontdesk::CheckIn {
            space_id: desk.space_id("room-101"),
            starts_at: at(NOW),
            ends_at: at(NOW) + chrono::Duration::days(1),
            guests: vec![frontdesk::NewGuest {
                full_name: "Ana Silva".to_owned(),
                email_address: None,
                phone_number: None,
            }],
            common_entrance_ids: Vec::new(),
            cards_per_guest: 1,
            reservation_key: None,
            allow_overlap: false,
        },
    ));
    assert_eq!(error.error_type, "unauthorized");
    assert!(
        refused(desk.desk.sign_in(&workstation(), "Marta", "1111")).error_type == "unauthorized",
        "Marta's PIN is unchanged"
    );
}

#[test]
fn each_operator_reads_the_desk_in_their_own_language() {
    let (desk, marta, rui) = staffed();
    assert_eq!(desk.desk.operator_language(&rui).unwrap(), Language::En);

    desk.desk
        .set_my_language(&rui.context(at(NOW)), Language::Es)
        .unwrap();
    assert_eq!(desk.desk.operator_language(&rui).unwrap(), Language::Es);
    assert_eq!(
        desk.desk.operator_language(&marta).unwrap(),
        Language::En,
        "Marta's language is hers"
    );
    let listed = desk.desk.operators(&marta).unwrap();
    let rui_listed = listed.iter().find(|view| view.id == rui.id).unwrap();
    assert_eq!(rui_listed.language, Language::Es);
    let entries = audit(&desk, "operator.set_language");
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].actor, "operator:Rui");

    // Only a signed-in operator has a language: the API's client and the desk's tools do not.
    let before = operator_rows(&desk);
    let mut api = Context::new("api", at(NOW));
    api.acting = frontdesk::Acting::ApiClient;
    assert_eq!(
        refused(desk.desk.set_my_language(&api, Language::En)).error_type,
        "forbidden"
    );
    assert_eq!(operator_rows(&desk), before);
}

#[test]
fn a_stored_language_this_version_does_not_speak_reads_as_english() {
    assert_eq!(Language::from_tag("es"), Language::Es);
    assert_eq!(Language::from_tag("en"), Language::En);
    assert_eq!(Language::from_tag("fr"), Language::En);
    assert!(
        serde_json::from_str::<Language>("\"xx\"")
            .unwrap_err()
            .is_data(),
        "a request naming an unknown language is refused, not read as English"
    );
}
