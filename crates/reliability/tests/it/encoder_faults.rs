//! Encoder-fault harness: every fault the simulated encoder can stage, at every step of the
//! protocol the desk uses (POLL, READ, WRITE_BEGIN, CHUNK, COMMIT, ABORT, EJECT,
//! GET_OP_RESULT), many times, during two-card check-in encodes and card reads. Each ends in a
//! clear error or in success; a retry afterwards always works; no card is ever left without
//! its record, no encode stays pending, and no call waits longer than the card wait plus the
//! reply wait (the documented timeouts, scaled down here to keep the run short).
//!
//! Every (fault, step) pair once by default; ten times with `RELIABILITY_FULL=1`.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use chrono::{TimeDelta, Utc};
use encoder::keys::KeyRing;
use encoder::protocol::Command;
use encoder::simulator::{Fault, SimulatedEncoder, UnplugAt};
use encoder::supervisor::Source;
use frontdesk::{CardStation, CheckIn, Context, FrontDesk, NewGuest};
use reliability::check::Inspector;
use reliability::desk::{self, ROOMS, TEST_PROPERTY};
use reliability::figures::Figures;
use store::Store;

/// The documented waits are 15 s for a card and 2 s per reply; scaled down.
const CARD_WAIT: Duration = Duration::from_millis(200);
const REPLY_WAIT: Duration = Duration::from_millis(200);
/// One staged fault costs at most one card wait and one reply wait; the rest is scheduling
/// on a busy machine.
const LONGEST_CALL: Duration = Duration::from_millis(200 + 2 * 200 + 600);

const FAULTS: [Fault; 11] = [
    Fault::NoCardInTime,
    Fault::CardRemovedMidWrite,
    Fault::Busy,
    Fault::NoAnswer,
    Fault::CrcErrors(1),
    Fault::CrcErrors(2),
    Fault::CrcErrors(5),
    Fault::DamagedCard,
    Fault::UnsupportedCard,
    Fault::UnplugMidWrite(UnplugAt::BeforeCommit),
    Fault::UnplugMidWrite(UnplugAt::AfterWrite),
];

const STEPS: [Command; 8] = [
    Command::Poll,
    Command::Read,
    Command::WriteBegin,
    Command::Chunk,
    Command::Commit,
    Command::Abort,
    Command::Eject,
    Command::GetOpResult,
];

struct Bench {
    desk: FrontDesk,
    station: CardStation,
    simulator: SimulatedEncoder,
    operator: frontdesk::Operator,
    figures: Figures,
    problems: Vec<String>,
    messages: BTreeSet<(String, String)>,
    longest: Duration,
    /// The last error a call ended in, for the report of a failed retry.
    last_error: String,
}

impl Bench {
    fn new(database: &std::path::Path, seed: u64) -> Self {
        let desk = FrontDesk::new(Store::open(database).unwrap());
        let context = frontdesk::Context::new("faults", Utc::now());
        let property = desk.import_property(&context, TEST_PROPERTY).unwrap();
        let simulator = SimulatedEncoder::in_memory();
        let keys = KeyRing::generate(property.id).unwrap();
        let mut station = CardStation::new(Source::Simulated(simulator.clone()), keys);
        station.set_card_timeout(CARD_WAIT);
        station.supervisor().set_reply_timeout(REPLY_WAIT);
        Self {
            desk,
            station,
            simulator,
            operator: desk::manager("faults"),
            figures: Figures::new("encoder_faults", seed),
            problems: Vec::new(),
            messages: BTreeSet::new(),
            longest: Duration::ZERO,
            last_error: String::new(),
        }
    }

    /// A new two-guest stay: its key and the ids of its two cards.
    fn stay(&self, room: &str) -> (String, Vec<uuid::Uuid>) {
        let now = Utc::now();
        let guest = |n| NewGuest {
            full_name: format!("Guest {n}"),
            email_address: None,
            phone_number: None,
        };
        let stay = self
            .desk
            .check_in(
                &self.operator,
                now,
                &CheckIn {
                    space_id: desk::space_id(&self.desk, room).unwrap(),
                    starts_at: now,
                    ends_at: now + TimeDelta::days(1),
                    guests: vec![guest(1), guest(2)],
                    common_entrance_ids: Vec::new(),
                    cards_per_guest: 1,
                    reservation_key: None,
                    // Rounds book the room again over the last: this tests the encoder.
                    allow_overlap: true,
                },
            )
            .unwrap();
        let cards = stay
            .guests
            .iter()
            .flat_map(|guest| guest.cards.iter().map(|card| card.id))
            .collect();
        (stay.reservation_key, cards)
    }

    /// Encodes the cards not issued yet, timed; `Ok(false)` when it failed cleanly.
    fn encode(&mut self, what: &str, ids: &[uuid::Uuid]) -> bool {
        let missing: Vec<_> = ids
            .iter()
            .copied()
            .filter(|id| !self.desk.access_method(*id).unwrap().is_issued())
            .collect();
        let context = self.operator.context(Utc::now());
        let started = Instant::now();
        let result = self
            .desk
            .encode_cards(&context, &self.station, &missing, &mut |_| {});
        self.timed(what, started.elapsed());
        self.judge(what, result.map(drop))
    }

