//! `frontdesk serve` does not expose the API to the network by accident: anything but a
//! loopback address needs `--allow-non-loopback`, and is refused before the database is
//! touched.

use std::io::{BufRead as _, BufReader};
use std::process::{Command, Stdio};

const KEY: &str = "seam_cli_test_key_0123456789abcdef";

fn serve(db: &std::path::Path, extra: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_frontdesk"));
    command
        .arg("serve")
        .arg("--db")
        .arg(db)
        .args(["--property", "demo", "--listen", "0.0.0.0:0"])
        .args(extra)
        .env("FRONTDESK_API_KEY", KEY);
    command
}

#[test]
fn a_non_loopback_address_is_refused_without_the_flag() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let db = dir.path().join("frontdesk.db");
    let output = serve(&db, &[]).output().expect("frontdesk runs");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("not a loopback address") && stderr.contains("--allow-non-loopback"),
        "{stderr}"
    );
    assert!(!db.exists(), "the database was created before the refusal");
}

#[test]
fn a_non_loopback_address_is_served_with_the_flag() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let mut child = serve(&dir.path().join("frontdesk.db"), &["--allow-non-loopback"])
        .stdout(Stdio::piped())
        .spawn()
        .expect("frontdesk starts");
    let mut line = String::new();
    let stdout = child.stdout.take().expect("stdout");
    let read = BufReader::new(stdout).read_line(&mut line);
    let _ = child.kill();
    let _ = child.wait();
    read.expect("a line on stdout");
    assert!(
        line.starts_with("frontdesk: listening on http://0.0.0.0:"),
        "{line}"
    );
}
