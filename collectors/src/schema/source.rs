//! Schema sources: a live database URL or a schema file, with an optional
//! logical name and a password given apart from the URL.

use std::fmt;
use std::path::PathBuf;

use super::ddl::Dialect;
use super::error::SchemaError;
use super::tls::{Ca, TlsMode, TlsSettings};

/// A database engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Engine {
    /// PostgreSQL.
    Postgres,
    /// MySQL or MariaDB.
    Mysql,
    /// SQLite.
    Sqlite,
}

impl Engine {
    /// The engine's name, the default label of its keys.
    pub fn as_str(self) -> &'static str {
        match self {
            Engine::Postgres => "postgres",
            Engine::Mysql => "mysql",
            Engine::Sqlite => "sqlite",
        }
    }
}

impl From<Dialect> for Engine {
    fn from(d: Dialect) -> Engine {
        match d {
            Dialect::Postgres => Engine::Postgres,
            Dialect::Mysql => Engine::Mysql,
            Dialect::Sqlite => Engine::Sqlite,
        }
    }
}

/// A password that never prints.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Password(pub String);

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("\"***\"")
    }
}

/// The parts of a server URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ServerUrl {
    pub engine: Engine,
    pub user: Option<String>,
    pub password: Option<Password>,
    pub host: String,
    pub port: u16,
    pub database: Option<String>,
    /// Query parameters other than TLS ones (`connect_timeout`), values
    /// percent-decoded.
    pub params: Vec<(String, String)>,
    /// TLS: from the URL's parameters, and the caller's settings.
    pub tls: TlsSettings,
}

/// Where a source's schema comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Origin {
    /// A database server.
    Server(ServerUrl),
    /// An SQLite database file.
    SqliteFile(PathBuf),
    /// A schema file; the dialect is detected when `None`.
    SchemaFile(PathBuf, Option<Dialect>),
}

/// One schema source: a live database (`postgres://…`, `mysql://…`,
/// `mariadb://…`, `sqlite://PATH`) or a schema file.
///
/// ```
/// use drift_collectors::schema::SchemaSource;
/// let s = SchemaSource::url("postgres://app:hunter2@db:5432/shop").unwrap();
/// assert_eq!(s.label(), "postgres");
/// assert_eq!(s.display(), "postgres://app:***@db:5432/shop");
/// assert!(!format!("{s:?}").contains("hunter2"));
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct SchemaSource {
    pub(crate) origin: Origin,
    /// The text to show (a URL with its password hidden, or a path).
    shown: String,
    name: Option<String>,
    /// The PostgreSQL schemas read (all by default).
    pub(crate) scope: super::scope::Scope,
}

impl fmt::Debug for SchemaSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SchemaSource")
            .field("source", &self.shown)
            .field("name", &self.name)
            .field("engine", &self.engine())
            .field("scope", &self.scope)
            .finish()
    }
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && let Ok(v) = u8::from_str_radix(s.get(i + 1..i + 3).unwrap_or("zz"), 16)
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

