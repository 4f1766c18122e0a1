//! The checks after every operation: the grant made, the numbering, the invariants, the model.

use std::collections::{BTreeMap, BTreeSet};

use chrono::Duration;
use engine::model::AccessMode;
use frontdesk::AccessGrantRecord;
use uuid::Uuid;

use super::{
    GROWING_TABLES, Placement, Row, Snapshot, World, cell, cleared_at, instant, instant_of,
    is_live, optional_number,
};

impl World {
    /// A created grant carries the sequences the model predicts: none on a new reservation
    /// (its first encoded card takes them), its reservation's on a joiner.
    pub(super) fn check_created(
        &self,
        grant: &AccessGrantRecord,
        placement: &Placement,
        before: &Snapshot,
        what: &str,
    ) {
        let sequences: BTreeMap<Uuid, Option<u32>> = grant
            .entrances
            .iter()
            .map(|entrance| (entrance.entrance_id, entrance.sequence))
            .collect();
        let capable = |id: &Uuid| self.entrance(*id).unwrap().can_belong_to_reservation;
        match placement {
            Placement::Standard => {
                assert_eq!(grant.reservation_id, None, "{what}");
                assert!(sequences.values().all(Option::is_none), "{what}");
            }
            Placement::Join(reservation_id) => {
                assert_eq!(
                    grant.reservation_id,
                    Some(*reservation_id),
                    "{what}\nnot joined"
                );
                let numbers = &self.history.reservation_doors[&reservation_id.to_string()];
                for (door, sequence) in &sequences {
                    if capable(door) {
                        assert_eq!(
                            sequence.map(i64::from),
                            numbers[&door.to_string()],
                            "{what}\na joiner without its reservation's number"
                        );
                    }
                }
            }
            Placement::Establish => {
                let id = grant.reservation_id.expect("a new reservation").to_string();
                assert!(
                    !before.data["reservations"]
                        .iter()
                        .any(|row| cell(row, "id") == id),
                    "{what}\nestablished on an old reservation"
                );
                assert!(
                    sequences.values().all(Option::is_none),
                    "{what}\na new reservation numbered before any card was encoded"
                );
            }
        }
        for entrance in &grant.entrances {
            assert_eq!(
                entrance.reservation_door,
                grant.reservation_id.is_some() && capable(&entrance.entrance_id),
                "{what}\na reservation door that is not capable, or a capable one left out"
            );
            assert!(
                entrance.reservation_door || entrance.sequence.is_none(),
                "{what}\na sequence on a door outside the reservation"
            );
        }
    }

    /// Numbers appear only with an encoded card, on the doors it carries, each the door's
    /// next: `encoded` is the access method a step encoded, if it did.
    pub(super) fn check_numbering(&self, after: &Snapshot, encoded: Option<Uuid>, what: &str) {
        let doors_on_card: BTreeSet<(String, String)> = encoded
            .and_then(|id| self.model.method(id))
            .and_then(|method| self.model.grant(method.grant))
            .and_then(|grant| grant.reservation_id.map(|r| (r, grant.capable.clone())))
            .map(|(reservation, doors)| {
                doors
                    .into_iter()
                    .filter(|door| {
                        let entrance = self.entrance(*door).unwrap();
                        entrance.access_system_kind.is_override_based()
                            && entrance.modes.contains(&AccessMode::Card)
                    })
                    .map(|door| (reservation.to_string(), door.to_string()))
                    .collect()
            })
            .unwrap_or_default();
        for row in &after.data["reservation_doors"] {
            let pair = (cell(row, "reservation_id"), cell(row, "entrance_id"));
            let was = self
                .history
                .reservation_doors
                .get(&pair.0)
                .and_then(|doors| doors.get(&pair.1))
                .copied()
                .flatten();
            let now = optional_number(row, "sequence");
            let is_cancel = cell(row, "live") == "0" && was.is_none() && now.is_some();
            if was.is_none() && now.is_some() && !is_cancel {
                assert!(
                    doors_on_card.contains(&pair),
                    "{what}\ndoor {} of reservation {} numbered without a card carrying it",
                    pair.1,
                    pair.0
                );
            }
            if doors_on_card.contains(&pair) {
                assert!(
                    now.is_some(),
                    "{what}\nan encoded card's door left unnumbered"
                );
            }
        }
    }

