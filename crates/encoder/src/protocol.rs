//! The encoder's HID reports: framing, typed requests, replies and events. Pure: no I/O, no
//! clock, so every byte of the protocol is unit-tested here and fuzzed in `fuzz/`.
//!
//! Fuzzing: `crates/encoder/fuzz` is a cargo-fuzz project (outside the workspace) with the
//! target `frame_decode`. Run `cargo install cargo-fuzz` once, then from that folder
//! `cargo +nightly fuzz run frame_decode -- -max_total_time=60` (on a stable toolchain,
//! `RUSTC_BOOTSTRAP=1 cargo fuzz run frame_decode ...` works too).
//!
//! # Report layout
//!
//! Every report is [`REPORT_LEN`] (64) bytes; the HID report id (0x00) that hidapi wants in
//! front is added by the link, not here.
//!
//! | byte            | field  | meaning                                                     |
//! |-----------------|--------|-------------------------------------------------------------|
//! | 0               | LEN    | length of DATA, `0..=`[`MAX_DATA`]                          |
//! | 1               | SEQ    | request number `1..=255` (wrapping); replies echo it; events carry 0 |
//! | 2               | CODE   | command; a reply is `command | 0x80`; events are `0x40..`   |
//! | 3               | STATUS | [`Status`]; `OK` in requests and in all events but `ERROR`  |
//! | 4..4+LEN        | DATA   | the payload of that command, reply or event                 |
//! | 4+LEN..6+LEN    | CRC    | CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF) over bytes `0..4+LEN`, little-endian |
//! | rest            |        | zero padding                                                |
//!
//! Multi-byte integers are little-endian. A UID travels as 11 bytes: its length (0 for "no
//! card", else 4, 7 or 10) and the UID padded with zeros to 10 bytes.
//!
//! # Payloads
//!
//! | command            | request DATA                                               | OK reply DATA                         |
//! |--------------------|------------------------------------------------------------|---------------------------------------|
//! | INFO 0x01          | –                                                          | protocol u8, firmware major u8, minor u8, max image len u16, serial len u8, serial (ASCII, ≤ 32) |
//! | STATUS 0x02        | –                                                          | flags u8: bit0 card present, bit1 write open |
//! | BEEP 0x03          | –                                                          | –                                     |
//! | POLL 0x10          | –                                                          | UID (11), image length on the card u16 |
//! | READ 0x11          | offset u16, len u8 (`1..=56`)                              | the bytes (`len`)                      |
//! | WRITE_BEGIN 0x20   | op id (16), UID (11), image len u16 (≥ 1), SHA-256(image)[..16], flags u8 (optional) | already written u8 (0 or 1) |
//! | CHUNK 0x21         | offset u16, `1..=56` bytes                                 | –                                     |
//! | COMMIT 0x22        | op id (16)                                                 | –                                     |
//! | ABORT 0x23         | op id (16)                                                 | –                                     |
//! | EJECT 0x24         | –                                                          | –                                     |
//! | GET_OP_RESULT 0x25 | op id (16)                                                 | [`OpState`] u8, UID (11)               |
//!
//! WRITE_BEGIN's flags: bit0 asks for PROGRESS events during COMMIT; other bits must be 0.
//! Without the flags byte (as hosts before it send) no PROGRESS is sent, and a host leaves it
//! out when no flag is set, so such a WRITE_BEGIN is the same bytes as before.
//!
//! A reply whose STATUS is not OK has no payload (the device may send some; it is ignored).
//! Events: CARD_ARRIVED 0x40 (UID), CARD_REMOVED 0x41 (–), PROGRESS 0x42 (done u16, total
//! u16; only for a write that asked), ERROR 0x43 (– ; the error is in STATUS).

use crc::{CRC_16_IBM_3740, Crc};
use sha2::{Digest, Sha256};
use thiserror::Error;

use crate::{CardUid, MAX_UID_LEN, UID_LENGTHS};

/// Bytes in one HID report (without the report id).
pub const REPORT_LEN: usize = 64;
/// LEN, SEQ, CODE, STATUS.
pub const HEADER_LEN: usize = 4;
/// The CRC after DATA.
pub const CRC_LEN: usize = 2;
/// The most DATA one report carries.
pub const MAX_DATA: usize = REPORT_LEN - HEADER_LEN - CRC_LEN;
/// The most image bytes one CHUNK or READ carries (DATA less the u16 offset).
pub const CHUNK_DATA: usize = 56;
/// Bytes in an operation id (a UUID's bytes).
pub const OP_ID_LEN: usize = 16;
/// Bytes of SHA-256 sent with WRITE_BEGIN.
pub const IMAGE_HASH_LEN: usize = 16;
/// Bytes a UID takes in a payload: its length and 10 bytes.
pub const UID_FIELD_LEN: usize = 1 + MAX_UID_LEN;
/// The longest serial number INFO carries.
pub const MAX_SERIAL_LEN: usize = 32;
/// The protocol version this crate speaks (INFO's first byte).
pub const PROTOCOL_VERSION: u8 = 1;

