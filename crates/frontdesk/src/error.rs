//! The use cases' errors, and the one serializable shape every boundary (desktop commands,
//! local HTTP API) shows them in.

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
    Encoder(#[from] encoder::client::EncoderError),
    /// A card image that cannot be made (too many doors) or read.
    #[error(transparent)]
    Card(#[from] encoder::card::CardError),
    /// A file the desk needs to start (database, property file, card keys, the simulated
    /// encoder's cards) cannot be opened, read or created.
    #[error("cannot open {what}: {detail}")]
    Files { what: String, detail: String },
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

    pub(crate) fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Rule(RuleError::invalid(field, message))
    }

    /// The error as every boundary shows it.
    pub fn to_wire(&self) -> WireError {
        match self {
            Self::Rule(rule) => WireError {
                status: rule.status(),
                error_type: rule.error_type().to_owned(),
                title: rule.title().map(str::to_owned),
                message: rule.message(),
                field: rule.field().map(str::to_owned),
                problems: Vec::new(),
            },
            Self::NotFound { resource, id } => WireError {
                status: 404,
                error_type: "not_found".to_owned(),
                title: None,
                message: format!("No {resource} with id {id}; it may have been deleted."),
                field: None,
                problems: Vec::new(),
            },
            Self::Conflict { field, message } => WireError {
                status: 409,
                error_type: "conflict".to_owned(),
                title: None,
                message: field_sentence(field, message),
                field: Some(field.clone()),
                problems: Vec::new(),
            },
            Self::RoomBooked { field, message } => WireError {
                status: 409,
                error_type: "conflict".to_owned(),
                title: None,
                message: message.clone(),
                field: Some(field.clone()),
                problems: Vec::new(),
            },
            Self::Unauthorized(message) => WireError {
                status: 401,
                error_type: "unauthorized".to_owned(),
                title: None,
                message: message.clone(),
                field: None,
                problems: Vec::new(),
            },
            Self::TooManyAttempts {
                retry_after_seconds,
            } => WireError {
                status: 429,
                error_type: "too_many_attempts".to_owned(),
                title: None,
                message: format!(
                    "Too many wrong PINs in a row for this name. Try again in {}, or ask a \
                     manager to set a new PIN.",
                    wait_in_words(*retry_after_seconds)
                ),
                field: None,
                problems: Vec::new(),
            },
            Self::Forbidden(message) => WireError {
                status: 403,
                error_type: "forbidden".to_owned(),
                title: None,
                message: message.clone(),
                field: None,
                problems: Vec::new(),
            },
            Self::PropertyInvalid(problems) => WireError {
                status: 400,
                error_type: "invalid_property_file".to_owned(),
                title: None,
                message: format!(
                    "The property file was not imported; fix these {} problem(s) and import it \
                     again.",
                    problems.len()
                ),
                field: None,
                problems: problems.iter().map(ToString::to_string).collect(),
            },
            Self::Store(error) => store_error(error),
            Self::Encoder(error) => WireError {
                status: encoder_status(error),
                error_type: error.seam_error_type().to_owned(),
                title: None,
                message: error.message(),
                field: None,
                problems: Vec::new(),
            },
            Self::Card(error) => WireError {
                status: 400,
                error_type: "invalid_card".to_owned(),
                title: None,
                message: format!("The card cannot be made or read: {error}."),
                field: None,
                problems: Vec::new(),
            },
            Self::Files { what, detail } => WireError {
                status: 500,
                error_type: "file_error".to_owned(),
                title: None,
                message: format!("Cannot open {what}: {detail}."),
                field: None,
                problems: Vec::new(),
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
fn encoder_status(error: &encoder::client::EncoderError) -> u16 {
    use encoder::client::EncoderError;
    match error {
        EncoderError::NoAnswer | EncoderError::Disconnected | EncoderError::Io(_) => 503,
        _ => 409,
    }
}

fn store_error(error: &store::Error) -> WireError {
    let (status, error_type, message) = match error {
        store::Error::TooNew { .. } => (500, "database_too_new", error.to_string()),
        _ if error.is_busy() => (
            503,
            "database_busy",
            "The database is busy with another change; nothing was changed. Try again in a \
             moment."
                .to_owned(),
        ),
        _ if error.is_read_only() => (
            503,
            "database_read_only",
            "The database cannot be written (its disk or file is read-only), so this change \
             was not saved; nothing was changed. Ask whoever looks after this computer to make \
             it writable again, then try again."
                .to_owned(),
        ),
        _ if error.is_disk_full() => (
            507,
            "disk_full",
            "The disk is full, so this change was not saved; nothing was changed. Free some \
             space on this computer, then try again."
                .to_owned(),
        ),
        _ => (
            500,
            "database_error",
            format!("The database could not complete the request; nothing was changed. ({error})"),
        ),
    };
    WireError {
        status,
        error_type: error_type.to_owned(),
        title: None,
        message,
        field: None,
        problems: Vec::new(),
    }
}

/// One error, as the desktop UI and the HTTP API receive it. The `type` is stable: programs
/// match on it, people read `title` and `message`.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WireError {
    /// The HTTP status that goes with it.
    #[serde(skip)]
    pub status: u16,
    /// Stable: programs match on it (`not_found`, `encoder_disconnected`, a rule's type...).
    #[serde(rename = "type")]
    pub error_type: String,
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
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "ts", ts(optional, as = "Option<Vec<String>>"))]
    pub problems: Vec<String>,
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
