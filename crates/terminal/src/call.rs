//! Every call the desk's window makes, as data: the desktop shell answers it with its own
//! use cases, or sends it to the property server, which answers it the same way. Answers are
//! JSON, so that a terminal passes them to its window without knowing their types.

use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use engine::model::{AccessGrantId, AccessMethodId, EntranceId, SpaceId, TimeFrame};
use engine::staff::StaffTerms;
use frontdesk::{
    AddGuest, AuditQuery, CardStation, CardView, CheckIn, Context, EncodeEvent, Error, FrontDesk,
    GroupCheckIn, Language, Operator, PlannedChange, Result, Role, SpareHandedOut, StaffChange,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

/// One call of the desk. The session calls (sign-in and the like) need no operator; every
/// other call is made by the operator whose session token goes with it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, strum::IntoStaticStr)]
#[serde(tag = "call", content = "args", rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum DeskCall {
    OperatorsExist,
    /// The board's rooms with no one's stays, for the sign-in screen to lay out.
    BoardLayout,
    CreateFirstManager {
        name: String,
        pin: String,
    },
    SignIn {
        name: String,
        pin: String,
    },
    SignOut,
    /// The operator the session token belongs to.
    WhoAmI,
    ListOperators,
    CreateOperator {
        name: String,
        pin: String,
        role: Role,
    },
    /// A new PIN for an operator, by a manager.
    ResetOperatorPin {
        operator_id: Uuid,
        pin: String,
    },
    SetOperatorRole {
        operator_id: Uuid,
        role: Role,
    },
    /// Disables an operator, or enables them again.
    SetOperatorEnabled {
        operator_id: Uuid,
        enabled: bool,
    },
    /// The language the signed-in operator reads the desk in.
    SetMyLanguage {
        language: Language,
    },
    RoomBoard,
    Timeline {
        from: NaiveDate,
        days: u32,
    },
    FindStays {
        query: String,
    },
    Stay {
        reservation_key: String,
    },
    PastStay {
        reservation_key: String,
    },
    CheckInOptions {
        space_id: SpaceId,
        day: Option<NaiveDate>,
    },
    CheckIn {
        request: CheckIn,
    },
    CheckInGroup {
        request: GroupCheckIn,
    },
    EncodeCards {
        access_method_ids: Vec<AccessMethodId>,
    },
    AddGuest {
        request: AddGuest,
    },
    DuplicateCard {
        access_grant_id: AccessGrantId,
    },
    MoveStay {
        reservation_key: String,
        to_space_id: SpaceId,
        allow_overlap: bool,
    },
    ChangeDates {
        reservation_key: String,
        starts_at: Option<DateTime<Utc>>,
        ends_at: Option<DateTime<Utc>>,
        allow_overlap: bool,
    },
    ReissueStay {
        reservation_key: String,
    },
    RemakeCards {
        reservation_key: String,
    },
    Predict {
        change: PlannedChange,
    },
    CheckOut {
        reservation_key: String,
    },
    MarkCollected {
        access_method_id: AccessMethodId,
    },
    ReportCardLost {
        access_method_id: AccessMethodId,
    },
    EncodeCancelCard {
        entrance_ids: Vec<EntranceId>,
    },
    SpareCards,
    MakeSpareCard {
        space_id: SpaceId,
        valid_until: DateTime<Utc>,
    },
    HandOutSpare {
        request: SpareHandedOut,
    },
    VoidSpare {
        spare_id: Uuid,
    },
    /// A lock-out card for a room's doors, or (`lift`) one that lifts it.
    EncodeLockOutCard {
        entrance_ids: Vec<EntranceId>,
        lift: bool,
    },
    CardCollected {
        card_id: String,
    },
    CardLost {
        card_id: String,
    },
    RoomCardsOut {
        space_id: SpaceId,
    },
    ReadCard,
    Warnings,
    AuditLog {
        query: AuditQuery,
    },
    StaffAccess,
    IssueStaffAccess {
        full_name: String,
        entrance_ids: Vec<EntranceId>,
        starts_at: DateTime<Utc>,
        ends_at: DateTime<Utc>,
        /// Its level and schedule; chosen doors at any time when absent.
        #[serde(default)]
        terms: StaffTerms,
        /// Its card opens each door once; it then has no level or schedule.
        #[serde(default)]
        one_shot: bool,
    },
    StaffDoorChoices,
    UpdateStaffAccess {
        change: StaffChange,
    },
    RevokeStaffAccess {
        access_grant_id: AccessGrantId,
    },
    DeleteStaffAccess {
        access_grant_id: AccessGrantId,
    },
    ReportStaffCardLost {
        access_method_id: AccessMethodId,
    },
    Entrances,
    /// Whose card each of these plastics (UIDs in hex) was written as, with its rooms, dates and
    /// status, if anyone's.
    CardHolders {
        card_ids: Vec<String>,
    },
    /// A simulated card, with the image its chip holds, presented at a simulated door.
    PresentCard {
        entrance_id: EntranceId,
        card_id: String,
        /// The card's image in hex.
        image: String,
        at: Option<DateTime<Utc>>,
    },
    /// A simulated door's latest decisions, for a manager's report.
    DoorLog {
        entrance_id: EntranceId,
        limit: u32,
    },
    /// Whether a simulated door's deadbolt is thrown.
    DoorPrivacy {
        entrance_id: EntranceId,
    },
    /// The guest inside throws (`on`) or releases a simulated room door's deadbolt.
    SetPrivacy {
        entrance_id: EntranceId,
        on: bool,
        at: Option<DateTime<Utc>>,
    },
    Terminals,
    /// How the property server's PMS link stands.
    PmsLinkStatus,
    RevokeTerminal {
        terminal_id: Uuid,
    },
}

