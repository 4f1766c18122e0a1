//! The IT person's tools: pairing codes, terminals listed and revoked, operators added with
//! the PIN on standard input. Each refusal says what to do and changes nothing.

use std::io::{BufRead as _, BufReader, Write as _};
use std::path::Path;
use std::process::{Command, Output, Stdio};

use terminal::PairingCode;

pub(crate) fn frontdesk(args: &[&str], input: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_frontdesk"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("frontdesk runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("input written");
    child.wait_with_output().expect("frontdesk ends")
}

pub(crate) fn text(output: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Runs `frontdesk` and checks that it failed, saying `words` on stderr.
fn refused(args: &[&str], input: &str, words: &str) {
    let output = frontdesk(args, input);
    let (_, stderr) = text(&output);
    assert!(!output.status.success(), "{args:?} succeeded");
    assert!(stderr.contains(words), "{args:?}: {stderr}");
}

/// A server database, as `frontdesk serve` leaves it.
fn database(dir: &Path) -> String {
    let db = dir.join("server.db");
    store::Store::open(&db).expect("a database");
    db.to_str().expect("a UTF-8 path").to_owned()
}

#[test]
fn a_pairing_code_names_the_server_its_certificate_and_a_secret() {
    let dir = tempfile::tempdir().expect("folder");
    let missing = dir.path().join("typo.db");
    let pair = ["terminals", "pair", "--db"];
    let missing_path = missing.to_str().expect("path");
    refused(
        &[&pair[..], &[missing_path, "--name", "Desk 2"]].concat(),
        "",
        "no database at",
    );
    assert!(!missing.exists(), "a mistyped path made a database");

    let db = database(dir.path());
    let pair_at = |rest: &[&str], words: &str| {
        refused(&[&pair[..], &[db.as_str()], rest].concat(), "", words);
    };
    pair_at(&["--name", "Desk 2"], "--terminals-listen");
    pair_at(
        &["--name", "Desk 2", "--address", "0.0.0.0:8788"],
        "cannot dial",
    );
    pair_at(&["--name", " ", "--address", "127.0.0.1:8788"], "name");

    let output = frontdesk(
        &[
            "terminals",
            "pair",
            "--db",
            &db,
            "--name",
            "Desk 2",
            "--address",
            "127.0.0.1:8788",
        ],
        "",
    );
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stderr}");
    assert!(stdout.starts_with("Pair Desk 2 before "), "{stdout}");
    let code: PairingCode = stdout
        .split_whitespace()
        .last()
        .expect("a last word")
        .parse()
        .expect("the last word is a pairing code");
    assert_eq!(code.address, "127.0.0.1:8788");
    let identity = terminal::tls::ServerIdentity::load_or_create(&terminal::tls::identity_file(
        Path::new(&db),
    ))
    .expect("the server's identity");
    assert_eq!(code.fingerprint, identity.fingerprint());

    let output = frontdesk(&["terminals", "list", "--db", &db], "");
    assert_eq!(text(&output).0.trim(), "No terminal is paired.");
    let output = frontdesk(&["terminals", "revoke", "--db", &db, "Desk 9"], "");
    assert!(!output.status.success());
    assert!(
        text(&output).1.contains("no paired terminal"),
        "{:?}",
        text(&output)
    );
}

#[test]
fn an_operator_is_added_with_the_pin_from_standard_input() {
    let dir = tempfile::tempdir().expect("folder");
    let db = database(dir.path());
    let add = |name: &'static str| {
        [
            "operators",
            "add",
            "--db",
            &db,
            "--name",
            name,
            "--role",
            "receptionist",
        ]
    };
    refused(&add("Rui"), "12\n", "pin");
    let output = frontdesk(&add("Rui"), "1357\n");
    assert!(output.status.success(), "{:?}", text(&output));
    assert_eq!(text(&output).0.trim(), "Added Rui (receptionist).");
    assert!(!text(&output).0.contains("1357"));
    refused(&add("rui"), "2468\n", "already exists");
}

