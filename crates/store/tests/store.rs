//! The store on real files and in memory: connection settings, reopening, refusing a newer
//! database, transactions, and the query plans of the reads the reservation rules make.

#![allow(clippy::unwrap_used)] // helpers outside #[test] functions unwrap too

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use engine::model::{
    AccessGrantId, AccessMode, EntranceId, RequestedAccessMethod, ReservationId, TimeFrame,
    UserKind,
};
use engine::property::demo_property;
use rusqlite::types::Value;
use rusqlite::{Connection, OpenFlags, StatementStatus, params_from_iter};
use store::{
    AuditFilter, AuditOutcome, Error, GrantEntrance, GrantFilter, NewAccessMethod, NewAuditEntry,
    NewGrant, NewUserIdentity, Reader, Store, UserIdentityRecord, Writer,
};

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 5, 1, 9, 0, 0).unwrap()
}

fn frame(from_day: u32, to_day: u32) -> TimeFrame {
    TimeFrame::new(
        Utc.with_ymd_and_hms(2025, 5, from_day, 15, 0, 0).unwrap(),
        Utc.with_ymd_and_hms(2025, 5, to_day, 11, 0, 0).unwrap(),
    )
}

fn database_file(dir: &tempfile::TempDir) -> std::path::PathBuf {
    dir.path().join("frontdesk.sqlite3")
}

fn import_demo(store: &Store) {
    store
        .write(|w| w.import_property(&demo_property(), now()))
        .unwrap();
}

fn guest(w: &Writer<'_>, key: &str) -> store::Result<UserIdentityRecord> {
    w.insert_user_identity(
        &NewUserIdentity {
            key: Some(key.to_owned()),
            full_name: Some(format!("Guest {key}")),
            email_address: Some(format!("{key}@example.com")),
            phone_number: None,
            kind: UserKind::Guest,
        },
        now(),
    )
}

fn entrance_ids(r: &Reader<'_>) -> store::Result<BTreeMap<String, EntranceId>> {
    Ok(r.entrances(None, None)?
        .into_iter()
        .map(|entrance| (entrance.key, entrance.id))
        .collect())
}

fn entrance_id(store: &Store, key: &str) -> EntranceId {
    store.read(entrance_ids).unwrap()[key]
}

/// A card grant on `doors` that belongs to the reservation `reservation`, each door with the
/// reservation's sequence, if it has one.
fn reservation_grant(
    w: &Writer<'_>,
    user: &UserIdentityRecord,
    reservation: (&str, ReservationId),
    doors: &BTreeMap<EntranceId, Option<u32>>,
    frame: TimeFrame,
) -> store::Result<AccessGrantId> {
    w.insert_grant(
        &NewGrant {
            user_identity_id: user.id,
            reservation: Some((reservation.0.to_owned(), reservation.1)),
            name: None,
            frame,
            requested_access_methods: vec![RequestedAccessMethod {
                mode: AccessMode::Card,
                code: None,
            }],
            space_ids: Vec::new(),
            entrances: doors
                .iter()
                .map(|(door, sequence)| GrantEntrance {
                    entrance_id: *door,
                    reservation_door: true,
                    sequence: *sequence,
                })
                .collect(),
            access_methods: vec![NewAccessMethod {
                request_index: 0,
                mode: AccessMode::Card,
                code: None,
                copy_number: Some(1),
            }],
        },
        now(),
    )
    .map(|grant| grant.id)
}

/// Establishes a reservation on `doors` and its first grant, and numbers each door with its
/// next sequence as the first encoded card does.
fn establish(
    w: &Writer<'_>,
    user: &UserIdentityRecord,
    key: &str,
    doors: &BTreeSet<EntranceId>,
    frame: TimeFrame,
) -> store::Result<(ReservationId, AccessGrantId)> {
    let reservation = w.insert_reservation(key, doors, now())?;
    let sequences = engine::rules::assign_sequences(doors, &w.last_sequences(doors)?);
    w.number_reservation_doors(reservation, &sequences)?;
    let sequences = w.reservation_doors(reservation)?;
    let grant = reservation_grant(w, user, (key, reservation), &sequences, frame)?;
    Ok((reservation, grant))
}

// ---------------------------------------------------------------------------------------------
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

// ---------------------------------------------------------------------------------------------
// The same on `:memory:` and on a file

/// Entrance keys with the sequence each carries.
type Doors = Vec<(String, bool, Option<u32>)>;
/// A live reservation: its door keys and the frames of its live grants.
type LiveDoors = Option<(Vec<String>, Vec<TimeFrame>)>;
/// A door's live reservations: key, sequence, span.
type DoorTimeline = Vec<(String, Option<u32>, TimeFrame)>;

/// What a scenario leaves behind, without the generated ids.
#[derive(Debug, PartialEq)]
struct Snapshot {
    property: Option<(String, String)>,
    systems: Vec<(String, String)>,
    spaces: Vec<(String, String, Option<i32>, Vec<String>)>,
    entrances: Vec<(String, bool, Vec<AccessMode>, Vec<String>)>,
    users: Vec<(Option<String>, UserKind)>,
    grants: Vec<(Option<String>, Doors, TimeFrame)>,
    live_keys: Vec<(String, LiveDoors)>,
    last_sequences: Vec<(String, u32)>,
    door_reservations: Vec<(String, DoorTimeline)>,
    audit: Vec<(String, String, AuditOutcome)>,
}

