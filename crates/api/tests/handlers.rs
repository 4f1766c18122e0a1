//! The Seam-compatible API driven in-process through its router (no network): key checks,
//! response shapes of every route, both verbs, the guide's errors, input errors, pagination,
//! and concurrent creates on a real SQLite file.

// clippy.toml allows unwrap in `#[test]` functions; the helpers here are test code too.
#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;

use api::{AppState, Clock};
use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use chrono::{DateTime, TimeZone, Utc};
use frontdesk::{CardStation, Context, FrontDesk};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use store::Store;
use tower::ServiceExt;
use uuid::Uuid;

/// Rooms 101, 102 and 203 and a two-door suite on Visionline; gym, pool and lobby on
/// Visionline but not reservation-capable; a parking gate on an online system.
const TEST_PROPERTY: &str = include_str!("../../../tests/fixtures/test-property.json");

const KEY: &str = "seam_test_0123456789abcdef";

/// The guide's stay (guest 1, stay-1) and one that does not overlap it.
const STARTS: &str = "2025-05-10T15:00:00Z";
const ENDS: &str = "2025-05-14T11:00:00Z";
const LATER_STARTS: &str = "2025-05-15T15:00:00Z";
const LATER_ENDS: &str = "2025-05-18T11:00:00Z";

/// The API's clock starts before every stay of the guide's examples.
fn start_of_clock() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 5, 1, 9, 0, 0).unwrap()
}

// ---------------------------------------------------------------------------------------
// Harness
// ---------------------------------------------------------------------------------------

#[derive(Debug)]
struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: Value,
}

impl Reply {
    /// A success: 200, `ok: true` and the resource under `key`.
    fn ok(&self, key: &str) -> Value {
        assert_eq!(
            self.status,
            StatusCode::OK,
            "expected 200, got {}",
            self.body
        );
        assert_eq!(self.body["ok"], json!(true), "{}", self.body);
        self.body
            .get(key)
            .unwrap_or_else(|| panic!("no {key:?} in {}", self.body))
            .clone()
    }

    /// A success without a resource (update, delete).
    fn ok_only(&self) {
        assert_eq!(
            self.status,
            StatusCode::OK,
            "expected 200, got {}",
            self.body
        );
        assert_eq!(self.body["ok"], json!(true), "{}", self.body);
    }

    /// A refusal in Seam's shape; returns its `error` object.
    fn error(&self, status: StatusCode, error_type: &str) -> &Value {
        assert_eq!(self.status, status, "body: {}", self.body);
        assert_eq!(self.body["ok"], json!(false), "{}", self.body);
        let error = &self.body["error"];
        assert_eq!(error["type"], json!(error_type), "{}", self.body);
        let message = error["message"]
            .as_str()
            .unwrap_or_else(|| panic!("no message: {error}"));
        assert!(!message.is_empty());
        error
    }

    /// A 400 `invalid_input` naming `field` in `validation_errors` and in the message.
    fn invalid_input(&self, field: &str) -> &Value {
        let error = self.error(StatusCode::BAD_REQUEST, "invalid_input");
        let errors = error["validation_errors"]
            .as_object()
            .unwrap_or_else(|| panic!("no validation_errors: {error}"));
        assert!(
            errors.contains_key(field),
            "validation_errors should name {field:?}: {error}"
        );
        assert!(
            errors[field]["_errors"]
                .as_array()
                .is_some_and(|e| !e.is_empty()),
            "{error}"
        );
        assert!(
            error["message"].as_str().unwrap().contains(field),
            "{error}"
        );
        error
    }
}

/// Sends one request; every answer must be JSON, carry a `seam-request-id` and not be a 500.
async fn send(router: &Router, method: Method, uri: &str, body: Body, key: Option<&str>) -> Reply {
    let mut request = Request::builder().method(method.clone()).uri(uri);
    if let Some(key) = key {
        request = request.header(header::AUTHORIZATION, format!("Bearer {key}"));
    }
    let request = request
        .header(header::CONTENT_TYPE, "application/json")
        .body(body)
        .unwrap();
    let response = router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let body: Value = serde_json::from_slice(&bytes).unwrap_or_else(|error| {
        panic!(
            "{method} {uri}: answer is not JSON ({error}): {:?}",
            String::from_utf8_lossy(&bytes)
        )
    });
    let request_id = headers
        .get("seam-request-id")
        .unwrap_or_else(|| panic!("{method} {uri} ({status}): no seam-request-id header"));
    assert!(
        request_id.to_str().unwrap().starts_with("request_"),
        "{request_id:?}"
    );
    assert!(!status.is_server_error(), "{method} {uri}: {status} {body}");
    Reply {
        status,
        headers,
        body,
    }
}

async fn send_json(router: &Router, method: Method, uri: &str, body: &Value) -> Reply {
    send(router, method, uri, Body::from(body.to_string()), Some(KEY)).await
}

async fn post(router: &Router, path: &str, body: &Value) -> Reply {
    send_json(router, Method::POST, path, body).await
}

/// `method` with the parameters in the query string and no body.
async fn with_query(router: &Router, method: Method, path: &str, params: &[(&str, &str)]) -> Reply {
    let uri = if params.is_empty() {
        path.to_owned()
    } else {
        let mut query = form_urlencoded::Serializer::new(String::new());
        for (name, value) in params {
            query.append_pair(name, value);
        }
        format!("{path}?{}", query.finish())
    };
    send(router, method, &uri, Body::empty(), Some(KEY)).await
}

async fn get(router: &Router, path: &str, params: &[(&str, &str)]) -> Reply {
    with_query(router, Method::GET, path, params).await
}

/// A router over a freshly imported test property, with the keys' ids.
struct Fixture {
    router: Router,
    spaces: BTreeMap<String, String>,
    entrances: BTreeMap<String, String>,
}

/// The simulated encoder with fresh card keys for the property, waiting `card_wait` for a
/// card (and no longer than that for each of the encoder's replies).
fn simulated_station(property_id: Uuid, card_wait: Duration) -> Arc<CardStation> {
    let keys = encoder::keys::KeyRing::generate(property_id).unwrap();
    let source =
        encoder::supervisor::Source::Simulated(encoder::simulator::SimulatedEncoder::in_memory());
    let mut station = CardStation::new(source, keys);
    station.set_card_timeout(card_wait);
    station
        .supervisor()
        .set_reply_timeout(card_wait.min(encoder::client::REPLY_TIMEOUT));
    Arc::new(station)
}

impl Fixture {
    async fn new() -> Self {
        Self::on(Store::open_in_memory().unwrap()).await
    }

    async fn on(store: Store) -> Self {
        Self::build(store, frontdesk::CARD_TIMEOUT).await
    }

    /// With a short wait for a card and for the encoder's replies, so that the simulated
    /// "no card" and "no answer" failures are quick.
    async fn with_card_wait(card_wait: Duration) -> Self {
        Self::build(Store::open_in_memory().unwrap(), card_wait).await
    }

    async fn build(store: Store, card_wait: Duration) -> Self {
        Self::build_with(store, card_wait, TEST_PROPERTY).await
    }

    /// On another property file.
    async fn with_property(property: &str) -> Self {
        Self::build_with(
            Store::open_in_memory().unwrap(),
            frontdesk::CARD_TIMEOUT,
            property,
        )
        .await
    }

    async fn build_with(store: Store, card_wait: Duration, property: &str) -> Self {
        let desk = FrontDesk::new(store);
        let property = desk
            .import_property(&Context::new("test", start_of_clock()), property)
            .unwrap();
        let state = AppState::new(
            Arc::new(desk),
            simulated_station(property.id, card_wait),
            KEY,
            Clock::starting_at(start_of_clock()).unwrap(),
        )
        .unwrap();
        let router = api::router(state);
        let by_key = |list: Value, id: &str, key: &str| -> BTreeMap<String, String> {
            list.as_array()
                .unwrap()
                .iter()
                .map(|item| {
                    (
                        item[key].as_str().unwrap().to_owned(),
                        item[id].as_str().unwrap().to_owned(),
                    )
                })
                .collect()
        };
        let spaces = get(&router, "/spaces/list", &[]).await.ok("spaces");
        let entrances = get(&router, "/acs/entrances/list", &[])
            .await
            .ok("acs_entrances");
        Self {
            spaces: by_key(spaces, "space_id", "space_key"),
            entrances: by_key(entrances, "acs_entrance_id", "entrance_key"),
            router,
        }
    }

    fn space(&self, key: &str) -> &str {
        &self.spaces[key]
    }

    fn entrance(&self, key: &str) -> &str {
        &self.entrances[key]
    }

    fn space_ids(&self, keys: &[&str]) -> Vec<String> {
        keys.iter().map(|key| self.space(key).to_owned()).collect()
    }

    async fn user(&self, kind: &str) -> String {
        let body = json!({ "full_name": format!("A {kind}"), "kind": kind });
        let user = post(&self.router, "/user_identities/create", &body)
            .await
            .ok("user_identity");
        user["user_identity_id"].as_str().unwrap().to_owned()
    }

    async fn guest(&self) -> String {
        self.user("guest").await
    }

    /// The guide's usual request: a card for `spaces`.
    fn stay(
        &self,
        user: &str,
        spaces: &[&str],
        starts: &str,
        ends: &str,
        key: Option<&str>,
    ) -> Value {
        let mut body = json!({
            "user_identity_id": user,
            "space_ids": self.space_ids(spaces),
            "starts_at": starts,
            "ends_at": ends,
            "requested_access_methods": [{ "mode": "card" }],
        });
        if let Some(key) = key {
            body["reservation_key"] = json!(key);
        }
        body
    }

    async fn create(&self, body: &Value) -> Reply {
        post(&self.router, "/access_grants/create", body).await
    }

    /// Creates a grant that must succeed; returns it.
    async fn grant(&self, spaces: &[&str], key: Option<&str>) -> Value {
        let user = self.guest().await;
        self.create(&self.stay(&user, spaces, STARTS, ENDS, key))
            .await
            .ok("access_grant")
    }

    async fn grants_of(&self, reservation_key: &str) -> Vec<Value> {
        let reply = get(
            &self.router,
            "/access_grants/list",
            &[("reservation_key", reservation_key)],
        )
        .await;
        reply.ok("access_grants").as_array().unwrap().clone()
    }
}

// ---------------------------------------------------------------------------------------
// Field types
// ---------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy)]
enum Ty {
    Uuid,
    Text,
    OptText,
    Instant,
    OptInstant,
    Bool,
    Count,
    Uuids,
    Array,
    Object,
}

fn is_uuid(value: &Value) -> bool {
    value
        .as_str()
        .is_some_and(|text| Uuid::parse_str(text).is_ok())
}

fn is_instant(value: &Value) -> bool {
    value
        .as_str()
        .is_some_and(|text| DateTime::parse_from_rfc3339(text).is_ok())
}

fn has_fields(resource: &Value, fields: &[(&str, Ty)]) {
    for (name, ty) in fields {
        let value = resource
            .get(name)
            .unwrap_or_else(|| panic!("no field {name:?} in {resource}"));
        let fine = match ty {
            Ty::Uuid => is_uuid(value),
            Ty::Text => value.is_string(),
            Ty::OptText => value.is_string() || value.is_null(),
            Ty::Instant => is_instant(value),
            Ty::OptInstant => value.is_null() || is_instant(value),
            Ty::Bool => value.is_boolean(),
            Ty::Count => value.is_u64(),
            Ty::Uuids => value
                .as_array()
                .is_some_and(|items| items.iter().all(is_uuid)),
            Ty::Array => value.is_array(),
            Ty::Object => value.is_object(),
        };
        assert!(fine, "{name} should be {ty:?}, is {value} (in {resource})");
    }
}

fn assert_access_grant(grant: &Value) {
    has_fields(
        grant,
        &[
            ("access_grant_id", Ty::Uuid),
            ("reservation_key", Ty::OptText),
            ("user_identity_id", Ty::Uuid),
            ("space_ids", Ty::Uuids),
            ("acs_entrance_ids", Ty::Uuids),
            ("requested_access_methods", Ty::Array),
            ("access_method_ids", Ty::Uuids),
            ("name", Ty::OptText),
            ("display_name", Ty::Text),
            ("created_at", Ty::Instant),
            ("starts_at", Ty::Instant),
            ("ends_at", Ty::Instant),
            ("warnings", Ty::Array),
            ("errors", Ty::Array),
        ],
    );
    let mut created = BTreeSet::new();
    for request in grant["requested_access_methods"].as_array().unwrap() {
        has_fields(
            request,
            &[
                ("display_name", Ty::Text),
                ("mode", Ty::Text),
                ("created_at", Ty::Instant),
                ("created_access_method_ids", Ty::Uuids),
            ],
        );
        for id in request["created_access_method_ids"].as_array().unwrap() {
            created.insert(id.as_str().unwrap().to_owned());
        }
    }
    let methods: BTreeSet<String> = grant["access_method_ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|id| id.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        created, methods,
        "created_access_method_ids should add up to access_method_ids"
    );
    for warning in grant["warnings"].as_array().unwrap() {
        has_fields(
            warning,
            &[("warning_code", Ty::Text), ("message", Ty::Text)],
        );
    }
}

fn assert_access_method(method: &Value) {
    has_fields(
        method,
        &[
            ("access_method_id", Ty::Uuid),
            ("display_name", Ty::Text),
            ("mode", Ty::Text),
            ("created_at", Ty::Instant),
            ("issued_at", Ty::OptInstant),
            ("is_issued", Ty::Bool),
            ("is_encoding_required", Ty::Bool),
            ("is_ready_for_encoding", Ty::Bool),
            ("code", Ty::OptText),
            ("warnings", Ty::Array),
            ("errors", Ty::Array),
        ],
    );
}

