//! A simulated PMS orders keys over a real TCP link from a desk with a simulated encoder, and
//! every outcome is checked where it matters: at the simulated doors.

// clippy.toml allows unwrap in `#[test]` functions; the helpers here are test code too.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::time::Duration;

use chrono::{Days, Utc};
use encoder::keys::KeyRing;
use encoder::simulator::SimulatedEncoder;
use encoder::supervisor::Source;
use engine::lock::Decision;
use fias::endpoint::{FiasEndpoint, LinkEncoder};
use fias::simulator::SimulatedPms;
use fias::text::Charset;
use fias::{FieldId, Record, RecordType};
use frontdesk::{CardStation, Context, FrontDesk};
use tokio::net::TcpListener;

/// A desk on the demo hotel with one simulated encoder, its FIAS endpoint listening on
/// loopback.
struct Property {
    desk: Arc<FrontDesk>,
    station: Arc<CardStation>,
    address: String,
    _dir: tempfile::TempDir,
}

impl Property {
    async fn start() -> Self {
        Self::start_allowing(Vec::new()).await
    }

    /// The property, its link taking a PMS only from `peers` (any when empty).
    async fn start_allowing(peers: Vec<std::net::IpAddr>) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let desk = Arc::new(FrontDesk::new(
            store::Store::open(&dir.path().join("desk.db")).unwrap(),
        ));
        let property = desk
            .import_property(
                &Context::new("test", Utc::now()),
                engine::property::DEMO_PROPERTY_JSON,
            )
            .unwrap();
        let mut station = CardStation::new(
            Source::Simulated(SimulatedEncoder::in_memory()),
            KeyRing::generate(property.id).unwrap(),
        );
        station.set_card_timeout(Duration::from_secs(2));
        let station = Arc::new(station);
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
        endpoint.allow_only(peers);
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap().to_string();
        endpoint.report_to_desk("listen", &address);
        tokio::spawn(endpoint.listen(listener, std::future::pending()));
        Self {
            desk,
            station,
            address,
            _dir: dir,
        }
    }

    async fn pms(&self) -> SimulatedPms {
        let mut pms = SimulatedPms::connect(&self.address, Charset::LATIN_1)
            .await
            .unwrap();
        pms.start_link().await.unwrap();
        pms
    }

    /// What the door of `room` decides on `card` now.
    fn door(&self, room: &str, card: &str) -> Decision {
        self.entrance(&format!("room-{room}-door"), card)
    }

    /// What the entrance `key` decides on `card` now.
    fn entrance(&self, key: &str, card: &str) -> Decision {
        let door = self
            .desk
            .entrances(None, None)
            .unwrap()
            .into_iter()
            .find(|entrance| entrance.key == key)
            .unwrap();
        self.desk
            .present_card(
                &Context::new("test", Utc::now()),
                &self.station,
                door.id,
                card,
                None,
            )
            .unwrap()
            .decision
    }
}

fn dates() -> String {
    let today = Utc::now().date_naive();
    let tomorrow = today.checked_add_days(Days::new(1)).unwrap();
    format!(
        "GA{}|GD{}|",
        today.format("%y%m%d"),
        tomorrow.format("%y%m%d")
    )
}

