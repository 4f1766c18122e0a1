//! The local API: creating grants over HTTP from 8 clients at once, against the same use case
//! called in-process by 8 callers at once, each run the way the API runs it (on the blocking
//! pool), so that the difference is what HTTP, JSON and routing add.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, anyhow, ensure};
use api::{AppState, Clock};
use chrono::{DateTime, Days, Utc};
use encoder::keys::KeyRing;
use encoder::simulator::SimulatedEncoder;
use encoder::supervisor::Source;
use engine::model::{AccessMode, RequestedAccessMethod, UserKind};
use frontdesk::{CardStation, Context, CreateAccessGrant, FrontDesk, NewUserIdentity};
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::client::conn::http1::SendRequest;
use hyper::{StatusCode, header};
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use tokio::task::JoinSet;

use crate::data::{self, Layout};
use crate::harness::{Row, Samples, duration};
use crate::plan::Plan;

const API_KEY: &str = "seam_bench_0123456789abcdef";
/// Requests each caller makes before the two sides change turns.
const TURN: usize = 10;

type Client = SendRequest<Full<Bytes>>;

pub fn run(plan: &Plan, dir: &Path) -> Result<Row> {
    let callers = plan.api_clients;
    let per_caller = plan.warm_up + plan.api_requests_per_client;
    // Every grant on its own room, so that no request meets another's reservation.
    let rooms = 2 * callers * per_caller + plan.api_requests_per_client;
    let desk = Arc::new(data::open_hotel(&dir.join("api.db"), rooms)?);
    let mut stays = Stays {
        layout: Layout::read(&desk)?,
        next: 0,
    };
    let property = desk.property()?.context("no property")?;
    let station = CardStation::new(
        Source::Simulated(SimulatedEncoder::in_memory()),
        KeyRing::generate(property.id)?,
    );
    let clock = Clock::starting_at(data::now()).map_err(|error| anyhow!(error))?;
    let state = AppState::new(desk.clone(), Arc::new(station), API_KEY, clock)
        .map_err(|error| anyhow!(error))?;

    let runtime = tokio::runtime::Runtime::new()?;
    let mut clients = runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let address = listener.local_addr()?;
        tokio::spawn(async move { axum::serve(listener, api::router(state)).await });
        let mut clients = Vec::with_capacity(callers);
        for _ in 0..callers {
            clients.push(connect(address).await?);
        }
        anyhow::Ok(clients)
    })?;

    let mut over_http = Vec::new();
    let mut in_process = Vec::new();
    let mut done = 0;
    while done < per_caller {
        let turn = TURN.min(per_caller - done);
        let warming = plan.warm_up.saturating_sub(done).min(turn);
        let bodies = stays.batches(callers, turn, clock, |stay| stay.body());
        let requests = stays.batches(callers, turn, clock, |stay| stay.request());
        // Which side goes first changes every turn, as in `harness::alternate`.
        let http_first = (done / TURN).is_multiple_of(2);
        let (returned, http, calls) = runtime.block_on(async {
            if http_first {
                let (returned, http) = http_turn(clients, bodies).await?;
                let calls = in_process_turn(&desk, requests, clock).await?;
                anyhow::Ok((returned, http, calls))
            } else {
                let calls = in_process_turn(&desk, requests, clock).await?;
                let (returned, http) = http_turn(clients, bodies).await?;
                anyhow::Ok((returned, http, calls))
            }
        })?;
        clients = returned;
        over_http.extend(untimed_first(http, warming));
        in_process.extend(untimed_first(calls, warming));
        done += turn;
    }

    // For scale: the use case with nobody else waiting for the database.
    let alone = stays
        .batches(1, plan.api_requests_per_client, clock, |stay| {
            stay.request()
        })
        .concat()
        .into_iter()
        .map(|request| create_in_process(&desk, &request, clock))
        .collect::<Result<Vec<_>>>()?;
    Ok(Row {
        path: format!("local API: create grant over HTTP, {callers} clients at once"),
        figure: Samples::new(over_http),
        baseline_name: format!("the use case in-process, {callers} callers at once"),
        baseline: Samples::new(in_process),
        max_ratio: 3.0,
        extra_goal: None,
        notes: format!(
            "median is p50; one call alone: {}",
            duration(Samples::new(alone).median())
        ),
    })
}

/// Every caller's durations but its first `skip`, its warm-up.
fn untimed_first(per_caller: Vec<Vec<Duration>>, skip: usize) -> Vec<Duration> {
    per_caller
        .into_iter()
        .flat_map(|durations| durations.into_iter().skip(skip))
        .collect()
}

/// New guests' stays, each on the next room of the hotel.
struct Stays {
    layout: Layout,
    next: usize,
}