fn assert_entrance(entrance: &Value) {
    has_fields(
        entrance,
        &[
            ("acs_entrance_id", Ty::Uuid),
            ("acs_system_id", Ty::Uuid),
            ("display_name", Ty::Text),
            ("space_ids", Ty::Uuids),
            ("can_belong_to_reservation", Ty::Bool),
            ("can_unlock_with_card", Ty::Bool),
            ("can_unlock_with_mobile_key", Ty::Bool),
            ("can_unlock_with_code", Ty::Bool),
            ("created_at", Ty::Instant),
            ("errors", Ty::Array),
            ("warnings", Ty::Array),
        ],
    );
}

fn assert_system(system: &Value) {
    has_fields(
        system,
        &[
            ("acs_system_id", Ty::Uuid),
            ("name", Ty::Text),
            ("external_type", Ty::Text),
            ("location", Ty::Object),
        ],
    );
    has_fields(&system["location"], &[("time_zone", Ty::Text)]);
}

fn assert_space(space: &Value) {
    has_fields(
        space,
        &[
            ("space_id", Ty::Uuid),
            ("space_key", Ty::Text),
            ("name", Ty::Text),
            ("display_name", Ty::Text),
            ("acs_entrance_count", Ty::Count),
            ("created_at", Ty::Instant),
        ],
    );
}

fn assert_user_identity(user: &Value) {
    has_fields(
        user,
        &[
            ("user_identity_id", Ty::Uuid),
            ("user_identity_key", Ty::OptText),
            ("full_name", Ty::OptText),
            ("email_address", Ty::OptText),
            ("phone_number", Ty::OptText),
            ("display_name", Ty::Text),
        ],
    );
}

fn id_of<'v>(resource: &'v Value, field: &str) -> &'v str {
    resource[field]
        .as_str()
        .unwrap_or_else(|| panic!("no {field} in {resource}"))
}

fn ids(list: &Value, field: &str) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|item| id_of(item, field).to_owned())
        .collect()
}

/// The guide's text is wrapped over lines; compare word by word.
fn words(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

// ---------------------------------------------------------------------------------------
// Auth, fallbacks, request ids
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn without_a_key_the_answer_is_401() {
    let fx = Fixture::new().await;
    let reply = send(&fx.router, Method::GET, "/spaces/list", Body::empty(), None).await;
    reply.error(StatusCode::UNAUTHORIZED, "unauthorized");
    assert_eq!(
        reply.body.as_object().unwrap().len(),
        2,
        "only error and ok: {}",
        reply.body
    );
}

#[tokio::test]
async fn a_wrong_key_is_401_and_the_right_key_is_200() {
    let fx = Fixture::new().await;
    let wrong = send(
        &fx.router,
        Method::GET,
        "/spaces/list",
        Body::empty(),
        Some("seam_someone_else_entirely"),
    )
    .await;
    wrong.error(StatusCode::UNAUTHORIZED, "unauthorized");
    let prefix = send(
        &fx.router,
        Method::GET,
        "/spaces/list",
        Body::empty(),
        Some(&KEY[..KEY.len() - 1]),
    )
    .await;
    prefix.error(StatusCode::UNAUTHORIZED, "unauthorized");

    // The key without "Bearer " is not accepted either.
    let request = Request::builder()
        .uri("/spaces/list")
        .header(header::AUTHORIZATION, KEY)
        .body(Body::empty())
        .unwrap();
    let response = fx.router.clone().oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);

    let right = send(
        &fx.router,
        Method::GET,
        "/spaces/list",
        Body::empty(),
        Some(KEY),
    )
    .await;
    right.ok("spaces");
}

#[tokio::test]
async fn unknown_routes_are_hidden_without_a_key_and_404_with_it() {
    let fx = Fixture::new().await;
    let hidden = send(
        &fx.router,
        Method::GET,
        "/no/such/route",
        Body::empty(),
        None,
    )
    .await;
    hidden.error(StatusCode::UNAUTHORIZED, "unauthorized");
    let hidden = send(
        &fx.router,
        Method::POST,
        "/access_grants/explode",
        Body::empty(),
        None,
    )
    .await;
    hidden.error(StatusCode::UNAUTHORIZED, "unauthorized");

    let missing = send(
        &fx.router,
        Method::GET,
        "/no/such/route",
        Body::empty(),
        Some(KEY),
    )
    .await;
    missing.error(StatusCode::NOT_FOUND, "not_found");
    let missing = post(&fx.router, "/access_grants/explode", &json!({})).await;
    missing.error(StatusCode::NOT_FOUND, "not_found");
}

