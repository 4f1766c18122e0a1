//! Backups of a desk's database and card keys, and restores onto this computer or another.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use chrono::Utc;
use encoder::keys::KeyRing;
use frontdesk::backup::restore_backup;
use frontdesk::setup::{DeskFiles, EncoderChoice, OpenedDesk, WhenNoProperty, open_desk};
use frontdesk::{Context, Operator, Role};

const PASSWORD: &str = "harbour lights at dusk";

/// The files of a desk in `folder`, on the demo hotel (or `property`).
fn files(folder: &Path, property: Option<&str>) -> DeskFiles {
    DeskFiles {
        db: folder.join("desk.db"),
        property: property.map(str::to_owned),
        when_no_property: WhenNoProperty::ImportDemo,
        encoder: EncoderChoice::Simulated,
        encoder_identity: None,
        card_keys: None,
        simulated_encoder_file: None,
    }
}

/// A desk on the demo hotel (or `property`) in `folder`, with its first manager.
fn desk(folder: &Path, property: Option<&str>) -> (OpenedDesk, Operator) {
    let opened = open_desk(
        &files(folder, property),
        &Context::new("backup test", Utc::now()),
    )
    .unwrap();
    let manager = opened
        .desk
        .create_first_manager(&Context::new("backup test", Utc::now()), "Marta", "2468")
        .unwrap();
    (opened, manager)
}

fn keys_of(folder: &Path, opened: &OpenedDesk) -> KeyRing {
    KeyRing::load(&folder.join("desk.db.card-keys.json"), opened.property.id).unwrap()
}

/// A backup of the desk in `folder`, with the backup password set.
fn backed_up(folder: &Path, opened: &OpenedDesk, manager: &Operator) -> PathBuf {
    let context = manager.context(Utc::now());
    opened.desk.set_backup_password(&context, PASSWORD).unwrap();
    let to = folder.join("nightly.fdbackup");
    let made = opened
        .desk
        .make_backup(
            &context,
            &folder.join("desk.db"),
            &keys_of(folder, opened),
            &to,
        )
        .unwrap();
    assert_eq!(made.file, to);
    assert!(made.bytes > 0);
    to
}

/// Every row of every table of the database `db`, as text.
fn contents(db: &Path) -> String {
    let connection = rusqlite::Connection::open(db).unwrap();
    let tables: Vec<String> = connection
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
        .unwrap()
        .query_map([], |row| row.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let mut text = String::new();
    for table in tables {
        let mut statement = connection
            .prepare(&format!("SELECT * FROM \"{table}\" ORDER BY 1"))
            .unwrap();
        let columns = statement.column_count();
        let mut rows = statement.query([]).unwrap();
        while let Some(row) = rows.next().unwrap() {
            let values: Vec<String> = (0..columns)
                .map(|column| format!("{:?}", row.get_ref(column).unwrap()))
                .collect();
            text.push_str(&format!("{table}: {}\n", values.join(", ")));
        }
    }
    text
}

fn operator_names(db: &Path) -> Vec<String> {
    let desk = frontdesk::FrontDesk::new(store::Store::open(db).unwrap());
    let manager = desk
        .sign_in(&Context::new("backup test", Utc::now()), "Marta", "2468")
        .unwrap();
    desk.operators(&manager)
        .unwrap()
        .into_iter()
        .map(|operator| operator.name)
        .collect()
}

#[test]
fn a_backup_restores_onto_a_new_computer_with_its_card_keys() {
    let folder = tempfile::tempdir().unwrap();
    let (opened, manager) = desk(folder.path(), None);
    let backup = backed_up(folder.path(), &opened, &manager);
    // No leftovers beside it: the file was made under a hidden name and renamed.
    let names: Vec<_> = std::fs::read_dir(folder.path())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.contains("fdbackup"))
        .collect();
    assert_eq!(names, ["nightly.fdbackup"]);

    let computer = tempfile::tempdir().unwrap();
    let db = computer.path().join("frontdesk.db");
    let card_keys = computer.path().join("frontdesk.db.card-keys.json");
    let restored = restore_backup(&db, &card_keys, &backup, PASSWORD, Utc::now()).unwrap();
    assert_eq!(restored.property_name, "Harbor View Hotel");
    assert_eq!(restored.set_aside, None);
    assert!(restored.card_keys_restored);
    assert_eq!(
        KeyRing::load(&card_keys, opened.property.id)
            .unwrap()
            .to_json()
            .unwrap(),
        keys_of(folder.path(), &opened).to_json().unwrap()
    );
    assert_eq!(operator_names(&db), ["Marta"]);
    assert_eq!(store::backup::file_integrity(&db).unwrap(), ["ok"]);
}

