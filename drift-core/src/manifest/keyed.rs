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
/// use drift_core::manifest::KeyedValues;
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

#[derive(Debug, Clone)]
struct Item {
    start: usize,
    end: usize,
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
        if self.items.is_sorted_by(|a, b| tail(a) < tail(b)) {
            return;
        }
        // Of one key, the entry recorded first (its text starts first)
        // comes first.
        self.items
            .sort_unstable_by(|a, b| tail(a).cmp(tail(b)).then(a.start.cmp(&b.start)));
        let mut kept: Vec<Item> = Vec::with_capacity(self.items.len());
        for item in std::mem::take(&mut self.items) {
            match kept.last() {
                Some(last) if tail(last) == tail(&item) => {
                    if last.value != item.value {
                        errors.push(conflict(&self.keys[item.start..item.end]));
                    }
                }
                _ => kept.push(item),
            }
        }
        self.items = kept;
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

    /// The first and last keys, as key paths.
    pub(crate) fn ends(&self) -> (Option<KeyPath>, Option<KeyPath>) {
        let key = |i: &Item| KeyPath::from_builder_text(&self.keys[i.start..i.end]);
        (self.items.first().map(key), self.items.last().map(key))
    }
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
