//! Every fault with its own error in plain words, and a next attempt that works.

use std::mem::discriminant;
use std::time::{Duration, Instant};

use encoder::client::{Encoder, EncoderError};
use encoder::link::{Link, LinkError};
use encoder::protocol::{
    CRC16, Command, Event, Frame, OpState, REPORT_LEN, Reply, Request, Status, WriteBegin,
    image_hash,
};
use encoder::simulator::{Fault, SimulatedEncoder, UnplugAt};

use super::{FAST, client, image, no_progress, op, write_new_card};

/// Runs `fault` through `attempt` and returns the error; then checks that the next attempt
/// (after `recover`) works.
fn fault_then_recover(
    fault: Fault,
    attempt: impl Fn(&SimulatedEncoder, &mut Encoder, u8) -> Result<(), EncoderError>,
    recover: impl Fn(&SimulatedEncoder),
) -> EncoderError {
    let sim = SimulatedEncoder::in_memory();
    let mut encoder = client(&sim);
    sim.fail_next(fault);
    let error = attempt(&sim, &mut encoder, 1).unwrap_err();
    recover(&sim);
    if !sim.is_plugged() {
        sim.plug();
    }
    let mut encoder = if matches!(
        error,
        EncoderError::Disconnected | EncoderError::OutcomeUnknown { .. }
    ) {
        client(&sim)
    } else {
        encoder
    };
    attempt(&sim, &mut encoder, 2).unwrap_or_else(|next| panic!("after {fault:?}: {next:?}"));
    error
}

fn wait(_: &SimulatedEncoder, encoder: &mut Encoder, _: u8) -> Result<(), EncoderError> {
    encoder.wait_for_card(Duration::from_millis(30)).map(drop)
}

fn write(sim: &SimulatedEncoder, encoder: &mut Encoder, n: u8) -> Result<(), EncoderError> {
    let uid = match sim.card_on_encoder() {
        Some(uid) => uid,
        None => sim.present_blank_card(),
    };
    encoder.write_card(op(n), &uid, &image(512, n), &mut no_progress())
}

#[test]
fn each_fault_has_its_own_error_and_the_next_attempt_works() {
    let nothing = |_: &SimulatedEncoder| {};
    let errors = vec![
        fault_then_recover(Fault::NoCardInTime, wait, |sim| {
            sim.present_blank_card();
        }),
        fault_then_recover(Fault::CardRemovedMidWrite, write, nothing),
        fault_then_recover(Fault::Busy, wait, nothing),
        fault_then_recover(Fault::NoAnswer, wait, nothing),
        fault_then_recover(Fault::CrcErrors(2), wait, nothing),
        fault_then_recover(Fault::DamagedCard, write, nothing),
        fault_then_recover(Fault::UnsupportedCard, wait, nothing),
        fault_then_recover(
            Fault::UnplugMidWrite(UnplugAt::BeforeCommit),
            write,
            nothing,
        ),
        fault_then_recover(Fault::UnplugMidWrite(UnplugAt::AfterWrite), write, nothing),
    ];
    assert_eq!(errors[0], EncoderError::NoCardInTime);
    assert_eq!(errors[1], EncoderError::CardRemoved);
    assert_eq!(errors[2], EncoderError::Busy);
    assert_eq!(errors[3], EncoderError::NoAnswer);
    assert!(
        matches!(
            errors[4],
            EncoderError::Protocol(encoder::protocol::FrameError::BadCrc { .. })
        ),
        "{:?}",
        errors[4]
    );
    assert_eq!(errors[5], EncoderError::DamagedCard);
    assert_eq!(errors[6], EncoderError::UnsupportedCard);
    assert_eq!(errors[7], EncoderError::Disconnected);
    assert_eq!(errors[8], EncoderError::OutcomeUnknown { op_id: op(1) });
    for (at, error) in errors.iter().enumerate() {
        for other in &errors[at + 1..] {
            assert_ne!(
                discriminant(error),
                discriminant(other),
                "{error:?} / {other:?}"
            );
        }
    }
}

#[test]
fn an_encoder_whose_own_card_wait_ran_out_fails_the_wait_at_once_and_recovers() {
    let sim = SimulatedEncoder::in_memory();
    let mut encoder = client(&sim);
    let on_pad = sim.present_blank_card();
    sim.fail_next(Fault::CardWaitExpired);
    let started = std::time::Instant::now();
    assert_eq!(
        encoder.wait_for_card(Duration::from_secs(30)),
        Err(EncoderError::NoCardInTime)
    );
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    // The card stayed, and no one has to put a card by hand for the next wait.
    assert_eq!(encoder.wait_for_card(FAST), Ok(on_pad));
}

