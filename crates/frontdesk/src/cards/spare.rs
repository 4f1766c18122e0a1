//! Making a spare card for a room: a guest card for whoever the desk, once it is down, hands
//! it to, carrying the next number of every door of the room, kept in the safe.

use std::collections::BTreeSet;

use chrono::{DateTime, TimeDelta, Utc};
use encoder::card::{self, CardData, CardKind};
use engine::lock::DoorSequence;
use engine::model::{AccessMode, EntranceId, SpaceId, SpaceKind};
use engine::rules;
use store::{NewSpare, Reader};

use super::encode::{EncodedCard, unowned_card_data};
use super::station::CardStation;
use crate::operators::Permission;
use crate::warnings::refresh_doors;
use crate::{Context, Error, FrontDesk, Result};

/// The longest a spare card is made for.
pub const MAX_SPARE_VALIDITY: TimeDelta = TimeDelta::days(365);

impl FrontDesk {
    /// Refuses a spare for `space_id` as [`FrontDesk::make_spare_card`] would, before any
    /// card is touched.
    pub fn check_spare_card(
        &self,
        context: &Context,
        space_id: SpaceId,
        valid_until: DateTime<Utc>,
    ) -> Result<()> {
        context.require(Permission::Manage)?;
        self.store
            .read(|r| spare_doors(r, space_id, valid_until, context.now).map(|_| ()))
    }

    /// Writes the room's next spare card: a guest card valid from now to `valid_until`, on
    /// the room's doors with the next number of each and on every common area, as a
    /// check-in's card would be. A manager's.
    pub fn make_spare_card(
        &self,
        context: &Context,
        station: &CardStation,
        space_id: SpaceId,
        valid_until: DateTime<Utc>,
        progress: &mut dyn FnMut(usize, usize),
    ) -> Result<EncodedCard> {
        let request = serde_json::json!({ "space_id": space_id, "valid_until": valid_until });
        let result = self
            .check_spare_card(context, space_id, valid_until)
            .and_then(|_| self.resolve_pending_encodes(context, station))
            .and_then(|_| {
                station.with_encoder(|encoder| {
                    let uid = match self.unowned_card(context, station, encoder)? {
                        Ok(uid) => uid,
                        Err(refused) => return Ok(Err(refused)),
                    };
                    let op_id = store::new_row_id();
                    let spare_id = store::new_row_id();
                    let now = context.now;
                    self.write_card(
                        context,
                        station,
                        encoder,
                        |w| {
                            let (room, common) = spare_doors(w, space_id, valid_until, now)?;
                            let numbers = rules::assign_sequences(&room, &w.last_sequences(&room)?);
                            let number = w.insert_spare(&NewSpare {
                                id: spare_id,
                                space_id,
                                op_id,
                                made_at: now,
                                valid_until,
                                doors: numbers.clone(),
                            })?;
                            // The doors' timelines now number later stays after the spare.
                            refresh_doors(w, &room, now)?;
                            Ok(CardData {
                                card_id: spare_id,
                                copy_number: u16::try_from(number).unwrap_or(u16::MAX),
                                capable_doors: numbers
                                    .into_iter()
                                    .map(|(entrance_id, sequence)| DoorSequence {
                                        entrance_id,
                                        sequence,
                                    })
                                    .collect(),
                                common_doors: common,
                                ..unowned_card_data(
                                    station,
                                    uid,
                                    CardKind::Guest,
                                    op_id,
                                    (now, valid_until),
                                )
                            })
                        },
                        None,
                        progress,
                    )
                })
            });
        result.map_err(|error| self.audit_refusal(context, "spare.make", None, &request, error))
    }
}

/// The doors a spare of the room carries: the room's doors that take a card written here,
/// and every common area; refused, naming the field, for a common space, dates a spare
/// cannot have, or more doors than a card holds.
fn spare_doors(
    r: &Reader<'_>,
    space_id: SpaceId,
    valid_until: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(BTreeSet<EntranceId>, Vec<EntranceId>)> {
    let room = r
        .space(space_id)?
        .ok_or_else(|| Error::invalid("space_id", format!("no space with id {space_id}")))?;
    if room.kind == SpaceKind::Common {
        return Err(Error::invalid(
            "space_id",
            format!("{} is a common area: spares are made for rooms", room.name),
        ));
    }
    if valid_until <= now {
        return Err(Error::invalid(
            "valid_until",
            "a spare must work for a while: choose a later end",
        ));
    }
    if valid_until > now + MAX_SPARE_VALIDITY {
        return Err(Error::invalid(
            "valid_until",
            "a spare is made for a year at most: choose an earlier end",
        ));
    }
    let on_card = |entrance: &store::EntranceRecord| {
        entrance.access_system_kind.is_override_based()
            && entrance.modes.contains(&AccessMode::Card)
    };
    let doors: BTreeSet<EntranceId> = r
        .entrances(None, Some(space_id))?
        .into_iter()
        .filter(|entrance| on_card(entrance) && entrance.can_belong_to_reservation)
        .map(|entrance| entrance.id)
        .collect();
    if doors.is_empty() {
        return Err(Error::invalid(
            "space_id",
            format!(
                "{} has no door that opens with a card written here",
                room.name
            ),
        ));
    }
    let common: Vec<EntranceId> = crate::stays::common_area_doors(r)?
        .into_iter()
        .filter(on_card)
        .map(|entrance| entrance.id)
        .collect();
    if doors.len() > card::MAX_CAPABLE_DOORS || common.len() > card::MAX_COMMON_DOORS {
        return Err(Error::invalid(
            "space_id",
            format!("{} has more doors than a card holds", room.name),
        ));
    }
    Ok((doors, common))
}