fn scenario(store: &Store) -> Snapshot {
    import_demo(store);
    let doors = store.read(entrance_ids).unwrap();
    let door = |key: &str| doors[key];
    let audit = |w: &Writer<'_>, action: &str, outcome| {
        w.audit(
            &NewAuditEntry {
                actor: "desk",
                action,
                subject_id: None,
                outcome,
                before: None,
                after: None,
                detail: None,
            },
            now(),
        )
    };
    store
        .write(|w| {
            let ana = guest(w, "ana")?;
            let ben = guest(w, "ben")?;
            let (first, first_grant) = establish(
                w,
                &ana,
                "stay-1",
                &BTreeSet::from([door("room-101-door")]),
                frame(10, 14),
            )?;
            // A joiner on the same door set.
            let sequences = w.reservation_doors(first)?;
            reservation_grant(w, &ben, ("stay-1", first), &sequences, frame(11, 14))?;
            // The next stay on room 101 overrides; a suite-like stay on two rooms.
            establish(
                w,
                &ben,
                "stay-2",
                &BTreeSet::from([door("room-101-door"), door("room-102-door")]),
                frame(14, 16),
            )?;
            // A stay that ends: its last grant deleted and its reservation cleared.
            let (third, third_grant) = establish(
                w,
                &ana,
                "stay-3",
                &BTreeSet::from([door("room-103-door")]),
                frame(20, 22),
            )?;
            w.delete_grant(third_grant, now())?;
            w.clear_reservation(third, now())?;
            w.delete_grant(first_grant, now())?;
            audit(w, "scenario", AuditOutcome::Ok)
        })
        .unwrap();
    let refused: store::Result<()> = store.write(|w| {
        guest(w, "carla")?;
        Err(Error::Corrupt("refused".into()))
    });
    assert!(refused.is_err());
    store
        .write(|w| audit(w, "scenario.refused", AuditOutcome::Refused))
        .unwrap();

    let key_of = |id: &EntranceId| {
        doors
            .iter()
            .find(|(_, door)| *door == id)
            .map(|(key, _)| key.clone())
            .unwrap()
    };
    store
        .read(|r| {
            let space_keys: BTreeMap<_, _> = r
                .spaces()?
                .into_iter()
                .map(|space| (space.id, space.key))
                .collect();
            let watched = [
                "room-101-door",
                "room-102-door",
                "room-103-door",
                "gym-door",
            ];
            Ok::<_, Error>(Snapshot {
                property: r.property()?.map(|p| (p.name, p.time_zone)),
                systems: r
                    .access_systems()?
                    .into_iter()
                    .map(|s| (s.key, s.kind.as_str().to_owned()))
                    .collect(),
                spaces: r
                    .spaces()?
                    .into_iter()
                    .map(|s| {
                        // A space's entrances come in no particular order.
                        let mut doors: Vec<_> = s.entrance_ids.iter().map(key_of).collect();
                        doors.sort();
                        (s.key, s.name, s.floor, doors)
                    })
                    .collect(),
                entrances: r
                    .entrances(None, None)?
                    .into_iter()
                    .map(|e| {
                        let spaces = e.space_ids.iter().map(|id| space_keys[id].clone());
                        (
                            e.key,
                            e.can_belong_to_reservation,
                            e.modes,
                            spaces.collect(),
                        )
                    })
                    .collect(),
                users: r
                    .user_identities()?
                    .into_iter()
                    .map(|u| (u.key, u.kind))
                    .collect(),
                grants: r
                    .access_grants(&GrantFilter::default())?
                    .into_iter()
                    .map(|g| {
                        let frame = g.frame();
                        let entrances = g
                            .entrances
                            .iter()
                            .map(|e| (key_of(&e.entrance_id), e.reservation_door, e.sequence));
                        (g.reservation_key, entrances.collect(), frame)
                    })
                    .collect(),
                live_keys: ["stay-1", "stay-2", "stay-3"]
                    .into_iter()
                    .map(|key| {
                        let live = r.live_reservation(key)?.map(|live| {
                            let mut doors: Vec<_> = live.door_set.iter().map(key_of).collect();
                            doors.sort();
                            (doors, live.grant_frames)
                        });
                        Ok((key.to_owned(), live))
                    })
                    .collect::<store::Result<_>>()?,
                last_sequences: r
                    .last_sequences(&watched.iter().map(|key| door(key)).collect())?
                    .iter()
                    .map(|(id, sequence)| (key_of(id), *sequence))
                    .collect::<BTreeSet<_>>()
                    .into_iter()
                    .collect(),
                door_reservations: watched
                    .into_iter()
                    .map(|key| {
                        let reservations = r.door_reservations(door(key))?;
                        let rows = reservations
                            .into_iter()
                            .map(|d| (d.reservation_key, d.sequence, d.frame));
                        Ok((key.to_owned(), rows.collect()))
                    })
                    .collect::<store::Result<_>>()?,
                audit: r
                    .audit_log(&AuditFilter::default())?
                    .into_iter()
                    .map(|a| (a.actor, a.action, a.outcome))
                    .collect(),
            })
        })
        .unwrap()
}

