//! Request parameters, from the JSON body (POST, PATCH, and older SDKs for everything) or
//! from the query string (GET and DELETE), into one typed value. A parameter of the wrong
//! type is refused with its path named, and so is a parameter the route does not take: every
//! parameter struct denies unknown fields, so that a filter is applied or refused, never
//! silently dropped.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::error::ApiError;

/// The largest request body accepted.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// Typed request parameters.
#[derive(Debug)]
pub struct Params<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Params<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        parse(request_json(request, state).await?).map(Params)
    }
}

/// A list's parameters: its filters, and apart from them the page asked for.
#[derive(Debug)]
pub struct Listed<T>(pub T, pub Page);

/// The page parameters every paged list takes.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Page {
    #[serde(default, deserialize_with = "number")]
    pub limit: Option<u32>,
    pub page_cursor: Option<String>,
}

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Listed<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        let mut filters = request_json(request, state).await?;
        let mut page = Map::new();
        if let Value::Object(given) = &mut filters {
            for name in ["limit", "page_cursor"] {
                if let Some(value) = given.remove(name) {
                    page.insert(name.to_owned(), value);
                }
            }
        }
        Ok(Listed(parse(filters)?, parse(Value::Object(page))?))
    }
}

/// The request's parameters as one JSON object, from its body or its query string.
async fn request_json<S: Send + Sync>(request: Request, state: &S) -> Result<Value, ApiError> {
    let query = request.uri().query().unwrap_or_default().to_owned();
    let body = Bytes::from_request(request, state)
        .await
        .map_err(|rejection| {
            if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::too_large(MAX_BODY_BYTES)
            } else {
                ApiError::invalid_input("body", rejection.body_text())
            }
        })?;
    let value = if body.iter().all(u8::is_ascii_whitespace) {
        query_to_json(&query)
    } else {
        serde_json::from_slice(&body).map_err(|error| {
            ApiError::invalid_input("body", format!("is not valid JSON ({error})"))
        })?
    };
    if !value.is_object() {
        return Err(ApiError::invalid_input("body", "must be a JSON object"));
    }
    Ok(value)
}

/// Deserializes `value`, naming the parameter at fault on error.
pub fn parse<T: DeserializeOwned>(value: Value) -> Result<T, ApiError> {
    serde_path_to_error::deserialize(value).map_err(|error| {
        let path = error.path().to_string();
        let inner = error.inner().to_string();
        if let Some((name, expected)) = unknown_field(&inner) {
            let field = if path == "." {
                name.to_owned()
            } else if path.ends_with(name) {
                // Nested (`schedule[0].zone`): the whole path names it.
                path.clone()
            } else {
                format!("{path}.{name}")
            };
            return ApiError::invalid_input(
                &field,
                format!("is not a parameter this route takes or applies; {expected}"),
            );
        }
        let field = if path == "." { "body".to_owned() } else { path };
        ApiError::invalid_input(&field, inner)
    })
}

/// serde's "unknown field `x`, expected one of `a`, `b`" as (`x`, "expected one of …").
fn unknown_field(message: &str) -> Option<(&str, &str)> {
    let rest = message.strip_prefix("unknown field `")?;
    let (name, expected) = rest.split_once('`')?;
    let expected = expected.trim_start_matches(',').trim();
    Some((name, expected))
}

/// The SDK's query form as JSON: `a.b=x` nests and a repeated name is an array. The SDK
/// sends an empty value for `null` and for an empty array; both read as "not given". Its
/// `_strict=true` asks Seam for strict parsing, which is the only parsing here: it is not a
/// parameter.
fn query_to_json(query: &str) -> Value {
    let mut root = Map::new();
    for (name, value) in form_pairs(query) {
        if name == "_strict" {
            continue;
        }
        let mut path: Vec<&str> = name.split('.').collect();
        let Some(last) = path.pop() else { continue };
        let mut node = &mut root;
        for part in path {
            let entry = node
                .entry(part.to_owned())
                .or_insert_with(|| Value::Object(Map::new()));
            if !entry.is_object() {
                *entry = Value::Object(Map::new());
            }
            let Value::Object(map) = entry else {
                unreachable!("made an object above")
            };
            node = map;
        }
        match node.get_mut(last) {
            None if value.is_empty() => {
                node.insert(last.to_owned(), Value::Null);
            }
            None => {
                node.insert(last.to_owned(), Value::String(value));
            }
            Some(Value::Array(items)) => items.push(Value::String(value)),
            Some(existing) => {
                let first = existing.take();
                *existing = Value::Array(vec![first, Value::String(value)]);
            }
        }
    }
    Value::Object(root)
}

fn form_pairs(query: &str) -> Vec<(String, String)> {
    form_urlencoded::parse(query.as_bytes())
        .map(|(name, value)| (name.into_owned(), value.into_owned()))
        .collect()
}

/// A whole number given as a JSON number or, from a query string, as text.
pub fn number<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<u32>, D::Error> {
    // Read any value first, so that a negative or fractional number is refused with a
    // message naming what was found (an untagged enum only says no variant matched).
    let whole = |value: &Value| match value {
        Value::Number(number) => number.as_u64().and_then(|n| u32::try_from(n).ok()),
        Value::String(text) => text.parse().ok(),
        _ => None,
    };
    match Option::<Value>::deserialize(deserializer)? {
        None | Some(Value::Null) => Ok(None),
        Some(value) => whole(&value).map(Some).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "expected a whole number from 0 to {}, found {value}",
                u32::MAX
            ))
        }),
    }
}

/// A list of ids: a JSON array, or from a query string the repeated name, which reads as a
/// plain string when the list has one item.
pub fn ids<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Vec<uuid::Uuid>>, D::Error> {
    let items = match <Option<Value> as serde::Deserialize>::deserialize(deserializer)? {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Array(items)) => items,
        Some(one) => vec![one],
    };
    items
        .into_iter()
        .map(|item| serde_json::from_value(item).map_err(serde::de::Error::custom))
        .collect::<Result<Vec<uuid::Uuid>, _>>()
        .map(Some)
}
