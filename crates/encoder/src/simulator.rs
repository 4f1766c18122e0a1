//! A simulated desk encoder. It speaks the same 64-byte reports as the real one (see
//! [`crate::protocol`]), holds simulated cards, and fails on request in each way a real one
//! can ([`Fault`]), including an unplug in the middle of a write.
//!
//! [`SimulatedEncoder`] is a handle (cheap to clone; all clones share one device). Give
//! [`SimulatedEncoder::link`] to a [`crate::client::Encoder`]; the device runs inside the
//! link's `write`, so its replies are queued before `write` returns and a test is
//! deterministic.
//!
//! # Device behaviour
//!
//! - POLL answers the card on the encoder (UID and how many image bytes it holds). With
//!   auto-feed on (the default) and no card, a fresh blank card is placed first: it stands for
//!   the clerk taking the next blank from the stack.
//! - WRITE_BEGIN opens a write and logs its op id as pending. It answers BUSY if a write
//!   with another op id is open, NO_CARD without a card, CARD_CHANGED if the card on the
//!   encoder is not the UID given. The same op id again restarts the open write. An op id
//!   that was already **written** answers OK with "already written" when UID and hash match
//!   (nothing is sent or written again: the same op id never writes twice) and BAD_PARAM when
//!   they do not (the same op id with other contents is an error). An op id that failed may be
//!   written again.
//! - CHUNK fills the write buffer (the same chunk twice is harmless).
//! - COMMIT checks the buffer is complete and matches the hash (BAD_PARAM), that the card is
//!   the write's (NO_CARD / CARD_CHANGED), writes it, reads it back and verifies the hash
//!   (VERIFY), logs the op as written with the UID, and answers OK. Every COMMIT closes the
//!   write; one that fails leaves the card as it was and logs the op as failed. PROGRESS
//!   events come before the reply, and only when the WRITE_BEGIN asked for them.
//! - GET_OP_RESULT answers from the op log: pending (open now), written (+ UID), failed, or
//!   unknown. ABORT closes the open write (failed); with none open it is a no-op.
//! - READ returns the card's image bytes; EJECT takes the card off the encoder.
//! - Unplugging resets the device: the open write is lost (logged failed), queued reports are
//!   dropped, and every link opened before answers [`LinkError::Disconnected`] for good; after
//!   [`SimulatedEncoder::plug`], open a new link.
//!
//! # Persistence
//!
//! [`SimulatedEncoder::open`] keeps the cards, which card is on the encoder, and the op log
//! in a JSON file, rewritten atomically (temporary file, fsync, rename) after every change,
//! so they survive a killed process. An op still pending when the file is opened again is
//! logged failed, as after a power loss. Faults, auto-feed and the report delay are not kept.

use std::collections::{BTreeMap, VecDeque};
use std::fs;
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::CardUid;
use crate::link::{Link, LinkError};
use crate::protocol::{
    Command, DeviceInfo, DeviceStatus, Event, Frame, FrameError, HEADER_LEN, IMAGE_HASH_LEN, OpId,
    OpState, PROTOCOL_VERSION, REPORT_LEN, Reply, Request, Status, WriteBegin, image_hash,
};

/// The longest image the simulated encoder accepts (INFO's `max_image_len`).
pub const SIM_MAX_IMAGE_LEN: u16 = 4096;
/// The simulated encoder's serial number.
pub const SIM_SERIAL: &str = "SIM-0001";
/// PROGRESS events during COMMIT come every this many bytes.
const PROGRESS_STEP: usize = 128;
/// Reports waiting to be read beyond this many drop the oldest (events pile up when nobody
/// reads).
const INBOX_LIMIT: usize = 64;
const FILE_VERSION: u32 = 1;

/// Where an unplug in the middle of a write happens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnplugAt {
    /// At the next CHUNK: the link's `write` fails with `Disconnected`; the card is untouched
    /// and the op is logged failed.
    BeforeCommit,
    /// At the next COMMIT, after the card was written, verified and the op logged written,
    /// but before the reply went out: the host cannot know, GET_OP_RESULT can.
    AfterWrite,
}

