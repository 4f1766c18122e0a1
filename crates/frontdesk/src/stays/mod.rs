//! Stays, as the front desk works with them: the live grants of one reservation key on one
//! room. Each use case here composes the grant use cases in one transaction, so a check-in,
//! a room move or a lost-key reissue happens whole or not at all.

mod board;
mod check_in;
mod check_out;
mod dates;
mod detail;
mod joiners;
mod moves;
mod overlap;
mod reissue;
mod words;

pub use board::{Board, BoardFloor, RoomState, RoomTile, StaySummary};
pub use check_in::{
    CHECK_IN_TIME, CHECK_OUT_TIME, CheckIn, CheckInOptions, EntranceOption, GroupCheckIn,
    MAX_CARDS_PER_GUEST, MAX_GROUP_ROOMS, NewGuest,
};
pub(crate) use check_in::{
    check_in_within, common_area_doors, local_instant, new_reservation_key, next_check_out,
};
pub use check_out::CheckOutResult;
pub use detail::{GuestDetail, OutstandingCard, StayDetail};
pub(crate) use detail::{envelope, guest_names, stay_detail, stay_grants, stay_room, stay_rooms};
pub use joiners::AddGuest;
pub use moves::MoveResult;
pub(crate) use overlap::{Placing, room_overlap};
pub(crate) use words::{first_name, local_when, names_in_words, property_zone, unnamed_guest};
