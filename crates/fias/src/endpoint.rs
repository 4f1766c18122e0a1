//! The property server's end of a FIAS link: one PMS at a time, over a connection the server
//! makes (`connect`) or takes (`listen`). Link records are answered by [`Link`]; each key
//! record is one job for the desk's PMS use cases, answered by one `KA`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use chrono::{DateTime, NaiveDateTime, Utc};
use chrono_tz::Tz;
use frontdesk::{
    Context, EncoderClaim, FrontDesk, PmsAnswer, PmsEncoder, PmsKeyKind, PmsKeyRequest,
    PmsLinkStatus, PmsStatus, PmsStayChange,
};
use futures_util::{SinkExt, StreamExt};
use serde::Serialize;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, watch};
use tokio_util::codec::Framed;
use uuid::Uuid;

use crate::framing::{FiasCodec, Frame};
use crate::link::{Link, LinkState, stamped};
use crate::record::{FieldId, Record, RecordType};
use crate::requests::{Addressing, KeyRecord, KeyType, addressing};
use crate::text::Charset;

/// How long a write to the PMS may take before the link counts as broken (a PMS that stopped
/// reading).
pub const WRITE_TIMEOUT: Duration = Duration::from_secs(30);

/// How soon a dropped outgoing link is tried again, and the longest wait between tries.
pub const FIRST_RETRY: Duration = Duration::from_secs(2);
pub const LONGEST_RETRY: Duration = Duration::from_secs(30);

/// One of the property's encoders, as the PMS picks it (`KC`).
#[derive(Debug, Clone)]
pub struct LinkEncoder {
    pub id: Uuid,
    pub name: String,
    /// The encoder's code in the PMS, when one is set; otherwise the PMS names it by its
    /// position in the property's list of encoders (1 = first).
    pub pms_code: Option<String>,
    pub station: Arc<frontdesk::CardStation>,
}

/// The property's encoders of the moment, in the order `/acs/encoders/list` gives them.
pub type Encoders = Arc<dyn Fn() -> Vec<LinkEncoder> + Send + Sync>;

/// The link as the manager's settings show it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct LinkStatus {
    /// The PMS's address while connected.
    pub peer: Option<String>,
    pub state: Option<LinkState>,
    pub last_record_at: Option<DateTime<Utc>>,
    /// The last record's type (`KR`), never its content (it names guests).
    pub last_record: Option<String>,
    pub last_error: Option<String>,
}

/// Where the endpoint's answers come from and how it speaks.
pub struct FiasEndpoint {
    desk: Arc<FrontDesk>,
    encoders: Encoders,
    charset: Charset,
    version: String,
    claims: Mutex<HashMap<Uuid, Arc<EncoderClaim>>>,
    status: watch::Sender<LinkStatus>,
    /// The only addresses a listening link takes a PMS from; any when empty.
    allowed: Mutex<Vec<std::net::IpAddr>>,
}

impl std::fmt::Debug for FiasEndpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FiasEndpoint")
            .field("charset", &self.charset)
            .field("status", &*self.status.borrow())
            .finish_non_exhaustive()
    }
}

/// A key job's answer, back to its connection.
type Answered = Record;

impl FiasEndpoint {
    pub fn new(desk: Arc<FrontDesk>, encoders: Encoders, charset: Charset) -> Arc<Self> {
        Arc::new(Self {
            desk,
            encoders,
            charset,
            version: env!("CARGO_PKG_VERSION").to_owned(),
            claims: Mutex::default(),
            status: watch::Sender::new(LinkStatus::default()),
            allowed: Mutex::default(),
        })
    }

    /// Takes a PMS's connection only from these addresses (FIAS has no password of its own:
    /// whoever connects may order keys).
    pub fn allow_only(&self, peers: Vec<std::net::IpAddr>) {
        *self.allowed.lock().unwrap_or_else(PoisonError::into_inner) = peers;
    }

    /// The link's state, as it changes.
    pub fn status(&self) -> watch::Receiver<LinkStatus> {
        self.status.subscribe()
    }

