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
use frontdesk::setup::{
    DeskFiles, EncoderChoice, WhenNoProperty, beside, encoder_source, open_another_encoder,
    open_desk, parse_usb_id,
};
use frontdesk::{CardStation, Context, Error, FrontDesk, Operator, PropertyRecord, WireError};
use serde_json::Value;
use terminal::client::{Credential, LinkEvent, TerminalLink};
use terminal::{Answering, DeskCall, PairingCode, Sessions};

use crate::bindings::{
    ApiStatus, AppInfo, EncoderStateChange, EncoderView, RestoreOutcome, SimulatedCardView,
    TerminalStatus,
};
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

    /// Where a desk has several HID encoders of these ids: each one's USB serial number, with
    /// the name the desk shows for it (`--hid-serial 0042A1=Counter --hid-serial
    /// "0042B7=Back office"`); each operator chooses one in the window's header. The first is
    /// the desk's main encoder, which the local API and the PMS link use: keep it first.
    /// Without it, the desk drives the first encoder found.
    #[arg(long = "hid-serial", value_name = "SERIAL[=NAME]")]
    pub hid_serials: Vec<String>,

    /// How many simulated encoders the desk has (with --encoder simulated), 1 to 4, to train
    /// for a desk with several. The second keeps its cards beside the first's, in
    /// `<db>.simulated-encoder-2.json` (or the --simulated-encoder-file name with `-2`).
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u8).range(1..=4))]
    pub simulated_encoders: u8,

    /// Where the simulated encoder keeps its cards. Default: `<db>.simulated-encoder.json`
    /// (a terminal's: `terminal.simulated-encoder.json` beside its pairing).
    #[arg(long, value_name = "FILE")]
    pub simulated_encoder_file: Option<PathBuf>,

    /// The property's card keys, kept outside the database and readable only by this user;
    /// created on first use. Default: `<db>.card-keys.json`.
    #[arg(long, value_name = "FILE")]
    pub card_keys: Option<PathBuf>,

    /// Restore this backup (made by the desk or `frontdesk backup`) as the database and its
    /// card keys before the desk opens, the backup password read from standard input. The
    /// first screen's "Restore from a backup…" starts the app again this way.
    #[arg(long, value_name = "FILE")]
    pub restore_from: Option<PathBuf>,

    /// Give the operator NAME a new PIN (read from standard input), which also lifts a
    /// lock-out after wrong PINs, then exit without opening the window: the way back in for a
    /// sole manager who forgot theirs. A terminal's operators are the server's
    /// (`frontdesk operators reset-pin`).
    #[arg(long, value_name = "NAME")]
    pub reset_pin: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum EncoderKind {
    Simulated,
    Hid,
}

/// One encoder the command line names for the desk.
#[derive(Debug, Clone)]
struct NamedEncoder {
    name: String,
    choice: EncoderChoice,
    /// Where a simulated encoder keeps its cards.
    simulated_file: PathBuf,
    /// What tells it apart from the desk's other encoders in the encode journal; `None` for
    /// the desk's own (an encoder not named by its serial number, the first simulated one).
    identity: Option<String>,
}

