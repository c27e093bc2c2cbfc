//! Many entries of one source with their keys in one buffer.

use super::CollectionError;
use super::build::conflict;
use crate::key::{KeyBuilder, KeyPath};
use crate::value::Value;

/// Entries whose keys are kept in one text buffer: what a collector records
/// for one file, without a heap allocation per key. Keys come from a
/// [`KeyBuilder`], so they are valid key paths.
///
/// ```
/// use drift_core::key::KeyBuilder;
/// use drift_core::__private::KeyedValues;
/// use drift_core::Value;
///
/// let mut key = KeyBuilder::new("config").path("app.yaml");
/// let mut values = KeyedValues::default();
/// let mark = key.mark();
/// for (name, v) in [("b", 2), ("a", 1)] {
///     key.push_field(name);
///     values.push(&key, Value::Int(v));
///     key.truncate(mark);
/// }
/// let entries = values.into_entries(&mut Vec::new());
/// assert_eq!(entries[0].0.as_str(), "config:app.yaml:a");
/// ```
#[derive(Debug, Clone, Default)]
pub struct KeyedValues {
    keys: String,
    items: Vec<Item>,
}

/// An entry: its key's place in the text of keys, and its value. (Nothing
/// but the value owns memory: [`KeyedValues::discard`] relies on it.)
#[derive(Debug, Clone)]
struct Item {
    start: usize,
    end: usize,
    /// The 8 bytes of the key after the prefix all keys share, as a
    /// number: set by [`KeyedValues::sort`], which orders by it first.
    head: u64,
    value: Value,
}

impl KeyedValues {
    /// Room for about `entries` entries of `key_bytes` bytes of keys.
    pub fn with_capacity(entries: usize, key_bytes: usize) -> KeyedValues {
        KeyedValues {
            keys: String::with_capacity(key_bytes),
            items: Vec::with_capacity(entries),
        }
    }

    /// Records `value` at the current key of `key`.
    pub fn push(&mut self, key: &KeyBuilder, value: Value) {
        let start = self.keys.len();
        self.keys.push_str(key.as_str());
        self.items.push(Item {
            start,
            end: self.keys.len(),
            head: 0,
            value,
        });
    }

    /// The number of entries.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Keeps the first `len` entries.
    pub fn truncate(&mut self, len: usize) {
        if let Some(item) = self.items.get(len) {
            self.keys.truncate(item.start);
        }
        self.items.truncate(len);
    }

