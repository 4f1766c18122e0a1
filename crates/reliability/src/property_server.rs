//! A property server as `frontdesk serve --terminals-listen` runs one, inside the harness's
//! process: the desk opened from its files, the terminal endpoint on a loopback port, and a
//! manager the terminals sign in as. The terminals are other processes (`terminal-worker`)
//! or links in the harness.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use frontdesk::{Context, FrontDesk, Role};
use terminal::PairingCode;
use terminal::server::TerminalEndpoint;
use terminal::tls::{Fingerprint, ServerIdentity};

use crate::desk::{self, DeskFiles};

/// The operator the terminals sign in as.
pub const OPERATOR: (&str, &str) = ("Tess", "2468");

/// How long an encode waits for a card at the server's terminals' encoders.
pub const CARD_WAIT: Duration = Duration::from_secs(3);

#[derive(Debug)]
pub struct PropertyServer {
    pub desk: Arc<FrontDesk>,
    pub endpoint: Arc<TerminalEndpoint>,
    pub address: String,
    pub fingerprint: Fingerprint,
    pub files: DeskFiles,
    stop: tokio::sync::watch::Sender<bool>,
}

impl PropertyServer {
    /// Opens (or reopens) the server's desk in `files` and listens for terminals on
    /// `address` (`127.0.0.1:0` for a free port), on the current tokio runtime.
    pub async fn start(files: &DeskFiles, address: &str) -> Result<Self, String> {
        let opened = desk::open(files, "server", Utc::now())?;
        let desk = Arc::new(opened.desk);
        if desk
            .sign_in(
                &Context::new("reliability", Utc::now()),
                OPERATOR.0,
                OPERATOR.1,
            )
            .is_err()
        {
            desk.add_operator(
                &Context::new("reliability", Utc::now()),
                OPERATOR.0,
                OPERATOR.1,
                Role::Manager,
            )
            .map_err(desk::wire_message)?;
        }
        let identity = ServerIdentity::load_or_create(&files.dir.join("server-tls.pem"))
            .map_err(|error| error.to_string())?;
        let endpoint = TerminalEndpoint::new(
            desk.clone(),
            opened.station.keys().clone(),
            CARD_WAIT,
            &identity,
        )
        .map_err(|error| error.to_string())?;
        let listener = tokio::net::TcpListener::bind(address)
            .await
            .map_err(|error| format!("cannot listen on {address}: {error}"))?;
        let address = listener
            .local_addr()
            .map_err(|error| error.to_string())?
            .to_string();
        let (stop, mut stopped) = tokio::sync::watch::channel(false);
        tokio::spawn(endpoint.clone().serve(listener, async move {
            let _ = stopped.wait_for(|stop| *stop).await;
        }));
        Ok(Self {
            desk,
            endpoint,
            address,
            fingerprint: identity.fingerprint(),
            files: files.clone(),
            stop,
        })
    }

    /// A one-time pairing code for a terminal named `name`.
    pub fn pairing_code(&self, name: &str) -> Result<PairingCode, String> {
        let pairing = self
            .desk
            .create_terminal_pairing(&Context::new("reliability", Utc::now()), name)
            .map_err(desk::wire_message)?;
        Ok(PairingCode {
            address: self.address.clone(),
            fingerprint: self.fingerprint,
            secret: pairing.secret,
        })
    }

    /// Stops accepting terminals (connections made stay until their terminals go).
    pub fn stop_listening(&self) {
        self.stop.send_replace(true);
    }

    pub fn database(&self) -> PathBuf {
        self.files.database()
    }
}
