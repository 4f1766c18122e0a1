//! Keeps an encoder connected: finds it again after a re-plug and tells subscribers (the UI)
//! whether it is there.
//!
//! [`EncoderSupervisor::start`] checks on a thread, every [`DEFAULT_CHECK_INTERVAL`] (or the
//! interval given), whether the encoder is present, opens it when it appears, drops it when it
//! goes, and sends each change of [`EncoderState`] to every [`EncoderSupervisor::subscribe`]r.
//! [`EncoderSupervisor::with_encoder`] lends the connected [`Encoder`] for one use, showing
//! [`EncoderState::Busy`] meanwhile; after a transport failure it drops the connection so the
//! next use opens a fresh one.

use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError, TryLockError};
use std::thread::JoinHandle;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::client::{Encoder, EncoderError};
use crate::link::{HidLink, Link, LinkError, find_hid_encoders};
use crate::simulator::SimulatedEncoder;

/// How often presence is checked by default.
pub const DEFAULT_CHECK_INTERVAL: Duration = Duration::from_millis(500);

/// Where the encoder is.
#[derive(Debug, Clone)]
pub enum Source {
    /// A USB HID encoder with these ids and, when given, this USB serial number: the one
    /// encoder of several on the same computer (see [`crate::link`]).
    Hid {
        vendor_id: u16,
        product_id: u16,
        serial: Option<String>,
    },
    /// The simulated encoder.
    Simulated(SimulatedEncoder),
    /// An encoder on another computer, reached through a network link (a terminal's
    /// encoder, lent to the property server).
    Lent(Arc<dyn LentEncoder>),
}

/// An encoder reached through another computer: its presence as last reported, and links
/// that carry each report over the network.
pub trait LentEncoder: Send + Sync + std::fmt::Debug {
    fn present(&self) -> bool;
    /// Whether it is the other computer's simulated encoder.
    fn simulated(&self) -> bool;
    fn connect(&self) -> Result<Box<dyn Link>, LinkError>;
    /// When it is the other computer's simulated encoder: puts a blank card on its pad,
    /// unless the pad holds a blank already or the card `keep_card` (a UID in hex), the one
    /// about to be written again. A clerk does the same between guests at a real encoder.
    fn prepare_blank(&self, keep_card: Option<String>);
}

impl Source {
    /// Whether the encoder is there now.
    pub fn present(&self) -> bool {
        match self {
            Source::Hid {
                vendor_id,
                product_id,
                serial,
            } => !find_hid_encoders(*vendor_id, *product_id, serial.as_deref()).is_empty(),
            Source::Simulated(encoder) => encoder.is_plugged(),
            Source::Lent(encoder) => encoder.present(),
        }
    }

    /// A new link to the encoder.
    pub fn connect(&self) -> Result<Box<dyn Link>, LinkError> {
        Ok(match self {
            Source::Hid {
                vendor_id,
                product_id,
                serial,
            } => Box::new(HidLink::open(*vendor_id, *product_id, serial.as_deref())?),
            Source::Simulated(encoder) => Box::new(encoder.connect()?),
            Source::Lent(encoder) => encoder.connect()?,
        })
    }

    /// The state shown while connected and idle.
    fn connected_state(&self) -> EncoderState {
        match self {
            Source::Hid { .. } => EncoderState::Connected,
            Source::Simulated(_) => EncoderState::Simulated,
            Source::Lent(encoder) if encoder.simulated() => EncoderState::Simulated,
            Source::Lent(_) => EncoderState::Connected,
        }
    }
}

/// What the desk shows about the encoder.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EncoderState {
    /// A real encoder is connected and idle.
    Connected,
    /// The simulated encoder is connected and idle.
    Simulated,
    /// The encoder is in use.
    Busy,
    /// No encoder is connected.
    Disconnected,
}

#[derive(Debug)]
struct Inner {
    source: Source,
    encoder: Mutex<Option<Encoder>>,
    state: Mutex<EncoderState>,
    subscribers: Mutex<Vec<Sender<EncoderState>>>,
    reply_timeout: Mutex<Option<Duration>>,
    stop: Mutex<bool>,
    wake: Condvar,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Inner {
    fn connect(&self) -> Result<Encoder, LinkError> {
        let mut encoder = Encoder::new(self.source.connect()?);
        if let Some(timeout) = *lock(&self.reply_timeout) {
            encoder.set_reply_timeout(timeout);
        }
        Ok(encoder)
    }

    fn state(&self) -> EncoderState {
        *lock(&self.state)
    }

    fn set_state(&self, new: EncoderState) {
        let mut state = lock(&self.state);
        if *state == new {
            return;
        }
        *state = new;
        lock(&self.subscribers).retain(|subscriber| subscriber.send(new).is_ok());
    }

    /// Brings the connection in line with presence. While the encoder is in use the user of it
    /// settles the state when done.
    fn check(&self) -> EncoderState {
        let present = self.source.present();
        let mut guard = match self.encoder.try_lock() {
            Ok(guard) => guard,
            Err(TryLockError::Poisoned(poisoned)) => poisoned.into_inner(),
            Err(TryLockError::WouldBlock) => return self.state(),
        };
        if present && guard.is_none() {
            *guard = self.connect().ok();
        }
        if !present {
            *guard = None;
        }
        let state = if guard.is_some() {
            self.source.connected_state()
        } else {
            EncoderState::Disconnected
        };
        self.set_state(state);
        state
    }
}

/// Owns the encoder connection; see the module docs. Dropping it stops its thread.
#[derive(Debug)]
pub struct EncoderSupervisor {
    inner: Arc<Inner>,
    checker: Option<JoinHandle<()>>,
}

impl EncoderSupervisor {
    /// Starts supervising `source`, checking every [`DEFAULT_CHECK_INTERVAL`].
    pub fn start(source: Source) -> EncoderSupervisor {
        EncoderSupervisor::start_with_interval(source, DEFAULT_CHECK_INTERVAL)
    }

