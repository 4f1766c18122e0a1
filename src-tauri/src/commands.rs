//! The commands the UI invokes. Each is one line over [`crate::Desk::call`]: the desk answers it
//! with its own use cases or on the property server, in the same JSON. A new command also
//! goes in `command_list.rs` and, as `allow-<name>`, in `capabilities/default.json`; the
//! types it answers with derive `TS` and are listed in `bindings::export_bindings`.

use chrono::{DateTime, NaiveDate, Utc};
use engine::model::{AccessGrantId, AccessMethodId, EntranceId, SpaceId};
use frontdesk::backup::{BackupSchedule, BackupStatus};
use frontdesk::{
    AddGuest, AuditQuery, CheckIn, GroupCheckIn, PlannedChange, Role, StaffChange, WireError,
};
use serde_json::Value;
use tauri::{AppHandle, Emitter};
use terminal::DeskCall;
use uuid::Uuid;

use crate::State;
use crate::bindings::{ApiStatus, AppInfo, PmsLinkSettings, PmsLinkView, SimulatedCardView};

/// The event that carries each step of a batch of encodes ([`frontdesk::EncodeEvent`]).
pub const ENCODE_PROGRESS_EVENT: &str = "encode-progress";

/// The property's name and time zone, the encoder's state and, on a terminal, its link.
#[tauri::command]
pub async fn app_info(state: State<'_>) -> Result<AppInfo, WireError> {
    state.app_info().map_err(|error| error.to_wire())
}

#[tauri::command]
pub async fn operators_exist(state: State<'_>) -> Result<Value, WireError> {
    state.call(None, DeskCall::OperatorsExist).await
}

#[tauri::command]
pub async fn board_layout(state: State<'_>) -> Result<Value, WireError> {
    state.call(None, DeskCall::BoardLayout).await
}

#[tauri::command]
pub async fn create_first_manager(
    state: State<'_>,
    name: String,
    pin: String,
) -> Result<Value, WireError> {
    state
        .call(None, DeskCall::CreateFirstManager { name, pin })
        .await
}

#[tauri::command]
pub async fn sign_in(state: State<'_>, name: String, pin: String) -> Result<Value, WireError> {
    state.call(None, DeskCall::SignIn { name, pin }).await
}

#[tauri::command]
pub async fn sign_out(state: State<'_>, token: String) -> Result<Value, WireError> {
    state.call(Some(token), DeskCall::SignOut).await
}

#[tauri::command]
pub async fn list_operators(state: State<'_>, token: String) -> Result<Value, WireError> {
    state.call(Some(token), DeskCall::ListOperators).await
}

#[tauri::command]
pub async fn create_operator(
    state: State<'_>,
    token: String,
    name: String,
    pin: String,
    role: Role,
) -> Result<Value, WireError> {
    state
        .call(Some(token), DeskCall::CreateOperator { name, pin, role })
        .await
}

#[tauri::command]
pub async fn reset_operator_pin(
    state: State<'_>,
    token: String,
    operator_id: uuid::Uuid,
    pin: String,
) -> Result<Value, WireError> {
    state
        .call(Some(token), DeskCall::ResetOperatorPin { operator_id, pin })
        .await
}

#[tauri::command]
pub async fn set_operator_role(
    state: State<'_>,
    token: String,
    operator_id: uuid::Uuid,
    role: Role,
) -> Result<Value, WireError> {
    state
        .call(Some(token), DeskCall::SetOperatorRole { operator_id, role })
        .await
}

#[tauri::command]
pub async fn set_my_language(
    state: State<'_>,
    token: String,
    language: frontdesk::Language,
) -> Result<Value, WireError> {
    state
        .call(Some(token), DeskCall::SetMyLanguage { language })
        .await
}

#[tauri::command]
pub async fn set_operator_enabled(
    state: State<'_>,
    token: String,
    operator_id: uuid::Uuid,
    enabled: bool,
) -> Result<Value, WireError> {
    state
        .call(
            Some(token),
            DeskCall::SetOperatorEnabled {
                operator_id,
                enabled,
            },
        )
        .await
}

#[tauri::command]
pub async fn room_board(state: State<'_>, token: String) -> Result<Value, WireError> {
    state.call(Some(token), DeskCall::RoomBoard).await
}

/// `days` days of every room from the property-local day `from` (`YYYY-MM-DD`).
#[tauri::command]
pub async fn timeline(
    state: State<'_>,
    token: String,
    from: NaiveDate,
    days: u32,
) -> Result<Value, WireError> {
    state
        .call(Some(token), DeskCall::Timeline { from, days })
        .await
}

