//! Issuing exactly once across a crash, and never writing over another guest's card.

use encoder::client::EncoderError;
use encoder::keys::KeyRing;
use encoder::simulator::{Fault, SimulatedEncoder, UnplugAt};
use encoder::supervisor::Source;
use frontdesk::{CardStation, EncodedCard, FrontDesk};
use store::{EncodeState, Store};
use uuid::Uuid;

use super::{
    SAT_15, WED_11, assert_journal_matches_the_encoder, issue, opens, overrode, sequence_tables,
    simulator, uid,
};
use crate::support::{Desk, desk_context, sequence_at};

struct Files {
    _dir: tempfile::TempDir,
    database: std::path::PathBuf,
    keys: std::path::PathBuf,
    encoder: std::path::PathBuf,
}

impl Files {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        Self {
            database: dir.path().join("frontdesk.sqlite3"),
            keys: dir.path().join("keys").join("card-keys.json"),
            encoder: dir.path().join("encoder.json"),
            _dir: dir,
        }
    }

    /// The desk as the application starts it: everything from the files.
    fn start(&self, property_id: Option<Uuid>) -> Desk {
        let desk = FrontDesk::new(Store::open(&self.database).unwrap());
        let context = desk_context();
        let property_id = property_id.unwrap_or_else(|| {
            desk.import_property(&context, crate::support::TEST_PROPERTY)
                .unwrap()
                .id
        });
        let keys = KeyRing::load_or_create(&self.keys, property_id).unwrap();
        let simulator = SimulatedEncoder::open(&self.encoder).unwrap();
        simulator.plug();
        Desk {
            desk,
            context,
            station: CardStation::new(Source::Simulated(simulator), keys),
        }
    }
}

#[test]
fn exactly_once_across_a_crash_after_the_card_was_written() {
    let files = Files::new();
    let desk = files.start(None);
    let property_id = desk.desk.property().unwrap().unwrap().id;
    let grant = desk
        .stay(&desk.guest(), &["room-101"], SAT_15, WED_11, Some("stay-1"))
        .unwrap();
    let method = grant.access_method_ids[0];
    let card_uid = simulator(&desk).present_blank_card();

    // The card is written and verified, then the encoder is unplugged before its answer.
    simulator(&desk).fail_next(Fault::UnplugMidWrite(UnplugAt::AfterWrite));
    let error = desk.encode_at(&desk.context, method).unwrap_err();
    // The door's number was taken with the intent, before the card was touched.
    let taken = desk.desk.access_grant(grant.id).unwrap();
    assert_eq!(sequence_at(&desk, &taken, "room-101-door"), Some(1));
    let sequences = sequence_tables(&desk.desk);
    assert!(
        matches!(
            error,
            frontdesk::Error::Encoder(EncoderError::OutcomeUnknown { .. })
        ),
        "{error:?}"
    );
    let pending = desk
        .desk
        .store()
        .read(|r| r.pending_encode_operations(None))
        .unwrap();
    assert_eq!(pending.len(), 1);
    let op_id = pending[0].op_id;
    assert_eq!(pending[0].card_uid, card_uid.to_hex());
    assert_eq!(pending[0].access_method_id, Some(method));
    assert!(!desk.desk.access_method(method).unwrap().is_issued());
    // Killed: nothing more runs.
    drop(desk);

    let desk = files.start(Some(property_id));
    let resolution = desk
        .desk
        .resolve_pending_encodes(&desk.context, &desk.station)
        .unwrap();
    assert_eq!(resolution.written, [op_id]);
    assert!(resolution.failed.is_empty() && resolution.unresolved.is_empty());
    let operation = desk
        .desk
        .store()
        .read(|r| r.encode_operation(op_id))
        .unwrap()
        .unwrap();
    assert_eq!(operation.state, EncodeState::Written);
    let issued = desk.desk.access_method(method).unwrap();
    assert!(issued.is_issued());
    assert_eq!(issued.card_id, Some(card_uid.to_hex()));

    // Exactly one card for the op, written once; one record; no number reused.
    let cards: Vec<_> = simulator(&desk)
        .cards()
        .into_iter()
        .filter(|card| card.op_id == Some(*op_id.as_bytes()))
        .collect();
    assert_eq!(cards.len(), 1);
    assert_eq!(cards[0].uid, card_uid);
    assert_eq!(cards[0].writes, 1);
    let records = desk
        .desk
        .store()
        .read(|r| r.cards_of_method(method))
        .unwrap();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].op_id, op_id);
    assert_eq!(sequence_tables(&desk.desk), sequences);
    assert_journal_matches_the_encoder(&desk, false);

    // Resolving again changes nothing.
    let again = desk
        .desk
        .resolve_pending_encodes(&desk.context, &desk.station)
        .unwrap();
    assert_eq!(again, frontdesk::Resolution::default());
    assert_eq!(
        desk.desk
            .store()
            .read(|r| r.cards_of_method(method))
            .unwrap()
            .len(),
        1
    );
    assert_eq!(simulator(&desk).card(&card_uid).unwrap().writes, 1);

    // The card, made before the crash under the keys on disk, opens the door.
    assert_eq!(
        opens(&desk, "room-101-door", &card_uid.to_hex(), SAT_15),
        overrode(0, 1)
    );
}

