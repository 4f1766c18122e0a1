//! The log file of the desktop app and the server, for whoever looks after the computer: one
//! file a day in a `logs` folder beside the database, the last [`LOG_DAYS_KEPT`] kept. It says
//! what the program did (started, opened which database, the encoder came and went, a change
//! done or refused with its code) and never what a person typed: no guest or operator names,
//! PINs, keys, or error messages (which may name a guest).

use std::path::{Path, PathBuf};

use tracing_appender::non_blocking::WorkerGuard;
use tracing_appender::rolling::{Builder, Rotation};

use crate::{Error, Result};

/// How many daily files the log keeps.
pub const LOG_DAYS_KEPT: usize = 14;

/// Keeps the log written while it lives: what is still queued is written when it is dropped.
#[must_use = "the log stops when this is dropped"]
#[derive(Debug)]
pub struct LogFile {
    pub folder: PathBuf,
    _flush: WorkerGuard,
}

/// The folder the log of a desk whose database is `db` goes to.
pub fn log_folder(db: &Path) -> PathBuf {
    db.parent().unwrap_or(Path::new(".")).join("logs")
}

/// Sends this process's log events to `<folder>/<program>.<date>.log`. When the process
/// already logs somewhere (a test harness that set it up first), events keep going there.
pub fn log_to_folder(folder: &Path, program: &str) -> Result<LogFile> {
    let unwritable =
        |error: std::io::Error| Error::files(format!("the log folder {}", folder.display()), error);
    // Made first: the appender looks for old files to remove before it makes the folder.
    std::fs::create_dir_all(folder).map_err(unwritable)?;
    let appender = Builder::new()
        .rotation(Rotation::DAILY)
        .filename_prefix(program)
        .filename_suffix("log")
        .max_log_files(LOG_DAYS_KEPT)
        .build(folder)
        .map_err(|error| Error::files(format!("the log folder {}", folder.display()), error))?;
    let (writer, flush) = tracing_appender::non_blocking(appender);
    let _already_set = tracing_subscriber::fmt()
        .with_writer(writer)
        .with_ansi(false)
        .with_max_level(tracing::Level::INFO)
        .try_init();
    Ok(LogFile {
        folder: folder.to_owned(),
        _flush: flush,
    })
}