    /// Keeps the desk told how the link stands, for the managers at every terminal, until the
    /// endpoint is gone; `direction` (`connect`, `listen`) and `address` say how it is set up.
    pub fn report_to_desk(&self, direction: &str, address: &str) {
        let mut status = self.status.subscribe();
        let desk = self.desk.clone();
        let setup = PmsLinkStatus {
            direction: direction.to_owned(),
            address: address.to_owned(),
            encoding: self.charset.name().to_owned(),
            ..PmsLinkStatus::default()
        };
        let report = move |desk: &FrontDesk, now: LinkStatus| {
            desk.report_pms_link(Some(PmsLinkStatus {
                peer: now.peer,
                state: now.state.map(|state| state.label().to_owned()),
                last_record: now.last_record,
                last_record_at: now.last_record_at,
                last_error: now.last_error,
                ..setup.clone()
            }));
        };
        // Told at once, so that the settings never show "no link" for a link just started.
        report(&desk, status.borrow_and_update().clone());
        tokio::spawn(async move {
            while status.changed().await.is_ok() {
                report(&desk, status.borrow_and_update().clone());
            }
            desk.report_pms_link(None);
        });
    }

    /// Takes PMS connections on `listener` until `stop` resolves: one PMS at a time, a new
    /// connection replacing the one before it (as OPERA's IFC8 does).
    pub async fn listen(
        self: Arc<Self>,
        listener: TcpListener,
        stop: impl std::future::Future<Output = ()>,
    ) {
        tokio::pin!(stop);
        let mut current: Option<tokio::task::JoinHandle<()>> = None;
        loop {
            let accepted = tokio::select! {
                () = &mut stop => break,
                accepted = listener.accept() => accepted,
            };
            match accepted {
                Ok((stream, peer)) => {
                    let allowed = self.allowed.lock().unwrap_or_else(PoisonError::into_inner);
                    if !allowed.is_empty() && !allowed.contains(&peer.ip()) {
                        drop(allowed);
                        tracing::warn!(%peer, "a connection from an address not allowed for the PMS was refused");
                        self.note_error(format!(
                            "refused a connection from {peer}: not an allowed PMS address"
                        ));
                        continue;
                    }
                    drop(allowed);
                    if let Some(previous) = current.take() {
                        tracing::info!(%peer, "a new PMS connection replaces the one before it");
                        previous.abort();
                    }
                    let _ = stream.set_nodelay(true);
                    let endpoint = self.clone();
                    current = Some(tokio::spawn(async move {
                        endpoint.session(stream, peer.to_string()).await;
                    }));
                }
                Err(error) => tracing::warn!(%error, "a PMS connection could not be taken"),
            }
        }
        if let Some(current) = current {
            current.abort();
        }
        self.set_disconnected(None);
    }

    /// Keeps a link to the PMS at `address` until `stop` resolves: connects, and after a
    /// drop or a refused connection tries again soon, then less and less often.
    pub async fn connect(
        self: Arc<Self>,
        address: String,
        stop: impl std::future::Future<Output = ()>,
    ) {
        tokio::pin!(stop);
        let mut wait = FIRST_RETRY;
        loop {
            let attempt = async {
                match TcpStream::connect(&address).await {
                    Ok(stream) => {
                        let _ = stream.set_nodelay(true);
                        tracing::info!(%address, "connected to the PMS");
                        self.clone().session(stream, address.clone()).await;
                        true
                    }
                    Err(error) => {
                        tracing::warn!(%address, %error, "cannot reach the PMS");
                        self.set_disconnected(Some(format!("cannot reach {address}: {error}")));
                        false
                    }
                }
            };
            let was_up = tokio::select! {
                () = &mut stop => break,
                was_up = attempt => was_up,
            };
            wait = if was_up {
                FIRST_RETRY
            } else {
                (wait * 2).min(LONGEST_RETRY)
            };
            tokio::select! {
                () = &mut stop => break,
                () = tokio::time::sleep(wait) => {}
            }
        }
        self.set_disconnected(None);
    }