impl SchemaSource {
    /// A live database by URL. The password may be in the URL or given with
    /// [`SchemaSource::with_password`].
    pub fn url(url: &str) -> Result<SchemaSource, SchemaError> {
        let shown = shown_url(url);
        let bad = |why: &str| SchemaError::BadUrl {
            url: shown.clone(),
            message: why.to_owned(),
        };
        let (scheme, rest) = url
            .split_once("://")
            .ok_or_else(|| bad("expected SCHEME://…, e.g. postgres://user@host/db"))?;
        let engine = match scheme.to_ascii_lowercase().as_str() {
            "postgres" | "postgresql" => Engine::Postgres,
            "mysql" | "mariadb" => Engine::Mysql,
            "sqlite" | "sqlite3" => {
                let path = rest.split(['?', '#']).next().unwrap_or(rest);
                if path.is_empty() {
                    return Err(bad("expected sqlite://PATH"));
                }
                // `sqlite://u:PW@/x.db`: a user or password would be taken
                // for the path, and the path is shown in errors.
                if rest
                    .split('/')
                    .next()
                    .is_some_and(|first| first.contains('@'))
                {
                    return Err(SchemaError::BadUrl {
                        url: "sqlite://…".to_owned(),
                        message: "an sqlite:// URL takes a file path, not a user or password: \
                                  write sqlite://PATH (sqlite://./NAME for a file whose name \
                                  holds `@`)"
                            .to_owned(),
                    });
                }
                return Ok(SchemaSource {
                    origin: Origin::SqliteFile(PathBuf::from(percent_decode(path))),
                    shown,
                    name: None,
                    scope: Default::default(),
                });
            }
            _ => {
                return Err(bad(
                    "unknown scheme; use postgres://, mysql://, mariadb:// or sqlite://",
                ));
            }
        };
        let (authority, tail) = match rest.find(['/', '?']) {
            Some(p) => rest.split_at(p),
            None => (rest, ""),
        };
        let (userinfo, hostport) = match authority.rfind('@') {
            Some(p) => (Some(&authority[..p]), &authority[p + 1..]),
            None => (None, authority),
        };
        let (user, password) = match userinfo {
            Some(u) => match u.split_once(':') {
                Some((u, p)) => (Some(percent_decode(u)), Some(Password(percent_decode(p)))),
                None => (Some(percent_decode(u)), None),
            },
            None => (None, None),
        };
        let default_port = if engine == Engine::Postgres {
            5432
        } else {
            3306
        };
        let (host, port) = if let Some(h) = hostport.strip_prefix('[') {
            let (h, after) = h
                .split_once(']')
                .ok_or_else(|| bad("unclosed `[` in host"))?;
            let port = after.strip_prefix(':').map(str::parse::<u16>).transpose();
            (h.to_owned(), port.map_err(|_| bad("invalid port"))?)
        } else {
            match hostport.rsplit_once(':') {
                Some((h, p)) => (
                    h.to_owned(),
                    Some(p.parse::<u16>().map_err(|_| bad("invalid port"))?),
                ),
                None => (hostport.to_owned(), None),
            }
        };
        let host = if host.is_empty() {
            "localhost".to_owned()
        } else {
            percent_decode(&host)
        };
        let (path, query) = match tail.split_once('?') {
            Some((p, q)) => (p, q),
            None => (tail, ""),
        };
        let database = path
            .trim_start_matches('/')
            .split('#')
            .next()
            .filter(|d| !d.is_empty())
            .map(percent_decode);
        // MySQL reads one database: without one there is nothing to read.
        if engine == Engine::Mysql && database.is_none() {
            return Err(bad("name the database to read: mysql://user@host/DATABASE"));
        }
        let mut params = Vec::new();
        let mut tls = TlsSettings::default();
        for p in query.split('&').filter(|p| !p.is_empty()) {
            let (k, v) = match p.split_once('=') {
                Some((k, v)) => (percent_decode(k), percent_decode(v)),
                None => (percent_decode(p), String::new()),
            };
            if !tls.take_param(engine, &k, &v).map_err(|m| bad(&m))? {
                params.push((k, v));
            }
        }
        tls.validate(engine).map_err(|m| bad(&m))?;
        Ok(SchemaSource {
            origin: Origin::Server(ServerUrl {
                engine,
                user,
                password,
                host,
                port: port.unwrap_or(default_port),
                database,
                params,
                tls,
            }),
            shown,
            name: None,
            scope: Default::default(),
        })
    }

    /// A schema file (`pg_dump --schema-only`, `structure.sql`,
    /// `mysqldump --no-data`, SQLite DDL); the dialect is detected from the
    /// content unless given with [`SchemaSource::with_dialect`].
    pub fn file(path: impl Into<PathBuf>) -> SchemaSource {
        let path = path.into();
        SchemaSource {
            shown: path.display().to_string(),
            origin: Origin::SchemaFile(path, None),
            name: None,
            scope: Default::default(),
        }
    }

