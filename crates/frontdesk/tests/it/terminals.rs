//! Terminals: one-time pairing secrets, credentials, revocation and operators' sessions at a
//! terminal. Every refusal changes nothing.
#![allow(clippy::unwrap_used)]

use chrono::{Duration, TimeZone, Utc};
use frontdesk::{Context, FrontDesk, Operator, PAIRING_LIFETIME, Role};
use store::Store;

fn desk() -> FrontDesk {
    FrontDesk::new(Store::open_in_memory().unwrap())
}

fn at(minute: i64) -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 7, 9, 0, 0).unwrap() + Duration::minutes(minute)
}

fn tools(minute: i64) -> Context {
    Context::new("tools", at(minute))
}

#[test]
fn a_pairing_secret_pairs_one_terminal_once_before_it_expires() {
    let desk = desk();
    let pairing = desk.create_terminal_pairing(&tools(0), " Desk 2 ").unwrap();
    assert_eq!(pairing.terminal_name, "Desk 2");
    assert_eq!(pairing.expires_at, at(0) + PAIRING_LIFETIME);

    let late = desk.create_terminal_pairing(&tools(0), "Desk 3").unwrap();
    let expired = desk.pair_terminal(&tools(15), &late.secret).unwrap_err();
    assert_eq!(expired.to_wire().error_type, "unauthorized");

    let paired = desk.pair_terminal(&tools(14), &pairing.secret).unwrap();
    assert_eq!(paired.terminal_name, "Desk 2");
    let again = desk.pair_terminal(&tools(14), &pairing.secret).unwrap_err();
    assert_eq!(again.to_wire().error_type, "unauthorized");
    let wrong = desk.pair_terminal(&tools(1), &"0".repeat(64)).unwrap_err();
    assert_eq!(
        wrong.to_wire().message,
        again.to_wire().message,
        "one answer for every bad secret"
    );

    let terminal = desk
        .authenticate_terminal(paired.terminal_id, &paired.credential, at(20))
        .unwrap();
    assert_eq!(terminal.last_seen_at, Some(at(20)));
    let forged = desk
        .authenticate_terminal(paired.terminal_id, &"f".repeat(64), at(20))
        .unwrap_err();
    assert_eq!(forged.to_wire().error_type, "unauthorized");
    let names: Vec<_> = desk
        .terminals(&tools(21))
        .unwrap()
        .into_iter()
        .map(|terminal| terminal.name)
        .collect();
    assert_eq!(names, ["Desk 2"]);
}

#[test]
fn a_name_is_one_paired_terminals_until_it_is_revoked() {
    let desk = desk();
    let first = desk.create_terminal_pairing(&tools(0), "Desk 2").unwrap();
    let paired = desk.pair_terminal(&tools(1), &first.secret).unwrap();
    let taken = desk
        .create_terminal_pairing(&tools(2), "desk 2")
        .unwrap_err();
    assert_eq!(taken.to_wire().field.as_deref(), Some("name"));
    for bad in ["", "   ", &"x".repeat(61), "Desk\u{7}"] {
        let refused = desk.create_terminal_pairing(&tools(2), bad).unwrap_err();
        assert_eq!(refused.to_wire().field.as_deref(), Some("name"), "{bad:?}");
    }

    let revoked = desk.revoke_terminal(&tools(3), paired.terminal_id).unwrap();
    assert_eq!(revoked.revoked_at, Some(at(3)));
    let refused = desk
        .authenticate_terminal(paired.terminal_id, &paired.credential, at(4))
        .unwrap_err();
    assert_eq!(refused.to_wire().error_type, "unauthorized");
    assert!(!desk.terminal_is_paired(paired.terminal_id).unwrap());

    let second = desk.create_terminal_pairing(&tools(5), "Desk 2").unwrap();
    desk.pair_terminal(&tools(6), &second.secret).unwrap();
    assert_eq!(desk.terminals(&tools(7)).unwrap().len(), 2);
}

#[test]
fn a_session_at_a_terminal_ends_at_sign_out_and_at_revocation() {
    let desk = desk();
    let mia = desk
        .add_operator(&tools(0), "Mia", "2468", Role::Manager)
        .unwrap();
    let pairing = desk.create_terminal_pairing(&tools(0), "Desk 2").unwrap();
    let paired = desk.pair_terminal(&tools(1), &pairing.secret).unwrap();
    let terminal = desk
        .authenticate_terminal(paired.terminal_id, &paired.credential, at(1))
        .unwrap();

    let token = desk.start_terminal_session(&terminal, &mia, at(2)).unwrap();
    let operator = desk.terminal_session(&terminal, &token).unwrap();
    assert_eq!(operator.name, "Mia");
    assert_eq!(operator.terminal.as_deref(), Some("Desk 2"));
    assert_eq!(operator.context(at(3)).terminal.as_deref(), Some("Desk 2"));
    desk.end_terminal_session(&token, at(3)).unwrap();
    assert!(desk.terminal_session(&terminal, &token).is_err());

    let token = desk.start_terminal_session(&terminal, &mia, at(4)).unwrap();
    desk.revoke_terminal(&tools(5), terminal.id).unwrap();
    let ended = desk.terminal_session(&terminal, &token).unwrap_err();
    assert_eq!(ended.to_wire().error_type, "unauthorized");
}

#[test]
fn terminals_are_a_managers_business() {
    let desk = desk();
    let rui = Operator {
        id: uuid::Uuid::new_v4(),
        name: "Rui".into(),
        role: Role::Receptionist,
        terminal: None,
    };
    let context = rui.context(at(0));
    for refused in [
        desk.create_terminal_pairing(&context, "Desk 2").map(|_| ()),
        desk.terminals(&context).map(|_| ()),
        desk.revoke_terminal(&context, uuid::Uuid::new_v4())
            .map(|_| ()),
    ] {
        assert_eq!(refused.unwrap_err().to_wire().error_type, "forbidden");
    }
    let before_sign_in = Context::terminal("Desk 2", at(0));
    let refused = desk.terminals(&before_sign_in).unwrap_err();
    assert_eq!(refused.to_wire().error_type, "unauthorized");
    assert!(
        desk.terminals(&tools(1)).unwrap().is_empty(),
        "nothing was made"
    );
}
