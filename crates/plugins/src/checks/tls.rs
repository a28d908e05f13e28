//! TLS for the checks (rustls with the ring provider and the system's trust
//! roots). The handshake always completes when the peer speaks TLS and proves
//! it holds its certificate's key: the chain-of-trust verdict (expired,
//! unknown issuer, wrong name) is recorded rather than aborting, so that a
//! check can say *why* a certificate is bad, report how many days it has
//! left, or go on regardless under `--no-check-certificate`. Callers that
//! verify refuse to use the connection when the verdict is an error.

use std::io;
use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{
    ClientConfig, ClientConnection, DigitallySignedStruct, RootCertStore, SignatureScheme,
};

use super::der;
use super::net::Timed;

/// A TLS stream over a deadline-bounded TCP stream.
pub type TlsStream = rustls::StreamOwned<ClientConnection, Timed>;

/// The system trust roots, read once per process and shared by every check.
fn system_roots() -> Arc<RootCertStore> {
    static ROOTS: OnceLock<Arc<RootCertStore>> = OnceLock::new();
    ROOTS
        .get_or_init(|| {
            let mut store = RootCertStore::empty();
            // Unreadable files among the roots are skipped: a check against
            // a server whose issuer is missing then says "UnknownIssuer".
            let found = rustls_native_certs::load_native_certs();
            store.add_parsable_certificates(found.certs);
            Arc::new(store)
        })
        .clone()
}

fn provider() -> Arc<CryptoProvider> {
    static PROVIDER: OnceLock<Arc<CryptoProvider>> = OnceLock::new();
    PROVIDER
        .get_or_init(|| Arc::new(rustls::crypto::ring::default_provider()))
        .clone()
}

/// What a check trusts: the system roots, plus a CA file's certificates
/// when given (`--ca-file`, PEM).
#[derive(Debug, Clone)]
pub struct Trust {
    roots: Arc<RootCertStore>,
}

impl Trust {
    /// The system roots plus those in `ca_file`; the error names the file.
    pub fn new(ca_file: Option<&Path>) -> Result<Trust, String> {
        let Some(path) = ca_file else {
            return Ok(Trust {
                roots: system_roots(),
            });
        };
        let mut store = (*system_roots()).clone();
        let mut added = 0;
        let certs =
            CertificateDer::pem_file_iter(path).map_err(|e| format!("{}: {e}", path.display()))?;
        for c in certs {
            let c = c.map_err(|e| format!("{}: {e}", path.display()))?;
            store
                .add(c)
                .map_err(|e| format!("{}: {e}", path.display()))?;
            added += 1;
        }
        if added == 0 {
            return Err(format!("{}: no PEM certificates", path.display()));
        }
        Ok(Trust {
            roots: Arc::new(store),
        })
    }
}

/// The outcome of a completed handshake.
pub struct Handshake {
    pub stream: TlsStream,
    /// The peer's chain as sent, leaf first.
    pub chain: Vec<CertificateDer<'static>>,
    /// Whether the chain is trusted for the name (expired, unknown issuer,
    /// name mismatch are errors here).
    pub verdict: Result<(), rustls::Error>,
    /// The handshake's duration.
    pub took: Duration,
}

impl Handshake {
    /// The leaf certificate's validity period.
    pub fn validity(&self) -> Result<der::Validity, String> {
        let leaf = self
            .chain
            .first()
            .ok_or_else(|| "the server sent no certificate".to_string())?;
        der::validity(leaf).map_err(|e| e.to_string())
    }
}

/// A verifier that asks rustls' WebPKI verifier for its verdict, records it
/// and the chain, and lets the handshake continue (signatures on the
/// handshake itself are still checked, so the peer must hold the key).
#[derive(Debug)]
struct Recording {
    inner: Result<Arc<WebPkiServerVerifier>, String>,
    provider: Arc<CryptoProvider>,
    seen: Mutex<Option<Seen>>,
}

/// The chain a server sent and the verdict on it.
type Seen = (Vec<CertificateDer<'static>>, Result<(), rustls::Error>);

impl ServerCertVerifier for Recording {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let verdict = match &self.inner {
            Ok(v) => v
                .verify_server_cert(end_entity, intermediates, server_name, ocsp, now)
                .map(|_| ()),
            Err(e) => Err(rustls::Error::General(e.clone())),
        };
        let chain = std::iter::once(end_entity)
            .chain(intermediates)
            .map(|c| c.clone().into_owned())
            .collect();
        if let Ok(mut s) = self.seen.lock() {
            *s = Some((chain, verdict));
        }
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// Runs a TLS handshake with `server_name` (a DNS name or an IP address)
/// over `tcp`; an error is a failure to speak TLS at all (refused, reset,
/// timed out, alert, bad handshake signature), with the reason.
pub fn handshake(trust: &Trust, mut tcp: Timed, server_name: &str) -> io::Result<Handshake> {
    let provider = provider();
    let inner = WebPkiServerVerifier::builder_with_provider(trust.roots.clone(), provider.clone())
        .build()
        .map_err(|e| format!("no usable trust roots: {e}"));
    let recording = Arc::new(Recording {
        inner,
        provider: provider.clone(),
        seen: Mutex::new(None),
    });
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(io::Error::other)?
        .dangerous()
        .with_custom_certificate_verifier(recording.clone())
        .with_no_client_auth();
    let bare = server_name.trim_start_matches('[').trim_end_matches(']');
    let name = ServerName::try_from(bare.to_string()).map_err(|e| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{bare:?} is not a valid TLS server name: {e}"),
        )
    })?;
    let mut conn = ClientConnection::new(Arc::new(config), name).map_err(io::Error::other)?;
    let start = Instant::now();
    while conn.is_handshaking() {
        conn.complete_io(&mut tcp)
            .map_err(|e| io::Error::new(e.kind(), format!("TLS handshake: {e}")))?;
    }
    let took = start.elapsed();
    let seen = recording.seen.lock().ok().and_then(|mut s| s.take());
    let (chain, verdict) = seen.unwrap_or_else(|| {
        (
            Vec::new(),
            Err(rustls::Error::General(
                "the server sent no certificate".into(),
            )),
        )
    });
    Ok(Handshake {
        stream: rustls::StreamOwned::new(conn, tcp),
        chain,
        verdict,
        took,
    })
}

/// Whole days from `now` until `not_after` (negative once expired), rounded
/// down as go-check-plugins counts them.
pub fn days_left(not_after: i64, now: i64) -> i64 {
    (not_after - now).div_euclid(86_400)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_round_down() {
        assert_eq!(days_left(86_400 * 10, 0), 10);
        assert_eq!(days_left(86_400 * 10 - 1, 0), 9);
        assert_eq!(days_left(0, 1), -1);
    }

    #[test]
    fn a_missing_ca_file_is_named() {
        let e = Trust::new(Some(Path::new("/nonexistent/ca.pem"))).expect_err("missing");
        assert!(e.contains("/nonexistent/ca.pem"), "{e}");
    }
}
