//! The Seam-compatible local HTTP API: the routes and shapes of Seam's Connect API over the
//! front desk's use cases, so that an integration written for Seam's cloud works against the
//! front desk by changing one URL. The wire contract is `docs/api.md`.

mod encoding;
mod error;
mod params;
mod resources;
mod routes;

use std::sync::Arc;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Datelike, Duration, Utc};
use frontdesk::{CardStation, FrontDesk};
use subtle::ConstantTimeEq;
use tower_http::LatencyUnit;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use uuid::Uuid;

pub use encoding::{ListedEncoder, desk_encoder_id, listed_encoders, terminal_encoder_id};
pub use error::ApiError;
pub use params::MAX_BODY_BYTES;

/// The prefix every Seam API key carries; the SDKs check for it.
pub const API_KEY_PREFIX: &str = "seam_";

/// The time the API acts at: the wall clock, or the wall clock moved to a chosen start for
/// training and tests (it then runs on from there).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Clock {
    offset: Duration,
}

impl Clock {
    /// A clock that reads `start` now; `start` must lie in the years the engine accepts.
    pub fn starting_at(start: DateTime<Utc>) -> Result<Self, String> {
        if !engine::rules::YEARS.contains(&start.year()) {
            return Err(format!(
                "the simulated time must lie in the years {} to {}",
                engine::rules::YEARS.start(),
                engine::rules::YEARS.end()
            ));
        }
        Ok(Self {
            offset: start - Utc::now(),
        })
    }

    pub fn now(&self) -> DateTime<Utc> {
        let wall = Utc::now();
        wall.checked_add_signed(self.offset).unwrap_or(wall)
    }
}

#[derive(Debug, Clone)]
pub struct AppState {
    desk: Arc<FrontDesk>,
    station: Arc<CardStation>,
    api_key: Arc<str>,
    clock: Clock,
    /// When this server started: the encoder's `created_at`.
    started_at: DateTime<Utc>,
    /// A failure staged for the next scan (`simulate/next_credential_scan_will_fail`), armed
    /// on the simulated encoder only when that scan starts, so that an encode in between
    /// does not take it.
    next_scan_fault: Arc<std::sync::Mutex<Option<encoder::simulator::Fault>>>,
    /// The encoders the property's terminals lend, on a property server.
    terminal_encoders: Option<TerminalEncoders>,
}

/// An encoder a terminal lends to the property, as the API lists it.
#[derive(Debug, Clone)]
pub struct TerminalEncoder {
    pub terminal_id: Uuid,
    pub terminal_name: String,
    pub station: Arc<CardStation>,
}

/// Where the API finds the terminals' encoders of the moment.
#[derive(Clone)]
pub struct TerminalEncoders(pub Arc<dyn Fn() -> Vec<TerminalEncoder> + Send + Sync>);

impl std::fmt::Debug for TerminalEncoders {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries((self.0)()).finish()
    }
}

impl AppState {
    /// `api_key` must start with `seam_`.
    pub fn new(
        desk: Arc<FrontDesk>,
        station: Arc<CardStation>,
        api_key: &str,
        clock: Clock,
    ) -> Result<Self, String> {
        check_api_key(api_key)?;
        Ok(Self {
            desk,
            station,
            api_key: api_key.into(),
            clock,
            started_at: clock.now(),
            next_scan_fault: Arc::default(),
            terminal_encoders: None,
        })
    }

    /// Lists the encoders the property's terminals lend beside the server's own, and
    /// encodes on them.
    #[must_use]
    pub fn with_terminal_encoders(self, encoders: TerminalEncoders) -> Self {
        Self {
            terminal_encoders: Some(encoders),
            ..self
        }
    }
}

/// Refuses keys the SDKs would refuse, and keys too short to be secret.
pub fn check_api_key(key: &str) -> Result<(), String> {
    if !key.starts_with(API_KEY_PREFIX) {
        return Err(format!("the API key must start with {API_KEY_PREFIX:?}"));
    }
    if key.len() < API_KEY_PREFIX.len() + 16 {
        return Err("the API key must have at least 16 characters after \"seam_\"".to_owned());
    }
    if key.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("the API key must not contain spaces or control characters".to_owned());
    }
    Ok(())
}

