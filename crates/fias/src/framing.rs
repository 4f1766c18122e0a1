//! The framing on a TCP link: each record is `STX` (0x02), its text, `ETX` (0x03). A read may
//! hold several records or a part of one; bytes outside a frame are line noise and are
//! dropped, as is a frame with a control byte inside or one longer than the protocol allows.

use bytes::{Buf, BufMut, BytesMut};
use tokio_util::codec::{Decoder, Encoder};

pub const STX: u8 = 0x02;
pub const ETX: u8 = 0x03;

/// The longest record text the protocol allows, in bytes.
pub const MAX_RECORD: usize = 2000;

/// What came off the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Frame {
    /// A record's bytes, between its `STX` and `ETX`, in the link's character set.
    Record(Vec<u8>),
    /// Bytes that were not a record, dropped; why.
    Dropped { bytes: usize, why: Dropped },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dropped {
    /// Bytes before a record's `STX`.
    OutsideRecord,
    /// A record with a control byte inside it.
    ControlByte(u8),
    /// A record longer than [`MAX_RECORD`] bytes.
    TooLong,
    /// A record cut short by the next `STX`.
    Unfinished,
}

impl std::fmt::Display for Dropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::OutsideRecord => f.write_str("bytes outside a record (no STX before them)"),
            Self::ControlByte(byte) => write!(f, "a record holding control byte 0x{byte:02X}"),
            Self::TooLong => write!(f, "a record longer than {MAX_RECORD} bytes"),
            Self::Unfinished => f.write_str("a record cut short by the next STX"),
        }
    }
}

/// Frames records in both directions.
#[derive(Debug, Default)]
pub struct FiasCodec {
    /// Dropping the rest of an over-long record, up to its `ETX` or the next `STX`.
    skipping: bool,
}

impl Decoder for FiasCodec {
    type Item = Frame;
    type Error = std::io::Error;

    fn decode(&mut self, buffer: &mut BytesMut) -> Result<Option<Frame>, Self::Error> {
        if self.skipping {
            match buffer.iter().position(|&byte| byte == ETX || byte == STX) {
                None => {
                    buffer.clear();
                    return Ok(None);
                }
                Some(at) => {
                    self.skipping = false;
                    // The ETX ends the dropped record; an STX starts the next one.
                    buffer.advance(if buffer[at] == ETX { at + 1 } else { at });
                }
            }
        }
        if buffer.is_empty() {
            return Ok(None);
        }
        if buffer[0] != STX {
            let noise = buffer
                .iter()
                .position(|&byte| byte == STX)
                .unwrap_or(buffer.len());
            buffer.advance(noise);
            return Ok(Some(Frame::Dropped {
                bytes: noise,
                why: Dropped::OutsideRecord,
            }));
        }
        let body = &buffer[1..];
        let Some(end) = body.iter().position(|&byte| byte == ETX || byte == STX) else {
            if body.len() > MAX_RECORD {
                let bytes = buffer.len();
                buffer.clear();
                self.skipping = true;
                return Ok(Some(Frame::Dropped {
                    bytes,
                    why: Dropped::TooLong,
                }));
            }
            return Ok(None);
        };
        if body[end] == STX {
            buffer.advance(end + 1);
            return Ok(Some(Frame::Dropped {
                bytes: end + 1,
                why: Dropped::Unfinished,
            }));
        }
        let frame = if end > MAX_RECORD {
            Frame::Dropped {
                bytes: end + 2,
                why: Dropped::TooLong,
            }
        } else if let Some(&control) = body[..end]
            .iter()
            .find(|&&byte| byte < 0x20 || byte == 0x7F)
        {
            Frame::Dropped {
                bytes: end + 2,
                why: Dropped::ControlByte(control),
            }
        } else {
            Frame::Record(body[..end].to_vec())
        };
        buffer.advance(end + 2);
        Ok(Some(frame))
    }
}

impl Encoder<&[u8]> for FiasCodec {
    type Error = std::io::Error;

    fn encode(&mut self, text: &[u8], buffer: &mut BytesMut) -> Result<(), Self::Error> {
        buffer.reserve(text.len() + 2);
        buffer.put_u8(STX);
        buffer.put_slice(text);
        buffer.put_u8(ETX);
        Ok(())
    }
}
