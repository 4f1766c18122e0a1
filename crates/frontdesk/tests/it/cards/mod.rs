//! The guide's scenarios end to end through real card images: cards written on the simulated
//! encoder, presented at the simulated offline locks; the card reader; the card's security
//! as the locks see it; the encoder's failures; and issuing exactly once across a crash.
#![allow(clippy::unwrap_used)] // helpers outside #[test] functions unwrap too

use std::collections::BTreeMap;

use encoder::CardUid;
use encoder::protocol::OpState;
use encoder::simulator::SimulatedEncoder;
use engine::lock::{Decision, LockState, Reason};
use engine::warnings::WarningCode;
use frontdesk::{Context, FrontDesk, UpdateAccessGrant};
use store::EncodeState;
use uuid::Uuid;

use crate::support::{Desk, at, present};

mod back_to_back;
mod encoder_failures;
mod exactly_once;
mod reading;
mod relocation;
mod security;
mod staff_and_common;
mod time_changes;

const SAT_15: &str = "2025-05-10T15:00:00Z";
const WED_11: &str = "2025-05-14T11:00:00Z";
const WED_15: &str = "2025-05-14T15:00:00Z";
const FRI_11: &str = "2025-05-16T11:00:00Z";
/// A late checkout: guest 1 may stay until after guest 2's check-in.
const WED_16: &str = "2025-05-14T16:00:00Z";

fn simulator(desk: &Desk) -> &SimulatedEncoder {
    desk.station
        .simulator()
        .expect("the test desk uses the simulated encoder")
}

fn uid(card_id: &str) -> CardUid {
    CardUid::from_hex(card_id).expect("a card id is a UID in hex")
}

/// Takes a fresh blank from the stack and encodes the access method's card onto it.
fn issue(desk: &Desk, access_method_id: Uuid) -> String {
    issue_at(desk, &desk.context, access_method_id)
}

fn issue_at(desk: &Desk, context: &Context, access_method_id: Uuid) -> String {
    simulator(desk).present_blank_card();
    let written = desk.encode_at(context, access_method_id).unwrap();
    let method = written.access_method.as_ref().expect("a grant's card");
    assert_eq!(method.id, access_method_id);
    assert_eq!(method.card_id.as_deref(), Some(written.card_id.as_str()));
    written.card_id
}

/// Presents the card and expects the door to open; returns why it did.
fn opens(desk: &Desk, door: &str, card_id: &str, when: &str) -> Reason {
    let decision = present(desk, door, card_id, when);
    assert_eq!(
        decision.decision,
        Decision::Granted,
        "{door} at {when}: {decision:?}"
    );
    decision.reason
}

/// Presents the card and expects the door to stay shut; returns why it did.
fn refuses(desk: &Desk, door: &str, card_id: &str, when: &str) -> Reason {
    let decision = present(desk, door, card_id, when);
    assert_eq!(
        decision.decision,
        Decision::Denied,
        "{door} at {when}: {decision:?}"
    );
    decision.reason
}

fn lock_state(desk: &Desk, door: &str) -> LockState {
    let entrance = desk.entrance_id(door);
    desk.desk.store().read(|r| r.lock_state(entrance)).unwrap()
}

fn overrode(from: u32, to: u32) -> Reason {
    Reason::Overrode { from, to }
}

fn overridden(card: u32, lock: u32) -> Reason {
    Reason::Overridden { card, lock }
}

fn has_warning(desk: &Desk, grant: Uuid, code: WarningCode) -> bool {
    desk.desk
        .store()
        .read(|r| r.access_grant(grant))
        .unwrap()
        .unwrap()
        .warnings
        .iter()
        .any(|warning| warning.code == code)
}

/// Moves a grant's end to `ends_at`, as a stay's extension or shortening does.
fn move_end(desk: &Desk, grant: Uuid, ends_at: &str) {
    desk.desk
        .update_access_grant(
            &desk.context,
            &UpdateAccessGrant {
                access_grant_id: grant,
                starts_at: None,
                ends_at: Some(at(ends_at)),
                name: None,
            },
        )
        .unwrap();
}

/// Every row of the tables that hold the override sequences.
fn sequence_tables(desk: &FrontDesk) -> Vec<Vec<BTreeMap<String, Option<String>>>> {
    desk.store()
        .read(|r| {
            Ok::<_, store::Error>(vec![
                r.table_rows("reservations")?,
                r.table_rows("reservation_doors")?,
            ])
        })
        .unwrap()
}

/// Every number handed out: (door, sequence) to its reservation.
fn numbers(desk: &FrontDesk) -> BTreeMap<(String, String), String> {
    let text = |row: &BTreeMap<String, Option<String>>, column: &str| row[column].clone();
    sequence_tables(desk)[1]
        .iter()
        .filter_map(|row| {
            Some((
                (text(row, "entrance_id")?, text(row, "sequence")?),
                text(row, "reservation_id")?,
            ))
        })
        .collect()
}

/// Writes `image` onto the card `uid` as it is, through the station's own encoder, without
/// the desk's journal: how a forger with an encoder would.
fn write_raw(desk: &Desk, uid: &CardUid, image: &[u8]) {
    assert!(simulator(desk).present_card(uid));
    desk.station
        .supervisor()
        .with_encoder(|encoder| {
            encoder.write_card(*Uuid::new_v4().as_bytes(), uid, image, &mut |_, _| {})
        })
        .unwrap();
}

/// Every card the simulated encoder holds an image on is in the desk's journal, for that very
/// card and image, and once settled as written it is in `cards`; the journal agrees with the
/// encoder's own log. With `allow_pending`, an encode whose outcome is still unknown may be
/// pending (the card it may have written is journaled, not yet recorded).
fn assert_journal_matches_the_encoder(desk: &Desk, allow_pending: bool) {
    let simulator = simulator(desk);
    let store = desk.desk.store();
    for card in simulator.cards() {
        if card.image.is_empty() {
            continue;
        }
        let op_id = Uuid::from_bytes(card.op_id.expect("a written card carries its op id"));
        let operation = store
            .read(|r| r.encode_operation(op_id))
            .unwrap()
            .unwrap_or_else(|| panic!("card {} was written with no record", card.uid.to_hex()));
        assert_eq!(operation.card_uid, card.uid.to_hex());
        assert_eq!(operation.image, card.image);
        let recorded = store.read(|r| r.cards_by_uid(&card.uid.to_hex())).unwrap();
        match operation.state {
            EncodeState::Written => assert!(
                recorded.iter().any(|record| record.op_id == op_id),
                "card {} is missing from the cards table",
                card.uid.to_hex()
            ),
            EncodeState::Pending => assert!(allow_pending, "op {op_id} is still pending"),
            EncodeState::Failed => panic!("card {} holds a write journaled as failed", card.uid),
        }
    }
    for row in store.read(|r| r.table_rows("encode_operations")).unwrap() {
        let op_id: Uuid = row["op_id"].as_deref().unwrap().parse().unwrap();
        let (device, _) = simulator.op_result(op_id.as_bytes());
        match row["state"].as_deref().unwrap() {
            "written" => assert_eq!(device, OpState::Written, "op {op_id}"),
            "failed" => assert_ne!(device, OpState::Written, "op {op_id}"),
            "pending" => assert!(allow_pending, "op {op_id} is still pending"),
            other => panic!("state {other}"),
        }
    }
}
