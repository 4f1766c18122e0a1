//! Entrances, systems, spaces, user identities and action attempts, route by route.

use std::collections::BTreeSet;

use axum::http::StatusCode;
use serde_json::json;
use uuid::Uuid;

use super::{
    ENDS, Fixture, STARTS, Ty, assert_entrance, assert_space, assert_system, assert_user_identity,
    get, has_fields, id_of, ids, post,
};

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