#[tauri::command]
pub async fn find_stays(
    state: State<'_>,
    token: String,
    query: String,
) -> Result<Value, WireError> {
    state.call(Some(token), DeskCall::FindStays { query }).await
}

#[tauri::command]
pub async fn stay(
    state: State<'_>,
    token: String,
    reservation_key: String,
) -> Result<Value, WireError> {
    state
        .call(Some(token), DeskCall::Stay { reservation_key })
        .await
}

#[tauri::command]
pub async fn past_stay(
    state: State<'_>,
    token: String,
    reservation_key: String,
) -> Result<Value, WireError> {
    state
        .call(Some(token), DeskCall::PastStay { reservation_key })
        .await
}

#[tauri::command]
pub async fn check_in_options(
    state: State<'_>,
    token: String,
    space_id: SpaceId,
    day: Option<NaiveDate>,
) -> Result<Value, WireError> {
    state
        .call(Some(token), DeskCall::CheckInOptions { space_id, day })
        .await
}

#[tauri::command]
pub async fn check_in(
    state: State<'_>,
    token: String,
    request: CheckIn,
) -> Result<Value, WireError> {
    state.call(Some(token), DeskCall::CheckIn { request }).await
}

/// Checks in every room of a group at once, each its own stay.
#[tauri::command]
pub async fn check_in_group(
    state: State<'_>,
    token: String,
    request: GroupCheckIn,
) -> Result<Value, WireError> {
    state
        .call(Some(token), DeskCall::CheckInGroup { request })
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
) -> Result<Value, WireError> {
    state
        .call_with_progress(
            Some(token),
            DeskCall::EncodeCards { access_method_ids },
            move |event| {
                let _ = app.emit(ENCODE_PROGRESS_EVENT, event);
            },
        )
        .await
}

#[tauri::command]
pub async fn add_guest(
    state: State<'_>,
    token: String,
    request: AddGuest,
) -> Result<Value, WireError> {
    state
        .call(Some(token), DeskCall::AddGuest { request })
        .await
}

#[tauri::command]
pub async fn duplicate_card(
    state: State<'_>,
    token: String,
    access_grant_id: AccessGrantId,
) -> Result<Value, WireError> {
    state
        .call(Some(token), DeskCall::DuplicateCard { access_grant_id })
        .await
}

#[tauri::command]
pub async fn move_stay(
    state: State<'_>,
    token: String,
    reservation_key: String,
    to_space_id: SpaceId,
    allow_overlap: Option<bool>,
) -> Result<Value, WireError> {
    let allow_overlap = allow_overlap.unwrap_or_default();
    state
        .call(
            Some(token),
            DeskCall::MoveStay {
                reservation_key,
                to_space_id,
                allow_overlap,
            },
        )
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
) -> Result<Value, WireError> {
    let allow_overlap = allow_overlap.unwrap_or_default();
    state
        .call(
            Some(token),
            DeskCall::ChangeDates {
                reservation_key,
                starts_at,
                ends_at,
                allow_overlap,
            },
        )
        .await
}

#[tauri::command]
pub async fn reissue_stay(
    state: State<'_>,
    token: String,
    reservation_key: String,
) -> Result<Value, WireError> {
    state
        .call(Some(token), DeskCall::ReissueStay { reservation_key })
        .await
}

#[tauri::command]
pub async fn remake_cards(
    state: State<'_>,
    token: String,
    reservation_key: String,
) -> Result<Value, WireError> {
    state
        .call(Some(token), DeskCall::RemakeCards { reservation_key })
        .await
}

/// What a check-in, move or change of dates would do at the doors, asked before it is made.
#[tauri::command]
pub async fn predict(
    state: State<'_>,
    token: String,
    change: PlannedChange,
) -> Result<Value, WireError> {
    state.call(Some(token), DeskCall::Predict { change }).await
}

#[tauri::command]
pub async fn check_out(
    state: State<'_>,
    token: String,
    reservation_key: String,
) -> Result<Value, WireError> {
    state
        .call(Some(token), DeskCall::CheckOut { reservation_key })
        .await
}

#[tauri::command]
pub async fn mark_collected(
    state: State<'_>,
    token: String,
    access_method_id: AccessMethodId,
) -> Result<Value, WireError> {
    state
        .call(Some(token), DeskCall::MarkCollected { access_method_id })
        .await
}

#[tauri::command]
pub async fn report_card_lost(
    state: State<'_>,
    token: String,
    access_method_id: AccessMethodId,
) -> Result<Value, WireError> {
    state
        .call(Some(token), DeskCall::ReportCardLost { access_method_id })
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
) -> Result<Value, WireError> {
    state
        .call_with_progress(
            Some(token),
            DeskCall::EncodeCancelCard { entrance_ids },
            move |event| {
                let _ = app.emit(ENCODE_PROGRESS_EVENT, event);
            },
        )
        .await
}

