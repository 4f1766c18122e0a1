//! The routes. Each takes its parameters from the query string or the JSON body, whichever
//! the client used, and answers `{"<resource>": …, "ok": true}`.

use axum::extract::State;
use axum::routing::{MethodFilter, on};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use engine::model::{RequestedAccessMethod, UserKind};
use frontdesk::{
    AccessMethodRecord, Context, CreateAccessGrant, FrontDesk, GrantFilter,
    MethodFilter as Methods, NewUserIdentity, UpdateAccessGrant,
};
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::AppState;
use crate::error::ApiError;
use crate::params::{Params, number};
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
    let context = Context::new("api", state.clock.now());
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
fn workspace_id(desk: &FrontDesk) -> Result<Uuid, ApiError> {
    Ok(desk
        .property()?
        .map(|property| property.id)
        .unwrap_or_default())
}

/// The page parameters of a list. Routes with filters take `limit` and `page_cursor` as
/// their own fields rather than through `#[serde(flatten)]`, which would lose the field's name
/// from a type error (it would be reported against `body`).
#[derive(Debug, Deserialize)]
struct Page {
    #[serde(default, deserialize_with = "number")]
    limit: Option<u32>,
    page_cursor: Option<String>,
}

/// One page of `items` after the cursor (the id of the last item of the previous page).
fn paginate<T>(
    items: Vec<T>,
    id_of: impl Fn(&T) -> Uuid,
    page: &Page,
) -> Result<(Vec<T>, Value), ApiError> {
    let limit = page
        .limit
        .map_or(PAGE_LIMIT, |limit| (limit as usize).clamp(1, PAGE_LIMIT));
    let start = match &page.page_cursor {
        None => 0,
        Some(cursor) => {
            let position = Uuid::parse_str(cursor)
                .ok()
                .and_then(|id| items.iter().position(|item| id_of(item) == id))
                .ok_or_else(|| {
                    ApiError::invalid_input("page_cursor", "is not a cursor of this list")
                })?;
            position + 1
        }
    };
    let rest = items.len().saturating_sub(start);
    let page_items: Vec<T> = items.into_iter().skip(start).take(limit).collect();
    let next_page_cursor = (rest > limit)
        .then(|| page_items.last().map(|item| id_of(item).to_string()))
        .flatten();
    let pagination = json!({
        "has_next_page": next_page_cursor.is_some(),
        "next_page_cursor": next_page_cursor,
        "next_page_url": null,
    });
    Ok((page_items, pagination))
}

fn list_answer<T: serde::Serialize>(key: &str, items: Vec<T>, pagination: Value) -> Answer {
    let items = serde_json::to_value(items)
        .map_err(|error| ApiError::internal(format!("could not write the answer: {error}")))?;
    Ok(Json(
        json!({ key: items, "pagination": pagination, "ok": true }),
    ))
}

#[derive(Debug, Deserialize)]
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
    };
    let grant = call(&state, move |desk, context| {
        let grant = desk.create_access_grant(context, &request)?;
        grant_resource(desk, &grant)
    })
    .await?;
    ok("access_grant", grant)
}

fn grant_resource(
    desk: &FrontDesk,
    grant: &frontdesk::AccessGrantRecord,
) -> Result<AccessGrant, ApiError> {
    let methods: Vec<AccessMethodRecord> = desk.access_methods(Methods::Grant(grant.id))?;
    Ok(AccessGrant::new(grant, &methods, workspace_id(desk)?))
}

#[derive(Debug, Deserialize)]
struct AccessGrantId {
    access_grant_id: Option<Uuid>,
}

async fn get_access_grant(
    State(state): State<AppState>,
    Params(params): Params<AccessGrantId>,
) -> Answer {
    let id = required("access_grant_id", params.access_grant_id)?;
    let grant = call(&state, move |desk, _| {
        grant_resource(desk, &desk.access_grant(id)?)
    })
    .await?;
    ok("access_grant", grant)
}

#[derive(Debug, Deserialize)]
struct ListGrantParams {
    reservation_key: Option<String>,
    space_id: Option<Uuid>,
    acs_entrance_id: Option<Uuid>,
    user_identity_id: Option<Uuid>,
    acs_system_id: Option<Uuid>,
    #[serde(default, deserialize_with = "number")]
    limit: Option<u32>,
    page_cursor: Option<String>,
}

async fn list_access_grants(
    State(state): State<AppState>,
    Params(params): Params<ListGrantParams>,
) -> Answer {
    let filter = GrantFilter {
        reservation_key: params.reservation_key,
        space_id: params.space_id,
        entrance_id: params.acs_entrance_id,
        user_identity_id: params.user_identity_id,
        access_system_id: params.acs_system_id,
    };
    let page = Page {
        limit: params.limit,
        page_cursor: params.page_cursor,
    };
    let (grants, pagination) = call(&state, move |desk, _| {
        let (grants, pagination) = paginate(desk.access_grants(&filter)?, |grant| grant.id, &page)?;
        let grants = grants
            .iter()
            .map(|grant| grant_resource(desk, grant))
            .collect::<Result<Vec<_>, _>>()?;
        Ok((grants, pagination))
    })
    .await?;
    list_answer("access_grants", grants, pagination)
}

