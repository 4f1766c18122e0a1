//! List filters: each applied, in any combination, and an unknown one refused.

use serde_json::{Value, json};

use super::{Fixture, get, id_of, ids, post};

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