/// Writes a lock-out card (or, with `lift`, a card that lifts it) for a room's doors onto a
/// blank, telling the window each step as `encode_cards` does. A manager's.
#[tauri::command]
pub async fn encode_lock_out_card(
    app: AppHandle,
    state: State<'_>,
    token: String,
    entrance_ids: Vec<EntranceId>,
    lift: bool,
) -> Result<Value, WireError> {
    state
        .call_with_progress(
            Some(token),
            DeskCall::EncodeLockOutCard { entrance_ids, lift },
            move |event| {
                let _ = app.emit(ENCODE_PROGRESS_EVENT, event);
            },
        )
        .await
}

/// The spare cards in the safe, each with what it would do handed out now.
#[tauri::command]
pub async fn spare_cards(state: State<'_>, token: String) -> Result<Value, WireError> {
    state.call(Some(token), DeskCall::SpareCards).await
}

/// Writes the room's next spare card onto a blank, telling the window each step as
/// `encode_cards` does. A manager's.
#[tauri::command]
pub async fn make_spare_card(
    app: AppHandle,
    state: State<'_>,
    token: String,
    space_id: SpaceId,
    valid_until: DateTime<Utc>,
) -> Result<Value, WireError> {
    state
        .call_with_progress(
            Some(token),
            DeskCall::MakeSpareCard {
                space_id,
                valid_until,
            },
            move |event| {
                let _ = app.emit(ENCODE_PROGRESS_EVENT, event);
            },
        )
        .await
}

/// Records a spare handed to a guest while the desk was down: a stay is made for it.
#[tauri::command]
pub async fn hand_out_spare(
    state: State<'_>,
    token: String,
    request: frontdesk::SpareHandedOut,
) -> Result<Value, WireError> {
    state
        .call(Some(token), DeskCall::HandOutSpare { request })
        .await
}

/// A spare left the safe for good.
#[tauri::command]
pub async fn void_spare(
    state: State<'_>,
    token: String,
    spare_id: Uuid,
) -> Result<Value, WireError> {
    state
        .call(Some(token), DeskCall::VoidSpare { spare_id })
        .await
}

/// A card out of use (the plastic's UID) came back to the desk.
#[tauri::command]
pub async fn card_collected(
    state: State<'_>,
    token: String,
    card_id: String,
) -> Result<Value, WireError> {
    state
        .call(Some(token), DeskCall::CardCollected { card_id })
        .await
}

/// A card out of use (the plastic's UID) will not come back.
#[tauri::command]
pub async fn card_lost(
    state: State<'_>,
    token: String,
    card_id: String,
) -> Result<Value, WireError> {
    state
        .call(Some(token), DeskCall::CardLost { card_id })
        .await
}

/// The cards out of use that may still open a room's doors.
#[tauri::command]
pub async fn room_cards_out(
    state: State<'_>,
    token: String,
    space_id: SpaceId,
) -> Result<Value, WireError> {
    state
        .call(Some(token), DeskCall::RoomCardsOut { space_id })
        .await
}

#[tauri::command]
pub async fn read_card(state: State<'_>, token: String) -> Result<Value, WireError> {
    state.call(Some(token), DeskCall::ReadCard).await
}

#[tauri::command]
pub async fn warnings(state: State<'_>, token: String) -> Result<Value, WireError> {
    state.call(Some(token), DeskCall::Warnings).await
}

#[tauri::command]
pub async fn audit_log(
    state: State<'_>,
    token: String,
    query: AuditQuery,
) -> Result<Value, WireError> {
    state.call(Some(token), DeskCall::AuditLog { query }).await
}

#[tauri::command]
pub async fn staff_access(state: State<'_>, token: String) -> Result<Value, WireError> {
    state.call(Some(token), DeskCall::StaffAccess).await
}

// The window names each argument, as the form has them.
#[allow(clippy::too_many_arguments)]
#[tauri::command]
pub async fn issue_staff_access(
    state: State<'_>,
    token: String,
    full_name: String,
    entrance_ids: Vec<EntranceId>,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    terms: Option<engine::staff::StaffTerms>,
    one_shot: Option<bool>,
) -> Result<Value, WireError> {
    state
        .call(
            Some(token),
            DeskCall::IssueStaffAccess {
                full_name,
                entrance_ids,
                starts_at,
                ends_at,
                terms: terms.unwrap_or_default(),
                one_shot: one_shot.unwrap_or(false),
            },
        )
        .await
}

