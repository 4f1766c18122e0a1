//! The world stepped through each operation: the request, its outcome, the model updated.

use std::collections::{BTreeMap, BTreeSet};

use chrono::Duration;
use engine::model::{AccessMode, OPEN_END, RequestedAccessMethod, TimeFrame, UserKind};
use frontdesk::{
    Context, CreateAccessGrant, EntranceRecord, SpaceRecord, UpdateAccessGrant, WireError,
};
use store::Store;
use uuid::Uuid;

use super::ops::{GUEST_DOORS, JoinerDoors, Op, Pick};
use super::{
    ACTORS, DATA_TABLES, Expected, GROWING_TABLES, History, KEYS, Model, ModelGrant, ModelMethod,
    ModelReservation, Outcome, Placement, Request, SLOT_HOURS, Snapshot, World, assert_audit, cell,
    cleared_at, grants_apart, new_audit_row, optional_number, origin, slot,
};
use crate::support::Desk;

impl World {
    pub(super) fn new(store: Store) -> Self {
        let desk = Desk::on(store);
        let users = [
            UserKind::Guest,
            UserKind::Guest,
            UserKind::Resident,
            UserKind::Staff,
        ]
        .into_iter()
        .map(|kind| (desk.user(kind).id, kind))
        .collect();
        let entrances = desk.desk.entrances(None, None).unwrap();
        let spaces = desk.desk.spaces().unwrap();
        assert_eq!(entrances.len(), 9);
        assert_eq!(spaces.len(), 8);
        let mut world = Self {
            desk,
            now: origin(),
            users,
            entrances,
            spaces,
            model: Model::default(),
            history: History::default(),
            accepted: 0,
            refused: 0,
        };
        let snapshot = world.snapshot();
        world.check_invariants(&snapshot, &snapshot, None);
        world.remember(&snapshot);
        world
    }

    pub(super) fn snapshot(&self) -> Snapshot {
        self.desk
            .desk
            .store()
            .read(|r| {
                let mut data = BTreeMap::new();
                for table in DATA_TABLES {
                    data.insert(table, r.table_rows(table)?);
                }
                Ok::<_, store::Error>(Snapshot {
                    data,
                    audit: r.table_rows("audit_log")?,
                })
            })
            .unwrap()
    }

    /// Entrance ids in the order of their keys, so that a sequence picks the same door
    /// whatever ids the run gave them.
    fn by_key(&self, ids: &BTreeSet<Uuid>) -> Vec<Uuid> {
        self.entrances
            .iter()
            .filter(|entrance| ids.contains(&entrance.id))
            .map(|entrance| entrance.id)
            .collect()
    }

    fn entrance_by_key(&self, key: &str) -> &EntranceRecord {
        self.entrances.iter().find(|e| e.key == key).unwrap()
    }

    fn space_by_key(&self, key: &str) -> &SpaceRecord {
        self.spaces.iter().find(|space| space.key == key).unwrap()
    }

    pub(super) fn entrance(&self, id: Uuid) -> Option<&EntranceRecord> {
        self.entrances.iter().find(|entrance| entrance.id == id)
    }

