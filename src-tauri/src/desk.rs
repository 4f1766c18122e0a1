//! The desk the window works on: the use cases over one database and the card station,
//! built from the command line the way `frontdesk serve` builds them.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use chrono::Utc;
use frontdesk::setup::{DeskFiles, EncoderChoice, WhenNoProperty, beside, open_desk, parse_usb_id};
use frontdesk::{CardStation, Context, Error, FrontDesk, Operator, PropertyRecord, WireError};

use crate::bindings::{ApiStatus, AppInfo, Session, SimulatedCardView};

/// Who the audit log shows for what the desktop app does, until operators sign in.
pub const ACTOR: &str = "front desk (desktop)";

/// `frontdesk-desktop`'s command line.
#[derive(Debug, Clone, clap::Parser)]
#[command(
    name = "frontdesk-desktop",
    version,
    about = "The hotel front desk's key system, with its window."
)]
pub struct Options {
    /// The database file; created on first use. Default: `frontdesk.db` in the user's app
    /// data folder (`~/.local/share/com.frontdesk.desk/` on Linux).
    #[arg(long, value_name = "PATH")]
    pub db: Option<PathBuf>,

    /// A property file to import (or re-import, updating in place) at start, or `demo` for
    /// the built-in demo hotel. Without it the database's property is used, and the demo
    /// hotel is imported into a database that has none.
    #[arg(long, value_name = "FILE|demo")]
    pub property: Option<String>,

    /// The card encoder: the simulated one (training, demos, tests), or a USB HID encoder.
    #[arg(long, value_enum, default_value = "simulated")]
    pub encoder: EncoderKind,

    /// The HID encoder's USB vendor id, in hex (with --encoder hid).
    #[arg(long, value_name = "ID", default_value_t = encoder::link::DEFAULT_VENDOR_ID, value_parser = parse_usb_id)]
    pub hid_vendor_id: u16,

    /// The HID encoder's USB product id, in hex (with --encoder hid).
    #[arg(long, value_name = "ID", default_value_t = encoder::link::DEFAULT_PRODUCT_ID, value_parser = parse_usb_id)]
    pub hid_product_id: u16,

    /// Where the simulated encoder keeps its cards. Default: `<db>.simulated-encoder.json`.
    #[arg(long, value_name = "FILE")]
    pub simulated_encoder_file: Option<PathBuf>,

    /// The property's card keys, kept outside the database and readable only by this user;
    /// created on first use. Default: `<db>.card-keys.json`.
    #[arg(long, value_name = "FILE")]
    pub card_keys: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum EncoderKind {
    Simulated,
    Hid,
}

/// The app's managed state (see [`crate::State`]): cheap to clone, so that a command can
/// hand it to a blocking thread.
#[derive(Debug, Clone)]
pub struct Desk {
    pub desk: Arc<FrontDesk>,
    pub station: Arc<CardStation>,
    /// Who is signed in, by session token.
    sessions: Arc<Mutex<HashMap<String, Operator>>>,
    /// The local Seam-compatible API, when a manager switched it on.
    api: Arc<Mutex<Option<RunningApi>>>,
    /// The database file: the API key is kept beside it.
    db: PathBuf,
    /// Written while the desk is open.
    _log: Option<Arc<frontdesk::LogFile>>,
}

/// The local API server while it runs.
#[derive(Debug)]
struct RunningApi {
    address: std::net::SocketAddr,
    stop: tokio::sync::oneshot::Sender<()>,
}

impl Desk {
    /// Opens the database (`db` when the command line gives none), imports the property if
    /// asked to (or the demo into an empty database), sets up the card station and settles
    /// the encodes a previous run left pending.
    pub fn open(options: &Options, default_db: &Path) -> Result<Desk, String> {
        let db = options.db.clone().unwrap_or_else(|| default_db.to_owned());
        // The desk runs without its log rather than not at all.
        let log = frontdesk::log_to_folder(&frontdesk::log_folder(&db), "frontdesk-desktop")
            .inspect_err(|error| {
                eprintln!(
                    "frontdesk-desktop: no log file: {}",
                    error.to_wire().message
                );
            })
            .ok()
            .map(Arc::new);
        tracing::info!(version = env!("CARGO_PKG_VERSION"), db = %db.display(), "starting");
        let files = DeskFiles {
            db: db.clone(),
            property: options.property.clone(),
            when_no_property: WhenNoProperty::ImportDemo,
            encoder: match options.encoder {
                EncoderKind::Simulated => EncoderChoice::Simulated,
                EncoderKind::Hid => EncoderChoice::Hid {
                    vendor_id: options.hid_vendor_id,
                    product_id: options.hid_product_id,
                },
            },
            card_keys: options.card_keys.clone(),
            simulated_encoder_file: options.simulated_encoder_file.clone(),
        };
        let opened = open_desk(&files, &context()).map_err(|error| {
            tracing::error!(code = %error.to_wire().error_type, "the desk did not open");
            error.to_wire().message_with_problems()
        })?;
        if !opened.resolution.unresolved.is_empty() {
            eprintln!(
                "frontdesk-desktop: {} card encode(s) could not be checked with the encoder; they \
                 will be before the next encode",
                opened.resolution.unresolved.len()
            );
        }
        let (desk, station) = (opened.desk, opened.station);
        let desk = Desk {
            desk: Arc::new(desk),
            station: Arc::new(station),
            sessions: Arc::default(),
            api: Arc::default(),
            db,
            _log: log,
        };
        if desk.desk.setting(API_ENABLED).ok().flatten().as_deref() == Some("true")
            && let Err(error) = desk.start_api()
        {
            tracing::warn!(code = %error.to_wire().error_type, "the local API stays off");
            eprintln!(
                "frontdesk-desktop: the local API stays off: {}",
                error.to_wire().message
            );
        }
        Ok(desk)
    }

