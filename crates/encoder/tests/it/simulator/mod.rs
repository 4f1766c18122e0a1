//! The client against the simulated encoder: the happy path, report counts, every fault with
//! its own error and a working next attempt, exactly-once writes across unplugs, persistence.
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use encoder::CardUid;
use encoder::client::Encoder;
use encoder::simulator::SimulatedEncoder;

mod exactly_once;
mod faults;
mod happy_path;

const FAST: Duration = Duration::from_millis(100);

fn client(sim: &SimulatedEncoder) -> Encoder {
    let mut encoder = Encoder::new(Box::new(sim.link()));
    encoder.set_reply_timeout(FAST);
    encoder.set_poll_interval(Duration::from_millis(5));
    encoder
}

fn image(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|at| (at as u8).wrapping_mul(31).wrapping_add(seed))
        .collect()
}

fn op(n: u8) -> [u8; 16] {
    [n; 16]
}

fn no_progress() -> impl FnMut(usize, usize) {
    |_, _| {}
}

/// Places a blank card and writes `image` on it under `op_id`.
fn write_new_card(
    sim: &SimulatedEncoder,
    encoder: &mut Encoder,
    op_id: [u8; 16],
    image: &[u8],
) -> CardUid {
    let uid = sim.present_blank_card();
    encoder
        .write_card(op_id, &uid, image, &mut no_progress())
        .unwrap();
    uid
}
