//! A terminal's encoder as the property server drives it. The server's supervisor and encode
//! journal treat it like any encoder: each [`Link`] read and write goes to the terminal,
//! which does it on its own encoder and answers. Exactly once needs nothing more: the intent
//! is committed before the first write, and a write whose answer was lost with the link is
//! settled by asking the encoder once the terminal is back.

use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use encoder::link::{Link, LinkError};
use encoder::protocol::REPORT_LEN;
use encoder::supervisor::LentEncoder;
use tokio::sync::mpsc::UnboundedSender;

use crate::call::{from_hex, to_hex};
use crate::wire::Downstream;

/// How long the terminal has to open its encoder.
const OPEN_TIMEOUT: Duration = Duration::from_secs(5);
/// How much longer than the read itself the terminal's answer may take to arrive.
const ANSWER_MARGIN: Duration = Duration::from_secs(3);

type ReadAnswer = Result<Option<[u8; REPORT_LEN]>, String>;

/// One terminal's encoder, as last reported, and the connection to reach it while there is
/// one.
#[derive(Debug, Default)]
pub struct LentDevice {
    state: Mutex<DeviceState>,
    opened: Condvar,
}

#[derive(Debug, Default)]
struct DeviceState {
    /// The terminal's connection, while it is up.
    outgoing: Option<UnboundedSender<Downstream>>,
    present: bool,
    simulated: bool,
    next_link: u64,
    /// The one open link.
    link: Option<OpenLink>,
}

#[derive(Debug)]
struct OpenLink {
    id: u64,
    opened: Option<Result<(), String>>,
    answers: Sender<ReadAnswer>,
}

impl LentDevice {
    fn lock(&self) -> MutexGuard<'_, DeviceState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The terminal connected: its encoder is reached through `outgoing`.
    pub fn attach(&self, outgoing: UnboundedSender<Downstream>) {
        let mut state = self.lock();
        state.outgoing = Some(outgoing);
        state.link = None;
        self.opened.notify_all();
    }

    /// The terminal's connection ended: its encoder is gone, and the open link with it.
    pub fn detach(&self) {
        let mut state = self.lock();
        state.outgoing = None;
        state.present = false;
        state.link = None;
        self.opened.notify_all();
    }

    /// What the terminal says of its encoder.
    pub fn set_presence(&self, present: bool, simulated: bool) {
        let mut state = self.lock();
        state.present = present;
        state.simulated = simulated;
    }

    pub fn on_opened(&self, link: u64, error: Option<String>) {
        let mut state = self.lock();
        if let Some(open) = state.link.as_mut().filter(|open| open.id == link) {
            open.opened = Some(error.map_or(Ok(()), Err));
            self.opened.notify_all();
        }
    }

    pub fn on_read(&self, link: u64, report: Option<String>, error: Option<String>) {
        let answer = match (error, report) {
            (Some(error), _) => Err(error),
            (None, None) => Ok(None),
            (None, Some(hex)) => from_hex(&hex)
                .and_then(|bytes| <[u8; REPORT_LEN]>::try_from(bytes).ok())
                .map(Some)
                .ok_or_else(|| "the terminal sent a malformed report".to_owned()),
        };
        self.answer(link, answer);
    }

    pub fn on_write_failed(&self, link: u64, error: String) {
        self.answer(link, Err(error));
    }

    fn answer(&self, link: u64, answer: ReadAnswer) {
        let state = self.lock();
        if let Some(open) = state.link.as_ref().filter(|open| open.id == link) {
            let _ = open.answers.send(answer);
        }
    }
}

impl LentEncoder for LentDevice {
    fn present(&self) -> bool {
        let state = self.lock();
        state.outgoing.is_some() && state.present
    }

    fn simulated(&self) -> bool {
        self.lock().simulated
    }

    fn prepare_blank(&self, keep_card: Option<String>) {
        if let Some(outgoing) = &self.lock().outgoing {
            let _ = outgoing.send(Downstream::PrepareBlank { keep_card });
        }
    }

    fn connect(&self) -> Result<Box<dyn Link>, LinkError> {
        let mut state = self.lock();
        let outgoing = state.outgoing.clone().ok_or(LinkError::Disconnected)?;
        state.next_link += 1;
        let id = state.next_link;
        let (answers, answered) = channel();
        state.link = Some(OpenLink {
            id,
            opened: None,
            answers,
        });
        outgoing
            .send(Downstream::EncoderOpen { link: id })
            .map_err(|_| LinkError::Disconnected)?;
        let (state, _) = self
            .opened
            .wait_timeout_while(state, OPEN_TIMEOUT, |state| {
                state
                    .link
                    .as_ref()
                    .is_some_and(|open| open.id == id && open.opened.is_none())
            })
            .unwrap_or_else(PoisonError::into_inner);
        match state.link.as_ref().filter(|open| open.id == id) {
            Some(OpenLink {
                opened: Some(Ok(())),
                ..
            }) => Ok(Box::new(LentLink {
                id,
                outgoing,
                answered,
                broken: false,
            })),
            Some(OpenLink {
                opened: Some(Err(error)),
                ..
            }) => Err(LinkError::Io(error.clone())),
            _ => Err(LinkError::Disconnected),
        }
    }
}

/// A link to a terminal's encoder over the terminal's connection.
#[derive(Debug)]
struct LentLink {
    id: u64,
    outgoing: UnboundedSender<Downstream>,
    answered: Receiver<ReadAnswer>,
    /// An answer did not come in time: a late one would be taken for the next read's.
    broken: bool,
}

impl Link for LentLink {
    fn write(&mut self, report: &[u8; REPORT_LEN]) -> Result<(), LinkError> {
        if self.broken {
            return Err(LinkError::Disconnected);
        }
        self.outgoing
            .send(Downstream::EncoderWrite {
                link: self.id,
                report: to_hex(report),
            })
            .map_err(|_| LinkError::Disconnected)
    }

    fn read(&mut self, timeout: Duration) -> Result<Option<[u8; REPORT_LEN]>, LinkError> {
        if self.broken {
            return Err(LinkError::Disconnected);
        }
        let timeout_ms = u64::try_from(timeout.as_millis()).unwrap_or(u64::MAX);
        self.outgoing
            .send(Downstream::EncoderRead {
                link: self.id,
                timeout_ms,
            })
            .map_err(|_| LinkError::Disconnected)?;
        match self.answered.recv_timeout(timeout + ANSWER_MARGIN) {
            Ok(Ok(report)) => Ok(report),
            Ok(Err(error)) => {
                self.broken = true;
                Err(if error == LinkError::Disconnected.to_string() {
                    LinkError::Disconnected
                } else {
                    LinkError::Io(error)
                })
            }
            Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => {
                self.broken = true;
                Err(LinkError::Disconnected)
            }
        }
    }
}

impl Drop for LentLink {
    fn drop(&mut self) {
        let _ = self
            .outgoing
            .send(Downstream::EncoderClose { link: self.id });
    }
}
