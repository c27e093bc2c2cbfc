//! Schema sources: a live database URL or a schema file, with an optional
//! logical name and a password given apart from the URL.

use std::fmt;
use std::path::PathBuf;

use super::ddl::Dialect;
use super::error::SchemaError;

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
    /// Query parameters (`sslmode`, `connect_timeout`), values percent-decoded.
    pub params: Vec<(String, String)>,
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
}

impl fmt::Debug for SchemaSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SchemaSource")
            .field("source", &self.shown)
            .field("name", &self.name)
            .field("engine", &self.engine())
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
        let shown = drift_core::secret::scrub(url);
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
                return Ok(SchemaSource {
                    origin: Origin::SqliteFile(PathBuf::from(percent_decode(path))),
                    shown,
                    name: None,
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
        let params = query
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| match p.split_once('=') {
                Some((k, v)) => (percent_decode(k), percent_decode(v)),
                None => (percent_decode(p), String::new()),
            })
            .collect();
        Ok(SchemaSource {
            origin: Origin::Server(ServerUrl {
                engine,
                user,
                password,
                host,
                port: port.unwrap_or(default_port),
                database,
                params,
            }),
            shown,
            name: None,
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
        }
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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_server_urls() {
        let s = SchemaSource::url("postgresql://app:p%40ss@db.internal:6543/shop?sslmode=disable")
            .unwrap();
        let Origin::Server(u) = &s.origin else {
            panic!("not a server")
        };
        assert_eq!(u.engine, Engine::Postgres);
        assert_eq!(u.user.as_deref(), Some("app"));
        assert_eq!(u.password, Some(Password("p@ss".into())));
        assert_eq!((u.host.as_str(), u.port), ("db.internal", 6543));
        assert_eq!(u.database.as_deref(), Some("shop"));
        assert_eq!(u.params, [("sslmode".to_owned(), "disable".to_owned())]);
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
