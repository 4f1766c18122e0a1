//! Restoring a backup over a desk's database while no desk or server runs on it: the
//! database it replaces is set aside, never deleted.

use std::fs;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use encoder::keys::KeyRing;
use serde::Serialize;
use store::Store;
use store::backup::{
    BackupManifest, checkpoint_file, has_operators, property_of_file, strip_backup_manifest,
};

use super::key::unseal;
use super::verify::read_backup;
use super::{put_in_place, sync_folder, working_file};
use crate::setup::{DatabaseInUse, beside};
use crate::{Error, FrontDesk, Result};

/// What a restore did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Restored {
    pub property_name: String,
    /// When the backup was made.
    pub made_at: DateTime<Utc>,
    /// Where the database it replaced was set aside, if there was one.
    pub set_aside: Option<PathBuf>,
    /// Whether the card keys were taken from the backup: not when the desk's own are as new.
    pub card_keys_restored: bool,
}

/// Restores the backup `from` as the database `db` (which need not exist: a new computer)
/// and its card keys as `card_keys`, opening them with the backup `password`. Refused while a
/// desk or server runs on `db`; for a backup of another property than `db`'s (unless no one
/// ever signed in there: a new desk's demo hotel), from a newer version, damaged, or with a
/// wrong password. Refused, it changes nothing.
pub fn restore_backup(
    db: &Path,
    card_keys: &Path,
    from: &Path,
    password: &str,
    now: DateTime<Utc>,
) -> Result<Restored> {
    let _in_use = DatabaseInUse::claim_alone(db)?;
    let working = working_file(db, "restoring");
    let restored = prepare(db, card_keys, from, password, &working)
        .and_then(|prepared| apply(db, card_keys, &working, prepared, now));
    let _ = fs::remove_file(&working);
    restored
}

/// What [`restore_backup`] would refuse, found without changing anything and while the desk
/// still runs: the backup's property and when it was made, if it would restore.
pub fn check_restore(
    db: &Path,
    card_keys: &Path,
    from: &Path,
    password: &str,
) -> Result<(String, DateTime<Utc>)> {
    let working = working_file(db, "checking-restore");
    let checked = prepare(db, card_keys, from, password, &working)
        .map(|prepared| (prepared.manifest.property_name, prepared.manifest.made_at));
    let _ = fs::remove_file(&working);
    checked
}

/// A backup checked and opened, in its working copy.
struct Prepared {
    manifest: BackupManifest,
    keys: KeyRing,
    /// Whether the backup's keys replace the desk's.
    take_keys: bool,
    /// Whether there is a database to set aside.
    replaces: bool,
}

fn prepare(
    db: &Path,
    card_keys: &Path,
    from: &Path,
    password: &str,
    working: &Path,
) -> Result<Prepared> {
    fs::copy(from, working)
        .map_err(|error| Error::files(format!("the backup {}", from.display()), error))?;
    let manifest = read_backup(working, None)?;
    let unreadable = |error| Error::files(format!("the database {}", db.display()), error);
    let current = if db.exists() {
        property_of_file(db).map_err(unreadable)?
    } else {
        None
    };
    if let Some((id, name)) = &current
        && *id != manifest.property_id
        && has_operators(db).map_err(unreadable)?
    {
        return Err(Error::Conflict {
            field: "from".to_owned(),
            message: format!(
                "This backup is of {}, but {} is the database of {name}: restore it onto that \
                 property's database.",
                manifest.property_name,
                db.display()
            ),
        });
    }
    let keys_json = unseal(password, &manifest.key_salt, &manifest.sealed_card_keys)?;
    let keys = KeyRing::from_json(&String::from_utf8_lossy(&keys_json), manifest.property_id)
        .map_err(|error| Error::files(format!("the card keys in {}", from.display()), error))?;
    // The desk's own keys stay if they are the property's and as new as the backup's (keys
    // are only ever added); another property's (a new desk's demo hotel) are set aside.
    let own_keys = match KeyRing::load(card_keys, manifest.property_id) {
        Ok(own) => Some(own),
        Err(encoder::keys::KeyError::WrongProperty { .. }) => None,
        Err(_) if !card_keys.exists() => None,
        Err(error) => {
            return Err(Error::files(
                format!("the card keys {}", card_keys.display()),
                format!("{error}; move the file away to take the backup's keys"),
            ));
        }
    };
    let take_keys = own_keys
        .as_ref()
        .is_none_or(|own| own.current_epoch() < keys.current_epoch());

    strip_backup_manifest(working)
        .map_err(|error| Error::files(format!("the backup {}", from.display()), error))?;
    // It opens as a desk (bringing an older schema up to date) before it replaces anything.
    let desk = FrontDesk::new(Store::open(working)?);
    let opened = desk.property()?.map(|property| property.id);
    drop(desk);
    if opened != Some(manifest.property_id) {
        return Err(Error::invalid(
            "from",
            format!("{} does not open as the property's desk", from.display()),
        ));
    }
    Ok(Prepared {
        manifest,
        keys,
        take_keys,
        replaces: current.is_some(),
    })
}

fn apply(
    db: &Path,
    card_keys: &Path,
    working: &Path,
    prepared: Prepared,
    now: DateTime<Utc>,
) -> Result<Restored> {
    fs::File::open(working)
        .and_then(|file| file.sync_all())
        .map_err(|error| Error::files(format!("the database {}", db.display()), error))?;
    let stamp = now.format("%Y%m%d-%H%M%S");
    // The keys first: should the database fail to move in, the desk still has keys that
    // open its cards (the backup's are the property's own, and as new as the desk's).
    if prepared.take_keys {
        if card_keys.exists() {
            let aside = beside(card_keys, &format!(".before-restore-{stamp}"));
            fs::rename(card_keys, &aside).map_err(|error| {
                Error::files(format!("the card keys {}", card_keys.display()), error)
            })?;
        }
        prepared.keys.save(card_keys).map_err(|error| {
            Error::files(format!("the card keys {}", card_keys.display()), error)
        })?;
    }
    let set_aside = if prepared.replaces {
        // Commits a crash left in the WAL go with the file set aside.
        checkpoint_file(db)
            .map_err(|error| Error::files(format!("the database {}", db.display()), error))?;
        let aside = beside(db, &format!(".before-restore-{stamp}"));
        fs::rename(db, &aside)
            .map_err(|error| Error::files(format!("the database {}", db.display()), error))?;
        for suffix in ["-wal", "-shm"] {
            let _ = fs::remove_file(beside(db, suffix));
        }
        Some(aside)
    } else {
        None
    };
    if let Err(error) = put_in_place(working, db) {
        if let Some(aside) = &set_aside {
            let _ = fs::rename(aside, db);
        }
        return Err(error);
    }
    sync_folder(db)?;
    Ok(Restored {
        property_name: prepared.manifest.property_name,
        made_at: prepared.manifest.made_at,
        set_aside,
        card_keys_restored: prepared.take_keys,
    })
}
