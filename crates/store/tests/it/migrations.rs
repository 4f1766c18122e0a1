//! Opening a database written by an older version: every row survives the migrations, in
//! its order, with the constraints still enforced.

#![allow(clippy::unwrap_used)] // helpers outside #[test] functions unwrap too

use std::path::Path;

use chrono::{TimeZone, Utc};
use engine::model::UserKind;
use rusqlite::Connection;
use rusqlite::types::ValueRef;
use rusqlite_migration::{M, Migrations};
use store::{
    AuditFilter, AuditOutcome, GrantEntrance, GrantFilter, NewAuditEntry, NewUserIdentity, Store,
};

/// The migrations of earlier versions, oldest first, as shipped.
const SHIPPED: [&str; 12] = [
    include_str!("../../src/migrations/001_initial.sql"),
    include_str!("../../src/migrations/002_cards.sql"),
    include_str!("../../src/migrations/003_desk.sql"),
    include_str!("../../src/migrations/004_sign_in.sql"),
    include_str!("../../src/migrations/005_leaner_writes.sql"),
    include_str!("../../src/migrations/006_sequences_at_encode.sql"),
    include_str!("../../src/migrations/007_warnings_expire.sql"),
    include_str!("../../src/migrations/008_cards_come_back_one_by_one.sql"),
    include_str!("../../src/migrations/009_timeline.sql"),
    include_str!("../../src/migrations/010_terminals.sql"),
    include_str!("../../src/migrations/011_pms_link.sql"),
    include_str!("../../src/migrations/012_key_vocabulary.sql"),
];

/// The schema of an earlier version: its first `version` migrations.
fn schema(path: &Path, version: usize) -> Connection {
    let mut connection = Connection::open(path).unwrap();
    Migrations::new(SHIPPED[..version].iter().map(|sql| M::up(sql)).collect())
        .to_latest(&mut connection)
        .unwrap();
    connection
        .pragma_update(None, "foreign_keys", "ON")
        .unwrap();
    connection
}

const AT: &str = "2025-05-01T09:00:00.000Z";

/// People, stays, grants, cards and an audit trail as version 4 stored them, with ids that
/// do not sort in the order the rows were written (each id's first group says which row).
fn fill(connection: &Connection) {
    connection
        .execute_batch(&format!(
            "INSERT INTO user_identities (id, user_identity_key, full_name, kind, created_at)
             VALUES ('0000000c-0000-4000-8000-000000000000', 'housekeeping-1', 'Ana', 'staff', '{AT}'),
                    ('0000000a-0000-4000-8000-000000000000', NULL, 'Bo', 'guest', '{AT}'),
                    ('0000000b-0000-4000-8000-000000000000', NULL, 'Cy', 'guest', '{AT}');
             INSERT INTO reservations (id, reservation_key, established_at, cleared_at)
             VALUES ('000000f2-0000-4000-8000-000000000000', 'stay-live', '{AT}', NULL),
                    ('000000f1-0000-4000-8000-000000000000', 'stay-old', '{AT}', '{AT}');
             INSERT INTO access_grants (id, user_identity_id, reservation_key, reservation_id,
                 starts_at, ends_at, requested_access_methods, space_ids, created_at,
                 deleted_at)
             VALUES ('000000e2-0000-4000-8000-000000000000', '0000000a-0000-4000-8000-000000000000', 'stay-live', '000000f2-0000-4000-8000-000000000000', '{AT}', '2025-05-03T11:00:00.000Z',
                     '[]', '[]', '{AT}', NULL),
                    ('000000e1-0000-4000-8000-000000000000', '0000000b-0000-4000-8000-000000000000', 'stay-old', '000000f1-0000-4000-8000-000000000000', '{AT}', '2025-05-02T11:00:00.000Z',
                     '[]', '[]', '{AT}', '{AT}');
             INSERT INTO access_methods (id, access_grant_id, request_index, mode, copy_number,
                 created_at, lost_at)
             VALUES ('000000d3-0000-4000-8000-000000000000', '000000e2-0000-4000-8000-000000000000', 0, 'card', 1, '{AT}', NULL),
                    ('000000d1-0000-4000-8000-000000000000', '000000e2-0000-4000-8000-000000000000', 0, 'card', 2, '{AT}', '{AT}'),
                    ('000000d2-0000-4000-8000-000000000000', '000000e1-0000-4000-8000-000000000000', 1, 'code', NULL, '{AT}', NULL);
             INSERT INTO warnings (access_grant_id, access_method_id, code, message, created_at)
             VALUES ('000000e2-0000-4000-8000-000000000000', '000000d1-0000-4000-8000-000000000000', 'encoding_required', 'new dates', '{AT}');
             INSERT INTO audit_log (at, actor, action, subject_id, outcome, after)
             VALUES ('{AT}', 'operator:ana', 'stay.check_in', 'stay-live', 'ok', '{{}}'),
                    ('{AT}', 'operator:ana', 'access_method.lost', '000000d1-0000-4000-8000-000000000000', 'ok', NULL),
                    ('{AT}', 'api', 'access_grant.delete', '000000e9-0000-4000-8000-000000000000', 'refused', NULL);"
        ))
        .unwrap();
}

