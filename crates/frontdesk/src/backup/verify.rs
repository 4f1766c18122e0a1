//! Checking a backup file: whole, of the property it should be, readable by this version,
//! and opening as a desk.

use std::path::Path;

use store::Store;
use store::backup::{BackupManifest, backup_manifest, file_integrity, schema_supported};
use uuid::Uuid;

use crate::{Error, FrontDesk, Result};

/// Reads the manifest of the backup `file` and checks the file: SQLite's integrity check, a
/// schema this version reads, and (when `property_id` is given) that it is that property's.
pub(crate) fn read_backup(file: &Path, property_id: Option<Uuid>) -> Result<BackupManifest> {
    let not_a_backup = || {
        Error::invalid(
            "from",
            format!("{} is not a front-desk backup", file.display()),
        )
    };
    let manifest = backup_manifest(file)
        .map_err(|_| not_a_backup())?
        .ok_or_else(not_a_backup)?;
    if !schema_supported(manifest.schema_version) {
        return Err(Error::Conflict {
            field: "from".to_owned(),
            message: format!(
                "This backup was made by a newer version of the front desk ({}, schema {}); \
                 this version reads up to schema {}. Install that version first.",
                manifest.made_by,
                manifest.schema_version,
                Store::schema_version()
            ),
        });
    }
    let problems = file_integrity(file).map_err(|_| not_a_backup())?;
    if problems != ["ok"] {
        return Err(Error::invalid(
            "from",
            format!(
                "{} is damaged ({}): use another backup",
                file.display(),
                problems.first().map_or("", String::as_str)
            ),
        ));
    }
    if let Some(expected) = property_id
        && manifest.property_id != expected
    {
        return Err(Error::Conflict {
            field: "from".to_owned(),
            message: format!(
                "{} is a backup of another property ({})",
                file.display(),
                manifest.property_name
            ),
        });
    }
    Ok(manifest)
}

/// [`read_backup`], then [`opens_as_desk`]; the file is left as one self-contained file.
pub(crate) fn verify_backup(file: &Path, property_id: Uuid) -> Result<BackupManifest> {
    let manifest = read_backup(file, Some(property_id))?;
    opens_as_desk(file, file, property_id)?;
    store::backup::leave_wal(file)?;
    Ok(manifest)
}

/// Opens the database `file` as a desk would (which may bring an older schema up to date)
/// and checks that it is `property_id`'s; refusals name `backup`, the file a person gave.
pub(crate) fn opens_as_desk(file: &Path, backup: &Path, property_id: Uuid) -> Result<()> {
    let desk = FrontDesk::new(Store::open(file)?);
    let opened = desk.property()?.map(|property| property.id);
    if opened != Some(property_id) {
        return Err(Error::invalid(
            "from",
            format!("{} does not open as the property's desk", backup.display()),
        ));
    }
    Ok(())
}
