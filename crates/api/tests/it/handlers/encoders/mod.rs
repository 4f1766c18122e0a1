//! Encoders, encoding and scanning as action attempts, simulated failures, the door simulator.

use std::time::Duration;

use axum::Router;
use axum::http::StatusCode;
use serde_json::{Value, json};

use super::{Fixture, Reply, Ty, get, has_fields, id_of, post};

mod doors;
mod encoding;

/// Every error type the simulated encoder stages (`fault_for` in encoding.rs).
const STAGED_ERROR_TYPES: [&str; 6] = [
    "no_credential_on_encoder",
    "encoding_interrupted",
    "uncategorized_error",
    "incompatible_card_format",
    "encoder_communication_timeout",
    "encoder_not_online",
];

fn assert_encoder(encoder: &Value) {
    has_fields(
        encoder,
        &[
            ("acs_encoder_id", Ty::Uuid),
            ("acs_system_id", Ty::Uuid),
            ("display_name", Ty::Text),
            ("created_at", Ty::Instant),
            ("errors", Ty::Array),
        ],
    );
}

fn assert_action_attempt(attempt: &Value, action_type: &str) {
    has_fields(
        attempt,
        &[
            ("action_attempt_id", Ty::Uuid),
            ("action_type", Ty::Text),
            ("status", Ty::Text),
        ],
    );
    assert_eq!(attempt["action_type"], json!(action_type), "{attempt}");
    for field in ["result", "error"] {
        assert!(attempt.get(field).is_some(), "no {field} in {attempt}");
    }
    match attempt["status"].as_str().unwrap() {
        "pending" => {
            assert_eq!(attempt["result"], Value::Null, "{attempt}");
            assert_eq!(attempt["error"], Value::Null, "{attempt}");
        }
        "success" => {
            assert!(attempt["result"].is_object(), "{attempt}");
            assert_eq!(attempt["error"], Value::Null, "{attempt}");
        }
        "error" => {
            assert_eq!(attempt["result"], Value::Null, "{attempt}");
            has_fields(
                &attempt["error"],
                &[("type", Ty::Text), ("message", Ty::Text)],
            );
        }
        other => panic!("unknown status {other:?}: {attempt}"),
    }
}

/// An action attempt answered by a route, followed with `/action_attempts/get` (as the SDK
/// does) until it is no longer pending.
async fn settled(router: &Router, reply: Reply, action_type: &str) -> Value {
    let mut attempt = reply.ok("action_attempt");
    for _ in 0..200 {
        assert_action_attempt(&attempt, action_type);
        if attempt["status"] != json!("pending") {
            return attempt;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        let id = id_of(&attempt, "action_attempt_id").to_owned();
        attempt = get(
            router,
            "/action_attempts/get",
            &[("action_attempt_id", &id)],
        )
        .await
        .ok("action_attempt");
    }
    panic!("the action attempt stayed pending: {attempt}");
}

impl Fixture {
    /// The desk's encoder, as listed.
    async fn encoder_id(&self) -> String {
        let encoders = get(&self.router, "/acs/encoders/list", &[])
            .await
            .ok("acs_encoders");
        assert_eq!(encoders.as_array().unwrap().len(), 1, "{encoders}");
        id_of(&encoders[0], "acs_encoder_id").to_owned()
    }

    async fn system_id(&self, external_type: &str) -> String {
        let systems = get(&self.router, "/acs/systems/list", &[])
            .await
            .ok("acs_systems");
        let system = systems
            .as_array()
            .unwrap()
            .iter()
            .find(|system| system["external_type"] == json!(external_type))
            .unwrap_or_else(|| panic!("no {external_type} in {systems}"));
        id_of(system, "acs_system_id").to_owned()
    }

    /// A card grant for `spaces` from `starts` to `ends` for a new guest; its access method.
    async fn card_method(&self, spaces: &[&str], starts: &str, ends: &str, key: &str) -> String {
        let user = self.guest().await;
        let body = self.stay(&user, spaces, starts, ends, Some(key));
        let grant = self.create(&body).await.ok("access_grant");
        grant["access_method_ids"][0].as_str().unwrap().to_owned()
    }

    async fn encode(&self, encoder: &str, method: &str) -> Value {
        let body = json!({ "acs_encoder_id": encoder, "access_method_id": method });
        let reply = post(&self.router, "/access_methods/encode", &body).await;
        settled(&self.router, reply, "ENCODE_CREDENTIAL").await
    }

    /// Encodes a card that must be written; returns the card's id.
    async fn encoded_card(&self, encoder: &str, method: &str) -> String {
        let attempt = self.encode(encoder, method).await;
        assert_eq!(attempt["status"], json!("success"), "{attempt}");
        id_of(&attempt["result"], "card_id").to_owned()
    }

    async fn access_method(&self, id: &str) -> Value {
        get(
            &self.router,
            "/access_methods/get",
            &[("access_method_id", id)],
        )
        .await
        .ok("access_method")
    }

    async fn present_card(&self, door: &str, card_id: &str, at: &str) -> Value {
        let body = json!({ "acs_entrance_id": self.entrance(door), "card_id": card_id, "at": at });
        let decision = post(&self.router, "/simulate/locks/present_card", &body).await;
        assert_eq!(decision.status, StatusCode::OK, "{}", decision.body);
        decision.body
    }
}
