//! Runtime versions: language runtimes, servers and database clients asked
//! for their version through the allow-listed commands, the OS release from
//! `/etc/os-release`, and the kernel release.
//!
//! Keys: `runtime:node`, `runtime:python3`, … (one per [`Program`], named by
//! [`Program::name`]), `runtime:os.id` (a string), `runtime:os.version_id`
//! and `runtime:kernel` (versions of the `generic` scheme). A program that
//! is not installed is simply absent.

use std::path::PathBuf;

use drift_core::key::{KeyBuilder, KeyPath};
use drift_core::value::Version;
use drift_core::version::Scheme;
use drift_core::{Collection, CollectionError, ErrorKind, Value};
use rayon::prelude::*;

use crate::collector::Collector;
use crate::transport::{AllowedCommand, Program, Transport, TransportError};

const NAME: &str = "runtime";
const SMALL_FILE: u64 = 64 << 10;

/// Collects runtime versions, the OS release and the kernel release.
///
/// ```no_run
/// use drift_collectors::runtime::RuntimeCollector;
/// use drift_collectors::transport::{Local, Program};
/// use drift_collectors::Collector;
///
/// let c = RuntimeCollector::new().programs([Program::Node, Program::Python3]);
/// let collection = c.collect(&Local::new());
/// let _ = collection.entries; // runtime:node = 20.11.1, runtime:kernel = 6.1.0-13-amd64, …
/// ```
#[derive(Debug, Clone)]
pub struct RuntimeCollector {
    programs: Vec<Program>,
    root: PathBuf,
}

impl Default for RuntimeCollector {
    fn default() -> RuntimeCollector {
        RuntimeCollector::new()
    }
}

impl RuntimeCollector {
    /// Every known program, files read from `/`.
    pub fn new() -> RuntimeCollector {
        RuntimeCollector {
            programs: Program::ALL.to_vec(),
            root: PathBuf::from("/"),
        }
    }

    /// Asks only these programs.
    pub fn programs(mut self, programs: impl IntoIterator<Item = Program>) -> RuntimeCollector {
        self.programs = programs.into_iter().collect();
        self
    }

    /// Reads `/etc/os-release` and `/proc/sys/kernel/osrelease` under
    /// `root` instead of `/` (an unpacked image, a test tree). Commands
    /// still run on the target.
    pub fn root(mut self, root: impl Into<PathBuf>) -> RuntimeCollector {
        self.root = root.into();
        self
    }

    fn path(&self, abs: &str) -> PathBuf {
        self.root.join(abs.trim_start_matches('/'))
    }

    fn program(
        &self,
        transport: &dyn Transport,
        program: Program,
    ) -> Result<Option<Value>, CollectionError> {
        let command = AllowedCommand::Version(program);
        let out = match transport.run(&command) {
            Ok(out) => out,
            Err(TransportError::Command { message, .. })
                if message.starts_with("not installed") =>
            {
                return Ok(None);
            }
            Err(e) => return Err(e.to_collection_error(NAME)),
        };
        // 127 and 126: a shell (SSH) found no such program, or cannot run it.
        if matches!(out.status, 126 | 127) {
            return Ok(None);
        }
        let text = out.text();
        match parse_version_output(program, &text) {
            Some((scheme, version)) => Ok(Some(version_value(scheme, version))),
            None => Err(CollectionError::new(
                NAME,
                command.command_line(),
                ErrorKind::Parse,
                format!(
                    "could not find a version in the output of `{}` (exit status {})",
                    command.command_line(),
                    out.status
                ),
            )),
        }
    }
}

fn version_value(scheme: Scheme, text: String) -> Value {
    Value::from(Version {
        scheme: scheme.as_str().to_owned(),
        text,
        dev: false,
    })
}

fn key(fields: &[&str]) -> KeyPath {
    let mut b = KeyBuilder::new(NAME);
    for f in fields {
        b.push_field(f);
    }
    b.finish()
}

impl Collector for RuntimeCollector {
    fn name(&self) -> &'static str {
        NAME
    }

    fn collect(&self, transport: &dyn Transport) -> Collection {
        let mut c = Collection::new();
        let results: Vec<_> = self
            .programs
            .par_iter()
            .map(|&p| (p, self.program(transport, p)))
            .collect();
        let mut found = 0;
        for (program, result) in results {
            match result {
                Ok(Some(v)) => {
                    c.insert(key(&[program.name()]), v);
                    found += 1;
                }
                Ok(None) => {}
                Err(e) => c.error(e),
            }
        }
        c.cover(NAME, "version commands", found);
        self.os_release(transport, &mut c);
        self.kernel(transport, &mut c);
        c
    }
}

