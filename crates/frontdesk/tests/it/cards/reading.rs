//! Reading a card back: its doors as they judge it, a blank card, a tampered one.

use std::collections::BTreeSet;

use encoder::card::CardKind;
use engine::lock::{LockState, Reason};
use frontdesk::Context;

use super::{
    FRI_11, SAT_15, WED_11, WED_15, WED_16, issue, lock_state, move_end, opens, overridden,
    overrode, refuses, simulator, uid, write_raw,
};
use crate::support::{Desk, at};

#[test]
fn read_card_reports_an_encoded_card_as_its_doors_judge_it() {
    let desk = Desk::new();
    let guest = desk.guest();
    let grant = desk
        .stay(&guest, &["room-101", "gym"], SAT_15, WED_16, Some("stay-1"))
        .unwrap();
    let method = grant.access_method_ids[0];
    let card_id = issue(&desk, method);
    let next = desk
        .stay(&desk.guest(), &["room-101"], WED_15, FRI_11, Some("stay-2"))
        .unwrap();
    let next_card = issue(&desk, next.access_method_ids[0]);

    // Reads the card back at `when`, then presents it at each of its doors at `when`: each
    // door does what the report said it would.
    let read_then_present = |when: &str| {
        assert!(simulator(&desk).present_card(&uid(&card_id)));
        let report = desk
            .desk
            .read_card(&Context::new("desk", at(when)), &desk.station)
            .unwrap();
        assert_eq!(report.card_id, card_id);
        assert!(!report.blank);
        assert!(report.authentic, "{report:?}");
        assert_eq!(report.problem, None);
        assert_eq!(report.access_method_id, Some(method));
        assert_eq!(report.access_grant_id, Some(grant.id));
        assert_eq!(report.reservation_key.as_deref(), Some("stay-1"));
        assert_eq!(report.user_full_name, guest.full_name);
        let content = report.content.as_ref().unwrap();
        assert_eq!(content.kind, CardKind::Guest);
        assert_eq!(
            (content.valid_from, content.valid_until),
            (at(SAT_15), at(WED_16))
        );
        let doors: BTreeSet<_> = report
            .doors
            .iter()
            .map(|door| (door.acs_entrance_id, door.sequence))
            .collect();
        assert_eq!(
            doors,
            BTreeSet::from([
                (desk.entrance_id("room-101-door"), Some(1)),
                (desk.entrance_id("gym-door"), None),
            ])
        );
        for verdict in &report.doors {
            let decision = desk
                .desk
                .present_card(
                    &desk.context,
                    &desk.station,
                    verdict.acs_entrance_id,
                    &card_id,
                    Some(at(when)),
                )
                .unwrap();
            assert_eq!(
                (verdict.decision, verdict.reason),
                (decision.decision, decision.reason),
                "{} at {when}",
                verdict.name
            );
            assert_eq!(verdict.explanation, decision.explanation);
        }
        report
    };
    let verdict = |report: &frontdesk::CardReport, door: &str| {
        let id = desk.entrance_id(door);
        let found = report
            .doors
            .iter()
            .find(|verdict| verdict.acs_entrance_id == id);
        found.unwrap().reason
    };

    let report = read_then_present(SAT_15);
    assert!(report.out_of_sync.is_empty(), "{:?}", report.out_of_sync);
    assert_eq!(verdict(&report, "room-101-door"), overrode(0, 1));
    assert_eq!(verdict(&report, "gym-door"), Reason::CommonArea);
    let report = read_then_present("2025-05-12T12:00:00Z");
    assert_eq!(verdict(&report, "room-101-door"), Reason::Joined);

    assert_eq!(
        opens(&desk, "room-101-door", &next_card, WED_15),
        overrode(1, 2)
    );
    let report = read_then_present("2025-05-14T15:30:00Z");
    assert_eq!(verdict(&report, "room-101-door"), overridden(1, 2));
    assert_eq!(verdict(&report, "gym-door"), Reason::CommonArea);

    // The dates change: the card on the encoder no longer says what the desk would write.
    move_end(&desk, grant.id, "2025-05-14T18:00:00Z");
    let report = read_then_present("2025-05-14T15:40:00Z");
    assert_eq!(
        report.out_of_sync,
        ["The stay's dates changed: re-encode this card."]
    );
    // After the card's own end the doors refuse it, and the reader says so too.
    let report = read_then_present("2025-05-14T17:00:00Z");
    assert_eq!(verdict(&report, "gym-door"), Reason::Expired);

    // Re-encoded, it is in sync again.
    assert!(simulator(&desk).present_card(&uid(&card_id)));
    desk.encode(method);
    let report = desk
        .desk
        .read_card(
            &Context::new("desk", at("2025-05-14T17:00:00Z")),
            &desk.station,
        )
        .unwrap();
    assert!(report.out_of_sync.is_empty(), "{:?}", report.out_of_sync);
    assert_eq!(verdict(&report, "gym-door"), Reason::CommonArea);
}