#[tauri::command]
pub async fn staff_door_choices(state: State<'_>, token: String) -> Result<Value, WireError> {
    state.call(Some(token), DeskCall::StaffDoorChoices).await
}

#[tauri::command]
pub async fn update_staff_access(
    state: State<'_>,
    token: String,
    change: StaffChange,
) -> Result<Value, WireError> {
    state
        .call(Some(token), DeskCall::UpdateStaffAccess { change })
        .await
}

/// Revokes a staff entry; the revoked entry while its card is out, else `null`.
#[tauri::command]
pub async fn revoke_staff_access(
    state: State<'_>,
    token: String,
    access_grant_id: AccessGrantId,
) -> Result<Value, WireError> {
    state
        .call(Some(token), DeskCall::RevokeStaffAccess { access_grant_id })
        .await
}

#[tauri::command]
pub async fn delete_staff_access(
    state: State<'_>,
    token: String,
    access_grant_id: AccessGrantId,
) -> Result<Value, WireError> {
    state
        .call(Some(token), DeskCall::DeleteStaffAccess { access_grant_id })
        .await
}

#[tauri::command]
pub async fn report_staff_card_lost(
    state: State<'_>,
    token: String,
    access_method_id: AccessMethodId,
) -> Result<Value, WireError> {
    state
        .call(
            Some(token),
            DeskCall::ReportStaffCardLost { access_method_id },
        )
        .await
}

#[tauri::command]
pub async fn entrances(state: State<'_>, token: String) -> Result<Value, WireError> {
    state.call(Some(token), DeskCall::Entrances).await
}

#[tauri::command]
pub async fn simulator_cards(
    state: State<'_>,
    token: String,
) -> Result<Vec<SimulatedCardView>, WireError> {
    state.simulator_cards(&token).await
}

/// The encoder the signed-in operator encodes with: its place in `AppInfo::encoders`.
#[tauri::command]
pub async fn chosen_encoder(state: State<'_>, token: String) -> Result<u32, WireError> {
    state.chosen_encoder(token).await
}

/// Has the signed-in operator encode with the desk's encoder at `encoder` from now on.
#[tauri::command]
pub async fn choose_encoder(
    state: State<'_>,
    token: String,
    encoder: u32,
) -> Result<u32, WireError> {
    state.choose_encoder(token, encoder).await
}

/// Training: unplugs or plugs in the simulated encoder the operator encodes with; the
/// encoder's state follows as it would for a real one.
#[tauri::command]
pub async fn plug_simulated_encoder(
    state: State<'_>,
    token: String,
    plugged: bool,
) -> Result<(), WireError> {
    state.plug_simulated_encoder(token, plugged).await
}

#[tauri::command]
pub async fn present_card(
    state: State<'_>,
    token: String,
    entrance_id: EntranceId,
    card_id: String,
    at: Option<DateTime<Utc>>,
) -> Result<Value, WireError> {
    state.present_card(token, entrance_id, card_id, at).await
}

/// Saves a manager's report as CSV in the user's Downloads folder (their home folder where
/// there is none); the file's full path.
#[tauri::command]
pub async fn save_report(
    app: AppHandle,
    state: State<'_>,
    token: String,
    file_name: String,
    csv: String,
) -> Result<String, WireError> {
    use tauri::Manager as _;
    let operator = state.call(Some(token), DeskCall::WhoAmI).await?;
    if operator["role"] != "manager" {
        return Err(frontdesk::Error::Forbidden(
            "Reports are a manager's; a manager saves them.".to_owned(),
        )
        .to_wire());
    }
    let folder = app
        .path()
        .download_dir()
        .or_else(|_| app.path().home_dir())
        .map_err(|error| frontdesk::Error::Internal(error.to_string()).to_wire())?;
    crate::reports::save(&folder, &file_name, &csv)
        .map(|path| path.display().to_string())
        .map_err(|error| error.to_wire())
}

/// A simulated door's latest decisions (at most `limit`), newest first.
#[tauri::command]
pub async fn door_log(
    state: State<'_>,
    token: String,
    entrance_id: EntranceId,
    limit: u32,
) -> Result<Value, WireError> {
    state
        .call(Some(token), DeskCall::DoorLog { entrance_id, limit })
        .await
}

/// Whether a simulated door's deadbolt is thrown.
#[tauri::command]
pub async fn door_privacy(
    state: State<'_>,
    token: String,
    entrance_id: EntranceId,
) -> Result<Value, WireError> {
    state
        .call(Some(token), DeskCall::DoorPrivacy { entrance_id })
        .await
}