/// A failure to stage. Each is one-shot: armed with [`SimulatedEncoder::fail_next`] it fires
/// on the next request it applies to (noted per variant), or with
/// [`SimulatedEncoder::fail_on`] on the next request of a given command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// At the next POLL: the card on the encoder (if any) is taken away and the blank stack is
    /// empty, so POLL answers NO_CARD even with auto-feed, until a card is presented by hand
    /// ([`SimulatedEncoder::present_blank_card`] / [`SimulatedEncoder::present_card`]).
    NoCardInTime,
    /// At the next POLL: answers TIMEOUT, as an encoder whose own wait for a card ran out, so
    /// the host gives up at once instead of polling out its own wait. Nothing else changes:
    /// the card on the encoder (if any) stays and the stack still feeds blanks.
    CardWaitExpired,
    /// At the next CHUNK: the chunk is taken, then the card leaves the encoder; COMMIT answers
    /// NO_CARD and nothing is written.
    CardRemovedMidWrite,
    /// At the next request: answers BUSY without doing anything.
    Busy,
    /// At the next request: ignores it (neither does it nor answers), so the read times out.
    NoAnswer,
    /// At the next request: it is done, and that many replies from then on arrive with a
    /// corrupted CRC.
    CrcErrors(u8),
    /// At the next COMMIT (or READ/POLL when aimed there): answers WRITE (READ for reads and
    /// polls); the card is unchanged and the op logged failed.
    DamagedCard,
    /// At the next POLL, READ or WRITE_BEGIN: answers AUTH (a card of the wrong kind).
    UnsupportedCard,
    /// The encoder is unplugged in the middle of a write; see [`UnplugAt`].
    UnplugMidWrite(UnplugAt),
}

impl Fault {
    fn fires_on(self, command: Command) -> bool {
        match self {
            Fault::Busy | Fault::NoAnswer | Fault::CrcErrors(_) => true,
            Fault::NoCardInTime | Fault::CardWaitExpired => command == Command::Poll,
            Fault::CardRemovedMidWrite | Fault::UnplugMidWrite(UnplugAt::BeforeCommit) => {
                command == Command::Chunk
            }
            Fault::DamagedCard | Fault::UnplugMidWrite(UnplugAt::AfterWrite) => {
                command == Command::Commit
            }
            Fault::UnsupportedCard => {
                matches!(command, Command::Poll | Command::Read | Command::WriteBegin)
            }
        }
    }
}

/// A card the simulated encoder knows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimulatedCard {
    pub uid: CardUid,
    /// The bytes written on it; empty for a blank card.
    pub image: Vec<u8>,
    /// The op id of the write that put `image` there.
    pub op_id: Option<OpId>,
    /// How many COMMITs wrote this card.
    pub writes: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct OpRecord {
    state: OpState,
    uid: CardUid,
    image_hash: [u8; IMAGE_HASH_LEN],
}

#[derive(Debug)]
struct OpenWrite {
    op_id: OpId,
    uid: CardUid,
    image_hash: [u8; IMAGE_HASH_LEN],
    buffer: Vec<u8>,
    filled: Vec<bool>,
    progress_events: bool,
}

#[derive(Debug)]
struct State {
    cards: BTreeMap<CardUid, SimulatedCard>,
    present: Option<CardUid>,
    ops: BTreeMap<OpId, OpRecord>,
    open: Option<OpenWrite>,
    auto_feed: bool,
    stack_empty: bool,
    plugged: bool,
    generation: u64,
    /// The reports waiting in each open link, by link id: like hidraw, every open handle
    /// gets its own copy of each report from the device.
    inboxes: BTreeMap<u64, VecDeque<[u8; REPORT_LEN]>>,
    next_link: u64,
    faults: Vec<(Option<Command>, Fault)>,
    corrupt_replies: u32,
    report_delay: Duration,
    requests: u64,
    path: Option<PathBuf>,
    persist_error: Option<String>,
    /// Something the file keeps changed since it was last written.
    dirty: bool,
}

#[derive(Debug)]
struct Shared {
    state: Mutex<State>,
    reports_changed: Condvar,
}

/// The simulated encoder. Clones share the same device.
#[derive(Debug, Clone)]
pub struct SimulatedEncoder {
    shared: Arc<Shared>,
}

/// A link to a [`SimulatedEncoder`]: `write` hands a request report to the device, `read`
/// takes the device's next reply or event report. Each link receives every report the device
/// sends from the moment it is opened (as each open hidraw handle does).
#[derive(Debug)]
pub struct SimulatedLink {
    encoder: SimulatedEncoder,
    id: u64,
    /// The device generation (plug cycle) this link was opened in; `None`: opened while
    /// unplugged, dead from the start.
    generation: Option<u64>,
}

