//! Card keys: their derivation, no key in Debug output or errors, and the key file.

use encoder::CardUid;
use encoder::card;
use encoder::keys::{KeyError, KeyPurpose, KeyRing, MasterKeys};
use uuid::Uuid;

use super::{guest_card, ring, uid_a, uid_b};

#[test]
fn card_keys_match_the_documented_derivation() {
    // Computed independently: HKDF-SHA256(salt = property id bytes, ikm = master key,
    // info = b"frontdesk card key v1" || purpose byte || uid).
    let keys = KeyRing::new(
        Uuid::from_bytes(core::array::from_fn(|index| index as u8)),
        MasterKeys {
            guest: [0x11; 32],
            staff: [0x22; 32],
            programming: [0x33; 32],
        },
    );
    let hex = |key: [u8; 32]| {
        key.iter()
            .map(|byte| format!("{byte:02x}"))
            .collect::<String>()
    };
    assert_eq!(
        hex(keys.card_key(1, KeyPurpose::Guest, &uid_a()).unwrap()),
        "64953def59546711763849ad8de35ab80a77dcef2b8045d647e3823cc25d43da"
    );
    assert_eq!(
        hex(keys.card_key(1, KeyPurpose::Staff, &uid_a()).unwrap()),
        "f8b5820dff62cd24c759d6b99ce6ba5d29ff10d26d082286cd068f9c0069aa4b"
    );
}

#[test]
fn card_keys_differ_by_uid_purpose_epoch_and_property() {
    let mut keys = ring();
    let key = |keys: &KeyRing, epoch, purpose, card: &CardUid| {
        keys.card_key(epoch, purpose, card).unwrap()
    };
    let guest_a = key(&keys, 1, KeyPurpose::Guest, &uid_a());
    assert_eq!(
        guest_a,
        key(&keys, 1, KeyPurpose::Guest, &uid_a()),
        "deterministic"
    );
    assert_ne!(guest_a, key(&keys, 1, KeyPurpose::Guest, &uid_b()));
    assert_ne!(guest_a, key(&keys, 1, KeyPurpose::Staff, &uid_a()));
    assert_ne!(guest_a, key(&keys, 1, KeyPurpose::Programming, &uid_a()));
    assert_ne!(
        key(&keys, 1, KeyPurpose::Staff, &uid_a()),
        key(&keys, 1, KeyPurpose::Programming, &uid_a())
    );
    assert_ne!(
        guest_a,
        keys.master_keys(1).unwrap().guest,
        "not the master key"
    );
    assert_eq!(keys.card_key(2, KeyPurpose::Guest, &uid_a()), None);

    keys.rotate().unwrap();
    assert_eq!(
        guest_a,
        key(&keys, 1, KeyPurpose::Guest, &uid_a()),
        "old keys kept"
    );
    assert_ne!(guest_a, key(&keys, 2, KeyPurpose::Guest, &uid_a()));

    // Same master keys, another property: other card keys.
    let master = || MasterKeys {
        guest: [9; 32],
        staff: [8; 32],
        programming: [7; 32],
    };
    let here = KeyRing::new(Uuid::from_u128(1), master());
    let there = KeyRing::new(Uuid::from_u128(2), master());
    assert_ne!(
        key(&here, 1, KeyPurpose::Guest, &uid_a()),
        key(&there, 1, KeyPurpose::Guest, &uid_a())
    );
}

#[test]
fn generated_rings_have_distinct_random_keys() {
    let a = ring();
    let b = ring();
    let (ka, kb) = (a.master_keys(1).unwrap(), b.master_keys(1).unwrap());
    assert_ne!(ka.guest, kb.guest);
    assert_ne!(ka.guest, ka.staff);
    assert_ne!(ka.staff, ka.programming);
    assert_ne!(ka.guest, [0; 32]);
    assert_eq!((a.current_epoch(), a.min_epoch()), (1, 1));
}

// ---- no keys in Debug or errors -----------------------------------------------------------

fn hex_of(key: &[u8; 32]) -> [String; 2] {
    let lower: String = key.iter().map(|byte| format!("{byte:02x}")).collect();
    [lower.to_uppercase(), lower]
}

fn assert_no_key(text: &str, keys: &KeyRing) {
    for epoch in keys.epochs() {
        let master = keys.master_keys(epoch).unwrap();
        for key in [&master.guest, &master.staff, &master.programming] {
            for hex in hex_of(key) {
                assert!(!text.contains(&hex[..8]), "key hex in {text}");
            }
            assert!(!text.contains(&format!("{key:?}")), "key bytes in {text}");
            assert!(
                !text.contains(&format!("{:?}", &key[..4])[1..]),
                "key bytes in {text}"
            );
        }
    }
}

#[test]
fn debug_output_redacts_keys() {
    let fixed = KeyRing::new(
        Uuid::nil(),
        MasterKeys {
            guest: [0xA5; 32],
            staff: [0x5A; 32],
            programming: [0x3C; 32],
        },
    );
    for text in [
        format!("{fixed:?}"),
        format!("{fixed:#?}"),
        format!("{:?}", fixed.master_keys(1).unwrap()),
    ] {
        for needle in ["a5", "A5", "5a", "5A", "3c", "3C", "165", "90", "60"] {
            assert!(!text.contains(needle), "{needle} in {text}");
        }
        assert!(text.contains("redacted"), "{text}");
    }

    let mut keys = ring();
    keys.rotate().unwrap();
    let text = format!("{keys:?} {keys:#?} {:?}", keys.master_keys(2).unwrap());
    assert_no_key(&text, &keys);
    assert!(text.contains(&keys.property_id().to_string()));
}

