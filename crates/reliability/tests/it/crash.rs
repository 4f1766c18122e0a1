//! Crash harness: a child process checks guests in, adds joiners, moves stays, checks out
//! and encodes cards on a real database file and a simulated encoder's file, and is killed
//! (SIGKILL) at a random moment, again and again. After each kill the desk is opened again as
//! the app opens it (which resolves the encodes left pending) and checked: SQLite's integrity
//! and foreign keys, no card without its record, no override sequence number reused or moved,
//! every grant and card the child saw committed still there, no encode left pending.
//!
//! 20 kills by default, 200 with `RELIABILITY_FULL=1`.
#![allow(clippy::unwrap_used)]

use std::fs::File;
use std::process::{Command, Stdio};
use std::time::Duration;

use chrono::Utc;
use reliability::check::{self, Inspector, SequenceOwners};
use reliability::desk::{self, DeskFiles};
use reliability::figures::Figures;
use reliability::journal::{self, Fact};

/// How long a child may work before it is killed, in milliseconds: from inside its start-up
/// (resolving what the previous one left) to well into its workload.
const KILL_AFTER_MS: std::ops::Range<u64> = 5..400;

#[test]
fn killed_at_random_points_the_desk_loses_nothing() {
    let _alone = crate::one_at_a_time();
    let kills = if reliability::full_run() { 200 } else { 20 };
    let seed = reliability::seed();
    let mut rng = fastrand::Rng::with_seed(seed);
    let dir = tempfile::tempdir().unwrap();
    let files = DeskFiles::new(dir.path());
    let stderr_path = dir.path().join("worker.stderr");
    let mut figures = Figures::new("crash", seed);
    let mut owners_before = SequenceOwners::new();
    let mut problems: Vec<String> = Vec::new();

    for run in 0..kills {
        let mut child = Command::new(env!("CARGO_BIN_EXE_crash-worker"))
            .arg(dir.path())
            .arg(rng.u64(..).to_string())
            .stdout(Stdio::null())
            .stderr(File::create(&stderr_path).unwrap())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(rng.u64(KILL_AFTER_MS)));
        if let Some(status) = child.try_wait().unwrap() {
            let stderr = std::fs::read_to_string(&stderr_path).unwrap_or_default();
            problems.push(format!(
                "run {run}: the worker stopped by itself ({status}): {stderr}"
            ));
            break;
        }
        child.kill().unwrap();
        child.wait().unwrap();
        figures.runs += 1;
        figures.faults_injected += 1;

        let opened = match desk::open(&files, "crash", Utc::now()) {
            Ok(opened) => opened,
            Err(message) => {
                problems.push(format!(
                    "run {run}: the desk does not open again: {message}"
                ));
                break;
            }
        };
        let resolution = &opened.resolution;
        figures.count("pending_resolved_written", resolution.written.len() as u64);
        figures.count("pending_resolved_failed", resolution.failed.len() as u64);
        if !resolution.unresolved.is_empty() {
            problems.push(format!(
                "run {run}: unresolved encodes {:?}",
                resolution.unresolved
            ));
        }

        let inspector = Inspector::open(&files.database()).unwrap();
        let facts = journal::read(&files.journal()).unwrap();
        let (found, owners) = inspector
            .after_kill(&owners_before, &opened.simulator, None, &facts)
            .unwrap();
        problems.extend(
            found
                .into_iter()
                .map(|problem| format!("run {run}: {problem}")),
        );
        owners_before = owners;
    }

    figures.count_journal(&journal::read(&files.journal()).unwrap());
    figures.count("sequence_numbers", owners_before.len() as u64);
    figures.losses = problems.len() as u64;
    figures.print();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert_eq!(figures.runs, kills);
    // The workload must have reached the interesting states, or the run proves little.
    assert!(figures.get("cards_issued") > 0, "no card was ever issued");
}

/// The checks above can fail: a card written behind the desk's back, a journaled grant
/// that is not in the database, and a number that changed hands are each reported.
#[test]
fn the_checks_report_a_card_without_a_record_and_a_lost_grant() {
    let dir = tempfile::tempdir().unwrap();
    let files = DeskFiles::new(dir.path());
    let opened = desk::open(&files, "check", Utc::now()).unwrap();
    let inspector = Inspector::open(&files.database()).unwrap();
    assert_eq!(
        inspector.cards_match(&opened.simulator).unwrap(),
        Vec::<String>::new()
    );

    let uid = opened.simulator.present_blank_card();
    opened
        .station
        .supervisor()
        .with_encoder(|encoder| {
            encoder.write_card(
                *uuid::Uuid::new_v4().as_bytes(),
                &uid,
                &[7; 64],
                &mut |_, _| {},
            )
        })
        .unwrap();
    let problems = inspector.cards_match(&opened.simulator).unwrap();
    assert!(
        problems
            .iter()
            .any(|p| p.contains("written with no record")),
        "{problems:?}"
    );

    let lost = Fact::Grant {
        id: uuid::Uuid::new_v4(),
        reservation_key: "stay-1".to_owned(),
        entrances: None,
    };
    let problems = inspector.journal_kept(&[lost]).unwrap();
    assert!(
        problems.iter().any(|p| p.contains("is gone")),
        "{problems:?}"
    );

    let before = SequenceOwners::from([(("door".to_owned(), 1), "r1".to_owned())]);
    let after = SequenceOwners::from([(("door".to_owned(), 1), "r2".to_owned())]);
    assert_eq!(check::sequences_kept(&before, &after).len(), 1);
    assert!(check::sequences_kept(&before, &before).is_empty());
}