impl RuntimeCollector {
    fn os_release(&self, transport: &dyn Transport, c: &mut Collection) {
        let candidates = [
            self.path("/etc/os-release"),
            self.path("/usr/lib/os-release"),
        ];
        let Some((path, bytes)) = read_first(transport, &candidates, c) else {
            return;
        };
        let fields = parse_os_release(&String::from_utf8_lossy(&bytes));
        let mut n = 0;
        for (field, value) in fields {
            match field.as_str() {
                "ID" => c.insert(key(&["os", "id"]), value),
                "VERSION_ID" => c.insert(
                    key(&["os", "version_id"]),
                    version_value(Scheme::Generic, value),
                ),
                _ => continue,
            }
            n += 1;
        }
        c.cover(NAME, &path.display().to_string(), n);
    }

    fn kernel(&self, transport: &dyn Transport, c: &mut Collection) {
        let path = self.path("/proc/sys/kernel/osrelease");
        match transport.read_file(&path, SMALL_FILE) {
            Ok(bytes) => {
                let text = String::from_utf8_lossy(&bytes).trim().to_owned();
                if text.is_empty() {
                    c.error(CollectionError::new(
                        NAME,
                        path.display().to_string(),
                        ErrorKind::Parse,
                        "the kernel release is empty",
                    ));
                    return;
                }
                c.insert(key(&["kernel"]), version_value(Scheme::Generic, text));
                c.cover(NAME, &path.display().to_string(), 1);
            }
            Err(TransportError::NotFound { .. }) => {}
            Err(e) => c.error(e.to_collection_error(NAME)),
        }
    }
}

/// The first of `paths` that exists, read; errors other than "not found"
/// are recorded.
pub(crate) fn read_first(
    transport: &dyn Transport,
    paths: &[PathBuf],
    c: &mut Collection,
) -> Option<(PathBuf, Vec<u8>)> {
    for path in paths {
        match transport.read_file(path, SMALL_FILE) {
            Ok(bytes) => return Some((path.clone(), bytes)),
            Err(TransportError::NotFound { .. }) => continue,
            Err(e) => {
                c.error(e.to_collection_error(NAME));
                return None;
            }
        }
    }
    None
}

