//! The property server's terminal endpoint: TLS on its own port, a paired terminal per
//! connection, each call answered by the use cases (the same [`Answering`] as the desktop
//! app), every change told to every terminal, and each terminal's encoder lent to the
//! property.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use chrono::{DateTime, Utc};
use encoder::keys::KeyRing;
use encoder::supervisor::Source;
use frontdesk::{CardStation, Context, FrontDesk, Operator, TerminalRecord};
use futures_util::{SinkExt, StreamExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, watch};
use tokio_rustls::TlsAcceptor;
use uuid::Uuid;

use crate::Error;
use crate::call::{Answering, Sessions};
use crate::lent::LentDevice;
use crate::tls::ServerIdentity;
use crate::wire::{self, Downstream, MAX_FROM_TERMINAL, Outcome, PROTOCOL, Upstream};

/// How long a new connection has for its TLS handshake and its first message.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// How often the endpoint looks for changes made by other processes (the API, the server's
/// own tools) on the database; its own changes are found the same way.
const CHANGE_POLL: Duration = Duration::from_millis(20);
/// The most calls a terminal may have unanswered at once. A desk's window has a handful; a
/// peer that sends more without reading the answers is cut off rather than let grow the
/// server's queues.
pub const MAX_CALLS_IN_FLIGHT: usize = 64;

/// A paired terminal's encoder, kept across its reconnections.
#[derive(Debug)]
pub struct LentStation {
    pub terminal_id: Uuid,
    pub terminal_name: String,
    pub device: Arc<LentDevice>,
    pub station: Arc<CardStation>,
}

/// The terminal endpoint of one property server.
pub struct TerminalEndpoint {
    desk: Arc<FrontDesk>,
    keys: KeyRing,
    card_timeout: Duration,
    acceptor: TlsAcceptor,
    stations: Mutex<HashMap<Uuid, Arc<LentStation>>>,
    /// Which connection is each terminal's now: a newer one replaces an older one.
    connections: Mutex<HashMap<Uuid, u64>>,
    next_connection: std::sync::atomic::AtomicU64,
    changes: watch::Sender<i64>,
    /// The server's clock: the wall clock, or the API's simulated one for training.
    clock: Mutex<Now>,
}

/// A clock: what time it is for the server.
pub type Now = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

impl std::fmt::Debug for TerminalEndpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TerminalEndpoint")
            .field("stations", &self.stations)
            .finish_non_exhaustive()
    }
}

impl TerminalEndpoint {
    pub fn new(
        desk: Arc<FrontDesk>,
        keys: KeyRing,
        card_timeout: Duration,
        identity: &ServerIdentity,
    ) -> Result<Arc<Self>, Error> {
        let version = desk.change_version()?;
        Ok(Arc::new(Self {
            desk,
            keys,
            card_timeout,
            acceptor: TlsAcceptor::from(identity.server_config()?),
            stations: Mutex::default(),
            connections: Mutex::default(),
            next_connection: std::sync::atomic::AtomicU64::new(1),
            changes: watch::Sender::new(version),
            clock: Mutex::new(Arc::new(Utc::now)),
        }))
    }

    /// Answers at the time `now` gives (the API's simulated clock, in training).
    pub fn set_clock(&self, now: Now) {
        *lock(&self.clock) = now;
    }

    fn now(&self) -> DateTime<Utc> {
        let now = lock(&self.clock).clone();
        now()
    }

    /// The encoders of the property's paired terminals, by terminal name: connected or not
    /// (a terminal that is away shows its encoder disconnected).
    pub fn stations(&self) -> Vec<Arc<LentStation>> {
        let paired = self
            .desk
            .terminals(&Context::new("frontdesk serve", self.now()))
            .unwrap_or_default();
        paired
            .into_iter()
            .filter(|terminal| terminal.revoked_at.is_none())
            .map(|terminal| self.station(terminal.terminal_id, &terminal.name))
            .collect()
    }

    /// The encoder a terminal lends (made the first time it is asked for).
    fn station(&self, terminal_id: Uuid, terminal_name: &str) -> Arc<LentStation> {
        lock(&self.stations)
            .entry(terminal_id)
            .or_insert_with(|| {
                let device = Arc::new(LentDevice::default());
                let mut station = CardStation::journalled_as(
                    Source::Lent(device.clone()),
                    self.keys.clone(),
                    terminal_id,
                );
                station.set_card_timeout(self.card_timeout);
                Arc::new(LentStation {
                    terminal_id,
                    terminal_name: terminal_name.to_owned(),
                    device,
                    station: Arc::new(station),
                })
            })
            .clone()
    }

