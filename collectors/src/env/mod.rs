//! The env collector: environment variables from an injected process
//! environment, dotenv files and running processes.
//!
//! Every variable becomes one entry `env:NAME` holding a string. When several
//! sources set one variable, **the source given last wins**: sources are
//! applied in the order they were added to the builder, so
//! `.dotenv(".env").dotenv(".env.production")` behaves like loading both
//! files in that order. Within one dotenv file, the last line wins too. A
//! manifest therefore holds each variable once.
//!
//! Variables that a shell or an SSH login sets for each session, and that
//! say nothing about an environment, are left out of process environments
//! (never out of dotenv files): `SSH_CLIENT`, `SSH_CONNECTION`, `SSH_TTY`,
//! `SSH_AUTH_SOCK`, `XDG_SESSION_ID`, `XDG_SESSION_TYPE`, `XDG_SESSION_CLASS`,
//! `PWD`, `OLDPWD`, `SHLVL`, `_`, `TERM`, `COLUMNS`, `LINES`. Every host of a
//! fleet would otherwise differ from every other.
//!
//! ```
//! use drift_collectors::env::EnvCollector;
//! use drift_collectors::transport::Local;
//! use drift_collectors::Collector;
//!
//! let env = EnvCollector::new()
//!     .process_env([("PAYMENT_TIMEOUT_MS".to_owned(), "2500".to_owned())]);
//! let collection = env.collect(&Local::new());
//! assert_eq!(collection.entries.len(), 1);
//! assert_eq!(collection.entries[0].0.as_str(), "env:PAYMENT_TIMEOUT_MS");
//! ```

pub(crate) mod dotenv;
mod proc;

use std::collections::BTreeMap;
use std::path::PathBuf;

use drift_core::{Collection, CollectionError, ErrorKind, KeyPath, Value};

pub use dotenv::{DotenvError, parse_dotenv};
pub use proc::{ProcSelector, parse_environ};

use crate::collector::Collector;
use crate::transport::Transport;

/// Per-session variables left out of process environments (see the module
/// documentation).
const SESSION_VARIABLES: &[&str] = &[
    "SSH_CLIENT",
    "SSH_CONNECTION",
    "SSH_TTY",
    "SSH_AUTH_SOCK",
    "XDG_SESSION_ID",
    "XDG_SESSION_TYPE",
    "XDG_SESSION_CLASS",
    "PWD",
    "OLDPWD",
    "SHLVL",
    "_",
    "TERM",
    "COLUMNS",
    "LINES",
];

/// Most bytes read from a dotenv file.
const MAX_DOTENV: u64 = 8 << 20;

/// One source of variables.
#[derive(Clone)]
enum Source {
    Process(Vec<(String, String)>),
    Dotenv(PathBuf),
    Proc(ProcSelector),
}

/// Values of an injected environment may be secrets: `Debug` shows names.
impl std::fmt::Debug for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::Process(vars) => f
                .debug_tuple("Process")
                .field(&vars.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>())
                .finish(),
            Source::Dotenv(p) => f.debug_tuple("Dotenv").field(p).finish(),
            Source::Proc(s) => f.debug_tuple("Proc").field(s).finish(),
        }
    }
}

/// Collects environment variables; see the [module documentation](self).
#[derive(Debug, Clone, Default)]
pub struct EnvCollector {
    sources: Vec<Source>,
}

impl EnvCollector {
    /// A collector without sources.
    pub fn new() -> EnvCollector {
        EnvCollector::default()
    }

    /// Adds a process environment given by the caller (the library never
    /// reads its own environment): for example `std::env::vars()` in a CLI.
    pub fn process_env(mut self, vars: impl IntoIterator<Item = (String, String)>) -> EnvCollector {
        self.sources
            .push(Source::Process(vars.into_iter().collect()));
        self
    }

    /// Adds a dotenv file, read through the transport.
    pub fn dotenv(mut self, path: impl Into<PathBuf>) -> EnvCollector {
        self.sources.push(Source::Dotenv(path.into()));
        self
    }

    /// Adds the environment of a running process (`/proc/PID/environ`).
    pub fn proc_environ(mut self, selector: ProcSelector) -> EnvCollector {
        self.sources.push(Source::Proc(selector));
        self
    }

