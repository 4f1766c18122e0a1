//! The report protocol: every request, reply and event round-trips, and every malformed
//! report is refused with its own error.
#![allow(clippy::unwrap_used)]

use encoder::CardUid;
use encoder::protocol::{
    CHUNK_DATA, CRC16, Code, Command, DeviceInfo, DeviceStatus, Event, EventCode, Frame,
    FrameError, Incoming, MAX_DATA, OpState, REPORT_LEN, Reply, Request, Sequencer, Status,
    WriteBegin, image_hash,
};
use proptest::prelude::*;

fn uid7() -> CardUid {
    CardUid::new(&[0x04, 1, 2, 3, 4, 5, 6]).unwrap()
}

/// A report with a correct CRC over whatever header and data are given.
fn raw(len: u8, seq: u8, code: u8, status: u8, data: &[u8]) -> [u8; REPORT_LEN] {
    let mut report = [0u8; REPORT_LEN];
    report[0] = len;
    report[1] = seq;
    report[2] = code;
    report[3] = status;
    report[4..4 + data.len()].copy_from_slice(data);
    let end = 4 + usize::from(len);
    let crc = CRC16.checksum(&report[..end]);
    report[end..end + 2].copy_from_slice(&crc.to_le_bytes());
    report
}

fn all_requests() -> Vec<Request> {
    vec![
        Request::Info,
        Request::Status,
        Request::Beep,
        Request::Poll,
        Request::Read { offset: 0, len: 1 },
        Request::Read {
            offset: 0xFFFF,
            len: CHUNK_DATA as u8,
        },
        Request::WriteBegin(WriteBegin {
            op_id: [7; 16],
            uid: uid7(),
            image_len: 512,
            image_hash: image_hash(&[1, 2, 3]),
            progress_events: false,
        }),
        Request::WriteBegin(WriteBegin {
            op_id: [0; 16],
            uid: CardUid::new(&[1, 2, 3, 4]).unwrap(),
            image_len: u16::MAX,
            image_hash: [0xFF; 16],
            progress_events: true,
        }),
        Request::WriteBegin(WriteBegin {
            op_id: [0xAB; 16],
            uid: CardUid::new(&[9; 10]).unwrap(),
            image_len: 1,
            image_hash: [1; 16],
            progress_events: true,
        }),
        Request::Chunk {
            offset: 0,
            data: vec![0x55],
        },
        Request::Chunk {
            offset: 56 * 9,
            data: vec![0xEE; CHUNK_DATA],
        },
        Request::Commit { op_id: [1; 16] },
        Request::Abort { op_id: [2; 16] },
        Request::Eject,
        Request::GetOpResult { op_id: [3; 16] },
    ]
}

fn all_replies() -> Vec<Reply> {
    let mut replies = vec![
        Reply::Info(DeviceInfo {
            protocol_version: 1,
            firmware_major: 2,
            firmware_minor: 3,
            max_image_len: 4096,
            serial: "ENC-123".to_owned(),
        }),
        Reply::Info(DeviceInfo {
            protocol_version: 1,
            firmware_major: 0,
            firmware_minor: 0,
            max_image_len: 0,
            serial: "X".repeat(32),
        }),
        Reply::Beep,
        Reply::Poll {
            uid: uid7(),
            image_len: 0,
        },
        Reply::Poll {
            uid: CardUid::new(&[1, 2, 3, 4]).unwrap(),
            image_len: 512,
        },
        Reply::Read(vec![]),
        Reply::Read(vec![0x42; CHUNK_DATA]),
        Reply::WriteBegin {
            already_written: false,
        },
        Reply::WriteBegin {
            already_written: true,
        },
        Reply::Chunk,
        Reply::Commit,
        Reply::Abort,
        Reply::Eject,
        Reply::OpResult {
            state: OpState::Unknown,
            uid: None,
        },
        Reply::OpResult {
            state: OpState::Pending,
            uid: Some(uid7()),
        },
        Reply::OpResult {
            state: OpState::Written,
            uid: Some(CardUid::new(&[5; 10]).unwrap()),
        },
        Reply::OpResult {
            state: OpState::Failed,
            uid: Some(uid7()),
        },
    ];
    for card_present in [false, true] {
        for write_open in [false, true] {
            replies.push(Reply::Status(DeviceStatus {
                card_present,
                write_open,
            }));
        }
    }
    for command in Command::ALL {
        for status in Status::ALL.into_iter().skip(1) {
            replies.push(Reply::Failed { command, status });
        }
    }
    replies
}

