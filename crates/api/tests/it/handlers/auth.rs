//! API keys, unknown routes and methods, and request ids.

use std::collections::BTreeSet;
use std::sync::Arc;

use api::{AppState, Clock};
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use frontdesk::FrontDesk;
use serde_json::json;
use store::Store;
use tower::ServiceExt;
use uuid::Uuid;

use super::{Fixture, KEY, get, post, send, simulated_station};

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
