//! Keys ordered by the property-management system over its key link (FIAS): a new stay's
//! keys, copies, a check-out and a change of dates or room, each answered once, in words a
//! receptionist at the PMS reads. The link's records are the endpoint's; this is what they
//! ask of the desk.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use chrono_tz::Tz;
use engine::model::{AccessMethodId, AccessMode, EntranceId, SpaceId};
use store::{NewPmsKeyRequest, PmsKeyAnswer};

use crate::cards::CardStation;
use crate::operators::Permission;
use crate::stays::{CHECK_IN_TIME, CHECK_OUT_TIME, StayDetail};
use crate::{CheckIn, Context, EncodeEvent, Error, ErrorCode, FrontDesk, NewGuest, Result};

/// The same key request (the same record, field for field: a PMS stamps a new request with a
/// new date and time) sent again within this long after the first one was answered is the
/// PMS asking again for an answer it lost or gave up waiting for: it is answered from the
/// journal rather than making a second set of cards. Longer than a PMS's door-lock timeout
/// and a reconnection; short enough that a receptionist asking again on purpose is not
/// mistaken for it.
pub const REPEAT_WINDOW: Duration = Duration::minutes(2);

/// The longest encoder code a PMS sends (FIAS `KC`).
pub const MAX_PMS_ENCODER_CODE: usize = 8;

fn pms_encoder_code_setting(encoder: uuid::Uuid) -> String {
    format!("pms_encoder_code.{encoder}")
}

/// What kind of keys the PMS asks for (as the journal keeps it: `new_stay`, `copy`…).
#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::IntoStaticStr)]
#[strum(serialize_all = "snake_case")]
pub enum PmsKeyKind {
    /// A new stay's keys: they override the room's previous guest at first use. For a stay
    /// already in the room, new keys that the old ones no longer match.
    NewStay,
    /// More keys of a stay in the room, joining those already made.
    Copy,
    /// A key the lock accepts once.
    OneShot,
}

/// A key request from the PMS, in the desk's terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PmsKeyRequest {
    /// The request as the PMS sent it (its record's text): the same text again is the same
    /// request.
    pub record: String,
    /// The PMS workstation that asked, for the audit log.
    pub workstation: Option<String>,
    /// The PMS's reservation number: the stay's reservation key.
    pub reservation: Option<String>,
    pub kind: PmsKeyKind,
    pub cards: u32,
    /// The PMS's room number (a space's `pms_room_number`, else its key).
    pub room: String,
    /// More rooms the keys should open.
    pub extra_rooms: Vec<String>,
    pub arrival: Option<NaiveDate>,
    pub departure: Option<NaiveDate>,
    pub departure_time: Option<NaiveTime>,
    pub guest_name: Option<String>,
    /// Key-option positions the PMS set on or off; the others are on, as at the desk.
    pub key_options: BTreeMap<u32, bool>,
}

/// A check-out or a change from the PMS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PmsStayChange {
    pub reservation: Option<String>,
    /// The room now (`RN`).
    pub room: Option<String>,
    /// The room before a move (`RO`).
    pub old_room: Option<String>,
    pub arrival: Option<NaiveDate>,
    pub departure: Option<NaiveDate>,
    pub departure_time: Option<NaiveTime>,
}

/// How a PMS request went (as the journal keeps it: `done`, `busy`…).
#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::IntoStaticStr)]
#[strum(serialize_all = "snake_case")]
pub enum PmsStatus {
    /// Done: the cards are written and recorded.
    Done,
    /// The encoder is busy with another job; ask again.
    Busy,
    /// No such reservation.
    NotFound,
    /// Refused: the text says why; asking again unchanged will not help.
    Refused,
}

/// The answer the PMS gets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PmsAnswer {
    pub status: PmsStatus,
    /// For the receptionist at the PMS.
    pub text: String,
    /// The last card written, its UID in hex.
    pub card_id: Option<String>,
}

impl PmsAnswer {
    fn done(text: impl Into<String>, card_id: Option<String>) -> Self {
        Self {
            status: PmsStatus::Done,
            text: text.into(),
            card_id,
        }
    }

    fn refused(text: impl Into<String>) -> Self {
        Self {
            status: PmsStatus::Refused,
            text: text.into(),
            card_id: None,
        }
    }