#[test]
fn memory_and_file_databases_give_the_same_results() {
    let dir = tempfile::tempdir().unwrap();
    let on_file = scenario(&Store::open(&database_file(&dir)).unwrap());
    let in_memory = scenario(&Store::open_in_memory().unwrap());
    assert_eq!(on_file, in_memory);

    // The scenario did what it says, so the comparison compares something.
    assert_eq!(in_memory.spaces.len(), 127);
    assert_eq!(
        in_memory.last_sequences,
        [
            ("room-101-door".to_owned(), 2),
            ("room-102-door".to_owned(), 1),
            ("room-103-door".to_owned(), 1),
        ]
    );
    assert_eq!(in_memory.live_keys[2], ("stay-3".to_owned(), None));
    let (_, room_101) = &in_memory.door_reservations[0];
    assert_eq!(
        room_101
            .iter()
            .map(|(key, sequence, _)| (key.as_str(), *sequence))
            .collect::<Vec<_>>(),
        [("stay-1", Some(1)), ("stay-2", Some(2))]
    );
    assert_eq!(in_memory.grants.len(), 2);
    assert_eq!(in_memory.users.len(), 2, "the refused write added nobody");
    assert_eq!(in_memory.audit.len(), 2);
}

// ---------------------------------------------------------------------------------------------
// Query plans of the reads the reservation rules make

const GRANTS_RS: &str = include_str!("../src/grants.rs");
const CATALOG_RS: &str = include_str!("../src/catalog.rs");
const TIMELINE_RS: &str = include_str!("../src/timeline.rs");

/// A query the rule checks run, copied from the store's source (`source` names the function;
/// the test checks the text is still there, so an edit there fails here until copied).
struct RuleQuery {
    source: &'static str,
    file: &'static str,
    sql: &'static str,
    /// For SQL assembled with `format!`: the literal pieces to find in the source instead.
    pieces: &'static [&'static str],
    /// Table aliases a full scan of is acceptable: property-sized tables, never history.
    scans_allowed: &'static [&'static str],
}

