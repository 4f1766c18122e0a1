//! Backups at the command line: the password from standard input, a backup made while the
//! server runs, and a restore refused while it runs and done once it stopped.

use std::io::{BufRead as _, BufReader};
use std::process::{Command, Stdio};

use crate::tools::{frontdesk, text};

const PASSWORD: &str = "harbour lights at dusk";

/// The server, stopped when dropped (a failed assertion too).
struct Stopped(std::process::Child);

impl Drop for Stopped {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn a_backup_is_made_while_the_server_runs_and_restored_once_it_stopped() {
    let dir = tempfile::tempdir().expect("folder");
    let db = dir.path().join("server.db");
    let db = db.to_str().expect("path");
    let backup = dir.path().join("nightly.fdbackup");
    let backup = backup.to_str().expect("path");

    let mut server = Stopped(
        Command::new(env!("CARGO_BIN_EXE_frontdesk"))
            .args([
                "serve",
                "--db",
                db,
                "--property",
                "demo",
                "--listen",
                "127.0.0.1:0",
            ])
            .env("FRONTDESK_API_KEY", "seam_backup_test_key_0123456789abcdef")
            .stdout(Stdio::piped())
            .spawn()
            .expect("the server starts"),
    );
    let mut lines = BufReader::new(server.0.stdout.take().expect("stdout")).lines();
    let listening = lines.next().expect("a line").expect("text");
    assert!(listening.contains("listening"), "{listening}");

    // No password yet: the backup says how to set one.
    let output = frontdesk(&["backup", "--db", db, "--to", backup], "");
    assert!(!output.status.success());
    assert!(
        text(&output).1.contains("backup-password"),
        "{:?}",
        text(&output)
    );
    let output = frontdesk(&["backup-password", "--db", db], "short\n");
    assert!(!output.status.success());
    assert!(
        text(&output).1.contains("at least 12 characters"),
        "{:?}",
        text(&output)
    );
    let output = frontdesk(&["backup-password", "--db", db], &format!("{PASSWORD}\n"));
    assert!(output.status.success(), "{:?}", text(&output));

    let output = frontdesk(&["backup", "--db", db, "--to", backup], "");
    assert!(output.status.success(), "{:?}", text(&output));
    assert!(
        text(&output)
            .0
            .starts_with("Backed up Harbor View Hotel to "),
        "{:?}",
        text(&output)
    );
    let folder = dir.path().join("scheduled");
    let folder = folder.to_str().expect("path");
    let output = frontdesk(&["backup-schedule", "--db", db, "--folder", "relative"], "");
    assert!(text(&output).1.contains("full path"), "{:?}", text(&output));
    let output = frontdesk(
        &[
            "backup-schedule",
            "--db",
            db,
            "--folder",
            folder,
            "--every-hours",
            "6",
        ],
        "",
    );
    assert!(output.status.success(), "{:?}", text(&output));
    assert!(
        text(&output)
            .0
            .contains("every 6 hour(s), keeping the last 14"),
        "{:?}",
        text(&output)
    );

    // Refused while the server runs on the database.
    let output = frontdesk(
        &["restore", "--db", db, "--from", backup],
        &format!("{PASSWORD}\n"),
    );
    assert!(!output.status.success());
    assert!(
        text(&output).1.contains("is running on"),
        "{:?}",
        text(&output)
    );

    drop(server);
    let output = frontdesk(
        &["restore", "--db", db, "--from", backup],
        "not the password\n",
    );
    assert!(!output.status.success());
    assert!(text(&output).1.contains("password"), "{:?}", text(&output));
    let output = frontdesk(
        &["restore", "--db", db, "--from", backup],
        &format!("{PASSWORD}\n"),
    );
    assert!(output.status.success(), "{:?}", text(&output));
    let (said, _) = text(&output);
    assert!(
        said.starts_with("Restored Harbor View Hotel as it was on "),
        "{said}"
    );
    assert!(said.contains(".before-restore-"), "{said}");
}
