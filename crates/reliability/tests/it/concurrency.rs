//! Concurrency harness: two server processes on one database file, and 8 API clients at
//! once (4 on each), racing joiners, moves (delete the stay's grants, then create it on
//! another room), date changes and deletes on the same few reservations. Afterwards every
//! engine invariant holds on the file, every grant a client was told was created or deleted
//! is so, and no request saw a raw database error or a 500.
//!
//! 200 operations by default, 1,000 with `RELIABILITY_FULL=1`.
#![allow(clippy::unwrap_used)]

use std::io::{BufRead as _, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::Duration;

use chrono::{TimeDelta, Utc};
use reliability::check::Inspector;
use reliability::desk::DeskFiles;
use reliability::figures::Figures;
use reliability::http::{self, Answer};
use reliability::journal::Fact;
use serde_json::{Value, json};

const KEY: &str = "seam_reliability_concurrency_key";
const CLIENTS: usize = 8;
/// Few keys and rooms, so that clients keep landing on the same reservations.
const RESERVATION_KEYS: [&str; 3] = ["race-1", "race-2", "race-3"];
const ROOMS: [&str; 3] = ["room-101", "room-102", "suite-300"];
const TIMEOUT: Duration = Duration::from_secs(30);

/// A server process, killed when dropped.
struct Server {
    child: Child,
    address: SocketAddr,
}

impl Server {
    fn start(files: &DeskFiles, name: &str) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_api-worker"))
            .arg(&files.dir)
            .arg(name)
            .arg(KEY)
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let address = line
            .trim()
            .strip_prefix("listening on http://")
            .unwrap_or_else(|| panic!("api-worker said {line:?}"))
            .parse()
            .unwrap();
        Self { child, address }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What the clients saw, shared.
#[derive(Default)]
struct Seen {
    grants: Vec<(String, String)>,
    facts: Vec<Fact>,
    /// Requests answered with a raw database error or a 500, with the answer.
    raw_errors: Vec<String>,
    requests: u64,
    ok: u64,
    refused: u64,
    busy: u64,
}

struct Client<'a> {
    address: SocketAddr,
    rng: fastrand::Rng,
    spaces: &'a [(String, String)],
    users: Vec<String>,
    seen: &'a Mutex<Seen>,
}

impl Client<'_> {
    fn post(&mut self, path: &str, body: &Value) -> Answer {
        let answer = http::request(
            self.address,
            "POST",
            path,
            Some(KEY),
            body.to_string().as_bytes(),
            TIMEOUT,
        )
        .unwrap_or_else(|error| panic!("{path}: {error}"));
        let mut seen = self.seen.lock().unwrap();
        seen.requests += 1;
        let error_type = answer
            .json()
            .and_then(|body| body["error"]["type"].as_str().map(str::to_owned))
            .unwrap_or_default();
        let text = String::from_utf8_lossy(&answer.body).into_owned();
        match answer.status {
            200 => seen.ok += 1,
            503 if error_type == "database_busy" => seen.busy += 1,
            400 | 404 | 409 if error_type != "database_error" => seen.refused += 1,
            status => seen
                .raw_errors
                .push(format!("{path} {body} → {status} {text}")),
        }
        if text.contains("database error") || text.contains("SQLITE") {
            seen.raw_errors.push(format!("{path} {body} → {text}"));
        }
        answer
    }

    fn room(&mut self) -> String {
        let key = ROOMS[self.rng.usize(..ROOMS.len())];
        self.spaces
            .iter()
            .find(|(space_key, _)| space_key == key)
            .map(|(_, id)| id.clone())
            .unwrap()
    }

    fn pick_grant(&mut self) -> Option<String> {
        let seen = self.seen.lock().unwrap();
        (!seen.grants.is_empty())
            .then(|| seen.grants[self.rng.usize(..seen.grants.len())].0.clone())
    }

    fn create(&mut self, reservation_key: &str, room: &str) {
        let starts = Utc::now() + TimeDelta::hours(self.rng.i64(1..6));
        let ends = starts + TimeDelta::hours(self.rng.i64(12..72));
        let user = self.users[self.rng.usize(..self.users.len())].clone();
        let answer = self.post(
            "/access_grants/create",
            &json!({
                "user_identity_id": user,
                "space_ids": [room],
                "starts_at": starts,
                "ends_at": ends,
                "requested_access_methods": [{ "mode": "card" }],
                "reservation_key": reservation_key,
            }),
        );
        if answer.status == 200 {
            let id = answer.json().unwrap()["access_grant"]["access_grant_id"]
                .as_str()
                .unwrap()
                .to_owned();
            let mut seen = self.seen.lock().unwrap();
            seen.grants.push((id.clone(), reservation_key.to_owned()));
            seen.facts.push(Fact::Grant {
                id: id.parse().unwrap(),
                reservation_key: reservation_key.to_owned(),
                entrances: None,
            });
        }
    }

    fn delete(&mut self, id: &str) {
        let answer = self.post("/access_grants/delete", &json!({ "access_grant_id": id }));
        if answer.status == 200 {
            self.seen.lock().unwrap().facts.push(Fact::Deleted {
                id: id.parse().unwrap(),
            });
        }
    }

    fn step(&mut self) {
        let key = RESERVATION_KEYS[self.rng.usize(..RESERVATION_KEYS.len())];
        match self.rng.u32(0..10) {
            // A new reservation or a joiner, depending on what the key holds now.
            0..=3 => {
                let room = self.room();
                self.create(key, &room);
            }
            4..=5 => {
                if let Some(id) = self.pick_grant() {
                    self.delete(&id);
                }
            }
            // A move: every grant of the stay deleted, then the stay made on another room.
            6..=7 => {
                let answer = self.post("/access_grants/list", &json!({ "reservation_key": key }));
                let grants = answer.json().map(|body| body["access_grants"].clone());
                let ids: Vec<String> = grants
                    .as_ref()
                    .and_then(Value::as_array)
                    .map(|list| {
                        list.iter()
                            .filter_map(|grant| grant["access_grant_id"].as_str())
                            .map(str::to_owned)
                            .collect()
                    })
                    .unwrap_or_default();
                for id in &ids {
                    self.delete(id);
                }
                let room = self.room();
                self.create(key, &room);
            }
            8 => {
                if let Some(id) = self.pick_grant() {
                    let ends = Utc::now() + TimeDelta::hours(self.rng.i64(24..96));
                    self.post(
                        "/access_grants/update",
                        &json!({ "access_grant_id": id, "ends_at": ends }),
                    );
                }
            }
            _ => {
                if let Some(id) = self.pick_grant() {
                    self.post("/access_grants/get", &json!({ "access_grant_id": id }));
                }
            }
        }
    }
}

