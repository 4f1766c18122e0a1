//! The people who use the desktop app, their PINs and what each role may do. The backend
//! checks every command against the operator's role; the UI only hides what is refused.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use store::{OperatorRecord, Role, SignInFailures};

use crate::{Context, Error, FrontDesk, Result, audit_ok};

/// PINs are short (the desk types them all day), so they are hashed with Argon2 and a name
/// is locked out for a while after [`FREE_SIGN_IN_FAILURES`] wrong PINs in a row.
const PIN_DIGITS: std::ops::RangeInclusive<usize> = 4..=8;

/// Wrong PINs in a row a name may have before it is locked out: enough for typing slips.
pub const FREE_SIGN_IN_FAILURES: u32 = 5;
/// The first lock-out; each further wrong PIN doubles it, up to [`MAX_SIGN_IN_LOCK`].
const FIRST_SIGN_IN_LOCK: Duration = Duration::seconds(30);
const MAX_SIGN_IN_LOCK: Duration = Duration::minutes(15);
/// Failures further apart than this do not add up.
const SIGN_IN_FAILURE_MEMORY: Duration = Duration::hours(1);

/// What an operator may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    /// The board, stays, check-in, guests, cards, moves, dates, lost keys, check-out,
    /// reading cards and the door simulator: a receptionist's day.
    FrontDesk,
    /// Staff cards, the warnings list, the audit log, operators and settings.
    Manage,
}

/// A signed-in person.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Operator {
    pub id: uuid::Uuid,
    pub name: String,
    pub role: Role,
    /// The terminal the operator signed in at, for the audit log; `None` at the desk that
    /// owns the database.
    #[serde(skip)]
    #[cfg_attr(feature = "ts", ts(skip))]
    pub terminal: Option<String>,
}

impl Operator {
    pub fn may(&self, permission: Permission) -> bool {
        match permission {
            Permission::FrontDesk => true,
            Permission::Manage => self.role == Role::Manager,
        }
    }

    /// Refuses what this operator's role does not allow.
    pub fn require(&self, permission: Permission) -> Result<()> {
        if self.may(permission) {
            Ok(())
        } else {
            Err(Error::Forbidden(format!(
                "{} signed in as receptionist; this needs a manager.",
                self.name
            )))
        }
    }

    /// Who and when, for the audit log.
    pub fn context(&self, now: chrono::DateTime<chrono::Utc>) -> Context {
        Context {
            acting: crate::Acting::Operator(self.clone()),
            terminal: self.terminal.clone(),
            ..Context::new(format!("operator:{}", self.name), now)
        }
    }
}

impl From<OperatorRecord> for Operator {
    fn from(record: OperatorRecord) -> Self {
        Self {
            id: record.id,
            name: record.name,
            role: record.role,
            terminal: None,
        }
    }
}

impl FrontDesk {
    pub fn has_operators(&self) -> Result<bool> {
        self.store.read(|r| Ok(!r.operators()?.is_empty()))
    }

    /// The first manager of a new installation; refused once anyone exists.
    pub fn create_first_manager(
        &self,
        context: &Context,
        name: &str,
        pin: &str,
    ) -> Result<Operator> {
        let request = serde_json::json!({ "name": name, "role": "manager" });
        self.change(context, "operator.create", None, &request, |w| {
            if !w.operators()?.is_empty() {
                return Err(Error::Forbidden(
                    "An operator already exists; a manager adds the others.".to_owned(),
                ));
            }
            insert_operator(w, context, name, pin, Role::Manager)
        })
    }

    /// A new operator, added by a manager.
    pub fn create_operator(
        &self,
        by: &Operator,
        now: chrono::DateTime<chrono::Utc>,
        name: &str,
        pin: &str,
        role: Role,
    ) -> Result<Operator> {
        self.add_operator(&by.context(now), name, pin, role)
    }

    /// A new operator, added by whoever `context` names: a manager at a desk, or the IT
    /// person with the server's tools.
    pub fn add_operator(
        &self,
        context: &Context,
        name: &str,
        pin: &str,
        role: Role,
    ) -> Result<Operator> {
        let request = serde_json::json!({ "name": name, "role": role });
        // Checked inside the change, so that a refused attempt is on record too.
        self.change(context, "operator.create", None, &request, |w| {
            context.require_in(w, Permission::Manage)?;
            insert_operator(w, context, name, pin, role)
        })
    }