fn field<'a>(record: &'a Record, id: &str) -> Option<&'a str> {
    record.get(FieldId::new(id).unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_guests_key_opens_the_room_and_overrides_the_guest_before() {
    let property = Property::start().await;
    let mut pms = property.pms().await;
    let first = pms
        .request(&format!(
            "KR|KC1|KTN|RN101|WS3|G#4711|GNAda Lovelace|{}",
            dates()
        ))
        .await
        .unwrap();
    assert_eq!(field(&first, "AS"), Some("OK"), "{first}");
    assert_eq!(field(&first, "CT"), Some("1 key for Room 101"));
    assert_eq!(field(&first, "WS"), Some("3"));
    assert_eq!(field(&first, "G#"), Some("4711"));
    let ada = field(&first, "$2").unwrap().to_owned();
    assert_eq!(property.door("101", &ada), Decision::Granted);

    // Ada checks out; the next guest's key overrides hers at its first use.
    let out = pms.request("KD|KC1|RN101|WS3|G#4711|").await.unwrap();
    assert_eq!(field(&out, "AS"), Some("OK"), "{out}");
    let next = pms
        .request(&format!(
            "KR|KC1|KTN|RN101|WS3|G#4712|GNBob Byte|{}",
            dates()
        ))
        .await
        .unwrap();
    assert_eq!(field(&next, "AS"), Some("OK"), "{next}");
    let bob = field(&next, "$2").unwrap().to_owned();
    assert_ne!(bob, ada);
    assert_eq!(property.door("101", &bob), Decision::Granted);
    assert_eq!(property.door("101", &ada), Decision::Denied);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn copies_join_the_stay_and_several_cards_come_one_after_another() {
    let property = Property::start().await;
    let mut pms = property.pms().await;
    let new = pms
        .request(&format!(
            "KR|KC1|KTN|K#2|RN102|WS1|G#5001|GNCy Clone|{}",
            dates()
        ))
        .await
        .unwrap();
    assert_eq!(field(&new, "CT"), Some("2 keys for Room 102"), "{new}");
    let copy = pms
        .request(&format!("KR|KC1|KTD|RN102|WS1|G#5001|{}", dates()))
        .await
        .unwrap();
    assert_eq!(field(&copy, "AS"), Some("OK"), "{copy}");
    assert_eq!(field(&copy, "CT"), Some("1 copy for Room 102"));
    let last = field(&new, "$2").unwrap().to_owned();
    let copied = field(&copy, "$2").unwrap().to_owned();
    // The copy and the stay's own card both open the room, in either order.
    assert_eq!(property.door("102", &copied), Decision::Granted);
    assert_eq!(property.door("102", &last), Decision::Granted);
    assert_eq!(property.door("102", &copied), Decision::Granted);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn extra_rooms_are_on_the_same_key_and_override_each_rooms_guest_before() {
    let property = Property::start().await;
    let mut pms = property.pms().await;
    let before = pms
        .request(&format!(
            "KR|KC1|KTN|RN114|WS1|G#6001|GNEve Early|{}",
            dates()
        ))
        .await
        .unwrap();
    let eve = field(&before, "$2").unwrap().to_owned();
    assert_eq!(property.door("114", &eve), Decision::Granted);
    let out = pms.request("KD|KC1|RN114|WS1|G#6001|").await.unwrap();
    assert_eq!(field(&out, "AS"), Some("OK"), "{out}");

    // A family in 113 with the connecting 114 on one key.
    let family = pms
        .request(&format!(
            "KR|KC1|KTN|RN113|SI114|WS1|G#6002|GNFay Family|{}",
            dates()
        ))
        .await
        .unwrap();
    assert_eq!(field(&family, "AS"), Some("OK"), "{family}");
    assert_eq!(field(&family, "CT"), Some("1 key for Room 113 + Room 114"));
    let fay = field(&family, "$2").unwrap().to_owned();
    assert_eq!(property.door("113", &fay), Decision::Granted);
    assert_eq!(property.door("114", &fay), Decision::Granted);
    assert_eq!(property.door("114", &eve), Decision::Denied);
    let board = property
        .desk
        .room_board(&manager(&property.desk), Utc::now())
        .unwrap();
    for room in ["room-113", "room-114"] {
        let tile = board
            .floors
            .iter()
            .flat_map(|floor| &floor.rooms)
            .find(|tile| tile.key == room)
            .unwrap();
        let keys: Vec<&str> = tile
            .stays
            .iter()
            .map(|stay| stay.reservation_key.as_str())
            .collect();
        assert_eq!(keys, ["6002"], "{room}");
    }

    // New keys for the same stay, two this time: the earlier one stops at both doors.
    let again = pms
        .request(&format!(
            "KR|KC1|KTN|K#2|RN113|SI114|WS1|G#6002|TI120000|{}",
            dates()
        ))
        .await
        .unwrap();
    assert_eq!(
        field(&again, "CT"),
        Some("2 keys for Room 113 + Room 114; earlier keys stop"),
        "{again}"
    );
    let new_key = field(&again, "$2").unwrap().to_owned();
    assert_eq!(property.door("114", &new_key), Decision::Granted);
    assert_eq!(property.door("113", &new_key), Decision::Granted);
    assert_eq!(property.door("113", &fay), Decision::Denied);
    assert_eq!(property.door("114", &fay), Decision::Denied);
    // The same rooms named again, the room itself in SI too: the same stay.
    let copy = pms
        .request(&format!(
            "KR|KC1|KTD|RN113|SI114;113|WS1|G#6002|{}",
            dates()
        ))
        .await
        .unwrap();
    assert_eq!(
        field(&copy, "CT"),
        Some("1 copy for Room 113 + Room 114"),
        "{copy}"
    );

    let held = pms
        .request(&format!("KR|KC1|KTN|RN115|WS1|G#6004|{}", dates()))
        .await
        .unwrap();
    assert_eq!(field(&held, "AS"), Some("OK"), "{held}");

    // Rooms the stay does not have, that do not exist or that another stay holds are
    // refused, with nothing made.
    for (record, text) in [
        (
            "KR|KC1|KTN|RN113|SI115|WS1|G#6002|",
            "Reservation 6002 has other rooms than Room 113 + Room 115: move it first",
        ),
        (
            "KR|KC1|KTN|RN116|SI999|WS1|G#6003|",
            "Extra room 999 is not known",
        ),
        (
            "KR|KC1|KTN|RN116|SI115|WS1|G#6003|",
            "Room 115 is booked for Reservation 6004 from",
        ),
    ] {
        let refused = pms.request(&format!("{record}{}", dates())).await.unwrap();
        assert_eq!(field(&refused, "AS"), Some("UR"), "{refused}");
        assert!(
            field(&refused, "CT").unwrap().starts_with(text),
            "{refused}"
        );
    }
    assert_eq!(property.door("113", &new_key), Decision::Granted);

    // A stay arriving in 114 after the family's: the family cannot be kept longer there.
    let later = Utc::now()
        .date_naive()
        .checked_add_days(Days::new(1))
        .unwrap();
    let after = later.checked_add_days(Days::new(1)).unwrap();
    let next = pms
        .request(&format!(
            "KR|KC1|KTN|RN114|WS1|G#6005|GA{}|GD{}|",
            later.format("%y%m%d"),
            after.format("%y%m%d")
        ))
        .await
        .unwrap();
    assert_eq!(field(&next, "AS"), Some("OK"), "{next}");
    let longer = pms
        .request(&format!(
            "KM|KC1|RN113|WS1|G#6002|GD{}|",
            after.format("%y%m%d")
        ))
        .await
        .unwrap();
    assert_eq!(field(&longer, "AS"), Some("UR"), "{longer}");
    assert!(
        field(&longer, "CT")
            .unwrap()
            .starts_with("Room 114 is booked for Reservation 6005"),
        "{longer}"
    );
    assert_eq!(property.door("114", &new_key), Decision::Granted);

    let none = property
        .desk
        .stay_at(&manager(&property.desk), "6003", Utc::now());
    assert!(none.is_err(), "{none:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stay_on_connecting_rooms_moves_its_first_room_and_keeps_the_other() {
    let property = Property::start().await;
    let mut pms = property.pms().await;
    let made = pms
        .request(&format!("KR|KC1|KTN|RN117|SI118|WS1|G#6101|{}", dates()))
        .await
        .unwrap();
    assert_eq!(field(&made, "AS"), Some("OK"), "{made}");
    let moved = pms.request("KM|KC1|RN119|RO117|WS1|G#6101|").await.unwrap();
    assert_eq!(field(&moved, "AS"), Some("OK"), "{moved}");
    let key = field(&moved, "$2").unwrap().to_owned();
    assert_eq!(property.door("119", &key), Decision::Granted);
    assert_eq!(property.door("118", &key), Decision::Granted);
    assert_eq!(property.door("117", &key), Decision::Denied);
    // The PMS still names the stay by its rooms.
    let copy = pms
        .request(&format!("KR|KC1|KTD|RN119|SI118|WS1|G#6101|{}", dates()))
        .await
        .unwrap();
    assert_eq!(
        field(&copy, "CT"),
        Some("1 copy for Room 119 + Room 118"),
        "{copy}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_one_shot_key_opens_the_room_once_and_leaves_its_guest_in() {
    let property = Property::start().await;
    let mut pms = property.pms().await;
    let stay = pms
        .request(&format!(
            "KR|KC1|KTN|RN104|WS1|G#8001|GNGil Guest|{}",
            dates()
        ))
        .await
        .unwrap();
    let gil = field(&stay, "$2").unwrap().to_owned();
    assert_eq!(property.door("104", &gil), Decision::Granted);

    let viewing = pms
        .request(&format!(
            "KR|KC1|KTO|K#2|RN104|WS1|G#8002|GNVic Viewer|{}",
            dates()
        ))
        .await
        .unwrap();
    assert_eq!(field(&viewing, "AS"), Some("OK"), "{viewing}");
    assert_eq!(
        field(&viewing, "CT"),
        Some("2 one-shot keys for Room 104: each door opens once, to the first used")
    );
    let once = field(&viewing, "$2").unwrap().to_owned();
    assert_eq!(property.door("104", &once), Decision::Granted);
    assert_eq!(property.door("104", &once), Decision::Denied, "once only");
    // A viewing for a guest staying elsewhere: the key is the viewing's, not the stay's.
    let elsewhere = pms
        .request(&format!(
            "KR|KC1|KTO|RN105|WS1|G#8001|GNGil Guest|{}",
            dates()
        ))
        .await
        .unwrap();
    assert_eq!(field(&elsewhere, "AS"), Some("OK"), "{elsewhere}");
    // The guest in the room keeps their key, and the viewing made no stay.
    assert_eq!(property.door("104", &gil), Decision::Granted);
    let manager = manager(&property.desk);
    assert!(property.desk.stay_at(&manager, "8002", Utc::now()).is_err());
    assert!(property.desk.stay_at(&manager, "8001", Utc::now()).is_ok());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_repeated_after_its_answer_was_lost_is_answered_from_the_journal() {
    let property = Property::start().await;
    let mut pms = property.pms().await;
    let request = format!("KR|KC1|KTN|RN103|WS2|G#6001|GNDee Twice|{}", dates());
    let first = pms.request(&request).await.unwrap();
    assert_eq!(field(&first, "AS"), Some("OK"));
    // The PMS lost the answer with its link and asks again on a new one.
    pms.drop_link();
    let mut pms = property.pms().await;
    let again = pms.request(&request).await.unwrap();
    assert_eq!(field(&again, "AS"), Some("OK"), "{again}");
    assert!(
        field(&again, "CT").unwrap().starts_with("Made already at "),
        "{again}"
    );
    assert_eq!(field(&again, "$2"), field(&first, "$2"));
    let stay = property
        .desk
        .stay_at(&manager(&property.desk), "6001", Utc::now())
        .unwrap();
    let cards: usize = stay.guests.iter().map(|guest| guest.cards.len()).sum();
    assert_eq!(cards, 1, "a second set of cards was made");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_cannot_be_done_is_refused_in_words_and_changes_nothing() {
    let property = Property::start().await;
    let mut pms = property.pms().await;
    for (request, status, text) in [
        ("KR|KC1|KTN|RN999|WS1|G#1|", "UR", "Room 999 is not known"),
        (
            "KR|KC1|KTN|RN101|WS1|G#1|GA261332|",
            "UR",
            "GA: \"261332\" is not a date (YYMMDD)",
        ),
        (
            "KR|KC7|KTN|RN101|WS1|G#1|",
            "UR",
            "No encoder 7 at the property",
        ),
        (
            "KR|KC1|KTD|RN104|WS1|",
            "UR",
            "No stay in Room 104 to copy keys of",
        ),
        ("KD|KC1|WS1|G#404|", "NG", "No stay for reservation 404"),
    ] {
        let answer = pms.request(request).await.unwrap();
        assert_eq!(field(&answer, "AS"), Some(status), "{request}: {answer}");
        assert_eq!(field(&answer, "CT"), Some(text), "{request}: {answer}");
    }
    let manager = manager(&property.desk);
    for reservation in ["1", "404"] {
        let stay = property.desk.stay_at(&manager, reservation, Utc::now());
        assert!(
            stay.is_err(),
            "a refused request left stay {reservation}: {stay:?}"
        );
    }
    let board = property.desk.room_board(&manager, Utc::now()).unwrap();
    let occupied = serde_json::to_value(&board).unwrap().to_string();
    assert!(!occupied.contains("Reservation 1"), "{occupied}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn garbage_and_a_half_record_do_not_stop_the_link() {
    let property = Property::start().await;
    let mut pms = property.pms().await;
    pms.send_raw(b"\x16\x16garbage\x02KR|RN1\x00|\x03")
        .await
        .unwrap();
    // A record split over two writes.
    let text = format!("KR|KC1|KTN|RN105|WS1|G#7001|GNEve Split|{}", dates());
    let (head, tail) = text.split_at(10);
    pms.send_raw(&[&[0x02u8][..], head.as_bytes()].concat())
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(50)).await;
    pms.send_raw(&[tail.as_bytes(), &[0x03u8][..]].concat())
        .await
        .unwrap();
    let answer = pms
        .next_of(RecordType::KEY_ANSWER, Duration::from_secs(10))
        .await
        .unwrap();
    assert_eq!(field(&answer, "AS"), Some("OK"), "{answer}");
    assert_eq!(
        property.door("105", field(&answer, "$2").unwrap()),
        Decision::Granted
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn key_options_leave_common_areas_off_and_blank_ones_on() {
    let property = Property::start().await;
    let mut pms = property.pms().await;
    // Position 1 is the gym (off), position 2 the pool (left blank: on, as at the desk).
    let answer = pms
        .request(&format!("KR|KC1|KTN|RN106|WS1|G#8001|KO0 |{}", dates()))
        .await
        .unwrap();
    assert_eq!(field(&answer, "AS"), Some("OK"), "{answer}");
    let card = field(&answer, "$2").unwrap();
    assert_eq!(property.door("106", card), Decision::Granted);
    assert_eq!(property.entrance("gym-door", card), Decision::Denied);
    assert_eq!(property.entrance("pool-door", card), Decision::Granted);
    assert_eq!(property.entrance("lobby-door", card), Decision::Granted);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_room_move_and_new_dates_make_the_cards_again() {
    let property = Property::start().await;
    let mut pms = property.pms().await;
    let first = pms
        .request(&format!("KR|KC1|KTN|RN107|WS1|G#8101|GNMo Ver|{}", dates()))
        .await
        .unwrap();
    assert_eq!(field(&first, "AS"), Some("OK"), "{first}");
    let moved = pms.request("KM|KC1|RN108|RO107|WS1|G#8101|").await.unwrap();
    assert_eq!(field(&moved, "AS"), Some("OK"), "{moved}");
    assert_eq!(field(&moved, "CT"), Some("Moved to Room 108; 1 key"));
    let card = field(&moved, "$2").unwrap().to_owned();
    assert_eq!(property.door("108", &card), Decision::Granted);
    assert_eq!(property.door("107", &card), Decision::Denied);

    let later = Utc::now()
        .date_naive()
        .checked_add_days(Days::new(3))
        .unwrap()
        .format("%y%m%d");
    let extended = pms
        .request(&format!("KM|KC1|RN108|WS1|G#8101|GD{later}|DT12:00|"))
        .await
        .unwrap();
    assert_eq!(field(&extended, "AS"), Some("OK"), "{extended}");
    assert_eq!(field(&extended, "CT"), Some("new dates; 1 key"));
    let stay = property
        .desk
        .stay_at(&manager(&property.desk), "8101", Utc::now())
        .unwrap();
    assert_eq!(
        stay.ends_at.date_naive().format("%y%m%d").to_string(),
        later.to_string()
    );
    // A departure time alone moves the end on its day; today's arrival keeps the start.
    let today = Utc::now().date_naive().format("%y%m%d");
    let later_in_day = pms
        .request(&format!("KM|KC1|RN108|WS1|G#8101|GA{today}|DT14:00|"))
        .await
        .unwrap();
    assert_eq!(field(&later_in_day, "AS"), Some("OK"), "{later_in_day}");
    let moved_end = property
        .desk
        .stay_at(&manager(&property.desk), "8101", Utc::now())
        .unwrap();
    assert_eq!(moved_end.ends_at.date_naive(), stay.ends_at.date_naive());
    // The demo hotel is in Lisbon: UTC in December.
    assert_eq!(moved_end.ends_at.format("%H:%M").to_string(), "14:00");
    assert_eq!(moved_end.starts_at, stay.starts_at);
    let unknown = pms.request("KM|KC1|RN108|WS1|G#404|").await.unwrap();
    assert_eq!(field(&unknown, "AS"), Some("NG"), "{unknown}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_job_on_a_busy_encoder_is_told_so_at_once() {
    let property = Property::start().await;
    let mut pms = property.pms().await;
    // Two requests in one write for the same encoder: one is encoding while the other
    // arrives, which is told the encoder is busy rather than queued.
    let both = format!(
        "\x02KR|KC1|KTN|RN109|WS1|G#8201|{dates}\x03\x02KR|KC1|KTN|RN110|WS2|G#8202|{dates}\x03",
        dates = dates()
    );
    pms.send_raw(both.as_bytes()).await.unwrap();
    let mut answers = Vec::new();
    for _ in 0..2 {
        let answer = pms
            .next_of(RecordType::KEY_ANSWER, Duration::from_secs(10))
            .await
            .unwrap();
        answers.push((
            field(&answer, "G#").unwrap().to_owned(),
            field(&answer, "AS").unwrap().to_owned(),
            field(&answer, "CT").unwrap().to_owned(),
        ));
    }
    answers.sort();
    let statuses: Vec<&str> = answers
        .iter()
        .map(|(_, status, _)| status.as_str())
        .collect();
    assert!(
        statuses == ["OK", "BY"] || statuses == ["BY", "OK"],
        "{answers:?}"
    );
    let busy = answers
        .iter()
        .find(|(_, status, _)| status == "BY")
        .unwrap();
    assert_eq!(busy.2, "Desk encoder is busy with other keys");
    // The busy one left nothing behind: its reservation has no stay.
    let stay = property
        .desk
        .stay_at(&manager(&property.desk), &busy.0, Utc::now());
    assert!(stay.is_err(), "{stay:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_request_for_the_same_stay_is_not_taken_for_a_repeat() {
    let property = Property::start().await;
    let mut pms = property.pms().await;
    let first = pms
        .request(&format!("KR|KC1|KTN|RN111|WS1|G#8301|TI100000|{}", dates()))
        .await
        .unwrap();
    assert_eq!(field(&first, "AS"), Some("OK"), "{first}");
    // Two copies asked one after the other (stamped apart by the PMS): two cards.
    let mut copies = Vec::new();
    for time in ["TI100100", "TI100200"] {
        let copy = pms
            .request(&format!("KR|KC1|KTD|RN111|WS1|G#8301|{time}|{}", dates()))
            .await
            .unwrap();
        assert_eq!(field(&copy, "CT"), Some("1 copy for Room 111"), "{copy}");
        copies.push(field(&copy, "$2").unwrap().to_owned());
    }
    assert_ne!(copies[0], copies[1]);
    // Checked out, then the same new-stay record again: new keys, not the old answer.
    let out = pms.request("KD|KC1|RN111|WS1|G#8301|").await.unwrap();
    assert_eq!(field(&out, "AS"), Some("OK"), "{out}");
    let again = pms
        .request(&format!("KR|KC1|KTN|RN111|WS1|G#8301|TI100000|{}", dates()))
        .await
        .unwrap();
    assert_eq!(field(&again, "CT"), Some("1 key for Room 111"), "{again}");
    assert_ne!(field(&again, "$2"), field(&first, "$2"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unplugged_encoder_refuses_before_anything_is_made() {
    let property = Property::start().await;
    let mut pms = property.pms().await;
    property.station.simulator().unwrap().unplug();
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while property.station.state() != encoder::supervisor::EncoderState::Disconnected {
        assert!(
            std::time::Instant::now() < deadline,
            "the encoder never showed unplugged"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let answer = pms
        .request(&format!("KR|KC1|KTN|RN112|WS1|G#8401|{}", dates()))
        .await
        .unwrap();
    assert_eq!(field(&answer, "AS"), Some("UR"), "{answer}");
    assert_eq!(
        field(&answer, "CT"),
        Some("Desk encoder is not connected: nothing was changed")
    );
    let stay = property
        .desk
        .stay_at(&manager(&property.desk), "8401", Utc::now());
    assert!(stay.is_err(), "{stay:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pms_from_an_address_not_allowed_is_refused() {
    let property = Property::start_allowing(vec!["10.9.9.9".parse().unwrap()]).await;
    let mut pms = SimulatedPms::connect(&property.address, Charset::LATIN_1)
        .await
        .unwrap();
    let started = pms.start_link().await;
    assert!(started.is_err(), "the link started: {started:?}");
    let allowed = Property::start_allowing(vec!["127.0.0.1".parse().unwrap()]).await;
    allowed.pms().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn managers_at_every_desk_see_how_the_link_stands_and_receptionists_do_not() {
    let property = Property::start().await;
    let manager = manager(&property.desk);
    let waiting = property.desk.pms_link_status(&manager).unwrap().unwrap();
    assert_eq!(
        (waiting.direction.as_str(), waiting.address.as_str()),
        ("listen", property.address.as_str())
    );
    assert_eq!(waiting.encoding, "windows-1252");
    assert_eq!((waiting.peer, waiting.state), (None, None));

    let mut pms = property.pms().await;
    pms.request(&format!("KR|KC1|KTN|RN117|WS1|G#9101|{}", dates()))
        .await
        .unwrap();
    // Told as the link changes, by a task of its own: looked at until it shows.
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    let alive = loop {
        let now = property.desk.pms_link_status(&manager).unwrap().unwrap();
        if now.last_record.is_some() || std::time::Instant::now() > deadline {
            break now;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    assert_eq!(alive.state.as_deref(), Some("alive"));
    assert!(alive.peer.unwrap().starts_with("127.0.0.1:"));
    assert_eq!(alive.last_record.as_deref(), Some("KR"));
    assert!(alive.last_record_at.is_some());

    let context = Context::new("test", Utc::now());
    property
        .desk
        .add_operator(&context, "Rex Desk", "1357", frontdesk::Role::Receptionist)
        .unwrap();
    let receptionist = property.desk.sign_in(&context, "Rex Desk", "1357").unwrap();
    let refused = property.desk.pms_link_status(&receptionist);
    assert!(
        matches!(refused, Err(frontdesk::Error::Forbidden(_))),
        "{refused:?}"
    );
}

fn manager(desk: &FrontDesk) -> frontdesk::Operator {
    desk.add_operator(
        &Context::new("test", Utc::now()),
        "Mia Manager",
        "2468",
        frontdesk::Role::Manager,
    )
    .ok();
    desk.sign_in(&Context::new("test", Utc::now()), "Mia Manager", "2468")
        .unwrap()
}