fn all_events() -> Vec<Event> {
    let mut events = vec![
        Event::CardArrived(uid7()),
        Event::CardArrived(CardUid::new(&[1, 2, 3, 4]).unwrap()),
        Event::CardRemoved,
        Event::Progress { done: 0, total: 0 },
        Event::Progress {
            done: 128,
            total: 512,
        },
        Event::Progress {
            done: 512,
            total: 512,
        },
    ];
    events.extend(Status::ALL.into_iter().skip(1).map(Event::Error));
    events
}

#[test]
fn every_request_round_trips() {
    for request in all_requests() {
        let frame = request.to_frame(42).unwrap();
        assert_eq!(frame.code(), Code::Request(request.command()));
        let report = frame.encode();
        let decoded = Frame::decode(&report).unwrap();
        assert_eq!(decoded, frame);
        assert_eq!(Request::from_frame(&decoded).unwrap(), request);
    }
}

#[test]
fn every_reply_round_trips() {
    for reply in all_replies() {
        let frame = reply.to_frame(9).unwrap();
        assert_eq!(frame.code(), Code::Reply(reply.command()));
        assert_eq!(frame.status(), reply.status());
        let decoded = Frame::decode(&frame.encode()).unwrap();
        assert_eq!(Reply::from_frame(&decoded).unwrap(), reply, "{reply:?}");
    }
}

#[test]
fn every_event_round_trips() {
    for event in all_events() {
        let frame = event.to_frame().unwrap();
        assert_eq!(frame.seq(), 0);
        assert_eq!(frame.code(), Code::Event(event.code()));
        let decoded = Frame::decode(&frame.encode()).unwrap();
        assert_eq!(Event::from_frame(&decoded).unwrap(), event);
    }
}

#[test]
fn a_write_of_512_bytes_takes_ten_chunks() {
    assert_eq!(512usize.div_ceil(CHUNK_DATA), 10);
    assert_eq!(MAX_DATA, 58);
}

// --- malformed frames ----------------------------------------------------------------------

#[test]
fn short_reports() {
    assert_eq!(Frame::decode(&[]), Err(FrameError::Short { len: 0 }));
    assert_eq!(Frame::decode(&[0, 1, 2]), Err(FrameError::Short { len: 3 }));
    // Header only: the CRC is missing.
    assert_eq!(
        Frame::decode(&[0, 1, 0x01, 0]),
        Err(FrameError::Short { len: 4 })
    );
    // LEN says 10 bytes of data, 8 bytes follow the header.
    let report = raw(10, 1, 0x01, 0, &[0; 10]);
    assert_eq!(
        Frame::decode(&report[..12]),
        Err(FrameError::Short { len: 12 })
    );
    // Exactly up to the CRC is enough.
    let report = Request::Beep.to_frame(1).unwrap().encode();
    assert!(Frame::decode(&report[..6]).is_ok());
}

#[test]
fn bad_length() {
    let mut report = [0u8; REPORT_LEN];
    report[0] = 59;
    assert_eq!(
        Frame::decode(&report),
        Err(FrameError::BadLength { len: 59 })
    );
    report[0] = 0xFF;
    assert_eq!(
        Frame::decode(&report),
        Err(FrameError::BadLength { len: 0xFF })
    );
    assert!(matches!(
        Frame::new(1, Code::Request(Command::Chunk), Status::Ok, vec![0; 59]),
        Err(FrameError::BadLength { len: 59 })
    ));
}

#[test]
fn bad_crc() {
    let good = Request::Read { offset: 3, len: 4 }
        .to_frame(5)
        .unwrap()
        .encode();
    // A flipped bit anywhere in header, data or CRC is caught.
    for byte in 0..7 {
        for bit in 0..8 {
            let mut report = good;
            report[byte] ^= 1 << bit;
            let result = Frame::decode(&report);
            // A flipped LEN may also point past the room there is.
            assert!(
                matches!(
                    result,
                    Err(FrameError::BadCrc { .. } | FrameError::BadLength { .. })
                ),
                "byte {byte} bit {bit}: {result:?}"
            );
        }
    }
    // The padding is not covered and not looked at.
    let mut report = good;
    report[63] = 0xFF;
    assert!(Frame::decode(&report).is_ok());
}

