//! Connection settings, records as written, reopening, newer databases and transactions.

use std::collections::BTreeSet;
use std::path::Path;
use std::time::Duration;

use engine::lock::StaffLevel;
use engine::model::{AccessMode, EntranceId, RequestedAccessMethod, TimeFrame, UserKind};
use engine::property::demo_property;
use engine::staff::{ClockTime, Day, ScheduleWindow, StaffTerms};
use rusqlite::{Connection, OpenFlags};
use store::{
    AuditOutcome, Error, GrantEntrance, GrantFilter, NewAccessMethod, NewAuditEntry, NewGrant,
    Store, UserIdentityRecord,
};

use super::{database_file, entrance_id, entrance_ids, establish, frame, guest, import_demo, now};

// Connection settings

#[test]
fn a_file_database_runs_in_wal_with_full_sync_foreign_keys_and_a_busy_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let path = database_file(&dir);
    let store = Store::open(&path).unwrap();

    let settings = store.settings().unwrap();
    assert_eq!(settings.journal_mode, "wal");
    assert_eq!(settings.synchronous, 2, "synchronous must be FULL");
    assert!(settings.foreign_keys);
    assert!(
        settings.busy_timeout >= Duration::from_secs(1),
        "{settings:?}"
    );
    assert_eq!(
        settings.user_version,
        i64::try_from(Store::schema_version()).unwrap()
    );

    // WAL is a property of the file: another connection sees it too.
    let other = Connection::open(&path).unwrap();
    let mode: String = other
        .pragma_query_value(None, "journal_mode", |row| row.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
}

#[test]
fn foreign_keys_are_enforced() {
    let store = Store::open_in_memory().unwrap();
    assert!(store.settings().unwrap().foreign_keys);
    import_demo(&store);
    let door = entrance_id(&store, "room-101-door");
    let nobody = UserIdentityRecord {
        id: uuid::Uuid::new_v4(),
        key: None,
        full_name: None,
        email_address: None,
        phone_number: None,
        kind: UserKind::Guest,
        created_at: now(),
    };
    let result =
        store.write(|w| establish(w, &nobody, "stay-1", &BTreeSet::from([door]), frame(10, 14)));
    let error = result.unwrap_err();
    assert!(
        error.to_string().contains("FOREIGN KEY"),
        "a grant for an unknown person must be refused: {error}"
    );
    assert!(
        store
            .read(|r| r.live_reservation("stay-1"))
            .unwrap()
            .is_none()
    );
}

/// `insert_grant` and `insert_user_identity` answer with the record instead of reading it
/// back: it must be the record a read gives, instants to the millisecond and entrances by key
/// included, whatever order the entrances came in.
#[test]
fn inserted_records_are_the_records_a_read_gives() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&database_file(&dir)).unwrap();
    import_demo(&store);
    let (user, inserted, entrance_keys) = store
        .write(|w| {
            let user = guest(w, "g-1")?;
            let mut doors: Vec<(String, EntranceId)> = entrance_ids(w)?.into_iter().collect();
            doors.reverse();
            let keys: Vec<String> = doors.iter().map(|(key, _)| key.clone()).collect();
            let odd = TimeFrame::new(
                frame(10, 14).starts_at + chrono::Duration::microseconds(123_456),
                frame(10, 14).ends_at + chrono::Duration::nanoseconds(999_999),
            );
            let grant = w.insert_grant(
                &NewGrant {
                    user_identity_id: user.id,
                    reservation: None,
                    name: Some("Conference".into()),
                    frame: odd,
                    requested_access_methods: vec![
                        RequestedAccessMethod {
                            mode: AccessMode::Card,
                            code: None,
                        },
                        RequestedAccessMethod {
                            mode: AccessMode::Code,
                            code: Some("123456".into()),
                        },
                    ],
                    space_ids: Vec::new(),
                    entrances: doors
                        .iter()
                        .map(|(_, id)| GrantEntrance {
                            entrance_id: *id,
                            reservation_door: false,
                            sequence: None,
                        })
                        .collect(),
                    access_methods: vec![
                        NewAccessMethod {
                            request_index: 0,
                            mode: AccessMode::Card,
                            code: None,
                            copy_number: Some(1),
                        },
                        NewAccessMethod {
                            request_index: 1,
                            mode: AccessMode::Code,
                            code: Some("123456".into()),
                            copy_number: None,
                        },
                    ],
                    staff_terms: Some(StaffTerms {
                        level: StaffLevel::Floor,
                        floors: vec![1, -1],
                        schedule: vec![ScheduleWindow {
                            days: vec![Day::Sat, Day::Sun],
                            from: ClockTime::parse("22:00").unwrap(),
                            to: ClockTime::parse("06:00").unwrap(),
                        }],
                    }),
                    one_shot: true,
                },
                now() + chrono::Duration::microseconds(1_500),
            )?;
            Ok::<_, Error>((user, grant, keys))
        })
        .unwrap();
    assert!(
        entrance_keys.len() > 2,
        "the demo property has several doors"
    );
    assert_eq!(inserted.entrances.len(), entrance_keys.len());
    let (read_user, read_grant) = store
        .read(|r| Ok::<_, Error>((r.user_identity(user.id)?, r.access_grant(inserted.id)?)))
        .unwrap();
    assert_eq!(read_user, Some(user));
    assert_eq!(read_grant, Some(inserted));
}

