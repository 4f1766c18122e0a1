//! Backup harness: a child makes backups one after another while the crash worker writes
//! to the same database, and both are killed (SIGKILL) at a random moment, again and again.
//! Then every file under a backup's name is restored onto a new computer's folder: each must
//! restore with the backup password, give back the card keys, and hold every grant, deletion
//! and card the crash worker had seen committed before that backup began.
//!
//! 12 kills by default, 100 with `RELIABILITY_FULL=1`.
#![allow(clippy::unwrap_used)]

use std::fs::File;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use chrono::Utc;
use encoder::keys::KeyRing;
use reliability::check::Inspector;
use reliability::desk::{self, DeskFiles};
use reliability::figures::Figures;
use reliability::{backup_files, journal};

const PASSWORD: &str = "harbour lights at dusk";
/// How long the children work before they are killed, in milliseconds.
const KILL_AFTER_MS: std::ops::Range<u64> = 300..3000;

fn spawn(program: &str, args: &[&std::ffi::OsStr], stderr: &std::path::Path) -> Child {
    Command::new(program)
        .args(args)
        .stdout(Stdio::null())
        .stderr(File::create(stderr).unwrap())
        .spawn()
        .unwrap()
}

#[test]
fn backups_killed_at_random_points_each_surviving_file_restores_whole() {
    let _alone = crate::one_at_a_time();
    let kills = if reliability::full_run() { 100 } else { 12 };
    let seed = reliability::seed();
    let mut rng = fastrand::Rng::with_seed(seed);
    let dir = tempfile::tempdir().unwrap();
    let files = DeskFiles::new(dir.path().join("desk"));
    std::fs::create_dir_all(&files.dir).unwrap();
    let out = dir.path().join("backups");
    std::fs::create_dir_all(&out).unwrap();
    let mut figures = Figures::new("backup", seed);
    let mut problems: Vec<String> = Vec::new();

    let property_id = {
        let opened = desk::open(&files, "backup", Utc::now()).unwrap();
        let manager = desk::manager("backup-harness");
        opened
            .desk
            .set_backup_password(&manager.context(Utc::now()), PASSWORD)
            .unwrap();
        opened.desk.property().unwrap().unwrap().id
    };
    let keys = KeyRing::load(&files.keys(), property_id).unwrap();

    for run in 0..kills {
        let writer_err = dir.path().join("writer.stderr");
        let backup_err = dir.path().join("backup.stderr");
        let seed = rng.u64(..).to_string();
        let mut writer = spawn(
            env!("CARGO_BIN_EXE_crash-worker"),
            &[files.dir.as_os_str(), seed.as_ref()],
            &writer_err,
        );
        let mut backups = spawn(
            env!("CARGO_BIN_EXE_backup-worker"),
            &[files.dir.as_os_str(), out.as_os_str()],
            &backup_err,
        );
        std::thread::sleep(Duration::from_millis(rng.u64(KILL_AFTER_MS)));
        for (child, stderr) in [(&mut writer, &writer_err), (&mut backups, &backup_err)] {
            if let Some(status) = child.try_wait().unwrap() {
                let stderr = std::fs::read_to_string(stderr).unwrap_or_default();
                problems.push(format!(
                    "run {run}: a worker stopped by itself ({status}): {stderr}"
                ));
            }
            let _ = child.kill();
            child.wait().unwrap();
        }
        figures.runs += 1;
        figures.faults_injected += 1;
    }

    let facts = journal::read(&files.journal()).unwrap();
    let mut restored: u64 = 0;
    let mut leftovers = 0;
    for number in 0.. {
        let (backup, held) = backup_files(&out, number);
        let Ok(held) = std::fs::read_to_string(&held) else {
            break;
        };
        if !backup.exists() {
            figures.count("backups_cut_short", 1);
            continue;
        }
        let held: usize = held.trim().parse().unwrap();
        let computer = tempfile::tempdir().unwrap();
        let db = computer.path().join("frontdesk.db");
        let card_keys = computer.path().join("frontdesk.db.card-keys.json");
        match frontdesk::backup::restore_backup(&db, &card_keys, &backup, PASSWORD, Utc::now()) {
            Ok(_) => restored += 1,
            Err(error) => {
                problems.push(format!(
                    "{}: does not restore: {}",
                    backup.display(),
                    error.to_wire().message
                ));
                continue;
            }
        }
        let keys_back = KeyRing::load(&card_keys, property_id).unwrap();
        if keys_back.to_json().unwrap() != keys.to_json().unwrap() {
            problems.push(format!("{}: the card keys differ", backup.display()));
        }
        let inspector = Inspector::open(&db).unwrap();
        problems.extend(
            inspector
                .sqlite_checks()
                .unwrap()
                .into_iter()
                .chain(
                    inspector
                        .journal_kept(&facts[..held.min(facts.len())])
                        .unwrap(),
                )
                .map(|problem| format!("{}: {problem}", backup.display())),
        );
    }
    for entry in std::fs::read_dir(&out).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            leftovers += 1;
        }
    }
    figures.count("backups_restored", restored);
    figures.count("hidden_leftovers", leftovers);
    figures.count_journal(&facts);
    figures.losses = problems.len() as u64;
    figures.print();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // A run where no backup ever completed, or nothing was written, proves little.
    assert!(restored > 0, "no backup was ever completed");
    assert!(!facts.is_empty(), "the writer never committed anything");
}
