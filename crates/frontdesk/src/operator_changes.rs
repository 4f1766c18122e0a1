//! A manager's care of the operators: the list with who is disabled, a new PIN for one who
//! forgot theirs, a role changed, an operator disabled and enabled again. The property always
//! keeps one enabled manager, and a PIN reset is also the recovery for a sole manager who
//! forgot theirs (run by the IT person with the desk's or the server's tools).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use store::{OperatorRecord, Role, Writer};
use uuid::Uuid;

use crate::operators::{Operator, Permission, check_pin, hash_pin};
use crate::{Acting, Context, Error, FrontDesk, Result, audit_ok};

/// An operator as the manager's list shows them.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OperatorView {
    pub id: Uuid,
    pub name: String,
    pub role: Role,
    pub created_at: DateTime<Utc>,
    /// Disabled operators cannot sign in, and their sessions end.
    pub disabled_at: Option<DateTime<Utc>>,
    pub language: Language,
}

/// A language the desk speaks: the tag of one of the UI's catalogues.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    #[default]
    En,
    Es,
}

impl Language {
    pub fn tag(self) -> &'static str {
        match self {
            Language::En => "en",
            Language::Es => "es",
        }
    }

    /// The language of a stored tag; one this version does not speak reads as English.
    pub fn from_tag(tag: &str) -> Language {
        match tag {
            "es" => Language::Es,
            _ => Language::En,
        }
    }
}

impl From<OperatorRecord> for OperatorView {
    fn from(record: OperatorRecord) -> Self {
        Self {
            id: record.id,
            name: record.name,
            role: record.role,
            created_at: record.created_at,
            disabled_at: record.disabled_at,
            language: Language::from_tag(&record.language),
        }
    }
}

impl FrontDesk {
    /// Every operator, disabled ones too, by name.
    pub fn operators(&self, operator: &Operator) -> Result<Vec<OperatorView>> {
        operator.require(Permission::Manage)?;
        self.all_operators()
    }

    /// Every operator, for whoever `context` names: a manager, or the IT person's tools.
    pub fn operators_by(&self, context: &Context) -> Result<Vec<OperatorView>> {
        context.require(Permission::Manage)?;
        self.all_operators()
    }

    fn all_operators(&self) -> Result<Vec<OperatorView>> {
        self.store
            .read(|r| Ok(r.operators()?.into_iter().map(OperatorView::from).collect()))
    }

    /// The operator of this name (in any case), for the IT person's tools.
    pub fn operator_named(&self, context: &Context, name: &str) -> Result<OperatorView> {
        context.require(Permission::Manage)?;
        self.store
            .read(|r| Ok::<_, Error>(r.operator_by_name(name.trim())?))?
            .map(OperatorView::from)
            .ok_or_else(|| Error::invalid("name", format!("is no operator's name: {name:?}")))
    }

    /// The operator of a session as they are now: a role changed since sign-in counts, and a
    /// disabled or removed operator's session is over.
    pub fn session_operator(&self, operator: &Operator) -> Result<Operator> {
        let record = self
            .store
            .read(|r| Ok::<_, Error>(r.operator(operator.id)?))?
            .filter(|record| record.disabled_at.is_none())
            .ok_or_else(|| {
                Error::Unauthorized("Your session has ended; sign in again.".to_owned())
            })?;
        Ok(Operator {
            terminal: operator.terminal.clone(),
            ..Operator::from(record)
        })
    }

    /// The language the signed-in operator reads the desk in, here and at every sign-in.
    pub fn set_my_language(&self, context: &Context, language: Language) -> Result<()> {
        let Acting::Operator(operator) = &context.acting else {
            return Err(Error::Forbidden(
                "Only a signed-in operator has a language of their own.".to_owned(),
            ));
        };
        let id = operator.id;
        let request = serde_json::json!({ "language": language });
        self.change(
            context,
            "operator.set_language",
            Some(id.to_string()),
            &request,
            |w| {
                let before = existing(w, id)?;
                w.set_operator_language(id, language.tag())?;
                w.audit(
                    &audit_ok(
                        context,
                        "operator.set_language",
                        id,
                        Some(
                            serde_json::json!({ "name": before.name, "language": before.language }),
                        ),
                        Some(serde_json::json!({ "name": before.name, "language": language })),
                    ),
                    context.now,
                )?;
                Ok(())
            },
        )
    }

    /// The language an operator reads the desk in.
    pub fn operator_language(&self, operator: &Operator) -> Result<Language> {
        let record = self
            .store
            .read(|r| Ok::<_, Error>(r.operator(operator.id)?))?;
        Ok(record.map_or(Language::En, |record| Language::from_tag(&record.language)))
    }

