//! A stay that is over, read only: who stayed in which room and when, and the cards it left
//! out that may still open a door (cards left in a pocket at check-out).

use chrono::{DateTime, Utc};
use engine::model::AccessMode;
use serde::Serialize;

use crate::accounting::{CardOut, stay_cards_out};
use crate::operators::{Operator, Permission};
use crate::stay_search::found_stay;
use crate::timeline::StayStatus;
use crate::{Error, FrontDesk, Result};

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PastStay {
    pub reservation_key: String,
    /// The room it was in last.
    pub room_name: String,
    pub starts_at: DateTime<Utc>,
    /// When it was checked out (or its grants were deleted).
    pub checked_out_at: DateTime<Utc>,
    pub guests: Vec<String>,
    /// Cards encoded for it, in every room it had and with every reissue.
    pub cards_made: u32,
    /// Its cards neither back at the desk nor stopped at every door, as the lock model judges
    /// them at `now`.
    pub cards_still_out: Vec<CardOut>,
}

impl FrontDesk {
    /// A checked-out stay as it ended, with its cards still out at `now`. A stay that still
    /// holds a room is refused: it is opened as a live stay.
    pub fn past_stay(
        &self,
        operator: &Operator,
        reservation_key: &str,
        now: DateTime<Utc>,
    ) -> Result<PastStay> {
        operator.require(Permission::FrontDesk)?;
        self.store.read(|r| {
            let rows = r.stay_rows_of_key(reservation_key, now)?;
            let stay = found_stay(r, reservation_key, rows, now)?
                .ok_or_else(|| Error::not_found("stay", reservation_key))?;
            if stay.status != StayStatus::CheckedOut {
                return Err(Error::Conflict {
                    field: "reservation_key".to_owned(),
                    message: format!(
                        "the stay of {} in {} is not over; open it from the board",
                        stay.guests.join(", "),
                        stay.room_name
                    ),
                });
            }
            let mut cards_made = 0;
            for grant in r.grant_ids_of_key_ever(reservation_key)? {
                cards_made += r
                    .access_methods_of_grant(grant)?
                    .iter()
                    .filter(|method| method.mode == AccessMode::Card && method.is_issued())
                    .count();
            }
            Ok(PastStay {
                reservation_key: stay.reservation_key,
                room_name: stay.room_name,
                starts_at: stay.starts_at,
                checked_out_at: stay.ends_at,
                guests: stay.guests,
                cards_made: u32::try_from(cards_made).unwrap_or(u32::MAX),
                cards_still_out: stay_cards_out(r, reservation_key, now)?,
            })
        })
    }
}