    /// A use case's refusal in words: the guide's title where it has one.
    fn from_error(error: &Error) -> Self {
        let wire = error.to_wire();
        let status = match wire.error_type {
            ErrorCode::NotFound => PmsStatus::NotFound,
            _ => PmsStatus::Refused,
        };
        Self {
            status,
            text: wire.title.unwrap_or(wire.message),
            card_id: None,
        }
    }
}

/// One job at a time on an encoder the PMS uses: a second request is told the encoder is
/// busy at once rather than queued behind a card nobody may present.
#[derive(Debug, Default)]
pub struct EncoderClaim(AtomicBool);

impl EncoderClaim {
    fn is_held(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }

    fn claim(&self) -> Option<Claimed<'_>> {
        self.0
            .compare_exchange(false, true, Ordering::SeqCst, Ordering::SeqCst)
            .ok()
            .map(|_| Claimed(&self.0))
    }
}

struct Claimed<'a>(&'a AtomicBool);

impl Drop for Claimed<'_> {
    fn drop(&mut self) {
        self.0.store(false, Ordering::SeqCst);
    }
}

/// An encoder as the PMS link uses it: its station, its name for the answers, and its claim.
#[derive(Debug)]
pub struct PmsEncoder<'a> {
    pub station: &'a CardStation,
    pub name: &'a str,
    pub claim: &'a EncoderClaim,
    /// The encoder's id in the journal.
    pub id: uuid::Uuid,
}

impl FrontDesk {
    /// The code the PMS names an encoder by (FIAS `KC`), when one is set.
    pub fn pms_encoder_code(&self, encoder: uuid::Uuid) -> Result<Option<String>> {
        Ok(self
            .setting(&pms_encoder_code_setting(encoder))?
            .filter(|code| !code.is_empty()))
    }

    /// Sets (or, with `None`, clears) the code the PMS names an encoder by. A code is 1 to 8
    /// printable characters without `|`, and names one encoder of `encoders` only.
    pub fn set_pms_encoder_code(
        &self,
        context: &Context,
        encoder: uuid::Uuid,
        code: Option<&str>,
        encoders: &[uuid::Uuid],
    ) -> Result<()> {
        context.require(Permission::Manage)?;
        let code = code.map(str::trim).unwrap_or_default();
        if !code.is_empty() {
            if code.chars().count() > MAX_PMS_ENCODER_CODE
                || !code.chars().all(|c| c.is_ascii_graphic() && c != '|')
            {
                return Err(Error::invalid(
                    "code",
                    format!(
                        "{code:?} is not an encoder code: 1 to {MAX_PMS_ENCODER_CODE} letters, \
                         digits or signs, without \"|\""
                    ),
                ));
            }
            for other in encoders.iter().filter(|other| **other != encoder) {
                if self.pms_encoder_code(*other)?.as_deref() == Some(code) {
                    return Err(Error::Conflict {
                        field: "code".to_owned(),
                        message: format!("{code} is already the code of encoder {other}"),
                    });
                }
            }
        }
        self.set_setting(context, &pms_encoder_code_setting(encoder), code)
    }

    /// Makes the keys a PMS asks for on `encoder`, from the stay to the last card written:
    /// never answered as done before every card is written and recorded. A request the PMS
    /// repeats after losing the answer is answered from the journal.
    pub fn pms_make_keys(
        &self,
        context: &Context,
        encoder: &PmsEncoder<'_>,
        request: &PmsKeyRequest,
        on_event: &mut dyn FnMut(EncodeEvent),
    ) -> PmsAnswer {
        if let Err(error) = context.require(Permission::FrontDesk) {
            return PmsAnswer::from_error(&error);
        }
        match self.answer_from_journal(context, encoder, request) {
            Ok(Some(answer)) => return answer,
            Ok(None) => {}
            Err(error) => return PmsAnswer::from_error(&error),
        }
        let Some(_claimed) = encoder.claim.claim() else {
            return busy(encoder);
        };
        let journal = self.store.write(|w| {
            w.insert_pms_key_request(
                &NewPmsKeyRequest {
                    record: &request.record,
                    workstation: request.workstation.as_deref(),
                    reservation: request.reservation.as_deref(),
                    key_type: request.kind.into(),
                    room: &request.room,
                    encoder_id: Some(encoder.id),
                },
                context.now,
            )
        });
        let journal = match journal {
            Ok(id) => id,
            Err(error) => return PmsAnswer::from_error(&Error::from(error)),
        };
        let answer = self
            .make_keys(context, encoder, request, on_event)
            .unwrap_or_else(|error| PmsAnswer::from_error(&error));
        let recorded = self.store.write(|w| {
            w.answer_pms_key_request(
                journal,
                &PmsKeyAnswer {
                    status: <&str>::from(answer.status).to_owned(),
                    text: answer.text.clone(),
                    card_id: answer.card_id.clone(),
                },
                // When the answer went, not when the request came: cards take a while.
                Utc::now(),
            )
        });
        if let Err(error) = recorded {
            tracing::error!(%error, "a PMS key request's answer was not journalled");
        }
        answer
    }

