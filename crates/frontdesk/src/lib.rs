//! The front desk's use cases: each one validates with the engine and commits its changes
//! and their audit record in one transaction, or changes nothing.
//!
//! Callers (the desktop shell, the local HTTP API, tests) pass who acts and when in a
//! [`Context`]; nothing here reads the clock.

mod accounting;
mod attempts;
mod audit;
pub mod backup;
mod card_view;
mod cards;
mod error;
mod grants;
mod log_file;
mod methods;
mod operator_changes;
mod operators;
mod past_stay;
mod pms;
mod pms_link;
mod predict;
mod property;
mod settings;
pub mod setup;
mod spares;
mod staff;
mod stay_search;
mod stays;
mod terminals;
mod timeline;
mod users;
mod warnings;
mod zones;

use chrono::{DateTime, Utc};
use serde::Serialize;
use store::{AuditOutcome, NewAuditEntry, Store, Writer};

pub use accounting::{CardOut, CardOutReason, DoorHolder, DoorStillOpen, DoorUntil};
pub use audit::{AUDIT_PAGE, AuditAbout, AuditQuery, AuditView};
pub use card_view::{CardView, WarningNote};
pub use cards::{
    CARD_TIMEOUT, CardContent, CardReport, CardStation, DOOR_LOG_LIMIT, DoorLogEntry, DoorPrivacy,
    DoorVerdict, EncodeEvent, EncodedCard, LockDecision, Resolution,
};
pub use error::{Error, ErrorCode, Result, WireError};
pub use grants::{CreateAccessGrant, UpdateAccessGrant};
pub use log_file::{LOG_DAYS_KEPT, LogFile, log_folder, log_to_folder};
pub use operator_changes::{Language, OperatorView};
pub use operators::{Operator, Permission};
pub use past_stay::PastStay;
pub use pms::{
    EncoderClaim, MAX_PMS_ENCODER_CODE, PmsAnswer, PmsEncoder, PmsKeyKind, PmsKeyRequest,
    PmsStatus, PmsStayChange, REPEAT_WINDOW,
};
pub use pms_link::PmsLinkStatus;
pub use predict::{PlannedChange, Prediction, RemakeOffer, Trouble};
pub use settings::{CardDescription, CardStatus};
pub use spares::{SpareCardView, SpareHandedOut};
pub use staff::{
    DoorChoice, DoorGroup, StaffAccess, StaffCardsState, StaffChange, StaffDoorChoices,
};
pub use stay_search::{FoundStay, MAX_FOUND_STAYS};
pub use stays::{
    AddGuest, Board, BoardFloor, CHECK_OUT_TIME, CheckIn, CheckInOptions, CheckOutResult,
    EntranceOption, GroupCheckIn, GuestDetail, MAX_CARDS_PER_GUEST, MAX_GROUP_ROOMS, MoveResult,
    NewGuest, OutstandingCard, RoomState, RoomTile, StayDetail, StaySummary,
};
pub use store::{
    AccessGrantRecord, AccessMethodRecord, AccessSystemRecord, ActionAttemptRecord, AttemptStatus,
    AuditEntry, AuditFilter, EntranceRecord, GrantFilter, MethodFilter, NewUserIdentity,
    PropertyRecord, Role, SpaceRecord, StoredWarning, TerminalRecord, UserIdentityRecord,
};
pub use terminals::{NewPairing, PAIRING_LIFETIME, TerminalCredential, TerminalView};
pub use timeline::{MAX_TIMELINE_DAYS, StayBar, StayStatus, Timeline, TimelineFloor, TimelineRoom};
pub use warnings::{FixAction, WarningView};

/// Who acts, and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Context {
    /// The operator or API client, as the audit log shows it.
    pub actor: String,
    pub now: DateTime<Utc>,
    /// What the use cases check before they act.
    pub acting: Acting,
    /// The terminal the request came from, as the audit log names it.
    pub terminal: Option<String>,
}

/// Who acts, as far as what they may do goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Acting {
    /// A signed-in operator, by role.
    Operator(Operator),
    /// The local API's client, authorised by its key: the front desk's work, not a manager's.
    ApiClient,
    /// The desk's own work (opening the database, settling encodes at start-up, tools and
    /// tests), for which the process itself vouches.
    Desk,
    /// A paired terminal before an operator signed in at it: it may sign in, nothing more.
    Terminal,
    /// The property-management system over its key link (FIAS): the front desk's work, not
    /// a manager's.
    PmsLink,
}

impl Context {
    /// The desk's own work, named `actor` in the audit log.
    pub fn new(actor: impl Into<String>, now: DateTime<Utc>) -> Self {
        Self {
            actor: actor.into(),
            now,
            acting: Acting::Desk,
            terminal: None,
        }
    }

    /// The local API's client, as `api` in the audit log.
    pub fn api(now: DateTime<Utc>) -> Self {
        Self {
            acting: Acting::ApiClient,
            ..Self::new("api", now)
        }
    }

    /// The PMS's key link, asked from workstation `workstation` (its `WS`), as
    /// `pms:<workstation>` in the audit log.
    pub fn pms(workstation: Option<&str>, now: DateTime<Utc>) -> Self {
        let actor = match workstation {
            Some(workstation) => format!("pms:{workstation}"),
            None => "pms".to_owned(),
        };
        Self {
            acting: Acting::PmsLink,
            ..Self::new(actor, now)
        }
    }

    /// A paired terminal, before anyone signed in at it.
    pub fn terminal(name: &str, now: DateTime<Utc>) -> Self {
        Self {
            acting: Acting::Terminal,
            terminal: Some(name.to_owned()),
            ..Self::new(format!("terminal:{name}"), now)
        }
    }

