//! Timing runs and printing them as rows of one table.
//!
//! Criterion reports a mean and a median per batch of iterations, neither a 99th percentile
//! of single runs nor a ratio to another measurement, and it cannot time requests that
//! overlap; so each path is timed here, run by run.

use std::time::{Duration, Instant};

use anyhow::Result;

/// The durations of the timed runs of one measurement.
#[derive(Debug, Clone, Default)]
pub struct Samples {
    sorted: Vec<Duration>,
}

impl Samples {
    pub fn new(mut runs: Vec<Duration>) -> Self {
        runs.sort_unstable();
        Self { sorted: runs }
    }

    pub fn runs(&self) -> usize {
        self.sorted.len()
    }

    pub fn median(&self) -> Duration {
        self.percentile(50)
    }

    pub fn p99(&self) -> Duration {
        self.percentile(99)
    }

    /// Nearest rank: the smallest run that at least `percent` % of the runs do not exceed.
    fn percentile(&self, percent: usize) -> Duration {
        let rank = (self.sorted.len() * percent).div_ceil(100).max(1);
        self.sorted.get(rank - 1).copied().unwrap_or_default()
    }
}

/// Runs `work`, returning what it made and how long it took.
pub fn timed<T>(work: impl FnOnce() -> Result<T>) -> Result<(T, Duration)> {
    let started = Instant::now();
    let value = work()?;
    Ok((value, started.elapsed()))
}

/// Runs a path and its baseline in turns, `warm_up` untimed rounds then `runs` timed ones, so
/// that both meet the same machine: the same other load, caches and disk. Each closure times
/// its own run, leaving out what it prepares. Which of the two goes first changes every
/// round: the second of a pair finds the processor's caches warm from the first.
pub fn alternate(
    warm_up: usize,
    runs: usize,
    mut figure: impl FnMut() -> Result<Duration>,
    mut baseline: impl FnMut() -> Result<Duration>,
) -> Result<(Samples, Samples)> {
    let mut figures = Vec::with_capacity(runs);
    let mut baselines = Vec::with_capacity(runs);
    for round in 0..warm_up + runs {
        let (figure_took, baseline_took) = if round.is_multiple_of(2) {
            let figure_took = figure()?;
            (figure_took, baseline()?)
        } else {
            let baseline_took = baseline()?;
            (figure()?, baseline_took)
        };
        if round >= warm_up {
            figures.push(figure_took);
            baselines.push(baseline_took);
        }
    }
    Ok((Samples::new(figures), Samples::new(baselines)))
}

/// One measured path against its baseline.
#[derive(Debug)]
pub struct Row {
    pub path: String,
    pub figure: Samples,
    pub baseline_name: String,
    pub baseline: Samples,
    /// The largest acceptable ratio of the medians.
    pub max_ratio: f64,
    /// A goal besides the ratio, as `(goal, met)`.
    pub extra_goal: Option<(String, bool)>,
    pub notes: String,
}

impl Row {
    pub fn ratio(&self) -> f64 {
        let baseline = self.baseline.median().as_secs_f64();
        if baseline > 0.0 {
            self.figure.median().as_secs_f64() / baseline
        } else {
            f64::INFINITY
        }
    }

    pub fn met(&self) -> bool {
        self.ratio() <= self.max_ratio && self.extra_goal.as_ref().is_none_or(|(_, met)| *met)
    }

    /// The row as printed, in the columns of [`HEADER`].
    pub fn line(&self) -> String {
        // A row whose goal is its own figure (a p99) has no ratio goal.
        let mut goals = Vec::new();
        if self.max_ratio.is_finite() {
            goals.push(format!("≤ {:.1}×", self.max_ratio));
        }
        if let Some((extra, _)) = &self.extra_goal {
            goals.push(extra.clone());
        }
        let goal = goals.join(", ");
        format!(
            "| {} | {} | {} | {} | {} | {} | {} | {} | {:.2}× | {} | {} | {} |",
            self.path,
            duration(self.figure.median()),
            duration(self.figure.p99()),
            self.figure.runs(),
            self.baseline_name,
            duration(self.baseline.median()),
            duration(self.baseline.p99()),
            self.baseline.runs(),
            self.ratio(),
            goal,
            if self.met() { "ok" } else { "MISS" },
            self.notes,
        )
    }
}

