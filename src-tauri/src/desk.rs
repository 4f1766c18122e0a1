//! The desk the window works on: the seam between the window's commands and the use cases.
//! A standalone desk answers them with its own database and encoder ([`Standalone`]); a
//! terminal sends them to its property server and lends it its encoder ([`Terminal`]). The
//! commands and the UI do not know which: both answer [`Desk::call`] with the same JSON.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use chrono::{DateTime, Utc};
use encoder::simulator::SimulatedEncoder;
use encoder::supervisor::{EncoderState, Source};
use frontdesk::setup::{DeskFiles, EncoderChoice, WhenNoProperty, beside, open_desk, parse_usb_id};
use frontdesk::{CardStation, Context, Error, FrontDesk, Operator, PropertyRecord, WireError};
use serde_json::Value;
use terminal::client::{Credential, LinkEvent, TerminalLink};
use terminal::{Answering, DeskCall, PairingCode, Sessions};

use crate::bindings::{ApiStatus, AppInfo, SimulatedCardView, TerminalStatus};
use crate::pms_link::PmsLink;

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
    /// The database file of a standalone desk; created on first use. Default: `frontdesk.db`
    /// in the user's app data folder (`~/.local/share/com.frontdesk.desk/` on Linux). Given,
    /// the desk is standalone even where it was paired with a property server.
    #[arg(long, value_name = "PATH")]
    pub db: Option<PathBuf>,

    /// A property file to import (or re-import, updating in place) at start, or `demo` for
    /// the built-in demo hotel. Without it the database's property is used, and the demo
    /// hotel is imported into a database that has none.
    #[arg(long, value_name = "FILE|demo")]
    pub property: Option<String>,

    /// Pair this desk with a property server as one of its terminals, with the code
    /// `frontdesk terminals pair` printed there. Once paired, the desk starts as that
    /// terminal without arguments.
    #[arg(long, value_name = "CODE")]
    pub pair: Option<String>,

    /// Where a terminal keeps its pairing. Default: `terminal.json` in the app data folder.
    #[arg(long, value_name = "FILE")]
    pub terminal_file: Option<PathBuf>,

    /// The card encoder: the simulated one (training, demos, tests), or a USB HID encoder.
    #[arg(long, value_enum, default_value = "simulated")]
    pub encoder: EncoderKind,

    /// The HID encoder's USB vendor id, in hex (with --encoder hid).
    #[arg(long, value_name = "ID", default_value_t = encoder::link::DEFAULT_VENDOR_ID, value_parser = parse_usb_id)]
    pub hid_vendor_id: u16,

    /// The HID encoder's USB product id, in hex (with --encoder hid).
    #[arg(long, value_name = "ID", default_value_t = encoder::link::DEFAULT_PRODUCT_ID, value_parser = parse_usb_id)]
    pub hid_product_id: u16,

    /// Where the simulated encoder keeps its cards. Default: `<db>.simulated-encoder.json`
    /// (a terminal's: `terminal.simulated-encoder.json` beside its pairing).
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

impl Options {
    fn encoder_choice(&self) -> EncoderChoice {
        match self.encoder {
            EncoderKind::Simulated => EncoderChoice::Simulated,
            EncoderKind::Hid => EncoderChoice::Hid {
                vendor_id: self.hid_vendor_id,
                product_id: self.hid_product_id,
            },
        }
    }
}

/// What the desk tells the window besides answering its commands.
#[derive(Debug, Clone, PartialEq)]
pub enum DeskEvent {
    /// The property changed (here, at another desk, through the API or at the server).
    Changed(i64),
    EncoderState(EncoderState),
    /// A terminal's link to its server came or went.
    Connection(TerminalStatus),
}

/// Where the desk's events go: the window, in the app.
pub type Notify = Arc<dyn Fn(DeskEvent) + Send + Sync>;

/// The app's managed state: cheap to clone, so that a command can hand it to a thread.
#[derive(Debug, Clone)]
pub enum Desk {
    Standalone(Arc<Standalone>),
    Terminal(Arc<Terminal>),
}

/// A desk with its own database and encoder.
#[derive(Debug)]
pub struct Standalone {
    pub desk: Arc<FrontDesk>,
    pub station: Arc<CardStation>,
    sessions: LocalSessions,
    /// The local Seam-compatible API, when a manager switched it on.
    api: Mutex<Option<RunningApi>>,
    /// The PMS's key link (FIAS), when a manager switched it on.
    pub pms_link: PmsLink,
    /// The database file: the API key is kept beside it.
    db: PathBuf,
    /// Written while the desk is open.
    _log: Option<frontdesk::LogFile>,
}