    /// Turns an operation into a request on the current state.
    pub(super) fn request(&self, op: &Op) -> Request {
        match op {
            Op::Create {
                user,
                entrances,
                spaces,
                unknown_entrance,
                start_slot,
                length_slots,
                key,
                modes,
            } => {
                let user_identity_id = Some(
                    self.users
                        .get(*user)
                        .map_or_else(Uuid::new_v4, |(id, _)| *id),
                );
                let mut acs_entrance_ids: Vec<Uuid> = entrances
                    .iter()
                    .map(|key| self.entrance_by_key(key).id)
                    .collect();
                if *unknown_entrance {
                    acs_entrance_ids.push(Uuid::new_v4());
                }
                Request::Create(CreateAccessGrant {
                    user_identity_id,
                    acs_entrance_ids,
                    space_ids: spaces.iter().map(|key| self.space_by_key(key).id).collect(),
                    space_keys: Vec::new(),
                    starts_at: Some(slot(*start_slot)),
                    ends_at: length_slots.map(|length| slot(start_slot + length)),
                    requested_access_methods: modes
                        .iter()
                        .map(|mode| RequestedAccessMethod {
                            mode: *mode,
                            code: None,
                        })
                        .collect(),
                    reservation_key: key.map(str::to_owned),
                    ..Default::default()
                })
            }
            Op::Joiner {
                grant,
                user,
                doors,
                start_shift,
                length_slots,
                modes,
            } => {
                let target = match grant {
                    Pick::Known(index) if !self.model.grants.is_empty() => {
                        Some(&self.model.grants[index.index(self.model.grants.len())])
                    }
                    _ => None,
                };
                let (key, mut entrances, starts_at) = match target {
                    Some(target) => (
                        target.key.clone().unwrap_or_else(|| KEYS[0].to_owned()),
                        self.by_key(&target.capable),
                        target.frame.starts_at,
                    ),
                    None => (
                        KEYS[0].to_owned(),
                        vec![self.entrance_by_key(GUEST_DOORS[0]).id],
                        origin(),
                    ),
                };
                match doors {
                    JoinerDoors::Same => {}
                    JoinerDoors::Fewer(index) => {
                        if entrances.len() > 1 {
                            entrances.remove(index.index(entrances.len()));
                        }
                    }
                    JoinerDoors::More(door) | JoinerDoors::WithCommon(door) => {
                        let id = self.entrance_by_key(door).id;
                        if !entrances.contains(&id) {
                            entrances.push(id);
                        }
                    }
                }
                let starts_at = starts_at + Duration::hours(start_shift * SLOT_HOURS);
                Request::Create(CreateAccessGrant {
                    user_identity_id: Some(self.users[*user].0),
                    acs_entrance_ids: entrances,
                    starts_at: Some(starts_at),
                    ends_at: Some(starts_at + Duration::hours(length_slots * SLOT_HOURS)),
                    requested_access_methods: modes
                        .iter()
                        .map(|mode| RequestedAccessMethod {
                            mode: *mode,
                            code: None,
                        })
                        .collect(),
                    reservation_key: Some(key),
                    ..Default::default()
                })
            }
            Op::Update {
                grant,
                start_shift,
                end_shift,
                open_end,
                name,
            } => {
                let id = self.model.pick_grant(grant);
                let frame = self
                    .model
                    .grant(id)
                    .map_or(TimeFrame::new(slot(0), slot(4)), |grant| grant.frame);
                let shift = |slots: &i64| Duration::hours(slots * SLOT_HOURS);
                // An open end moved is a date again, near the start.
                let end = if frame.is_open_ended() {
                    frame.starts_at + shift(&4)
                } else {
                    frame.ends_at
                };
                Request::Update(UpdateAccessGrant {
                    access_grant_id: id,
                    starts_at: start_shift.as_ref().map(|s| frame.starts_at + shift(s)),
                    ends_at: if *open_end {
                        Some(OPEN_END)
                    } else {
                        end_shift.as_ref().map(|s| end + shift(s))
                    },
                    name: name.map(str::to_owned),
                })
            }
            Op::Delete { grant } => Request::Delete(self.model.pick_grant(grant)),
            Op::CopyCard { grant } => Request::CopyCard(self.model.pick_grant(grant)),
            Op::Encode { method } => Request::Encode(self.model.pick_method(method)),
            Op::Collect { method } => Request::Collect(self.model.pick_method(method)),
            Op::RevokeMethod { method } => Request::RevokeMethod(self.model.pick_method(method)),
            Op::RevokeMethodsOfGrant { grant } => {
                Request::RevokeMethodsOfGrant(self.model.pick_grant(grant))
            }
            Op::RevokeMethodsOfReservation { key } => Request::RevokeMethodsOfReservation(key),
            Op::AdvanceClock { hours } => Request::AdvanceClock(*hours),
        }
    }

