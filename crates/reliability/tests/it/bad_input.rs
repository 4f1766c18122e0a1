//! Bad-input harness: random JSON (wrong types, huge strings, control characters, far-future
//! and far-past dates, ids that exist and ids that do not) and bytes that are not JSON, sent
//! to every route of the local API. No answer may be a 500, every answer is Seam's JSON
//! error shape or a success, and every 400 names the field at fault.
//!
//! 300 requests by default, 5,000 with `RELIABILITY_FULL=1`. The fuzz targets for the HID
//! frame, card image and property file parsers are in `crates/encoder/fuzz`.
#![allow(clippy::unwrap_used)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use api::{AppState, Clock};
use axum::Router;
use axum::body::Body;
use axum::http::{Request, header};
use chrono::Utc;
use encoder::keys::KeyRing;
use encoder::simulator::SimulatedEncoder;
use encoder::supervisor::Source;
use frontdesk::{CardStation, Context, FrontDesk};
use proptest::prelude::*;
use reliability::desk::TEST_PROPERTY;
use reliability::figures::Figures;
use serde_json::{Map, Value, json};
use store::Store;
use tower::ServiceExt as _;

const KEY: &str = "seam_reliability_bad_input_key";
/// Mostly POST, the style every route takes; the others reach the query-string readers and
/// the 405 answers.
const METHODS: [&str; 7] = ["POST", "POST", "POST", "POST", "GET", "PATCH", "DELETE"];

const ROUTES: [&str; 28] = [
    "/access_grants/create",
    "/access_grants/get",
    "/access_grants/list",
    "/access_grants/update",
    "/access_grants/delete",
    "/access_methods/get",
    "/access_methods/list",
    "/access_methods/delete",
    "/access_methods/encode",
    "/acs/entrances/get",
    "/acs/entrances/list",
    "/acs/systems/get",
    "/acs/systems/list",
    "/spaces/get",
    "/spaces/list",
    "/user_identities/create",
    "/user_identities/get",
    "/user_identities/list",
    "/acs/encoders/list",
    "/acs/encoders/get",
    "/acs/encoders/encode_credential",
    "/acs/encoders/scan_credential",
    "/acs/encoders/simulate/next_credential_encode_will_fail",
    "/acs/encoders/simulate/next_credential_encode_will_succeed",
    "/simulate/locks/present_card",
    "/action_attempts/get",
    "/no/such/route",
    "/access_grants/create/",
];

/// Every field name the routes read, so that random objects often hit a real one.
const FIELDS: [&str; 26] = [
    "user_identity_id",
    "user_identity_key",
    "space_ids",
    "space_keys",
    "acs_entrance_ids",
    "acs_entrance_id",
    "starts_at",
    "ends_at",
    "reservation_key",
    "requested_access_methods",
    "mode",
    "access_grant_id",
    "access_method_id",
    "name",
    "full_name",
    "kind",
    "email_address",
    "limit",
    "page_cursor",
    "acs_encoder_id",
    "error_code",
    "card_id",
    "at",
    "space_id",
    "acs_system_id",
    "action_attempt_id",
];

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        "[a-z_]{1,12}",
        "\\PC{0,40}",
        "[\\x00-\\x1f\\x7f]{1,8}",
        (0usize..200_000).prop_map(|len| "x".repeat(len)),
        Just("0001-01-01T00:00:00Z".to_owned()),
        Just("9999-12-31T23:59:59Z".to_owned()),
        Just("+275760-09-13T00:00:00Z".to_owned()),
        Just("2026-02-30T10:00:00Z".to_owned()),
        Just("00000000-0000-0000-0000-000000000000".to_owned()),
        any::<u128>().prop_map(|n| uuid::Uuid::from_u128(n).to_string()),
        Just("card".to_owned()),
        Just("guest".to_owned()),
    ]
}

fn value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(|n| json!(n)),
        Just(json!(u64::MAX)),
        text().prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((prop::sample::select(&FIELDS[..]), inner), 0..6).prop_map(
                |pairs| {
                    Value::Object(
                        pairs
                            .into_iter()
                            .map(|(key, value)| (key.to_owned(), value))
                            .collect::<Map<_, _>>(),
                    )
                }
            ),
        ]
    })
}