/// An operation id: the 16 bytes of the issuing intent's UUID. The encoder logs what became
/// of each one, so a write whose answer was lost can be resolved with GET_OP_RESULT.
pub type OpId = [u8; OP_ID_LEN];

/// An op id in lower-case hex, as logs print it.
pub fn op_id_hex(op_id: &OpId) -> String {
    op_id.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// The CRC-16/CCITT-FALSE (a.k.a. CRC-16/IBM-3740) the reports use.
pub const CRC16: Crc<u16> = Crc::<u16>::new(&CRC_16_IBM_3740);

/// The first 16 bytes of SHA-256 of an image, as WRITE_BEGIN carries it.
pub fn image_hash(image: &[u8]) -> [u8; IMAGE_HASH_LEN] {
    let digest = Sha256::digest(image);
    let mut hash = [0; IMAGE_HASH_LEN];
    hash.copy_from_slice(&digest[..IMAGE_HASH_LEN]);
    hash
}

/// What is wrong with a report, or with a reply given the request it answers.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum FrameError {
    #[error("report too short: {len} bytes")]
    Short { len: usize },
    #[error("bad data length {len} (at most {MAX_DATA})")]
    BadLength { len: u8 },
    #[error("bad CRC: computed {computed:#06x}, report says {received:#06x}")]
    BadCrc { computed: u16, received: u16 },
    #[error("unknown code {0:#04x}")]
    UnknownCode(u8),
    #[error("unknown status {0:#04x}")]
    UnknownStatus(u8),
    #[error("malformed payload for code {code:#04x}: {reason}")]
    BadData { code: u8, reason: &'static str },
    /// A reply whose SEQ is not the outstanding request's (0: no request was outstanding),
    /// or an event with a SEQ other than 0.
    #[error("out of order: expected SEQ {expected}, got {got}")]
    OutOfOrder { expected: u8, got: u8 },
    /// A reply to another command than the outstanding one.
    #[error("wrong reply: expected code {expected:#04x}, got {got:#04x}")]
    WrongReply { expected: u8, got: u8 },
    /// A frame of the wrong kind: a reply or event given as a request, or the reverse.
    #[error("unexpected code {0:#04x} here")]
    UnexpectedCode(u8),
}

/// A command the host sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Command {
    Info = 0x01,
    Status = 0x02,
    Beep = 0x03,
    Poll = 0x10,
    Read = 0x11,
    WriteBegin = 0x20,
    Chunk = 0x21,
    Commit = 0x22,
    Abort = 0x23,
    Eject = 0x24,
    GetOpResult = 0x25,
}

impl Command {
    pub const ALL: [Command; 11] = [
        Command::Info,
        Command::Status,
        Command::Beep,
        Command::Poll,
        Command::Read,
        Command::WriteBegin,
        Command::Chunk,
        Command::Commit,
        Command::Abort,
        Command::Eject,
        Command::GetOpResult,
    ];

    pub fn from_byte(byte: u8) -> Option<Command> {
        Self::ALL.into_iter().find(|command| *command as u8 == byte)
    }

    pub fn as_byte(self) -> u8 {
        self as u8
    }

    /// The code of this command's reply.
    pub fn reply_code(self) -> u8 {
        self as u8 | 0x80
    }

    /// Whether sending this command twice has the same effect as sending it once, so that it
    /// may be sent again when its reply was lost or garbled. WRITE_BEGIN (same op id restarts
    /// the open write) and CHUNK (same bytes at the same offset) are idempotent on the device
    /// too, but nothing is on the card before COMMIT, so the client does not need to repeat
    /// them. COMMIT is never repeated blindly: ask GET_OP_RESULT.
    pub fn is_idempotent(self) -> bool {
        matches!(
            self,
            Command::Info | Command::Status | Command::Poll | Command::Read | Command::GetOpResult
        )
    }
}

/// An unsolicited event's code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum EventCode {
    CardArrived = 0x40,
    CardRemoved = 0x41,
    Progress = 0x42,
    Error = 0x43,
}

impl EventCode {
    pub const ALL: [EventCode; 4] = [
        EventCode::CardArrived,
        EventCode::CardRemoved,
        EventCode::Progress,
        EventCode::Error,
    ];

    pub fn from_byte(byte: u8) -> Option<EventCode> {
        Self::ALL.into_iter().find(|code| *code as u8 == byte)
    }
}

