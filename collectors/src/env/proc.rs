//! Reading a running process's environment from `/proc/PID/environ`.

use std::path::{Path, PathBuf};

use drift_core::{CollectionError, ErrorKind};

use crate::transport::Transport;

/// Which process's environment to read.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProcSelector {
    /// The process with this id.
    Pid(u32),
    /// The process with the lowest id whose name (`/proc/PID/comm`, or the
    /// file name of its first `cmdline` argument) is this.
    Name(String),
    /// The process whose id is written in this pid file.
    Pidfile(PathBuf),
    /// The reading process itself (`/proc/self/environ`); over SSH, the
    /// login session's environment.
    SelfProcess,
}

/// Most bytes read from an environ file.
const MAX_ENVIRON: u64 = 8 << 20;

/// A found process: its environ path and a source name for coverage.
pub(crate) struct Found {
    pub environ: PathBuf,
    pub source: String,
}

/// Finds the process `selector` names.
pub(crate) fn find(
    transport: &dyn Transport,
    selector: &ProcSelector,
) -> Result<Found, CollectionError> {
    let by_pid = |pid: u32, source: String| Found {
        environ: PathBuf::from(format!("/proc/{pid}/environ")),
        source,
    };
    match selector {
        ProcSelector::Pid(pid) => Ok(by_pid(*pid, format!("/proc/{pid}/environ"))),
        ProcSelector::SelfProcess => Ok(Found {
            environ: PathBuf::from("/proc/self/environ"),
            source: "/proc/self/environ".to_owned(),
        }),
        ProcSelector::Pidfile(path) => {
            let pid = read_pidfile(transport, path)?;
            Ok(by_pid(
                pid,
                format!("/proc/{pid}/environ (pid file `{}`)", path.display()),
            ))
        }
        ProcSelector::Name(name) => {
            let pid = find_by_name(transport, name)?;
            Ok(by_pid(
                pid,
                format!("/proc/{pid}/environ (process `{name}`)"),
            ))
        }
    }
}

/// Reads the environ file of a found process.
pub(crate) fn read_environ(
    transport: &dyn Transport,
    found: &Found,
) -> Result<Vec<(String, String)>, CollectionError> {
    let bytes = transport
        .read_file(&found.environ, MAX_ENVIRON)
        .map_err(|e| e.to_collection_error("env"))?;
    Ok(parse_environ(&bytes))
}

/// Parses NUL-separated `NAME=value` records; records without `=` are
/// skipped, bytes that are not UTF-8 replaced.
pub fn parse_environ(bytes: &[u8]) -> Vec<(String, String)> {
    bytes
        .split(|&b| b == 0)
        .filter_map(|record| {
            let eq = record.iter().position(|&b| b == b'=')?;
            (eq > 0).then(|| {
                (
                    String::from_utf8_lossy(&record[..eq]).into_owned(),
                    String::from_utf8_lossy(&record[eq + 1..]).into_owned(),
                )
            })
        })
        .collect()
}

fn read_pidfile(transport: &dyn Transport, path: &Path) -> Result<u32, CollectionError> {
    // A pid file is an ordinary file: never a FIFO or a file of /proc.
    let bytes = transport
        .read_source_file(path, 64)
        .map_err(|e| e.to_collection_error("env"))?;
    std::str::from_utf8(&bytes)
        .ok()
        .and_then(|s| s.trim().parse::<u32>().ok())
        .ok_or_else(|| {
            CollectionError::new(
                "env",
                path.display().to_string(),
                ErrorKind::Parse,
                format!(
                    "pid file `{}` does not hold a process id; check that the service is running",
                    path.display()
                ),
            )
        })
}

fn find_by_name(transport: &dyn Transport, name: &str) -> Result<u32, CollectionError> {
    let proc_dir = Path::new("/proc");
    let listing = transport
        .read_dir(proc_dir)
        .map_err(|e| e.to_collection_error("env"))?;
    let mut pids: Vec<u32> = listing
        .iter()
        .filter_map(|e| e.name.to_str()?.parse::<u32>().ok())
        .collect();
    pids.sort_unstable();
    for pid in pids {
        let comm = transport.read_file(&proc_dir.join(format!("{pid}/comm")), 4096);
        if let Ok(comm) = comm
            && String::from_utf8_lossy(&comm).trim_end_matches('\n') == name
        {
            return Ok(pid);
        }
        let cmdline = transport.read_file(&proc_dir.join(format!("{pid}/cmdline")), 1 << 20);
        if let Ok(cmdline) = cmdline {
            let argv0 = cmdline.split(|&b| b == 0).next().unwrap_or_default();
            let base = argv0.rsplit(|&b| b == b'/').next().unwrap_or_default();
            if !base.is_empty() && base == name.as_bytes() {
                return Ok(pid);
            }
        }
    }
    // The name is not repeated: a drift.toml may hold anything there, a
    // pasted secret included; it is shown only once a process has it.
    Err(CollectionError::new(
        "env",
        "process_env_of",
        ErrorKind::Read,
        "no running process has the name given in `process_env_of`; check the name \
         (as in /proc/PID/comm) or give its pid or pid file",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn environ_records() {
        let v = parse_environ(b"A=1\0B=x=y\0NOEQ\0=z\0C=\xff\0");
        assert_eq!(
            v,
            [
                ("A".to_owned(), "1".to_owned()),
                ("B".to_owned(), "x=y".to_owned()),
                ("C".to_owned(), "\u{fffd}".to_owned()),
            ]
        );
    }
}