impl DeskCall {
    /// The call's name as the log shows it (`room_board`), as it goes on the wire.
    pub fn name(&self) -> &'static str {
        self.into()
    }
}

/// A signed-in operator's session: its token goes with every call.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Session {
    pub token: String,
    pub operator: Operator,
    /// The language the operator reads the desk in.
    pub language: Language,
}

/// An entrance, for the door simulator and the staff screen.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EntranceView {
    pub acs_entrance_id: Uuid,
    pub name: String,
    pub key: String,
    pub can_belong_to_reservation: bool,
    pub space_ids: Vec<Uuid>,
}

impl From<&frontdesk::EntranceRecord> for EntranceView {
    fn from(entrance: &frontdesk::EntranceRecord) -> Self {
        Self {
            acs_entrance_id: entrance.id,
            name: entrance.name.clone(),
            key: entrance.key.clone(),
            can_belong_to_reservation: entrance.can_belong_to_reservation,
            space_ids: entrance.space_ids.clone(),
        }
    }
}

/// Where operators' sessions live: in the desktop app's memory, or in the property server's
/// database for the terminal that asks.
pub trait Sessions {
    /// Who acts before anyone signed in (the audit log's actor for a sign-in).
    fn context(&self, now: DateTime<Utc>) -> Context;
    fn start(&self, desk: &FrontDesk, operator: Operator, now: DateTime<Utc>) -> Result<String>;
    /// The operator a token belongs to; refused when the session ended.
    fn operator(&self, desk: &FrontDesk, token: &str) -> Result<Operator>;
    fn end(&self, desk: &FrontDesk, token: &str, now: DateTime<Utc>) -> Result<()>;
}

/// What answering a call needs: the use cases, where sessions live and the encoder the
/// caller's cards go to.
#[derive(Debug, Clone, Copy)]
pub struct Answering<'a, S> {
    pub desk: &'a FrontDesk,
    pub sessions: &'a S,
    pub station: &'a CardStation,
}