/// The CODE byte, classified.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Code {
    Request(Command),
    Reply(Command),
    Event(EventCode),
}

impl Code {
    pub fn from_byte(byte: u8) -> Option<Code> {
        if let Some(event) = EventCode::from_byte(byte) {
            return Some(Code::Event(event));
        }
        if byte & 0x80 != 0 {
            Command::from_byte(byte & 0x7F).map(Code::Reply)
        } else {
            Command::from_byte(byte).map(Code::Request)
        }
    }

    pub fn as_byte(self) -> u8 {
        match self {
            Code::Request(command) => command.as_byte(),
            Code::Reply(command) => command.reply_code(),
            Code::Event(event) => event as u8,
        }
    }
}

/// The STATUS byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Status {
    Ok = 0,
    NoCard = 1,
    Auth = 2,
    Read = 3,
    Write = 4,
    Verify = 5,
    Busy = 6,
    Timeout = 7,
    CardChanged = 8,
    BadCrc = 9,
    BadParam = 10,
    UnknownCmd = 11,
}

impl Status {
    pub const ALL: [Status; 12] = [
        Status::Ok,
        Status::NoCard,
        Status::Auth,
        Status::Read,
        Status::Write,
        Status::Verify,
        Status::Busy,
        Status::Timeout,
        Status::CardChanged,
        Status::BadCrc,
        Status::BadParam,
        Status::UnknownCmd,
    ];

    pub fn from_byte(byte: u8) -> Option<Status> {
        Self::ALL.get(usize::from(byte)).copied()
    }

    pub fn as_byte(self) -> u8 {
        self as u8
    }

    /// The protocol's name for it, as written in the docs (`NO_CARD`, ...).
    pub fn name(self) -> &'static str {
        match self {
            Status::Ok => "OK",
            Status::NoCard => "NO_CARD",
            Status::Auth => "AUTH",
            Status::Read => "READ",
            Status::Write => "WRITE",
            Status::Verify => "VERIFY",
            Status::Busy => "BUSY",
            Status::Timeout => "TIMEOUT",
            Status::CardChanged => "CARD_CHANGED",
            Status::BadCrc => "BAD_CRC",
            Status::BadParam => "BAD_PARAM",
            Status::UnknownCmd => "UNKNOWN_CMD",
        }
    }
}

/// One report, checked: known code and status, DATA within [`MAX_DATA`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    seq: u8,
    code: Code,
    status: Status,
    data: Vec<u8>,
}

impl Frame {
    /// A frame; [`FrameError::BadLength`] if `data` is longer than [`MAX_DATA`].
    pub fn new(
        seq: u8,
        code: Code,
        status: Status,
        data: impl Into<Vec<u8>>,
    ) -> Result<Frame, FrameError> {
        let data = data.into();
        if data.len() > MAX_DATA {
            return Err(FrameError::BadLength {
                len: u8::try_from(data.len()).unwrap_or(u8::MAX),
            });
        }
        Ok(Frame {
            seq,
            code,
            status,
            data,
        })
    }

    pub fn seq(&self) -> u8 {
        self.seq
    }

    pub fn code(&self) -> Code {
        self.code
    }

    pub fn status(&self) -> Status {
        self.status
    }

    pub fn data(&self) -> &[u8] {
        &self.data
    }

    /// The 64-byte report.
    pub fn encode(&self) -> [u8; REPORT_LEN] {
        let mut report = [0u8; REPORT_LEN];
        let len = self.data.len();
        // `new` keeps `len <= MAX_DATA`, which fits in a byte.
        report[0] = len as u8;
        report[1] = self.seq;
        report[2] = self.code.as_byte();
        report[3] = self.status.as_byte();
        report[HEADER_LEN..HEADER_LEN + len].copy_from_slice(&self.data);
        let crc = CRC16.checksum(&report[..HEADER_LEN + len]);
        report[HEADER_LEN + len..HEADER_LEN + len + CRC_LEN].copy_from_slice(&crc.to_le_bytes());
        report
    }

