//! The use cases' errors, and the one serializable shape every boundary (desktop commands,
//! local HTTP API) shows them in.

use encoder::client::EncoderError;
use engine::RuleError;
use engine::error::field_sentence;
use engine::property::Problem;
use serde::Serialize;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A request the engine's rules refuse.
    #[error(transparent)]
    Rule(#[from] RuleError),
    /// The named thing does not exist (or no longer does).
    #[error("{resource} {id} not found")]
    NotFound { resource: &'static str, id: String },
    /// A request that clashes with what is stored (a taken key).
    #[error("{}", field_sentence(field, message))]
    Conflict { field: String, message: String },
    /// The room is booked for another reservation over these dates. Its message is whole
    /// sentences for the desk, so it is not prefixed with the field.
    #[error("{message}")]
    RoomBooked { field: String, message: String },
    /// Sign-in failed.
    #[error("{0}")]
    Unauthorized(String),
    /// Too many wrong PINs in a row for a name: no PIN is checked for it until the
    /// lock-out ends.
    #[error("too many wrong PINs; try again in {retry_after_seconds} s")]
    TooManyAttempts { retry_after_seconds: u64 },
    /// The signed-in operator's role does not allow this.
    #[error("{0}")]
    Forbidden(String),
    /// A property file that breaks its rules; every problem is listed.
    #[error("the property file has {} problem(s)", .0.len())]
    PropertyInvalid(Vec<Problem>),
    #[error(transparent)]
    Store(#[from] store::Error),
    /// The encoder failed; its message says what to do.
    #[error(transparent)]
    Encoder(#[from] EncoderError),
    /// A card image that cannot be made (too many doors) or read.
    #[error(transparent)]
    Card(#[from] encoder::card::CardError),
    /// The local API cannot listen (its address is taken, or the network refuses it).
    #[error("the local API cannot start: {0}")]
    ApiUnavailable(String),
    /// A file the desk needs to start (database, property file, card keys, the simulated
    /// encoder's cards) cannot be opened, read or created.
    #[error("cannot open {what}: {detail}")]
    Files { what: String, detail: String },
    /// A failure of the program itself, not of the request.
    #[error("internal error: {0}")]
    Internal(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub(crate) fn not_found(resource: &'static str, id: impl ToString) -> Self {
        Self::NotFound {
            resource,
            id: id.to_string(),
        }
    }

    pub(crate) fn files(what: String, detail: impl std::fmt::Display) -> Self {
        Self::Files {
            what,
            detail: detail.to_string(),
        }
    }

    /// An input error that names its field.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Rule(RuleError::invalid(field, message))
    }

    /// The same error about a part of a larger request: its field, if it names one, as
    /// `within.field` (`rooms[2].space_id`).
    pub fn within(self, within: &str) -> Self {
        let nest = |field: String| format!("{within}.{field}");
        match self {
            Self::Rule(RuleError::Invalid { field, message }) => Self::Rule(RuleError::Invalid {
                field: nest(field),
                message,
            }),
            Self::Conflict { field, message } => Self::Conflict {
                field: nest(field),
                message,
            },
            Self::RoomBooked { field, message } => Self::RoomBooked {
                field: nest(field),
                message,
            },
            other => other,
        }
    }

    /// The error as every boundary shows it.
    pub fn to_wire(&self) -> WireError {
        match self {
            Self::Rule(rule) => WireError {
                status: rule.status(),
                error_type: rule_code(rule),
                title: rule.title().map(str::to_owned),
                message: rule.message(),
                field: rule.field().map(str::to_owned),
                problems: Vec::new(),
                retry_after_seconds: None,
            },
            Self::NotFound { resource, id } => WireError {
                status: 404,
                error_type: ErrorCode::NotFound,
                title: None,
                message: format!("No {resource} with id {id}; it may have been deleted."),
                field: None,
                problems: Vec::new(),
                retry_after_seconds: None,
            },
            Self::Conflict { field, message } => WireError {
                status: 409,
                error_type: ErrorCode::Conflict,
                title: None,
                message: field_sentence(field, message),
                field: Some(field.clone()),
                problems: Vec::new(),
                retry_after_seconds: None,
            },
            Self::RoomBooked { field, message } => WireError {
                status: 409,
                error_type: ErrorCode::Conflict,
                title: None,
                message: message.clone(),
                field: Some(field.clone()),
                problems: Vec::new(),
                retry_after_seconds: None,
            },
            Self::Unauthorized(message) => WireError {
                status: 401,
                error_type: ErrorCode::Unauthorized,
                title: None,
                message: message.clone(),
                field: None,
                problems: Vec::new(),
                retry_after_seconds: None,
            },
            Self::TooManyAttempts {
                retry_after_seconds,
            } => WireError {
                status: 429,
                error_type: ErrorCode::TooManyAttempts,
                title: None,
                message: format!(
                    "Too many wrong PINs in a row for this name. Try again in {}, or ask a \
                     manager to set a new PIN.",
                    wait_in_words(*retry_after_seconds)
                ),
                field: None,
                problems: Vec::new(),
                retry_after_seconds: Some(*retry_after_seconds),
            },
            Self::Forbidden(message) => WireError {
                status: 403,
                error_type: ErrorCode::Forbidden,
                title: None,
                message: message.clone(),
                field: None,
                problems: Vec::new(),
                retry_after_seconds: None,
            },
            Self::PropertyInvalid(problems) => WireError {
                status: 400,
                error_type: ErrorCode::InvalidPropertyFile,
                title: None,
                message: format!(
                    "The property file was not imported; fix these {} problem(s) and import it \
                     again.",
                    problems.len()
                ),
                field: None,
                problems: problems.iter().map(ToString::to_string).collect(),
                retry_after_seconds: None,
            },
            Self::Store(error) => store_error(error),
            Self::Encoder(error) => WireError {
                status: encoder_status(error),
                error_type: encoder_code(error),
                title: None,
                message: encoder_message(error),
                field: None,
                problems: Vec::new(),
                retry_after_seconds: None,
            },
            Self::Card(error) => WireError {
                status: 400,
                error_type: ErrorCode::InvalidCard,
                title: None,
                message: format!("The card cannot be made or read: {error}."),
                field: None,
                problems: Vec::new(),
                retry_after_seconds: None,
            },
            Self::ApiUnavailable(detail) => WireError {
                status: 503,
                error_type: ErrorCode::ApiUnavailable,
                title: None,
                message: format!(
                    "The local API could not start: {detail}. Close whatever else uses its \
                     address, or ask whoever looks after this computer, then switch it on again."
                ),
                field: None,
                problems: Vec::new(),
                retry_after_seconds: None,
            },
            Self::Files { what, detail } => WireError {
                status: 500,
                error_type: ErrorCode::FileError,
                title: None,
                message: format!("Cannot open {what}: {detail}."),
                field: None,
                problems: Vec::new(),
                retry_after_seconds: None,
            },
            Self::Internal(detail) => WireError {
                status: 500,
                error_type: ErrorCode::InternalError,
                title: None,
                message: format!(
                    "The program failed to complete the request; nothing was changed. ({detail})"
                ),
                field: None,
                problems: Vec::new(),
                retry_after_seconds: None,
            },
        }
    }
}

/// `45 seconds`, `1 minute`, `15 minutes`: rounded up to whole minutes past one minute.
fn wait_in_words(seconds: u64) -> String {
    match seconds {
        0..=1 => "1 second".to_owned(),
        2..=60 => format!("{seconds} seconds"),
        _ => {
            let minutes = seconds.div_ceil(60);
            format!("{minutes} minutes")
        }
    }
}

/// Equipment that is away or not answering is 503; a card or encoder that refused is 409.
fn encoder_status(error: &EncoderError) -> u16 {
    match error {
        EncoderError::NoAnswer | EncoderError::Disconnected | EncoderError::Io(_) => 503,
        _ => 409,
    }
}

fn store_error(error: &store::Error) -> WireError {
    let (status, error_type, message) = match error {
        store::Error::TooNew { .. } => (500, ErrorCode::DatabaseTooNew, error.to_string()),
        _ if error.is_busy() => (
            503,
            ErrorCode::DatabaseBusy,
            "The database is busy with another change; nothing was changed. Try again in a \
             moment."
                .to_owned(),
        ),
        _ if error.is_read_only() => (
            503,
            ErrorCode::DatabaseReadOnly,
            "The database cannot be written (its disk or file is read-only), so this change \
             was not saved; nothing was changed. Ask whoever looks after this computer to make \
             it writable again, then try again."
                .to_owned(),
        ),
        _ if error.is_disk_full() => (
            507,
            ErrorCode::DiskFull,
            "The disk is full, so this change was not saved; nothing was changed. Free some \
             space on this computer, then try again."
                .to_owned(),
        ),
        _ => (
            500,
            ErrorCode::DatabaseError,
            format!("The database could not complete the request; nothing was changed. ({error})"),
        ),
    };
    WireError {
        status,
        error_type,
        title: None,
        message,
        field: None,
        problems: Vec::new(),
        retry_after_seconds: None,
    }
}

/// The stable code of a [`WireError`]: what programs match on, and the UI's table of next
/// steps is typed by (its TypeScript twin is generated with the other bindings).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    serde::Deserialize,
    strum::IntoStaticStr,
    strum::EnumIter,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum ErrorCode {
    /// A field is missing, malformed or refers to nothing ([`WireError::field`] names it).
    InvalidInput,
    /// The guide's rules, by their codes.
    StaffCredentialsCannotBelongToReservation,
    ReservationKeyNotSupported,
    ReservationKeyRequiredForGuestCards,
    ReservationEntranceChangeRequiresCleanup,
    ReservationJoinerEntranceSetConflict,
    ReservationTimeFramesMustOverlap,
    NotFound,
    /// A request that clashes with what is stored: a taken key, a room booked over the dates.
    Conflict,
    Unauthorized,
    TooManyAttempts,
    Forbidden,
    InvalidPropertyFile,
    /// The encoder's failures, with the codes Seam's encoding attempts report.
    NoCredentialOnEncoder,
    IncompatibleCardFormat,
    EncoderNotOnline,
    EncoderCommunicationTimeout,
    EncodingInterrupted,
    UncategorizedError,
    InvalidCard,
    FileError,
    ApiUnavailable,
    DatabaseTooNew,
    DatabaseBusy,
    DatabaseReadOnly,
    DiskFull,
    DatabaseError,
    /// A failure of the program itself (a panic caught at a command).
    InternalError,
    /// A terminal cannot reach its property server: nothing was changed.
    ServerUnreachable,
    /// The link to the property server broke before it answered a change: it may or may
    /// not have been made.
    ServerAnswerLost,
}

impl ErrorCode {
    /// The code as it goes on the wire (`invalid_input`).
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// So that a test reads `assert_eq!(wire.error_type, "not_found")`.
impl PartialEq<&str> for ErrorCode {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

fn rule_code(rule: &RuleError) -> ErrorCode {
    match rule {
        RuleError::Invalid { .. } => ErrorCode::InvalidInput,
        RuleError::StaffCannotBelongToReservation => {
            ErrorCode::StaffCredentialsCannotBelongToReservation
        }
        RuleError::ReservationKeyNotSupported => ErrorCode::ReservationKeyNotSupported,
        RuleError::ReservationKeyRequiredForGuestCards => {
            ErrorCode::ReservationKeyRequiredForGuestCards
        }
        RuleError::EntranceChangeRequiresCleanup => {
            ErrorCode::ReservationEntranceChangeRequiresCleanup
        }
        RuleError::JoinerEntranceSetConflict => ErrorCode::ReservationJoinerEntranceSetConflict,
        RuleError::TimeFramesMustOverlap => ErrorCode::ReservationTimeFramesMustOverlap,
    }
}

fn encoder_code(error: &EncoderError) -> ErrorCode {
    match error {
        EncoderError::NoCardInTime => ErrorCode::NoCredentialOnEncoder,
        EncoderError::UnsupportedCard => ErrorCode::IncompatibleCardFormat,
        EncoderError::Disconnected | EncoderError::Io(_) => ErrorCode::EncoderNotOnline,
        EncoderError::NoAnswer => ErrorCode::EncoderCommunicationTimeout,
        EncoderError::CardRemoved | EncoderError::OutcomeUnknown { .. } => {
            ErrorCode::EncodingInterrupted
        }
        EncoderError::Busy
        | EncoderError::DamagedCard
        | EncoderError::Refused { .. }
        | EncoderError::BadImageLength { .. }
        | EncoderError::Protocol(_) => ErrorCode::UncategorizedError,
    }
}

/// What to tell the person at the desk when the encoder fails, and what to do next.
fn encoder_message(error: &EncoderError) -> String {
    match error {
        EncoderError::NoAnswer => "The encoder did not answer. Check that it is switched on and \
             its cable is plugged in, then try again."
            .to_owned(),
        EncoderError::Disconnected => "The encoder is not connected. Plug it in (or check its \
             cable) and try again."
            .to_owned(),
        EncoderError::Io(detail) => format!(
            "The computer cannot talk to the encoder ({detail}). Unplug the encoder, plug it \
             back in and try again."
        ),
        EncoderError::Busy => {
            "The encoder is busy with another card. Wait a moment and try again.".to_owned()
        }
        EncoderError::NoCardInTime => "No card was presented in time: place a blank card on the \
             encoder and try again."
            .to_owned(),
        EncoderError::CardRemoved => "The card was moved or taken off the encoder before it was \
             finished, so it was not written. Place it back on the encoder, keep it still, and \
             try again."
            .to_owned(),
        EncoderError::DamagedCard => "The card could not be written or checked; it may be \
             damaged. Put it aside, place a new blank card on the encoder and try again."
            .to_owned(),
        EncoderError::UnsupportedCard => "This card is not a kind the encoder can use. Take one \
             of the hotel's blank key cards and try again."
            .to_owned(),
        EncoderError::Refused { .. }
        | EncoderError::BadImageLength { .. }
        | EncoderError::Protocol(_) => "Something went wrong talking to the encoder. Try again; \
             if it keeps happening, unplug the encoder, plug it back in, and call support."
            .to_owned(),
        EncoderError::OutcomeUnknown { .. } => "The encoder stopped answering while the card was \
             being written, so it is not known yet whether the card is ready. Do not hand it to \
             the guest: leave it on the encoder while the system checks, and reconnect the \
             encoder if it is unplugged."
            .to_owned(),
    }
}

/// One error, as the desktop UI and the HTTP API receive it. The `type` is stable: programs
/// match on it, people read `title` and `message`.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct WireError {
    /// The HTTP status that goes with it.
    #[serde(skip)]
    pub status: u16,
    /// Stable: programs match on it.
    #[serde(rename = "type")]
    pub error_type: ErrorCode,
    /// The guide's title, for the rule errors that have one.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub title: Option<String>,
    /// What happened and what to do next, for a person.
    pub message: String,
    /// The request field at fault, for input errors.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub field: Option<String>,
    /// Every problem of a refused property file.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "ts", ts(optional, as = "Option<Vec<String>>"))]
    pub problems: Vec<String>,
    /// For `too_many_attempts`: the seconds until the name may try again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional, type = "number"))]
    pub retry_after_seconds: Option<u64>,
}

impl WireError {
    /// The message with every problem on a line of its own, for a terminal.
    pub fn message_with_problems(&self) -> String {
        let mut text = self.message.clone();
        for problem in &self.problems {
            text.push_str("\n  ");
            text.push_str(problem);
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use strum::IntoEnumIterator;

    use super::*;

    #[test]
    fn every_code_goes_on_the_wire_as_its_name() {
        for code in ErrorCode::iter() {
            assert_eq!(
                serde_json::to_value(code).unwrap_or_default(),
                serde_json::Value::from(code.as_str())
            );
        }
    }

    #[test]
    fn rule_and_encoder_codes_are_the_engine_s_and_seam_s_in_plain_words() {
        let rules = [
            RuleError::invalid("starts_at", "is missing"),
            RuleError::StaffCannotBelongToReservation,
            RuleError::ReservationKeyNotSupported,
            RuleError::ReservationKeyRequiredForGuestCards,
            RuleError::EntranceChangeRequiresCleanup,
            RuleError::JoinerEntranceSetConflict,
            RuleError::TimeFramesMustOverlap,
        ];
        for rule in &rules {
            assert_eq!(rule_code(rule).as_str(), rule.error_type(), "{rule:?}");
        }
        let failures = [
            EncoderError::NoAnswer,
            EncoderError::Disconnected,
            EncoderError::Io("gone".to_owned()),
            EncoderError::Busy,
            EncoderError::NoCardInTime,
            EncoderError::CardRemoved,
            EncoderError::DamagedCard,
            EncoderError::UnsupportedCard,
            EncoderError::OutcomeUnknown { op_id: [1; 16] },
            EncoderError::BadImageLength { len: 0 },
        ];
        let mut messages = std::collections::HashSet::new();
        for failure in &failures {
            assert_eq!(
                encoder_code(failure).as_str(),
                failure.seam_error_type(),
                "{failure:?}"
            );
            let message = encoder_message(failure);
            assert!(message.ends_with('.'), "{message}");
            assert!(!message.contains("Protocol"), "{message}");
            messages.insert(message);
        }
        assert!(messages.len() >= 9);
        assert_eq!(
            encoder_message(&EncoderError::NoCardInTime),
            "No card was presented in time: place a blank card on the encoder and try again."
        );
    }
}