    /// Accepts terminals on `listener` until `shutdown` resolves.
    pub async fn serve(
        self: Arc<Self>,
        listener: TcpListener,
        shutdown: impl std::future::Future<Output = ()>,
    ) {
        let watcher = tokio::spawn(self.clone().watch_changes());
        tokio::pin!(shutdown);
        loop {
            tokio::select! {
                () = &mut shutdown => break,
                accepted = listener.accept() => match accepted {
                    Ok((tcp, peer)) => {
                        tokio::spawn(self.clone().connection(tcp, peer));
                    }
                    Err(error) => {
                        tracing::warn!(%error, "cannot accept a terminal");
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    }
                },
            }
        }
        watcher.abort();
    }

    /// Tells every connection when the change counter moves.
    async fn watch_changes(self: Arc<Self>) {
        let mut ticks = tokio::time::interval(CHANGE_POLL);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        loop {
            ticks.tick().await;
            let desk = self.desk.clone();
            if let Ok(Ok(version)) =
                tokio::task::spawn_blocking(move || desk.change_version()).await
            {
                self.changes.send_if_modified(|current| {
                    let moved = *current != version;
                    *current = version;
                    moved
                });
            }
        }
    }

    async fn connection(self: Arc<Self>, tcp: TcpStream, peer: SocketAddr) {
        let _ = tcp.set_nodelay(true);
        let tls = match tokio::time::timeout(HANDSHAKE_TIMEOUT, self.acceptor.accept(tcp)).await {
            Ok(Ok(tls)) => tls,
            Ok(Err(error)) => {
                tracing::warn!(%peer, %error, "a terminal's TLS handshake failed");
                return;
            }
            Err(_) => {
                tracing::warn!(%peer, "a terminal's TLS handshake timed out");
                return;
            }
        };
        let mut connection = wire::framed(tls, MAX_FROM_TERMINAL);
        let first = tokio::time::timeout(
            HANDSHAKE_TIMEOUT,
            wire::receive::<_, Upstream>(&mut connection),
        )
        .await;
        let refuse = |error: frontdesk::WireError| Downstream::Refused { error };
        let first = match first {
            Ok(Ok(Some(message))) => message,
            Ok(Ok(None)) => return,
            Ok(Err(error)) => {
                // Not the parser's words: they may quote what the peer sent, a secret too.
                tracing::warn!(%peer, code = %error.to_wire().error_type, "a terminal's first message was refused");
                let _ = wire::send(&mut connection, &refuse(error.to_wire())).await;
                return;
            }
            Err(_) => {
                tracing::warn!(%peer, "a terminal sent nothing after its handshake");
                return;
            }
        };
        match first {
            Upstream::Pair { protocol, secret } => {
                let answer = if protocol == PROTOCOL {
                    let (desk, now) = (self.desk.clone(), self.now());
                    blocking(move || {
                        desk.pair_terminal(&Context::new("terminal pairing", now), &secret)
                    })
                    .await
                    .map(|paired| Downstream::Paired {
                        terminal_id: paired.terminal_id,
                        terminal_name: paired.terminal_name,
                        credential: paired.credential,
                    })
                } else {
                    Err(other_version(protocol))
                };
                match &answer {
                    Ok(_) => tracing::info!(%peer, "a terminal paired"),
                    Err(error) => {
                        tracing::warn!(%peer, code = %error.error_type, "a pairing was refused")
                    }
                }
                let _ = wire::send(&mut connection, &answer.unwrap_or_else(refuse)).await;
                // Let the terminal read the answer before the connection closes.
                wire::close(&mut connection).await;
            }
            Upstream::Hello {
                protocol,
                terminal_id,
                credential,
                encoder_present,
                encoder_simulated,
            } => {
                let (desk, now) = (self.desk.clone(), self.now());
                let authenticated = if protocol == PROTOCOL {
                    blocking(move || desk.authenticate_terminal(terminal_id, &credential, now))
                        .await
                } else {
                    Err(other_version(protocol))
                };
                match authenticated {
                    Ok(terminal) => {
                        let encoder = (encoder_present, encoder_simulated);
                        self.session(connection, terminal, encoder, peer).await;
                    }
                    Err(error) => {
                        tracing::warn!(%peer, %terminal_id, code = %error.error_type, "a terminal was refused");
                        let _ = wire::send(&mut connection, &refuse(error)).await;
                        wire::close(&mut connection).await;
                    }
                }
            }
            _ => {
                tracing::warn!(%peer, "a terminal spoke before saying who it is");
                let error = Error::Protocol("a terminal must say who it is first".to_owned());
                let _ = wire::send(&mut connection, &refuse(error.to_wire())).await;
            }
        }
    }

