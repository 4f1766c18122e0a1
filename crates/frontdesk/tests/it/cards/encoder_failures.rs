//! The encoder's failures: each fault with its own error, the journal matching the encoder.

use std::collections::BTreeSet;
use std::time::Duration;

use encoder::client::EncoderError;
use encoder::protocol::Command;
use encoder::simulator::{Fault, UnplugAt};
use frontdesk::WireError;

use super::{
    SAT_15, WED_11, assert_journal_matches_the_encoder, issue, numbers, opens, overrode, simulator,
};
use crate::support::Desk;

/// A desk that gives up on a missing card or a silent encoder quickly.
fn impatient_desk() -> Desk {
    let mut desk = Desk::new();
    desk.station.set_card_timeout(Duration::from_millis(300));
    desk.station
        .supervisor()
        .set_reply_timeout(Duration::from_millis(300));
    desk
}

/// The states of every encode in the journal, sorted.
fn journal_states(desk: &Desk) -> Vec<String> {
    let mut states: Vec<_> = desk
        .desk
        .store()
        .read(|r| r.table_rows("encode_operations"))
        .unwrap()
        .into_iter()
        .map(|row| row["state"].clone().unwrap())
        .collect();
    states.sort();
    states
}

/// Encodes a card with `fault` armed: the encode fails with an encoder error, leaves no card
/// without a record and takes no sequence number, and the next attempt works.
/// `journaled` is what the failed attempt leaves in the journal (besides an earlier, good
/// card): nothing, a failed op, or a pending one.
fn encode_with_fault(fault: Fault, journaled: Option<&str>) -> (EncoderError, WireError) {
    let desk = impatient_desk();
    let simulator = simulator(&desk);
    // An earlier card, written fine, stays recorded whatever happens next.
    let earlier = desk
        .stay(&desk.guest(), &["room-102"], SAT_15, WED_11, Some("stay-0"))
        .unwrap();
    issue(&desk, earlier.access_method_ids[0]);
    let grant = desk
        .stay(&desk.guest(), &["room-101"], SAT_15, WED_11, Some("stay-1"))
        .unwrap();
    let method = grant.access_method_ids[0];
    let numbers_before = numbers(&desk.desk);

    simulator.present_blank_card();
    simulator.fail_next(fault);
    let error = desk.encode_at(&desk.context, method).unwrap_err();
    let frontdesk::Error::Encoder(encoder_error) = &error else {
        panic!("{fault:?}: not an encoder error: {error:?}");
    };
    let wire = error.to_wire();
    assert!(
        !desk.desk.access_method(method).unwrap().is_issued(),
        "{fault:?}"
    );
    let mut expected = vec!["written".to_owned()];
    expected.extend(journaled.map(str::to_owned));
    expected.sort();
    assert_eq!(journal_states(&desk), expected, "{fault:?}");
    assert_journal_matches_the_encoder(&desk, true);
    // A number taken with a committed intent stays the stay's; no other moves.
    let numbers_failed = numbers(&desk.desk);
    assert!(
        numbers_failed.len() <= numbers_before.len() + 1,
        "{fault:?}"
    );
    assert!(
        numbers_before
            .iter()
            .all(|(pair, owner)| numbers_failed.get(pair) == Some(owner)),
        "{fault:?}"
    );

    // Try again (with a card by hand when the stack ran out; plugged back in when unplugged).
    simulator.plug();
    if simulator.card_on_encoder().is_none() && fault == Fault::NoCardInTime {
        simulator.present_blank_card();
    }
    let written = desk
        .encode_at(&desk.context, method)
        .unwrap_or_else(|error| panic!("{fault:?}: the next attempt failed: {error:?}"));
    let method_now = desk.desk.access_method(method).unwrap();
    assert_eq!(
        method_now.card_id.as_deref(),
        Some(written.card_id.as_str())
    );
    assert_journal_matches_the_encoder(&desk, false);
    let numbers_now = numbers(&desk.desk);
    assert_eq!(numbers_now.len(), numbers_before.len() + 1, "{fault:?}");
    assert!(
        numbers_failed
            .iter()
            .all(|(pair, owner)| numbers_now.get(pair) == Some(owner)),
        "{fault:?}"
    );
    assert_eq!(
        opens(&desk, "room-101-door", &written.card_id, SAT_15),
        overrode(0, 1),
        "{fault:?}"
    );
    (encoder_error.clone(), wire)
}

#[test]
fn fault_no_card_in_time() {
    let (error, wire) = encode_with_fault(Fault::NoCardInTime, None);
    assert_eq!(error, EncoderError::NoCardInTime);
    assert_eq!(wire.error_type, "no_credential_on_encoder");
}

#[test]
fn fault_card_removed_mid_write() {
    let (error, wire) = encode_with_fault(Fault::CardRemovedMidWrite, Some("failed"));
    assert_eq!(error, EncoderError::CardRemoved);
    assert_eq!(wire.error_type, "encoding_interrupted");
}

#[test]
fn fault_busy() {
    let (error, wire) = encode_with_fault(Fault::Busy, None);
    assert_eq!(error, EncoderError::Busy);
    assert!(wire.message.contains("busy"), "{}", wire.message);
}

