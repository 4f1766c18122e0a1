//! The same results on `:memory:` and on a file.

use std::collections::{BTreeMap, BTreeSet};

use engine::model::{AccessMode, EntranceId, TimeFrame, UserKind};
use store::{AuditFilter, AuditOutcome, Error, GrantFilter, NewAuditEntry, Store, Writer};

use super::{
    database_file, entrance_ids, establish, frame, guest, import_demo, now, reservation_grant,
};

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
                terminal: None,
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