#[test]
fn two_processes_and_eight_clients_race_without_breaking_an_invariant() {
    let _alone = crate::one_at_a_time();
    let operations = if reliability::full_run() { 1_000 } else { 200 };
    let seed = reliability::seed();
    let mut figures = Figures::new("concurrency", seed);
    let dir = tempfile::tempdir().unwrap();
    let files = DeskFiles::new(dir.path());
    // The first creates the database and imports the property; the second opens it.
    let first = Server::start(&files, "first");
    let second = Server::start(&files, "second");

    let spaces: Vec<(String, String)> = http::request(
        first.address,
        "POST",
        "/spaces/list",
        Some(KEY),
        b"{}",
        TIMEOUT,
    )
    .unwrap()
    .json()
    .unwrap()["spaces"]
        .as_array()
        .unwrap()
        .iter()
        .map(|space| {
            (
                space["space_key"].as_str().unwrap().to_owned(),
                space["space_id"].as_str().unwrap().to_owned(),
            )
        })
        .collect();

    let seen = Mutex::new(Seen::default());
    let mut rng = fastrand::Rng::with_seed(seed);
    std::thread::scope(|scope| {
        for index in 0..CLIENTS {
            let address = if index % 2 == 0 {
                first.address
            } else {
                second.address
            };
            let mut client = Client {
                address,
                rng: rng.fork(),
                spaces: &spaces,
                users: Vec::new(),
                seen: &seen,
            };
            let share = operations / CLIENTS + usize::from(index < operations % CLIENTS);
            scope.spawn(move || {
                for n in 0..2 {
                    let answer = client.post(
                        "/user_identities/create",
                        &json!({ "full_name": format!("Racer {index}.{n}"), "kind": "guest" }),
                    );
                    let user = answer.json().unwrap()["user_identity"]["user_identity_id"]
                        .as_str()
                        .unwrap()
                        .to_owned();
                    client.users.push(user);
                }
                for _ in 0..share {
                    client.step();
                }
            });
        }
    });
    drop(first);
    drop(second);

    let seen = seen.into_inner().unwrap();
    let inspector = Inspector::open(&files.database()).unwrap();
    let mut problems = inspector.sqlite_checks().unwrap();
    problems.extend(inspector.sequence_owners().unwrap().1);
    problems.extend(inspector.reservation_invariants().unwrap());
    problems.extend(inspector.journal_kept(&seen.facts).unwrap());
    problems.extend(seen.raw_errors.iter().cloned());

    figures.runs = operations as u64;
    figures.count("requests", seen.requests);
    figures.count("ok", seen.ok);
    figures.count("refused_by_rules", seen.refused);
    figures.count("busy", seen.busy);
    figures.count("grants_created", seen.grants.len() as u64);
    figures.count(
        "reservations",
        inspector
            .count("SELECT COUNT(*) FROM reservations")
            .unwrap() as u64,
    );
    figures.losses = problems.len() as u64;
    figures.print();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // The race must have produced both successes and refusals, or it raced nothing.
    assert!(
        seen.ok > 0 && seen.refused > 0,
        "ok {} refused {}",
        seen.ok,
        seen.refused
    );
}
