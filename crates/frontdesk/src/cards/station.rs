//! The desk's card equipment: the encoder, watched by a supervisor, and the card keys.

use std::time::Duration;

use encoder::client::{Encoder, EncoderError};
use encoder::keys::KeyRing;
use encoder::simulator::SimulatedEncoder;
use std::sync::Arc;

use encoder::supervisor::{EncoderState, EncoderSupervisor, LentEncoder, Source};
use uuid::Uuid;

use crate::{Error, Result};

/// How long the desk waits for a card to be placed on the encoder, by default. Shorter than
/// the 10 s a Seam SDK waits for an action attempt, so that a caller with the SDK's default
/// wait sees the encode's own outcome ("no card on the encoder") rather than a timeout.
pub const CARD_TIMEOUT: Duration = Duration::from_secs(8);

/// The desk's card equipment: the encoder (real or simulated, watched by a supervisor) and
/// the property's card keys.
#[derive(Debug)]
pub struct CardStation {
    supervisor: EncoderSupervisor,
    simulator: Option<SimulatedEncoder>,
    /// The encoder of another computer (a terminal's), when that is what this station uses.
    lent: Option<Arc<dyn LentEncoder>>,
    pub(super) keys: KeyRing,
    pub(super) card_timeout: Duration,
    /// Which encoder this is in the encode journal: `None` for the first encoder of the
    /// process that owns the database, an id of its own for each other encoder there, a
    /// terminal's id for the encoder it lends.
    pub(super) encoder_id: Option<Uuid>,
}

impl CardStation {
    pub fn new(source: Source, keys: KeyRing) -> Self {
        let simulator = match &source {
            Source::Simulated(simulator) => Some(simulator.clone()),
            Source::Hid { .. } | Source::Lent(_) => None,
        };
        let lent = match &source {
            Source::Lent(lent) => Some(lent.clone()),
            Source::Hid { .. } | Source::Simulated(_) => None,
        };
        Self {
            supervisor: EncoderSupervisor::start(source),
            simulator,
            lent,
            keys,
            card_timeout: CARD_TIMEOUT,
            encoder_id: None,
        }
    }

    /// The station of an encoder that is not the first of the process that owns the
    /// database (another at the same desk, or the one a terminal lends to the property): its
    /// encodes are journalled under `encoder_id`, and only that encoder is asked what became
    /// of them.
    pub fn journalled_as(source: Source, keys: KeyRing, encoder_id: Uuid) -> Self {
        Self {
            encoder_id: Some(encoder_id),
            ..Self::new(source, keys)
        }
    }

    pub fn keys(&self) -> &KeyRing {
        &self.keys
    }

    /// The simulated encoder, when that is what this station uses.
    pub fn simulator(&self) -> Option<&SimulatedEncoder> {
        self.simulator.as_ref()
    }

    /// The encoder of another computer, when that is what this station uses.
    pub fn lent(&self) -> Option<&Arc<dyn LentEncoder>> {
        self.lent.as_ref()
    }

    pub fn supervisor(&self) -> &EncoderSupervisor {
        &self.supervisor
    }

    pub fn state(&self) -> EncoderState {
        self.supervisor.state()
    }

    pub fn set_card_timeout(&mut self, timeout: Duration) {
        self.card_timeout = timeout;
    }

    /// Runs `work` with the encoder. Encoder failures go back through the supervisor (so it
    /// reconnects after a broken link); the desk's own errors are carried alongside.
    pub(super) fn with_encoder<T>(
        &self,
        work: impl FnOnce(&mut Encoder) -> std::result::Result<Result<T>, EncoderError>,
    ) -> Result<T> {
        self.supervisor.with_encoder(work).map_err(Error::Encoder)?
    }
}