    /// The window's header: property and encoder.
    pub fn app_info(&self) -> frontdesk::Result<AppInfo> {
        let property = self.property()?;
        Ok(AppInfo {
            property_name: property.name,
            time_zone: property.time_zone,
            encoder_state: self.station.state(),
            encoder_simulated: self.station.simulator().is_some(),
        })
    }

    /// The imported property (every database the app opens has one).
    pub fn property(&self) -> frontdesk::Result<PropertyRecord> {
        self.desk
            .property()?
            .ok_or_else(|| frontdesk::Error::NotFound {
                resource: "property",
                id: "-".to_owned(),
            })
    }

    /// Starts a session for a signed-in operator.
    pub fn start_session(&self, operator: Operator) -> frontdesk::Result<Session> {
        let token = uuid::Uuid::new_v4().simple().to_string();
        lock(&self.sessions).insert(token.clone(), operator.clone());
        Ok(Session { token, operator })
    }

    pub fn end_session(&self, token: &str) {
        lock(&self.sessions).remove(token);
    }

    /// The operator a session token belongs to.
    pub fn operator(&self, token: &str) -> frontdesk::Result<Operator> {
        lock(&self.sessions).get(token).cloned().ok_or_else(|| {
            frontdesk::Error::Unauthorized("Your session has ended; sign in again.".to_owned())
        })
    }

    /// Runs `work` for the operator signed in with `token`, on a blocking thread.
    pub async fn signed_in<T: Send + 'static>(
        &self,
        token: String,
        work: impl FnOnce(&Desk, &Operator) -> frontdesk::Result<T> + Send + 'static,
    ) -> Result<T, WireError> {
        self.run(move |desk| {
            let operator = desk.operator(&token)?;
            work(desk, &operator)
        })
        .await
    }

    /// The simulated encoder's cards and whose they are, for the door simulator.
    pub fn simulator_cards(
        &self,
        operator: &Operator,
    ) -> frontdesk::Result<Vec<SimulatedCardView>> {
        operator.require(frontdesk::Permission::FrontDesk)?;
        let Some(simulator) = self.station.simulator() else {
            return Ok(Vec::new());
        };
        simulator
            .cards()
            .into_iter()
            .map(|card| {
                let holder = self.desk.card_holder(&card.uid.to_hex())?;
                Ok(SimulatedCardView {
                    card_id: card.uid.to_hex(),
                    written: !card.image.is_empty(),
                    holder,
                })
            })
            .collect()
    }

    /// Unplugs or plugs in the simulated encoder (training); refused with a real one.
    pub fn plug_simulated_encoder(
        &self,
        operator: &Operator,
        plugged: bool,
    ) -> frontdesk::Result<()> {
        operator.require(frontdesk::Permission::FrontDesk)?;
        let simulator = self
            .station
            .simulator()
            .ok_or_else(|| frontdesk::Error::Conflict {
                field: "plugged".into(),
                message: "a real encoder is in use: unplug it by hand".into(),
            })?;
        if plugged {
            simulator.plug();
        } else {
            simulator.unplug();
        }
        Ok(())
    }