/// A transaction remembers the spaces and entrances it read; a property import in the same
/// transaction must show in its next reads.
#[test]
fn a_transaction_reads_its_own_property_import() {
    let store = Store::open_in_memory().unwrap();
    import_demo(&store);
    let door = entrance_id(&store, "room-101-door");
    let mut renamed = demo_property();
    renamed
        .entrances
        .iter_mut()
        .filter(|entrance| entrance.key == "room-101-door")
        .for_each(|entrance| entrance.name = "Renamed door".to_owned());
    let (before, after) = store
        .write(|w| {
            let before = w.entrance(door)?.map(|entrance| entrance.name);
            w.import_property(&renamed, now())?;
            let after = w.entrance(door)?.map(|entrance| entrance.name);
            Ok::<_, Error>((before, after))
        })
        .unwrap();
    assert_eq!(before.as_deref(), Some("Room 101 door"));
    assert_eq!(after.as_deref(), Some("Renamed door"));
}

// ---------------------------------------------------------------------------------------------
// Reopening, newer databases, transactions

#[test]
fn a_reopened_database_keeps_everything() {
    let dir = tempfile::tempdir().unwrap();
    let path = database_file(&dir);
    let (property, systems, spaces, entrances, users, reservation) = {
        let store = Store::open(&path).unwrap();
        import_demo(&store);
        let door = entrance_id(&store, "room-101-door");
        store
            .write(|w| {
                let user = guest(w, "g-1")?;
                establish(w, &user, "stay-1", &BTreeSet::from([door]), frame(10, 14))
            })
            .unwrap();
        store
            .read(|r| {
                Ok::<_, Error>((
                    r.property()?,
                    r.access_systems()?,
                    r.spaces()?,
                    r.entrances(None, None)?,
                    r.user_identities()?,
                    r.live_reservation("stay-1")?,
                ))
            })
            .unwrap()
    };
    assert_eq!(spaces.len(), 127);
    assert_eq!(entrances.len(), 129);

    let store = Store::open(&path).unwrap();
    assert_eq!(store.integrity_check().unwrap(), ["ok"]);
    store
        .read(|r| {
            assert_eq!(r.property()?, property);
            assert_eq!(r.access_systems()?, systems);
            assert_eq!(r.spaces()?, spaces);
            assert_eq!(r.entrances(None, None)?, entrances);
            assert_eq!(r.user_identities()?, users);
            assert_eq!(r.live_reservation("stay-1")?, reservation);
            Ok::<_, Error>(())
        })
        .unwrap();
    assert!(reservation.is_some());
}

#[test]
fn a_database_from_a_newer_version_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = database_file(&dir);
    {
        let store = Store::open(&path).unwrap();
        import_demo(&store);
    }
    let newer = Store::schema_version() + 1;
    {
        let connection = Connection::open(&path).unwrap();
        connection
            .pragma_update(None, "user_version", i64::try_from(newer).unwrap())
            .unwrap();
        // Closing the last connection checkpoints the WAL into the file.
    }
    assert_refused_untouched(&path, newer);
}

#[test]
fn a_newer_database_in_another_journal_mode_is_not_switched_to_wal() {
    // A newer version might keep its file in rollback-journal mode; switching a refused file
    // to WAL would already change it (its header says which mode it is in).
    let dir = tempfile::tempdir().unwrap();
    let path = database_file(&dir);
    {
        let connection = Connection::open(&path).unwrap();
        connection
            .execute_batch(
                "CREATE TABLE from_the_future (x); INSERT INTO from_the_future VALUES (1);
                 PRAGMA user_version = 42;",
            )
            .unwrap();
    }
    assert_refused_untouched(&path, 42);
}

