//! The simulated device: its cards, its op log, the faults it stages and the protocol it speaks.

use std::collections::{BTreeMap, VecDeque};
use std::path::PathBuf;
use std::time::Duration;

use crate::CardUid;
use crate::link::LinkError;
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
///
/// [`SimulatedEncoder::fail_next`]: super::SimulatedEncoder::fail_next
/// [`SimulatedEncoder::fail_on`]: super::SimulatedEncoder::fail_on
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// At the next POLL: the card on the encoder (if any) is taken away and the blank stack is
    /// empty, so POLL answers NO_CARD even with auto-feed, until a card is presented by hand
    /// ([`SimulatedEncoder::present_blank_card`] / [`SimulatedEncoder::present_card`]).
    ///
    /// [`SimulatedEncoder::present_blank_card`]: super::SimulatedEncoder::present_blank_card
    /// [`SimulatedEncoder::present_card`]: super::SimulatedEncoder::present_card
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
pub(super) struct OpRecord {
    pub(super) state: OpState,
    pub(super) uid: CardUid,
    pub(super) image_hash: [u8; IMAGE_HASH_LEN],
}

#[derive(Debug)]
pub(super) struct OpenWrite {
    pub(super) op_id: OpId,
    pub(super) uid: CardUid,
    image_hash: [u8; IMAGE_HASH_LEN],
    buffer: Vec<u8>,
    filled: Vec<bool>,
    progress_events: bool,
}

#[derive(Debug)]
pub(super) struct State {
    pub(super) cards: BTreeMap<CardUid, SimulatedCard>,
    pub(super) present: Option<CardUid>,
    pub(super) ops: BTreeMap<OpId, OpRecord>,
    pub(super) open: Option<OpenWrite>,
    pub(super) auto_feed: bool,
    pub(super) stack_empty: bool,
    pub(super) plugged: bool,
    pub(super) generation: u64,
    /// The reports waiting in each open link, by link id: like hidraw, every open handle
    /// gets its own copy of each report from the device.
    pub(super) inboxes: BTreeMap<u64, VecDeque<[u8; REPORT_LEN]>>,
    pub(super) next_link: u64,
    pub(super) faults: Vec<(Option<Command>, Fault)>,
    pub(super) corrupt_replies: u32,
    pub(super) report_delay: Duration,
    pub(super) requests: u64,
    pub(super) path: Option<PathBuf>,
    pub(super) persist_error: Option<String>,
    /// Something the file keeps changed since it was last written.
    pub(super) dirty: bool,
}

impl State {
    pub(super) fn new(path: Option<PathBuf>) -> State {
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

    pub(super) fn alive(&self, generation: Option<u64>) -> bool {
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

    pub(super) fn place(&mut self, uid: CardUid) {
        if self.present.as_ref() == Some(&uid) {
            return;
        }
        self.take_away();
        self.dirty = true;
        self.present = Some(uid.clone());
        self.event(Event::CardArrived(uid));
    }

    pub(super) fn take_away(&mut self) -> Option<CardUid> {
        let uid = self.present.take()?;
        self.dirty = true;
        self.event(Event::CardRemoved);
        Some(uid)
    }

    pub(super) fn new_blank(&mut self) -> CardUid {
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

    pub(super) fn unplug(&mut self) {
        self.plugged = false;
        self.dirty = true;
        self.generation += 1;
        self.inboxes.values_mut().for_each(VecDeque::clear);
        self.corrupt_replies = 0;
        self.close_open_write_failed();
    }

    // --- the device ------------------------------------------------------------------------

    /// One report from the host. `Err(Disconnected)` when the device went away on it.
    pub(super) fn receive(&mut self, report: &[u8; REPORT_LEN]) -> Result<(), LinkError> {
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
