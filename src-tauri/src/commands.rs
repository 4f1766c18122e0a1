//! The commands the UI invokes. Each is one line over a use case: [`Desk::run`] runs it on a
//! blocking thread and maps its error with `frontdesk::Error::to_wire`. A new command also
//! goes in `generate_handler!` (lib.rs), in `build.rs`'s command list, and, as
//! `allow-<name>`, in `capabilities/default.json`; the types it returns derive `TS` and are
//! listed in `bindings::export_bindings`.

use crate::State;
use crate::bindings::AppInfo;
use crate::desk::Desk;

/// The property's name and time zone, and the encoder's state.
#[tauri::command]
pub async fn app_info(state: State<'_>) -> Result<AppInfo, WireError> {
    state.run(Desk::app_info).await
}

use chrono::{DateTime, NaiveDate, Utc};
use engine::model::{AccessGrantId, AccessMethodId, EntranceId, SpaceId, TimeFrame};
use frontdesk::{
    AddGuest, AuditQuery, AuditView, Board, CardReport, CardView, CheckIn, CheckInOptions,
    CheckOutResult, EncodedCard, FoundStay, LockDecision, MoveResult, Operator, PastStay,
    PlannedChange, Prediction, Role, StaffAccess, StaffChange, StaffDoorChoices, StayDetail,
    Timeline, WarningView, WireError,
};
use tauri::{AppHandle, Emitter};

use crate::bindings::{ApiStatus, EntranceView, Session, SimulatedCardView};

/// The event that carries each step of a batch of encodes ([`frontdesk::EncodeEvent`]).
pub const ENCODE_PROGRESS_EVENT: &str = "encode-progress";

#[tauri::command]
pub async fn operators_exist(state: State<'_>) -> Result<bool, WireError> {
    state.run(|desk| desk.desk.has_operators()).await
}

#[tauri::command]
pub async fn create_first_manager(
    state: State<'_>,
    name: String,
    pin: String,
) -> Result<Session, WireError> {
    state
        .run(move |desk| {
            desk.start_session(desk.desk.create_first_manager(
                &crate::desk::context(),
                &name,
                &pin,
            )?)
        })
        .await
}

#[tauri::command]
pub async fn sign_in(state: State<'_>, name: String, pin: String) -> Result<Session, WireError> {
    state
        .run(move |desk| {
            desk.start_session(desk.desk.sign_in(&crate::desk::context(), &name, &pin)?)
        })
        .await
}

#[tauri::command]
pub async fn sign_out(state: State<'_>, token: String) -> Result<(), WireError> {
    state
        .run(move |desk| {
            desk.end_session(&token);
            Ok(())
        })
        .await
}

#[tauri::command]
pub async fn list_operators(state: State<'_>, token: String) -> Result<Vec<Operator>, WireError> {
    state
        .signed_in(token, |desk, operator| desk.desk.operators(operator))
        .await
}

#[tauri::command]
pub async fn create_operator(
    state: State<'_>,
    token: String,
    name: String,
    pin: String,
    role: Role,
) -> Result<Operator, WireError> {
    state
        .signed_in(token, move |desk, operator| {
            desk.desk
                .create_operator(operator, Utc::now(), &name, &pin, role)
        })
        .await
}

#[tauri::command]
pub async fn room_board(state: State<'_>, token: String) -> Result<Board, WireError> {
    state
        .signed_in(token, |desk, operator| {
            desk.desk.room_board(operator, Utc::now())
        })
        .await
}

/// `days` days of every room from the property-local day `from` (`YYYY-MM-DD`).
#[tauri::command]
pub async fn timeline(
    state: State<'_>,
    token: String,
    from: NaiveDate,
    days: u32,
) -> Result<Timeline, WireError> {
    state
        .signed_in(token, move |desk, operator| {
            desk.desk.timeline(operator, from, days, Utc::now())
        })
        .await
}

#[tauri::command]
pub async fn find_stays(
    state: State<'_>,
    token: String,
    query: String,
) -> Result<Vec<FoundStay>, WireError> {
    state
        .signed_in(token, move |desk, operator| {
            desk.desk.find_stays(operator, &query, Utc::now())
        })
        .await
}

#[tauri::command]
pub async fn stay(
    state: State<'_>,
    token: String,
    reservation_key: String,
) -> Result<StayDetail, WireError> {
    state
        .signed_in(token, move |desk, operator| {
            desk.desk.stay(operator, &reservation_key)
        })
        .await
}