#[test]
fn unknown_code() {
    for code in [0x00, 0x04, 0x12, 0x26, 0x3F, 0x44, 0x80, 0x84, 0xC0, 0xFF] {
        let report = raw(0, 1, code, 0, &[]);
        assert_eq!(
            Frame::decode(&report),
            Err(FrameError::UnknownCode(code)),
            "{code:#x}"
        );
    }
}

#[test]
fn unknown_status() {
    for status in [12, 0x7F, 0xFF] {
        let report = raw(0, 1, 0x81, status, &[]);
        assert_eq!(
            Frame::decode(&report),
            Err(FrameError::UnknownStatus(status))
        );
    }
}

#[test]
fn frames_of_the_wrong_kind() {
    let reply = Reply::Beep.to_frame(1).unwrap();
    let request = Request::Beep.to_frame(1).unwrap();
    let event = Event::CardRemoved.to_frame().unwrap();
    assert_eq!(
        Request::from_frame(&reply),
        Err(FrameError::UnexpectedCode(0x83))
    );
    assert_eq!(
        Reply::from_frame(&request),
        Err(FrameError::UnexpectedCode(0x03))
    );
    assert_eq!(
        Event::from_frame(&request),
        Err(FrameError::UnexpectedCode(0x03))
    );
    assert_eq!(
        Request::from_frame(&event),
        Err(FrameError::UnexpectedCode(0x41))
    );
    // A device never sends requests.
    let mut sequencer = Sequencer::new();
    sequencer.request(&Request::Beep).unwrap();
    assert_eq!(
        sequencer.accept(&request),
        Err(FrameError::UnexpectedCode(0x03))
    );
}

#[test]
fn out_of_order_and_wrong_replies() {
    let mut sequencer = Sequencer::new();
    // Nothing outstanding: any reply is out of order.
    let stray = Reply::Beep.to_frame(1).unwrap();
    assert_eq!(
        sequencer.accept(&stray),
        Err(FrameError::OutOfOrder {
            expected: 0,
            got: 1
        })
    );

    let first = sequencer.request(&Request::Poll).unwrap();
    assert_eq!(first.seq(), 1);
    let second = sequencer.request(&Request::Poll).unwrap();
    assert_eq!(second.seq(), 2);
    // The reply to the first request arrives after the second was sent.
    let late = Reply::Failed {
        command: Command::Poll,
        status: Status::NoCard,
    }
    .to_frame(1)
    .unwrap();
    assert_eq!(
        sequencer.accept(&late),
        Err(FrameError::OutOfOrder {
            expected: 2,
            got: 1
        })
    );
    // Right SEQ, wrong command.
    let wrong = Reply::Beep.to_frame(2).unwrap();
    assert_eq!(
        sequencer.accept(&wrong),
        Err(FrameError::WrongReply {
            expected: 0x90,
            got: 0x83
        })
    );
    // Events pass whatever is outstanding.
    let event = Event::CardArrived(uid7()).to_frame().unwrap();
    assert_eq!(
        sequencer.accept(&event),
        Ok(Incoming::Event(Event::CardArrived(uid7())))
    );
    // The right reply is accepted once.
    let right = Reply::Poll {
        uid: uid7(),
        image_len: 0,
    }
    .to_frame(2)
    .unwrap();
    assert!(matches!(
        sequencer.accept(&right),
        Ok(Incoming::Reply(Reply::Poll { .. }))
    ));
    assert_eq!(sequencer.outstanding(), None);
    assert_eq!(
        sequencer.accept(&right),
        Err(FrameError::OutOfOrder {
            expected: 0,
            got: 2
        })
    );
}

