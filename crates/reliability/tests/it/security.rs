//! Security harness, the part the crates' own suites do not cover: nothing secret or
//! personal reaches a log. The API server (the router `frontdesk serve` runs) is driven
//! through a stay with a card encoded and read back, a wrong key and an oversized body; its
//! stdout and stderr, its log file, the encoder's file and the database's audit log are then
//! searched for the guest's name, the API key, the card master keys and operator PINs.
//!
//! The rest of the security checks live with what they check: API keys and body limits in
//! `crates/api/tests/it/handlers/`, roles in `crates/frontdesk/tests/it/operators.rs`, every
//! card forgery in `crates/encoder/tests/it/card/` and `crates/frontdesk/tests/it/cards/`.
#![allow(clippy::unwrap_used)]

use std::fs::File;
use std::net::SocketAddr;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use chrono::{TimeDelta, Utc};
use frontdesk::Context;
use reliability::check::Inspector;
use reliability::desk::{self, DeskFiles};
use reliability::figures::Figures;
use reliability::http;
use serde_json::{Value, json};

const KEY: &str = "seam_reliability_security_key_5d1e";
const GUEST: &str = "Zebediah Quillfeather";
const PIN: &str = "73915064";
const WRONG_PIN: &str = "55501234";
const TIMEOUT: Duration = Duration::from_secs(30);

fn post(address: SocketAddr, path: &str, key: &str, body: &Value) -> Value {
    let answer = http::request(
        address,
        "POST",
        path,
        Some(key),
        body.to_string().as_bytes(),
        TIMEOUT,
    )
    .unwrap();
    answer.json().unwrap_or(Value::Null)
}