    /// The answer already given to the same request, if the PMS is asking again: the same
    /// record, answered done within [`REPEAT_WINDOW`], for a stay still there. A request still
    /// running is told so; one that failed, or was cut short by a stop of the desk (its
    /// encoder no longer busy), is made again in full.
    fn answer_from_journal(
        &self,
        context: &Context,
        encoder: &PmsEncoder<'_>,
        request: &PmsKeyRequest,
    ) -> Result<Option<PmsAnswer>> {
        let earlier = self.store.read(|r| {
            Ok::<_, Error>(r.latest_pms_key_request(&request.record, context.now - REPEAT_WINDOW)?)
        })?;
        let Some(earlier) = earlier else {
            return Ok(None);
        };
        let (Some(answer), Some(answered_at)) = (earlier.answer, earlier.answered_at) else {
            return Ok(encoder.claim.is_held().then(|| PmsAnswer {
                status: PmsStatus::Busy,
                text: "Still making the keys of this request".to_owned(),
                card_id: None,
            }));
        };
        if answer.status != <&str>::from(PmsStatus::Done)
            || context.now - answered_at > REPEAT_WINDOW
        {
            return Ok(None);
        }
        let stay_there = match &earlier.reservation {
            Some(key) => self.live_stay_room(key)?.is_some(),
            None => true,
        };
        if !stay_there {
            return Ok(None);
        }
        let at = answered_at.with_timezone(&self.time_zone()).format("%H:%M");
        Ok(Some(PmsAnswer::done(
            format!("Made already at {at}: {}", answer.text),
            answer.card_id,
        )))
    }