#[test]
fn events_carry_seq_zero() {
    let report = raw(0, 3, EventCode::CardRemoved as u8, 0, &[]);
    let frame = Frame::decode(&report).unwrap();
    assert_eq!(
        Event::from_frame(&frame),
        Err(FrameError::OutOfOrder {
            expected: 0,
            got: 3
        })
    );
}

#[test]
fn write_begin_flags_byte() {
    let begin = WriteBegin {
        op_id: [7; 16],
        uid: uid7(),
        image_len: 512,
        image_hash: [9; 16],
        progress_events: false,
    };
    // Not asking for PROGRESS sends the WRITE_BEGIN of before the flags byte.
    let quiet = Request::WriteBegin(begin.clone()).payload().unwrap();
    assert_eq!(quiet.len(), 45);
    let asking = Request::WriteBegin(WriteBegin {
        progress_events: true,
        ..begin.clone()
    });
    let asking_data = asking.payload().unwrap();
    assert_eq!(asking_data[..45], quiet[..]);
    assert_eq!(asking_data[45..], [1]);

    let parse = |data: &[u8]| {
        let report = raw(data.len() as u8, 1, 0x20, 0, data);
        Request::from_frame(&Frame::decode(&report).unwrap()).unwrap()
    };
    assert_eq!(parse(&asking_data), asking);
    // No flags byte, or one with no bit set: no PROGRESS.
    assert_eq!(parse(&quiet), Request::WriteBegin(begin.clone()));
    assert_eq!(
        parse(&[quiet.clone(), vec![0]].concat()),
        Request::WriteBegin(begin)
    );
}

fn request_data_error(code: u8, data: &[u8]) -> FrameError {
    let report = raw(data.len() as u8, 1, code, 0, data);
    let frame = Frame::decode(&report).unwrap();
    Request::from_frame(&frame).unwrap_err()
}

fn reply_data_error(code: u8, data: &[u8]) -> FrameError {
    let report = raw(data.len() as u8, 1, code, 0, data);
    let frame = Frame::decode(&report).unwrap();
    Reply::from_frame(&frame).unwrap_err()
}

fn event_data_error(code: u8, status: u8, data: &[u8]) -> FrameError {
    let report = raw(data.len() as u8, 0, code, status, data);
    let frame = Frame::decode(&report).unwrap();
    Event::from_frame(&frame).unwrap_err()
}

fn is_bad_data(error: &FrameError, code: u8) -> bool {
    matches!(error, FrameError::BadData { code: got, .. } if *got == code)
}

#[test]
fn bad_request_payloads() {
    let mut begin = Vec::new();
    begin.extend_from_slice(&[7; 16]);
    begin.push(7);
    begin.extend_from_slice(&[4, 1, 2, 3, 4, 5, 6, 0, 0, 0]);
    begin.extend_from_slice(&512u16.to_le_bytes());
    begin.extend_from_slice(&[9; 16]);
    assert_eq!(begin.len(), 45);
    let with = |at: usize, value: u8| {
        let mut data = begin.clone();
        data[at] = value;
        data
    };
    let cases: Vec<(u8, Vec<u8>)> = vec![
        // Commands without a payload refuse one.
        (0x01, vec![0]),
        (0x02, vec![1, 2]),
        (0x03, vec![0]),
        (0x10, vec![0]),
        (0x24, vec![0]),
        // READ: offset u16 + len 1..=56, exactly.
        (0x11, vec![]),
        (0x11, vec![0, 0]),
        (0x11, vec![0, 0, 0]),
        (0x11, vec![0, 0, 57]),
        (0x11, vec![0, 0, 1, 0]),
        // WRITE_BEGIN: 45 bytes and at most a flags byte of known bits, a UID of 4/7/10, a
        // non-empty image.
        (0x20, begin[..44].to_vec()),
        (0x20, [begin.clone(), vec![2]].concat()),
        (0x20, [begin.clone(), vec![0x80]].concat()),
        (0x20, [begin.clone(), vec![1, 0]].concat()),
        (0x20, with(16, 0)),
        (0x20, with(16, 5)),
        (0x20, with(16, 11)),
        (0x20, {
            let mut data = begin.clone();
            data[27] = 0;
            data[28] = 0;
            data
        }),
        // CHUNK: offset + 1..=56 bytes (more cannot fit in a report).
        (0x21, vec![]),
        (0x21, vec![0, 0]),
        // COMMIT, ABORT, GET_OP_RESULT: exactly an op id.
        (0x22, vec![1; 15]),
        (0x22, vec![1; 17]),
        (0x23, vec![]),
        (0x25, vec![1; 15]),
    ];
    for (code, data) in cases {
        let error = request_data_error(code, &data);
        assert!(is_bad_data(&error, code), "{code:#x} {data:?}: {error:?}");
    }
    // And the host refuses to build them.
    for request in [
        Request::Read { offset: 0, len: 0 },
        Request::Read { offset: 0, len: 57 },
        Request::Chunk {
            offset: 0,
            data: vec![],
        },
        Request::Chunk {
            offset: 0,
            data: vec![0; 57],
        },
        Request::WriteBegin(WriteBegin {
            op_id: [0; 16],
            uid: uid7(),
            image_len: 0,
            image_hash: [0; 16],
            progress_events: false,
        }),
    ] {
        assert!(
            matches!(request.to_frame(1), Err(FrameError::BadData { .. })),
            "{request:?}"
        );
    }
}

