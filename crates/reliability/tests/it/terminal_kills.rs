//! Terminal kill harness: a terminal process (`terminal-worker`) checks guests in and has
//! their cards encoded on its own simulated encoder through the property server, and is
//! killed (SIGKILL) at random moments, inside encodes too. After each kill the terminal comes
//! back (idle), the server settles what the kill left open by asking the terminal's encoder,
//! and the property is checked: no card on the terminal's encoder without its record, no
//! record without its card, nothing left pending, no sequence number reused, everything the
//! terminal was told is done still there.
//!
//! 20 kills by default, 100 with `RELIABILITY_FULL=1`.
#![allow(clippy::unwrap_used)]

use std::fs::File;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use encoder::simulator::SimulatedEncoder;
use reliability::check::{Inspector, SequenceOwners};
use reliability::desk::DeskFiles;
use reliability::figures::Figures;
use reliability::journal;
use reliability::property_server::PropertyServer;

/// How long a terminal works before it is killed, in milliseconds: from its connection to
/// well into its workload.
const KILL_AFTER_MS: std::ops::Range<u64> = 50..900;
/// How long the server may take to settle after the terminal is back.
const SETTLE_WITHIN: Duration = Duration::from_secs(15);

fn worker(dir: &Path, seed: u64, idle: bool) -> Child {
    let mut command = Command::new(env!("CARGO_BIN_EXE_terminal-worker"));
    command.arg(dir).arg(seed.to_string());
    if idle {
        command.arg("--idle");
    }
    command
        .stdout(Stdio::piped())
        .stderr(File::create(dir.join("worker.stderr")).unwrap())
        .spawn()
        .unwrap()
}

/// Waits for the worker's `online` line.
fn wait_online(child: &mut Child) -> Result<(), String> {
    use std::io::BufRead as _;
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let mut line = String::new();
    std::io::BufReader::new(stdout)
        .read_line(&mut line)
        .map_err(|error| error.to_string())?;
    if line.trim() == "online" {
        Ok(())
    } else {
        Err(format!("the terminal did not come online: {line:?}"))
    }
}

/// Pairs the terminal (an idle run), and returns its id.
fn pair_first(dir: &Path) -> uuid::Uuid {
    let mut idle = worker(dir, 0, true);
    wait_online(&mut idle).unwrap();
    idle.kill().unwrap();
    idle.wait().unwrap();
    terminal::client::Credential::load(&dir.join("terminal.json"))
        .unwrap()
        .unwrap()
        .terminal_id
}

#[test]
fn a_terminal_killed_at_random_points_leaves_no_card_unaccounted_for() {
    let _alone = crate::one_at_a_time();
    let kills = if reliability::full_run() { 100 } else { 20 };
    let seed = reliability::seed();
    let mut rng = fastrand::Rng::with_seed(seed);
    let dir = tempfile::tempdir().unwrap();
    let files = DeskFiles::new(dir.path().join("server"));
    std::fs::create_dir_all(&files.dir).unwrap();
    let terminal_dir = dir.path().join("terminal");
    std::fs::create_dir_all(&terminal_dir).unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let server = runtime
        .block_on(PropertyServer::start(&files, "127.0.0.1:0"))
        .unwrap();
    std::fs::write(
        terminal_dir.join("pairing-code"),
        server.pairing_code("Desk 2").unwrap().to_string(),
    )
    .unwrap();
    let terminal_id = pair_first(&terminal_dir);
    let mut figures = Figures::new("terminal_kills", seed);
    let mut owners_before = SequenceOwners::new();
    let mut problems: Vec<String> = Vec::new();

    for run in 0..kills {
        let mut child = worker(&terminal_dir, rng.u64(..), false);
        if let Err(problem) = wait_online(&mut child) {
            let stderr = std::fs::read_to_string(terminal_dir.join("worker.stderr"));
            problems.push(format!("run {run}: {problem} {stderr:?}"));
            let _ = child.kill();
            break;
        }
        std::thread::sleep(Duration::from_millis(rng.u64(KILL_AFTER_MS)));
        if let Some(status) = child.try_wait().unwrap() {
            let stderr = std::fs::read_to_string(terminal_dir.join("worker.stderr"));
            problems.push(format!(
                "run {run}: the terminal stopped by itself ({status}): {stderr:?}"
            ));
            break;
        }
        child.kill().unwrap();
        child.wait().unwrap();
        figures.runs += 1;
        figures.faults_injected += 1;

        // The terminal comes back without working, so that the server can ask its encoder
        // what became of the encodes the kill cut.
        let inspector = Inspector::open(&server.database()).unwrap();
        let had_pending = inspector.pending_encodes().unwrap();
        figures.count(
            "pending_after_kill",
            u64::try_from(had_pending).unwrap_or(0),
        );
        let mut idle = worker(&terminal_dir, 0, true);
        let came_back = wait_online(&mut idle);
        let deadline = Instant::now() + SETTLE_WITHIN;
        while inspector.pending_encodes().unwrap() > 0 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
        }
        idle.kill().unwrap();
        idle.wait().unwrap();
        if let Err(problem) = came_back {
            problems.push(format!("run {run}: {problem}"));
            break;
        }

        let encoder = SimulatedEncoder::open(terminal_dir.join("encoder-terminal.json")).unwrap();
        let facts = journal::read(&terminal_dir.join("journal.jsonl")).unwrap();
        let (found, owners) = inspector
            .after_kill(&owners_before, &encoder, Some(terminal_id), &facts)
            .unwrap();
        problems.extend(
            found
                .into_iter()
                .map(|problem| format!("run {run}: {problem}")),
        );
        owners_before = owners;
    }

    server.stop_listening();
    figures.count_journal(&journal::read(&terminal_dir.join("journal.jsonl")).unwrap());
    figures.count("sequence_numbers", owners_before.len() as u64);
    figures.losses = problems.len() as u64;
    figures.print();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert_eq!(figures.runs, kills);
    assert!(figures.get("cards_issued") > 0, "no card was ever issued");
}
