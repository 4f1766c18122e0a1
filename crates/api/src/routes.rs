//! The routes. Each takes its parameters from the query string or the JSON body, whichever
//! the client used, and answers `{"<resource>": …, "ok": true}`.

use axum::extract::State;
use axum::routing::{MethodFilter, on};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use engine::lock::StaffLevel;
use engine::model::{RequestedAccessMethod, UserKind};
use engine::staff::ScheduleWindow;
use frontdesk::{
    AccessMethodRecord, Context, CreateAccessGrant, FrontDesk, GrantFilter,
    MethodFilter as Methods, NewUserIdentity, UpdateAccessGrant,
};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::AppState;
use crate::error::ApiError;
use crate::params::{Listed, Page, Params, ids};
use crate::resources::{AccessGrant, AccessMethod, AcsSystem, Entrance, Space, UserIdentity};

/// The most items one list page returns, and its default size.
const PAGE_LIMIT: usize = 500;

type Answer = Result<Json<Value>, ApiError>;

pub fn routes() -> Router<AppState> {
    let read = MethodFilter::GET.or(MethodFilter::POST);
    let write = MethodFilter::POST.or(MethodFilter::PUT);
    let update = MethodFilter::PATCH
        .or(MethodFilter::POST)
        .or(MethodFilter::PUT);
    let delete = MethodFilter::DELETE.or(MethodFilter::POST);
    Router::new()
        .route("/access_grants/create", on(write, create_access_grant))
        .route("/access_grants/get", on(read, get_access_grant))
        .route("/access_grants/list", on(read, list_access_grants))
        .route("/access_grants/update", on(update, update_access_grant))
        .route("/access_grants/delete", on(delete, delete_access_grant))
        .route("/access_methods/get", on(read, get_access_method))
        .route("/access_methods/list", on(read, list_access_methods))
        .route("/access_methods/delete", on(delete, delete_access_methods))
        .route("/acs/entrances/get", on(read, get_entrance))
        .route("/acs/entrances/list", on(read, list_entrances))
        .route("/acs/systems/get", on(read, get_system))
        .route("/acs/systems/list", on(read, list_systems))
        .route("/spaces/get", on(read, get_space))
        .route("/spaces/list", on(read, list_spaces))
        .route("/user_identities/create", on(write, create_user_identity))
        .route("/user_identities/get", on(read, get_user_identity))
        .route("/user_identities/list", on(read, list_user_identities))
}

/// Runs a use case off the async threads (SQLite blocks) at the API's clock.
async fn call<T: Send + 'static>(
    state: &AppState,
    work: impl FnOnce(&FrontDesk, &Context) -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    let desk = state.desk.clone();
    let context = Context::api(state.clock.now());
    tokio::task::spawn_blocking(move || work(&desk, &context))
        .await
        .map_err(|_| ApiError::internal("The request was interrupted; nothing was changed."))?
}

fn ok(key: &str, value: impl serde::Serialize) -> Answer {
    let value = serde_json::to_value(value)
        .map_err(|error| ApiError::internal(format!("could not write the answer: {error}")))?;
    Ok(Json(json!({ key: value, "ok": true })))
}

fn required<T>(field: &str, value: Option<T>) -> Result<T, ApiError> {
    value.ok_or_else(|| ApiError::missing(field))
}

/// The property's id, which stands for Seam's workspace.
pub(crate) fn workspace_id(desk: &FrontDesk) -> Result<Uuid, frontdesk::Error> {
    Ok(desk
        .property()?
        .map(|property| property.id)
        .unwrap_or_default())
}

/// One part of a list's order: a number or a text.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(untagged)]
pub(crate) enum Key {
    Number(i64),
    Text(String),
}

/// Where an item sits in its list: the list's own order, then the item's id. A page cursor is
/// the position of the last item of the page before, so "after it" keeps its meaning when that
/// item has been deleted since (a list-then-delete loop), or new items came in.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub(crate) struct Position(pub(crate) Vec<Key>, pub(crate) Uuid);

impl Position {
    /// Ordered by creation: the instant, to the microsecond, then the id.
    pub(crate) fn created(at: DateTime<Utc>, id: Uuid) -> Self {
        Self(vec![Key::Number(at.timestamp_micros())], id)
    }

    /// Opaque to clients: the list's name and the position, as JSON in hex.
    fn cursor(&self, list: &str) -> String {
        let json = serde_json::to_vec(&(list, self)).unwrap_or_default();
        json.iter().map(|byte| format!("{byte:02x}")).collect()
    }

