//! A terminal's link to its property server: paired once with a code, then connected for as
//! long as the app runs, coming back by itself after the server or the network was lost.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use bytes::Bytes;
use encoder::supervisor::{EncoderState, Source};
use frontdesk::WireError;
use futures_util::{SinkExt, StreamExt};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tokio::net::TcpStream;
use tokio::sync::{mpsc, oneshot};
use tokio_rustls::TlsConnector;
use uuid::Uuid;

use crate::Error;
use crate::agent::EncoderAgent;
use crate::call::{DeskCall, call_timeout};
use crate::pairing::PairingCode;
use crate::tls::{self, Fingerprint};
use crate::wire::{self, Downstream, MAX_FROM_SERVER, Outcome, PROTOCOL, Upstream};

/// How long a connection attempt may take before the server counts as unreachable.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
/// The first wait before connecting again, doubled after each failure up to
/// [`MAX_RECONNECT_WAIT`].
const FIRST_RECONNECT_WAIT: Duration = Duration::from_millis(250);
const MAX_RECONNECT_WAIT: Duration = Duration::from_secs(5);

/// What a paired terminal keeps: where its server is, the certificate it trusts and the
/// credential that proves who it is.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Credential {
    pub address: String,
    /// The server certificate's SHA-256, in hex.
    pub fingerprint: String,
    pub terminal_id: Uuid,
    pub terminal_name: String,
    pub credential: String,
}

impl std::fmt::Debug for Credential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credential")
            .field("address", &self.address)
            .field("terminal_name", &self.terminal_name)
            .finish_non_exhaustive()
    }
}

impl Credential {
    /// The credential kept at `path`, if the terminal was paired.
    pub fn load(path: &Path) -> Result<Option<Self>, Error> {
        let files = |detail: String| Error::Files {
            what: format!("the terminal's pairing {}", path.display()),
            detail,
        };
        match std::fs::read(path) {
            Ok(bytes) => serde_json::from_slice(&bytes)
                .map(Some)
                .map_err(|error| files(format!("{error}; pair the terminal again"))),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(error) => Err(files(error.to_string())),
        }
    }

    /// Keeps the credential at `path`, readable by this user only, replacing an older one.
    pub fn save(&self, path: &Path) -> Result<(), Error> {
        let files = |detail: String| Error::Files {
            what: format!("the terminal's pairing {}", path.display()),
            detail,
        };
        if let Some(folder) = path
            .parent()
            .filter(|folder| !folder.as_os_str().is_empty())
        {
            std::fs::create_dir_all(folder).map_err(|error| files(error.to_string()))?;
        }
        let json = serde_json::to_vec_pretty(self).map_err(|error| files(error.to_string()))?;
        let fresh = path.with_extension("new");
        let _ = std::fs::remove_file(&fresh);
        tls::write_private(&fresh, &json).map_err(|error| files(error.to_string()))?;
        std::fs::rename(&fresh, path).map_err(|error| files(error.to_string()))
    }

    fn pinned(&self) -> Result<Fingerprint, Error> {
        self.fingerprint
            .parse()
            .map_err(|()| Error::Protocol("the stored certificate fingerprint is malformed".into()))
    }
}

/// Pairs this terminal with the server the code names, once.
pub async fn pair(code: &PairingCode) -> Result<Credential, Error> {
    let mut connection = connect(&code.address, code.fingerprint).await?;
    wire::send(
        &mut connection,
        &Upstream::Pair {
            protocol: PROTOCOL,
            secret: code.secret.clone(),
        },
    )
    .await?;
    match first_answer(&mut connection).await? {
        Downstream::Paired {
            terminal_id,
            terminal_name,
            credential,
        } => Ok(Credential {
            address: code.address.clone(),
            fingerprint: code.fingerprint.to_string(),
            terminal_id,
            terminal_name,
            credential,
        }),
        Downstream::Refused { error } => Err(Error::Refused(error)),
        _ => Err(Error::Protocol(
            "the server answered a pairing with something else".into(),
        )),
    }
}

