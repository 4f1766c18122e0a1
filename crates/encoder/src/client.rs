//! The encoder as the front desk uses it: [`Encoder`] over any [`Link`].
//!
//! Each call is one or more request/reply exchanges. A reply must come within the reply
//! timeout ([`REPLY_TIMEOUT`], 2 s per report by default; the device answers a healthy request
//! in milliseconds, and COMMIT of a 4 KiB image in well under a second), else the call fails
//! with [`EncoderError::NoAnswer`]. A reply that arrives garbled (bad CRC, malformed) is asked
//! for once more only for idempotent commands (INFO, STATUS, POLL, READ, GET_OP_RESULT); a
//! reply saying the device received our request garbled (BAD_CRC status: it did nothing) is
//! sent once more for any command. COMMIT is never repeated blindly: when its answer is lost
//! the write ends in [`EncoderError::OutcomeUnknown`], to be resolved with
//! [`Encoder::op_result`] (or by calling [`Encoder::write_card`] again with the same op id,
//! which never writes a card twice). Unsolicited events are kept (the last 64) for
//! [`Encoder::take_events`].

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use thiserror::Error;

use crate::CardUid;
use crate::link::{Link, LinkError};
use crate::protocol::{
    CHUNK_DATA, Code, Command, DeviceInfo, DeviceStatus, Event, Frame, FrameError, Incoming, OpId,
    OpState, Reply, Request, Sequencer, Status, WriteBegin, image_hash,
};

/// How long the client waits for each reply by default.
pub const REPLY_TIMEOUT: Duration = Duration::from_secs(2);
/// How often [`Encoder::wait_for_card`] asks for a card by default.
pub const POLL_INTERVAL: Duration = Duration::from_millis(100);
/// The most events kept for [`Encoder::take_events`].
const EVENT_LIMIT: usize = 64;
/// The most abandoned SEQs remembered, so their late replies are dropped, not taken for errors.
const ABANDONED_LIMIT: usize = 8;

/// Why an encoder call failed, in the kinds a receptionist must be told apart.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum EncoderError {
    /// The encoder is connected but did not answer in time.
    #[error("the encoder did not answer")]
    NoAnswer,
    /// The encoder is unplugged or switched off (or this connection to it is stale).
    #[error("the encoder is not connected")]
    Disconnected,
    /// The operating system could not talk to the encoder.
    #[error("cannot talk to the encoder: {0}")]
    Io(String),
    /// The encoder is busy with another operation.
    #[error("the encoder is busy")]
    Busy,
    /// No card was placed on the encoder before the timeout.
    #[error("no card was presented in time")]
    NoCardInTime,
    /// The card was taken away or swapped during the operation; nothing was written.
    #[error("the card was removed or changed during the operation")]
    CardRemoved,
    /// The card could not be read, written or verified.
    #[error("the card could not be read, written or verified")]
    DamagedCard,
    /// The card is of a kind the encoder cannot use (authentication failed).
    #[error("the card is of an unsupported kind")]
    UnsupportedCard,
    /// The encoder refused the request as invalid (BAD_PARAM, UNKNOWN_CMD, or a request that
    /// arrived garbled twice). For WRITE_BEGIN this includes an op id already written with
    /// other contents.
    #[error("the encoder refused {command:?}: {}", status.name())]
    Refused { command: Command, status: Status },
    /// An image of 0 bytes or more than the protocol carries (65535).
    #[error("an image of {len} bytes cannot be written")]
    BadImageLength { len: usize },
    /// The encoder's answer could not be understood.
    #[error("protocol error: {0}")]
    Protocol(#[from] FrameError),
    /// The write was sent but its answer was lost: the card may or may not hold the image.
    /// Resolve with [`Encoder::op_result`] before anything else.
    #[error(
        "the outcome of write {} is unknown",
        crate::protocol::op_id_hex(op_id)
    )]
    OutcomeUnknown { op_id: OpId },
}

