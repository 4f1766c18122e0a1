//! The people credentials are issued to.

use engine::model::UserIdentityId;
use engine::rules::MAX_TEXT_LEN;
use store::Writer;

use crate::{Context, Error, FrontDesk, NewUserIdentity, Result, UserIdentityRecord, audit_ok};

impl FrontDesk {
    pub fn create_user_identity(
        &self,
        context: &Context,
        user: &NewUserIdentity,
    ) -> Result<UserIdentityRecord> {
        let request = serde_json::json!({ "kind": user.kind });
        self.change(context, "user_identity.create", None, &request, |w| {
            insert_user(w, context, user)
        })
    }

    pub fn user_identity(&self, id: UserIdentityId) -> Result<UserIdentityRecord> {
        self.store.read(|r| {
            r.user_identity(id)?
                .ok_or_else(|| Error::not_found("user_identity", id))
        })
    }

    pub fn user_identities(&self) -> Result<Vec<UserIdentityRecord>> {
        self.store.read(|r| Ok(r.user_identities()?))
    }
}

/// Checks and creates a person, with its audit record, inside the caller's transaction.
pub(crate) fn insert_user(
    w: &Writer<'_>,
    context: &Context,
    user: &NewUserIdentity,
) -> Result<UserIdentityRecord> {
    check_user(user)?;
    if let Some(key) = &user.key
        && w.user_identity_by_key(key)?.is_some()
    {
        return Err(Error::Conflict {
            field: "user_identity_key".into(),
            message: format!("a user identity with key {key:?} already exists"),
        });
    }
    let created = w.insert_user_identity(user, context.now)?;
    // The audit keeps ids and kind only: names and contacts stay in their table.
    let after = serde_json::json!({ "user_identity_id": created.id, "kind": created.kind });
    w.audit(
        &audit_ok(
            context,
            "user_identity.create",
            created.id,
            None,
            Some(after),
        ),
        context.now,
    )?;
    Ok(created)
}

fn check_user(user: &NewUserIdentity) -> Result<()> {
    let fields = [
        ("user_identity_key", &user.key),
        ("full_name", &user.full_name),
        ("email_address", &user.email_address),
        ("phone_number", &user.phone_number),
    ];
    for (field, value) in fields {
        let Some(value) = value else { continue };
        if value.trim().is_empty() {
            return Err(Error::invalid(field, "must not be empty when given"));
        }
        if value.chars().count() > MAX_TEXT_LEN {
            return Err(Error::invalid(
                field,
                format!("must be at most {MAX_TEXT_LEN} characters"),
            ));
        }
        if value.chars().any(char::is_control) {
            return Err(Error::invalid(field, "must not contain control characters"));
        }
    }
    if let Some(email) = &user.email_address
        && !email.contains('@')
    {
        return Err(Error::invalid("email_address", "is not an email address"));
    }
    Ok(())
}