#[test]
fn one_garbled_reply_to_an_idempotent_request_is_asked_again() {
    let sim = SimulatedEncoder::in_memory();
    let mut encoder = client(&sim);
    sim.fail_next(Fault::CrcErrors(1));
    let before = sim.requests_received();
    encoder.wait_for_card(FAST).unwrap();
    assert_eq!(sim.requests_received() - before, 2);
    sim.fail_next(Fault::CrcErrors(1));
    assert_eq!(encoder.op_result(op(9)).unwrap(), (OpState::Unknown, None));
}

#[test]
fn a_garbled_reply_to_a_chunk_fails_the_write_which_can_be_retried() {
    let sim = SimulatedEncoder::in_memory();
    let mut encoder = client(&sim);
    let uid = sim.present_blank_card();
    sim.fail_on(Command::Chunk, Fault::CrcErrors(1));
    let error = encoder
        .write_card(op(1), &uid, &image(300, 1), &mut no_progress())
        .unwrap_err();
    assert!(matches!(error, EncoderError::Protocol(_)), "{error:?}");
    assert_eq!(sim.card(&uid).unwrap().writes, 0);
    // The write was aborted, so another op id is not BUSY.
    encoder
        .write_card(op(2), &uid, &image(300, 2), &mut no_progress())
        .unwrap();
    assert_eq!(sim.op_result(&op(1)).0, OpState::Failed);
}

#[test]
fn a_garbled_commit_reply_is_an_unknown_outcome_resolved_by_op_result() {
    let sim = SimulatedEncoder::in_memory();
    let mut encoder = client(&sim);
    let uid = sim.present_blank_card();
    let data = image(512, 5);
    sim.fail_on(Command::Commit, Fault::CrcErrors(1));
    let before = sim.requests_received();
    assert_eq!(
        encoder.write_card(op(1), &uid, &data, &mut no_progress()),
        Err(EncoderError::OutcomeUnknown { op_id: op(1) })
    );
    // COMMIT was not sent again.
    assert_eq!(sim.requests_received() - before, 12);
    assert_eq!(
        encoder.op_result(op(1)).unwrap(),
        (OpState::Written, Some(uid.clone()))
    );
    // Retrying the same op id does not write again.
    encoder
        .write_card(op(1), &uid, &data, &mut no_progress())
        .unwrap();
    assert_eq!(sim.card(&uid).unwrap().writes, 1);
}

#[test]
fn a_device_that_saw_a_garbled_request_gets_it_again() {
    // A link that corrupts the first report it sends.
    struct Corrupting<L> {
        inner: L,
        corrupt: bool,
    }
    impl<L: Link> Link for Corrupting<L> {
        fn write(&mut self, report: &[u8; REPORT_LEN]) -> Result<(), LinkError> {
            let mut report = *report;
            if std::mem::take(&mut self.corrupt) {
                report[4] ^= 0xFF;
            }
            self.inner.write(&report)
        }
        fn read(&mut self, timeout: Duration) -> Result<Option<[u8; REPORT_LEN]>, LinkError> {
            self.inner.read(timeout)
        }
    }
    let sim = SimulatedEncoder::in_memory();
    let uid = sim.present_blank_card();
    let mut encoder = Encoder::new(Box::new(Corrupting {
        inner: sim.link(),
        corrupt: true,
    }));
    encoder.set_reply_timeout(FAST);
    // The first report (WRITE_BEGIN) arrives garbled; the device answers BAD_CRC and did
    // nothing, so the client sends it again: one report more than usual.
    let before = sim.requests_received();
    encoder
        .write_card(op(1), &uid, &image(112, 0), &mut no_progress())
        .unwrap();
    assert_eq!(sim.requests_received() - before, 2 + 2 + 1);
}

#[test]
fn the_device_answers_garbage() {
    let sim = SimulatedEncoder::in_memory();
    let mut link = sim.link();
    // Bad CRC on a known command: BAD_CRC reply with the header's SEQ.
    let mut report = Request::Poll.to_frame(7).unwrap().encode();
    report[5] ^= 1;
    link.write(&report).unwrap();
    let reply = Frame::decode(&link.read(FAST).unwrap().unwrap()).unwrap();
    assert_eq!(reply.seq(), 7);
    assert_eq!(
        Reply::from_frame(&reply).unwrap(),
        Reply::Failed {
            command: Command::Poll,
            status: Status::BadCrc
        }
    );
    // Unknown command: an ERROR event.
    let mut report = [0u8; REPORT_LEN];
    report[1] = 8;
    report[2] = 0x05;
    let crc = CRC16.checksum(&report[..4]);
    report[4..6].copy_from_slice(&crc.to_le_bytes());
    link.write(&report).unwrap();
    let event = Frame::decode(&link.read(FAST).unwrap().unwrap()).unwrap();
    assert_eq!(
        Event::from_frame(&event).unwrap(),
        Event::Error(Status::UnknownCmd)
    );
    // A malformed payload: BAD_PARAM.
    let frame = encoder::protocol::Frame::new(
        9,
        encoder::protocol::Code::Request(Command::Read),
        Status::Ok,
        vec![0, 0],
    )
    .unwrap();
    link.write(&frame.encode()).unwrap();
    let reply = Frame::decode(&link.read(FAST).unwrap().unwrap()).unwrap();
    assert_eq!(reply.status(), Status::BadParam);
}