#[test]
fn bad_reply_payloads() {
    let uid_field = [7, 4, 1, 2, 3, 4, 5, 6, 0, 0, 0];
    let cases: Vec<(u8, Vec<u8>)> = vec![
        // Replies without a payload refuse one.
        (0x83, vec![0]),
        (0xA1, vec![0]),
        (0xA2, vec![0]),
        (0xA3, vec![0]),
        (0xA4, vec![0]),
        // INFO: short, serial too long, serial not ASCII, trailing bytes.
        (0x81, vec![1, 1, 0]),
        (0x81, [vec![1, 1, 0, 0, 16, 33], vec![b'A'; 33]].concat()),
        (0x81, vec![1, 1, 0, 0, 16, 1, 0xC3]),
        (0x81, vec![1, 1, 0, 0, 16, 0, 9]),
        // STATUS: one byte of known flags.
        (0x82, vec![]),
        (0x82, vec![4]),
        (0x82, vec![1, 0]),
        // POLL: OK needs a UID and a length.
        (0x90, vec![]),
        (0x90, [vec![0], vec![0; 10], vec![0, 0]].concat()),
        (0x90, [vec![5], vec![1; 10], vec![0, 0]].concat()),
        (0x90, uid_field.to_vec()),
        // READ: at most 56 bytes.
        (0x91, vec![0; 57]),
        // WRITE_BEGIN: a 0/1 flag.
        (0xA0, vec![]),
        (0xA0, vec![2]),
        (0xA0, vec![1, 0]),
        // GET_OP_RESULT: state 0..=3 and a UID field.
        (0xA5, vec![4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
        (0xA5, vec![2]),
        (0xA5, vec![2, 3, 1, 2, 3, 0, 0, 0, 0, 0, 0, 0]),
        (0xA5, [vec![2], uid_field.to_vec(), vec![0]].concat()),
    ];
    for (code, data) in cases {
        let error = reply_data_error(code, &data);
        assert!(is_bad_data(&error, code), "{code:#x} {data:?}: {error:?}");
    }
    // A failed reply's payload is not looked at.
    let report = raw(3, 1, 0x90, Status::NoCard as u8, &[1, 2, 3]);
    let frame = Frame::decode(&report).unwrap();
    assert_eq!(
        Reply::from_frame(&frame),
        Ok(Reply::Failed {
            command: Command::Poll,
            status: Status::NoCard
        })
    );
    // The device refuses to build nonsense.
    assert!(
        Reply::Failed {
            command: Command::Poll,
            status: Status::Ok
        }
        .to_frame(1)
        .is_err()
    );
    assert!(Reply::Read(vec![0; 57]).to_frame(1).is_err());
}

#[test]
fn bad_event_payloads() {
    for (code, status, data) in [
        (0x40u8, 0u8, vec![]),
        (0x40, 0, [vec![0], vec![0; 10]].concat()),
        (0x40, 0, [vec![3], vec![0; 10]].concat()),
        (0x41, 0, vec![1]),
        (0x42, 0, vec![1, 0]),
        (0x42, 0, vec![2, 0, 1, 0]),
        (0x42, 0, vec![1, 0, 1, 0, 0]),
        (0x43, 0, vec![]),
        (0x43, 4, vec![1]),
    ] {
        let error = event_data_error(code, status, &data);
        assert!(is_bad_data(&error, code), "{code:#x} {data:?}: {error:?}");
    }
    assert!(Event::Error(Status::Ok).to_frame().is_err());
    assert!(Event::Progress { done: 2, total: 1 }.to_frame().is_err());
}

// --- properties ----------------------------------------------------------------------------

fn any_code() -> impl Strategy<Value = Code> {
    prop_oneof![
        proptest::sample::select(Command::ALL.to_vec()).prop_map(Code::Request),
        proptest::sample::select(Command::ALL.to_vec()).prop_map(Code::Reply),
        proptest::sample::select(EventCode::ALL.to_vec()).prop_map(Code::Event),
    ]
}

fn any_uid() -> impl Strategy<Value = CardUid> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 4),
        proptest::collection::vec(any::<u8>(), 7),
        proptest::collection::vec(any::<u8>(), 10),
    ]
    .prop_map(|bytes| CardUid::new(&bytes).unwrap())
}