/// A terminal of a property server.
#[derive(Debug)]
pub struct Terminal {
    /// Set once, right after the terminal is made: the link tells the terminal its events.
    link: std::sync::OnceLock<TerminalLink>,
    /// The encoder on this PC, lent to the server.
    source: Source,
    status: Mutex<TerminalView>,
    _log: Option<frontdesk::LogFile>,
}

/// What a terminal knows of its server and its encoder, as last told.
#[derive(Debug, Clone)]
struct TerminalView {
    status: TerminalStatus,
    property_name: String,
    time_zone: String,
    encoder_state: EncoderState,
}

/// The local API server while it runs.
#[derive(Debug)]
struct RunningApi {
    address: std::net::SocketAddr,
    stop: tokio::sync::oneshot::Sender<()>,
}

impl Desk {
    /// Opens the standalone desk (`db` when the command line gives none): imports the
    /// property if asked to (or the demo into an empty database), sets up the card station
    /// and settles the encodes a previous run left pending.
    pub fn open(options: &Options, default_db: &Path) -> Result<Desk, String> {
        Standalone::open(options, default_db).map(|desk| Desk::Standalone(Arc::new(desk)))
    }

    /// Opens the desk the command line and the app data folder `data` ask for: pairs first
    /// with `--pair`; a terminal when paired (and no `--db` is given), else standalone.
    pub fn open_in(options: &Options, data: &Path, notify: Notify) -> Result<Desk, String> {
        let terminal_file = options
            .terminal_file
            .clone()
            .unwrap_or_else(|| data.join("terminal.json"));
        if let Some(code) = &options.pair {
            let code: PairingCode = code.parse()?;
            let credential = tauri::async_runtime::block_on(terminal::client::pair(&code))
                .map_err(|error| match error {
                    terminal::Error::Unreachable { address, detail } => format!(
                        "cannot reach the property server at {address} to pair ({detail}): \
                         check the address in the code, and that `frontdesk serve \
                         --terminals-listen` runs there"
                    ),
                    other => other.to_wire().message,
                })?;
            credential
                .save(&terminal_file)
                .map_err(|error| error.to_wire().message)?;
            println!(
                "frontdesk-desktop: paired as {} with the property server at {}",
                credential.terminal_name, credential.address
            );
        }
        let credential = if options.db.is_some() {
            None
        } else {
            Credential::load(&terminal_file).map_err(|error| error.to_wire().message)?
        };
        let desk = match credential {
            Some(credential) => Desk::Terminal(Terminal::open(
                options,
                credential,
                &terminal_file,
                notify.clone(),
            )?),
            None => Desk::open(options, &data.join("frontdesk.db"))?,
        };
        if let Desk::Standalone(standalone) = &desk {
            standalone.watch_changes(notify);
        }
        Ok(desk)
    }

    /// The standalone desk; `None` on a terminal.
    pub fn standalone(&self) -> Option<&Standalone> {
        match self {
            Desk::Standalone(desk) => Some(desk),
            Desk::Terminal(_) => None,
        }
    }

    /// The window's header: property, encoder and, on a terminal, its link.
    pub fn app_info(&self) -> frontdesk::Result<AppInfo> {
        match self {
            Desk::Standalone(desk) => desk.app_info(),
            Desk::Terminal(terminal) => Ok(terminal.app_info()),
        }
    }

    /// The encoder on this PC when it is the simulated one.
    fn simulator(&self) -> Option<SimulatedEncoder> {
        match self {
            Desk::Standalone(desk) => desk.station.simulator().cloned(),
            Desk::Terminal(terminal) => match &terminal.source {
                Source::Simulated(simulator) => Some(simulator.clone()),
                _ => None,
            },
        }
    }

    /// Answers a call of the window: with the use cases here, or on the property server.
    pub async fn call(&self, token: Option<String>, call: DeskCall) -> Result<Value, WireError> {
        self.call_with_progress(token, call, |_| {}).await
    }

