//! Terminal link harnesses, with the property server and its terminals in this process:
//!
//! - links cut mid-message by a proxy, and the server restarted, while a terminal makes
//!   changes: every change the terminal was told was made is on the server once, none it was
//!   told could not be made is there;
//! - two terminals encoding cards of the same stay at once: every card recorded on the
//!   encoder that wrote it, no sequence number handed out twice.
//!
//! Short runs by default; 100 changes and 100 rounds with `RELIABILITY_FULL=1`.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{TimeDelta, Utc};
use encoder::simulator::SimulatedEncoder;
use encoder::supervisor::{EncoderState, Source};
use reliability::check::Inspector;
use reliability::desk::{DeskFiles, ROOMS};
use reliability::figures::Figures;
use reliability::property_server::{OPERATOR, PropertyServer};
use serde_json::{Value, json};
use terminal::client::{LinkEvent, TerminalLink, pair};
use terminal::{DeskCall, Error};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

/// A terminal in this process, with its own simulated encoder.
struct Terminal {
    link: TerminalLink,
    simulator: SimulatedEncoder,
    states: watch::Receiver<Option<EncoderState>>,
    token: String,
}

async fn terminal(
    server_address: &str,
    code: terminal::PairingCode,
    dir: &std::path::Path,
    name: &str,
) -> Terminal {
    let code = terminal::PairingCode {
        address: server_address.to_owned(),
        ..code
    };
    let credential = pair(&code).await.unwrap();
    let simulator = SimulatedEncoder::open(dir.join(format!("encoder-{name}.json"))).unwrap();
    let (told, states) = watch::channel(None);
    let link = TerminalLink::start(
        credential,
        Source::Simulated(simulator.clone()),
        move |event| {
            if let LinkEvent::EncoderState { state } = event {
                told.send_replace(Some(state));
            }
        },
    );
    let mut terminal = Terminal {
        link,
        simulator,
        states,
        token: String::new(),
    };
    terminal.token = sign_in(&terminal.link).await;
    terminal
}

async fn sign_in(link: &TerminalLink) -> String {
    for _ in 0..200 {
        let answer = link
            .call(
                None,
                DeskCall::SignIn {
                    name: OPERATOR.0.into(),
                    pin: OPERATOR.1.into(),
                },
                |_| {},
            )
            .await;
        if let Ok(session) = answer {
            return session["token"].as_str().unwrap().to_owned();
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("the terminal never signed in");
}

impl Terminal {
    async fn call(&self, call: DeskCall) -> Result<Value, Error> {
        self.link.call(Some(self.token.clone()), call, |_| {}).await
    }

    async fn encoder_ready(&mut self) {
        let wait = self
            .states
            .wait_for(|state| *state == Some(EncoderState::Simulated));
        tokio::time::timeout(Duration::from_secs(10), wait)
            .await
            .expect("the terminal's encoder is ready in time")
            .unwrap();
    }
}

fn check_in(space_id: &str, key: &str, guests: usize) -> DeskCall {
    let now = Utc::now();
    let guests: Vec<Value> = (0..guests)
        .map(|n| json!({ "full_name": format!("Guest {n}"), "email_address": null, "phone_number": null }))
        .collect();
    serde_json::from_value(json!({
        "call": "check_in",
        "args": { "request": {
            "space_id": space_id,
            "starts_at": now,
            "ends_at": now + TimeDelta::days(1),
            "guests": guests,
            "common_entrance_ids": [],
            "cards_per_guest": 1,
            "reservation_key": key,
            "allow_overlap": true,
        }}
    }))
    .unwrap()
}

fn room_ids(server: &PropertyServer) -> Vec<String> {
    ROOMS
        .iter()
        .map(|key| {
            reliability::desk::space_id(&server.desk, key)
                .unwrap()
                .to_string()
        })
        .collect()
}

/// A TCP proxy between the terminals and the server that cuts connections when told, after
/// a random number of bytes (so inside a message), and sends new ones to the server of the
/// moment.
struct Proxy {
    address: String,
    upstream: Arc<Mutex<String>>,
    cut: watch::Sender<u64>,
}

impl Proxy {
    async fn start(upstream: &str) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap().to_string();
        let upstream = Arc::new(Mutex::new(upstream.to_owned()));
        let (cut, cuts) = watch::channel(0u64);
        let target = upstream.clone();
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let server = target.lock().unwrap().clone();
                tokio::spawn(pump(client, server, cuts.clone()));
            }
        });
        Proxy {
            address,
            upstream,
            cut,
        }
    }

    /// Cuts every connection after at most `bytes` more bytes.
    fn cut_after(&self, bytes: u64) {
        self.cut.send_replace(bytes.max(1));
    }

    fn point_at(&self, upstream: &str) {
        upstream.clone_into(&mut self.upstream.lock().unwrap());
    }
}