#[tokio::test]
async fn a_wrong_method_on_a_known_route_is_405_in_json() {
    let fx = Fixture::new().await;
    for (method, path) in [
        (Method::DELETE, "/spaces/list"),
        (Method::GET, "/access_grants/create"),
        (Method::PATCH, "/access_grants/delete"),
        (Method::DELETE, "/access_grants/update"),
        (Method::PUT, "/acs/entrances/get"),
    ] {
        let reply = send(&fx.router, method.clone(), path, Body::empty(), Some(KEY)).await;
        reply.error(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed");
        // Without the key, the route's methods are not revealed either.
        let reply = send(&fx.router, method, path, Body::empty(), None).await;
        reply.error(StatusCode::UNAUTHORIZED, "unauthorized");
    }
}

#[tokio::test]
async fn every_answer_has_its_own_request_id() {
    let fx = Fixture::new().await;
    // `send` checks the header on every answer; here, that they differ.
    let first = get(&fx.router, "/spaces/list", &[]).await;
    let second = get(&fx.router, "/spaces/list", &[]).await;
    let refused = send(&fx.router, Method::GET, "/spaces/list", Body::empty(), None).await;
    let ids: BTreeSet<_> = [first, second, refused]
        .iter()
        .map(|reply| {
            reply.headers["seam-request-id"]
                .to_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(ids.len(), 3);
}

#[test]
fn api_keys_must_look_like_seam_keys() {
    assert!(api::check_api_key(KEY).is_ok());
    assert!(api::check_api_key("seam_0123456789abcdef").is_ok());
    for bad in [
        "",
        "0123456789abcdef0123456789",
        "SEAM_0123456789abcdef0123",
        "sk_0123456789abcdef0123456789",
        "seam_",
        "seam_short",
        "seam_0123456789abcde",
        "seam_0123456789 abcdef0123",
        " seam_0123456789abcdef0123",
        "seam_0123456789abcdef0123 ",
        "seam_0123456789\tabcdef0123",
        "seam_0123456789\nabcdef0123",
    ] {
        assert!(
            api::check_api_key(bad).is_err(),
            "{bad:?} should be refused"
        );
    }
    let desk = Arc::new(FrontDesk::new(Store::open_in_memory().unwrap()));
    let station = simulated_station(Uuid::new_v4(), frontdesk::CARD_TIMEOUT);
    assert!(AppState::new(desk, station, "seam_short", Clock::default()).is_err());
}

// ---------------------------------------------------------------------------------------
// Shapes and both verbs, route by route
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn access_grants_create_get_list_update_delete() {
    let fx = Fixture::new().await;
    let user = fx.guest().await;
    let mut body = fx.stay(&user, &["room-101"], STARTS, ENDS, Some("stay-1"));
    body["acs_entrance_ids"] = json!([fx.entrance("gym-door"), fx.entrance("lobby-door")]);
    body["name"] = json!("Guest one");
    let grant = fx.create(&body).await.ok("access_grant");
    assert_access_grant(&grant);
    assert_eq!(grant["reservation_key"], json!("stay-1"));
    assert_eq!(grant["user_identity_id"], json!(user));
    assert_eq!(grant["name"], json!("Guest one"));
    assert_eq!(grant["space_ids"], json!([fx.space("room-101")]));
    let entrances: BTreeSet<&str> = grant["acs_entrance_ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e.as_str().unwrap())
        .collect();
    let expected: BTreeSet<&str> = ["room-101-door", "gym-door", "lobby-door"]
        .iter()
        .map(|key| fx.entrance(key))
        .collect();
    assert_eq!(entrances, expected);
    assert_eq!(grant["starts_at"], json!("2025-05-10T15:00:00.000Z"));
    assert_eq!(grant["ends_at"], json!("2025-05-14T11:00:00.000Z"));
    assert_eq!(grant["requested_access_methods"][0]["mode"], json!("card"));
    assert!(!grant["access_method_ids"].as_array().unwrap().is_empty());
    let id = id_of(&grant, "access_grant_id").to_owned();

    // get: GET with query, POST with JSON.
    let by_get = get(
        &fx.router,
        "/access_grants/get",
        &[("access_grant_id", &id)],
    )
    .await
    .ok("access_grant");
    assert_access_grant(&by_get);
    assert_eq!(by_get["access_grant_id"], json!(id));
    let by_post = post(
        &fx.router,
        "/access_grants/get",
        &json!({ "access_grant_id": id }),
    )
    .await
    .ok("access_grant");
    assert_eq!(by_post, by_get);

    // A second reservation, to see the filters work.
    let other = fx.grant(&["room-203"], Some("stay-2")).await;

    // list: GET with a query filter, POST with a JSON filter, and unfiltered.
    let listed = get(
        &fx.router,
        "/access_grants/list",
        &[("reservation_key", "stay-1")],
    )
    .await
    .ok("access_grants");
    assert_eq!(ids(&listed, "access_grant_id"), vec![id.clone()]);
    assert_access_grant(&listed[0]);
    let listed = post(
        &fx.router,
        "/access_grants/list",
        &json!({ "reservation_key": "stay-2" }),
    )
    .await
    .ok("access_grants");
    assert_eq!(
        ids(&listed, "access_grant_id"),
        vec![id_of(&other, "access_grant_id")]
    );
    let listed = get(
        &fx.router,
        "/access_grants/list",
        &[("space_id", fx.space("room-203"))],
    )
    .await
    .ok("access_grants");
    assert_eq!(
        ids(&listed, "access_grant_id"),
        vec![id_of(&other, "access_grant_id")]
    );
    let listed = get(
        &fx.router,
        "/access_grants/list",
        &[("user_identity_id", &user)],
    )
    .await
    .ok("access_grants");
    assert_eq!(ids(&listed, "access_grant_id"), vec![id.clone()]);
    let listed = get(
        &fx.router,
        "/access_grants/list",
        &[("acs_entrance_id", fx.entrance("gym-door"))],
    )
    .await
    .ok("access_grants");
    assert_eq!(ids(&listed, "access_grant_id"), vec![id.clone()]);
    let all = get(&fx.router, "/access_grants/list", &[]).await;
    assert_eq!(all.ok("access_grants").as_array().unwrap().len(), 2);
    has_fields(&all.body["pagination"], &[("has_next_page", Ty::Bool)]);

    // update: PATCH with JSON, then POST with JSON.
    let patched = send_json(
        &fx.router,
        Method::PATCH,
        "/access_grants/update",
        &json!({ "access_grant_id": id, "ends_at": "2025-05-16T11:00:00Z" }),
    )
    .await;
    patched.ok_only();
    let after = get(
        &fx.router,
        "/access_grants/get",
        &[("access_grant_id", &id)],
    )
    .await
    .ok("access_grant");
    assert_eq!(after["ends_at"], json!("2025-05-16T11:00:00.000Z"));
    post(
        &fx.router,
        "/access_grants/update",
        &json!({ "access_grant_id": id, "name": "Renamed" }),
    )
    .await
    .ok_only();
    let after = post(
        &fx.router,
        "/access_grants/get",
        &json!({ "access_grant_id": id }),
    )
    .await
    .ok("access_grant");
    assert_eq!(after["name"], json!("Renamed"));
    assert_eq!(after["ends_at"], json!("2025-05-16T11:00:00.000Z"));

    // delete: DELETE with query, POST with JSON.
    with_query(
        &fx.router,
        Method::DELETE,
        "/access_grants/delete",
        &[("access_grant_id", &id)],
    )
    .await
    .ok_only();
    get(
        &fx.router,
        "/access_grants/get",
        &[("access_grant_id", &id)],
    )
    .await
    .error(StatusCode::NOT_FOUND, "not_found");
    let other_id = id_of(&other, "access_grant_id");
    post(
        &fx.router,
        "/access_grants/delete",
        &json!({ "access_grant_id": other_id }),
    )
    .await
    .ok_only();
    let left = get(&fx.router, "/access_grants/list", &[])
        .await
        .ok("access_grants");
    assert_eq!(left, json!([]));
}

#[tokio::test]
async fn a_deleted_reservation_can_move_to_another_room() {
    // The guide's "relocate a reservation": list and delete, then create with new doors.
    let fx = Fixture::new().await;
    fx.grant(&["room-101"], Some("stay-1")).await;
    fx.grant(&["room-101"], Some("stay-1")).await;
    let user = fx.guest().await;
    let moved = fx.stay(
        &user,
        &["room-203"],
        "2025-05-10T15:30:00Z",
        ENDS,
        Some("stay-1"),
    );
    fx.create(&moved).await.error(
        StatusCode::CONFLICT,
        "reservation_entrance_change_requires_cleanup",
    );
    for grant in fx.grants_of("stay-1").await {
        let id = id_of(&grant, "access_grant_id");
        with_query(
            &fx.router,
            Method::DELETE,
            "/access_grants/delete",
            &[("access_grant_id", id)],
        )
        .await
        .ok_only();
    }
    let grant = fx.create(&moved).await.ok("access_grant");
    assert_eq!(grant["space_ids"], json!([fx.space("room-203")]));
}

#[tokio::test]
async fn access_methods_list_get_delete() {
    let fx = Fixture::new().await;
    let user = fx.guest().await;
    let mut body = fx.stay(&user, &["room-101"], STARTS, ENDS, Some("stay-1"));
    body["requested_access_methods"] = json!([{ "mode": "card" }, { "mode": "mobile_key" }]);
    let grant = fx.create(&body).await.ok("access_grant");
    let grant_id = id_of(&grant, "access_grant_id").to_owned();
    let method_ids: BTreeSet<String> = grant["access_method_ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|id| id.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(method_ids.len(), 2);

    // list by grant: GET and POST.
    let listed = get(
        &fx.router,
        "/access_methods/list",
        &[("access_grant_id", &grant_id)],
    )
    .await
    .ok("access_methods");
    let listed_ids: BTreeSet<String> = ids(&listed, "access_method_id").into_iter().collect();
    assert_eq!(listed_ids, method_ids);
    for method in listed.as_array().unwrap() {
        assert_access_method(method);
        assert_eq!(method["is_issued"], json!(false));
        assert_eq!(method["issued_at"], Value::Null);
        assert_eq!(method["is_encoding_required"], json!(false));
    }
    let card = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["mode"] == json!("card"))
        .unwrap();
    assert_eq!(card["is_ready_for_encoding"], json!(true));
    let mobile = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["mode"] == json!("mobile_key"))
        .unwrap();
    assert_eq!(mobile["is_ready_for_encoding"], json!(false));
    let by_post = post(
        &fx.router,
        "/access_methods/list",
        &json!({ "access_grant_id": grant_id }),
    )
    .await
    .ok("access_methods");
    assert_eq!(by_post, listed);

    // list by space and by entrance.
    let by_space = get(
        &fx.router,
        "/access_methods/list",
        &[("space_id", fx.space("room-101"))],
    )
    .await
    .ok("access_methods");
    assert_eq!(
        ids(&by_space, "access_method_id")
            .into_iter()
            .collect::<BTreeSet<_>>(),
        method_ids
    );
    let by_entrance = post(
        &fx.router,
        "/access_methods/list",
        &json!({ "acs_entrance_id": fx.entrance("room-101-door") }),
    )
    .await
    .ok("access_methods");
    assert_eq!(
        ids(&by_entrance, "access_method_id")
            .into_iter()
            .collect::<BTreeSet<_>>(),
        method_ids
    );
    let elsewhere = get(
        &fx.router,
        "/access_methods/list",
        &[("space_id", fx.space("room-203"))],
    )
    .await
    .ok("access_methods");
    assert_eq!(elsewhere, json!([]));

    // get: GET and POST.
    let card_id = id_of(card, "access_method_id").to_owned();
    let got = get(
        &fx.router,
        "/access_methods/get",
        &[("access_method_id", &card_id)],
    )
    .await
    .ok("access_method");
    assert_access_method(&got);
    assert_eq!(got["access_method_id"], json!(card_id));
    let got_by_post = post(
        &fx.router,
        "/access_methods/get",
        &json!({ "access_method_id": card_id }),
    )
    .await
    .ok("access_method");
    assert_eq!(got_by_post, got);

    // delete one: DELETE with query.
    with_query(
        &fx.router,
        Method::DELETE,
        "/access_methods/delete",
        &[("access_method_id", &card_id)],
    )
    .await
    .ok_only();
    get(
        &fx.router,
        "/access_methods/get",
        &[("access_method_id", &card_id)],
    )
    .await
    .error(StatusCode::NOT_FOUND, "not_found");
    let left = get(
        &fx.router,
        "/access_methods/list",
        &[("access_grant_id", &grant_id)],
    )
    .await
    .ok("access_methods");
    assert_eq!(left.as_array().unwrap().len(), 1);

    // delete the grant's: POST with JSON.
    post(
        &fx.router,
        "/access_methods/delete",
        &json!({ "access_grant_id": grant_id }),
    )
    .await
    .ok_only();
    let left = get(
        &fx.router,
        "/access_methods/list",
        &[("access_grant_id", &grant_id)],
    )
    .await
    .ok("access_methods");
    assert_eq!(left, json!([]));

    // delete a reservation's: POST with JSON; an unknown reservation is 404.
    let joiner = fx.grant(&["room-101"], Some("stay-1")).await;
    assert!(!joiner["access_method_ids"].as_array().unwrap().is_empty());
    post(
        &fx.router,
        "/access_methods/delete",
        &json!({ "reservation_key": "stay-1" }),
    )
    .await
    .ok_only();
    let joiner_id = id_of(&joiner, "access_grant_id");
    let left = get(
        &fx.router,
        "/access_methods/list",
        &[("access_grant_id", joiner_id)],
    )
    .await
    .ok("access_methods");
    assert_eq!(left, json!([]));
    with_query(
        &fx.router,
        Method::DELETE,
        "/access_methods/delete",
        &[("reservation_key", "no-such-stay")],
    )
    .await
    .error(StatusCode::NOT_FOUND, "not_found");
}

#[tokio::test]
async fn acs_entrances_and_systems() {
    let fx = Fixture::new().await;
    let all = get(&fx.router, "/acs/entrances/list", &[]).await;
    let entrances = all.ok("acs_entrances");
    assert_eq!(entrances.as_array().unwrap().len(), 9);
    has_fields(&all.body["pagination"], &[("has_next_page", Ty::Bool)]);
    for entrance in entrances.as_array().unwrap() {
        assert_entrance(entrance);
    }
    let by_key = |key: &str| {
        entrances
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["entrance_key"] == json!(key))
            .unwrap()
            .clone()
    };
    let room = by_key("room-101-door");
    assert_eq!(room["can_belong_to_reservation"], json!(true));
    assert_eq!(room["can_unlock_with_card"], json!(true));
    assert_eq!(room["can_unlock_with_mobile_key"], json!(true));
    assert_eq!(room["can_unlock_with_code"], json!(false));
    assert_eq!(room["space_ids"], json!([fx.space("room-101")]));
    assert_eq!(
        by_key("gym-door")["can_belong_to_reservation"],
        json!(false)
    );
    assert_eq!(by_key("parking-gate")["can_unlock_with_code"], json!(true));

    // The guide's step 2: entrances of a space, by GET and POST.
    let suite = get(
        &fx.router,
        "/acs/entrances/list",
        &[("space_id", fx.space("suite-300"))],
    )
    .await
    .ok("acs_entrances");
    assert_eq!(suite.as_array().unwrap().len(), 2);
    let suite_by_post = post(
        &fx.router,
        "/acs/entrances/list",
        &json!({ "space_id": fx.space("suite-300") }),
    )
    .await
    .ok("acs_entrances");
    assert_eq!(suite_by_post, suite);

    let got = get(
        &fx.router,
        "/acs/entrances/get",
        &[("acs_entrance_id", fx.entrance("room-101-door"))],
    )
    .await
    .ok("acs_entrance");
    assert_entrance(&got);
    assert_eq!(got, room);
    let got = post(
        &fx.router,
        "/acs/entrances/get",
        &json!({ "acs_entrance_id": fx.entrance("room-101-door") }),
    )
    .await
    .ok("acs_entrance");
    assert_eq!(got, room);
    get(
        &fx.router,
        "/acs/entrances/get",
        &[("acs_entrance_id", &Uuid::new_v4().to_string())],
    )
    .await
    .error(StatusCode::NOT_FOUND, "not_found");

    // Systems.
    let systems = get(&fx.router, "/acs/systems/list", &[])
        .await
        .ok("acs_systems");
    let systems = systems.as_array().unwrap().clone();
    assert_eq!(systems.len(), 2);
    for system in &systems {
        assert_system(system);
        assert_eq!(system["location"]["time_zone"], json!("Europe/Lisbon"));
    }
    let types: BTreeSet<&str> = systems
        .iter()
        .map(|s| s["external_type"].as_str().unwrap())
        .collect();
    assert_eq!(
        types,
        BTreeSet::from(["visionline_system", "brivo_account"])
    );
    let by_post = post(&fx.router, "/acs/systems/list", &json!({}))
        .await
        .ok("acs_systems");
    assert_eq!(by_post.as_array().unwrap().len(), 2);

    let visionline = systems
        .iter()
        .find(|s| s["external_type"] == json!("visionline_system"))
        .unwrap();
    let system_id = id_of(visionline, "acs_system_id");
    assert_eq!(room["acs_system_id"], json!(system_id));
    let got = get(
        &fx.router,
        "/acs/systems/get",
        &[("acs_system_id", system_id)],
    )
    .await
    .ok("acs_system");
    assert_eq!(&got, visionline);
    let got = post(
        &fx.router,
        "/acs/systems/get",
        &json!({ "acs_system_id": system_id }),
    )
    .await
    .ok("acs_system");
    assert_eq!(&got, visionline);
    get(
        &fx.router,
        "/acs/systems/get",
        &[("acs_system_id", &Uuid::new_v4().to_string())],
    )
    .await
    .error(StatusCode::NOT_FOUND, "not_found");

    let on_visionline = get(
        &fx.router,
        "/acs/entrances/list",
        &[("acs_system_id", system_id)],
    )
    .await
    .ok("acs_entrances");
    assert_eq!(on_visionline.as_array().unwrap().len(), 8);
}

#[tokio::test]
async fn spaces_list_and_get_by_id_and_key() {
    let fx = Fixture::new().await;
    let spaces = get(&fx.router, "/spaces/list", &[]).await.ok("spaces");
    assert_eq!(spaces.as_array().unwrap().len(), 8);
    for space in spaces.as_array().unwrap() {
        assert_space(space);
    }
    let by_post = post(&fx.router, "/spaces/list", &json!({}))
        .await
        .ok("spaces");
    assert_eq!(by_post, spaces);

    let suite_id = fx.space("suite-300");
    let by_id = get(&fx.router, "/spaces/get", &[("space_id", suite_id)])
        .await
        .ok("space");
    assert_space(&by_id);
    assert_eq!(by_id["space_key"], json!("suite-300"));
    assert_eq!(by_id["name"], json!("Suite 300"));
    assert_eq!(by_id["acs_entrance_count"], json!(2));
    let by_key = get(&fx.router, "/spaces/get", &[("space_key", "suite-300")])
        .await
        .ok("space");
    assert_eq!(by_key, by_id);
    let by_post = post(
        &fx.router,
        "/spaces/get",
        &json!({ "space_key": "suite-300" }),
    )
    .await
    .ok("space");
    assert_eq!(by_post, by_id);
    let by_post = post(&fx.router, "/spaces/get", &json!({ "space_id": suite_id }))
        .await
        .ok("space");
    assert_eq!(by_post, by_id);

    get(&fx.router, "/spaces/get", &[("space_key", "room-999")])
        .await
        .error(StatusCode::NOT_FOUND, "not_found");
    get(
        &fx.router,
        "/spaces/get",
        &[("space_id", &Uuid::new_v4().to_string())],
    )
    .await
    .error(StatusCode::NOT_FOUND, "not_found");
    get(&fx.router, "/spaces/get", &[])
        .await
        .invalid_input("space_id");
}

#[tokio::test]
async fn user_identities_create_get_list() {
    let fx = Fixture::new().await;
    let guest = post(
        &fx.router,
        "/user_identities/create",
        &json!({
            "full_name": "Ada Guest",
            "email_address": "ada@example.com",
            "phone_number": "+351 555 0101",
            "user_identity_key": "pms-guest-1",
        }),
    )
    .await
    .ok("user_identity");
    assert_user_identity(&guest);
    assert_eq!(guest["kind"], json!("guest"), "kind defaults to guest");
    assert_eq!(guest["full_name"], json!("Ada Guest"));
    assert_eq!(guest["email_address"], json!("ada@example.com"));
    assert_eq!(guest["phone_number"], json!("+351 555 0101"));
    assert_eq!(guest["user_identity_key"], json!("pms-guest-1"));
    assert_eq!(guest["display_name"], json!("Ada Guest"));

    let staff = post(
        &fx.router,
        "/user_identities/create",
        &json!({ "full_name": "Bo Staff", "kind": "staff" }),
    )
    .await
    .ok("user_identity");
    assert_user_identity(&staff);
    assert_eq!(staff["kind"], json!("staff"));

    let guest_id = id_of(&guest, "user_identity_id");
    let staff_id = id_of(&staff, "user_identity_id");
    let got = get(
        &fx.router,
        "/user_identities/get",
        &[("user_identity_id", staff_id)],
    )
    .await
    .ok("user_identity");
    assert_eq!(got, staff);
    assert_eq!(got["kind"], json!("staff"));
    let got = post(
        &fx.router,
        "/user_identities/get",
        &json!({ "user_identity_id": guest_id }),
    )
    .await
    .ok("user_identity");
    assert_eq!(got, guest);
    let got = get(
        &fx.router,
        "/user_identities/get",
        &[("user_identity_key", "pms-guest-1")],
    )
    .await
    .ok("user_identity");
    assert_eq!(got, guest);
    get(
        &fx.router,
        "/user_identities/get",
        &[("user_identity_id", &Uuid::new_v4().to_string())],
    )
    .await
    .error(StatusCode::NOT_FOUND, "not_found");

    let listed = get(&fx.router, "/user_identities/list", &[])
        .await
        .ok("user_identities");
    let listed_ids: BTreeSet<String> = ids(&listed, "user_identity_id").into_iter().collect();
    assert_eq!(
        listed_ids,
        BTreeSet::from([guest_id.to_owned(), staff_id.to_owned()])
    );
    for user in listed.as_array().unwrap() {
        assert_user_identity(user);
    }
    let by_post = post(&fx.router, "/user_identities/list", &json!({}))
        .await
        .ok("user_identities");
    assert_eq!(by_post, listed);

    // A taken key is a conflict, not a fault.
    post(
        &fx.router,
        "/user_identities/create",
        &json!({ "user_identity_key": "pms-guest-1" }),
    )
    .await
    .error(StatusCode::CONFLICT, "conflict");
    // A staff member may hold a standard grant (no reservation_key) on a common door.
    let body = json!({
        "user_identity_id": staff_id,
        "acs_entrance_ids": [fx.entrance("gym-door")],
        "starts_at": STARTS,
        "ends_at": ENDS,
        "requested_access_methods": [{ "mode": "card" }],
    });
    fx.create(&body).await.ok("access_grant");
    // An inline user identity on create defaults to a guest too.
    let mut inline = fx.stay("", &["room-102"], STARTS, ENDS, Some("stay-inline"));
    inline.as_object_mut().unwrap().remove("user_identity_id");
    inline["user_identity"] = json!({ "full_name": "Inline Guest" });
    let grant = fx.create(&inline).await.ok("access_grant");
    let created = get(
        &fx.router,
        "/user_identities/get",
        &[("user_identity_id", id_of(&grant, "user_identity_id"))],
    )
    .await
    .ok("user_identity");
    assert_eq!(created["kind"], json!("guest"));
    assert_eq!(created["full_name"], json!("Inline Guest"));
}

#[tokio::test]
async fn action_attempts_get_of_an_unknown_id_is_404() {
    let fx = Fixture::new().await;
    let id = Uuid::new_v4().to_string();
    get(
        &fx.router,
        "/action_attempts/get",
        &[("action_attempt_id", &id)],
    )
    .await
    .error(StatusCode::NOT_FOUND, "not_found");
    post(
        &fx.router,
        "/action_attempts/get",
        &json!({ "action_attempt_id": id }),
    )
    .await
    .error(StatusCode::NOT_FOUND, "not_found");
    get(&fx.router, "/action_attempts/get", &[])
        .await
        .invalid_input("action_attempt_id");
}

// ---------------------------------------------------------------------------------------
// The guide's error table
// ---------------------------------------------------------------------------------------

/// Checks a refusal against one row of the guide's table.
fn assert_guide_error(
    reply: &Reply,
    status: StatusCode,
    error_type: &str,
    title: &str,
    message: &str,
) {
    let error = reply.error(status, error_type);
    assert_eq!(error["title"], json!(title), "{error}");
    assert_eq!(
        words(error["message"].as_str().unwrap()),
        words(message),
        "{error}"
    );
    // The SDK's error keeps only type, message and data: the guide's kind and title ride in
    // data too.
    let kind = if status == StatusCode::CONFLICT {
        "CONFLICT"
    } else {
        "VALIDATION_ERROR"
    };
    assert_eq!(
        error["data"],
        json!({ "kind": kind, "title": title }),
        "{error}"
    );
}

#[tokio::test]
async fn rule_1_reservation_key_not_supported_is_400() {
    let fx = Fixture::new().await;
    let user = fx.guest().await;
    let body = json!({
        "user_identity_id": user,
        "acs_entrance_ids": [fx.entrance("gym-door"), fx.entrance("pool-door")],
        "starts_at": STARTS,
        "ends_at": ENDS,
        "requested_access_methods": [{ "mode": "card" }],
        "reservation_key": "stay-1",
    });
    assert_guide_error(
        &fx.create(&body).await,
        StatusCode::BAD_REQUEST,
        "reservation_key_not_supported",
        "reservation_key not supported.",
        "No targeted entrances support reservation behavior. Remove reservation_key or include \
         at least one reservation-capable entrance.",
    );
    assert!(
        fx.grants_of("stay-1").await.is_empty(),
        "a refused request changes nothing"
    );
}

#[tokio::test]
async fn a_guest_card_on_a_reservation_door_without_a_key_is_400() {
    let fx = Fixture::new().await;
    let user = fx.guest().await;
    let body = fx.stay(&user, &["room-101"], STARTS, ENDS, None);
    assert_guide_error(
        &fx.create(&body).await,
        StatusCode::BAD_REQUEST,
        "reservation_key_required_for_guest_cards",
        "reservation_key required for guest cards.",
        "The targeted provider requires a reservation for guest credentials (e.g., Visionline) \
         but none was provided. Add a reservation_key when issuing guest credentials for these \
         entrances.",
    );
    let all = get(&fx.router, "/access_grants/list", &[])
        .await
        .ok("access_grants");
    assert_eq!(all, json!([]));
}

#[tokio::test]
async fn rule_2_a_different_door_set_is_409_cleanup() {
    let fx = Fixture::new().await;
    let first = fx.grant(&["room-101"], Some("stay-1")).await;
    let user = fx.guest().await;
    let body = fx.stay(&user, &["room-203"], STARTS, ENDS, Some("stay-1"));
    assert_guide_error(
        &fx.create(&body).await,
        StatusCode::CONFLICT,
        "reservation_entrance_change_requires_cleanup",
        "Reservation entrance change requires cleanup.",
        "To change the doors for this reservation, delete the existing access\ngrants first.",
    );
    assert_eq!(
        ids(&json!(fx.grants_of("stay-1").await), "access_grant_id"),
        vec![id_of(&first, "access_grant_id")]
    );
}

#[tokio::test]
async fn rule_3_a_superset_joiner_is_409_and_a_subset_joins() {
    let fx = Fixture::new().await;
    fx.grant(&["room-101"], Some("stay-1")).await;
    let user = fx.guest().await;
    let body = fx.stay(
        &user,
        &["room-101", "room-102"],
        STARTS,
        ENDS,
        Some("stay-1"),
    );
    assert_guide_error(
        &fx.create(&body).await,
        StatusCode::CONFLICT,
        "reservation_joiner_entrance_set_conflict",
        "Reservation joiner entrance set conflict.",
        "Joiner access grants must use the same or a subset of the\nreservation-capable doors.",
    );
    // The same doors plus non-capable ones is still a joiner.
    let mut joiner = fx.stay(&user, &["room-101", "gym"], STARTS, ENDS, Some("stay-1"));
    joiner["starts_at"] = json!("2025-05-11T11:00:00Z");
    fx.create(&joiner).await.ok("access_grant");
    assert_eq!(fx.grants_of("stay-1").await.len(), 2);
}

#[tokio::test]
async fn rule_4_time_frames_that_do_not_overlap_are_409() {
    let fx = Fixture::new().await;
    fx.grant(&["room-101"], Some("stay-1")).await;
    let user = fx.guest().await;
    let body = fx.stay(
        &user,
        &["room-101"],
        LATER_STARTS,
        LATER_ENDS,
        Some("stay-1"),
    );
    assert_guide_error(
        &fx.create(&body).await,
        StatusCode::CONFLICT,
        "reservation_time_frames_must_overlap",
        "Reservation time frames must overlap.",
        "Access grants in the same reservation must have overlapping time\nframes.",
    );
    assert_eq!(fx.grants_of("stay-1").await.len(), 1);
    // Half-open: ending exactly when the stay starts does not overlap either.
    let touching = fx.stay(
        &user,
        &["room-101"],
        "2025-05-09T11:00:00Z",
        STARTS,
        Some("stay-1"),
    );
    fx.create(&touching)
        .await
        .error(StatusCode::CONFLICT, "reservation_time_frames_must_overlap");
    // And an update that moves a joiner out of the stay is refused the same way.
    let joiner = fx.grant(&["room-101"], Some("stay-1")).await;
    let reply = post(
        &fx.router,
        "/access_grants/update",
        &json!({
            "access_grant_id": id_of(&joiner, "access_grant_id"),
            "starts_at": LATER_STARTS,
            "ends_at": LATER_ENDS,
        }),
    )
    .await;
    reply.error(StatusCode::CONFLICT, "reservation_time_frames_must_overlap");
}

#[tokio::test]
async fn a_reservation_key_for_staff_is_400() {
    let fx = Fixture::new().await;
    let staff = fx.user("staff").await;
    let body = fx.stay(&staff, &["room-101"], STARTS, ENDS, Some("stay-1"));
    let reply = fx.create(&body).await;
    let error = reply.error(
        StatusCode::BAD_REQUEST,
        "staff_credentials_cannot_belong_to_reservation",
    );
    assert_eq!(
        error["title"],
        json!("Staff credentials can't belong to a reservation.")
    );
}

#[tokio::test]
async fn a_staff_card_with_more_doors_than_a_card_carries_is_400_at_set_up() {
    // A fourth floor of 20 rooms on Visionline.
    let mut file: Value = serde_json::from_str(TEST_PROPERTY).unwrap();
    for number in 401..=420 {
        file["spaces"].as_array_mut().unwrap().push(json!({
            "key": format!("room-{number}"), "name": format!("Room {number}"),
            "floor": 4, "kind": "guest_room"
        }));
        file["entrances"].as_array_mut().unwrap().push(json!({
            "key": format!("room-{number}-door"), "name": format!("Room {number} door"),
            "access_system": "vl", "spaces": [format!("room-{number}")],
            "can_belong_to_reservation": true, "modes": ["card"]
        }));
    }
    let fx = Fixture::with_property(&file.to_string()).await;
    let staff = fx.user("staff").await;
    let floor: Vec<&str> = (401..=420)
        .map(|number| fx.entrance(&format!("room-{number}-door")))
        .collect();
    let body = |doors: &[&str]| {
        json!({
            "user_identity_id": staff,
            "acs_entrance_ids": doors,
            "starts_at": STARTS,
            "ends_at": ENDS,
            "requested_access_methods": [{ "mode": "card" }],
        })
    };
    // Thirteen of the floor's rooms are thirteen single doors; the whole floor is a zone.
    let reply = fx.create(&body(&floor[..13])).await;
    let error = reply.invalid_input("acs_entrance_ids");
    let message = error["message"].as_str().unwrap();
    assert!(
        message.contains(
            "a staff card carries at most 12 single doors besides whole floors and 13 were chosen"
        ),
        "{message}"
    );
    assert!(
        message.contains("make a second card for the rest"),
        "{message}"
    );
    let listed = get(&fx.router, "/access_grants/list", &[])
        .await
        .ok("access_grants");
    assert_eq!(listed, json!([]));

    fx.create(&body(&floor[..12])).await.ok("access_grant");
    fx.create(&body(&floor)).await.ok("access_grant");
}

// ---------------------------------------------------------------------------------------
// Input errors
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn malformed_json_is_400_naming_the_body() {
    let fx = Fixture::new().await;
    for raw in [r#"{"starts_at": "#, "{", "not json", r#"{"a": 1,}"#] {
        let reply = send(
            &fx.router,
            Method::POST,
            "/access_grants/create",
            Body::from(raw),
            Some(KEY),
        )
        .await;
        reply.invalid_input("body");
    }
}

#[tokio::test]
async fn a_body_that_is_not_an_object_is_400() {
    let fx = Fixture::new().await;
    for raw in [
        "[]",
        r#"[{"access_grant_id": "x"}]"#,
        "\"text\"",
        "42",
        "null",
        "true",
    ] {
        let reply = send(
            &fx.router,
            Method::POST,
            "/access_grants/get",
            Body::from(raw),
            Some(KEY),
        )
        .await;
        reply.invalid_input("body");
    }
}

#[tokio::test]
async fn wrong_types_are_400_naming_the_field_path() {
    let fx = Fixture::new().await;
    let user = fx.guest().await;
    let good = fx.stay(&user, &["room-101"], STARTS, ENDS, Some("stay-1"));
    let cases: Vec<(&str, Value)> = vec![
        ("starts_at", json!(12)),
        ("starts_at", json!("next tuesday")),
        ("ends_at", json!({ "when": "later" })),
        ("user_identity_id", json!("not-a-uuid")),
        ("reservation_key", json!(7)),
        ("requested_access_methods", json!("card")),
        ("space_ids", json!("room-101")),
        ("name", json!(["a"])),
    ];
    for (field, value) in cases {
        let mut body = good.clone();
        body[field] = value;
        fx.create(&body).await.invalid_input(field);
    }
    let mut body = good.clone();
    body["requested_access_methods"] = json!([{ "mode": "laser" }]);
    fx.create(&body)
        .await
        .invalid_input("requested_access_methods[0].mode");
    let mut body = good.clone();
    body["requested_access_methods"] = json!([{ "mode": "card" }, { "mode": 3 }]);
    fx.create(&body)
        .await
        .invalid_input("requested_access_methods[1].mode");
    let mut body = good.clone();
    body["space_ids"] = json!([fx.space("room-101"), "nope"]);
    fx.create(&body).await.invalid_input("space_ids[1]");
    let mut body = good.clone();
    body["user_identity"] = json!({ "kind": "manager" });
    body.as_object_mut().unwrap().remove("user_identity_id");
    fx.create(&body).await.invalid_input("user_identity.kind");

    // In query strings too.
    get(
        &fx.router,
        "/access_grants/get",
        &[("access_grant_id", "nope")],
    )
    .await
    .invalid_input("access_grant_id");
    get(&fx.router, "/access_grants/list", &[("space_id", "nope")])
        .await
        .invalid_input("space_id");
    get(&fx.router, "/user_identities/list", &[("limit", "lots")])
        .await
        .invalid_input("limit");
    // Lists with filters name `limit` too (it was once reported against `body`).
    for path in ["/access_grants/list", "/acs/entrances/list", "/spaces/list"] {
        get(&fx.router, path, &[("limit", "lots")])
            .await
            .invalid_input("limit");
        get(&fx.router, path, &[("limit", "-1")])
            .await
            .invalid_input("limit");
        post(&fx.router, path, &json!({ "limit": -3 }))
            .await
            .invalid_input("limit");
        post(&fx.router, path, &json!({ "limit": 2.5 }))
            .await
            .invalid_input("limit");
    }
    get(
        &fx.router,
        "/access_methods/list",
        &[("space_id", fx.space("room-101")), ("limit", "x")],
    )
    .await
    .invalid_input("limit");
    send_json(
        &fx.router,
        Method::PATCH,
        "/access_grants/update",
        &json!({ "access_grant_id": Uuid::new_v4(), "ends_at": false }),
    )
    .await
    .invalid_input("ends_at");
    // Nothing was created by any of these.
    assert!(fx.grants_of("stay-1").await.is_empty());
}

#[tokio::test]
async fn a_grant_without_dates_starts_now_and_answers_ends_at_null_until_given_an_end() {
    let fx = Fixture::new().await;
    let staff = fx.user("staff").await;
    let body = json!({
        "user_identity_id": staff,
        "space_ids": fx.space_ids(&["gym"]),
        "requested_access_methods": [{ "mode": "card" }],
    });
    let grant = fx.create(&body).await.ok("access_grant");
    assert_eq!(grant["ends_at"], Value::Null);
    let starts_at = DateTime::parse_from_rfc3339(grant["starts_at"].as_str().unwrap()).unwrap();
    let since_start = starts_at.with_timezone(&Utc) - start_of_clock();
    assert!(
        (0..60).contains(&since_start.num_seconds()),
        "starts_at {starts_at} is not the API's now"
    );
    let id = id_of(&grant, "access_grant_id").to_owned();
    let router = &fx.router;
    let fetch = || async {
        get(router, "/access_grants/get", &[("access_grant_id", &id)])
            .await
            .ok("access_grant")
    };
    assert_eq!(fetch().await["ends_at"], Value::Null);
    let listed = get(&fx.router, "/access_grants/list", &[])
        .await
        .ok("access_grants");
    assert_eq!(listed[0]["ends_at"], Value::Null);

    let update = |body: Value| async move {
        send_json(router, Method::PATCH, "/access_grants/update", &body)
            .await
            .ok_only();
    };
    update(json!({ "access_grant_id": id, "ends_at": "2025-06-01T00:00:00Z" })).await;
    assert_eq!(fetch().await["ends_at"], json!("2025-06-01T00:00:00.000Z"));
    update(json!({ "access_grant_id": id, "name": "Gym staff" })).await;
    assert_eq!(fetch().await["ends_at"], json!("2025-06-01T00:00:00.000Z"));
    // null takes the end away again.
    update(json!({ "access_grant_id": id, "ends_at": null })).await;
    let open = fetch().await;
    assert_eq!(open["ends_at"], Value::Null);
    assert_eq!(open["name"], json!("Gym staff"));
}

#[tokio::test]
async fn access_method_ids_lists_only_the_grants_live_methods() {
    let fx = Fixture::new().await;
    let user = fx.guest().await;
    let mut body = fx.stay(&user, &["room-101"], STARTS, ENDS, Some("stay-1"));
    body["requested_access_methods"] = json!([{ "mode": "card" }, { "mode": "card" }]);
    let grant = fx.create(&body).await.ok("access_grant");
    let methods: Vec<String> = grant["access_method_ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|id| id.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(methods.len(), 2);
    post(
        &fx.router,
        "/access_methods/delete",
        &json!({ "access_method_id": methods[0] }),
    )
    .await
    .ok_only();
    let after = get(
        &fx.router,
        "/access_grants/get",
        &[("access_grant_id", id_of(&grant, "access_grant_id"))],
    )
    .await
    .ok("access_grant");
    assert_eq!(after["access_method_ids"], json!([methods[1]]));
}

#[tokio::test]
async fn missing_required_fields_are_400_naming_them() {
    let fx = Fixture::new().await;
    let user = fx.guest().await;
    let good = fx.stay(&user, &["room-101"], STARTS, ENDS, Some("stay-1"));
    // starts_at and ends_at are optional: from now, and with no end.
    let mut body = good.clone();
    body.as_object_mut()
        .unwrap()
        .remove("requested_access_methods");
    fx.create(&body)
        .await
        .invalid_input("requested_access_methods");
    // Without a user identity: the use case's step-1 check names it.
    let mut body = good.clone();
    body.as_object_mut().unwrap().remove("user_identity_id");
    let reply = fx.create(&body).await;
    let error = reply.error(StatusCode::BAD_REQUEST, "invalid_input");
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("user_identity_id"),
        "{error}"
    );

    for (path, field) in [
        ("/access_grants/get", "access_grant_id"),
        ("/access_grants/update", "access_grant_id"),
        ("/access_grants/delete", "access_grant_id"),
        ("/access_methods/get", "access_method_id"),
        ("/acs/entrances/get", "acs_entrance_id"),
        ("/acs/systems/get", "acs_system_id"),
        ("/user_identities/get", "user_identity_id"),
    ] {
        post(&fx.router, path, &json!({}))
            .await
            .invalid_input(field);
    }
    get(&fx.router, "/access_grants/get", &[])
        .await
        .invalid_input("access_grant_id");
    with_query(&fx.router, Method::DELETE, "/access_grants/delete", &[])
        .await
        .invalid_input("access_grant_id");
}

#[tokio::test]
async fn an_unknown_access_grant_is_404() {
    let fx = Fixture::new().await;
    let id = Uuid::new_v4().to_string();
    get(
        &fx.router,
        "/access_grants/get",
        &[("access_grant_id", &id)],
    )
    .await
    .error(StatusCode::NOT_FOUND, "not_found");
    post(
        &fx.router,
        "/access_grants/update",
        &json!({ "access_grant_id": id, "name": "x" }),
    )
    .await
    .error(StatusCode::NOT_FOUND, "not_found");
    with_query(
        &fx.router,
        Method::DELETE,
        "/access_grants/delete",
        &[("access_grant_id", &id)],
    )
    .await
    .error(StatusCode::NOT_FOUND, "not_found");
    get(
        &fx.router,
        "/access_methods/list",
        &[("access_grant_id", &id)],
    )
    .await
    .error(StatusCode::NOT_FOUND, "not_found");
    get(
        &fx.router,
        "/access_methods/get",
        &[("access_method_id", &id)],
    )
    .await
    .error(StatusCode::NOT_FOUND, "not_found");
    // Deleting twice: the second finds nothing.
    let grant = fx.grant(&["room-101"], Some("stay-1")).await;
    let grant_id = id_of(&grant, "access_grant_id");
    post(
        &fx.router,
        "/access_grants/delete",
        &json!({ "access_grant_id": grant_id }),
    )
    .await
    .ok_only();
    post(
        &fx.router,
        "/access_grants/delete",
        &json!({ "access_grant_id": grant_id }),
    )
    .await
    .error(StatusCode::NOT_FOUND, "not_found");
}

#[tokio::test]
async fn engine_step_1_errors_are_400_invalid_input() {
    let fx = Fixture::new().await;
    let user = fx.guest().await;
    let cases = [
        // ends_at before starts_at, and equal to it.
        (
            fx.stay(&user, &["room-101"], ENDS, STARTS, Some("stay-1")),
            "ends_at",
        ),
        (
            fx.stay(&user, &["room-101"], STARTS, STARTS, Some("stay-1")),
            "ends_at",
        ),
        // ends_at already past on the API's clock.
        (
            fx.stay(
                &user,
                &["room-101"],
                "2025-04-01T15:00:00Z",
                "2025-04-03T11:00:00Z",
                Some("stay-1"),
            ),
            "ends_at",
        ),
        // an unknown user identity.
        (
            fx.stay(
                &Uuid::new_v4().to_string(),
                &["room-101"],
                STARTS,
                ENDS,
                Some("stay-1"),
            ),
            "user_identity_id",
        ),
        // an empty reservation_key.
        (
            fx.stay(&user, &["room-101"], STARTS, ENDS, Some("")),
            "reservation_key",
        ),
    ];
    for (body, field) in cases {
        let reply = fx.create(&body).await;
        let error = reply.error(StatusCode::BAD_REQUEST, "invalid_input");
        assert!(
            error["message"].as_str().unwrap().contains(field),
            "{field}: {error}"
        );
        assert!(
            error["validation_errors"][field].is_object(),
            "{field}: {error}"
        );
    }
    // No entrances at all; no access method; a mode none of the doors has.
    let mut body = fx.stay(&user, &[], STARTS, ENDS, None);
    fx.create(&body)
        .await
        .error(StatusCode::BAD_REQUEST, "invalid_input");
    body = fx.stay(&user, &["room-101"], STARTS, ENDS, Some("stay-1"));
    body["requested_access_methods"] = json!([]);
    fx.create(&body)
        .await
        .error(StatusCode::BAD_REQUEST, "invalid_input");
    body["requested_access_methods"] = json!([{ "mode": "code" }]);
    fx.create(&body)
        .await
        .error(StatusCode::BAD_REQUEST, "invalid_input");
    // An update that puts ends_at before starts_at.
    let grant = fx.grant(&["room-101"], Some("stay-9")).await;
    post(
        &fx.router,
        "/access_grants/update",
        &json!({ "access_grant_id": id_of(&grant, "access_grant_id"), "ends_at": "2025-05-09T00:00:00Z" }),
    )
    .await
    .error(StatusCode::BAD_REQUEST, "invalid_input");
    assert!(fx.grants_of("stay-1").await.is_empty());
}

#[tokio::test]
async fn refused_input_names_its_field_once_and_carries_its_kind() {
    let fx = Fixture::new().await;
    let user = fx.guest().await;
    let body = fx.stay(&user, &["room-101"], ENDS, STARTS, Some("stay-1"));
    let reply = fx.create(&body).await;
    let error = reply.invalid_input("ends_at");
    assert_eq!(error["message"], "ends_at must be after starts_at.");
    assert_eq!(
        error["validation_errors"]["ends_at"]["_errors"],
        json!(["must be after starts_at"])
    );
    assert_eq!(error["data"], json!({ "kind": "VALIDATION_ERROR" }));
    // The API's own refusals read the same way.
    let reply = get(&fx.router, "/access_grants/get", &[]).await;
    let error = reply.invalid_input("access_grant_id");
    assert_eq!(error["message"], "access_grant_id is required.");
    assert_eq!(
        error["validation_errors"]["access_grant_id"]["_errors"],
        json!(["is required"])
    );
    // Not a 400 or 409: no kind.
    let reply = get(
        &fx.router,
        "/access_grants/get",
        &[("access_grant_id", &Uuid::new_v4().to_string())],
    )
    .await;
    assert_eq!(
        reply.error(StatusCode::NOT_FOUND, "not_found").get("data"),
        None
    );
}

#[tokio::test]
async fn a_body_over_the_limit_is_413_in_json() {
    let fx = Fixture::new().await;
    let padding = "x".repeat(api::MAX_BODY_BYTES + 1);
    let raw = format!(r#"{{"name": "{padding}"}}"#);
    let reply = send(
        &fx.router,
        Method::POST,
        "/access_grants/create",
        Body::from(raw),
        Some(KEY),
    )
    .await;
    reply.error(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");
    // Just under the limit is read (and refused for what it says, not its size).
    let padding = "x".repeat(api::MAX_BODY_BYTES - 100);
    let raw = format!(r#"{{"name": "{padding}"}}"#);
    let reply = send(
        &fx.router,
        Method::POST,
        "/access_grants/create",
        Body::from(raw),
        Some(KEY),
    )
    .await;
    assert_eq!(
        reply.status,
        StatusCode::BAD_REQUEST,
        "{}",
        reply.body["error"]["type"]
    );
}

#[tokio::test]
async fn access_methods_list_takes_any_combination_of_its_filters() {
    let fx = Fixture::new().await;
    let first = fx.grant(&["room-101"], Some("stay-1")).await;
    let second = fx.grant(&["room-102"], Some("stay-2")).await;
    let first_id = id_of(&first, "access_grant_id");
    let second_id = id_of(&second, "access_grant_id");
    let methods_of = |grant: &Value| -> Vec<String> {
        grant["access_method_ids"]
            .as_array()
            .unwrap()
            .iter()
            .map(|id| id.as_str().unwrap().to_owned())
            .collect()
    };
    // None: every live access method.
    let all = get(&fx.router, "/access_methods/list", &[]).await;
    let mut expected = methods_of(&first);
    expected.extend(methods_of(&second));
    assert_eq!(ids(&all.ok("access_methods"), "access_method_id"), expected);
    // Two that agree narrow to their common methods, by GET and by POST.
    let both = get(
        &fx.router,
        "/access_methods/list",
        &[
            ("access_grant_id", first_id),
            ("space_id", fx.space("room-101")),
        ],
    )
    .await;
    assert_eq!(
        ids(&both.ok("access_methods"), "access_method_id"),
        methods_of(&first)
    );
    let disjoint = post(
        &fx.router,
        "/access_methods/list",
        &json!({ "access_grant_id": second_id, "acs_entrance_id": fx.entrance("room-101-door") }),
    )
    .await;
    assert_eq!(disjoint.ok("access_methods"), json!([]));
    // A filter the list does not apply is refused, naming it.
    for field in ["reservation_key", "access_grant_key", "device_id"] {
        get(&fx.router, "/access_methods/list", &[(field, "x")])
            .await
            .invalid_input(field);
    }
    // Delete still takes exactly one selector.
    post(&fx.router, "/access_methods/delete", &json!({}))
        .await
        .invalid_input("access_method_id");
    post(
        &fx.router,
        "/access_methods/delete",
        &json!({ "access_grant_id": first_id, "reservation_key": "stay-1" }),
    )
    .await
    .invalid_input("reservation_key");
    assert_eq!(fx.grants_of("stay-1").await.len(), 1, "nothing was deleted");
}

#[tokio::test]
async fn every_list_filter_is_applied_and_an_unknown_one_is_refused() {
    let fx = Fixture::new().await;
    let guest = fx.guest().await;
    let body = json!({ "full_name": "Ada Lovelace", "email_address": "ada@example.com" });
    let ada = post(&fx.router, "/user_identities/create", &body)
        .await
        .ok("user_identity");
    let ada_id = id_of(&ada, "user_identity_id");

    // spaces: space_key, search, connected_account_id.
    let by_key = get(&fx.router, "/spaces/list", &[("space_key", "room-203")]).await;
    assert_eq!(
        ids(&by_key.ok("spaces"), "space_id"),
        [fx.space("room-203")]
    );
    let search = get(&fx.router, "/spaces/list", &[("search", "SUITE")]).await;
    assert_eq!(
        ids(&search.ok("spaces"), "space_id"),
        [fx.space("suite-300")]
    );
    let systems = get(&fx.router, "/acs/systems/list", &[])
        .await
        .ok("acs_systems");
    let brivo = systems
        .as_array()
        .unwrap()
        .iter()
        .find(|system| system["external_type"] == "brivo_account")
        .unwrap()["acs_system_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let online = get(
        &fx.router,
        "/spaces/list",
        &[("connected_account_id", &brivo)],
    )
    .await;
    assert_eq!(ids(&online.ok("spaces"), "space_id"), [fx.space("parking")]);

    // acs/entrances: acs_entrance_ids, search, connected_account_id, access_method_id.
    let two = [fx.entrance("gym-door"), fx.entrance("pool-door")];
    let picked = get(
        &fx.router,
        "/acs/entrances/list",
        &[("acs_entrance_ids", two[0]), ("acs_entrance_ids", two[1])],
    )
    .await;
    assert_eq!(ids(&picked.ok("acs_entrances"), "acs_entrance_id"), two);
    let bedroom = get(&fx.router, "/acs/entrances/list", &[("search", "bedroom")]).await;
    assert_eq!(
        ids(&bedroom.ok("acs_entrances"), "acs_entrance_id"),
        [fx.entrance("suite-300-bedroom")]
    );
    let gate = get(
        &fx.router,
        "/acs/entrances/list",
        &[("connected_account_id", &brivo)],
    )
    .await;
    assert_eq!(
        ids(&gate.ok("acs_entrances"), "acs_entrance_id"),
        [fx.entrance("parking-gate")]
    );
    let grant = fx.grant(&["room-101", "gym"], Some("stay-1")).await;
    let method = grant["access_method_ids"][0].as_str().unwrap();
    let doors = get(
        &fx.router,
        "/acs/entrances/list",
        &[("access_method_id", method)],
    )
    .await;
    let mut opened = ids(&doors.ok("acs_entrances"), "acs_entrance_id");
    opened.sort();
    let mut expected = vec![fx.entrance("room-101-door"), fx.entrance("gym-door")];
    expected.sort();
    assert_eq!(opened, expected);

    // access_grants: access_grant_ids, user_identity_id, acs_entrance_id.
    let other = fx.grant(&["room-102"], Some("stay-2")).await;
    let other_id = id_of(&other, "access_grant_id");
    let picked = get(
        &fx.router,
        "/access_grants/list",
        &[("access_grant_ids", other_id)],
    )
    .await;
    assert_eq!(
        ids(&picked.ok("access_grants"), "access_grant_id"),
        [other_id]
    );
    let by_door = get(
        &fx.router,
        "/access_grants/list",
        &[("acs_entrance_id", fx.entrance("gym-door"))],
    )
    .await;
    assert_eq!(
        ids(&by_door.ok("access_grants"), "access_grant_id"),
        [id_of(&grant, "access_grant_id")]
    );

    // user_identities: user_identity_ids, search, created_before.
    let picked = get(
        &fx.router,
        "/user_identities/list",
        &[("user_identity_ids", &guest), ("user_identity_ids", ada_id)],
    )
    .await;
    assert_eq!(
        ids(&picked.ok("user_identities"), "user_identity_id").len(),
        2
    );
    for search in ["lovelace", "ADA@EXAMPLE"] {
        let found = get(&fx.router, "/user_identities/list", &[("search", search)]).await;
        assert_eq!(
            ids(&found.ok("user_identities"), "user_identity_id"),
            [ada_id],
            "{search}"
        );
    }
    let before = get(
        &fx.router,
        "/user_identities/list",
        &[("created_before", ada["created_at"].as_str().unwrap())],
    )
    .await;
    assert!(
        !ids(&before.ok("user_identities"), "user_identity_id").contains(&ada_id.to_owned()),
        "created_before leaves out what was made at that instant or later"
    );

    // acs/systems: search.
    let found = get(&fx.router, "/acs/systems/list", &[("search", "brivo")]).await;
    assert_eq!(
        ids(&found.ok("acs_systems"), "acs_system_id"),
        [brivo.as_str()]
    );

    // Seam's filters of things this desk does not have are refused, each named.
    for (path, field) in [
        ("/spaces/list", "parent_space_key"),
        ("/spaces/list", "customer_key"),
        ("/acs/entrances/list", "location_id"),
        ("/acs/entrances/list", "acs_credential_id"),
        ("/access_grants/list", "access_grant_key"),
        ("/access_grants/list", "device_id"),
        ("/user_identities/list", "credential_manager_acs_system_id"),
        ("/acs/systems/list", "customer_key"),
        ("/acs/encoders/list", "acs_credential_id"),
        ("/spaces/list", "no_such_filter"),
    ] {
        get(&fx.router, path, &[(field, "x")])
            .await
            .invalid_input(field);
        post(&fx.router, path, &json!({ field: "x" }))
            .await
            .invalid_input(field);
    }
    // The SDK's `_strict=true` is how it asks for strict parsing, not a filter.
    let strict = get(
        &fx.router,
        "/spaces/list",
        &[("space_key", "gym"), ("_strict", "true")],
    )
    .await;
    assert_eq!(ids(&strict.ok("spaces"), "space_id"), [fx.space("gym")]);
}

// ---------------------------------------------------------------------------------------
// Pagination
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn lists_page_with_limit_and_cursor() {
    let fx = Fixture::new().await;
    let mut created = BTreeSet::new();
    for number in 0..5 {
        let body = json!({ "full_name": format!("Guest {number}") });
        let user = post(&fx.router, "/user_identities/create", &body)
            .await
            .ok("user_identity");
        created.insert(id_of(&user, "user_identity_id").to_owned());
    }

    // By GET, with the cursor in the query string.
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let mut params = vec![("limit", "2".to_owned())];
        if let Some(cursor) = &cursor {
            params.push(("page_cursor", cursor.clone()));
        }
        let params: Vec<(&str, &str)> = params.iter().map(|(n, v)| (*n, v.as_str())).collect();
        let reply = get(&fx.router, "/user_identities/list", &params).await;
        let page = reply.ok("user_identities");
        pages += 1;
        assert!(page.as_array().unwrap().len() <= 2);
        seen.extend(ids(&page, "user_identity_id"));
        let pagination = &reply.body["pagination"];
        has_fields(
            pagination,
            &[
                ("has_next_page", Ty::Bool),
                ("next_page_cursor", Ty::OptText),
            ],
        );
        if pagination["has_next_page"] == json!(true) {
            cursor = Some(pagination["next_page_cursor"].as_str().unwrap().to_owned());
        } else {
            assert_eq!(pagination["next_page_cursor"], Value::Null);
            break;
        }
        assert!(pages < 10, "the pages never end");
    }
    assert_eq!(pages, 3);
    assert_eq!(seen.len(), 5, "no user twice: {seen:?}");
    assert_eq!(seen.iter().cloned().collect::<BTreeSet<_>>(), created);
    let whole = get(&fx.router, "/user_identities/list", &[]).await;
    assert_eq!(
        ids(&whole.ok("user_identities"), "user_identity_id"),
        seen,
        "pages keep the list's order"
    );
    assert_eq!(whole.body["pagination"]["has_next_page"], json!(false));

    // By POST, with a numeric limit in JSON.
    let first = post(&fx.router, "/user_identities/list", &json!({ "limit": 4 })).await;
    assert_eq!(first.ok("user_identities").as_array().unwrap().len(), 4);
    assert_eq!(first.body["pagination"]["has_next_page"], json!(true));
    let cursor = first.body["pagination"]["next_page_cursor"].clone();
    let rest = post(
        &fx.router,
        "/user_identities/list",
        &json!({ "limit": 4, "page_cursor": cursor }),
    )
    .await;
    assert_eq!(
        ids(&rest.ok("user_identities"), "user_identity_id"),
        seen[4..].to_vec()
    );
    assert_eq!(rest.body["pagination"]["has_next_page"], json!(false));

    // Exactly a page's worth: no next page.
    let exact = get(&fx.router, "/user_identities/list", &[("limit", "5")]).await;
    assert_eq!(exact.body["pagination"]["has_next_page"], json!(false));

    // Other lists page too (flattened page parameters).
    let spaces = get(&fx.router, "/spaces/list", &[("limit", "3")]).await;
    assert_eq!(spaces.ok("spaces").as_array().unwrap().len(), 3);
    assert_eq!(spaces.body["pagination"]["has_next_page"], json!(true));
    let entrances = get(&fx.router, "/acs/entrances/list", &[("limit", "4")]).await;
    assert_eq!(entrances.ok("acs_entrances").as_array().unwrap().len(), 4);
    let cursor = entrances.body["pagination"]["next_page_cursor"]
        .as_str()
        .unwrap()
        .to_owned();
    let next = get(
        &fx.router,
        "/acs/entrances/list",
        &[("limit", "4"), ("page_cursor", &cursor)],
    )
    .await;
    assert_eq!(next.ok("acs_entrances").as_array().unwrap().len(), 4);
}

#[tokio::test]
async fn a_bad_page_cursor_is_400_naming_it() {
    let fx = Fixture::new().await;
    fx.guest().await;
    get(
        &fx.router,
        "/user_identities/list",
        &[("page_cursor", "garbage")],
    )
    .await
    .invalid_input("page_cursor");
    // A well-formed id that is not in this list.
    get(
        &fx.router,
        "/user_identities/list",
        &[("page_cursor", &Uuid::new_v4().to_string())],
    )
    .await
    .invalid_input("page_cursor");
    // A cursor of another list.
    let spaces = get(&fx.router, "/spaces/list", &[("limit", "1")]).await;
    let cursor = spaces.body["pagination"]["next_page_cursor"]
        .as_str()
        .unwrap()
        .to_owned();
    post(
        &fx.router,
        "/user_identities/list",
        &json!({ "page_cursor": cursor }),
    )
    .await
    .invalid_input("page_cursor");
    get(
        &fx.router,
        "/access_grants/list",
        &[("page_cursor", "garbage")],
    )
    .await
    .invalid_input("page_cursor");
}

#[tokio::test]
async fn a_cursor_stays_valid_when_the_item_it_follows_is_deleted() {
    let fx = Fixture::new().await;
    let mut made = Vec::new();
    for _ in 0..5 {
        let grant = fx.grant(&["suite-300"], Some("stay-page")).await;
        made.push(id_of(&grant, "access_grant_id").to_owned());
    }
    // The guide's clean-up: list a page, delete what it lists, then ask for the next page.
    let params = [("reservation_key", "stay-page"), ("limit", "2")];
    let first = get(&fx.router, "/access_grants/list", &params).await;
    let page = ids(&first.ok("access_grants"), "access_grant_id");
    assert_eq!(page, made[..2]);
    let cursor = first.body["pagination"]["next_page_cursor"]
        .as_str()
        .unwrap()
        .to_owned();
    for id in &page {
        post(
            &fx.router,
            "/access_grants/delete",
            &json!({ "access_grant_id": id }),
        )
        .await
        .ok_only();
    }
    let next = get(
        &fx.router,
        "/access_grants/list",
        &[
            ("reservation_key", "stay-page"),
            ("limit", "2"),
            ("page_cursor", &cursor),
        ],
    )
    .await;
    assert_eq!(
        ids(&next.ok("access_grants"), "access_grant_id"),
        made[2..4]
    );
    assert_eq!(next.body["pagination"]["has_next_page"], json!(true));
}

#[tokio::test]
async fn acs_encoders_list_pages() {
    let fx = Fixture::new().await;
    let reply = get(&fx.router, "/acs/encoders/list", &[("limit", "1")]).await;
    assert_eq!(reply.ok("acs_encoders").as_array().unwrap().len(), 1);
    assert_eq!(reply.body["pagination"]["has_next_page"], json!(false));
    assert_eq!(reply.body["pagination"]["next_page_cursor"], Value::Null);
}

// ---------------------------------------------------------------------------------------
// Concurrency on a real SQLite file
// ---------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_new_reservations_racing_for_one_key_one_wins() {
    let dir = tempfile::tempdir().unwrap();
    let fx = Fixture::on(Store::open(&dir.path().join("frontdesk.db")).unwrap()).await;
    for round in 0..20 {
        let key = format!("race-{round}");
        let (first, second) = (fx.guest().await, fx.guest().await);
        let a = fx.stay(&first, &["room-101"], STARTS, ENDS, Some(&key));
        let b = fx.stay(&second, &["room-203"], STARTS, ENDS, Some(&key));
        let (router_a, router_b) = (fx.router.clone(), fx.router.clone());
        let task_a =
            tokio::spawn(async move { post(&router_a, "/access_grants/create", &a).await });
        let task_b =
            tokio::spawn(async move { post(&router_b, "/access_grants/create", &b).await });
        let (a, b) = (task_a.await.unwrap(), task_b.await.unwrap());
        let (winner, loser, room) = match (a.status, b.status) {
            (StatusCode::OK, StatusCode::CONFLICT) => (a, b, "room-101"),
            (StatusCode::CONFLICT, StatusCode::OK) => (b, a, "room-203"),
            other => panic!(
                "round {round}: expected one 200 and one 409, got {other:?}: {} / {}",
                a.body, b.body
            ),
        };
        let grant = winner.ok("access_grant");
        assert_eq!(grant["space_ids"], json!([fx.space(room)]));
        let error = loser.error(
            StatusCode::CONFLICT,
            "reservation_entrance_change_requires_cleanup",
        );
        assert_eq!(
            error["title"],
            json!("Reservation entrance change requires cleanup.")
        );
        let grants = fx.grants_of(&key).await;
        assert_eq!(
            ids(&json!(grants), "access_grant_id"),
            vec![id_of(&grant, "access_grant_id")]
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_joiners_of_one_reservation_all_join() {
    let dir = tempfile::tempdir().unwrap();
    let fx = Fixture::on(Store::open(&dir.path().join("frontdesk.db")).unwrap()).await;
    let mut bodies = Vec::new();
    for _ in 0..8 {
        let user = fx.guest().await;
        bodies.push(fx.stay(&user, &["room-102"], STARTS, ENDS, Some("stay-crowd")));
    }
    let tasks: Vec<_> = bodies
        .into_iter()
        .map(|body| {
            let router = fx.router.clone();
            tokio::spawn(async move { post(&router, "/access_grants/create", &body).await })
        })
        .collect();
    let mut created = BTreeSet::new();
    for task in tasks {
        let grant = task.await.unwrap().ok("access_grant");
        created.insert(id_of(&grant, "access_grant_id").to_owned());
    }
    assert_eq!(created.len(), 8);
    let listed: BTreeSet<String> = ids(&json!(fx.grants_of("stay-crowd").await), "access_grant_id")
        .into_iter()
        .collect();
    assert_eq!(listed, created);

    // The same with tokio::join!, on one task.
    let (x, y) = (fx.guest().await, fx.guest().await);
    let (bx, by) = (
        fx.stay(&x, &["room-102"], STARTS, ENDS, Some("stay-crowd")),
        fx.stay(&y, &["room-102"], STARTS, ENDS, Some("stay-crowd")),
    );
    let (rx, ry) = tokio::join!(fx.create(&bx), fx.create(&by));
    rx.ok("access_grant");
    ry.ok("access_grant");
    assert_eq!(fx.grants_of("stay-crowd").await.len(), 10);
}

// ---------------------------------------------------------------------------------------
// Encoders, encoding and scanning (action attempts), simulated failures, the door simulator
// ---------------------------------------------------------------------------------------

/// Every error type the simulated encoder stages (`fault_for` in encoding.rs).
const STAGED_ERROR_TYPES: [&str; 6] = [
    "no_credential_on_encoder",
    "encoding_interrupted",
    "uncategorized_error",
    "incompatible_card_format",
    "encoder_communication_timeout",
    "encoder_not_online",
];

fn assert_encoder(encoder: &Value) {
    has_fields(
        encoder,
        &[
            ("acs_encoder_id", Ty::Uuid),
            ("acs_system_id", Ty::Uuid),
            ("display_name", Ty::Text),
            ("created_at", Ty::Instant),
            ("errors", Ty::Array),
        ],
    );
}

fn assert_action_attempt(attempt: &Value, action_type: &str) {
    has_fields(
        attempt,
        &[
            ("action_attempt_id", Ty::Uuid),
            ("action_type", Ty::Text),
            ("status", Ty::Text),
        ],
    );
    assert_eq!(attempt["action_type"], json!(action_type), "{attempt}");
    for field in ["result", "error"] {
        assert!(attempt.get(field).is_some(), "no {field} in {attempt}");
    }
    match attempt["status"].as_str().unwrap() {
        "pending" => {
            assert_eq!(attempt["result"], Value::Null, "{attempt}");
            assert_eq!(attempt["error"], Value::Null, "{attempt}");
        }
        "success" => {
            assert!(attempt["result"].is_object(), "{attempt}");
            assert_eq!(attempt["error"], Value::Null, "{attempt}");
        }
        "error" => {
            assert_eq!(attempt["result"], Value::Null, "{attempt}");
            has_fields(
                &attempt["error"],
                &[("type", Ty::Text), ("message", Ty::Text)],
            );
        }
        other => panic!("unknown status {other:?}: {attempt}"),
    }
}

/// An action attempt answered by a route, followed with `/action_attempts/get` (as the SDK
/// does) until it is no longer pending.
async fn settled(router: &Router, reply: Reply, action_type: &str) -> Value {
    let mut attempt = reply.ok("action_attempt");
    for _ in 0..200 {
        assert_action_attempt(&attempt, action_type);
        if attempt["status"] != json!("pending") {
            return attempt;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        let id = id_of(&attempt, "action_attempt_id").to_owned();
        attempt = get(
            router,
            "/action_attempts/get",
            &[("action_attempt_id", &id)],
        )
        .await
        .ok("action_attempt");
    }
    panic!("the action attempt stayed pending: {attempt}");
}

impl Fixture {
    /// The desk's encoder, as listed.
    async fn encoder_id(&self) -> String {
        let encoders = get(&self.router, "/acs/encoders/list", &[])
            .await
            .ok("acs_encoders");
        assert_eq!(encoders.as_array().unwrap().len(), 1, "{encoders}");
        id_of(&encoders[0], "acs_encoder_id").to_owned()
    }

    async fn system_id(&self, external_type: &str) -> String {
        let systems = get(&self.router, "/acs/systems/list", &[])
            .await
            .ok("acs_systems");
        let system = systems
            .as_array()
            .unwrap()
            .iter()
            .find(|system| system["external_type"] == json!(external_type))
            .unwrap_or_else(|| panic!("no {external_type} in {systems}"));
        id_of(system, "acs_system_id").to_owned()
    }

    /// A card grant for `spaces` from `starts` to `ends` for a new guest; its access method.
    async fn card_method(&self, spaces: &[&str], starts: &str, ends: &str, key: &str) -> String {
        let user = self.guest().await;
        let body = self.stay(&user, spaces, starts, ends, Some(key));
        let grant = self.create(&body).await.ok("access_grant");
        grant["access_method_ids"][0].as_str().unwrap().to_owned()
    }

    async fn encode(&self, encoder: &str, method: &str) -> Value {
        let body = json!({ "acs_encoder_id": encoder, "access_method_id": method });
        let reply = post(&self.router, "/access_methods/encode", &body).await;
        settled(&self.router, reply, "ENCODE_CREDENTIAL").await
    }

    /// Encodes a card that must be written; returns the card's id.
    async fn encoded_card(&self, encoder: &str, method: &str) -> String {
        let attempt = self.encode(encoder, method).await;
        assert_eq!(attempt["status"], json!("success"), "{attempt}");
        id_of(&attempt["result"], "card_id").to_owned()
    }

    async fn access_method(&self, id: &str) -> Value {
        get(
            &self.router,
            "/access_methods/get",
            &[("access_method_id", id)],
        )
        .await
        .ok("access_method")
    }

    async fn present_card(&self, door: &str, card_id: &str, at: &str) -> Value {
        let body = json!({ "acs_entrance_id": self.entrance(door), "card_id": card_id, "at": at });
        let decision = post(&self.router, "/simulate/locks/present_card", &body).await;
        assert_eq!(decision.status, StatusCode::OK, "{}", decision.body);
        decision.body
    }
}

#[tokio::test]
async fn acs_encoders_list_and_get() {
    let fx = Fixture::new().await;
    let visionline = fx.system_id("visionline_system").await;
    let brivo = fx.system_id("brivo_account").await;

    // list: GET and POST; the desk encoder belongs to the offline system.
    for reply in [
        get(&fx.router, "/acs/encoders/list", &[]).await,
        post(&fx.router, "/acs/encoders/list", &json!({})).await,
    ] {
        let encoders = reply.ok("acs_encoders");
        assert_eq!(encoders.as_array().unwrap().len(), 1, "{encoders}");
        assert_encoder(&encoders[0]);
        assert_eq!(encoders[0]["acs_system_id"], json!(visionline));
        assert_eq!(encoders[0]["errors"], json!([]));
    }
    let encoder = fx.encoder_id().await;

    // By system: the online system has none.
    let listed = |params: Vec<(&'static str, String)>| {
        let router = fx.router.clone();
        async move {
            let params: Vec<(&str, &str)> = params
                .iter()
                .map(|(name, value)| (*name, value.as_str()))
                .collect();
            get(&router, "/acs/encoders/list", &params)
                .await
                .ok("acs_encoders")
        }
    };
    let by_vl = listed(vec![("acs_system_id", visionline.clone())]).await;
    assert_eq!(ids(&by_vl, "acs_encoder_id"), vec![encoder.clone()]);
    assert_eq!(
        listed(vec![("acs_system_id", brivo.clone())]).await,
        json!([])
    );
    // A list parameter of one item arrives from a query string as a plain value.
    let one = listed(vec![("acs_system_ids", visionline.clone())]).await;
    assert_eq!(ids(&one, "acs_encoder_id"), vec![encoder.clone()]);
    let both = listed(vec![
        ("acs_system_ids", visionline.clone()),
        ("acs_system_ids", brivo.clone()),
    ])
    .await;
    assert_eq!(ids(&both, "acs_system_id"), vec![visionline.clone()]);
    let by_json = post(
        &fx.router,
        "/acs/encoders/list",
        &json!({ "acs_system_ids": [brivo], "acs_encoder_ids": [encoder] }),
    )
    .await
    .ok("acs_encoders");
    assert_eq!(by_json, json!([]));
    let mine = listed(vec![("acs_encoder_ids", encoder.clone())]).await;
    assert_eq!(ids(&mine, "acs_encoder_id"), vec![encoder.clone()]);
    let other = listed(vec![("acs_encoder_ids", Uuid::new_v4().to_string())]).await;
    assert_eq!(other, json!([]));
    get(
        &fx.router,
        "/acs/encoders/list",
        &[("acs_system_ids", "not-a-uuid")],
    )
    .await
    .invalid_input("acs_system_ids");

    // get: GET and POST, unknown, missing.
    let fetched = get(
        &fx.router,
        "/acs/encoders/get",
        &[("acs_encoder_id", &encoder)],
    )
    .await
    .ok("acs_encoder");
    assert_encoder(&fetched);
    assert_eq!(fetched["acs_encoder_id"], json!(encoder));
    assert_eq!(fetched["acs_system_id"], json!(visionline));
    let posted = post(
        &fx.router,
        "/acs/encoders/get",
        &json!({ "acs_encoder_id": encoder }),
    )
    .await
    .ok("acs_encoder");
    assert_eq!(posted["acs_encoder_id"], json!(encoder));
    let unknown = Uuid::new_v4().to_string();
    get(
        &fx.router,
        "/acs/encoders/get",
        &[("acs_encoder_id", &unknown)],
    )
    .await
    .error(StatusCode::NOT_FOUND, "not_found");
    get(&fx.router, "/acs/encoders/get", &[])
        .await
        .invalid_input("acs_encoder_id");
}

#[tokio::test]
async fn encode_answers_an_action_attempt_and_issues_the_card() {
    let fx = Fixture::new().await;
    let encoder = fx.encoder_id().await;
    let user = fx.guest().await;
    let mut body = fx.stay(&user, &["room-101"], STARTS, ENDS, Some("stay-1"));
    body["requested_access_methods"] = json!([{ "mode": "card" }, { "mode": "card" }]);
    let grant = fx.create(&body).await.ok("access_grant");
    let first = grant["access_method_ids"][0].as_str().unwrap().to_owned();
    let second = grant["access_method_ids"][1].as_str().unwrap().to_owned();

    let attempt = fx.encode(&encoder, &first).await;
    assert_eq!(attempt["status"], json!("success"), "{attempt}");
    let result = &attempt["result"];
    has_fields(
        result,
        &[
            ("access_method_id", Ty::Uuid),
            ("acs_credential_id", Ty::Uuid),
            ("card_id", Ty::Text),
            ("is_issued", Ty::Bool),
            ("issued_at", Ty::Instant),
        ],
    );
    assert_eq!(result["access_method_id"], json!(first));
    assert_eq!(result["is_issued"], json!(true));
    let first_card = id_of(result, "card_id").to_owned();
    assert!(
        !first_card.is_empty() && first_card.chars().all(|c| c.is_ascii_hexdigit()),
        "{first_card}"
    );
    let issued = fx.access_method(&first).await;
    assert_access_method(&issued);
    assert_eq!(issued["is_issued"], json!(true));
    assert!(is_instant(&issued["issued_at"]), "{issued}");

    // The attempt is kept: /action_attempts/get, GET and POST, answers it again.
    let id = id_of(&attempt, "action_attempt_id").to_owned();
    for reply in [
        get(
            &fx.router,
            "/action_attempts/get",
            &[("action_attempt_id", &id)],
        )
        .await,
        post(
            &fx.router,
            "/action_attempts/get",
            &json!({ "action_attempt_id": id }),
        )
        .await,
    ] {
        assert_eq!(reply.ok("action_attempt"), attempt);
    }

    // Seam's other route for the same thing; each encode takes a fresh card.
    let reply = post(
        &fx.router,
        "/acs/encoders/encode_credential",
        &json!({ "acs_encoder_id": encoder, "access_method_id": second }),
    )
    .await;
    let attempt = settled(&fx.router, reply, "ENCODE_CREDENTIAL").await;
    assert_eq!(attempt["status"], json!("success"), "{attempt}");
    assert_eq!(attempt["result"]["access_method_id"], json!(second));
    assert_ne!(attempt["result"]["card_id"], json!(first_card));
    assert_eq!(fx.access_method(&second).await["is_issued"], json!(true));

    // Encoding writes: POST only.
    for path in ["/access_methods/encode", "/acs/encoders/encode_credential"] {
        get(&fx.router, path, &[("acs_encoder_id", &encoder)])
            .await
            .error(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed");
    }
}

#[tokio::test]
async fn scan_credential_reads_the_card_on_the_encoder() {
    let fx = Fixture::new().await;
    let encoder = fx.encoder_id().await;
    let method = fx
        .card_method(&["room-203"], STARTS, ENDS, "stay-scan")
        .await;
    let card = fx.encoded_card(&encoder, &method).await;

    let reply = post(
        &fx.router,
        "/acs/encoders/scan_credential",
        &json!({ "acs_encoder_id": encoder }),
    )
    .await;
    let attempt = settled(&fx.router, reply, "SCAN_CREDENTIAL").await;
    assert_eq!(attempt["status"], json!("success"), "{attempt}");
    let result = &attempt["result"];
    has_fields(
        result,
        &[
            ("acs_credential_on_encoder", Ty::Object),
            ("acs_credential_on_seam", Ty::Object),
            ("warnings", Ty::Array),
        ],
    );
    let on_encoder = &result["acs_credential_on_encoder"];
    has_fields(
        on_encoder,
        &[
            ("card_id", Ty::Text),
            ("is_issued", Ty::Bool),
            ("is_authentic", Ty::Bool),
            ("starts_at", Ty::Instant),
            ("ends_at", Ty::Instant),
            ("doors", Ty::Array),
        ],
    );
    assert_eq!(on_encoder["card_id"], json!(card));
    assert_eq!(on_encoder["is_issued"], json!(true));
    assert_eq!(on_encoder["is_authentic"], json!(true));
    assert_eq!(on_encoder["starts_at"], json!("2025-05-10T15:00:00.000Z"));
    assert_eq!(on_encoder["ends_at"], json!("2025-05-14T11:00:00.000Z"));
    let door = &on_encoder["doors"][0];
    assert_eq!(door["acs_entrance_id"], json!(fx.entrance("room-203-door")));
    // Before the stay, the door would refuse the card.
    assert_eq!(door["decision"], json!("denied"));
    assert_eq!(door["reason"], json!("not_yet_valid"));
    assert_eq!(
        result["acs_credential_on_seam"]["access_method_id"],
        json!(method)
    );
    assert_eq!(result["warnings"], json!([]));

    // The encoder named must be the desk's.
    let unknown = Uuid::new_v4().to_string();
    post(
        &fx.router,
        "/acs/encoders/scan_credential",
        &json!({ "acs_encoder_id": unknown }),
    )
    .await
    .error(StatusCode::NOT_FOUND, "not_found");
    post(&fx.router, "/acs/encoders/scan_credential", &json!({}))
        .await
        .invalid_input("acs_encoder_id");
}

#[tokio::test]
async fn encode_refuses_before_touching_a_card() {
    let fx = Fixture::new().await;
    let encoder = fx.encoder_id().await;
    let user = fx.guest().await;
    let mut body = fx.stay(&user, &["room-101"], STARTS, ENDS, Some("stay-1"));
    body["requested_access_methods"] = json!([{ "mode": "mobile_key" }]);
    let grant = fx.create(&body).await.ok("access_grant");
    let mobile = grant["access_method_ids"][0].as_str().unwrap().to_owned();
    let card = fx.card_method(&["room-102"], STARTS, ENDS, "stay-2").await;

    let router = &fx.router;
    for path in ["/access_methods/encode", "/acs/encoders/encode_credential"] {
        let encode = |body: Value| async move { post(router, path, &body).await };
        // Only cards are encoded.
        let error = encode(json!({ "acs_encoder_id": encoder, "access_method_id": mobile }))
            .await
            .invalid_input("access_method_id")
            .clone();
        assert!(
            error["message"].as_str().unwrap().contains("mobile_key"),
            "{error}"
        );
        // Unknown access method, unknown encoder.
        let unknown = Uuid::new_v4().to_string();
        encode(json!({ "acs_encoder_id": encoder, "access_method_id": unknown }))
            .await
            .error(StatusCode::NOT_FOUND, "not_found");
        encode(json!({ "acs_encoder_id": unknown, "access_method_id": card }))
            .await
            .error(StatusCode::NOT_FOUND, "not_found");
        // Missing or malformed parameters.
        encode(json!({ "access_method_id": card }))
            .await
            .invalid_input("acs_encoder_id");
        encode(json!({ "acs_encoder_id": encoder }))
            .await
            .invalid_input("access_method_id");
        encode(json!({ "acs_encoder_id": encoder, "access_method_id": "card-1" }))
            .await
            .invalid_input("access_method_id");
    }
    // Nothing was written.
    assert_eq!(fx.access_method(&card).await["is_issued"], json!(false));
    assert_eq!(fx.access_method(&mobile).await["is_issued"], json!(false));
}

#[tokio::test]
async fn each_simulated_failure_ends_the_attempt_with_its_seam_error_type() {
    let fx = Fixture::with_card_wait(Duration::from_millis(300)).await;
    let encoder = fx.encoder_id().await;
    let will_fail = "/acs/encoders/simulate/next_credential_encode_will_fail";
    let will_succeed = "/acs/encoders/simulate/next_credential_encode_will_succeed";
    for (index, error_type) in STAGED_ERROR_TYPES.into_iter().enumerate() {
        // Stays that follow each other in room 101, one per failure.
        let day = |offset: usize| 1 + 4 * index + offset;
        let method = fx
            .card_method(
                &["room-101"],
                &format!("2025-06-{:02}T15:00:00Z", day(0)),
                &format!("2025-06-{:02}T11:00:00Z", day(2)),
                &format!("stay-{error_type}"),
            )
            .await;
        post(
            &fx.router,
            will_fail,
            &json!({ "acs_encoder_id": encoder, "error_code": error_type }),
        )
        .await
        .ok_only();

        let attempt = fx.encode(&encoder, &method).await;
        assert_eq!(attempt["status"], json!("error"), "{error_type}: {attempt}");
        assert_eq!(attempt["error"]["type"], json!(error_type), "{attempt}");
        assert!(!attempt["error"]["message"].as_str().unwrap().is_empty());
        let method_now = fx.access_method(&method).await;
        assert_eq!(method_now["is_issued"], json!(false), "{error_type}");

        post(
            &fx.router,
            will_succeed,
            &json!({ "acs_encoder_id": encoder }),
        )
        .await
        .ok_only();
        let attempt = fx.encode(&encoder, &method).await;
        assert_eq!(
            attempt["status"],
            json!("success"),
            "after {error_type}: {attempt}"
        );
        assert_eq!(fx.access_method(&method).await["is_issued"], json!(true));
    }

    // Without error_code: an uncategorized failure.
    let method = fx
        .card_method(&["room-102"], STARTS, ENDS, "stay-default-failure")
        .await;
    post(&fx.router, will_fail, &json!({ "acs_encoder_id": encoder }))
        .await
        .ok_only();
    let attempt = fx.encode(&encoder, &method).await;
    assert_eq!(
        attempt["error"]["type"],
        json!("uncategorized_error"),
        "{attempt}"
    );
    post(
        &fx.router,
        will_succeed,
        &json!({ "acs_encoder_id": encoder }),
    )
    .await
    .ok_only();
}

#[tokio::test]
async fn the_simulation_routes_refuse_what_they_cannot_stage() {
    let fx = Fixture::new().await;
    let encoder = fx.encoder_id().await;
    let will_fail = "/acs/encoders/simulate/next_credential_encode_will_fail";
    let will_succeed = "/acs/encoders/simulate/next_credential_encode_will_succeed";
    // One of Seam's types the simulator does not stage, and one that is not Seam's.
    for code in ["credential_deleted", "card_on_fire"] {
        let error = post(
            &fx.router,
            will_fail,
            &json!({ "acs_encoder_id": encoder, "error_code": code }),
        )
        .await
        .invalid_input("error_code")
        .clone();
        // The refusal lists what can be staged.
        let message = error["message"].as_str().unwrap();
        for staged in STAGED_ERROR_TYPES {
            assert!(message.contains(staged), "{message}");
        }
    }
    let unknown = Uuid::new_v4().to_string();
    for path in [will_fail, will_succeed] {
        post(&fx.router, path, &json!({ "acs_encoder_id": unknown }))
            .await
            .error(StatusCode::NOT_FOUND, "not_found");
        post(&fx.router, path, &json!({}))
            .await
            .invalid_input("acs_encoder_id");
    }
    // Nothing was staged: the next encode works.
    let method = fx.card_method(&["room-101"], STARTS, ENDS, "stay-1").await;
    fx.encoded_card(&encoder, &method).await;
}

#[tokio::test]
async fn present_card_decides_at_the_simulated_door() {
    let fx = Fixture::new().await;
    let encoder = fx.encoder_id().await;
    // Back to back in room 203: guest 1 with a late checkout (still within the card's dates
    // when guest 2 arrives), guest 2 on another reservation.
    let guest_1 = fx
        .card_method(
            &["room-203"],
            "2025-05-10T15:00:00Z",
            "2025-05-14T18:00:00Z",
            "stay-b2b-1",
        )
        .await;
    let guest_2 = fx
        .card_method(
            &["room-203"],
            "2025-05-14T15:00:00Z",
            "2025-05-16T11:00:00Z",
            "stay-b2b-2",
        )
        .await;
    let card_1 = fx.encoded_card(&encoder, &guest_1).await;
    let card_2 = fx.encoded_card(&encoder, &guest_2).await;
    assert_ne!(card_1, card_2);

    let decision = fx
        .present_card("room-203-door", &card_1, "2025-05-11T20:00:00Z")
        .await;
    has_fields(
        &decision,
        &[
            ("decision", Ty::Text),
            ("reason", Ty::Text),
            ("explanation", Ty::Text),
            ("at", Ty::Instant),
        ],
    );
    assert_eq!(decision["ok"], json!(true));
    assert_eq!(decision["decision"], json!("granted"), "{decision}");
    assert_eq!(decision["at"], json!("2025-05-11T20:00:00.000Z"));

    for (card, at, expected, reason) in [
        (&card_2, "2025-05-14T12:00:00Z", "denied", "not_yet_valid"),
        (&card_1, "2025-05-14T13:00:00Z", "granted", "joined"),
        (&card_2, "2025-05-14T15:30:00Z", "granted", "overrode"),
        (&card_1, "2025-05-14T16:00:00Z", "denied", "overridden"),
        (&card_2, "2025-05-15T09:00:00Z", "granted", "joined"),
        (&card_2, "2025-05-16T12:00:00Z", "denied", "expired"),
    ] {
        let decision = fx.present_card("room-203-door", card, at).await;
        assert_eq!(
            (decision["decision"].clone(), decision["reason"].clone()),
            (json!(expected), json!(reason)),
            "{at}: {decision}"
        );
    }
    // Without `at`, the API's clock (before the stay).
    let now = post(
        &fx.router,
        "/simulate/locks/present_card",
        &json!({ "acs_entrance_id": fx.entrance("room-203-door"), "card_id": card_2 }),
    )
    .await;
    assert_eq!(now.body["reason"], json!("not_yet_valid"), "{}", now.body);
    // A door that is not on the card.
    let elsewhere = fx
        .present_card("room-101-door", &card_2, "2025-05-15T09:00:00Z")
        .await;
    assert_eq!(elsewhere["decision"], json!("denied"));
    assert_eq!(elsewhere["reason"], json!("door_not_on_card"));
}

#[tokio::test]
async fn a_deleted_card_stays_in_its_grant_s_warnings_while_a_door_still_takes_it() {
    let fx = Fixture::new().await;
    let encoder = fx.encoder_id().await;
    let user = fx.guest().await;
    let body = fx.stay(
        &user,
        &["room-203", "pool"],
        "2025-05-10T15:00:00Z",
        "2025-05-14T11:00:00Z",
        Some("stay-kept"),
    );
    let grant = fx.create(&body).await.ok("access_grant");
    let grant_id = id_of(&grant, "access_grant_id").to_owned();
    let method = grant["access_method_ids"][0].as_str().unwrap().to_owned();
    let card = fx.encoded_card(&encoder, &method).await;
    let deleted = with_query(
        &fx.router,
        Method::DELETE,
        "/access_methods/delete",
        &[("access_method_id", &method)],
    )
    .await;
    assert_eq!(deleted.status, StatusCode::OK, "{}", deleted.body);

    let not_collected = |grant: &Value| -> Vec<String> {
        grant["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|warning| warning["warning_code"] == json!("cards_not_collected"))
            .map(|warning| warning["message"].as_str().unwrap().to_owned())
            .collect()
    };
    let grant_now = || async {
        get(
            &fx.router,
            "/access_grants/get",
            &[("access_grant_id", &grant_id)],
        )
        .await
        .ok("access_grant")
    };
    let messages = not_collected(&grant_now().await);
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert!(
        messages[0].contains("Room 203 door until a newer card is used there")
            && messages[0].contains("Pool door until 2025-05-14T11:00:00Z"),
        "{}",
        messages[0]
    );

    // The next guest's card is used at the room: the deleted card is done there, not at the
    // pool, and the grant says so.
    let next = fx
        .card_method(
            &["room-203"],
            "2025-05-12T15:00:00Z",
            "2025-05-16T11:00:00Z",
            "stay-next",
        )
        .await;
    let next_card = fx.encoded_card(&encoder, &next).await;
    let used = fx
        .present_card("room-203-door", &next_card, "2025-05-12T16:00:00Z")
        .await;
    assert_eq!(used["reason"], json!("overrode"), "{used}");
    let messages = not_collected(&grant_now().await);
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert!(!messages[0].contains("Room 203"), "{}", messages[0]);
    assert!(messages[0].contains("Pool door"), "{}", messages[0]);
    let pool = fx
        .present_card("pool-door", &card, "2025-05-13T10:00:00Z")
        .await;
    assert_eq!(pool["decision"], json!("granted"), "{pool}");
}

#[tokio::test]
async fn present_card_refuses_unknown_and_malformed_cards() {
    let fx = Fixture::new().await;
    let door = fx.entrance("room-101-door").to_owned();
    let router = &fx.router;
    let present =
        |body: Value| async move { post(router, "/simulate/locks/present_card", &body).await };
    // A card id of the right form that the simulated encoder never made.
    present(json!({ "acs_entrance_id": door, "card_id": "04A1B2C3D4E5F6" }))
        .await
        .error(StatusCode::NOT_FOUND, "not_found");
    for malformed in ["card-1", "04A1B2C", "ZZ", ""] {
        present(json!({ "acs_entrance_id": door, "card_id": malformed }))
            .await
            .invalid_input("card_id");
    }
    present(json!({ "acs_entrance_id": door }))
        .await
        .invalid_input("card_id");
    present(json!({ "card_id": "04A1B2C3D4E5F6" }))
        .await
        .invalid_input("acs_entrance_id");
    present(json!({ "acs_entrance_id": door, "card_id": "04A1B2C3D4E5F6", "at": "soon" }))
        .await
        .invalid_input("at");
    // The door simulator changes doors: POST only.
    get(
        &fx.router,
        "/simulate/locks/present_card",
        &[("acs_entrance_id", &door)],
    )
    .await
    .error(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed");
}
