//! Restoring a backup over a desk's database while no desk or server runs on it: the
//! database it replaces is set aside, never deleted.

use std::fs;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use encoder::keys::KeyRing;
use serde::Serialize;
use store::backup::{
    BackupManifest, checkpoint_file, has_operators, property_of_file, strip_backup_manifest,
};

use super::key::unseal;
use super::verify::{opens_as_desk, read_backup};
use super::{keep_aside, sync_file, sync_folder, working_file};
use crate::setup::{DatabaseInUse, beside};
use crate::{Error, Result};

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
        .and_then(|_| writable(working))
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
    let keys_json = unseal(
        password,
        &manifest.key_derivation,
        &manifest.key_salt,
        &manifest.sealed_card_keys,
    )?;
    let keys = KeyRing::from_json(&String::from_utf8_lossy(&keys_json), manifest.property_id)
        .map_err(|error| Error::files(format!("the card keys in {}", from.display()), error))?;
    // The desk's own keys stay only if they are the backup's, or newer ones of the same ring
    // (keys are only ever added); keys made afresh when the file was lost, or another
    // property's (a new desk's demo hotel), give way to the backup's.
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
    let take_keys = own_keys.as_ref().is_none_or(|own| !holds(own, &keys));

    strip_backup_manifest(working)
        .map_err(|error| Error::files(format!("the backup {}", from.display()), error))?;
    // It opens as a desk before it replaces anything.
    opens_as_desk(working, from, manifest.property_id)?;
    Ok(Prepared {
        manifest,
        keys,
        take_keys,
        replaces: db.exists(),
    })
}

fn apply(
    db: &Path,
    card_keys: &Path,
    working: &Path,
    prepared: Prepared,
    now: DateTime<Utc>,
) -> Result<Restored> {
    let stamp = now.format("%Y%m%d-%H%M%S");
    let failed = |what: &Path| {
        let what = what.display().to_string();
        move |error: std::io::Error| Error::files(format!("the file {what}"), error)
    };
    sync_file(working).map_err(failed(db))?;
    let set_aside = if prepared.replaces {
        // Commits a crash left in the WAL go into the file kept aside, and no stale WAL is
        // left for the restored database to take as its own.
        checkpoint_file(db)
            .map_err(|error| Error::files(format!("the database {}", db.display()), error))?;
        for suffix in ["-wal", "-shm"] {
            let _ = fs::remove_file(beside(db, suffix));
        }
        let aside = beside(db, &format!(".before-restore-{stamp}"));
        keep_aside(db, &aside)?;
        Some(aside)
    } else {
        None
    };
    // The keys, then the database, each replaced in one rename: a failure in between puts
    // the keys back, so a refused restore leaves the desk as it was.
    let mut old_keys = None;
    if prepared.take_keys {
        let new_keys = working_file(card_keys, "restoring");
        prepared.keys.save(&new_keys).map_err(|error| {
            Error::files(format!("the card keys {}", card_keys.display()), error)
        })?;
        if card_keys.exists() {
            let aside = beside(card_keys, &format!(".before-restore-{stamp}"));
            if let Err(error) = keep_aside(card_keys, &aside) {
                let _ = fs::remove_file(&new_keys);
                return Err(error);
            }
            old_keys = Some(aside);
        }
        if let Err(error) = fs::rename(&new_keys, card_keys) {
            let _ = fs::remove_file(&new_keys);
            return Err(failed(card_keys)(error));
        }
    }
    if let Err(error) = fs::rename(working, db) {
        if let Some(old_keys) = &old_keys {
            let _ = fs::copy(old_keys, card_keys);
        }
        return Err(failed(db)(error));
    }
    sync_folder(db)?;
    Ok(Restored {
        property_name: prepared.manifest.property_name,
        made_at: prepared.manifest.made_at,
        set_aside,
        card_keys_restored: prepared.take_keys,
    })
}

/// Whether the desk's own keys `own` already hold every key of the backup's `keys`, the
/// same for each epoch (and perhaps newer ones).
fn holds(own: &KeyRing, keys: &KeyRing) -> bool {
    keys.epochs().all(|epoch| {
        own.master_keys(epoch).is_some() && own.master_keys(epoch) == keys.master_keys(epoch)
    }) && own.current_epoch() >= keys.current_epoch()
}

/// Makes the working copy of a backup writable by this user only (a backup kept read-only
/// copies as read-only, and SQLite could not take its manifest out).
fn writable(file: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        fs::set_permissions(file, fs::Permissions::from_mode(0o600))
    }
    #[cfg(not(unix))]
    {
        let mut permissions = fs::metadata(file)?.permissions();
        #[allow(clippy::permissions_set_readonly_false, reason = "no world on Windows")]
        permissions.set_readonly(false);
        fs::set_permissions(file, permissions)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The restore's own test of a read-only backup passes for root whatever the working
    /// copy's mode (root writes read-only files); this one looks at the mode itself.
    #[test]
    fn a_read_only_backup_s_working_copy_is_made_writable() {
        let folder = tempfile::tempdir().unwrap_or_else(|error| panic!("{error}"));
        let file = folder.path().join("copy");
        fs::write(&file, b"backup").unwrap_or_else(|error| panic!("{error}"));
        let mut permissions = fs::metadata(&file)
            .unwrap_or_else(|error| panic!("{error}"))
            .permissions();
        permissions.set_readonly(true);
        fs::set_permissions(&file, permissions).unwrap_or_else(|error| panic!("{error}"));

        writable(&file).unwrap_or_else(|error| panic!("{error}"));
        let permissions = fs::metadata(&file)
            .unwrap_or_else(|error| panic!("{error}"))
            .permissions();
        assert!(!permissions.readonly());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            assert_eq!(permissions.mode() & 0o777, 0o600, "this user's only");
        }
    }
}
