//! Arguments as people and programs type them, and as they should not.

use chrono::{DateTime, Datelike, Days, Duration, NaiveDate, Utc};
use frontdesk::NewGuest;
use proptest::prelude::*;
use proptest::sample::Index;
use uuid::Uuid;

use super::{Made, Plastic, Who};

/// Text as people and programs type it, and as they should not.
pub(super) fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[A-Za-z][A-Za-z .'-]{0,30}",
        2 => any::<String>(),
        1 => "[\\x00-\\x1f\\x7f\\u{200b}\\u{202e}a-z]{0,12}",
        1 => (1_000usize..200_000).prop_map(|length| "x".repeat(length)),
        1 => Just(String::new()),
    ]
}

/// Instants from year -262,143 to year 262,142 (the first and last a date can hold),
/// clustered around now where the rules decide, and within two hours of either end, where a
/// time zone's offset leaves the calendar.
pub(super) fn instant(now: DateTime<Utc>) -> impl Strategy<Value = DateTime<Utc>> {
    let earliest = DateTime::<Utc>::MIN_UTC.timestamp();
    let latest = DateTime::<Utc>::MAX_UTC.timestamp();
    prop_oneof![
        8 => (-3i64 * 24..30 * 24).prop_map(move |hours| now + Duration::hours(hours)),
        2 => (earliest..latest)
            .prop_map(|seconds| DateTime::from_timestamp(seconds, 0).unwrap_or_default()),
        1 => (0i64..7200, any::<bool>()).prop_map(|(seconds, last)| if last {
            DateTime::<Utc>::MAX_UTC - Duration::seconds(seconds)
        } else {
            DateTime::<Utc>::MIN_UTC + Duration::seconds(seconds)
        }),
    ]
}

/// A stay's or a staff card's time: mostly as the desk's forms make it, else any two instants.
pub(super) fn frame(now: DateTime<Utc>) -> impl Strategy<Value = (DateTime<Utc>, DateTime<Utc>)> {
    prop_oneof![
        2 => (-48i64..48, 1i64..24 * 400).prop_map(move |(from, hours)| {
            let starts_at = now + Duration::hours(from);
            (starts_at, starts_at + Duration::hours(hours))
        }),
        1 => (instant(now), instant(now)),
    ]
}

/// Days around today, any day from the calendar's first to its last, and days near either
/// end.
pub(super) fn day(today: NaiveDate) -> impl Strategy<Value = NaiveDate> {
    let first = NaiveDate::MIN.num_days_from_ce();
    let last = NaiveDate::MAX.num_days_from_ce();
    prop_oneof![
        4 => (-400i64..400).prop_map(move |offset| {
            let days = Days::new(offset.unsigned_abs());
            if offset < 0 { today - days } else { today + days }
        }),
        1 => (first..=last)
            .prop_map(|days| NaiveDate::from_num_days_from_ce_opt(days).unwrap_or_default()),
        1 => (0u64..100, any::<bool>()).prop_map(|(days, last)| if last {
            NaiveDate::MAX - Days::new(days)
        } else {
            NaiveDate::MIN + Days::new(days)
        }),
    ]
}

pub(super) fn count() -> impl Strategy<Value = u32> {
    prop_oneof![4 => 0u32..4, 1 => any::<u32>()]
}

/// One of the desk's real ids (by index into the ones given), or one nothing has.
pub(super) fn pick_id(known: &[Uuid]) -> impl Strategy<Value = Uuid> + use<> {
    let known = known.to_vec();
    prop_oneof![
        3 => (0..known.len()).prop_map(move |index| known[index]),
        1 => any::<u128>().prop_map(Uuid::from_u128),
    ]
}

/// A reservation key of a stay made earlier in the run, or text.
pub(super) fn pick_key() -> impl Strategy<Value = Option<String>> {
    prop_oneof![3 => Just(None), 1 => text().prop_map(Some)]
}

pub(super) fn made() -> impl Strategy<Value = Made> {
    prop_oneof![
        4 => any::<Index>().prop_map(Made::Fitting),
        1 => any::<Index>().prop_map(Made::Other),
        1 => any::<u128>().prop_map(Made::Unknown),
    ]
}

pub(super) fn plastic() -> impl Strategy<Value = Plastic> {
    prop_oneof![
        3 => made().prop_map(Plastic::Made),
        1 => prop_oneof![text(), "[0-9A-F]{8,14}"].prop_map(Plastic::Typed),
    ]
}

pub(super) fn guest() -> impl Strategy<Value = NewGuest> {
    (text(), prop::option::of(text()), prop::option::of(text())).prop_map(
        |(full_name, email_address, phone_number)| NewGuest {
            full_name,
            email_address,
            phone_number,
        },
    )
}

pub(super) fn who() -> impl Strategy<Value = Who> {
    prop_oneof![3 => Just(Who::Manager), 1 => Just(Who::Receptionist)]
}