    /// Reads only the PostgreSQL schemas (namespaces) that match one of the
    /// `include` globs (all when none is given) and none of the `exclude`
    /// globs (`*` any run, `?` one character, `{a,b}` either). The schemas
    /// left out are named in the coverage. Other engines have one schema
    /// per source: a filter on them is a collection error.
    ///
    /// ```
    /// use drift_collectors::schema::SchemaSource;
    /// let s = SchemaSource::url("postgres://app@db/shop")
    ///     .unwrap()
    ///     .with_schema_filter(&["app*"], &["app_tmp*"])
    ///     .unwrap();
    /// assert!(SchemaSource::file("x.sql").with_schema_filter(&["{a"], &[]).is_err());
    /// # let _ = s;
    /// ```
    pub fn with_schema_filter<S: AsRef<str>>(
        mut self,
        include: &[S],
        exclude: &[S],
    ) -> Result<SchemaSource, drift_core::pattern::PatternError> {
        self.scope = super::scope::Scope::new(include, exclude)?;
        Ok(self)
    }

    /// Sets the dialect of a schema file (no effect on live sources).
    pub fn with_dialect(mut self, dialect: Dialect) -> SchemaSource {
        if let Origin::SchemaFile(_, d) = &mut self.origin {
            *d = Some(dialect);
        }
        self
    }

    /// Sets the logical name used in keys instead of the engine name
    /// (`schema:NAME:table:…`), to tell several databases apart.
    pub fn named(mut self, name: impl Into<String>) -> SchemaSource {
        self.name = Some(name.into());
        self
    }

    /// Sets the password of a server source (read by the caller from an env
    /// var or a password file); it wins over one in the URL.
    pub fn with_password(mut self, password: impl Into<String>) -> SchemaSource {
        if let Origin::Server(s) = &mut self.origin {
            s.password = Some(Password(password.into()));
        }
        self
    }

    /// Sets the TLS mode of a server source, over the URL's `sslmode` /
    /// `ssl-mode` (no effect on files).
    pub fn with_tls_mode(mut self, mode: TlsMode) -> SchemaSource {
        if let Origin::Server(s) = &mut self.origin {
            s.tls.mode = Some(mode);
        }
        self
    }

    /// Sets the CA the server's certificate is checked against: a PEM
    /// file, or `system` for the system's root certificates (libpq's
    /// `sslrootcert`, MySQL's `ssl-ca`).
    pub fn with_tls_ca(mut self, ca: impl Into<PathBuf>) -> SchemaSource {
        if let Origin::Server(s) = &mut self.origin {
            let ca: PathBuf = ca.into();
            s.tls.ca = Some(match ca.to_str() {
                Some(text) => Ca::from_text(text),
                None => Ca::File(ca),
            });
        }
        self
    }

    /// Sets the client certificate and its private key (PEM files) shown
    /// to a server that asks for one (libpq's `sslcert`/`sslkey`, MySQL's
    /// `ssl-cert`/`ssl-key`).
    pub fn with_tls_client_cert(
        mut self,
        cert: impl Into<PathBuf>,
        key: impl Into<PathBuf>,
    ) -> SchemaSource {
        if let Origin::Server(s) = &mut self.origin {
            s.tls.cert = Some(cert.into());
            s.tls.key = Some(key.into());
        }
        self
    }

    /// The TLS mode in force for a server source (`None` for files).
    pub fn tls_mode(&self) -> Option<TlsMode> {
        match &self.origin {
            Origin::Server(s) => Some(s.tls.effective_mode()),
            _ => None,
        }
    }

    /// The engine, when known before reading (a schema file whose dialect is
    /// not given is detected when read: `None`).
    pub fn engine(&self) -> Option<Engine> {
        match &self.origin {
            Origin::Server(s) => Some(s.engine),
            Origin::SqliteFile(_) => Some(Engine::Sqlite),
            Origin::SchemaFile(_, d) => d.map(Engine::from),
        }
    }