#[tauri::command]
pub async fn past_stay(
    state: State<'_>,
    token: String,
    reservation_key: String,
) -> Result<PastStay, WireError> {
    state
        .signed_in(token, move |desk, operator| {
            desk.desk.past_stay(operator, &reservation_key, Utc::now())
        })
        .await
}

#[tauri::command]
pub async fn check_in_options(
    state: State<'_>,
    token: String,
    space_id: SpaceId,
    day: Option<NaiveDate>,
) -> Result<CheckInOptions, WireError> {
    state
        .signed_in(token, move |desk, operator| match day {
            Some(day) => desk
                .desk
                .check_in_options_on(operator, space_id, day, Utc::now()),
            None => desk.desk.check_in_options(operator, space_id, Utc::now()),
        })
        .await
}

#[tauri::command]
pub async fn check_in(
    state: State<'_>,
    token: String,
    request: CheckIn,
) -> Result<StayDetail, WireError> {
    state
        .signed_in(token, move |desk, operator| {
            desk.desk.check_in(operator, Utc::now(), &request)
        })
        .await
}

/// Encodes the cards one after another, telling the window each step
/// ([`ENCODE_PROGRESS_EVENT`]).
#[tauri::command]
pub async fn encode_cards(
    app: AppHandle,
    state: State<'_>,
    token: String,
    access_method_ids: Vec<AccessMethodId>,
) -> Result<Vec<EncodedCard>, WireError> {
    state
        .signed_in(token, move |desk, operator| {
            desk.desk
                .take_blank_for(&desk.station, &access_method_ids)?;
            let mut on_event = |event: frontdesk::EncodeEvent| {
                let _ = app.emit(ENCODE_PROGRESS_EVENT, event);
            };
            desk.desk.encode_cards(
                &operator.context(Utc::now()),
                &desk.station,
                &access_method_ids,
                &mut on_event,
            )
        })
        .await
}

#[tauri::command]
pub async fn add_guest(
    state: State<'_>,
    token: String,
    request: AddGuest,
) -> Result<StayDetail, WireError> {
    state
        .signed_in(token, move |desk, operator| {
            desk.desk.add_guest(operator, Utc::now(), &request)
        })
        .await
}

#[tauri::command]
pub async fn duplicate_card(
    state: State<'_>,
    token: String,
    access_grant_id: AccessGrantId,
) -> Result<CardView, WireError> {
    state
        .signed_in(token, move |desk, operator| {
            desk.desk
                .add_card_copy(&operator.context(Utc::now()), access_grant_id)
                .map(CardView::from)
        })
        .await
}

#[tauri::command]
pub async fn move_stay(
    state: State<'_>,
    token: String,
    reservation_key: String,
    to_space_id: SpaceId,
    allow_overlap: Option<bool>,
) -> Result<MoveResult, WireError> {
    state
        .signed_in(token, move |desk, operator| {
            desk.desk.move_stay(
                operator,
                Utc::now(),
                &reservation_key,
                to_space_id,
                allow_overlap.unwrap_or_default(),
            )
        })
        .await
}

#[tauri::command]
pub async fn change_dates(
    state: State<'_>,
    token: String,
    reservation_key: String,
    starts_at: Option<DateTime<Utc>>,
    ends_at: Option<DateTime<Utc>>,
    allow_overlap: Option<bool>,
) -> Result<StayDetail, WireError> {
    state
        .signed_in(token, move |desk, operator| {
            desk.desk.change_dates(
                operator,
                Utc::now(),
                &reservation_key,
                starts_at,
                ends_at,
                allow_overlap.unwrap_or_default(),
            )
        })
        .await
}

#[tauri::command]
pub async fn reissue_stay(
    state: State<'_>,
    token: String,
    reservation_key: String,
) -> Result<StayDetail, WireError> {
    state
        .signed_in(token, move |desk, operator| {
            desk.desk
                .reissue_stay(operator, Utc::now(), &reservation_key)
        })
        .await
}

#[tauri::command]
pub async fn remake_cards(
    state: State<'_>,
    token: String,
    reservation_key: String,
) -> Result<StayDetail, WireError> {
    state
        .signed_in(token, move |desk, operator| {
            desk.desk
                .remake_cards(operator, Utc::now(), &reservation_key)
        })
        .await
}

/// What a check-in, move or change of dates would do at the doors, asked before it is made.
#[tauri::command]
pub async fn predict(
    state: State<'_>,
    token: String,
    change: PlannedChange,
) -> Result<Prediction, WireError> {
    state
        .signed_in(token, move |desk, operator| {
            desk.desk.predict(operator, Utc::now(), &change)
        })
        .await
}

