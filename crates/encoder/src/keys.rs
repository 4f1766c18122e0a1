//! The property's card keys: master keys per purpose and per key epoch, and the per-card keys
//! derived from them and a card's UID (`docs/cards.md`, "The card image").
//!
//! A card is MAC'd under a key derived with HKDF-SHA256 from the master key of its purpose and
//! epoch, salted with the property id and diversified by the card's UID (cf. NXP AN10922). The
//! Unsaflok break was a card key derived from the UID alone; here the master key stays on the
//! front desk, so one card's key says nothing about another card's, or about staff cards.
//!
//! The keys live outside the database, in a JSON file only its owner may read
//! ([`KeyRing::load_or_create`], [`KeyRing::save`]). Nothing here prints key bytes: the
//! `Debug` impls redact them and no error message carries them.

use std::collections::BTreeMap;
use std::fmt;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use engine::lock::LockConfig;
use hkdf::Hkdf;
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use subtle::ConstantTimeEq;
use uuid::Uuid;

use crate::card::{FORMAT_VERSION, OLDEST_FORMAT_VERSION};
use crate::uid::CardUid;

/// What a key is for. Each purpose has its own master key, so a key for one purpose never
/// makes a card of another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyPurpose {
    /// Guest cards and cancel cards.
    Guest,
    /// Staff cards.
    Staff,
    /// Programming the locks themselves.
    Programming,
}

impl KeyPurpose {
    /// The byte that stands for the purpose in the key derivation's info.
    pub fn as_byte(self) -> u8 {
        match self {
            Self::Guest => 1,
            Self::Staff => 2,
            Self::Programming => 3,
        }
    }
}

/// The info prefix of the card key derivation; the purpose byte and the UID follow it.
const CARD_KEY_INFO: &[u8] = b"frontdesk card key v1";

/// The master keys of one key epoch, one per purpose.
#[derive(Clone)]
pub struct MasterKeys {
    pub guest: [u8; 32],
    pub staff: [u8; 32],
    pub programming: [u8; 32],
}

impl MasterKeys {
    /// Fresh keys from the operating system's random number generator.
    pub fn generate() -> Result<Self, KeyError> {
        let mut keys = Self {
            guest: [0; 32],
            staff: [0; 32],
            programming: [0; 32],
        };
        for key in [&mut keys.guest, &mut keys.staff, &mut keys.programming] {
            getrandom::fill(key).map_err(|error| KeyError::Random(error.to_string()))?;
        }
        Ok(keys)
    }

    pub fn key(&self, purpose: KeyPurpose) -> &[u8; 32] {
        match purpose {
            KeyPurpose::Guest => &self.guest,
            KeyPurpose::Staff => &self.staff,
            KeyPurpose::Programming => &self.programming,
        }
    }
}

impl fmt::Debug for MasterKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MasterKeys")
            .field("guest", &Redacted)
            .field("staff", &Redacted)
            .field("programming", &Redacted)
            .finish()
    }
}

/// Compares in constant time.
impl PartialEq for MasterKeys {
    fn eq(&self, other: &Self) -> bool {
        let mine = [self.guest, self.staff, self.programming].concat();
        let theirs = [other.guest, other.staff, other.programming].concat();
        mine.ct_eq(&theirs).into()
    }
}

impl Eq for MasterKeys {}

struct Redacted;

impl fmt::Debug for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// A property's master keys through its key epochs.
///
/// Cards are made under the current epoch. After [`KeyRing::rotate`] cards of earlier epochs
/// are retired: the locks refuse them ([`KeyRing::lock_config`] sets `min_key_epoch`), but the
/// ring keeps the old keys so that such a card can still be read, verified and told apart as
/// retired rather than forged.
#[derive(Clone, PartialEq, Eq)]
pub struct KeyRing {
    property_id: Uuid,
    current_epoch: u32,
    min_epoch: u32,
    epochs: BTreeMap<u32, MasterKeys>,
}

impl KeyRing {
    /// A new ring for `property_id` with random keys, at epoch 1.
    pub fn generate(property_id: Uuid) -> Result<Self, KeyError> {
        Ok(Self::new(property_id, MasterKeys::generate()?))
    }

    /// A ring at epoch 1 with the given keys (for tests and simulations that want fixed keys).
    pub fn new(property_id: Uuid, keys: MasterKeys) -> Self {
        Self {
            property_id,
            current_epoch: 1,
            min_epoch: 1,
            epochs: BTreeMap::from([(1, keys)]),
        }
    }