#[test]
fn busy_while_another_write_is_open() {
    let sim = SimulatedEncoder::in_memory();
    let uid = sim.present_blank_card();
    // Another host opens a write and goes away.
    let mut other = sim.link();
    let begin = Request::WriteBegin(WriteBegin {
        op_id: op(7),
        uid: uid.clone(),
        image_len: 10,
        image_hash: image_hash(&[0; 10]),
        progress_events: false,
    });
    other.write(&begin.to_frame(1).unwrap().encode()).unwrap();
    let reply = Frame::decode(&other.read(FAST).unwrap().unwrap()).unwrap();
    assert_eq!(
        Reply::from_frame(&reply).unwrap(),
        Reply::WriteBegin {
            already_written: false
        }
    );
    drop(other);

    let mut encoder = client(&sim);
    assert_eq!(
        encoder.op_result(op(7)).unwrap(),
        (OpState::Pending, Some(uid.clone()))
    );
    assert_eq!(
        encoder.write_card(op(1), &uid, &image(10, 0), &mut no_progress()),
        Err(EncoderError::Busy)
    );
    encoder.abort(op(7)).unwrap();
    assert_eq!(encoder.op_result(op(7)).unwrap().0, OpState::Failed);
    encoder
        .write_card(op(1), &uid, &image(10, 0), &mut no_progress())
        .unwrap();
}

#[test]
fn busy_in_the_middle_of_a_write_aborts_it() {
    let sim = SimulatedEncoder::in_memory();
    let mut encoder = client(&sim);
    let uid = sim.present_blank_card();
    sim.fail_on(Command::Chunk, Fault::Busy);
    assert_eq!(
        encoder.write_card(op(1), &uid, &image(200, 0), &mut no_progress()),
        Err(EncoderError::Busy)
    );
    assert_eq!(sim.op_result(&op(1)).0, OpState::Failed);
    encoder
        .write_card(op(2), &uid, &image(200, 0), &mut no_progress())
        .unwrap();
}

#[test]
fn no_answer_in_the_middle_of_a_write_is_cleaned_up_before_the_next() {
    let sim = SimulatedEncoder::in_memory();
    let mut encoder = client(&sim);
    let timeout = Duration::from_millis(500);
    encoder.set_reply_timeout(timeout);
    let uid = sim.present_blank_card();
    sim.fail_on(Command::Chunk, Fault::NoAnswer);
    let started = Instant::now();
    assert_eq!(
        encoder.write_card(op(1), &uid, &image(200, 0), &mut no_progress()),
        Err(EncoderError::NoAnswer)
    );
    // One reply timeout, not two: no abort is waited for on a silent device.
    assert!(started.elapsed() < timeout * 2);
    assert_eq!(sim.op_result(&op(1)).0, OpState::Pending);
    // The next write, under another op id, aborts the stale one first.
    encoder
        .write_card(op(2), &uid, &image(200, 0), &mut no_progress())
        .unwrap();
    assert_eq!(sim.op_result(&op(1)).0, OpState::Failed);
    assert_eq!(sim.card(&uid).unwrap().op_id, Some(op(2)));
}

#[test]
fn no_answer_to_commit_is_an_unknown_outcome() {
    let sim = SimulatedEncoder::in_memory();
    let mut encoder = client(&sim);
    let uid = sim.present_blank_card();
    let data = image(100, 0);
    sim.fail_on(Command::Commit, Fault::NoAnswer);
    assert_eq!(
        encoder.write_card(op(1), &uid, &data, &mut no_progress()),
        Err(EncoderError::OutcomeUnknown { op_id: op(1) })
    );
    // This device never took the COMMIT: the write is still open, nothing is on the card.
    assert_eq!(encoder.op_result(op(1)).unwrap().0, OpState::Pending);
    // Writing the same op id again restarts it and writes once.
    encoder
        .write_card(op(1), &uid, &data, &mut no_progress())
        .unwrap();
    assert_eq!(sim.card(&uid).unwrap().writes, 1);
}