    fn make_keys(
        &self,
        context: &Context,
        encoder: &PmsEncoder<'_>,
        request: &PmsKeyRequest,
        on_event: &mut dyn FnMut(EncodeEvent),
    ) -> Result<PmsAnswer> {
        if let Some(refused) = not_connected(encoder) {
            return Ok(refused);
        }
        let Some(room) = self.pms_room(&request.room)? else {
            return Ok(PmsAnswer::refused(format!(
                "Room {} is not known",
                request.room
            )));
        };
        let mut extra_rooms = Vec::new();
        for number in &request.extra_rooms {
            match self.pms_room(number)? {
                // The room itself, or a room named twice, is one room.
                Some(extra) if extra == room || extra_rooms.contains(&extra) => {}
                Some(extra) => extra_rooms.push(extra),
                None => {
                    return Ok(PmsAnswer::refused(format!(
                        "Extra room {number} is not known"
                    )));
                }
            }
        }
        let room_name = self.space(room)?.name;
        let rooms_text = if extra_rooms.is_empty() {
            room_name.clone()
        } else {
            let mut names = vec![room_name.clone()];
            for extra in &extra_rooms {
                names.push(self.space(*extra)?.name);
            }
            names.join(" + ")
        };
        let live = match &request.reservation {
            Some(key) => self.live_stay_room(key)?,
            None => None,
        };
        // A one-shot key belongs to no stay: where the reservation's stay is does not matter.
        let one_shot = request.kind == PmsKeyKind::OneShot;
        if let Some((key, in_room)) = &live
            && *in_room != room
            && !one_shot
        {
            let elsewhere = self.space(*in_room)?.name;
            return Ok(PmsAnswer::refused(format!(
                "Reservation {key} is in {elsewhere}, not {room_name}"
            )));
        }
        if let Some((key, _)) = &live
            && !one_shot
            && !request.extra_rooms.is_empty()
            && !same_rooms(&self.stay_rooms(key)?, room, &extra_rooms)
        {
            return Ok(PmsAnswer::refused(format!(
                "Reservation {key} has other rooms than {rooms_text}: move it first"
            )));
        }
        let (cards, text) = match request.kind {
            PmsKeyKind::NewStay => match live {
                None => {
                    let check_in = self.pms_check_in(request, room, context.now)?;
                    let stay = self.check_in_rooms(context, &check_in, &extra_rooms)?;
                    let cards = cards_to_encode(&stay);
                    let text = keys_for(cards.len(), &rooms_text);
                    (cards, text)
                }
                Some((key, _)) => {
                    let stay = self.reissue_stay_by(context, &key)?;
                    let mut cards = cards_to_encode(&stay);
                    // As many keys as the PMS asked for, when the stay held fewer.
                    if let Some(guest) = stay.guests.first() {
                        while cards.len() < request.cards as usize {
                            cards.push(self.add_card_copy(context, guest.access_grant_id)?.id);
                        }
                    }
                    let text = format!("{}; earlier keys stop", keys_for(cards.len(), &rooms_text));
                    (cards, text)
                }
            },
            PmsKeyKind::OneShot => {
                let mut rooms = vec![room];
                rooms.extend(&extra_rooms);
                let grant = self.create_access_grant(
                    context,
                    &self.pms_one_shot(request, &rooms, context.now)?,
                )?;
                let text = format!(
                    "{} for {rooms_text}: each door opens once, to the first used",
                    plural(
                        grant.access_method_ids.len(),
                        "one-shot key",
                        "one-shot keys"
                    )
                );
                (grant.access_method_ids, text)
            }
            PmsKeyKind::Copy => {
                let key = match live {
                    Some((key, _)) => key,
                    None => match self.only_stay_in_room(room, context.now)? {
                        Some(key) => key,
                        None => {
                            return Ok(PmsAnswer::refused(format!(
                                "No stay in {room_name} to copy keys of"
                            )));
                        }
                    },
                };
                let stay = self
                    .store
                    .read(|r| crate::stays::stay_detail(r, &key, context.now))?;
                let grant = stay
                    .guests
                    .first()
                    .ok_or_else(|| Error::not_found("stay", &key))?
                    .access_grant_id;
                let mut cards = Vec::new();
                for _ in 0..request.cards {
                    cards.push(self.add_card_copy(context, grant)?.id);
                }
                let text = format!("{} for {rooms_text}", plural(cards.len(), "copy", "copies"));
                (cards, text)
            }
        };
        self.take_blank_for(encoder.station, &cards)?;
        match self.encode_cards(context, encoder.station, &cards, on_event) {
            Ok(written) => Ok(PmsAnswer::done(
                text,
                written.last().map(|card| card.card_id.clone()),
            )),
            Err(error) => {
                // The stay is made; the desk shows the cards still to encode.
                let wire = error.to_wire();
                Ok(PmsAnswer::refused(format!(
                    "Keys not made on {}: {}",
                    encoder.name, wire.message
                )))
            }
        }
    }

    /// The check-in a new stay's keys make: one guest, the room's doors and the common
    /// areas the key options leave on, from the arrival to the departure.
    fn pms_check_in(
        &self,
        request: &PmsKeyRequest,
        room: SpaceId,
        now: DateTime<Utc>,
    ) -> Result<CheckIn> {
        let zone = self.time_zone();
        let (starts_at, ends_at) = stay_dates(zone, now, request)?;
        let options = self.store.read(|r| Ok::<_, Error>(r.pms_key_options()?))?;
        let common_entrance_ids = self.common_areas_on(&options, &request.key_options)?;
        let full_name = guest_name(request);
        Ok(CheckIn {
            space_id: room,
            starts_at,
            ends_at,
            guests: vec![NewGuest {
                full_name,
                email_address: None,
                phone_number: None,
            }],
            common_entrance_ids,
            cards_per_guest: request.cards,
            reservation_key: request.reservation.clone(),
            allow_overlap: false,
        })
    }