const RULE_QUERIES: &[RuleQuery] = &[
    RuleQuery {
        source: "grants.rs Reader::live_reservation",
        file: GRANTS_RS,
        sql: "SELECT id FROM reservations WHERE reservation_key = ?1 AND cleared_at IS NULL",
        pieces: &[],
        scans_allowed: &[],
    },
    RuleQuery {
        source: "grants.rs Reader::reservation_doors",
        file: GRANTS_RS,
        sql: "SELECT entrance_id, sequence FROM reservation_doors WHERE reservation_id = ?1",
        pieces: &[],
        scans_allowed: &[],
    },
    RuleQuery {
        source: "grants.rs Reader::reservation_frames",
        file: GRANTS_RS,
        sql: "SELECT starts_at, ends_at FROM access_grants
             WHERE reservation_id = ?1 AND deleted_at IS NULL AND (?2 IS NULL OR id <> ?2)",
        pieces: &[],
        scans_allowed: &[],
    },
    RuleQuery {
        source: "grants.rs Reader::last_sequences",
        file: GRANTS_RS,
        sql: "SELECT MAX(sequence) FROM reservation_doors WHERE entrance_id = ?1",
        pieces: &[],
        scans_allowed: &[],
    },
    RuleQuery {
        source: "grants.rs Reader::door_reservations",
        file: GRANTS_RS,
        sql: "SELECT r.id, r.reservation_key, d.sequence, MIN(g.starts_at), MAX(g.ends_at),
                    r.established_at
             FROM reservation_doors d INDEXED BY reservation_doors_live
             CROSS JOIN reservations r ON r.id = d.reservation_id
             CROSS JOIN access_grants g ON g.reservation_id = r.id AND g.deleted_at IS NULL
             CROSS JOIN access_grant_entrances ge
                 ON ge.access_grant_id = g.id AND ge.entrance_id = d.entrance_id
             WHERE d.entrance_id = ?1 AND d.live = 1
             GROUP BY r.id ORDER BY d.sequence",
        pieces: &[],
        scans_allowed: &[],
    },
    RuleQuery {
        source: "catalog.rs Reader::user_identity (query_users)",
        file: CATALOG_RS,
        sql:
            "SELECT id, user_identity_key, full_name, email_address, phone_number, kind, created_at
             FROM user_identities WHERE id = ?1 ORDER BY rowid",
        pieces: &[
            "SELECT id, user_identity_key, full_name, email_address, phone_number, kind, created_at FROM user_identities {filter} ORDER BY rowid",
            "\"WHERE id = ?1\"",
        ],
        scans_allowed: &[],
    },
    RuleQuery {
        source: "catalog.rs Reader::entrance (query_entrances)",
        file: CATALOG_RS,
        sql: "SELECT e.id, e.key, e.name, e.access_system_id, s.kind,
                 e.can_belong_to_reservation, e.modes, e.created_at FROM entrances e
             JOIN access_systems s ON s.id = e.access_system_id WHERE e.id = ?1 ORDER BY e.key",
        pieces: &[
            "e.can_belong_to_reservation, e.modes, e.created_at\";",
            "SELECT {ENTRANCE_COLUMNS} FROM entrances e JOIN access_systems s ON s.id = e.access_system_id {filter} ORDER BY e.key",
            "\"WHERE e.id = ?1\"",
        ],
        scans_allowed: &[],
    },
    // The spaces of an entrance and the entrances of a space: one entrance's or one space's
    // links, not the whole entrance-to-space table.
    RuleQuery {
        source: "catalog.rs Reader::spaces_of_entrances",
        file: CATALOG_RS,
        sql: "SELECT es.entrance_id, es.space_id FROM entrance_spaces es
             JOIN spaces s ON s.id = es.space_id WHERE es.entrance_id = ?1
             ORDER BY s.floor IS NULL, s.floor, s.key",
        pieces: &[
            "SELECT es.entrance_id, es.space_id FROM entrance_spaces es JOIN spaces s ON s.id = es.space_id {filter} ORDER BY s.floor IS NULL, s.floor, s.key",
            "\"WHERE es.entrance_id = ?1\"",
        ],
        scans_allowed: &[],
    },
    RuleQuery {
        source: "catalog.rs Reader::entrances_of_spaces",
        file: CATALOG_RS,
        sql: "SELECT entrance_id, space_id FROM entrance_spaces WHERE space_id = ?1
             ORDER BY space_id, entrance_id",
        pieces: &[
            "SELECT entrance_id, space_id FROM entrance_spaces {filter} ORDER BY space_id, entrance_id",
            "\"WHERE space_id = ?1\"",
        ],
        scans_allowed: &[],
    },
    RuleQuery {
        source: "catalog.rs Reader::is_common_area_entrance",
        file: CATALOG_RS,
        sql: "SELECT 1 FROM entrances e
                 JOIN entrance_spaces es ON es.entrance_id = e.id
                 JOIN spaces s ON s.id = es.space_id
                 WHERE e.id = ?1 AND e.retired_at IS NULL
                   AND s.kind = ?2 AND s.retired_at IS NULL
                 LIMIT 1",
        pieces: &[],
        scans_allowed: &[],
    },
    RuleQuery {
        source: "catalog.rs Reader::space_by_key (query_spaces)",
        file: CATALOG_RS,
        sql: "SELECT id, key, name, floor, kind, created_at FROM spaces
             WHERE key = ?1 AND retired_at IS NULL
             ORDER BY floor IS NULL, floor, key",
        pieces: &[
            "SELECT id, key, name, floor, kind, created_at FROM spaces {filter} ORDER BY floor IS NULL, floor, key",
            "\"WHERE key = ?1 AND retired_at IS NULL\"",
        ],
        scans_allowed: &[],
    },
    // What update and delete read of the grant they change (live_grant).
    RuleQuery {
        source: "grants.rs Reader::access_grant (query_grants)",
        file: GRANTS_RS,
        sql: "SELECT g.id, g.user_identity_id, g.reservation_key, g.reservation_id, g.name,
                 g.starts_at, g.ends_at, g.requested_access_methods, g.space_ids, g.created_at,
                 g.deleted_at FROM access_grants g WHERE g.id = ?1 ORDER BY g.rowid",
        pieces: &[
            "SELECT {GRANT_COLUMNS} FROM access_grants g {filter} ORDER BY g.rowid",
            "\"WHERE g.id = ?1\"",
        ],
        scans_allowed: &[],
    },
    RuleQuery {
        source: "grants.rs Reader::grant_entrances",
        file: GRANTS_RS,
        sql: "SELECT ge.entrance_id, d.entrance_id IS NOT NULL, d.sequence
             FROM access_grant_entrances ge
             JOIN entrances e ON e.id = ge.entrance_id
             LEFT JOIN reservation_doors d
                 ON d.reservation_id = ?2 AND d.entrance_id = ge.entrance_id
             WHERE ge.access_grant_id = ?1 ORDER BY e.key",
        pieces: &[],
        scans_allowed: &[],
    },
    RuleQuery {
        source: "grants.rs Reader::method_ids_of_grant",
        file: GRANTS_RS,
        sql: "SELECT id FROM access_methods WHERE access_grant_id = ?1
             ORDER BY rowid",
        pieces: &[],
        scans_allowed: &[],
    },
    RuleQuery {
        source: "grants.rs Reader::warnings_of_grant",
        file: GRANTS_RS,
        sql: "SELECT code, message, access_method_id, entrance_id, created_at, expires_at
             FROM warnings WHERE access_grant_id = ?1 ORDER BY id",
        pieces: &[],
        scans_allowed: &[],
    },
];

