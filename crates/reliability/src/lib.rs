//! Harnesses that try to make the front desk lose a reservation, issue a card nothing
//! records, or let a card open a door it should not: processes killed mid-work, processes and
//! API clients racing on one database, encoder and disk faults, bad input and forged cards.
//!
//! Each harness is an integration test of this crate (a short run by default, the full one
//! with `RELIABILITY_FULL=1`) and prints one `figures:` line; `scripts/reliability` runs the
//! full set. The binaries are the child processes the harnesses start and kill.

pub mod check;
pub mod desk;
pub mod figures;
pub mod http;
pub mod journal;
pub mod property_server;

/// Whether the full-size runs were asked for (`RELIABILITY_FULL=1`).
pub fn full_run() -> bool {
    std::env::var("RELIABILITY_FULL").is_ok_and(|value| value == "1")
}

/// The seed of a run: `RELIABILITY_SEED` to replay one, otherwise a fresh one (printed with
/// the figures).
pub fn seed() -> u64 {
    std::env::var("RELIABILITY_SEED")
        .ok()
        .and_then(|text| text.parse().ok())
        .unwrap_or_else(|| fastrand::u64(..))
}

/// The backup harness's backup numbered `number` in `out`, and the file that says how many
/// journaled facts it must hold.
pub fn backup_files(
    out: &std::path::Path,
    number: usize,
) -> (std::path::PathBuf, std::path::PathBuf) {
    (
        out.join(format!("backup-{number:05}.fdbackup")),
        out.join(format!("backup-{number:05}.facts")),
    )
}