#[test]
fn card_removed_mid_write_writes_nothing() {
    let sim = SimulatedEncoder::in_memory();
    let mut encoder = client(&sim);
    let uid = sim.present_blank_card();
    sim.fail_next(Fault::CardRemovedMidWrite);
    assert_eq!(
        encoder.write_card(op(1), &uid, &image(512, 0), &mut no_progress()),
        Err(EncoderError::CardRemoved)
    );
    let card = sim.card(&uid).unwrap();
    assert!(card.image.is_empty());
    assert_eq!(card.writes, 0);
    assert_eq!(encoder.op_result(op(1)).unwrap().0, OpState::Failed);
    assert!(encoder.take_events().contains(&Event::CardRemoved));
    // Put back, the same op id writes.
    assert!(sim.present_card(&uid));
    encoder
        .write_card(op(1), &uid, &image(512, 0), &mut no_progress())
        .unwrap();
    assert_eq!(sim.card(&uid).unwrap().writes, 1);
}

#[test]
fn a_damaged_card_is_left_as_it_was() {
    let sim = SimulatedEncoder::in_memory();
    let mut encoder = client(&sim);
    let uid = write_new_card(&sim, &mut encoder, op(1), &image(64, 1));
    sim.fail_next(Fault::DamagedCard);
    assert_eq!(
        encoder.write_card(op(2), &uid, &image(64, 2), &mut no_progress()),
        Err(EncoderError::DamagedCard)
    );
    let card = sim.card(&uid).unwrap();
    assert_eq!(card.image, image(64, 1));
    assert_eq!(card.writes, 1);
    assert_eq!(encoder.op_result(op(2)).unwrap().0, OpState::Failed);
    // Reading can fail the same way.
    sim.fail_on(Command::Read, Fault::DamagedCard);
    assert_eq!(encoder.read_card(FAST), Err(EncoderError::DamagedCard));
    assert_eq!(encoder.read_card(FAST).unwrap().1, image(64, 1));
}

#[test]
fn a_card_taken_away_or_swapped_during_a_read_is_noticed() {
    // A link that runs `action` once, after the `after`-th report it sends.
    struct Meddling<F: FnMut() + Send> {
        inner: encoder::simulator::SimulatedLink,
        sent: usize,
        after: usize,
        action: F,
    }
    impl<F: FnMut() + Send> Link for Meddling<F> {
        fn write(&mut self, report: &[u8; REPORT_LEN]) -> Result<(), LinkError> {
            let result = self.inner.write(report);
            self.sent += 1;
            if self.sent == self.after {
                (self.action)();
            }
            result
        }
        fn read(&mut self, timeout: Duration) -> Result<Option<[u8; REPORT_LEN]>, LinkError> {
            self.inner.read(timeout)
        }
    }

    let sim = SimulatedEncoder::in_memory();
    let mut encoder = client(&sim);
    let first = write_new_card(&sim, &mut encoder, op(1), &image(100, 1));
    let second = write_new_card(&sim, &mut encoder, op(2), &image(100, 2));

    // Taken away after the first READ: the second READ finds no card.
    assert!(sim.present_card(&first));
    sim.fail_on(Command::Read, Fault::CardRemovedMidWrite);
    assert_eq!(encoder.read_card(FAST), Err(EncoderError::CardRemoved));

    // Swapped after the last READ (POLL, READ 56, READ 44, then the check POLL).
    assert!(sim.present_card(&first));
    let swapper = sim.clone();
    let mut encoder = Encoder::new(Box::new(Meddling {
        inner: sim.link(),
        sent: 0,
        after: 3,
        action: move || {
            swapper.present_card(&second);
        },
    }));
    encoder.set_reply_timeout(FAST);
    assert_eq!(encoder.read_card(FAST), Err(EncoderError::CardRemoved));
    // Left alone, it reads.
    assert_eq!(encoder.read_card(FAST).unwrap().1, image(100, 2));
}

// --- error types ---------------------------------------------------------------------------------

#[test]
fn errors_map_to_seam_types() {
    let cases = [
        (EncoderError::NoAnswer, "encoder_communication_timeout"),
        (EncoderError::Disconnected, "encoder_not_online"),
        (EncoderError::Io("x".into()), "encoder_not_online"),
        (EncoderError::Busy, "uncategorized_error"),
        (EncoderError::NoCardInTime, "no_credential_on_encoder"),
        (EncoderError::CardRemoved, "encoding_interrupted"),
        (EncoderError::DamagedCard, "uncategorized_error"),
        (EncoderError::UnsupportedCard, "incompatible_card_format"),
        (
            EncoderError::OutcomeUnknown { op_id: op(1) },
            "encoding_interrupted",
        ),
        (
            EncoderError::Protocol(encoder::protocol::FrameError::Short { len: 0 }),
            "uncategorized_error",
        ),
    ];
    for (error, seam) in cases {
        assert_eq!(error.seam_error_type(), seam, "{error:?}");
    }
}