    pub fn property_id(&self) -> Uuid {
        self.property_id
    }

    /// The epoch new cards are made under.
    pub fn current_epoch(&self) -> u32 {
        self.current_epoch
    }

    /// The oldest epoch the locks still accept.
    pub fn min_epoch(&self) -> u32 {
        self.min_epoch
    }

    /// Every epoch the ring holds keys for, oldest first.
    pub fn epochs(&self) -> impl Iterator<Item = u32> + '_ {
        self.epochs.keys().copied()
    }

    pub fn is_retired(&self, epoch: u32) -> bool {
        epoch < self.min_epoch
    }

    /// Starts a new epoch with fresh keys and retires every earlier one. The old keys are kept
    /// (cards made under them can still be read). Returns the new epoch. Remember to
    /// [`save`](Self::save) the ring, and to reprogram the locks with [`lock_config`](Self::lock_config).
    pub fn rotate(&mut self) -> Result<u32, KeyError> {
        let epoch = self
            .current_epoch
            .checked_add(1)
            .ok_or(KeyError::EpochsExhausted)?;
        let keys = MasterKeys::generate()?;
        self.epochs.insert(epoch, keys);
        self.current_epoch = epoch;
        self.min_epoch = epoch;
        Ok(epoch)
    }

    /// The master keys of `epoch`, if the ring has them.
    pub fn master_keys(&self, epoch: u32) -> Option<&MasterKeys> {
        self.epochs.get(&epoch)
    }

    /// The key of one card: HKDF-SHA256 with the purpose's master key of `epoch` as input key
    /// material, the property id's bytes as salt, and
    /// `b"frontdesk card key v1" || purpose byte || UID bytes` as info.
    /// `None` when the ring has no keys for `epoch`.
    pub fn card_key(&self, epoch: u32, purpose: KeyPurpose, uid: &CardUid) -> Option<[u8; 32]> {
        let master = self.epochs.get(&epoch)?.key(purpose);
        let hkdf = Hkdf::<Sha256>::new(Some(self.property_id.as_bytes()), master);
        let mut info = Vec::with_capacity(CARD_KEY_INFO.len() + 1 + uid.as_bytes().len());
        info.extend_from_slice(CARD_KEY_INFO);
        info.push(purpose.as_byte());
        info.extend_from_slice(uid.as_bytes());
        let mut key = [0; 32];
        hkdf.expand(&info, &mut key).ok()?;
        Some(key)
    }

    /// How this property's locks are programmed: its property id, the card formats this
    /// crate reads, and cards of retired epochs refused.
    pub fn lock_config(&self) -> LockConfig {
        let mut config = LockConfig::new(self.property_id, FORMAT_VERSION);
        config.oldest_format_version = OLDEST_FORMAT_VERSION;
        config.min_key_epoch = self.min_epoch;
        config
    }

    /// Loads the ring of `property_id` from `path`, or creates one with fresh keys there if no
    /// file exists (readable by its owner only, written atomically; the parent directory is
    /// created). Refuses a file that group or others may read, a file of another property, and
    /// a damaged file. When two processes create the file at once, both end up with the keys
    /// that reached the disk first.
    pub fn load_or_create(path: &Path, property_id: Uuid) -> Result<Self, KeyError> {
        match fs::symlink_metadata(path) {
            Ok(_) => return Self::load(path, property_id),
            Err(error) if error.kind() == io::ErrorKind::NotFound => {}
            Err(error) => return Err(KeyError::io(path, "inspect", error)),
        }
        let ring = Self::generate(property_id)?;
        let temp = ring.write_temp(path)?;
        match fs::hard_link(&temp, path) {
            Ok(()) => {
                let _ = fs::remove_file(&temp);
                sync_parent(path)?;
                Ok(ring)
            }
            Err(error) if error.kind() == io::ErrorKind::AlreadyExists => {
                // Someone else created it meanwhile: theirs is the one.
                let _ = fs::remove_file(&temp);
                Self::load(path, property_id)
            }
            Err(_) => {
                // A file system without hard links: replace by rename instead.
                fs::rename(&temp, path).map_err(|error| {
                    let _ = fs::remove_file(&temp);
                    KeyError::io(path, "create", error)
                })?;
                sync_parent(path)?;
                Ok(ring)
            }
        }
    }

    /// Loads the ring of `property_id` from an existing file at `path`.
    pub fn load(path: &Path, property_id: Uuid) -> Result<Self, KeyError> {
        check_permissions(path)?;
        let text = fs::read_to_string(path).map_err(|error| KeyError::io(path, "read", error))?;
        let file: KeyFile = serde_json::from_str(&text).map_err(|error| KeyError::Corrupt {
            path: path.to_owned(),
            // serde_json's messages may quote the offending value, which could be a key.
            reason: format!(
                "not a key file (invalid JSON at line {}, column {})",
                error.line(),
                error.column()
            ),
        })?;
        let ring = file.into_ring(path)?;
        if ring.property_id != property_id {
            return Err(KeyError::WrongProperty {
                path: path.to_owned(),
                found: ring.property_id,
                expected: property_id,
            });
        }
        Ok(ring)
    }

    /// The ring as its key file holds it, for a backup to seal. Secret: never log or show it.
    pub fn to_json(&self) -> Result<String, KeyError> {
        serde_json::to_string(&KeyFile::from_ring(self)).map_err(|_| KeyError::Corrupt {
            path: PathBuf::from("(backup)"),
            reason: "could not serialize the key ring".into(),
        })
    }

    /// The ring of `property_id` from [`KeyRing::to_json`]'s text.
    pub fn from_json(text: &str, property_id: Uuid) -> Result<Self, KeyError> {
        let source = Path::new("(backup)");
        let file: KeyFile = serde_json::from_str(text).map_err(|_| KeyError::Corrupt {
            path: source.to_owned(),
            reason: "not a key file".to_owned(),
        })?;
        let ring = file.into_ring(source)?;
        if ring.property_id != property_id {
            return Err(KeyError::WrongProperty {
                path: source.to_owned(),
                found: ring.property_id,
                expected: property_id,
            });
        }
        Ok(ring)
    }

    /// Writes the ring to `path` atomically (a temporary file readable by its owner only,
    /// then renamed over the old one), for instance after [`rotate`](Self::rotate).
    pub fn save(&self, path: &Path) -> Result<(), KeyError> {
        let temp = self.write_temp(path)?;
        fs::rename(&temp, path).map_err(|error| {
            let _ = fs::remove_file(&temp);
            KeyError::io(path, "replace", error)
        })?;
        sync_parent(path)
    }

    /// Writes the ring to a new temporary file next to `path`, with mode 0600, synced.
    fn write_temp(&self, path: &Path) -> Result<PathBuf, KeyError> {
        let parent = parent_dir(path);
        create_private_dir(parent).map_err(|error| KeyError::io(parent, "create", error))?;
        let name = path
            .file_name()
            .ok_or_else(|| KeyError::io(path, "create", io::ErrorKind::InvalidInput.into()))?;
        let mut text = serde_json::to_string_pretty(&KeyFile::from_ring(self)).map_err(|_| {
            KeyError::Corrupt {
                path: path.to_owned(),
                reason: "could not serialize the key ring".into(),
            }
        })?;
        text.push('\n');
        let mut suffix = [0u8; 6];
        getrandom::fill(&mut suffix).map_err(|error| KeyError::Random(error.to_string()))?;
        let temp = parent.join(format!(
            ".{}.{}.{}.tmp",
            name.to_string_lossy(),
            std::process::id(),
            hex(&suffix)
        ));
        let result = (|| {
            let mut file = private_file_options().open(&temp)?;
            file.write_all(text.as_bytes())?;
            file.sync_all()
        })();
        match result {
            Ok(()) => Ok(temp),
            Err(error) => {
                let _ = fs::remove_file(&temp);
                Err(KeyError::io(path, "write", error))
            }
        }
    }
}

