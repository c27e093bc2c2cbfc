//! The rustls client configuration of a source's TLS settings, and the
//! failures of a handshake told apart.
//!
//! The certificate checks are rustls' own `WebPkiServerVerifier`; what is
//! written here is only what libpq's modes need on top of it, which no
//! crate offers: `require` without a CA checks nothing but the handshake's
//! signatures, and `verify-ca` checks the chain but not the host name. The
//! CA, certificate and key files are the client's own (like an SSH key),
//! read on this machine whatever the target.

use std::error::Error as StdError;
use std::io::Read;
use std::path::Path;
use std::sync::Arc;

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{
    AlertDescription, CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore,
    SignatureScheme,
};

use super::{Ca, TlsFailure, TlsMode, TlsSettings};
use crate::schema::error::SchemaError;
use crate::schema::source::Engine;

/// The largest CA, certificate or key file read.
const MAX_PEM: u64 = 4 * 1024 * 1024;

/// A client configuration and the name the server's certificate must
/// hold (the URL's host, not a tunnel's local address).
#[derive(Debug, Clone)]
pub(crate) struct Client {
    pub config: Arc<ClientConfig>,
    pub server_name: ServerName<'static>,
}

/// The *ring* provider: rustls deprecated it in 0.23.48 for lacking
/// post-quantum key exchange, but its alternative (aws-lc-rs) builds a
/// large C library with CMake, and what drift reads (a schema) is not
/// worth recording for later decryption.
fn provider() -> Arc<CryptoProvider> {
    #[allow(deprecated)]
    Arc::new(rustls::crypto::ring::default_provider())
}

fn file_error(shown: &str, message: String) -> SchemaError {
    SchemaError::Tls {
        source_name: shown.to_owned(),
        failure: TlsFailure::CertificateFile,
        message,
    }
}

fn read_pem(path: &Path, what: &str, shown: &str) -> Result<Vec<u8>, SchemaError> {
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_PEM + 1).read_to_end(&mut bytes))
        .map_err(|e| {
            file_error(
                shown,
                format!("cannot read the {what} `{}`: {e}", path.display()),
            )
        })?;
    if bytes.len() as u64 > MAX_PEM {
        return Err(file_error(
            shown,
            format!(
                "the {what} `{}` is larger than {MAX_PEM} bytes",
                path.display()
            ),
        ));
    }
    Ok(bytes)
}

fn certs(
    bytes: &[u8],
    path: &Path,
    what: &str,
    shown: &str,
) -> Result<Vec<CertificateDer<'static>>, SchemaError> {
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(bytes)
        .collect::<Result<_, _>>()
        .map_err(|e| {
            file_error(
                shown,
                format!("the {what} `{}` is not PEM: {e}", path.display()),
            )
        })?;
    if certs.is_empty() {
        return Err(file_error(
            shown,
            format!(
                "the {what} `{}` holds no certificate (PEM `BEGIN CERTIFICATE`)",
                path.display()
            ),
        ));
    }
    Ok(certs)
}

fn roots(ca: Option<&Ca>, shown: &str) -> Result<RootCertStore, SchemaError> {
    let mut store = RootCertStore::empty();
    match ca {
        Some(Ca::File(path)) => {
            let bytes = read_pem(path, "CA file", shown)?;
            for c in certs(&bytes, path, "CA file", shown)? {
                store.add(c).map_err(|e| {
                    file_error(
                        shown,
                        format!("a certificate of the CA file `{}`: {e}", path.display()),
                    )
                })?;
            }
        }
        Some(Ca::System) | None => {
            let found = rustls_native_certs::load_native_certs();
            store.add_parsable_certificates(found.certs);
            if store.is_empty() {
                return Err(file_error(
                    shown,
                    "no system root certificates were found (install ca-certificates, or \
                     give the server's CA as a file)"
                        .to_owned(),
                ));
            }
        }
    }
    Ok(store)
}

/// Builds the client of `tls` for `host` (the URL's host).
pub(crate) fn client(
    tls: &TlsSettings,
    engine: Engine,
    host: &str,
    shown: &str,
) -> Result<Client, SchemaError> {
    // Checked when the source was made, and again here for embedders
    // that set the mode afterwards.
    tls.validate(engine)
        .map_err(|message| SchemaError::BadUrl {
            url: shown.to_owned(),
            message,
        })?;
    let provider = provider();
    let algorithms = provider.signature_verification_algorithms;
    let verifier: Arc<dyn ServerCertVerifier> = if tls.checks_chain() {
        let store = Arc::new(roots(tls.ca.as_ref(), shown)?);
        let webpki = WebPkiServerVerifier::builder_with_provider(store, provider.clone())
            .build()
            .map_err(|e| file_error(shown, format!("the CA: {e}")))?;
        if tls.effective_mode() == TlsMode::VerifyFull {
            webpki
        } else {
            Arc::new(Lenient {
                chain: Some(webpki),
                algorithms,
            })
        }
    } else {
        Arc::new(Lenient {
            chain: None,
            algorithms,
        })
    };
    let builder = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| file_error(shown, format!("TLS versions: {e}")))?
        .dangerous()
        .with_custom_certificate_verifier(verifier);
    let mut config = match (&tls.cert, &tls.key) {
        (Some(cert), Some(key)) => {
            let (cert_name, key_name) = match engine {
                Engine::Mysql => ("client certificate (`ssl-cert`)", "client key (`ssl-key`)"),
                _ => ("client certificate (`sslcert`)", "client key (`sslkey`)"),
            };
            let chain = certs(&read_pem(cert, cert_name, shown)?, cert, cert_name, shown)?;
            let key_bytes = read_pem(key, key_name, shown)?;
            let key_der = PrivateKeyDer::from_pem_slice(&key_bytes).map_err(|_| {
                file_error(
                    shown,
                    format!(
                        "the {key_name} `{}` holds no unencrypted private key (PEM)",
                        key.display()
                    ),
                )
            })?;
            builder
                .with_client_auth_cert(chain, key_der)
                .map_err(|e| file_error(shown, format!("the {cert_name} and its key: {e}")))?
        }
        _ => builder.with_no_client_auth(),
    };
    config.enable_sni = !tls.no_sni;
    let server_name = ServerName::try_from(host.trim_start_matches('[').trim_end_matches(']'))
        .map_err(|_| SchemaError::BadUrl {
            url: shown.to_owned(),
            message: "the host is neither a DNS name nor an IP address, so TLS cannot check it"
                .to_owned(),
        })?
        .to_owned();
    Ok(Client {
        config: Arc::new(config),
        server_name,
    })
}