type TlsConnection = wire::Connection<tokio_rustls::client::TlsStream<TcpStream>>;

async fn connect(address: &str, pinned: Fingerprint) -> Result<TlsConnection, Error> {
    let unreachable = |detail: String| Error::Unreachable {
        address: address.to_owned(),
        detail,
    };
    let tcp = tokio::time::timeout(CONNECT_TIMEOUT, TcpStream::connect(address))
        .await
        .map_err(|_| unreachable("no answer in time".into()))?
        .map_err(|error| unreachable(error.to_string()))?;
    let _ = tcp.set_nodelay(true);
    let connector = TlsConnector::from(tls::client_config(pinned)?);
    let stream = tokio::time::timeout(CONNECT_TIMEOUT, connector.connect(tls::server_name(), tcp))
        .await
        .map_err(|_| unreachable("the TLS handshake took too long".into()))?
        .map_err(|error| unreachable(format!("TLS: {error}")))?;
    Ok(wire::framed(stream, MAX_FROM_SERVER))
}

async fn first_answer(connection: &mut TlsConnection) -> Result<Downstream, Error> {
    tokio::time::timeout(CONNECT_TIMEOUT * 3, wire::receive(connection))
        .await
        .map_err(|_| Error::LinkLost("the server did not answer".into()))??
        .ok_or_else(|| Error::LinkLost("the server closed the connection".into()))
}

/// What a terminal's window hears from the link.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum LinkEvent {
    /// Connected (again): every view should be read afresh.
    Online {
        terminal_name: String,
        property_name: String,
        time_zone: String,
        locale: String,
        version: i64,
    },
    /// The server was lost; the link keeps trying.
    Offline {
        reason: String,
    },
    /// The property changed somewhere.
    Changed {
        version: i64,
    },
    EncoderState {
        state: EncoderState,
    },
    /// The server refused this terminal (revoked, or its pairing is no longer known).
    Refused {
        error: WireError,
    },
}

type Progress = Box<dyn FnMut(Value) + Send>;

struct Pending {
    reply: oneshot::Sender<Result<Value, Error>>,
    progress: Progress,
}

#[derive(Default)]
struct LinkState {
    outgoing: Option<mpsc::UnboundedSender<Upstream>>,
    pending: HashMap<u64, Pending>,
    next_id: u64,
    refused: Option<WireError>,
}

/// A terminal's live link to its server. Cheap to clone.
#[derive(Clone)]
pub struct TerminalLink {
    inner: Arc<Inner>,
}

struct Inner {
    credential: Credential,
    source: Source,
    on_event: Box<dyn Fn(LinkEvent) + Send + Sync>,
    state: Mutex<LinkState>,
    /// Set by [`TerminalLink::close`]: the link stops and connects no more.
    closed: tokio::sync::watch::Sender<bool>,
}

impl std::fmt::Debug for TerminalLink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TerminalLink")
            .field("credential", &self.inner.credential)
            .field("online", &self.is_online())
            .finish_non_exhaustive()
    }
}

impl TerminalLink {
    /// Starts connecting (and reconnecting) on the current tokio runtime, lending `source`,
    /// the terminal's encoder, to the server, and telling `on_event` what happens.
    pub fn start(
        credential: Credential,
        source: Source,
        on_event: impl Fn(LinkEvent) + Send + Sync + 'static,
    ) -> Self {
        let link = Self {
            inner: Arc::new(Inner {
                credential,
                source,
                on_event: Box::new(on_event),
                state: Mutex::default(),
                closed: tokio::sync::watch::Sender::new(false),
            }),
        };
        tokio::spawn(link.clone().keep_connected());
        link
    }

    /// Ends the link: the connection closes (the server sees the terminal and its encoder
    /// go) and no other is made.
    pub fn close(&self) {
        self.inner.closed.send_replace(true);
    }