    /// A paired terminal's connection, until either side ends it.
    async fn session<S>(
        self: Arc<Self>,
        mut connection: wire::Connection<S>,
        terminal: TerminalRecord,
        (encoder_present, encoder_simulated): (bool, bool),
        peer: SocketAddr,
    ) where
        S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
    {
        let property = self.desk.property().ok().flatten();
        let welcome = Downstream::Welcome {
            terminal_id: terminal.id,
            terminal_name: terminal.name.clone(),
            property_name: property
                .as_ref()
                .map(|p| p.name.clone())
                .unwrap_or_default(),
            time_zone: property
                .as_ref()
                .map(|p| p.time_zone.clone())
                .unwrap_or_default(),
            locale: property
                .map(|p| p.locale)
                .unwrap_or_else(|| engine::property::DEFAULT_LOCALE.to_owned()),
            version: *self.changes.borrow(),
        };
        if wire::send(&mut connection, &welcome).await.is_err() {
            return;
        }
        let number = self
            .next_connection
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        lock(&self.connections).insert(terminal.id, number);
        tracing::info!(%peer, terminal = %terminal.name, "a terminal connected");

        let lent = self.station(terminal.id, &terminal.name);
        let (outgoing, mut to_send) = mpsc::unbounded_channel::<Downstream>();
        lent.device.attach(outgoing.clone());
        lent.device.set_presence(encoder_present, encoder_simulated);
        // The supervisor drops the link of an earlier connection and opens one on this
        // connection now, rather than at its next look.
        let reconnecting = lent.clone();
        tokio::task::spawn_blocking(move || reconnecting.station.supervisor().reconnect());
        let (mut sink, mut stream) = StreamExt::split::<bytes::Bytes>(connection);
        let writer = tokio::spawn(async move {
            while let Some(message) = to_send.recv().await {
                // A refusal is the last thing a terminal hears on its connection.
                let last = matches!(message, Downstream::Refused { .. });
                let Ok(bytes) = serde_json::to_vec(&message) else {
                    continue;
                };
                if sink.send(bytes::Bytes::from(bytes)).await.is_err() || last {
                    let _ = SinkExt::<bytes::Bytes>::close(&mut sink).await;
                    break;
                }
            }
        });
        let tellers = self.tell_changes(&lent, &outgoing);
        let sessions = Arc::new(TerminalSessions {
            terminal: terminal.clone(),
        });
        let (settle, settling) = self.settle_encodes(&lent, &terminal);
        // Rung by a call that finds the terminal revoked: the connection ends.
        let ending = Arc::new(tokio::sync::Notify::new());
        let in_flight = Arc::new(tokio::sync::Semaphore::new(MAX_CALLS_IN_FLIGHT));
        loop {
            let next = tokio::select! {
                next = stream.next() => next,
                () = ending.notified() => break,
            };
            let message = match next {
                None => break,
                Some(Err(error)) => {
                    tracing::warn!(terminal = %terminal.name, %error, "a terminal's link broke");
                    break;
                }
                Some(Ok(frame)) => match serde_json::from_slice::<Upstream>(&frame) {
                    Ok(message) => message,
                    Err(error) => {
                        tracing::warn!(terminal = %terminal.name, "a malformed message from a terminal");
                        let error = Error::Protocol(format!("a malformed message: {error}"));
                        let _ = outgoing.send(Downstream::Refused {
                            error: error.to_wire(),
                        });
                        break;
                    }
                },
            };
            if lock(&self.connections).get(&terminal.id) != Some(&number) {
                // A newer connection of the same terminal took over.
                break;
            }
            match message {
                Upstream::Call { id, token, call } => {
                    let Ok(permit) = in_flight.clone().try_acquire_owned() else {
                        tracing::warn!(terminal = %terminal.name, "a terminal sent too many calls at once");
                        let error = Error::Protocol(format!(
                            "more than {MAX_CALLS_IN_FLIGHT} calls were sent without waiting for \
                             their answers"
                        ));
                        let _ = outgoing.send(Downstream::Refused {
                            error: error.to_wire(),
                        });
                        break;
                    };
                    let answering = self.clone();
                    let (outgoing, sessions, lent, ending) = (
                        outgoing.clone(),
                        sessions.clone(),
                        lent.clone(),
                        ending.clone(),
                    );
                    let terminal_id = terminal.id;
                    tokio::spawn(async move {
                        let revoked = answering
                            .answer(terminal_id, &sessions, &lent, id, token, call, &outgoing)
                            .await;
                        if revoked {
                            ending.notify_one();
                        }
                        drop(permit);
                    });
                }
                Upstream::EncoderPresence { present, simulated } => {
                    lent.device.set_presence(present, simulated);
                    check_encoder(&lent);
                    if present {
                        settle.notify_one();
                    }
                }
                Upstream::EncoderOpened { link, error } => lent.device.on_opened(link, error),
                Upstream::EncoderRead {
                    link,
                    report,
                    error,
                } => lent.device.on_read(link, report, error),
                Upstream::EncoderWriteFailed { link, error } => {
                    lent.device.on_write_failed(link, error);
                }
                Upstream::Hello { .. } | Upstream::Pair { .. } => {
                    let error = Error::Protocol("a terminal said who it is twice".to_owned());
                    let _ = outgoing.send(Downstream::Refused {
                        error: error.to_wire(),
                    });
                    break;
                }
            }
        }
        {
            let mut connections = lock(&self.connections);
            if connections.get(&terminal.id) == Some(&number) {
                connections.remove(&terminal.id);
                lent.device.detach();
                check_encoder(&lent);
            }
        }
        tellers.abort();
        settling.abort();
        drop(outgoing);
        let _ = writer.await;
        tracing::info!(terminal = %terminal.name, "a terminal disconnected");
    }