impl Options {
    /// The encoders the desk drives, the main one first; the first simulated one keeps its
    /// cards in `simulated_file`.
    fn encoders(&self, simulated_file: &Path) -> Result<Vec<NamedEncoder>, String> {
        match self.encoder {
            EncoderKind::Simulated => {
                if !self.hid_serials.is_empty() {
                    return Err(
                        "--hid-serial names USB encoders: give it with --encoder hid".to_owned(),
                    );
                }
                Ok((1..=self.simulated_encoders)
                    .map(|number| NamedEncoder {
                        name: format!("Encoder {number}"),
                        choice: EncoderChoice::Simulated,
                        simulated_file: numbered(simulated_file, number),
                        identity: (number > 1).then(|| format!("simulated {number}")),
                    })
                    .collect())
            }
            EncoderKind::Hid => {
                if self.simulated_encoders > 1 {
                    return Err(
                        "--simulated-encoders is for --encoder simulated; name each USB encoder \
                         with --hid-serial"
                            .to_owned(),
                    );
                }
                let hid = |serial: Option<String>| EncoderChoice::Hid {
                    vendor_id: self.hid_vendor_id,
                    product_id: self.hid_product_id,
                    serial,
                };
                if self.hid_serials.is_empty() {
                    return Ok(vec![NamedEncoder {
                        name: "Encoder 1".to_owned(),
                        choice: hid(None),
                        simulated_file: simulated_file.to_owned(),
                        identity: None,
                    }]);
                }
                let mut encoders: Vec<NamedEncoder> = Vec::new();
                for (number, given) in (1..).zip(&self.hid_serials) {
                    let (serial, name) = match given.split_once('=') {
                        Some((serial, name)) => (serial.trim(), name.trim()),
                        None => (given.trim(), ""),
                    };
                    if serial.is_empty() {
                        return Err(format!(
                            "--hid-serial {given:?}: the USB serial number is missing (SERIAL or \
                             SERIAL=NAME)"
                        ));
                    }
                    let identity = format!(
                        "usb {:04x}:{:04x} {serial}",
                        self.hid_vendor_id, self.hid_product_id
                    );
                    let name = if name.is_empty() {
                        format!("Encoder {number}")
                    } else {
                        name.to_owned()
                    };
                    for other in &encoders {
                        if other.identity.as_deref() == Some(identity.as_str()) {
                            return Err(format!(
                                "--hid-serial {serial} is given twice: name each encoder once"
                            ));
                        }
                        if other.name.eq_ignore_ascii_case(&name) {
                            return Err(format!(
                                "--hid-serial: two encoders are called {name:?}: give each a \
                                 name of its own (SERIAL=NAME)"
                            ));
                        }
                    }
                    encoders.push(NamedEncoder {
                        name,
                        choice: hid(Some(serial.to_owned())),
                        simulated_file: simulated_file.to_owned(),
                        identity: Some(identity),
                    });
                }
                Ok(encoders)
            }
        }
    }
}

/// `file` for the first simulated encoder; `name-N.ext` beside it for the Nth.
fn numbered(file: &Path, number: u8) -> PathBuf {
    if number == 1 {
        return file.to_owned();
    }
    let stem = file.file_stem().unwrap_or_default().to_string_lossy();
    let name = match file.extension() {
        Some(extension) => format!("{stem}-{number}.{}", extension.to_string_lossy()),
        None => format!("{stem}-{number}"),
    };
    file.with_file_name(name)
}

/// What the desk tells the window besides answering its commands.
#[derive(Debug, Clone, PartialEq)]
pub enum DeskEvent {
    /// The property changed (here, at another desk, through the API or at the server).
    Changed(i64),
    EncoderState(EncoderStateChange),
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

/// A desk with its own database and encoders.
#[derive(Debug)]
pub struct Standalone {
    pub desk: Arc<FrontDesk>,
    /// The main encoder first.
    encoders: Vec<DeskEncoder>,
    /// The encoder each operator chose, by operator id, while the desk runs; the main one
    /// for an operator who has not chosen.
    chosen: Mutex<HashMap<uuid::Uuid, usize>>,
    sessions: LocalSessions,
    /// The local Seam-compatible API, when a manager switched it on.
    api: Mutex<Option<RunningApi>>,
    /// The PMS's key link (FIAS), when a manager switched it on.
    pub pms_link: PmsLink,
    /// The database file: the API key is kept beside it.
    db: PathBuf,
    /// The card keys' file.
    card_keys: PathBuf,
    /// What the backup restored at this start did.
    restored: Option<RestoreOutcome>,
    /// Written while the desk is open.
    _log: Option<frontdesk::LogFile>,
}

/// One of a standalone desk's encoders.
#[derive(Debug)]
pub struct DeskEncoder {
    pub name: String,
    /// The USB serial number of a HID encoder the command line named by it.
    pub serial: Option<String>,
    pub station: Arc<CardStation>,
}

impl DeskEncoder {
    fn view(&self) -> EncoderView {
        EncoderView {
            name: self.name.clone(),
            state: self.station.state(),
            simulated: self.station.simulator().is_some(),
            serial: self.serial.clone(),
        }
    }
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
    locale: String,
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
    /// `--reset-pin NAME`: a new PIN for an operator of this desk's database, read from
    /// standard input; what was done, in words. Refused on a terminal, whose operators are
    /// the server's.
    pub fn reset_pin_in(options: &Options, data: &Path, name: &str) -> Result<String, String> {
        let terminal_file = options
            .terminal_file
            .clone()
            .unwrap_or_else(|| data.join("terminal.json"));
        if options.db.is_none()
            && Credential::load(&terminal_file)
                .map_err(|error| error.to_wire().message)?
                .is_some()
        {
            return Err(
                "this desk is a terminal of the property server: its operators are the \
                 server's (`frontdesk operators reset-pin` there)"
                    .to_owned(),
            );
        }
        let db = options
            .db
            .clone()
            .unwrap_or_else(|| data.join("frontdesk.db"));
        crate::recovery::reset_pin(&db, name)
    }