    /// [`Desk::call`], telling `progress` each step of an encode.
    pub async fn call_with_progress(
        &self,
        token: Option<String>,
        call: DeskCall,
        mut progress: impl FnMut(Value) + Send + 'static,
    ) -> Result<Value, WireError> {
        match self {
            Desk::Standalone(desk) => {
                let desk = desk.clone();
                run_blocking(move || {
                    let answering = Answering {
                        desk: &desk.desk,
                        sessions: &desk.sessions,
                        station: &desk.station,
                    };
                    let mut on_event = |event: frontdesk::EncodeEvent| {
                        if let Ok(event) = serde_json::to_value(event) {
                            progress(event);
                        }
                    };
                    answering.answer(token.as_deref(), call, Utc::now(), &mut on_event)
                })
                .await
            }
            Desk::Terminal(terminal) => match terminal.link.get() {
                Some(link) => link
                    .call(token, call, progress)
                    .await
                    .map_err(|error| error.to_wire()),
                None => {
                    Err(Error::Internal("the terminal's link has not started".into()).to_wire())
                }
            },
        }
    }

    /// The simulated encoder's cards and whose they are, for the door simulator.
    pub async fn simulator_cards(&self, token: &str) -> Result<Vec<SimulatedCardView>, WireError> {
        let cards = self
            .simulator()
            .map(|simulator| simulator.cards())
            .unwrap_or_default();
        let holders = self
            .call(
                Some(token.to_owned()),
                DeskCall::CardHolders {
                    card_ids: cards.iter().map(|card| card.uid.to_hex()).collect(),
                },
            )
            .await?;
        let holders: Vec<Option<String>> = serde_json::from_value(holders).unwrap_or_default();
        Ok(cards
            .into_iter()
            .zip(holders.into_iter().chain(std::iter::repeat(None)))
            .map(|(card, holder)| SimulatedCardView {
                card_id: card.uid.to_hex(),
                written: !card.image.is_empty(),
                holder,
            })
            .collect())
    }

    /// Presents one of the simulated encoder's cards at a simulated door.
    pub async fn present_card(
        &self,
        token: String,
        entrance_id: uuid::Uuid,
        card_id: String,
        at: Option<DateTime<Utc>>,
    ) -> Result<Value, WireError> {
        let simulator = self.simulator().ok_or_else(|| {
            Error::invalid(
                "card_id",
                "the door simulator works with the simulated encoder's cards only",
            )
            .to_wire()
        })?;
        let uid = encoder::CardUid::from_hex(&card_id).ok_or_else(|| {
            Error::invalid("card_id", "is not a card id (the card's UID in hex)").to_wire()
        })?;
        let card = simulator.card(&uid).ok_or_else(|| {
            Error::NotFound {
                resource: "card",
                id: card_id.clone(),
            }
            .to_wire()
        })?;
        let image = terminal::call::to_hex(&card.image);
        self.call(
            Some(token),
            DeskCall::PresentCard {
                entrance_id,
                card_id,
                image,
                at,
            },
        )
        .await
    }

    /// Unplugs or plugs in the simulated encoder (training); refused with a real one.
    pub async fn plug_simulated_encoder(
        &self,
        token: String,
        plugged: bool,
    ) -> Result<(), WireError> {
        // Any signed-in operator may: the session is checked first.
        self.call(Some(token), DeskCall::WhoAmI).await?;
        let simulator = self.simulator().ok_or_else(|| {
            Error::Conflict {
                field: "plugged".into(),
                message: "a real encoder is in use: unplug it by hand".into(),
            }
            .to_wire()
        })?;
        if plugged {
            simulator.plug();
        } else {
            simulator.unplug();
        }
        Ok(())
    }

    /// Runs `work` on the standalone desk, for what only it has (its local API); refused on
    /// a terminal.
    pub async fn standalone_work<T: Send + 'static>(
        &self,
        token: String,
        work: impl FnOnce(&Standalone, &Operator) -> frontdesk::Result<T> + Send + 'static,
    ) -> Result<T, WireError> {
        match self {
            Desk::Standalone(desk) => {
                let desk = desk.clone();
                run_blocking(move || {
                    let operator = desk.sessions.operator(&desk.desk, &token)?;
                    work(&desk, &operator)
                })
                .await
            }
            Desk::Terminal(_) => Err(Error::Conflict {
                field: "enabled".into(),
                message: "this desk is a terminal of the property server: the local API and \
                          the PMS link run on the server (`frontdesk serve`)"
                    .into(),
            }
            .to_wire()),
        }
    }
}

