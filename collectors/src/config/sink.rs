//! Where parsers put entries: the common shapes (mappings of scalars) go
//! straight into a [`Sink`], without a tree; what needs the whole picture
//! goes through [`Node`] and [`flatten`].

use drift_core::__private::KeyedValues;
use drift_core::Value;
use drift_core::key::KeyBuilder;

use super::tree::{DupCheck, Node, flatten};

/// Where a parser puts the entries of one file: the key of the current
/// position (`config:PATH` and the fields entered so far) and the entries
/// found so far.
#[derive(Debug)]
pub(crate) struct Sink<'a> {
    /// The key of the current position.
    pub(crate) key: &'a mut KeyBuilder,
    /// The entries.
    pub(crate) out: &'a mut KeyedValues,
}

/// A position of a [`Sink`] to go back to.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SinkMark {
    key: (usize, bool),
    entries: usize,
}

impl Sink<'_> {
    /// An entry at the current key.
    pub(crate) fn value(&mut self, value: Value) {
        self.out.push(self.key, value);
    }

    /// An entry at field `name` of the current key.
    pub(crate) fn field(&mut self, name: &str, value: Value) {
        let mark = self.key.mark();
        self.key.push_field(name);
        self.value(value);
        self.key.truncate(mark);
    }

    /// The entries of a map of scalars at the current key: none when it is
    /// empty (a `.properties` or `.env` file of blanks and comments; its
    /// `file:` entry tells it is there).
    pub(crate) fn map<K: AsRef<str>, V: Into<Value>>(&mut self, entries: Vec<(K, V)>) {
        for (name, value) in entries {
            self.field(name.as_ref(), value.into());
        }
    }

    /// The entries of `node` at the current key (see [`flatten`]).
    pub(crate) fn node(&mut self, node: Node) {
        flatten(self.key, node, self.out);
    }

    /// Runs a fast path that declines (`None`) the texts it does not read;
    /// a declined text leaves the sink as it was. Says whether it read it.
    pub(crate) fn fast_path(&mut self, read: impl FnOnce(&mut Self) -> Option<()>) -> bool {
        let start = self.mark();
        let done = read(self).is_some();
        if !done {
            self.rollback(start);
        }
        done
    }

    /// The current position and number of entries.
    pub(crate) fn mark(&self) -> SinkMark {
        SinkMark {
            key: self.key.mark(),
            entries: self.out.len(),
        }
    }

    /// Goes back to `mark`, dropping the entries found since.
    pub(crate) fn rollback(&mut self, mark: SinkMark) {
        self.key.truncate(mark.key);
        self.out.truncate(mark.entries);
    }
}

/// The names of the maps open in one document, borrowed from the text: for
/// parsers that put entries into a [`Sink`] without building the maps. A
/// map opened inside another keeps its names after its parent's, in one
/// buffer for the whole document, rather than a vector of its own.
#[derive(Debug, Default)]
pub(crate) struct NameStack<'t> {
    names: Vec<&'t str>,
    /// Each open map's first name in `names` and its duplicate check, the
    /// innermost last; checks of maps closed stay for the next ones.
    maps: Vec<(usize, DupCheck)>,
    open: usize,
}

impl<'t> NameStack<'t> {
    /// Room for the names of a text of `len` bytes, about one in 16 bytes
    /// (`key: value` lines): sized once, not grown name by name.
    pub(crate) fn for_text(len: usize) -> NameStack<'t> {
        NameStack {
            names: Vec::with_capacity(len / 16 + 4),
            maps: Vec::with_capacity(4),
            open: 0,
        }
    }

    /// Opens a map inside the innermost open one (or the first).
    pub(crate) fn open(&mut self) {
        let start = self.names.len();
        match self.maps.get_mut(self.open) {
            Some(map) => {
                map.0 = start;
                map.1.clear();
            }
            None => self.maps.push((start, DupCheck::default())),
        }
        self.open += 1;
    }

    /// Closes the innermost open map.
    pub(crate) fn close(&mut self) {
        if let Some(open) = self.open.checked_sub(1) {
            self.open = open;
            self.names.truncate(self.maps[open].0);
        }
    }

    /// Records `name` in the innermost open map; `None` when it already
    /// has it, or when no map is open.
    pub(crate) fn add(&mut self, name: &'t str) -> Option<()> {
        let (start, dups) = self.maps.get_mut(self.open.checked_sub(1)?)?;
        if dups.is_duplicate(&self.names[*start..], name) {
            return None;
        }
        self.names.push(name);
        Some(())
    }

    /// Whether the innermost open map has no name.
    pub(crate) fn is_empty(&self) -> bool {
        self.open
            .checked_sub(1)
            .is_none_or(|open| self.names.len() == self.maps[open].0)
    }
}