fn any_request() -> impl Strategy<Value = Request> {
    prop_oneof![
        Just(Request::Info),
        Just(Request::Status),
        Just(Request::Beep),
        Just(Request::Poll),
        Just(Request::Eject),
        (any::<u16>(), 1..=CHUNK_DATA as u8)
            .prop_map(|(offset, len)| Request::Read { offset, len }),
        (
            any::<[u8; 16]>(),
            any_uid(),
            1..=u16::MAX,
            any::<[u8; 16]>(),
            any::<bool>()
        )
            .prop_map(|(op_id, uid, image_len, image_hash, progress_events)| {
                Request::WriteBegin(WriteBegin {
                    op_id,
                    uid,
                    image_len,
                    image_hash,
                    progress_events,
                })
            }),
        (
            any::<u16>(),
            proptest::collection::vec(any::<u8>(), 1..=CHUNK_DATA)
        )
            .prop_map(|(offset, data)| Request::Chunk { offset, data }),
        any::<[u8; 16]>().prop_map(|op_id| Request::Commit { op_id }),
        any::<[u8; 16]>().prop_map(|op_id| Request::Abort { op_id }),
        any::<[u8; 16]>().prop_map(|op_id| Request::GetOpResult { op_id }),
    ]
}

proptest! {
    #[test]
    fn decode_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..100)) {
        if let Ok(frame) = Frame::decode(&bytes) {
            let _ = Request::from_frame(&frame);
            let _ = Reply::from_frame(&frame);
            let _ = Event::from_frame(&frame);
            let _ = Sequencer::new().accept(&frame);
        }
    }

    #[test]
    fn decode_never_panics_on_reports_with_a_good_crc(
        len in 0u8..=MAX_DATA as u8,
        seq in any::<u8>(),
        code in any::<u8>(),
        status in 0u8..14,
        data in proptest::collection::vec(any::<u8>(), MAX_DATA),
    ) {
        let report = raw(len, seq, code, status, &data[..usize::from(len)]);
        if let Ok(frame) = Frame::decode(&report) {
            let _ = Request::from_frame(&frame);
            let _ = Reply::from_frame(&frame);
            let _ = Event::from_frame(&frame);
        }
    }

    #[test]
    fn frames_round_trip(
        seq in any::<u8>(),
        code in any_code(),
        status in proptest::sample::select(Status::ALL.to_vec()),
        data in proptest::collection::vec(any::<u8>(), 0..=MAX_DATA),
    ) {
        let frame = Frame::new(seq, code, status, data).unwrap();
        let report = frame.encode();
        prop_assert_eq!(report.len(), REPORT_LEN);
        prop_assert_eq!(Frame::decode(&report), Ok(frame));
    }

    #[test]
    fn requests_round_trip(request in any_request(), seq in 1u8..) {
        let frame = request.to_frame(seq).unwrap();
        let decoded = Frame::decode(&frame.encode()).unwrap();
        prop_assert_eq!(Request::from_frame(&decoded), Ok(request));
    }
}
