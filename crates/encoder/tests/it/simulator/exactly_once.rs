//! Exactly-once writes across unplugs, and the cards and op log kept across reopening.

use encoder::client::EncoderError;
use encoder::link::Link;
use encoder::protocol::{Command, OpState, Request, Status, WriteBegin, image_hash};
use encoder::simulator::{Fault, SimulatedEncoder, UnplugAt};

use super::{FAST, client, image, no_progress, op, write_new_card};

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