    /// Starts supervising `source`, checking every `interval`. The first check is done before
    /// this returns, so [`EncoderSupervisor::state`] is already meaningful.
    pub fn start_with_interval(source: Source, interval: Duration) -> EncoderSupervisor {
        let inner = Arc::new(Inner {
            source,
            encoder: Mutex::new(None),
            state: Mutex::new(EncoderState::Disconnected),
            subscribers: Mutex::new(Vec::new()),
            reply_timeout: Mutex::new(None),
            stop: Mutex::new(false),
            wake: Condvar::new(),
        });
        inner.check();
        let thread_inner = Arc::clone(&inner);
        let checker = std::thread::Builder::new()
            .name("encoder-supervisor".to_owned())
            .spawn(move || {
                loop {
                    let stop = lock(&thread_inner.stop);
                    let (stop, _) = thread_inner
                        .wake
                        .wait_timeout_while(stop, interval, |stop| !*stop)
                        .unwrap_or_else(PoisonError::into_inner);
                    if *stop {
                        break;
                    }
                    drop(stop);
                    thread_inner.check();
                }
            })
            .ok();
        EncoderSupervisor { inner, checker }
    }

    /// The current state.
    pub fn state(&self) -> EncoderState {
        self.inner.state()
    }

    /// A channel that receives the current state at once, then every change.
    pub fn subscribe(&self) -> Receiver<EncoderState> {
        let (sender, receiver) = channel();
        // Hold the state lock so that no change slips between the first value and the list.
        let state = lock(&self.inner.state);
        let _ = sender.send(*state);
        lock(&self.inner.subscribers).push(sender);
        receiver
    }

    /// Checks presence now instead of waiting for the thread; returns the state.
    pub fn check_now(&self) -> EncoderState {
        self.inner.check()
    }

    /// Drops the connection (once the use in progress, if any, ends) and opens a new one if
    /// the encoder is there: for a lent encoder whose computer connected again, whose old
    /// link is dead.
    pub fn reconnect(&self) -> EncoderState {
        *lock(&self.inner.encoder) = None;
        self.inner.check()
    }

    /// The reply timeout for encoders opened from now on and the current one (default
    /// [`crate::client::REPLY_TIMEOUT`]).
    pub fn set_reply_timeout(&self, timeout: Duration) {
        *lock(&self.inner.reply_timeout) = Some(timeout);
        if let Some(encoder) = lock(&self.inner.encoder).as_mut() {
            encoder.set_reply_timeout(timeout);
        }
    }

    /// Lends the encoder for one use (opening it if needed), with the state
    /// [`EncoderState::Busy`] meanwhile. `Disconnected` without waiting when there is no
    /// encoder. After a transport failure (no answer, disconnected, unknown outcome, garbled
    /// answers) the connection is dropped and the next use opens a new one.
    pub fn with_encoder<T>(
        &self,
        use_it: impl FnOnce(&mut Encoder) -> Result<T, EncoderError>,
    ) -> Result<T, EncoderError> {
        let inner = &self.inner;
        let mut guard = lock(&inner.encoder);
        if guard.is_none() {
            match inner.connect() {
                Ok(encoder) => *guard = Some(encoder),
                Err(error) => {
                    inner.set_state(EncoderState::Disconnected);
                    return Err(error.into());
                }
            }
        }
        let Some(encoder) = guard.as_mut() else {
            return Err(EncoderError::Disconnected);
        };
        inner.set_state(EncoderState::Busy);
        let result = use_it(encoder);
        let broken = matches!(
            result,
            Err(EncoderError::NoAnswer
                | EncoderError::Disconnected
                | EncoderError::Io(_)
                | EncoderError::OutcomeUnknown { .. }
                | EncoderError::Protocol(_))
        );
        if !inner.source.present() {
            *guard = None;
        } else if broken {
            // A fresh connection: new sequence numbers, no half-read reports.
            *guard = inner.connect().ok();
        }
        inner.set_state(if guard.is_some() {
            inner.source.connected_state()
        } else {
            EncoderState::Disconnected
        });
        result
    }
}

impl Drop for EncoderSupervisor {
    fn drop(&mut self) {
        *lock(&self.inner.stop) = true;
        self.inner.wake.notify_all();
        if let Some(checker) = self.checker.take() {
            let _ = checker.join();
        }
    }
}
