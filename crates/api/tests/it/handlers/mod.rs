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

mod auth;
mod catalog;
mod concurrency;
mod encoders;
mod filters;
mod grants_and_methods;
mod guide_errors;
mod input_errors;
mod pagination;

/// Rooms 101, 102 and 203 and a two-door suite on Visionline; gym, pool and lobby on
/// Visionline but not reservation-capable; a parking gate on an online system.
const TEST_PROPERTY: &str = include_str!("../../../../../tests/fixtures/test-property.json");

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
