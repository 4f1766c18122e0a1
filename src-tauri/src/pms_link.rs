//! The PMS's key link (FIAS) at a standalone desk: a manager sets which side listens, the
//! address and the character set, and switches it on or off; the desk remembers it for the
//! next start and shows how the link stands.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use chrono::Utc;
use fias::endpoint::{FiasEndpoint, LinkEncoder, LinkStatus};
use fias::text::Charset;
use frontdesk::{CardStation, Error, FrontDesk, Operator, Permission};

use crate::bindings::{PmsLinkDirection, PmsLinkSettings, PmsLinkView};

/// The settings that remember the link.
const ENABLED: &str = "pms_link.enabled";
const DIRECTION: &str = "pms_link.direction";
const ADDRESS: &str = "pms_link.address";
const ENCODING: &str = "pms_link.encoding";

/// How many times a link is started again while its address is still held (50 ms apart).
const RESTART_TRIES: usize = 20;

/// What the link is told to be when nothing was set yet: listening on loopback, Latin-1.
fn default_settings() -> PmsLinkSettings {
    PmsLinkSettings {
        enabled: false,
        direction: PmsLinkDirection::Listen,
        address: "127.0.0.1:5010".to_owned(),
        encoding: "latin1".to_owned(),
    }
}

/// The link while it runs.
struct Running {
    status: tokio::sync::watch::Receiver<LinkStatus>,
    stop: tokio::sync::oneshot::Sender<()>,
}

#[derive(Default)]
pub struct PmsLink {
    running: Mutex<Option<Running>>,
}

impl std::fmt::Debug for PmsLink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PmsLink")
            .field("running", &lock(&self.running).is_some())
            .finish()
    }
}

impl PmsLink {
    /// Starts the link at the desk's start when a manager left it on.
    pub fn resume(&self, desk: &Arc<FrontDesk>, station: &Arc<CardStation>) {
        let settings = saved(desk);
        if settings.enabled
            && let Err(error) = self.start(desk, station, &settings)
        {
            tracing::warn!(code = %error.to_wire().error_type, "the PMS link stays off");
        }
    }

    pub fn view(&self, desk: &FrontDesk, operator: &Operator) -> frontdesk::Result<PmsLinkView> {
        operator.require(Permission::Manage)?;
        Ok(self.current(desk))
    }

    /// Sets the link up as the manager says and switches it on or off; remembered for the
    /// next start. Settings that cannot work are refused, naming the field, and change
    /// nothing.
    pub fn set(
        &self,
        desk: &Arc<FrontDesk>,
        station: &Arc<CardStation>,
        operator: &Operator,
        settings: &PmsLinkSettings,
    ) -> frontdesk::Result<PmsLinkView> {
        operator.require(Permission::Manage)?;
        let settings = checked(settings)?;
        let previous = saved(desk);
        self.stop();
        if settings.enabled
            && let Err(error) = self.start_when_free(desk, station, &settings)
        {
            // Refused: the link goes back to how it was.
            if previous.enabled {
                let _ = self.start_when_free(desk, station, &previous);
            }
            return Err(error);
        }
        let context = operator.context(Utc::now());
        let direction = match settings.direction {
            PmsLinkDirection::Connect => "connect",
            PmsLinkDirection::Listen => "listen",
        };
        for (key, value) in [
            (ENABLED, if settings.enabled { "true" } else { "false" }),
            (DIRECTION, direction),
            (ADDRESS, settings.address.as_str()),
            (ENCODING, settings.encoding.as_str()),
        ] {
            desk.set_setting(&context, key, value)?;
        }
        Ok(self.current(desk))
    }

    /// [`PmsLink::start`], trying again for a moment while the address is still held by the
    /// link just stopped (its listener closes as its task ends).
    fn start_when_free(
        &self,
        desk: &Arc<FrontDesk>,
        station: &Arc<CardStation>,
        settings: &PmsLinkSettings,
    ) -> frontdesk::Result<()> {
        let mut tries = 0;
        loop {
            match self.start(desk, station, settings) {
                Err(Error::Conflict { .. }) if tries < RESTART_TRIES => {
                    tries += 1;
                    std::thread::sleep(std::time::Duration::from_millis(50));
                }
                done => return done,
            }
        }
    }

