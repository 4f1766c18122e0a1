//! Opening a desk from its files: the database, the property to import, the card keys and
//! the encoder. `frontdesk serve` and the desktop app both start this way; they differ only
//! in their defaults.

use std::path::{Path, PathBuf};

use encoder::keys::KeyRing;
use encoder::simulator::SimulatedEncoder;
use encoder::supervisor::Source;
use store::Store;

use crate::{CardStation, Context, Error, FrontDesk, PropertyRecord, Resolution, Result};

/// The encoder a desk drives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EncoderChoice {
    /// The simulated encoder (training, demos, tests), its cards kept in a file.
    Simulated,
    /// A USB HID encoder with these ids and, where a computer has several, this USB serial
    /// number.
    Hid {
        vendor_id: u16,
        product_id: u16,
        serial: Option<String>,
    },
}

/// What to do with the property when the command line names none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WhenNoProperty {
    /// Use the database's; refuse to start with a database that has none.
    Require,
    /// Use the database's, or import the demo hotel into a database that has none.
    ImportDemo,
}

/// Where a desk's files are and which encoder it drives.
#[derive(Debug, Clone)]
pub struct DeskFiles {
    /// The database; created (with its folder) on first use.
    pub db: PathBuf,
    /// A property file to import (or re-import, updating in place), or `demo`.
    pub property: Option<String>,
    pub when_no_property: WhenNoProperty,
    pub encoder: EncoderChoice,
    /// What tells the encoder apart in the encode journal where it is one of several named
    /// ones (see [`open_another_encoder`]); `None` journals it as the desk's own.
    pub encoder_identity: Option<String>,
    /// Default: `<db>.card-keys.json`.
    pub card_keys: Option<PathBuf>,
    /// Default: `<db>.simulated-encoder.json`.
    pub simulated_encoder_file: Option<PathBuf>,
}

/// A desk ready to work.
#[derive(Debug)]
pub struct OpenedDesk {
    pub desk: FrontDesk,
    pub station: CardStation,
    pub property: PropertyRecord,
    /// What became of the encodes a previous run left pending; those the encoder could not
    /// be asked about (`unresolved`) are settled before the next encode.
    pub resolution: Resolution,
}

/// Opens the database, imports the property if asked to, sets up the card station and
/// settles the encodes a previous run left pending.
pub fn open_desk(files: &DeskFiles, context: &Context) -> Result<OpenedDesk> {
    if let Some(folder) = files
        .db
        .parent()
        .filter(|folder| !folder.as_os_str().is_empty())
    {
        std::fs::create_dir_all(folder).map_err(|error| {
            Error::files(format!("the data folder {}", folder.display()), error)
        })?;
    }
    let in_use = DatabaseInUse::claim(&files.db)?;
    let store = Store::open(&files.db).map_err(|error| {
        let what = format!("the database {}", files.db.display());
        match write_problem(&files.db) {
            Some(problem) => Error::files(
                what,
                format!(
                    "{error}; its folder cannot be written ({problem}): the disk is read-only \
                     or this user may not write there"
                ),
            ),
            None => Error::files(what, error),
        }
    })?;
    let desk = FrontDesk::new(store).in_use(in_use);
    let property = load_property(&desk, files, context)?;
    let station = card_station(files, &property)?;
    let resolution = desk.resolve_pending_encodes(context, &station)?;
    desk.expire_unfinished_action_attempts(context.now)?;
    Ok(OpenedDesk {
        desk,
        station,
        property,
        resolution,
    })
}

/// A claim on a database file, kept in `<db>.in-use`: every desk and server holds it shared
/// while it works on the database, and a restore holds it alone, so that neither replaces
/// the database under the other. The operating system lets it go with the process.
#[derive(Debug)]
pub struct DatabaseInUse {
    _lock: std::fs::File,
}

impl DatabaseInUse {
    /// The claim of a desk or server; refused while a restore runs.
    pub fn claim(db: &Path) -> Result<Self> {
        let file = Self::open(db)?;
        match file.try_lock_shared() {
            Ok(()) => Ok(Self { _lock: file }),
            Err(std::fs::TryLockError::WouldBlock) => Err(Error::Conflict {
                field: "db".to_owned(),
                message: format!(
                    "A backup is being restored onto {}: start again once it is done.",
                    db.display()
                ),
            }),
            Err(std::fs::TryLockError::Error(error)) => Err(Error::files(
                format!("the lock file {}", beside(db, IN_USE).display()),
                error,
            )),
        }
    }

    /// The claim of a restore; refused while a desk or server runs on the database.
    pub fn claim_alone(db: &Path) -> Result<Self> {
        let file = Self::open(db)?;
        match file.try_lock() {
            Ok(()) => Ok(Self { _lock: file }),
            Err(std::fs::TryLockError::WouldBlock) => Err(Error::Conflict {
                field: "db".to_owned(),
                message: format!(
                    "A desk or the server is running on {}: close it (or stop the service), \
                     then restore.",
                    db.display()
                ),
            }),
            Err(std::fs::TryLockError::Error(error)) => Err(Error::files(
                format!("the lock file {}", beside(db, IN_USE).display()),
                error,
            )),
        }
    }

