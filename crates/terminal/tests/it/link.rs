use std::path::Path;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;

use chrono::Utc;
use encoder::simulator::SimulatedEncoder;
use encoder::supervisor::Source;
use frontdesk::setup::{DeskFiles, EncoderChoice, WhenNoProperty, open_desk};
use frontdesk::{Context, FrontDesk, Role};
use serde_json::{Value, json};
use terminal::client::{Credential, LinkEvent, TerminalLink, pair};
use terminal::server::TerminalEndpoint;
use terminal::tls::{Fingerprint, ServerIdentity};
use terminal::{DeskCall, Error, PairingCode};

/// A property server with its terminal endpoint on a free loopback port.
pub struct Server {
    pub desk: Arc<FrontDesk>,
    pub endpoint: Arc<TerminalEndpoint>,
    pub address: String,
    pub fingerprint: Fingerprint,
    _dir: tempfile::TempDir,
}

pub async fn server() -> Server {
    let dir = tempfile::tempdir().expect("temporary directory");
    let db = dir.path().join("server.db");
    let opened = open_desk(
        &DeskFiles {
            db: db.clone(),
            property: Some("demo".into()),
            when_no_property: WhenNoProperty::Require,
            encoder: EncoderChoice::Simulated,
            encoder_identity: None,
            card_keys: None,
            simulated_encoder_file: None,
        },
        &Context::new("test", Utc::now()),
    )
    .expect("the desk opens");
    let desk = Arc::new(opened.desk);
    desk.add_operator(
        &Context::new("test", Utc::now()),
        "Mia",
        "2468",
        Role::Manager,
    )
    .expect("an operator");
    let identity = ServerIdentity::load_or_create(&dir.path().join("tls.pem")).expect("identity");
    let endpoint = TerminalEndpoint::new(
        desk.clone(),
        opened.station.keys().clone(),
        Duration::from_secs(3),
        &identity,
    )
    .expect("endpoint");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a free port");
    let address = listener.local_addr().expect("address").to_string();
    tokio::spawn(endpoint.clone().serve(listener, std::future::pending()));
    Server {
        desk,
        endpoint,
        address,
        fingerprint: identity.fingerprint(),
        _dir: dir,
    }
}

impl Server {
    pub fn pairing_code(&self, name: &str) -> PairingCode {
        let pairing = self
            .desk
            .create_terminal_pairing(&Context::new("test", Utc::now()), name)
            .expect("a pairing");
        PairingCode {
            address: self.address.clone(),
            fingerprint: self.fingerprint,
            secret: pairing.secret,
        }
    }
}

/// A paired terminal with a simulated encoder, connected.
async fn terminal(
    server: &Server,
    name: &str,
    folder: &Path,
) -> (TerminalLink, Receiver<LinkEvent>, SimulatedEncoder) {
    let credential = pair(&server.pairing_code(name)).await.expect("paired");
    let simulator = SimulatedEncoder::open(folder.join(format!("{name}.json"))).expect("simulator");
    let (events, heard) = channel();
    let link = TerminalLink::start(
        credential,
        Source::Simulated(simulator.clone()),
        move |event| {
            let _ = events.send(event);
        },
    );
    wait_for(&heard, |event| matches!(event, LinkEvent::Online { .. }));
    (link, heard, simulator)
}

fn wait_for(heard: &Receiver<LinkEvent>, wanted: impl Fn(&LinkEvent) -> bool) -> LinkEvent {
    loop {
        let event = heard
            .recv_timeout(Duration::from_secs(10))
            .expect("the event came in time");
        if wanted(&event) {
            return event;
        }
    }
}

async fn call(link: &TerminalLink, token: Option<&str>, call: DeskCall) -> Result<Value, Error> {
    link.call(token.map(str::to_owned), call, |_| {}).await
}

async fn sign_in(link: &TerminalLink) -> String {
    let session = call(
        link,
        None,
        DeskCall::SignIn {
            name: "Mia".into(),
            pin: "2468".into(),
        },
    )
    .await
    .expect("signed in");
    session["token"].as_str().expect("a token").to_owned()
}

async fn first_room(link: &TerminalLink, token: &str) -> String {
    let board = call(link, Some(token), DeskCall::RoomBoard)
        .await
        .expect("the board");
    board["floors"][0]["rooms"][0]["space_id"]
        .as_str()
        .expect("a room")
        .to_owned()
}

