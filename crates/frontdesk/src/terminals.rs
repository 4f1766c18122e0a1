//! The property's terminals: desktop apps that pair once with the property server, then
//! sign operators in and work against it. A terminal proves itself with a credential made at
//! pairing; an operator signed in at a terminal holds a session token. The store keeps only
//! the SHA-256 of each secret: they are long and random, so a slow hash adds nothing.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};
use store::TerminalRecord;
use subtle::ConstantTimeEq;
use uuid::Uuid;

use crate::operators::{Operator, Permission};
use crate::{Context, Error, FrontDesk, Result, audit_ok};

/// How long a pairing secret may be used.
pub const PAIRING_LIFETIME: Duration = Duration::minutes(15);

/// The longest terminal name.
const MAX_NAME_CHARS: usize = 60;

/// A pairing secret just made; shown once, to the person who pairs the terminal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPairing {
    pub terminal_name: String,
    pub secret: String,
    pub expires_at: DateTime<Utc>,
}

/// What a terminal keeps after pairing: who it is, and the secret that proves it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TerminalCredential {
    pub terminal_id: Uuid,
    pub terminal_name: String,
    pub credential: String,
}

/// A terminal as a manager or the IT person sees it.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TerminalView {
    pub terminal_id: Uuid,
    pub name: String,
    pub paired_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    /// When it last connected to the server.
    pub last_seen_at: Option<DateTime<Utc>>,
}

impl From<TerminalRecord> for TerminalView {
    fn from(record: TerminalRecord) -> Self {
        Self {
            terminal_id: record.id,
            name: record.name,
            paired_at: record.paired_at,
            revoked_at: record.revoked_at,
            last_seen_at: record.last_seen_at,
        }
    }
}

/// The refusal for every failed pairing: one answer for a wrong, used or expired secret, so
/// that a guess learns nothing.
fn pairing_refused() -> Error {
    Error::Unauthorized(
        "This pairing code is not valid: it is wrong, already used or expired. Ask for a new \
         one with `frontdesk terminals pair` on the server."
            .to_owned(),
    )
}

/// The refusal for a terminal that cannot prove itself, or was revoked.
fn terminal_refused() -> Error {
    Error::Unauthorized(
        "This terminal is not paired with the property server (or was revoked). Pair it again \
         with a new pairing code."
            .to_owned(),
    )
}

impl FrontDesk {
    /// A one-time pairing secret for a terminal to be called `name`, valid for
    /// [`PAIRING_LIFETIME`]. A manager's work (or the IT person's at the server).
    pub fn create_terminal_pairing(&self, context: &Context, name: &str) -> Result<NewPairing> {
        let name = name.trim();
        let request = serde_json::json!({ "name": name });
        self.change(context, "terminal.pairing_create", None, &request, |w| {
            context.require(Permission::Manage)?;
            check_name(name)?;
            if w.live_terminal_named(name)?.is_some() {
                return Err(Error::Conflict {
                    field: "name".into(),
                    message: format!(
                        "a terminal named {name:?} is paired already; revoke it first, or choose \
                         another name"
                    ),
                });
            }
            let secret = random_secret()?;
            let expires_at = context.now + PAIRING_LIFETIME;
            let id = w.insert_terminal_pairing(name, &digest(&secret), context.now, expires_at)?;
            w.audit(
                &audit_ok(
                    context,
                    "terminal.pairing_create",
                    id,
                    None,
                    Some(serde_json::json!({ "name": name, "expires_at": expires_at })),
                ),
                context.now,
            )?;
            Ok(NewPairing {
                terminal_name: name.to_owned(),
                secret,
                expires_at,
            })
        })
    }

    /// Pairs a terminal with a one-time secret: refused when the secret is wrong, used or
    /// expired, or when its name was paired meanwhile.
    pub fn pair_terminal(&self, context: &Context, secret: &str) -> Result<TerminalCredential> {
        // The secret never goes into the audit log.
        let request = serde_json::json!({});
        self.change(context, "terminal.pair", None, &request, |w| {
            let pairing = w
                .terminal_pairing(&digest(secret.trim()))?
                .filter(|pairing| pairing.used_at.is_none() && pairing.expires_at > context.now)
                .ok_or_else(pairing_refused)?;
            if w.live_terminal_named(&pairing.name)?.is_some() {
                return Err(Error::Conflict {
                    field: "name".into(),
                    message: format!(
                        "a terminal named {:?} was paired meanwhile; revoke it, or make a \
                         pairing code with another name",
                        pairing.name
                    ),
                });
            }
            let credential = random_secret()?;
            let terminal = w.insert_terminal(&pairing.name, &digest(&credential), context.now)?;
            w.use_terminal_pairing(pairing.id, terminal.id, context.now)?;
            w.audit(
                &audit_ok(
                    context,
                    "terminal.pair",
                    terminal.id,
                    None,
                    Some(serde_json::json!({ "terminal_id": terminal.id, "name": terminal.name })),
                ),
                context.now,
            )?;
            Ok(TerminalCredential {
                terminal_id: terminal.id,
                terminal_name: terminal.name,
                credential,
            })
        })
    }

