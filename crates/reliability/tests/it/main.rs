//! The reliability harnesses, in one binary: crashes, concurrency, encoder and disk faults,
//! bad input to the API and to the desktop commands, and what reaches the logs.

use std::sync::{Mutex, MutexGuard, PoisonError};

mod backup_kills;
mod bad_input;
mod command_input;
mod concurrency;
mod crash;
mod disk_faults;
mod encoder_faults;
mod security;
mod terminal_kills;
mod terminal_links;

/// Holds the harnesses to one at a time, as when each ran in its own process: they spawn
/// workers, time their calls and print their own figures, so none may steal another's share
/// of the machine. A harness that failed does not stop the next one.
fn one_at_a_time() -> MutexGuard<'static, ()> {
    static HARNESS: Mutex<()> = Mutex::new(());
    HARNESS.lock().unwrap_or_else(PoisonError::into_inner)
}