impl From<LinkError> for EncoderError {
    fn from(error: LinkError) -> Self {
        match error {
            LinkError::Disconnected | LinkError::NotFound { .. } => EncoderError::Disconnected,
            LinkError::Io(text) => EncoderError::Io(text),
        }
    }
}

impl EncoderError {
    /// The error type Seam's `encode_credential` action attempts report for this failure.
    pub fn seam_error_type(&self) -> &'static str {
        match self {
            EncoderError::NoCardInTime => "no_credential_on_encoder",
            EncoderError::UnsupportedCard => "incompatible_card_format",
            EncoderError::Disconnected | EncoderError::Io(_) => "encoder_not_online",
            EncoderError::NoAnswer => "encoder_communication_timeout",
            EncoderError::CardRemoved | EncoderError::OutcomeUnknown { .. } => {
                "encoding_interrupted"
            }
            EncoderError::Busy
            | EncoderError::DamagedCard
            | EncoderError::Refused { .. }
            | EncoderError::BadImageLength { .. }
            | EncoderError::Protocol(_) => "uncategorized_error",
        }
    }
}

/// How an exchange failed, before it is turned into an [`EncoderError`].
enum Failure {
    /// A report came back that could not be decoded: maybe the reply, garbled on the way.
    Garbled(FrameError),
    Error(EncoderError),
}

impl From<EncoderError> for Failure {
    fn from(error: EncoderError) -> Self {
        Failure::Error(error)
    }
}

impl From<LinkError> for Failure {
    fn from(error: LinkError) -> Self {
        Failure::Error(error.into())
    }
}

/// The encoder, over any link.
pub struct Encoder {
    link: Box<dyn Link>,
    sequencer: Sequencer,
    reply_timeout: Duration,
    poll_interval: Duration,
    events: VecDeque<Event>,
    /// SEQs given up on (timed out, or retried after a garbled reply); their replies, should
    /// they still come, are dropped.
    abandoned: VecDeque<u8>,
    /// An op id whose write may still be open on the device (its abort could not be sent):
    /// aborted before the next write with another op id.
    unaborted: Option<OpId>,
}

impl std::fmt::Debug for Encoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Encoder")
            .field("sequencer", &self.sequencer)
            .field("reply_timeout", &self.reply_timeout)
            .field("poll_interval", &self.poll_interval)
            .field("events", &self.events.len())
            .finish_non_exhaustive()
    }
}

fn unexpected(reply: &Reply) -> EncoderError {
    // The sequencer lets through only replies to the outstanding command, so this is a reply
    // of the right command in a shape this client does not expect.
    EncoderError::Protocol(FrameError::BadData {
        code: reply.command().reply_code(),
        reason: "unexpected reply",
    })
}

/// The error a non-OK status stands for.
fn status_error(command: Command, status: Status) -> EncoderError {
    match status {
        // An encoder with its own wait for a card says TIMEOUT to a POLL when it ran out.
        Status::NoCard | Status::Timeout if command == Command::Poll => EncoderError::NoCardInTime,
        Status::NoCard | Status::CardChanged | Status::Timeout => EncoderError::CardRemoved,
        Status::Auth => EncoderError::UnsupportedCard,
        Status::Read | Status::Write | Status::Verify => EncoderError::DamagedCard,
        Status::Busy => EncoderError::Busy,
        Status::Ok | Status::BadCrc | Status::BadParam | Status::UnknownCmd => {
            EncoderError::Refused { command, status }
        }
    }
}

impl Encoder {
    pub fn new(link: Box<dyn Link>) -> Encoder {
        Encoder {
            link,
            sequencer: Sequencer::new(),
            reply_timeout: REPLY_TIMEOUT,
            poll_interval: POLL_INTERVAL,
            events: VecDeque::new(),
            abandoned: VecDeque::new(),
            unaborted: None,
        }
    }