/// The guest inside throws (`on`) or releases a simulated room door's deadbolt.
#[tauri::command]
pub async fn set_privacy(
    state: State<'_>,
    token: String,
    entrance_id: EntranceId,
    on: bool,
    at: Option<DateTime<Utc>>,
) -> Result<Value, WireError> {
    state
        .call(
            Some(token),
            DeskCall::SetPrivacy {
                entrance_id,
                on,
                at,
            },
        )
        .await
}

/// The property's terminals, for a manager.
#[tauri::command]
pub async fn terminals(state: State<'_>, token: String) -> Result<Value, WireError> {
    state.call(Some(token), DeskCall::Terminals).await
}

/// Revokes a terminal: its next request is refused.
#[tauri::command]
pub async fn revoke_terminal(
    state: State<'_>,
    token: String,
    terminal_id: Uuid,
) -> Result<Value, WireError> {
    state
        .call(Some(token), DeskCall::RevokeTerminal { terminal_id })
        .await
}

#[tauri::command]
pub async fn api_status(state: State<'_>, token: String) -> Result<ApiStatus, WireError> {
    state
        .standalone_work(token, |desk, operator| desk.api_status(operator))
        .await
}

/// How the property server's PMS link stands (`null` when the server runs none), for a
/// terminal's manager.
#[tauri::command]
pub async fn pms_link_status(state: State<'_>, token: String) -> Result<Value, WireError> {
    state.call(Some(token), DeskCall::PmsLinkStatus).await
}

#[tauri::command]
pub async fn pms_link(state: State<'_>, token: String) -> Result<PmsLinkView, WireError> {
    state
        .standalone_work(token, |desk, operator| {
            desk.pms_link.view(&desk.desk, operator)
        })
        .await
}

#[tauri::command]
pub async fn set_pms_link(
    state: State<'_>,
    token: String,
    settings: PmsLinkSettings,
) -> Result<PmsLinkView, WireError> {
    state
        .standalone_work(token, move |desk, operator| {
            desk.pms_link
                .set(&desk.desk, desk.main_station(), operator, &settings)
        })
        .await
}

#[tauri::command]
pub async fn set_api_enabled(
    state: State<'_>,
    token: String,
    enabled: bool,
) -> Result<ApiStatus, WireError> {
    state
        .standalone_work(token, move |desk, operator| {
            desk.set_api_enabled(operator, enabled)
        })
        .await
}

/// Backups of a standalone desk, for a manager: the password, the schedule, the last one
/// and those in the folder.
#[tauri::command]
pub async fn backup_status(state: State<'_>, token: String) -> Result<BackupStatus, WireError> {
    state
        .standalone_work(token, |desk, operator| desk.desk.backup_status(operator))
        .await
}

#[tauri::command]
pub async fn set_backup_password(
    state: State<'_>,
    token: String,
    password: String,
) -> Result<BackupStatus, WireError> {
    state
        .standalone_work(token, move |desk, operator| {
            desk.desk
                .set_backup_password(&operator.context(Utc::now()), &password)?;
            desk.desk.backup_status(operator)
        })
        .await
}

/// Sets when and where backups are made; `null` stops scheduled backups.
#[tauri::command]
pub async fn set_backup_schedule(
    state: State<'_>,
    token: String,
    schedule: Option<BackupSchedule>,
) -> Result<BackupStatus, WireError> {
    state
        .standalone_work(token, move |desk, operator| {
            desk.desk
                .set_backup_schedule(&operator.context(Utc::now()), schedule.as_ref())?;
            desk.desk.backup_status(operator)
        })
        .await
}

/// Makes a backup into the schedule's folder now.
#[tauri::command]
pub async fn back_up_now(state: State<'_>, token: String) -> Result<BackupStatus, WireError> {
    state
        .standalone_work(token, |desk, operator| {
            // A failure is in the status the manager sees next; the call says it too.
            desk.desk.back_up_now(
                &operator.context(Utc::now()),
                desk.db(),
                desk.main_station().keys(),
            )?;
            desk.desk.backup_status(operator)
        })
        .await
}

/// On the first screen: checks the backup `file` and its password, then closes the app,
/// which starts again restoring it. The backup's property.
#[tauri::command]
pub async fn restore_backup(
    app: AppHandle,
    state: State<'_>,
    file: String,
    password: String,
) -> Result<String, WireError> {
    let property = state.restore_backup(file, password).await?;
    // After the answer reached the window; the new process waits for this one to let the
    // database go.
    tauri::async_runtime::spawn(async move {
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        app.exit(0);
    });
    Ok(property)
}