#[tauri::command]
pub async fn check_out(
    state: State<'_>,
    token: String,
    reservation_key: String,
) -> Result<CheckOutResult, WireError> {
    state
        .signed_in(token, move |desk, operator| {
            desk.desk.check_out(operator, Utc::now(), &reservation_key)
        })
        .await
}

#[tauri::command]
pub async fn mark_collected(
    state: State<'_>,
    token: String,
    access_method_id: AccessMethodId,
) -> Result<CardView, WireError> {
    state
        .signed_in(token, move |desk, operator| {
            desk.desk
                .mark_card_collected(&operator.context(Utc::now()), access_method_id)
                .map(CardView::from)
        })
        .await
}

#[tauri::command]
pub async fn report_card_lost(
    state: State<'_>,
    token: String,
    access_method_id: AccessMethodId,
) -> Result<CardView, WireError> {
    state
        .signed_in(token, move |desk, operator| {
            desk.desk
                .report_card_lost(operator, Utc::now(), access_method_id)
                .map(CardView::from)
        })
        .await
}

/// Writes a cancel card for room doors no stay holds onto a blank, telling the window each
/// step ([`ENCODE_PROGRESS_EVENT`]) as `encode_cards` does.
#[tauri::command]
pub async fn encode_cancel_card(
    app: AppHandle,
    state: State<'_>,
    token: String,
    entrance_ids: Vec<EntranceId>,
) -> Result<EncodedCard, WireError> {
    state
        .signed_in(token, move |desk, operator| {
            desk.desk.take_blank_for(&desk.station, &[])?;
            let _ = app.emit(
                ENCODE_PROGRESS_EVENT,
                frontdesk::EncodeEvent::PresentCard { index: 0, total: 1 },
            );
            let mut progress = |done, total| {
                let _ = app.emit(
                    ENCODE_PROGRESS_EVENT,
                    frontdesk::EncodeEvent::Progress {
                        index: 0,
                        done,
                        total,
                    },
                );
            };
            desk.desk.encode_cancel_card(
                &operator.context(Utc::now()),
                &desk.station,
                &entrance_ids,
                &mut progress,
            )
        })
        .await
}

/// A card out of use (the plastic's UID) came back to the desk.
#[tauri::command]
pub async fn card_collected(
    state: State<'_>,
    token: String,
    card_id: String,
) -> Result<(), WireError> {
    state
        .signed_in(token, move |desk, operator| {
            desk.desk.card_collected(operator, Utc::now(), &card_id)
        })
        .await
}

/// A card out of use (the plastic's UID) will not come back.
#[tauri::command]
pub async fn card_lost(state: State<'_>, token: String, card_id: String) -> Result<(), WireError> {
    state
        .signed_in(token, move |desk, operator| {
            desk.desk.card_lost(operator, Utc::now(), &card_id)
        })
        .await
}

/// The cards out of use that may still open a room's doors.
#[tauri::command]
pub async fn room_cards_out(
    state: State<'_>,
    token: String,
    space_id: SpaceId,
) -> Result<Vec<frontdesk::CardOut>, WireError> {
    state
        .signed_in(token, move |desk, operator| {
            desk.desk.room_cards_out(operator, space_id, Utc::now())
        })
        .await
}

#[tauri::command]
pub async fn read_card(state: State<'_>, token: String) -> Result<CardReport, WireError> {
    state
        .signed_in(token, |desk, operator| {
            desk.desk
                .read_card(&operator.context(Utc::now()), &desk.station)
        })
        .await
}

#[tauri::command]
pub async fn warnings(state: State<'_>, token: String) -> Result<Vec<WarningView>, WireError> {
    state
        .signed_in(token, |desk, operator| {
            desk.desk.warnings(operator, Utc::now())
        })
        .await
}

#[tauri::command]
pub async fn audit_log(
    state: State<'_>,
    token: String,
    query: AuditQuery,
) -> Result<Vec<AuditView>, WireError> {
    state
        .signed_in(token, move |desk, operator| {
            desk.desk.audit_entries(operator, &query)
        })
        .await
}

#[tauri::command]
pub async fn staff_access(state: State<'_>, token: String) -> Result<Vec<StaffAccess>, WireError> {
    state
        .signed_in(token, |desk, operator| {
            desk.desk.staff_access(operator, Utc::now())
        })
        .await
}

#[tauri::command]
pub async fn issue_staff_access(
    state: State<'_>,
    token: String,
    full_name: String,
    entrance_ids: Vec<EntranceId>,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
) -> Result<StaffAccess, WireError> {
    state
        .signed_in(token, move |desk, operator| {
            let grant = desk.desk.issue_staff_access(
                operator,
                Utc::now(),
                &full_name,
                &entrance_ids,
                TimeFrame::new(starts_at, ends_at),
            )?;
            staff_entry(desk, operator, grant.id)
        })
        .await
}

