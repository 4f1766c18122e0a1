//! The terminal harness's child: a front-desk terminal without its window. It pairs with the
//! property server once (with the code in `DIR/pairing-code`), then connects, lends its
//! simulated encoder (`DIR/encoder-terminal.json`) and, signed in, checks guests in, encodes
//! their cards and checks them out through the server until it is killed. Each fact is
//! journaled after the server said it was done. With `--idle` it only lends its encoder.
//!
//!     terminal-worker DIR SEED [--idle]

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use chrono::{TimeDelta, Utc};
use encoder::simulator::SimulatedEncoder;
use encoder::supervisor::Source;
use reliability::desk::ROOMS;
use reliability::journal::{Fact, Journal};
use reliability::property_server::OPERATOR;
use serde_json::{Value, json};
use terminal::client::{Credential, LinkEvent, TerminalLink};
use terminal::{DeskCall, Error, PairingCode};
use uuid::Uuid;

/// About a USB full-speed HID report each way, so that a kill often lands inside an encode.
const REPORT_DELAY: Duration = Duration::from_millis(1);

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let (Some(dir), Some(seed)) = (args.next(), args.next().and_then(|s| s.parse().ok())) else {
        eprintln!("usage: terminal-worker DIR SEED [--idle]");
        return ExitCode::from(64);
    };
    let idle = args.next().as_deref() == Some("--idle");
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("terminal-worker: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(PathBuf::from(dir), seed, idle)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("terminal-worker: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The credential in `dir`, pairing first when there is none yet.
async fn credential(dir: &Path) -> Result<Credential, String> {
    let path = dir.join("terminal.json");
    if let Some(credential) = Credential::load(&path).map_err(|error| error.to_string())? {
        return Ok(credential);
    }
    let code: PairingCode = std::fs::read_to_string(dir.join("pairing-code"))
        .map_err(|error| format!("no pairing code: {error}"))?
        .parse()?;
    let credential = terminal::client::pair(&code)
        .await
        .map_err(|error| error.to_string())?;
    credential.save(&path).map_err(|error| error.to_string())?;
    Ok(credential)
}

async fn run(dir: PathBuf, seed: u64, idle: bool) -> Result<(), String> {
    let credential = credential(&dir).await?;
    let simulator = SimulatedEncoder::open(dir.join("encoder-terminal.json"))
        .map_err(|error| format!("the simulated encoder: {error}"))?;
    simulator.set_report_delay(REPORT_DELAY);
    let (online, mut heard) = tokio::sync::mpsc::unbounded_channel();
    let link = TerminalLink::start(credential, Source::Simulated(simulator), move |event| {
        if matches!(event, LinkEvent::Online { .. }) {
            let _ = online.send(());
        }
    });
    heard.recv().await.ok_or("the link stopped")?;
    println!("online");
    if idle {
        std::future::pending::<()>().await;
    }
    let mut worker = Worker {
        link,
        journal: Journal::open(&dir.join("journal.jsonl")).map_err(|e| e.to_string())?,
        rng: fastrand::Rng::with_seed(seed),
        token: String::new(),
    };
    worker.token = worker.sign_in().await?;
    loop {
        worker.step().await?;
    }
}

struct Worker {
    link: TerminalLink,
    journal: Journal,
    rng: fastrand::Rng,
    token: String,
}

impl Worker {
    async fn call(&self, call: DeskCall) -> Result<Value, Error> {
        self.link.call(Some(self.token.clone()), call, |_| {}).await
    }

    async fn sign_in(&self) -> Result<String, String> {
        let session = self
            .link
            .call(
                None,
                DeskCall::SignIn {
                    name: OPERATOR.0.into(),
                    pin: OPERATOR.1.into(),
                },
                |_| {},
            )
            .await
            .map_err(|error| error.to_string())?;
        session["token"]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| "no session token".to_owned())
    }

    fn record(&mut self, fact: &Fact) -> Result<(), String> {
        self.journal.record(fact).map_err(|error| error.to_string())
    }

    /// One stay: checked in, its card encoded, checked out. The rules' refusals (a room
    /// still booked) are part of the workload; anything else ends the worker.
    async fn step(&mut self) -> Result<(), String> {
        match self.stay().await {
            Ok(()) => Ok(()),
            Err(Error::Refused(error))
                if matches!(error.error_type.as_str(), "conflict" | "not_found") =>
            {
                Ok(())
            }
            Err(error) => Err(error.to_string()),
        }
    }

    async fn room(&mut self) -> Result<String, Error> {
        let board = self.call(DeskCall::RoomBoard).await?;
        let key = ROOMS[self.rng.usize(..ROOMS.len())];
        Ok(board["floors"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|floor| floor["rooms"].as_array().into_iter().flatten())
            .find(|room| room["key"] == key)
            .and_then(|room| room["space_id"].as_str())
            .unwrap_or_default()
            .to_owned())
    }

    async fn stay(&mut self) -> Result<(), Error> {
        let now = Utc::now();
        let key = format!("stay-{}", Uuid::new_v4().simple());
        let room = self.room().await?;
        let call: DeskCall = serde_json::from_value(json!({
            "call": "check_in",
            "args": { "request": {
                "space_id": room,
                "starts_at": now,
                "ends_at": now + TimeDelta::days(2),
                "guests": [{ "full_name": format!("Guest {}", self.rng.u32(..100_000)),
                             "email_address": null, "phone_number": null }],
                "common_entrance_ids": [],
                "cards_per_guest": 1,
                "reservation_key": key,
                "allow_overlap": true,
            }}
        }))
        .map_err(|error| Error::Protocol(error.to_string()))?;
        let stay = self.call(call).await?;
        let guest = &stay["guests"][0];
        let grant: Uuid = serde_json::from_value(guest["access_grant_id"].clone())
            .map_err(|error| Error::Protocol(error.to_string()))?;
        let method: Uuid = serde_json::from_value(guest["cards"][0]["id"].clone())
            .map_err(|error| Error::Protocol(error.to_string()))?;
        self.record(&Fact::Grant {
            id: grant,
            reservation_key: key.clone(),
            entrances: None,
        })
        .map_err(Error::Protocol)?;
        let written = self
            .call(DeskCall::EncodeCards {
                access_method_ids: vec![method],
            })
            .await?;
        for card in written.as_array().into_iter().flatten() {
            let fact = Fact::Card {
                op_id: serde_json::from_value(card["op_id"].clone())
                    .map_err(|error| Error::Protocol(error.to_string()))?,
                card_uid: card["card_id"].as_str().unwrap_or_default().to_owned(),
                access_method_id: method,
            };
            self.record(&fact).map_err(Error::Protocol)?;
        }
        if self.rng.bool() {
            self.call(DeskCall::CheckOut {
                reservation_key: key,
            })
            .await?;
            self.record(&Fact::Deleted { id: grant })
                .map_err(Error::Protocol)?;
        }
        Ok(())
    }
}