/// The timeline's and the stay search's queries (timeline.rs): they read past stays too, by
/// index, whatever the history.
const TIMELINE_QUERIES: &[RuleQuery] = &[
    RuleQuery {
        source: "timeline.rs Reader::timeline_rows (stay_rows)",
        file: TIMELINE_RS,
        sql: "SELECT es.space_id, g.id, g.reservation_key, g.user_identity_id, u.full_name,
        g.starts_at, g.ends_at, g.created_at, g.deleted_at,
        (SELECT COUNT(*) FROM warnings w WHERE w.access_grant_id = g.id
             AND (w.expires_at IS NULL OR w.expires_at > ?1)),
        EXISTS (SELECT 1 FROM access_grants o INDEXED BY access_grants_stays_by_key
                WHERE o.reservation_key = g.reservation_key AND o.deleted_at = g.created_at)
            AND NOT EXISTS (SELECT 1 FROM access_grants o INDEXED BY access_grants_stays_by_key
                JOIN access_grant_entrances oe
                    ON oe.access_grant_id = o.id AND oe.entrance_id = ge.entrance_id
                WHERE o.reservation_key = g.reservation_key AND o.deleted_at = g.created_at),
        g.deleted_at IS NOT NULL
            AND EXISTS (SELECT 1 FROM access_grants o INDEXED BY access_grants_stays_by_key
                WHERE o.reservation_key = g.reservation_key AND o.created_at = g.deleted_at)
            AND NOT EXISTS (SELECT 1 FROM access_grants o INDEXED BY access_grants_stays_by_key
                JOIN access_grant_entrances oe
                    ON oe.access_grant_id = o.id AND oe.entrance_id = ge.entrance_id
                WHERE o.reservation_key = g.reservation_key AND o.created_at = g.deleted_at)
             FROM access_grants g INDEXED BY access_grants_stays_by_end
             JOIN user_identities u ON u.id = g.user_identity_id
             JOIN access_grant_entrances ge ON ge.access_grant_id = g.id
             JOIN entrance_spaces es ON es.entrance_id = ge.entrance_id
             JOIN spaces s ON s.id = es.space_id AND s.kind <> 'common'
             WHERE g.reservation_key IS NOT NULL AND g.ends_at > ?2 AND g.starts_at < ?3
             AND (g.deleted_at IS NULL OR (g.deleted_at > ?2 AND g.deleted_at > g.starts_at))
             ORDER BY g.starts_at, g.rowid",
        pieces: &[
            "SELECT es.space_id, g.id, g.reservation_key, g.user_identity_id, u.full_name,
        g.starts_at, g.ends_at, g.created_at, g.deleted_at,
        (SELECT COUNT(*) FROM warnings w WHERE w.access_grant_id = g.id
             AND (w.expires_at IS NULL OR w.expires_at > ?1)),
        EXISTS (SELECT 1 FROM access_grants o INDEXED BY access_grants_stays_by_key
                WHERE o.reservation_key = g.reservation_key AND o.deleted_at = g.created_at)
            AND NOT EXISTS (SELECT 1 FROM access_grants o INDEXED BY access_grants_stays_by_key
                JOIN access_grant_entrances oe
                    ON oe.access_grant_id = o.id AND oe.entrance_id = ge.entrance_id
                WHERE o.reservation_key = g.reservation_key AND o.deleted_at = g.created_at),
        g.deleted_at IS NOT NULL
            AND EXISTS (SELECT 1 FROM access_grants o INDEXED BY access_grants_stays_by_key
                WHERE o.reservation_key = g.reservation_key AND o.created_at = g.deleted_at)
            AND NOT EXISTS (SELECT 1 FROM access_grants o INDEXED BY access_grants_stays_by_key
                JOIN access_grant_entrances oe
                    ON oe.access_grant_id = o.id AND oe.entrance_id = ge.entrance_id
                WHERE o.reservation_key = g.reservation_key AND o.created_at = g.deleted_at)",
            "             FROM access_grants g INDEXED BY {index}
             JOIN user_identities u ON u.id = g.user_identity_id
             JOIN access_grant_entrances ge ON ge.access_grant_id = g.id
             JOIN entrance_spaces es ON es.entrance_id = ge.entrance_id
             JOIN spaces s ON s.id = es.space_id AND s.kind <> 'common'
             WHERE g.reservation_key IS NOT NULL AND {filter}
             ORDER BY g.starts_at, g.rowid",
            "\"access_grants_stays_by_end\", \"g.ends_at > ?2 AND g.starts_at < ?3
             AND (g.deleted_at IS NULL OR (g.deleted_at > ?2 AND g.deleted_at > g.starts_at))\"",
        ],
        scans_allowed: &[],
    },
    RuleQuery {
        source: "timeline.rs Reader::stay_rows_of_key (stay_rows)",
        file: TIMELINE_RS,
        sql: "SELECT es.space_id, g.id, g.reservation_key, g.user_identity_id, u.full_name,
        g.starts_at, g.ends_at, g.created_at, g.deleted_at,
        (SELECT COUNT(*) FROM warnings w WHERE w.access_grant_id = g.id
             AND (w.expires_at IS NULL OR w.expires_at > ?1)),
        EXISTS (SELECT 1 FROM access_grants o INDEXED BY access_grants_stays_by_key
                WHERE o.reservation_key = g.reservation_key AND o.deleted_at = g.created_at)
            AND NOT EXISTS (SELECT 1 FROM access_grants o INDEXED BY access_grants_stays_by_key
                JOIN access_grant_entrances oe
                    ON oe.access_grant_id = o.id AND oe.entrance_id = ge.entrance_id
                WHERE o.reservation_key = g.reservation_key AND o.deleted_at = g.created_at),
        g.deleted_at IS NOT NULL
            AND EXISTS (SELECT 1 FROM access_grants o INDEXED BY access_grants_stays_by_key
                WHERE o.reservation_key = g.reservation_key AND o.created_at = g.deleted_at)
            AND NOT EXISTS (SELECT 1 FROM access_grants o INDEXED BY access_grants_stays_by_key
                JOIN access_grant_entrances oe
                    ON oe.access_grant_id = o.id AND oe.entrance_id = ge.entrance_id
                WHERE o.reservation_key = g.reservation_key AND o.created_at = g.deleted_at)
             FROM access_grants g INDEXED BY access_grants_stays_by_key
             JOIN user_identities u ON u.id = g.user_identity_id
             JOIN access_grant_entrances ge ON ge.access_grant_id = g.id
             JOIN entrance_spaces es ON es.entrance_id = ge.entrance_id
             JOIN spaces s ON s.id = es.space_id AND s.kind <> 'common'
             WHERE g.reservation_key IS NOT NULL AND g.reservation_key = ?2
             ORDER BY g.starts_at, g.rowid",
        pieces: &["\"access_grants_stays_by_key\", \"g.reservation_key = ?2\""],
        scans_allowed: &[],
    },
    RuleQuery {
        source: "timeline.rs Reader::stay_hits_of_guest",
        file: TIMELINE_RS,
        sql: "SELECT reservation_key, starts_at, ends_at, deleted_at
             FROM access_grants INDEXED BY access_grants_by_user
             WHERE user_identity_id = ?1 AND reservation_key IS NOT NULL",
        pieces: &[],
        scans_allowed: &[],
    },
    RuleQuery {
        source: "timeline.rs Reader::stay_hits_of_room",
        file: TIMELINE_RS,
        sql: "SELECT g.reservation_key, g.starts_at, g.ends_at, g.deleted_at
             FROM entrance_spaces es
             JOIN access_grant_entrances ge ON ge.entrance_id = es.entrance_id
             JOIN access_grants g ON g.id = ge.access_grant_id
             WHERE es.space_id = ?1 AND g.reservation_key IS NOT NULL",
        pieces: &[],
        scans_allowed: &[],
    },
    RuleQuery {
        source: "timeline.rs Reader::stay_hits_of_key",
        file: TIMELINE_RS,
        sql: "SELECT reservation_key, starts_at, ends_at, deleted_at
             FROM access_grants INDEXED BY access_grants_stays_by_key
             WHERE reservation_key = ?1",
        pieces: &[],
        scans_allowed: &[],
    },
    RuleQuery {
        source: "timeline.rs Reader::stay_hits_of_key_prefix",
        file: TIMELINE_RS,
        sql: "SELECT reservation_key, starts_at, ends_at, deleted_at
             FROM access_grants INDEXED BY access_grants_stays_by_key
             WHERE reservation_key >= ?1 AND reservation_key < ?1 || char(1114111)",
        pieces: &[],
        scans_allowed: &[],
    },
    RuleQuery {
        source: "timeline.rs Reader::guest_names",
        file: TIMELINE_RS,
        sql: "SELECT id, full_name FROM user_identities
             WHERE kind = 'guest' AND full_name IS NOT NULL",
        pieces: &[],
        // One narrow row per guest, read for a search by name with accents folded.
        scans_allowed: &["user_identities"],
    },
];