impl State {
    fn new(path: Option<PathBuf>) -> State {
        State {
            cards: BTreeMap::new(),
            present: None,
            ops: BTreeMap::new(),
            open: None,
            auto_feed: true,
            stack_empty: false,
            plugged: true,
            generation: 0,
            inboxes: BTreeMap::new(),
            next_link: 0,
            faults: Vec::new(),
            corrupt_replies: 0,
            report_delay: Duration::ZERO,
            requests: 0,
            path,
            persist_error: None,
            dirty: false,
        }
    }

    fn alive(&self, generation: Option<u64>) -> bool {
        self.plugged && generation == Some(self.generation)
    }

    // --- outgoing reports ----------------------------------------------------------------

    fn push_report(&mut self, report: [u8; REPORT_LEN]) {
        if !self.plugged {
            return;
        }
        for inbox in self.inboxes.values_mut() {
            if inbox.len() >= INBOX_LIMIT {
                inbox.pop_front();
            }
            inbox.push_back(report);
        }
    }

    fn event(&mut self, event: Event) {
        if let Ok(frame) = event.to_frame() {
            self.push_report(frame.encode());
        }
    }

    fn reply(&mut self, seq: u8, reply: Reply) {
        let Ok(frame) = reply.to_frame(seq) else {
            return;
        };
        let mut report = frame.encode();
        if self.corrupt_replies > 0 {
            self.corrupt_replies -= 1;
            let crc_at = HEADER_LEN + frame.data().len();
            report[crc_at] ^= 0xA5;
        }
        self.push_report(report);
    }

    // --- cards -----------------------------------------------------------------------------

    fn place(&mut self, uid: CardUid) {
        if self.present.as_ref() == Some(&uid) {
            return;
        }
        self.take_away();
        self.dirty = true;
        self.present = Some(uid.clone());
        self.event(Event::CardArrived(uid));
    }

    fn take_away(&mut self) -> Option<CardUid> {
        let uid = self.present.take()?;
        self.dirty = true;
        self.event(Event::CardRemoved);
        Some(uid)
    }

    fn new_blank(&mut self) -> CardUid {
        loop {
            let uid = random_uid();
            if !self.cards.contains_key(&uid) {
                self.dirty = true;
                self.cards.insert(
                    uid.clone(),
                    SimulatedCard {
                        uid: uid.clone(),
                        image: Vec::new(),
                        op_id: None,
                        writes: 0,
                    },
                );
                return uid;
            }
        }
    }

    fn present_card(&self) -> Option<&SimulatedCard> {
        self.present.as_ref().and_then(|uid| self.cards.get(uid))
    }

    // --- faults ----------------------------------------------------------------------------

    fn take_fault(&mut self, command: Command) -> Option<Fault> {
        let index = self.faults.iter().position(|(on, fault)| match on {
            Some(on) => *on == command,
            None => fault.fires_on(command),
        })?;
        Some(self.faults.remove(index).1)
    }

    fn close_open_write_failed(&mut self) {
        if let Some(open) = self.open.take() {
            self.dirty = true;
            self.ops.insert(
                open.op_id,
                OpRecord {
                    state: OpState::Failed,
                    uid: open.uid,
                    image_hash: open.image_hash,
                },
            );
        }
    }

    fn unplug(&mut self) {
        self.plugged = false;
        self.dirty = true;
        self.generation += 1;
        self.inboxes.values_mut().for_each(VecDeque::clear);
        self.corrupt_replies = 0;
        self.close_open_write_failed();
    }

    // --- the device ------------------------------------------------------------------------

