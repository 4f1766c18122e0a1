//! Finding stays, future, current and past, by a guest's name, a reservation key or a room.

use std::collections::BTreeMap;

use chrono::{DateTime, TimeDelta, Utc};
use engine::model::SpaceId;
use serde::Serialize;
use store::{StayRow, StaySearchHit};

use crate::operators::{Operator, Permission};
use crate::timeline::{StayStatus, held, live_status};
use crate::{FrontDesk, Result};

/// The most stays a search answers.
pub const MAX_FOUND_STAYS: usize = 50;
/// The shortest query searched: one letter would match most guests.
const MIN_QUERY_CHARS: usize = 2;
/// The shortest query a reservation key is found by the start of: shorter ones ("sta" for
/// Stacy) would read every key the desk made up ("stay-…"), so they find a whole key only.
const KEY_PREFIX_CHARS: usize = 8;

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FoundStay {
    pub reservation_key: String,
    /// The room it is in, or was in last.
    pub space_id: SpaceId,
    pub room_name: String,
    pub starts_at: DateTime<Utc>,
    /// When it ends, or ended at check-out; `null` when open-ended.
    #[serde(serialize_with = "engine::model::serialize_end")]
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub ends_at: DateTime<Utc>,
    pub guests: Vec<String>,
    /// `upcoming`, `in_house` or `checked_out`.
    pub status: StayStatus,
}

impl FrontDesk {
    /// Stays whose guest's name has every word of `query` (case and accents aside), whose
    /// reservation key is it or (from 8 characters) starts with it, or whose room is named by it ("102", "Room 102"); at
    /// most [`MAX_FOUND_STAYS`], nearest to `now` first. Cancelled stays (ended before they
    /// started) are left out.
    pub fn find_stays(
        &self,
        operator: &Operator,
        query: &str,
        now: DateTime<Utc>,
    ) -> Result<Vec<FoundStay>> {
        operator.require(Permission::FrontDesk)?;
        let folded = fold(query);
        if folded.chars().filter(|c| *c != ' ').count() < MIN_QUERY_CHARS {
            return Err(crate::Error::invalid(
                "query",
                format!("type at least {MIN_QUERY_CHARS} letters or digits"),
            ));
        }
        let words: Vec<&str> = folded.split(' ').collect();
        self.store.read(|r| {
            let mut hits = Vec::new();
            for (user, name) in r.guest_names()? {
                let name = fold(&name);
                if words.iter().all(|word| name.contains(word)) {
                    hits.extend(r.stay_hits_of_guest(user)?);
                }
            }
            for space in r.space_summaries()? {
                let name = fold(&space.name);
                if space.kind != engine::model::SpaceKind::Common
                    && (name == folded
                        || name.ends_with(&format!(" {folded}"))
                        || fold(&space.key) == folded)
                {
                    hits.extend(r.stay_hits_of_room(space.id)?);
                }
            }
            let key = query.trim();
            if key.chars().count() >= KEY_PREFIX_CHARS {
                hits.extend(r.stay_hits_of_key_prefix(key)?);
            } else {
                hits.extend(r.stay_hits_of_key(key)?);
            }

            let mut nearest: BTreeMap<String, TimeDelta> = BTreeMap::new();
            for hit in &hits {
                let Some(distance) = distance(hit, now) else {
                    continue;
                };
                nearest
                    .entry(hit.reservation_key.clone())
                    .and_modify(|best| *best = (*best).min(distance))
                    .or_insert(distance);
            }
            let mut keys: Vec<(TimeDelta, String)> = nearest
                .into_iter()
                .map(|(key, distance)| (distance, key))
                .collect();
            keys.sort();
            let mut found = Vec::new();
            for (_, key) in keys {
                if found.len() == MAX_FOUND_STAYS {
                    break;
                }
                let rows = r.stay_rows_of_key(&key, now)?;
                if let Some(stay) = found_stay(r, &key, rows, now)? {
                    found.push(stay);
                }
            }
            Ok(found)
        })
    }
}