impl<S: Sessions> Answering<'_, S> {
    /// Answers one call at `now`, telling `on_event` each step of an encode.
    pub fn answer(
        &self,
        token: Option<&str>,
        call: DeskCall,
        now: DateTime<Utc>,
        on_event: &mut dyn FnMut(EncodeEvent),
    ) -> Result<Value> {
        let desk = self.desk;
        match call {
            DeskCall::OperatorsExist => return json(desk.has_operators()?),
            DeskCall::BoardLayout => return json(desk.board_layout(now)?),
            DeskCall::CreateFirstManager { name, pin } => {
                let operator =
                    desk.create_first_manager(&self.sessions.context(now), &name, &pin)?;
                return self.start_session(operator, now);
            }
            DeskCall::SignIn { name, pin } => {
                let operator = desk.sign_in(&self.sessions.context(now), &name, &pin)?;
                return self.start_session(operator, now);
            }
            DeskCall::SignOut => {
                if let Some(token) = token {
                    self.sessions.end(desk, token, now)?;
                }
                return Ok(Value::Null);
            }
            _ => {}
        }
        let token = token.ok_or_else(|| {
            Error::Unauthorized("Sign in first: this needs an operator.".to_owned())
        })?;
        let operator = &self.sessions.operator(desk, token)?;
        let context = &operator.context(now);
        let station = self.station;
        match call {
            DeskCall::OperatorsExist
            | DeskCall::BoardLayout
            | DeskCall::CreateFirstManager { .. }
            | DeskCall::SignIn { .. }
            | DeskCall::SignOut => Ok(Value::Null),
            DeskCall::WhoAmI => json(operator),
            DeskCall::ListOperators => json(desk.operators(operator)?),
            DeskCall::CreateOperator { name, pin, role } => {
                json(desk.create_operator(operator, now, &name, &pin, role)?)
            }
            DeskCall::ResetOperatorPin { operator_id, pin } => {
                json(desk.reset_operator_pin(&operator.context(now), operator_id, &pin)?)
            }
            DeskCall::SetOperatorRole { operator_id, role } => {
                json(desk.set_operator_role(&operator.context(now), operator_id, role)?)
            }
            DeskCall::SetOperatorEnabled {
                operator_id,
                enabled,
            } => json(desk.set_operator_enabled(&operator.context(now), operator_id, enabled)?),
            DeskCall::SetMyLanguage { language } => {
                json(desk.set_my_language(&operator.context(now), language)?)
            }
            DeskCall::RoomBoard => json(desk.room_board(operator, now)?),
            DeskCall::Timeline { from, days } => json(desk.timeline(operator, from, days, now)?),
            DeskCall::FindStays { query } => json(desk.find_stays(operator, &query, now)?),
            DeskCall::Stay { reservation_key } => json(desk.stay(operator, &reservation_key)?),
            DeskCall::PastStay { reservation_key } => {
                json(desk.past_stay(operator, &reservation_key, now)?)
            }
            DeskCall::CheckInOptions { space_id, day } => json(match day {
                Some(day) => desk.check_in_options_on(operator, space_id, day, now)?,
                None => desk.check_in_options(operator, space_id, now)?,
            }),
            DeskCall::CheckIn { request } => json(desk.check_in(operator, now, &request)?),
            DeskCall::CheckInGroup { request } => {
                json(desk.check_in_group(operator, now, &request)?)
            }
            DeskCall::EncodeCards { access_method_ids } => {
                desk.take_blank_for(station, &access_method_ids)?;
                json(desk.encode_cards(context, station, &access_method_ids, on_event)?)
            }
            DeskCall::AddGuest { request } => json(desk.add_guest(operator, now, &request)?),
            DeskCall::DuplicateCard { access_grant_id } => json(CardView::from(
                desk.add_card_copy(context, access_grant_id)?,
            )),
            DeskCall::MoveStay {
                reservation_key,
                to_space_id,
                allow_overlap,
            } => {
                json(desk.move_stay(operator, now, &reservation_key, to_space_id, allow_overlap)?)
            }
            DeskCall::ChangeDates {
                reservation_key,
                starts_at,
                ends_at,
                allow_overlap,
            } => json(desk.change_dates(
                operator,
                now,
                &reservation_key,
                starts_at,
                ends_at,
                allow_overlap,
            )?),
            DeskCall::ReissueStay { reservation_key } => {
                json(desk.reissue_stay(operator, now, &reservation_key)?)
            }
            DeskCall::RemakeCards { reservation_key } => {
                json(desk.remake_cards(operator, now, &reservation_key)?)
            }
            DeskCall::Predict { change } => json(desk.predict(operator, now, &change)?),
            DeskCall::CheckOut { reservation_key } => {
                json(desk.check_out(operator, now, &reservation_key)?)
            }
            DeskCall::MarkCollected { access_method_id } => json(CardView::from(
                desk.mark_card_collected(context, access_method_id)?,
            )),
            DeskCall::ReportCardLost { access_method_id } => json(CardView::from(
                desk.report_card_lost(operator, now, access_method_id)?,
            )),
            DeskCall::EncodeCancelCard { entrance_ids } => {
                desk.take_blank_for(station, &[])?;
                on_event(EncodeEvent::PresentCard { index: 0, total: 1 });
                let mut progress = one_card_progress(on_event);
                json(desk.encode_cancel_card(context, station, &entrance_ids, &mut progress)?)
            }
            DeskCall::SpareCards => json(desk.spare_cards(operator, now)?),
            DeskCall::MakeSpareCard {
                space_id,
                valid_until,
            } => {
                desk.check_spare_card(context, space_id, valid_until)?;
                desk.take_blank_for(station, &[])?;
                on_event(EncodeEvent::PresentCard { index: 0, total: 1 });
                let mut progress = one_card_progress(on_event);
                json(desk.make_spare_card(
                    context,
                    station,
                    space_id,
                    valid_until,
                    &mut progress,
                )?)
            }
            DeskCall::HandOutSpare { request } => {
                json(desk.hand_out_spare(operator, now, &request)?)
            }
            DeskCall::VoidSpare { spare_id } => json(desk.void_spare(operator, now, spare_id)?),
            DeskCall::EncodeLockOutCard { entrance_ids, lift } => {
                desk.check_lock_out_card(context, &entrance_ids)?;
                desk.take_blank_for(station, &[])?;
                on_event(EncodeEvent::PresentCard { index: 0, total: 1 });
                let mut progress = one_card_progress(on_event);
                json(desk.encode_lock_out_card(
                    context,
                    station,
                    &entrance_ids,
                    lift,
                    &mut progress,
                )?)
            }
            DeskCall::CardCollected { card_id } => {
                json(desk.card_collected(operator, now, &card_id)?)
            }
            DeskCall::CardLost { card_id } => json(desk.card_lost(operator, now, &card_id)?),
            DeskCall::RoomCardsOut { space_id } => {
                json(desk.room_cards_out(operator, space_id, now)?)
            }
            DeskCall::ReadCard => json(desk.read_card(context, station)?),
            DeskCall::Warnings => json(desk.warnings(operator, now)?),
            DeskCall::AuditLog { query } => json(desk.audit_entries(operator, &query)?),
            DeskCall::StaffAccess => json(desk.staff_access(operator, now)?),
            DeskCall::IssueStaffAccess {
                full_name,
                entrance_ids,
                starts_at,
                ends_at,
                terms,
                one_shot,
            } => {
                let frame = TimeFrame::new(starts_at, ends_at);
                let grant = if !one_shot {
                    desk.issue_staff_key(operator, now, &full_name, &entrance_ids, frame, &terms)?
                } else if terms == StaffTerms::default() {
                    desk.issue_one_shot_key(operator, now, &full_name, &entrance_ids, frame)?
                } else {
                    return Err(frontdesk::Error::invalid(
                        "one_shot",
                        "a one-shot key lists its doors and opens once: leave out the level and \
                         the shift",
                    ));
                };
                json(staff_entry(desk, operator, grant.id, now)?)
            }
            DeskCall::StaffDoorChoices => json(desk.staff_door_choices(operator)?),
            DeskCall::UpdateStaffAccess { change } => {
                let grant = desk.update_staff_access(operator, now, &change)?;
                json(staff_entry(desk, operator, grant.id, now)?)
            }
            DeskCall::RevokeStaffAccess { access_grant_id } => {
                desk.revoke_staff_access(operator, now, access_grant_id)?;
                // The revoked entry while its card is out, else nothing.
                json(staff_entry(desk, operator, access_grant_id, now).ok())
            }
            DeskCall::DeleteStaffAccess { access_grant_id } => {
                desk.delete_staff_access(operator, now, access_grant_id)?;
                Ok(Value::Null)
            }
            DeskCall::ReportStaffCardLost { access_method_id } => json(CardView::from(
                desk.report_staff_card_lost(operator, now, access_method_id)?,
            )),
            DeskCall::Entrances => json(
                desk.doors(operator)?
                    .iter()
                    .map(EntranceView::from)
                    .collect::<Vec<_>>(),
            ),
            DeskCall::CardHolders { card_ids } => {
                context.require(frontdesk::Permission::FrontDesk)?;
                json(
                    card_ids
                        .iter()
                        .map(|card_id| desk.card_description(card_id))
                        .collect::<Result<Vec<_>>>()?,
                )
            }
            DeskCall::PresentCard {
                entrance_id,
                card_id,
                image,
                at,
            } => {
                let image = from_hex(&image)
                    .ok_or_else(|| Error::invalid("image", "is not the card's image in hex"))?;
                json(desk.present_card_image(
                    context,
                    station.keys(),
                    entrance_id,
                    &card_id,
                    |_| Ok(image),
                    at,
                )?)
            }
            DeskCall::DoorPrivacy { entrance_id } => json(desk.door_privacy(context, entrance_id)?),
            DeskCall::DoorLog { entrance_id, limit } => {
                json(desk.door_log(operator, entrance_id, limit)?)
            }
            DeskCall::SetPrivacy {
                entrance_id,
                on,
                at,
            } => json(desk.set_privacy(context, entrance_id, on, at)?),
            DeskCall::Terminals => json(desk.terminals(context)?),
            DeskCall::PmsLinkStatus => json(desk.pms_link_status(operator)?),
            DeskCall::RevokeTerminal { terminal_id } => {
                json(desk.revoke_terminal(context, terminal_id)?)
            }
        }
    }

    fn start_session(&self, operator: Operator, now: DateTime<Utc>) -> Result<Value> {
        // Read first: a session started is a session to end.
        let language = self.desk.operator_language(&operator)?;
        let token = self.sessions.start(self.desk, operator.clone(), now)?;
        json(Session {
            token,
            operator,
            language,
        })
    }
}