/// One staff entry as the staff screen lists it.
fn staff_entry(
    desk: &Desk,
    operator: &Operator,
    id: AccessGrantId,
) -> Result<StaffAccess, frontdesk::Error> {
    desk.desk
        .staff_access(operator, Utc::now())?
        .into_iter()
        .find(|staff| staff.access_grant_id == id)
        .ok_or_else(|| frontdesk::Error::NotFound {
            resource: "access_grant",
            id: id.to_string(),
        })
}

#[tauri::command]
pub async fn staff_door_choices(
    state: State<'_>,
    token: String,
) -> Result<StaffDoorChoices, WireError> {
    state
        .signed_in(token, |desk, operator| {
            desk.desk.staff_door_choices(operator)
        })
        .await
}

#[tauri::command]
pub async fn update_staff_access(
    state: State<'_>,
    token: String,
    change: StaffChange,
) -> Result<StaffAccess, WireError> {
    state
        .signed_in(token, move |desk, operator| {
            let grant = desk
                .desk
                .update_staff_access(operator, Utc::now(), &change)?;
            staff_entry(desk, operator, grant.id)
        })
        .await
}

/// Revokes a staff entry; the revoked entry while its card is out, else `null`.
#[tauri::command]
pub async fn revoke_staff_access(
    state: State<'_>,
    token: String,
    access_grant_id: AccessGrantId,
) -> Result<Option<StaffAccess>, WireError> {
    state
        .signed_in(token, move |desk, operator| {
            desk.desk
                .revoke_staff_access(operator, Utc::now(), access_grant_id)?;
            Ok(staff_entry(desk, operator, access_grant_id).ok())
        })
        .await
}

#[tauri::command]
pub async fn delete_staff_access(
    state: State<'_>,
    token: String,
    access_grant_id: AccessGrantId,
) -> Result<(), WireError> {
    state
        .signed_in(token, move |desk, operator| {
            desk.desk
                .delete_staff_access(operator, Utc::now(), access_grant_id)
                .map(|_| ())
        })
        .await
}

#[tauri::command]
pub async fn report_staff_card_lost(
    state: State<'_>,
    token: String,
    access_method_id: AccessMethodId,
) -> Result<CardView, WireError> {
    state
        .signed_in(token, move |desk, operator| {
            desk.desk
                .report_staff_card_lost(operator, Utc::now(), access_method_id)
                .map(CardView::from)
        })
        .await
}

#[tauri::command]
pub async fn entrances(state: State<'_>, token: String) -> Result<Vec<EntranceView>, WireError> {
    state
        .signed_in(token, |desk, operator| {
            Ok(desk
                .desk
                .doors(operator)?
                .iter()
                .map(EntranceView::from)
                .collect())
        })
        .await
}

#[tauri::command]
pub async fn simulator_cards(
    state: State<'_>,
    token: String,
) -> Result<Vec<SimulatedCardView>, WireError> {
    state
        .signed_in(token, |desk, operator| desk.simulator_cards(operator))
        .await
}

/// Training: unplugs or plugs in the simulated encoder; the encoder's state follows as it
/// would for a real one.
#[tauri::command]
pub async fn plug_simulated_encoder(
    state: State<'_>,
    token: String,
    plugged: bool,
) -> Result<(), WireError> {
    state
        .signed_in(token, move |desk, operator| {
            desk.plug_simulated_encoder(operator, plugged)
        })
        .await
}

#[tauri::command]
pub async fn present_card(
    state: State<'_>,
    token: String,
    entrance_id: EntranceId,
    card_id: String,
    at: Option<DateTime<Utc>>,
) -> Result<LockDecision, WireError> {
    state
        .signed_in(token, move |desk, operator| {
            desk.desk.present_card(
                &operator.context(Utc::now()),
                &desk.station,
                entrance_id,
                &card_id,
                at,
            )
        })
        .await
}

#[tauri::command]
pub async fn api_status(state: State<'_>, token: String) -> Result<ApiStatus, WireError> {
    state
        .signed_in(token, |desk, operator| desk.api_status(operator))
        .await
}

#[tauri::command]
pub async fn set_api_enabled(
    state: State<'_>,
    token: String,
    enabled: bool,
) -> Result<ApiStatus, WireError> {
    state
        .signed_in(token, move |desk, operator| {
            desk.set_api_enabled(operator, enabled)
        })
        .await
}
