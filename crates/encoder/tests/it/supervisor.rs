//! The supervisor: finds the encoder again after a re-plug and reports each change of state.
#![allow(clippy::unwrap_used)]

use std::sync::mpsc::Receiver;
use std::time::Duration;

use encoder::client::EncoderError;
use encoder::simulator::{Fault, SimulatedEncoder, UnplugAt};
use encoder::supervisor::{EncoderState, EncoderSupervisor, Source};

const WAIT: Duration = Duration::from_secs(5);

fn next(receiver: &Receiver<EncoderState>) -> EncoderState {
    receiver.recv_timeout(WAIT).unwrap()
}

#[test]
fn unplug_and_replug_checked_on_demand() {
    let sim = SimulatedEncoder::in_memory();
    // A long interval: only check_now moves the state here.
    let supervisor = EncoderSupervisor::start_with_interval(
        Source::Simulated(sim.clone()),
        Duration::from_secs(60),
    );
    let states = supervisor.subscribe();
    assert_eq!(next(&states), EncoderState::Simulated);
    assert_eq!(supervisor.state(), EncoderState::Simulated);

    sim.unplug();
    assert_eq!(supervisor.check_now(), EncoderState::Disconnected);
    assert_eq!(next(&states), EncoderState::Disconnected);
    assert_eq!(
        supervisor.with_encoder(|encoder| encoder.info()),
        Err(EncoderError::Disconnected)
    );

    sim.plug();
    assert_eq!(supervisor.check_now(), EncoderState::Simulated);
    assert_eq!(next(&states), EncoderState::Simulated);
    let info = supervisor.with_encoder(|encoder| encoder.info()).unwrap();
    assert_eq!(info.serial, "SIM-0001");
    assert_eq!(next(&states), EncoderState::Busy);
    assert_eq!(next(&states), EncoderState::Simulated);
    assert!(states.try_recv().is_err());
}

#[test]
fn the_thread_notices_unplug_and_replug() {
    let sim = SimulatedEncoder::in_memory();
    let supervisor = EncoderSupervisor::start_with_interval(
        Source::Simulated(sim.clone()),
        Duration::from_millis(10),
    );
    let states = supervisor.subscribe();
    assert_eq!(next(&states), EncoderState::Simulated);
    sim.unplug();
    assert_eq!(next(&states), EncoderState::Disconnected);
    sim.plug();
    assert_eq!(next(&states), EncoderState::Simulated);
    // The same supervisor, not restarted, hands out a working encoder.
    let uid = supervisor
        .with_encoder(|encoder| encoder.wait_for_card(Duration::from_millis(100)))
        .unwrap();
    assert_eq!(sim.card_on_encoder(), Some(uid));
}

#[test]
fn busy_while_in_use() {
    let sim = SimulatedEncoder::in_memory();
    let supervisor = EncoderSupervisor::start_with_interval(
        Source::Simulated(sim.clone()),
        Duration::from_millis(10),
    );
    let states = supervisor.subscribe();
    assert_eq!(next(&states), EncoderState::Simulated);
    supervisor
        .with_encoder(|encoder| {
            assert_eq!(supervisor.state(), EncoderState::Busy);
            // The checker thread leaves a busy encoder alone.
            std::thread::sleep(Duration::from_millis(50));
            assert_eq!(supervisor.state(), EncoderState::Busy);
            encoder.beep()
        })
        .unwrap();
    assert_eq!(next(&states), EncoderState::Busy);
    assert_eq!(next(&states), EncoderState::Simulated);
}

#[test]
fn an_unplug_during_a_write_is_followed_by_a_fresh_connection() {
    let sim = SimulatedEncoder::in_memory();
    let supervisor = EncoderSupervisor::start_with_interval(
        Source::Simulated(sim.clone()),
        Duration::from_secs(60),
    );
    supervisor.set_reply_timeout(Duration::from_millis(100));
    let uid = sim.present_blank_card();
    let image = vec![0x5A; 300];
    sim.fail_next(Fault::UnplugMidWrite(UnplugAt::AfterWrite));
    let error = supervisor
        .with_encoder(|encoder| encoder.write_card([1; 16], &uid, &image, &mut |_, _| {}))
        .unwrap_err();
    assert_eq!(error, EncoderError::OutcomeUnknown { op_id: [1; 16] });
    assert_eq!(supervisor.state(), EncoderState::Disconnected);

    sim.plug();
    // No check needed: the next use connects again and learns the write happened.
    let (state, written_to) = supervisor
        .with_encoder(|encoder| encoder.op_result([1; 16]))
        .unwrap();
    assert_eq!(state, encoder::protocol::OpState::Written);
    assert_eq!(written_to, Some(uid));
    assert_eq!(supervisor.state(), EncoderState::Simulated);
}

#[test]
fn a_missing_hid_encoder_is_disconnected() {
    for serial in [None, Some("ENC-0002".to_owned())] {
        let supervisor = EncoderSupervisor::start_with_interval(
            Source::Hid {
                vendor_id: 0xFFFE,
                product_id: 0xFFFE,
                serial,
            },
            Duration::from_secs(60),
        );
        assert_eq!(supervisor.state(), EncoderState::Disconnected);
        assert_eq!(supervisor.check_now(), EncoderState::Disconnected);
        assert_eq!(
            supervisor.with_encoder(|encoder| encoder.info()),
            Err(EncoderError::Disconnected)
        );
    }
}

#[test]
fn state_serializes_for_the_ui() {
    assert_eq!(
        serde_json::to_string(&EncoderState::Disconnected).unwrap(),
        "\"disconnected\""
    );
    assert_eq!(
        serde_json::to_string(&EncoderState::Simulated).unwrap(),
        "\"simulated\""
    );
}
