//! What the terminal endpoint does with a peer that is not a well-behaved terminal: an
//! oversized or malformed first message, a call before saying who it is, a hello with a
//! forged credential. Each is refused, the connection ends, and nothing changes.

use std::time::Duration;

use bytes::Bytes;
use futures_util::{SinkExt, StreamExt};
use terminal::tls;
use terminal::wire::{self, Downstream};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

use crate::link::server;

pub type Raw = wire::Connection<tokio_rustls::client::TlsStream<TcpStream>>;

/// A TLS connection that trusts the server, framed as a terminal's, but whose frames may be
/// as large as wanted.
pub async fn raw(address: &str, fingerprint: tls::Fingerprint) -> Raw {
    let tcp = TcpStream::connect(address).await.expect("connects");
    let connector = TlsConnector::from(tls::client_config(fingerprint).expect("config"));
    let stream = connector
        .connect(tls::server_name(), tcp)
        .await
        .expect("TLS handshake");
    wire::framed(stream, usize::MAX)
}

/// A raw connection of a terminal paired as "Desk 2", past its welcome.
async fn welcomed(server: &crate::link::Server) -> Raw {
    let credential = terminal::client::pair(&server.pairing_code("Desk 2"))
        .await
        .expect("paired");
    let mut connection = raw(&server.address, server.fingerprint).await;
    let hello = serde_json::json!({
        "type": "hello", "protocol": wire::PROTOCOL,
        "terminal_id": credential.terminal_id, "credential": credential.credential,
        "encoder_present": false, "encoder_simulated": false,
    });
    connection
        .send(Bytes::from(hello.to_string()))
        .await
        .expect("sent");
    assert!(matches!(
        answer(&mut connection).await,
        Some(Downstream::Welcome { .. })
    ));
    connection
}

/// The server's answer, if any, before it closes the connection.
async fn answer(connection: &mut Raw) -> Option<Downstream> {
    let next = tokio::time::timeout(Duration::from_secs(15), connection.next())
        .await
        .expect("the server answers or closes in time");
    next.and_then(Result::ok)
        .and_then(|frame| serde_json::from_slice(&frame).ok())
}

/// The connection is closed after the answer.
async fn closed(connection: &mut Raw) -> bool {
    matches!(
        tokio::time::timeout(Duration::from_secs(15), connection.next()).await,
        Ok(None | Some(Err(_)))
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_first_messages_are_refused_in_words_and_change_nothing() {
    let server = server().await;
    let before = server.desk.change_version().expect("version");
    let cases: Vec<(&str, Bytes)> = vec![
        ("oversized", Bytes::from(vec![b'{'; 2 << 20])),
        ("not JSON", Bytes::from_static(b"\x00\x01 not json")),
        ("unknown type", Bytes::from_static(br#"{"type":"sudo"}"#)),
        (
            "a call before hello",
            Bytes::from_static(
                br#"{"type":"call","id":1,"token":null,"call":{"call":"room_board"}}"#,
            ),
        ),
        (
            "a forged credential",
            Bytes::from(
                serde_json::json!({
                    "type": "hello", "protocol": wire::PROTOCOL,
                    "terminal_id": uuid::Uuid::new_v4(), "credential": "0".repeat(64),
                    "encoder_present": true, "encoder_simulated": true,
                })
                .to_string(),
            ),
        ),
        (
            "another protocol",
            Bytes::from(
                serde_json::json!({ "type": "pair", "protocol": 99, "secret": "0".repeat(64) })
                    .to_string(),
            ),
        ),
    ];
    for (what, frame) in cases {
        let mut connection = raw(&server.address, server.fingerprint).await;
        let _ = connection.send(frame).await;
        match answer(&mut connection).await {
            Some(Downstream::Refused { error }) => {
                assert!(!error.message.is_empty(), "{what}: {error:?}");
            }
            None => {}
            other => panic!("{what}: the server answered {other:?}"),
        }
        assert!(
            closed(&mut connection).await,
            "{what}: the connection stays open"
        );
    }
    assert!(
        server
            .desk
            .terminals(&frontdesk::Context::new("test", chrono::Utc::now()))
            .expect("terminals")
            .is_empty()
    );
    // Refusals of pairing are audited (the change counter moves by those only).
    let refusals = server
        .desk
        .audit_entries(
            &frontdesk::Operator {
                id: uuid::Uuid::new_v4(),
                name: "Mia".into(),
                role: frontdesk::Role::Manager,
                terminal: None,
            },
            &frontdesk::AuditQuery::default(),
        )
        .expect("audit")
        .into_iter()
        .filter(|entry| entry.id > before)
        .filter(|entry| entry.outcome != store::AuditOutcome::Refused)
        .count();
    assert_eq!(refusals, 0, "a refused peer changed something");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_paired_terminal_that_sends_garbage_is_cut_off() {
    let server = server().await;
    let mut connection = welcomed(&server).await;
    connection
        .send(Bytes::from_static(b"{\"type\":\"call\",\"id\":"))
        .await
        .expect("sent");
    loop {
        match answer(&mut connection).await {
            Some(Downstream::Refused { error }) => {
                assert!(error.message.contains("malformed"), "{error:?}");
                break;
            }
            Some(_) => {}
            None => panic!("the server closed without saying why"),
        }
    }
    assert!(closed(&mut connection).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_terminal_that_sends_calls_without_reading_the_answers_is_cut_off() {
    let server = server().await;
    let mut connection = welcomed(&server).await;
    // A sign-in is slow on purpose (its PIN hash): many at once stay unanswered together.
    for id in 0..u64::try_from(terminal::server::MAX_CALLS_IN_FLIGHT * 4).expect("a count") {
        let call = serde_json::json!({
            "type": "call", "id": id, "token": null,
            "call": { "call": "sign_in", "args": { "name": "Mia", "pin": "0000" } },
        });
        if connection
            .send(Bytes::from(call.to_string()))
            .await
            .is_err()
        {
            break;
        }
    }
    loop {
        match answer(&mut connection).await {
            Some(Downstream::Refused { error }) => {
                assert!(error.message.contains("without waiting"), "{error:?}");
                break;
            }
            Some(_) => {}
            None => panic!("the server closed without saying why"),
        }
    }
    assert!(closed(&mut connection).await);
}