/// A body: an object of known fields (the usual case), any JSON, or bytes.
fn body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        6 => prop::collection::vec((prop::sample::select(&FIELDS[..]), value()), 0..8)
            .prop_map(|pairs| {
                let object: Map<String, Value> =
                    pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
                Value::Object(object).to_string().into_bytes()
            }),
        2 => value().prop_map(|value| value.to_string().into_bytes()),
        1 => prop::collection::vec(any::<u8>(), 0..256),
    ]
}

fn router() -> Router {
    let now = Utc::now();
    let desk = FrontDesk::new(Store::open_in_memory().unwrap());
    let property = desk
        .import_property(&Context::new("bad-input", now), TEST_PROPERTY)
        .unwrap();
    let keys = KeyRing::generate(property.id).unwrap();
    let mut station = CardStation::new(Source::Simulated(SimulatedEncoder::in_memory()), keys);
    station.set_card_timeout(Duration::from_millis(50));
    let state = AppState::new(Arc::new(desk), Arc::new(station), KEY, Clock::default()).unwrap();
    api::router(state)
}

#[derive(Default)]
struct Tally {
    requests: u64,
    by_status: std::collections::BTreeMap<u16, u64>,
    problems: Vec<String>,
}

#[test]
fn random_input_on_every_route_is_refused_in_shape_and_never_a_500() {
    let _alone = crate::one_at_a_time();
    let cases = if reliability::full_run() { 5_000 } else { 300 };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut figures = Figures::new("bad_input", 0);
    let router = router();
    let tally = Mutex::new(Tally::default());
    let config = ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    };
    let mut runner = proptest::test_runner::TestRunner::new(config);
    let result = runner.run(
        &(
            prop::sample::select(&ROUTES[..]),
            prop::sample::select(&METHODS[..]),
            body(),
        ),
        |(route, method, body)| {
            let request = Request::builder()
                .method(method)
                .uri(route)
                .header(header::AUTHORIZATION, format!("Bearer {KEY}"))
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body.clone()))
                .unwrap();
            let response = runtime.block_on(router.clone().oneshot(request)).unwrap();
            let status = response.status().as_u16();
            let bytes = runtime
                .block_on(axum::body::to_bytes(response.into_body(), usize::MAX))
                .unwrap();
            let answer: Option<Value> = serde_json::from_slice(&bytes).ok();
            let mut tally = tally.lock().unwrap();
            tally.requests += 1;
            *tally.by_status.entry(status).or_default() += 1;
            let shown = String::from_utf8_lossy(&body[..body.len().min(300)]).into_owned();
            let mut problem = |what: &str| {
                tally.problems.push(format!(
                    "{method} {route} {shown} → {status} {what}: {}",
                    String::from_utf8_lossy(&bytes[..bytes.len().min(400)])
                ));
            };
            match &answer {
                None => problem("not JSON"),
                Some(answer) if status >= 400 => {
                    let error = &answer["error"];
                    if !error["type"].is_string() || !error["message"].is_string() {
                        problem("not Seam's error shape");
                    }
                    let named = error["validation_errors"]
                        .as_object()
                        .is_some_and(|f| !f.is_empty());
                    if status == 400 && !named {
                        problem("a 400 that names no field");
                    }
                }
                Some(_) => {}
            }
            if status >= 500 {
                problem("a server error");
            }
            Ok(())
        },
    );
    result.unwrap();
    let tally = tally.into_inner().unwrap();
    figures.runs = tally.requests;
    figures.faults_injected = tally.requests;
    for (status, count) in &tally.by_status {
        let name: &'static str = match status {
            200 => "status_200",
            400 => "status_400",
            404 => "status_404",
            405 => "status_405",
            409 => "status_409",
            413 => "status_413",
            _ => "status_other",
        };
        figures.count(name, *count);
    }
    figures.losses = tally.problems.len() as u64;
    figures.print();
    let mut shown = tally.problems.clone();
    shown.truncate(20);
    assert!(tally.problems.is_empty(), "{}", shown.join("\n"));
}
