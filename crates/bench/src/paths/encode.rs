//! Encoding one card through the desk (journal, image, HID reports) on the simulated encoder
//! at 1 ms a report, against the time the reports alone need.

use std::path::Path;
use std::time::Duration;

use anyhow::{Context as _, Result, ensure};
use chrono::Days;
use encoder::card::IMAGE_LEN;
use encoder::keys::KeyRing;
use encoder::protocol::CHUNK_DATA;
use encoder::simulator::SimulatedEncoder;
use encoder::supervisor::Source;
use engine::model::{AccessMode, RequestedAccessMethod, UserKind};
use frontdesk::{CardStation, CreateAccessGrant, NewUserIdentity};

use crate::data::{self, Layout};
use crate::harness::{Row, alternate, timed};
use crate::plan::Plan;

/// What one report takes on a USB full-speed HID interrupt endpoint.
const REPORT_TIME: Duration = Duration::from_millis(1);

pub fn run(plan: &Plan, dir: &Path) -> Result<Row> {
    let desk = data::open_hotel(&dir.join("encode.db"), plan.warm_up + plan.encode_runs)?;
    let layout = Layout::read(&desk)?;
    let property = desk.property()?.context("no property")?;
    let simulator = SimulatedEncoder::in_memory();
    simulator.set_report_delay(REPORT_TIME);
    let station = CardStation::new(
        Source::Simulated(simulator.clone()),
        KeyRing::generate(property.id)?,
    );
    let context = data::context();
    let guest = desk.create_user_identity(
        &context,
        &NewUserIdentity {
            key: None,
            full_name: Some("Card holder".to_owned()),
            email_address: None,
            phone_number: None,
            kind: UserKind::Guest,
        },
    )?;

    // POLL, WRITE_BEGIN, a CHUNK per 56 bytes and COMMIT; each answered by one reply.
    let requests_allowed = IMAGE_LEN.div_ceil(CHUNK_DATA) + 3;
    let reports_needed = 2 * requests_allowed;
    let mut most_requests = 0;
    let mut most_events = 0;
    let mut run = 0;
    let encode = || {
        // Not timed: a stay with one card on the next room, and the encoder cleared of the
        // last card and of the reports about it.
        let grant = desk.create_access_grant(
            &context,
            &CreateAccessGrant {
                user_identity_id: Some(guest.id),
                space_ids: vec![layout.room(run).space_id],
                starts_at: Some(data::now()),
                ends_at: Some(data::now() + Days::new(2)),
                requested_access_methods: vec![RequestedAccessMethod {
                    mode: AccessMode::Card,
                    code: None,
                }],
                reservation_key: Some(format!("encode-{run}")),
                ..Default::default()
            },
        )?;
        run += 1;
        let method = *grant
            .access_method_ids
            .first()
            .context("a grant without a card")?;
        simulator.remove_card();
        station.supervisor().with_encoder(|encoder| {
            encoder.status()?;
            Ok(encoder.take_events())
        })?;

        let requests_before = simulator.requests_received();
        let (card, elapsed) =
            timed(|| Ok(desk.encode_card(&context, &station, method, &mut |_, _| {})?))?;
        let requests = simulator.requests_received() - requests_before;
        let events = station
            .supervisor()
            .with_encoder(|encoder| Ok(encoder.take_events().len()))?;
        ensure!(
            card.access_method.is_some_and(|method| method.is_issued()),
            "the encoded card's access method is not issued"
        );
        most_requests = most_requests.max(requests);
        most_events = most_events.max(events);
        Ok(elapsed)
    };
    let reports_alone = || {
        let ((), elapsed) = timed(|| {
            for _ in 0..reports_needed {
                std::thread::sleep(REPORT_TIME);
            }
            Ok(())
        })?;
        Ok(elapsed)
    };
    let (figure, baseline) = alternate(plan.warm_up, plan.encode_runs, encode, reports_alone)?;
    let requests_allowed = u64::try_from(requests_allowed)?;
    Ok(Row {
        path: format!("encode one card ({IMAGE_LEN} bytes), simulated encoder at 1 ms a report"),
        figure,
        baseline_name: format!("{reports_needed} reports × 1 ms, slept"),
        baseline,
        max_ratio: 1.2,
        extra_goal: Some((
            format!("≤ {requests_allowed} requests"),
            most_requests <= requests_allowed,
        )),
        notes: format!(
            "at most {most_requests} requests, as many replies and {most_events} {} a card",
            if most_events == 1 { "event" } else { "events" }
        ),
    })
}
