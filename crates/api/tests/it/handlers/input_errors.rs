//! Input errors: malformed bodies, wrong types, missing fields, unknown ids, oversized bodies.

use axum::body::Body;
use axum::http::{Method, StatusCode};
use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use uuid::Uuid;

use super::{
    ENDS, Fixture, KEY, STARTS, get, id_of, post, send, send_json, start_of_clock, with_query,
};

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
