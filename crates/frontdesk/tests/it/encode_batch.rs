//! Several cards encoded one after another, with "present the next card" prompts.

use frontdesk::EncodeEvent;

use crate::support::{Desk, at, card};

#[test]
fn a_stay_s_cards_are_encoded_one_after_another_onto_different_cards() {
    let desk = Desk::new();
    let guest = desk.guest();
    let grant = desk
        .create(&frontdesk::CreateAccessGrant {
            user_identity_id: Some(guest.id),
            space_keys: vec!["room-101".into()],
            starts_at: Some(at("2025-05-10T15:00:00Z")),
            ends_at: Some(at("2025-05-14T11:00:00Z")),
            requested_access_methods: vec![card(), card()],
            reservation_key: Some("stay-1".into()),
            ..Default::default()
        })
        .unwrap();
    let copy = desk.desk.add_card_copy(&desk.context, grant.id).unwrap();
    let ids = [
        grant.access_method_ids[0],
        grant.access_method_ids[1],
        copy.id,
    ];

    let mut events = Vec::new();
    let written = desk
        .desk
        .encode_cards(&desk.context, &desk.station, &ids, &mut |event| {
            events.push(event)
        })
        .unwrap();

    assert_eq!(written.len(), 3);
    let mut uids: Vec<_> = written.iter().map(|card| card.card_id.clone()).collect();
    uids.dedup();
    assert_eq!(
        uids.len(),
        3,
        "each card went onto its own plastic: {uids:?}"
    );
    for (index, id) in ids.iter().enumerate() {
        let method = desk.desk.access_method(*id).unwrap();
        assert_eq!(
            method.card_id.as_deref(),
            Some(written[index].card_id.as_str())
        );
    }
    // Each card is asked for, written with progress, then reported, in order.
    let prompts: Vec<_> = events
        .iter()
        .filter_map(|event| match event {
            EncodeEvent::PresentCard { index, total } => Some((*index, *total)),
            _ => None,
        })
        .collect();
    assert_eq!(prompts, [(0, 3), (1, 3), (2, 3)]);
    let written_order: Vec<_> = events
        .iter()
        .filter_map(|event| match event {
            EncodeEvent::Written { index, .. } => Some(*index),
            _ => None,
        })
        .collect();
    assert_eq!(written_order, [0, 1, 2]);
    let last_progress = events.iter().rev().find_map(|event| match event {
        EncodeEvent::Progress {
            index: 2,
            done,
            total,
        } => Some((*done, *total)),
        _ => None,
    });
    assert_eq!(last_progress, Some((512, 512)));
}

#[test]
fn a_batch_stops_at_the_first_failure_and_keeps_what_it_wrote() {
    let desk = Desk::new();
    let guest = desk.guest();
    let grant = desk
        .stay(
            &guest,
            &["room-101"],
            "2025-05-10T15:00:00Z",
            "2025-05-14T11:00:00Z",
            Some("stay-1"),
        )
        .unwrap();
    let copy = desk.desk.add_card_copy(&desk.context, grant.id).unwrap();
    let ids = [grant.access_method_ids[0], copy.id];
    // The second card is damaged: its write fails after the first card was written.
    let simulator = desk.station.simulator().unwrap().clone();
    let error = desk
        .desk
        .encode_cards(&desk.context, &desk.station, &ids, &mut |event| {
            if let EncodeEvent::Written { index: 0, .. } = event {
                simulator.fail_next(encoder::simulator::Fault::DamagedCard);
            }
        })
        .unwrap_err();
    assert_eq!(error.to_wire().error_type, "uncategorized_error");
    assert!(desk.desk.access_method(ids[0]).unwrap().is_issued());
    assert!(!desk.desk.access_method(ids[1]).unwrap().is_issued());
    // The next attempt for the card that failed works.
    desk.encode(ids[1]);
    assert!(desk.desk.access_method(ids[1]).unwrap().is_issued());
}