// ---- the key file --------------------------------------------------------------------------

#[cfg(unix)]
fn mode(path: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[cfg(unix)]
fn chmod(path: &std::path::Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

#[cfg(unix)]
#[test]
fn the_key_file_is_created_private_and_loads_again() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("secrets").join("keys.json");
    let property = Uuid::new_v4();

    let created = KeyRing::load_or_create(&path, property).unwrap();
    assert_eq!(mode(&path), 0o600);
    assert_eq!(mode(path.parent().unwrap()), 0o700);
    assert_eq!(created.property_id(), property);
    assert_eq!(created.current_epoch(), 1);
    // No temporary files left behind.
    let names: Vec<_> = std::fs::read_dir(path.parent().unwrap())
        .unwrap()
        .map(|entry| entry.unwrap().file_name())
        .collect();
    assert_eq!(names, ["keys.json"]);

    let loaded = KeyRing::load_or_create(&path, property).unwrap();
    assert_eq!(loaded, created);
    assert_eq!(KeyRing::load(&path, property).unwrap(), created);

    // A card made before the restart opens after it.
    let image = card::seal(&guest_card(&created, &uid_a()), &created).unwrap();
    assert!(card::open(&image, &uid_a(), &loaded).is_ok());
}

#[cfg(unix)]
#[test]
fn a_key_file_others_can_read_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("keys.json");
    let property = Uuid::new_v4();
    let keys = KeyRing::load_or_create(&path, property).unwrap();

    for loose in [0o644, 0o640, 0o604, 0o620] {
        chmod(&path, loose);
        let error = KeyRing::load_or_create(&path, property).unwrap_err();
        assert!(
            matches!(error, KeyError::InsecurePermissions { mode, .. } if mode == loose),
            "{error:?}"
        );
        let message = error.to_string();
        assert!(message.contains(&path.display().to_string()), "{message}");
        assert!(message.contains("chmod 600"), "{message}");
        assert_no_key(&message, &keys);
    }
    chmod(&path, 0o600);
    assert_eq!(KeyRing::load_or_create(&path, property).unwrap(), keys);
    chmod(&path, 0o400);
    assert_eq!(KeyRing::load_or_create(&path, property).unwrap(), keys);
}

#[cfg(unix)]
#[test]
fn a_key_file_of_another_property_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("keys.json");
    let ours = Uuid::new_v4();
    let theirs = Uuid::new_v4();
    let keys = KeyRing::load_or_create(&path, theirs).unwrap();
    let error = KeyRing::load_or_create(&path, ours).unwrap_err();
    assert!(
        matches!(error, KeyError::WrongProperty { found, expected, .. }
            if found == theirs && expected == ours),
        "{error:?}"
    );
    assert_no_key(&error.to_string(), &keys);
    // The file was left alone.
    assert_eq!(KeyRing::load(&path, theirs).unwrap(), keys);
}

#[cfg(unix)]
#[test]
fn the_key_file_round_trips_after_rotation() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("keys.json");
    let property = Uuid::new_v4();
    let mut keys = KeyRing::load_or_create(&path, property).unwrap();
    let old_image = card::seal(&guest_card(&keys, &uid_a()), &keys).unwrap();

    keys.rotate().unwrap();
    keys.rotate().unwrap();
    keys.save(&path).unwrap();
    assert_eq!(mode(&path), 0o600);

    let loaded = KeyRing::load_or_create(&path, property).unwrap();
    assert_eq!(loaded, keys);
    assert_eq!(loaded.current_epoch(), 3);
    assert_eq!(loaded.min_epoch(), 3);
    assert_eq!(loaded.epochs().collect::<Vec<_>>(), [1, 2, 3]);
    assert_eq!(loaded.lock_config().min_key_epoch, 3);
    // Epoch 1 cards still open (and the locks refuse them).
    assert_eq!(
        card::open(&old_image, &uid_a(), &loaded).unwrap().key_epoch,
        1
    );

    // The file holds hex keys, as documented.
    let text = std::fs::read_to_string(&path).unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(json["property_id"], property.to_string());
    assert_eq!(json["current_epoch"], 3);
    assert_eq!(
        json["epochs"]["3"]["staff"],
        hex_of(&keys.master_keys(3).unwrap().staff)[1]
    );
}

#[cfg(unix)]
#[test]
fn a_damaged_key_file_is_refused_without_quoting_keys() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("keys.json");
    let property = Uuid::new_v4();
    let keys = KeyRing::load_or_create(&path, property).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    let guest_hex = hex_of(&keys.master_keys(1).unwrap().guest)[1].clone();

    let damage = |text: String| {
        std::fs::write(&path, text).unwrap();
        chmod(&path, 0o600);
        let error = KeyRing::load_or_create(&path, property).unwrap_err();
        assert!(matches!(error, KeyError::Corrupt { .. }), "{error:?}");
        let message = error.to_string();
        assert!(message.contains(&path.display().to_string()), "{message}");
        assert_no_key(&message, &keys);
        message
    };
    // A key where a number belongs: serde would quote it; we do not.
    damage(text.replacen(
        "\"current_epoch\": 1",
        &format!("\"current_epoch\": \"{guest_hex}\""),
        1,
    ));
    damage(text.replacen(&guest_hex, &guest_hex[..62], 1));
    damage(text.replacen(&guest_hex, &format!("{}zz", &guest_hex[..62]), 1));
    damage(text.replacen("\"current_epoch\": 1", "\"current_epoch\": 2", 1));
    damage(text.replacen("\"min_epoch\": 1", "\"min_epoch\": 2", 1));
    damage("not json".into());
}
