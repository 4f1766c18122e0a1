//! The client against the simulated encoder: the happy path, report counts, every fault with
//! its own error and a working next attempt, exactly-once writes across unplugs, persistence.
#![allow(clippy::unwrap_used)]

use std::mem::discriminant;
use std::time::{Duration, Instant};

use encoder::CardUid;
use encoder::client::{Encoder, EncoderError};
use encoder::link::{Link, LinkError};
use encoder::protocol::{
    CHUNK_DATA, CRC16, Command, Event, Frame, OpState, REPORT_LEN, Reply, Request, Status,
    WriteBegin, image_hash,
};
use encoder::simulator::{Fault, SimulatedEncoder, UnplugAt};

const FAST: Duration = Duration::from_millis(100);

fn client(sim: &SimulatedEncoder) -> Encoder {
    let mut encoder = Encoder::new(Box::new(sim.link()));
    encoder.set_reply_timeout(FAST);
    encoder.set_poll_interval(Duration::from_millis(5));
    encoder
}

fn image(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|at| (at as u8).wrapping_mul(31).wrapping_add(seed))
        .collect()
}

fn op(n: u8) -> [u8; 16] {
    [n; 16]
}

fn no_progress() -> impl FnMut(usize, usize) {
    |_, _| {}
}

/// Places a blank card and writes `image` on it under `op_id`.
fn write_new_card(
    sim: &SimulatedEncoder,
    encoder: &mut Encoder,
    op_id: [u8; 16],
    image: &[u8],
) -> CardUid {
    let uid = sim.present_blank_card();
    encoder
        .write_card(op_id, &uid, image, &mut no_progress())
        .unwrap();
    uid
}

// --- the happy path --------------------------------------------------------------------------

#[test]
fn write_and_read_back() {
    let sim = SimulatedEncoder::in_memory();
    let mut encoder = client(&sim);
    let info = encoder.info().unwrap();
    assert_eq!(info.serial, "SIM-0001");
    assert!(info.max_image_len >= 512);

    let uid = encoder.wait_for_card(FAST).unwrap();
    assert_eq!(uid.as_bytes()[0], 0x04);
    let data = image(512, 1);
    let mut seen = Vec::new();
    encoder
        .write_card(op(1), &uid, &data, &mut |done, total| {
            seen.push((done, total))
        })
        .unwrap();
    assert_eq!(seen.len(), 10);
    assert_eq!(seen.first(), Some(&(56, 512)));
    assert_eq!(seen.last(), Some(&(512, 512)));

    let card = sim.card(&uid).unwrap();
    assert_eq!(card.image, data);
    assert_eq!(card.op_id, Some(op(1)));
    assert_eq!(card.writes, 1);
    assert_eq!(
        encoder.op_result(op(1)).unwrap(),
        (OpState::Written, Some(uid.clone()))
    );
    assert_eq!(encoder.op_result(op(2)).unwrap(), (OpState::Unknown, None));

    let (read_uid, read) = encoder.read_card(FAST).unwrap();
    assert_eq!(read_uid, uid);
    assert_eq!(read, data);

    let events = encoder.take_events();
    assert!(
        events.contains(&Event::CardArrived(uid.clone())),
        "{events:?}"
    );
    assert!(
        !events
            .iter()
            .any(|event| matches!(event, Event::Progress { .. })),
        "{events:?}"
    );
    assert!(encoder.take_events().is_empty());

    encoder.beep().unwrap();
    encoder.eject().unwrap();
    assert_eq!(sim.card_on_encoder(), None);
    assert!(!encoder.status().unwrap().card_present);
}

/// Every report waiting in `link`, decoded.
fn drain(link: &mut impl Link) -> Vec<Frame> {
    std::iter::from_fn(|| link.read(Duration::ZERO).unwrap())
        .map(|report| Frame::decode(&report).unwrap())
        .collect()
}

fn progress_events(frames: &[Frame]) -> Vec<Event> {
    frames
        .iter()
        .filter_map(|frame| Event::from_frame(frame).ok())
        .filter(|event| matches!(event, Event::Progress { .. }))
        .collect()
}

