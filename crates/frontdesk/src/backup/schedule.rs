//! Backups on the schedule a manager sets: into a folder the IT person chose, every so many
//! hours and on demand, the last few kept; and what the last one did.

use std::fs;
use std::path::{Path, PathBuf};

use chrono::{DateTime, TimeDelta, Utc};
use encoder::keys::KeyRing;
use serde::{Deserialize, Serialize};

use super::BackupMade;
use crate::{Context, Error, FrontDesk, Operator, Permission, Result};

/// The setting that holds the schedule; none means off.
const SCHEDULE_SETTING: &str = "backup.schedule";
/// The setting that says what the last backup did.
const LAST_SETTING: &str = "backup.last";
/// What a backup's file name ends with.
pub const BACKUP_EXTENSION: &str = "fdbackup";
pub const MAX_EVERY_HOURS: u32 = 24 * 7;
pub const MAX_KEPT: u32 = 365;
/// A hidden half-made backup this old was left by a process that stopped: it is removed.
const STALE_PARTIAL: std::time::Duration = std::time::Duration::from_secs(3600);

/// When and where backups are made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct BackupSchedule {
    /// The folder backups go to (a full path on this computer: another disk, a share).
    pub folder: String,
    /// Hours between two backups, 1 to a week.
    pub every_hours: u32,
    /// How many backups are kept in the folder; older ones are removed.
    pub keep: u32,
}

/// What the last backup did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct LastBackup {
    pub at: DateTime<Utc>,
    /// The file made, when it was.
    pub file: Option<String>,
    /// Why it was not, in words.
    pub error: Option<String>,
}

/// One backup in the folder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct BackupFile {
    pub name: String,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub bytes: u64,
    pub modified_at: Option<DateTime<Utc>>,
}

/// Backups as a manager sees them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct BackupStatus {
    pub password_set: bool,
    pub schedule: Option<BackupSchedule>,
    pub last: Option<LastBackup>,
    /// The backups in the schedule's folder, newest first.
    pub backups: Vec<BackupFile>,
}

impl FrontDesk {
    /// Backups as they stand: the schedule, the last one, those in the folder.
    pub fn backup_status(&self, operator: &Operator) -> Result<BackupStatus> {
        operator.require(Permission::Manage)?;
        let schedule = self.backup_schedule()?;
        let backups = match &schedule {
            Some(schedule) => backups_in(Path::new(&schedule.folder), &self.backup_prefix()?),
            None => Vec::new(),
        };
        Ok(BackupStatus {
            password_set: self.has_backup_password()?,
            last: self.last_backup()?,
            schedule,
            backups,
        })
    }

    /// Sets the schedule (`None`: no scheduled backups). The folder must be a full path that
    /// exists or can be made, and that this desk can write to.
    pub fn set_backup_schedule(
        &self,
        context: &Context,
        schedule: Option<&BackupSchedule>,
    ) -> Result<()> {
        context.require(Permission::Manage)?;
        let Some(schedule) = schedule else {
            return self.set_setting(context, SCHEDULE_SETTING, "null");
        };
        if !(1..=MAX_EVERY_HOURS).contains(&schedule.every_hours) {
            return Err(Error::invalid(
                "every_hours",
                format!("Hours between two backups must be 1 to {MAX_EVERY_HOURS}"),
            ));
        }
        if !(1..=MAX_KEPT).contains(&schedule.keep) {
            return Err(Error::invalid(
                "keep",
                format!("The number of backups kept must be 1 to {MAX_KEPT}"),
            ));
        }
        check_folder(Path::new(schedule.folder.trim()))?;
        let schedule = BackupSchedule {
            folder: schedule.folder.trim().to_owned(),
            ..schedule.clone()
        };
        let value =
            serde_json::to_string(&schedule).map_err(|error| Error::Internal(error.to_string()))?;
        self.set_setting(context, SCHEDULE_SETTING, &value)
    }

    /// Makes a backup into the schedule's folder now, keeps the newest `keep`, and records
    /// what happened for the manager (a failure too).
    pub fn back_up_now(&self, context: &Context, db: &Path, keys: &KeyRing) -> Result<BackupMade> {
        context.require(Permission::Manage)?;
        let schedule = self.backup_schedule()?.ok_or_else(|| Error::Conflict {
            field: "folder".to_owned(),
            message: "Choose the folder backups go to first.".to_owned(),
        })?;
        let folder = PathBuf::from(&schedule.folder);
        let prefix = self.backup_prefix()?;
        let made = fs::create_dir_all(&folder)
            .map_err(|error| Error::files(format!("the backup folder {}", folder.display()), error))
            .and_then(|()| {
                let name = format!(
                    "{prefix}{}.{BACKUP_EXTENSION}",
                    context.now.format("%Y%m%d-%H%M%S")
                );
                self.make_backup(context, db, keys, &folder.join(name))
            });
        let last = match &made {
            Ok(made) => LastBackup {
                at: context.now,
                file: made
                    .file
                    .file_name()
                    .map(|name| name.to_string_lossy().into_owned()),
                error: None,
            },
            Err(error) => LastBackup {
                at: context.now,
                file: None,
                error: Some(error.to_wire().message),
            },
        };
        let value =
            serde_json::to_string(&last).map_err(|error| Error::Internal(error.to_string()))?;
        self.store
            .write(|w| Ok::<_, Error>(w.set_setting(LAST_SETTING, &value, context.now)?))?;
        let made = made?;
        prune(&folder, &prefix, schedule.keep as usize);
        Ok(made)
    }