fn check_in(space_id: &str, name: &str) -> DeskCall {
    let now = Utc::now();
    serde_json::from_value(json!({
        "call": "check_in",
        "args": { "request": {
            "space_id": space_id,
            "starts_at": now - chrono::Duration::hours(1),
            "ends_at": now + chrono::Duration::days(1),
            "guests": [{ "full_name": name, "email_address": null, "phone_number": null }],
            "common_entrance_ids": [],
            "cards_per_guest": 1,
            "reservation_key": null,
        }}
    }))
    .expect("a check-in call")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_paired_terminal_works_against_the_server_and_the_audit_names_it() {
    let server = server().await;
    let folder = tempfile::tempdir().expect("folder");
    let (link, _heard, _) = terminal(&server, "Desk 2", folder.path()).await;
    let token = sign_in(&link).await;
    let room = first_room(&link, &token).await;
    let stay = call(&link, Some(&token), check_in(&room, "Ann Lee"))
        .await
        .expect("checked in");
    assert_eq!(stay["guests"][0]["full_name"], "Ann Lee");

    let entries = server
        .desk
        .audit_entries(
            &frontdesk::Operator {
                id: uuid::Uuid::new_v4(),
                name: "Mia".into(),
                role: Role::Manager,
                terminal: None,
            },
            &frontdesk::AuditQuery::default(),
        )
        .expect("the audit log");
    let by_mia: Vec<_> = entries
        .iter()
        .filter(|entry| entry.actor == "operator:Mia")
        .collect();
    assert!(
        by_mia
            .iter()
            .any(|entry| entry.action.starts_with("access_grant")),
        "the check-in is audited: {by_mia:?}"
    );
    assert!(
        by_mia
            .iter()
            .all(|entry| entry.terminal.as_deref() == Some("Desk 2")),
        "each entry names the terminal: {by_mia:?}"
    );
    let sign_in = entries
        .iter()
        .find(|entry| entry.action == "operator.sign_in")
        .expect("the sign-in is audited");
    assert_eq!(sign_in.terminal.as_deref(), Some("Desk 2"));

    let refused = call(&link, Some("not-a-session"), DeskCall::RoomBoard).await;
    assert!(
        matches!(&refused, Err(Error::Refused(error)) if error.error_type == "unauthorized"),
        "{refused:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_made_anywhere_reaches_every_terminal() {
    let server = server().await;
    let folder = tempfile::tempdir().expect("folder");
    let (desk_2, _, _) = terminal(&server, "Desk 2", folder.path()).await;
    let (_desk_3, heard_3, _) = terminal(&server, "Desk 3", folder.path()).await;
    let token = sign_in(&desk_2).await;
    let room = first_room(&desk_2, &token).await;
    call(&desk_2, Some(&token), check_in(&room, "Ben Ode"))
        .await
        .expect("checked in");
    let checked_in = server.desk.change_version().expect("version");
    // Desk 3 hears of the check-in made at Desk 2 without asking.
    wait_for(
        &heard_3,
        |event| matches!(event, LinkEvent::Changed { version } if *version >= checked_in),
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_used_or_wrong_pairing_code_and_a_stranger_certificate_are_refused() {
    let server = server().await;
    let code = server.pairing_code("Desk 2");
    pair(&code).await.expect("the first use pairs");
    let again = pair(&code).await;
    assert!(
        matches!(&again, Err(Error::Refused(error)) if error.error_type == "unauthorized"),
        "{again:?}"
    );

    let wrong = PairingCode {
        secret: "ab".repeat(32),
        ..server.pairing_code("Desk 3")
    };
    assert!(matches!(pair(&wrong).await, Err(Error::Refused(_))));

    let stranger = PairingCode {
        fingerprint: Fingerprint([7; 32]),
        ..server.pairing_code("Desk 4")
    };
    let refused = pair(&stranger).await;
    assert!(
        matches!(&refused, Err(Error::Unreachable { detail, .. }) if detail.contains("TLS")),
        "{refused:?}"
    );
    let names: Vec<_> = server
        .desk
        .terminals(&Context::new("test", Utc::now()))
        .expect("terminals")
        .into_iter()
        .map(|terminal| terminal.name)
        .collect();
    assert_eq!(names, ["Desk 2"], "only the good code paired a terminal");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_terminal_is_refused_at_its_next_call() {
    let server = server().await;
    let folder = tempfile::tempdir().expect("folder");
    let (link, heard, _) = terminal(&server, "Desk 2", folder.path()).await;
    let token = sign_in(&link).await;
    let id = link.credential().terminal_id;
    server
        .desk
        .revoke_terminal(&Context::new("test", Utc::now()), id)
        .expect("revoked");
    let refused = call(&link, Some(&token), DeskCall::RoomBoard).await;
    assert!(
        matches!(&refused, Err(Error::Refused(error)) if error.error_type == "unauthorized"),
        "{refused:?}"
    );
    wait_for(&heard, |event| matches!(event, LinkEvent::Refused { .. }));
    let after = call(&link, Some(&token), DeskCall::RoomBoard).await;
    assert!(matches!(after, Err(Error::Refused(_))));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_encodes_a_card_on_the_terminals_encoder_exactly_once() {
    let server = server().await;
    let folder = tempfile::tempdir().expect("folder");
    let (link, heard, simulator) = terminal(&server, "Desk 2", folder.path()).await;
    wait_for(
        &heard,
        |event| matches!(event, LinkEvent::EncoderState { state } if *state == encoder::supervisor::EncoderState::Simulated),
    );
    let token = sign_in(&link).await;
    let room = first_room(&link, &token).await;
    let stay = call(&link, Some(&token), check_in(&room, "Cy Park"))
        .await
        .expect("checked in");
    let method = stay["guests"][0]["cards"][0]["id"].clone();
    simulator.present_blank_card();
    let (steps, heard_steps) = channel();
    let written = link
        .call(
            Some(token.clone()),
            serde_json::from_value(
                json!({ "call": "encode_cards", "args": { "access_method_ids": [method] } }),
            )
            .expect("an encode call"),
            move |event| {
                let _ = steps.send(event);
            },
        )
        .await
        .expect("the card is written");
    let card_id = written[0]["card_id"]
        .as_str()
        .expect("a card id")
        .to_owned();
    let on_terminal = simulator
        .cards()
        .into_iter()
        .find(|card| card.uid.to_hex() == card_id)
        .expect("the card is on the terminal's encoder");
    assert!(!on_terminal.image.is_empty(), "the card was written");
    assert_eq!(
        server
            .desk
            .card_holder(&card_id)
            .expect("holder")
            .as_deref(),
        Some("Cy Park"),
        "the server recorded the card"
    );
    let events: Vec<Value> = heard_steps.try_iter().collect();
    assert!(
        events.iter().any(|event| event["event"] == "written"),
        "the terminal heard the encode's steps: {events:?}"
    );
    let stations = server.endpoint.stations();
    assert_eq!(stations.len(), 1);
    assert_eq!(stations[0].terminal_name, "Desk 2");
}

#[test]
fn a_credential_is_kept_readable_by_its_owner_only() {
    let folder = tempfile::tempdir().expect("folder");
    let path = folder.path().join("terminal.json");
    let credential = Credential {
        address: "127.0.0.1:8788".into(),
        fingerprint: "ab".repeat(32),
        terminal_id: uuid::Uuid::new_v4(),
        terminal_name: "Desk 2".into(),
        credential: "cd".repeat(32),
    };
    credential.save(&path).expect("saved");
    credential.save(&path).expect("saved again over the first");
    assert_eq!(Credential::load(&path).expect("read"), Some(credential));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&path)
            .expect("metadata")
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "{mode:o}");
    }
    assert_eq!(
        Credential::load(&folder.path().join("none.json")).expect("none"),
        None
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_encode_on_the_encoder_of_a_terminal_that_is_gone_fails_at_once_in_words() {
    let server = server().await;
    let folder = tempfile::tempdir().expect("folder");
    let (link, heard, _) = terminal(&server, "Desk 2", folder.path()).await;
    wait_for(
        &heard,
        |event| matches!(event, LinkEvent::EncoderState { state } if *state == encoder::supervisor::EncoderState::Simulated),
    );
    let token = sign_in(&link).await;
    let room = first_room(&link, &token).await;
    let stay = call(&link, Some(&token), check_in(&room, "Di Ode"))
        .await
        .expect("checked in");
    let method: uuid::Uuid =
        serde_json::from_value(stay["guests"][0]["cards"][0]["id"].clone()).expect("a card");
    link.close();
    let station = server.endpoint.stations()[0].station.clone();
    let gone = std::time::Instant::now() + Duration::from_secs(5);
    while station.state() != encoder::supervisor::EncoderState::Disconnected {
        assert!(
            std::time::Instant::now() < gone,
            "the server saw the terminal go"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let desk = server.desk.clone();
    let started = std::time::Instant::now();
    let refused = tokio::task::spawn_blocking(move || {
        desk.encode_cards(&Context::api(Utc::now()), &station, &[method], &mut |_| {})
    })
    .await
    .expect("the encode ends")
    .expect_err("no card can be written");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    let wire = refused.to_wire();
    assert_eq!(wire.error_type, "encoder_not_online", "{wire:?}");
    assert!(wire.message.contains("encoder"), "{}", wire.message);
    assert_eq!(
        server.desk.card_holder(&"00".repeat(7)).expect("holder"),
        None
    );
}