/// Tables that keep every grant, method and reservation ever made.
const HISTORY_TABLES: &[&str] = &[
    "access_grants",
    "access_grant_entrances",
    "reservations",
    "reservation_doors",
    "access_methods",
    "warnings",
];

fn squeeze(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn query_plan(connection: &Connection, sql: &str) -> Vec<String> {
    let mut statement = connection
        .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
        .unwrap_or_else(|e| panic!("{e}: {sql}"));
    let nulls = vec![Value::Null; statement.parameter_count()];
    statement
        .query_map(params_from_iter(nulls), |row| row.get::<_, String>(3))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap()
}

#[test]
fn the_copied_rule_queries_are_still_the_stores_own() {
    assert_still_in_source(RULE_QUERIES);
    assert_still_in_source(TIMELINE_QUERIES);
}

fn assert_still_in_source(queries: &[RuleQuery]) {
    for query in queries {
        let source = squeeze(query.file);
        let pieces: Vec<String> = if query.pieces.is_empty() {
            vec![squeeze(query.sql)]
        } else {
            query.pieces.iter().map(|piece| squeeze(piece)).collect()
        };
        for piece in pieces {
            assert!(
                source.contains(&piece),
                "{}: the query changed in the source; copy it here again:\n{piece}",
                query.source
            );
        }
    }
}

#[test]
fn rule_checks_search_indexes_and_never_scan_history_tables() {
    let dir = tempfile::tempdir().unwrap();
    let path = database_file(&dir);
    let store = Store::open(&path).unwrap();
    import_demo(&store);
    drop(store);
    let connection = Connection::open_with_flags(&path, OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    assert_searches_indexes(&connection, RULE_QUERIES);

    // A door's reservations start from its live ones, not from every grant that ever
    // included it (that index is searched, not scanned, but grows with the history).
    let door_reservations = RULE_QUERIES
        .iter()
        .find(|query| query.source.contains("door_reservations"))
        .unwrap();
    let plan = query_plan(&connection, door_reservations.sql);
    assert_eq!(
        plan[0], "SEARCH d USING INDEX reservation_doors_live (entrance_id=?)",
        "{plan:?}"
    );
    assert!(
        plan.iter()
            .all(|step| !step.contains("access_grant_entrances_by_entrance")),
        "{plan:?}"
    );
}

fn assert_searches_indexes(connection: &Connection, queries: &[RuleQuery]) {
    for query in queries {
        let plan = query_plan(connection, query.sql);
        assert!(!plan.is_empty(), "{}", query.source);
        for step in &plan {
            let mut words = step.split_whitespace();
            if words.next() == Some("SCAN") {
                let table = words.next().unwrap_or_default();
                assert!(
                    query.scans_allowed.contains(&table),
                    "{} scans {table}: {plan:?}",
                    query.source
                );
                assert!(!HISTORY_TABLES.contains(&table), "{}", query.source);
            }
        }
        let searches = plan.iter().filter(|step| step.starts_with("SEARCH"));
        for step in searches {
            assert!(
                step.contains("USING INDEX")
                    || step.contains("USING COVERING INDEX")
                    || step.contains("USING PRIMARY KEY")
                    || step.contains("USING INTEGER PRIMARY KEY"),
                "{}: {step}",
                query.source
            );
        }
    }
}

#[test]
fn timeline_queries_search_indexes_and_scan_only_the_guests() {
    let dir = tempfile::tempdir().unwrap();
    let path = database_file(&dir);
    let store = Store::open(&path).unwrap();
    import_demo(&store);
    drop(store);
    let connection = Connection::open_with_flags(&path, OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    assert_searches_indexes(&connection, TIMELINE_QUERIES);
    let timeline = query_plan(&connection, TIMELINE_QUERIES[0].sql);
    assert_eq!(
        timeline[0], "SEARCH g USING INDEX access_grants_stays_by_end (ends_at>?)",
        "{timeline:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// The same answers and the same work with a long history

const HISTORY: usize = 20_000;

/// What the live state of `build` looks like, and the facts to check it by.
struct Built {
    store: Store,
    path: std::path::PathBuf,
    doors: [EntranceId; 3],
    user: UserIdentityRecord,
    live: ReservationId,
    live_grants: [AccessGrantId; 2],
    other_live: ReservationId,
    history_per_door: [u32; 3],
}

/// A database with `history` past stays (grants deleted, reservations cleared, cards
/// revoked) spread over three doors, then the same live state whatever the history.
fn build(dir: &tempfile::TempDir, history: usize) -> Built {
    let path = database_file(dir);
    let store = Store::open(&path).unwrap();
    import_demo(&store);
    let keys = ["room-101-door", "room-102-door", "room-103-door"];
    let doors = keys.map(|key| entrance_id(&store, key));
    let user = store.write(|w| guest(w, "regular")).unwrap();

    let mut history_per_door = [0u32; 3];
    store
        .write(|w| {
            for i in 0..history {
                let door = i % doors.len();
                history_per_door[door] += 1;
                let key = format!("past-{i}");
                let (reservation, grant) =
                    establish(w, &user, &key, &BTreeSet::from([doors[door]]), frame(2, 3))?;
                w.delete_grant(grant, now())?;
                w.clear_reservation(reservation, now())?;
                let warning = engine::warnings::Warning {
                    code: engine::warnings::WarningCode::CardsNotCollected,
                    message: format!("Card not returned still opens {}.", keys[door]),
                };
                w.insert_warning(grant, None, &warning, now())?;
            }
            Ok::<_, Error>(())
        })
        .unwrap();

    let (live, live_grants, other_live) = store
        .write(|w| {
            let (live, first) = establish(
                w,
                &user,
                "live-1",
                &BTreeSet::from([doors[0]]),
                frame(10, 14),
            )?;
            let sequences = w.reservation_doors(live)?;
            let joiner = reservation_grant(w, &user, ("live-1", live), &sequences, frame(11, 14))?;
            w.insert_warning(first, None, &engine::warnings::encoding_required(1), now())?;
            let (other, _) = establish(
                w,
                &user,
                "live-2",
                &BTreeSet::from([doors[1]]),
                frame(10, 12),
            )?;
            Ok::<_, Error>((live, [first, joiner], other))
        })
        .unwrap();
    Built {
        store,
        path,
        doors,
        user,
        live,
        live_grants,
        other_live,
        history_per_door,
    }
}

fn check_rule_reads(built: &Built) {
    let [a, b, c] = built.doors;
    let [past_a, past_b, past_c] = built.history_per_door;
    built
        .store
        .read(|r| {
            let live = r.live_reservation("live-1")?.expect("live-1 is live");
            assert_eq!(live.id, built.live);
            assert_eq!(live.door_set, BTreeSet::from([a]));
            assert_eq!(live.grant_frames, vec![frame(10, 14), frame(11, 14)]);
            assert_eq!(
                r.reservation_frames(built.live, Some(built.live_grants[0]))?,
                vec![frame(11, 14)]
            );
            assert_eq!(
                r.reservation_doors(built.live)?,
                BTreeMap::from([(a, Some(past_a + 1))])
            );
            assert_eq!(
                r.reservation_doors(built.other_live)?,
                BTreeMap::from([(b, Some(past_b + 1))])
            );
            if past_a > 0 {
                assert!(r.live_reservation("past-0")?.is_none());
            }

            let mut expected = BTreeMap::from([(a, past_a + 1), (b, past_b + 1)]);
            if past_c > 0 {
                expected.insert(c, past_c);
            }
            assert_eq!(r.last_sequences(&BTreeSet::from([a, b, c]))?, expected);

            let on_a = r.door_reservations(a)?;
            assert_eq!(on_a.len(), 1, "{on_a:?}");
            assert_eq!(on_a[0].reservation_key, "live-1");
            assert_eq!(on_a[0].sequence, Some(past_a + 1));
            assert_eq!(on_a[0].frame, frame(10, 14));
            assert_eq!(r.door_reservations(b)?.len(), 1);
            assert!(r.door_reservations(c)?.is_empty());

            assert_eq!(r.user_identity(built.user.id)?.as_ref(), Some(&built.user));
            let entrance = r.entrance(a)?.expect("entrance");
            assert_eq!(entrance.key, "room-101-door");
            let space = r.space_by_key("room-101")?.expect("space");
            assert_eq!(space.entrance_ids, vec![a]);

            let live_on_a = r.access_grants(&GrantFilter {
                entrance_id: Some(a),
                ..Default::default()
            })?;
            let ids: Vec<_> = live_on_a.iter().map(|grant| grant.id).collect();
            assert_eq!(ids, built.live_grants);
            assert_eq!(
                live_on_a[0].entrances,
                vec![GrantEntrance {
                    entrance_id: a,
                    reservation_door: true,
                    sequence: Some(past_a + 1)
                }]
            );
            Ok::<_, Error>(())
        })
        .unwrap();
}

/// The SQLite virtual-machine steps each rule query takes on `built`: a count of work done,
/// independent of the machine and of timing.
fn rule_query_steps(built: &Built) -> Vec<(&'static str, i32)> {
    let connection =
        Connection::open_with_flags(&built.path, OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    let [a, _, _] = built.doors.map(|door| door.to_string());
    let live = built.live.to_string();
    let grant = built.live_grants[0].to_string();
    let room = built
        .store
        .read(|r| r.space_by_key("room-101"))
        .unwrap()
        .expect("room 101")
        .id
        .to_string();
    let gym_door = entrance_id(&built.store, "gym-door").to_string();
    let arguments = |source: &str| -> Vec<Value> {
        let text = |value: &str| Value::Text(value.to_owned());
        match source {
            s if s.contains("live_reservation") => vec![text("live-1")],
            s if s.contains("grant_entrances") => vec![text(&grant), text(&live)],
            s if s.contains("reservation_doors") => vec![text(&live)],
            s if s.contains("reservation_frames") => vec![text(&live), text(&grant)],
            s if s.contains("last_sequences") || s.contains("door_reservations") => {
                vec![text(&a)]
            }
            s if s.contains("user_identity") => vec![text(&built.user.id.to_string())],
            s if s.contains("Reader::entrance ") => vec![text(&a)],
            s if s.contains("spaces_of_entrances") => vec![text(&a)],
            s if s.contains("entrances_of_spaces") => vec![text(&room)],
            s if s.contains("is_common_area_entrance") => vec![text(&gym_door), text("common")],
            s if s.contains("space_by_key") => vec![text("room-101")],
            _ => vec![text(&grant)],
        }
    };
    RULE_QUERIES
        .iter()
        .map(|query| {
            let mut statement = connection.prepare(query.sql).unwrap();
            let mut rows = statement
                .query(params_from_iter(arguments(query.source)))
                .unwrap();
            let mut count = 0;
            while rows.next().unwrap().is_some() {
                count += 1;
            }
            drop(rows);
            assert!(count > 0, "{} found nothing", query.source);
            (query.source, statement.get_status(StatementStatus::VmStep))
        })
        .collect()
}

#[test]
fn rule_checks_read_the_same_with_twenty_thousand_past_stays() {
    let small_dir = tempfile::tempdir().unwrap();
    let small = build(&small_dir, 0);
    let big_dir = tempfile::tempdir().unwrap();
    let big = build(&big_dir, HISTORY);
    assert_eq!(big.history_per_door.iter().sum::<u32>() as usize, HISTORY);

    check_rule_reads(&small);
    check_rule_reads(&big);

    // A key of a past stay may be used again: only live reservations hold their key.
    let door = big.doors[2];
    let (reused, _) = big
        .store
        .write(|w| {
            establish(
                w,
                &big.user,
                "past-2",
                &BTreeSet::from([door]),
                frame(20, 21),
            )
        })
        .unwrap();
    let reads = big
        .store
        .read(|r| Ok::<_, Error>((r.live_reservation("past-2")?, r.reservation_doors(reused)?)));
    let (live, doors) = reads.unwrap();
    assert_eq!(live.map(|live| live.id), Some(reused));
    assert_eq!(
        doors,
        BTreeMap::from([(door, Some(big.history_per_door[2] + 1))])
    );
    assert_eq!(big.store.integrity_check().unwrap(), ["ok"]);
}

#[test]
fn rule_checks_do_the_same_work_with_twenty_thousand_past_stays() {
    let small_dir = tempfile::tempdir().unwrap();
    let small = build(&small_dir, 30);
    let big_dir = tempfile::tempdir().unwrap();
    let big = build(&big_dir, HISTORY);
    let small_steps = rule_query_steps(&small);
    let big_steps = rule_query_steps(&big);
    // A step or two either way comes from comparing random ids; a walk through the history
    // would be tens of thousands (the unfixed door_reservations took 46,812 against 213).
    for ((source, small), (_, big)) in small_steps.iter().zip(&big_steps) {
        assert!(
            big.abs_diff(*small) <= 4,
            "{source}: {small} steps with 30 past stays, {big} with {HISTORY}"
        );
    }
}
