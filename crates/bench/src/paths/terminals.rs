//! A property server and its terminals on loopback (TLS, one connection per terminal):
//!
//! - a check-in made at a terminal, against the same check-in in-process on the server plus
//!   one request's round trip on the same connection: what the link adds beyond a trip;
//! - a change made through the API reaching another terminal's board: from the request to
//!   the terminal holding the new board (its window then paints it);
//! - eight terminals checking guests in at the same moment, round after round, against one
//!   terminal alone.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, anyhow, ensure};
use chrono::{Days, Utc};
use encoder::keys::KeyRing;
use encoder::simulator::SimulatedEncoder;
use encoder::supervisor::Source;
use frontdesk::{CardStation, CheckIn, FrontDesk, NewGuest, Operator, Role};
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::header;
use serde_json::{Value, json};
use terminal::client::{LinkEvent, TerminalLink};
use terminal::server::TerminalEndpoint;
use terminal::tls::ServerIdentity;
use terminal::{DeskCall, PairingCode};
use tokio::runtime::Runtime;
use tokio::sync::mpsc;

use crate::data::{self, Layout};
use crate::harness::{Row, Samples, alternate, duration};
use crate::plan::Plan;

const PIN: &str = "2468";
const API_KEY: &str = "seam_bench_0123456789abcdef";

/// Makes a pairing code for a terminal of the given name.
type PairingCodes = Box<dyn Fn(&str) -> Result<PairingCode>>;

/// A server with its terminal endpoint, on a hotel with a room for every stay of the row.
struct Property {
    runtime: Runtime,
    desk: Arc<FrontDesk>,
    code: PairingCodes,
    layout: Layout,
    station: Arc<CardStation>,
}

impl Property {
    fn open(dir: &Path, rooms: usize) -> Result<Self> {
        let desk = Arc::new(data::open_hotel(&dir.join("server.db"), rooms)?);
        desk.add_operator(&now(), "Bench", PIN, Role::Receptionist)?;
        let property = desk.property()?.context("no property")?;
        let keys = KeyRing::generate(property.id)?;
        let station = Arc::new(CardStation::new(
            Source::Simulated(SimulatedEncoder::in_memory()),
            keys.clone(),
        ));
        let identity = ServerIdentity::load_or_create(&dir.join("tls.pem"))?;
        let endpoint =
            TerminalEndpoint::new(desk.clone(), keys, frontdesk::CARD_TIMEOUT, &identity)?;
        let runtime = Runtime::new()?;
        let address = runtime.block_on(async {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
            let address = listener.local_addr()?.to_string();
            tokio::spawn(endpoint.serve(listener, std::future::pending()));
            anyhow::Ok(address)
        })?;
        let fingerprint = identity.fingerprint();
        let pairing_desk = desk.clone();
        let code = Box::new(move |name: &str| {
            let pairing = pairing_desk.create_terminal_pairing(&now(), name)?;
            Ok(PairingCode {
                address: address.clone(),
                fingerprint,
                secret: pairing.secret,
            })
        });
        Ok(Self {
            runtime,
            layout: Layout::read(&desk)?,
            desk,
            code,
            station,
        })
    }

    /// A terminal named `name`, paired, connected and signed in; its link's events go to the
    /// receiver.
    fn terminal(&self, name: &str) -> Result<(Terminal, mpsc::UnboundedReceiver<LinkEvent>)> {
        let code = (self.code)(name)?;
        self.runtime.block_on(async {
            let credential = terminal::client::pair(&code).await?;
            let (events, heard) = mpsc::unbounded_channel();
            let online = events.clone();
            let link = TerminalLink::start(
                credential,
                Source::Simulated(SimulatedEncoder::in_memory()),
                move |event| {
                    let _ = online.send(event);
                },
            );
            let mut heard = heard;
            while !matches!(heard.recv().await, Some(LinkEvent::Online { .. })) {}
            drop(events);
            let session = link
                .call(
                    None,
                    DeskCall::SignIn {
                        name: "Bench".into(),
                        pin: PIN.into(),
                    },
                    |_| {},
                )
                .await?;
            let token = session["token"].as_str().context("no token")?.to_owned();
            anyhow::Ok((Terminal { link, token }, heard))
        })
    }

    fn operator(&self) -> Result<Operator> {
        Ok(self.desk.sign_in(&now(), "Bench", PIN)?)
    }
}