    /// Parses a report. Bytes after the CRC (the padding) are not looked at, so a report may
    /// be given as all 64 bytes or only up to its CRC.
    pub fn decode(bytes: &[u8]) -> Result<Frame, FrameError> {
        if bytes.len() < HEADER_LEN {
            return Err(FrameError::Short { len: bytes.len() });
        }
        let len = usize::from(bytes[0]);
        if len > MAX_DATA {
            return Err(FrameError::BadLength { len: bytes[0] });
        }
        let end = HEADER_LEN + len;
        if bytes.len() < end + CRC_LEN {
            return Err(FrameError::Short { len: bytes.len() });
        }
        let computed = CRC16.checksum(&bytes[..end]);
        let received = u16::from_le_bytes([bytes[end], bytes[end + 1]]);
        if computed != received {
            return Err(FrameError::BadCrc { computed, received });
        }
        let code = Code::from_byte(bytes[2]).ok_or(FrameError::UnknownCode(bytes[2]))?;
        let status = Status::from_byte(bytes[3]).ok_or(FrameError::UnknownStatus(bytes[3]))?;
        Ok(Frame {
            seq: bytes[1],
            code,
            status,
            data: bytes[HEADER_LEN..end].to_vec(),
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Payload helpers

fn bad(code: u8, reason: &'static str) -> FrameError {
    FrameError::BadData { code, reason }
}

/// Reads a payload front to back, failing with `BadData` for the given code.
struct Fields<'a> {
    code: u8,
    data: &'a [u8],
}

impl<'a> Fields<'a> {
    fn new(code: u8, data: &'a [u8]) -> Self {
        Fields { code, data }
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], FrameError> {
        if self.data.len() < n {
            return Err(bad(self.code, "payload too short"));
        }
        let (head, rest) = self.data.split_at(n);
        self.data = rest;
        Ok(head)
    }

    fn u8(&mut self) -> Result<u8, FrameError> {
        Ok(self.take(1)?[0])
    }

    fn u16(&mut self) -> Result<u16, FrameError> {
        let bytes = self.take(2)?;
        Ok(u16::from_le_bytes([bytes[0], bytes[1]]))
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], FrameError> {
        let mut out = [0; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }

    fn uid(&mut self) -> Result<Option<CardUid>, FrameError> {
        let len = usize::from(self.u8()?);
        let padded = self.take(MAX_UID_LEN)?;
        if len == 0 {
            return Ok(None);
        }
        if !UID_LENGTHS.contains(&len) {
            return Err(bad(self.code, "UID length is not 4, 7 or 10"));
        }
        Ok(CardUid::new(&padded[..len]))
    }

    fn rest(&mut self) -> &'a [u8] {
        std::mem::take(&mut self.data)
    }

    fn end(self) -> Result<(), FrameError> {
        if self.data.is_empty() {
            Ok(())
        } else {
            Err(bad(self.code, "payload too long"))
        }
    }
}

fn put_uid(out: &mut Vec<u8>, uid: Option<&CardUid>) {
    let bytes = uid.map(CardUid::as_bytes).unwrap_or(&[]);
    out.push(bytes.len() as u8);
    let mut padded = [0u8; MAX_UID_LEN];
    padded[..bytes.len()].copy_from_slice(bytes);
    out.extend_from_slice(&padded);
}

// ---------------------------------------------------------------------------------------------
// Requests

/// What WRITE_BEGIN announces: the write that COMMIT will perform.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriteBegin {
    pub op_id: OpId,
    /// The card the image is for; the encoder refuses (CARD_CHANGED) if another is present.
    pub uid: CardUid,
    pub image_len: u16,
    /// [`image_hash`] of the image; COMMIT verifies the card's read-back against it.
    pub image_hash: [u8; IMAGE_HASH_LEN],
    /// Whether COMMIT sends PROGRESS events. Each takes a report slot of its own, so a host
    /// that tracks progress from the CHUNK replies leaves this off.
    pub progress_events: bool,
}

/// WRITE_BEGIN flags bit: PROGRESS events wanted.
const WRITE_FLAG_PROGRESS: u8 = 0b1;

/// A request, as the host builds it ([`Request::to_frame`]) and the device parses it
/// ([`Request::from_frame`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    Info,
    Status,
    Beep,
    Poll,
    /// `len` bytes of the card's image from `offset`; `len` is `1..=`[`CHUNK_DATA`].
    Read {
        offset: u16,
        len: u8,
    },
    WriteBegin(WriteBegin),
    /// `data` is `1..=`[`CHUNK_DATA`] bytes of the image at `offset`.
    Chunk {
        offset: u16,
        data: Vec<u8>,
    },
    Commit {
        op_id: OpId,
    },
    Abort {
        op_id: OpId,
    },
    Eject,
    GetOpResult {
        op_id: OpId,
    },
}

impl Request {
    pub fn command(&self) -> Command {
        match self {
            Request::Info => Command::Info,
            Request::Status => Command::Status,
            Request::Beep => Command::Beep,
            Request::Poll => Command::Poll,
            Request::Read { .. } => Command::Read,
            Request::WriteBegin(_) => Command::WriteBegin,
            Request::Chunk { .. } => Command::Chunk,
            Request::Commit { .. } => Command::Commit,
            Request::Abort { .. } => Command::Abort,
            Request::Eject => Command::Eject,
            Request::GetOpResult { .. } => Command::GetOpResult,
        }
    }

