//! Gathering the entries of many files into one vector, in key order.
//!
//! Files are processed in the order of their key prefix (`config:PATH:`),
//! so that the entries of each file, sorted, can be appended as they come:
//! the manifest gets them sorted without a merge, and a file's own vector
//! is freed (and its memory reused) as soon as it is appended, instead of
//! a hundred thousand of them living until the end.
//!
//! The key prefixes of two files never overlap, so the order of prefixes is
//! the order of their entries, with two exceptions: a file recorded as one
//! entry at its own key (`config:.env`, an empty file), which sorts before
//! `config:.env.local:…` although its prefix sorts after; and one path
//! collected twice (two roots). Then the entries are put in order as they
//! always were: files by their first key, in collection order when equal.

use drift_core::__private::{KeyedValues, Prepared as Piece, Preparer};
use drift_core::manifest::ManifestStream;
use drift_core::{CollectionError, KeyPath, Value};

use super::format::Format;

/// How each file's entries are made ready, on the worker that read it.
pub(super) trait Prepare: Sync {
    /// A file's `config:` entries, ready.
    type Config: Send;
    /// A file's `file:` entry, ready.
    type File: Send;
    /// The `file:` entries gathered so far.
    type Files: Send;

    /// Readies a file's `config:` entries.
    fn config(&self, values: KeyedValues) -> Self::Config;

    /// Readies a file's `file:` entry.
    fn file(&self, entry: FileEntry) -> Self::File;

    /// Where the `file:` entries of about `expected` files will be
    /// gathered.
    fn files(&self, expected: usize) -> Self::Files;

    /// Adds a file's `file:` entry to those gathered, in walk order, on
    /// the thread that takes the results.
    fn gather_file(&self, files: &mut Self::Files, file: Self::File);
}

/// A file's own `file:` entry: the format and mode of a configuration
/// file, or any value (a file recorded whole, a link).
#[derive(Debug)]
pub(super) enum FileEntry {
    /// `{"format": …, "mode": …}`.
    Info {
        key: KeyPath,
        format: Format,
        mode: Option<u32>,
    },
    /// Any value.
    Value(KeyPath, Value),
}

impl FileEntry {
    /// The entry as a key and its value.
    pub(super) fn into_pair(self) -> (KeyPath, Value) {
        match self {
            FileEntry::Info { key, format, mode } => {
                let info = info_fields(format, mode, |fields| {
                    fields
                        .iter()
                        .map(|(k, v)| ((*k).to_owned(), Value::from(*v)))
                        .collect()
                });
                (key, Value::Object(info))
            }
            FileEntry::Value(key, value) => (key, value),
        }
    }
}

/// Calls `f` with the fields of a file's `Info` entry, in order.
fn info_fields<R>(format: Format, mode: Option<u32>, f: impl FnOnce(&[(&str, &str)]) -> R) -> R {
    match mode {
        Some(mode) => f(&[
            ("format", format.as_str()),
            ("mode", octal(mode, &mut [0; 11])),
        ]),
        None => f(&[("format", format.as_str())]),
    }
}

/// `mode` in octal, at least 4 digits (`{mode:04o}`), written into `buf`
/// (room for any `u32`): once per file, without the formatting machinery
/// and a string of its own.
fn octal(mut mode: u32, buf: &mut [u8; 11]) -> &str {
    let mut at = buf.len();
    while at > 0 {
        at -= 1;
        buf[at] = b'0' + (mode & 7) as u8;
        mode >>= 3;
        if mode == 0 && buf.len() - at >= 4 {
            break;
        }
    }
    // Octal digits are ASCII.
    std::str::from_utf8(&buf[at..]).unwrap_or_default()
}

/// What a worker hands over for one file: its error, its `file:` entry and
/// its `config:` entries.
pub(super) type Prepared<P> = (
    Option<CollectionError>,
    Option<<P as Prepare>::File>,
    <P as Prepare>::Config,
);

/// Entries kept whole, for a collection in memory.
pub(super) struct Whole;