/// The server's clock: a terminal's calls are answered at the real now, unlike the other
/// paths' fixed instant.
fn now() -> frontdesk::Context {
    frontdesk::Context::new("bench", Utc::now())
}

struct Terminal {
    link: TerminalLink,
    token: String,
}

impl Terminal {
    async fn call(&self, call: DeskCall) -> Result<Value> {
        self.link
            .call(Some(self.token.clone()), call, |_| {})
            .await
            .map_err(|error| anyhow!("{}", error.to_wire().message))
    }

    /// Checks a guest in to `room`, timed; checks the stay came back.
    async fn check_in(&self, request: CheckIn) -> Result<Duration> {
        let call = DeskCall::CheckIn { request };
        let started = Instant::now();
        let stay = self.call(call).await?;
        let elapsed = started.elapsed();
        ensure!(
            stay["guests"][0]["cards"]
                .as_array()
                .is_some_and(|cards| cards.len() == 1),
            "{stay}"
        );
        Ok(elapsed)
    }
}

/// One guest, one card, two nights from now, on `room`.
fn check_in_request(layout: &Layout, room: usize) -> CheckIn {
    let now = Utc::now();
    CheckIn {
        space_id: layout.room(room).space_id,
        starts_at: now,
        ends_at: now + Days::new(2),
        guests: vec![NewGuest {
            full_name: format!("Guest {room}"),
            email_address: None,
            phone_number: None,
        }],
        common_entrance_ids: vec![layout.lobby_door],
        cards_per_guest: 1,
        reservation_key: None,
        allow_overlap: false,
    }
}

pub fn check_in(plan: &Plan, dir: &Path) -> Result<Row> {
    let runs = plan.warm_up + plan.terminal_runs;
    let property = Property::open(dir, 2 * runs)?;
    let operator = property.operator()?;
    let (desk_2, _) = property.terminal("Desk 2")?;
    let mut room = 0;
    let mut next_room = || {
        room += 1;
        check_in_request(&property.layout, room - 1)
    };
    let mut requests = std::iter::from_fn(|| Some(next_room()));
    let mut at_terminal = || {
        let request = requests.next().context("rooms")?;
        property.runtime.block_on(desk_2.check_in(request))
    };
    let mut in_process_and_trip = Vec::new();
    let mut in_process_alone = Vec::new();
    let (figure, baseline) = {
        let mut baseline = || {
            let request = check_in_request(&property.layout, runs + in_process_and_trip.len());
            let started = Instant::now();
            let stay = property.desk.check_in(&operator, Utc::now(), &request)?;
            let use_case = started.elapsed();
            ensure!(stay.guests[0].cards.len() == 1, "{stay:?}");
            let started = Instant::now();
            property.runtime.block_on(desk_2.call(DeskCall::WhoAmI))?;
            let trip = started.elapsed();
            in_process_and_trip.push(use_case + trip);
            in_process_alone.push(use_case);
            Ok(use_case + trip)
        };
        alternate(
            plan.warm_up,
            plan.terminal_runs,
            &mut at_terminal,
            &mut baseline,
        )?
    };
    desk_2.link.close();
    Ok(Row {
        path: "terminal: check-in over TLS (1 guest, 1 card, room + lobby)".to_owned(),
        figure,
        baseline_name: "the same check-in in-process + one round trip on the link".to_owned(),
        baseline,
        max_ratio: 1.3,
        extra_goal: None,
        notes: format!(
            "in-process alone: {}",
            duration(Samples::new(in_process_alone).median())
        ),
    })
}

