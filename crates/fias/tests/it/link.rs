//! The link's start, description, keep-alive and end, as the specification's TCP examples
//! run them.

// clippy.toml allows unwrap in `#[test]` functions; the helpers here are test code too.
#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant};

use chrono::NaiveDate;
use fias::link::{ANSWER_WAIT, KEEP_ALIVE, Link, LinkState, SILENCE_BEFORE_START};
use fias::{Record, RecordType};

fn stamp() -> chrono::NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 12, 7)
        .unwrap()
        .and_hms_opt(14, 31, 1)
        .unwrap()
}

fn record(text: &str) -> Record {
    Record::parse(text).unwrap()
}

fn texts(records: &[Record]) -> Vec<String> {
    records.iter().map(ToString::to_string).collect()
}

#[test]
fn a_link_start_is_answered_with_our_description_and_the_pms_alive_makes_it_alive() {
    let start = Instant::now();
    let mut link = Link::new("1.4.0", start);
    let step = link.on_record(&record("LS|DA261207|TI143101|"), stamp(), start);
    assert_eq!(
        texts(&step.send),
        [
            "LD|DA261207|TI143101|V#1.4.0|IFDL|",
            "LR|RIKR|FLKCKTK#RNSIWSGAGDDTGNG#KODATI|",
            "LR|RIKD|FLKCRNWSG#DATI|",
            "LR|RIKM|FLKCRNROSIWSGAGDDTGNG#DATI|",
            "LR|RIKA|FLASCTKCWSG#$2DATI|",
            "LA|DA261207|TI143101|",
        ]
    );
    assert_eq!(link.state(), LinkState::Describing);
    let step = link.on_record(&record("LA|DA261207|TI143101|"), stamp(), start);
    assert!(step.send.is_empty());
    assert_eq!(link.state(), LinkState::Alive);
    // A later LS (the PMS restarted its interface) is described again.
    let step = link.on_record(&record("LS|"), stamp(), start);
    assert_eq!(step.send.len(), 6);
    assert_eq!(link.state(), LinkState::Describing);
}

#[test]
fn after_three_silent_seconds_we_start_the_link_once() {
    let start = Instant::now();
    let mut link = Link::new("1", start);
    assert!(
        link.on_tick(stamp(), start + Duration::from_secs(2))
            .send
            .is_empty()
    );
    assert_eq!(link.next_tick(), start + SILENCE_BEFORE_START);
    let step = link.on_tick(stamp(), start + SILENCE_BEFORE_START);
    assert_eq!(texts(&step.send), ["LS|DA261207|TI143101|"]);
    // The PMS answers with its own LS: we describe ourselves.
    let answered = start + Duration::from_secs(4);
    let step = link.on_record(&record("LS|"), stamp(), answered);
    assert_eq!(step.send[0].kind(), RecordType::LINK_DESCRIPTION);
    assert!(
        link.on_tick(stamp(), answered + Duration::from_secs(10))
            .send
            .is_empty()
    );
}

#[test]
fn an_alive_link_is_checked_after_five_quiet_minutes_and_dead_if_unanswered() {
    let start = Instant::now();
    let mut link = Link::new("1", start);
    link.on_record(&record("LS|"), stamp(), start);
    link.on_record(&record("LA|"), stamp(), start);
    let quiet = start + KEEP_ALIVE;
    assert!(
        link.on_tick(stamp(), quiet - Duration::from_secs(1))
            .send
            .is_empty()
    );
    let step = link.on_tick(stamp(), quiet);
    assert_eq!(step.send[0].kind(), RecordType::LINK_START);
    assert!(!step.dead);
    assert_eq!(link.next_tick(), quiet + ANSWER_WAIT);
    assert!(link.on_tick(stamp(), quiet + ANSWER_WAIT).dead);
}

#[test]
fn an_answered_check_keeps_the_link_alive() {
    let start = Instant::now();
    let mut link = Link::new("1", start);
    link.on_record(&record("LS|"), stamp(), start);
    link.on_record(&record("LA|"), stamp(), start);
    link.on_tick(stamp(), start + KEEP_ALIVE);
    let answered = start + KEEP_ALIVE + Duration::from_secs(1);
    link.on_record(&record("LA|"), stamp(), answered);
    assert_eq!(link.state(), LinkState::Alive);
    let step = link.on_tick(stamp(), answered + ANSWER_WAIT);
    assert!(!step.dead && step.send.is_empty());
}

#[test]
fn a_link_end_is_answered_with_a_link_end() {
    let start = Instant::now();
    let mut link = Link::new("1", start);
    link.on_record(&record("LS|"), stamp(), start);
    let step = link.on_record(&record("LE|DA261207|TI143101|"), stamp(), start);
    assert_eq!(texts(&step.send), ["LE|DA261207|TI143101|"]);
    assert_eq!(link.state(), LinkState::Ended);
}

#[test]
fn a_link_that_never_comes_alive_is_checked_and_then_found_dead() {
    let start = Instant::now();
    for opening in ["LS|", "LE|"] {
        let mut link = Link::new("1", start);
        link.on_record(&record(opening), stamp(), start);
        // Nothing is due before the quiet period ends: no busy loop.
        assert_eq!(link.next_tick(), start + KEEP_ALIVE, "{opening}");
        assert!(
            link.on_tick(stamp(), start + Duration::from_secs(60))
                .send
                .is_empty()
        );
        let step = link.on_tick(stamp(), start + KEEP_ALIVE);
        assert_eq!(texts(&step.send), ["LS|DA261207|TI143101|"], "{opening}");
        assert!(link.next_tick() > start + KEEP_ALIVE);
        assert!(
            link.on_tick(stamp(), start + KEEP_ALIVE + ANSWER_WAIT).dead,
            "{opening}"
        );
    }
}