    /// The payload; `BadData` if the request cannot be expressed (an empty or oversized chunk,
    /// a read of 0 or more than 56 bytes, an empty image).
    pub fn payload(&self) -> Result<Vec<u8>, FrameError> {
        let code = self.command().as_byte();
        let mut out = Vec::new();
        match self {
            Request::Info | Request::Status | Request::Beep | Request::Poll | Request::Eject => {}
            Request::Read { offset, len } => {
                if *len == 0 || usize::from(*len) > CHUNK_DATA {
                    return Err(bad(code, "read length must be 1..=56"));
                }
                out.extend_from_slice(&offset.to_le_bytes());
                out.push(*len);
            }
            Request::WriteBegin(begin) => {
                if begin.image_len == 0 {
                    return Err(bad(code, "empty image"));
                }
                out.extend_from_slice(&begin.op_id);
                put_uid(&mut out, Some(&begin.uid));
                out.extend_from_slice(&begin.image_len.to_le_bytes());
                out.extend_from_slice(&begin.image_hash);
                // Omitted when 0, so devices that predate the flags byte still accept it.
                if begin.progress_events {
                    out.push(WRITE_FLAG_PROGRESS);
                }
            }
            Request::Chunk { offset, data } => {
                if data.is_empty() || data.len() > CHUNK_DATA {
                    return Err(bad(code, "chunk must carry 1..=56 bytes"));
                }
                out.extend_from_slice(&offset.to_le_bytes());
                out.extend_from_slice(data);
            }
            Request::Commit { op_id }
            | Request::Abort { op_id }
            | Request::GetOpResult { op_id } => {
                out.extend_from_slice(op_id);
            }
        }
        Ok(out)
    }

    pub fn to_frame(&self, seq: u8) -> Result<Frame, FrameError> {
        Frame::new(
            seq,
            Code::Request(self.command()),
            Status::Ok,
            self.payload()?,
        )
    }

    /// Parses a request frame (device side). STATUS is not looked at.
    pub fn from_frame(frame: &Frame) -> Result<Request, FrameError> {
        let Code::Request(command) = frame.code() else {
            return Err(FrameError::UnexpectedCode(frame.code().as_byte()));
        };
        let code = command.as_byte();
        let mut fields = Fields::new(code, frame.data());
        let request = match command {
            Command::Info => Request::Info,
            Command::Status => Request::Status,
            Command::Beep => Request::Beep,
            Command::Poll => Request::Poll,
            Command::Eject => Request::Eject,
            Command::Read => {
                let offset = fields.u16()?;
                let len = fields.u8()?;
                if len == 0 || usize::from(len) > CHUNK_DATA {
                    return Err(bad(code, "read length must be 1..=56"));
                }
                Request::Read { offset, len }
            }
            Command::WriteBegin => {
                let op_id = fields.array()?;
                let uid = fields.uid()?.ok_or(bad(code, "no UID"))?;
                let image_len = fields.u16()?;
                if image_len == 0 {
                    return Err(bad(code, "empty image"));
                }
                let image_hash = fields.array()?;
                let flags = if fields.data.is_empty() {
                    0
                } else {
                    fields.u8()?
                };
                if flags & !WRITE_FLAG_PROGRESS != 0 {
                    return Err(bad(code, "unknown write flags"));
                }
                Request::WriteBegin(WriteBegin {
                    op_id,
                    uid,
                    image_len,
                    image_hash,
                    progress_events: flags & WRITE_FLAG_PROGRESS != 0,
                })
            }
            Command::Chunk => {
                let offset = fields.u16()?;
                let data = fields.rest().to_vec();
                if data.is_empty() || data.len() > CHUNK_DATA {
                    return Err(bad(code, "chunk must carry 1..=56 bytes"));
                }
                Request::Chunk { offset, data }
            }
            Command::Commit => Request::Commit {
                op_id: fields.array()?,
            },
            Command::Abort => Request::Abort {
                op_id: fields.array()?,
            },
            Command::GetOpResult => Request::GetOpResult {
                op_id: fields.array()?,
            },
        };
        fields.end()?;
        Ok(request)
    }
}

// ---------------------------------------------------------------------------------------------
// Replies

/// INFO's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceInfo {
    pub protocol_version: u8,
    pub firmware_major: u8,
    pub firmware_minor: u8,
    /// The longest image WRITE_BEGIN accepts.
    pub max_image_len: u16,
    /// ASCII, at most [`MAX_SERIAL_LEN`] bytes.
    pub serial: String,
}

/// STATUS's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeviceStatus {
    pub card_present: bool,
    /// A WRITE_BEGIN is open (neither committed nor aborted).
    pub write_open: bool,
}

