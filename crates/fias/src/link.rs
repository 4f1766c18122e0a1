//! The link's own conversation, apart from keys: the start (`LS`), our description (`LD`, one
//! `LR` per record type we handle, `LA`), the PMS's `LA` that makes the link alive, the end
//! (`LE`) and the keep-alive. Pure: the caller passes the time and sends what it is told to.

use std::time::{Duration, Instant};

use chrono::NaiveDateTime;

use crate::record::{FieldId, Record, RecordType};

/// How long we listen after a connection opens before starting the link ourselves.
pub const SILENCE_BEFORE_START: Duration = Duration::from_secs(3);
/// How often an alive link is checked with an `LS` (the specification asks for no more than
/// once every five minutes).
pub const KEEP_ALIVE: Duration = Duration::from_secs(5 * 60);
/// How long a PMS may take to answer our `LS` before the link counts as dead.
pub const ANSWER_WAIT: Duration = Duration::from_secs(30);

/// The record types we handle, with the fields we read or write in each: one `LR` each.
pub const LINK_RECORDS: &[(&str, &str)] = &[
    ("KR", "KCKTK#RNSIWSGAGDDTGNG#KODATI"),
    ("KD", "KCRNWSG#DATI"),
    ("KM", "KCRNROSIWSGAGDDTGNG#DATI"),
    ("KA", "ASCTKCWSG#$2DATI"),
];

/// Where the link stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkState {
    /// Connected; the PMS has not started the link yet.
    Connected,
    /// We sent our description and wait for the PMS's `LA`.
    Describing,
    /// Both sides agree: key records flow.
    Alive,
    /// The PMS ended the link (`LE`); the next `LS` starts it again.
    Ended,
}

impl LinkState {
    /// The state as a manager's settings show it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Connected => "connected",
            Self::Describing => "starting",
            Self::Alive => "alive",
            Self::Ended => "ended",
        }
    }
}

/// What one step of the link asks of its caller.
#[derive(Debug, Default)]
pub struct Step {
    /// Records to send, in order.
    pub send: Vec<Record>,
    /// The link is dead (the PMS stopped answering): close the connection.
    pub dead: bool,
}

#[derive(Debug)]
pub struct Link {
    state: LinkState,
    version: String,
    connected_at: Instant,
    /// When we last heard anything from the PMS.
    heard_at: Instant,
    /// When we sent an `LS` the PMS has not answered yet.
    asked_at: Option<Instant>,
    started_by_us: bool,
}

impl Link {
    /// A link on a connection that opened at `now`; `version` goes into our `LD`.
    pub fn new(version: &str, now: Instant) -> Self {
        Self {
            state: LinkState::Connected,
            version: version.chars().take(10).collect(),
            connected_at: now,
            heard_at: now,
            asked_at: None,
            started_by_us: false,
        }
    }

    pub fn state(&self) -> LinkState {
        self.state
    }

    /// A record came from the PMS. Link records are answered here; key records are the
    /// caller's (in any state: a PMS that skips the start is still served).
    pub fn on_record(&mut self, record: &Record, stamp: NaiveDateTime, now: Instant) -> Step {
        self.heard_at = now;
        self.asked_at = None;
        let mut step = Step::default();
        match record.kind() {
            RecordType::LINK_START => {
                step.send = self.description(stamp);
                self.state = LinkState::Describing;
            }
            // The answer to our description, or to the `LS` we started with (a PMS whose link
            // was alive before the connection broke answers it so).
            RecordType::LINK_ALIVE
                if self.state == LinkState::Describing
                    || (self.state == LinkState::Connected && self.started_by_us) =>
            {
                self.state = LinkState::Alive;
            }
            RecordType::LINK_END => {
                step.send.push(stamped(RecordType::LINK_END, stamp));
                self.state = LinkState::Ended;
            }
            _ => {}
        }
        step
    }

    /// Time passed: starts the link after the PMS's silence, checks a quiet link now and
    /// then (whatever its state: a PMS that never finishes the start or ended the link with
    /// the connection left open is asked too), and finds it dead when a check goes
    /// unanswered.
    pub fn on_tick(&mut self, stamp: NaiveDateTime, now: Instant) -> Step {
        let mut step = Step::default();
        if let Some(asked) = self.asked_at {
            if now.duration_since(asked) >= ANSWER_WAIT {
                step.dead = true;
            }
            return step;
        }
        let waiting_to_start = self.state == LinkState::Connected && !self.started_by_us;
        let start =
            waiting_to_start && now.duration_since(self.connected_at) >= SILENCE_BEFORE_START;
        let check = !waiting_to_start && now.duration_since(self.heard_at) >= KEEP_ALIVE;
        if start || check {
            self.started_by_us |= start;
            self.asked_at = Some(now);
            step.send.push(stamped(RecordType::LINK_START, stamp));
        }
        step
    }

    /// When [`Link::on_tick`] has something to do next.
    pub fn next_tick(&self) -> Instant {
        if let Some(asked) = self.asked_at {
            return asked + ANSWER_WAIT;
        }
        match self.state {
            LinkState::Connected if !self.started_by_us => self.connected_at + SILENCE_BEFORE_START,
            _ => self.heard_at + KEEP_ALIVE,
        }
    }

    /// `LD`, an `LR` per record type, `LA`.
    fn description(&self, stamp: NaiveDateTime) -> Vec<Record> {
        let mut records = vec![
            stamped(RecordType::LINK_DESCRIPTION, stamp)
                .with(FieldId::VERSION, &self.version)
                .with(FieldId::INTERFACE_FAMILY, "DL"),
        ];
        records.extend(LINK_RECORDS.iter().map(|(kind, fields)| {
            Record::new(RecordType::LINK_RECORD)
                .with(FieldId::RECORD_ID, kind)
                .with(FieldId::FIELD_LIST, fields)
        }));
        records.push(stamped(RecordType::LINK_ALIVE, stamp));
        records
    }
}

/// A record of `kind` with the date and time fields.
pub fn stamped(kind: RecordType, stamp: NaiveDateTime) -> Record {
    Record::new(kind)
        .with(FieldId::DATE, stamp.format("%y%m%d").to_string())
        .with(FieldId::TIME, stamp.format("%H%M%S").to_string())
}