    /// Every invariant, on the state after an operation (`before` is the state before it).
    pub(super) fn check_invariants(&self, before: &Snapshot, after: &Snapshot, what: Option<&str>) {
        let what = what.unwrap_or("initial state");
        let data = &after.data;
        let reservations: BTreeMap<String, &Row> = data["reservations"]
            .iter()
            .map(|row| (cell(row, "id"), row))
            .collect();
        let mut doors_of: BTreeMap<String, BTreeMap<String, Option<i64>>> = BTreeMap::new();
        for row in &data["reservation_doors"] {
            let reservation = cell(row, "reservation_id");
            let live = cleared_at(reservations[&reservation]).is_none();
            assert_eq!(
                cell(row, "live") == "1",
                live,
                "{what}\nreservation_doors.live out of step with its reservation"
            );
            doors_of
                .entry(reservation)
                .or_default()
                .insert(cell(row, "entrance_id"), optional_number(row, "sequence"));
        }

        // 2. A reservation's doors never change, nor a number once given; a cleared one stays
        // cleared.
        for (reservation, doors) in &self.history.reservation_doors {
            let now = doors_of.get(reservation);
            assert_eq!(
                now.map(|now| now.keys().collect::<Vec<_>>()),
                Some(doors.keys().collect()),
                "{what}\nthe door set of reservation {reservation} changed"
            );
            for (door, sequence) in doors {
                if sequence.is_some() {
                    assert_eq!(
                        now.unwrap()[door],
                        *sequence,
                        "{what}\nthe number of door {door} of reservation {reservation} changed"
                    );
                }
            }
        }
        for (reservation, at) in &self.history.cleared {
            assert_eq!(
                cleared_at(reservations[reservation]).as_ref(),
                Some(at),
                "{what}\na cleared reservation came back"
            );
        }

        // 4. No (door, sequence) twice, ever; and each door's numbers only go up.
        let mut seen = BTreeSet::new();
        for (reservation, doors) in &doors_of {
            for (door, sequence) in doors {
                let Some(sequence) = sequence else {
                    continue;
                };
                assert!(*sequence > 0, "{what}");
                assert!(
                    seen.insert((door.clone(), *sequence)),
                    "{what}\nsequence {sequence} handed out twice on door {door}"
                );
                let pair = (door.clone(), *sequence);
                match self.history.sequences.get(&pair) {
                    Some(owner) => assert_eq!(
                        owner, reservation,
                        "{what}\nsequence {sequence} of door {door} moved to another reservation"
                    ),
                    None => {
                        let highest = self
                            .history
                            .sequences
                            .keys()
                            .filter(|(d, _)| d == door)
                            .map(|(_, s)| *s)
                            .max()
                            .unwrap_or(0);
                        assert!(
                            *sequence > highest,
                            "{what}\nnew sequence {sequence} on door {door} is not above {highest}"
                        );
                    }
                }
            }
        }

        // At most one live reservation per key, and it has live grants.
        let grants = &data["access_grants"];
        let mut live_keys = BTreeSet::new();
        for (id, row) in &reservations {
            if cleared_at(row).is_none() {
                let key = cell(row, "reservation_key");
                assert!(live_keys.insert(key.clone()), "{what}\ntwo live {key}");
                assert!(
                    grants
                        .iter()
                        .any(|g| g["reservation_id"].as_deref() == Some(id.as_str()) && is_live(g)),
                    "{what}\nlive reservation {key} without a live grant"
                );
                let model = self.model.reservations.get(&key);
                assert_eq!(
                    model.map(|m| m.id.to_string()),
                    Some(id.clone()),
                    "{what}\nlive reservation {key} unknown to the model"
                );
                let doors: BTreeSet<String> = doors_of
                    .get(id)
                    .map(|d| d.keys().cloned().collect())
                    .unwrap_or_default();
                let model_doors: BTreeSet<String> = model
                    .unwrap()
                    .doors
                    .iter()
                    .map(ToString::to_string)
                    .collect();
                assert_eq!(doors, model_doors, "{what}\ndoor set of {key}");
            }
        }
        assert_eq!(
            live_keys,
            self.model.reservations.keys().cloned().collect(),
            "{what}\nlive reservations differ from the model"
        );

        // 3. A live grant of a reservation has each capable door in its reservation's door
        // set; the numbers are the reservation's.
        let mut entrances_of: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for row in &data["access_grant_entrances"] {
            entrances_of
                .entry(cell(row, "access_grant_id"))
                .or_default()
                .push(cell(row, "entrance_id"));
        }
        for grant in grants.iter().filter(|g| is_live(g)) {
            let id = cell(grant, "id");
            let entrances = entrances_of.get(&id).expect("a grant has entrances");
            match grant["reservation_id"].as_deref() {
                None => {}
                Some(reservation) => {
                    let row = reservations[reservation];
                    assert!(
                        cleared_at(row).is_none(),
                        "{what}\nlive grant on a cleared reservation"
                    );
                    assert_eq!(
                        grant["reservation_key"].as_deref(),
                        Some(cell(row, "reservation_key").as_str()),
                        "{what}"
                    );
                    let doors = &doors_of[reservation];
                    for door in entrances {
                        let capable = self
                            .entrance(door.parse().unwrap())
                            .unwrap()
                            .can_belong_to_reservation;
                        assert_eq!(
                            doors.contains_key(door),
                            capable,
                            "{what}\ngrant {id}: a capable door outside its reservation's door \
                             set, or a common door in it"
                        );
                    }
                }
            }
        }

        // 7. Nothing is ever deleted, and every issued card keeps its record.
        for table in GROWING_TABLES {
            let count = data[table].len();
            let previous = self.history.counts.get(table).copied().unwrap_or(0);
            assert!(
                count >= previous,
                "{what}\n{table} went from {previous} to {count}"
            );
        }
        let methods: BTreeMap<String, &Row> = data["access_methods"]
            .iter()
            .map(|row| (cell(row, "id"), row))
            .collect();
        for id in &self.history.issued {
            let row = methods.get(id).expect("an issued card keeps its record");
            assert!(
                row["issued_at"].is_some(),
                "{what}\nissued card lost issued_at"
            );
            assert!(
                row["card_id"].is_some(),
                "{what}\nissued card lost its card id"
            );
        }
        assert!(before.audit.iter().all(|row| after.audit.contains(row)));

        self.check_model(after, what);
        self.check_door_warnings(after, what);
    }