    /// One report from the host. `Err(Disconnected)` when the device went away on it.
    fn receive(&mut self, report: &[u8; REPORT_LEN]) -> Result<(), LinkError> {
        self.requests += 1;
        let frame = match Frame::decode(report) {
            Ok(frame) => frame,
            Err(FrameError::BadCrc { .. }) => {
                // Answer the command the header names, if it names one, so the host can tell
                // its request arrived garbled; otherwise say so in an event.
                match Command::from_byte(report[2]) {
                    Some(command) => self.reply(
                        report[1],
                        Reply::Failed {
                            command,
                            status: Status::BadCrc,
                        },
                    ),
                    None => self.event(Event::Error(Status::BadCrc)),
                }
                return Ok(());
            }
            Err(FrameError::UnknownCode(_)) => {
                self.event(Event::Error(Status::UnknownCmd));
                return Ok(());
            }
            Err(_) => {
                self.event(Event::Error(Status::BadParam));
                return Ok(());
            }
        };
        let request = match Request::from_frame(&frame) {
            Ok(request) => request,
            Err(FrameError::BadData { .. }) => {
                if let crate::protocol::Code::Request(command) = frame.code() {
                    self.reply(
                        frame.seq(),
                        Reply::Failed {
                            command,
                            status: Status::BadParam,
                        },
                    );
                }
                return Ok(());
            }
            Err(_) => {
                self.event(Event::Error(Status::UnknownCmd));
                return Ok(());
            }
        };
        let seq = frame.seq();
        let command = request.command();
        let fault = self.take_fault(command);
        let failed = |status| Reply::Failed { command, status };
        match fault {
            Some(Fault::NoAnswer) => return Ok(()),
            Some(Fault::Busy) => {
                self.reply(seq, failed(Status::Busy));
                return Ok(());
            }
            Some(Fault::UnsupportedCard) => {
                self.reply(seq, failed(Status::Auth));
                return Ok(());
            }
            Some(Fault::CardWaitExpired) => {
                self.reply(seq, failed(Status::Timeout));
                return Ok(());
            }
            Some(Fault::DamagedCard) => {
                let status = match command {
                    Command::Read | Command::Poll => Status::Read,
                    _ => Status::Write,
                };
                if command == Command::Commit {
                    self.close_open_write_failed();
                }
                self.reply(seq, failed(status));
                return Ok(());
            }
            Some(Fault::UnplugMidWrite(UnplugAt::BeforeCommit)) => {
                self.unplug();
                return Err(LinkError::Disconnected);
            }
            Some(Fault::CrcErrors(count)) => self.corrupt_replies += u32::from(count),
            Some(Fault::NoCardInTime) => {
                self.take_away();
                self.stack_empty = true;
            }
            Some(Fault::CardRemovedMidWrite | Fault::UnplugMidWrite(UnplugAt::AfterWrite))
            | None => {}
        }
        let reply = self.handle(request);
        self.reply(seq, reply);
        match fault {
            Some(Fault::CardRemovedMidWrite) => {
                self.take_away();
            }
            Some(Fault::UnplugMidWrite(UnplugAt::AfterWrite)) => self.unplug(),
            _ => {}
        }
        Ok(())
    }

    fn handle(&mut self, request: Request) -> Reply {
        let command = request.command();
        let failed = |status| Reply::Failed { command, status };
        match request {
            Request::Info => Reply::Info(DeviceInfo {
                protocol_version: PROTOCOL_VERSION,
                firmware_major: 1,
                firmware_minor: 0,
                max_image_len: SIM_MAX_IMAGE_LEN,
                serial: SIM_SERIAL.to_owned(),
            }),
            Request::Status => Reply::Status(DeviceStatus {
                card_present: self.present.is_some(),
                write_open: self.open.is_some(),
            }),
            Request::Beep => Reply::Beep,
            Request::Poll => {
                if self.present.is_none() && self.auto_feed && !self.stack_empty {
                    let uid = self.new_blank();
                    self.place(uid);
                }
                match self.present_card() {
                    Some(card) => Reply::Poll {
                        uid: card.uid.clone(),
                        image_len: card.image.len() as u16,
                    },
                    None => failed(Status::NoCard),
                }
            }
            Request::Read { offset, len } => {
                let Some(card) = self.present_card() else {
                    return failed(Status::NoCard);
                };
                let start = usize::from(offset);
                let end = start + usize::from(len);
                match card.image.get(start..end) {
                    Some(bytes) => Reply::Read(bytes.to_vec()),
                    None => failed(Status::BadParam),
                }
            }
            Request::WriteBegin(begin) => self.write_begin(begin),
            Request::Chunk { offset, data } => {
                let Some(open) = self.open.as_mut() else {
                    return failed(Status::BadParam);
                };
                let start = usize::from(offset);
                let end = start + data.len();
                if end > open.buffer.len() {
                    return failed(Status::BadParam);
                }
                open.buffer[start..end].copy_from_slice(&data);
                open.filled[start..end].fill(true);
                Reply::Chunk
            }
            Request::Commit { op_id } => self.commit(op_id),
            Request::Abort { op_id } => match &self.open {
                None => Reply::Abort,
                Some(open) if open.op_id == op_id => {
                    self.close_open_write_failed();
                    Reply::Abort
                }
                Some(_) => failed(Status::BadParam),
            },
            Request::Eject => {
                self.take_away();
                Reply::Eject
            }
            Request::GetOpResult { op_id } => match &self.open {
                Some(open) if open.op_id == op_id => Reply::OpResult {
                    state: OpState::Pending,
                    uid: Some(open.uid.clone()),
                },
                _ => match self.ops.get(&op_id) {
                    Some(record) => Reply::OpResult {
                        state: record.state,
                        uid: Some(record.uid.clone()),
                    },
                    None => Reply::OpResult {
                        state: OpState::Unknown,
                        uid: None,
                    },
                },
            },
        }
    }

