//! Backups of a desk's database and its card keys, made while the desk works and restored
//! when it does not run.
//!
//! A backup is one SQLite file: a consistent copy of the database with a manifest that names
//! the property and holds the card keys, sealed to the backup password ([`key`]). It is
//! checked before it gets its name ([`verify`]), and restoring it sets the database it
//! replaces aside rather than deleting it.

mod key;
mod make;
mod restore;
mod schedule;
mod verify;

use std::fs;
use std::path::{Path, PathBuf};

pub use key::MIN_BACKUP_PASSWORD_CHARS;
pub use make::BackupMade;
pub use restore::{Restored, check_restore, restore_backup};
pub use schedule::{
    BACKUP_EXTENSION, BackupFile, BackupSchedule, BackupStatus, LastBackup, MAX_EVERY_HOURS,
    MAX_KEPT, keep_backing_up,
};

use crate::{Error, Result};

/// `.<name>.<what>-<pid>` beside `file`: a file being made, hidden until it is whole.
fn working_file(file: &Path, what: &str) -> PathBuf {
    let name = file.file_name().unwrap_or_default().to_string_lossy();
    file.with_file_name(format!(".{name}.{what}-{}", std::process::id()))
}

/// Gives the whole file `made` its name `to`, never replacing a file already there (a hard
/// link; a rename where the file system has no links, as FAT and exFAT memory sticks).
fn put_in_place(made: &Path, to: &Path) -> Result<()> {
    let failed = |error| Error::files(format!("the file {}", to.display()), error);
    match fs::hard_link(made, to) {
        Ok(()) => Ok(()),
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => Err(failed(error)),
        Err(_) => fs::rename(made, to).map_err(failed),
    }
}

/// Makes the content of `file` durable (opened for writing: Windows flushes no other way).
fn sync_file(file: &Path) -> std::io::Result<()> {
    fs::OpenOptions::new().write(true).open(file)?.sync_all()
}

/// Keeps `file` as `aside` without moving or copying over anything already there: a hard
/// link, or a copy where the file system has none.
fn keep_aside(file: &Path, aside: &Path) -> Result<()> {
    let failed = |error| Error::files(format!("the file {}", aside.display()), error);
    match fs::hard_link(file, aside) {
        Ok(()) => Ok(()),
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => Err(failed(error)),
        Err(_) => {
            let mut target = fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(aside)
                .map_err(failed)?;
            std::io::copy(&mut fs::File::open(file).map_err(failed)?, &mut target)
                .and_then(|_| target.sync_all())
                .map_err(failed)
        }
    }
}

/// Makes the name of `file` durable: its folder synced (where the system allows it).
fn sync_folder(file: &Path) -> Result<()> {
    let folder = file
        .parent()
        .filter(|folder| !folder.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    #[cfg(unix)]
    fs::File::open(folder)
        .and_then(|folder| folder.sync_all())
        .map_err(|error| Error::files(format!("the folder {}", folder.display()), error))?;
    #[cfg(not(unix))]
    let _ = folder;
    Ok(())
}
