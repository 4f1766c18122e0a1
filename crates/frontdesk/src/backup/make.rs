//! Making a backup: a consistent copy of the database with the card keys sealed inside,
//! checked before it gets its name, so that a file under a backup's name is always whole.

use std::fs;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use encoder::keys::KeyRing;
use serde::Serialize;
use store::backup::{BackupManifest, copy_for_backup};

use super::verify::verify_backup;
use super::{put_in_place, sync_file, sync_folder, working_file};
use crate::{Context, Error, FrontDesk, Permission, Result, audit_ok};

/// A backup made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BackupMade {
    pub file: PathBuf,
    /// Its size in bytes.
    pub bytes: u64,
    pub made_at: DateTime<Utc>,
}

impl FrontDesk {
    /// Backs this desk's database (the file `db`) and its card keys up into the new file
    /// `to`, safe while the desk works on. Refused without a backup password, and onto a file
    /// that exists. The file appears under its name only once complete and checked (its
    /// integrity, its property, and that it opens as a desk).
    pub fn make_backup(
        &self,
        context: &Context,
        db: &Path,
        keys: &KeyRing,
        to: &Path,
    ) -> Result<BackupMade> {
        context.require(Permission::Manage)?;
        let key = self.backup_key()?.ok_or_else(|| Error::Conflict {
            field: "password".to_owned(),
            message: "No backup password is set, and backups need one to keep the card keys \
                      safe: a manager sets it under Operators & settings (or `frontdesk \
                      backup-password` at the server)."
                .to_owned(),
        })?;
        let property = self.property()?.ok_or_else(|| Error::NotFound {
            resource: "property",
            id: "-".to_owned(),
        })?;
        if to.exists() {
            return Err(Error::Conflict {
                field: "to".to_owned(),
                message: format!(
                    "{} already exists: a backup never writes over a file",
                    to.display()
                ),
            });
        }
        let manifest = BackupManifest {
            property_id: property.id,
            property_name: property.name.clone(),
            schema_version: store::Store::schema_version(),
            made_at: context.now,
            made_by: format!("frontdesk {}", env!("CARGO_PKG_VERSION")),
            key_derivation: key.kdf.clone(),
            key_salt: key.salt.clone(),
            sealed_card_keys: key.seal(
                keys.to_json()
                    .map_err(|error| Error::files("the card keys".to_owned(), error))?
                    .as_bytes(),
            )?,
        };
        let partial = working_file(to, "partial");
        let made = (|| {
            copy_for_backup(db, &partial, &manifest)
                .map_err(|error| Error::files(format!("the backup {}", to.display()), error))?;
            verify_backup(&partial, property.id).map_err(|error| {
                Error::files(
                    format!("the backup {}", to.display()),
                    format!("it failed its check: {}", error.to_wire().message),
                )
            })?;
            sync_file(&partial)
                .map_err(|error| Error::files(format!("the backup {}", to.display()), error))?;
            put_in_place(&partial, to)?;
            sync_folder(to)
        })();
        let _ = fs::remove_file(&partial);
        made?;
        let bytes = fs::metadata(to).map(|meta| meta.len()).unwrap_or(0);
        let file_name = to.file_name().unwrap_or_default().to_string_lossy();
        let after = serde_json::json!({ "file": file_name, "bytes": bytes });
        self.change(context, "backup.make", None, &after, |w| {
            w.audit(
                &audit_ok(
                    context,
                    "backup.make",
                    &file_name,
                    None,
                    Some(after.clone()),
                ),
                context.now,
            )?;
            Ok(())
        })?;
        Ok(BackupMade {
            file: to.to_owned(),
            bytes,
            made_at: context.now,
        })
    }
}