    /// The terminal that `credential` proves, when it is paired and not revoked; records
    /// when it was last seen.
    pub fn authenticate_terminal(
        &self,
        terminal_id: Uuid,
        credential: &str,
        now: DateTime<Utc>,
    ) -> Result<TerminalRecord> {
        let mut terminal = self
            .store
            .read(|r| Ok::<_, Error>(r.terminal(terminal_id)?))?
            .filter(|terminal| terminal.revoked_at.is_none())
            .filter(|terminal| same_digest(&terminal.credential_hash, credential))
            .ok_or_else(terminal_refused)?;
        self.store
            .write(|w| Ok::<_, Error>(w.set_terminal_last_seen(terminal.id, now)?))?;
        terminal.last_seen_at = Some(now);
        Ok(terminal)
    }

    /// Whether a terminal is still paired: asked before each of its requests, so that a
    /// revocation takes effect at once.
    pub fn terminal_is_paired(&self, terminal_id: Uuid) -> Result<bool> {
        self.store.read(|r| {
            Ok(r.terminal(terminal_id)?
                .is_some_and(|terminal| terminal.revoked_at.is_none()))
        })
    }

    /// Every terminal ever paired, revoked ones last.
    pub fn terminals(&self, context: &Context) -> Result<Vec<TerminalView>> {
        context.require(Permission::Manage)?;
        self.store
            .read(|r| Ok(r.terminals()?.into_iter().map(TerminalView::from).collect()))
    }

    /// Revokes a terminal: its next request is refused and its operators' sessions end.
    pub fn revoke_terminal(&self, context: &Context, terminal_id: Uuid) -> Result<TerminalView> {
        let request = serde_json::json!({ "terminal_id": terminal_id });
        self.change(
            context,
            "terminal.revoke",
            Some(terminal_id.to_string()),
            &request,
            |w| {
                context.require(Permission::Manage)?;
                let before = w
                    .terminal(terminal_id)?
                    .ok_or_else(|| Error::not_found("terminal", terminal_id))?;
                if before.revoked_at.is_some() {
                    return Ok(TerminalView::from(before));
                }
                w.revoke_terminal(terminal_id, context.now)?;
                let after = w
                    .terminal(terminal_id)?
                    .ok_or_else(|| Error::not_found("terminal", terminal_id))?;
                w.audit(
                    &audit_ok(
                        context,
                        "terminal.revoke",
                        terminal_id,
                        crate::to_json(&TerminalView::from(before)),
                        crate::to_json(&TerminalView::from(after.clone())),
                    ),
                    context.now,
                )?;
                Ok(TerminalView::from(after))
            },
        )
    }

    /// A session for an operator who signed in at a terminal; its token goes with each of
    /// the terminal's requests.
    pub fn start_terminal_session(
        &self,
        terminal: &TerminalRecord,
        operator: &Operator,
        now: DateTime<Utc>,
    ) -> Result<String> {
        let token = random_secret()?;
        self.store.write(|w| {
            Ok::<_, Error>(w.insert_terminal_session(
                &digest(&token),
                operator.id,
                terminal.id,
                now,
            )?)
        })?;
        Ok(token)
    }

    /// The operator a terminal's session token belongs to, named with the terminal for the
    /// audit log. Refused when the session ended, belongs to another terminal, or its
    /// operator was disabled.
    pub fn terminal_session(&self, terminal: &TerminalRecord, token: &str) -> Result<Operator> {
        let ended = || Error::Unauthorized("Your session has ended; sign in again.".to_owned());
        self.store.read(|r| {
            let session = r
                .terminal_session(&digest(token))?
                .filter(|session| session.ended_at.is_none() && session.terminal_id == terminal.id)
                .ok_or_else(ended)?;
            let record = r
                .operator(session.operator_id)?
                .filter(|operator| operator.disabled_at.is_none())
                .ok_or_else(ended)?;
            Ok(Operator {
                terminal: Some(terminal.name.clone()),
                ..Operator::from(record)
            })
        })
    }

    /// Ends a terminal session (sign-out); ending an ended one changes nothing.
    pub fn end_terminal_session(&self, token: &str, now: DateTime<Utc>) -> Result<()> {
        self.store
            .write(|w| Ok::<_, Error>(w.end_terminal_session(&digest(token), now)?))
    }
}

fn check_name(name: &str) -> Result<()> {
    if name.is_empty() {
        return Err(Error::invalid(
            "name",
            "is empty: name the terminal, e.g. \"Desk 2\"",
        ));
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(Error::invalid(
            "name",
            format!("is longer than {MAX_NAME_CHARS} characters"),
        ));
    }
    if name.chars().any(char::is_control) {
        return Err(Error::invalid("name", "holds control characters"));
    }
    Ok(())
}

/// 32 random bytes in lower-case hex.
fn random_secret() -> Result<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|error| Error::invalid("secret", format!("no randomness: {error}")))?;
    Ok(hex(&bytes))
}

fn digest(secret: &str) -> String {
    hex(&Sha256::digest(secret.as_bytes()))
}

/// Whether `secret` hashes to `expected`, compared in constant time.
fn same_digest(expected: &str, secret: &str) -> bool {
    bool::from(expected.as_bytes().ct_eq(digest(secret).as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}