/// One staff entry as the staff screen lists it.
fn staff_entry(
    desk: &FrontDesk,
    operator: &Operator,
    id: AccessGrantId,
    now: DateTime<Utc>,
) -> Result<frontdesk::StaffAccess> {
    desk.staff_access(operator, now)?
        .into_iter()
        .find(|staff| staff.access_grant_id == id)
        .ok_or_else(|| Error::NotFound {
            resource: "access_grant",
            id: id.to_string(),
        })
}

fn json(value: impl Serialize) -> Result<Value> {
    serde_json::to_value(value).map_err(|error| Error::Internal(error.to_string()))
}

/// Bytes from lower- or upper-case hex.
pub fn from_hex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|at| u8::from_str_radix(text.get(at..at + 2)?, 16).ok())
        .collect()
}

/// The encoder's progress on the only card of a call, as the window's events.
fn one_card_progress(on_event: &mut dyn FnMut(EncodeEvent)) -> impl FnMut(usize, usize) + '_ {
    move |done, total| {
        on_event(EncodeEvent::Progress {
            index: 0,
            done,
            total,
        });
    }
}

/// Bytes in lower-case hex.
pub fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// How long a call may take before the caller stops waiting: an encode waits for a card.
pub fn call_timeout(call: &DeskCall, card_wait: Duration) -> Duration {
    match call {
        DeskCall::EncodeCards { access_method_ids } => {
            (card_wait + Duration::from_secs(10))
                * u32::try_from(access_method_ids.len().max(1)).unwrap_or(u32::MAX)
        }
        DeskCall::EncodeCancelCard { .. }
        | DeskCall::EncodeLockOutCard { .. }
        | DeskCall::MakeSpareCard { .. }
        | DeskCall::ReadCard => card_wait + Duration::from_secs(10),
        _ => Duration::from_secs(30),
    }
}
