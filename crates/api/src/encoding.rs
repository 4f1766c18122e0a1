//! Encoders, encoding and scanning as Seam's action attempts, the simulation routes, and the
//! door simulator.

use std::time::Duration;

use axum::extract::State;
use axum::routing::{MethodFilter, on};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use encoder::simulator::{Fault, UnplugAt};
use engine::lock::Reason;
use engine::model::AccessMode;
use frontdesk::ActionAttemptRecord;
use frontdesk::{CardReport, Context, DoorVerdict, FrontDesk};
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

use std::sync::Arc;

use frontdesk::CardStation;

use crate::AppState;
use crate::error::ApiError;
use crate::params::{Listed, Params};
use crate::resources::Instant;
use crate::routes::{Key, Position, paginate, workspace_id};

type Answer = Result<Json<Value>, ApiError>;

/// How long a request waits for its action attempt before answering `pending`; the SDK then
/// polls `/action_attempts/get`.
const ANSWER_WITHIN: Duration = Duration::from_millis(1500);

pub fn routes() -> Router<AppState> {
    let read = MethodFilter::GET.or(MethodFilter::POST);
    let post = MethodFilter::POST;
    Router::new()
        .route("/acs/encoders/list", on(read, list_encoders))
        .route("/acs/encoders/get", on(read, get_encoder))
        .route("/access_methods/encode", on(post, encode))
        .route("/acs/encoders/encode_credential", on(post, encode))
        .route(
            "/acs/encoders/encode_cancel_card",
            on(post, encode_cancel_card),
        )
        .route("/acs/encoders/scan_credential", on(post, scan))
        .route(
            "/acs/encoders/simulate/next_credential_encode_will_fail",
            on(post, will_fail),
        )
        .route(
            "/acs/encoders/simulate/next_credential_encode_will_succeed",
            on(post, will_succeed),
        )
        .route(
            "/acs/encoders/simulate/next_credential_scan_will_fail",
            on(post, scan_will_fail),
        )
        .route(
            "/acs/encoders/simulate/next_credential_scan_will_succeed",
            on(post, scan_will_succeed),
        )
        .route("/simulate/locks/present_card", on(post, present_card))
        .route("/simulate/locks/set_privacy", on(post, set_privacy))
        .route("/action_attempts/get", on(read, get_action_attempt))
}

/// The desk's one encoder, as Seam shows an encoder: stable for the property.
fn encoder_id(desk: &FrontDesk) -> Result<Uuid, ApiError> {
    Ok(desk_encoder_id(desk)?)
}

/// The id of the encoder a terminal lends, as `/acs/encoders/list` shows it.
pub fn terminal_encoder_id(desk: &FrontDesk, terminal: Uuid) -> Result<Uuid, frontdesk::Error> {
    Ok(Uuid::new_v5(&workspace_id(desk)?, terminal.as_bytes()))
}

/// The id of the encoder of the process that owns the database, as `/acs/encoders/list`
/// shows it.
pub fn desk_encoder_id(desk: &FrontDesk) -> Result<Uuid, frontdesk::Error> {
    Ok(Uuid::new_v5(&workspace_id(desk)?, b"acs_encoder"))
}

/// The system the desk encoder is shown on when none is asked about: the first offline one.
fn encoder_system(desk: &FrontDesk) -> Result<Uuid, frontdesk::Error> {
    Ok(desk
        .access_systems()?
        .into_iter()
        .find(|system| system.kind.is_override_based())
        .map(|system| system.id)
        .unwrap_or_default())
}

/// One of the property's encoders: the server's own, or one a terminal lends.
#[derive(Clone)]
struct ApiEncoder {
    id: Uuid,
    display_name: String,
    station: Arc<CardStation>,
}

