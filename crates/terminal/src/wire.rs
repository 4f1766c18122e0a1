//! What a terminal and its server say to each other: JSON messages, each in one frame (a
//! 4-byte big-endian length, then the message), over TLS.
//!
//! A terminal opens with [`Upstream::Hello`] (or [`Upstream::Pair`] once, to pair) and the
//! server answers [`Downstream::Welcome`] (or [`Downstream::Paired`]) or
//! [`Downstream::Refused`], then closes. After the welcome, the terminal makes calls; the
//! server answers each, tells every change to the property, and drives the terminal's
//! encoder link by link: a link's reads and writes are those of [`encoder::link::Link`],
//! carried over the network.

use bytes::Bytes;
use encoder::supervisor::EncoderState;
use frontdesk::WireError;
use futures_util::{SinkExt, StreamExt};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio_util::codec::{Framed, LengthDelimitedCodec};
use uuid::Uuid;

use crate::Error;
use crate::call::DeskCall;

/// The protocol's version: a terminal and a server of other versions refuse each other.
pub const PROTOCOL: u32 = 2;
/// The largest message a server reads from a terminal: calls are small.
pub const MAX_FROM_TERMINAL: usize = 1 << 20;
/// The largest message a terminal reads from its server: a large hotel's timeline.
pub const MAX_FROM_SERVER: usize = 64 << 20;

/// From a terminal to its server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Upstream {
    Hello {
        protocol: u32,
        terminal_id: Uuid,
        credential: String,
        /// Whether the terminal's encoder is plugged in, and simulated, as it connects.
        encoder_present: bool,
        encoder_simulated: bool,
    },
    Pair {
        protocol: u32,
        secret: String,
    },
    /// A call of the desk, by the operator whose session token goes with it. `id` is the
    /// terminal's, to match the answer.
    Call {
        id: u64,
        token: Option<String>,
        call: DeskCall,
    },
    /// Whether the terminal's encoder is plugged in, sent at the welcome and on each change.
    EncoderPresence {
        present: bool,
        simulated: bool,
    },
    /// The answer to [`Downstream::EncoderOpen`].
    EncoderOpened {
        link: u64,
        error: Option<String>,
    },
    /// The answer to [`Downstream::EncoderRead`]: one report (hex), or none in time.
    EncoderRead {
        link: u64,
        report: Option<String>,
        error: Option<String>,
    },
    /// A write of the link failed: the link is broken.
    EncoderWriteFailed {
        link: u64,
        error: String,
    },
}

/// From the server to a terminal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Downstream {
    Welcome {
        terminal_id: Uuid,
        terminal_name: String,
        property_name: String,
        time_zone: String,
        /// How the property writes dates; a server from before it had one sends none.
        #[serde(default = "default_locale")]
        locale: String,
        /// The property's change counter now (see [`Downstream::Changed`]).
        version: i64,
    },
    Paired {
        terminal_id: Uuid,
        terminal_name: String,
        credential: String,
    },
    /// The terminal is refused (wrong credential, revoked, malformed message); the server
    /// closes the connection after it.
    Refused {
        error: WireError,
    },
    Reply {
        id: u64,
        #[serde(flatten)]
        outcome: Outcome,
    },
    /// A step of the encode that call `id` is making.
    Progress {
        id: u64,
        event: Value,
    },
    /// The property changed (anywhere): the counter grows with each change.
    Changed {
        version: i64,
    },
    /// The state of the terminal's encoder, as the server's supervisor of it sees it.
    EncoderState {
        state: EncoderState,
    },
    EncoderOpen {
        link: u64,
    },
    EncoderWrite {
        link: u64,
        report: String,
    },
    EncoderRead {
        link: u64,
        timeout_ms: u64,
    },
    EncoderClose {
        link: u64,
    },
    /// Before an encode on a simulated encoder: a blank on the pad unless it holds a blank
    /// or `keep_card`.
    PrepareBlank {
        keep_card: Option<String>,
    },
}

/// A call's answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Ok(Value),
    Error(WireError),
}

/// A framed, TLS-wrapped connection.
pub type Connection<S> = Framed<S, LengthDelimitedCodec>;

/// Frames `stream`, refusing frames longer than `max` bytes.
pub fn framed<S: AsyncRead + AsyncWrite>(stream: S, max: usize) -> Connection<S> {
    Framed::new(
        stream,
        LengthDelimitedCodec::builder()
            .length_field_length(4)
            .max_frame_length(max)
            .new_codec(),
    )
}

pub async fn send<S, M>(connection: &mut Connection<S>, message: &M) -> Result<(), Error>
where
    S: AsyncRead + AsyncWrite + Unpin,
    M: Serialize,
{
    let bytes = serde_json::to_vec(message).map_err(|error| Error::Protocol(error.to_string()))?;
    connection
        .send(Bytes::from(bytes))
        .await
        .map_err(|error| Error::LinkLost(error.to_string()))
}

/// The next message, `None` when the peer closed the connection.
pub async fn receive<S, M>(connection: &mut Connection<S>) -> Result<Option<M>, Error>
where
    S: AsyncRead + AsyncWrite + Unpin,
    M: for<'de> Deserialize<'de>,
{
    match connection.next().await {
        None => Ok(None),
        Some(Err(error)) => Err(if error.kind() == std::io::ErrorKind::InvalidData {
            // The codec's word for a frame over the limit.
            Error::Protocol(format!("a message was refused: {error}"))
        } else {
            Error::LinkLost(error.to_string())
        }),
        Some(Ok(frame)) => serde_json::from_slice(&frame)
            .map(Some)
            .map_err(|error| Error::Protocol(format!("a malformed message: {error}"))),
    }
}

/// Flushes what was sent and closes the connection.
pub async fn close<S>(connection: &mut Connection<S>)
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let _ = SinkExt::<Bytes>::close(connection).await;
}

fn default_locale() -> String {
    engine::property::DEFAULT_LOCALE.to_owned()
}