    /// The lock-timeline warnings stored for each door are the ones the engine computes from
    /// the door's live reservations now, on each live grant of the reservation at the door.
    fn check_door_warnings(&self, after: &Snapshot, what: &str) {
        let door_codes = [
            "previous_guest_can_enter",
            "sequence_inversion",
            "sequence_too_far_ahead",
        ];
        let mut stored: Vec<(String, String, String, String)> = after.data["warnings"]
            .iter()
            .filter(|row| door_codes.contains(&cell(row, "code").as_str()))
            .map(|row| {
                (
                    cell(row, "entrance_id"),
                    cell(row, "access_grant_id"),
                    cell(row, "code"),
                    cell(row, "message"),
                )
            })
            .collect();
        stored.sort();
        let mut expected = Vec::new();
        for entrance in self
            .entrances
            .iter()
            .filter(|e| e.can_belong_to_reservation)
        {
            let (reservations, history) = self
                .desk
                .desk
                .store()
                .read(|r| {
                    let history = engine::warnings::DoorHistory {
                        last_sequence: r
                            .last_sequences(&BTreeSet::from([entrance.id]))?
                            .get(&entrance.id)
                            .copied()
                            .unwrap_or(0),
                        lock: r.known_lock_state(entrance.id)?,
                    };
                    Ok::<_, store::Error>((r.door_timeline(entrance.id)?, history))
                })
                .unwrap();
            for found in engine::warnings::door_warnings(
                entrance.id,
                &entrance.name,
                &reservations,
                &history,
            ) {
                for grant in &self.model.grants {
                    if grant.live
                        && grant.reservation_id == Some(found.reservation_id)
                        && grant.capable.contains(&entrance.id)
                    {
                        expected.push((
                            entrance.id.to_string(),
                            grant.id.to_string(),
                            found.warning.code.as_str().to_owned(),
                            found.warning.message.clone(),
                        ));
                    }
                }
            }
        }
        expected.sort();
        assert_eq!(
            stored, expected,
            "{what}
door warnings out of step"
        );
    }