impl Prepare for Whole {
    type Config = Sorted;
    type File = (KeyPath, Value);
    type Files = Vec<(KeyPath, Value)>;

    fn config(&self, values: KeyedValues) -> Sorted {
        let mut errors = Vec::new();
        (values.into_entries(&mut errors), errors)
    }

    fn file(&self, entry: FileEntry) -> (KeyPath, Value) {
        entry.into_pair()
    }

    fn files(&self, expected: usize) -> Self::Files {
        Vec::with_capacity(expected)
    }

    fn gather_file(&self, files: &mut Self::Files, file: Self::File) {
        files.push(file);
    }
}

/// Entries formatted for a manifest written as it is collected.
impl Prepare for Preparer {
    type Config = Piece;
    type File = Piece;
    type Files = FileRuns;

    fn config(&self, values: KeyedValues) -> Piece {
        self.prepare_keyed(values)
    }

    fn file(&self, entry: FileEntry) -> Piece {
        match entry {
            FileEntry::Info { key, format, mode } => {
                info_fields(format, mode, |fields| self.prepare_strings(key, fields))
            }
            FileEntry::Value(key, value) => self.prepare(vec![(key, value)]),
        }
    }

    fn files(&self, expected: usize) -> FileRuns {
        FileRuns {
            runs: Vec::new(),
            expected,
            taken: 0,
        }
    }

    fn gather_file(&self, files: &mut FileRuns, file: Piece) {
        files.taken += 1;
        let file = match files.runs.last_mut() {
            Some(run) => match run.append(file) {
                Ok(()) => {
                    if files.taken == SAMPLE_FILES && files.runs.len() == 1 {
                        // Room for the rest at a quarter over their average
                        // (room not written to costs no memory): a buffer
                        // doubled step by step would touch twice as much.
                        let rest = files.expected.saturating_sub(SAMPLE_FILES);
                        let per_file = files.runs[0].text_len().div_ceil(SAMPLE_FILES);
                        files.runs[0].reserve(rest * per_file / 4 * 5);
                    }
                    return;
                }
                Err(file) => file,
            },
            None => file,
        };
        files.runs.push(file);
    }
}

/// The `file:` entries of a streamed collection: runs of files in key
/// order, each joined into one piece as it comes (while the workers work,
/// not after them).
pub(super) struct FileRuns {
    pub(super) runs: Vec<Piece>,
    /// Files announced, and taken so far.
    expected: usize,
    taken: usize,
}

/// What takes each file's entries, in key order, on one thread.
pub(super) trait Taker<T>: Send {
    /// The entries of `files` files will come.
    fn expect(&mut self, files: usize) {
        let _ = files;
    }

    /// One file's entries; no later file's entries sort before `bound`.
    fn take(&mut self, piece: T, bound: &str);
}

impl Taker<Piece> for ManifestStream<'_> {
    fn take(&mut self, piece: Piece, bound: &str) {
        self.push(piece, bound);
    }
}

/// A file's entries, sorted, and the conflicts met sorting them.
type Sorted = (Vec<(KeyPath, Value)>, Vec<CollectionError>);

impl Taker<Sorted> for Gathered {
    fn expect(&mut self, files: usize) {
        self.files_expected = files;
    }

    fn take(&mut self, (entries, errors): Sorted, _bound: &str) {
        self.errors.extend(errors);
        self.push_file(entries);
        self.files_taken += 1;
        // Once a few files are in, room for the rest at their average,
        // rather than growing a large vector step by step.
        if self.files_taken == SAMPLE_FILES {
            let rest = self.files_expected.saturating_sub(SAMPLE_FILES);
            self.entries
                .reserve(rest * self.entries.len().div_ceil(SAMPLE_FILES));
        }
    }
}

/// The entries gathered so far.
#[derive(Debug)]
pub(super) struct Gathered {
    entries: Vec<(KeyPath, Value)>,
    /// Where each file's entries start.
    starts: Vec<usize>,
    /// Whether every file's entries came after the previous file's.
    in_order: bool,
    /// Keys of one file recorded twice with different values.
    errors: Vec<CollectionError>,
    /// Files announced by [`Taker::expect`], and taken so far.
    files_expected: usize,
    files_taken: usize,
}

