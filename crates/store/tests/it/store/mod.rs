//! The store on real files and in memory: connection settings, reopening, refusing a newer
//! database, transactions, and the query plans of the reads the reservation rules make.

#![allow(clippy::unwrap_used)] // helpers outside #[test] functions unwrap too

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, TimeZone, Utc};
use engine::model::{
    AccessGrantId, AccessMode, EntranceId, RequestedAccessMethod, ReservationId, TimeFrame,
    UserKind,
};
use engine::property::demo_property;
use store::{
    GrantEntrance, NewAccessMethod, NewGrant, NewUserIdentity, Reader, Store, UserIdentityRecord,
    Writer,
};

mod connection;
mod group_commit;
mod long_history;
mod memory_and_file;
mod queries;
mod query_plans;

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
            staff_terms: None,
            one_shot: false,
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