/// The table's head. Every row, this program's and those other programs append, has these
/// twelve cells; the ratio is of the medians.
pub const HEADER: &str = "| path | median | p99 | runs | baseline | median | p99 | runs | ratio | goal | result | notes |\n\
     | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |";

/// A duration to three significant digits, in the unit that suits it.
pub fn duration(value: Duration) -> String {
    let micros = value.as_secs_f64() * 1e6;
    match micros {
        m if m < 10.0 => format!("{m:.2} µs"),
        m if m < 100.0 => format!("{m:.1} µs"),
        m if m < 1_000.0 => format!("{m:.0} µs"),
        m if m < 10_000.0 => format!("{:.2} ms", m / 1e3),
        m if m < 100_000.0 => format!("{:.1} ms", m / 1e3),
        m if m < 1_000_000.0 => format!("{:.0} ms", m / 1e3),
        m => format!("{:.2} s", m / 1e6),
    }
}

/// `1000000` as `1,000,000`.
pub fn thousands(value: usize) -> String {
    let digits = value.to_string();
    let mut grouped = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    grouped
}

#[cfg(test)]
mod tests {
    use super::*;

    fn millis(values: &[u64]) -> Samples {
        Samples::new(values.iter().map(|&ms| Duration::from_millis(ms)).collect())
    }

    #[test]
    fn median_and_p99_are_nearest_ranks() {
        let samples = millis(&(1..=100).rev().collect::<Vec<_>>());
        assert_eq!(samples.median(), Duration::from_millis(50));
        assert_eq!(samples.p99(), Duration::from_millis(99));
        let few = millis(&[3, 1, 2]);
        assert_eq!(few.median(), Duration::from_millis(2));
        assert_eq!(few.p99(), Duration::from_millis(3));
        assert_eq!(Samples::default().median(), Duration::ZERO);
    }

    #[test]
    fn the_two_sides_take_turns_going_first() {
        let order = std::cell::RefCell::new(String::new());
        let order = &order;
        let side = |name| {
            move || {
                order.borrow_mut().push(name);
                Ok(Duration::from_millis(1))
            }
        };
        let (figure, baseline) = alternate(1, 3, side('f'), side('b')).unwrap();
        assert_eq!(*order.borrow(), "fbbffbbf");
        assert_eq!((figure.runs(), baseline.runs()), (3, 3));
    }

    #[test]
    fn counts_are_grouped_by_thousands() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000), "1,000");
        assert_eq!(thousands(1_000_000), "1,000,000");
    }

    #[test]
    fn durations_keep_three_digits() {
        assert_eq!(duration(Duration::from_nanos(4_560)), "4.56 µs");
        assert_eq!(duration(Duration::from_micros(456)), "456 µs");
        assert_eq!(duration(Duration::from_micros(4_560)), "4.56 ms");
        assert_eq!(duration(Duration::from_millis(45_600)), "45.60 s");
    }

    #[test]
    fn a_row_misses_on_its_ratio_or_its_extra_goal() {
        let mut row = Row {
            path: "p".into(),
            figure: millis(&[3]),
            baseline_name: "b".into(),
            baseline: millis(&[2]),
            max_ratio: 2.0,
            extra_goal: None,
            notes: String::new(),
        };
        assert!(row.met());
        assert_eq!(
            row.line(),
            "| p | 3.00 ms | 3.00 ms | 1 | b | 2.00 ms | 2.00 ms | 1 | 1.50× | ≤ 2.0× | ok |  |"
        );
        row.extra_goal = Some(("≤ 13 requests".into(), false));
        assert!(!row.met());
        row.extra_goal = None;
        row.max_ratio = 1.2;
        assert!(!row.met());
        assert_eq!(
            HEADER.lines().next().map(|head| head.matches('|').count()),
            Some(13)
        );
    }
}
