//! The property: importing its file, and reading its systems, spaces and entrances.

use engine::model::{EntranceId, SpaceId};
use engine::property::parse_property;
use uuid::Uuid;

use crate::operators::{Operator, Permission};
use crate::{
    AccessSystemRecord, Context, EntranceRecord, Error, FrontDesk, PropertyRecord, Result,
    SpaceRecord, audit_ok, to_json,
};

impl FrontDesk {
    /// Imports a property file as a whole: every problem is listed and nothing changes on
    /// error. Re-importing updates in place by key; what the file no longer names is hidden,
    /// unless live grants still use it.
    pub fn import_property(&self, context: &Context, json: &str) -> Result<PropertyRecord> {
        let file = match parse_property(json) {
            Ok(file) => file,
            Err(problems) => {
                // Refused like any other import, and recorded as such; the file itself may be
                // anything, so the record keeps only its size.
                let request = serde_json::json!({ "bytes": json.len() });
                let error = Error::PropertyInvalid(problems);
                return Err(self.audit_refusal(context, "property.import", None, &request, error));
            }
        };
        self.change(context, "property.import", None, &file.property, |w| {
            let before = w.property()?;
            let plan = w.plan_import(&file)?;
            if !plan.conflicts.is_empty() {
                return Err(Error::PropertyInvalid(plan.conflicts));
            }
            w.import_property(&file, context.now)?;
            let after = w
                .property()?
                .ok_or_else(|| Error::not_found("property", "-"))?;
            let summary = serde_json::json!({
                "name": after.name,
                "access_systems": file.access_systems.len(),
                "spaces": file.spaces.len(),
                "entrances": file.entrances.len(),
            });
            w.audit(
                &audit_ok(
                    context,
                    "property.import",
                    after.id,
                    before.as_ref().and_then(to_json),
                    Some(summary),
                ),
                context.now,
            )?;
            Ok(after)
        })
    }

    /// The imported property, if any.
    pub fn property(&self) -> Result<Option<PropertyRecord>> {
        self.store.read(|r| Ok(r.property()?))
    }

    pub fn access_systems(&self) -> Result<Vec<AccessSystemRecord>> {
        self.store.read(|r| Ok(r.access_systems()?))
    }

    pub fn spaces(&self) -> Result<Vec<SpaceRecord>> {
        self.store.read(|r| Ok(r.spaces()?))
    }

    pub fn space(&self, id: SpaceId) -> Result<SpaceRecord> {
        self.store
            .read(|r| r.space(id)?.ok_or_else(|| Error::not_found("space", id)))
    }

    pub fn entrances(
        &self,
        access_system_id: Option<Uuid>,
        space_id: Option<SpaceId>,
    ) -> Result<Vec<EntranceRecord>> {
        self.store
            .read(|r| Ok(r.entrances(access_system_id, space_id)?))
    }

    /// Every door of the property, for a signed-in operator (the desk's door names, its door
    /// simulator).
    pub fn doors(&self, operator: &Operator) -> Result<Vec<EntranceRecord>> {
        operator.require(Permission::FrontDesk)?;
        self.entrances(None, None)
    }

    pub fn entrance(&self, id: EntranceId) -> Result<EntranceRecord> {
        self.store.read(|r| {
            r.entrance(id)?
                .ok_or_else(|| Error::not_found("acs_entrance", id))
        })
    }
}
