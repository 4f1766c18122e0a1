//! Names with accents travel in the PMS's code page both ways.

use fias::text::Charset;

#[test]
fn latin_1_is_the_default_and_reads_and_writes_accents() {
    let charset = Charset::default();
    assert_eq!(charset.decode(b"GNM\xfcller, J\xf6rg"), "GNMüller, Jörg");
    assert_eq!(charset.encode("Müller €"), b"M\xfcller \x80");
    // What Latin-1 cannot write becomes one question mark, not an HTML entity.
    assert_eq!(charset.encode("Łódź 東"), b"?\xf3d? ?");
}

#[test]
fn utf_8_on_request_and_unknown_labels_refused() {
    let utf8 = Charset::from_label("UTF-8").unwrap();
    assert_eq!(utf8.decode("Łódź".as_bytes()), "Łódź");
    assert_eq!(utf8.encode("Łódź"), "Łódź".as_bytes());
    assert_eq!(utf8.decode(b"M\xfcller"), "M\u{fffd}ller");
    assert_eq!(Charset::from_label("latin1"), Some(Charset::LATIN_1));
    assert_eq!(
        Charset::from_label("iso-8859-2").unwrap().decode(b"\xa3"),
        "Ł"
    );
    assert_eq!(Charset::from_label("klingon"), None);
}
