//! The happy path: writes and reads, progress events, report counts and their pace.

use std::time::{Duration, Instant};

use encoder::CardUid;
use encoder::client::{Encoder, EncoderError};
use encoder::link::{Link, LinkError};
use encoder::protocol::{
    CHUNK_DATA, Event, Frame, OpState, REPORT_LEN, Reply, Request, WriteBegin, image_hash,
};
use encoder::simulator::SimulatedEncoder;

use super::{FAST, client, image, no_progress, op};

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