/// What the encoder's log says of an operation id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
#[repr(u8)]
pub enum OpState {
    /// The encoder has never seen this op id (nothing was written under it).
    Unknown = 0,
    /// The write is open right now: begun, not committed. Nothing is on the card yet.
    Pending = 1,
    /// The card (whose UID comes with it) holds this op's image, verified.
    Written = 2,
    /// The write ended without touching the card (aborted, refused, card removed, power lost
    /// before commit). The same op id may be written again.
    Failed = 3,
}

impl OpState {
    pub fn from_byte(byte: u8) -> Option<OpState> {
        [
            OpState::Unknown,
            OpState::Pending,
            OpState::Written,
            OpState::Failed,
        ]
        .get(usize::from(byte))
        .copied()
    }
}

/// A reply, as the device builds it ([`Reply::to_frame`]) and the host parses it
/// ([`Reply::from_frame`]). Every reply with a STATUS other than OK is [`Reply::Failed`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    Info(DeviceInfo),
    Status(DeviceStatus),
    Beep,
    /// A card is on the encoder; `image_len` is how many bytes of image it holds (0: blank).
    Poll {
        uid: CardUid,
        image_len: u16,
    },
    Read(Vec<u8>),
    /// The write may proceed; `already_written` means this op id was already written, with
    /// the same UID and hash, so there is nothing to send (the card is not written twice).
    WriteBegin {
        already_written: bool,
    },
    Chunk,
    Commit,
    Abort,
    Eject,
    OpResult {
        state: OpState,
        uid: Option<CardUid>,
    },
    Failed {
        command: Command,
        status: Status,
    },
}

impl Reply {
    pub fn command(&self) -> Command {
        match self {
            Reply::Info(_) => Command::Info,
            Reply::Status(_) => Command::Status,
            Reply::Beep => Command::Beep,
            Reply::Poll { .. } => Command::Poll,
            Reply::Read(_) => Command::Read,
            Reply::WriteBegin { .. } => Command::WriteBegin,
            Reply::Chunk => Command::Chunk,
            Reply::Commit => Command::Commit,
            Reply::Abort => Command::Abort,
            Reply::Eject => Command::Eject,
            Reply::OpResult { .. } => Command::GetOpResult,
            Reply::Failed { command, .. } => *command,
        }
    }

    pub fn status(&self) -> Status {
        match self {
            Reply::Failed { status, .. } => *status,
            _ => Status::Ok,
        }
    }

    pub fn to_frame(&self, seq: u8) -> Result<Frame, FrameError> {
        let code = self.command().reply_code();
        let mut out = Vec::new();
        match self {
            Reply::Beep | Reply::Chunk | Reply::Commit | Reply::Abort | Reply::Eject => {}
            Reply::Failed { status, .. } => {
                if *status == Status::Ok {
                    return Err(bad(code, "a failed reply needs a status other than OK"));
                }
            }
            Reply::Info(info) => {
                if info.serial.len() > MAX_SERIAL_LEN || !info.serial.is_ascii() {
                    return Err(bad(code, "serial must be ASCII, at most 32 bytes"));
                }
                out.extend_from_slice(&[
                    info.protocol_version,
                    info.firmware_major,
                    info.firmware_minor,
                ]);
                out.extend_from_slice(&info.max_image_len.to_le_bytes());
                out.push(info.serial.len() as u8);
                out.extend_from_slice(info.serial.as_bytes());
            }
            Reply::Status(status) => {
                out.push(u8::from(status.card_present) | (u8::from(status.write_open) << 1));
            }
            Reply::Poll { uid, image_len } => {
                put_uid(&mut out, Some(uid));
                out.extend_from_slice(&image_len.to_le_bytes());
            }
            Reply::Read(bytes) => {
                if bytes.len() > CHUNK_DATA {
                    return Err(bad(code, "read reply carries at most 56 bytes"));
                }
                out.extend_from_slice(bytes);
            }
            Reply::WriteBegin { already_written } => out.push(u8::from(*already_written)),
            Reply::OpResult { state, uid } => {
                out.push(*state as u8);
                put_uid(&mut out, uid.as_ref());
            }
        }
        Frame::new(seq, Code::Reply(self.command()), self.status(), out)
    }