/// What libpq's weaker modes check, which rustls' own verifier cannot be
/// told to: `verify-ca` (or a weaker mode given a CA) the chain but not the
/// host name; `require` without a CA no certificate at all. The handshake's
/// signatures are verified either way, with the provider's algorithms (as
/// `WebPkiServerVerifier` verifies them).
#[derive(Debug)]
struct Lenient {
    /// The chain's verifier; `None` checks no certificate.
    chain: Option<Arc<WebPkiServerVerifier>>,
    algorithms: WebPkiSupportedAlgorithms,
}

impl ServerCertVerifier for Lenient {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let Some(webpki) = &self.chain else {
            return Ok(ServerCertVerified::assertion());
        };
        // The name is checked last, after the chain: only a certificate
        // whose chain holds gets this far.
        match webpki.verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
        {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

/// The rustls error somewhere in `e`'s chain (through `io::Error`s, whose
/// `source` skips the error they hold).
pub(crate) fn find_rustls<'a>(e: &'a (dyn StdError + 'static)) -> Option<&'a rustls::Error> {
    let mut cur = Some(e);
    while let Some(x) = cur {
        if let Some(r) = x.downcast_ref::<rustls::Error>() {
            return Some(r);
        }
        if let Some(io) = x.downcast_ref::<std::io::Error>()
            && let Some(inner) = io.get_ref()
            && let Some(r) = find_rustls(inner)
        {
            return Some(r);
        }
        cur = x.source();
    }
    None
}

/// The error of a failed handshake: which check failed, and what to do.
/// `host` is the URL's host; `ca_param` names the CA setting in the
/// engine's words.
pub(crate) fn handshake_error(
    e: &rustls::Error,
    engine: Engine,
    host: &str,
    shown: &str,
) -> SchemaError {
    let (ca, cert) = match engine {
        Engine::Mysql => ("ssl-ca", "ssl-cert` and `ssl-key"),
        _ => ("sslrootcert", "sslcert` and `sslkey"),
    };
    let (failure, message) = match e {
        rustls::Error::InvalidCertificate(c) => match c {
            CertificateError::UnknownIssuer => (
                TlsFailure::UnknownCa,
                format!(
                    "the server's certificate is not signed by a trusted certificate authority; \
                     give the server's CA file with `{ca}` (`tls_ca` in drift.toml)"
                ),
            ),
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
                (
                    TlsFailure::WrongHostName,
                    format!(
                        "the server's certificate is not valid for the host name `{host}`; connect \
                     by a name the certificate holds, or use {} to check the chain only",
                        TlsMode::VerifyCa.param(engine)
                    ),
                )
            }
            CertificateError::Expired | CertificateError::ExpiredContext { .. } => (
                TlsFailure::Expired,
                "the server's certificate has expired; the server needs a new one".to_owned(),
            ),
            CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => (
                TlsFailure::NotYetValid,
                "the server's certificate is not valid yet; check the clocks".to_owned(),
            ),
            other => (
                TlsFailure::BadCertificate,
                format!("the server's certificate was refused: {other:?}"),
            ),
        },
        rustls::Error::AlertReceived(
            a @ (AlertDescription::CertificateRequired
            | AlertDescription::BadCertificate
            | AlertDescription::UnknownCA
            | AlertDescription::CertificateUnknown
            | AlertDescription::CertificateExpired
            | AlertDescription::AccessDenied),
        ) => (
            TlsFailure::ClientCertificateRefused,
            format!(
                "the server refused the client certificate ({a:?}); give one it trusts with \
                 `{cert}` (`tls_cert` and `tls_key` in drift.toml)"
            ),
        ),
        other => (TlsFailure::Handshake, format!("{other}")),
    };
    SchemaError::Tls {
        source_name: shown.to_owned(),
        failure,
        message,
    }
}

/// The error of a server that offers no TLS: under a mode that requires
/// it, or under `prefer` with a password that may not go in cleartext.
pub(crate) fn without_tls_error(mode: TlsMode, engine: Engine, shown: &str) -> SchemaError {
    let (failure, message) = if mode == TlsMode::Prefer {
        (
            TlsFailure::PlaintextRefused,
            format!(
                "the server does not offer TLS, and drift sends a password without TLS only to \
                 this machine or through an SSH tunnel; switch TLS on at the server, reach it \
                 through an SSH host (`via`), or write {} to send it in cleartext on a network \
                 you trust",
                TlsMode::Disable.param(engine)
            ),
        )
    } else {
        (
            TlsFailure::ServerWithoutTls,
            format!(
                "the server does not offer TLS, and {} requires it; switch TLS on at the server",
                mode.param(engine)
            ),
        )
    };
    SchemaError::Tls {
        source_name: shown.to_owned(),
        failure,
        message,
    }
}