#[test]
fn progress_events_only_when_asked() {
    for asked in [false, true] {
        let sim = SimulatedEncoder::in_memory();
        let uid = sim.present_blank_card();
        let mut link = sim.link();
        let data = image(512, 5);
        let mut requests = vec![Request::WriteBegin(WriteBegin {
            op_id: op(1),
            uid: uid.clone(),
            image_len: 512,
            image_hash: image_hash(&data),
            progress_events: asked,
        })];
        for (index, piece) in data.chunks(CHUNK_DATA).enumerate() {
            requests.push(Request::Chunk {
                offset: (index * CHUNK_DATA) as u16,
                data: piece.to_vec(),
            });
        }
        requests.push(Request::Commit { op_id: op(1) });
        for (seq, request) in (1..).zip(&requests) {
            link.write(&request.to_frame(seq).unwrap().encode())
                .unwrap();
        }
        let frames = drain(&mut link);
        assert_eq!(
            Reply::from_frame(frames.last().unwrap()).unwrap(),
            Reply::Commit
        );
        let expected: Vec<Event> = if asked {
            [128, 256, 384, 512]
                .into_iter()
                .map(|done| Event::Progress { done, total: 512 })
                .collect()
        } else {
            Vec::new()
        };
        assert_eq!(progress_events(&frames), expected, "asked: {asked}");
    }
}

/// A link that keeps a copy of every report the host writes.
struct Recording<L> {
    inner: L,
    sent: std::sync::Arc<std::sync::Mutex<Vec<[u8; REPORT_LEN]>>>,
}

impl<L: Link> Link for Recording<L> {
    fn write(&mut self, report: &[u8; REPORT_LEN]) -> Result<(), LinkError> {
        self.sent.lock().unwrap().push(*report);
        self.inner.write(report)
    }

    fn read(&mut self, timeout: Duration) -> Result<Option<[u8; REPORT_LEN]>, LinkError> {
        self.inner.read(timeout)
    }
}

#[test]
fn the_client_asks_for_no_progress_events() {
    let sim = SimulatedEncoder::in_memory();
    let uid = sim.present_blank_card();
    let mut observer = sim.link();
    let sent = std::sync::Arc::default();
    let mut encoder = Encoder::new(Box::new(Recording {
        inner: sim.link(),
        sent: std::sync::Arc::clone(&sent),
    }));
    encoder.set_reply_timeout(FAST);
    encoder
        .write_card(op(1), &uid, &image(512, 6), &mut no_progress())
        .unwrap();

    let begins: Vec<WriteBegin> = sent
        .lock()
        .unwrap()
        .iter()
        .filter_map(
            |report| match Request::from_frame(&Frame::decode(report).unwrap()) {
                Ok(Request::WriteBegin(begin)) => Some(begin),
                _ => None,
            },
        )
        .collect();
    assert_eq!(begins.len(), 1);
    assert!(!begins[0].progress_events);
    assert_eq!(progress_events(&drain(&mut observer)), Vec::new());
    assert!(encoder.take_events().is_empty());
}

#[test]
fn a_blank_card_reads_empty() {
    let sim = SimulatedEncoder::in_memory();
    let mut encoder = client(&sim);
    let uid = sim.present_blank_card();
    assert_eq!(encoder.read_card(FAST).unwrap(), (uid, Vec::new()));
}

#[test]
fn report_counts() {
    for len in [1usize, 55, 56, 57, 512, 1000, 4096] {
        let sim = SimulatedEncoder::in_memory();
        let mut encoder = client(&sim);
        let chunks = len.div_ceil(CHUNK_DATA) as u64;

        // Card already there: the write alone is ceil(len/56) + 2 reports.
        let uid = sim.present_blank_card();
        let before = sim.requests_received();
        encoder
            .write_card(op(1), &uid, &image(len, 3), &mut no_progress())
            .unwrap();
        assert_eq!(sim.requests_received() - before, chunks + 2, "len {len}");

        // Waiting for the card (auto-fed) and writing: at most ceil(len/56) + 3.
        let before = sim.requests_received();
        sim.remove_card();
        let uid = encoder.wait_for_card(FAST).unwrap();
        encoder
            .write_card(op(2), &uid, &image(len, 4), &mut no_progress())
            .unwrap();
        assert!(sim.requests_received() - before <= chunks + 3, "len {len}");
    }
}

