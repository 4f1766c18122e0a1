//! The simulated encoder as the desk and tests hold it: a shared handle, and links to it.

use std::collections::VecDeque;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use super::device::{Fault, SimulatedCard, State};
use crate::CardUid;
use crate::link::{Link, LinkError};
use crate::protocol::{Command, OpId, OpState, REPORT_LEN};

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
    use crate::protocol::{Event, Frame};

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
}