    /// The position of a cursor of `list`; `None` for anything else.
    fn from_cursor(cursor: &str, list: &str) -> Option<Self> {
        if !cursor.len().is_multiple_of(2) || !cursor.is_ascii() {
            return None;
        }
        let bytes = (0..cursor.len())
            .step_by(2)
            .map(|at| u8::from_str_radix(&cursor[at..at + 2], 16).ok())
            .collect::<Option<Vec<u8>>>()?;
        let (of, position): (String, Self) = serde_json::from_slice(&bytes).ok()?;
        (of == list).then_some(position)
    }
}

/// One page of the list named `list` (its answer's key), in the order of `position`, after
/// the cursor's position.
pub(crate) fn paginate<T>(
    list: &str,
    mut items: Vec<T>,
    position: impl Fn(&T) -> Position,
    page: &Page,
) -> Result<(Vec<T>, Value), ApiError> {
    let limit = page
        .limit
        .map_or(PAGE_LIMIT, |limit| (limit as usize).clamp(1, PAGE_LIMIT));
    items.sort_by_cached_key(&position);
    let start = match &page.page_cursor {
        None => 0,
        Some(cursor) => {
            let after = Position::from_cursor(cursor, list).ok_or_else(|| {
                ApiError::invalid_input(
                    "page_cursor",
                    "is not a cursor this front desk gave; pass next_page_cursor unchanged",
                )
            })?;
            items.partition_point(|item| position(item) <= after)
        }
    };
    let rest = items.len().saturating_sub(start);
    let page_items: Vec<T> = items.into_iter().skip(start).take(limit).collect();
    let next_page_cursor = (rest > limit)
        .then(|| page_items.last().map(|item| position(item).cursor(list)))
        .flatten();
    let pagination = json!({
        "has_next_page": next_page_cursor.is_some(),
        "next_page_cursor": next_page_cursor,
        "next_page_url": null,
    });
    Ok((page_items, pagination))
}

/// A case-insensitive `search` over an item's texts; no search matches everything.
fn matches_search(search: Option<&str>, texts: &[Option<&str>]) -> bool {
    let Some(search) = search.map(str::to_lowercase) else {
        return true;
    };
    texts
        .iter()
        .flatten()
        .any(|text| text.to_lowercase().contains(&search))
}

