//! Any bytes from a PMS, cut into reads anywhere: framing, decoding in either character set,
//! parsing a record and reading it as a key request must never panic; a record that parses
//! writes back to text that parses the same.
#![no_main]

use bytes::BytesMut;
use fias::Record;
use fias::framing::{FiasCodec, Frame};
use fias::requests::KeyRecord;
use fias::text::Charset;
use libfuzzer_sys::fuzz_target;
use tokio_util::codec::Decoder;

fuzz_target!(|data: &[u8]| {
    // The first byte says where the reads are cut.
    let Some((&cut, stream)) = data.split_first() else {
        return;
    };
    let step = usize::from(cut).max(1);
    let mut codec = FiasCodec::default();
    let mut buffer = BytesMut::new();
    for piece in stream.chunks(step) {
        buffer.extend_from_slice(piece);
        while let Some(frame) = codec.decode(&mut buffer).expect("decoding never fails") {
            let Frame::Record(bytes) = frame else {
                continue;
            };
            for charset in [Charset::LATIN_1, Charset::UTF_8] {
                let text = charset.decode(&bytes);
                let Ok(record) = Record::parse(&text) else {
                    continue;
                };
                let _ = KeyRecord::read(&record);
                let again = Record::parse(&record.to_string()).expect("a written record parses");
                assert_eq!(again, record);
                // What goes back on the wire frames as one record.
                let written = charset.encode(&record.to_string());
                assert!(!written.iter().any(|&byte| byte == 0x02 || byte == 0x03));
            }
        }
    }
});