    /// Tells the terminal every change of the property and of its encoder's state.
    fn tell_changes(
        &self,
        lent: &Arc<LentStation>,
        outgoing: &mpsc::UnboundedSender<Downstream>,
    ) -> tokio::task::JoinHandle<()> {
        let mut changes = self.changes.subscribe();
        let states = lent.station.supervisor().subscribe();
        let outgoing = outgoing.clone();
        let (state_tx, mut state_rx) = mpsc::unbounded_channel();
        std::thread::spawn(move || {
            for state in states {
                if state_tx.send(state).is_err() {
                    return;
                }
            }
        });
        let _ = outgoing.send(Downstream::EncoderState {
            state: lent.station.state(),
        });
        tokio::spawn(async move {
            loop {
                let message = tokio::select! {
                    changed = changes.changed() => {
                        if changed.is_err() {
                            return;
                        }
                        let version = *changes.borrow_and_update();
                        Downstream::Changed { version }
                    }
                    state = state_rx.recv() => match state {
                        Some(state) => Downstream::EncoderState { state },
                        None => return,
                    },
                };
                if outgoing.send(message).is_err() {
                    return;
                }
            }
        })
    }

    /// Settles the encodes whose outcome was lost with the terminal (asking its encoder what
    /// it wrote) whenever it reports its encoder present; returns the bell that rings it and
    /// the task, to end with the connection.
    fn settle_encodes(
        self: &Arc<Self>,
        lent: &Arc<LentStation>,
        terminal: &TerminalRecord,
    ) -> (Arc<tokio::sync::Notify>, tokio::task::JoinHandle<()>) {
        let bell = Arc::new(tokio::sync::Notify::new());
        let endpoint = self.clone();
        let (rung, desk, lent, name) = (
            bell.clone(),
            self.desk.clone(),
            lent.clone(),
            terminal.name.clone(),
        );
        let task = tokio::spawn(async move {
            loop {
                rung.notified().await;
                let (desk, lent, name) = (desk.clone(), lent.clone(), name.clone());
                let now = endpoint.now();
                let settled = tokio::task::spawn_blocking(move || {
                    // The supervisor opens the encoder once it sees it present.
                    std::thread::sleep(encoder::supervisor::DEFAULT_CHECK_INTERVAL * 2);
                    desk.resolve_pending_encodes(&Context::terminal(&name, now), &lent.station)
                })
                .await;
                if let Ok(Ok(resolution)) = settled
                    && (!resolution.written.is_empty() || !resolution.failed.is_empty())
                {
                    tracing::info!(
                        written = resolution.written.len(),
                        failed = resolution.failed.len(),
                        "encodes settled with a terminal's encoder"
                    );
                }
            }
        });
        (bell, task)
    }