    /// Changes how long each reply is waited for (default [`REPLY_TIMEOUT`]).
    pub fn set_reply_timeout(&mut self, timeout: Duration) {
        self.reply_timeout = timeout;
    }

    pub fn reply_timeout(&self) -> Duration {
        self.reply_timeout
    }

    /// Changes how often [`Encoder::wait_for_card`] polls (default [`POLL_INTERVAL`]).
    pub fn set_poll_interval(&mut self, interval: Duration) {
        self.poll_interval = interval;
    }

    /// The unsolicited events received so far (card arrived/removed, progress, errors), oldest
    /// first; at most the last 64 are kept.
    pub fn take_events(&mut self) -> Vec<Event> {
        self.events.drain(..).collect()
    }

    fn keep_event(&mut self, event: Event) {
        if self.events.len() >= EVENT_LIMIT {
            self.events.pop_front();
        }
        self.events.push_back(event);
    }

    fn abandon(&mut self) {
        if let Some((seq, _)) = self.sequencer.outstanding() {
            if self.abandoned.len() >= ABANDONED_LIMIT {
                self.abandoned.pop_front();
            }
            self.abandoned.push_back(seq);
        }
        self.sequencer.cancel();
    }

    /// Sends one request and waits for its reply.
    fn exchange(&mut self, request: &Request) -> Result<Reply, Failure> {
        let seq = self.sequencer.peek_seq();
        self.abandoned.retain(|old| *old != seq);
        let frame = self
            .sequencer
            .request(request)
            .map_err(EncoderError::from)?;
        if let Err(error) = self.link.write(&frame.encode()) {
            self.sequencer.cancel();
            return Err(error.into());
        }
        let deadline = Instant::now() + self.reply_timeout;
        loop {
            let remaining = deadline.saturating_duration_since(Instant::now());
            if remaining.is_zero() {
                self.abandon();
                return Err(EncoderError::NoAnswer.into());
            }
            let report = match self.link.read(remaining) {
                Ok(Some(report)) => report,
                Ok(None) => continue,
                Err(error) => {
                    self.sequencer.cancel();
                    return Err(error.into());
                }
            };
            let frame = match Frame::decode(&report) {
                Ok(frame) => frame,
                Err(error) => {
                    // Most likely our reply, damaged on the way; if it was an event instead,
                    // the real reply comes later and is dropped as abandoned.
                    self.abandon();
                    return Err(Failure::Garbled(error));
                }
            };
            if let Code::Event(_) = frame.code() {
                // A malformed event is dropped: it must not fail the request.
                if let Ok(event) = Event::from_frame(&frame) {
                    self.keep_event(event);
                }
                continue;
            }
            match self.sequencer.accept(&frame) {
                Ok(Incoming::Reply(reply)) => return Ok(reply),
                Ok(Incoming::Event(event)) => self.keep_event(event),
                Err(FrameError::OutOfOrder { got, .. }) if self.abandoned.contains(&got) => {}
                Err(error) => {
                    self.sequencer.cancel();
                    return Err(EncoderError::Protocol(error).into());
                }
            }
        }
    }

    /// Sends a request and returns its reply (OK or not), with the retries described in the
    /// module docs. Errors are transport errors only; a non-OK status is `Reply::Failed`.
    pub fn transact(&mut self, request: &Request) -> Result<Reply, EncoderError> {
        let mut retried = false;
        loop {
            match self.exchange(request) {
                Ok(Reply::Failed {
                    status: Status::BadCrc,
                    ..
                }) if !retried => retried = true,
                Ok(reply) => return Ok(reply),
                Err(Failure::Garbled(_)) if !retried && request.command().is_idempotent() => {
                    retried = true;
                }
                Err(Failure::Garbled(error)) => return Err(EncoderError::Protocol(error)),
                Err(Failure::Error(error)) => return Err(error),
            }
        }
    }

