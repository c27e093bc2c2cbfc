//! Progress of a snapshot, handed to the caller as it happens: the library
//! prints nothing, a command line draws bars from it.
//!
//! Each collector reads through a [`Counting`] transport that reports every
//! file it reads (and its size) under the collector's name, so collectors
//! need no code of their own for it.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::transport::{
    AllowedCommand, CommandOutput, DirEntry, FileMeta, ReadFile, Transport, TransportError, Tunnel,
    Walk, WalkEntry, WalkOptions,
};

/// Receives the progress of a snapshot. Called from the collecting threads,
/// so implementations must be cheap and thread-safe. Every method does
/// nothing by default.
pub trait Progress: Send + Sync {
    /// The collector `source` (`config`, `env`, `packages`…) starts.
    fn started(&self, source: &str) {
        let _ = source;
    }

    /// The collector `source` read one file of `bytes` bytes.
    fn read(&self, source: &str, bytes: u64) {
        let _ = (source, bytes);
    }

    /// The collector `source` is done.
    fn finished(&self, source: &str) {
        let _ = source;
    }
}

/// Progress nobody watches.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoProgress;

impl Progress for NoProgress {}

/// A transport that reports every file read through it to a [`Progress`],
/// under one source's name, and passes everything on to the transport it
/// wraps.
pub struct Counting<'a> {
    inner: &'a dyn Transport,
    source: &'a str,
    progress: &'a dyn Progress,
    files: AtomicU64,
}

impl std::fmt::Debug for Counting<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Counting")
            .field("inner", &self.inner)
            .field("source", &self.source)
            .field("files", &self.files)
            .finish_non_exhaustive()
    }
}

impl<'a> Counting<'a> {
    /// Wraps `inner`; what is read is reported as `source`'s.
    pub fn new(inner: &'a dyn Transport, source: &'a str, progress: &'a dyn Progress) -> Self {
        Counting {
            inner,
            source,
            progress,
            files: AtomicU64::new(0),
        }
    }

    /// How many files were read through it.
    pub fn files(&self) -> u64 {
        self.files.load(Ordering::Relaxed)
    }

    fn count<T>(
        &self,
        read: Result<T, TransportError>,
        len: impl Fn(&T) -> usize,
    ) -> Result<T, TransportError> {
        if let Ok(r) = &read {
            self.files.fetch_add(1, Ordering::Relaxed);
            self.progress.read(self.source, len(r) as u64);
        }
        read
    }
}

impl Transport for Counting<'_> {
    fn target(&self) -> &str {
        self.inner.target()
    }

    fn read_file(&self, path: &Path, limit: u64) -> Result<Vec<u8>, TransportError> {
        self.count(self.inner.read_file(path, limit), Vec::len)
    }

    fn read_source_file(&self, path: &Path, limit: u64) -> Result<Vec<u8>, TransportError> {
        self.count(self.inner.read_source_file(path, limit), Vec::len)
    }

    fn read_walked(&self, entry: &WalkEntry, limit: u64) -> Result<ReadFile, TransportError> {
        self.count(self.inner.read_walked(entry, limit), |r| r.bytes.len())
    }

    fn metadata(&self, path: &Path, follow_symlinks: bool) -> Result<FileMeta, TransportError> {
        self.inner.metadata(path, follow_symlinks)
    }

    fn read_link(&self, path: &Path) -> Result<PathBuf, TransportError> {
        self.inner.read_link(path)
    }

    fn read_dir(&self, path: &Path) -> Result<Vec<DirEntry>, TransportError> {
        self.inner.read_dir(path)
    }

    fn walk(&self, root: &Path, options: &WalkOptions) -> Result<Walk, TransportError> {
        self.inner.walk(root, options)
    }

    fn run(&self, command: &AllowedCommand) -> Result<CommandOutput, TransportError> {
        self.inner.run(command)
    }

    fn open_tunnel(&self, host: &str, port: u16) -> Result<Tunnel, TransportError> {
        self.inner.open_tunnel(host, port)
    }

    fn parallelism(&self) -> usize {
        self.inner.parallelism()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;
    use crate::transport::Local;

    #[derive(Default)]
    struct Tally(Mutex<Vec<(String, u64)>>);

    impl Progress for Tally {
        fn read(&self, source: &str, bytes: u64) {
            self.0.lock().unwrap().push((source.to_owned(), bytes));
        }
    }

    #[test]
    fn every_file_read_is_reported_with_its_size() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a"), "12345").unwrap();
        std::fs::write(dir.path().join("b"), "1").unwrap();
        let local = Local::new();
        let tally = Tally::default();
        let counting = Counting::new(&local, "config", &tally);
        counting.read_file(&dir.path().join("a"), 100).unwrap();
        counting
            .read_source_file(&dir.path().join("b"), 100)
            .unwrap();
        // A failed read is not a file read.
        assert!(counting.read_file(&dir.path().join("none"), 100).is_err());
        assert_eq!(counting.files(), 2);
        assert_eq!(
            *tally.0.lock().unwrap(),
            vec![("config".to_owned(), 5), ("config".to_owned(), 1)]
        );
    }
}