    fn read(
        &self,
        transport: &dyn Transport,
        source: &Source,
    ) -> Result<(String, Vec<(String, String)>), CollectionError> {
        match source {
            Source::Process(vars) => Ok((
                "process environment".to_owned(),
                without_session_variables(vars.clone()),
            )),
            Source::Dotenv(path) => {
                let name = path.display().to_string();
                if name.contains('=') {
                    // `--dotenv API_TOKEN=…`: a variable given where a file
                    // is expected; shown nowhere, not even as a source.
                    return Err(CollectionError::new(
                        "env",
                        "dotenv",
                        ErrorKind::Read,
                        "a dotenv source holds `=`: it takes a file path, not NAME=value \
                         (the value given is not shown)",
                    ));
                }
                // A regular file only: never a FIFO (it would hang), nor
                // `/proc/self/environ` and the like (the whole environment
                // of the run, read as one variable).
                let bytes = transport
                    .read_source_file(path, MAX_DOTENV)
                    .map_err(|e| e.to_collection_error(self.name()))?;
                let parse_error = |line: Option<u64>, what: &str| {
                    let at = line.map(|l| format!(" line {l}")).unwrap_or_default();
                    let e = CollectionError::new(
                        "env",
                        &name,
                        ErrorKind::Parse,
                        format!("failed to parse `{name}`{at}: {what}"),
                    );
                    match line {
                        Some(l) => e.at_line(l),
                        None => e,
                    }
                };
                // NUL bytes make a file binary (an environ file, a
                // database): never read as variables.
                if let Some(at) = memchr::memchr(0, &bytes) {
                    let line = bytes[..at].iter().filter(|&&b| b == b'\n').count() as u64 + 1;
                    return Err(parse_error(
                        Some(line),
                        "holds NUL bytes: it is binary, not a dotenv file",
                    ));
                }
                let text =
                    std::str::from_utf8(&bytes).map_err(|_| parse_error(None, "not UTF-8 text"))?;
                let vars = parse_dotenv(text).map_err(|e| parse_error(Some(e.line), e.message))?;
                Ok((name, vars))
            }
            Source::Proc(selector) => {
                let found = proc::find(transport, selector)?;
                let vars = proc::read_environ(transport, &found)?;
                Ok((found.source, without_session_variables(vars)))
            }
        }
    }
}

fn without_session_variables(mut vars: Vec<(String, String)>) -> Vec<(String, String)> {
    vars.retain(|(k, _)| !SESSION_VARIABLES.contains(&k.as_str()));
    vars
}

impl Collector for EnvCollector {
    fn name(&self) -> &'static str {
        "env"
    }

    fn collect(&self, transport: &dyn Transport) -> Collection {
        let mut collection = Collection::new();
        let mut vars: BTreeMap<String, String> = BTreeMap::new();
        for source in &self.sources {
            match self.read(transport, source) {
                Ok((name, pairs)) => {
                    let mut distinct = std::collections::BTreeSet::new();
                    for (k, v) in pairs {
                        distinct.insert(k.clone());
                        vars.insert(k, v);
                    }
                    collection.cover(self.name(), &name, distinct.len() as u64);
                }
                Err(e) => collection.error(e),
            }
        }
        for (name, value) in vars {
            collection.insert(KeyPath::env(&name), Value::String(value));
        }
        collection
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transport::Local;

    fn errors(env: EnvCollector) -> Vec<String> {
        env.collect(&Local::new())
            .errors
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn the_environ_of_the_run_is_not_a_dotenv_file() {
        let dir = tempfile::tempdir().unwrap();
        let link = dir.path().join(".env");
        std::os::unix::fs::symlink("/proc/self/environ", &link).unwrap();
        for p in [std::path::Path::new("/proc/self/environ"), &link] {
            let c = EnvCollector::new().dotenv(p).collect(&Local::new());
            assert!(c.entries.is_empty());
            let e = c.errors[0].to_string();
            assert!(
                e.contains("under /proc") && e.contains("process_env"),
                "{e}"
            );
        }
    }

    #[test]
    fn a_dotenv_file_holding_nul_bytes_is_binary() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("copy.env");
        std::fs::write(&p, b"A=1\nGH_PAT=ghp_x\0DEPLOY=y\0").unwrap();
        let c = EnvCollector::new().dotenv(&p).collect(&Local::new());
        assert!(c.entries.is_empty());
        let e = c.errors[0].to_string();
        assert!(e.contains("copy.env") && e.contains("line 2"), "{e}");
        assert!(e.contains("NUL bytes") && !e.contains("ghp_x"), "{e}");
    }

    #[test]
    fn a_fifo_or_a_variable_given_as_a_dotenv_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        assert!(
            std::process::Command::new("mkfifo")
                .arg(&fifo)
                .status()
                .unwrap()
                .success()
        );
        let e = errors(EnvCollector::new().dotenv(&fifo));
        assert!(e[0].contains("a FIFO"), "{e:?}");
        let c = EnvCollector::new()
            .dotenv("API_TOKEN=tok_9f8e7d6c5b4a39281706")
            .collect(&Local::new());
        let shown = format!("{:?} {}", c.errors, c.errors[0]);
        assert!(!shown.contains("9f8e7d6c"), "{shown}");
        assert!(shown.contains("NAME=value"), "{shown}");
    }
}