/// Every row of the tables the migration rebuilds, in the order rows are read back.
fn rows(connection: &Connection) -> Vec<String> {
    let queries = [
        "SELECT rowid, * FROM user_identities ORDER BY rowid",
        "SELECT * FROM reservations ORDER BY id",
        "SELECT rowid, * FROM access_methods ORDER BY rowid",
        "SELECT id, at, actor, action, subject_id, outcome, before, after, detail
         FROM audit_log ORDER BY id",
        // The columns a version-4 database has.
        "SELECT rowid, id, access_grant_id, access_method_id, entrance_id, code, message,
                created_at
         FROM warnings ORDER BY rowid",
    ];
    let mut all = Vec::new();
    for sql in queries {
        let mut statement = connection.prepare(sql).unwrap();
        let columns = statement.column_count();
        let mut found = statement.query([]).unwrap();
        while let Some(row) = found.next().unwrap() {
            let values: Vec<String> = (0..columns)
                .map(|index| match row.get_ref(index).unwrap() {
                    ValueRef::Null => "NULL".to_owned(),
                    ValueRef::Integer(number) => number.to_string(),
                    ValueRef::Text(text) => String::from_utf8_lossy(text).into_owned(),
                    other => format!("{other:?}"),
                })
                .collect();
            all.push(values.join("|"));
        }
    }
    all
}

