//! Any text as a property file: the parser lists problems or returns a property, and never
//! panics.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = engine::property::parse_property(text);
    }
});