fn list_answer<T: serde::Serialize>(key: &str, items: Vec<T>, pagination: Value) -> Answer {
    let items = serde_json::to_value(items)
        .map_err(|error| ApiError::internal(format!("could not write the answer: {error}")))?;
    Ok(Json(
        json!({ key: items, "pagination": pagination, "ok": true }),
    ))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct InlineUser {
    full_name: Option<String>,
    email_address: Option<String>,
    phone_number: Option<String>,
    user_identity_key: Option<String>,
    kind: Option<UserKind>,
}

impl InlineUser {
    fn into_new(self) -> NewUserIdentity {
        NewUserIdentity {
            key: self.user_identity_key,
            full_name: self.full_name,
            email_address: self.email_address,
            phone_number: self.phone_number,
            kind: self.kind.unwrap_or(UserKind::Guest),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateGrantParams {
    user_identity_id: Option<Uuid>,
    user_identity: Option<InlineUser>,
    #[serde(default)]
    acs_entrance_ids: Vec<Uuid>,
    #[serde(default)]
    space_ids: Vec<Uuid>,
    #[serde(default)]
    space_keys: Vec<String>,
    starts_at: Option<DateTime<Utc>>,
    ends_at: Option<DateTime<Utc>>,
    requested_access_methods: Option<Vec<RequestedAccessMethod>>,
    reservation_key: Option<String>,
    name: Option<String>,
    staff_level: Option<StaffLevel>,
    #[serde(default)]
    floors: Vec<i32>,
    #[serde(default)]
    schedule: Vec<ScheduleWindow>,
    #[serde(default)]
    one_shot: bool,
}

async fn create_access_grant(
    State(state): State<AppState>,
    Params(params): Params<CreateGrantParams>,
) -> Answer {
    let requested = required("requested_access_methods", params.requested_access_methods)?;
    let request = CreateAccessGrant {
        user_identity_id: params.user_identity_id,
        new_user_identity: params.user_identity.map(InlineUser::into_new),
        acs_entrance_ids: params.acs_entrance_ids,
        space_ids: params.space_ids,
        space_keys: params.space_keys,
        starts_at: params.starts_at,
        ends_at: params.ends_at,
        requested_access_methods: requested,
        reservation_key: params.reservation_key,
        name: params.name,
        staff_level: params.staff_level,
        floors: params.floors,
        schedule: params.schedule,
        one_shot: params.one_shot,
    };
    let grant = call(&state, move |desk, context| {
        let grant = desk.create_access_grant(context, &request)?;
        grant_resource(desk, &grant, context.now)
    })
    .await?;
    ok("access_grant", grant)
}

/// A grant as Seam shows it, with the warnings that hold at `now`.
fn grant_resource(
    desk: &FrontDesk,
    grant: &frontdesk::AccessGrantRecord,
    now: DateTime<Utc>,
) -> Result<AccessGrant, ApiError> {
    let methods: Vec<AccessMethodRecord> = desk.access_methods(Methods::Grant(grant.id))?;
    Ok(AccessGrant::new(grant, &methods, workspace_id(desk)?, now))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AccessGrantId {
    access_grant_id: Option<Uuid>,
}

async fn get_access_grant(
    State(state): State<AppState>,
    Params(params): Params<AccessGrantId>,
) -> Answer {
    let id = required("access_grant_id", params.access_grant_id)?;
    let grant = call(&state, move |desk, context| {
        grant_resource(desk, &desk.access_grant(id)?, context.now)
    })
    .await?;
    ok("access_grant", grant)
}

/// Seam's filters of `/access_grants/list` that this front desk applies; the others it lists
/// (`access_grant_key`, `customer_key`, `location_id`, `device_id`, `access_code_id`) name
/// things it does not have, and are refused as unknown parameters.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ListGrantParams {
    #[serde(default, deserialize_with = "ids")]
    access_grant_ids: Option<Vec<Uuid>>,
    reservation_key: Option<String>,
    space_id: Option<Uuid>,
    acs_entrance_id: Option<Uuid>,
    user_identity_id: Option<Uuid>,
    acs_system_id: Option<Uuid>,
}

async fn list_access_grants(
    State(state): State<AppState>,
    Listed(params, page): Listed<ListGrantParams>,
) -> Answer {
    let filter = GrantFilter {
        reservation_key: params.reservation_key,
        space_id: params.space_id,
        entrance_id: params.acs_entrance_id,
        user_identity_id: params.user_identity_id,
        access_system_id: params.acs_system_id,
    };
    let wanted = params.access_grant_ids;
    let (grants, pagination) = call(&state, move |desk, context| {
        let mut grants = desk.access_grants(&filter)?;
        if let Some(wanted) = &wanted {
            grants.retain(|grant| wanted.contains(&grant.id));
        }
        let (grants, pagination) = paginate(
            "access_grants",
            grants,
            |grant| Position::created(grant.created_at, grant.id),
            &page,
        )?;
        let grants = grants
            .iter()
            .map(|grant| grant_resource(desk, grant, context.now))
            .collect::<Result<Vec<_>, _>>()?;
        Ok((grants, pagination))
    })
    .await?;
    list_answer("access_grants", grants, pagination)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct UpdateGrantParams {
    access_grant_id: Option<Uuid>,
    starts_at: Option<DateTime<Utc>>,
    /// Absent: unchanged; `null`: no end any more.
    #[serde(default, deserialize_with = "present")]
    ends_at: Option<Option<DateTime<Utc>>>,
    name: Option<String>,
}

/// A field that was given, `null` or not: `Some(None)` for `null`, `None` when absent.
fn present<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

async fn update_access_grant(
    State(state): State<AppState>,
    Params(params): Params<UpdateGrantParams>,
) -> Answer {
    let request = UpdateAccessGrant {
        access_grant_id: required("access_grant_id", params.access_grant_id)?,
        starts_at: params.starts_at,
        ends_at: params
            .ends_at
            .map(|end| end.unwrap_or(engine::model::OPEN_END)),
        name: params.name,
    };
    call(&state, move |desk, context| {
        Ok(desk.update_access_grant(context, &request)?)
    })
    .await?;
    Ok(Json(json!({ "ok": true })))
}

async fn delete_access_grant(
    State(state): State<AppState>,
    Params(params): Params<AccessGrantId>,
) -> Answer {
    let id = required("access_grant_id", params.access_grant_id)?;
    call(&state, move |desk, context| {
        Ok(desk.delete_access_grant(context, id)?)
    })
    .await?;
    Ok(Json(json!({ "ok": true })))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AccessMethodId {
    access_method_id: Option<Uuid>,
}

async fn get_access_method(
    State(state): State<AppState>,
    Params(params): Params<AccessMethodId>,
) -> Answer {
    let id = required("access_method_id", params.access_method_id)?;
    let method = call(&state, move |desk, _| {
        Ok(AccessMethod::new(
            &desk.access_method(id)?,
            workspace_id(desk)?,
        ))
    })
    .await?;
    ok("access_method", method)
}

/// Seam's filters of `/access_methods/list` that this front desk applies, in any
/// combination (each narrows the list), or none for every live access method. Seam's
/// `access_grant_key`, `device_id` and `access_code_id` name things it does not have.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ListMethodParams {
    access_grant_id: Option<Uuid>,
    space_id: Option<Uuid>,
    acs_entrance_id: Option<Uuid>,
}

async fn list_access_methods(
    State(state): State<AppState>,
    Listed(params, page): Listed<ListMethodParams>,
) -> Answer {
    let filters: Vec<Methods> = [
        params.access_grant_id.map(Methods::Grant),
        params.space_id.map(Methods::Space),
        params.acs_entrance_id.map(Methods::Entrance),
    ]
    .into_iter()
    .flatten()
    .collect();
    let (methods, pagination) = call(&state, move |desk, _| {
        let workspace = workspace_id(desk)?;
        let mut methods = match filters.first() {
            Some(first) => desk.access_methods(*first)?,
            None => {
                let mut all = Vec::new();
                for grant in desk.access_grants(&GrantFilter::default())? {
                    all.extend(desk.access_methods(Methods::Grant(grant.id))?);
                }
                all
            }
        };
        for filter in filters.iter().skip(1) {
            let allowed: Vec<Uuid> = desk
                .access_methods(*filter)?
                .iter()
                .map(|method| method.id)
                .collect();
            methods.retain(|method| allowed.contains(&method.id));
        }
        let (methods, pagination) = paginate("access_methods", methods, method_position, &page)?;
        let methods: Vec<_> = methods
            .iter()
            .map(|m| AccessMethod::new(m, workspace))
            .collect();
        Ok((methods, pagination))
    })
    .await?;
    list_answer("access_methods", methods, pagination)
}

/// Access methods in the order they were made: by instant, then by the grant's request they
/// answer and their copy number.
fn method_position(method: &AccessMethodRecord) -> Position {
    Position(
        vec![
            Key::Number(method.created_at.timestamp_micros()),
            Key::Number(i64::from(method.request_index)),
            Key::Number(i64::from(method.copy_number.unwrap_or(0))),
        ],
        method.id,
    )
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DeleteMethodParams {
    access_method_id: Option<Uuid>,
    access_grant_id: Option<Uuid>,
    reservation_key: Option<String>,
}

async fn delete_access_methods(
    State(state): State<AppState>,
    Params(params): Params<DeleteMethodParams>,
) -> Answer {
    let given: Vec<&str> = [
        ("access_method_id", params.access_method_id.is_some()),
        ("access_grant_id", params.access_grant_id.is_some()),
        ("reservation_key", params.reservation_key.is_some()),
    ]
    .into_iter()
    .filter_map(|(name, given)| given.then_some(name))
    .collect();
    match given.len() {
        1 => {}
        0 => {
            return Err(ApiError::invalid_input(
                "access_method_id",
                "is required, unless access_grant_id or reservation_key is given",
            ));
        }
        _ => {
            return Err(ApiError::invalid_input(
                given[1],
                format!("cannot go with {}; give only one of them", given[0]),
            ));
        }
    }
    call(&state, move |desk, context| {
        match (
            params.access_method_id,
            params.access_grant_id,
            params.reservation_key,
        ) {
            (Some(id), _, _) => desk.delete_access_method(context, id)?,
            (_, Some(id), _) => desk.delete_access_methods_of_grant(context, id)?,
            (_, _, Some(key)) => desk.delete_access_methods_of_reservation(context, &key)?,
            _ => return Err(ApiError::missing("access_method_id")),
        };
        Ok(())
    })
    .await?;
    Ok(Json(json!({ "ok": true })))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EntranceId {
    acs_entrance_id: Option<Uuid>,
}

async fn get_entrance(State(state): State<AppState>, Params(params): Params<EntranceId>) -> Answer {
    let id = required("acs_entrance_id", params.acs_entrance_id)?;
    let entrance = call(&state, move |desk, _| {
        Ok(Entrance::from(&desk.entrance(id)?))
    })
    .await?;
    ok("acs_entrance", entrance)
}

/// Seam's filters of `/acs/entrances/list` that this front desk applies (each system stands
/// for its own connected account), and `access_method_id`: the doors that access method's
/// grant targets. Seam's `acs_credential_id`, `customer_key` and `location_id` name things
/// it does not have.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ListEntranceParams {
    acs_system_id: Option<Uuid>,
    connected_account_id: Option<Uuid>,
    space_id: Option<Uuid>,
    #[serde(default, deserialize_with = "ids")]
    acs_entrance_ids: Option<Vec<Uuid>>,
    access_method_id: Option<Uuid>,
    search: Option<String>,
}

async fn list_entrances(
    State(state): State<AppState>,
    Listed(params, page): Listed<ListEntranceParams>,
) -> Answer {
    let (entrances, pagination) = call(&state, move |desk, _| {
        let mut entrances = desk.entrances(params.acs_system_id, params.space_id)?;
        if let Some(account) = params.connected_account_id {
            entrances.retain(|entrance| entrance.access_system_id == account);
        }
        if let Some(wanted) = &params.acs_entrance_ids {
            entrances.retain(|entrance| wanted.contains(&entrance.id));
        }
        if let Some(method) = params.access_method_id {
            let grant = desk.access_grant(desk.access_method(method)?.access_grant_id)?;
            let doors = grant.entrance_ids();
            entrances.retain(|entrance| doors.contains(&entrance.id));
        }
        let search = params.search.as_deref();
        entrances.retain(|entrance| {
            matches_search(search, &[Some(&entrance.name), Some(&entrance.key)])
        });
        let (entrances, pagination) = paginate(
            "acs_entrances",
            entrances,
            |entrance| Position(vec![Key::Text(entrance.key.clone())], entrance.id),
            &page,
        )?;
        Ok((
            entrances.iter().map(Entrance::from).collect::<Vec<_>>(),
            pagination,
        ))
    })
    .await?;
    list_answer("acs_entrances", entrances, pagination)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SystemId {
    acs_system_id: Option<Uuid>,
}

async fn get_system(State(state): State<AppState>, Params(params): Params<SystemId>) -> Answer {
    let id = required("acs_system_id", params.acs_system_id)?;
    let system = call(&state, move |desk, _| {
        systems(desk)?
            .into_iter()
            .find(|system| system.acs_system_id == id)
            .ok_or_else(|| ApiError::not_found(format!("No acs_system with id {id}.")))
    })
    .await?;
    ok("acs_system", system)
}

/// Seam's filters of `/acs/systems/list` that this front desk applies; `customer_key` names
/// what it does not have. Seam does not page this list.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ListSystemParams {
    connected_account_id: Option<Uuid>,
    search: Option<String>,
}

async fn list_systems(
    State(state): State<AppState>,
    Params(params): Params<ListSystemParams>,
) -> Answer {
    let systems = call(&state, move |desk, _| {
        let mut systems = systems(desk)?;
        if let Some(account) = params.connected_account_id {
            systems.retain(|system| system.connected_account_id == account);
        }
        let search = params.search.as_deref();
        systems.retain(|system| matches_search(search, &[Some(&system.name)]));
        Ok(systems)
    })
    .await?;
    ok("acs_systems", systems)
}

fn systems(desk: &FrontDesk) -> Result<Vec<AcsSystem>, ApiError> {
    let Some(property) = desk.property()? else {
        return Ok(Vec::new());
    };
    Ok(desk
        .access_systems()?
        .iter()
        .map(|system| AcsSystem::new(system, &property))
        .collect())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SpaceSelector {
    space_id: Option<Uuid>,
    space_key: Option<String>,
}

async fn get_space(State(state): State<AppState>, Params(params): Params<SpaceSelector>) -> Answer {
    let space = call(&state, move |desk, _| {
        let workspace = workspace_id(desk)?;
        let space = match (params.space_id, params.space_key) {
            (Some(id), _) => desk.space(id)?,
            (None, Some(key)) => desk
                .spaces()?
                .into_iter()
                .find(|space| space.key == key)
                .ok_or_else(|| ApiError::not_found(format!("No space with key {key:?}.")))?,
            (None, None) => return Err(ApiError::missing("space_id")),
        };
        Ok(Space::new(&space, workspace))
    })
    .await?;
    ok("space", space)
}

/// Seam's filters of `/spaces/list` that this front desk applies (each system stands for its
/// own connected account: a space is on it when one of its doors is). Spaces here are not
/// nested and have no customers, so `parent_space_id`, `parent_space_key` and
/// `customer_key` are refused.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ListSpaceParams {
    space_key: Option<String>,
    search: Option<String>,
    connected_account_id: Option<Uuid>,
}

async fn list_spaces(
    State(state): State<AppState>,
    Listed(params, page): Listed<ListSpaceParams>,
) -> Answer {
    let (spaces, pagination) = call(&state, move |desk, _| {
        let workspace = workspace_id(desk)?;
        let mut spaces = desk.spaces()?;
        if let Some(key) = &params.space_key {
            spaces.retain(|space| &space.key == key);
        }
        if let Some(account) = params.connected_account_id {
            let doors: Vec<Uuid> = desk
                .entrances(Some(account), None)?
                .iter()
                .map(|entrance| entrance.id)
                .collect();
            spaces.retain(|space| space.entrance_ids.iter().any(|id| doors.contains(id)));
        }
        let search = params.search.as_deref();
        spaces.retain(|space| matches_search(search, &[Some(&space.name), Some(&space.key)]));
        let (spaces, pagination) = paginate("spaces", spaces, space_position, &page)?;
        Ok((
            spaces
                .iter()
                .map(|space| Space::new(space, workspace))
                .collect::<Vec<_>>(),
            pagination,
        ))
    })
    .await?;
    list_answer("spaces", spaces, pagination)
}

/// Spaces as the property lists them: floors upwards, common areas last, then by key.
fn space_position(space: &frontdesk::SpaceRecord) -> Position {
    Position(
        vec![
            Key::Number(i64::from(space.floor.is_none())),
            Key::Number(i64::from(space.floor.unwrap_or(0))),
            Key::Text(space.key.clone()),
        ],
        space.id,
    )
}

async fn create_user_identity(
    State(state): State<AppState>,
    Params(params): Params<InlineUser>,
) -> Answer {
    let user = call(&state, move |desk, context| {
        let user = desk.create_user_identity(context, &params.into_new())?;
        Ok(UserIdentity::new(&user, workspace_id(desk)?))
    })
    .await?;
    ok("user_identity", user)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct UserSelector {
    user_identity_id: Option<Uuid>,
    user_identity_key: Option<String>,
}

async fn get_user_identity(
    State(state): State<AppState>,
    Params(params): Params<UserSelector>,
) -> Answer {
    let user = call(&state, move |desk, _| {
        let user = match (params.user_identity_id, params.user_identity_key) {
            (Some(id), _) => desk.user_identity(id)?,
            (None, Some(key)) => desk
                .user_identities()?
                .into_iter()
                .find(|user| user.key.as_deref() == Some(key.as_str()))
                .ok_or_else(|| {
                    ApiError::not_found(format!("No user_identity with key {key:?}."))
                })?,
            (None, None) => return Err(ApiError::missing("user_identity_id")),
        };
        Ok(UserIdentity::new(&user, workspace_id(desk)?))
    })
    .await?;
    ok("user_identity", user)
}

/// Seam's filters of `/user_identities/list` that this front desk applies;
/// `credential_manager_acs_system_id` names what it does not have.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ListUserParams {
    #[serde(default, deserialize_with = "ids")]
    user_identity_ids: Option<Vec<Uuid>>,
    search: Option<String>,
    created_before: Option<DateTime<Utc>>,
}

async fn list_user_identities(
    State(state): State<AppState>,
    Listed(params, page): Listed<ListUserParams>,
) -> Answer {
    let (users, pagination) = call(&state, move |desk, _| {
        let workspace = workspace_id(desk)?;
        let mut users = desk.user_identities()?;
        if let Some(wanted) = &params.user_identity_ids {
            users.retain(|user| wanted.contains(&user.id));
        }
        if let Some(before) = params.created_before {
            users.retain(|user| user.created_at < before);
        }
        let search = params.search.as_deref();
        users.retain(|user| {
            matches_search(
                search,
                &[
                    user.full_name.as_deref(),
                    user.email_address.as_deref(),
                    user.phone_number.as_deref(),
                    user.key.as_deref(),
                ],
            )
        });
        let (users, pagination) = paginate(
            "user_identities",
            users,
            |user| Position::created(user.created_at, user.id),
            &page,
        )?;
        Ok((
            users
                .iter()
                .map(|user| UserIdentity::new(user, workspace))
                .collect::<Vec<_>>(),
            pagination,
        ))
    })
    .await?;
    list_answer("user_identities", users, pagination)
}