    /// The grant a one-shot key request makes: one card per key asked for, opening each room
    /// once within the request's dates; a viewing belongs to no stay, so the reservation
    /// number only names it.
    fn pms_one_shot(
        &self,
        request: &PmsKeyRequest,
        rooms: &[SpaceId],
        now: DateTime<Utc>,
    ) -> Result<crate::CreateAccessGrant> {
        let (starts_at, ends_at) = stay_dates(self.time_zone(), now, request)?;
        let full_name = guest_name(request);
        Ok(crate::CreateAccessGrant {
            new_user_identity: Some(crate::NewUserIdentity {
                key: None,
                full_name: Some(full_name),
                email_address: None,
                phone_number: None,
                kind: engine::model::UserKind::Guest,
            }),
            space_ids: rooms.to_vec(),
            starts_at: Some(starts_at),
            ends_at: Some(ends_at),
            requested_access_methods: (0..request.cards.max(1))
                .map(|_| engine::model::RequestedAccessMethod {
                    mode: AccessMode::Card,
                    code: None,
                })
                .collect(),
            name: Some(match &request.reservation {
                Some(key) => format!("One-shot key, reservation {key}"),
                None => "One-shot key".to_owned(),
            }),
            one_shot: true,
            ..Default::default()
        })
    }

    /// The common areas on a key: every one, as the desk's check-in ticks them, but those
    /// whose key-option position the PMS set to off.
    fn common_areas_on(
        &self,
        options: &[(u32, EntranceId)],
        set: &BTreeMap<u32, bool>,
    ) -> Result<Vec<EntranceId>> {
        let off: Vec<EntranceId> = options
            .iter()
            .filter(|(position, _)| set.get(position) == Some(&false))
            .map(|(_, entrance)| *entrance)
            .collect();
        let all = self.store.read(crate::stays::common_area_doors)?;
        Ok(all
            .into_iter()
            .map(|entrance| entrance.id)
            .filter(|id| !off.contains(id))
            .collect())
    }

    /// The room the PMS names.
    fn pms_room(&self, number: &str) -> Result<Option<SpaceId>> {
        self.store
            .read(|r| Ok::<_, Error>(r.space_by_pms_room_number(number.trim())?))
    }

    /// The room of a reservation's live stay, if it has one.
    fn live_stay_room(&self, key: &str) -> Result<Option<(String, SpaceId)>> {
        self.store.read(|r| {
            let grants = match crate::stays::stay_grants(r, key) {
                Ok(grants) => grants,
                Err(Error::NotFound { .. }) => return Ok(None),
                Err(error) => return Err(error),
            };
            Ok(crate::stays::stay_room(r, &grants)?.map(|room| (key.to_owned(), room)))
        })
    }

    /// The rooms of a reservation's stay: its first room, then the others.
    fn stay_rooms(&self, key: &str) -> Result<Vec<SpaceId>> {
        self.store
            .read(|r| crate::stays::stay_rooms(r, &crate::stays::stay_grants(r, key)?))
    }

    /// The reservation of the one stay in a room now, if exactly one is there.
    fn only_stay_in_room(&self, room: SpaceId, now: DateTime<Utc>) -> Result<Option<String>> {
        let hits = self
            .store
            .read(|r| Ok::<_, Error>(r.stay_hits_of_room(room)?))?;
        let mut keys: Vec<String> = hits
            .into_iter()
            .filter(|hit| hit.deleted_at.is_none() && hit.starts_at <= now && now < hit.ends_at)
            .map(|hit| hit.reservation_key)
            .collect();
        keys.sort();
        keys.dedup();
        Ok(if keys.len() == 1 { keys.pop() } else { None })
    }

    /// Checks a reservation out for the PMS (its cards stay listed as not collected, as at
    /// the desk). Without a reservation number, the one stay in the room is meant.
    pub fn pms_check_out(&self, context: &Context, change: &PmsStayChange) -> PmsAnswer {
        let key = match self.pms_reservation(context, change) {
            Ok(Some(key)) => key,
            Ok(None) => return not_found(change),
            Err(error) => return PmsAnswer::from_error(&error),
        };
        match self.check_out_by(context, &key) {
            Ok(result) => {
                let text = match result.uncollected.len() {
                    0 => "Checked out".to_owned(),
                    n => format!("Checked out; {} not returned", plural(n, "key", "keys")),
                };
                PmsAnswer::done(text, None)
            }
            Err(error) => PmsAnswer::from_error(&error),
        }
    }

