//! The front desk's records in the shapes of Seam's Connect API (`docs/api.md`): every field
//! Seam's published schema requires is present, with an honest empty (`[]`, `null`, `""`)
//! where the front desk has no such thing. Fields that Seam does not have are our extensions
//! and are named so. Seam's connected account is the account a system is reached through;
//! here each access system stands for its own, so `connected_account_id` is the system's id.

use chrono::{DateTime, SecondsFormat, Utc};
use engine::model::{AccessMode, RequestedAccessMethod};
use frontdesk::{
    AccessGrantRecord, AccessMethodRecord, AccessSystemRecord, EntranceRecord, PropertyRecord,
    SpaceRecord, StoredWarning, UserIdentityRecord,
};
use serde::Serialize;
use uuid::Uuid;

/// Seam's instants: RFC 3339 in UTC with milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Instant(pub DateTime<Utc>);

impl Serialize for Instant {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0.to_rfc3339_opts(SecondsFormat::Millis, true))
    }
}

#[derive(Debug, Serialize)]
pub struct Warning {
    pub warning_code: String,
    pub message: String,
    pub created_at: Instant,
}

impl From<&StoredWarning> for Warning {
    fn from(warning: &StoredWarning) -> Self {
        Self {
            warning_code: warning.code.as_str().to_owned(),
            message: warning.message.clone(),
            created_at: Instant(warning.created_at),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct RequestedMethod {
    pub display_name: String,
    pub mode: AccessMode,
    pub created_at: Instant,
    pub created_access_method_ids: Vec<Uuid>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct AccessGrant {
    pub access_grant_id: Uuid,
    pub workspace_id: Uuid,
    /// Absent for standard access, as in Seam's schema (a text when given, never `null`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reservation_key: Option<String>,
    pub user_identity_id: Uuid,
    pub space_ids: Vec<Uuid>,
    pub acs_entrance_ids: Vec<Uuid>,
    pub device_ids: Vec<Uuid>,
    /// Seam's deprecated locations: none here.
    pub location_ids: Vec<Uuid>,
    pub requested_access_methods: Vec<RequestedMethod>,
    pub access_method_ids: Vec<Uuid>,
    pub name: Option<String>,
    pub display_name: String,
    pub created_at: Instant,
    pub starts_at: Instant,
    /// `null` for an open-ended grant.
    pub ends_at: Option<Instant>,
    pub warnings: Vec<Warning>,
    pub errors: Vec<serde_json::Value>,
    /// Changes Seam is still making on devices; a change here is made when it is answered.
    pub pending_mutations: Vec<serde_json::Value>,
    /// Ours: a staff grant's level, floors and schedule, when it was given them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub staff_level: Option<engine::lock::StaffLevel>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub floors: Vec<i32>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub schedule: Vec<engine::staff::ScheduleWindow>,
    /// Ours: it opens each of its doors once, to whichever of its cards is used first.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub one_shot: bool,
}

impl AccessGrant {
    /// `methods` are the grant's access methods, to say which request made which; the
    /// warnings are those that hold at `now`.
    pub fn new(
        grant: &AccessGrantRecord,
        methods: &[AccessMethodRecord],
        workspace_id: Uuid,
        now: DateTime<Utc>,
    ) -> Self {
        let requested = grant
            .requested_access_methods
            .iter()
            .zip(0u32..)
            .map(
                |(request, index): (&RequestedAccessMethod, u32)| RequestedMethod {
                    display_name: mode_name(request.mode).to_owned(),
                    mode: request.mode,
                    created_at: Instant(grant.created_at),
                    created_access_method_ids: methods
                        .iter()
                        .filter(|method| method.request_index == index)
                        .map(|method| method.id)
                        .collect(),
                    code: request.code.clone(),
                },
            )
            .collect();
        Self {
            access_grant_id: grant.id,
            workspace_id,
            reservation_key: grant.reservation_key.clone(),
            user_identity_id: grant.user_identity_id,
            space_ids: grant.space_ids.clone(),
            acs_entrance_ids: grant.entrance_ids(),
            device_ids: Vec::new(),
            location_ids: Vec::new(),
            requested_access_methods: requested,
            // Live methods only: `methods` leaves out the revoked ones.
            access_method_ids: grant
                .access_method_ids
                .iter()
                .copied()
                .filter(|id| methods.iter().any(|method| method.id == *id))
                .collect(),
            name: grant.name.clone(),
            display_name: grant
                .name
                .clone()
                .or_else(|| grant.reservation_key.clone())
                .unwrap_or_else(|| "Access grant".to_owned()),
            created_at: Instant(grant.created_at),
            starts_at: Instant(grant.starts_at),
            ends_at: engine::model::shown_end(grant.ends_at).map(Instant),
            warnings: grant
                .warnings
                .iter()
                .filter(|warning| warning.access_method_id.is_none() && warning.is_current(now))
                .map(Warning::from)
                .collect(),
            errors: Vec::new(),
            pending_mutations: Vec::new(),
            staff_level: grant.staff_terms.as_ref().map(|terms| terms.level),
            floors: grant
                .staff_terms
                .as_ref()
                .map(|terms| terms.floors.clone())
                .unwrap_or_default(),
            schedule: grant
                .staff_terms
                .as_ref()
                .map(|terms| terms.schedule.clone())
                .unwrap_or_default(),
            one_shot: grant.one_shot,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct AccessMethod {
    pub access_method_id: Uuid,
    pub workspace_id: Uuid,
    pub display_name: String,
    pub mode: AccessMode,
    pub created_at: Instant,
    pub issued_at: Option<Instant>,
    pub is_issued: bool,
    pub is_encoding_required: bool,
    pub is_ready_for_encoding: bool,
    pub code: Option<String>,
    pub warnings: Vec<Warning>,
    pub errors: Vec<serde_json::Value>,
    pub pending_mutations: Vec<serde_json::Value>,
    /// Ours: the grant it belongs to, its copy number and the card it was written to.
    pub access_grant_id: Uuid,
    pub copy_number: Option<u32>,
    pub card_id: Option<String>,
}

impl AccessMethod {
    pub fn new(method: &AccessMethodRecord, workspace_id: Uuid) -> Self {
        let display_name = match (method.mode, method.copy_number) {
            (AccessMode::Card, Some(copy)) => format!("Card {copy}"),
            (mode, _) => mode_name(mode).to_owned(),
        };
        Self {
            access_method_id: method.id,
            workspace_id,
            display_name,
            mode: method.mode,
            created_at: Instant(method.created_at),
            issued_at: method.issued_at.map(Instant),
            is_issued: method.is_issued(),
            is_encoding_required: method.is_encoding_required,
            is_ready_for_encoding: method.mode == AccessMode::Card
                && method.revoked_at.is_none()
                && (!method.is_issued() || method.is_encoding_required),
            code: method.code.clone(),
            warnings: method.warnings.iter().map(Warning::from).collect(),
            errors: Vec::new(),
            pending_mutations: Vec::new(),
            access_grant_id: method.access_grant_id,
            copy_number: method.copy_number,
            card_id: method.card_id.clone(),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct Entrance {
    pub acs_entrance_id: Uuid,
    pub acs_system_id: Uuid,
    pub connected_account_id: Uuid,
    pub display_name: String,
    pub space_ids: Vec<Uuid>,
    pub can_belong_to_reservation: bool,
    pub can_unlock_with_card: bool,
    pub can_unlock_with_mobile_key: bool,
    pub can_unlock_with_code: bool,
    pub created_at: Instant,
    pub errors: Vec<serde_json::Value>,
    pub warnings: Vec<serde_json::Value>,
    /// Ours: the entrance's key in the property file.
    pub entrance_key: String,
}

impl From<&EntranceRecord> for Entrance {
    fn from(entrance: &EntranceRecord) -> Self {
        let can = |mode| entrance.modes.contains(&mode);
        Self {
            acs_entrance_id: entrance.id,
            acs_system_id: entrance.access_system_id,
            connected_account_id: entrance.access_system_id,
            display_name: entrance.name.clone(),
            space_ids: entrance.space_ids.clone(),
            can_belong_to_reservation: entrance.can_belong_to_reservation,
            can_unlock_with_card: can(AccessMode::Card),
            can_unlock_with_mobile_key: can(AccessMode::MobileKey),
            can_unlock_with_code: can(AccessMode::Code),
            created_at: Instant(entrance.created_at),
            errors: Vec::new(),
            warnings: Vec::new(),
            entrance_key: entrance.key.clone(),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct Location {
    pub time_zone: String,
}

#[derive(Debug, Serialize)]
pub struct AcsSystem {
    pub acs_system_id: Uuid,
    pub workspace_id: Uuid,
    pub connected_account_id: Uuid,
    pub connected_account_ids: Vec<Uuid>,
    /// The front desk writes cards itself; it manages no credentials through another system.
    pub is_credential_manager: bool,
    pub name: String,
    pub external_type: &'static str,
    pub external_type_display_name: String,
    pub location: Location,
    /// No logo is kept for a system.
    pub image_url: String,
    pub image_alt_text: String,
    pub created_at: Instant,
    pub errors: Vec<serde_json::Value>,
    pub warnings: Vec<serde_json::Value>,
}

impl AcsSystem {
    pub fn new(system: &AccessSystemRecord, property: &PropertyRecord) -> Self {
        Self {
            acs_system_id: system.id,
            workspace_id: property.id,
            connected_account_id: system.id,
            connected_account_ids: vec![system.id],
            is_credential_manager: false,
            name: system.name.clone(),
            external_type: system.kind.as_str(),
            external_type_display_name: system.name.clone(),
            location: Location {
                time_zone: property.time_zone.clone(),
            },
            image_url: String::new(),
            image_alt_text: String::new(),
            created_at: Instant(system.created_at),
            errors: Vec::new(),
            warnings: Vec::new(),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct Space {
    pub space_id: Uuid,
    pub workspace_id: Uuid,
    pub space_key: String,
    pub name: String,
    pub display_name: String,
    pub acs_entrance_count: usize,
    pub device_count: usize,
    pub created_at: Instant,
    /// Ours: the floor (absent for common areas) and the kind of space.
    pub floor: Option<i32>,
    pub kind: engine::model::SpaceKind,
}

impl Space {
    pub fn new(space: &SpaceRecord, workspace_id: Uuid) -> Self {
        Self {
            space_id: space.id,
            workspace_id,
            space_key: space.key.clone(),
            name: space.name.clone(),
            display_name: space.name.clone(),
            acs_entrance_count: space.entrance_ids.len(),
            device_count: 0,
            created_at: Instant(space.created_at),
            floor: space.floor,
            kind: space.kind,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct UserIdentity {
    pub user_identity_id: Uuid,
    pub workspace_id: Uuid,
    pub user_identity_key: Option<String>,
    pub full_name: Option<String>,
    pub email_address: Option<String>,
    pub phone_number: Option<String>,
    pub display_name: String,
    pub created_at: Instant,
    pub errors: Vec<serde_json::Value>,
    pub warnings: Vec<serde_json::Value>,
    /// Seam's ACS users: none here, cards are written for the user identity itself.
    pub acs_user_ids: Vec<Uuid>,
    /// Ours: guest, resident or staff.
    pub kind: engine::model::UserKind,
}

impl UserIdentity {
    pub fn new(user: &UserIdentityRecord, workspace_id: Uuid) -> Self {
        let display_name = user
            .full_name
            .clone()
            .or_else(|| user.email_address.clone())
            .or_else(|| user.key.clone())
            .unwrap_or_else(|| "Unnamed user".to_owned());
        Self {
            user_identity_id: user.id,
            workspace_id,
            user_identity_key: user.key.clone(),
            full_name: user.full_name.clone(),
            email_address: user.email_address.clone(),
            phone_number: user.phone_number.clone(),
            display_name,
            created_at: Instant(user.created_at),
            errors: Vec::new(),
            warnings: Vec::new(),
            acs_user_ids: Vec::new(),
            kind: user.kind,
        }
    }
}

fn mode_name(mode: AccessMode) -> &'static str {
    match mode {
        AccessMode::Card => "Card",
        AccessMode::MobileKey => "Mobile key",
        AccessMode::Code => "PIN code",
    }
}