    fn perform(&mut self, request: &Request, context: &Context) -> Result<Outcome, WireError> {
        let desk = &self.desk.desk;
        let wire = |error: frontdesk::Error| error.to_wire();
        match request {
            Request::Create(create) => desk
                .create_access_grant(context, create)
                .map(Outcome::Grant)
                .map_err(wire),
            Request::Update(update) => desk
                .update_access_grant(context, update)
                .map(Outcome::Grant)
                .map_err(wire),
            Request::Delete(id) => desk
                .delete_access_grant(context, *id)
                .map(Outcome::Grant)
                .map_err(wire),
            Request::CopyCard(id) => desk
                .add_card_copy(context, *id)
                .map(Outcome::Method)
                .map_err(wire),
            Request::Encode(id) => {
                // A fresh blank each time: the desk never writes over another guest's key.
                self.desk.station.simulator().unwrap().present_blank_card();
                self.desk
                    .encode_at(context, *id)
                    .map_err(wire)
                    .and_then(|written| {
                        // The card as the desk now keeps it, which the encode answered with.
                        let method = written.access_method.expect("a card of a grant");
                        desk.access_method(method.id)
                            .map(Outcome::Method)
                            .map_err(wire)
                    })
            }
            Request::Collect(id) => desk
                .mark_card_collected(context, *id)
                .map(Outcome::Method)
                .map_err(wire),
            Request::RevokeMethod(id) => desk
                .delete_access_method(context, *id)
                .map(Outcome::Methods)
                .map_err(wire),
            Request::RevokeMethodsOfGrant(id) => desk
                .delete_access_methods_of_grant(context, *id)
                .map(Outcome::Methods)
                .map_err(wire),
            Request::RevokeMethodsOfReservation(key) => desk
                .delete_access_methods_of_reservation(context, key)
                .map(Outcome::Methods)
                .map_err(wire),
            Request::AdvanceClock(hours) => {
                self.now += Duration::hours(*hours);
                Ok(Outcome::Nothing)
            }
        }
    }

    /// Runs one operation and checks everything.
    pub(super) fn step(&mut self, actor: &str, op: &Op) {
        let request = self.request(op);
        let expect = self.expect(&request);
        let context = Context::new(actor, self.now);
        let before = self.snapshot();
        let outcome = self.perform(&request, &context);
        let after = self.snapshot();
        let what = format!("{request:#?}");

        match (&outcome, &expect.outcome) {
            (Err(error), Err(expected)) => {
                assert_eq!(
                    error.error_type, *expected,
                    "{what}\nrefused with {error:?}, the model expected {expected}"
                );
            }
            (Err(error), Ok(expected)) => {
                panic!("{what}\nrefused with {error:?}, the model expected {expected:?}")
            }
            (Ok(outcome), Err(expected)) => {
                panic!("{what}\nwent through ({outcome:#?}), the model expected {expected}")
            }
            (Ok(_), Ok(_)) => {}
        }

        let outcome_ok = outcome.is_ok();
        match outcome {
            Err(error) => {
                self.refused += 1;
                // 1. A refusal changes nothing but the audit log, which records it.
                assert!(
                    !matches!(
                        error.error_type.as_str(),
                        "database_error" | "database_busy" | "database_too_new"
                    ),
                    "{what}\nthe database failed: {error:?}"
                );
                for table in DATA_TABLES {
                    assert_eq!(
                        before.data[table], after.data[table],
                        "{what}\nrefused ({error:?}) but table {table} changed"
                    );
                }
                let new = new_audit_row(&before, &after, &what);
                assert_audit(&new, "refused", actor, expect.action, &what);
            }
            Ok(outcome) => {
                if matches!(request, Request::AdvanceClock(_)) {
                    assert_eq!(before, after, "moving the clock changed the database");
                } else {
                    self.accepted += 1;
                    // 5. A change adds exactly one audit record, ok, by the actor.
                    let new = new_audit_row(&before, &after, &what);
                    assert_audit(&new, "ok", actor, expect.action, &what);
                }
                let Ok(expected) = expect.outcome else {
                    unreachable!()
                };
                self.apply(&request, &expected, outcome, &before, &what);
            }
        }

        self.check_invariants(&before, &after, Some(&what));
        let encoded = match (&request, &outcome_ok) {
            (Request::Encode(id), true) => Some(*id),
            _ => None,
        };
        self.check_numbering(&after, encoded, &what);
        // 6. Rule 4: the live grants of one key overlap pairwise, whatever the operations.
        let apart = grants_apart(&after);
        assert!(
            apart.is_empty(),
            "{what}\nlive grants of one key that do not overlap: {apart:?}"
        );
        self.remember(&after);
    }