#[test]
fn a_version_4_database_keeps_every_row_in_order_and_every_constraint() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("frontdesk.sqlite3");
    let before = {
        let connection = schema(&path, 4);
        fill(&connection);
        rows(&connection)
    };
    assert_eq!(before.len(), 3 + 2 + 3 + 3 + 1);

    let store = Store::open(&path).unwrap();
    assert_eq!(
        store.settings().unwrap().user_version,
        i64::try_from(Store::schema_version()).unwrap()
    );
    assert!(store.settings().unwrap().foreign_keys);
    let now = Utc.with_ymd_and_hms(2025, 5, 1, 10, 0, 0).unwrap();
    let staff_key = NewUserIdentity {
        key: Some("housekeeping-1".into()),
        full_name: Some("Another Ana".into()),
        email_address: None,
        phone_number: None,
        kind: UserKind::Staff,
    };
    let keyless = NewUserIdentity {
        key: None,
        full_name: Some("Di".into()),
        kind: UserKind::Guest,
        ..staff_key.clone()
    };
    let (found, duplicate_key, new_guest) = store
        .write(|w| {
            let found = w.user_identity_by_key("housekeeping-1")?;
            let duplicate_key = w.insert_user_identity(&staff_key, now).map(|_| ());
            let new_guest = w.insert_user_identity(&keyless, now)?;
            w.audit(
                &NewAuditEntry {
                    actor: "operator:ana",
                    action: "stay.check_out",
                    subject_id: Some("stay-live".into()),
                    outcome: AuditOutcome::Ok,
                    before: None,
                    after: None,
                    detail: None,
                    terminal: None,
                },
                now,
            )?;
            Ok::<_, store::Error>((found, duplicate_key, new_guest))
        })
        .unwrap();
    assert_eq!(found.map(|user| user.full_name), Some(Some("Ana".into())));
    assert!(
        duplicate_key.is_err(),
        "a key still names one person only: {duplicate_key:?}"
    );
    assert_eq!(new_guest.key, None);
    let live = store
        .read(|r| {
            r.access_grants(&GrantFilter {
                reservation_key: Some("stay-live".into()),
                ..Default::default()
            })
        })
        .unwrap();
    assert_eq!(
        live.iter()
            .map(|grant| grant.id.to_string())
            .collect::<Vec<_>>(),
        ["000000e2-0000-4000-8000-000000000000"],
        "a stay's grants are found by its key through its live reservation"
    );
    let log = store
        .read(|r| r.audit_log(&AuditFilter::default()))
        .unwrap();
    assert_eq!(
        log.iter().map(|entry| entry.id).collect::<Vec<_>>(),
        [4, 3, 2, 1],
        "the audit log goes on from its last id"
    );
    drop(store);

    let connection = Connection::open(&path).unwrap();
    connection
        .pragma_update(None, "foreign_keys", "ON")
        .unwrap();
    let after = rows(&connection);
    let kept: Vec<&String> = after
        .iter()
        .filter(|row| !row.contains("|Di|") && !row.contains("stay.check_out"))
        .collect();
    assert_eq!(kept, before.iter().collect::<Vec<_>>());
    let expiring: i64 = connection
        .query_row(
            "SELECT COUNT(*) FROM warnings WHERE expires_at IS NOT NULL",
            [],
            |row| row.get(0),
        )
        .unwrap();
    assert_eq!(
        expiring, 0,
        "a warning written before expiry holds until replaced"
    );
    let problems: i64 = connection
        .query_row("SELECT COUNT(*) FROM pragma_foreign_key_check", [], |row| {
            row.get(0)
        })
        .unwrap();
    assert_eq!(problems, 0);
    let integrity: String = connection
        .query_row("PRAGMA integrity_check", [], |row| row.get(0))
        .unwrap();
    assert_eq!(integrity, "ok");
    for (sql, what) in [
        (
            "INSERT INTO user_identities (id, kind, created_at) VALUES ('x', 'alien', 't')",
            "a kind outside guest, resident and staff",
        ),
        (
            "INSERT INTO access_methods (id, access_grant_id, request_index, mode, created_at)
             VALUES ('x', '000000e1-0000-4000-8000-000000000000', 0, 'telepathy', 't')",
            "a mode outside card, mobile key and code",
        ),
        (
            "INSERT INTO reservations (id, reservation_key, established_at)
             VALUES ('r-3', 'stay-live', 't')",
            "a second live reservation under one key",
        ),
        (
            "INSERT INTO access_grants (id, user_identity_id, reservation_key, reservation_id,
                 starts_at, ends_at, requested_access_methods, space_ids, created_at)
             VALUES ('x', '0000000a-0000-4000-8000-000000000000', 'stay-none', 'r-none',
                     'a', 'b', '[]', '[]', 't')",
            "a grant in a reservation that does not exist",
        ),
        (
            "INSERT INTO access_grants (id, user_identity_id, starts_at, ends_at,
                 requested_access_methods, space_ids, created_at)
             VALUES ('x', 'nobody', 'a', 'b', '[]', '[]', 't')",
            "a grant for a person who does not exist",
        ),
    ] {
        assert!(
            connection.execute(sql, []).is_err(),
            "{what} must be refused"
        );
    }
}

