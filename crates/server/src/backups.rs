//! The IT person's backups at the command line: the backup password, a backup made while the
//! server (or a desk) runs on the database, and a restore while none does.

use std::path::Path;

use chrono::Utc;
use encoder::keys::KeyRing;
use frontdesk::setup::card_keys_path;

use crate::tools::{context, open, read_secret, words};

pub fn set_password(db: &Path) -> Result<(), String> {
    let desk = open(db)?;
    let password = read_secret("New backup password", true)?;
    desk.set_backup_password(&context(), &password)
        .map_err(|error| words(&error))?;
    println!(
        "The backup password is set. Keep it apart from the backups: a restore needs it, and \
         nothing else opens their card keys."
    );
    Ok(())
}

pub fn backup(db: &Path, to: &Path, card_keys: Option<&Path>) -> Result<(), String> {
    let desk = open(db)?;
    let property = desk
        .property()
        .map_err(|error| words(&error))?
        .ok_or("the database holds no property yet: there is nothing to back up")?;
    let keys_path = card_keys_path(db, card_keys);
    let keys = KeyRing::load(&keys_path, property.id)
        .map_err(|error| format!("the card keys {}: {error}", keys_path.display()))?;
    let made = desk
        .make_backup(&context(), db, &keys, to)
        .map_err(|error| words(&error))?;
    println!(
        "Backed up {} to {} ({} bytes).",
        property.name,
        made.file.display(),
        made.bytes
    );
    Ok(())
}

pub fn restore(db: &Path, from: &Path, card_keys: Option<&Path>) -> Result<(), String> {
    if !from.exists() {
        return Err(format!("no backup at {}", from.display()));
    }
    let password = read_secret("Backup password", false)?;
    let restored = frontdesk::backup::restore_backup(
        db,
        &card_keys_path(db, card_keys),
        from,
        &password,
        Utc::now(),
    )
    .map_err(|error| words(&error))?;
    println!(
        "Restored {} as it was on {}.",
        restored.property_name,
        restored.made_at.format("%Y-%m-%d %H:%M UTC")
    );
    if let Some(aside) = &restored.set_aside {
        println!("The database it replaced is kept as {}.", aside.display());
    }
    if !restored.card_keys_restored {
        println!("The desk's own card keys were as new as the backup's and stay.");
    }
    Ok(())
}

pub fn set_schedule(
    db: &Path,
    folder: Option<String>,
    every_hours: u32,
    keep: u32,
) -> Result<(), String> {
    let desk = open(db)?;
    let schedule = folder.map(|folder| frontdesk::backup::BackupSchedule {
        folder,
        every_hours,
        keep,
    });
    desk.set_backup_schedule(&context(), schedule.as_ref())
        .map_err(|error| words(&error))?;
    match schedule {
        Some(schedule) => println!(
            "`frontdesk serve` backs up to {} every {} hour(s), keeping the last {}.",
            schedule.folder, schedule.every_hours, schedule.keep
        ),
        None => println!("No scheduled backups."),
    }
    Ok(())
}
