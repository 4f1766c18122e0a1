//! The guide's rules and the validation order of `docs/domain.md`, one named test per rule.

use std::collections::BTreeSet;

use chrono::{DateTime, TimeZone, Utc};
use engine::RuleError;
use engine::model::{
    AccessMode, AccessSystemKind, EntranceFacts, EntranceId, RequestedAccessMethod, TimeFrame,
    UserKind,
};
use engine::rules::{CreateGrant, LiveReservation, Placement, check_create};
use uuid::Uuid;

mod random;
mod reservations;
mod updates;
mod validation;

// ---------------------------------------------------------------------------------------------
// Fixtures

fn at(year: i32, month: u32, day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(year, month, day, hour, minute, 0)
        .unwrap()
}

/// The fixed "now" of every test: before the guide's example stays.
fn now() -> DateTime<Utc> {
    at(2025, 5, 1, 9, 0)
}

/// The guide's first stay: 2025-05-10T15:00Z to 2025-05-14T11:00Z.
fn stay_1() -> TimeFrame {
    TimeFrame::new(at(2025, 5, 10, 15, 0), at(2025, 5, 14, 11, 0))
}

fn id(n: u128) -> EntranceId {
    Uuid::from_u128(n)
}

const ROOM_101: u128 = 101;
const ROOM_102: u128 = 102;
const ROOM_103: u128 = 103;
const ROOM_203: u128 = 203;
const GYM: u128 = 9001;
const POOL: u128 = 9002;
const LOBBY: u128 = 9003;

/// A guest door on Visionline: reservation-capable, card and mobile key.
fn room(n: u128) -> EntranceFacts {
    EntranceFacts {
        id: id(n),
        name: format!("Room {n}"),
        system_kind: AccessSystemKind::VisionlineSystem,
        can_belong_to_reservation: true,
        modes: vec![AccessMode::Card, AccessMode::MobileKey],
    }
}

/// A common door on the same offline system: never part of a reservation.
fn common(n: u128, name: &str) -> EntranceFacts {
    EntranceFacts {
        id: id(n),
        name: name.to_owned(),
        system_kind: AccessSystemKind::VisionlineSystem,
        can_belong_to_reservation: false,
        modes: vec![AccessMode::Card, AccessMode::MobileKey, AccessMode::Code],
    }
}

fn gym() -> EntranceFacts {
    common(GYM, "Gym")
}

fn pool() -> EntranceFacts {
    common(POOL, "Pool")
}

fn lobby() -> EntranceFacts {
    common(LOBBY, "Lobby")
}

fn method(mode: AccessMode) -> RequestedAccessMethod {
    RequestedAccessMethod { mode, code: None }
}

fn code(pin: &str) -> RequestedAccessMethod {
    RequestedAccessMethod {
        mode: AccessMode::Code,
        code: Some(pin.to_owned()),
    }
}

fn doors(ids: &[u128]) -> BTreeSet<EntranceId> {
    ids.iter().map(|n| id(*n)).collect()
}

fn live(door_ids: &[u128], frames: &[TimeFrame]) -> LiveReservation {
    LiveReservation {
        id: Uuid::from_u128(0x5_7A71),
        door_set: doors(door_ids),
        grant_frames: frames.to_vec(),
    }
}

/// An owned create request; `check` borrows it into a `CreateGrant`.
#[derive(Debug, Clone)]
struct Request {
    user_kind: UserKind,
    entrances: Vec<EntranceFacts>,
    frame: TimeFrame,
    requested: Vec<RequestedAccessMethod>,
    reservation_key: Option<String>,
    name: Option<String>,
}

impl Request {
    /// A guest card for `stay_1` with reservation_key "stay-1".
    fn guest(entrances: Vec<EntranceFacts>) -> Self {
        Self {
            user_kind: UserKind::Guest,
            entrances,
            frame: stay_1(),
            requested: vec![method(AccessMode::Card)],
            reservation_key: Some("stay-1".to_owned()),
            name: None,
        }
    }

