//! `frontdesk serve` with the PMS's key link in both directions: a simulated PMS orders a key
//! from a server that listens, and one that listens itself (as OPERA's IFC8 does) is reached
//! by the server, again after it drops the link.

use std::io::{BufRead as _, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use chrono::{Days, Utc};
use fias::simulator::SimulatedPms;
use fias::text::Charset;
use fias::{FieldId, Record};

const KEY: &str = "seam_pms_link_test_0123456789abcdef";

/// A server on the demo hotel with `extra` flags; its stdout's lines until `wanted` is seen
/// (the rest is read and dropped, so that the server never writes to a closed pipe).
fn serve(dir: &std::path::Path, extra: &[&str], wanted: &str) -> (Child, Vec<String>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_frontdesk"))
        .arg("serve")
        .arg("--db")
        .arg(dir.join("frontdesk.db"))
        .args([
            "--property",
            "demo",
            "--listen",
            "127.0.0.1:0",
            "--card-wait-seconds",
            "2",
        ])
        .args(extra)
        .env("FRONTDESK_API_KEY", KEY)
        .stdout(Stdio::piped())
        .spawn()
        .expect("frontdesk starts");
    let stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let (lines_tx, lines_rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in stdout.lines().map_while(Result::ok) {
            let _ = lines_tx.send(line);
        }
    });
    let mut lines = Vec::new();
    while !lines.iter().any(|line: &String| line.contains(wanted)) {
        let line = lines_rx
            .recv_timeout(Duration::from_secs(30))
            .unwrap_or_else(|_| panic!("the server said only {lines:?}"));
        lines.push(line.trim().to_owned());
    }
    (child, lines)
}

fn new_key(room: &str, reservation: &str) -> String {
    let today = Utc::now().date_naive();
    let tomorrow = today.checked_add_days(Days::new(1)).expect("a date");
    format!(
        "KR|KC1|KTN|RN{room}|WS1|G#{reservation}|GNPat Ms|GA{}|GD{}|",
        today.format("%y%m%d"),
        tomorrow.format("%y%m%d")
    )
}

fn status(answer: &Record) -> Option<&str> {
    answer.get(FieldId::ANSWER_STATUS)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pms_connects_to_the_server_and_gets_its_key() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let (mut child, lines) = serve(
        dir.path(),
        &["--fias-listen", "127.0.0.1:0"],
        "the PMS link listens on",
    );
    let address = lines
        .iter()
        .find_map(|line| line.strip_prefix("frontdesk: the PMS link listens on "))
        .expect("the address")
        .to_owned();
    let mut pms = SimulatedPms::connect(&address, Charset::LATIN_1)
        .await
        .expect("connects");
    let description = pms.start_link().await.expect("the link starts");
    assert!(
        description[0].to_string().contains("IFDL"),
        "{description:?}"
    );
    let answer = pms
        .request(&new_key("201", "9001"))
        .await
        .expect("an answer");
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(status(&answer), Some("OK"), "{answer}");
    assert!(answer.get(FieldId::TRACK_2).is_some(), "{answer}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_reaches_a_listening_pms_and_comes_back_after_a_drop() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("listens");
    let address = listener.local_addr().expect("an address").to_string();
    let (mut child, _) = serve(
        dir.path(),
        &["--fias-connect", &address],
        "listening on http://",
    );
    let mut pms = tokio::time::timeout(
        Duration::from_secs(10),
        SimulatedPms::accept(&listener, Charset::LATIN_1),
    )
    .await
    .expect("the server connects")
    .expect("accepted");
    pms.start_link().await.expect("the link starts");
    let first = pms
        .request(&new_key("202", "9002"))
        .await
        .expect("an answer");
    assert_eq!(status(&first), Some("OK"), "{first}");
    // The PMS drops the link; the server is back within 5 s.
    pms.drop_link();
    let dropped = Instant::now();
    let mut pms = tokio::time::timeout(
        Duration::from_secs(10),
        SimulatedPms::accept(&listener, Charset::LATIN_1),
    )
    .await
    .expect("the server reconnects")
    .expect("accepted");
    let back = dropped.elapsed();
    pms.start_link().await.expect("the link starts again");
    let second = pms
        .request(&new_key("203", "9003"))
        .await
        .expect("an answer");
    let _ = child.kill();
    let _ = child.wait();
    assert!(back <= Duration::from_secs(5), "back after {back:?}");
    assert_eq!(status(&second), Some("OK"), "{second}");
}

#[test]
fn a_pms_link_on_the_network_needs_the_flag_and_a_known_charset() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let run = |extra: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_frontdesk"))
            .arg("serve")
            .arg("--db")
            .arg(dir.path().join("frontdesk.db"))
            .args(["--property", "demo", "--listen", "127.0.0.1:0"])
            .args(extra)
            .env("FRONTDESK_API_KEY", KEY)
            .output()
            .expect("frontdesk runs")
    };
    let refused = run(&["--fias-listen", "0.0.0.0:0"]);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("not a loopback address"));
    let refused = run(&["--fias-listen", "127.0.0.1:0", "--fias-encoding", "klingon"]);
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("\"klingon\" is not a character set"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
    assert!(!dir.path().join("frontdesk.db").exists());
}