    /// Parses a reply frame (host side). It does not check SEQ: see [`Sequencer`].
    pub fn from_frame(frame: &Frame) -> Result<Reply, FrameError> {
        let Code::Reply(command) = frame.code() else {
            return Err(FrameError::UnexpectedCode(frame.code().as_byte()));
        };
        if frame.status() != Status::Ok {
            return Ok(Reply::Failed {
                command,
                status: frame.status(),
            });
        }
        let code = command.reply_code();
        let mut fields = Fields::new(code, frame.data());
        let reply = match command {
            Command::Beep => Reply::Beep,
            Command::Chunk => Reply::Chunk,
            Command::Commit => Reply::Commit,
            Command::Abort => Reply::Abort,
            Command::Eject => Reply::Eject,
            Command::Info => {
                let protocol_version = fields.u8()?;
                let firmware_major = fields.u8()?;
                let firmware_minor = fields.u8()?;
                let max_image_len = fields.u16()?;
                let serial_len = usize::from(fields.u8()?);
                if serial_len > MAX_SERIAL_LEN {
                    return Err(bad(code, "serial longer than 32 bytes"));
                }
                let serial = fields.take(serial_len)?;
                if !serial.is_ascii() {
                    return Err(bad(code, "serial is not ASCII"));
                }
                Reply::Info(DeviceInfo {
                    protocol_version,
                    firmware_major,
                    firmware_minor,
                    max_image_len,
                    serial: String::from_utf8_lossy(serial).into_owned(),
                })
            }
            Command::Status => {
                let flags = fields.u8()?;
                if flags & !0b11 != 0 {
                    return Err(bad(code, "unknown status flags"));
                }
                Reply::Status(DeviceStatus {
                    card_present: flags & 1 != 0,
                    write_open: flags & 2 != 0,
                })
            }
            Command::Poll => {
                let uid = fields.uid()?.ok_or(bad(code, "OK poll without a UID"))?;
                let image_len = fields.u16()?;
                Reply::Poll { uid, image_len }
            }
            Command::Read => {
                let bytes = fields.rest();
                if bytes.len() > CHUNK_DATA {
                    return Err(bad(code, "read reply carries at most 56 bytes"));
                }
                Reply::Read(bytes.to_vec())
            }
            Command::WriteBegin => match fields.u8()? {
                0 => Reply::WriteBegin {
                    already_written: false,
                },
                1 => Reply::WriteBegin {
                    already_written: true,
                },
                _ => return Err(bad(code, "already-written flag must be 0 or 1")),
            },
            Command::GetOpResult => {
                let state =
                    OpState::from_byte(fields.u8()?).ok_or(bad(code, "unknown op state"))?;
                let uid = fields.uid()?;
                Reply::OpResult { state, uid }
            }
        };
        fields.end()?;
        Ok(reply)
    }
}

// ---------------------------------------------------------------------------------------------
// Events

/// An unsolicited report from the encoder (SEQ 0).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    CardArrived(CardUid),
    CardRemoved,
    /// `done` of `total` image bytes written to the card during COMMIT.
    Progress {
        done: u16,
        total: u16,
    },
    /// The device hit an error outside a request, or could not parse one (BAD_CRC,
    /// UNKNOWN_CMD): the status is never OK.
    Error(Status),
}

impl Event {
    pub fn code(&self) -> EventCode {
        match self {
            Event::CardArrived(_) => EventCode::CardArrived,
            Event::CardRemoved => EventCode::CardRemoved,
            Event::Progress { .. } => EventCode::Progress,
            Event::Error(_) => EventCode::Error,
        }
    }

    pub fn to_frame(&self) -> Result<Frame, FrameError> {
        let code = self.code() as u8;
        let mut out = Vec::new();
        let mut status = Status::Ok;
        match self {
            Event::CardArrived(uid) => put_uid(&mut out, Some(uid)),
            Event::CardRemoved => {}
            Event::Progress { done, total } => {
                if done > total {
                    return Err(bad(code, "progress beyond total"));
                }
                out.extend_from_slice(&done.to_le_bytes());
                out.extend_from_slice(&total.to_le_bytes());
            }
            Event::Error(error) => {
                if *error == Status::Ok {
                    return Err(bad(code, "an error event needs a status other than OK"));
                }
                status = *error;
            }
        }
        Frame::new(0, Code::Event(self.code()), status, out)
    }

    pub fn from_frame(frame: &Frame) -> Result<Event, FrameError> {
        let Code::Event(event) = frame.code() else {
            return Err(FrameError::UnexpectedCode(frame.code().as_byte()));
        };
        if frame.seq() != 0 {
            return Err(FrameError::OutOfOrder {
                expected: 0,
                got: frame.seq(),
            });
        }
        let code = event as u8;
        let mut fields = Fields::new(code, frame.data());
        let parsed = match event {
            EventCode::CardArrived => Event::CardArrived(
                fields
                    .uid()?
                    .ok_or(bad(code, "card arrived without a UID"))?,
            ),
            EventCode::CardRemoved => Event::CardRemoved,
            EventCode::Progress => {
                let done = fields.u16()?;
                let total = fields.u16()?;
                if done > total {
                    return Err(bad(code, "progress beyond total"));
                }
                Event::Progress { done, total }
            }
            EventCode::Error => {
                if frame.status() == Status::Ok {
                    return Err(bad(code, "error event with status OK"));
                }
                Event::Error(frame.status())
            }
        };
        fields.end()?;
        Ok(parsed)
    }
}

