//! Any bytes from the wire: decoding a report and parsing it as a request, reply or event
//! must never panic, and whatever parses must build back into a frame that parses the same.
//!
//! Random bytes almost never carry a valid CRC, so each input is also tried with its CRC
//! fixed up, which lets the fuzzer reach the payload parsers.
#![no_main]

use encoder::protocol::{CRC16, Event, Frame, MAX_DATA, REPORT_LEN, Reply, Request, Sequencer};
use libfuzzer_sys::fuzz_target;

fn check(bytes: &[u8]) {
    let Ok(frame) = Frame::decode(bytes) else {
        return;
    };
    assert_eq!(Frame::decode(&frame.encode()).as_ref(), Ok(&frame));

    if let Ok(request) = Request::from_frame(&frame) {
        let built = request
            .to_frame(frame.seq())
            .expect("a parsed request builds");
        assert_eq!(Request::from_frame(&built).as_ref(), Ok(&request));
    }
    if let Ok(reply) = Reply::from_frame(&frame) {
        let built = reply.to_frame(frame.seq()).expect("a parsed reply builds");
        assert_eq!(Reply::from_frame(&built).as_ref(), Ok(&reply));
    }
    if let Ok(event) = Event::from_frame(&frame) {
        let built = event.to_frame().expect("a parsed event builds");
        assert_eq!(Event::from_frame(&built).as_ref(), Ok(&event));
    }

    // The host side: with nothing outstanding, and with a POLL outstanding.
    let mut sequencer = Sequencer::new();
    let _ = sequencer.accept(&frame);
    if sequencer.request(&Request::Poll).is_ok() {
        let _ = sequencer.accept(&frame);
    }
}

fuzz_target!(|data: &[u8]| {
    check(data);

    let mut report = [0u8; REPORT_LEN];
    let n = data.len().min(REPORT_LEN);
    report[..n].copy_from_slice(&data[..n]);
    report[0] %= MAX_DATA as u8 + 1;
    let end = 4 + usize::from(report[0]);
    let crc = CRC16.checksum(&report[..end]);
    report[end..end + 2].copy_from_slice(&crc.to_le_bytes());
    check(&report);
});