    fn start(
        &self,
        desk: &Arc<FrontDesk>,
        station: &Arc<CardStation>,
        settings: &PmsLinkSettings,
    ) -> frontdesk::Result<()> {
        let charset = charset(&settings.encoding)?;
        let encoder_id = api::desk_encoder_id(desk)?;
        let (listed, listing) = (station.clone(), desk.clone());
        let encoders = Arc::new(move || {
            vec![LinkEncoder {
                id: encoder_id,
                name: "Desk encoder".to_owned(),
                pms_code: listing.pms_encoder_code(encoder_id).ok().flatten(),
                station: listed.clone(),
            }]
        });
        let endpoint = FiasEndpoint::new(desk.clone(), encoders, charset);
        let status = endpoint.status();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let stopped = async move {
            let _ = stopped.await;
        };
        match settings.direction {
            PmsLinkDirection::Listen => {
                let unavailable = |error: std::io::Error| Error::Conflict {
                    field: "address".to_owned(),
                    message: format!("cannot listen on {}: {error}", settings.address),
                };
                let listener =
                    std::net::TcpListener::bind(settings.address.as_str()).map_err(unavailable)?;
                listener.set_nonblocking(true).map_err(unavailable)?;
                tauri::async_runtime::spawn(async move {
                    match tokio::net::TcpListener::from_std(listener) {
                        Ok(listener) => endpoint.listen(listener, stopped).await,
                        Err(error) => tracing::error!(%error, "the PMS link cannot listen"),
                    }
                });
            }
            PmsLinkDirection::Connect => {
                let address = settings.address.clone();
                tauri::async_runtime::spawn(endpoint.connect(address, stopped));
            }
        }
        *lock(&self.running) = Some(Running { status, stop });
        Ok(())
    }

    fn stop(&self) {
        if let Some(running) = lock(&self.running).take() {
            let _ = running.stop.send(());
        }
    }

    fn current(&self, desk: &FrontDesk) -> PmsLinkView {
        let settings = saved(desk);
        let status = lock(&self.running)
            .as_ref()
            .map(|running| running.status.borrow().clone())
            .unwrap_or_default();
        PmsLinkView {
            enabled: settings.enabled,
            direction: settings.direction,
            address: settings.address,
            encoding: settings.encoding,
            peer: status.peer,
            state: status.state.map(|state| state.label().to_owned()),
            last_record: status.last_record,
            last_record_at: status.last_record_at,
            last_error: status.last_error,
        }
    }
}

/// The link as last set, or the defaults.
fn saved(desk: &FrontDesk) -> PmsLinkSettings {
    let setting = |key: &str| desk.setting(key).ok().flatten();
    let defaults = default_settings();
    PmsLinkSettings {
        enabled: setting(ENABLED).as_deref() == Some("true"),
        direction: match setting(DIRECTION).as_deref() {
            Some("connect") => PmsLinkDirection::Connect,
            Some("listen") => PmsLinkDirection::Listen,
            _ => defaults.direction,
        },
        address: setting(ADDRESS).unwrap_or(defaults.address),
        encoding: setting(ENCODING).unwrap_or(defaults.encoding),
    }
}

/// The settings, trimmed, or the first field that cannot work.
fn checked(settings: &PmsLinkSettings) -> frontdesk::Result<PmsLinkSettings> {
    let address = settings.address.trim().to_owned();
    match settings.direction {
        PmsLinkDirection::Listen => {
            let parsed: std::net::SocketAddr = address.parse().map_err(|_| {
                Error::invalid(
                    "address",
                    format!("{address:?} is not an address and port to listen on, such as 127.0.0.1:5010"),
                )
            })?;
            if !parsed.ip().is_loopback() {
                return Err(Error::invalid(
                    "address",
                    "the desk listens for the PMS on this computer only (127.0.0.1); a PMS on \
                     another computer reaches a property server (frontdesk serve --fias-listen)",
                ));
            }
        }
        PmsLinkDirection::Connect => {
            let port = address
                .rsplit_once(':')
                .filter(|(host, _)| !host.is_empty())
                .and_then(|(_, port)| port.parse::<u16>().ok())
                .filter(|port| *port > 0);
            if port.is_none() {
                return Err(Error::invalid(
                    "address",
                    format!(
                        "{address:?} is not the PMS's host and port, such as pms.hotel.lan:5010"
                    ),
                ));
            }
        }
    }
    charset(&settings.encoding)?;
    Ok(PmsLinkSettings {
        enabled: settings.enabled,
        direction: settings.direction,
        address,
        encoding: settings.encoding.trim().to_owned(),
    })
}

fn charset(label: &str) -> frontdesk::Result<Charset> {
    Charset::from_label(label).ok_or_else(|| {
        Error::invalid(
            "encoding",
            format!("{label:?} is not a character set; use latin1, utf-8 or another standard name"),
        )
    })
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