    /// Makes the scheduled backup if one is due at `context.now` (the last one that worked
    /// is `every_hours` old, or there is none); a failed one is tried again an hour later.
    pub fn backup_if_due(
        &self,
        context: &Context,
        db: &Path,
        keys: &KeyRing,
    ) -> Result<Option<BackupMade>> {
        let Some(schedule) = self.backup_schedule()? else {
            return Ok(None);
        };
        if let Some(last) = self.last_backup()? {
            let wait = if last.error.is_some() {
                TimeDelta::hours(1)
            } else {
                TimeDelta::hours(i64::from(schedule.every_hours))
            };
            if context.now < last.at + wait {
                return Ok(None);
            }
        }
        self.back_up_now(context, db, keys).map(Some)
    }

    /// How this property's backups are named: `frontdesk-<its id's first 8 digits>-`, so that
    /// properties sharing a folder never take each other's for their own.
    fn backup_prefix(&self) -> Result<String> {
        let property = self.property()?.ok_or_else(|| Error::NotFound {
            resource: "property",
            id: "-".to_owned(),
        })?;
        let id = property.id.simple().to_string();
        Ok(format!("frontdesk-{}-", &id[..8]))
    }

    fn backup_schedule(&self) -> Result<Option<BackupSchedule>> {
        read_setting(self.setting(SCHEDULE_SETTING)?, SCHEDULE_SETTING)
    }

    fn last_backup(&self) -> Result<Option<LastBackup>> {
        read_setting(self.setting(LAST_SETTING)?, LAST_SETTING)
    }
}

fn read_setting<T: serde::de::DeserializeOwned>(
    value: Option<String>,
    key: &str,
) -> Result<Option<T>> {
    match value {
        None => Ok(None),
        Some(value) => serde_json::from_str::<Option<T>>(&value)
            .map_err(|_| Error::Internal(format!("the setting {key} is damaged"))),
    }
}

/// Refuses a folder backups cannot go to, naming the field.
fn check_folder(folder: &Path) -> Result<()> {
    if folder.as_os_str().is_empty() || !folder.is_absolute() {
        return Err(Error::invalid(
            "folder",
            "must be a full path (such as /mnt/backups or D:\\Backups)",
        ));
    }
    fs::create_dir_all(folder)
        .map_err(|error| Error::invalid("folder", format!("cannot be made here: {error}")))?;
    let probe = folder.join(format!(".frontdesk-write-check-{}", std::process::id()));
    fs::write(&probe, b"")
        .map_err(|error| Error::invalid("folder", format!("cannot be written to: {error}")))?;
    let _ = fs::remove_file(&probe);
    Ok(())
}

/// The backups of the property named with `prefix` in `folder`, newest first.
fn backups_in(folder: &Path, prefix: &str) -> Vec<BackupFile> {
    let Ok(entries) = fs::read_dir(folder) else {
        return Vec::new();
    };
    let mut backups: Vec<BackupFile> = entries
        .filter_map(std::result::Result::ok)
        .filter_map(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            let meta = entry.metadata().ok()?;
            (is_backup_name(&name, prefix) && meta.is_file()).then(|| BackupFile {
                name,
                bytes: meta.len(),
                modified_at: meta.modified().ok().map(DateTime::<Utc>::from),
            })
        })
        .collect();
    backups.sort_by(|a, b| b.name.cmp(&a.name));
    backups
}

/// This property's scheduled backups' names (`<prefix><time>.fdbackup`): only those are ever
/// removed.
fn is_backup_name(name: &str, prefix: &str) -> bool {
    name.starts_with(prefix) && name.ends_with(&format!(".{BACKUP_EXTENSION}"))
}

/// Removes the desk's backups beyond the newest `keep`, and half-made ones a stopped process
/// left (hidden, an hour old).
fn prune(folder: &Path, prefix: &str, keep: usize) {
    for old in backups_in(folder, prefix).into_iter().skip(keep) {
        let _ = fs::remove_file(folder.join(&old.name));
    }
    let Ok(entries) = fs::read_dir(folder) else {
        return;
    };
    for entry in entries.filter_map(std::result::Result::ok) {
        let name = entry.file_name().to_string_lossy().into_owned();
        let stale = entry
            .metadata()
            .and_then(|meta| meta.modified())
            .ok()
            .and_then(|modified| modified.elapsed().ok())
            .is_some_and(|age| age > STALE_PARTIAL);
        if name.starts_with('.') && name.contains(&format!(".{BACKUP_EXTENSION}.partial-")) && stale
        {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// How often the schedule is looked at.
const SCHEDULE_CHECK: std::time::Duration = std::time::Duration::from_secs(60);

/// Looks at the schedule every minute on a thread of its own, for as long as `desk` lives,
/// and makes each backup when it is due (as `actor`, at the time `now` tells). A failed one
/// is kept for the manager (`BackupStatus::last`) and logged.
pub fn keep_backing_up(
    desk: &std::sync::Arc<FrontDesk>,
    db: PathBuf,
    keys: KeyRing,
    actor: &'static str,
    now: impl Fn() -> DateTime<Utc> + Send + 'static,
) -> std::io::Result<()> {
    let desk = std::sync::Arc::downgrade(desk);
    std::thread::Builder::new()
        .name("scheduled-backups".to_owned())
        .spawn(move || {
            while let Some(desk) = desk.upgrade() {
                match desk.backup_if_due(&Context::new(actor, now()), &db, &keys) {
                    Ok(Some(made)) => tracing::info!(bytes = made.bytes, "scheduled backup made"),
                    Ok(None) => {}
                    Err(error) => {
                        tracing::error!(code = %error.to_wire().error_type, "scheduled backup failed");
                    }
                }
                drop(desk);
                std::thread::sleep(SCHEDULE_CHECK);
            }
        })
        .map(drop)
}