    fn open(db: &Path) -> Result<std::fs::File> {
        let path = beside(db, IN_USE);
        std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|error| {
                Error::files(
                    format!("the lock file {}", path.display()),
                    format!(
                        "{error}: the disk is read-only, or this user may not write to the \
                         database's folder"
                    ),
                )
            })
    }
}

const IN_USE: &str = ".in-use";

/// Why the database's folder cannot be written, if it cannot: SQLite needs to create its
/// journal files beside the database, and says only "unable to open database file".
fn write_problem(db: &Path) -> Option<std::io::Error> {
    let folder = db
        .parent()
        .filter(|folder| !folder.as_os_str().is_empty())?;
    let probe = folder.join(format!(".frontdesk-write-check-{}", std::process::id()));
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&probe)
    {
        Ok(_) => {
            let _ = std::fs::remove_file(&probe);
            None
        }
        Err(error) => Some(error),
    }
}

/// `<db><suffix>`, beside the database file.
pub fn beside(db: &Path, suffix: &str) -> PathBuf {
    let mut name = db.file_name().unwrap_or_default().to_os_string();
    name.push(suffix);
    db.with_file_name(name)
}

/// A USB id in hex (`0x1209` or `1209`), as command lines take them.
pub fn parse_usb_id(text: &str) -> std::result::Result<u16, String> {
    let digits = text.trim_start_matches("0x").trim_start_matches("0X");
    u16::from_str_radix(digits, 16).map_err(|_| format!("{text:?} is not a 16-bit hex id"))
}

fn load_property(desk: &FrontDesk, files: &DeskFiles, context: &Context) -> Result<PropertyRecord> {
    let json = match files.property.as_deref() {
        Some("demo") => engine::property::DEMO_PROPERTY_JSON.to_owned(),
        Some(path) => std::fs::read_to_string(path)
            .map_err(|error| Error::files(format!("the property file {path}"), error))?,
        None => match (desk.property()?, files.when_no_property) {
            (Some(property), _) => return Ok(property),
            (None, WhenNoProperty::ImportDemo) => engine::property::DEMO_PROPERTY_JSON.to_owned(),
            (None, WhenNoProperty::Require) => {
                return Err(Error::files(
                    format!("the property of {}", files.db.display()),
                    "the database holds no property yet: pass --property FILE or --property demo",
                ));
            }
        },
    };
    desk.import_property(context, &json)
}

/// The card keys of the database `db`: `given`, or `<db>.card-keys.json` beside it.
pub fn card_keys_path(db: &Path, given: Option<&Path>) -> PathBuf {
    given.map_or_else(|| beside(db, ".card-keys.json"), Path::to_owned)
}

fn card_station(files: &DeskFiles, property: &PropertyRecord) -> Result<CardStation> {
    let keys_path = card_keys_path(&files.db, files.card_keys.as_deref());
    let keys = KeyRing::load_or_create(&keys_path, property.id)
        .map_err(|error| Error::files(format!("the card keys {}", keys_path.display()), error))?;
    let simulated_file = files
        .simulated_encoder_file
        .clone()
        .unwrap_or_else(|| beside(&files.db, ".simulated-encoder.json"));
    let source = encoder_source(&files.encoder, &simulated_file)?;
    Ok(match &files.encoder_identity {
        Some(identity) => CardStation::journalled_as(source, keys, journal_id(identity)),
        None => CardStation::new(source, keys),
    })
}

/// The encode journal's id for the encoder `identity` names.
fn journal_id(identity: &str) -> uuid::Uuid {
    uuid::Uuid::new_v5(&ANOTHER_ENCODER_NAMESPACE, identity.as_bytes())
}

/// Where `choice` is: a simulated encoder keeps its cards in `simulated_file`.
pub fn encoder_source(choice: &EncoderChoice, simulated_file: &Path) -> Result<Source> {
    Ok(match choice {
        EncoderChoice::Hid {
            vendor_id,
            product_id,
            serial,
        } => Source::Hid {
            vendor_id: *vendor_id,
            product_id: *product_id,
            serial: serial.clone(),
        },
        EncoderChoice::Simulated => {
            let simulator = SimulatedEncoder::open(simulated_file).map_err(|error| {
                Error::files(
                    format!("the simulated encoder's file {}", simulated_file.display()),
                    error,
                )
            })?;
            Source::Simulated(simulator)
        }
    })
}

/// Another encoder at the desk [`open_desk`] opened (a second one at the counter, one in the
/// back office), with the desk's card keys. Its encodes are journalled under an id made from
/// `identity` (what the encoder is: its serial number, the simulated encoder's number), so
/// that those left unfinished are asked of it and of no other encoder; they are settled here.
pub fn open_another_encoder(
    desk: &FrontDesk,
    context: &Context,
    source: Source,
    keys: KeyRing,
    identity: &str,
) -> Result<(CardStation, Resolution)> {
    let station = CardStation::journalled_as(source, keys, journal_id(identity));
    let resolution = desk.resolve_pending_encodes(context, &station)?;
    Ok((station, resolution))
}

/// The namespace of the journal ids of a desk's other encoders (a random v4, fixed forever:
/// the same encoder must get the same id at every start).
const ANOTHER_ENCODER_NAMESPACE: uuid::Uuid =
    uuid::Uuid::from_u128(0x6f1c_2b0e_8d47_4c1a_9e35_7a02_d4b8_61f3);
