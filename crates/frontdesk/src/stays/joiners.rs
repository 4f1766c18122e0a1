//! A guest added to a stay (a joiner), on all or some of its room doors.

use chrono::{DateTime, Utc};
use engine::model::EntranceId;
use serde::{Deserialize, Serialize};

use super::check_in::{
    NewGuest, check_card_count, check_common_areas, grant_request, insert_guest,
};
use super::detail::{StayDetail, stay_detail, stay_grants, stay_room};
use crate::grants::create;
use crate::operators::{Operator, Permission};
use crate::{Context, Error, FrontDesk, Result};

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddGuest {
    pub reservation_key: String,
    pub guest: NewGuest,
    /// Some of the stay's room doors; all of them when `None`.
    pub room_entrance_ids: Option<Vec<EntranceId>>,
    pub common_entrance_ids: Vec<EntranceId>,
    pub cards: u32,
}

impl FrontDesk {
    /// Adds a guest to a stay (a joiner), on all or some of the stay's room doors.
    pub fn add_guest(
        &self,
        operator: &Operator,
        now: DateTime<Utc>,
        request: &AddGuest,
    ) -> Result<StayDetail> {
        self.add_guest_by(&operator.context(now), request)
    }

    /// [`FrontDesk::add_guest`] by whoever acts (an operator, the PMS link).
    pub fn add_guest_by(&self, context: &Context, request: &AddGuest) -> Result<StayDetail> {
        let now = context.now;
        let key = request.reservation_key.clone();
        self.context_change(
            Permission::FrontDesk,
            context,
            "stay.add_guest",
            Some(key.clone()),
            request,
            |w| {
                check_card_count("cards", request.cards)?;
                check_common_areas(w, &request.common_entrance_ids)?;
                let stay = stay_grants(w, &key)?;
                let first = &stay[0];
                let room = stay_room(w, &stay)?.ok_or_else(|| Error::not_found("space", &key))?;
                // A joiner on some doors names no space: the space would add all its doors.
                let (room_doors, space) = match &request.room_entrance_ids {
                    Some(doors) => (doors.clone(), None),
                    None => (first.reservation_door_ids(), Some(room)),
                };
                let user = insert_guest(w, context, &request.guest, "guest")?;
                let mut entrances = room_doors;
                entrances.extend(&request.common_entrance_ids);
                create(
                    w,
                    context,
                    &grant_request(
                        user.id,
                        &entrances,
                        space,
                        first.frame(),
                        request.cards,
                        &key,
                    ),
                )?;
                stay_detail(w, &key, now)
            },
        )
    }
}
