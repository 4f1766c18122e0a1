//! The disk-fault harness's child, run as root of its own user and mount namespace
//! (`unshare -rm disk-worker DIR`): it mounts a small tmpfs at DIR, opens a desk there, and
//! then, for a full disk and for a disk remounted read-only, tries a check-in and a card
//! encode. For each it prints one JSON line: the error the desk gave, whether the database
//! is exactly as before and sound, and whether the same change works once the disk is back.

use std::io::Write as _;
use std::path::Path;
use std::process::{Command, ExitCode};

use chrono::{TimeDelta, Utc};
use engine::model::AccessMode;
use frontdesk::{CheckIn, FrontDesk, NewGuest, Operator, StayDetail};
use reliability::desk::{self, DeskFiles, OpenDesk};
use serde_json::json;

/// One row of a table, column name to value as text.
type Row = std::collections::BTreeMap<String, Option<String>>;

/// The tables a use case writes.
const TABLES: [&str; 11] = [
    "user_identities",
    "reservations",
    "reservation_doors",
    "access_grants",
    "access_grant_entrances",
    "access_methods",
    "warnings",
    "audit_log",
    "encode_operations",
    "cards",
    "action_attempts",
];

fn main() -> ExitCode {
    let Some(dir) = std::env::args().nth(1) else {
        eprintln!("usage: disk-worker DIR (inside unshare -rm)");
        return ExitCode::from(64);
    };
    match run(Path::new(&dir)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("disk-worker: {message}");
            ExitCode::FAILURE
        }
    }
}

fn mount(args: &[&str]) -> Result<(), String> {
    let status = Command::new("mount")
        .args(args)
        .status()
        .map_err(|error| format!("mount: {error}"))?;
    status
        .success()
        .then_some(())
        .ok_or_else(|| format!("mount {args:?}: {status}"))
}

fn run(dir: &Path) -> Result<(), String> {
    let dir_text = dir.to_str().ok_or("the directory is not UTF-8")?;
    mount(&["-t", "tmpfs", "-o", "size=8m", "tmpfs", dir_text])?;
    let files = DeskFiles::new(dir);
    let opened = desk::open(&files, "disk", Utc::now())?;
    let operator = desk::manager("disk-worker");
    // A stay whose card is still to encode, for the encode attempts.
    let waiting = check_in(&opened.desk, &operator).map_err(desk::wire_message)?;

    let filler = dir.join("filler");
    attempt(
        &opened,
        &operator,
        &waiting,
        "full_disk",
        "check_in",
        || fill(&filler),
        || std::fs::remove_file(&filler).map_err(|e| e.to_string()),
    )?;
    attempt(
        &opened,
        &operator,
        &waiting,
        "full_disk",
        "encode",
        || fill(&filler),
        || std::fs::remove_file(&filler).map_err(|e| e.to_string()),
    )?;
    drop(opened);
    read_only_start(&files, dir_text, &operator)?;
    Ok(())
}

/// Fills the disk until it refuses another byte.
fn fill(path: &Path) -> Result<(), String> {
    let mut file = std::fs::File::create(path).map_err(|e| e.to_string())?;
    let block = vec![0x5A_u8; 64 * 1024];
    loop {
        if let Err(error) = file.write_all(&block).and_then(|()| file.sync_all()) {
            return match error.raw_os_error() {
                Some(28) => Ok(()), // ENOSPC
                _ => Err(format!("filling the disk: {error}")),
            };
        }
    }
}

fn check_in(desk: &FrontDesk, operator: &Operator) -> frontdesk::Result<StayDetail> {
    let now = Utc::now();
    desk.check_in(
        operator,
        now,
        &CheckIn {
            space_id: desk::space_id(desk, "room-101").map_err(|message| {
                frontdesk::Error::NotFound {
                    resource: "space",
                    id: message,
                }
            })?,
            starts_at: now,
            ends_at: now + TimeDelta::days(1),
            guests: vec![NewGuest {
                full_name: "Disk Fault".to_owned(),
                email_address: None,
                phone_number: None,
            }],
            common_entrance_ids: Vec::new(),
            cards_per_guest: 1,
            reservation_key: None,
            // Every round books room 101 again over the last: the worker tests a full disk.
            allow_overlap: true,
        },
    )
}

