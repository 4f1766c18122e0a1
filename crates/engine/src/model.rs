//! The nouns of the reservation model (`docs/domain.md`).

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub type AccessSystemId = Uuid;
pub type SpaceId = Uuid;
pub type EntranceId = Uuid;
pub type UserIdentityId = Uuid;
pub type AccessGrantId = Uuid;
pub type AccessMethodId = Uuid;
pub type ReservationId = Uuid;

/// One lock vendor installation. Override-based kinds decide offline from the card.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccessSystemKind {
    VisionlineSystem,
    DormakabaAmbianceSite,
    DormakabaCommunitySite,
    AssaAbloyVostio,
    BrivoAccount,
    AvigilonAltaOrg,
}

impl AccessSystemKind {
    pub const ALL: [AccessSystemKind; 6] = [
        Self::VisionlineSystem,
        Self::DormakabaAmbianceSite,
        Self::DormakabaCommunitySite,
        Self::AssaAbloyVostio,
        Self::BrivoAccount,
        Self::AvigilonAltaOrg,
    ];

    /// Offline systems whose guest credentials override earlier ones.
    pub fn is_override_based(self) -> bool {
        matches!(
            self,
            Self::VisionlineSystem
                | Self::DormakabaAmbianceSite
                | Self::DormakabaCommunitySite
                | Self::AssaAbloyVostio
        )
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::VisionlineSystem => "visionline_system",
            Self::DormakabaAmbianceSite => "dormakaba_ambiance_site",
            Self::DormakabaCommunitySite => "dormakaba_community_site",
            Self::AssaAbloyVostio => "assa_abloy_vostio",
            Self::BrivoAccount => "brivo_account",
            Self::AvigilonAltaOrg => "avigilon_alta_org",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == text)
    }
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SpaceKind {
    GuestRoom,
    Suite,
    Unit,
    Common,
}

impl SpaceKind {
    pub const ALL: [SpaceKind; 4] = [Self::GuestRoom, Self::Suite, Self::Unit, Self::Common];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::GuestRoom => "guest_room",
            Self::Suite => "suite",
            Self::Unit => "unit",
            Self::Common => "common",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == text)
    }
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccessMode {
    Card,
    MobileKey,
    Code,
}

impl AccessMode {
    pub const ALL: [AccessMode; 3] = [Self::Card, Self::MobileKey, Self::Code];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Card => "card",
            Self::MobileKey => "mobile_key",
            Self::Code => "code",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|mode| mode.as_str() == text)
    }
}

impl fmt::Display for AccessMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Who a credential is for. Staff credentials live on their own track.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UserKind {
    Guest,
    Resident,
    Staff,
}

impl UserKind {
    pub const ALL: [UserKind; 3] = [Self::Guest, Self::Resident, Self::Staff];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Guest => "guest",
            Self::Resident => "resident",
            Self::Staff => "staff",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == text)
    }
}

/// The end of a grant that has none: a staff member's standing access, a lease without an end
/// date. It is the last second the rules accept (9999-12-31T23:59:59Z), a real instant
/// rather than a missing value, so that everything that compares ends (half-open overlap,
/// rule 4, the reservation's span, the lock's expiry check, the card's `valid_until`, the
/// store's text order) treats an open end as later than every other end: as +infinity.
/// The API answers `null` for it and the desk shows "no end" ([`shown_end`]).
pub const OPEN_END: DateTime<Utc> = match DateTime::from_timestamp(253_402_300_799, 0) {
    Some(instant) => instant,
    None => panic!("the open end is a valid instant"),
};

/// An end as the outside sees it: `None` for an open end.
pub fn shown_end(ends_at: DateTime<Utc>) -> Option<DateTime<Utc>> {
    (ends_at < OPEN_END).then_some(ends_at)
}

/// Writes an end as [`shown_end`] gives it, `null` when open: for the views the desk shows
/// (`#[serde(serialize_with = "engine::model::serialize_end")]`).
pub fn serialize_end<S: serde::Serializer>(
    ends_at: &DateTime<Utc>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    shown_end(*ends_at).serialize(serializer)
}

/// For messages: `ends_at` in `format` (a chrono format string), or `open` for an open end.
pub fn end_text(ends_at: DateTime<Utc>, format: &str, open: &str) -> String {
    shown_end(ends_at).map_or_else(|| open.to_owned(), |end| end.format(format).to_string())
}

/// A half-open interval `[starts_at, ends_at)`: a stay ending at 11:00 and one starting at
/// 11:00 do not overlap. An open-ended frame ends at [`OPEN_END`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TimeFrame {
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
}

impl TimeFrame {
    pub fn new(starts_at: DateTime<Utc>, ends_at: DateTime<Utc>) -> Self {
        Self { starts_at, ends_at }
    }

    /// A frame with no end when `ends_at` is `None`.
    pub fn until(starts_at: DateTime<Utc>, ends_at: Option<DateTime<Utc>>) -> Self {
        Self::new(starts_at, ends_at.unwrap_or(OPEN_END))
    }

    pub fn is_open_ended(&self) -> bool {
        shown_end(self.ends_at).is_none()
    }

    pub fn overlaps(&self, other: &TimeFrame) -> bool {
        self.starts_at < other.ends_at && other.starts_at < self.ends_at
    }

    pub fn contains(&self, instant: DateTime<Utc>) -> bool {
        self.starts_at <= instant && instant < self.ends_at
    }

    /// The smallest frame covering both.
    pub fn union(&self, other: &TimeFrame) -> TimeFrame {
        TimeFrame {
            starts_at: self.starts_at.min(other.starts_at),
            ends_at: self.ends_at.max(other.ends_at),
        }
    }
}

/// What the rules need to know about one targeted entrance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntranceFacts {
    pub id: EntranceId,
    pub name: String,
    pub system_kind: AccessSystemKind,
    pub can_belong_to_reservation: bool,
    pub modes: Vec<AccessMode>,
}

/// One requested access method, as given by the caller.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestedAccessMethod {
    pub mode: AccessMode,
    /// A PIN asked for by the caller, for `code`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
}
