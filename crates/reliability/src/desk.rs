//! A desk opened from its files the way `frontdesk serve` and the desktop app open theirs:
//! the database, the card keys beside it, the simulated encoder's file, and pending encodes
//! resolved before anything else.

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use encoder::simulator::SimulatedEncoder;
use frontdesk::setup::{self, EncoderChoice, WhenNoProperty, open_desk};
use frontdesk::{CardStation, Context, FrontDesk, Operator, Resolution, Role};

/// Rooms 101, 102 and 203 and a two-door suite on Visionline; gym, pool and lobby; a
/// parking gate on an online system. Few rooms, so that stays collide.
pub const TEST_PROPERTY: &str = include_str!("../../../tests/fixtures/test-property.json");
const TEST_PROPERTY_FILE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/fixtures/test-property.json"
);

/// The rooms of [`TEST_PROPERTY`].
pub const ROOMS: [&str; 4] = ["room-101", "room-102", "room-203", "suite-300"];

/// The files of one desk, in one directory.
#[derive(Debug, Clone)]
pub struct DeskFiles {
    pub dir: PathBuf,
}

impl DeskFiles {
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    pub fn database(&self) -> PathBuf {
        self.dir.join("frontdesk.db")
    }

    pub fn keys(&self) -> PathBuf {
        self.dir.join("frontdesk.db.card-keys.json")
    }

    /// The simulated encoder of worker `name` (each process has its own encoder).
    pub fn encoder(&self, name: &str) -> PathBuf {
        self.dir.join(format!("encoder-{name}.json"))
    }

    pub fn journal(&self) -> PathBuf {
        self.dir.join("journal.jsonl")
    }
}

/// An opened desk.
#[derive(Debug)]
pub struct OpenDesk {
    pub desk: FrontDesk,
    pub station: CardStation,
    pub simulator: SimulatedEncoder,
    /// What resolving the pending encodes at start found.
    pub resolution: Resolution,
}

/// Opens the desk in `files` with the encoder `encoder_name` as the app opens its own
/// ([`frontdesk::setup::open_desk`]), importing the test property into a new database, and
/// resolves pending encodes.
pub fn open(files: &DeskFiles, encoder_name: &str, now: DateTime<Utc>) -> Result<OpenDesk, String> {
    // A worker killed while it imported the property leaves a database without one.
    let has_property = files.database().exists()
        && store::Store::open(&files.database())
            .ok()
            .and_then(|store| store.read(|r| r.property()).ok().flatten())
            .is_some();
    let property = (!has_property).then(|| TEST_PROPERTY_FILE.to_owned());
    let opened = open_desk(
        &setup::DeskFiles {
            db: files.database(),
            property,
            when_no_property: WhenNoProperty::Require,
            encoder: EncoderChoice::Simulated,
            encoder_identity: None,
            card_keys: Some(files.keys()),
            simulated_encoder_file: Some(files.encoder(encoder_name)),
        },
        &Context::new("reliability", now),
    )
    .map_err(wire_message)?;
    let simulator = opened
        .station
        .simulator()
        .cloned()
        .ok_or("the desk opened without its simulated encoder")?;
    Ok(OpenDesk {
        desk: opened.desk,
        station: opened.station,
        simulator,
        resolution: opened.resolution,
    })
}

/// A manager who signed in: the use cases check the role, not the row.
pub fn manager(name: &str) -> Operator {
    Operator {
        id: uuid::Uuid::new_v4(),
        name: name.to_owned(),
        role: Role::Manager,
        terminal: None,
    }
}

pub fn wire_message(error: frontdesk::Error) -> String {
    let wire = error.to_wire();
    format!("{}: {}", wire.error_type, wire.message)
}

/// The id of the space or entrance with `key`.
pub fn space_id(desk: &FrontDesk, key: &str) -> Result<uuid::Uuid, String> {
    desk.spaces()
        .map_err(wire_message)?
        .into_iter()
        .find(|space| space.key == key)
        .map(|space| space.id)
        .ok_or_else(|| format!("no space {key}"))
}