    fn read(&mut self, what: &str) -> bool {
        let started = Instant::now();
        let result = self
            .desk
            .read_card(&Context::new("faults", Utc::now()), &self.station);
        self.timed(what, started.elapsed());
        self.judge(what, result.map(drop))
    }

    fn timed(&mut self, what: &str, took: Duration) {
        self.longest = self.longest.max(took);
        if took > LONGEST_CALL {
            self.problems.push(format!("{what}: took {took:?}"));
        }
    }

    /// Success, or an encoder error a person can act on; anything else is a problem.
    fn judge(&mut self, what: &str, result: frontdesk::Result<()>) -> bool {
        match result {
            Ok(()) => true,
            Err(error @ frontdesk::Error::Encoder(_)) => {
                let wire = error.to_wire();
                if wire.message.trim().is_empty() || wire.error_type.as_str().is_empty() {
                    self.problems
                        .push(format!("{what}: an error without words: {wire:?}"));
                }
                self.last_error = format!("{}: {}", wire.error_type, wire.message);
                self.messages
                    .insert((wire.error_type.to_string(), wire.message));
                false
            }
            Err(error) => {
                self.last_error = format!("{:?}", error.to_wire());
                self.problems.push(format!("{what}: {}", self.last_error));
                false
            }
        }
    }

    /// One fault at one step, then a retry without faults, then the checks.
    fn round(&mut self, round: usize, fault: Fault, step: Command, database: &std::path::Path) {
        let what = format!("round {round} {fault:?} at {step:?}");
        let (stay, ids) = self.stay(ROOMS[round % ROOMS.len()]);
        self.simulator.remove_card();
        if matches!(step, Command::Abort | Command::GetOpResult) {
            // Those steps run only while an encode is pending: leave one, its write open.
            self.simulator.fail_on(Command::Chunk, Fault::NoAnswer);
            if self.encode(&format!("{what} (setup)"), &ids) {
                self.problems
                    .push(format!("{what}: the setup fault did not fire"));
            }
            self.simulator.present_blank_card();
        }
        self.simulator.fail_on(step, fault);
        self.figures.faults_injected += 1;
        let clean = if step == Command::Read {
            self.encode(&what, &ids) && self.read(&what)
        } else {
            self.encode(&what, &ids)
        };
        self.figures.count(
            if clean {
                "ended_in_success"
            } else {
                "ended_in_clear_error"
            },
            1,
        );

        self.simulator.clear_faults();
        self.simulator.plug();
        self.simulator.present_blank_card();
        if !self.encode(&format!("{what} (retry)"), &ids) {
            self.problems
                .push(format!("{what}: the retry failed: {}", self.last_error));
        }
        let context = self.operator.context(Utc::now());
        let resolution = self
            .desk
            .resolve_pending_encodes(&context, &self.station)
            .unwrap();
        if !resolution.unresolved.is_empty() {
            self.problems
                .push(format!("{what}: still unresolved {resolution:?}"));
        }
        let inspector = Inspector::open(database).unwrap();
        if inspector.pending_encodes().unwrap() > 0 {
            self.problems
                .push(format!("{what}: an encode stayed pending"));
        }
        let found = inspector.cards_match(&self.simulator).unwrap();
        self.problems.extend(
            found
                .into_iter()
                .map(|problem| format!("{what}: {problem}")),
        );
        // Checked out, so that the rooms do not pile up live stays round after round.
        self.desk
            .check_out(&self.operator, Utc::now(), &stay)
            .unwrap();
        self.figures.runs += 1;
    }
}

#[test]
fn every_fault_at_every_step_ends_cleanly_and_loses_no_card() {
    let _alone = crate::one_at_a_time();
    let repeats = if reliability::full_run() { 10 } else { 1 };
    let seed = reliability::seed();
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("faults.db");
    let mut bench = Bench::new(&database, seed);
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut pairs: Vec<(Fault, Command)> = FAULTS
        .iter()
        .flat_map(|fault| STEPS.iter().map(move |step| (*fault, *step)))
        .collect();
    let mut round = 0;
    for _ in 0..repeats {
        rng.shuffle(&mut pairs);
        for (fault, step) in &pairs {
            bench.round(round, *fault, *step, &database);
            round += 1;
        }
    }
    let inspector = Inspector::open(&database).unwrap();
    bench.problems.extend(inspector.sqlite_checks().unwrap());
    bench
        .problems
        .extend(inspector.reservation_invariants().unwrap());
    let cards = inspector.count("SELECT COUNT(*) FROM cards").unwrap();
    bench.figures.count("cards_recorded", cards as u64);
    bench
        .figures
        .count("distinct_errors", bench.messages.len() as u64);
    bench
        .figures
        .count("longest_call_ms", bench.longest.as_millis() as u64);
    bench.figures.losses = bench.problems.len() as u64;
    bench.figures.print();
    for (error_type, message) in &bench.messages {
        println!("  {error_type}: {message}");
    }
    assert!(bench.problems.is_empty(), "{}", bench.problems.join("\n"));
    assert_eq!(
        bench.figures.runs,
        (FAULTS.len() * STEPS.len() * repeats) as u64
    );
    assert!(bench.figures.get("ended_in_clear_error") > 0);
}