impl fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyRing")
            .field("property_id", &self.property_id)
            .field("current_epoch", &self.current_epoch)
            .field("min_epoch", &self.min_epoch)
            .field("epochs", &self.epochs.keys().collect::<Vec<_>>())
            .field("keys", &Redacted)
            .finish()
    }
}

/// Why the key file could not be used. No message carries key bytes.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("could not {action} key file {}: {source}", path.display())]
    Io {
        path: PathBuf,
        action: &'static str,
        #[source]
        source: io::Error,
    },
    #[error(
        "key file {} is open to group or others (mode {mode:o}); only its owner may read it: run `chmod 600 {}`",
        path.display(),
        path.display()
    )]
    InsecurePermissions { path: PathBuf, mode: u32 },
    #[error("key file {} belongs to property {found}, not {expected}", path.display())]
    WrongProperty {
        path: PathBuf,
        found: Uuid,
        expected: Uuid,
    },
    #[error("key file {} is damaged: {reason}", path.display())]
    Corrupt { path: PathBuf, reason: String },
    #[error("the system random number generator failed: {0}")]
    Random(String),
    #[error("no key epoch left to rotate to")]
    EpochsExhausted,
}

impl KeyError {
    fn io(path: &Path, action: &'static str, source: io::Error) -> Self {
        Self::Io {
            path: path.to_owned(),
            action,
            source,
        }
    }
}

