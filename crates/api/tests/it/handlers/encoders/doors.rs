//! Cards presented at the simulated doors, and the warnings of a deleted card a door still takes.

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use super::settled;
use crate::handlers::{Fixture, Ty, get, has_fields, id_of, post, with_query};

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

#[tokio::test]
async fn a_thrown_deadbolt_refuses_the_guest_s_card_until_it_is_released() {
    let fx = Fixture::new().await;
    let encoder = fx.encoder_id().await;
    let guest = fx
        .card_method(
            &["room-203"],
            "2025-05-10T15:00:00Z",
            "2025-05-14T11:00:00Z",
            "stay-privacy",
        )
        .await;
    let card = fx.encoded_card(&encoder, &guest).await;
    let door = fx.entrance("room-203-door").to_owned();
    let set = |on: bool, at: &'static str| {
        let body = json!({ "acs_entrance_id": door, "on": on, "at": at });
        let router = &fx.router;
        async move { post(router, "/simulate/locks/set_privacy", &body).await }
    };
    let thrown = set(true, "2025-05-11T22:00:00Z").await;
    assert_eq!(thrown.status, StatusCode::OK, "{}", thrown.body);
    assert_eq!(thrown.body["on"], json!(true));
    assert_eq!(thrown.body["at"], json!("2025-05-11T22:00:00.000Z"));
    let refused = fx
        .present_card("room-203-door", &card, "2025-05-11T22:30:00Z")
        .await;
    assert_eq!(
        (refused["decision"].clone(), refused["reason"].clone()),
        (json!("denied"), json!("privacy_on")),
        "{refused}"
    );
    set(false, "2025-05-12T08:00:00Z").await;
    let opened = fx
        .present_card("room-203-door", &card, "2025-05-12T08:30:00Z")
        .await;
    assert_eq!(opened["decision"], json!("granted"), "{opened}");

    // Bad input names the field and changes nothing.
    let router = &fx.router;
    let post_body =
        |body: Value| async move { post(router, "/simulate/locks/set_privacy", &body).await };
    post_body(json!({ "on": true }))
        .await
        .invalid_input("acs_entrance_id");
    post_body(json!({ "acs_entrance_id": fx.entrance("room-203-door") }))
        .await
        .invalid_input("on");
    post_body(json!({ "acs_entrance_id": fx.entrance("pool-door"), "on": true }))
        .await
        .invalid_input("acs_entrance_id");
    post_body(json!({ "acs_entrance_id": fx.entrance("room-203-door"), "on": "yes" }))
        .await
        .invalid_input("on");
    let still_open = fx
        .present_card("room-203-door", &card, "2025-05-12T09:00:00Z")
        .await;
    assert_eq!(still_open["decision"], json!("granted"), "{still_open}");
}

#[tokio::test]
async fn a_cancel_card_closes_a_door_to_the_cards_before_it_once_its_stay_is_gone() {
    let fx = Fixture::new().await;
    let encoder = fx.encoder_id().await;
    let user = fx.guest().await;
    let body = fx.stay(
        &user,
        &["room-203"],
        "2025-05-01T08:00:00Z",
        "2025-05-03T11:00:00Z",
        Some("stay-cancelled"),
    );
    let grant = fx.create(&body).await.ok("access_grant");
    let method = grant["access_method_ids"][0].as_str().unwrap().to_owned();
    let card = fx.encoded_card(&encoder, &method).await;
    let used = fx
        .present_card("room-203-door", &card, "2025-05-01T09:30:00Z")
        .await;
    assert_eq!(used["decision"], json!("granted"), "{used}");

    let cancel = |door: &'static str| {
        let body = json!({ "acs_encoder_id": encoder, "acs_entrance_id": fx.entrance(door) });
        let router = &fx.router;
        async move { post(router, "/acs/encoders/encode_cancel_card", &body).await }
    };
    // While the stay is live the door is refused at once, with the stay named.
    let refused = cancel("room-203-door").await;
    let error = refused.error(StatusCode::CONFLICT, "conflict");
    assert!(
        error["validation_errors"].get("acs_entrance_id").is_some(),
        "{error}"
    );
    assert!(
        error["message"].as_str().unwrap().contains("Room 203"),
        "{error}"
    );
    cancel("pool-door").await.invalid_input("acs_entrance_id");
    post(
        &fx.router,
        "/acs/encoders/encode_cancel_card",
        &json!({ "acs_encoder_id": encoder }),
    )
    .await
    .invalid_input("acs_entrance_id");

    // The guest left with the card in a pocket: the stay goes, then the door is cancelled.
    let deleted = post(
        &fx.router,
        "/access_grants/delete",
        &json!({ "access_grant_id": id_of(&grant, "access_grant_id") }),
    )
    .await;
    assert_eq!(deleted.status, StatusCode::OK, "{}", deleted.body);
    let attempt = settled(
        &fx.router,
        cancel("room-203-door").await,
        "ENCODE_CANCEL_CARD",
    )
    .await;
    assert_eq!(attempt["status"], json!("success"), "{attempt}");
    let cancel_card = id_of(&attempt["result"], "card_id").to_owned();
    assert_ne!(cancel_card, card);
    let applied = fx
        .present_card("room-203-door", &cancel_card, "2025-05-01T10:00:00Z")
        .await;
    assert_eq!(
        (applied["decision"].clone(), applied["reason"].clone()),
        (json!("denied"), json!("cancel_applied")),
        "{applied}"
    );
    let pocket = fx
        .present_card("room-203-door", &card, "2025-05-01T10:30:00Z")
        .await;
    assert_eq!(pocket["reason"], json!("overridden"), "{pocket}");
}

#[tokio::test]
async fn a_one_shot_grant_s_card_opens_its_door_once() {
    let fx = Fixture::new().await;
    let encoder = fx.encoder_id().await;
    let user = fx.guest().await;
    let mut body = fx.stay(
        &user,
        &["room-203"],
        "2025-05-10T15:00:00Z",
        "2025-05-11T11:00:00Z",
        None,
    );
    body["one_shot"] = json!(true);
    let grant = fx.create(&body).await.ok("access_grant");
    assert_eq!(grant["one_shot"], json!(true), "{grant}");
    assert_eq!(grant.get("reservation_key"), None);
    let method = grant["access_method_ids"][0].as_str().unwrap().to_owned();
    let card = fx.encoded_card(&encoder, &method).await;
    for (at, expected, reason) in [
        ("2025-05-10T16:00:00Z", "granted", "one_shot_used"),
        ("2025-05-10T16:05:00Z", "denied", "one_shot_spent"),
    ] {
        let decision = fx.present_card("room-203-door", &card, at).await;
        assert_eq!(
            (decision["decision"].clone(), decision["reason"].clone()),
            (json!(expected), json!(reason)),
            "{at}: {decision}"
        );
    }

    // Part of a stay, it would be overridden by the stay's next cards: refused by name.
    body["reservation_key"] = json!("stay-viewing");
    fx.create(&body).await.invalid_input("one_shot");
    // Without the field, a guest's card on a room door needs a reservation, as ever.
    body.as_object_mut().unwrap().remove("one_shot");
    body.as_object_mut().unwrap().remove("reservation_key");
    fx.create(&body).await.error(
        StatusCode::BAD_REQUEST,
        "reservation_key_required_for_guest_cards",
    );
}