    /// Answers one call; `true` when the terminal was found revoked (and refused).
    #[allow(clippy::too_many_arguments)]
    async fn answer(
        &self,
        terminal_id: Uuid,
        sessions: &Arc<TerminalSessions>,
        lent: &Arc<LentStation>,
        id: u64,
        token: Option<String>,
        call: crate::DeskCall,
        outgoing: &mpsc::UnboundedSender<Downstream>,
    ) -> bool {
        let (desk, now) = (self.desk.clone(), self.now());
        let (sessions, lent, progress) = (sessions.clone(), lent.clone(), outgoing.clone());
        let name = call.name();
        // One trip to a blocking thread: the revocation check and the call.
        let answered = blocking(move || {
            // A revoked terminal is refused at its next call, and its connection ends.
            if !desk.terminal_is_paired(terminal_id)? {
                return Ok(None);
            }
            let answering = Answering {
                desk: &desk,
                sessions: sessions.as_ref(),
                station: &lent.station,
            };
            let mut on_event = |event: frontdesk::EncodeEvent| {
                if let Ok(event) = serde_json::to_value(event) {
                    let _ = progress.send(Downstream::Progress { id, event });
                }
            };
            answering
                .answer(token.as_deref(), call, now, &mut on_event)
                .map(Some)
        })
        .await;
        let outcome = match answered {
            Ok(None) => {
                let error = frontdesk::Error::Unauthorized(
                    "This terminal was revoked at the property server; pair it again to use it."
                        .to_owned(),
                );
                tracing::warn!(%terminal_id, "a revoked terminal was refused");
                let _ = outgoing.send(Downstream::Refused {
                    error: error.to_wire(),
                });
                return true;
            }
            Ok(Some(value)) => Outcome::Ok(value),
            Err(error) => {
                tracing::debug!(call = %name, code = %error.error_type, "a terminal's call was refused");
                Outcome::Error(error)
            }
        };
        let _ = outgoing.send(Downstream::Reply { id, outcome });
        false
    }
}

/// Has the supervisor of a terminal's encoder look at it now (on a blocking thread: opening
/// a link waits for the terminal's answer, which this connection's task reads).
fn check_encoder(lent: &Arc<LentStation>) {
    let lent = lent.clone();
    tokio::task::spawn_blocking(move || lent.station.supervisor().check_now());
}

/// Operators' sessions at one terminal, kept in the database.
#[derive(Debug)]
struct TerminalSessions {
    terminal: TerminalRecord,
}

impl Sessions for TerminalSessions {
    fn context(&self, now: DateTime<Utc>) -> Context {
        Context::terminal(&self.terminal.name, now)
    }

    fn start(
        &self,
        desk: &FrontDesk,
        operator: Operator,
        now: DateTime<Utc>,
    ) -> frontdesk::Result<String> {
        desk.start_terminal_session(&self.terminal, &operator, now)
    }

    fn operator(&self, desk: &FrontDesk, token: &str) -> frontdesk::Result<Operator> {
        desk.terminal_session(&self.terminal, token)
    }

    fn end(&self, desk: &FrontDesk, token: &str, now: DateTime<Utc>) -> frontdesk::Result<()> {
        desk.end_terminal_session(token, now)
    }
}

/// Runs use-case work on a blocking thread; its error in the wire shape.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> frontdesk::Result<T> + Send + 'static,
) -> Result<T, frontdesk::WireError> {
    match tokio::task::spawn_blocking(work).await {
        Ok(result) => result.map_err(|error| error.to_wire()),
        Err(error) => Err(frontdesk::Error::Internal(error.to_string()).to_wire()),
    }
}

fn other_version(protocol: u32) -> frontdesk::WireError {
    Error::Protocol(format!(
        "this terminal speaks version {protocol} of the terminal protocol, the server {PROTOCOL}"
    ))
    .to_wire()
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