#[test]
fn bad_image_lengths_are_refused_before_sending() {
    let sim = SimulatedEncoder::in_memory();
    let mut encoder = client(&sim);
    let uid = sim.present_blank_card();
    let before = sim.requests_received();
    for len in [0, 65_536] {
        assert_eq!(
            encoder.write_card(op(1), &uid, &vec![0; len], &mut no_progress()),
            Err(EncoderError::BadImageLength { len })
        );
    }
    assert_eq!(sim.requests_received(), before);
}

#[test]
fn writing_another_card_than_the_one_on_the_encoder() {
    let sim = SimulatedEncoder::in_memory();
    let mut encoder = client(&sim);
    let first = sim.present_blank_card();
    let _second = sim.present_blank_card();
    assert_eq!(
        encoder.write_card(op(1), &first, &image(100, 0), &mut no_progress()),
        Err(EncoderError::CardRemoved)
    );
    assert!(sim.present_card(&first));
    encoder
        .write_card(op(1), &first, &image(100, 0), &mut no_progress())
        .unwrap();
    assert!(!sim.present_card(&CardUid::new(&[1, 2, 3, 4]).unwrap()));
}

// --- faults -------------------------------------------------------------------------------------

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

// --- exactly once across unplugs -----------------------------------------------------------

#[test]
fn unplugged_before_commit_nothing_is_written_and_the_op_can_be_retried() {
    let sim = SimulatedEncoder::in_memory();
    let mut encoder = client(&sim);
    let uid = sim.present_blank_card();
    let data = image(512, 7);
    sim.fail_next(Fault::UnplugMidWrite(UnplugAt::BeforeCommit));
    assert_eq!(
        encoder.write_card(op(1), &uid, &data, &mut no_progress()),
        Err(EncoderError::Disconnected)
    );
    assert!(!sim.is_plugged());
    // The old connection stays dead, even after the plug comes back.
    sim.plug();
    assert_eq!(encoder.info(), Err(EncoderError::Disconnected));

    let mut encoder = client(&sim);
    assert_eq!(
        encoder.op_result(op(1)).unwrap(),
        (OpState::Failed, Some(uid.clone()))
    );
    assert_eq!(sim.card(&uid).unwrap().writes, 0);
    encoder
        .write_card(op(1), &uid, &data, &mut no_progress())
        .unwrap();
    assert_eq!(
        encoder.op_result(op(1)).unwrap(),
        (OpState::Written, Some(uid.clone()))
    );
    let card = sim.card(&uid).unwrap();
    assert_eq!((card.image, card.writes), (data, 1));
}

#[test]
fn unplugged_after_the_write_the_op_is_known_written_and_never_written_twice() {
    let sim = SimulatedEncoder::in_memory();
    let mut encoder = client(&sim);
    let uid = sim.present_blank_card();
    let data = image(512, 8);
    sim.fail_next(Fault::UnplugMidWrite(UnplugAt::AfterWrite));
    assert_eq!(
        encoder.write_card(op(1), &uid, &data, &mut no_progress()),
        Err(EncoderError::OutcomeUnknown { op_id: op(1) })
    );
    sim.plug();
    let mut encoder = client(&sim);
    assert_eq!(
        encoder.op_result(op(1)).unwrap(),
        (OpState::Written, Some(uid.clone()))
    );
    let card = sim.card(&uid).unwrap();
    assert_eq!(card.image, data);
    assert_eq!(card.op_id, Some(op(1)));
    assert_eq!(card.writes, 1);

    // The same op id again: the encoder says it is done, in one report, and does not write.
    let before = sim.requests_received();
    let mut seen = Vec::new();
    encoder
        .write_card(op(1), &uid, &data, &mut |done, total| {
            seen.push((done, total))
        })
        .unwrap();
    assert_eq!(sim.requests_received() - before, 1);
    assert_eq!(seen, vec![(512, 512)]);
    assert_eq!(sim.card(&uid).unwrap().writes, 1);

    // The same op id with other contents, or onto another card, is refused.
    let refused = EncoderError::Refused {
        command: Command::WriteBegin,
        status: Status::BadParam,
    };
    assert_eq!(
        encoder.write_card(op(1), &uid, &image(512, 9), &mut no_progress()),
        Err(refused.clone())
    );
    let other = sim.present_blank_card();
    assert_eq!(
        encoder.write_card(op(1), &other, &data, &mut no_progress()),
        Err(refused)
    );
    assert_eq!(sim.card(&uid).unwrap().writes, 1);
    assert_eq!(sim.card(&other).unwrap().writes, 0);
}