    /// Checks a name and PIN. The same answer for an unknown name and a wrong PIN, so that
    /// names cannot be probed; after [`FREE_SIGN_IN_FAILURES`] wrong PINs in a row the name
    /// (known or not) is locked out, for longer with each further failure, and no PIN is
    /// checked for it meanwhile.
    pub fn sign_in(&self, context: &Context, name: &str, pin: &str) -> Result<Operator> {
        let name = name.trim();
        let request = serde_json::json!({ "name": name });
        let (record, failures) = self
            .store
            .read(|r| Ok::<_, Error>((r.operator_by_name(name)?, r.sign_in_failures(name)?)))?;
        if let Some(until) = failures
            .and_then(|failures| failures.locked_until)
            .filter(|until| *until > context.now)
        {
            let error = Error::TooManyAttempts {
                retry_after_seconds: (until - context.now).num_seconds().max(1).unsigned_abs(),
            };
            return Err(self.audit_refusal(context, "operator.sign_in", None, &request, error));
        }
        // An unknown name is checked against a stand-in hash, so that it takes as long as a
        // wrong PIN and names cannot be probed by timing either.
        let matches = match record
            .as_ref()
            .filter(|record| record.disabled_at.is_none())
        {
            Some(record) => pin_matches(&record.pin_hash, pin),
            None => {
                pin_matches(stand_in_hash(), pin);
                false
            }
        };
        match record.filter(|_| matches) {
            Some(record) => {
                let operator = Operator::from(record);
                self.change(
                    context,
                    "operator.sign_in",
                    Some(operator.id.to_string()),
                    &request,
                    |w| {
                        if failures.is_some() {
                            w.clear_sign_in_failures(name)?;
                        }
                        w.audit(
                            &audit_ok(context, "operator.sign_in", operator.id, None, None),
                            context.now,
                        )?;
                        Ok(operator.clone())
                    },
                )
            }
            None => {
                let failures = next_failures(failures, context.now);
                self.store
                    .write(|w| w.set_sign_in_failures(name, &failures))?;
                Err(self.audit_refusal(
                    context,
                    "operator.sign_in",
                    None,
                    &request,
                    Error::Unauthorized(
                        "That name and PIN do not match: check them and try again.".to_owned(),
                    ),
                ))
            }
        }
    }
}

/// The failures after one more wrong PIN at `now`, with the lock-out they earn.
fn next_failures(previous: Option<SignInFailures>, now: DateTime<Utc>) -> SignInFailures {
    let failures = previous
        .filter(|previous| now - previous.last_failed_at < SIGN_IN_FAILURE_MEMORY)
        .map_or(1, |previous| previous.failures.saturating_add(1));
    let locked_until = (failures >= FREE_SIGN_IN_FAILURES).then(|| {
        let doublings = (failures - FREE_SIGN_IN_FAILURES).min(10);
        now + (FIRST_SIGN_IN_LOCK * 2_i32.pow(doublings)).min(MAX_SIGN_IN_LOCK)
    });
    SignInFailures {
        failures,
        last_failed_at: now,
        locked_until,
    }
}

fn insert_operator(
    w: &store::Writer<'_>,
    context: &Context,
    name: &str,
    pin: &str,
    role: Role,
) -> Result<Operator> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 64 || name.chars().any(char::is_control) {
        return Err(Error::invalid(
            "name",
            "must be 1 to 64 printable characters",
        ));
    }
    check_pin(pin)?;
    if w.operator_by_name(name)?.is_some() {
        return Err(Error::Conflict {
            field: "name".into(),
            message: format!("an operator named {name} already exists"),
        });
    }
    let hash = hash_pin(pin)?;
    let operator = Operator::from(w.insert_operator(name, role, &hash, context.now)?);
    let after =
        serde_json::json!({ "operator_id": operator.id, "name": operator.name, "role": role });
    w.audit(
        &audit_ok(context, "operator.create", operator.id, None, Some(after)),
        context.now,
    )?;
    Ok(operator)
}

/// A PIN the desk accepts: 4 to 8 digits.
pub(crate) fn check_pin(pin: &str) -> Result<()> {
    if !PIN_DIGITS.contains(&pin.len()) || !pin.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Error::invalid("pin", "must be 4 to 8 digits"));
    }
    Ok(())
}

pub(crate) fn hash_pin(pin: &str) -> Result<String> {
    let protect = |error: String| Error::invalid("pin", format!("could not be protected: {error}"));
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|error| protect(error.to_string()))?;
    let salt = SaltString::encode_b64(&salt).map_err(|error| protect(error.to_string()))?;
    Ok(Argon2::default()
        .hash_password(pin.as_bytes(), &salt)
        .map_err(|error| protect(error.to_string()))?
        .to_string())
}

fn pin_matches(hash: &str, pin: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|hash| {
        Argon2::default()
            .verify_password(pin.as_bytes(), &hash)
            .is_ok()
    })
}

/// A real Argon2 hash of nothing anyone can type, made once per run.
fn stand_in_hash() -> &'static str {
    static STAND_IN: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    STAND_IN.get_or_init(|| hash_pin("stand-in").unwrap_or_default())
}