    pub fn credential(&self) -> &Credential {
        &self.inner.credential
    }

    pub fn is_online(&self) -> bool {
        self.lock().outgoing.is_some()
    }

    fn lock(&self) -> MutexGuard<'_, LinkState> {
        self.inner
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    fn tell(&self, event: LinkEvent) {
        (self.inner.on_event)(event);
    }

    /// Makes a call on the server, telling `progress` each step of an encode.
    pub async fn call(
        &self,
        token: Option<String>,
        call: DeskCall,
        progress: impl FnMut(Value) + Send + 'static,
    ) -> Result<Value, Error> {
        let timeout = call_timeout(&call, frontdesk::CARD_TIMEOUT);
        let (reply, answered) = oneshot::channel();
        let id = {
            let mut state = self.lock();
            if let Some(error) = &state.refused {
                return Err(Error::Refused(error.clone()));
            }
            let Some(outgoing) = state.outgoing.clone() else {
                return Err(Error::Unreachable {
                    address: self.inner.credential.address.clone(),
                    detail: "not connected".into(),
                });
            };
            state.next_id += 1;
            let id = state.next_id;
            state.pending.insert(
                id,
                Pending {
                    reply,
                    progress: Box::new(progress),
                },
            );
            if outgoing.send(Upstream::Call { id, token, call }).is_err() {
                state.pending.remove(&id);
                return Err(Error::Unreachable {
                    address: self.inner.credential.address.clone(),
                    detail: "not connected".into(),
                });
            }
            id
        };
        match tokio::time::timeout(timeout, answered).await {
            Ok(Ok(answer)) => answer,
            Ok(Err(_)) => Err(Error::LinkLost("the link closed".into())),
            Err(_) => {
                self.lock().pending.remove(&id);
                Err(Error::LinkLost("the server did not answer in time".into()))
            }
        }
    }

    async fn keep_connected(self) {
        let mut wait = FIRST_RECONNECT_WAIT;
        let mut closed = self.inner.closed.subscribe();
        loop {
            if *closed.borrow_and_update() {
                return;
            }
            match self.connect_once().await {
                Ok(connection) => {
                    wait = FIRST_RECONNECT_WAIT;
                    let reason = self.run(connection).await;
                    self.went_offline(&reason);
                }
                Err(Error::Refused(error)) => {
                    tracing::warn!(code = %error.error_type, "the property server refused this terminal");
                    self.lock().refused = Some(error.clone());
                    self.tell(LinkEvent::Refused { error });
                    // A revoked terminal stays refused: it needs pairing again.
                    return;
                }
                Err(error) => self.went_offline(&error.to_string()),
            }
            tokio::select! {
                () = tokio::time::sleep(wait) => {}
                _ = closed.changed() => {}
            }
            wait = (wait * 2).min(MAX_RECONNECT_WAIT);
        }
    }

    fn went_offline(&self, reason: &str) {
        let (was_online, pending, refused) = {
            let mut state = self.lock();
            let was_online = state.outgoing.take().is_some();
            (
                was_online,
                std::mem::take(&mut state.pending),
                state.refused.is_some(),
            )
        };
        for (_, call) in pending {
            let _ = call.reply.send(Err(Error::LinkLost(reason.to_owned())));
        }
        if was_online {
            tracing::warn!(reason, "the property server was lost");
        }
        // A refusal was told already, in the server's words: the loss does not replace them.
        if !refused {
            self.tell(LinkEvent::Offline {
                reason: reason.to_owned(),
            });
        }
    }