    /// Brings the model up to date with an operation that went through, checking what the
    /// use case returned.
    fn apply(
        &mut self,
        request: &Request,
        expected: &Expected,
        outcome: Outcome,
        before: &Snapshot,
        what: &str,
    ) {
        match (request, expected, outcome) {
            (Request::Create(_), Expected::Grant(placement), Outcome::Grant(grant)) => {
                self.check_created(&grant, placement, before, what);
                let capable = grant
                    .entrances
                    .iter()
                    .map(|entrance| entrance.entrance_id)
                    .filter(|id| self.entrance(*id).unwrap().can_belong_to_reservation)
                    .collect::<BTreeSet<_>>();
                if *placement == Placement::Establish {
                    let key = grant.reservation_key.clone().unwrap();
                    self.model.reservations.insert(
                        key,
                        ModelReservation {
                            id: grant.reservation_id.unwrap(),
                            doors: capable.clone(),
                        },
                    );
                }
                for (index, id) in grant.access_method_ids.iter().enumerate() {
                    self.model.methods.push(ModelMethod {
                        id: *id,
                        grant: grant.id,
                        mode: grant.requested_access_methods[index].mode,
                        revoked: false,
                        card_id: None,
                        collected: false,
                        card_until: None,
                        replaced_until: Vec::new(),
                        encoding_required: false,
                    });
                }
                let has_card_door = grant.entrances.iter().any(|door| {
                    self.entrances.iter().any(|entrance| {
                        entrance.id == door.entrance_id
                            && entrance.access_system_kind.is_override_based()
                            && entrance.modes.contains(&AccessMode::Card)
                    })
                });
                self.model.grants.push(ModelGrant {
                    id: grant.id,
                    key: grant.reservation_key.clone(),
                    reservation_id: grant.reservation_id,
                    capable,
                    has_card_door,
                    frame: grant.frame(),
                    live: true,
                });
            }
            (Request::Update(update), Expected::Updated, Outcome::Grant(grant)) => {
                let model = self
                    .model
                    .grants
                    .iter_mut()
                    .find(|g| g.id == update.access_grant_id)
                    .unwrap();
                let frame = TimeFrame::new(
                    update.starts_at.unwrap_or(model.frame.starts_at),
                    update.ends_at.unwrap_or(model.frame.ends_at),
                );
                assert_eq!(grant.frame(), frame, "{what}\nupdated to other times");
                if let Some(name) = &update.name {
                    assert_eq!(grant.name.as_ref(), Some(name), "{what}");
                }
                let moved = frame != model.frame;
                model.frame = frame;
                if moved {
                    for method in &mut self.model.methods {
                        if method.grant == grant.id
                            && method.mode == AccessMode::Card
                            && method.card_id.is_some()
                            && !method.revoked
                        {
                            method.encoding_required = true;
                        }
                    }
                }
            }
            (Request::Delete(id), Expected::Deleted, Outcome::Grant(grant)) => {
                assert!(!grant.is_live(), "{what}\nthe deleted grant is still live");
                let revoked = self.model.live_methods_of(*id);
                self.model.revoke(&revoked);
                let model = self.model.grants.iter_mut().find(|g| g.id == *id).unwrap();
                model.live = false;
                if let Some(key) = model.key.clone()
                    && !self
                        .model
                        .grants
                        .iter()
                        .any(|g| g.live && g.key.as_ref() == Some(&key))
                {
                    self.model.reservations.remove(&key);
                }
            }
            (Request::CopyCard(id), Expected::NewCard, Outcome::Method(method)) => {
                assert_eq!(method.access_grant_id, *id, "{what}");
                assert_eq!(method.mode, AccessMode::Card, "{what}");
                assert!(!method.is_issued(), "{what}");
                self.model.methods.push(ModelMethod {
                    id: method.id,
                    grant: *id,
                    mode: AccessMode::Card,
                    revoked: false,
                    card_id: None,
                    collected: false,
                    card_until: None,
                    replaced_until: Vec::new(),
                    encoding_required: false,
                });
            }
            (Request::Encode(id), Expected::Method, Outcome::Method(method)) => {
                assert_eq!(method.id, *id, "{what}");
                assert!(method.card_id.is_some(), "{what}");
                let model = self.model.methods.iter_mut().find(|m| m.id == *id).unwrap();
                if let Some(replaced) = model.card_until.filter(|_| model.card_id.is_some()) {
                    model.replaced_until.push(replaced);
                }
                model.card_id = method.card_id.clone();
                model.encoding_required = false;
                let grant = self
                    .model
                    .grants
                    .iter()
                    .find(|g| g.id == model.grant)
                    .unwrap();
                model.card_until = Some(grant.frame.ends_at);
            }
            (Request::Collect(id), Expected::Method, Outcome::Method(method)) => {
                assert_eq!(method.id, *id, "{what}");
                assert!(method.collected_at.is_some(), "{what}");
                let model = self.model.methods.iter_mut().find(|m| m.id == *id).unwrap();
                model.collected = true;
            }
            (
                Request::RevokeMethod(_)
                | Request::RevokeMethodsOfGrant(_)
                | Request::RevokeMethodsOfReservation(_),
                Expected::Revoked(ids),
                Outcome::Methods(methods),
            ) => {
                let returned: BTreeSet<Uuid> = methods.iter().map(|m| m.id).collect();
                assert_eq!(&returned, ids, "{what}\nrevoked other access methods");
                assert!(methods.iter().all(|m| m.revoked_at.is_some()), "{what}");
                self.model.revoke(ids);
            }
            (Request::AdvanceClock(_), Expected::Nothing, Outcome::Nothing) => {}
            (request, expected, outcome) => {
                panic!("unexpected outcome {outcome:?} of {request:?} (expected {expected:?})")
            }
        }
    }

    /// Notes what the database shows now, for the checks of later steps.
    fn remember(&mut self, after: &Snapshot) {
        let data = &after.data;
        for row in &data["reservation_doors"] {
            let reservation = cell(row, "reservation_id");
            let door = cell(row, "entrance_id");
            let sequence = optional_number(row, "sequence");
            self.history
                .reservation_doors
                .entry(reservation.clone())
                .or_default()
                .insert(door.clone(), sequence);
            if let Some(sequence) = sequence {
                self.history.sequences.insert((door, sequence), reservation);
            }
        }
        for row in &data["reservations"] {
            if let Some(at) = cleared_at(row) {
                self.history.cleared.insert(cell(row, "id"), at);
            }
        }
        for row in &data["access_methods"] {
            if row["issued_at"].is_some() {
                self.history.issued.insert(cell(row, "id"));
            }
        }
        for table in GROWING_TABLES {
            self.history.counts.insert(table, data[table].len());
        }
    }

    pub(super) fn run(&mut self, ops: &[(usize, Op)]) {
        for (actor, op) in ops {
            self.step(ACTORS[*actor], op);
        }
        assert_eq!(
            self.desk.desk.store().integrity_check().unwrap(),
            vec!["ok".to_owned()]
        );
    }
}