    /// The label of this source's keys: its name, or the engine's.
    pub fn label(&self) -> String {
        self.label_for(self.engine().unwrap_or(Engine::Postgres))
    }

    pub(crate) fn label_for(&self, engine: Engine) -> String {
        self.name
            .clone()
            .unwrap_or_else(|| engine.as_str().to_owned())
    }

    /// The source as shown in coverage and errors: the URL without its
    /// password, or the path.
    pub fn display(&self) -> String {
        self.shown.clone()
    }

    /// Whether this is a schema file rather than a live database.
    pub fn is_file(&self) -> bool {
        matches!(self.origin, Origin::SchemaFile(..))
    }

    /// Whether a password would be sent to the server (one is in the URL
    /// or was given apart).
    pub fn has_password(&self) -> bool {
        matches!(&self.origin, Origin::Server(s) if s.password.is_some())
    }

    /// Checks what can be checked before connecting: that the TLS
    /// settings go together (a client certificate with its key,
    /// `sslrootcert=system` only with `verify-full`, as libpq), and that a
    /// mode that sends the password in cleartext (`disable`, `allow`) is
    /// what the URL or the caller asked for. `tunnelled`: the connection
    /// goes through an SSH tunnel.
    ///
    /// Whether a password may go without TLS under `prefer` is decided
    /// when connecting, once the server has said whether it offers TLS:
    /// only to this machine (`localhost`, a loopback address, a Unix
    /// socket), through a tunnel, or with no password at all.
    pub fn check_password_transport(&self, tunnelled: bool) -> Result<(), SchemaError> {
        let _ = tunnelled;
        let Origin::Server(url) = &self.origin else {
            return Ok(());
        };
        url.tls
            .validate(url.engine)
            .map_err(|message| SchemaError::BadUrl {
                url: self.shown.clone(),
                message,
            })
    }
}

/// A URL as shown in errors and coverage: its password hidden, and when
/// the URL is too odd for that (a password holding an unencoded `/` or
/// `#` or `?`), everything before its last `@`.
fn shown_url(url: &str) -> String {
    let hidden = hide_secret_params(url);
    let url = hidden.as_str();
    let scrubbed = drift_core::secret::scrub(url);
    if scrubbed != url {
        return scrubbed;
    }
    let Some((scheme, rest)) = url.split_once("://") else {
        return scrubbed;
    };
    // Erring toward hiding: an `@` in a query hides the host too.
    match rest.rfind('@') {
        Some(at) => format!("{scheme}://***{}", &rest[at..]),
        None => scrubbed,
    }
}

/// The URL with the values of query parameters whose names speak of a
/// secret (`password`, `sslpassword`, `secret`, `token`) as `***`.
fn hide_secret_params(url: &str) -> String {
    let Some((head, query)) = url.split_once('?') else {
        return url.to_owned();
    };
    let (query, fragment) = match query.split_once('#') {
        Some((q, f)) => (q, Some(f)),
        None => (query, None),
    };
    let params: Vec<String> = query
        .split('&')
        .map(|p| match p.split_once('=') {
            Some((k, _))
                if ["pass", "pwd", "secret", "token"]
                    .iter()
                    .any(|w| k.to_ascii_lowercase().contains(w)) =>
            {
                format!("{k}=***")
            }
            _ => p.to_owned(),
        })
        .collect();
    let mut out = format!("{head}?{}", params.join("&"));
    if let Some(f) = fragment {
        out.push('#');
        out.push_str(f);
    }
    out
}

