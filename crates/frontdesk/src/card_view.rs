//! A card as the desk shows it: what the UI receives of a stay's or a staff entry's card,
//! apart from how the store keeps it.

use chrono::{DateTime, Utc};
use engine::model::{AccessGrantId, AccessMethodId, AccessMode, EntranceId};
use engine::warnings::WarningCode;
use serde::Serialize;

use crate::{AccessMethodRecord, StoredWarning};

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CardView {
    pub id: AccessMethodId,
    pub access_grant_id: AccessGrantId,
    pub mode: AccessMode,
    /// 1 for a grant's first card, 2 for the next copy, and so on.
    pub copy_number: Option<u32>,
    pub created_at: DateTime<Utc>,
    pub issued_at: Option<DateTime<Utc>>,
    /// The plastic's UID, once encoded.
    pub card_id: Option<String>,
    pub is_encoding_required: bool,
    pub revoked_at: Option<DateTime<Utc>>,
    pub collected_at: Option<DateTime<Utc>>,
    /// Reported lost: it will not come back, and the stay's next card overrides it.
    pub lost_at: Option<DateTime<Utc>>,
    pub warnings: Vec<WarningNote>,
}

impl CardView {
    pub fn is_issued(&self) -> bool {
        self.issued_at.is_some()
    }
}

impl From<AccessMethodRecord> for CardView {
    fn from(record: AccessMethodRecord) -> Self {
        Self {
            id: record.id,
            access_grant_id: record.access_grant_id,
            mode: record.mode,
            copy_number: record.copy_number,
            created_at: record.created_at,
            issued_at: record.issued_at,
            card_id: record.card_id,
            is_encoding_required: record.is_encoding_required,
            revoked_at: record.revoked_at,
            collected_at: record.collected_at,
            lost_at: record.lost_at,
            warnings: record.warnings.into_iter().map(WarningNote::from).collect(),
        }
    }
}

/// A warning on a grant or a card, as the desk shows it.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WarningNote {
    pub code: WarningCode,
    pub message: String,
    pub access_method_id: Option<AccessMethodId>,
    pub entrance_id: Option<EntranceId>,
    pub created_at: DateTime<Utc>,
    /// When what the warning is about stops being true at the latest (a card's end).
    pub expires_at: Option<DateTime<Utc>>,
}

impl From<StoredWarning> for WarningNote {
    fn from(warning: StoredWarning) -> Self {
        Self {
            code: warning.code,
            message: warning.message,
            access_method_id: warning.access_method_id,
            entrance_id: warning.entrance_id,
            created_at: warning.created_at,
            expires_at: warning.expires_at,
        }
    }
}
