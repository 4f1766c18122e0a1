//! Instants as stored: RFC 3339 in UTC with milliseconds, so that text order is time order.

use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::Row;

use crate::error::{Error, Result};

pub(crate) fn to_text(instant: DateTime<Utc>) -> String {
    instant.to_rfc3339_opts(SecondsFormat::Millis, true)
}

pub(crate) fn from_text(text: &str) -> Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .map(|instant| instant.with_timezone(&Utc))
        .map_err(|e| Error::corrupt(format!("instant {text:?}: {e}")))
}

pub(crate) fn column(row: &Row<'_>, index: usize) -> Result<DateTime<Utc>> {
    from_text(&row.get::<_, String>(index)?)
}

pub(crate) fn optional_column(row: &Row<'_>, index: usize) -> Result<Option<DateTime<Utc>>> {
    row.get::<_, Option<String>>(index)?
        .as_deref()
        .map(from_text)
        .transpose()
}
