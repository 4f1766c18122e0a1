//! A small property and helpers shared by the use-case tests.
#![allow(clippy::unwrap_used, clippy::result_large_err)] // test helpers, outside #[test] fns

use chrono::{DateTime, TimeZone, Utc};
use encoder::keys::KeyRing;
use encoder::simulator::SimulatedEncoder;
use encoder::supervisor::Source;
use engine::model::{AccessMode, RequestedAccessMethod, UserKind};
use frontdesk::{
    AccessGrantRecord, CardStation, Context, CreateAccessGrant, EncodedCard, FrontDesk,
    NewUserIdentity, UserIdentityRecord, WireError,
};
use store::{GrantEntrance, Store};

/// Rooms 101, 102 and 203 and a two-door suite on Visionline; gym, pool and lobby on
/// Visionline but not reservation-capable; a parking gate on an online system.
pub const TEST_PROPERTY: &str = include_str!("../../../../../tests/fixtures/test-property.json");

pub fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .expect("test instant")
        .with_timezone(&Utc)
}

/// Before every stay of the guide's examples.
pub fn before_the_stays() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 5, 1, 9, 0, 0).unwrap()
}

pub fn desk_context() -> Context {
    Context::new("desk", before_the_stays())
}

pub struct Desk {
    pub desk: FrontDesk,
    pub context: Context,
    /// The simulated encoder with fresh card keys for the property.
    pub station: CardStation,
}

impl Desk {
    pub fn new() -> Self {
        Self::on(Store::open_in_memory().unwrap())
    }

    pub fn on(store: Store) -> Self {
        let desk = FrontDesk::new(store);
        let context = desk_context();
        let property = desk.import_property(&context, TEST_PROPERTY).unwrap();
        let keys = KeyRing::generate(property.id).unwrap();
        let station = CardStation::new(Source::Simulated(SimulatedEncoder::in_memory()), keys);
        Self {
            desk,
            context,
            station,
        }
    }

    /// Encodes an access method's card on the simulated encoder.
    pub fn encode(&self, access_method_id: uuid::Uuid) -> EncodedCard {
        self.encode_at(&self.context, access_method_id).unwrap()
    }

    /// The grant as it reads after its first card was encoded on a fresh blank: with its
    /// reservation's numbers on the doors the card carries.
    pub fn encoded(&self, grant: &AccessGrantRecord) -> AccessGrantRecord {
        self.station
            .simulator()
            .expect("the test desk uses the simulated encoder")
            .present_blank_card();
        self.encode(grant.access_method_ids[0]);
        self.desk.access_grant(grant.id).unwrap()
    }

    /// Encodes onto the card on the simulated encoder (a blank is fed when there is none).
    pub fn encode_at(
        &self,
        context: &Context,
        access_method_id: uuid::Uuid,
    ) -> Result<EncodedCard, frontdesk::Error> {
        self.desk
            .encode_card(context, &self.station, access_method_id, &mut |_, _| {})
    }

    pub fn user(&self, kind: UserKind) -> UserIdentityRecord {
        let user = NewUserIdentity {
            key: None,
            full_name: Some(format!("A {}", kind.as_str())),
            email_address: None,
            phone_number: None,
            kind,
        };
        self.desk
            .create_user_identity(&self.context, &user)
            .unwrap()
    }

    pub fn guest(&self) -> UserIdentityRecord {
        self.user(UserKind::Guest)
    }

    pub fn space_id(&self, key: &str) -> uuid::Uuid {
        self.desk
            .spaces()
            .unwrap()
            .into_iter()
            .find(|space| space.key == key)
            .unwrap()
            .id
    }

    pub fn entrance_id(&self, key: &str) -> uuid::Uuid {
        self.desk
            .entrances(None, None)
            .unwrap()
            .into_iter()
            .find(|e| e.key == key)
            .unwrap()
            .id
    }

    pub fn create(&self, request: &CreateAccessGrant) -> Result<AccessGrantRecord, WireError> {
        self.desk
            .create_access_grant(&self.context, request)
            .map_err(|error| error.to_wire())
    }

    /// The guide's usual request: a card for `spaces` from `starts_at` to `ends_at`.
    pub fn stay(
        &self,
        user: &UserIdentityRecord,
        spaces: &[&str],
        starts_at: &str,
        ends_at: &str,
        key: Option<&str>,
    ) -> Result<AccessGrantRecord, WireError> {
        self.create(&CreateAccessGrant {
            user_identity_id: Some(user.id),
            space_keys: spaces.iter().map(|key| (*key).to_owned()).collect(),
            starts_at: Some(at(starts_at)),
            ends_at: Some(at(ends_at)),
            requested_access_methods: vec![card()],
            reservation_key: key.map(str::to_owned),
            ..Default::default()
        })
    }
}

pub fn card() -> RequestedAccessMethod {
    RequestedAccessMethod {
        mode: AccessMode::Card,
        code: None,
    }
}

pub fn mode(mode: AccessMode) -> RequestedAccessMethod {
    RequestedAccessMethod { mode, code: None }
}

/// The sequence the grant carries for one entrance, `None` for standard access and for a
/// reservation door no card was encoded for yet.
pub fn sequence_at(desk: &Desk, grant: &AccessGrantRecord, entrance_key: &str) -> Option<u32> {
    grant_entrance(desk, grant, entrance_key).sequence
}

/// One entrance of the grant.
pub fn grant_entrance(desk: &Desk, grant: &AccessGrantRecord, entrance_key: &str) -> GrantEntrance {
    let id = desk.entrance_id(entrance_key);
    *grant
        .entrances
        .iter()
        .find(|entrance| entrance.entrance_id == id)
        .expect("entrance on grant")
}

/// What the simulated door `door` decides on the card `card_id` presented at `when`.
pub fn present(desk: &Desk, door: &str, card_id: &str, when: &str) -> frontdesk::LockDecision {
    desk.desk
        .present_card(
            &desk.context,
            &desk.station,
            desk.entrance_id(door),
            card_id,
            Some(at(when)),
        )
        .unwrap()
}

/// An operator of `role`, as a signed-in session carries them.
pub fn operator(name: &str, role: frontdesk::Role) -> frontdesk::Operator {
    frontdesk::Operator {
        id: uuid::Uuid::new_v4(),
        name: name.to_owned(),
        role,
        terminal: None,
    }
}