    fn write_begin(&mut self, begin: WriteBegin) -> Reply {
        let failed = |status| Reply::Failed {
            command: Command::WriteBegin,
            status,
        };
        if let Some(record) = self.ops.get(&begin.op_id)
            && record.state == OpState::Written
        {
            return if record.uid == begin.uid && record.image_hash == begin.image_hash {
                Reply::WriteBegin {
                    already_written: true,
                }
            } else {
                failed(Status::BadParam)
            };
        }
        if let Some(open) = &self.open
            && open.op_id != begin.op_id
        {
            return failed(Status::Busy);
        }
        if begin.image_len > SIM_MAX_IMAGE_LEN {
            return failed(Status::BadParam);
        }
        match &self.present {
            None => return failed(Status::NoCard),
            Some(uid) if *uid != begin.uid => return failed(Status::CardChanged),
            Some(_) => {}
        }
        let len = usize::from(begin.image_len);
        self.dirty = true;
        self.ops.insert(
            begin.op_id,
            OpRecord {
                state: OpState::Pending,
                uid: begin.uid.clone(),
                image_hash: begin.image_hash,
            },
        );
        self.open = Some(OpenWrite {
            op_id: begin.op_id,
            uid: begin.uid,
            image_hash: begin.image_hash,
            buffer: vec![0; len],
            filled: vec![false; len],
            progress_events: begin.progress_events,
        });
        Reply::WriteBegin {
            already_written: false,
        }
    }

    fn commit(&mut self, op_id: OpId) -> Reply {
        let failed = |status| Reply::Failed {
            command: Command::Commit,
            status,
        };
        let Some(open) = self.open.take_if(|open| open.op_id == op_id) else {
            return failed(Status::BadParam);
        };
        let fail = |state: &mut State, open: OpenWrite, status| {
            state.open = Some(open);
            state.close_open_write_failed();
            failed(status)
        };
        if open.filled.iter().any(|filled| !filled) || image_hash(&open.buffer) != open.image_hash {
            return fail(self, open, Status::BadParam);
        }
        match &self.present {
            None => return fail(self, open, Status::NoCard),
            Some(uid) if *uid != open.uid => return fail(self, open, Status::CardChanged),
            Some(_) => {}
        }
        let Some(card) = self.cards.get_mut(&open.uid) else {
            return fail(self, open, Status::NoCard);
        };
        let before = card.clone();
        card.image = open.buffer.clone();
        card.op_id = Some(open.op_id);
        card.writes += 1;
        // Read back and verify.
        if image_hash(&card.image) != open.image_hash {
            *card = before;
            return fail(self, open, Status::Verify);
        }
        self.ops.insert(
            open.op_id,
            OpRecord {
                state: OpState::Written,
                uid: open.uid.clone(),
                image_hash: open.image_hash,
            },
        );
        if let Err(error) = self.persist() {
            // Not durably recorded: undo, as a device whose log write failed would refuse.
            self.cards.insert(before.uid.clone(), before);
            self.persist_error = Some(error.to_string());
            return fail(self, open, Status::Write);
        }
        let total = open.buffer.len();
        let mut done = 0;
        while open.progress_events && done < total {
            done = (done + PROGRESS_STEP).min(total);
            self.event(Event::Progress {
                done: done as u16,
                total: total as u16,
            });
        }
        Reply::Commit
    }

    // --- persistence -----------------------------------------------------------------------

    fn persist(&mut self) -> io::Result<()> {
        let Some(path) = self.path.clone() else {
            self.dirty = false;
            return Ok(());
        };
        let saved = Saved {
            version: FILE_VERSION,
            present: self.present.as_ref().map(CardUid::to_hex),
            cards: self
                .cards
                .values()
                .map(|card| SavedCard {
                    uid: card.uid.to_hex(),
                    image: hex(&card.image),
                    op_id: card.op_id.as_ref().map(|op| hex(op)),
                    writes: card.writes,
                })
                .collect(),
            ops: self
                .ops
                .iter()
                .map(|(op_id, record)| SavedOp {
                    op_id: hex(op_id),
                    state: record.state,
                    uid: record.uid.to_hex(),
                    image_hash: hex(&record.image_hash),
                })
                .collect(),
        };
        let json = serde_json::to_vec_pretty(&saved).map_err(io::Error::other)?;
        write_atomically(&path, &json)?;
        self.dirty = false;
        Ok(())
    }