    /// A room move or new dates for a reservation, then its cards made again on `encoder`
    /// (a card must be at hand: the change is made first, and said if the cards are not).
    pub fn pms_change_stay(
        &self,
        context: &Context,
        encoder: &PmsEncoder<'_>,
        change: &PmsStayChange,
        on_event: &mut dyn FnMut(EncodeEvent),
    ) -> PmsAnswer {
        let key = match self.pms_reservation(context, change) {
            Ok(Some(key)) => key,
            Ok(None) => return not_found(change),
            Err(error) => return PmsAnswer::from_error(&error),
        };
        let Some(_claimed) = encoder.claim.claim() else {
            return busy(encoder);
        };
        self.change_stay(context, encoder, &key, change, on_event)
            .unwrap_or_else(|error| PmsAnswer::from_error(&error))
    }

    fn change_stay(
        &self,
        context: &Context,
        encoder: &PmsEncoder<'_>,
        key: &str,
        change: &PmsStayChange,
        on_event: &mut dyn FnMut(EncodeEvent),
    ) -> Result<PmsAnswer> {
        let Some((_, current)) = self.live_stay_room(key)? else {
            return Ok(not_found(change));
        };
        if let Some(refused) = not_connected(encoder) {
            return Ok(refused);
        }
        let mut stay = None;
        let mut done = Vec::new();
        if let Some(number) = &change.room {
            let Some(room) = self.pms_room(number)? else {
                return Ok(PmsAnswer::refused(format!("Room {number} is not known")));
            };
            if room != current {
                let moved = self.move_stay_by(context, key, room, false)?;
                done.push(format!("Moved to {}", moved.stay.room_name));
                stay = Some(moved.stay);
            }
        }
        if change.arrival.is_some() || change.departure.is_some() || change.departure_time.is_some()
        {
            let zone = self.time_zone();
            let today = context.now.with_timezone(&zone).date_naive();
            // An arrival today or before keeps the stay's start: a guest in the house keeps
            // the room.
            let starts_at = change
                .arrival
                .filter(|day| *day > today)
                .map(|day| local(zone, day, CHECK_IN_TIME, context.now));
            // A departure time alone moves the end on its current day.
            let departure = match (change.departure, change.departure_time) {
                (Some(day), _) => Some(day),
                (None, Some(_)) => {
                    let detail = self
                        .store
                        .read(|r| crate::stays::stay_detail(r, key, context.now))?;
                    Some(detail.ends_at.with_timezone(&zone).date_naive())
                }
                (None, None) => None,
            };
            let ends_at = departure.map(|day| {
                local(
                    zone,
                    day,
                    change.departure_time.unwrap_or(CHECK_OUT_TIME),
                    context.now,
                )
            });
            let changed = match self.change_dates_by(context, key, starts_at, ends_at, false) {
                Ok(changed) => changed,
                // Said whole: the move stands, the dates do not.
                Err(error) if !done.is_empty() => {
                    let refusal = PmsAnswer::from_error(&error);
                    return Ok(PmsAnswer {
                        text: format!("{}; new dates refused: {}", done.join(", "), refusal.text),
                        ..refusal
                    });
                }
                Err(error) => return Err(error),
            };
            done.push("new dates".to_owned());
            stay = Some(changed);
        }
        let Some(stay) = stay else {
            return Ok(PmsAnswer::done("Nothing to change", None));
        };
        let cards: Vec<AccessMethodId> = stay
            .guests
            .iter()
            .flat_map(|guest| &guest.cards)
            .filter(|card| {
                card.mode == AccessMode::Card
                    && card.revoked_at.is_none()
                    && (!card.is_issued() || card.is_encoding_required)
            })
            .map(|card| card.id)
            .collect();
        let summary = done.join(", ");
        if cards.is_empty() {
            return Ok(PmsAnswer::done(summary, None));
        }
        self.take_blank_for(encoder.station, &cards)?;
        Ok(
            match self.encode_cards(context, encoder.station, &cards, on_event) {
                Ok(written) => PmsAnswer::done(
                    format!("{summary}; {}", plural(written.len(), "key", "keys")),
                    written.last().map(|card| card.card_id.clone()),
                ),
                Err(error) => PmsAnswer::refused(format!(
                    "{summary}; keys not made on {}: {}",
                    encoder.name,
                    error.to_wire().message
                )),
            },
        )
    }

    /// The reservation a check-out or change means: its number, or the one stay in the
    /// room named.
    fn pms_reservation(&self, context: &Context, change: &PmsStayChange) -> Result<Option<String>> {
        if let Some(key) = &change.reservation {
            return Ok(self.live_stay_room(key)?.map(|(key, _)| key));
        }
        let room = change.old_room.as_ref().or(change.room.as_ref());
        let Some(room) = room else {
            return Ok(None);
        };
        match self.pms_room(room)? {
            Some(room) => self.only_stay_in_room(room, context.now),
            None => Ok(None),
        }
    }

