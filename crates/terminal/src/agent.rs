//! A terminal's encoder, lent to its property server: the agent opens links to it when the
//! server asks, does each read and write the server sends, in order, and tells the server
//! whether the encoder is plugged in.

use std::collections::HashMap;
use std::sync::mpsc::{Sender, channel};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use encoder::link::Link;
use encoder::protocol::REPORT_LEN;
use encoder::simulator::SimulatedEncoder;
use encoder::supervisor::{DEFAULT_CHECK_INTERVAL, Source};
use tokio::sync::mpsc::UnboundedSender;

use crate::call::{from_hex, to_hex};
use crate::wire::{Downstream, Upstream};

/// A step of an open link, done in the order it came.
enum Step {
    Write([u8; REPORT_LEN]),
    Read(Duration),
}

/// The terminal's encoder while one connection to the server lasts.
#[derive(Debug)]
pub struct EncoderAgent {
    source: Source,
    upstream: UnboundedSender<Upstream>,
    /// The open links, each worked by its own thread.
    links: Mutex<HashMap<u64, Sender<Step>>>,
}

/// The longest read the server may ask for.
const MAX_READ: Duration = Duration::from_secs(30);

impl EncoderAgent {
    /// Starts lending `source` over the connection that `upstream` writes to; the presence
    /// watch ends with the connection.
    pub fn start(source: Source, upstream: UnboundedSender<Upstream>) -> Arc<Self> {
        let agent = Arc::new(Self {
            source,
            upstream,
            links: Mutex::default(),
        });
        let watching = Arc::downgrade(&agent);
        let spawned = std::thread::Builder::new()
            .name("encoder-presence".to_owned())
            .spawn(move || {
                let mut last = None;
                while let Some(agent) = watching.upgrade() {
                    let now = (agent.source.present(), agent.simulated());
                    if last != Some(now) {
                        let told = agent.upstream.send(Upstream::EncoderPresence {
                            present: now.0,
                            simulated: now.1,
                        });
                        if told.is_err() {
                            return;
                        }
                        last = Some(now);
                    }
                    drop(agent);
                    std::thread::sleep(DEFAULT_CHECK_INTERVAL);
                }
            });
        if let Err(error) = spawned {
            tracing::warn!(%error, "the encoder's presence will not be reported");
        }
        agent
    }

    fn simulated(&self) -> bool {
        matches!(self.source, Source::Simulated(_))
    }

    /// Does what the server asks of the encoder; other messages are not the agent's.
    pub fn handle(&self, message: &Downstream) {
        match message {
            Downstream::EncoderOpen { link } => self.open(*link),
            Downstream::EncoderWrite { link, report } => {
                match from_hex(report).and_then(|bytes| <[u8; REPORT_LEN]>::try_from(bytes).ok()) {
                    Some(report) => self.step(*link, Step::Write(report)),
                    None => {
                        let _ = self.upstream.send(Upstream::EncoderWriteFailed {
                            link: *link,
                            error: "a malformed report".to_owned(),
                        });
                    }
                }
            }
            Downstream::EncoderRead { link, timeout_ms } => self.step(
                *link,
                Step::Read(Duration::from_millis(*timeout_ms).min(MAX_READ)),
            ),
            Downstream::PrepareBlank { keep_card } => {
                if let Source::Simulated(simulator) = &self.source {
                    prepare_blank(simulator, keep_card.as_deref());
                }
            }
            Downstream::EncoderClose { link } => {
                // Dropping the sender ends the link's thread, which drops the link.
                self.links
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .remove(link);
            }
            _ => {}
        }
    }

    fn step(&self, link: u64, step: Step) {
        let links = self.links.lock().unwrap_or_else(PoisonError::into_inner);
        let sent = links
            .get(&link)
            .is_some_and(|steps| steps.send(step).is_ok());
        if !sent {
            let _ = self.upstream.send(Upstream::EncoderRead {
                link,
                report: None,
                error: Some(encoder::link::LinkError::Disconnected.to_string()),
            });
        }
    }

    fn open(&self, link: u64) {
        let opened = self.source.connect();
        let error = opened.as_ref().err().map(ToString::to_string);
        let _ = self.upstream.send(Upstream::EncoderOpened { link, error });
        let Ok(device) = opened else {
            return;
        };
        let (steps, next_step) = channel();
        self.links
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(link, steps);
        let upstream = self.upstream.clone();
        let spawned = std::thread::Builder::new()
            .name(format!("encoder-link-{link}"))
            .spawn(move || work_link(link, device, &next_step, &upstream));
        if let Err(error) = spawned {
            tracing::warn!(%error, "cannot work the encoder link");
        }
    }
}

/// A blank on the simulated encoder's pad unless it holds a blank or `keep_card`.
fn prepare_blank(simulator: &SimulatedEncoder, keep_card: Option<&str>) {
    let keep = match simulator.card_on_encoder() {
        None => false,
        Some(uid) => {
            let blank = simulator
                .card(&uid)
                .is_none_or(|card| card.image.is_empty());
            blank || keep_card == Some(uid.to_hex().as_str())
        }
    };
    if !keep {
        simulator.present_blank_card();
    }
}

fn work_link(
    link: u64,
    mut device: Box<dyn Link>,
    steps: &std::sync::mpsc::Receiver<Step>,
    upstream: &UnboundedSender<Upstream>,
) {
    for step in steps {
        let answer = match step {
            Step::Write(report) => match device.write(&report) {
                Ok(()) => continue,
                Err(error) => Upstream::EncoderWriteFailed {
                    link,
                    error: error.to_string(),
                },
            },
            Step::Read(timeout) => match device.read(timeout) {
                Ok(report) => Upstream::EncoderRead {
                    link,
                    report: report.map(|report| to_hex(&report)),
                    error: None,
                },
                Err(error) => Upstream::EncoderRead {
                    link,
                    report: None,
                    error: Some(error.to_string()),
                },
            },
        };
        if upstream.send(answer).is_err() {
            return;
        }
    }
}