pub fn live(plan: &Plan, dir: &Path) -> Result<Row> {
    let changes = plan.warm_up + plan.live_changes;
    let property = Property::open(dir, changes + 1)?;
    let (desk_3, mut heard) = property.terminal("Desk 3")?;
    let clock = api::Clock::default();
    let state = api::AppState::new(
        property.desk.clone(),
        property.station.clone(),
        API_KEY,
        clock,
    )
    .map_err(|error| anyhow!(error))?;
    let layout = property.layout.clone();
    let (reached, answered) = property.runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let address = listener.local_addr()?;
        tokio::spawn(async move { axum::serve(listener, api::router(state)).await });
        let stream = tokio::net::TcpStream::connect(address).await?;
        stream.set_nodelay(true)?;
        let (mut client, connection) =
            hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream)).await?;
        tokio::spawn(connection);
        let mut reached = Vec::with_capacity(changes);
        let mut answered = Vec::with_capacity(changes);
        for change in 0..changes {
            while heard.try_recv().is_ok() {}
            let now = Utc::now();
            let name = format!("Live {change}");
            let body = json!({
                "user_identity": { "full_name": name },
                "space_ids": [layout.room(change).space_id],
                "starts_at": now,
                "ends_at": now + Days::new(2),
                "requested_access_methods": [{ "mode": "card" }],
                "reservation_key": format!("live-{change}"),
            });
            let request = hyper::Request::post("/access_grants/create")
                .header(header::HOST, "127.0.0.1")
                .header(header::AUTHORIZATION, format!("Bearer {API_KEY}"))
                .header(header::CONTENT_TYPE, "application/json")
                .body(Full::new(Bytes::from(body.to_string())))?;
            let started = Instant::now();
            client.ready().await?;
            let response = client.send_request(request).await?;
            ensure!(
                response.status().is_success(),
                "the API refused: {}",
                response.status()
            );
            response.into_body().collect().await?;
            answered.push(started.elapsed());
            // The terminal hears of the change, reads its board again and finds the guest.
            loop {
                match tokio::time::timeout(Duration::from_secs(5), heard.recv()).await {
                    Ok(Some(LinkEvent::Changed { .. })) => {
                        let board = desk_3.call(DeskCall::RoomBoard).await?;
                        if board.to_string().contains(&name) {
                            break;
                        }
                    }
                    Ok(Some(_)) => {}
                    Ok(None) | Err(_) => {
                        anyhow::bail!("the terminal never heard of change {change}")
                    }
                }
            }
            reached.push(started.elapsed());
        }
        anyhow::Ok((reached, answered))
    })?;
    desk_3.link.close();
    let skip = plan.warm_up;
    let figure = Samples::new(reached.into_iter().skip(skip).collect());
    let met = figure.p99() <= Duration::from_millis(100);
    Ok(Row {
        path: "terminal: a change through the API on another terminal's board".to_owned(),
        figure,
        baseline_name: "the API's own answer".to_owned(),
        baseline: Samples::new(answered.into_iter().skip(skip).collect()),
        max_ratio: f64::INFINITY,
        extra_goal: Some(("p99 ≤ 100 ms".to_owned(), met)),
        notes: "until the board read after the change names the guest".to_owned(),
    })
}

pub fn at_once(plan: &Plan, dir: &Path) -> Result<Row> {
    let terminals = plan.terminals_at_once;
    let per_terminal = plan.warm_up + plan.terminal_check_ins;
    let property = Property::open(dir, (terminals + 1) * per_terminal)?;
    let desks = (0..terminals)
        .map(|n| {
            property
                .terminal(&format!("Desk {}", n + 2))
                .map(|(desk, _)| desk)
        })
        .collect::<Result<Vec<_>>>()?;
    let layout = &property.layout;
    // One terminal alone, then all of them at once, each on rooms of its own.
    let alone = property.runtime.block_on(async {
        let mut took = Vec::new();
        for run in 0..per_terminal {
            took.push(desks[0].check_in(check_in_request(layout, run)).await?);
        }
        anyhow::Ok(took)
    })?;
    // Then rounds in which every terminal checks a guest in at the same moment.
    let together = property.runtime.block_on(async {
        let mut all = Vec::new();
        for run in 0..per_terminal {
            let round = desks.iter().enumerate().map(|(n, desk)| {
                let room = (n + 1) * per_terminal + run;
                desk.check_in(check_in_request(layout, room))
            });
            let took = futures_util::future::join_all(round).await;
            if run >= plan.warm_up {
                for took in took {
                    all.push(took?);
                }
            }
        }
        anyhow::Ok(all)
    })?;
    for desk in &desks {
        desk.link.close();
    }
    Ok(Row {
        path: format!("terminal: check-ins from {terminals} terminals at once"),
        figure: Samples::new(together),
        baseline_name: "one terminal alone".to_owned(),
        baseline: Samples::new(alone.into_iter().skip(plan.warm_up).collect()),
        max_ratio: 3.0,
        extra_goal: None,
        notes: "median is p50; rounds of 8 check-ins sent at the same moment, each terminal on rooms of its own".to_owned(),
    })
}