    /// The entries in recording order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.items
            .iter()
            .map(|i| (&self.keys[i.start..i.end], &i.value))
    }

    /// The entries with their values mutable.
    pub(crate) fn iter_mut(&mut self) -> impl Iterator<Item = (&str, &mut Value)> {
        let keys = &self.keys;
        self.items
            .iter_mut()
            .map(move |i| (&keys[i.start..i.end], &mut i.value))
    }

    /// Sorts the entries by key and keeps each key once: of two entries
    /// with one key the first is kept, and different values under it are a
    /// collection error in `errors`.
    pub fn sort(&mut self, errors: &mut Vec<CollectionError>) {
        let keys = self.keys.as_bytes();
        let tail = |i: &Item| &keys[i.start..i.end];
        let Some(first) = self.items.first().map(tail) else {
            return;
        };
        // The keys of one source share a long prefix (`config:PATH:`):
        // entries are ordered by the 8 bytes after it, as a number, and
        // only where those are equal by the rest of their keys. Of one key,
        // the entry recorded first (its key's text is the earlier) comes
        // first. Items are sorted where they are: no vector of indices, no
        // permutation applied after.
        let shared = self.items[1..]
            .iter()
            .fold(first.len(), |n, i| common_prefix_len(first, tail(i)).min(n));
        for item in &mut self.items {
            item.head = head(&keys[item.start + shared..item.end]);
        }
        let rest = |i: &Item| &keys[i.start + shared..i.end];
        let order = |a: &Item, b: &Item| {
            a.head
                .cmp(&b.head)
                .then_with(|| rest(a).cmp(rest(b)))
                .then(a.start.cmp(&b.start))
        };
        // (Keys recorded in order are found so in one pass.)
        self.items.sort_unstable_by(order);
        let unique = self
            .items
            .windows(2)
            .all(|w| w[0].head != w[1].head || rest(&w[0]) != rest(&w[1]));
        if !unique {
            // Of one key, the first recorded is kept (it sorts first).
            let keys = &self.keys;
            self.items.dedup_by(|later, kept| {
                let same = keys[later.start..later.end] == keys[kept.start..kept.end];
                if same && later.value != kept.value {
                    errors.push(conflict(&keys[later.start..later.end]));
                }
                same
            });
        }
    }

    /// Drops the entries: values without memory of their own (numbers,
    /// flags, nulls: most of them) without a call to drop each.
    pub(crate) fn discard(mut self) {
        for item in self.items.drain(..) {
            match item.value {
                Value::Null | Value::Bool(_) | Value::Int(_) | Value::Float(_) => {
                    std::mem::forget(item);
                }
                _ => drop(item),
            }
        }
    }

    /// The entries as key paths and values, sorted, each key once (see
    /// [`KeyedValues::sort`]).
    pub fn into_entries(mut self, errors: &mut Vec<CollectionError>) -> Vec<(KeyPath, Value)> {
        self.sort(errors);
        let keys = self.keys;
        self.items
            .into_iter()
            .map(|i| (KeyPath::from_builder_text(&keys[i.start..i.end]), i.value))
            .collect()
    }

    /// The length in bytes of the prefix every key shares, once sorted (the
    /// first and last keys share it).
    pub(crate) fn shared_prefix_len(&self) -> usize {
        match (self.items.first(), self.items.last()) {
            (Some(a), Some(b)) => common_prefix_len(
                &self.keys.as_bytes()[a.start..a.end],
                &self.keys.as_bytes()[b.start..b.end],
            ),
            _ => 0,
        }
    }

    /// The text of every key recorded (and of keys dropped since, as
    /// duplicates), one after another.
    pub(crate) fn key_text(&self) -> &str {
        &self.keys
    }

    /// The first key, and the last when it is not the first, as key paths.
    pub(crate) fn ends(&self) -> (Option<KeyPath>, Option<KeyPath>) {
        let key = |i: &Item| KeyPath::from_builder_text(&self.keys[i.start..i.end]);
        let last = self.items.get(1..).and_then(<[Item]>::last);
        (self.items.first().map(key), last.map(key))
    }
}

/// The first 8 bytes of `bytes` as a big-endian number, zeros after the
/// end: numbers compare as the bytes do, but for ties.
fn head(bytes: &[u8]) -> u64 {
    if let Some(&first) = bytes.first_chunk::<8>() {
        return u64::from_be_bytes(first);
    }
    bytes
        .iter()
        .enumerate()
        .fold(0, |n, (i, &b)| n | u64::from(b) << (56 - 8 * i))
}