    /// Persists after a change that is not a commit: a failure is kept for
    /// [`SimulatedEncoder::persist_error`] rather than failing the request.
    fn persist_quietly(&mut self) {
        if !self.dirty {
            return;
        }
        if let Err(error) = self.persist() {
            self.persist_error = Some(error.to_string());
        }
    }

    fn load(path: &Path) -> io::Result<State> {
        let mut state = State::new(Some(path.to_owned()));
        let text = match fs::read(path) {
            Ok(text) => text,
            Err(error) if error.kind() == io::ErrorKind::NotFound => {
                state.persist()?;
                return Ok(state);
            }
            Err(error) => return Err(error),
        };
        let invalid = |what: &str| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("{}: {what}", path.display()),
            )
        };
        let saved: Saved =
            serde_json::from_slice(&text).map_err(|error| invalid(&error.to_string()))?;
        if saved.version != FILE_VERSION {
            return Err(invalid("unknown file version"));
        }
        for card in saved.cards {
            let uid = CardUid::from_hex(&card.uid).ok_or_else(|| invalid("bad card UID"))?;
            let image = unhex(&card.image).ok_or_else(|| invalid("bad card image"))?;
            let op_id = match card.op_id {
                Some(text) => Some(unhex_array(&text).ok_or_else(|| invalid("bad op id"))?),
                None => None,
            };
            state.cards.insert(
                uid.clone(),
                SimulatedCard {
                    uid,
                    image,
                    op_id,
                    writes: card.writes,
                },
            );
        }
        for op in saved.ops {
            let op_id = unhex_array(&op.op_id).ok_or_else(|| invalid("bad op id"))?;
            let uid = CardUid::from_hex(&op.uid).ok_or_else(|| invalid("bad op UID"))?;
            let image_hash = unhex_array(&op.image_hash).ok_or_else(|| invalid("bad op hash"))?;
            // A write open when the process stopped never committed: as after a power loss.
            let state_now = match op.state {
                OpState::Pending => OpState::Failed,
                other => other,
            };
            state.ops.insert(
                op_id,
                OpRecord {
                    state: state_now,
                    uid,
                    image_hash,
                },
            );
        }
        state.present = match saved.present {
            Some(text) => {
                let uid = CardUid::from_hex(&text).ok_or_else(|| invalid("bad present UID"))?;
                state.cards.contains_key(&uid).then_some(uid)
            }
            None => None,
        };
        Ok(state)
    }
}

#[derive(Serialize, Deserialize)]
struct Saved {
    version: u32,
    present: Option<String>,
    cards: Vec<SavedCard>,
    ops: Vec<SavedOp>,
}

#[derive(Serialize, Deserialize)]
struct SavedCard {
    uid: String,
    image: String,
    op_id: Option<String>,
    writes: u32,
}

#[derive(Serialize, Deserialize)]
struct SavedOp {
    op_id: String,
    state: OpState,
    uid: String,
    image_hash: String,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) || !text.is_ascii() {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|at| u8::from_str_radix(&text[at..at + 2], 16).ok())
        .collect()
}

fn unhex_array<const N: usize>(text: &str) -> Option<[u8; N]> {
    unhex(text)?.try_into().ok()
}

/// Writes `bytes` to `path` so that a reader (or a restarted process) sees either the old
/// file or the new one, never a torn one.
fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_owned(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_else(|| "encoder.json".to_owned());
    let temp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    {
        let mut file = fs::File::create(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
    }
    fs::rename(&temp, path)?;
    // Make the rename itself durable (best effort: not every platform can open a directory).
    if let Ok(dir) = fs::File::open(&dir) {
        let _ = dir.sync_all();
    }
    Ok(())
}

/// A random 7-byte UID starting 0x04 (NXP's manufacturer code, as on MIFARE/DESFire cards).
fn random_uid() -> CardUid {
    let mut bytes = [0u8; 7];
    if getrandom::fill(&mut bytes[1..]).is_err() {
        // No OS randomness: std's per-process random hash keys are enough for a simulation.
        use std::hash::{BuildHasher, Hasher};
        let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
        hasher.write_u128(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|time| time.as_nanos())
                .unwrap_or(0),
        );
        bytes[1..].copy_from_slice(&hasher.finish().to_le_bytes()[..6]);
    }
    bytes[0] = 0x04;
    CardUid::new(&bytes).unwrap_or_else(|| unreachable!("7 is a UID length"))
}