#[test]
fn a_version_5_database_keeps_its_reservations_numbers_and_grants_doors() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("frontdesk.sqlite3");
    let room = "000000a1-0000-4000-8000-000000000000";
    let gym = "000000a2-0000-4000-8000-000000000000";
    let live = "000000f2-0000-4000-8000-000000000000";
    let grant = "000000e2-0000-4000-8000-000000000000";
    {
        let connection = schema(&path, 5);
        connection
            .execute_batch(&format!(
                "INSERT INTO access_systems (id, key, name, kind, created_at)
                 VALUES ('000000b1-0000-4000-8000-000000000000', 'locks', 'Locks',
                         'offline_override', '{AT}');
                 INSERT INTO entrances (id, key, name, access_system_id,
                     can_belong_to_reservation, modes, created_at)
                 VALUES ('{room}', 'room-101-door', 'Room 101',
                         '000000b1-0000-4000-8000-000000000000', 1, 'card', '{AT}'),
                        ('{gym}', 'gym-door', 'Gym',
                         '000000b1-0000-4000-8000-000000000000', 0, 'card', '{AT}');
                 INSERT INTO user_identities (id, kind, created_at)
                 VALUES ('0000000a-0000-4000-8000-000000000000', 'guest', '{AT}');
                 INSERT INTO reservations (id, reservation_key, established_at, cleared_at)
                 VALUES ('000000f1-0000-4000-8000-000000000000', 'stay-old', '{AT}', '{AT}'),
                        ('{live}', 'stay-live', '{AT}', NULL);
                 INSERT INTO reservation_doors (reservation_id, entrance_id, sequence, live)
                 VALUES ('000000f1-0000-4000-8000-000000000000', '{room}', 6, 0),
                        ('{live}', '{room}', 7, 1);
                 INSERT INTO access_grants (id, user_identity_id, reservation_key,
                     reservation_id, starts_at, ends_at, requested_access_methods, space_ids,
                     created_at)
                 VALUES ('{grant}', '0000000a-0000-4000-8000-000000000000', 'stay-live',
                         '{live}', '{AT}', '2025-05-03T11:00:00.000Z', '[]', '[]', '{AT}');
                 INSERT INTO access_grant_entrances (access_grant_id, entrance_id, sequence)
                 VALUES ('{grant}', '{room}', 7), ('{grant}', '{gym}', NULL);"
            ))
            .unwrap();
    }

    let store = Store::open(&path).unwrap();
    let room_id = room.parse().unwrap();
    let gym_id = gym.parse().unwrap();
    let (stored, doors, last) = store
        .read(|r| {
            Ok::<_, store::Error>((
                r.access_grant(grant.parse().unwrap())?.unwrap(),
                r.reservation_doors(live.parse().unwrap())?,
                r.last_sequences(&[room_id].into())?,
            ))
        })
        .unwrap();
    assert_eq!(
        stored.entrances,
        [
            GrantEntrance {
                entrance_id: gym_id,
                reservation_door: false,
                sequence: None
            },
            GrantEntrance {
                entrance_id: room_id,
                reservation_door: true,
                sequence: Some(7)
            },
        ]
    );
    assert_eq!(doors, [(room_id, Some(7))].into());
    assert_eq!(last, [(room_id, 7)].into());
    drop(store);

    let connection = Connection::open(&path).unwrap();
    connection
        .pragma_update(None, "foreign_keys", "ON")
        .unwrap();
    let rows: Vec<(String, String, Option<u32>, u32)> = connection
        .prepare("SELECT reservation_id, entrance_id, sequence, live FROM reservation_doors")
        .unwrap()
        .query_map([], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
        })
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    assert_eq!(
        rows,
        [
            (
                "000000f1-0000-4000-8000-000000000000".to_owned(),
                room.to_owned(),
                Some(6),
                0
            ),
            (live.to_owned(), room.to_owned(), Some(7), 1),
        ]
    );
    let problems: i64 = connection
        .query_row("SELECT COUNT(*) FROM pragma_foreign_key_check", [], |row| {
            row.get(0)
        })
        .unwrap();
    assert_eq!(problems, 0);
    // A door may wait for its number, any number of them; a number is still given once.
    for reservation in ["000000f1-0000-4000-8000-000000000000", live] {
        connection
            .execute(
                "INSERT INTO reservation_doors (reservation_id, entrance_id)
                 VALUES (?1, '{gym}')"
                    .replace("{gym}", gym)
                    .as_str(),
                [reservation],
            )
            .unwrap();
    }
    for (sql, what) in [
        (
            format!(
                "UPDATE reservation_doors SET sequence = 7 WHERE entrance_id = '{room}' \
                 AND sequence = 6"
            ),
            "a number handed out twice on one door",
        ),
        (
            format!("UPDATE reservation_doors SET sequence = 0 WHERE entrance_id = '{gym}'"),
            "a number below 1",
        ),
    ] {
        assert!(
            connection.execute(&sql, []).is_err(),
            "{what} must be refused"
        );
    }
}

