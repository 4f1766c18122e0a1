//! The pairing code: one word the IT person copies from the server to a new terminal. It
//! carries where the server is, which certificate to trust and a one-time secret:
//! `frontdesk-pair://192.168.1.10:8788/<fingerprint>/<secret>`.

use std::fmt;
use std::str::FromStr;

use crate::tls::Fingerprint;

const SCHEME: &str = "frontdesk-pair://";

#[derive(Clone, PartialEq, Eq)]
pub struct PairingCode {
    /// `host:port`, as the terminal will dial it.
    pub address: String,
    pub fingerprint: Fingerprint,
    pub secret: String,
}

impl fmt::Debug for PairingCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The secret stays out of logs.
        f.debug_struct("PairingCode")
            .field("address", &self.address)
            .field("fingerprint", &self.fingerprint)
            .finish_non_exhaustive()
    }
}

impl fmt::Display for PairingCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{SCHEME}{}/{}/{}",
            self.address, self.fingerprint, self.secret
        )
    }
}

impl FromStr for PairingCode {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let malformed = |what: &str| {
            format!(
                "the pairing code is not whole ({what}): copy the last word `frontdesk \
                 terminals pair` printed, starting with {SCHEME}"
            )
        };
        let rest = text
            .trim()
            .strip_prefix(SCHEME)
            .ok_or_else(|| malformed("it does not start as one"))?;
        let mut parts = rest.rsplitn(3, '/');
        let secret = parts.next().unwrap_or_default();
        let fingerprint = parts.next().unwrap_or_default();
        let address = parts.next().unwrap_or_default();
        if address.is_empty() || !address.contains(':') {
            return Err(malformed("no server address"));
        }
        let fingerprint = fingerprint
            .parse()
            .map_err(|()| malformed("no certificate fingerprint"))?;
        if secret.len() != 64 || !secret.bytes().all(|byte| byte.is_ascii_hexdigit()) {
            return Err(malformed("no secret"));
        }
        Ok(Self {
            address: address.to_owned(),
            fingerprint,
            secret: secret.to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code() -> PairingCode {
        PairingCode {
            address: "192.168.1.10:8788".into(),
            fingerprint: Fingerprint([0xab; 32]),
            secret: "0f".repeat(32),
        }
    }

    #[test]
    fn a_code_reads_back_as_written() {
        let text = code().to_string();
        assert!(text.starts_with("frontdesk-pair://192.168.1.10:8788/abab"));
        assert_eq!(text.parse::<PairingCode>(), Ok(code()));
        let v6 = PairingCode {
            address: "[fe80::1]:8788".into(),
            ..code()
        };
        assert_eq!(v6.to_string().parse::<PairingCode>(), Ok(v6));
    }

    #[test]
    fn a_cut_or_altered_code_is_refused_in_words() {
        let text = code().to_string();
        for bad in [
            "",
            "pair://x",
            &text[..text.len() - 1],
            &text.replace("abab", "zz"),
            &text.replace("192.168.1.10:8788", ""),
        ] {
            let error = bad.parse::<PairingCode>().expect_err(bad);
            assert!(error.contains("pairing code"), "{error}");
        }
    }

    #[test]
    fn the_secret_stays_out_of_debug_output() {
        assert!(!format!("{:?}", code()).contains(&"0f".repeat(32)));
    }
}
