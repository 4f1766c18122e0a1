//! The guide's error table, through the API.

use axum::http::StatusCode;
use serde_json::{Value, json};

use super::{
    ENDS, Fixture, LATER_ENDS, LATER_STARTS, Reply, STARTS, TEST_PROPERTY, get, id_of, ids, post,
    words,
};

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