#[test]
fn the_server_listens_for_terminals_and_the_pairing_tool_finds_it() {
    let dir = tempfile::tempdir().expect("folder");
    let db = dir.path().join("server.db");
    let db = db.to_str().expect("path");
    let refused = frontdesk(
        &[
            "serve",
            "--db",
            db,
            "--property",
            "demo",
            "--terminals-listen",
            "0.0.0.0:0",
        ],
        "",
    );
    assert!(!refused.status.success());
    assert!(
        text(&refused).1.contains("not a loopback address"),
        "{:?}",
        text(&refused)
    );

    let mut server = Command::new(env!("CARGO_BIN_EXE_frontdesk"))
        .args([
            "serve",
            "--db",
            db,
            "--property",
            "demo",
            "--listen",
            "127.0.0.1:0",
        ])
        .args(["--terminals-listen", "127.0.0.1:0"])
        .env("FRONTDESK_API_KEY", "seam_tools_test_key_0123456789abcdef")
        .stdout(Stdio::piped())
        .spawn()
        .expect("the server starts");
    let mut lines = BufReader::new(server.stdout.take().expect("stdout")).lines();
    let first = lines.next().expect("a line").expect("text");
    let second = lines.next().expect("a line").expect("text");
    let listening = first
        .strip_prefix("frontdesk: terminals connect to ")
        .and_then(|rest| rest.split_whitespace().next())
        .map(str::to_owned);
    let output = frontdesk(&["terminals", "pair", "--db", db, "--name", "Desk 2"], "");
    let _ = server.kill();
    let _ = server.wait();
    assert!(
        second.starts_with("frontdesk: listening on http://127.0.0.1:"),
        "{second}"
    );
    let listening = listening.unwrap_or_else(|| panic!("{first}"));
    let code: PairingCode = text(&output)
        .0
        .split_whitespace()
        .last()
        .unwrap_or_else(|| panic!("{:?}", text(&output)))
        .parse()
        .expect("a pairing code");
    assert_eq!(code.address, listening);
}

#[test]
fn the_pms_names_an_encoder_by_a_code_the_it_person_sets() {
    let dir = tempfile::tempdir().expect("folder");
    let db = database(dir.path());
    // Desk 2 paired, as its first connection does.
    {
        let desk =
            frontdesk::FrontDesk::new(store::Store::open(Path::new(&db)).expect("the database"));
        let context = frontdesk::Context::new("test", chrono::Utc::now());
        let pairing = desk
            .create_terminal_pairing(&context, "Desk 2")
            .expect("a pairing");
        desk.pair_terminal(&context, &pairing.secret)
            .expect("paired");
    }
    let list = || text(&frontdesk(&["encoders", "list", "--db", &db], "")).0;
    let listed = list();
    assert!(
        listed.contains("Desk encoder\t") && listed.contains("no PMS code"),
        "{listed}"
    );
    assert!(listed.contains("Desk 2 encoder\t"), "{listed}");

    let set = frontdesk(
        &[
            "encoders",
            "set-pms-code",
            "--db",
            &db,
            "desk 2 encoder",
            "--code",
            "D2",
        ],
        "",
    );
    assert!(set.status.success(), "{:?}", text(&set));
    assert!(
        list()
            .lines()
            .any(|line| line.starts_with("Desk 2 encoder") && line.ends_with("PMS code D2"))
    );

    refused(
        &[
            "encoders",
            "set-pms-code",
            "--db",
            &db,
            "Desk encoder",
            "--code",
            "D2",
        ],
        "",
        "D2 is already the code of encoder",
    );
    refused(
        &[
            "encoders",
            "set-pms-code",
            "--db",
            &db,
            "Desk encoder",
            "--code",
            "TOO-LONG-1",
        ],
        "",
        "code: \"TOO-LONG-1\" is not an encoder code",
    );
    refused(
        &[
            "encoders",
            "set-pms-code",
            "--db",
            &db,
            "Desk 9 encoder",
            "--code",
            "9",
        ],
        "",
        "no encoder \"Desk 9 encoder\"",
    );
    // Nothing refused changed anything; clearing takes the code away.
    assert!(
        list()
            .lines()
            .any(|line| line.starts_with("Desk encoder") && line.ends_with("no PMS code"))
    );
    let cleared = frontdesk(
        &["encoders", "set-pms-code", "--db", &db, "Desk 2 encoder"],
        "",
    );
    assert!(cleared.status.success(), "{:?}", text(&cleared));
    assert!(!list().contains("PMS code D2"));
}