#[test]
fn a_restore_over_the_desk_sets_the_database_it_replaces_aside() {
    let folder = tempfile::tempdir().unwrap();
    let (opened, manager) = desk(folder.path(), None);
    let backup = backed_up(folder.path(), &opened, &manager);
    opened
        .desk
        .create_operator(
            &manager,
            Utc::now(),
            "Late Ledger",
            "735910",
            Role::Receptionist,
        )
        .unwrap();
    let db = folder.path().join("desk.db");
    let card_keys = folder.path().join("desk.db.card-keys.json");

    // Refused while the desk runs on the database.
    let error = restore_backup(&db, &card_keys, &backup, PASSWORD, Utc::now()).unwrap_err();
    assert_eq!(error.to_wire().field.as_deref(), Some("db"));
    drop(opened);

    let restored = restore_backup(&db, &card_keys, &backup, PASSWORD, Utc::now()).unwrap();
    // The desk's keys are the backup's own: they stay.
    assert!(!restored.card_keys_restored);
    assert_eq!(operator_names(&db), ["Marta"]);
    let aside = restored.set_aside.unwrap();
    let mut kept = operator_names(&aside);
    kept.sort();
    assert_eq!(kept, ["Late Ledger", "Marta"], "nothing is lost");
}

#[test]
fn a_refused_restore_names_why_and_changes_nothing() {
    let folder = tempfile::tempdir().unwrap();
    let (opened, manager) = desk(folder.path(), None);
    let backup = backed_up(folder.path(), &opened, &manager);
    drop(opened);
    let db = folder.path().join("desk.db");
    let card_keys = folder.path().join("desk.db.card-keys.json");
    let before = (contents(&db), std::fs::read_to_string(&card_keys).unwrap());
    let refused = |from: &Path, password: &str| {
        let wire = restore_backup(&db, &card_keys, from, password, Utc::now())
            .unwrap_err()
            .to_wire();
        (wire.field.unwrap_or_default(), wire.message)
    };

    let (field, message) = refused(&backup, "not the password at all");
    assert_eq!(field, "password", "{message}");

    // Another property's backup.
    let elsewhere = tempfile::tempdir().unwrap();
    let property = elsewhere.path().join("inn.json");
    std::fs::write(
        &property,
        engine::property::DEMO_PROPERTY_JSON
            .replace("Harbor View Hotel", "Quay Inn")
            .replace("Europe/Lisbon", "Europe/Dublin"),
    )
    .unwrap();
    let (other, other_manager) = desk(elsewhere.path(), property.to_str());
    let other_backup = backed_up(elsewhere.path(), &other, &other_manager);
    let (field, message) = refused(&other_backup, PASSWORD);
    assert_eq!(field, "from");
    assert!(message.contains("Quay Inn"), "{message}");

    // A backup from a newer version.
    let newer = folder.path().join("newer.fdbackup");
    std::fs::copy(&backup, &newer).unwrap();
    rusqlite::Connection::open(&newer)
        .unwrap()
        .pragma_update(None, "user_version", 999)
        .unwrap();
    let (field, message) = refused(&newer, PASSWORD);
    assert_eq!(field, "from");
    assert!(message.contains("newer version"), "{message}");

    // A damaged one, and a file that is no backup.
    let damaged = folder.path().join("damaged.fdbackup");
    let mut bytes = std::fs::read(&backup).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle..middle + 4096].fill(0x5a);
    std::fs::write(&damaged, bytes).unwrap();
    assert_eq!(refused(&damaged, PASSWORD).0, "from");
    let text = folder.path().join("notes.txt");
    std::fs::write(&text, "not a database").unwrap();
    let (field, message) = refused(&text, PASSWORD);
    assert_eq!(field, "from");
    assert!(message.contains("not a front-desk backup"), "{message}");

    assert!(
        (contents(&db), std::fs::read_to_string(&card_keys).unwrap()) == before,
        "the database or the card keys changed"
    );
    let leftovers: Vec<_> = std::fs::read_dir(folder.path())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.contains("restoring") || name.contains("before-restore"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn backups_need_a_manager_a_password_and_a_new_file() {
    let folder = tempfile::tempdir().unwrap();
    let (opened, manager) = desk(folder.path(), None);
    let db = folder.path().join("desk.db");
    let keys = keys_of(folder.path(), &opened);
    let to = folder.path().join("first.fdbackup");
    let context = manager.context(Utc::now());

    let error = opened
        .desk
        .make_backup(&context, &db, &keys, &to)
        .unwrap_err();
    assert_eq!(error.to_wire().field.as_deref(), Some("password"));
    let error = opened
        .desk
        .set_backup_password(&context, "too short")
        .unwrap_err();
    assert_eq!(error.to_wire().field.as_deref(), Some("password"));
    assert!(!opened.desk.has_backup_password().unwrap());

    let rui = opened
        .desk
        .create_operator(&manager, Utc::now(), "Rui", "735910", Role::Receptionist)
        .unwrap();
    let as_rui = rui.context(Utc::now());
    assert_eq!(
        opened
            .desk
            .set_backup_password(&as_rui, PASSWORD)
            .unwrap_err()
            .to_wire()
            .status,
        403
    );
    opened.desk.set_backup_password(&context, PASSWORD).unwrap();
    assert_eq!(
        opened
            .desk
            .make_backup(&as_rui, &db, &keys, &to)
            .unwrap_err()
            .to_wire()
            .status,
        403
    );

    opened.desk.make_backup(&context, &db, &keys, &to).unwrap();
    let before = std::fs::read(&to).unwrap();
    let error = opened
        .desk
        .make_backup(&context, &db, &keys, &to)
        .unwrap_err();
    assert_eq!(error.to_wire().field.as_deref(), Some("to"));
    assert!(std::fs::read(&to).unwrap() == before, "never written over");
}

#[test]
fn scheduled_backups_go_to_the_folder_keep_the_newest_and_say_what_failed() {
    use frontdesk::backup::BackupSchedule;

    let folder = tempfile::tempdir().unwrap();
    let (opened, manager) = desk(folder.path(), None);
    let db = folder.path().join("desk.db");
    let keys = keys_of(folder.path(), &opened);
    let backups = folder.path().join("backups");
    let schedule = BackupSchedule {
        folder: backups.display().to_string(),
        every_hours: 6,
        keep: 2,
    };
    let start = Utc::now();
    let at = |hours: i64| manager.context(start + chrono::TimeDelta::hours(hours));

    for (bad, field) in [
        (
            BackupSchedule {
                every_hours: 0,
                ..schedule.clone()
            },
            "every_hours",
        ),
        (
            BackupSchedule {
                keep: 0,
                ..schedule.clone()
            },
            "keep",
        ),
        (
            BackupSchedule {
                folder: "backups".to_owned(),
                ..schedule.clone()
            },
            "folder",
        ),
        (
            BackupSchedule {
                folder: String::new(),
                ..schedule.clone()
            },
            "folder",
        ),
    ] {
        let error = opened
            .desk
            .set_backup_schedule(&at(0), Some(&bad))
            .unwrap_err();
        assert_eq!(error.to_wire().field.as_deref(), Some(field), "{bad:?}");
    }
    opened
        .desk
        .set_backup_schedule(&at(0), Some(&schedule))
        .unwrap();

    // Due at once, but there is no backup password yet: the failure is kept for the manager
    // and tried again an hour later, not every minute.
    assert!(opened.desk.backup_if_due(&at(0), &db, &keys).is_err());
    let status = opened.desk.backup_status(&manager).unwrap();
    assert!(!status.password_set);
    let last = status.last.unwrap();
    assert!(last.file.is_none());
    assert!(last.error.unwrap().contains("backup password"));
    assert_eq!(opened.desk.backup_if_due(&at(0), &db, &keys).unwrap(), None);

    opened.desk.set_backup_password(&at(1), PASSWORD).unwrap();
    let mut made = Vec::new();
    for hours in [1, 3, 7, 13, 14] {
        if let Some(backup) = opened.desk.backup_if_due(&at(hours), &db, &keys).unwrap() {
            made.push((
                hours,
                backup
                    .file
                    .file_name()
                    .unwrap()
                    .to_string_lossy()
                    .into_owned(),
            ));
        }
    }
    assert_eq!(
        made.iter().map(|(hours, _)| *hours).collect::<Vec<_>>(),
        [1, 7, 13],
        "every six hours"
    );
    let status = opened.desk.backup_status(&manager).unwrap();
    let kept: Vec<_> = status
        .backups
        .iter()
        .map(|file| file.name.clone())
        .collect();
    assert_eq!(
        kept,
        [made[2].1.clone(), made[1].1.clone()],
        "the newest two, newest first"
    );
    assert_eq!(
        status.last.unwrap().file.as_deref(),
        Some(made[2].1.as_str())
    );
    // A file of someone else's in the folder is never removed.
    std::fs::write(backups.join("notes.txt"), "keep me").unwrap();
    opened.desk.back_up_now(&at(20), &db, &keys).unwrap();
    assert!(backups.join("notes.txt").exists());
    assert_eq!(
        opened.desk.backup_status(&manager).unwrap().backups.len(),
        2
    );
}

#[test]
fn a_new_desk_s_demo_hotel_gives_way_to_the_backup_of_the_real_one() {
    let hotel = tempfile::tempdir().unwrap();
    let property = hotel.path().join("inn.json");
    std::fs::write(
        &property,
        engine::property::DEMO_PROPERTY_JSON.replace("Harbor View Hotel", "Quay Inn"),
    )
    .unwrap();
    let (opened, manager) = desk(hotel.path(), property.to_str());
    let backup = backed_up(hotel.path(), &opened, &manager);

    // A new computer's first start made the demo hotel, and nobody signed in there yet.
    let computer = tempfile::tempdir().unwrap();
    let fresh = open_desk(
        &files(computer.path(), None),
        &Context::new("backup test", Utc::now()),
    )
    .unwrap();
    let demo_id = fresh.property.id;
    drop(fresh);
    let db = computer.path().join("desk.db");
    let card_keys = computer.path().join("desk.db.card-keys.json");
    let restored = restore_backup(&db, &card_keys, &backup, PASSWORD, Utc::now()).unwrap();
    assert_eq!(restored.property_name, "Quay Inn");
    assert!(
        restored.card_keys_restored,
        "the demo hotel's keys are not the inn's"
    );
    assert_eq!(
        store::backup::property_of_file(&db)
            .unwrap()
            .map(|(id, _)| id),
        Some(opened.property.id)
    );
    assert_ne!(demo_id, opened.property.id);
    assert!(KeyRing::load(&card_keys, opened.property.id).is_ok());
}

#[test]
fn keys_made_afresh_after_a_loss_give_way_to_the_backup_s() {
    let folder = tempfile::tempdir().unwrap();
    let (opened, manager) = desk(folder.path(), None);
    let backup = backed_up(folder.path(), &opened, &manager);
    let real_keys = keys_of(folder.path(), &opened).to_json().unwrap();
    drop(opened);
    // The keys file is lost; the desk's next start makes new keys for the same property.
    let card_keys = folder.path().join("desk.db.card-keys.json");
    std::fs::remove_file(&card_keys).unwrap();
    let again = open_desk(
        &files(folder.path(), None),
        &Context::new("backup test", Utc::now()),
    )
    .unwrap();
    let property_id = again.property.id;
    drop(again);
    assert_ne!(
        KeyRing::load(&card_keys, property_id)
            .unwrap()
            .to_json()
            .unwrap(),
        real_keys
    );

    // Kept read-only, as backups on write-protected media are.
    let mut permissions = std::fs::metadata(&backup).unwrap().permissions();
    permissions.set_readonly(true);
    std::fs::set_permissions(&backup, permissions).unwrap();
    let db = folder.path().join("desk.db");
    let restored = restore_backup(&db, &card_keys, &backup, PASSWORD, Utc::now()).unwrap();
    assert!(restored.card_keys_restored);
    assert_eq!(
        KeyRing::load(&card_keys, property_id)
            .unwrap()
            .to_json()
            .unwrap(),
        real_keys
    );
    let kept: Vec<_> = std::fs::read_dir(folder.path())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with("desk.db.card-keys.json.before-restore-"))
        .collect();
    assert_eq!(kept.len(), 1, "the keys made afresh are kept aside");
}

#[test]
fn a_database_without_a_property_is_kept_aside_too() {
    let folder = tempfile::tempdir().unwrap();
    let (opened, manager) = desk(folder.path(), None);
    let backup = backed_up(folder.path(), &opened, &manager);
    drop(opened);
    let computer = tempfile::tempdir().unwrap();
    let db = computer.path().join("server.db");
    drop(store::Store::open(&db).unwrap());
    let restored = restore_backup(
        &db,
        &computer.path().join("server.db.card-keys.json"),
        &backup,
        PASSWORD,
        Utc::now(),
    )
    .unwrap();
    assert!(restored.set_aside.unwrap().exists());
    assert_eq!(operator_names(&db), ["Marta"]);
}
