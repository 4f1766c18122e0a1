//! Lock-out cards: presented at a guest room's door, they make its lock refuse every guest
//! card made so far, the current guest's included, until a lift card or the next guest's card
//! is used there (a room out of order, an eviction). Managers only.

use std::collections::BTreeSet;

use chrono::TimeDelta;
use encoder::card::{self, CardData, CardKind};
use engine::lock::DoorSequence;
use engine::model::EntranceId;

use super::encode::{EncodedCard, unowned_card_data};
use super::station::CardStation;
use crate::operators::Permission;
use crate::{Context, Error, FrontDesk, Result};

/// How long a lock-out or lift card works: long enough to walk to the door, not long enough
/// to lie in a drawer and lock a room out next month.
const LOCK_OUT_CARD_VALIDITY: TimeDelta = TimeDelta::hours(24);

impl FrontDesk {
    /// Refuses a lock-out or lift card for `doors` as [`FrontDesk::encode_lock_out_card`]
    /// would, before any card is touched.
    pub fn check_lock_out_card(&self, context: &Context, doors: &[EntranceId]) -> Result<()> {
        context.require(Permission::Manage)?;
        self.store.read(|r| lock_out_doors(r, doors))
    }

    /// Writes a lock-out card for a room's `doors` (`lift`: a card that lifts the lock-out).
    /// It opens nothing; used at a door it changes what the lock takes.
    pub fn encode_lock_out_card(
        &self,
        context: &Context,
        station: &CardStation,
        doors: &[EntranceId],
        lift: bool,
        progress: &mut dyn FnMut(usize, usize),
    ) -> Result<EncodedCard> {
        let action = if lift {
            "card.encode_lock_out_lift"
        } else {
            "card.encode_lock_out"
        };
        let request = serde_json::json!({ "acs_entrance_ids": doors, "lift": lift });
        let result = context
            .require(Permission::Manage)
            .and_then(|_| self.store.read(|r| lock_out_doors(r, doors)))
            .and_then(|_| self.resolve_pending_encodes(context, station))
            .and_then(|_| {
                station.with_encoder(|encoder| {
                    let uid = match self.unowned_card(context, station, encoder)? {
                        Ok(uid) => uid,
                        Err(refused) => return Ok(Err(refused)),
                    };
                    let kind = if lift {
                        CardKind::LockOutLift
                    } else {
                        CardKind::LockOut
                    };
                    let data = unowned_card_data(
                        station,
                        uid,
                        kind,
                        store::new_row_id(),
                        (context.now, context.now + LOCK_OUT_CARD_VALIDITY),
                    );
                    self.write_card(
                        context,
                        station,
                        encoder,
                        |w| {
                            lock_out_doors(w, doors)?;
                            let set: BTreeSet<EntranceId> = doors.iter().copied().collect();
                            let mut capable_doors = Vec::with_capacity(set.len());
                            for door in set {
                                capable_doors.push(DoorSequence {
                                    entrance_id: door,
                                    sequence: guest_in_room_number(w, door, context.now)?,
                                });
                            }
                            Ok(CardData {
                                capable_doors,
                                ..data
                            })
                        },
                        None,
                        progress,
                    )
                })
            });
        result.map_err(|error| self.audit_refusal(context, action, None, &request, error))
    }
}

/// Refuses no door, a door twice, more doors than a card lists, and a door that is not a
/// room's: only those take guests' room cards to lock out.
fn lock_out_doors(r: &store::Reader<'_>, doors: &[EntranceId]) -> Result<()> {
    if doors.is_empty() {
        return Err(Error::invalid(
            "acs_entrance_ids",
            "name the room's doors to lock out",
        ));
    }
    if doors.len() > card::MAX_CAPABLE_DOORS {
        return Err(Error::invalid(
            "acs_entrance_ids",
            format!(
                "a lock-out card lists at most {} doors",
                card::MAX_CAPABLE_DOORS
            ),
        ));
    }
    for (index, door) in doors.iter().enumerate() {
        let field = format!("acs_entrance_ids[{index}]");
        if doors[..index].contains(door) {
            return Err(Error::invalid(field, "this door is named twice"));
        }
        let entrance = r
            .entrance(*door)?
            .ok_or_else(|| Error::invalid(field.clone(), format!("no entrance with id {door}")))?;
        if !entrance.can_belong_to_reservation {
            return Err(Error::invalid(
                field,
                format!(
                    "{} takes no guest's room card, so there is nothing to lock out",
                    entrance.name
                ),
            ));
        }
    }
    Ok(())
}

/// The number of the guests in the room now at `door` (the highest of the stays begun and
/// not over): a lock-out moves the lock up to it, so that a card made for them and not used
/// yet does not lift it, while the next guest's, a spare's in the safe or a stay's made ahead
/// (all numbered higher) still do. 0 when no one is in: the lock stays where it is.
fn guest_in_room_number(
    r: &store::Reader<'_>,
    door: EntranceId,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<u32> {
    Ok(r.door_reservations(door)?
        .iter()
        .filter(|stay| stay.frame.starts_at <= now)
        .filter_map(|stay| stay.sequence)
        .max()
        .unwrap_or(0))
}
