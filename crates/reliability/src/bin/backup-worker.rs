//! The backup harness's child: makes backups of a desk's database, one after another, while
//! the crash worker writes to it, with short pauses between, until it is killed. Before each backup it notes how many
//! facts the crash worker had journaled (each one committed): the backup must hold them all.
//! It exits on its own only when a backup failed, with the reason on stderr.
//!
//!     backup-worker DIR OUT

use std::path::Path;
use std::process::ExitCode;

use chrono::Utc;
use encoder::keys::KeyRing;
use frontdesk::{Context, FrontDesk};
use reliability::desk::{DeskFiles, wire_message};
use reliability::{backup_files, journal};

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let (Some(dir), Some(out)) = (args.next(), args.next()) else {
        eprintln!("usage: backup-worker DIR OUT");
        return ExitCode::from(64);
    };
    match run(&DeskFiles::new(dir), Path::new(&out)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("backup-worker: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run(files: &DeskFiles, out: &Path) -> Result<(), String> {
    let store = store::Store::open(&files.database()).map_err(|e| e.to_string())?;
    let desk = FrontDesk::new(store);
    let property = desk
        .property()
        .map_err(wire_message)?
        .ok_or("the desk has no property")?;
    let keys = KeyRing::load(&files.keys(), property.id).map_err(|e| e.to_string())?;
    // After the numbers used before (a kill may have left a number's note without its
    // backup, and half-made hidden files).
    let mut number = std::fs::read_dir(out)
        .map_err(|e| e.to_string())?
        .filter_map(|entry| entry.ok())
        .filter_map(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            name.strip_prefix("backup-")?
                .strip_suffix(".facts")?
                .parse::<usize>()
                .ok()
        })
        .max()
        .map_or(0, |last| last + 1);
    loop {
        let (backup, facts) = backup_files(out, number);
        let held = journal::read(&files.journal())
            .map_err(|e| e.to_string())?
            .len();
        std::fs::write(&facts, held.to_string()).map_err(|e| e.to_string())?;
        desk.make_backup(
            &Context::new("backup-worker", Utc::now()),
            &files.database(),
            &keys,
            &backup,
        )
        .map_err(wire_message)?;
        number += 1;
        // A pause, as between scheduled backups, so that kills land between backups too.
        std::thread::sleep(std::time::Duration::from_millis(fastrand::u64(50..200)));
    }
}