    async fn connect_once(&self) -> Result<(TlsConnection, Downstream), Error> {
        let credential = &self.inner.credential;
        let mut connection = connect(&credential.address, credential.pinned()?).await?;
        wire::send(
            &mut connection,
            &Upstream::Hello {
                protocol: PROTOCOL,
                terminal_id: credential.terminal_id,
                credential: credential.credential.clone(),
                encoder_present: self.inner.source.present(),
                encoder_simulated: matches!(self.inner.source, Source::Simulated(_)),
            },
        )
        .await?;
        match first_answer(&mut connection).await? {
            welcome @ Downstream::Welcome { .. } => Ok((connection, welcome)),
            Downstream::Refused { error } => Err(Error::Refused(error)),
            _ => Err(Error::Protocol(
                "the server did not welcome this terminal".into(),
            )),
        }
    }

    /// Works one connection until it ends; returns why it ended.
    async fn run(&self, (connection, welcome): (TlsConnection, Downstream)) -> String {
        let (upstream, mut to_send) = mpsc::unbounded_channel::<Upstream>();
        let (mut sink, mut stream) = StreamExt::split::<Bytes>(connection);
        let writer = tokio::spawn(async move {
            while let Some(message) = to_send.recv().await {
                let Ok(bytes) = serde_json::to_vec(&message) else {
                    continue;
                };
                if sink.send(Bytes::from(bytes)).await.is_err() {
                    break;
                }
            }
        });
        let agent = EncoderAgent::start(self.inner.source.clone(), upstream.clone());
        {
            let mut state = self.lock();
            state.outgoing = Some(upstream);
            // Welcomed: an earlier refusal (of a message out of turn, say) is over.
            state.refused = None;
        }
        if let Downstream::Welcome {
            terminal_name,
            property_name,
            time_zone,
            locale,
            version,
            ..
        } = welcome
        {
            tracing::info!(terminal = %terminal_name, "connected to the property server");
            self.tell(LinkEvent::Online {
                terminal_name,
                property_name,
                time_zone,
                locale,
                version,
            });
        }
        let mut closed = self.inner.closed.subscribe();
        let reason = loop {
            let next = tokio::select! {
                next = stream.next() => next,
                _ = closed.wait_for(|closed| *closed) => break "the terminal closed the link".to_owned(),
            };
            let message = match next {
                None => break "the server closed the connection".to_owned(),
                Some(Err(error)) => break error.to_string(),
                Some(Ok(frame)) => match serde_json::from_slice::<Downstream>(&frame) {
                    Ok(message) => message,
                    Err(error) => break format!("a malformed message from the server: {error}"),
                },
            };
            match message {
                Downstream::Reply { id, outcome } => {
                    if let Some(call) = self.lock().pending.remove(&id) {
                        let _ = call.reply.send(match outcome {
                            Outcome::Ok(value) => Ok(value),
                            Outcome::Error(error) => Err(Error::Refused(error)),
                        });
                    }
                }
                Downstream::Progress { id, event } => {
                    if let Some(call) = self.lock().pending.get_mut(&id) {
                        (call.progress)(event);
                    }
                }
                Downstream::Changed { version } => self.tell(LinkEvent::Changed { version }),
                Downstream::EncoderState { state } => {
                    self.tell(LinkEvent::EncoderState { state });
                }
                Downstream::Refused { error } => {
                    let pending = {
                        let mut state = self.lock();
                        state.refused = Some(error.clone());
                        std::mem::take(&mut state.pending)
                    };
                    for (_, call) in pending {
                        let _ = call.reply.send(Err(Error::Refused(error.clone())));
                    }
                    self.tell(LinkEvent::Refused {
                        error: error.clone(),
                    });
                    break error.message;
                }
                message @ (Downstream::EncoderOpen { .. }
                | Downstream::EncoderWrite { .. }
                | Downstream::EncoderRead { .. }
                | Downstream::EncoderClose { .. }
                | Downstream::PrepareBlank { .. }) => agent.handle(&message),
                Downstream::Welcome { .. } | Downstream::Paired { .. } => {
                    break "the server welcomed this terminal twice".to_owned();
                }
            }
        };
        self.lock().outgoing = None;
        drop(agent);
        writer.abort();
        reason
    }
}
