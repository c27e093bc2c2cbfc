//! The TLS servers of the schema tests (started by scripts/ci-db-setup,
//! see scripts/ci-db-tls-setup), and fake servers on loopback for what a
//! real server cannot show at once: one without TLS, one with an expired
//! certificate.

#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use drift_collectors::schema::{SchemaCollector, SchemaSource};
use drift_core::Collection;

/// The folder of the test CA and certificates.
pub fn tls_dir() -> PathBuf {
    let dir = PathBuf::from(
        std::env::var("DRIFT_TEST_TLS_DIR").unwrap_or_else(|_| "/tmp/drift-test-tls".to_owned()),
    );
    assert!(
        dir.join("ca.crt").is_file(),
        "no test CA in {}: run scripts/ci-db-setup",
        dir.display()
    );
    dir
}

/// A file of the TLS folder, as a URL parameter value.
pub fn tls_file(name: &str) -> String {
    tls_dir().join(name).display().to_string()
}

fn port(var: &str, default: u16) -> u16 {
    std::env::var(var)
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(default)
}

/// The port of the PostgreSQL cluster with TLS.
pub fn pg_tls_port() -> u16 {
    port("DRIFT_TEST_PG_TLS_PORT", 55433)
}

/// The port of the MariaDB instance with TLS.
pub fn mysql_tls_port() -> u16 {
    port("DRIFT_TEST_MYSQL_TLS_PORT", 33307)
}

/// Collects one URL through `transport`.
pub fn collect_url_with(
    url: &str,
    transport: &dyn drift_collectors::transport::Transport,
) -> Collection {
    use drift_collectors::Collector;
    SchemaCollector::new(vec![SchemaSource::url(url).expect("a URL")]).collect(transport)
}

/// Collects one URL locally.
pub fn collect_url(url: &str) -> Collection {
    collect_url_with(url, &drift_collectors::transport::Local::new())
}

/// The one error of a collection, as text (panics on none or several).
pub fn only_error(c: &Collection) -> String {
    assert_eq!(c.errors.len(), 1, "{:#?}", c.errors);
    c.errors[0].message.clone()
}

/// Asserts that the collection read the database: no error, and the
/// server's version recorded.
pub fn assert_read(c: &Collection) {
    assert!(c.errors.is_empty(), "{:#?}", c.errors);
    assert!(
        c.entries
            .iter()
            .any(|(k, _)| k.as_str().ends_with("server:version")),
        "no server version in {} entries",
        c.entries.len()
    );
}

/// What a fake server saw.
#[derive(Debug, Default)]
pub struct Seen {
    /// Connections accepted.
    pub connections: AtomicUsize,
    /// What was received after the protocol's TLS request, per connection.
    pub after_request: Mutex<Vec<Vec<u8>>>,
}

/// A fake database server on a loopback port, serving up to `max`
/// connections in a thread, each for at most a few seconds.
pub struct Fake {
    pub port: u16,
    pub seen: Arc<Seen>,
}

/// What a fake server does after the TLS request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answer {
    /// No TLS.
    Refuse,
    /// TLS with the expired certificate.
    Expired,
}

/// The protocol spoken.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Protocol {
    Postgres,
    Mysql,
}

fn server_config() -> Arc<rustls::ServerConfig> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let dir = tls_dir();
    let certs: Vec<CertificateDer<'static>> =
        CertificateDer::pem_file_iter(dir.join("expired.crt"))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
    let key = PrivateKeyDer::from_pem_file(dir.join("server.key")).unwrap();
    let provider = Arc::new(
        #[allow(deprecated)]
        rustls::crypto::ring::default_provider(),
    );
    Arc::new(
        rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(certs, key)
            .unwrap(),
    )
}

