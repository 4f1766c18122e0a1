//! Instants and names in the receptionist's words, in the property's time zone.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use store::Reader;

use crate::Result;

/// The property's time zone (UTC if it names none the desk knows).
pub(crate) fn property_zone(r: &Reader<'_>) -> Result<Tz> {
    Ok(r.property()?
        .and_then(|property| property.time_zone.parse().ok())
        .unwrap_or(chrono_tz::UTC))
}

/// An instant as the desk says it: "7 Dec 15:00", in the property's time zone.
pub(crate) fn local_when(zone: Tz, instant: DateTime<Utc>) -> String {
    instant
        .with_timezone(&zone)
        .format("%-d %b %H:%M")
        .to_string()
}

/// What a guest is called whose name the PMS did not send: "Reservation 4711".
pub(crate) fn unnamed_guest(reservation_key: &str) -> String {
    format!("{UNNAMED_GUEST}{reservation_key}")
}

const UNNAMED_GUEST: &str = "Reservation ";

/// "Tom" of "Tom Morrow"; all of "Reservation 4711", which is no one's name.
pub(crate) fn first_name(full_name: &str) -> String {
    if full_name.starts_with(UNNAMED_GUEST) {
        return full_name.to_owned();
    }
    full_name
        .split_whitespace()
        .next()
        .unwrap_or(full_name)
        .to_owned()
}

/// `Ann`, `Ann and Tom`, `Ann, Tom and Eva`.
pub(crate) fn names_in_words(names: &[String]) -> String {
    match names {
        [] => "the guest".to_owned(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}