    fn time_zone(&self) -> Tz {
        self.store
            .read(crate::stays::property_zone)
            .unwrap_or(chrono_tz::UTC)
    }
}

/// The answer for an encoder busy with another job.
fn busy(encoder: &PmsEncoder<'_>) -> PmsAnswer {
    PmsAnswer {
        status: PmsStatus::Busy,
        text: format!("{} is busy with other keys", encoder.name),
        card_id: None,
    }
}

/// The refusal for an encoder that is not there, before anything is changed.
fn not_connected(encoder: &PmsEncoder<'_>) -> Option<PmsAnswer> {
    (encoder.station.state() == encoder::supervisor::EncoderState::Disconnected).then(|| {
        PmsAnswer::refused(format!(
            "{} is not connected: nothing was changed",
            encoder.name
        ))
    })
}

fn not_found(change: &PmsStayChange) -> PmsAnswer {
    PmsAnswer {
        status: PmsStatus::NotFound,
        text: match (&change.reservation, &change.room) {
            (Some(key), _) => format!("No stay for reservation {key}"),
            (None, Some(room)) => format!("No one stay in room {room}"),
            (None, None) => "No reservation named".to_owned(),
        },
        card_id: None,
    }
}

/// The cards of a stay still to encode.
fn cards_to_encode(stay: &StayDetail) -> Vec<AccessMethodId> {
    stay.guests
        .iter()
        .flat_map(|guest| &guest.cards)
        .filter(|card| {
            card.mode == AccessMode::Card && !card.is_issued() && card.revoked_at.is_none()
        })
        .map(|card| card.id)
        .collect()
}

/// A new stay's dates: from its arrival (now when that is today or past, else the day's
/// check-in time) to its departure day at the departure time (the property's check-out time
/// when not given), in the property's time zone.
fn stay_dates(
    zone: Tz,
    now: DateTime<Utc>,
    request: &PmsKeyRequest,
) -> Result<(DateTime<Utc>, DateTime<Utc>)> {
    let today = now.with_timezone(&zone).date_naive();
    let starts_at = match request.arrival {
        Some(day) if day > today => local(zone, day, CHECK_IN_TIME, now),
        _ => now,
    };
    // Without a departure, the desk's own default: the next morning's check-out time.
    let ends_at = match request.departure {
        Some(day) => local(
            zone,
            day,
            request.departure_time.unwrap_or(CHECK_OUT_TIME),
            now,
        ),
        None => crate::stays::next_check_out(zone, starts_at),
    };
    if ends_at <= starts_at {
        return Err(Error::invalid(
            "GD",
            format!(
                "the departure {} is not after the arrival",
                ends_at.with_timezone(&zone).format("%d %b %H:%M")
            ),
        ));
    }
    Ok((starts_at, ends_at))
}

/// A property-local day and time as an instant; `otherwise` for a time the clock skips.
fn local(zone: Tz, day: NaiveDate, time: NaiveTime, otherwise: DateTime<Utc>) -> DateTime<Utc> {
    crate::stays::local_instant(zone, day, time).unwrap_or(otherwise)
}

/// Whether a stay's rooms are `room` first and `extra` in any order.
fn same_rooms(stay: &[SpaceId], room: SpaceId, extra: &[SpaceId]) -> bool {
    stay.first() == Some(&room)
        && stay.len() == extra.len() + 1
        && extra.iter().all(|other| stay[1..].contains(other))
}

/// The guest a key request names: `GN`, else "Reservation 4711" for its `G#`.
fn guest_name(request: &PmsKeyRequest) -> String {
    request
        .guest_name
        .clone()
        .filter(|name| !name.trim().is_empty())
        .or_else(|| {
            request
                .reservation
                .as_ref()
                .map(|key| crate::stays::unnamed_guest(key))
        })
        .unwrap_or_else(|| "Guest".to_owned())
}

fn keys_for(count: usize, room: &str) -> String {
    format!("{} for {room}", plural(count, "key", "keys"))
}

fn plural(count: usize, one: &str, many: &str) -> String {
    if count == 1 {
        format!("1 {one}")
    } else {
        format!("{count} {many}")
    }
}
