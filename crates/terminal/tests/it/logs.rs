//! What the terminal endpoint logs holds no secret: not a pairing code's secret (used, wrong
//! or sent in a malformed message), not a terminal's credential, not a session token, not a
//! PIN. The endpoint's log lines are captured as `frontdesk serve` writes them.

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

use bytes::Bytes;
use futures_util::SinkExt;
use terminal::DeskCall;
use terminal::client::pair;

use crate::abuse::raw;
use crate::link::server;

/// Every log line of this test binary, from its first use on.
fn captured() -> Arc<Mutex<Vec<u8>>> {
    static LINES: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    LINES
        .get_or_init(|| {
            let lines = Arc::new(Mutex::new(Vec::new()));
            let sink = lines.clone();
            let subscriber = tracing_subscriber::fmt()
                .with_ansi(false)
                .with_max_level(tracing::Level::DEBUG)
                .with_writer(move || Sink(sink.clone()))
                .finish();
            tracing::subscriber::set_global_default(subscriber).expect("one logger");
            lines
        })
        .clone()
}

struct Sink(Arc<Mutex<Vec<u8>>>);

impl Write for Sink {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("log lines").extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_secret_reaches_the_log() {
    let lines = captured();
    let server = server().await;
    // PINs long enough not to turn up by chance in a timestamp or a port.
    let (pin, wrong_pin) = ("73915064", "55501234");
    server
        .desk
        .add_operator(
            &frontdesk::Context::new("test", chrono::Utc::now()),
            "Lou",
            pin,
            frontdesk::Role::Receptionist,
        )
        .expect("an operator");
    let code = server.pairing_code("Desk 2");
    let credential = pair(&code).await.expect("paired");
    let used = pair(&code).await;
    assert!(used.is_err(), "a used code pairs again");
    let wrong = terminal::PairingCode {
        secret: "9".repeat(64),
        ..code.clone()
    };
    assert!(pair(&wrong).await.is_err());
    // A secret in a field of the wrong type, which a parser's message would quote.
    let mut connection = raw(&server.address, server.fingerprint).await;
    let malformed = serde_json::json!({ "type": "pair", "protocol": "7".repeat(64), "secret": 1 });
    let _ = connection.send(Bytes::from(malformed.to_string())).await;

    let (events, _heard) = std::sync::mpsc::channel();
    let link = terminal::client::TerminalLink::start(
        credential.clone(),
        encoder::supervisor::Source::Simulated(encoder::simulator::SimulatedEncoder::in_memory()),
        move |event| {
            let _ = events.send(event);
        },
    );
    let mut session = None;
    for _ in 0..200 {
        let answer = link
            .call(
                None,
                DeskCall::SignIn {
                    name: "Lou".into(),
                    pin: pin.into(),
                },
                |_| {},
            )
            .await;
        if let Ok(answer) = answer {
            session = answer["token"].as_str().map(str::to_owned);
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    let token = session.expect("signed in");
    let refused = link
        .call(
            None,
            DeskCall::SignIn {
                name: "Lou".into(),
                pin: wrong_pin.into(),
            },
            |_| {},
        )
        .await;
    assert!(refused.is_err());
    link.call(Some(token.clone()), DeskCall::RoomBoard, |_| {})
        .await
        .expect("the board");
    link.close();
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;

    let text = String::from_utf8_lossy(&lines.lock().expect("log lines")).into_owned();
    assert!(
        text.contains("a terminal paired"),
        "the log was captured: {text}"
    );
    assert!(text.contains("a pairing was refused"), "{text}");
    for (what, secret) in [
        ("the pairing secret", code.secret.as_str()),
        ("the wrong secret", wrong.secret.as_str()),
        ("the malformed message's value", &"7".repeat(64)),
        ("the credential", credential.credential.as_str()),
        ("the session token", token.as_str()),
        ("the PIN", pin),
        ("the wrong PIN", wrong_pin),
    ] {
        assert!(!text.contains(secret), "{what} is in the log");
    }
}