/// A MySQL protocol 10 greeting, offering TLS or not.
fn mysql_greeting(tls: bool) -> Vec<u8> {
    let mut caps: u32 = 0x0000_0001 // LONG_PASSWORD
        | 0x0000_0004 // LONG_FLAG
        | 0x0000_0200 // PROTOCOL_41
        | 0x0000_2000 // TRANSACTIONS
        | 0x0000_8000 // SECURE_CONNECTION
        | 0x0001_0000 // MULTI_STATEMENTS
        | 0x0002_0000 // MULTI_RESULTS
        | 0x0008_0000; // PLUGIN_AUTH
    if tls {
        caps |= 0x0000_0800; // SSL
    }
    let mut p = vec![10u8];
    p.extend_from_slice(b"8.0.0-fake\0");
    p.extend_from_slice(&7u32.to_le_bytes());
    p.extend_from_slice(b"abcdefgh");
    p.push(0);
    p.extend_from_slice(&(caps as u16).to_le_bytes());
    p.push(0x21);
    p.extend_from_slice(&2u16.to_le_bytes());
    p.extend_from_slice(&((caps >> 16) as u16).to_le_bytes());
    p.push(21);
    p.extend_from_slice(&[0u8; 10]);
    p.extend_from_slice(b"ijklmnopqrst\0");
    p.extend_from_slice(b"mysql_native_password\0");
    let mut out = (p.len() as u32).to_le_bytes()[..3].to_vec();
    out.push(0);
    out.extend_from_slice(&p);
    out
}

fn serve(mut s: TcpStream, protocol: Protocol, answer: Answer, seen: &Seen) {
    let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
    let _ = s.set_write_timeout(Some(Duration::from_secs(5)));
    // The client's TLS request: PostgreSQL's SSLRequest (8 bytes), or the
    // greeting and MySQL's SSL request packet (4 + 32 bytes).
    let request = match protocol {
        Protocol::Postgres => 8,
        Protocol::Mysql => {
            if s.write_all(&mysql_greeting(answer != Answer::Refuse))
                .is_err()
            {
                return;
            }
            if answer == Answer::Refuse { 0 } else { 36 }
        }
    };
    let mut buf = vec![0u8; request];
    if s.read_exact(&mut buf).is_err() {
        return;
    }
    match answer {
        Answer::Refuse => {
            if protocol == Protocol::Postgres && s.write_all(b"N").is_err() {
                return;
            }
            // Whatever comes next (a startup message, a password) is
            // counted, never answered.
            let mut rest = Vec::new();
            let _ = s.read_to_end(&mut rest);
            seen.after_request.lock().unwrap().push(rest);
        }
        Answer::Expired => {
            if protocol == Protocol::Postgres && s.write_all(b"S").is_err() {
                return;
            }
            let mut conn = rustls::ServerConnection::new(server_config()).unwrap();
            while conn.is_handshaking() {
                if conn.complete_io(&mut s).is_err() {
                    break;
                }
            }
            seen.after_request.lock().unwrap().push(Vec::new());
        }
    }
}

impl Fake {
    /// Starts a fake server for up to `max` connections.
    pub fn start(protocol: Protocol, answer: Answer, max: usize) -> Fake {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let seen = Arc::new(Seen::default());
        let s2 = seen.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().take(max) {
                let Ok(stream) = stream else { break };
                s2.connections.fetch_add(1, Ordering::SeqCst);
                serve(stream, protocol, answer, &s2);
            }
        });
        Fake { port, seen }
    }

    /// What came after the TLS request on each of the first `n`
    /// connections, once the server has seen them close (up to 10 s).
    pub fn after_request(&self, n: usize) -> Vec<Vec<u8>> {
        for _ in 0..200 {
            let seen = self.seen.after_request.lock().unwrap().clone();
            if seen.len() >= n {
                return seen;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        self.seen.after_request.lock().unwrap().clone()
    }

    /// Connections accepted so far.
    pub fn connections(&self) -> usize {
        self.seen.connections.load(Ordering::SeqCst)
    }
}