/// The `KEY=value` pairs of an os-release file, values unquoted.
pub(crate) fn parse_os_release(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .filter_map(|l| {
            let (k, v) = l.split_once('=')?;
            let v = v.trim();
            let v = v
                .strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .or_else(|| v.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')))
                .unwrap_or(v);
            Some((k.trim().to_owned(), v.replace("\\\"", "\"")))
        })
        .collect()
}

/// The version a program printed, and the scheme that orders it; `None`
/// when the output holds none.
pub(crate) fn parse_version_output(program: Program, text: &str) -> Option<(Scheme, String)> {
    let words = |line: &str| {
        line.split_whitespace()
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    let after = |word: &str| -> Option<String> {
        text.lines().find_map(|l| {
            let w = words(l);
            let i = w.iter().position(|x| x == word)?;
            w.get(i + 1).cloned()
        })
    };
    let first_line = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let clean = |v: String| v.trim_matches([',', '"', '(', ')']).to_owned();
    let (scheme, v) = match program {
        Program::Node => (
            Scheme::Semver,
            first_line.trim().trim_start_matches('v').to_owned(),
        ),
        Program::Python3 => (Scheme::Pep440, after("Python")?),
        Program::Ruby => {
            let v = after("ruby")?;
            // `2.7.4p191`: the patch level repeats the release.
            let v = match v.rfind('p') {
                Some(i)
                    if i > 0
                        && v[i + 1..].bytes().all(|b| b.is_ascii_digit())
                        && v.as_bytes()[i - 1].is_ascii_digit() =>
                {
                    v[..i].to_owned()
                }
                _ => v,
            };
            (Scheme::Generic, v)
        }
        Program::Java => {
            let line = text.lines().find(|l| l.contains(" version \""))?;
            let start = line.find('"')? + 1;
            let end = start + line[start..].find('"')?;
            (Scheme::Generic, line[start..end].to_owned())
        }
        Program::Go => {
            let v = after("version")?;
            (
                Scheme::Generic,
                v.strip_prefix("go").unwrap_or(&v).to_owned(),
            )
        }
        Program::Php => (Scheme::Generic, after("PHP")?),
        Program::Nginx => {
            let v = after("version:")?;
            (
                Scheme::Generic,
                v.rsplit('/').next().unwrap_or(&v).to_owned(),
            )
        }
        Program::Openssl => (Scheme::Generic, words(first_line).get(1)?.clone()),
        Program::Psql => (Scheme::Generic, after("(PostgreSQL)")?),
        Program::Mysql => {
            let v = after("Distrib")
                .or_else(|| after("from"))
                .or_else(|| after("Ver"))?;
            (Scheme::Generic, v)
        }
        Program::Sqlite3 => (Scheme::Generic, words(first_line).first()?.clone()),
        Program::RedisServer => {
            let v = text.split_whitespace().find_map(|w| w.strip_prefix("v="))?;
            (Scheme::Generic, v.to_owned())
        }
    };
    let v = clean(v);
    (!v.is_empty() && v.starts_with(|c: char| c.is_ascii_digit())).then_some((scheme, v))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_outputs() {
        let cases = [
            (Program::Node, "v20.11.1\n", "20.11.1"),
            (Program::Python3, "Python 3.11.4\n", "3.11.4"),
            (
                Program::Ruby,
                "ruby 3.2.2 (2023-03-30 revision e51014f9c0) [x86_64-linux]\n",
                "3.2.2",
            ),
            (
                Program::Ruby,
                "ruby 2.7.4p191 (2021-07-07 revision a21a3b7d23) [x86_64-linux]\n",
                "2.7.4",
            ),
            (
                Program::Java,
                "Picked up JAVA_TOOL_OPTIONS: -Xmx1g\nopenjdk version \"17.0.8\" 2023-07-18\nOpenJDK Runtime Environment\n",
                "17.0.8",
            ),
            (Program::Java, "java version \"1.8.0_381\"\n", "1.8.0_381"),
            (Program::Go, "go version go1.21.5 linux/amd64\n", "1.21.5"),
            (
                Program::Php,
                "PHP 8.2.7 (cli) (built: Jun  9 2023 19:37:27) (NTS)\nCopyright (c) The PHP Group\n",
                "8.2.7",
            ),
            (Program::Nginx, "nginx version: nginx/1.24.0\n", "1.24.0"),
            (
                Program::Nginx,
                "nginx version: openresty/1.21.4.1\n",
                "1.21.4.1",
            ),
            (
                Program::Openssl,
                "OpenSSL 3.0.11 19 Sep 2023 (Library: OpenSSL 3.0.11 19 Sep 2023)\n",
                "3.0.11",
            ),
            (Program::Openssl, "OpenSSL 1.1.1w  11 Sep 2023\n", "1.1.1w"),
            (
                Program::Psql,
                "psql (PostgreSQL) 15.4 (Debian 15.4-1.pgdg120+1)\n",
                "15.4",
            ),
            (
                Program::Mysql,
                "mysql  Ver 8.0.34 for Linux on x86_64 (MySQL Community Server - GPL)\n",
                "8.0.34",
            ),
            (
                Program::Mysql,
                "mysql  Ver 15.1 Distrib 10.11.4-MariaDB, for debian-linux-gnu (x86_64) using  EditLine wrapper\n",
                "10.11.4-MariaDB",
            ),
            (
                Program::Mysql,
                "mysql from 11.4.2-MariaDB, client 15.2 for debian-linux-gnu (x86_64)\n",
                "11.4.2-MariaDB",
            ),
            (
                Program::Sqlite3,
                "3.40.1 2022-12-28 14:03:47 df5c253c0b3dd24916e4ec7cf77d3db5294cc9fd45c2a7fe1d8b27d3e4d1alt1\n",
                "3.40.1",
            ),
            (
                Program::RedisServer,
                "Redis server v=7.0.11 sha=00000000:0 malloc=jemalloc-5.3.0 bits=64 build=c4e7f6bf175a885b\n",
                "7.0.11",
            ),
        ];
        for (p, out, want) in cases {
            assert_eq!(
                parse_version_output(p, out).map(|(_, v)| v).as_deref(),
                Some(want),
                "{p:?}"
            );
        }
        assert_eq!(
            parse_version_output(Program::Python3, "bash: python3: command not found\n"),
            None
        );
        assert_eq!(parse_version_output(Program::Node, ""), None);
    }

    #[test]
    fn os_release_quotes() {
        let f = parse_os_release(
            "# c\nID=debian\nVERSION_ID=\"12\"\nPRETTY_NAME='Debian GNU/Linux 12 (bookworm)'\n",
        );
        assert_eq!(f[0], ("ID".to_owned(), "debian".to_owned()));
        assert_eq!(f[1].1, "12");
        assert_eq!(f[2].1, "Debian GNU/Linux 12 (bookworm)");
    }
}
