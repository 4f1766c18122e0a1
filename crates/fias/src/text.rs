//! The link's character set: the bytes of a record above 0x7F are in the code page the PMS is
//! set up with, Latin-1 (as Windows writes it) unless the property says otherwise.

use encoding_rs::Encoding;

/// A character set, by any label the WHATWG Encoding Standard knows (`latin1`,
/// `windows-1252`, `iso-8859-2`, `utf-8`…).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Charset(&'static Encoding);

impl Charset {
    pub const LATIN_1: Self = Self(encoding_rs::WINDOWS_1252);
    pub const UTF_8: Self = Self(encoding_rs::UTF_8);

    /// The character set a label names; `None` for a label no standard names.
    pub fn from_label(label: &str) -> Option<Self> {
        Encoding::for_label(label.trim().as_bytes()).map(Self)
    }

    pub fn name(&self) -> &'static str {
        self.0.name()
    }

    /// A record's text from its bytes; a byte sequence the set cannot read becomes U+FFFD.
    pub fn decode(&self, bytes: &[u8]) -> String {
        self.0.decode_without_bom_handling(bytes).0.into_owned()
    }

    /// A record's bytes from its text; a character the set cannot write becomes `?`.
    pub fn encode(&self, text: &str) -> Vec<u8> {
        if self.0 == encoding_rs::UTF_8 {
            return text.as_bytes().to_vec();
        }
        // encoding_rs writes an unmappable character as an HTML entity (`&#8364;`), which
        // would carry `&`, `#` and `;` into a PMS's field: write `?` instead.
        let mut encoder = self.0.new_encoder();
        let mut out = Vec::with_capacity(text.len());
        let mut buffer = [0u8; 4];
        for c in text.chars() {
            let piece = c.encode_utf8(&mut buffer);
            let mut written = [0u8; 8];
            let (result, _, wrote) =
                encoder.encode_from_utf8_without_replacement(piece, &mut written, false);
            match result {
                encoding_rs::EncoderResult::InputEmpty => out.extend_from_slice(&written[..wrote]),
                _ => out.push(b'?'),
            }
        }
        out
    }
}

impl Default for Charset {
    fn default() -> Self {
        Self::LATIN_1
    }
}