impl SimulatedEncoder {
    fn from_state(state: State) -> SimulatedEncoder {
        SimulatedEncoder {
            shared: Arc::new(Shared {
                state: Mutex::new(state),
                reports_changed: Condvar::new(),
            }),
        }
    }

    /// A simulated encoder that keeps nothing on disk.
    pub fn in_memory() -> SimulatedEncoder {
        SimulatedEncoder::from_state(State::new(None))
    }

    /// A simulated encoder whose cards and op log live in the JSON file at `path` (created if
    /// missing). `InvalidData` if the file is not one of ours.
    pub fn open(path: impl AsRef<Path>) -> io::Result<SimulatedEncoder> {
        Ok(SimulatedEncoder::from_state(State::load(path.as_ref())?))
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.shared
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Runs a change to the device and persists it.
    fn change<T>(&self, change: impl FnOnce(&mut State) -> T) -> T {
        let mut state = self.lock();
        let result = change(&mut state);
        state.persist_quietly();
        drop(state);
        self.shared.reports_changed.notify_all();
        result
    }

    /// A link to this encoder. Opened while unplugged, it is disconnected for good.
    pub fn link(&self) -> SimulatedLink {
        let mut state = self.lock();
        let id = state.next_link;
        state.next_link += 1;
        state.inboxes.insert(id, VecDeque::new());
        SimulatedLink {
            encoder: self.clone(),
            id,
            generation: state.plugged.then_some(state.generation),
        }
    }

    /// A link, or `Disconnected` while unplugged (as opening a missing HID device fails).
    pub fn connect(&self) -> Result<SimulatedLink, LinkError> {
        let link = self.link();
        match link.generation {
            Some(_) => Ok(link),
            None => Err(LinkError::Disconnected),
        }
    }

    /// How long each report takes in each direction (default zero). 1 ms is about a USB
    /// full-speed HID interrupt endpoint.
    pub fn set_report_delay(&self, delay: Duration) {
        self.lock().report_delay = delay;
    }

    /// Whether POLL without a card places a fresh blank one (default on).
    pub fn set_auto_feed(&self, on: bool) {
        self.lock().auto_feed = on;
    }

    /// Places a new blank card (random 7-byte UID starting 0x04) on the encoder, taking off
    /// any card there, and returns its UID.
    pub fn present_blank_card(&self) -> CardUid {
        self.change(|state| {
            let uid = state.new_blank();
            state.stack_empty = false;
            state.place(uid.clone());
            uid
        })
    }

    /// Places a card the encoder knows back on it; `false` (and nothing happens) for a UID it
    /// does not know.
    pub fn present_card(&self, uid: &CardUid) -> bool {
        self.change(|state| {
            if !state.cards.contains_key(uid) {
                return false;
            }
            state.stack_empty = false;
            state.place(uid.clone());
            true
        })
    }

    /// Takes the card off the encoder; returns its UID.
    pub fn remove_card(&self) -> Option<CardUid> {
        self.change(State::take_away)
    }

    /// The UID of the card on the encoder.
    pub fn card_on_encoder(&self) -> Option<CardUid> {
        self.lock().present.clone()
    }

    pub fn card(&self, uid: &CardUid) -> Option<SimulatedCard> {
        self.lock().cards.get(uid).cloned()
    }

    /// Every card the encoder has seen, by UID.
    pub fn cards(&self) -> Vec<SimulatedCard> {
        self.lock().cards.values().cloned().collect()
    }

    /// What the encoder's op log says of `op_id` (what GET_OP_RESULT would answer).
    pub fn op_result(&self, op_id: &OpId) -> (OpState, Option<CardUid>) {
        let state = self.lock();
        if let Some(open) = state.open.as_ref().filter(|open| open.op_id == *op_id) {
            return (OpState::Pending, Some(open.uid.clone()));
        }
        match state.ops.get(op_id) {
            Some(record) => (record.state, Some(record.uid.clone())),
            None => (OpState::Unknown, None),
        }
    }

    /// Arms a one-shot fault for the next request it applies to (see [`Fault`]).
    pub fn fail_next(&self, fault: Fault) {
        self.lock().faults.push((None, fault));
    }

    /// Arms a one-shot fault for the next request of `command`, whatever the fault.
    pub fn fail_on(&self, command: Command, fault: Fault) {
        self.lock().faults.push((Some(command), fault));
    }

    /// Disarms every fault not yet fired.
    pub fn clear_faults(&self) {
        let mut state = self.lock();
        state.faults.clear();
        state.corrupt_replies = 0;
    }

    /// Pulls the USB cable: links opened so far are disconnected for good; an open write is
    /// lost (logged failed).
    pub fn unplug(&self) {
        self.change(State::unplug);
    }

    /// Plugs the encoder back in; open a new link to talk to it.
    pub fn plug(&self) {
        self.change(|state| state.plugged = true);
    }

    pub fn is_plugged(&self) -> bool {
        self.lock().plugged
    }

    /// How many request reports the device has received (for report-count checks).
    pub fn requests_received(&self) -> u64 {
        self.lock().requests
    }

    /// The JSON file this encoder keeps, if any.
    pub fn path(&self) -> Option<PathBuf> {
        self.lock().path.clone()
    }

    /// The last failure to write the JSON file, if any.
    pub fn persist_error(&self) -> Option<String> {
        self.lock().persist_error.clone()
    }
}

impl Link for SimulatedLink {
    fn write(&mut self, report: &[u8; REPORT_LEN]) -> Result<(), LinkError> {
        let delay = self.encoder.lock().report_delay;
        if !delay.is_zero() {
            std::thread::sleep(delay);
        }
        let mut state = self.encoder.lock();
        if !state.alive(self.generation) {
            return Err(LinkError::Disconnected);
        }
        let result = state.receive(report);
        state.persist_quietly();
        drop(state);
        self.encoder.shared.reports_changed.notify_all();
        result
    }

