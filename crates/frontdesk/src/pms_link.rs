//! How the PMS's key link stands, as its endpoint reports it, for the managers at every desk:
//! the property server's terminals see the server's link this way.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::operators::{Operator, Permission};
use crate::{FrontDesk, Result};

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PmsLinkStatus {
    /// `connect` (to the PMS's interface) or `listen` (for the PMS).
    pub direction: String,
    /// The address connected to, or listened on.
    pub address: String,
    /// The PMS's character set.
    pub encoding: String,
    /// The PMS's address while it is connected.
    pub peer: Option<String>,
    /// `connected`, `starting`, `alive` or `ended` while connected.
    pub state: Option<String>,
    /// The type of the last record from the PMS (`KR`), never its content.
    pub last_record: Option<String>,
    pub last_record_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
}

impl FrontDesk {
    /// The link's endpoint tells how the link stands; `None` once it stops.
    pub fn report_pms_link(&self, status: Option<PmsLinkStatus>) {
        *self
            .pms_link
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = status;
    }

    /// How the PMS link stands, for a manager; `None` when no link runs.
    pub fn pms_link_status(&self, operator: &Operator) -> Result<Option<PmsLinkStatus>> {
        operator.require(Permission::Manage)?;
        Ok(self
            .pms_link
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone())
    }
}