#[test]
fn no_guest_name_card_key_api_key_or_pin_reaches_a_log() {
    let _alone = crate::one_at_a_time();
    let mut figures = Figures::new("security_logs", 0);
    let dir = tempfile::tempdir().unwrap();
    let files = DeskFiles::new(dir.path());
    {
        // Operators sign in on the desktop app, against the same database.
        let opened = desk::open(&files, "security", Utc::now()).unwrap();
        let context = Context::new("desktop", Utc::now());
        opened
            .desk
            .create_first_manager(&context, "Night Manager", PIN)
            .unwrap();
        assert!(
            opened
                .desk
                .sign_in(&context, "Night Manager", WRONG_PIN)
                .is_err()
        );
    }
    let stdout = dir.path().join("server.stdout");
    let stderr = dir.path().join("server.stderr");
    let server = Command::new(env!("CARGO_BIN_EXE_api-worker"))
        .arg(dir.path())
        .arg("security")
        .arg(KEY)
        .stdout(File::create(&stdout).unwrap())
        .stderr(File::create(&stderr).unwrap())
        .stdin(Stdio::null())
        .spawn()
        .unwrap();
    let mut server = KillOnDrop(server);
    let address: SocketAddr = (0..200)
        .find_map(|_| {
            std::thread::sleep(Duration::from_millis(25));
            let text = std::fs::read_to_string(&stdout).ok()?;
            text.lines()
                .find_map(|line| line.strip_prefix("listening on http://"))
                .and_then(|address| address.trim().parse().ok())
        })
        .expect("the server starts");

    let user = post(
        address,
        "/user_identities/create",
        KEY,
        &json!({ "full_name": GUEST }),
    );
    let user_id = user["user_identity"]["user_identity_id"].as_str().unwrap();
    let spaces = post(address, "/spaces/list", KEY, &json!({}));
    let room = spaces["spaces"]
        .as_array()
        .unwrap()
        .iter()
        .find(|space| space["space_key"] == "room-101")
        .unwrap()["space_id"]
        .clone();
    let now = Utc::now();
    let grant = post(
        address,
        "/access_grants/create",
        KEY,
        &json!({
            "user_identity_id": user_id,
            "space_ids": [room],
            "starts_at": now,
            "ends_at": now + TimeDelta::days(1),
            "requested_access_methods": [{ "mode": "card" }],
            "reservation_key": "security-1",
        }),
    );
    let method = grant["access_grant"]["access_method_ids"][0].clone();
    let encoders = post(address, "/acs/encoders/list", KEY, &json!({}));
    let encoder = encoders["acs_encoders"][0]["acs_encoder_id"].clone();
    let attempt = post(
        address,
        "/access_methods/encode",
        KEY,
        &json!({ "acs_encoder_id": encoder, "access_method_id": method }),
    );
    let attempt_id = attempt["action_attempt"]["action_attempt_id"].clone();
    let finished = (0..100).any(|_| {
        std::thread::sleep(Duration::from_millis(50));
        let state = post(
            address,
            "/action_attempts/get",
            KEY,
            &json!({ "action_attempt_id": attempt_id }),
        );
        state["action_attempt"]["status"] == "success"
    });
    assert!(finished, "the card was not encoded");
    post(
        address,
        "/acs/encoders/scan_credential",
        KEY,
        &json!({ "acs_encoder_id": encoder }),
    );
    let refused = post(
        address,
        "/spaces/list",
        "seam_not_the_key_of_this_desk",
        &json!({}),
    );
    assert_eq!(refused["error"]["type"], "unauthorized");
    let oversized = http::request(
        address,
        "POST",
        "/spaces/list",
        Some(KEY),
        &vec![b' '; 2 << 20],
        TIMEOUT,
    )
    .unwrap();
    assert_eq!(oversized.status, 413);
    // The log is written by a thread of its own: wait for the stay's requests to be in it.
    let read_log = || {
        let mut log = String::new();
        for entry in std::fs::read_dir(frontdesk::log_folder(&files.database())).unwrap() {
            log.push_str(&std::fs::read_to_string(entry.unwrap().path()).unwrap());
        }
        log
    };
    let waited = Instant::now();
    while !read_log().contains("path=\"/access_grants/create\"") && waited.elapsed() < TIMEOUT {
        std::thread::sleep(Duration::from_millis(20));
    }
    server.0.kill().unwrap();
    server.0.wait().unwrap();

    // The secrets: the card master keys from the key file, the API key, the PINs.
    let key_file: Value =
        serde_json::from_str(&std::fs::read_to_string(files.keys()).unwrap()).unwrap();
    let mut secrets: Vec<String> = key_file["epochs"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|epoch| epoch.as_object().unwrap().values())
        .map(|key| key.as_str().unwrap().to_owned())
        .collect();
    assert!(!secrets.is_empty());
    secrets.extend([KEY.to_owned(), PIN.to_owned(), WRONG_PIN.to_owned()]);

    // The log file: it says what the server did, request by request.
    let log = read_log();
    assert!(log.contains("path=\"/access_grants/create\""), "{log}");

    let mut problems = Vec::new();
    let mut searched = 0;
    for (what, text) in [
        ("stdout", std::fs::read_to_string(&stdout).unwrap()),
        ("stderr", std::fs::read_to_string(&stderr).unwrap()),
        ("log file", log),
        (
            "encoder file",
            std::fs::read_to_string(files.encoder("security")).unwrap(),
        ),
    ] {
        searched += 1;
        for secret in secrets.iter().chain([&GUEST.to_owned()]) {
            if text.contains(secret.as_str()) {
                problems.push(format!("{what} holds {secret:?}"));
            }
        }
    }
    // The audit log records who did what, guests included; never a key or a PIN.
    let inspector = Inspector::open(&files.database()).unwrap();
    for table in ["audit_log", "operators", "settings"] {
        searched += 1;
        for secret in &secrets {
            let sql = format!(
                "SELECT COUNT(*) FROM {table} WHERE CAST(({}) AS TEXT) LIKE '%{secret}%'",
                columns(table)
            );
            if inspector.count(&sql).unwrap() > 0 {
                problems.push(format!("{table} holds {secret:?}"));
            }
        }
    }
    figures.runs = searched;
    figures.count("secrets_searched_for", secrets.len() as u64 + 1);
    figures.losses = problems.len() as u64;
    figures.print();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// A child process that does not outlive a failed test.
struct KillOnDrop(std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Every column of `table`, concatenated, for one text search.
fn columns(table: &str) -> &'static str {
    match table {
        "audit_log" => {
            "actor || ' ' || action || ' ' || COALESCE(subject_id, '') || ' ' || \
                        COALESCE(before, '') || ' ' || COALESCE(after, '') || ' ' || \
                        COALESCE(detail, '')"
        }
        "operators" => "name || ' ' || pin_hash",
        _ => "key || ' ' || value",
    }
}