    /// Sends a request whose only acceptable outcome is an OK reply.
    fn call(&mut self, request: &Request) -> Result<Reply, EncoderError> {
        match self.transact(request)? {
            Reply::Failed { command, status } => Err(status_error(command, status)),
            reply => Ok(reply),
        }
    }

    pub fn info(&mut self) -> Result<DeviceInfo, EncoderError> {
        match self.call(&Request::Info)? {
            Reply::Info(info) => Ok(info),
            other => Err(unexpected(&other)),
        }
    }

    pub fn status(&mut self) -> Result<DeviceStatus, EncoderError> {
        match self.call(&Request::Status)? {
            Reply::Status(status) => Ok(status),
            other => Err(unexpected(&other)),
        }
    }

    pub fn beep(&mut self) -> Result<(), EncoderError> {
        self.call(&Request::Beep).map(drop)
    }

    /// Asks the encoder to let go of the card.
    pub fn eject(&mut self) -> Result<(), EncoderError> {
        self.call(&Request::Eject).map(drop)
    }

    /// Closes the write `op_id` opened, if it is still open (nothing is written).
    pub fn abort(&mut self, op_id: OpId) -> Result<(), EncoderError> {
        self.call(&Request::Abort { op_id }).map(drop)
    }

    /// One POLL: the card on the encoder and how many image bytes it holds, or `None`.
    fn poll(&mut self) -> Result<Option<(CardUid, u16)>, EncoderError> {
        match self.transact(&Request::Poll)? {
            Reply::Poll { uid, image_len } => Ok(Some((uid, image_len))),
            Reply::Failed {
                status: Status::NoCard,
                ..
            } => Ok(None),
            Reply::Failed { command, status } => Err(status_error(command, status)),
            other => Err(unexpected(&other)),
        }
    }

