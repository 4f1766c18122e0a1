//! Concurrent creates on a real SQLite file.

use std::collections::BTreeSet;

use axum::http::StatusCode;
use serde_json::json;
use store::Store;

use super::{ENDS, Fixture, STARTS, id_of, ids, post};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_new_reservations_racing_for_one_key_one_wins() {
    let dir = tempfile::tempdir().unwrap();
    let fx = Fixture::on(Store::open(&dir.path().join("frontdesk.db")).unwrap()).await;
    for round in 0..20 {
        let key = format!("race-{round}");
        let (first, second) = (fx.guest().await, fx.guest().await);
        let a = fx.stay(&first, &["room-101"], STARTS, ENDS, Some(&key));
        let b = fx.stay(&second, &["room-203"], STARTS, ENDS, Some(&key));
        let (router_a, router_b) = (fx.router.clone(), fx.router.clone());
        let task_a =
            tokio::spawn(async move { post(&router_a, "/access_grants/create", &a).await });
        let task_b =
            tokio::spawn(async move { post(&router_b, "/access_grants/create", &b).await });
        let (a, b) = (task_a.await.unwrap(), task_b.await.unwrap());
        let (winner, loser, room) = match (a.status, b.status) {
            (StatusCode::OK, StatusCode::CONFLICT) => (a, b, "room-101"),
            (StatusCode::CONFLICT, StatusCode::OK) => (b, a, "room-203"),
            other => panic!(
                "round {round}: expected one 200 and one 409, got {other:?}: {} / {}",
                a.body, b.body
            ),
        };
        let grant = winner.ok("access_grant");
        assert_eq!(grant["space_ids"], json!([fx.space(room)]));
        let error = loser.error(
            StatusCode::CONFLICT,
            "reservation_entrance_change_requires_cleanup",
        );
        assert_eq!(
            error["title"],
            json!("Reservation entrance change requires cleanup.")
        );
        let grants = fx.grants_of(&key).await;
        assert_eq!(
            ids(&json!(grants), "access_grant_id"),
            vec![id_of(&grant, "access_grant_id")]
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_joiners_of_one_reservation_all_join() {
    let dir = tempfile::tempdir().unwrap();
    let fx = Fixture::on(Store::open(&dir.path().join("frontdesk.db")).unwrap()).await;
    let mut bodies = Vec::new();
    for _ in 0..8 {
        let user = fx.guest().await;
        bodies.push(fx.stay(&user, &["room-102"], STARTS, ENDS, Some("stay-crowd")));
    }
    let tasks: Vec<_> = bodies
        .into_iter()
        .map(|body| {
            let router = fx.router.clone();
            tokio::spawn(async move { post(&router, "/access_grants/create", &body).await })
        })
        .collect();
    let mut created = BTreeSet::new();
    for task in tasks {
        let grant = task.await.unwrap().ok("access_grant");
        created.insert(id_of(&grant, "access_grant_id").to_owned());
    }
    assert_eq!(created.len(), 8);
    let listed: BTreeSet<String> = ids(&json!(fx.grants_of("stay-crowd").await), "access_grant_id")
        .into_iter()
        .collect();
    assert_eq!(listed, created);

    // The same with tokio::join!, on one task.
    let (x, y) = (fx.guest().await, fx.guest().await);
    let (bx, by) = (
        fx.stay(&x, &["room-102"], STARTS, ENDS, Some("stay-crowd")),
        fx.stay(&y, &["room-102"], STARTS, ENDS, Some("stay-crowd")),
    );
    let (rx, ry) = tokio::join!(fx.create(&bx), fx.create(&by));
    rx.ok("access_grant");
    ry.ok("access_grant");
    assert_eq!(fx.grants_of("stay-crowd").await.len(), 10);
}
