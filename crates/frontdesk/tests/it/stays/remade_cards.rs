//! Moves and reissues remake every card held, copies included, and keep the stay's dates.

use engine::warnings::WarningCode;

use super::{
    ARRIVE, DURING, LEAVE, grant_ever, grants_of, guest_named, live_cards, lost_card_warning,
    manager, move_r7_to_room_102, none_encoded, receptionist, stay_with_a_copy,
};
use crate::support::{Desk, at};

#[test]
fn a_move_remakes_every_card_duplicates_included_and_keeps_the_stay_s_dates() {
    let desk = Desk::new();
    let old = stay_with_a_copy(&desk);
    let before = desk.desk.stay(&receptionist(), "R-7").unwrap();
    assert_eq!(live_cards(&before), 4);

    let moved = move_r7_to_room_102(&desk);

    // Four new cards to encode, two each; the card revoked before the move is not remade.
    assert_eq!(live_cards(&moved.stay), 4, "{:?}", moved.stay);
    assert_eq!(guest_named(&moved.stay, "Ana Silva").cards.len(), 2);
    assert_eq!(guest_named(&moved.stay, "Bruno Costa").cards.len(), 2);
    assert!(none_encoded(&moved.stay));
    // The stay's dates and times are those it was booked with, not the move's.
    assert_eq!(
        (moved.stay.starts_at, moved.stay.ends_at),
        (at(ARRIVE), at(LEAVE))
    );
    for (before, after) in old.iter().zip(grants_of(&desk, "R-7")) {
        assert_eq!(
            (after.starts_at, after.ends_at),
            (before.starts_at, before.ends_at)
        );
    }
    // The four cards of room 101 stay listed, and their grants warn about them.
    assert_eq!(moved.old_cards.len(), 4, "{:?}", moved.old_cards);
    for grant in &old {
        let message = lost_card_warning(&grant_ever(&desk, grant.id))
            .expect("a warning about the old room's cards");
        assert!(message.contains("Room 101 door"), "{message}");
    }
    let views = desk.desk.warnings(&manager(), at(DURING)).unwrap();
    let outstanding: usize = views
        .iter()
        .filter(|view| view.code == WarningCode::CardsNotCollected)
        .map(|view| view.outstanding_card_ids.len())
        .sum();
    assert_eq!(outstanding, 4, "{views:?}");
}

#[test]
fn a_reissue_remakes_duplicates_and_keeps_the_stay_s_dates() {
    let desk = Desk::new();
    let old = stay_with_a_copy(&desk);
    let reissued = desk
        .desk
        .reissue_stay(&receptionist(), at(DURING), "R-7")
        .unwrap();
    assert_eq!(live_cards(&reissued), 4, "{reissued:?}");
    assert_eq!(guest_named(&reissued, "Bruno Costa").cards.len(), 2);
    assert_eq!(
        (reissued.starts_at, reissued.ends_at),
        (at(ARRIVE), at(LEAVE))
    );
    for (before, after) in old.iter().zip(grants_of(&desk, "R-7")) {
        assert_eq!(
            (after.starts_at, after.ends_at),
            (before.starts_at, before.ends_at)
        );
    }
}