impl Standalone {
    fn open(options: &Options, default_db: &Path) -> Result<Standalone, String> {
        let db = options.db.clone().unwrap_or_else(|| default_db.to_owned());
        let log = open_log(&frontdesk::log_folder(&db));
        tracing::info!(version = env!("CARGO_PKG_VERSION"), db = %db.display(), "starting");
        let files = DeskFiles {
            db: db.clone(),
            property: options.property.clone(),
            when_no_property: WhenNoProperty::ImportDemo,
            encoder: options.encoder_choice(),
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
        let desk = Standalone {
            desk: Arc::new(opened.desk),
            station: Arc::new(opened.station),
            sessions: LocalSessions::default(),
            api: Mutex::default(),
            pms_link: PmsLink::default(),
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
        desk.pms_link.resume(&desk.desk, &desk.station);
        Ok(desk)
    }

    /// Tells `notify` each change of the database, whoever made it (this window, or the
    /// property-management system through the local API), and each change of the encoder.
    fn watch_changes(self: &Arc<Self>, notify: Notify) {
        let states = self.station.supervisor().subscribe();
        let told = notify.clone();
        let spawned = std::thread::Builder::new()
            .name("encoder-state-events".to_owned())
            .spawn(move || {
                for state in states {
                    tracing::info!(?state, "encoder");
                    told(DeskEvent::EncoderState(state));
                }
            });
        if let Err(error) = spawned {
            eprintln!("frontdesk-desktop: the encoder's state will not be shown live: {error}");
        }
        let desk = Arc::downgrade(&self.desk);
        let spawned = std::thread::Builder::new()
            .name("change-events".to_owned())
            .spawn(move || {
                let mut last = None;
                while let Some(desk) = desk.upgrade() {
                    if let Ok(version) = desk.change_version()
                        && last.replace(version).is_some_and(|last| last != version)
                    {
                        notify(DeskEvent::Changed(version));
                    }
                    drop(desk);
                    std::thread::sleep(CHANGE_POLL);
                }
            });
        if let Err(error) = spawned {
            eprintln!("frontdesk-desktop: changes will not be shown live: {error}");
        }
    }

    /// The window's header: property and encoder.
    pub fn app_info(&self) -> frontdesk::Result<AppInfo> {
        let property = self.property()?;
        Ok(AppInfo {
            property_name: property.name,
            time_zone: property.time_zone,
            encoder_state: self.station.state(),
            encoder_simulated: self.station.simulator().is_some(),
            terminal: None,
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
}

impl Terminal {
    fn open(
        options: &Options,
        credential: Credential,
        terminal_file: &Path,
        notify: Notify,
    ) -> Result<Arc<Terminal>, String> {
        let folder = terminal_file.parent().unwrap_or(Path::new("."));
        let log = open_log(&folder.join("logs"));
        tracing::info!(
            version = env!("CARGO_PKG_VERSION"),
            terminal = %credential.terminal_name,
            server = %credential.address,
            "starting as a terminal"
        );
        let source = match options.encoder_choice() {
            EncoderChoice::Simulated => {
                let file = options
                    .simulated_encoder_file
                    .clone()
                    .unwrap_or_else(|| beside(terminal_file, ".simulated-encoder.json"));
                Source::Simulated(SimulatedEncoder::open(&file).map_err(|error| {
                    format!(
                        "cannot open the simulated encoder's cards {}: {error}",
                        file.display()
                    )
                })?)
            }
            EncoderChoice::Hid {
                vendor_id,
                product_id,
            } => Source::Hid {
                vendor_id,
                product_id,
            },
        };
        let status = TerminalStatus {
            property_name: String::new(),
            terminal_name: credential.terminal_name.clone(),
            server: credential.address.clone(),
            online: false,
            problem: None,
        };
        let terminal = Arc::new(Terminal {
            link: std::sync::OnceLock::new(),
            source: source.clone(),
            status: Mutex::new(TerminalView {
                status,
                property_name: String::new(),
                time_zone: "UTC".to_owned(),
                encoder_state: EncoderState::Disconnected,
            }),
            _log: log,
        });
        let hearing = Arc::downgrade(&terminal);
        let link = tauri::async_runtime::block_on(async {
            TerminalLink::start(credential, source, move |event| {
                if let Some(terminal) = hearing.upgrade() {
                    terminal.heard(&event, &notify);
                }
            })
        });
        let _ = terminal.link.set(link);
        Ok(terminal)
    }

    /// Keeps what the link tells, and tells the window.
    fn heard(&self, event: &LinkEvent, notify: &Notify) {
        let mut view = lock(&self.status);
        let told = match event {
            LinkEvent::Online {
                property_name,
                time_zone,
                version,
                ..
            } => {
                view.property_name.clone_from(property_name);
                view.status.property_name.clone_from(property_name);
                view.time_zone.clone_from(time_zone);
                view.status.online = true;
                view.status.problem = None;
                vec![
                    DeskEvent::Connection(view.status.clone()),
                    DeskEvent::Changed(*version),
                ]
            }
            LinkEvent::Offline { reason } => {
                let was_online = view.status.online;
                view.status.online = false;
                view.status.problem =
                    Some(format!("The property server cannot be reached ({reason})."));
                view.encoder_state = EncoderState::Disconnected;
                if was_online {
                    vec![
                        DeskEvent::Connection(view.status.clone()),
                        DeskEvent::EncoderState(EncoderState::Disconnected),
                    ]
                } else {
                    Vec::new()
                }
            }
            LinkEvent::Refused { error } => {
                view.status.online = false;
                view.status.problem = Some(error.message.clone());
                vec![DeskEvent::Connection(view.status.clone())]
            }
            LinkEvent::Changed { version } => vec![DeskEvent::Changed(*version)],
            LinkEvent::EncoderState { state } => {
                view.encoder_state = *state;
                vec![DeskEvent::EncoderState(*state)]
            }
        };
        drop(view);
        for event in told {
            notify(event);
        }
    }

    fn app_info(&self) -> AppInfo {
        let view = lock(&self.status);
        AppInfo {
            property_name: view.property_name.clone(),
            time_zone: view.time_zone.clone(),
            encoder_state: view.encoder_state,
            encoder_simulated: matches!(self.source, Source::Simulated(_)),
            terminal: Some(view.status.clone()),
        }
    }
}

/// Operators' sessions in the desktop app's memory.
#[derive(Debug, Default)]
struct LocalSessions(Mutex<HashMap<String, Operator>>);

impl Sessions for LocalSessions {
    fn context(&self, now: DateTime<Utc>) -> Context {
        Context::new(ACTOR, now)
    }

    fn start(
        &self,
        _desk: &FrontDesk,
        operator: Operator,
        _now: DateTime<Utc>,
    ) -> frontdesk::Result<String> {
        let token = uuid::Uuid::new_v4().simple().to_string();
        lock(&self.0).insert(token.clone(), operator);
        Ok(token)
    }

    fn operator(&self, _desk: &FrontDesk, token: &str) -> frontdesk::Result<Operator> {
        lock(&self.0).get(token).cloned().ok_or_else(|| {
            frontdesk::Error::Unauthorized("Your session has ended; sign in again.".to_owned())
        })
    }

    fn end(&self, _desk: &FrontDesk, token: &str, _now: DateTime<Utc>) -> frontdesk::Result<()> {
        lock(&self.0).remove(token);
        Ok(())
    }
}

/// Who acts, now.
pub fn context() -> Context {
    Context::new(ACTOR, Utc::now())
}

/// How often a standalone desk looks for changes made by other processes on its database.
const CHANGE_POLL: std::time::Duration = std::time::Duration::from_millis(50);

/// The desk runs without its log rather than not at all.
fn open_log(folder: &Path) -> Option<frontdesk::LogFile> {
    frontdesk::log_to_folder(folder, "frontdesk-desktop")
        .inspect_err(|error| {
            eprintln!(
                "frontdesk-desktop: no log file: {}",
                error.to_wire().message
            );
        })
        .ok()
}

/// Runs use-case work on a blocking thread (the use cases wait on SQLite and the encoder)
/// and maps its error to the wire shape.
async fn run_blocking<T: Send + 'static>(
    work: impl FnOnce() -> frontdesk::Result<T> + Send + 'static,
) -> Result<T, WireError> {
    match tauri::async_runtime::spawn_blocking(work).await {
        Ok(result) => result.map_err(|error| error.to_wire()),
        Err(error) => Err(Error::Internal(error.to_string()).to_wire()),
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
    terminal::tls::write_private(path, key.as_bytes()).map_err(unreadable)?;
    Ok(key)
}
