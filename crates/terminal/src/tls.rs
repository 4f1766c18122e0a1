//! The server's TLS identity and the terminals' pin on it. The server makes a self-signed
//! certificate at first start and keeps it beside its database; a terminal learns the
//! certificate's SHA-256 fingerprint from the pairing code and trusts exactly that
//! certificate, whatever name or address it is reached by.

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use sha2::{Digest, Sha256};

use crate::Error;

/// The name the terminals ask for; the pin, not the name, decides.
pub const SERVER_NAME: &str = "frontdesk-property-server";

/// The SHA-256 of a certificate (DER).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Fingerprint(pub [u8; 32]);

impl Fingerprint {
    pub fn of(certificate: &[u8]) -> Self {
        Self(Sha256::digest(certificate).into())
    }
}

impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&crate::call::to_hex(&self.0))
    }
}

impl fmt::Debug for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Fingerprint({self})")
    }
}

impl FromStr for Fingerprint {
    type Err = ();

    fn from_str(text: &str) -> Result<Self, ()> {
        let bytes = crate::call::from_hex(text).ok_or(())?;
        Ok(Self(bytes.try_into().map_err(|_| ())?))
    }
}

/// The server's certificate and private key.
#[derive(Debug)]
pub struct ServerIdentity {
    certificate: CertificateDer<'static>,
    key: PrivateKeyDer<'static>,
}

/// Where a server keeps its identity: beside its database.
pub fn identity_file(db: &Path) -> PathBuf {
    frontdesk::setup::beside(db, ".terminals-tls.pem")
}

impl ServerIdentity {
    /// Reads the identity at `path`, or makes one there (readable only by this user).
    pub fn load_or_create(path: &Path) -> Result<Self, Error> {
        let files = |detail: String| Error::Files {
            what: format!("the terminals' TLS identity {}", path.display()),
            detail,
        };
        match std::fs::read(path) {
            Ok(pem) => {
                let certificate = CertificateDer::from_pem_slice(&pem)
                    .map_err(|error| files(format!("no certificate in it: {error}")))?;
                let key = PrivateKeyDer::from_pem_slice(&pem)
                    .map_err(|error| files(format!("no private key in it: {error}")))?;
                Ok(Self { certificate, key })
            }
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                let made = rcgen::generate_simple_self_signed(vec![SERVER_NAME.to_owned()])
                    .map_err(|error| files(format!("cannot make a certificate: {error}")))?;
                let pem = format!("{}{}", made.cert.pem(), made.signing_key.serialize_pem());
                write_private(path, pem.as_bytes()).map_err(|error| files(error.to_string()))?;
                Self::load_or_create(path)
            }
            Err(error) => Err(files(error.to_string())),
        }
    }

    pub fn fingerprint(&self) -> Fingerprint {
        Fingerprint::of(&self.certificate)
    }

    /// TLS 1.3 with this identity, no client certificates (terminals prove themselves with
    /// their credential inside the channel).
    pub fn server_config(&self) -> Result<Arc<rustls::ServerConfig>, Error> {
        let config = rustls::ServerConfig::builder_with_provider(provider())
            .with_protocol_versions(&[&rustls::version::TLS13])
            .and_then(|builder| {
                builder
                    .with_no_client_auth()
                    .with_single_cert(vec![self.certificate.clone()], self.key.clone_key())
            })
            .map_err(|error| Error::Tls(error.to_string()))?;
        Ok(Arc::new(config))
    }
}

/// A terminal's TLS: TLS 1.3, trusting only the certificate with this fingerprint.
pub fn client_config(pinned: Fingerprint) -> Result<Arc<rustls::ClientConfig>, Error> {
    let provider = provider();
    let verifier = PinnedServer {
        pinned,
        algorithms: provider.signature_verification_algorithms,
    };
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13])
        .map_err(|error| Error::Tls(error.to_string()))?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    Ok(Arc::new(config))
}

pub fn server_name() -> ServerName<'static> {
    ServerName::DnsName(
        rustls::pki_types::DnsName::try_from(SERVER_NAME)
            .expect("SERVER_NAME is a DNS name")
            .to_owned(),
    )
}

/// ring's provider: it builds with a C compiler alone. rustls marks it deprecated because
/// it offers no post-quantum key exchange; terminal traffic stays on the property's LAN.
#[allow(deprecated)]
fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// Accepts exactly the pinned certificate; the handshake's signatures are still checked
/// against it, so only the holder of its private key passes.
#[derive(Debug)]
struct PinnedServer {
    pinned: Fingerprint,
    algorithms: WebPkiSupportedAlgorithms,
}

impl ServerCertVerifier for PinnedServer {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if Fingerprint::of(end_entity) == self.pinned {
            Ok(ServerCertVerified::assertion())
        } else {
            Err(rustls::Error::InvalidCertificate(
                rustls::CertificateError::ApplicationVerificationFailure,
            ))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        certificate: &CertificateDer<'_>,
        signature: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, certificate, signature, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        certificate: &CertificateDer<'_>,
        signature: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, certificate, signature, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

/// Writes a new file that only this user can read.
pub fn write_private(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    std::io::Write::write_all(&mut file, contents)?;
    file.sync_all()
}