#[test]
fn a_version_12_database_keeps_its_cards_in_order_and_takes_the_new_kinds() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("frontdesk.sqlite3");
    let card_rows = |connection: &Connection| -> Vec<String> {
        let mut statement = connection
            .prepare(
                "SELECT c.rowid, c.op_id, c.kind, c.card_uid, c.lost_at, o.rowid, o.state,
                        o.encoder_id
                 FROM cards c JOIN encode_operations o USING (op_id) ORDER BY c.rowid",
            )
            .unwrap();
        statement
            .query_map([], |row| {
                Ok((0..8)
                    .map(|index| match row.get_ref(index).unwrap() {
                        ValueRef::Null => "NULL".to_owned(),
                        ValueRef::Integer(number) => number.to_string(),
                        ValueRef::Text(text) => String::from_utf8_lossy(text).into_owned(),
                        other => format!("{other:?}"),
                    })
                    .collect::<Vec<_>>()
                    .join("|"))
            })
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
    };
    let before = {
        let connection = schema(&path, 12);
        // Rowids that do not follow the op ids, as written over time.
        connection
            .execute_batch(&format!(
                "INSERT INTO encode_operations (rowid, op_id, kind, card_uid, image, image_hash,
                     state, actor, created_at, encoder_id)
                 VALUES (7, 'op-b', 'cancel', '04a1', x'00', 'h', 'written', 'a', '{AT}', NULL),
                        (3, 'op-a', 'staff', '04a2', x'00', 'h', 'written', 'a', '{AT}', 't1'),
                        (9, 'op-c', 'guest', '04a3', x'00', 'h', 'pending', 'a', '{AT}', NULL);
                 INSERT INTO cards (rowid, op_id, card_uid, kind, key_epoch, valid_from,
                     valid_until, written_at, lost_at)
                 VALUES (5, 'op-b', '04a1', 'cancel', 1, '{AT}', '{AT}', '{AT}', NULL),
                        (2, 'op-a', '04a2', 'staff', 1, '{AT}', '{AT}', '{AT}', '{AT}');"
            ))
            .unwrap();
        card_rows(&connection)
    };
    assert_eq!(before.len(), 2);

    drop(Store::open(&path).unwrap());
    let connection = Connection::open(&path).unwrap();
    connection
        .pragma_update(None, "foreign_keys", "ON")
        .unwrap();
    assert_eq!(card_rows(&connection), before);
    for kind in ["one_shot", "lock_out", "lock_out_lift"] {
        connection
            .execute(
                &format!(
                    "INSERT INTO encode_operations (op_id, kind, card_uid, image, image_hash,
                         state, actor, created_at)
                     VALUES ('op-{kind}', '{kind}', '04b1', x'00', 'h', 'pending', 'a', '{AT}')"
                ),
                [],
            )
            .unwrap();
    }
    for (sql, what) in [
        (
            format!(
                "INSERT INTO encode_operations (op_id, kind, card_uid, image, image_hash, state,
                     actor, created_at)
                 VALUES ('op-x', 'skeleton', '04b1', x'00', 'h', 'pending', 'a', '{AT}')"
            ),
            "an unknown kind",
        ),
        (
            format!(
                "INSERT INTO cards (op_id, card_uid, kind, key_epoch, valid_from, valid_until,
                     written_at)
                 VALUES ('op-missing', '04b1', 'guest', 1, '{AT}', '{AT}', '{AT}')"
            ),
            "a card without its encode operation",
        ),
    ] {
        assert!(
            connection.execute(&sql, []).is_err(),
            "{what} must be refused"
        );
    }
}