    /// One connection, from its first byte to its end.
    pub async fn session<S>(self: Arc<Self>, stream: S, peer: String)
    where
        S: AsyncRead + AsyncWrite + Unpin,
    {
        let mut framed = Framed::new(stream, FiasCodec::default());
        let mut link = Link::new(&self.version, tokio::time::Instant::now().into_std());
        let (answers, mut answered) = mpsc::unbounded_channel::<Answered>();
        self.status.send_modify(|status| {
            status.peer = Some(peer.clone());
            status.state = Some(link.state());
        });
        loop {
            let next_tick = tokio::time::Instant::from_std(link.next_tick());
            let outgoing: Vec<Record> = tokio::select! {
                frame = framed.next() => match frame {
                    None => break,
                    Some(Err(error)) => {
                        tracing::warn!(%peer, %error, "the PMS link broke");
                        self.note_error(format!("the link broke: {error}"));
                        break;
                    }
                    Some(Ok(Frame::Dropped { bytes, why })) => {
                        tracing::warn!(%peer, bytes, %why, "dropped bytes from the PMS");
                        self.note_error(format!("dropped {bytes} bytes: {why}"));
                        continue;
                    }
                    Some(Ok(Frame::Record(bytes))) => self.on_record(&mut link, &bytes, &answers),
                },
                Some(answer) = answered.recv() => vec![answer],
                () = tokio::time::sleep_until(next_tick) => {
                    let step = link.on_tick(self.stamp(), std::time::Instant::now());
                    if step.dead {
                        tracing::warn!(%peer, "the PMS stopped answering; the link is closed");
                        self.note_error("the PMS stopped answering".to_owned());
                        break;
                    }
                    step.send
                }
            };
            for record in outgoing {
                let bytes = self.charset.encode(&record.to_string());
                let sent = tokio::time::timeout(WRITE_TIMEOUT, framed.send(bytes.as_slice())).await;
                let failed = match sent {
                    Ok(Ok(())) => None,
                    Ok(Err(error)) => Some(error.to_string()),
                    Err(_) => Some(format!("the PMS read nothing for {WRITE_TIMEOUT:?}")),
                };
                if let Some(error) = failed {
                    tracing::warn!(%peer, %error, "cannot write to the PMS");
                    self.note_error(format!("cannot write: {error}"));
                    self.set_disconnected(None);
                    return;
                }
            }
            self.status
                .send_if_modified(|status| replace(&mut status.state, Some(link.state())));
        }
        self.set_disconnected(None);
    }

    /// A record from the PMS: what to send back at once. Key records start a job whose
    /// answer comes through `answers`.
    fn on_record(
        self: &Arc<Self>,
        link: &mut Link,
        bytes: &[u8],
        answers: &mpsc::UnboundedSender<Answered>,
    ) -> Vec<Record> {
        let text = self.charset.decode(bytes);
        let record = match Record::parse(&text) {
            Ok(record) => record,
            Err(error) => {
                tracing::warn!(%error, "a record from the PMS could not be read");
                self.note_error(error.to_string());
                return Vec::new();
            }
        };
        self.status.send_modify(|status| {
            status.last_record_at = Some(Utc::now());
            status.last_record = Some(record.kind().to_string());
        });
        let mut send = link
            .on_record(&record, self.stamp(), std::time::Instant::now())
            .send;
        match KeyRecord::read(&record) {
            Ok(None) => {}
            Ok(Some(key)) => self.start_job(key, text, answers.clone()),
            Err(error) => {
                tracing::info!(record = %record.kind(), %error, "a key record was refused");
                send.push(self.key_answer(
                    &addressing(&record),
                    &PmsAnswer {
                        status: PmsStatus::Refused,
                        text: error.to_string(),
                        card_id: None,
                    },
                ));
            }
        }
        send
    }

    /// Runs a key job on a blocking thread (it may wait for a card); its `KA` comes back
    /// through `answers`.
    fn start_job(
        self: &Arc<Self>,
        key: KeyRecord,
        record: String,
        answers: mpsc::UnboundedSender<Answered>,
    ) {
        let endpoint = self.clone();
        tokio::task::spawn_blocking(move || {
            let answer = endpoint.answer(&key, &record);
            let _ = answers.send(endpoint.key_answer(key.addressing(), &answer));
        });
    }

    fn answer(&self, key: &KeyRecord, record: &str) -> PmsAnswer {
        let addressing = key.addressing();
        let context = Context::pms(addressing.workstation.as_deref(), Utc::now());
        let mut no_events = |_| {};
        match key {
            KeyRecord::Delete(delete) => self.desk.pms_check_out(
                &context,
                &PmsStayChange {
                    reservation: addressing.reservation.clone(),
                    room: delete.room.clone(),
                    old_room: None,
                    arrival: None,
                    departure: None,
                    departure_time: None,
                },
            ),
            KeyRecord::Request(request) => self.on_encoder(addressing, |on| {
                let request = PmsKeyRequest {
                    record: record.to_owned(),
                    workstation: addressing.workstation.clone(),
                    reservation: addressing.reservation.clone(),
                    kind: match request.key_type {
                        KeyType::New => PmsKeyKind::NewStay,
                        KeyType::Duplicate => PmsKeyKind::Copy,
                        KeyType::OneShot => PmsKeyKind::OneShot,
                    },
                    cards: request.count,
                    room: request.room.clone(),
                    extra_rooms: request.extra_rooms.clone(),
                    arrival: request.dates.arrival,
                    departure: request.dates.departure,
                    departure_time: request.dates.departure_time,
                    guest_name: request.guest_name.clone(),
                    key_options: request.options.set().collect(),
                };
                self.desk
                    .pms_make_keys(&context, on, &request, &mut no_events)
            }),
            KeyRecord::Change(change) => self.on_encoder(addressing, |on| {
                self.desk.pms_change_stay(
                    &context,
                    on,
                    &PmsStayChange {
                        reservation: addressing.reservation.clone(),
                        room: change.room.clone(),
                        old_room: change.old_room.clone(),
                        arrival: change.dates.arrival,
                        departure: change.dates.departure,
                        departure_time: change.dates.departure_time,
                    },
                    &mut no_events,
                )
            }),
        }
    }

