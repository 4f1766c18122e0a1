//! Disk-fault harness: a full disk during a check-in and during a card encode, and a disk
//! that is read-only when the desk starts and writes. Each use case fails cleanly: the
//! database is exactly as before and sound, no card was written, the error says what
//! happened in plain words, and the same change works once the disk is back.
//!
//! The faults are real: the child mounts its own small tmpfs inside a user and mount
//! namespace (`unshare -rm`), fills it, and remounts it read-only.
#![allow(clippy::unwrap_used)]

use std::process::Command;

use reliability::figures::Figures;
use serde_json::Value;

#[test]
fn a_full_or_read_only_disk_fails_the_change_cleanly_and_in_words() {
    let _alone = crate::one_at_a_time();
    let mut figures = Figures::new("disk_faults", 0);
    let namespaces = Command::new("unshare").args(["-rm", "true"]).status();
    if !namespaces.is_ok_and(|status| status.success()) {
        // Without user namespaces there is no disk to fill or remount without root.
        figures.count("skipped_no_user_namespaces", 1);
        figures.print();
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let output = Command::new("unshare")
        .arg("-rm")
        .arg(env!("CARGO_BIN_EXE_disk-worker"))
        .arg(dir.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{}\n{stdout}",
        String::from_utf8_lossy(&output.stderr)
    );
    let cases: Vec<Value> = stdout
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    let mut problems = Vec::new();
    for case in &cases {
        figures.runs += 1;
        figures.faults_injected += 1;
        let name = format!(
            "{} during {}",
            case["fault"].as_str().unwrap_or_default(),
            case["operation"].as_str().unwrap_or_default()
        );
        let message = case["message"].as_str().unwrap_or_default();
        let mut check = |ok: bool, what: &str| {
            if !ok {
                problems.push(format!("{name}: {what}: {case}"));
            }
        };
        check(case["failed"] == true, "the change went through");
        check(case["unchanged"] == true, "the database changed");
        check(case["cards_unchanged"] == true, "a card was written");
        check(case["integrity"] == serde_json::json!(["ok"]), "integrity");
        check(case["retry_error"].is_null(), "the retry failed");
        if case["fault"] == "full_disk" {
            check(case["error_type"] == "disk_full", "not told apart");
            check(message.contains("disk is full"), "not in plain words");
            check(!message.contains("database error"), "a raw database error");
        } else {
            check(message.contains("read-only"), "not in plain words");
        }
        println!("  {name}: {message}");
    }
    figures.losses = problems.len() as u64;
    figures.print();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert_eq!(figures.runs, 3, "{stdout}");
}
