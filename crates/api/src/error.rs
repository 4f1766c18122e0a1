//! Errors in Seam's shape: `{"error": {"type", "message", ...}, "ok": false}` with the HTTP
//! status, so that the SDKs raise `SeamHttpApiError` with `code` = type. Refused input is
//! `invalid_input` with `validation_errors` (the SDK's `SeamHttpInvalidInputError`), and
//! since the SDK's error keeps only `type`, `message` and `data`, a 400 or 409 also carries
//! its kind and the guide's title in `data`.

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
    /// What the SDK's `SeamHttpApiError.data` keeps: the guide's kind and title.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data: Option<ErrorData>,
}

/// The guide writes a refusal as "HTTP 400 VALIDATION_ERROR" or "HTTP 409 CONFLICT" with a
/// title; these reach SDK users in `error.data`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ErrorData {
    pub kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
}

impl ErrorData {
    fn for_status(status: StatusCode, title: Option<&String>) -> Option<Self> {
        let kind = match status {
            StatusCode::BAD_REQUEST => "VALIDATION_ERROR",
            StatusCode::CONFLICT => "CONFLICT",
            _ => return None,
        };
        Some(Self {
            kind,
            title: title.cloned(),
        })
    }
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
                data: ErrorData::for_status(status, None),
            }),
        }
    }

    /// A request parameter that is missing, of the wrong type or malformed: the same error
    /// the use cases give for refused input, so that every boundary words it alike.
    pub fn invalid_input(field: &str, problem: impl Into<String>) -> Self {
        frontdesk::Error::Rule(engine::RuleError::invalid(field, problem)).into()
    }

    /// The same error naming the parameter `to` where the use case named `from` (a use
    /// case's list of doors, a route's one door).
    #[must_use]
    pub fn renamed(mut self, from: &str, to: &str) -> Self {
        if let Some(errors) = self.body.validation_errors.as_mut()
            && let Some(found) = errors.remove(from)
        {
            errors.insert(to.to_owned(), found);
            if let Some(rest) = self.body.message.strip_prefix(&format!("{from}: ")) {
                self.body.message = format!("{to}: {rest}");
            }
        }
        self
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
        // Beside its field, the problem as written at the check, without the field's name
        // again ("must be after starts_at"); the message is the whole sentence.
        let problem = match &error {
            frontdesk::Error::Rule(engine::RuleError::Invalid { message, .. })
            | frontdesk::Error::Conflict { message, .. } => Some(message.clone()),
            _ => None,
        };
        let wire = error.to_wire();
        let validation_errors = wire.field.map(|field| {
            BTreeMap::from([(
                field,
                FieldErrors {
                    errors: vec![problem.unwrap_or_else(|| wire.message.clone())],
                },
            )])
        });
        let status = StatusCode::from_u16(wire.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        Self {
            status,
            body: Box::new(ErrorBody {
                error_type: wire.error_type.as_str().to_owned(),
                message: wire.message,
                data: ErrorData::for_status(status, wire.title.as_ref()),
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
