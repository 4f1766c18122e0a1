//! What the store hands back: rows joined into whole records.

use chrono::{DateTime, Utc};
use engine::model::{
    AccessGrantId, AccessMethodId, AccessMode, AccessSystemId, AccessSystemKind, EntranceId,
    RequestedAccessMethod, ReservationId, SpaceId, SpaceKind, TimeFrame, UserIdentityId, UserKind,
};
use engine::staff::StaffTerms;
use engine::warnings::WarningCode;
use serde::Serialize;
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PropertyRecord {
    pub id: Uuid,
    pub name: String,
    pub time_zone: String,
    /// How the property writes dates (`en-GB`); see the property file's `locale`.
    pub locale: String,
    pub imported_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccessSystemRecord {
    pub id: AccessSystemId,
    pub key: String,
    pub name: String,
    pub kind: AccessSystemKind,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SpaceRecord {
    pub id: SpaceId,
    pub key: String,
    pub name: String,
    pub floor: Option<i32>,
    pub kind: SpaceKind,
    pub entrance_ids: Vec<EntranceId>,
    pub created_at: DateTime<Utc>,
}

/// A space as a list of rooms shows it: without its doors or dates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpaceSummary {
    pub id: SpaceId,
    pub key: String,
    pub name: String,
    pub floor: Option<i32>,
    pub kind: SpaceKind,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EntranceRecord {
    pub id: EntranceId,
    pub key: String,
    pub name: String,
    pub access_system_id: AccessSystemId,
    pub access_system_kind: AccessSystemKind,
    pub space_ids: Vec<SpaceId>,
    pub can_belong_to_reservation: bool,
    pub modes: Vec<AccessMode>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UserIdentityRecord {
    pub id: UserIdentityId,
    pub key: Option<String>,
    pub full_name: Option<String>,
    pub email_address: Option<String>,
    pub phone_number: Option<String>,
    pub kind: UserKind,
    pub created_at: DateTime<Utc>,
}

/// A warning as stored on a grant or one of its access methods.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredWarning {
    pub code: WarningCode,
    pub message: String,
    pub access_method_id: Option<AccessMethodId>,
    pub entrance_id: Option<EntranceId>,
    pub created_at: DateTime<Utc>,
    /// When what the warning is about stops being true at the latest (a card's end).
    pub expires_at: Option<DateTime<Utc>>,
}

impl StoredWarning {
    /// Whether the warning still holds at `now`.
    pub fn is_current(&self, now: DateTime<Utc>) -> bool {
        self.expires_at.is_none_or(|expires_at| now < expires_at)
    }
}

/// One entrance of an access grant.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct GrantEntrance {
    pub entrance_id: EntranceId,
    /// One of the doors of the grant's reservation: its cards carry the reservation's override
    /// sequence for it. False for standard access (common areas, grants without a key).
    pub reservation_door: bool,
    /// The reservation's sequence for this door, once the first card carrying the door was
    /// encoded; always `None` on a door that is not a reservation door.
    pub sequence: Option<u32>,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccessGrantRecord {
    pub id: AccessGrantId,
    pub user_identity_id: UserIdentityId,
    pub reservation_key: Option<String>,
    pub reservation_id: Option<ReservationId>,
    pub name: Option<String>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub requested_access_methods: Vec<RequestedAccessMethod>,
    /// The spaces the grant was asked for by.
    pub space_ids: Vec<SpaceId>,
    /// Every targeted entrance, ordered by key.
    pub entrances: Vec<GrantEntrance>,
    pub access_method_ids: Vec<AccessMethodId>,
    pub created_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
    /// Warnings on the grant itself and on its access methods.
    pub warnings: Vec<StoredWarning>,
    /// A staff grant's level and schedule, when it was given one.
    pub staff_terms: Option<StaffTerms>,
    /// Its cards open each of its doors once.
    pub one_shot: bool,
}

impl AccessGrantRecord {
    pub fn frame(&self) -> TimeFrame {
        TimeFrame::new(self.starts_at, self.ends_at)
    }

    pub fn entrance_ids(&self) -> Vec<EntranceId> {
        self.entrances
            .iter()
            .map(|entrance| entrance.entrance_id)
            .collect()
    }

    /// The grant's doors that belong to its reservation (override-based).
    pub fn reservation_door_ids(&self) -> Vec<EntranceId> {
        self.entrances
            .iter()
            .filter(|entrance| entrance.reservation_door)
            .map(|entrance| entrance.entrance_id)
            .collect()
    }

    pub fn is_live(&self) -> bool {
        self.deleted_at.is_none()
    }
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccessMethodRecord {
    pub id: AccessMethodId,
    pub access_grant_id: AccessGrantId,
    /// Index into the grant's requested access methods.
    pub request_index: u32,
    pub mode: AccessMode,
    pub code: Option<String>,
    /// Cards: 1 for a grant's first card, 2 for the next copy, and so on.
    pub copy_number: Option<u32>,
    pub created_at: DateTime<Utc>,
    pub issued_at: Option<DateTime<Utc>>,
    pub card_id: Option<String>,
    pub is_encoding_required: bool,
    pub revoked_at: Option<DateTime<Utc>>,
    pub collected_at: Option<DateTime<Utc>>,
    /// Reported lost: it will not come back, and the stay's next card overrides it.
    pub lost_at: Option<DateTime<Utc>>,
    pub warnings: Vec<StoredWarning>,
}

impl AccessMethodRecord {
    pub fn is_issued(&self) -> bool {
        self.issued_at.is_some()
    }
}