fn assert_refused_untouched(path: &Path, newer: usize) {
    let bytes_before = std::fs::read(path).unwrap();
    let error = Store::open(path).unwrap_err();
    match &error {
        Error::TooNew { found, supported } => {
            assert_eq!(*found, newer);
            assert_eq!(*supported, Store::schema_version());
        }
        other => panic!("expected TooNew, got {other:?}"),
    }
    let message = error.to_string();
    assert!(message.contains("newer version"), "{message}");
    assert!(message.contains(&format!("schema {newer}")), "{message}");
    assert!(
        message.contains(&format!("up to {}", Store::schema_version())),
        "{message}"
    );

    assert_eq!(
        std::fs::read(path).unwrap(),
        bytes_before,
        "a refused database must not be modified"
    );
    let connection = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    let version: i64 = connection
        .pragma_query_value(None, "user_version", |row| row.get(0))
        .unwrap();
    assert_eq!(version, i64::try_from(newer).unwrap());

    // And it stays refused: the first refusal did not "repair" anything.
    assert!(matches!(Store::open(path), Err(Error::TooNew { .. })));
}

#[test]
fn a_write_that_fails_rolls_back_everything() {
    let dir = tempfile::tempdir().unwrap();
    let path = database_file(&dir);
    let store = Store::open(&path).unwrap();
    let result: Result<(), Error> = store.write(|w| {
        w.import_property(&demo_property(), now())?;
        let user = guest(w, "g-1")?;
        let door = entrance_ids(w)?["room-101-door"];
        establish(w, &user, "stay-1", &BTreeSet::from([door]), frame(10, 14))?;
        w.audit(
            &NewAuditEntry {
                actor: "desk",
                action: "test.write",
                subject_id: None,
                outcome: AuditOutcome::Ok,
                before: None,
                after: None,
                detail: None,
                terminal: None,
            },
            now(),
        )?;
        // Everything is visible inside the transaction...
        assert_eq!(w.spaces()?.len(), 127);
        assert!(w.live_reservation("stay-1")?.is_some());
        Err(Error::Corrupt("the use case changed its mind".into()))
    });
    assert!(matches!(result, Err(Error::Corrupt(_))));

    // ...and nothing afterwards, through this store or a fresh one on the same file.
    for store in [&store, &Store::open(&path).unwrap()] {
        store
            .read(|r| {
                assert_eq!(r.property()?, None);
                assert!(r.access_systems()?.is_empty());
                assert!(r.spaces()?.is_empty());
                assert!(r.entrances(None, None)?.is_empty());
                assert!(r.user_identities()?.is_empty());
                assert!(r.user_identity_by_key("g-1")?.is_none());
                assert!(r.live_reservation("stay-1")?.is_none());
                assert!(r.access_grants(&GrantFilter::default())?.is_empty());
                assert_eq!(r.audit_count()?, 0);
                Ok::<_, Error>(())
            })
            .unwrap();
    }
}

#[test]
fn a_committed_write_is_visible_to_a_fresh_store_on_the_same_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = database_file(&dir);
    let store = Store::open(&path).unwrap();
    import_demo(&store);
    let door = entrance_id(&store, "room-101-door");
    let (reservation, grant) = store
        .write(|w| {
            let user = guest(w, "g-1")?;
            establish(w, &user, "stay-1", &BTreeSet::from([door]), frame(10, 14))
        })
        .unwrap();

    // While the first store is still open (WAL: the commit is in the log, not yet the file).
    let fresh = Store::open(&path).unwrap();
    let check = |store: &Store| {
        store
            .read(|r| {
                let live = r
                    .live_reservation("stay-1")?
                    .expect("committed reservation");
                assert_eq!(live.id, reservation);
                assert_eq!(live.door_set, BTreeSet::from([door]));
                assert_eq!(live.grant_frames, vec![frame(10, 14)]);
                let stored = r.access_grant(grant)?.expect("committed grant");
                assert_eq!(
                    stored.entrances,
                    vec![GrantEntrance {
                        entrance_id: door,
                        reservation_door: true,
                        sequence: Some(1)
                    }]
                );
                assert_eq!(stored.access_method_ids.len(), 1);
                assert!(r.user_identity_by_key("g-1")?.is_some());
                Ok::<_, Error>(())
            })
            .unwrap();
    };
    check(&fresh);
    drop(fresh);
    drop(store);
    check(&Store::open(&path).unwrap());
}