    fn read(&mut self, timeout: Duration) -> Result<Option<[u8; REPORT_LEN]>, LinkError> {
        let deadline = Instant::now() + timeout;
        let mut state = self.encoder.lock();
        loop {
            if !state.alive(self.generation) {
                return Err(LinkError::Disconnected);
            }
            if let Some(report) = state
                .inboxes
                .get_mut(&self.id)
                .and_then(VecDeque::pop_front)
            {
                let delay = state.report_delay;
                drop(state);
                if !delay.is_zero() {
                    std::thread::sleep(delay);
                }
                return Ok(Some(report));
            }
            let now = Instant::now();
            if now >= deadline {
                return Ok(None);
            }
            state = self
                .encoder
                .shared
                .reports_changed
                .wait_timeout(state, deadline - now)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }
}

impl Drop for SimulatedLink {
    fn drop(&mut self) {
        self.encoder.lock().inboxes.remove(&self.id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_uids_look_like_nxp() {
        let encoder = SimulatedEncoder::in_memory();
        let uid = encoder.present_blank_card();
        assert_eq!(uid.as_bytes().len(), 7);
        assert_eq!(uid.as_bytes()[0], 0x04);
        assert_eq!(encoder.card_on_encoder(), Some(uid));
    }

    #[test]
    fn read_times_out_without_reports() {
        let encoder = SimulatedEncoder::in_memory();
        let mut link = encoder.link();
        let started = Instant::now();
        assert_eq!(link.read(Duration::from_millis(30)), Ok(None));
        assert!(started.elapsed() >= Duration::from_millis(30));
    }

    #[test]
    fn a_link_opened_while_unplugged_stays_dead() {
        let encoder = SimulatedEncoder::in_memory();
        encoder.unplug();
        let mut link = encoder.link();
        assert!(encoder.connect().is_err());
        encoder.plug();
        assert_eq!(
            link.read(Duration::from_millis(1)),
            Err(LinkError::Disconnected)
        );
        assert!(encoder.connect().is_ok());
    }

    #[test]
    fn every_open_link_gets_every_report() {
        let encoder = SimulatedEncoder::in_memory();
        let mut first = encoder.link();
        let mut second = encoder.link();
        let uid = encoder.present_blank_card();
        let later = encoder.link();
        for link in [&mut first, &mut second] {
            let report = link.read(Duration::ZERO).ok().flatten();
            let event = report.and_then(|report| Frame::decode(&report).ok());
            let event = event.and_then(|frame| Event::from_frame(&frame).ok());
            assert_eq!(event, Some(Event::CardArrived(uid.clone())));
        }
        drop(later);
        assert_eq!(encoder.lock().inboxes.len(), 2);
    }

    #[test]
    fn hex_round_trip() {
        assert_eq!(
            unhex(&hex(&[0, 1, 0xAB, 0xFF])),
            Some(vec![0, 1, 0xAB, 0xFF])
        );
        assert_eq!(unhex("abc"), None);
        assert_eq!(unhex("zz"), None);
    }
}