#[test]
fn read_card_reports_a_blank_card() {
    let desk = Desk::new();
    let blank = simulator(&desk).present_blank_card();
    let report = desk
        .desk
        .read_card(&Context::new("desk", at(SAT_15)), &desk.station)
        .unwrap();
    assert_eq!(report.card_id, blank.to_hex());
    assert!(report.blank);
    assert!(!report.authentic);
    assert_eq!(report.content, None);
    assert_eq!(report.access_method_id, None);
    assert!(report.doors.is_empty());
}

#[test]
fn a_tampered_card_is_not_authentic_to_the_reader_or_the_locks() {
    let desk = Desk::new();
    let grant = desk
        .stay(&desk.guest(), &["room-101"], SAT_15, WED_11, Some("stay-1"))
        .unwrap();
    let card_id = issue(&desk, grant.access_method_ids[0]);
    let card_uid = uid(&card_id);
    let genuine = simulator(&desk).card(&card_uid).unwrap().image;

    // The guest extends their own stay by a month: valid until is at offset 105.
    let mut extended = genuine.clone();
    let until = i64::from_le_bytes(extended[105..113].try_into().unwrap());
    extended[105..113].copy_from_slice(&(until + 30 * 86_400).to_le_bytes());
    // ... or turns their card into a staff card: the kind is at offset 5.
    let mut staff = genuine.clone();
    staff[5] = CardKind::Staff.as_byte();
    // ... or one bit flips.
    let mut flipped = genuine.clone();
    flipped[200] ^= 0x10;

    for (what, image) in [
        ("extended", extended),
        ("staff", staff),
        ("flipped", flipped),
    ] {
        write_raw(&desk, &card_uid, &image);
        assert_eq!(simulator(&desk).card(&card_uid).unwrap().image, image);
        let report = desk
            .desk
            .read_card(&Context::new("desk", at(SAT_15)), &desk.station)
            .unwrap();
        assert!(!report.authentic, "{what}: {report:?}");
        assert!(!report.blank);
        assert!(report.problem.is_some(), "{what}");
        assert!(
            report
                .doors
                .iter()
                .all(|door| door.reason == Reason::NotAuthentic),
            "{what}: {:?}",
            report.doors
        );
        assert_eq!(
            refuses(&desk, "room-101-door", &card_id, "2025-05-11T12:00:00Z"),
            Reason::NotAuthentic,
            "{what}"
        );
        if what == "extended" {
            assert_eq!(
                report.content.unwrap().valid_until,
                at(WED_11) + chrono::TimeDelta::days(30),
                "the reader shows what the card claims"
            );
        }
    }
    assert_eq!(lock_state(&desk, "room-101-door"), LockState::default());
    // The genuine image written back opens the door.
    write_raw(&desk, &card_uid, &genuine);
    assert_eq!(
        opens(&desk, "room-101-door", &card_id, "2025-05-11T12:00:00Z"),
        overrode(0, 1)
    );
}
