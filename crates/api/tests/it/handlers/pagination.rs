//! Pagination: limits, cursors, and a cursor whose item was deleted.

use std::collections::BTreeSet;

use serde_json::{Value, json};
use uuid::Uuid;

use super::{Fixture, Ty, get, has_fields, id_of, ids, post};

#[tokio::test]
async fn lists_page_with_limit_and_cursor() {
    let fx = Fixture::new().await;
    let mut created = BTreeSet::new();
    for number in 0..5 {
        let body = json!({ "full_name": format!("Guest {number}") });
        let user = post(&fx.router, "/user_identities/create", &body)
            .await
            .ok("user_identity");
        created.insert(id_of(&user, "user_identity_id").to_owned());
    }

    // By GET, with the cursor in the query string.
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let mut params = vec![("limit", "2".to_owned())];
        if let Some(cursor) = &cursor {
            params.push(("page_cursor", cursor.clone()));
        }
        let params: Vec<(&str, &str)> = params.iter().map(|(n, v)| (*n, v.as_str())).collect();
        let reply = get(&fx.router, "/user_identities/list", &params).await;
        let page = reply.ok("user_identities");
        pages += 1;
        assert!(page.as_array().unwrap().len() <= 2);
        seen.extend(ids(&page, "user_identity_id"));
        let pagination = &reply.body["pagination"];
        has_fields(
            pagination,
            &[
                ("has_next_page", Ty::Bool),
                ("next_page_cursor", Ty::OptText),
            ],
        );
        if pagination["has_next_page"] == json!(true) {
            cursor = Some(pagination["next_page_cursor"].as_str().unwrap().to_owned());
        } else {
            assert_eq!(pagination["next_page_cursor"], Value::Null);
            break;
        }
        assert!(pages < 10, "the pages never end");
    }
    assert_eq!(pages, 3);
    assert_eq!(seen.len(), 5, "no user twice: {seen:?}");
    assert_eq!(seen.iter().cloned().collect::<BTreeSet<_>>(), created);
    let whole = get(&fx.router, "/user_identities/list", &[]).await;
    assert_eq!(
        ids(&whole.ok("user_identities"), "user_identity_id"),
        seen,
        "pages keep the list's order"
    );
    assert_eq!(whole.body["pagination"]["has_next_page"], json!(false));

    // By POST, with a numeric limit in JSON.
    let first = post(&fx.router, "/user_identities/list", &json!({ "limit": 4 })).await;
    assert_eq!(first.ok("user_identities").as_array().unwrap().len(), 4);
    assert_eq!(first.body["pagination"]["has_next_page"], json!(true));
    let cursor = first.body["pagination"]["next_page_cursor"].clone();
    let rest = post(
        &fx.router,
        "/user_identities/list",
        &json!({ "limit": 4, "page_cursor": cursor }),
    )
    .await;
    assert_eq!(
        ids(&rest.ok("user_identities"), "user_identity_id"),
        seen[4..].to_vec()
    );
    assert_eq!(rest.body["pagination"]["has_next_page"], json!(false));

    // Exactly a page's worth: no next page.
    let exact = get(&fx.router, "/user_identities/list", &[("limit", "5")]).await;
    assert_eq!(exact.body["pagination"]["has_next_page"], json!(false));

    // Other lists page too (flattened page parameters).
    let spaces = get(&fx.router, "/spaces/list", &[("limit", "3")]).await;
    assert_eq!(spaces.ok("spaces").as_array().unwrap().len(), 3);
    assert_eq!(spaces.body["pagination"]["has_next_page"], json!(true));
    let entrances = get(&fx.router, "/acs/entrances/list", &[("limit", "4")]).await;
    assert_eq!(entrances.ok("acs_entrances").as_array().unwrap().len(), 4);
    let cursor = entrances.body["pagination"]["next_page_cursor"]
        .as_str()
        .unwrap()
        .to_owned();
    let next = get(
        &fx.router,
        "/acs/entrances/list",
        &[("limit", "4"), ("page_cursor", &cursor)],
    )
    .await;
    assert_eq!(next.ok("acs_entrances").as_array().unwrap().len(), 4);
}

#[tokio::test]
async fn a_bad_page_cursor_is_400_naming_it() {
    let fx = Fixture::new().await;
    fx.guest().await;
    get(
        &fx.router,
        "/user_identities/list",
        &[("page_cursor", "garbage")],
    )
    .await
    .invalid_input("page_cursor");
    // A well-formed id that is not in this list.
    get(
        &fx.router,
        "/user_identities/list",
        &[("page_cursor", &Uuid::new_v4().to_string())],
    )
    .await
    .invalid_input("page_cursor");
    // A cursor of another list.
    let spaces = get(&fx.router, "/spaces/list", &[("limit", "1")]).await;
    let cursor = spaces.body["pagination"]["next_page_cursor"]
        .as_str()
        .unwrap()
        .to_owned();
    post(
        &fx.router,
        "/user_identities/list",
        &json!({ "page_cursor": cursor }),
    )
    .await
    .invalid_input("page_cursor");
    get(
        &fx.router,
        "/access_grants/list",
        &[("page_cursor", "garbage")],
    )
    .await
    .invalid_input("page_cursor");
}

#[tokio::test]
async fn a_cursor_stays_valid_when_the_item_it_follows_is_deleted() {
    let fx = Fixture::new().await;
    let mut made = Vec::new();
    for _ in 0..5 {
        let grant = fx.grant(&["suite-300"], Some("stay-page")).await;
        made.push(id_of(&grant, "access_grant_id").to_owned());
    }
    // The guide's clean-up: list a page, delete what it lists, then ask for the next page.
    let params = [("reservation_key", "stay-page"), ("limit", "2")];
    let first = get(&fx.router, "/access_grants/list", &params).await;
    let page = ids(&first.ok("access_grants"), "access_grant_id");
    assert_eq!(page, made[..2]);
    let cursor = first.body["pagination"]["next_page_cursor"]
        .as_str()
        .unwrap()
        .to_owned();
    for id in &page {
        post(
            &fx.router,
            "/access_grants/delete",
            &json!({ "access_grant_id": id }),
        )
        .await
        .ok_only();
    }
    let next = get(
        &fx.router,
        "/access_grants/list",
        &[
            ("reservation_key", "stay-page"),
            ("limit", "2"),
            ("page_cursor", &cursor),
        ],
    )
    .await;
    assert_eq!(
        ids(&next.ok("access_grants"), "access_grant_id"),
        made[2..4]
    );
    assert_eq!(next.body["pagination"]["has_next_page"], json!(true));
}

#[tokio::test]
async fn acs_encoders_list_pages() {
    let fx = Fixture::new().await;
    let reply = get(&fx.router, "/acs/encoders/list", &[("limit", "1")]).await;
    assert_eq!(reply.ok("acs_encoders").as_array().unwrap().len(), 1);
    assert_eq!(reply.body["pagination"]["has_next_page"], json!(false));
    assert_eq!(reply.body["pagination"]["next_page_cursor"], Value::Null);
}
