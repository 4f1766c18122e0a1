//! The rule checks of creating a grant, on a hotel with a long history against the same hotel
//! with a short one: the partial indexes over live rows should keep them from growing.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, bail, ensure};
use chrono::{DateTime, Days, Utc};
use engine::model::{AccessMode, EntranceFacts, EntranceId, RequestedAccessMethod, UserKind};
use engine::rules::{self, CreateGrant, Placement};
use frontdesk::{CreateAccessGrant, FrontDesk, NewUserIdentity};
use uuid::Uuid;

use crate::data::{self, Layout, Room, Stays};
use crate::harness::{Row, alternate, thousands, timed};
use crate::plan::Plan;

pub fn run(plan: &Plan, dir: &Path) -> Result<Row> {
    let long = Hotel::build(&dir.join("long-history.db"), plan, plan.long_history)?;
    let short = Hotel::build(&dir.join("short-history.db"), plan, plan.short_history)?;

    let (figure, baseline) = alternate(
        plan.warm_up,
        plan.create_grant_runs,
        checks_on_scattered_rooms(&long),
        checks_on_scattered_rooms(&short),
    )?;
    long.agrees_with_the_use_case()?;
    short.agrees_with_the_use_case()?;
    Ok(Row {
        path: format!(
            "create-grant rule checks, {} rooms, {} past grants",
            thousands(plan.history_rooms),
            thousands(plan.long_history)
        ),
        figure,
        baseline_name: format!("the same, {} past grants", thousands(plan.short_history)),
        baseline,
        max_ratio: 1.2,
        extra_goal: None,
        notes: "reads and rules of a create, before it writes".to_owned(),
    })
}

/// Times the checks on rooms all over the hotel; the same rooms, in the same order, for any
/// hotel.
fn checks_on_scattered_rooms(hotel: &Hotel) -> impl FnMut() -> Result<Duration> + '_ {
    let mut order = fastrand::Rng::with_seed(7);
    move || {
        let room = hotel.layout.room(order.usize(..hotel.layout.rooms.len()));
        let (sequences, elapsed) = timed(|| hotel.check_create(room))?;
        ensure!(
            sequences.len() == 1,
            "a room door establishes a reservation, got {sequences:?}"
        );
        Ok(elapsed)
    }
}

struct Hotel {
    desk: FrontDesk,
    layout: Layout,
    guest: Uuid,
    past_stays_per_room: usize,
}

impl Hotel {
    fn build(path: &Path, plan: &Plan, past: usize) -> Result<Self> {
        let started = Instant::now();
        let desk = data::open_hotel(path, plan.history_rooms)?;
        let layout = Layout::read(&desk)?;
        drop(desk);
        let written = Stays {
            past,
            in_house: false,
        }
        .write(path, &layout)?;
        let desk = FrontDesk::new(store::Store::open(path)?);
        let guest = desk.create_user_identity(
            &data::context(),
            &NewUserIdentity {
                key: None,
                full_name: Some("Arriving guest".to_owned()),
                email_address: None,
                phone_number: None,
                kind: UserKind::Guest,
            },
        )?;
        eprintln!(
            "  {} rooms, {} past grants written in {:.1} s",
            thousands(layout.rooms.len()),
            thousands(written),
            started.elapsed().as_secs_f64()
        );
        Ok(Self {
            desk,
            layout,
            guest: guest.id,
            past_stays_per_room: past / plan.history_rooms,
        })
    }

    /// What `frontdesk`'s create reads and checks before it writes, in the same order and
    /// through the same store and engine calls, in one read transaction: the sequences a new
    /// stay on `room` would take with its first card (the door's last number is read to
    /// predict them for the warnings).
    fn check_create(&self, room: Room) -> Result<BTreeMap<EntranceId, u32>> {
        let (starts_at, ends_at) = stay_frame();
        self.desk.store().read(|r| {
            let guest = r.user_identity(self.guest)?.context("no guest")?;
            // The request names the lobby's door and the room, as the use case resolves them.
            let lobby = self.layout.lobby_door;
            r.entrance(lobby)?.context("no lobby door")?;
            let space = r.space(room.space_id)?.context("no room")?;
            let mut entrances = Vec::new();
            for id in [lobby].iter().chain(&space.entrance_ids) {
                let entrance = r.entrance(*id)?.context("no entrance")?;
                entrances.push(EntranceFacts {
                    id: entrance.id,
                    name: entrance.name,
                    system_kind: entrance.access_system_kind,
                    can_belong_to_reservation: entrance.can_belong_to_reservation,
                    modes: entrance.modes,
                });
            }
            let live = r.live_reservation(ARRIVING)?;
            let requested = [card()];
            let request = CreateGrant {
                user_kind: guest.kind,
                entrances: &entrances,
                frame: engine::model::TimeFrame::new(starts_at, ends_at),
                requested: &requested,
                reservation_key: Some(ARRIVING),
                name: None,
                one_shot: false,
            };
            let Placement::Establish { doors } =
                rules::check_create(&request, live.as_ref(), data::now())?
            else {
                bail!("a new key on an empty room must establish a reservation");
            };
            let sequences = rules::assign_sequences(&doors, &r.last_sequences(&doors)?);
            // The warnings that follow the write start from each door's live reservations and
            // what its lock is known to remember.
            for door in &doors {
                r.door_timeline(*door)?;
                r.known_lock_state(*door)?;
            }
            Ok(sequences)
        })
    }

    /// The use case itself, on one room, leaves the doors the checks named waiting for the
    /// sequences they predicted.
    fn agrees_with_the_use_case(&self) -> Result<()> {
        let room = self.layout.room(0);
        let predicted = self.check_create(room)?;
        let (starts_at, ends_at) = stay_frame();
        let grant = self.desk.create_access_grant(
            &data::context(),
            &CreateAccessGrant {
                user_identity_id: Some(self.guest),
                space_ids: vec![room.space_id],
                acs_entrance_ids: vec![self.layout.lobby_door],
                starts_at: Some(starts_at),
                ends_at: Some(ends_at),
                requested_access_methods: vec![card()],
                reservation_key: Some(ARRIVING.to_owned()),
                ..Default::default()
            },
        )?;
        // A new reservation's doors wait for its first encoded card, which takes the numbers
        // the checks predicted.
        let waiting: BTreeSet<EntranceId> = grant
            .entrances
            .iter()
            .filter(|entrance| entrance.reservation_door && entrance.sequence.is_none())
            .map(|entrance| entrance.entrance_id)
            .collect();
        let expected = u32::try_from(self.past_stays_per_room + 1)?;
        ensure!(
            waiting == predicted.keys().copied().collect()
                && predicted.get(&room.door_id) == Some(&expected),
            "the checks predicted {predicted:?}, the use case left {waiting:?} waiting for a \
             number, the history says sequence {expected}"
        );
        Ok(())
    }
}

const ARRIVING: &str = "arriving-stay";

fn stay_frame() -> (DateTime<Utc>, DateTime<Utc>) {
    (data::now(), data::now() + Days::new(2))
}

fn card() -> RequestedAccessMethod {
    RequestedAccessMethod {
        mode: AccessMode::Card,
        code: None,
    }
}