// ---------------------------------------------------------------------------------------------
// Host-side sequencing

/// A report from the device, as the host sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Incoming {
    Reply(Reply),
    Event(Event),
}

/// Numbers the host's requests (SEQ `1..=255`, then 1 again; 0 is the events') and checks that
/// a reply answers the one outstanding request: same SEQ, same command.
#[derive(Debug, Clone, Default)]
pub struct Sequencer {
    last: u8,
    outstanding: Option<(u8, Command)>,
}

impl Sequencer {
    pub fn new() -> Sequencer {
        Sequencer::default()
    }

    /// The SEQ the next request gets.
    pub fn peek_seq(&self) -> u8 {
        if self.last == u8::MAX {
            1
        } else {
            self.last + 1
        }
    }

    /// Frames `request` with the next SEQ and makes it the outstanding request (replacing any
    /// earlier one, whose reply will then be refused as out of order).
    pub fn request(&mut self, request: &Request) -> Result<Frame, FrameError> {
        let seq = self.peek_seq();
        let frame = request.to_frame(seq)?;
        self.last = seq;
        self.outstanding = Some((seq, request.command()));
        Ok(frame)
    }

    /// The outstanding request's SEQ and command.
    pub fn outstanding(&self) -> Option<(u8, Command)> {
        self.outstanding
    }

    /// Gives up on the outstanding request: its reply, should it come, is refused.
    pub fn cancel(&mut self) {
        self.outstanding = None;
    }

    /// Classifies a frame from the device. An event passes whatever is outstanding. A reply
    /// must carry the outstanding SEQ ([`FrameError::OutOfOrder`]) and answer its command
    /// ([`FrameError::WrongReply`]); when it does, nothing is outstanding any more.
    pub fn accept(&mut self, frame: &Frame) -> Result<Incoming, FrameError> {
        match frame.code() {
            Code::Event(_) => Event::from_frame(frame).map(Incoming::Event),
            Code::Request(_) => Err(FrameError::UnexpectedCode(frame.code().as_byte())),
            Code::Reply(command) => {
                let Some((seq, expected)) = self.outstanding else {
                    return Err(FrameError::OutOfOrder {
                        expected: 0,
                        got: frame.seq(),
                    });
                };
                if frame.seq() != seq {
                    return Err(FrameError::OutOfOrder {
                        expected: seq,
                        got: frame.seq(),
                    });
                }
                if command != expected {
                    return Err(FrameError::WrongReply {
                        expected: expected.reply_code(),
                        got: command.reply_code(),
                    });
                }
                self.outstanding = None;
                Reply::from_frame(frame).map(Incoming::Reply)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc_is_ccitt_false() {
        // The catalogue check value of CRC-16/CCITT-FALSE (IBM-3740).
        assert_eq!(CRC16.checksum(b"123456789"), 0x29B1);
    }

    #[test]
    fn layout_of_a_report() {
        let frame = Frame::new(7, Code::Request(Command::Beep), Status::Ok, vec![0xAA]);
        let report = frame.as_ref().map(Frame::encode).ok();
        let report = report.unwrap_or([0; REPORT_LEN]);
        assert_eq!(&report[..5], &[1, 7, 0x03, 0, 0xAA]);
        let crc = CRC16.checksum(&report[..5]).to_le_bytes();
        assert_eq!(&report[5..7], &crc);
        assert!(report[7..].iter().all(|byte| *byte == 0));
    }

    #[test]
    fn codes_round_trip() {
        for byte in 0..=u8::MAX {
            if let Some(code) = Code::from_byte(byte) {
                assert_eq!(code.as_byte(), byte);
            }
        }
        assert_eq!(Code::from_byte(0x81), Some(Code::Reply(Command::Info)));
        assert_eq!(
            Code::from_byte(0x40),
            Some(Code::Event(EventCode::CardArrived))
        );
        assert_eq!(Code::from_byte(0x00), None);
        assert_eq!(Code::from_byte(0xC0), None);
    }

    #[test]
    fn sequence_wraps_past_zero() {
        let mut sequencer = Sequencer::new();
        let mut seen = Vec::new();
        for _ in 0..256 {
            let frame = sequencer.request(&Request::Poll);
            seen.push(frame.map(|frame| frame.seq()).unwrap_or(0));
        }
        assert_eq!(seen[0], 1);
        assert_eq!(seen[254], 255);
        assert_eq!(seen[255], 1);
        assert!(!seen.contains(&0));
    }
}