    /// A new PIN for an operator, which also lifts a lock-out after wrong PINs. By a manager,
    /// or by the IT person with the desk's or the server's tools.
    pub fn reset_operator_pin(&self, context: &Context, id: Uuid, pin: &str) -> Result<()> {
        // The PIN itself is never recorded, not even refused.
        let request = serde_json::json!({ "operator_id": id });
        self.change(
            context,
            "operator.reset_pin",
            Some(id.to_string()),
            &request,
            |w| {
                context.require_in(w, Permission::Manage)?;
                let operator = existing(w, id)?;
                check_pin(pin)?;
                w.set_operator_pin(id, &hash_pin(pin)?)?;
                w.clear_sign_in_failures(&operator.name)?;
                let named = serde_json::json!({ "operator_id": id, "name": operator.name });
                w.audit(
                    &audit_ok(context, "operator.reset_pin", id, None, Some(named)),
                    context.now,
                )?;
                Ok(())
            },
        )
    }

    /// Makes an operator a manager or a receptionist; the last enabled manager stays one.
    pub fn set_operator_role(
        &self,
        context: &Context,
        id: Uuid,
        role: Role,
    ) -> Result<OperatorView> {
        let request = serde_json::json!({ "operator_id": id, "role": role });
        self.change(
            context,
            "operator.set_role",
            Some(id.to_string()),
            &request,
            |w| {
                context.require_in(w, Permission::Manage)?;
                let before = existing(w, id)?;
                if before.role == Role::Manager && role != Role::Manager {
                    keep_a_manager(w, &before, "role", "must stay manager")?;
                }
                w.set_operator_role(id, role)?;
                let after = existing(w, id)?;
                w.audit(
                    &audit_ok(
                        context,
                        "operator.set_role",
                        id,
                        Some(serde_json::json!({ "name": before.name, "role": before.role })),
                        Some(serde_json::json!({ "name": after.name, "role": after.role })),
                    ),
                    context.now,
                )?;
                Ok(OperatorView::from(after))
            },
        )
    }

    /// Disables an operator (they cannot sign in, their sessions end) or enables them again.
    /// No one disables themselves, and the last enabled manager stays enabled.
    pub fn set_operator_enabled(
        &self,
        context: &Context,
        id: Uuid,
        enabled: bool,
    ) -> Result<OperatorView> {
        let action = if enabled {
            "operator.enable"
        } else {
            "operator.disable"
        };
        let request = serde_json::json!({ "operator_id": id, "enabled": enabled });
        self.change(context, action, Some(id.to_string()), &request, |w| {
            context.require_in(w, Permission::Manage)?;
            let before = existing(w, id)?;
            if !enabled {
                if matches!(&context.acting, Acting::Operator(me) if me.id == id) {
                    return Err(Error::invalid(
                        "enabled",
                        "must stay on for your own name: another manager disables it",
                    ));
                }
                if before.role == Role::Manager {
                    keep_a_manager(w, &before, "enabled", "must stay on")?;
                }
            }
            let disabled_at = (!enabled).then_some(context.now);
            if before.disabled_at.is_some() != disabled_at.is_some() {
                w.set_operator_disabled(id, disabled_at)?;
            }
            let after = existing(w, id)?;
            w.audit(
                &audit_ok(
                    context,
                    action,
                    id,
                    Some(serde_json::json!({ "name": before.name, "disabled_at": before.disabled_at })),
                    Some(serde_json::json!({ "name": after.name, "disabled_at": after.disabled_at })),
                ),
                context.now,
            )?;
            Ok(OperatorView::from(after))
        })
    }
}

fn existing(w: &Writer<'_>, id: Uuid) -> Result<OperatorRecord> {
    w.operator(id)?
        .ok_or_else(|| Error::not_found("operator", id))
}

/// Refuses a change that would leave no enabled manager to sign in.
fn keep_a_manager(
    w: &Writer<'_>,
    operator: &OperatorRecord,
    field: &str,
    must: &str,
) -> Result<()> {
    let others = w
        .operators()?
        .into_iter()
        .filter(|other| {
            other.id != operator.id && other.role == Role::Manager && other.disabled_at.is_none()
        })
        .count();
    if others == 0 {
        return Err(Error::invalid(
            field,
            format!(
                "{must}: {} is the only enabled manager; add another manager first",
                operator.name
            ),
        ));
    }
    Ok(())
}