/// The property's encoders: the server's own first, then each paired terminal's, by
/// terminal name ("Desk 2 encoder"), disconnected while its terminal is away.
fn encoders(state: &AppState) -> Result<Vec<ApiEncoder>, ApiError> {
    let simulated = |station: &CardStation| {
        station.simulator().is_some()
            || station.state() == encoder::supervisor::EncoderState::Simulated
    };
    let own = ApiEncoder {
        id: encoder_id(&state.desk)?,
        display_name: if simulated(&state.station) {
            "Desk encoder (simulated)".to_owned()
        } else {
            "Desk encoder".to_owned()
        },
        station: state.station.clone(),
    };
    let workspace = workspace_id(&state.desk)?;
    let lent = state
        .terminal_encoders
        .as_ref()
        .map(|encoders| (encoders.0)())
        .unwrap_or_default()
        .into_iter()
        .map(|lent| ApiEncoder {
            id: Uuid::new_v5(&workspace, lent.terminal_id.as_bytes()),
            display_name: format!(
                "{} encoder{}",
                lent.terminal_name,
                if simulated(&lent.station) {
                    " (simulated)"
                } else {
                    ""
                }
            ),
            station: lent.station,
        });
    Ok(std::iter::once(own).chain(lent).collect())
}

/// One of the property's encoders as `/acs/encoders/list` orders them (by id): what the
/// PMS link's encoder positions count.
#[derive(Debug, Clone)]
pub struct ListedEncoder {
    pub id: Uuid,
    pub display_name: String,
    pub station: Arc<CardStation>,
}

/// The property's encoders in the order `/acs/encoders/list` gives them.
pub fn listed_encoders(state: &AppState) -> Result<Vec<ListedEncoder>, frontdesk::Error> {
    let mut all =
        encoders(state).map_err(|error| frontdesk::Error::Internal(error.body.message))?;
    all.sort_by_key(|encoder| encoder.id);
    Ok(all
        .into_iter()
        .map(|encoder| ListedEncoder {
            id: encoder.id,
            display_name: encoder.display_name,
            station: encoder.station,
        })
        .collect())
}

