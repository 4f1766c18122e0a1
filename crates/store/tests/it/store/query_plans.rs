//! Query plans of those reads: indexes, and no scan of the history tables.

use rusqlite::types::Value;
use rusqlite::{Connection, OpenFlags, params_from_iter};
use store::Store;

use super::queries::{RULE_QUERIES, RuleQuery, TIMELINE_QUERIES};
use super::{database_file, import_demo};

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
