//! Records come off a TCP stream however it splits them, and what is not a record is dropped
//! without losing the records around it.

// clippy.toml allows unwrap in `#[test]` functions; the helpers here are test code too.
#![allow(clippy::unwrap_used)]

use bytes::BytesMut;
use fias::framing::{Dropped, ETX, FiasCodec, Frame, MAX_RECORD, STX};
use proptest::prelude::*;
use tokio_util::codec::{Decoder, Encoder};

fn framed(texts: &[&str]) -> Vec<u8> {
    let mut codec = FiasCodec::default();
    let mut buffer = BytesMut::new();
    for text in texts {
        codec.encode(text.as_bytes(), &mut buffer).unwrap();
    }
    buffer.to_vec()
}

/// Feeds `bytes` to one decoder in pieces cut at `cuts`; every frame it gives.
fn decode_in_pieces(bytes: &[u8], cuts: &[usize]) -> Vec<Frame> {
    let mut codec = FiasCodec::default();
    let mut buffer = BytesMut::new();
    let mut frames = Vec::new();
    let mut start = 0;
    let mut ends: Vec<usize> = cuts.iter().map(|cut| cut % (bytes.len() + 1)).collect();
    ends.sort_unstable();
    ends.push(bytes.len());
    for end in ends {
        if end < start {
            continue;
        }
        buffer.extend_from_slice(&bytes[start..end]);
        start = end;
        while let Some(frame) = codec.decode(&mut buffer).unwrap() {
            frames.push(frame);
        }
    }
    frames
}

fn records(frames: &[Frame]) -> Vec<String> {
    frames
        .iter()
        .filter_map(|frame| match frame {
            Frame::Record(bytes) => Some(String::from_utf8(bytes.clone()).unwrap()),
            Frame::Dropped { .. } => None,
        })
        .collect()
}

#[test]
fn several_records_in_one_read_come_out_one_by_one() {
    let bytes = framed(&["LS|DA201214|TI131253|", "KR|RN101|KTN|", "LE|"]);
    let frames = decode_in_pieces(&bytes, &[]);
    assert_eq!(
        records(&frames),
        ["LS|DA201214|TI131253|", "KR|RN101|KTN|", "LE|"]
    );
    assert_eq!(frames.len(), 3);
}

#[test]
fn noise_between_records_is_dropped_and_said() {
    let mut bytes = b"hello\r\n".to_vec();
    bytes.extend(framed(&["LS|"]));
    bytes.extend(b"\x06\x15");
    bytes.extend(framed(&["LA|"]));
    let frames = decode_in_pieces(&bytes, &[]);
    assert_eq!(records(&frames), ["LS|", "LA|"]);
    assert!(frames.contains(&Frame::Dropped {
        bytes: 7,
        why: Dropped::OutsideRecord
    }));
    assert!(frames.contains(&Frame::Dropped {
        bytes: 2,
        why: Dropped::OutsideRecord
    }));
}

#[test]
fn a_record_with_a_control_byte_inside_is_dropped_alone() {
    let mut bytes = vec![STX];
    bytes.extend(b"KR|RN1\x00|");
    bytes.push(ETX);
    bytes.extend(framed(&["KR|RN2|"]));
    let frames = decode_in_pieces(&bytes, &[]);
    assert_eq!(
        frames[0],
        Frame::Dropped {
            bytes: 10,
            why: Dropped::ControlByte(0)
        }
    );
    assert_eq!(records(&frames), ["KR|RN2|"]);
}

#[test]
fn a_record_cut_short_by_the_next_one_is_dropped() {
    let mut bytes = vec![STX];
    bytes.extend(b"KR|RN1");
    bytes.extend(framed(&["KR|RN2|"]));
    let frames = decode_in_pieces(&bytes, &[3]);
    assert_eq!(
        frames[0],
        Frame::Dropped {
            bytes: 7,
            why: Dropped::Unfinished
        }
    );
    assert_eq!(records(&frames), ["KR|RN2|"]);
}

#[test]
fn an_endless_record_is_dropped_without_holding_its_bytes() {
    let mut codec = FiasCodec::default();
    let mut buffer = BytesMut::new();
    buffer.extend_from_slice(&[STX]);
    let mut dropped = false;
    for _ in 0..100 {
        buffer.extend_from_slice(&[b'x'; 100]);
        while let Some(frame) = codec.decode(&mut buffer).unwrap() {
            assert_eq!(
                frame,
                Frame::Dropped {
                    bytes: frame_bytes(&frame),
                    why: Dropped::TooLong
                }
            );
            dropped = true;
        }
        assert!(
            buffer.len() <= MAX_RECORD + 101,
            "the decoder held {} bytes",
            buffer.len()
        );
    }
    assert!(dropped);
    // Its end, then a good record: the good record comes through.
    buffer.extend_from_slice(b"tail");
    buffer.extend_from_slice(&[ETX]);
    buffer.extend_from_slice(&framed(&["LA|"]));
    let mut frames = Vec::new();
    while let Some(frame) = codec.decode(&mut buffer).unwrap() {
        frames.push(frame);
    }
    assert_eq!(records(&frames), ["LA|"]);
}

fn frame_bytes(frame: &Frame) -> usize {
    match frame {
        Frame::Dropped { bytes, .. } => *bytes,
        Frame::Record(bytes) => bytes.len(),
    }
}

proptest! {
    #[test]
    fn records_survive_any_split_of_the_stream(
        texts in prop::collection::vec("[A-Z]{2}\\|([A-Z0-9#$]{2}[ -{}~]{0,30}\\|){0,6}", 1..8),
        cuts in prop::collection::vec(any::<usize>(), 0..12),
    ) {
        let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
        let frames = decode_in_pieces(&framed(&texts), &cuts);
        prop_assert_eq!(records(&frames), texts);
    }
}