impl Stays {
    /// `turn` requests for each of `callers`, made by `make` from stays starting now.
    fn batches<T>(
        &mut self,
        callers: usize,
        turn: usize,
        clock: Clock,
        make: impl Fn(&Stay) -> T,
    ) -> Vec<Vec<T>> {
        (0..callers)
            .map(|_| {
                (0..turn)
                    .map(|_| {
                        let stay = Stay {
                            index: self.next,
                            room: self.layout.room(self.next).space_id,
                            starts_at: clock.now(),
                        };
                        self.next += 1;
                        make(&stay)
                    })
                    .collect()
            })
            .collect()
    }
}

/// A new guest's two nights with one card.
struct Stay {
    index: usize,
    room: uuid::Uuid,
    starts_at: DateTime<Utc>,
}

impl Stay {
    fn ends_at(&self) -> DateTime<Utc> {
        self.starts_at + Days::new(2)
    }

    /// The request as a property-management system sends it.
    fn body(&self) -> String {
        json!({
            "user_identity": { "full_name": format!("Guest {}", self.index) },
            "space_ids": [self.room],
            "starts_at": self.starts_at,
            "ends_at": self.ends_at(),
            "requested_access_methods": [{ "mode": "card" }],
            "reservation_key": format!("api-{}", self.index),
        })
        .to_string()
    }

    /// The same request, as the API hands it to the use case.
    fn request(&self) -> CreateAccessGrant {
        CreateAccessGrant {
            new_user_identity: Some(NewUserIdentity {
                key: None,
                full_name: Some(format!("Guest {}", self.index)),
                email_address: None,
                phone_number: None,
                kind: UserKind::Guest,
            }),
            space_ids: vec![self.room],
            starts_at: Some(self.starts_at),
            ends_at: Some(self.ends_at()),
            requested_access_methods: vec![RequestedAccessMethod {
                mode: AccessMode::Card,
                code: None,
            }],
            reservation_key: Some(format!("api-{}", self.index)),
            ..Default::default()
        }
    }
}

async fn connect(address: SocketAddr) -> Result<Client> {
    let stream = tokio::net::TcpStream::connect(address).await?;
    stream.set_nodelay(true)?;
    let (client, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(connection);
    Ok(client)
}

/// Every client sends its bodies one after another, all clients at once. Returns the clients
/// and each one's request times.
async fn http_turn(
    clients: Vec<Client>,
    bodies: Vec<Vec<String>>,
) -> Result<(Vec<Client>, Vec<Vec<Duration>>)> {
    let mut running = JoinSet::new();
    for (mut client, bodies) in clients.into_iter().zip(bodies) {
        running.spawn(async move {
            let mut durations = Vec::with_capacity(bodies.len());
            for body in bodies {
                durations.push(create_over_http(&mut client, body).await?);
            }
            anyhow::Ok((client, durations))
        });
    }
    let mut finished = Vec::new();
    while let Some(client) = running.join_next().await {
        finished.push(client??);
    }
    Ok(finished.into_iter().unzip())
}

async fn create_over_http(client: &mut Client, body: String) -> Result<Duration> {
    let request = hyper::Request::post("/access_grants/create")
        .header(header::HOST, "127.0.0.1")
        .header(header::AUTHORIZATION, format!("Bearer {API_KEY}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Full::new(Bytes::from(body)))?;
    let started = Instant::now();
    client.ready().await?;
    let response = client.send_request(request).await?;
    let status = response.status();
    let body = response.into_body().collect().await?.to_bytes();
    let elapsed = started.elapsed();
    let answer: Value = serde_json::from_slice(&body)?;
    ensure!(
        status == StatusCode::OK
            && answer["ok"] == json!(true)
            && answer["access_grant"]["access_grant_id"].is_string(),
        "POST /access_grants/create answered {status}: {answer}"
    );
    Ok(elapsed)
}

/// Every caller makes its requests one after another, all callers at once, each on the
/// blocking pool as the API runs a use case.
async fn in_process_turn(
    desk: &Arc<FrontDesk>,
    requests: Vec<Vec<CreateAccessGrant>>,
    clock: Clock,
) -> Result<Vec<Vec<Duration>>> {
    let mut running = JoinSet::new();
    for requests in requests {
        let desk = desk.clone();
        running.spawn(async move {
            let mut durations = Vec::with_capacity(requests.len());
            for request in requests {
                let desk = desk.clone();
                let started = Instant::now();
                tokio::task::spawn_blocking(move || create_in_process(&desk, &request, clock))
                    .await??;
                durations.push(started.elapsed());
            }
            anyhow::Ok(durations)
        });
    }
    let mut finished = Vec::new();
    while let Some(caller) = running.join_next().await {
        finished.push(caller??);
    }
    Ok(finished)
}

/// Creates the grant and checks it has its card; returns how long the use case took.
fn create_in_process(
    desk: &FrontDesk,
    request: &CreateAccessGrant,
    clock: Clock,
) -> Result<Duration> {
    let started = Instant::now();
    let grant = desk.create_access_grant(&Context::api(clock.now()), request)?;
    let elapsed = started.elapsed();
    ensure!(
        grant.access_method_ids.len() == 1,
        "a grant with one card has {} access methods",
        grant.access_method_ids.len()
    );
    Ok(elapsed)
}