    pub fn open_in(options: &Options, data: &Path, notify: Notify) -> Result<Desk, String> {
        let terminal_file = options
            .terminal_file
            .clone()
            .unwrap_or_else(|| data.join("terminal.json"));
        if let Some(code) = &options.pair {
            let code: PairingCode = code.parse()?;
            // Before pairing: a terminal that cannot start must not leave a pairing behind.
            Terminal::one_encoder(options, &terminal_file)?;
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
        if credential.is_some() && options.restore_from.is_some() {
            return Err(
                "this desk is a terminal of the property server: restore the property's \
                        backup at the server (`frontdesk restore`)"
                    .to_owned(),
            );
        }
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

    /// The simulated encoders on this PC.
    fn simulators(&self) -> Vec<SimulatedEncoder> {
        match self {
            Desk::Standalone(desk) => desk
                .encoders
                .iter()
                .filter_map(|encoder| encoder.station.simulator().cloned())
                .collect(),
            Desk::Terminal(terminal) => terminal.simulator().into_iter().collect(),
        }
    }

    /// The encoder the operator of `token` encodes with: its place in
    /// [`AppInfo::encoders`].
    pub async fn chosen_encoder(&self, token: String) -> Result<u32, WireError> {
        match self {
            Desk::Standalone(desk) => {
                let operator = desk.operator_of(&token)?;
                Ok(encoder_number(desk.chosen_index(&operator)))
            }
            Desk::Terminal(_) => {
                self.call(Some(token), DeskCall::WhoAmI).await?;
                Ok(0)
            }
        }
    }

    /// Has the operator of `token` encode with the desk's encoder at `encoder` (its place in
    /// [`AppInfo::encoders`]) from now on.
    pub async fn choose_encoder(&self, token: String, encoder: u32) -> Result<u32, WireError> {
        let place = usize::try_from(encoder).unwrap_or(usize::MAX);
        match self {
            Desk::Standalone(desk) => {
                let operator = desk.operator_of(&token)?;
                desk.choose_encoder(&operator, place)
                    .map(encoder_number)
                    .map_err(|error| error.to_wire())
            }
            Desk::Terminal(_) => {
                self.call(Some(token), DeskCall::WhoAmI).await?;
                if place == 0 {
                    Ok(0)
                } else {
                    Err(no_such_encoder(place, 1).to_wire())
                }
            }
        }
    }

    /// The simulated encoder the operator of `token` encodes with, if it is one.
    async fn chosen_simulator(&self, token: &str) -> Result<Option<SimulatedEncoder>, WireError> {
        match self {
            Desk::Standalone(desk) => {
                let operator = desk.operator_of(token)?;
                Ok(desk.station_for(&operator).simulator().cloned())
            }
            Desk::Terminal(terminal) => {
                self.call(Some(token.to_owned()), DeskCall::WhoAmI).await?;
                Ok(terminal.simulator())
            }
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
                    let station = desk.station_for_token(token.as_deref());
                    let answering = Answering {
                        desk: &desk.desk,
                        sessions: &desk.sessions,
                        station: &station,
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

    /// The simulated encoders' cards and whose they are, for the door simulator.
    pub async fn simulator_cards(&self, token: &str) -> Result<Vec<SimulatedCardView>, WireError> {
        let cards: Vec<_> = self
            .simulators()
            .iter()
            .flat_map(SimulatedEncoder::cards)
            .collect();
        let holders = self
            .call(
                Some(token.to_owned()),
                DeskCall::CardHolders {
                    card_ids: cards.iter().map(|card| card.uid.to_hex()).collect(),
                },
            )
            .await?;
        let holders: Vec<Option<frontdesk::CardDescription>> =
            serde_json::from_value(holders).unwrap_or_default();
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

    /// Presents one of the simulated encoders' cards at a simulated door.
    pub async fn present_card(
        &self,
        token: String,
        entrance_id: uuid::Uuid,
        card_id: String,
        at: Option<DateTime<Utc>>,
    ) -> Result<Value, WireError> {
        let simulators = self.simulators();
        if simulators.is_empty() {
            return Err(Error::invalid(
                "card_id",
                "the door simulator works with the simulated encoder's cards only",
            )
            .to_wire());
        }
        let uid = encoder::CardUid::from_hex(&card_id).ok_or_else(|| {
            Error::invalid("card_id", "is not a card id (the card's UID in hex)").to_wire()
        })?;
        let card = simulators
            .iter()
            .find_map(|simulator| simulator.card(&uid))
            .ok_or_else(|| {
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

    /// Unplugs or plugs in the simulated encoder the operator encodes with (training);
    /// refused with a real one. Any signed-in operator may.
    pub async fn plug_simulated_encoder(
        &self,
        token: String,
        plugged: bool,
    ) -> Result<(), WireError> {
        let simulator = self.chosen_simulator(&token).await?.ok_or_else(|| {
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

    /// Checks the backup `file` and its password, then starts the app again to restore it
    /// (see [`crate::restore`]): the caller closes this one. The backup's property, for the
    /// window to say.
    pub async fn restore_backup(
        &self,
        file: String,
        password: String,
    ) -> Result<String, WireError> {
        match self {
            Desk::Standalone(desk) => {
                let desk = desk.clone();
                run_blocking(move || {
                    crate::restore::relaunch_to_restore(
                        &desk.db,
                        &desk.card_keys,
                        Path::new(file.trim()),
                        &password,
                    )
                })
                .await
            }
            Desk::Terminal(_) => Err(Error::Conflict {
                field: "from".into(),
                message: "this desk is a terminal of the property server: restore the \
                          property's backup at the server (`frontdesk restore`)"
                    .into(),
            }
            .to_wire()),
        }
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
                message: "this desk is a terminal of the property server: the local API, the \
                          PMS link and the backups run on the server (`frontdesk serve` and \
                          its tools)"
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
        let card_keys = frontdesk::setup::card_keys_path(&db, options.card_keys.as_deref());
        let restored = options
            .restore_from
            .as_deref()
            .map(|from| crate::restore::restore_at_start(&db, &card_keys, from));
        let simulated_file = options
            .simulated_encoder_file
            .clone()
            .unwrap_or_else(|| beside(&db, ".simulated-encoder.json"));
        let named = options.encoders(&simulated_file)?;
        let (main, others) = named.split_first().ok_or("the desk needs an encoder")?;
        let files = DeskFiles {
            db: db.clone(),
            property: options.property.clone(),
            when_no_property: WhenNoProperty::ImportDemo,
            encoder: main.choice.clone(),
            encoder_identity: main.identity.clone(),
            card_keys: Some(card_keys.clone()),
            simulated_encoder_file: Some(main.simulated_file.clone()),
        };
        let refused = |error: Error| {
            tracing::error!(code = %error.to_wire().error_type, "the desk did not open");
            error.to_wire().message_with_problems()
        };
        let opened = open_desk(&files, &context()).map_err(refused)?;
        let unresolved = |name: &str, count: usize| {
            if count > 0 {
                eprintln!(
                    "frontdesk-desktop: {count} card encode(s) cut short on {name} could not be \
                     checked with it; they will be before its next encode"
                );
            }
        };
        unresolved(&main.name, opened.resolution.unresolved.len());
        let main_station = Arc::new(opened.station);
        let mut encoders = vec![DeskEncoder {
            name: main.name.clone(),
            serial: hid_serial(&main.choice),
            station: main_station.clone(),
        }];
        for other in others {
            let source = encoder_source(&other.choice, &other.simulated_file).map_err(refused)?;
            let (station, resolution) = open_another_encoder(
                &opened.desk,
                &context(),
                source,
                main_station.keys().clone(),
                // Only the first encoder may be the desk's own.
                other.identity.as_deref().unwrap_or(&other.name),
            )
            .map_err(refused)?;
            unresolved(&other.name, resolution.unresolved.len());
            encoders.push(DeskEncoder {
                name: other.name.clone(),
                serial: hid_serial(&other.choice),
                station: Arc::new(station),
            });
        }
        if main.identity.is_some() {
            unsettled_elsewhere(&opened.desk);
        }
        missing_encoders(options, &named);
        let desk = Standalone {
            desk: Arc::new(opened.desk),
            encoders,
            chosen: Mutex::default(),
            sessions: LocalSessions::default(),
            api: Mutex::default(),
            pms_link: PmsLink::default(),
            db,
            card_keys,
            restored,
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
        desk.pms_link.resume(&desk.desk, desk.main_station());
        if let Err(error) = frontdesk::backup::keep_backing_up(
            &desk.desk,
            desk.db.clone(),
            desk.main_station().keys().clone(),
            "scheduled backup",
            Utc::now,
        ) {
            eprintln!("frontdesk-desktop: scheduled backups will not run: {error}");
        }
        Ok(desk)
    }

    /// The database file.
    pub fn db(&self) -> &Path {
        &self.db
    }

    /// The main encoder's station: the local API's and the PMS link's.
    pub fn main_station(&self) -> &Arc<CardStation> {
        &self.encoders[0].station
    }

    /// The desk's encoders, the main one first.
    pub fn encoders(&self) -> &[DeskEncoder] {
        &self.encoders
    }

    /// The place of the encoder `operator` encodes with.
    fn chosen_index(&self, operator: &Operator) -> usize {
        lock(&self.chosen)
            .get(&operator.id)
            .copied()
            .filter(|place| *place < self.encoders.len())
            .unwrap_or(0)
    }

    /// The operator signed in with `token`.
    fn operator_of(&self, token: &str) -> Result<Operator, WireError> {
        self.sessions
            .operator(&self.desk, token)
            .map_err(|error| error.to_wire())
    }

    /// The station of the encoder `operator` encodes with.
    pub fn station_for(&self, operator: &Operator) -> &Arc<CardStation> {
        &self.encoders[self.chosen_index(operator)].station
    }

    /// The station for a call made with `token`: its operator's choice, or the main encoder
    /// (a call without a session encodes nothing).
    fn station_for_token(&self, token: Option<&str>) -> Arc<CardStation> {
        token
            .and_then(|token| self.sessions.operator(&self.desk, token).ok())
            .map_or_else(
                || self.main_station().clone(),
                |operator| self.station_for(&operator).clone(),
            )
    }

    /// Has `operator` encode with the encoder at `place` from now on (any operator may:
    /// it is where they stand).
    pub fn choose_encoder(&self, operator: &Operator, place: usize) -> frontdesk::Result<usize> {
        if place >= self.encoders.len() {
            return Err(no_such_encoder(place, self.encoders.len()));
        }
        lock(&self.chosen).insert(operator.id, place);
        tracing::info!(operator = %operator.id, encoder = %self.encoders[place].name, "encoder chosen");
        Ok(place)
    }

    /// Tells `notify` each change of the database, whoever made it (this window, or the
    /// property-management system through the local API), and each change of an encoder.
    fn watch_changes(self: &Arc<Self>, notify: Notify) {
        for (place, encoder) in self.encoders.iter().enumerate() {
            let states = encoder.station.supervisor().subscribe();
            let told = notify.clone();
            let name = encoder.name.clone();
            let spawned = std::thread::Builder::new()
                .name("encoder-state-events".to_owned())
                .spawn(move || {
                    for state in states {
                        tracing::info!(?state, encoder = %name, "encoder");
                        told(DeskEvent::EncoderState(EncoderStateChange {
                            encoder: encoder_number(place),
                            state,
                        }));
                    }
                });
            if let Err(error) = spawned {
                eprintln!(
                    "frontdesk-desktop: {}'s state will not be shown live: {error}",
                    encoder.name
                );
            }
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
            locale: property.locale,
            encoders: self.encoders.iter().map(DeskEncoder::view).collect(),
            terminal: None,
            restored: self.restored.clone(),
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
            self.main_station().clone(),
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
        let encoder = Terminal::one_encoder(options, terminal_file)?;
        let source = encoder_source(&encoder.choice, &encoder.simulated_file)
            .map_err(|error| error.to_wire().message)?;
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
                locale: engine::property::DEFAULT_LOCALE.to_owned(),
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

    /// The one encoder a terminal lends its server.
    fn one_encoder(options: &Options, terminal_file: &Path) -> Result<NamedEncoder, String> {
        let simulated_file = options
            .simulated_encoder_file
            .clone()
            .unwrap_or_else(|| beside(terminal_file, ".simulated-encoder.json"));
        let mut named = options.encoders(&simulated_file)?;
        match (named.pop(), named.is_empty()) {
            (Some(encoder), true) => Ok(encoder),
            _ => Err(
                "a terminal lends one encoder to its property server: start it with one \
                      (one --hid-serial, or no --simulated-encoders). A computer with several \
                      encoders runs as a standalone desk: give it --db PATH."
                    .to_owned(),
            ),
        }
    }

    /// Keeps what the link tells, and tells the window.
    fn heard(&self, event: &LinkEvent, notify: &Notify) {
        let mut view = lock(&self.status);
        let told = match event {
            LinkEvent::Online {
                property_name,
                time_zone,
                locale,
                version,
                ..
            } => {
                view.property_name.clone_from(property_name);
                view.status.property_name.clone_from(property_name);
                view.time_zone.clone_from(time_zone);
                view.locale.clone_from(locale);
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
                        DeskEvent::EncoderState(EncoderStateChange {
                            encoder: 0,
                            state: EncoderState::Disconnected,
                        }),
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
                vec![DeskEvent::EncoderState(EncoderStateChange {
                    encoder: 0,
                    state: *state,
                })]
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
            locale: view.locale.clone(),
            encoders: vec![EncoderView {
                name: "Encoder 1".to_owned(),
                state: view.encoder_state,
                simulated: self.simulator().is_some(),
                serial: match &self.source {
                    Source::Hid { serial, .. } => serial.clone(),
                    Source::Simulated(_) | Source::Lent(_) => None,
                },
            }],
            terminal: Some(view.status.clone()),
            restored: None,
        }
    }

    /// The encoder on this PC when it is the simulated one.
    fn simulator(&self) -> Option<SimulatedEncoder> {
        match &self.source {
            Source::Simulated(simulator) => Some(simulator.clone()),
            Source::Hid { .. } | Source::Lent(_) => None,
        }
    }
}

/// Says so when encodes cut short on the desk's own encoder are left unsettled: this start
/// names its encoders by serial number, so none of them is that one.
fn unsettled_elsewhere(desk: &FrontDesk) {
    let pending = desk
        .store()
        .read(|r| r.pending_encode_operations(None))
        .map_or(0, |pending| pending.len());
    if pending > 0 {
        eprintln!(
            "frontdesk-desktop: {pending} card encode(s) were cut short on the encoder this desk \
             drove before its encoders were named by serial number; they stay unsettled until \
             the desk starts with that encoder alone again (without --hid-serial)"
        );
    }
}

/// Says which named USB encoders are not connected now, and which are.
fn missing_encoders(options: &Options, named: &[NamedEncoder]) {
    let connected = encoder::link::hid_serials(options.hid_vendor_id, options.hid_product_id);
    for encoder in named {
        if let EncoderChoice::Hid {
            serial: Some(serial),
            ..
        } = &encoder.choice
            && !connected
                .iter()
                .any(|found| found.eq_ignore_ascii_case(serial))
        {
            let found = if connected.is_empty() {
                "none is".to_owned()
            } else {
                format!("connected: {}", connected.join(", "))
            };
            eprintln!(
                "frontdesk-desktop: {} (serial number {serial}) is not connected ({found}); \
                 the desk shows it as \"No encoder\" until it is",
                encoder.name
            );
        }
    }
}

/// The serial number a HID encoder is named by.
fn hid_serial(choice: &EncoderChoice) -> Option<String> {
    match choice {
        EncoderChoice::Hid { serial, .. } => serial.clone(),
        EncoderChoice::Simulated => None,
    }
}

/// An encoder's place in [`AppInfo::encoders`], on the wire (a desk has at most a handful).
fn encoder_number(place: usize) -> u32 {
    u32::try_from(place).unwrap_or(u32::MAX)
}

fn no_such_encoder(place: usize, count: usize) -> Error {
    Error::invalid(
        "encoder",
        format!(
            "there is no encoder {} at this desk (it has {count})",
            place.saturating_add(1)
        ),
    )
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

    fn operator(&self, desk: &FrontDesk, token: &str) -> frontdesk::Result<Operator> {
        let signed_in = lock(&self.0).get(token).cloned().ok_or_else(|| {
            frontdesk::Error::Unauthorized("Your session has ended; sign in again.".to_owned())
        })?;
        // As the operator is now: a manager may have changed their role or disabled them.
        desk.session_operator(&signed_in)
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