/// The key file's JSON, keys in lower-case hex.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct KeyFile {
    format: u32,
    property_id: Uuid,
    current_epoch: u32,
    min_epoch: u32,
    epochs: BTreeMap<u32, KeyFileEpoch>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct KeyFileEpoch {
    guest: String,
    staff: String,
    programming: String,
}

const KEY_FILE_FORMAT: u32 = 1;

impl KeyFile {
    fn from_ring(ring: &KeyRing) -> Self {
        Self {
            format: KEY_FILE_FORMAT,
            property_id: ring.property_id,
            current_epoch: ring.current_epoch,
            min_epoch: ring.min_epoch,
            epochs: ring
                .epochs
                .iter()
                .map(|(epoch, keys)| {
                    let entry = KeyFileEpoch {
                        guest: hex(&keys.guest),
                        staff: hex(&keys.staff),
                        programming: hex(&keys.programming),
                    };
                    (*epoch, entry)
                })
                .collect(),
        }
    }

    fn into_ring(self, path: &Path) -> Result<KeyRing, KeyError> {
        let corrupt = |reason: String| KeyError::Corrupt {
            path: path.to_owned(),
            reason,
        };
        if self.format != KEY_FILE_FORMAT {
            return Err(corrupt(format!("unknown key file format {}", self.format)));
        }
        let mut epochs = BTreeMap::new();
        for (epoch, entry) in self.epochs {
            let key = |name: &str, text: &str| {
                unhex32(text).ok_or_else(|| {
                    corrupt(format!(
                        "the {name} key of epoch {epoch} is not 64 hex digits"
                    ))
                })
            };
            let keys = MasterKeys {
                guest: key("guest", &entry.guest)?,
                staff: key("staff", &entry.staff)?,
                programming: key("programming", &entry.programming)?,
            };
            epochs.insert(epoch, keys);
        }
        if !epochs.contains_key(&self.current_epoch) {
            return Err(corrupt(format!(
                "no keys for the current epoch {}",
                self.current_epoch
            )));
        }
        if self.min_epoch > self.current_epoch {
            return Err(corrupt(format!(
                "minimum epoch {} is after the current epoch {}",
                self.min_epoch, self.current_epoch
            )));
        }
        Ok(KeyRing {
            property_id: self.property_id,
            current_epoch: self.current_epoch,
            min_epoch: self.min_epoch,
            epochs,
        })
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

fn unhex32(text: &str) -> Option<[u8; 32]> {
    if text.len() != 64 || !text.is_ascii() {
        return None;
    }
    let mut key = [0; 32];
    for (index, byte) in key.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&text[2 * index..2 * index + 2], 16).ok()?;
    }
    Some(key)
}

fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    }
}

/// Makes the rename or link of a new key file survive a power loss.
fn sync_parent(path: &Path) -> Result<(), KeyError> {
    #[cfg(unix)]
    {
        let parent = parent_dir(path);
        fs::File::open(parent)
            .and_then(|dir| dir.sync_all())
            .map_err(|error| KeyError::io(parent, "sync the directory of", error))?;
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

#[cfg(unix)]
fn create_private_dir(dir: &Path) -> io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

#[cfg(not(unix))]
fn create_private_dir(dir: &Path) -> io::Result<()> {
    fs::create_dir_all(dir)
}

#[cfg(unix)]
fn private_file_options() -> fs::OpenOptions {
    use std::os::unix::fs::OpenOptionsExt;
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true).mode(0o600);
    options
}

#[cfg(not(unix))]
fn private_file_options() -> fs::OpenOptions {
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    options
}

/// Refuses a key file that anyone but its owner may read or write.
#[cfg(unix)]
fn check_permissions(path: &Path) -> Result<(), KeyError> {
    use std::os::unix::fs::PermissionsExt;
    let metadata = fs::metadata(path).map_err(|error| KeyError::io(path, "inspect", error))?;
    let mode = metadata.permissions().mode() & 0o7777;
    if mode & 0o077 != 0 {
        return Err(KeyError::InsecurePermissions {
            path: path.to_owned(),
            mode,
        });
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_permissions(_path: &Path) -> Result<(), KeyError> {
    Ok(())
}
