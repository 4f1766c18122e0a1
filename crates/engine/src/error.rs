//! Why the engine refuses a request. Titles and messages of the guide's rules are its own,
//! word for word (its "Error codes & troubleshooting" table).

/// A refused request. Each variant has a stable `error_type` a program can match on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RuleError {
    /// Step 1: a field is missing, malformed or refers to nothing. `message` is the problem
    /// as written at the check ("must be after starts_at"); see [`field_sentence`].
    #[error("{}", field_sentence(field, message))]
    Invalid { field: String, message: String },
    /// Step 2 (ours): staff cards never override or join guest cards.
    #[error("Staff credentials can't belong to a reservation.")]
    StaffCannotBelongToReservation,
    /// Rule 1.
    #[error("reservation_key not supported.")]
    ReservationKeyNotSupported,
    /// The guide's error table: guest cards on an override-based door need a reservation.
    #[error("reservation_key required for guest cards.")]
    ReservationKeyRequiredForGuestCards,
    /// Rule 2.
    #[error("Reservation entrance change requires cleanup.")]
    EntranceChangeRequiresCleanup,
    /// Rule 3.
    #[error("Reservation joiner entrance set conflict.")]
    JoinerEntranceSetConflict,
    /// Rule 4.
    #[error("Reservation time frames must overlap.")]
    TimeFramesMustOverlap,
}

impl RuleError {
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Invalid {
            field: field.into(),
            message: message.into(),
        }
    }

    /// The HTTP status the guide gives this failure.
    pub fn status(&self) -> u16 {
        match self {
            Self::Invalid { .. }
            | Self::StaffCannotBelongToReservation
            | Self::ReservationKeyNotSupported
            | Self::ReservationKeyRequiredForGuestCards => 400,
            Self::EntranceChangeRequiresCleanup
            | Self::JoinerEntranceSetConflict
            | Self::TimeFramesMustOverlap => 409,
        }
    }

    /// The stable snake_case code (`docs/api.md`). Refused input is `invalid_input`, the
    /// code Seam's API and SDKs use for it, at every boundary.
    pub fn error_type(&self) -> &'static str {
        match self {
            Self::Invalid { .. } => "invalid_input",
            Self::StaffCannotBelongToReservation => {
                "staff_credentials_cannot_belong_to_reservation"
            }
            Self::ReservationKeyNotSupported => "reservation_key_not_supported",
            Self::ReservationKeyRequiredForGuestCards => "reservation_key_required_for_guest_cards",
            Self::EntranceChangeRequiresCleanup => "reservation_entrance_change_requires_cleanup",
            Self::JoinerEntranceSetConflict => "reservation_joiner_entrance_set_conflict",
            Self::TimeFramesMustOverlap => "reservation_time_frames_must_overlap",
        }
    }

    /// The guide's title, where the guide names this failure.
    pub fn title(&self) -> Option<&'static str> {
        match self {
            Self::Invalid { .. } => None,
            Self::StaffCannotBelongToReservation => {
                Some("Staff credentials can't belong to a reservation.")
            }
            Self::ReservationKeyNotSupported => Some("reservation_key not supported."),
            Self::ReservationKeyRequiredForGuestCards => {
                Some("reservation_key required for guest cards.")
            }
            Self::EntranceChangeRequiresCleanup => {
                Some("Reservation entrance change requires cleanup.")
            }
            Self::JoinerEntranceSetConflict => Some("Reservation joiner entrance set conflict."),
            Self::TimeFramesMustOverlap => Some("Reservation time frames must overlap."),
        }
    }

    /// What a person reads: what happened and what to do next.
    pub fn message(&self) -> String {
        match self {
            Self::Invalid { field, message } => field_sentence(field, message),
            Self::StaffCannotBelongToReservation => "Staff cards never override or join guest \
                cards. Remove reservation_key for staff user identities."
                .to_owned(),
            Self::ReservationKeyNotSupported => "No targeted entrances support reservation \
                behavior. Remove reservation_key or include at least one reservation-capable \
                entrance."
                .to_owned(),
            Self::ReservationKeyRequiredForGuestCards => "The targeted provider requires a \
                reservation for guest credentials (e.g., Visionline) but none was provided. Add \
                a reservation_key when issuing guest credentials for these entrances."
                .to_owned(),
            Self::EntranceChangeRequiresCleanup => "To change the doors for this reservation, \
                delete the existing access grants first."
                .to_owned(),
            Self::JoinerEntranceSetConflict => "Joiner access grants must use the same or a \
                subset of the reservation-capable doors."
                .to_owned(),
            Self::TimeFramesMustOverlap => "Access grants in the same reservation must have \
                overlapping time frames."
                .to_owned(),
        }
    }

    /// The field at fault, for input errors.
    pub fn field(&self) -> Option<&str> {
        match self {
            Self::Invalid { field, .. } => Some(field),
            _ => None,
        }
    }
}

/// A refused field's problem as one sentence that names the field once. A predicate
/// ("must be after starts_at", "is required") follows the field's name: "ends_at must be
/// after starts_at."; any other problem ("no entrance with id …") follows the field's name
/// and a colon: "acs_entrance_ids[0]: no entrance with id …."
pub fn field_sentence(field: &str, problem: &str) -> String {
    const PREDICATES: [&str; 9] = [
        "is", "must", "has", "are", "was", "does", "cannot", "could", "can't",
    ];
    let problem = problem.trim().trim_end_matches('.');
    let first_word = problem.split_whitespace().next().unwrap_or_default();
    if PREDICATES.contains(&first_word) {
        format!("{field} {problem}.")
    } else {
        format!("{field}: {problem}.")
    }
}