    /// Runs `job` on the encoder `KC` names, or answers why there is none.
    fn on_encoder(
        &self,
        addressing: &Addressing,
        job: impl FnOnce(&PmsEncoder<'_>) -> PmsAnswer,
    ) -> PmsAnswer {
        let encoder = match self.encoder(addressing) {
            Ok(encoder) => encoder,
            Err(answer) => return answer,
        };
        let claim = self.claim(encoder.id);
        job(&PmsEncoder {
            station: &encoder.station,
            name: &encoder.name,
            claim: &claim,
            id: encoder.id,
        })
    }

    /// The encoder `KC` names: its PMS code, else its position in the list; the first when
    /// `KC` is absent.
    fn encoder(&self, addressing: &Addressing) -> Result<LinkEncoder, PmsAnswer> {
        let encoders = (self.encoders)();
        let found = match addressing.encoder.as_deref() {
            None => encoders.first().cloned(),
            Some(code) => encoders
                .iter()
                .find(|encoder| encoder.pms_code.as_deref() == Some(code))
                .or_else(|| {
                    code.parse::<usize>()
                        .ok()
                        .and_then(|position| position.checked_sub(1))
                        .and_then(|index| encoders.get(index))
                })
                .cloned(),
        };
        found.ok_or_else(|| PmsAnswer {
            status: PmsStatus::Refused,
            text: match addressing.encoder.as_deref() {
                Some(code) => format!("No encoder {code} at the property"),
                None => "The property has no encoder".to_owned(),
            },
            card_id: None,
        })
    }

    fn claim(&self, encoder: Uuid) -> Arc<EncoderClaim> {
        self.claims
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(encoder)
            .or_default()
            .clone()
    }

    /// `KA` with the answer, echoing the request's encoder, workstation and reservation.
    fn key_answer(&self, addressing: &Addressing, answer: &PmsAnswer) -> Record {
        let status = match answer.status {
            PmsStatus::Done => "OK",
            PmsStatus::Busy => "BY",
            PmsStatus::NotFound => "NG",
            PmsStatus::Refused => "UR",
        };
        let mut record = stamped(RecordType::KEY_ANSWER, self.stamp())
            .with(FieldId::ANSWER_STATUS, status)
            .with(FieldId::CLEAR_TEXT, &answer.text);
        for (field, value) in [
            (FieldId::KEY_CODER, &addressing.encoder),
            (FieldId::WORKSTATION, &addressing.workstation),
            (FieldId::RESERVATION, &addressing.reservation),
            (FieldId::TRACK_2, &answer.card_id),
        ] {
            if let Some(value) = value {
                record = record.with(field, value);
            }
        }
        record
    }

    /// The property's local time, for `DA` and `TI`.
    fn stamp(&self) -> NaiveDateTime {
        let zone: Tz = self
            .desk
            .property()
            .ok()
            .flatten()
            .and_then(|property| property.time_zone.parse().ok())
            .unwrap_or(chrono_tz::UTC);
        Utc::now().with_timezone(&zone).naive_local()
    }

    fn note_error(&self, error: String) {
        self.status
            .send_modify(|status| status.last_error = Some(error));
    }

    fn set_disconnected(&self, error: Option<String>) {
        self.status.send_modify(|status| {
            status.peer = None;
            status.state = None;
            if error.is_some() {
                status.last_error = error;
            }
        });
    }
}

/// Sets `slot` to `value`; whether it changed.
fn replace<T: PartialEq>(slot: &mut T, value: T) -> bool {
    if *slot == value {
        false
    } else {
        *slot = value;
        true
    }
}