/// The length of the longest common prefix of `a` and `b`, compared 8
/// bytes at a time (the last 8 of the shorter overlapping those before).
fn common_prefix_len(a: &[u8], b: &[u8]) -> usize {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    // The first byte that differs in two words, from the lowest bits that do.
    let first_difference = |x: &[u8; 8], y: &[u8; 8]| {
        let differ = u64::from_le_bytes(*x) ^ u64::from_le_bytes(*y);
        (differ != 0).then(|| (differ.trailing_zeros() / 8) as usize)
    };
    let mut at = 0;
    while let (Some(x), Some(y)) = (a[at..].first_chunk::<8>(), b[at..].first_chunk::<8>()) {
        if let Some(i) = first_difference(x, y) {
            return at + i;
        }
        at += 8;
    }
    if let (Some(x), Some(y)) = (a.last_chunk::<8>(), b.last_chunk::<8>()) {
        // Its bytes before `at` are equal: compared above.
        return first_difference(x, y).map_or(n, |i| n - 8 + i);
    }
    while at < n && a[at] == b[at] {
        at += 1;
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(names: &[(&str, i64)]) -> KeyedValues {
        let mut key = KeyBuilder::new("config").path("a.yaml");
        let mark = key.mark();
        let mut v = KeyedValues::default();
        for (name, n) in names {
            if !name.is_empty() {
                key.push_field(name);
            }
            v.push(&key, Value::Int(*n));
            key.truncate(mark);
        }
        v
    }

    #[test]
    fn sorting_orders_by_the_whole_key_and_reports_conflicts() {
        let mut v = values(&[("b", 1), ("a", 2), ("", 0), ("b", 1), ("a", 3)]);
        let mut errors = Vec::new();
        v.sort(&mut errors);
        let keys: Vec<(&str, &Value)> = v.iter().collect();
        assert_eq!(
            keys,
            [
                ("config:a.yaml", &Value::Int(0)),
                ("config:a.yaml:a", &Value::Int(2)),
                ("config:a.yaml:b", &Value::Int(1)),
            ]
        );
        assert_eq!(errors.len(), 1);
        assert!(errors[0].source.contains("config:a.yaml:a"));
    }

    #[test]
    fn sorting_agrees_with_a_plain_sort_of_whole_keys() {
        let names = [
            "a",
            "ab",
            "abcdefgh",
            "abcdefghi",
            "abcdefgh\u{1}",
            "b",
            "key_10",
            "key_2",
            "key_1",
            "section_1_key_21",
            "section_1_key_3",
            "x.y",
            "x",
            "\u{0}",
            "é",
        ];
        let mut next = crate::testing::xorshift(0x9e37_79b9_7f4a_7c15);
        for _ in 0..300 {
            let picked: Vec<(&str, i64)> = (0..1 + next(20))
                .map(|_| (names[next(names.len())], next(3) as i64))
                .collect();
            let mut v = values(&picked);
            let mut errors = Vec::new();
            v.sort(&mut errors);
            let got: Vec<(String, Value)> =
                v.iter().map(|(k, v)| (k.to_owned(), v.clone())).collect();
            // The first of each key, in key order; conflicts counted.
            let mut expected: Vec<(String, Value)> = Vec::new();
            let mut conflicts = 0;
            let all: Vec<(String, Value)> = values(&picked)
                .iter()
                .map(|(k, v)| (k.to_owned(), v.clone()))
                .collect();
            for (k, v) in &all {
                match expected.iter().find(|(e, _)| e == k) {
                    Some((_, first)) => conflicts += usize::from(first != v),
                    None => expected.push((k.clone(), v.clone())),
                }
            }
            expected.sort_by(|a, b| a.0.cmp(&b.0));
            assert_eq!(got, expected, "{picked:?}");
            assert_eq!(errors.len(), conflicts, "{picked:?}");
        }
    }

    #[test]
    fn common_prefixes_are_those_of_a_byte_by_byte_comparison() {
        let base = b"config:svc0/part0/file1.yaml:section_0_key_12";
        for len in 0..=base.len() {
            for at in 0..len {
                let mut other = base[..len].to_vec();
                other[at] ^= 0x20;
                let naive = base.iter().zip(&other).take_while(|(x, y)| x == y).count();
                assert_eq!(common_prefix_len(base, &other), naive, "{len} {at}");
                assert_eq!(common_prefix_len(&other, base), naive, "{len} {at}");
            }
            assert_eq!(common_prefix_len(base, &base[..len]), len);
        }
    }

    #[test]
    fn truncating_drops_keys_and_values() {
        let mut v = values(&[("x", 1), ("y", 2), ("z", 3)]);
        v.truncate(1);
        assert_eq!(v.len(), 1);
        let mut key = KeyBuilder::new("config").path("a.yaml");
        key.push_field("w");
        v.push(&key, Value::Int(4));
        let entries = v.into_entries(&mut Vec::new());
        let keys: Vec<&str> = entries.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["config:a.yaml:w", "config:a.yaml:x"]);
    }
}