    /// Whether the local API runs, where, and where its key is.
    pub fn api_status(&self, operator: &Operator) -> frontdesk::Result<ApiStatus> {
        operator.require(frontdesk::Permission::Manage)?;
        Ok(self.current_api_status())
    }

    fn current_api_status(&self) -> ApiStatus {
        // One guard for both fields: a second lock in the same expression would wait for
        // the first forever.
        let address = lock(&self.api)
            .as_ref()
            .map(|api| format!("http://{}", api.address));
        ApiStatus {
            enabled: address.is_some(),
            address,
            key_file: self.api_key_file().display().to_string(),
        }
    }

    /// Switches the local API on or off, and remembers it for the next start.
    pub fn set_api_enabled(
        &self,
        operator: &Operator,
        enabled: bool,
    ) -> frontdesk::Result<ApiStatus> {
        operator.require(frontdesk::Permission::Manage)?;
        if enabled {
            self.start_api()?;
        } else if let Some(api) = lock(&self.api).take() {
            let _ = api.stop.send(());
        }
        self.desk.set_setting(
            &operator.context(Utc::now()),
            API_ENABLED,
            if enabled { "true" } else { "false" },
        )?;
        Ok(self.current_api_status())
    }

    fn api_key_file(&self) -> PathBuf {
        beside(&self.db, ".api-key")
    }

    /// Serves the Seam-compatible API on loopback, with a key made on first use and kept in
    /// a file only this user can read.
    fn start_api(&self) -> frontdesk::Result<()> {
        let mut running = lock(&self.api);
        if running.is_some() {
            return Ok(());
        }
        let key = api_key(&self.api_key_file())?;
        let state = api::AppState::new(
            self.desk.clone(),
            self.station.clone(),
            &key,
            api::Clock::default(),
        )
        .map_err(|refused| Error::Files {
            what: format!("the API key file {}", self.api_key_file().display()),
            detail: format!("{refused}; delete the file to have a new key made"),
        })?;
        let unavailable = |error: std::io::Error| {
            Error::ApiUnavailable(format!("cannot listen on {API_ADDRESS}: {error}"))
        };
        let listener = std::net::TcpListener::bind(API_ADDRESS).map_err(unavailable)?;
        listener.set_nonblocking(true).map_err(unavailable)?;
        let address = listener.local_addr().map_err(unavailable)?;
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        tauri::async_runtime::spawn(async move {
            let Ok(listener) = tokio::net::TcpListener::from_std(listener) else {
                return;
            };
            let served = axum::serve(listener, api::router(state))
                .with_graceful_shutdown(async move {
                    let _ = stopped.await;
                })
                .await;
            if let Err(error) = served {
                eprintln!("frontdesk-desktop: the local API stopped: {error}");
            }
        });
        *running = Some(RunningApi { address, stop });
        Ok(())
    }

    /// Runs `work` on a blocking thread (the use cases wait on SQLite and the encoder) and
    /// maps its error to the wire shape: the body of every command.
    pub async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Desk) -> frontdesk::Result<T> + Send + 'static,
    ) -> Result<T, WireError> {
        let desk = self.clone();
        match tauri::async_runtime::spawn_blocking(move || work(&desk)).await {
            Ok(result) => result.map_err(|error| error.to_wire()),
            Err(error) => Err(internal_error(&error.to_string())),
        }
    }
}

/// Who acts, now.
pub fn context() -> Context {
    Context::new(ACTOR, Utc::now())
}

/// A failure of the shell itself (a command's thread panicked), in the wire shape.
fn internal_error(detail: &str) -> WireError {
    WireError {
        status: 500,
        error_type: frontdesk::ErrorCode::InternalError,
        title: None,
        message: format!("The app failed to complete the request; nothing was changed. ({detail})"),
        field: None,
        problems: Vec::new(),
    }
}

/// The setting that remembers whether the local API is on.
const API_ENABLED: &str = "api.enabled";
/// Where the local API listens: loopback only.
const API_ADDRESS: &str = "127.0.0.1:8787";

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The API key in `path`, made (random, `seam_`-prefixed, readable only by this user) when
/// there is none yet.
fn api_key(path: &Path) -> frontdesk::Result<String> {
    let unreadable = |error: std::io::Error| Error::Files {
        what: format!("the API key file {}", path.display()),
        detail: error.to_string(),
    };
    if let Ok(key) = std::fs::read_to_string(path) {
        return Ok(key.trim().to_owned());
    }
    let key = format!(
        "seam_{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    );
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path).map_err(unreadable)?;
    std::io::Write::write_all(&mut file, key.as_bytes()).map_err(unreadable)?;
    Ok(key)
}
