//! A key ordered by the PMS over FIAS: `KR` (a new stay, one card) from a simulated PMS on
//! loopback until its `KA`, against the same stay made and its card encoded through the use
//! cases in-process. Both encode on the simulated encoder at 1 ms a report.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, ensure};
use chrono::{Days, TimeZone, Utc};
use encoder::keys::KeyRing;
use encoder::simulator::SimulatedEncoder;
use encoder::supervisor::Source;
use engine::model::AccessMode;
use fias::endpoint::{FiasEndpoint, LinkEncoder};
use fias::simulator::SimulatedPms;
use fias::text::Charset;
use fias::{FieldId, RecordType};
use frontdesk::{CHECK_OUT_TIME, CardStation, CheckIn, Context, NewGuest};
use tokio::runtime::Runtime;

use crate::data::{self, Layout};
use crate::harness::{Row, alternate};
use crate::plan::Plan;

/// What one report takes on a USB full-speed HID interrupt endpoint (as the encode row).
const REPORT_TIME: Duration = Duration::from_millis(1);

pub fn run(plan: &Plan, dir: &Path) -> Result<Row> {
    let runs = plan.warm_up + plan.encode_runs;
    let desk = Arc::new(data::open_hotel(&dir.join("fias.db"), 2 * runs)?);
    let layout = Layout::read(&desk)?;
    let property = desk.property()?.context("no property")?;
    let zone: chrono_tz::Tz = property.time_zone.parse().unwrap_or(chrono_tz::UTC);
    let simulator = SimulatedEncoder::in_memory();
    simulator.set_report_delay(REPORT_TIME);
    let station = Arc::new(CardStation::new(
        Source::Simulated(simulator.clone()),
        KeyRing::generate(property.id)?,
    ));
    let listed = station.clone();
    let encoders = Arc::new(move || {
        vec![LinkEncoder {
            id: uuid::Uuid::from_u128(1),
            name: "Desk encoder".to_owned(),
            pms_code: None,
            station: listed.clone(),
        }]
    });
    let endpoint = FiasEndpoint::new(desk.clone(), encoders, Charset::LATIN_1);
    let runtime = Runtime::new()?;
    let mut pms = runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let address = listener.local_addr()?.to_string();
        tokio::spawn(endpoint.listen(listener, std::future::pending()));
        let mut pms = SimulatedPms::connect(&address, Charset::LATIN_1).await?;
        pms.start_link().await?;
        anyhow::Ok(pms)
    })?;
    let room_key =
        |index: usize| -> Result<String> { Ok(desk.space(layout.room(index).space_id)?.key) };
    let today = Utc::now().with_timezone(&zone).date_naive();
    let tomorrow = today.checked_add_days(Days::new(1)).context("a date")?;

    let mut next_room = 0;
    let mut over_fias = || {
        let room = room_key(next_room)?;
        let reservation = format!("fias-{next_room}");
        next_room += 1;
        simulator.remove_card();
        let request = format!(
            "KR|KC1|KTN|RN{room}|WS1|G#{reservation}|GNCard holder|GA{}|GD{}|",
            today.format("%y%m%d"),
            tomorrow.format("%y%m%d")
        );
        let started = Instant::now();
        let answer = runtime.block_on(pms.request(&request))?;
        let elapsed = started.elapsed();
        ensure!(
            answer.kind() == RecordType::KEY_ANSWER
                && answer.get(FieldId::ANSWER_STATUS) == Some("OK"),
            "{answer}"
        );
        Ok(elapsed)
    };
    let mut in_process_room = runs;
    let mut in_process = || {
        let index = in_process_room;
        in_process_room += 1;
        simulator.remove_card();
        let now = Utc::now();
        let context = Context::pms(Some("1"), now);
        let started = Instant::now();
        let stay = desk.check_in_by(
            &context,
            &CheckIn {
                space_id: layout.room(index).space_id,
                starts_at: now,
                ends_at: zone
                    .from_local_datetime(&tomorrow.and_time(CHECK_OUT_TIME))
                    .earliest()
                    .context("tomorrow's check-out time")?
                    .with_timezone(&Utc),
                guests: vec![NewGuest {
                    full_name: "Card holder".to_owned(),
                    email_address: None,
                    phone_number: None,
                }],
                common_entrance_ids: vec![layout.lobby_door],
                cards_per_guest: 1,
                reservation_key: Some(format!("in-process-{index}")),
                allow_overlap: false,
            },
        )?;
        let cards: Vec<_> = stay
            .guests
            .iter()
            .flat_map(|guest| &guest.cards)
            .filter(|card| card.mode == AccessMode::Card && !card.is_issued())
            .map(|card| card.id)
            .collect();
        desk.take_blank_for(&station, &cards)?;
        let written = desk.encode_cards(&context, &station, &cards, &mut |_| {})?;
        let elapsed = started.elapsed();
        ensure!(written.len() == 1, "{} cards written", written.len());
        Ok(elapsed)
    };
    let (figure, baseline) = alternate(
        plan.warm_up,
        plan.encode_runs,
        &mut over_fias,
        &mut in_process,
    )?;
    Ok(Row {
        path:
            "FIAS: KR (a new stay, one card) → KA over loopback, simulated encoder at 1 ms a report"
                .to_owned(),
        figure,
        baseline_name: "the same stay and card through the use cases in-process".to_owned(),
        baseline,
        max_ratio: 1.1,
        extra_goal: None,
        notes: "the link adds the record's parsing, the journal's read and two writes, and the KA"
            .to_owned(),
    })
}
