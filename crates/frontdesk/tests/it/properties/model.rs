//! The model's lookups of its grants, methods and reservations.

use std::collections::BTreeSet;

use uuid::Uuid;

use super::ops::Pick;
use super::{Model, ModelGrant, ModelMethod};

impl Model {
    pub(super) fn grant(&self, id: Uuid) -> Option<&ModelGrant> {
        self.grants.iter().find(|grant| grant.id == id)
    }

    pub(super) fn live_grant(&self, id: Uuid) -> Option<&ModelGrant> {
        self.grant(id).filter(|grant| grant.live)
    }

    pub(super) fn method(&self, id: Uuid) -> Option<&ModelMethod> {
        self.methods.iter().find(|method| method.id == id)
    }

    pub(super) fn live_methods_of(&self, grant: Uuid) -> BTreeSet<Uuid> {
        self.methods
            .iter()
            .filter(|method| method.grant == grant && !method.revoked)
            .map(|method| method.id)
            .collect()
    }

    pub(super) fn pick_grant(&self, pick: &Pick) -> Uuid {
        match pick {
            Pick::Known(index) if !self.grants.is_empty() => {
                self.grants[index.index(self.grants.len())].id
            }
            _ => Uuid::new_v4(),
        }
    }

    pub(super) fn pick_method(&self, pick: &Pick) -> Uuid {
        match pick {
            Pick::Known(index) if !self.methods.is_empty() => {
                self.methods[index.index(self.methods.len())].id
            }
            _ => Uuid::new_v4(),
        }
    }

    pub(super) fn revoke(&mut self, ids: &BTreeSet<Uuid>) {
        for method in &mut self.methods {
            if ids.contains(&method.id) {
                method.revoked = true;
                method.encoding_required = false;
            }
        }
    }
}

pub(super) fn text_ok(text: &str) -> bool {
    !text.trim().is_empty()
}