    /// Refuses what the one acting may not do.
    pub fn require(&self, permission: Permission) -> Result<()> {
        match (&self.acting, permission) {
            (Acting::Operator(operator), _) => operator.require(permission),
            (Acting::ApiClient, Permission::Manage) => Err(Error::Forbidden(
                "The local API's client cannot do a manager's work; a manager does it at the \
                 desk."
                    .to_owned(),
            )),
            (Acting::PmsLink, Permission::Manage) => Err(Error::Forbidden(
                "The PMS link cannot do a manager's work; a manager does it at the desk."
                    .to_owned(),
            )),
            (Acting::ApiClient | Acting::PmsLink, Permission::FrontDesk) | (Acting::Desk, _) => {
                Ok(())
            }
            (Acting::Terminal, _) => Err(Error::Unauthorized(
                "Sign in first: this needs an operator.".to_owned(),
            )),
        }
    }

    /// [`Context::require`] for an operator as the database has them at this write: a role a
    /// manager changed, or a name disabled, while their request was on its way counts.
    pub(crate) fn require_in(&self, r: &store::Reader<'_>, permission: Permission) -> Result<()> {
        if let Acting::Operator(operator) = &self.acting
            && let Some(record) = r.operator(operator.id)?
        {
            if record.disabled_at.is_some() {
                return Err(Error::Unauthorized(
                    "Your session has ended; sign in again.".to_owned(),
                ));
            }
            return Operator {
                role: record.role,
                ..operator.clone()
            }
            .require(permission);
        }
        self.require(permission)
    }
}

/// The front desk over one database.
#[derive(Debug)]
pub struct FrontDesk {
    store: Store,
    /// The claim on the database file this desk works on, for as long as it does.
    _in_use: Option<setup::DatabaseInUse>,
    /// How the PMS link stands, as its endpoint last reported.
    pms_link: std::sync::RwLock<Option<PmsLinkStatus>>,
}

impl FrontDesk {
    pub fn new(store: Store) -> Self {
        Self {
            store,
            _in_use: None,
            pms_link: std::sync::RwLock::default(),
        }
    }

    /// This desk, holding `claim` on its database file for as long as it lives.
    pub fn in_use(self, claim: setup::DatabaseInUse) -> Self {
        Self {
            _in_use: Some(claim),
            ..self
        }
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn audit_log(&self, filter: &AuditFilter) -> Result<Vec<AuditEntry>> {
        self.store.read(|r| Ok(r.audit_log(filter)?))
    }

    /// Runs one change in one write transaction. Its `work` writes its own audit record;
    /// a refusal is rolled back whole and then recorded against `subject_id` with the request.
    fn change<T>(
        &self,
        context: &Context,
        action: &str,
        subject_id: Option<String>,
        request: &impl Serialize,
        work: impl FnOnce(&Writer<'_>) -> Result<T>,
    ) -> Result<T> {
        match self.store.write(|w| {
            w.begin_change(action);
            work(w)
        }) {
            Ok(done) => {
                tracing::info!(action, "done");
                Ok(done)
            }
            Err(error) => Err(self.audit_refusal(context, action, subject_id, request, error)),
        }
    }

    /// [`FrontDesk::change`] for whoever acts (an operator, the API, the PMS link): one who may
    /// not do it (a role, a kind of actor) is refused inside the change, so the refusal is
    /// audited like any other.
    fn context_change<T>(
        &self,
        permission: Permission,
        context: &Context,
        action: &str,
        subject_id: Option<String>,
        request: &impl Serialize,
        work: impl FnOnce(&Writer<'_>) -> Result<T>,
    ) -> Result<T> {
        self.change(context, action, subject_id, request, |w| {
            context.require_in(w, permission)?;
            work(w)
        })
    }

    /// Logs a refused change and records it in its own transaction, after the change was
    /// rolled back.
    fn audit_refusal(
        &self,
        context: &Context,
        action: &str,
        subject_id: Option<String>,
        request: &impl Serialize,
        error: Error,
    ) -> Error {
        let wire = error.to_wire();
        // The code and the field only: a message may name a guest.
        if wire.status >= 500 {
            tracing::error!(action, code = %wire.error_type, "failed");
        } else {
            tracing::warn!(action, code = %wire.error_type, field = wire.field.as_deref(), "refused");
        }
        if matches!(error, Error::Store(_)) {
            // The database itself failed: there is nowhere sound to write the refusal.
            return error;
        }
        let recorded = self.store.write(|w| {
            w.audit(
                &NewAuditEntry {
                    actor: &context.actor,
                    action,
                    subject_id,
                    outcome: AuditOutcome::Refused,
                    before: None,
                    after: serde_json::to_value(request).ok(),
                    detail: Some(format!("{}: {}", wire.error_type, wire.message)),
                    terminal: context.terminal.as_deref(),
                },
                context.now,
            )
        });
        match recorded {
            Ok(()) => error,
            Err(store_error) => Error::Store(store_error),
        }
    }
}

/// An audit entry for a change that went through.
fn audit_ok<'a>(
    context: &'a Context,
    action: &'a str,
    subject_id: impl ToString,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
) -> NewAuditEntry<'a> {
    NewAuditEntry {
        actor: &context.actor,
        action,
        subject_id: Some(subject_id.to_string()),
        outcome: AuditOutcome::Ok,
        before,
        after,
        detail: None,
        terminal: context.terminal.as_deref(),
    }
}

fn to_json(value: &impl Serialize) -> Option<serde_json::Value> {
    serde_json::to_value(value).ok()
}
