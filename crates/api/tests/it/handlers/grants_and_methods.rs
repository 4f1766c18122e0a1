//! Access grants and access methods, route by route: their shapes and both verbs.

use std::collections::BTreeSet;

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use super::{
    ENDS, Fixture, STARTS, Ty, assert_access_grant, assert_access_method, get, has_fields, id_of,
    ids, post, send_json, with_query,
};

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
async fn a_staff_grant_carries_its_level_floors_and_schedule() {
    let fx = Fixture::new().await;
    let staff = post(
        &fx.router,
        "/user_identities/create",
        &json!({ "full_name": "Hana Housekeeping", "kind": "staff" }),
    )
    .await
    .ok("user_identity");
    let mut body = json!({
        "user_identity_id": staff["user_identity_id"],
        "space_ids": [fx.space("lobby")],
        "starts_at": STARTS,
        "ends_at": ENDS,
        "requested_access_methods": [{ "mode": "card" }],
        "staff_level": "floor",
        "floors": [2],
        "schedule": [{ "days": ["mon", "tue", "wed", "thu", "fri"], "from": "08:00", "to": "16:00" }],
    });
    let grant = fx.create(&body).await.ok("access_grant");
    assert_eq!(grant.get("reservation_key"), None, "staff access has none");
    assert_eq!(grant["staff_level"], json!("floor"));
    assert_eq!(grant["floors"], json!([2]));
    assert_eq!(grant["schedule"][0]["from"], json!("08:00"));
    assert_eq!(grant["schedule"][0]["days"][4], json!("fri"));
    let entrances: BTreeSet<&str> = grant["acs_entrance_ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e.as_str().unwrap())
        .collect();
    let expected: BTreeSet<&str> = ["lobby-door", "room-203-door"]
        .iter()
        .map(|key| fx.entrance(key))
        .collect();
    assert_eq!(entrances, expected);
    let got = get(
        &fx.router,
        "/access_grants/get",
        &[("access_grant_id", id_of(&grant, "access_grant_id"))],
    )
    .await
    .ok("access_grant");
    assert_eq!(got["schedule"], grant["schedule"]);

    // Bad terms name their field; a master key is a manager's, at the desk.
    for (field, value, named) in [
        (
            "schedule",
            json!([{ "days": ["mon"], "from": "8am", "to": "16:00" }]),
            "schedule[0].from",
        ),
        (
            "schedule",
            json!([{ "days": ["monday"], "from": "08:00", "to": "16:00" }]),
            "schedule[0].days[0]",
        ),
        (
            "schedule",
            json!([{ "days": ["mon"], "from": "08:00", "to": "16:00", "zone": "x" }]),
            "schedule[0].zone",
        ),
        ("floors", json!([9]), "floors[0]"),
        ("staff_level", json!("janitor"), "staff_level"),
    ] {
        let mut bad = body.clone();
        bad[field] = value;
        fx.create(&bad).await.invalid_input(named);
    }
    body["staff_level"] = json!("master");
    body.as_object_mut().unwrap().remove("floors");
    fx.create(&body)
        .await
        .error(StatusCode::FORBIDDEN, "forbidden");
}
