//! The desktop shell without a window: the desk it opens, what `app_info` answers, and the
//! committed TypeScript bindings.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use clap::Parser;
use encoder::supervisor::EncoderState;
use frontdesk_desktop::bindings::{AppInfo, BINDINGS_DIR, EncoderView, export_bindings};
use frontdesk_desktop::{Desk, Options};

fn options(args: &[&str]) -> Options {
    Options::try_parse_from(std::iter::once("frontdesk-desktop").chain(args.iter().copied()))
        .expect("valid command line")
}

#[test]
fn a_new_database_gets_the_demo_hotel_and_the_simulated_encoder() {
    let folder = tempfile::tempdir().unwrap();
    let default_db = folder.path().join("data").join("frontdesk.db");
    let desk = Desk::open(&options(&[]), &default_db).unwrap();

    assert_eq!(
        desk.app_info().unwrap(),
        AppInfo {
            property_name: "Harbor View Hotel".to_owned(),
            time_zone: "Europe/Lisbon".to_owned(),
            locale: "en-GB".to_owned(),
            encoders: vec![EncoderView {
                name: "Encoder 1".to_owned(),
                state: EncoderState::Simulated,
                simulated: true,
                serial: None,
            }],
            terminal: None,
            restored: None,
        }
    );
    assert!(
        default_db.exists(),
        "the database is made in the data folder"
    );
    assert!(
        folder
            .path()
            .join("data/frontdesk.db.card-keys.json")
            .exists()
    );
    assert!(
        folder
            .path()
            .join("data/frontdesk.db.simulated-encoder.json")
            .exists()
    );
}

#[test]
fn the_command_line_chooses_the_files_and_the_property() {
    let folder = tempfile::tempdir().unwrap();
    let db = folder.path().join("desk.db");
    let keys = folder.path().join("keys.json");
    let cards = folder.path().join("cards.json");
    let property = folder.path().join("property.json");
    std::fs::write(
        &property,
        engine::property::DEMO_PROPERTY_JSON.replace("Harbor View Hotel", "Quay Inn"),
    )
    .unwrap();
    let args = [
        "--db",
        db.to_str().unwrap(),
        "--property",
        property.to_str().unwrap(),
        "--card-keys",
        keys.to_str().unwrap(),
        "--simulated-encoder-file",
        cards.to_str().unwrap(),
    ];
    let unused_default = folder.path().join("unused.db");
    let desk = Desk::open(&options(&args), &unused_default).unwrap();

    assert_eq!(desk.app_info().unwrap().property_name, "Quay Inn");
    assert!(db.exists() && keys.exists() && cards.exists());
    assert!(!unused_default.exists());
    drop(desk);

    // Started again without --property: the database's property stays.
    let desk = Desk::open(&options(&["--db", db.to_str().unwrap()]), &unused_default).unwrap();
    assert_eq!(desk.app_info().unwrap().property_name, "Quay Inn");
}