fn encoder_resource(
    state: &AppState,
    encoder: &ApiEncoder,
    acs_system_id: Uuid,
) -> Result<Value, ApiError> {
    let id = encoder.id;
    let status = encoder.station.state();
    let simulated = status == encoder::supervisor::EncoderState::Simulated
        || encoder.station.simulator().is_some();
    let errors = if status == encoder::supervisor::EncoderState::Disconnected {
        vec![json!({
            "error_code": "acs_encoder_removed",
            "message": "The encoder is not connected. Plug it in (or check its cable).",
            "created_at": Instant(state.clock.now()),
        })]
    } else {
        Vec::new()
    };
    Ok(json!({
        "acs_encoder_id": id,
        "acs_system_id": acs_system_id,
        "connected_account_id": acs_system_id,
        "workspace_id": workspace_id(&state.desk)?,
        "display_name": encoder.display_name,
        "created_at": Instant(state.started_at),
        "errors": errors,
        "state": status,
        "is_simulated": simulated,
    }))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ListEncoders {
    acs_system_id: Option<Uuid>,
    #[serde(default, deserialize_with = "crate::params::ids")]
    acs_system_ids: Option<Vec<Uuid>>,
    #[serde(default, deserialize_with = "crate::params::ids")]
    acs_encoder_ids: Option<Vec<Uuid>>,
}

/// An encoder writes cards for every offline system, so each is listed for each system
/// asked about (or for the first, when none is named).
async fn list_encoders(
    State(state): State<AppState>,
    Listed(params, page): Listed<ListEncoders>,
) -> Answer {
    let offline: Vec<Uuid> = state
        .desk
        .access_systems()?
        .into_iter()
        .filter(|system| system.kind.is_override_based())
        .map(|system| system.id)
        .collect();
    let asked: Vec<Uuid> = params
        .acs_system_id
        .into_iter()
        .chain(params.acs_system_ids.unwrap_or_default())
        .collect();
    let systems: Vec<Uuid> = if asked.is_empty() {
        offline.first().copied().into_iter().collect()
    } else {
        asked
            .into_iter()
            .filter(|id| offline.contains(id))
            .collect()
    };
    let wanted = params.acs_encoder_ids;
    let all = encoders(&state)?;
    let listed: Vec<(Uuid, ApiEncoder)> = systems
        .iter()
        .flat_map(|system| all.iter().map(move |encoder| (*system, encoder.clone())))
        .filter(|(_, encoder)| wanted.as_ref().is_none_or(|ids| ids.contains(&encoder.id)))
        .collect();
    // Each encoder is listed once per system: the system, then the encoder, order the list.
    let (listed, pagination) = paginate(
        "acs_encoders",
        listed,
        |(system, encoder)| Position(vec![Key::Text(system.to_string())], encoder.id),
        &page,
    )?;
    let encoders = listed
        .iter()
        .map(|(system, encoder)| encoder_resource(&state, encoder, *system))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Json(
        json!({ "acs_encoders": encoders, "pagination": pagination, "ok": true }),
    ))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EncoderSelector {
    acs_encoder_id: Option<Uuid>,
}

/// The encoder `id` names: the server's own or a connected terminal's.
fn find_encoder(state: &AppState, id: Option<Uuid>) -> Result<ApiEncoder, ApiError> {
    let id = id.ok_or_else(|| ApiError::missing("acs_encoder_id"))?;
    encoders(state)?
        .into_iter()
        .find(|encoder| encoder.id == id)
        .ok_or_else(|| {
            ApiError::not_found(format!(
                "No acs_encoder with id {id}; a terminal's encoder is listed while the terminal \
                 is paired."
            ))
        })
}

async fn get_encoder(
    State(state): State<AppState>,
    Params(params): Params<EncoderSelector>,
) -> Answer {
    let encoder = find_encoder(&state, params.acs_encoder_id)?;
    let system = encoder_system(&state.desk)?;
    Ok(Json(
        json!({ "acs_encoder": encoder_resource(&state, &encoder, system)?, "ok": true }),
    ))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EncodeParams {
    acs_encoder_id: Option<Uuid>,
    access_method_id: Option<Uuid>,
    /// Seam's credential of a card: here the card access method it delivers, whose id it
    /// shares (see `encode_credential` in `docs/api.md`).
    acs_credential_id: Option<Uuid>,
}

/// The card access method an encode is for, named by `access_method_id` or by
/// `acs_credential_id` (the same id: a card access method is the credential it encodes).
fn method_to_encode(params: &EncodeParams) -> Result<(Uuid, &'static str), ApiError> {
    match (params.access_method_id, params.acs_credential_id) {
        (Some(method), Some(credential)) if method != credential => Err(ApiError::invalid_input(
            "acs_credential_id",
            "names another card than access_method_id; give one of them",
        )),
        (Some(method), _) => Ok((method, "access_method_id")),
        (None, Some(credential)) => Ok((credential, "acs_credential_id")),
        (None, None) => Err(ApiError::invalid_input(
            "access_method_id",
            "is required (or acs_credential_id, the id of the card's credential)",
        )),
    }
}

async fn encode(State(state): State<AppState>, Params(params): Params<EncodeParams>) -> Answer {
    let station = find_encoder(&state, params.acs_encoder_id)?.station;
    let (id, field) = method_to_encode(&params)?;
    // What can be refused before the card is touched is refused now, as a plain error.
    let method = match state.desk.access_method(id) {
        Err(frontdesk::Error::NotFound { .. }) if field == "acs_credential_id" => {
            return Err(ApiError::not_found(format!(
                "No acs_credential with id {id}; it may have been deleted."
            )));
        }
        found => found?,
    };
    if method.mode != AccessMode::Card {
        return Err(ApiError::invalid_input(
            field,
            format!("is a {} access method; only cards are encoded", method.mode),
        ));
    }
    run_attempt(&state, "ENCODE_CREDENTIAL", move |state, context| {
        state.desk.take_blank_for(&station, &[id])?;
        let mut progress = |_, _| {};
        let written = state
            .desk
            .encode_card(context, &station, id, &mut progress)?;
        let issued_at = written
            .access_method
            .as_ref()
            .and_then(|method| method.issued_at)
            .unwrap_or(context.now);
        let mut credential = card_credential(&state.desk, id, issued_at)?;
        credential["access_method_id"] = json!(id);
        credential["card_id"] = json!(written.card_id);
        Ok(credential)
    })
    .await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EncodeCancelParams {
    acs_encoder_id: Option<Uuid>,
    acs_entrance_id: Option<Uuid>,
}

/// Ours: a cancel card for one door, written on the encoder. Presented at the door it moves
/// the lock past every card issued for it so far without opening it. Refused at once while
/// the door has a live reservation, whose cards it would lock out too.
async fn encode_cancel_card(
    State(state): State<AppState>,
    Params(params): Params<EncodeCancelParams>,
) -> Answer {
    let station = find_encoder(&state, params.acs_encoder_id)?.station;
    let door = params
        .acs_entrance_id
        .ok_or_else(|| ApiError::missing("acs_entrance_id"))?;
    let renamed = |error: frontdesk::Error| {
        ApiError::from(error).renamed("acs_entrance_ids[0]", "acs_entrance_id")
    };
    state
        .desk
        .check_cancel_card(&Context::api(state.clock.now()), &[door])
        .map_err(renamed)?;
    run_attempt(&state, "ENCODE_CANCEL_CARD", move |state, context| {
        state.desk.take_blank_for(&station, &[])?;
        let mut progress = |_, _| {};
        let written = state
            .desk
            .encode_cancel_card(context, &station, &[door], &mut progress)?;
        Ok(json!({ "card_id": written.card_id, "acs_entrance_id": door }))
    })
    .await
}

async fn scan(State(state): State<AppState>, Params(params): Params<EncoderSelector>) -> Answer {
    let station = find_encoder(&state, params.acs_encoder_id)?.station;
    run_attempt(&state, "SCAN_CREDENTIAL", move |state, context| {
        // The staged failure is the server's simulator's: another encoder leaves it staged.
        let staged = station.simulator().and_then(|simulator| {
            next_scan_fault(state)
                .take()
                .map(|fault| (fault, simulator))
        });
        if let Some((fault, simulator)) = staged {
            // A scan starts with a POLL: the fault fires on it, before anything is read.
            simulator.fail_on(encoder::protocol::Command::Poll, fault);
        }
        let report = state.desk.read_card(context, &station)?;
        scan_result(&state.desk, &report)
    })
    .await
}

/// A card this desk wrote, as Seam's `acs_credential`: the encode that wrote it is the
/// credential, made on the desk encoder's system. Ours beside Seam's fields: the
/// `access_method_id` it was written for and the card's `card_id`.
fn card_credential(
    desk: &FrontDesk,
    credential_id: Uuid,
    issued_at: DateTime<Utc>,
) -> Result<Value, frontdesk::Error> {
    let system = encoder_system(desk)?;
    let workspace = workspace_id(desk)?;
    Ok(json!({
        "acs_credential_id": credential_id,
        "acs_system_id": system,
        "connected_account_id": system,
        "workspace_id": workspace,
        "display_name": "Card",
        "access_method": "card",
        "card_number": null,
        "created_at": Instant(issued_at),
        "is_issued": true,
        "issued_at": Instant(issued_at),
        "is_managed": true,
        "errors": [],
        "warnings": [],
    }))
}

/// What a scan found, in the shape of Seam's SCAN_CREDENTIAL result.
fn scan_result(desk: &FrontDesk, report: &CardReport) -> Result<Value, frontdesk::Error> {
    let issued_at = report.content.as_ref().map(|content| content.issued_at);
    let on_encoder = json!({
        "card_number": null,
        "created_at": issued_at.map(Instant),
        "card_id": report.card_id,
        "is_issued": !report.blank,
        "is_authentic": report.authentic,
        "problem": report.problem,
        "kind": report.content.as_ref().map(|content| content.kind),
        "copy_number": report.content.as_ref().map(|content| content.copy_number),
        "issued_at": report.content.as_ref().map(|content| Instant(content.issued_at)),
        "starts_at": report.content.as_ref().map(|content| Instant(content.valid_from)),
        "ends_at": report
            .content
            .as_ref()
            .and_then(|content| engine::model::shown_end(content.valid_until))
            .map(Instant),
        "doors": report.doors.iter().map(door_verdict).collect::<Vec<_>>(),
    });
    // A card access method is the credential it encodes: the same id, stable across
    // re-encodes.
    let on_seam = match (report.access_method_id, issued_at) {
        (Some(method), Some(issued_at)) => {
            let mut on_seam = card_credential(desk, method, issued_at)?;
            on_seam["access_method_id"] = json!(method);
            on_seam["access_grant_id"] = json!(report.access_grant_id);
            on_seam["reservation_key"] = json!(report.reservation_key);
            on_seam["user_full_name"] = json!(report.user_full_name);
            on_seam["card_id"] = json!(report.card_id);
            Some(on_seam)
        }
        _ => None,
    };
    let warnings: Vec<Value> = report
        .out_of_sync
        .iter()
        .map(|message| json!({ "warning_code": "acs_credential_on_encoder_out_of_sync", "warning_message": message }))
        .collect();
    Ok(json!({
        "acs_credential_on_encoder": on_encoder,
        "acs_credential_on_seam": on_seam,
        "warnings": warnings,
    }))
}

fn door_verdict(door: &DoorVerdict) -> Value {
    json!({
        "acs_entrance_id": door.acs_entrance_id,
        "name": door.name,
        "sequence": door.sequence,
        "decision": door.decision,
        "reason": reason_code(&door.reason),
        "explanation": door.explanation,
    })
}

/// A lock's reason as its code (`joined`, `overrode`, `overridden`, `expired`, ...); the
/// explanation gives the rest.
fn reason_code(reason: &Reason) -> Value {
    serde_json::to_value(reason)
        .ok()
        .and_then(|value| value.get("reason").cloned())
        .unwrap_or(Value::Null)
}

/// Starts an action attempt on a blocking thread and answers with it: finished if it
/// finished quickly, `pending` otherwise.
async fn run_attempt(
    state: &AppState,
    action_type: &'static str,
    work: impl FnOnce(&AppState, &Context) -> Result<Value, frontdesk::Error> + Send + 'static,
) -> Answer {
    let context = Context::api(state.clock.now());
    let id = state.desk.start_action_attempt(action_type, context.now)?;
    let task_state = state.clone();
    // The work goes on, and its outcome is recorded, whether or not the caller still waits:
    // a caller that stopped polling, or dropped the request, can read it later.
    let task = tokio::task::spawn_blocking(move || {
        let outcome =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| work(&task_state, &context)));
        let now = task_state.clock.now();
        let recorded = match &outcome {
            Ok(outcome) => task_state.desk.finish_action_attempt(id, outcome, now),
            Err(_) => task_state.desk.abandon_action_attempt(id, now),
        };
        if let Err(error) = recorded {
            eprintln!("frontdesk: action attempt {id} could not be recorded: {error}");
        }
    });
    let _ = tokio::time::timeout(ANSWER_WITHIN, task).await;
    attempt_answer(state, id)
}

fn attempt_answer(state: &AppState, id: Uuid) -> Answer {
    let attempt = state.desk.action_attempt(id)?;
    Ok(Json(
        json!({ "action_attempt": attempt_resource(&attempt), "ok": true }),
    ))
}

fn attempt_resource(attempt: &ActionAttemptRecord) -> Value {
    json!({
        "action_attempt_id": attempt.id,
        "action_type": attempt.action_type,
        "status": attempt.status,
        "result": attempt.result,
        "error": attempt.error,
    })
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ActionAttemptId {
    action_attempt_id: Option<Uuid>,
}

async fn get_action_attempt(
    State(state): State<AppState>,
    Params(params): Params<ActionAttemptId>,
) -> Answer {
    let id = params
        .action_attempt_id
        .ok_or_else(|| ApiError::missing("action_attempt_id"))?;
    attempt_answer(&state, id)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct WillFail {
    acs_encoder_id: Option<Uuid>,
    error_code: Option<String>,
}

/// The simulated failures, by the error type the next encode will report.
fn fault_for(code: &str) -> Option<Fault> {
    Some(match code {
        // At once, as Seam's sandbox fails it, rather than after the whole card wait.
        "no_credential_on_encoder" => Fault::CardWaitExpired,
        "encoding_interrupted" => Fault::CardRemovedMidWrite,
        "uncategorized_error" => Fault::DamagedCard,
        "incompatible_card_format" => Fault::UnsupportedCard,
        "encoder_communication_timeout" => Fault::NoAnswer,
        "encoder_not_online" => Fault::UnplugMidWrite(UnplugAt::BeforeCommit),
        _ => return None,
    })
}

async fn will_fail(State(state): State<AppState>, Params(params): Params<WillFail>) -> Answer {
    let station = find_encoder(&state, params.acs_encoder_id)?.station;
    let simulator = simulator(&station)?;
    let code = params
        .error_code
        .unwrap_or_else(|| "uncategorized_error".to_owned());
    let fault = fault_for(&code).ok_or_else(|| {
        ApiError::invalid_input(
            "error_code",
            "is not one this simulator stages: no_credential_on_encoder, encoding_interrupted, \
             uncategorized_error, incompatible_card_format, encoder_communication_timeout, \
             encoder_not_online",
        )
    })?;
    simulator.fail_next(fault);
    Ok(Json(json!({ "ok": true })))
}

async fn will_succeed(
    State(state): State<AppState>,
    Params(params): Params<EncoderSelector>,
) -> Answer {
    let station = find_encoder(&state, params.acs_encoder_id)?.station;
    let simulator = simulator(&station)?;
    simulator.clear_faults();
    simulator.plug();
    Ok(Json(json!({ "ok": true })))
}

#[derive(Debug, Deserialize)]
struct ScanSimulation {
    acs_encoder_id: Option<Uuid>,
    error_code: Option<String>,
    scenario: Option<String>,
    acs_credential_id_on_seam: Option<String>,
}

impl ScanSimulation {
    /// The scan reads the card really on the simulated encoder: what it finds is not staged.
    fn refuse_staged_content(&self) -> Result<(), ApiError> {
        let not_staged = "is not simulated here: a scan reads the card really on the simulated \
                          encoder; encode or present the card wanted instead";
        if self.scenario.is_some() {
            return Err(ApiError::invalid_input("scenario", not_staged));
        }
        if self.acs_credential_id_on_seam.is_some() {
            return Err(ApiError::invalid_input(
                "acs_credential_id_on_seam",
                not_staged,
            ));
        }
        Ok(())
    }
}

/// The failure staged for the next scan, if any.
fn next_scan_fault(state: &AppState) -> std::sync::MutexGuard<'_, Option<Fault>> {
    state
        .next_scan_fault
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Stages a failure for the next scan only (an encode in between does not take it).
async fn scan_will_fail(
    State(state): State<AppState>,
    Params(params): Params<ScanSimulation>,
) -> Answer {
    let station = find_encoder(&state, params.acs_encoder_id)?.station;
    simulator(&station)?;
    params.refuse_staged_content()?;
    let fault = match params
        .error_code
        .as_deref()
        .unwrap_or("uncategorized_error")
    {
        "no_credential_on_encoder" => Fault::CardWaitExpired,
        "uncategorized_error" => Fault::DamagedCard,
        _ => {
            return Err(ApiError::invalid_input(
                "error_code",
                "is not one this simulator stages for a scan: no_credential_on_encoder, \
                 uncategorized_error",
            ));
        }
    };
    *next_scan_fault(&state) = Some(fault);
    Ok(Json(json!({ "ok": true })))
}

async fn scan_will_succeed(
    State(state): State<AppState>,
    Params(params): Params<ScanSimulation>,
) -> Answer {
    let station = find_encoder(&state, params.acs_encoder_id)?.station;
    simulator(&station)?;
    if params.error_code.is_some() {
        return Err(ApiError::invalid_input(
            "error_code",
            "goes with next_credential_scan_will_fail",
        ));
    }
    params.refuse_staged_content()?;
    *next_scan_fault(&state) = None;
    Ok(Json(json!({ "ok": true })))
}

fn simulator(station: &CardStation) -> Result<&encoder::simulator::SimulatedEncoder, ApiError> {
    station.simulator().ok_or_else(|| {
        ApiError::new(
            axum::http::StatusCode::BAD_REQUEST,
            "not_simulated",
            "This encoder is not the server's simulated one; simulations need that one.",
        )
    })
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PresentCard {
    acs_entrance_id: Option<Uuid>,
    card_id: Option<String>,
    at: Option<DateTime<Utc>>,
}

/// The door simulator: presents a simulated card at a door's simulated lock.
async fn present_card(
    State(state): State<AppState>,
    Params(params): Params<PresentCard>,
) -> Answer {
    let entrance = params
        .acs_entrance_id
        .ok_or_else(|| ApiError::missing("acs_entrance_id"))?;
    let card_id = params.card_id.ok_or_else(|| ApiError::missing("card_id"))?;
    if encoder::CardUid::from_hex(&card_id).is_none() {
        return Err(ApiError::invalid_input(
            "card_id",
            "is not a card id (the card's UID in hex)",
        ));
    }
    let context = Context::api(state.clock.now());
    let task_state = state.clone();
    let decision = tokio::task::spawn_blocking(move || {
        task_state
            .desk
            .present_card(&context, &task_state.station, entrance, &card_id, params.at)
    })
    .await
    .map_err(|_| ApiError::internal("The request was interrupted; nothing was changed."))??;
    Ok(Json(json!({
        "decision": decision.decision,
        "reason": reason_code(&decision.reason),
        "explanation": decision.explanation,
        "at": Instant(decision.at),
        "ok": true,
    })))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SetPrivacy {
    acs_entrance_id: Option<Uuid>,
    on: Option<bool>,
    at: Option<DateTime<Utc>>,
}

/// The door simulator: the guest inside throws (`on`) or releases a room door's deadbolt.
async fn set_privacy(State(state): State<AppState>, Params(params): Params<SetPrivacy>) -> Answer {
    let entrance = params
        .acs_entrance_id
        .ok_or_else(|| ApiError::missing("acs_entrance_id"))?;
    let on = params.on.ok_or_else(|| ApiError::missing("on"))?;
    let context = Context::api(state.clock.now());
    let task_state = state.clone();
    let changed = tokio::task::spawn_blocking(move || {
        task_state
            .desk
            .set_privacy(&context, entrance, on, params.at)
    })
    .await
    .map_err(|_| ApiError::internal("The request was interrupted; nothing was changed."))??;
    Ok(Json(json!({
        "acs_entrance_id": changed.acs_entrance_id,
        "on": changed.on,
        "at": Instant(changed.at),
        "ok": true,
    })))
}
