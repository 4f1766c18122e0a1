//! Changing a stay's dates for all its guests.

use chrono::{DateTime, Utc};
use engine::model::TimeFrame;
use engine::rules;

use super::detail::{StayDetail, envelope, guest_names, stay_detail, stay_grants, stay_rooms};
use super::overlap::{Placing, guard_room};
use crate::grants::apply_update;
use crate::operators::{Operator, Permission};
use crate::{Context, Error, FrontDesk, Result};

impl FrontDesk {
    /// Moves a stay's dates (one or both ends) for all its guests. Cards already encoded
    /// carry the old dates and are flagged for re-encoding.
    pub fn change_dates(
        &self,
        operator: &Operator,
        now: DateTime<Utc>,
        reservation_key: &str,
        starts_at: Option<DateTime<Utc>>,
        ends_at: Option<DateTime<Utc>>,
        allow_overlap: bool,
    ) -> Result<StayDetail> {
        self.change_dates_by(
            &operator.context(now),
            reservation_key,
            starts_at,
            ends_at,
            allow_overlap,
        )
    }

    /// [`FrontDesk::change_dates`] by whoever acts (an operator, the PMS link).
    pub fn change_dates_by(
        &self,
        context: &Context,
        reservation_key: &str,
        starts_at: Option<DateTime<Utc>>,
        ends_at: Option<DateTime<Utc>>,
        allow_overlap: bool,
    ) -> Result<StayDetail> {
        let now = context.now;
        let request = serde_json::json!({ "reservation_key": reservation_key, "starts_at": starts_at, "ends_at": ends_at, "allow_overlap": allow_overlap });
        self.context_change(
            Permission::FrontDesk,
            context,
            "stay.change_dates",
            Some(reservation_key.to_owned()),
            &request,
            |w| {
                let grants = stay_grants(w, reservation_key)?;
                let mut moved: Option<TimeFrame> = None;
                for grant in &grants {
                    let frame = TimeFrame::new(
                        starts_at.unwrap_or(grant.starts_at),
                        ends_at.unwrap_or(grant.ends_at),
                    );
                    // All the stay's grants move together, so they keep overlapping each other.
                    rules::check_update(&frame, grant.name.as_deref(), &[], now)?;
                    apply_update(w, context, grant, frame, grant.name.as_deref())?;
                    moved = Some(moved.map_or(frame, |stay| stay.union(&frame)));
                }
                if let Some(frame) = moved {
                    let names = guest_names(w, &grants)?;
                    let before = envelope(&grants);
                    for room in stay_rooms(w, &grants)? {
                        let room = w
                            .space(room)?
                            .ok_or_else(|| Error::not_found("space", room))?;
                        // A neighbour the stay overlapped before (a manager allowed it) is
                        // not a new overlap.
                        let mut already = Vec::new();
                        for door in &room.entrance_ids {
                            for other in w.door_reservations(*door)? {
                                if other.frame.overlaps(&before) {
                                    already.push(other.reservation_key);
                                }
                            }
                        }
                        guard_room(
                            w,
                            context,
                            allow_overlap,
                            Placing::Dates,
                            &room,
                            reservation_key,
                            &names,
                            frame,
                            &already,
                        )?;
                    }
                }
                stay_detail(w, reservation_key, now)
            },
        )
    }
}