/// Every route, behind the API key check.
pub fn router(state: AppState) -> Router {
    with_layers(routes::routes().merge(encoding::routes()), state)
}

/// The fallbacks and layers every route sits behind.
fn with_layers(routes: Router<AppState>, state: AppState) -> Router {
    routes
        .fallback(|| async {
            ApiError::not_found("No such route; see the route list in docs/api.md.")
        })
        .method_not_allowed_fallback(|| async {
            ApiError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                "This route does not take that HTTP method.",
            )
        })
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(middleware::from_fn_with_state(state.clone(), authenticate))
        .layer(CatchPanicLayer::custom(|_| {
            ApiError::internal(
                "The front desk hit an internal fault; nothing was changed by this request.",
            )
            .into_response()
        }))
        // Each request in the log: its method, its path (not the query string, which may carry
        // a guest's details), its status and how long it took.
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|request: &Request| {
                    tracing::info_span!(
                        "request",
                        method = %request.method(),
                        path = request.uri().path()
                    )
                })
                .on_request(())
                .on_response(
                    DefaultOnResponse::new()
                        .level(tracing::Level::INFO)
                        .latency_unit(LatencyUnit::Millis),
                ),
        )
        // Outermost, so that the answer to a caught panic carries a request id too.
        .layer(middleware::from_fn(request_id))
        .with_state(state)
}

async fn authenticate(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let given = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "));
    match given {
        None => ApiError::unauthorized("Send the API key as \"Authorization: Bearer seam_…\".")
            .into_response(),
        Some(key) if bool::from(key.as_bytes().ct_eq(state.api_key.as_bytes())) => {
            next.run(request).await
        }
        Some(_) => {
            ApiError::unauthorized("The API key is not valid for this front desk.").into_response()
        }
    }
}

/// Tags every response with a `seam-request-id`, as Seam does, for support and logs.
async fn request_id(request: Request, next: Next) -> Response {
    let id = format!("request_{}", uuid::Uuid::new_v4().simple());
    let mut response = next.run(request).await;
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert("seam-request-id", value);
    }
    response
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use axum::routing::get;
    use tower::ServiceExt;

    use super::*;

    const KEY: &str = "seam_unit_test_key_0123456789";

    #[tokio::test]
    async fn a_panicking_handler_answers_a_json_500_with_a_request_id() {
        let desk = FrontDesk::new(store::Store::open_in_memory().unwrap());
        let keys = encoder::keys::KeyRing::generate(uuid::Uuid::new_v4()).unwrap();
        let simulator = encoder::simulator::SimulatedEncoder::in_memory();
        let source = encoder::supervisor::Source::Simulated(simulator);
        let station = Arc::new(CardStation::new(source, keys));
        let state = AppState::new(Arc::new(desk), station, KEY, Clock::default()).unwrap();
        async fn fault() -> &'static str {
            panic!("a fault")
        }
        let routes = Router::new().route("/fault", get(fault));
        let request = Request::builder()
            .uri("/fault")
            .header(header::AUTHORIZATION, format!("Bearer {KEY}"))
            .body(Body::empty())
            .unwrap();
        let response = with_layers(routes, state).oneshot(request).await.unwrap();
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert!(response.headers().contains_key("seam-request-id"));
        let body = axum::body::to_bytes(response.into_body(), 4096)
            .await
            .unwrap();
        let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(body["error"]["type"], "internal_error");
        assert_eq!(body["ok"], false);
    }

    #[test]
    fn a_simulated_time_outside_the_accepted_years_is_refused() {
        assert!(Clock::starting_at(DateTime::<Utc>::MAX_UTC).is_err());
        let start = DateTime::parse_from_rfc3339("2025-05-01T09:00:00Z")
            .unwrap()
            .to_utc();
        let clock = Clock::starting_at(start).unwrap();
        assert!((clock.now() - start).num_seconds().abs() < 60);
    }
}