/// How far a grant's time is from `now`: nothing while it runs. `None` for a grant deleted
/// before it started.
fn distance(hit: &StaySearchHit, now: DateTime<Utc>) -> Option<TimeDelta> {
    let ends_at = hit
        .deleted_at
        .map_or(hit.ends_at, |deleted| deleted.min(hit.ends_at));
    if ends_at <= hit.starts_at {
        return None;
    }
    Some(if now < hit.starts_at {
        hit.starts_at - now
    } else if ends_at <= now {
        now - ends_at
    } else {
        TimeDelta::zero()
    })
}

/// A stay from every grant its key ever had: its live grants while it lasts, else the
/// grants it had when it was checked out.
pub(crate) fn found_stay(
    r: &store::Reader<'_>,
    key: &str,
    rows: Vec<StayRow>,
    now: DateTime<Utc>,
) -> Result<Option<FoundStay>> {
    let live: Vec<&StayRow> = rows.iter().filter(|row| row.deleted_at.is_none()).collect();
    let (current, status) = if live.is_empty() {
        let Some(last) = rows.iter().filter_map(|row| row.deleted_at).max() else {
            return Ok(None);
        };
        let closing: Vec<&StayRow> = rows
            .iter()
            .filter(|row| row.deleted_at == Some(last) && held(row).is_some())
            .collect();
        (closing, StayStatus::CheckedOut)
    } else {
        let starts_at = live.iter().map(|row| row.starts_at).min();
        (
            live,
            starts_at.map_or(StayStatus::InHouse, |start| live_status(start, now)),
        )
    };
    let Some(first) = current.first() else {
        return Ok(None);
    };
    let starts_at = current
        .iter()
        .map(|row| row.starts_at)
        .min()
        .unwrap_or(first.starts_at);
    let ends_at = current
        .iter()
        .filter_map(|row| held(row).map(|(_, end)| end))
        .max()
        .unwrap_or(first.ends_at);
    let mut guests: Vec<String> = Vec::new();
    for row in &current {
        let name = row.full_name.clone().unwrap_or_else(|| "Guest".to_owned());
        if !guests.contains(&name) {
            guests.push(name);
        }
    }
    let room_name = r
        .space(first.space_id)?
        .map_or_else(String::new, |space| space.name);
    Ok(Some(FoundStay {
        reservation_key: key.to_owned(),
        space_id: first.space_id,
        room_name,
        starts_at,
        ends_at,
        guests,
        status,
    }))
}

/// Lower case, accents off, spaces squeezed, as the desk's search does ("  José  Ñúñez" →
/// "jose nunez").
pub(crate) fn fold(text: &str) -> String {
    let mut folded = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !folded.is_empty() {
            folded.push(' ');
        }
        for c in word.chars().flat_map(char::to_lowercase) {
            folded.push(without_accent(c));
        }
    }
    folded
}

/// The letter under a Latin accent (the accents of the names a desk meets); other
/// characters as they are.
fn without_accent(c: char) -> char {
    const ACCENTED: [(&str, char); 15] = [
        ("àáâãäåāăą", 'a'),
        ("çćĉċč", 'c'),
        ("ďđ", 'd'),
        ("èéêëēĕėęě", 'e'),
        ("ĝğġģ", 'g'),
        ("ìíîïĩīĭįı", 'i'),
        ("ķ", 'k'),
        ("ĺļľŀł", 'l'),
        ("ñńņňŉ", 'n'),
        ("òóôõöøōŏő", 'o'),
        ("ŕŗř", 'r'),
        ("śŝşšș", 's'),
        ("ùúûüũūŭůűų", 'u'),
        ("ýÿŷ", 'y'),
        ("źżž", 'z'),
    ];
    if c.is_ascii() {
        return c;
    }
    for (letters, base) in ACCENTED {
        if letters.contains(c) {
            return base;
        }
    }
    match c {
        'ţ' | 'ť' | 'ț' => 't',
        'ŵ' => 'w',
        _ => c,
    }
}

#[cfg(test)]
mod tests {
    use super::fold;

    #[test]
    fn fold_takes_case_accents_and_extra_spaces_off() {
        assert_eq!(fold("  José  Ñúñez "), "jose nunez");
        assert_eq!(fold("ÇAĞRI Şahin"), "cagri sahin");
        assert_eq!(fold("Zoë Łukasz"), "zoe lukasz");
    }
}
