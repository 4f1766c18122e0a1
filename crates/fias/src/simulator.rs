//! A PMS that speaks FIAS, for training, demos and tests: it starts the link as OPERA's IFC8
//! does (`LS`, then our `LA` after the lock system's description), sends key records and
//! waits for their answers, over a connection it makes or takes.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_util::codec::Framed;

use crate::framing::{FiasCodec, Frame};
use crate::record::{Record, RecordType};
use crate::text::Charset;

/// How long the simulated PMS waits for the lock system, as IFC8's door-lock timeout.
pub const ANSWER_TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Debug, thiserror::Error)]
pub enum SimulatorError {
    #[error("the link is closed")]
    Closed,
    #[error("no answer within {0:?}")]
    Timeout(Duration),
    #[error("the link broke: {0}")]
    Io(#[from] std::io::Error),
    #[error("the lock system sent a record that is not one: {0}")]
    Malformed(String),
}

/// The PMS's end of a link.
#[derive(Debug)]
pub struct SimulatedPms {
    framed: Framed<TcpStream, FiasCodec>,
    charset: Charset,
    /// Records received while waiting for another kind.
    held: Vec<Record>,
}

impl SimulatedPms {
    /// Connects to a lock system that listens (`--fias-listen`).
    pub async fn connect(address: &str, charset: Charset) -> Result<Self, SimulatorError> {
        let stream = TcpStream::connect(address).await?;
        stream.set_nodelay(true)?;
        Ok(Self::over(stream, charset))
    }

    /// Takes the connection of a lock system that connects (`--fias-connect`), as IFC8 does.
    pub async fn accept(listener: &TcpListener, charset: Charset) -> Result<Self, SimulatorError> {
        let (stream, _) = listener.accept().await?;
        stream.set_nodelay(true)?;
        Ok(Self::over(stream, charset))
    }

    fn over(stream: TcpStream, charset: Charset) -> Self {
        Self {
            framed: Framed::new(stream, FiasCodec::default()),
            charset,
            held: Vec::new(),
        }
    }

    /// Starts the link: `LS`, the lock system's `LD`, `LR`s and `LA`, then our `LA`.
    /// Returns the lock system's description.
    pub async fn start_link(&mut self) -> Result<Vec<Record>, SimulatorError> {
        self.send(&Record::parse("LS|").map_err(|e| SimulatorError::Malformed(e.to_string()))?)
            .await?;
        let mut description = Vec::new();
        loop {
            let record = self.next(ANSWER_TIMEOUT).await?;
            let done = record.kind() == RecordType::LINK_ALIVE;
            description.push(record);
            if done {
                break;
            }
        }
        self.send_text("LA|").await?;
        Ok(description)
    }

    pub async fn send(&mut self, record: &Record) -> Result<(), SimulatorError> {
        self.send_text(&record.to_string()).await
    }

    /// Sends a record's text, framed.
    pub async fn send_text(&mut self, text: &str) -> Result<(), SimulatorError> {
        let bytes = self.charset.encode(text);
        self.framed.send(bytes.as_slice()).await?;
        Ok(())
    }

    /// Writes bytes as they are, framing and all (line noise, half records).
    pub async fn send_raw(&mut self, bytes: &[u8]) -> Result<(), SimulatorError> {
        use tokio::io::AsyncWriteExt;
        let stream = self.framed.get_mut();
        stream.write_all(bytes).await?;
        stream.flush().await?;
        Ok(())
    }

    /// Sends a key record and waits for its answer (`KA`).
    pub async fn request(&mut self, text: &str) -> Result<Record, SimulatorError> {
        self.send_text(text).await?;
        self.next_of(RecordType::KEY_ANSWER, ANSWER_TIMEOUT).await
    }

    /// The next record of `kind`; others received meanwhile are kept for later.
    pub async fn next_of(
        &mut self,
        kind: RecordType,
        timeout: Duration,
    ) -> Result<Record, SimulatorError> {
        if let Some(at) = self.held.iter().position(|record| record.kind() == kind) {
            return Ok(self.held.remove(at));
        }
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            let record = self.next(left).await?;
            if record.kind() == kind {
                return Ok(record);
            }
            self.held.push(record);
        }
    }

    /// The next record, whatever it is.
    pub async fn next(&mut self, timeout: Duration) -> Result<Record, SimulatorError> {
        if !self.held.is_empty() {
            return Ok(self.held.remove(0));
        }
        let frame = tokio::time::timeout(timeout, self.framed.next())
            .await
            .map_err(|_| SimulatorError::Timeout(timeout))?;
        match frame {
            None => Err(SimulatorError::Closed),
            Some(Err(error)) => Err(error.into()),
            Some(Ok(Frame::Dropped { why, .. })) => Err(SimulatorError::Malformed(why.to_string())),
            Some(Ok(Frame::Record(bytes))) => {
                let text = self.charset.decode(&bytes);
                Record::parse(&text).map_err(|error| SimulatorError::Malformed(error.to_string()))
            }
        }
    }

    /// Ends the link as a PMS shutting down does (`LE`) and closes the connection.
    pub async fn end(mut self) -> Result<(), SimulatorError> {
        self.send_text("LE|").await?;
        let _ = self
            .next_of(RecordType::LINK_END, Duration::from_secs(5))
            .await;
        Ok(())
    }

    /// Drops the connection without a word, as a PMS that crashed or lost its network.
    pub fn drop_link(self) {}
}
