//! The one line each harness prints: what it ran, what it injected, what it lost.

use std::fmt;
use std::time::Instant;

/// The figures of one harness run.
#[derive(Debug)]
pub struct Figures {
    harness: &'static str,
    started: Instant,
    pub seed: u64,
    /// Kills, races, requests or inputs: one unit of the harness's work.
    pub runs: u64,
    pub faults_injected: u64,
    /// Invariant violations found: a lost record, a card without one, a reused number, a
    /// raw database error, a panic.
    pub losses: u64,
    /// Further counts worth reporting, in order.
    pub extra: Vec<(&'static str, u64)>,
}

impl Figures {
    pub fn new(harness: &'static str, seed: u64) -> Self {
        Self {
            harness,
            started: Instant::now(),
            seed,
            runs: 0,
            faults_injected: 0,
            losses: 0,
            extra: Vec::new(),
        }
    }

    /// Adds `amount` to the extra count `name`, creating it at zero.
    pub fn count(&mut self, name: &'static str, amount: u64) {
        match self.extra.iter_mut().find(|(known, _)| *known == name) {
            Some((_, value)) => *value += amount,
            None => self.extra.push((name, amount)),
        }
    }

    /// Counts what a worker's journal says was committed: grants, deletions and cards.
    pub fn count_journal(&mut self, facts: &[crate::journal::Fact]) {
        use crate::journal::Fact;
        let count = |wanted: fn(&Fact) -> bool| facts.iter().filter(|fact| wanted(fact)).count();
        self.count(
            "grants_committed",
            count(|f| matches!(f, Fact::Grant { .. })) as u64,
        );
        self.count(
            "grants_deleted",
            count(|f| matches!(f, Fact::Deleted { .. })) as u64,
        );
        self.count(
            "cards_issued",
            count(|f| matches!(f, Fact::Card { .. })) as u64,
        );
    }

    pub fn get(&self, name: &str) -> u64 {
        self.extra
            .iter()
            .find(|(known, _)| *known == name)
            .map_or(0, |(_, value)| *value)
    }

    /// Prints the line (cargo test shows it with `--nocapture`; scripts/reliability always).
    pub fn print(&self) {
        println!("{self}");
    }
}

impl fmt::Display for Figures {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scale = if crate::full_run() { "full" } else { "short" };
        write!(
            f,
            "figures: {} ({scale}) runs={} faults_injected={} losses={}",
            self.harness, self.runs, self.faults_injected, self.losses
        )?;
        for (name, value) in &self.extra {
            write!(f, " {name}={value}")?;
        }
        write!(
            f,
            " seconds={:.1} seed={}",
            self.started.elapsed().as_secs_f64(),
            self.seed
        )
    }
}
