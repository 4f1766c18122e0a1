//! Any bytes read off a card: parsing the image and verifying it must never panic, and no
//! image verifies unless the property's keys sealed it. An image that parses is verified
//! under keys of its own property and UID, so that the MAC check itself is reached.
//!
//! Random bytes are almost never 512 long and almost never start with the magic and
//! version, so each input is also tried as an image of the right length with that header,
//! which lets the fuzzer reach the field parsers.
#![no_main]

use std::sync::OnceLock;

use encoder::card::{self, FORMAT_VERSION, IMAGE_LEN, MAGIC};
use encoder::keys::{KeyRing, MasterKeys};
use libfuzzer_sys::fuzz_target;

fn master_keys() -> &'static MasterKeys {
    static KEYS: OnceLock<MasterKeys> = OnceLock::new();
    KEYS.get_or_init(|| MasterKeys::generate().expect("OS randomness"))
}

fn check(image: &[u8]) {
    let Ok(parsed) = card::read(image) else {
        return;
    };
    let _ = parsed.to_lock_card();
    let keys = KeyRing::new(parsed.property_id, master_keys().clone());
    assert!(card::open(image, &parsed.uid, &keys).is_err());
}

fuzz_target!(|data: &[u8]| {
    check(data);

    let mut image = [0u8; IMAGE_LEN];
    image[..MAGIC.len()].copy_from_slice(&MAGIC);
    image[MAGIC.len()] = FORMAT_VERSION;
    let body = &mut image[MAGIC.len() + 1..];
    let n = data.len().min(body.len());
    body[..n].copy_from_slice(&data[..n]);
    check(&image);
});
