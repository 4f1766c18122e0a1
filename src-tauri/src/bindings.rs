//! The types the UI receives, with their TypeScript twins in `ui/src/lib/bindings/`.
//!
//! Every type the commands and events expose derives [`TS`] and is listed in
//! [`export_bindings`]. The committed TypeScript files are checked against freshly generated
//! ones by a test (`cargo test -p frontdesk-desktop bindings`); after changing a type here,
//! regenerate them with
//!
//! ```text
//! UPDATE_BINDINGS=1 cargo test -p frontdesk-desktop bindings
//! ```

use std::path::Path;

use serde::Serialize;
use ts_rs::{Config, ExportError, TS};

/// The committed bindings, relative to this crate.
pub const BINDINGS_DIR: &str = "../ui/src/lib/bindings";

/// What the window shows in its header: the property and the encoders.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct AppInfo {
    pub property_name: String,
    /// The property's IANA time zone (`Europe/Lisbon`): dates and times are shown in it.
    pub time_zone: String,
    /// How the property writes dates (`en-GB`): the order of day, month and year in date
    /// fields.
    pub locale: String,
    /// The desk's encoders, the main one first; each operator chooses one where there are
    /// several (`chosen_encoder`), and [`EncoderStateChange`] names them by their place here.
    pub encoders: Vec<EncoderView>,
    /// The link to the property server, on a terminal; `null` on a standalone desk.
    pub terminal: Option<TerminalStatus>,
    /// What the backup restored at this start did (`--restore-from`); `null` without one.
    pub restored: Option<RestoreOutcome>,
}

/// What restoring a backup at start did, for the first screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct RestoreOutcome {
    /// The property restored (empty when it failed).
    pub property_name: String,
    /// When the backup was made.
    pub made_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Where the database it replaced was set aside.
    pub set_aside: Option<String>,
    /// Whether the card keys came from the backup (not when the desk's own already held them).
    pub card_keys_restored: bool,
    /// Why it was not restored, in words.
    pub error: Option<String>,
}

/// One of the desk's encoders, as the header shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct EncoderView {
    /// What the desk calls it ("Encoder 2", or the name the command line gave it).
    pub name: String,
    pub state: encoder::supervisor::EncoderState,
    /// True when cards go to a simulated encoder (training, demos, tests).
    pub simulated: bool,
    /// The USB serial number of a HID encoder the command line named by it.
    pub serial: Option<String>,
}

/// A change of one encoder's state: `encoder` is its place in [`AppInfo::encoders`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
pub struct EncoderStateChange {
    pub encoder: u32,
    pub state: encoder::supervisor::EncoderState,
}

pub use terminal::{EntranceView, Session};

/// A terminal's link to its property server, as the header shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct TerminalStatus {
    /// The property, once the server said it (empty until then).
    pub property_name: String,
    /// This terminal's name at the server ("Desk 2").
    pub terminal_name: String,
    /// The server's address.
    pub server: String,
    pub online: bool,
    /// Why the server cannot be reached or refused this terminal, in words.
    pub problem: Option<String>,
}

/// A card the simulated encoder holds, for the door simulator's card picker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct SimulatedCardView {
    pub card_id: String,
    /// False for a blank card.
    pub written: bool,
    /// Whose card the desk wrote it as, its rooms, dates and status; `None` for a card the
    /// desk has no record of.
    pub holder: Option<frontdesk::CardDescription>,
}

/// The local Seam-compatible API, which a manager switches on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ApiStatus {
    pub enabled: bool,
    pub address: Option<String>,
    /// The file holding the API key to give the property-management system.
    pub key_file: String,
}

/// Which side of the PMS's key link listens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum PmsLinkDirection {
    /// The desk connects to the PMS's interface, which listens (OPERA's IFC8 always does).
    Connect,
    /// The desk listens for the PMS, on this computer.
    Listen,
}

/// How a manager sets the PMS's key link up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, TS)]
pub struct PmsLinkSettings {
    pub enabled: bool,
    pub direction: PmsLinkDirection,
    /// `HOST:PORT` to connect to, or `127.0.0.1:PORT` to listen on.
    pub address: String,
    /// The PMS's character set: `latin1`, `utf-8`…
    pub encoding: String,
}

/// The PMS's key link as set up, and how it stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct PmsLinkView {
    pub enabled: bool,
    pub direction: PmsLinkDirection,
    pub address: String,
    pub encoding: String,
    /// The PMS's address while it is connected.
    pub peer: Option<String>,
    /// `connected`, `starting`, `alive` or `ended` while connected.
    pub state: Option<String>,
    /// The type of the last record from the PMS (`KR`), never its content.
    pub last_record: Option<String>,
    pub last_record_at: Option<chrono::DateTime<chrono::Utc>>,
    pub last_error: Option<String>,
}

/// Writes the TypeScript bindings of every exposed type (and what they use) into `dir`.
pub fn export_bindings(dir: &Path) -> Result<(), ExportError> {
    let config = Config::new().with_out_dir(dir);
    AppInfo::export_all(&config)?;
    EncoderStateChange::export_all(&config)?;
    frontdesk::backup::BackupStatus::export_all(&config)?;
    frontdesk::backup::BackupSchedule::export_all(&config)?;
    encoder::supervisor::EncoderState::export_all(&config)?;
    frontdesk::WireError::export_all(&config)?;
    Session::export_all(&config)?;
    EntranceView::export_all(&config)?;
    SimulatedCardView::export_all(&config)?;
    ApiStatus::export_all(&config)?;
    PmsLinkSettings::export_all(&config)?;
    PmsLinkView::export_all(&config)?;
    frontdesk::PmsLinkStatus::export_all(&config)?;
    TerminalStatus::export_all(&config)?;
    frontdesk::TerminalView::export_all(&config)?;
    frontdesk::Board::export_all(&config)?;
    frontdesk::Timeline::export_all(&config)?;
    frontdesk::FoundStay::export_all(&config)?;
    frontdesk::PastStay::export_all(&config)?;
    frontdesk::StayDetail::export_all(&config)?;
    frontdesk::CheckInOptions::export_all(&config)?;
    frontdesk::CheckIn::export_all(&config)?;
    frontdesk::GroupCheckIn::export_all(&config)?;
    frontdesk::SpareCardView::export_all(&config)?;
    frontdesk::SpareHandedOut::export_all(&config)?;
    frontdesk::PlannedChange::export_all(&config)?;
    frontdesk::Prediction::export_all(&config)?;
    frontdesk::AddGuest::export_all(&config)?;
    frontdesk::MoveResult::export_all(&config)?;
    frontdesk::CheckOutResult::export_all(&config)?;
    frontdesk::EncodeEvent::export_all(&config)?;
    frontdesk::EncodedCard::export_all(&config)?;
    frontdesk::CardReport::export_all(&config)?;
    frontdesk::LockDecision::export_all(&config)?;
    frontdesk::DoorPrivacy::export_all(&config)?;
    frontdesk::DoorLogEntry::export_all(&config)?;
    frontdesk::WarningView::export_all(&config)?;
    frontdesk::StaffAccess::export_all(&config)?;
    frontdesk::StaffDoorChoices::export_all(&config)?;
    frontdesk::StaffChange::export_all(&config)?;
    frontdesk::AuditQuery::export_all(&config)?;
    frontdesk::AuditView::export_all(&config)?;
    frontdesk::CardView::export_all(&config)?;
    frontdesk::Role::export_all(&config)?;
    frontdesk::OperatorView::export_all(&config)?;
    Ok(())
}