#[test]
fn a_broken_property_file_is_refused_with_its_problems() {
    let folder = tempfile::tempdir().unwrap();
    let property = folder.path().join("property.json");
    std::fs::write(&property, r#"{"property": {"name": ""}}"#).unwrap();
    let args = ["--property", property.to_str().unwrap()];
    let message = Desk::open(&options(&args), &folder.path().join("desk.db")).unwrap_err();
    assert!(message.contains("problem"), "{message}");
}

#[test]
fn the_hid_encoder_shows_disconnected_when_none_is_plugged_in() {
    let folder = tempfile::tempdir().unwrap();
    let args = [
        "--encoder",
        "hid",
        "--hid-vendor-id",
        "ffff",
        "--hid-product-id",
        "0xfffe",
    ];
    let desk = Desk::open(&options(&args), &folder.path().join("desk.db")).unwrap();
    let info = desk.app_info().unwrap();
    assert_eq!(info.encoders.len(), 1);
    assert_eq!(info.encoders[0].state, EncoderState::Disconnected);
    assert!(!info.encoders[0].simulated);
}

#[test]
fn the_window_title_names_the_property() {
    assert_eq!(
        frontdesk_desktop::window_title("Harbor View Hotel"),
        "Front desk — Harbor View Hotel"
    );
}

/// The `.ts` files of a folder, by name.
fn typescript_files(folder: &Path) -> BTreeMap<String, String> {
    let mut files = BTreeMap::new();
    collect_typescript(folder, folder, &mut files);
    files
}

/// The `.ts` files under `folder`, recursively (ts-rs puts `JsonValue` in `serde_json/`),
/// keyed by their path relative to `root` with `/` separators.
fn collect_typescript(root: &Path, folder: &Path, files: &mut BTreeMap<String, String>) {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return;
    };
    for path in entries.map(|entry| entry.unwrap().path()) {
        if path.is_dir() {
            collect_typescript(root, &path, files);
        } else if path.extension().is_some_and(|ext| ext == "ts") {
            let name = path
                .strip_prefix(root)
                .unwrap()
                .components()
                .map(|part| part.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            files.insert(name, std::fs::read_to_string(&path).unwrap());
        }
    }
}

/// Fails when `ui/src/lib/bindings/` differs from what the Rust types generate now. With
/// `UPDATE_BINDINGS=1` it rewrites that folder instead.
#[test]
fn bindings_are_current() {
    let committed_dir: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR")).join(BINDINGS_DIR);
    let fresh_dir = tempfile::tempdir().unwrap();
    export_bindings(fresh_dir.path()).unwrap();
    let fresh = typescript_files(fresh_dir.path());
    assert!(fresh.contains_key("AppInfo.ts"), "{:?}", fresh.keys());

    if std::env::var_os("UPDATE_BINDINGS").is_some_and(|value| value == "1") {
        std::fs::create_dir_all(&committed_dir).unwrap();
        for name in typescript_files(&committed_dir).keys() {
            if !fresh.contains_key(name) {
                std::fs::remove_file(committed_dir.join(name)).unwrap();
            }
        }
        for (name, text) in &fresh {
            let path = committed_dir.join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        return;
    }

    let committed = typescript_files(&committed_dir);
    let mut differences = Vec::new();
    for (name, text) in &fresh {
        match committed.get(name) {
            None => differences.push(format!("{name}: missing")),
            Some(old) if old != text => {
                differences.push(format!(
                    "{name}: differs\n--- committed\n{old}\n+++ fresh\n{text}"
                ));
            }
            Some(_) => {}
        }
    }
    for name in committed.keys().filter(|name| !fresh.contains_key(*name)) {
        differences.push(format!("{name}: no Rust type makes it any more"));
    }
    assert!(
        differences.is_empty(),
        "the TypeScript bindings in ui/src/lib/bindings/ are stale; regenerate them with\n    \
         UPDATE_BINDINGS=1 cargo test -p frontdesk-desktop bindings\n\n{}",
        differences.join("\n")
    );
}

/// A desk on the demo hotel in `folder`, with its first manager signed in.
fn staffed_desk(folder: &Path) -> (Desk, frontdesk::Operator) {
    staffed_desk_with(folder, &[])
}

/// [`staffed_desk`], started with `args`.
fn staffed_desk_with(folder: &Path, args: &[&str]) -> (Desk, frontdesk::Operator) {
    let desk = Desk::open(&options(args), &folder.join("desk.db")).unwrap();
    let manager = desk
        .standalone()
        .unwrap()
        .desk
        .create_first_manager(&frontdesk_desktop::desk::context(), "Marta", "2468")
        .unwrap();
    (desk, manager)
}

/// The `count` first guest rooms of the demo hotel.
fn rooms(desk: &Desk, count: usize) -> Vec<frontdesk::SpaceRecord> {
    desk.standalone()
        .unwrap()
        .desk
        .spaces()
        .unwrap()
        .into_iter()
        .filter(|space| space.key.starts_with("room-"))
        .take(count)
        .collect()
}

/// Checks `guests` in to `room` for two nights, one card each (not encoded yet).
fn check_in(
    desk: &Desk,
    manager: &frontdesk::Operator,
    room: &frontdesk::SpaceRecord,
    guests: &[&str],
) -> frontdesk::StayDetail {
    let now = chrono::Utc::now();
    let guests = guests
        .iter()
        .map(|name| frontdesk::NewGuest {
            full_name: (*name).into(),
            email_address: None,
            phone_number: None,
        })
        .collect();
    let request = frontdesk::CheckIn {
        space_id: room.id,
        starts_at: now,
        ends_at: now + chrono::Duration::days(2),
        guests,
        common_entrance_ids: Vec::new(),
        cards_per_guest: 1,
        reservation_key: None,
        allow_overlap: false,
    };
    desk.standalone()
        .unwrap()
        .desk
        .check_in(manager, now, &request)
        .unwrap()
}

/// Encodes `cards` as the desktop command does: a blank first unless the pad holds the
/// first of them.
fn encode(
    desk: &Desk,
    manager: &frontdesk::Operator,
    cards: &[uuid::Uuid],
) -> frontdesk::Result<Vec<frontdesk::EncodedCard>> {
    desk.standalone()
        .unwrap()
        .desk
        .take_blank_for(desk.standalone().unwrap().main_station(), cards)
        .unwrap();
    let context = manager.context(chrono::Utc::now());
    desk.standalone().unwrap().desk.encode_cards(
        &context,
        desk.standalone().unwrap().main_station(),
        cards,
        &mut |_| {},
    )
}

#[test]
fn the_next_guest_s_card_goes_on_a_blank_not_on_the_last_guest_s_card() {
    let folder = tempfile::tempdir().unwrap();
    let (desk, manager) = staffed_desk(folder.path());
    let mut encoded = Vec::new();
    for (room, guest) in rooms(&desk, 2).iter().zip(["Ana", "Bruno"]) {
        let stay = check_in(&desk, &manager, room, &[guest]);
        let written = encode(&desk, &manager, &[stay.guests[0].cards[0].id]).unwrap();
        encoded.push(written[0].card_id.clone());
    }
    // Ana's card was left on the pad: Bruno's went onto a blank, and Ana keeps hers.
    assert_ne!(encoded[0], encoded[1]);
    let simulator = desk
        .standalone()
        .unwrap()
        .main_station()
        .simulator()
        .unwrap();
    assert_eq!(
        desk.standalone()
            .unwrap()
            .desk
            .card_holder(&encoded[0])
            .unwrap()
            .as_deref(),
        Some("Ana")
    );
    assert_eq!(
        simulator
            .cards()
            .iter()
            .filter(|card| !card.image.is_empty())
            .count(),
        2
    );
}

#[test]
fn re_encoding_a_stay_s_cards_starts_on_a_blank_when_the_pad_holds_another_of_them() {
    let folder = tempfile::tempdir().unwrap();
    let (desk, manager) = staffed_desk(folder.path());
    let stay = check_in(&desk, &manager, &rooms(&desk, 1)[0], &["Ana", "Bruno"]);
    let cards = [stay.guests[0].cards[0].id, stay.guests[1].cards[0].id];
    encode(&desk, &manager, &cards).unwrap();
    // Bruno's card is still on the pad; Ana's is written first, so it goes onto a blank
    // instead of being refused as another guest's valid key.
    let again = encode(&desk, &manager, &cards).unwrap();
    assert_eq!(again.len(), 2);
    assert_eq!(
        desk.standalone()
            .unwrap()
            .desk
            .card_holder(&again[0].card_id)
            .unwrap()
            .as_deref(),
        Some("Ana")
    );
}

/// Adds the receptionist Rui (PIN 735910).
fn add_receptionist(desk: &Desk, manager: &frontdesk::Operator) -> frontdesk::Operator {
    desk.standalone()
        .unwrap()
        .desk
        .create_operator(
            manager,
            chrono::Utc::now(),
            "Rui",
            "735910",
            frontdesk::Role::Receptionist,
        )
        .unwrap()
}

#[test]
fn a_receptionist_cannot_switch_the_local_api_on() {
    let folder = tempfile::tempdir().unwrap();
    let (desk, manager) = staffed_desk(folder.path());
    let rui = add_receptionist(&desk, &manager);
    let error = desk
        .standalone()
        .unwrap()
        .set_api_enabled(&rui, true)
        .unwrap_err()
        .to_wire();
    assert_eq!(
        (error.status, error.error_type.as_str()),
        (403, "forbidden")
    );
    assert!(
        !desk
            .standalone()
            .unwrap()
            .api_status(&manager)
            .unwrap()
            .enabled
    );
    assert!(!folder.path().join("desk.db.api-key").exists());
}

#[test]
fn the_pms_link_is_a_managers_and_settings_that_cannot_work_are_named() {
    use frontdesk_desktop::bindings::{PmsLinkDirection, PmsLinkSettings};

    let folder = tempfile::tempdir().unwrap();
    let (desk, manager) = staffed_desk(folder.path());
    let standalone = desk.standalone().unwrap();
    let set = |operator: &frontdesk::Operator, direction, address: &str, encoding: &str| {
        standalone.pms_link.set(
            &standalone.desk,
            standalone.main_station(),
            operator,
            &PmsLinkSettings {
                enabled: true,
                direction,
                address: address.to_owned(),
                encoding: encoding.to_owned(),
            },
        )
    };
    for (direction, address, encoding, field) in [
        (
            PmsLinkDirection::Listen,
            "10.0.0.9:5010",
            "latin1",
            "address",
        ),
        (PmsLinkDirection::Listen, "port 5010", "latin1", "address"),
        (
            PmsLinkDirection::Connect,
            "pms.hotel.lan",
            "latin1",
            "address",
        ),
        (
            PmsLinkDirection::Connect,
            "pms.hotel.lan:0",
            "latin1",
            "address",
        ),
        (
            PmsLinkDirection::Listen,
            "127.0.0.1:5010",
            "klingon",
            "encoding",
        ),
    ] {
        let error = set(&manager, direction, address, encoding)
            .unwrap_err()
            .to_wire();
        assert_eq!(
            error.field.as_deref(),
            Some(field),
            "{address} {encoding}: {error:?}"
        );
    }
    let rui = standalone
        .desk
        .create_operator(
            &manager,
            chrono::Utc::now(),
            "Rui",
            "735910",
            frontdesk::Role::Receptionist,
        )
        .unwrap();
    let refused = set(&rui, PmsLinkDirection::Listen, "127.0.0.1:5010", "latin1")
        .unwrap_err()
        .to_wire();
    assert_eq!(refused.error_type.as_str(), "forbidden");
    // None of that switched the link on or was remembered.
    let view = standalone
        .pms_link
        .view(&standalone.desk, &manager)
        .unwrap();
    assert!(!view.enabled);
    assert_eq!(view.address, "127.0.0.1:5010");

    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let on = set(
        &manager,
        PmsLinkDirection::Listen,
        &format!(" 127.0.0.1:{port} "),
        "utf-8",
    )
    .unwrap();
    assert!(on.enabled);
    assert_eq!(on.address, format!("127.0.0.1:{port}"));
    assert_eq!(on.encoding, "utf-8");
    // It listens: a PMS can connect.
    std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    // Saved again on the same address (a new character set): it takes the address back.
    let again = set(
        &manager,
        PmsLinkDirection::Listen,
        &format!("127.0.0.1:{port}"),
        "latin1",
    )
    .unwrap();
    assert!(again.enabled);
    assert_eq!(again.encoding, "latin1");
    std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    // An address another program holds is refused and the link stays as it was.
    let held = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let taken = held.local_addr().unwrap().to_string();
    let error = set(&manager, PmsLinkDirection::Listen, &taken, "latin1")
        .unwrap_err()
        .to_wire();
    assert_eq!(error.field.as_deref(), Some("address"), "{error:?}");
    std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    assert_eq!(
        standalone
            .desk
            .setting("pms_link.enabled")
            .unwrap()
            .as_deref(),
        Some("true")
    );
}

/// Signs `name` in through the window's call, as the sign-in screen does; the session token.
fn sign_in(desk: &Desk, name: &str, pin: &str) -> String {
    let session = tauri::async_runtime::block_on(desk.call(
        None,
        terminal::DeskCall::SignIn {
            name: name.to_owned(),
            pin: pin.to_owned(),
        },
    ))
    .unwrap();
    session["token"].as_str().unwrap().to_owned()
}

/// The written cards of the simulated encoder at `place` of a standalone desk.
fn written_cards(desk: &Desk, place: usize) -> Vec<String> {
    desk.standalone().unwrap().encoders()[place]
        .station
        .simulator()
        .unwrap()
        .cards()
        .into_iter()
        .filter(|card| !card.image.is_empty())
        .map(|card| card.uid.to_hex())
        .collect()
}

#[test]
fn each_operator_encodes_on_the_encoder_they_chose() {
    let folder = tempfile::tempdir().unwrap();
    let (desk, manager) = staffed_desk_with(folder.path(), &["--simulated-encoders", "2"]);
    let names: Vec<_> = desk
        .app_info()
        .unwrap()
        .encoders
        .into_iter()
        .map(|encoder| (encoder.name, encoder.state, encoder.simulated))
        .collect();
    assert_eq!(
        names,
        [
            ("Encoder 1".to_owned(), EncoderState::Simulated, true),
            ("Encoder 2".to_owned(), EncoderState::Simulated, true)
        ]
    );
    assert!(
        folder
            .path()
            .join("desk.db.simulated-encoder-2.json")
            .exists()
    );
    let standalone = desk.standalone().unwrap();
    add_receptionist(&desk, &manager);
    let marta = sign_in(&desk, "Marta", "2468");
    let rui = sign_in(&desk, "Rui", "735910");

    assert_eq!(
        tauri::async_runtime::block_on(desk.choose_encoder(marta.clone(), 1)),
        Ok(1)
    );
    assert_eq!(
        tauri::async_runtime::block_on(desk.chosen_encoder(marta.clone())),
        Ok(1)
    );
    assert_eq!(
        tauri::async_runtime::block_on(desk.chosen_encoder(rui.clone())),
        Ok(0)
    );
    let refused = tauri::async_runtime::block_on(desk.choose_encoder(rui.clone(), 2)).unwrap_err();
    assert_eq!(refused.field.as_deref(), Some("encoder"));
    assert_eq!(
        refused.message,
        "encoder: there is no encoder 3 at this desk (it has 2)."
    );
    assert_eq!(
        tauri::async_runtime::block_on(desk.chosen_encoder(rui.clone())),
        Ok(0)
    );

    let room = &rooms(&desk, 2);
    for (token, room, guest) in [(&marta, &room[0], "Ana"), (&rui, &room[1], "Bruno")] {
        let stay = check_in(&desk, &manager, room, &[guest]);
        tauri::async_runtime::block_on(desk.call(
            Some(token.clone()),
            terminal::DeskCall::EncodeCards {
                access_method_ids: vec![stay.guests[0].cards[0].id],
            },
        ))
        .unwrap();
    }
    let holders = |place| -> Vec<Option<String>> {
        written_cards(&desk, place)
            .iter()
            .map(|card| standalone.desk.card_holder(card).unwrap())
            .collect()
    };
    assert_eq!(holders(1), [Some("Ana".to_owned())], "Marta's encoder");
    assert_eq!(holders(0), [Some("Bruno".to_owned())], "Rui's encoder");

    // A choice lasts past signing out and in again.
    tauri::async_runtime::block_on(desk.call(Some(marta), terminal::DeskCall::SignOut)).unwrap();
    let marta = sign_in(&desk, "Marta", "2468");
    assert_eq!(
        tauri::async_runtime::block_on(desk.chosen_encoder(marta)),
        Ok(1)
    );
}

#[test]
fn an_encode_cut_short_on_the_second_encoder_is_settled_by_that_encoder_at_the_next_start() {
    use encoder::simulator::{Fault, UnplugAt};

    let folder = tempfile::tempdir().unwrap();
    let args = ["--simulated-encoders", "2"];
    let (method, card) = {
        let (desk, manager) = staffed_desk_with(folder.path(), &args);
        let standalone = desk.standalone().unwrap();
        standalone.choose_encoder(&manager, 1).unwrap();
        let station = standalone.station_for(&manager).clone();
        let stay = check_in(&desk, &manager, &rooms(&desk, 1)[0], &["Ana"]);
        let method = stay.guests[0].cards[0].id;
        let simulator = station.simulator().unwrap();
        let card = simulator.present_blank_card();
        // Written, then the encoder is unplugged before it answers.
        simulator.fail_next(Fault::UnplugMidWrite(UnplugAt::AfterWrite));
        let error = standalone
            .desk
            .encode_cards(
                &manager.context(chrono::Utc::now()),
                &station,
                &[method],
                &mut |_| {},
            )
            .unwrap_err();
        assert!(
            matches!(
                error,
                frontdesk::Error::Encoder(encoder::client::EncoderError::OutcomeUnknown { .. })
            ),
            "{error:?}"
        );
        let journal = |encoder_id| {
            standalone
                .desk
                .store()
                .read(|r| r.pending_encode_operations(encoder_id))
                .unwrap()
                .len()
        };
        // Journalled as the second encoder's: the first is never asked about it.
        assert_eq!(journal(None), 0);
        assert!(!standalone.desk.access_method(method).unwrap().is_issued());
        (method, card.to_hex())
    };

    let desk = Desk::open(&options(&args), &folder.path().join("desk.db")).unwrap();
    let standalone = desk.standalone().unwrap();
    let issued = standalone.desk.access_method(method).unwrap();
    assert!(issued.is_issued(), "the second encoder said it was written");
    assert_eq!(issued.card_id, Some(card.clone()));
    assert_eq!(written_cards(&desk, 1), [card]);
    assert!(written_cards(&desk, 0).is_empty());
}

#[test]
fn the_desk_s_encoders_are_named_on_the_command_line() {
    let folder = tempfile::tempdir().unwrap();
    let db = folder.path().join("desk.db");
    let db = db.to_str().unwrap();
    let args = [
        "--db",
        db,
        "--encoder",
        "hid",
        "--hid-vendor-id",
        "ffff",
        "--hid-product-id",
        "fffe",
        "--hid-serial",
        "ENC-A=Counter",
        "--hid-serial",
        "ENC-B",
    ];
    let desk = Desk::open(&options(&args), folder.path()).unwrap();
    let encoders: Vec<_> = desk
        .app_info()
        .unwrap()
        .encoders
        .into_iter()
        .map(|encoder| (encoder.name, encoder.serial, encoder.state))
        .collect();
    assert_eq!(
        encoders,
        [
            (
                "Counter".to_owned(),
                Some("ENC-A".to_owned()),
                EncoderState::Disconnected
            ),
            (
                "Encoder 2".to_owned(),
                Some("ENC-B".to_owned()),
                EncoderState::Disconnected
            ),
        ]
    );
    drop(desk);

    for (bad, why) in [
        (
            &["--encoder", "hid", "--hid-serial", "=Counter"][..],
            "the USB serial number is missing",
        ),
        (
            &[
                "--encoder",
                "hid",
                "--hid-serial",
                "ENC-A",
                "--hid-serial",
                "ENC-A=Again",
            ][..],
            "is given twice",
        ),
        (
            &[
                "--encoder",
                "hid",
                "--hid-serial",
                "ENC-A=Counter",
                "--hid-serial",
                "ENC-B=counter",
            ][..],
            "two encoders are called",
        ),
        (&["--hid-serial", "ENC-A"][..], "--encoder hid"),
        (
            &["--encoder", "hid", "--simulated-encoders", "2"][..],
            "--encoder simulated",
        ),
    ] {
        let args: Vec<&str> = ["--db", db]
            .into_iter()
            .chain(bad.iter().copied())
            .collect();
        let message = Desk::open(&options(&args), folder.path()).unwrap_err();
        assert!(message.contains(why), "{bad:?}: {message}");
    }
    assert!(
        Options::try_parse_from(["frontdesk-desktop", "--simulated-encoders", "5"]).is_err(),
        "at most 4 simulated encoders"
    );
}