#[test]
fn fault_no_answer() {
    let (error, wire) = encode_with_fault(Fault::NoAnswer, None);
    assert_eq!(error, EncoderError::NoAnswer);
    assert_eq!(wire.error_type, "encoder_communication_timeout");
    assert_eq!(wire.status, 503);
}

#[test]
fn fault_crc_errors() {
    // Two garbled replies in a row: the client asks again once, then gives up.
    let (error, wire) = encode_with_fault(Fault::CrcErrors(2), None);
    assert!(matches!(error, EncoderError::Protocol(_)), "{error:?}");
    assert_eq!(wire.error_type, "uncategorized_error");
}

#[test]
fn fault_one_crc_error_is_retried_unnoticed() {
    let desk = impatient_desk();
    let grant = desk
        .stay(&desk.guest(), &["room-101"], SAT_15, WED_11, Some("stay-1"))
        .unwrap();
    simulator(&desk).present_blank_card();
    simulator(&desk).fail_next(Fault::CrcErrors(1));
    let written = desk.encode(grant.access_method_ids[0]);
    assert_journal_matches_the_encoder(&desk, false);
    assert_eq!(
        opens(&desk, "room-101-door", &written.card_id, SAT_15),
        overrode(0, 1)
    );
}

#[test]
fn fault_damaged_card() {
    let (error, wire) = encode_with_fault(Fault::DamagedCard, Some("failed"));
    assert_eq!(error, EncoderError::DamagedCard);
    assert!(wire.message.contains("damaged"), "{}", wire.message);
}

#[test]
fn fault_unsupported_card() {
    let (error, wire) = encode_with_fault(Fault::UnsupportedCard, None);
    assert_eq!(error, EncoderError::UnsupportedCard);
    assert_eq!(wire.error_type, "incompatible_card_format");
}

#[test]
fn fault_unplug_mid_write_before_commit() {
    let (error, wire) = encode_with_fault(
        Fault::UnplugMidWrite(UnplugAt::BeforeCommit),
        Some("pending"),
    );
    assert_eq!(error, EncoderError::Disconnected);
    assert_eq!(wire.error_type, "encoder_not_online");
}

#[test]
fn fault_unplug_mid_write_after_the_card_was_written() {
    let (error, wire) =
        encode_with_fault(Fault::UnplugMidWrite(UnplugAt::AfterWrite), Some("pending"));
    assert!(
        matches!(error, EncoderError::OutcomeUnknown { .. }),
        "{error:?}"
    );
    assert_eq!(wire.error_type, "encoding_interrupted");
}

#[test]
fn each_fault_gives_its_own_error() {
    let faults = [
        (Fault::NoCardInTime, None),
        (Fault::CardRemovedMidWrite, Some("failed")),
        (Fault::Busy, None),
        (Fault::NoAnswer, None),
        (Fault::CrcErrors(2), None),
        (Fault::DamagedCard, Some("failed")),
        (Fault::UnsupportedCard, None),
        (
            Fault::UnplugMidWrite(UnplugAt::BeforeCommit),
            Some("pending"),
        ),
        (Fault::UnplugMidWrite(UnplugAt::AfterWrite), Some("pending")),
    ];
    let outcomes: Vec<_> = faults
        .into_iter()
        .map(|(fault, journaled)| (fault, encode_with_fault(fault, journaled)))
        .collect();
    let variants: BTreeSet<_> = outcomes
        .iter()
        .map(|(_, (error, _))| format!("{:?}", std::mem::discriminant(error)))
        .collect();
    assert_eq!(variants.len(), faults.len(), "{outcomes:#?}");
    let shown: BTreeSet<_> = outcomes
        .iter()
        .map(|(_, (_, wire))| (wire.error_type, wire.message.clone()))
        .collect();
    assert_eq!(shown.len(), faults.len(), "{outcomes:#?}");
}

/// The encoder stops answering in the middle of a write (after WRITE_BEGIN, before COMMIT):
/// the write stays open on the device while the desk reconnects. Resolving the intent must
/// close it, or every later write finds the encoder busy with it.
#[test]
fn no_answer_in_the_middle_of_a_write_does_not_wedge_the_encoder() {
    for command in [Command::Chunk, Command::Commit] {
        let desk = impatient_desk();
        let grant = desk
            .stay(&desk.guest(), &["room-101"], SAT_15, WED_11, Some("stay-1"))
            .unwrap();
        let method = grant.access_method_ids[0];
        simulator(&desk).present_blank_card();
        simulator(&desk).fail_on(command, Fault::NoAnswer);
        let error = desk.encode_at(&desk.context, method).unwrap_err();
        assert!(
            matches!(
                error,
                frontdesk::Error::Encoder(
                    EncoderError::NoAnswer | EncoderError::OutcomeUnknown { .. }
                )
            ),
            "{command:?}: {error:?}"
        );
        assert_eq!(journal_states(&desk), ["pending"], "{command:?}");

        let written = desk
            .encode_at(&desk.context, method)
            .unwrap_or_else(|error| panic!("{command:?}: the next attempt failed: {error:?}"));
        assert_eq!(journal_states(&desk), ["failed", "written"], "{command:?}");
        assert_journal_matches_the_encoder(&desk, false);
        assert_eq!(
            opens(&desk, "room-101-door", &written.card_id, SAT_15),
            overrode(0, 1)
        );
    }
}
