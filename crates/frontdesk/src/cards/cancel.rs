//! Cancel cards: presented at a door, they move its lock past every card issued for it.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, TimeDelta, Utc};
use encoder::card::{self, CardData, CardKind};
use engine::lock::DoorSequence;
use engine::model::EntranceId;
use engine::rules;
use store::{Reader, Writer};
use uuid::Uuid;

use super::encode::{EncodedCard, unowned_card_data};
use super::station::CardStation;
use crate::accounting::booked_door_words;
use crate::operators::Permission;
use crate::{Context, Error, FrontDesk, Result};

/// How long a cancel card opens nothing but works: long enough to walk to the door.
const CANCEL_CARD_VALIDITY: TimeDelta = TimeDelta::hours(24);

impl FrontDesk {
    /// Refuses a cancel card for `doors` as [`FrontDesk::encode_cancel_card`] would, before
    /// any card is touched.
    pub fn check_cancel_card(&self, context: &Context, doors: &[EntranceId]) -> Result<()> {
        context.require(Permission::FrontDesk)?;
        self.store.read(|r| cancel_doors(r, doors).map(|_| ()))
    }

    /// Writes a cancel card for `doors`: presented at each door, it moves the lock past every
    /// card issued for it so far, without opening it. Refused (409, in the receptionist's
    /// words) while a door has a live reservation, whose cards it would lock out too.
    pub fn encode_cancel_card(
        &self,
        context: &Context,
        station: &CardStation,
        doors: &[EntranceId],
        progress: &mut dyn FnMut(usize, usize),
    ) -> Result<EncodedCard> {
        context.require(Permission::FrontDesk)?;
        let request = serde_json::json!({ "acs_entrance_ids": doors });
        let result = self
            .resolve_pending_encodes(context, station)
            .and_then(|_| {
                station.with_encoder(|encoder| {
                    let uid = match self.unowned_card(context, station, encoder)? {
                        Ok(uid) => uid,
                        Err(refused) => return Ok(Err(refused)),
                    };
                    let op_id = store::new_row_id();
                    // The cancel card's numbers are taken for good as the card is planned, like
                    // a reservation's: a number is never handed out twice.
                    let sequences = self
                        .store
                        .write(|w| reserve_cancel_sequences(w, doors, op_id, context.now));
                    let sequences = match sequences {
                        Ok(sequences) => sequences,
                        Err(error) => return Ok(Err(error)),
                    };
                    let data = CardData {
                        capable_doors: sequences,
                        ..unowned_card_data(
                            station,
                            uid,
                            CardKind::Cancel,
                            op_id,
                            (context.now, context.now + CANCEL_CARD_VALIDITY),
                        )
                    };
                    self.write_card(context, station, encoder, |_| Ok(data), None, progress)
                })
            });
        result.map_err(|error| {
            self.audit_refusal(context, "card.encode_cancel", None, &request, error)
        })
    }
}

/// The doors of a cancel card, each once; refused, naming the door, when one is not a
/// reservation door or has a live reservation, and when there are more than a card holds.
fn cancel_doors(r: &Reader<'_>, doors: &[EntranceId]) -> Result<BTreeSet<EntranceId>> {
    if doors.is_empty() {
        return Err(Error::invalid(
            "acs_entrance_ids",
            "name at least one door to cancel",
        ));
    }
    let mut set = BTreeSet::new();
    for (index, door) in doors.iter().enumerate() {
        let entrance = r.entrance(*door)?.ok_or_else(|| {
            Error::invalid(
                format!("acs_entrance_ids[{index}]"),
                format!("no entrance with id {door}"),
            )
        })?;
        if !entrance.can_belong_to_reservation {
            return Err(Error::invalid(
                format!("acs_entrance_ids[{index}]"),
                format!("{} has no override sequence to cancel", entrance.name),
            ));
        }
        if let Some(live) = r.door_reservations(*door)?.first() {
            return Err(Error::RoomBooked {
                field: format!("acs_entrance_ids[{index}]"),
                message: booked_door_words(r, &entrance.name, live)?,
            });
        }
        set.insert(*door);
    }
    // Refused here, before the numbers are taken for good, rather than when the card is
    // sealed.
    if set.len() > card::MAX_CAPABLE_DOORS {
        return Err(Error::invalid(
            "acs_entrance_ids",
            format!(
                "a cancel card holds at most {} doors; make another one for the rest",
                card::MAX_CAPABLE_DOORS
            ),
        ));
    }
    Ok(set)
}

/// Takes the next sequence number of each door for a cancel card, as a reservation that is
/// cleared at once: the numbers stay used, nothing stays live.
fn reserve_cancel_sequences(
    w: &Writer<'_>,
    doors: &[EntranceId],
    op_id: Uuid,
    now: DateTime<Utc>,
) -> Result<Vec<DoorSequence>> {
    let set = cancel_doors(w, doors)?;
    let sequences: BTreeMap<EntranceId, u32> =
        rules::assign_sequences(&set, &w.last_sequences(&set)?);
    let reservation = w.insert_reservation(&format!("cancel-{op_id}"), &set, now)?;
    w.number_reservation_doors(reservation, &sequences)?;
    w.clear_reservation(reservation, now)?;
    Ok(sequences
        .into_iter()
        .map(|(entrance_id, sequence)| DoorSequence {
            entrance_id,
            sequence,
        })
        .collect())
}
