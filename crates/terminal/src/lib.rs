//! The desk's calls, and the link between a property server and its terminals.
//!
//! - [`call`]: every call the desk's window makes, as data ([`DeskCall`]), and how the use
//!   cases answer it. The desktop app answers its own window's calls with it; the property
//!   server answers its terminals' calls the same way.
//! - [`tls`] and [`pairing`]: the server's certificate, pinned by each terminal at pairing
//!   with a one-time code.
//! - [`wire`]: the messages and their framing.
//! - [`server`]: the property server's terminal endpoint; [`lent`]: a terminal's encoder as
//!   the server drives it.
//! - [`client`]: a terminal's link to its server; [`agent`]: its encoder, lent to the server.

pub mod agent;
pub mod call;
pub mod client;
pub mod lent;
pub mod pairing;
pub mod server;
pub mod tls;
pub mod wire;

pub use call::{Answering, DeskCall, EntranceView, Session, Sessions};
pub use pairing::PairingCode;

use frontdesk::{ErrorCode, WireError};

/// What can go wrong between a terminal and its server.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot open {what}: {detail}")]
    Files { what: String, detail: String },
    #[error("TLS cannot be set up: {0}")]
    Tls(String),
    /// The server cannot be reached (or refused the TLS handshake): nothing was sent.
    #[error("cannot reach the property server at {address}: {detail}")]
    Unreachable { address: String, detail: String },
    /// The link broke after a call was sent, before its answer came.
    #[error("the link to the property server broke: {0}")]
    LinkLost(String),
    /// The other side sent what the protocol does not allow.
    #[error("{0}")]
    Protocol(String),
    /// The server refused the terminal, or a call.
    #[error("{}", .0.message)]
    Refused(WireError),
    #[error(transparent)]
    Desk(#[from] frontdesk::Error),
}

impl Error {
    /// The error as the desk's window shows it.
    pub fn to_wire(&self) -> WireError {
        let wire = |status, error_type, message: String| WireError {
            status,
            error_type,
            title: None,
            message,
            field: None,
            problems: Vec::new(),
            retry_after_seconds: None,
        };
        match self {
            Self::Desk(error) => error.to_wire(),
            Self::Refused(error) => error.clone(),
            Self::Files { what, detail } => wire(
                500,
                ErrorCode::FileError,
                format!("Cannot open {what}: {detail}."),
            ),
            Self::Unreachable { .. } | Self::Tls(_) => wire(
                503,
                ErrorCode::ServerUnreachable,
                "The property server cannot be reached, so nothing was changed. Check that the \
                 server PC is on and this PC is on its network; the desk carries on by itself \
                 when the server is back."
                    .to_owned(),
            ),
            Self::LinkLost(_) => wire(
                503,
                ErrorCode::ServerAnswerLost,
                "The link to the property server broke before it answered: the change may or \
                 may not have been made. Look at the stay again once the server is back before \
                 trying again."
                    .to_owned(),
            ),
            Self::Protocol(detail) => wire(
                502,
                ErrorCode::ServerUnreachable,
                format!(
                    "The property server and this desk do not understand each other ({detail}); \
                     nothing was changed. Install the same version on both."
                ),
            ),
        }
    }
}
