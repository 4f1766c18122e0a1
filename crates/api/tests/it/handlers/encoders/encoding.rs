//! Encoders listed, cards encoded and scanned as action attempts, and each simulated failure.

use std::time::Duration;

use axum::http::StatusCode;
use serde_json::{Value, json};
use uuid::Uuid;

use super::{STAGED_ERROR_TYPES, assert_encoder, settled};
use crate::handlers::{
    ENDS, Fixture, STARTS, Ty, assert_access_method, get, has_fields, id_of, ids, is_instant, post,
};

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