async fn pump(client: TcpStream, server: String, mut cuts: watch::Receiver<u64>) {
    let Ok(server) = TcpStream::connect(&server).await else {
        return;
    };
    cuts.borrow_and_update();
    let (mut client_read, mut client_write) = client.into_split();
    let (mut server_read, mut server_write) = server.into_split();
    let mut budget: Option<u64> = None;
    let mut from_client = [0u8; 4096];
    let mut from_server = [0u8; 4096];
    loop {
        let (read, upward) = tokio::select! {
            read = client_read.read(&mut from_client) => (read, true),
            read = server_read.read(&mut from_server) => (read, false),
            changed = cuts.changed() => {
                if changed.is_err() {
                    return;
                }
                budget = Some(*cuts.borrow_and_update());
                continue;
            }
        };
        let Ok(count) = read else { return };
        if count == 0 {
            return;
        }
        let mut count = count as u64;
        if let Some(left) = budget.as_mut() {
            count = count.min(*left);
            *left -= count;
        }
        let count = usize::try_from(count).unwrap();
        let sent = if upward {
            server_write.write_all(&from_client[..count]).await
        } else {
            client_write.write_all(&from_server[..count]).await
        };
        if sent.is_err() || budget == Some(0) {
            // Dropping both halves closes both sockets, mid-message as like as not.
            return;
        }
    }
}