/// Whether `host` is this machine: `localhost`, an address in
/// 127.0.0.0/8, `::1` (also as `::ffff:127.x.y.z`), or a Unix socket (an
/// absolute path). A name that merely resolves to a loopback address does
/// not count: it is resolved later, and may resolve elsewhere.
pub(crate) fn is_loopback_host(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if host.eq_ignore_ascii_case("localhost") || host.starts_with('/') {
        return true;
    }
    match host.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V4(a)) => a.is_loopback(),
        Ok(std::net::IpAddr::V6(a)) => {
            a.is_loopback() || a.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_server_urls() {
        let s =
            SchemaSource::url("postgresql://app:p%40ss@db.internal:6543/shop?application_name=x")
                .unwrap();
        let Origin::Server(u) = &s.origin else {
            panic!("not a server")
        };
        assert_eq!(u.engine, Engine::Postgres);
        assert_eq!(u.user.as_deref(), Some("app"));
        assert_eq!(u.password, Some(Password("p@ss".into())));
        assert_eq!((u.host.as_str(), u.port), ("db.internal", 6543));
        assert_eq!(u.database.as_deref(), Some("shop"));
        assert_eq!(u.params, [("application_name".to_owned(), "x".to_owned())]);
        assert!(!s.display().contains("p%40ss"));
        assert!(!format!("{s:?}").contains("p%40ss"));
        let m = SchemaSource::url("mariadb://root@[::1]/app").unwrap();
        assert_eq!(m.label(), "mysql");
        let Origin::Server(u) = &m.origin else {
            panic!("not a server")
        };
        assert_eq!((u.host.as_str(), u.port), ("::1", 3306));
    }

    #[test]
    fn sqlite_urls_and_names() {
        let s = SchemaSource::url("sqlite://data/app.db")
            .unwrap()
            .named("app");
        assert_eq!(s.origin, Origin::SqliteFile("data/app.db".into()));
        assert_eq!(s.label(), "app");
        assert!(SchemaSource::url("redis://x").is_err());
        assert!(SchemaSource::url("postgres://h:notaport/x").is_err());
    }

    #[test]
    fn odd_passwords_are_hidden_too() {
        for url in [
            "postgres://u:pa/ss0rdXY@db/x",
            "postgres://u:pa#ss0rdXY@db/x",
            "mysql://u:pa?ss0rdXY@db/x",
        ] {
            let shown = match SchemaSource::url(url) {
                Ok(s) => s.display(),
                Err(e) => e.to_string(),
            };
            assert!(!shown.contains("ss0rdXY"), "{shown}");
        }
        assert_eq!(
            shown_url("postgres://u:pw@db/x?sslmode=disable"),
            "postgres://u:***@db/x?sslmode=disable"
        );
        assert_eq!(shown_url("postgres://db/x"), "postgres://db/x");
        let shown = shown_url("postgres://db/x?sslmode=require&sslPassword=pw0rdXY#f");
        assert!(
            shown.starts_with("postgres://db/x?sslmode=require&sslPassword=***")
                && !shown.contains("pw0rdXY"),
            "{shown}"
        );
    }

    #[test]
    fn loopback_hosts() {
        for h in [
            "localhost",
            "LOCALHOST",
            "127.0.0.1",
            "127.1.2.3",
            "::1",
            "[::1]",
            "::ffff:127.0.0.1",
            "/var/run/postgresql",
        ] {
            assert!(is_loopback_host(h), "{h}");
        }
        for h in [
            "db.internal",
            "10.0.0.1",
            "128.0.0.1",
            "0.0.0.0",
            "::",
            "::ffff:10.0.0.1",
            "localhost.evil.example",
            "127.0.0.1.nip.io",
            "",
        ] {
            assert!(!is_loopback_host(h), "{h}");
        }
    }

    #[test]
    fn tls_settings_from_urls_and_callers() {
        let tls = |s: &SchemaSource| match &s.origin {
            Origin::Server(u) => u.tls.clone(),
            _ => panic!("not a server"),
        };
        let s = SchemaSource::url(
            "postgres://ci:pw@db.internal/x?sslmode=verify-full&sslrootcert=%2Fca.pem&connect_timeout=3",
        )
        .unwrap();
        assert_eq!(s.tls_mode(), Some(TlsMode::VerifyFull));
        assert_eq!(tls(&s).ca, Some(Ca::File("/ca.pem".into())));
        let Origin::Server(u) = &s.origin else {
            panic!("not a server")
        };
        assert_eq!(u.params, [("connect_timeout".to_owned(), "3".to_owned())]);
        // The default is prefer, as libpq's; MySQL's words for MySQL.
        assert_eq!(
            SchemaSource::url("postgres://db/x").unwrap().tls_mode(),
            Some(TlsMode::Prefer)
        );
        let m = SchemaSource::url("mysql://u@db/x?ssl-mode=VERIFY_CA&ssl-ca=ca.pem").unwrap();
        assert_eq!(m.tls_mode(), Some(TlsMode::VerifyCa));
        // A caller's settings win over the URL's.
        let m = m
            .with_tls_mode(TlsMode::VerifyFull)
            .with_tls_client_cert("c.pem", "k.pem");
        assert_eq!(m.tls_mode(), Some(TlsMode::VerifyFull));
        assert_eq!(tls(&m).key, Some(PathBuf::from("k.pem")));
        assert!(m.check_password_transport(false).is_ok());
        // Bad settings are input errors naming the parameter, never a value.
        for (url, says) in [
            ("postgres://u:hunter2@db/x?sslmode=on", "`sslmode` must be"),
            ("postgres://u:hunter2@db/x?sslcrl=%2Fcrl.pem", "`sslcrl`"),
            ("mysql://u:hunter2@db/x?sslmode=disable", "`sslmode`"),
            ("postgres://u:hunter2@db/x?sslcert=c.pem", "`sslkey`"),
            (
                "postgres://u:hunter2@db/x?sslmode=require&sslrootcert=system",
                "sslmode=verify-full",
            ),
        ] {
            let e = SchemaSource::url(url).unwrap_err().to_string();
            assert!(e.contains(says) && !e.contains("hunter2"), "{url}: {e}");
        }
        // A key's passphrase given in the URL is refused, and not shown.
        let e = SchemaSource::url("postgres://u@db/x?sslpassword=Sup3rS3cretPW")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("`sslpassword`") && !e.contains("Sup3rS3cretPW"),
            "{e}"
        );
        // sslrootcert=system alone means verify-full, as in libpq.
        let sys = SchemaSource::url("postgres://db/x?sslrootcert=system").unwrap();
        assert_eq!(sys.tls_mode(), Some(TlsMode::VerifyFull));
        // Checked again after the caller's settings.
        let weak = sys.with_tls_mode(TlsMode::Require);
        assert!(weak.check_password_transport(false).is_err());
        let e = SchemaSource::url("mysql://u@db/x")
            .unwrap()
            .with_tls_mode(TlsMode::Allow)
            .check_password_transport(false)
            .unwrap_err()
            .to_string();
        assert!(e.contains("no `allow` mode"), "{e}");
    }

    #[test]
    fn sqlite_urls_with_a_user_are_refused_unshown() {
        for url in [
            "sqlite://u:Sup3rS3cretPW@/x.db",
            "sqlite://u:Sup3r#S3cretPW@/x.db",
        ] {
            let e = SchemaSource::url(url).unwrap_err().to_string();
            assert!(!e.contains("Sup3r") && !e.contains("S3cretPW"), "{e}");
        }
        let e = SchemaSource::url("sqlite://u:Sup3rS3cretPW@/x.db")
            .unwrap_err()
            .to_string();
        assert!(e.contains("takes a file path"), "{e}");
        assert!(SchemaSource::url("sqlite://./a@b.db").is_ok());
    }

    #[test]
    fn a_password_given_apart_never_prints() {
        let s = SchemaSource::url("postgres://app@db/shop")
            .unwrap()
            .with_password("s3cret!");
        assert!(!format!("{s:?}").contains("s3cret"));
        let Origin::Server(u) = &s.origin else {
            panic!("not a server")
        };
        assert!(!format!("{u:?}").contains("s3cret"));
    }
}