    fn wait_for(&mut self, timeout: Duration) -> Result<(CardUid, u16), EncoderError> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(found) = self.poll()? {
                return Ok(found);
            }
            let remaining = deadline.saturating_duration_since(Instant::now());
            if remaining.is_zero() {
                return Err(EncoderError::NoCardInTime);
            }
            std::thread::sleep(self.poll_interval.min(remaining));
        }
    }

    /// Polls until a card is on the encoder (at least once, however short `timeout`).
    pub fn wait_for_card(&mut self, timeout: Duration) -> Result<CardUid, EncoderError> {
        self.wait_for(timeout).map(|(uid, _)| uid)
    }

    /// Writes `image` onto the card `uid` under `op_id`: WRITE_BEGIN, one CHUNK per 56 bytes,
    /// COMMIT, so `ceil(len / 56) + 2` reports. `progress(done, total)` follows the bytes
    /// handed to the encoder.
    ///
    /// Safe to call again with the same op id after any failure: if that op was already
    /// written (to this UID, with this image) the encoder says so and nothing is written again
    /// (one report); if it failed, it is written now. The same op id with another UID or image
    /// is [`EncoderError::Refused`]. After a lost COMMIT answer the result is
    /// [`EncoderError::OutcomeUnknown`]: resolve it with [`Encoder::op_result`].
    pub fn write_card(
        &mut self,
        op_id: OpId,
        uid: &CardUid,
        image: &[u8],
        progress: &mut dyn FnMut(usize, usize),
    ) -> Result<(), EncoderError> {
        let total = image.len();
        let image_len = u16::try_from(total)
            .ok()
            .filter(|len| *len > 0)
            .ok_or(EncoderError::BadImageLength { len: total })?;
        if let Some(stale) = self.unaborted.take()
            && stale != op_id
            && let Err(error) = self.abort(stale)
        {
            if matches!(
                error,
                EncoderError::NoAnswer | EncoderError::Disconnected | EncoderError::Io(_)
            ) {
                self.unaborted = Some(stale);
            }
            return Err(error);
        }
        let begin = Request::WriteBegin(WriteBegin {
            op_id,
            uid: uid.clone(),
            image_len,
            image_hash: image_hash(image),
            // `progress` follows the CHUNK replies; PROGRESS events would only cost reports.
            progress_events: false,
        });
        match self.transact(&begin) {
            Ok(Reply::WriteBegin {
                already_written: true,
            }) => {
                progress(total, total);
                return Ok(());
            }
            Ok(Reply::WriteBegin {
                already_written: false,
            }) => {}
            // Refused: the device opened nothing.
            Ok(Reply::Failed { command, status }) => return Err(status_error(command, status)),
            Ok(other) => return Err(unexpected(&other)),
            Err(error) => return Err(self.abandon_write(op_id, error)),
        }
        for (index, piece) in image.chunks(CHUNK_DATA).enumerate() {
            let offset = index * CHUNK_DATA;
            let chunk = Request::Chunk {
                offset: offset as u16,
                data: piece.to_vec(),
            };
            match self.transact(&chunk) {
                Ok(Reply::Chunk) => progress(offset + piece.len(), total),
                Ok(Reply::Failed { command, status }) => {
                    return Err(self.abandon_write(op_id, status_error(command, status)));
                }
                Ok(other) => return Err(self.abandon_write(op_id, unexpected(&other))),
                Err(error) => return Err(self.abandon_write(op_id, error)),
            }
        }
        match self.transact(&Request::Commit { op_id }) {
            Ok(Reply::Commit) => Ok(()),
            // The device answered: it did not write. A COMMIT it did not even start (BUSY)
            // leaves the write open, and every later write would find the encoder busy.
            Ok(Reply::Failed { command, status }) => {
                Err(self.abandon_write(op_id, status_error(command, status)))
            }
            Ok(_) | Err(_) => Err(EncoderError::OutcomeUnknown { op_id }),
        }
    }

    /// Closes a write that failed before COMMIT (nothing is on the card), now if the device
    /// answers, else before the next write. Returns `error`.
    fn abandon_write(&mut self, op_id: OpId, error: EncoderError) -> EncoderError {
        let reachable = !matches!(
            error,
            EncoderError::NoAnswer | EncoderError::Disconnected | EncoderError::Io(_)
        );
        if !(reachable && self.abort(op_id).is_ok()) {
            self.unaborted = Some(op_id);
        }
        error
    }

    /// Waits for a card (as [`Encoder::wait_for_card`]) and reads the image it holds (empty
    /// for a blank card), 56 bytes a READ; checks the same card is still there at the end.
    pub fn read_card(&mut self, timeout: Duration) -> Result<(CardUid, Vec<u8>), EncoderError> {
        let (uid, len) = self.wait_for(timeout)?;
        let len = usize::from(len);
        let mut image = Vec::with_capacity(len);
        while image.len() < len {
            let want = (len - image.len()).min(CHUNK_DATA);
            let read = Request::Read {
                offset: image.len() as u16,
                len: want as u8,
            };
            match self.transact(&read)? {
                Reply::Read(bytes) if bytes.len() == want => image.extend_from_slice(&bytes),
                Reply::Read(_) => {
                    return Err(EncoderError::Protocol(FrameError::BadData {
                        code: Command::Read.reply_code(),
                        reason: "read reply of the wrong length",
                    }));
                }
                Reply::Failed { command, status } => return Err(status_error(command, status)),
                other => return Err(unexpected(&other)),
            }
        }
        if len > 0 {
            match self.poll()? {
                Some((still, still_len)) if still == uid && usize::from(still_len) == len => {}
                _ => return Err(EncoderError::CardRemoved),
            }
        }
        Ok((uid, image))
    }

    /// What the encoder's log says of `op_id`: whether (and onto which card) it was written.
    pub fn op_result(&mut self, op_id: OpId) -> Result<(OpState, Option<CardUid>), EncoderError> {
        match self.call(&Request::GetOpResult { op_id })? {
            Reply::OpResult { state, uid } => Ok((state, uid)),
            other => Err(unexpected(&other)),
        }
    }
}