fn encode(opened: &OpenDesk, operator: &Operator, stay: &StayDetail) -> frontdesk::Result<()> {
    let ids: Vec<_> = stay
        .guests
        .iter()
        .flat_map(|guest| &guest.cards)
        .filter(|card| card.mode == AccessMode::Card)
        .map(|card| card.id)
        .filter(|id| {
            opened
                .desk
                .access_method(*id)
                .is_ok_and(|method| !method.is_issued())
        })
        .collect();
    opened.simulator.remove_card();
    let context = operator.context(Utc::now());
    opened
        .desk
        .encode_cards(&context, &opened.station, &ids, &mut |_| {})
        .map(drop)
}

fn snapshot(desk: &FrontDesk) -> Result<Vec<Vec<Row>>, String> {
    desk.store()
        .read(|r| TABLES.iter().map(|table| r.table_rows(table)).collect())
        .map_err(|error: store::Error| error.to_string())
}

/// The cards holding an image (a blank fed onto the encoder is not a written card).
fn written_cards(opened: &OpenDesk) -> Vec<encoder::simulator::SimulatedCard> {
    let mut cards = opened.simulator.cards();
    cards.retain(|card| !card.image.is_empty());
    cards
}

/// A disk that is read-only when the desk starts and then writes (Linux refuses to remount
/// a disk read-only under open files): the desk either refuses to open or refuses the
/// check-in, in words; once the disk is writable again the same check-in works.
fn read_only_start(files: &DeskFiles, dir: &str, operator: &Operator) -> Result<(), String> {
    let before = {
        let opened = desk::open(files, "disk", Utc::now())?;
        snapshot(&opened.desk)?
    };
    mount(&["-o", "remount,ro", dir])?;
    let error = match desk::open(files, "disk", Utc::now()) {
        Err(message) => Some(json!({ "error_type": "open_failed", "message": message })),
        Ok(opened) => check_in(&opened.desk, operator).err().map(|error| {
            let wire = error.to_wire();
            json!({ "status": wire.status, "error_type": wire.error_type, "message": wire.message })
        }),
    };
    mount(&["-o", "remount,rw", dir])?;
    let opened = desk::open(files, "disk", Utc::now())?;
    let unchanged = snapshot(&opened.desk)? == before;
    let integrity = opened
        .desk
        .store()
        .integrity_check()
        .map_err(|error| error.to_string())?;
    let retry = check_in(&opened.desk, operator)
        .err()
        .map(desk::wire_message);
    println!(
        "{}",
        json!({
            "fault": "read_only",
            "operation": "check_in",
            "failed": error.is_some(),
            "status": error.as_ref().map(|e| e["status"].clone()),
            "error_type": error.as_ref().map(|e| e["error_type"].clone()),
            "message": error.as_ref().map(|e| e["message"].clone()),
            "unchanged": unchanged,
            "cards_unchanged": true,
            "integrity": integrity,
            "retry_error": retry,
        })
    );
    Ok(())
}

/// Breaks the disk, tries `operation`, mends the disk, checks, and tries again.
fn attempt(
    opened: &OpenDesk,
    operator: &Operator,
    waiting: &StayDetail,
    fault: &str,
    operation: &str,
    break_disk: impl FnOnce() -> Result<(), String>,
    mend_disk: impl FnOnce() -> Result<(), String>,
) -> Result<(), String> {
    let run = || match operation {
        "check_in" => check_in(&opened.desk, operator).map(drop),
        _ => encode(opened, operator, waiting),
    };
    let before = snapshot(&opened.desk)?;
    let cards_before = written_cards(opened);
    break_disk()?;
    let result = run();
    let unchanged_while_broken = snapshot(&opened.desk)? == before;
    mend_disk()?;
    let unchanged = snapshot(&opened.desk)? == before;
    let cards_unchanged = written_cards(opened) == cards_before;
    let integrity = opened
        .desk
        .store()
        .integrity_check()
        .map_err(|error| error.to_string())?;
    let retry = run().err().map(desk::wire_message);
    let error = result.err().map(|error| error.to_wire());
    println!(
        "{}",
        json!({
            "fault": fault,
            "operation": operation,
            "failed": error.is_some(),
            "status": error.as_ref().map(|e| e.status),
            "error_type": error.as_ref().map(|e| e.error_type),
            "message": error.as_ref().map(|e| e.message.clone()),
            "unchanged": unchanged && unchanged_while_broken,
            "cards_unchanged": cards_unchanged,
            "integrity": integrity,
            "retry_error": retry,
        })
    );
    Ok(())
}