#[test]
fn exactly_once_across_a_crash_before_the_commit() {
    let files = Files::new();
    let desk = files.start(None);
    let property_id = desk.desk.property().unwrap().unwrap().id;
    let grant = desk
        .stay(&desk.guest(), &["room-101"], SAT_15, WED_11, Some("stay-1"))
        .unwrap();
    let method = grant.access_method_ids[0];
    let card_uid = simulator(&desk).present_blank_card();

    simulator(&desk).fail_next(Fault::UnplugMidWrite(UnplugAt::BeforeCommit));
    let error = desk.encode_at(&desk.context, method).unwrap_err();
    // The door's number was taken with the intent, before the card was touched.
    let taken = desk.desk.access_grant(grant.id).unwrap();
    assert_eq!(sequence_at(&desk, &taken, "room-101-door"), Some(1));
    let sequences = sequence_tables(&desk.desk);
    assert!(
        matches!(error, frontdesk::Error::Encoder(EncoderError::Disconnected)),
        "{error:?}"
    );
    let pending = desk
        .desk
        .store()
        .read(|r| r.pending_encode_operations(None))
        .unwrap();
    assert_eq!(pending.len(), 1);
    let op_id = pending[0].op_id;
    drop(desk);

    let desk = files.start(Some(property_id));
    let resolution = desk
        .desk
        .resolve_pending_encodes(&desk.context, &desk.station)
        .unwrap();
    assert_eq!(resolution.failed, [op_id]);
    assert!(resolution.written.is_empty() && resolution.unresolved.is_empty());
    assert!(!desk.desk.access_method(method).unwrap().is_issued());
    let blank = simulator(&desk).card(&card_uid).unwrap();
    assert!(blank.image.is_empty());
    assert_eq!(blank.writes, 0);
    assert!(
        desk.desk
            .store()
            .read(|r| r.cards_of_method(method))
            .unwrap()
            .is_empty()
    );

    // A later encode works, with the same numbers.
    let written: EncodedCard = desk.encode(method);
    assert_eq!(written.card_id, card_uid.to_hex());
    assert_ne!(written.op_id, op_id);
    assert_eq!(simulator(&desk).card(&card_uid).unwrap().writes, 1);
    assert_eq!(sequence_tables(&desk.desk), sequences);
    assert_journal_matches_the_encoder(&desk, false);
    assert_eq!(
        opens(&desk, "room-101-door", &written.card_id, SAT_15),
        overrode(0, 1)
    );
}

#[test]
fn another_guests_valid_card_is_never_written_over() {
    let desk = Desk::new();
    let first = desk
        .stay(
            &desk.guest(),
            &["room-101"],
            "2025-05-10T15:00:00Z",
            "2025-05-14T11:00:00Z",
            Some("stay-1"),
        )
        .unwrap();
    let second = desk
        .stay(
            &desk.guest(),
            &["room-102"],
            "2025-05-10T15:00:00Z",
            "2025-05-14T11:00:00Z",
            Some("stay-2"),
        )
        .unwrap();
    let first_card = issue(&desk, first.access_method_ids[0]);

    // Guest 1's card is still on the pad: it is not taken for guest 2.
    assert!(simulator(&desk).present_card(&uid(&first_card)));
    let error = desk
        .encode_at(&desk.context, second.access_method_ids[0])
        .unwrap_err();
    let wire = error.to_wire();
    assert_eq!(
        (wire.status, wire.field.as_deref()),
        (400, Some("card")),
        "{wire:?}"
    );
    assert!(wire.message.contains(&first_card), "{}", wire.message);
    assert!(
        !desk
            .desk
            .access_method(second.access_method_ids[0])
            .unwrap()
            .is_issued()
    );
    assert_eq!(simulator(&desk).card(&uid(&first_card)).unwrap().writes, 1);

    // Re-encoding guest 1's own card on it is fine, and so is reusing it once revoked.
    assert_eq!(desk.encode(first.access_method_ids[0]).card_id, first_card);
    desk.desk
        .delete_access_grant(&desk.context, first.id)
        .unwrap();
    assert_eq!(desk.encode(second.access_method_ids[0]).card_id, first_card);
}