// --- persistence -------------------------------------------------------------------------------

#[test]
fn cards_and_the_op_log_survive_reopening_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("encoder.json");
    let data = image(512, 4);
    let (written, pending) = {
        let sim = SimulatedEncoder::open(&path).unwrap();
        assert!(path.exists());
        let mut encoder = client(&sim);
        let written = write_new_card(&sim, &mut encoder, op(1), &data);
        // A write left open when the process stops.
        let pending = sim.present_blank_card();
        let mut link = sim.link();
        let begin = Request::WriteBegin(WriteBegin {
            op_id: op(2),
            uid: pending.clone(),
            image_len: 3,
            image_hash: image_hash(&[1, 2, 3]),
            progress_events: false,
        });
        link.write(&begin.to_frame(1).unwrap().encode()).unwrap();
        assert_eq!(sim.op_result(&op(2)).0, OpState::Pending);
        (written, pending)
        // Dropped without any shutdown, as a killed process.
    };
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(serde_json::from_str::<serde_json::Value>(&text).is_ok());
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|entry| entry.unwrap().file_name())
        .collect();
    assert_eq!(leftovers.len(), 1, "{leftovers:?}");

    let sim = SimulatedEncoder::open(&path).unwrap();
    let card = sim.card(&written).unwrap();
    assert_eq!(
        (card.image.clone(), card.op_id, card.writes),
        (data.clone(), Some(op(1)), 1)
    );
    assert_eq!(sim.cards().len(), 2);
    assert_eq!(sim.card_on_encoder(), Some(pending.clone()));
    let mut encoder = client(&sim);
    assert_eq!(
        encoder.op_result(op(1)).unwrap(),
        (OpState::Written, Some(written.clone()))
    );
    // The open write died with the process.
    assert_eq!(
        encoder.op_result(op(2)).unwrap(),
        (OpState::Failed, Some(pending))
    );
    // The known card can be presented again and read back; the op id still never rewrites.
    assert!(sim.present_card(&written));
    assert_eq!(
        encoder.read_card(FAST).unwrap(),
        (written.clone(), data.clone())
    );
    encoder
        .write_card(op(1), &written, &data, &mut no_progress())
        .unwrap();
    assert_eq!(sim.card(&written).unwrap().writes, 1);
}

#[test]
fn a_file_that_is_not_ours_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("encoder.json");
    std::fs::write(&path, "{\"hello\": 1}").unwrap();
    let error = SimulatedEncoder::open(&path).unwrap_err();
    assert_eq!(error.kind(), std::io::ErrorKind::InvalidData);
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

// --- timing ------------------------------------------------------------------------------------

#[test]
fn with_one_millisecond_per_report() {
    let sim = SimulatedEncoder::in_memory();
    sim.set_report_delay(Duration::from_millis(1));
    let mut encoder = client(&sim);
    encoder.set_reply_timeout(Duration::from_secs(2));
    let started = Instant::now();
    let uid = encoder.wait_for_card(FAST).unwrap();
    encoder
        .write_card(op(1), &uid, &image(512, 0), &mut no_progress())
        .unwrap();
    let elapsed = started.elapsed();
    // 13 requests and 13 replies (and a few events) at 1 ms each.
    assert!(elapsed >= Duration::from_millis(26), "{elapsed:?}");
    eprintln!("poll + write of 512 bytes at 1 ms per report: {elapsed:?}");
}