    fn user(mut self, kind: UserKind) -> Self {
        self.user_kind = kind;
        self
    }

    fn key(mut self, key: Option<&str>) -> Self {
        self.reservation_key = key.map(str::to_owned);
        self
    }

    fn name(mut self, name: &str) -> Self {
        self.name = Some(name.to_owned());
        self
    }

    fn frame(mut self, starts_at: DateTime<Utc>, ends_at: DateTime<Utc>) -> Self {
        self.frame = TimeFrame::new(starts_at, ends_at);
        self
    }

    fn requested(mut self, requested: Vec<RequestedAccessMethod>) -> Self {
        self.requested = requested;
        self
    }

    fn check(&self, live: Option<&LiveReservation>) -> Result<Placement, RuleError> {
        let request = CreateGrant {
            user_kind: self.user_kind,
            entrances: &self.entrances,
            frame: self.frame,
            requested: &self.requested,
            reservation_key: self.reservation_key.as_deref(),
            name: self.name.as_deref(),
            one_shot: false,
        };
        check_create(&request, live, now())
    }
}

/// Asserts an input (step 1) error naming `field`.
fn assert_invalid(result: Result<Placement, RuleError>, field: &str) -> RuleError {
    let error = result.expect_err("the request should be refused");
    assert_eq!(error.field(), Some(field), "wrong field in {error:?}");
    assert_eq!(error.status(), 400);
    assert_eq!(error.error_type(), "invalid_input");
    assert_eq!(error.title(), None, "input errors have no guide title");
    // One sentence that names the field at its start, and not again unless the problem
    // itself does ("give acs_entrance_ids, space_ids or …").
    let message = error.message();
    assert!(
        message.starts_with(&format!("{field}: ")) || message.starts_with(&format!("{field} ")),
        "{message}"
    );
    if let RuleError::Invalid {
        message: problem, ..
    } = &error
    {
        assert_eq!(
            message.matches(field).count(),
            problem.matches(field).count() + 1,
            "{message}"
        );
    }
    assert!(
        error.message().len() > field.len() + 5,
        "message says nothing: {}",
        error.message()
    );
    error
}

const NOT_SUPPORTED_TITLE: &str = "reservation_key not supported.";
const NOT_SUPPORTED_MESSAGE: &str = "No targeted entrances support reservation behavior. Remove \
    reservation_key or include at least one reservation-capable entrance.";
const REQUIRED_TITLE: &str = "reservation_key required for guest cards.";
const REQUIRED_MESSAGE: &str = "The targeted provider requires a reservation for guest \
    credentials (e.g., Visionline) but none was provided. Add a reservation_key when issuing \
    guest credentials for these entrances.";
const CLEANUP_TITLE: &str = "Reservation entrance change requires cleanup.";
const CLEANUP_MESSAGE: &str =
    "To change the doors for this reservation, delete the existing access grants first.";
const JOINER_TITLE: &str = "Reservation joiner entrance set conflict.";
const JOINER_MESSAGE: &str =
    "Joiner access grants must use the same or a subset of the reservation-capable doors.";
const OVERLAP_TITLE: &str = "Reservation time frames must overlap.";
const OVERLAP_MESSAGE: &str =
    "Access grants in the same reservation must have overlapping time frames.";

/// Asserts one of the guide's five errors, with its status, type, title and message.
fn assert_guide_error(
    result: Result<Placement, RuleError>,
    expected: RuleError,
    status: u16,
    error_type: &str,
    title: &str,
    message: &str,
) {
    let error = result.expect_err("the request should be refused");
    assert_eq!(error, expected);
    assert_eq!(error.status(), status);
    assert_eq!(error.error_type(), error_type);
    assert_eq!(error.title(), Some(title));
    assert_eq!(error.message(), message);
    assert_eq!(error.to_string(), title);
    assert_eq!(error.field(), None);
}