    /// The database agrees with the model, grant by grant and method by method; and the
    /// encoding and collection warnings match the methods.
    fn check_model(&self, after: &Snapshot, what: &str) {
        let data = &after.data;
        assert_eq!(
            data["access_grants"].len(),
            self.model.grants.len(),
            "{what}"
        );
        assert_eq!(
            data["access_methods"].len(),
            self.model.methods.len(),
            "{what}"
        );
        let grants: BTreeMap<String, &Row> = data["access_grants"]
            .iter()
            .map(|row| (cell(row, "id"), row))
            .collect();
        for grant in &self.model.grants {
            let row = grants[&grant.id.to_string()];
            assert_eq!(is_live(row), grant.live, "{what}\ngrant {}", grant.id);
            assert_eq!(instant(row, "starts_at"), grant.frame.starts_at, "{what}");
            assert_eq!(instant(row, "ends_at"), grant.frame.ends_at, "{what}");
            assert_eq!(
                row["reservation_id"].clone(),
                grant.reservation_id.map(|id| id.to_string()),
                "{what}"
            );
            assert_eq!(row["reservation_key"], grant.key, "{what}");
        }
        let methods: BTreeMap<String, &Row> = data["access_methods"]
            .iter()
            .map(|row| (cell(row, "id"), row))
            .collect();
        let mut warnings: BTreeMap<(String, Option<String>, String), usize> = BTreeMap::new();
        for row in &data["warnings"] {
            let code = cell(row, "code");
            let holds = row["expires_at"]
                .as_deref()
                .is_none_or(|expires_at| self.now < instant_of(expires_at));
            if holds && (code == "encoding_required" || code == "cards_not_collected") {
                *warnings
                    .entry((
                        cell(row, "access_grant_id"),
                        row["access_method_id"].clone(),
                        code,
                    ))
                    .or_default() += 1;
            }
        }
        let mut expected: BTreeMap<(String, Option<String>, String), usize> = BTreeMap::new();
        for method in &self.model.methods {
            let row = methods[&method.id.to_string()];
            let m = &method.id;
            assert_eq!(cell(row, "access_grant_id"), method.grant.to_string());
            assert_eq!(
                row["revoked_at"].is_some(),
                method.revoked,
                "{what}\nrevoked_at of {m}"
            );
            assert_eq!(row["card_id"], method.card_id, "{what}\ncard_id of {m}");
            assert_eq!(
                row["issued_at"].is_some(),
                method.card_id.is_some(),
                "{what}\nissued_at of {m}"
            );
            assert_eq!(
                row["collected_at"].is_some(),
                method.collected,
                "{what}\ncollected_at of {m}"
            );
            assert_eq!(
                cell(row, "is_encoding_required") == "1",
                method.encoding_required,
                "{what}\nis_encoding_required of {m}"
            );
            let grant = method.grant.to_string();
            if method.encoding_required {
                expected.insert(
                    (
                        grant.clone(),
                        Some(m.to_string()),
                        "encoding_required".into(),
                    ),
                    1,
                );
                expected.insert((grant.clone(), None, "encoding_required".into()), 1);
            }
            // A card out of use is warned about while a door may take it: no simulated lock
            // moved past it here, so until its end and the locks' clock skew.
            let skew = Duration::minutes(engine::lock::LockConfig::DEFAULT_CLOCK_SKEW_MINUTES);
            let current_out = method.revoked
                && !method.collected
                && method
                    .card_until
                    .is_some_and(|until| self.now < until + skew);
            let replaced_out = method
                .replaced_until
                .iter()
                .any(|until| self.now < *until + skew);
            if method.mode == AccessMode::Card && (current_out || replaced_out) {
                expected.insert((grant, None, "cards_not_collected".into()), 1);
            }
        }
        assert_eq!(
            warnings, expected,
            "{what}\nencoding/collection warnings out of step"
        );
    }
}
