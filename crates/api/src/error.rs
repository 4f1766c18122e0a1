//! Errors in Seam's shape: `{"error": {"type", "message", ...}, "ok": false}` with the HTTP
//! status, so that the SDKs raise `SeamHttpApiError` with `code` = type.

use std::collections::BTreeMap;

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// One refused request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: StatusCode,
    /// Boxed: errors travel through every `Result` of the handlers.
    pub body: Box<ErrorBody>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ErrorBody {
    #[serde(rename = "type")]
    pub error_type: String,
    pub message: String,
    /// The guide's title, for its rule errors.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Seam's per-parameter messages, for `invalid_input`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub validation_errors: Option<BTreeMap<String, FieldErrors>>,
    /// Every problem of a refused property file.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldErrors {
    #[serde(rename = "_errors")]
    pub errors: Vec<String>,
}

impl ApiError {
    pub fn new(status: StatusCode, error_type: &str, message: impl Into<String>) -> Self {
        Self {
            status,
            body: Box::new(ErrorBody {
                error_type: error_type.to_owned(),
                message: message.into(),
                title: None,
                validation_errors: None,
                problems: Vec::new(),
            }),
        }
    }

    /// A request parameter that is missing, of the wrong type or malformed.
    pub fn invalid_input(field: &str, problem: impl Into<String>) -> Self {
        let problem = problem.into();
        let mut error = Self::new(
            StatusCode::BAD_REQUEST,
            "invalid_input",
            format!("{field}: {problem}"),
        );
        error.body.validation_errors = Some(BTreeMap::from([(
            field.to_owned(),
            FieldErrors {
                errors: vec![problem],
            },
        )]));
        error
    }

    pub fn missing(field: &str) -> Self {
        Self::invalid_input(field, "is required")
    }

    pub fn unauthorized(message: &str) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", message)
    }

    pub fn too_large(limit: usize) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            format!(
                "The request body is larger than {} KiB; send less.",
                limit / 1024
            ),
        )
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal_error", message)
    }
}

impl From<frontdesk::Error> for ApiError {
    fn from(error: frontdesk::Error) -> Self {
        let wire = error.to_wire();
        let validation_errors = wire.field.map(|field| {
            BTreeMap::from([(
                field,
                FieldErrors {
                    errors: vec![wire.message.clone()],
                },
            )])
        });
        Self {
            status: StatusCode::from_u16(wire.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            body: Box::new(ErrorBody {
                error_type: wire.error_type,
                message: wire.message,
                title: wire.title,
                validation_errors,
                problems: wire.problems,
            }),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({ "error": self.body, "ok": false });
        (self.status, Json(body)).into_response()
    }
}
