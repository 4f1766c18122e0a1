//! The properties: random operations keep every invariant, in memory and on a file.

use std::collections::BTreeMap;

use proptest::prelude::*;
use store::Store;

use super::ops::ops;
use super::{ACTORS, DATA_TABLES, Expected, Placement, Request, Snapshot, World, cell};

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Random operation sequences on an in-memory database keep every invariant after every
    /// operation, and each outcome is the one the model predicts.
    #[test]
    fn random_operations_keep_the_invariants(ops in ops(40)) {
        let mut world = World::new(Store::open_in_memory().unwrap());
        world.run(&ops);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    /// The same on a database file; reopening the file afterwards shows the same state.
    #[test]
    fn random_operations_on_a_file_survive_reopening(ops in ops(40)) {
        let dir = tempfile::TempDir::new().unwrap();
        let path = dir.path().join("frontdesk.sqlite");
        let mut world = World::new(Store::open(&path).unwrap());
        world.run(&ops);
        let last = world.snapshot();
        drop(world);
        let reopened = Store::open(&path).unwrap();
        let again = reopened
            .read(|r| {
                let mut data = BTreeMap::new();
                for table in DATA_TABLES {
                    data.insert(table, r.table_rows(table)?);
                }
                Ok::<_, store::Error>(Snapshot { data, audit: r.table_rows("audit_log")? })
            })
            .unwrap();
        prop_assert_eq!(last, again);
        prop_assert_eq!(reopened.integrity_check().unwrap(), vec!["ok".to_owned()]);
    }
}

/// The generator reaches the interesting outcomes: joiners, new reservations, and each of
/// the reservation conflicts, so the properties above are not vacuous.
#[test]
fn the_generated_sequences_reach_every_reservation_outcome() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::from_seed(RngAlgorithm::ChaCha, &[7; 32]),
    );
    let strategy = ops(40);
    let mut outcomes: BTreeMap<String, usize> = BTreeMap::new();
    for _ in 0..64 {
        let ops = strategy.new_tree(&mut runner).unwrap().current();
        let world = World::new(Store::open_in_memory().unwrap());
        let mut world = world;
        for (actor, op) in &ops {
            let request = world.request(op);
            let label = match (&request, world.expect(&request).outcome) {
                (Request::Create(_), Ok(Expected::Grant(Placement::Join(_)))) => "join".into(),
                (Request::Create(_), Ok(Expected::Grant(placement))) => {
                    format!("{placement:?}").to_lowercase()
                }
                (Request::Create(_), Err(error)) => error.to_owned(),
                (Request::Update(_), Err(error)) => format!("update {error}"),
                _ => "other".into(),
            };
            *outcomes.entry(label).or_default() += 1;
            world.step(ACTORS[*actor], op);
            for row in &world.snapshot().data["warnings"] {
                *outcomes
                    .entry(format!("warning {}", cell(row, "code")))
                    .or_default() += 1;
            }
        }
    }
    for outcome in [
        "join",
        "establish",
        "standard",
        "reservation_entrance_change_requires_cleanup",
        "reservation_joiner_entrance_set_conflict",
        "reservation_time_frames_must_overlap",
        "reservation_key_not_supported",
        "reservation_key_required_for_guest_cards",
        "staff_credentials_cannot_belong_to_reservation",
        "invalid_input",
        "update reservation_time_frames_must_overlap",
        "warning encoding_required",
        "warning cards_not_collected",
        "warning previous_guest_can_enter",
        "warning sequence_inversion",
    ] {
        assert!(
            outcomes.get(outcome).copied().unwrap_or(0) > 0,
            "no {outcome} in {outcomes:?}"
        );
    }
}