#[derive(Debug, Deserialize)]
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

#[derive(Debug, Deserialize)]
struct MethodSelector {
    access_method_id: Option<Uuid>,
    access_grant_id: Option<Uuid>,
    space_id: Option<Uuid>,
    acs_entrance_id: Option<Uuid>,
    reservation_key: Option<String>,
    #[serde(default, deserialize_with = "number")]
    limit: Option<u32>,
    page_cursor: Option<String>,
}

impl MethodSelector {
    /// Which of the selecting parameters were given.
    fn given(&self) -> Vec<&'static str> {
        [
            ("access_method_id", self.access_method_id.is_some()),
            ("access_grant_id", self.access_grant_id.is_some()),
            ("space_id", self.space_id.is_some()),
            ("acs_entrance_id", self.acs_entrance_id.is_some()),
            ("reservation_key", self.reservation_key.is_some()),
        ]
        .into_iter()
        .filter_map(|(name, given)| given.then_some(name))
        .collect()
    }
}

fn exactly_one(given: &[&str], allowed: &[&str]) -> Result<(), ApiError> {
    let field = allowed.join(" | ");
    if let Some(other) = given.iter().find(|name| !allowed.contains(name)) {
        return Err(ApiError::invalid_input(
            other,
            format!("is not taken here; give one of {field}"),
        ));
    }
    match given.len() {
        1 => Ok(()),
        0 => Err(ApiError::invalid_input(&field, "give exactly one of these")),
        _ => Err(ApiError::invalid_input(
            &given.join(", "),
            format!("give only one of {field}"),
        )),
    }
}

async fn list_access_methods(
    State(state): State<AppState>,
    Params(params): Params<MethodSelector>,
) -> Answer {
    exactly_one(
        &params.given(),
        &["access_grant_id", "space_id", "acs_entrance_id"],
    )?;
    let filter = match (
        params.access_grant_id,
        params.space_id,
        params.acs_entrance_id,
    ) {
        (Some(id), _, _) => Methods::Grant(id),
        (_, Some(id), _) => Methods::Space(id),
        (_, _, Some(id)) => Methods::Entrance(id),
        _ => return Err(ApiError::missing("access_grant_id")),
    };
    let page = Page {
        limit: params.limit,
        page_cursor: params.page_cursor,
    };
    let (methods, pagination) = call(&state, move |desk, _| {
        let workspace = workspace_id(desk)?;
        let (methods, pagination) =
            paginate(desk.access_methods(filter)?, |method| method.id, &page)?;
        let methods: Vec<_> = methods
            .iter()
            .map(|m| AccessMethod::new(m, workspace))
            .collect();
        Ok((methods, pagination))
    })
    .await?;
    list_answer("access_methods", methods, pagination)
}

async fn delete_access_methods(
    State(state): State<AppState>,
    Params(params): Params<MethodSelector>,
) -> Answer {
    exactly_one(
        &params.given(),
        &["access_method_id", "access_grant_id", "reservation_key"],
    )?;
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

#[derive(Debug, Deserialize)]
struct ListEntranceParams {
    acs_system_id: Option<Uuid>,
    space_id: Option<Uuid>,
    #[serde(default, deserialize_with = "number")]
    limit: Option<u32>,
    page_cursor: Option<String>,
}

async fn list_entrances(
    State(state): State<AppState>,
    Params(params): Params<ListEntranceParams>,
) -> Answer {
    let page = Page {
        limit: params.limit,
        page_cursor: params.page_cursor,
    };
    let (entrances, pagination) = call(&state, move |desk, _| {
        let entrances = desk.entrances(params.acs_system_id, params.space_id)?;
        let (entrances, pagination) = paginate(entrances, |e| e.id, &page)?;
        Ok((
            entrances.iter().map(Entrance::from).collect::<Vec<_>>(),
            pagination,
        ))
    })
    .await?;
    list_answer("acs_entrances", entrances, pagination)
}

#[derive(Debug, Deserialize)]
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

async fn list_systems(State(state): State<AppState>, Params(_): Params<Value>) -> Answer {
    ok("acs_systems", call(&state, |desk, _| systems(desk)).await?)
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

async fn list_spaces(State(state): State<AppState>, Params(page): Params<Page>) -> Answer {
    let (spaces, pagination) = call(&state, move |desk, _| {
        let workspace = workspace_id(desk)?;
        let (spaces, pagination) = paginate(desk.spaces()?, |space| space.id, &page)?;
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

async fn list_user_identities(State(state): State<AppState>, Params(page): Params<Page>) -> Answer {
    let (users, pagination) = call(&state, move |desk, _| {
        let workspace = workspace_id(desk)?;
        let (users, pagination) = paginate(desk.user_identities()?, |user| user.id, &page)?;
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