/// The files whose entries size the rest.
const SAMPLE_FILES: usize = 256;

impl Default for Gathered {
    fn default() -> Gathered {
        Gathered {
            entries: Vec::new(),
            starts: Vec::new(),
            in_order: true,
            errors: Vec::new(),
            files_expected: 0,
            files_taken: 0,
        }
    }
}

impl Gathered {
    /// Appends the entries of one file, sorted by key.
    pub(super) fn push_file(&mut self, mut file: Vec<(KeyPath, Value)>) {
        let Some((first, _)) = file.first() else {
            return;
        };
        if let Some((last, _)) = self.entries.last()
            && last >= first
        {
            self.in_order = false;
        }
        self.starts.push(self.entries.len());
        self.entries.append(&mut file);
    }

    /// All entries: sorted when each file came in order, else files ordered
    /// by their first key (stable).
    pub(super) fn into_entries(self) -> (Vec<(KeyPath, Value)>, Vec<CollectionError>) {
        let Gathered {
            mut entries,
            starts,
            in_order,
            errors,
            ..
        } = self;
        if in_order {
            return (entries, errors);
        }
        let mut files: Vec<Vec<(KeyPath, Value)>> = Vec::with_capacity(starts.len());
        for &start in starts.iter().rev() {
            files.push(entries.split_off(start));
        }
        files.reverse();
        files.sort_by(|a, b| a[0].0.cmp(&b[0].0));
        (files.into_iter().flatten().collect(), errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes_are_written_as_the_formatter_writes_them() {
        for mode in [
            0,
            0o7,
            0o644,
            0o755,
            0o4755,
            0o7777,
            0o10000,
            0o100644,
            u32::MAX,
        ] {
            assert_eq!(octal(mode, &mut [0; 11]), format!("{mode:04o}"));
        }
    }

    fn file(keys: &[&str], value: i64) -> Vec<(KeyPath, Value)> {
        keys.iter()
            .map(|k| (KeyPath::new(*k).unwrap(), Value::Int(value)))
            .collect()
    }

    fn keys(g: Gathered) -> Vec<(String, Value)> {
        g.into_entries()
            .0
            .into_iter()
            .map(|(k, v)| (k.as_str().to_owned(), v))
            .collect()
    }

    #[test]
    fn files_in_order_are_appended() {
        let mut g = Gathered::default();
        g.push_file(file(&["config:a:x", "config:a:y"], 1));
        g.push_file(Vec::new());
        g.push_file(file(&["config:b:x"], 2));
        assert!(g.in_order);
        let k: Vec<String> = keys(g).into_iter().map(|(k, _)| k).collect();
        assert_eq!(k, ["config:a:x", "config:a:y", "config:b:x"]);
    }

    #[test]
    fn files_out_of_order_are_ordered_by_their_first_key_stably() {
        let mut g = Gathered::default();
        // Prefix order: `.env.local:` before `.env:`; key order: `.env` first.
        g.push_file(file(&["config:.env.local:A", "config:.env.local:B"], 1));
        g.push_file(file(&["config:.env"], 2));
        // One path collected twice: the first one stays first.
        g.push_file(file(&["config:z:a", "config:z:b"], 3));
        g.push_file(file(&["config:z:a", "config:z:c"], 4));
        assert!(!g.in_order);
        assert_eq!(
            keys(g),
            [
                ("config:.env".to_owned(), Value::Int(2)),
                ("config:.env.local:A".to_owned(), Value::Int(1)),
                ("config:.env.local:B".to_owned(), Value::Int(1)),
                ("config:z:a".to_owned(), Value::Int(3)),
                ("config:z:b".to_owned(), Value::Int(3)),
                ("config:z:a".to_owned(), Value::Int(4)),
                ("config:z:c".to_owned(), Value::Int(4)),
            ]
        );
    }
}