#[test]
fn links_cut_and_a_server_restarted_lose_no_change_and_make_none_twice() {
    let _alone = crate::one_at_a_time();
    let changes = if reliability::full_run() { 100 } else { 30 };
    let seed = reliability::seed();
    let mut rng = fastrand::Rng::with_seed(seed);
    let dir = tempfile::tempdir().unwrap();
    let files = DeskFiles::new(dir.path());
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let mut figures = Figures::new("terminal_links", seed);
    let (told_done, told_refused, unknown) = runtime.block_on(async {
        let mut server = PropertyServer::start(&files, "127.0.0.1:0").await.unwrap();
        let proxy = Proxy::start(&server.address).await;
        let code = server.pairing_code("Desk 2").unwrap();
        let desk = terminal(&proxy.address, code, dir.path(), "desk-2").await;
        let rooms = room_ids(&server);
        let mut told_done = Vec::new();
        let mut told_refused = Vec::new();
        let mut unknown = Vec::new();
        let mut n = 0;
        while told_done.len() < changes {
            n += 1;
            let key = format!("stay-{n}");
            let room = &rooms[rng.usize(..rooms.len())];
            match rng.u32(0..10) {
                0..=2 => proxy.cut_after(rng.u64(1..600)),
                3 => {
                    // The server restarts: its connections end and a new one opens the same
                    // database.
                    server.stop_listening();
                    proxy.cut_after(1);
                    server = PropertyServer::start(&files, "127.0.0.1:0").await.unwrap();
                    proxy.point_at(&server.address);
                    figures.count("server_restarts", 1);
                }
                _ => {}
            }
            match desk.call(check_in(room, &key, 1)).await {
                Ok(_) => told_done.push(key),
                Err(Error::Unreachable { .. } | Error::Refused(_)) => {
                    figures.count("refused_unreachable", 1);
                    told_refused.push(key);
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                Err(Error::LinkLost(_)) => {
                    figures.count("answer_lost", 1);
                    unknown.push(key);
                }
                Err(other) => panic!("{other}"),
            }
            figures.faults_injected = figures.get("server_restarts") + figures.get("answer_lost");
        }
        desk.link.close();
        (told_done, told_refused, unknown)
    });
    figures.runs = u64::try_from(told_done.len()).unwrap();

    let inspector = Inspector::open(&files.database()).unwrap();
    let mut problems = inspector.sqlite_checks().unwrap();
    problems.extend(inspector.reservation_invariants().unwrap());
    let grants: BTreeMap<String, i64> = told_done
        .iter()
        .chain(&told_refused)
        .chain(&unknown)
        .map(|key| {
            let count = inspector
                .count(&format!(
                    "SELECT COUNT(*) FROM access_grants WHERE reservation_key = '{key}'"
                ))
                .unwrap();
            (key.clone(), count)
        })
        .collect();
    for key in &told_done {
        if grants[key] != 1 {
            problems.push(format!(
                "{key} was told done and has {} grants",
                grants[key]
            ));
        }
    }
    for key in &told_refused {
        if grants[key] != 0 && !told_done.contains(key) {
            problems.push(format!(
                "{key} was told refused and has {} grants",
                grants[key]
            ));
        }
    }
    for key in &unknown {
        if grants[key] > 1 {
            problems.push(format!("{key} (answer lost) has {} grants", grants[key]));
        }
    }
    figures.count("told_done", told_done.len() as u64);
    figures.losses = problems.len() as u64;
    figures.print();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn two_terminals_encoding_one_stay_at_once_record_both_cards_and_reuse_no_number() {
    let _alone = crate::one_at_a_time();
    let rounds = if reliability::full_run() { 100 } else { 15 };
    let seed = reliability::seed();
    let mut rng = fastrand::Rng::with_seed(seed);
    let dir = tempfile::tempdir().unwrap();
    let files = DeskFiles::new(dir.path());
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let mut figures = Figures::new("terminal_pairs", seed);
    let (simulators, ids) = runtime.block_on(async {
        let server = PropertyServer::start(&files, "127.0.0.1:0").await.unwrap();
        let mut desk_2 = terminal(
            &server.address,
            server.pairing_code("Desk 2").unwrap(),
            dir.path(),
            "desk-2",
        )
        .await;
        let mut desk_3 = terminal(
            &server.address,
            server.pairing_code("Desk 3").unwrap(),
            dir.path(),
            "desk-3",
        )
        .await;
        desk_2.encoder_ready().await;
        desk_3.encoder_ready().await;
        let rooms = room_ids(&server);
        for round in 0..rounds {
            let key = format!("stay-{round}");
            let room = &rooms[rng.usize(..rooms.len())];
            let stay = desk_2.call(check_in(room, &key, 2)).await.unwrap();
            let card = |guest: usize| -> DeskCall {
                DeskCall::EncodeCards {
                    access_method_ids: vec![
                        serde_json::from_value(stay["guests"][guest]["cards"][0]["id"].clone())
                            .unwrap(),
                    ],
                }
            };
            let (first, second) = tokio::join!(desk_2.call(card(0)), desk_3.call(card(1)));
            for written in [first, second] {
                match written {
                    Ok(_) => figures.count("cards_issued", 1),
                    Err(error) => panic!("round {round}: {error}"),
                }
            }
            figures.runs += 1;
        }
        let ids = [
            desk_2.link.credential().terminal_id,
            desk_3.link.credential().terminal_id,
        ];
        desk_2.link.close();
        desk_3.link.close();
        ([desk_2.simulator, desk_3.simulator], ids)
    });

    let inspector = Inspector::open(&files.database()).unwrap();
    let mut problems = inspector.sqlite_checks().unwrap();
    let (owners, twice) = inspector.sequence_owners().unwrap();
    problems.extend(twice);
    problems.extend(inspector.reservation_invariants().unwrap());
    for (simulator, id) in simulators.iter().zip(ids) {
        problems.extend(inspector.cards_match_encoder(simulator, Some(id)).unwrap());
    }
    let recorded = inspector.count("SELECT COUNT(*) FROM cards").unwrap();
    if recorded != i64::from(rounds) * 2 {
        problems.push(format!(
            "{recorded} cards recorded for {} written",
            rounds * 2
        ));
    }
    figures.count("sequence_numbers", owners.len() as u64);
    figures.losses = problems.len() as u64;
    figures.print();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