/// Helpers for the parsers' tests.
#[cfg(test)]
pub(crate) mod testing {
    use super::*;

    /// What `parse` puts into a sink at `config:PATH`: the entries, keys
    /// without the `config:PATH` prefix, in key order.
    pub(crate) fn entries<E>(
        path: &str,
        parse: impl FnOnce(&mut Sink<'_>) -> Result<(), E>,
    ) -> Result<Vec<(String, Value)>, E> {
        let mut key = KeyBuilder::new("config").path(path);
        let prefix = key.mark().0;
        let mut out = KeyedValues::default();
        parse(&mut Sink {
            key: &mut key,
            out: &mut out,
        })?;
        let mut out: Vec<(String, Value)> = out
            .iter()
            .map(|(k, v)| (k[prefix..].to_owned(), v.clone()))
            .collect();
        out.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(out)
    }

    /// What a fast path gives for `text` as [`lines`], or `None` when it
    /// declines (and then it must have left the sink as it was).
    pub(crate) fn fast_path(
        path: &str,
        text: &str,
        parse_into: fn(&str, &mut Sink<'_>) -> bool,
    ) -> Option<Vec<String>> {
        let mut key = KeyBuilder::new("config").path(path);
        let start = key.mark();
        let mut out = KeyedValues::default();
        let done = parse_into(
            text,
            &mut Sink {
                key: &mut key,
                out: &mut out,
            },
        );
        assert_eq!(key.mark(), start, "{text:?} moved the key");
        if !done {
            assert!(out.is_empty(), "{text:?} left {out:?}");
            return None;
        }
        Some(lines(&out))
    }

    /// What a full parser (`parse`) puts into a sink at `config:PATH`, as
    /// [`lines`].
    pub(crate) fn full_path(path: &str, parse: impl FnOnce(&mut Sink<'_>)) -> Vec<String> {
        let mut key = KeyBuilder::new("config").path(path);
        let mut out = KeyedValues::default();
        parse(&mut Sink {
            key: &mut key,
            out: &mut out,
        });
        lines(&out)
    }

    /// Whether the fast path answers `text`; where it does, it must give
    /// what the full parser (`full`) gives.
    pub(crate) fn agrees(
        path: &str,
        text: &str,
        parse_into: fn(&str, &mut Sink<'_>) -> bool,
        full: impl FnOnce(&mut Sink<'_>),
    ) -> bool {
        let Some(fast) = fast_path(path, text, parse_into) else {
            return false;
        };
        assert_eq!(fast, full_path(path, full), "fast path differs on {text:?}");
        true
    }

    /// A small deterministic generator for generated inputs: each call
    /// gives a number below `n`.
    pub(crate) fn xorshift(mut seed: u64) -> impl FnMut(u64) -> u64 {
        move |n| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n
        }
    }

    pub(crate) use super::super::fuzzing::lines;
}

#[cfg(test)]
mod tests {
    use super::NameStack;

    #[test]
    fn names_repeat_across_maps_but_not_within_one() {
        let mut names = NameStack::default();
        assert!(names.add("a").is_none(), "no map is open");
        names.open();
        assert!(names.is_empty());
        names.add("a").unwrap();
        names.open();
        assert!(names.is_empty());
        names.add("a").unwrap();
        assert!(names.add("a").is_none());
        names.close();
        // Back in the outer map: its names are as they were.
        assert!(!names.is_empty());
        assert!(names.add("a").is_none());
        names.add("b").unwrap();
        // A large map after a closed one: the closed map's names are gone.
        names.open();
        let many: Vec<String> = (0..100).map(|i| format!("k{i}")).collect();
        for n in &many {
            names.add(n).unwrap();
        }
        assert!(names.add("k42").is_none());
        names.close();
        names.open();
        for n in &many[..50] {
            names.add(n).unwrap();
        }
        assert!(names.add("k7").is_none());
        names.close();
        names.close();
        names.close();
        assert!(names.is_empty());
    }
}
