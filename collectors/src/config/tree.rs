//! The parsed form shared by every format, and its flattening into entries.
//!
//! What needs the whole picture (lists, whose items may be keyed by
//! identity, and the formats read by a full parser) is parsed into a
//! [`Node`] tree, which [`flatten`] turns into `(KeyPath, Value)` entries:
//! one entry per scalar, a list of scalars as one [`Value::List`], lists of
//! objects keyed by an identity field when every item has a unique one, and
//! empty objects and lists as empty values.

use std::collections::{BTreeMap, HashSet};

use drift_core::Value;
use drift_core::key::KeyBuilder;
use drift_core::manifest::KeyedValues;

/// A parsed configuration value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Node {
    /// An explicit null.
    Null,
    /// A boolean.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A float.
    Float(f64),
    /// A string (also dates and everything typeless formats hold).
    Str(String),
    /// A sequence.
    List(Vec<Node>),
    /// A mapping, in source order; names are unique (parsers see to it).
    Map(Vec<(String, Node)>),
}

/// Fields that identify the items of a list of objects, in order of preference.
const IDENTITY_FIELDS: [&str; 3] = ["name", "id", "key"];

impl Node {
    fn is_scalar(&self) -> bool {
        !matches!(self, Node::List(_) | Node::Map(_))
    }

    /// The value of field `name` of a map.
    pub(crate) fn get(&self, name: &str) -> Option<&Node> {
        match self {
            Node::Map(entries) => entries.iter().find(|(k, _)| k == name).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The text of a scalar that can identify an item: strings, integers and
    /// booleans.
    pub(crate) fn identity_text(&self) -> Option<String> {
        match self {
            Node::Str(s) => Some(s.clone()),
            Node::Int(i) => Some(i.to_string()),
            Node::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    /// Converts a scalar (or an empty collection) into its entry value.
    pub(crate) fn into_value(self) -> Value {
        match self {
            Node::Null => Value::Null,
            Node::Bool(b) => Value::Bool(b),
            Node::Int(i) => Value::Int(i),
            Node::Float(f) => Value::Float(f),
            Node::Str(s) => Value::String(s),
            Node::List(items) => Value::List(items.into_iter().map(Node::into_value).collect()),
            Node::Map(entries) => Value::Object(
                entries
                    .into_iter()
                    .map(|(k, v)| (k, v.into_value()))
                    .collect::<BTreeMap<_, _>>(),
            ),
        }
    }
}

/// The identity field of a list of items, and each item's identity, when
/// every item is a map with a unique scalar value in that field.
pub(crate) fn list_identity(items: &[Node]) -> Option<(&'static str, Vec<String>)> {
    if items.is_empty() {
        return None;
    }
    'fields: for field in IDENTITY_FIELDS {
        let mut ids = Vec::with_capacity(items.len());
        for item in items {
            match item.get(field).and_then(Node::identity_text) {
                Some(id) => ids.push(id),
                None => continue 'fields,
            }
        }
        if all_unique(&ids) {
            return Some((field, ids));
        }
    }
    None
}

/// Finds duplicate names while a map is built: scans small maps, indexes
/// large ones by hash, so that a map of a million keys stays linear.
#[derive(Debug, Default)]
pub(crate) struct DupCheck {
    hasher: FastHash,
    /// Hash of a name → index of the first entry with that hash.
    index: std::collections::HashMap<u64, usize, std::hash::BuildHasherDefault<HashedKey>>,
}

/// A fast, non-cryptographic string hash (FNV-1a over 8-byte words) for
/// duplicate checks; a collision only costs a comparison.
#[derive(Debug, Default, Clone, Copy)]
struct FastHash;

impl FastHash {
    fn hash_one(self, s: &str) -> u64 {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ s.len() as u64;
        let mut chunks = s.as_bytes().chunks_exact(8);
        for c in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(c);
            h = (h ^ u64::from_le_bytes(word)).wrapping_mul(0x0000_0100_0000_01b3);
            h ^= h >> 29;
        }
        for &b in chunks.remainder() {
            h = (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
        }
        h ^ (h >> 32)
    }
}

/// Hashes a key that is already a hash: passes it through.
#[derive(Debug, Default)]
struct HashedKey(u64);

impl std::hash::Hasher for HashedKey {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// Maps up to this size are checked for duplicates by scanning.
const SCAN_LIMIT: usize = 16;

impl DupCheck {
    /// Whether `name` is already in `entries`. Call it before pushing each
    /// entry, in order.
    pub(crate) fn is_duplicate<E: Named>(&mut self, entries: &[E], name: &str) -> bool {
        if entries.len() < SCAN_LIMIT {
            return entries.iter().any(|e| e.name() == name);
        }
        if self.index.is_empty() {
            // Room for a few times as many: one allocation for most maps.
            self.index.reserve(entries.len() * 4);
            for (i, e) in entries.iter().enumerate() {
                self.index
                    .entry(self.hasher.hash_one(e.name()))
                    .or_insert(i);
            }
        }
        let h = self.hasher.hash_one(name);
        match self.index.get(&h) {
            Some(&i) if entries[i].name() == name => true,
            // A hash collision: look at every entry.
            Some(_) => entries.iter().any(|e| e.name() == name),
            None => {
                self.index.insert(h, entries.len());
                false
            }
        }
    }
}

/// What [`DupCheck`] compares: the name of a map entry.
pub(crate) trait Named {
    /// The name.
    fn name(&self) -> &str;
}

impl<K: AsRef<str>, V> Named for (K, V) {
    fn name(&self) -> &str {
        self.0.as_ref()
    }
}

impl Named for &str {
    fn name(&self) -> &str {
        self
    }
}

impl Named for std::borrow::Cow<'_, str> {
    fn name(&self) -> &str {
        self
    }
}

/// Keeps the last value of each name, for formats whose loaders let a later
/// line override an earlier one (INI, `.properties`, `.env`). The order of
/// the entries does not matter: entries are sorted by key in the end.
pub(crate) fn last_wins<K: AsRef<str>, V>(mut entries: Vec<(K, V)>) -> Vec<(K, V)> {
    // A stable sort keeps equal names in file order: the last one wins.
    entries.sort_by(|a, b| a.0.as_ref().cmp(b.0.as_ref()));
    entries.dedup_by(|later, kept| {
        let same = later.0.as_ref() == kept.0.as_ref();
        if same {
            std::mem::swap(&mut later.1, &mut kept.1);
        }
        same
    });
    entries
}

/// Whether no text occurs twice.
pub(crate) fn all_unique(ids: &[String]) -> bool {
    let mut seen = HashSet::with_capacity(ids.len());
    ids.iter().all(|id| seen.insert(id.as_str()))
}

/// Appends the entries of `node` under the key in `builder` to `out`.
pub(crate) fn flatten(builder: &mut KeyBuilder, node: Node, out: &mut KeyedValues) {
    match node {
        Node::Map(entries) if !entries.is_empty() => {
            for (name, value) in entries {
                let mark = builder.mark();
                builder.push_field(&name);
                flatten(builder, value, out);
                builder.truncate(mark);
            }
        }
        Node::List(items) if !items.iter().all(Node::is_scalar) => {
            if let Some((field, ids)) = list_identity(&items) {
                for (item, id) in items.into_iter().zip(ids) {
                    let mark = builder.mark();
                    builder.push_id(field, &id);
                    flatten(builder, item, out);
                    builder.truncate(mark);
                }
            } else {
                for (i, item) in items.into_iter().enumerate() {
                    let mark = builder.mark();
                    builder.push_index(i);
                    flatten(builder, item, out);
                    builder.truncate(mark);
                }
            }
        }
        // Scalars, lists of scalars, and empty maps and lists.
        scalar => out.push(builder, scalar.into_value()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> Node {
        Node::Str(v.to_owned())
    }

    fn map(entries: Vec<(&str, Node)>) -> Node {
        Node::Map(
            entries
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v))
                .collect(),
        )
    }

    fn flat(node: Node) -> Vec<(String, Value)> {
        let mut b = KeyBuilder::new("config").path("f.yaml");
        let mut out = KeyedValues::default();
        flatten(&mut b, node, &mut out);
        out.iter().map(|(k, v)| (k.to_owned(), v.clone())).collect()
    }

    #[test]
    fn scalars_keep_their_types_and_lists_of_scalars_are_one_entry() {
        let out = flat(map(vec![
            ("a", Node::Int(1)),
            ("b", map(vec![("c.d", Node::Bool(true))])),
            ("l", Node::List(vec![Node::Int(1), s("x")])),
        ]));
        assert_eq!(
            out,
            vec![
                ("config:f.yaml:a".to_owned(), Value::Int(1)),
                ("config:f.yaml:b.\"c.d\"".to_owned(), Value::Bool(true)),
                (
                    "config:f.yaml:l".to_owned(),
                    Value::List(vec![Value::Int(1), Value::from("x")])
                ),
            ]
        );
    }

    #[test]
    fn lists_of_named_items_are_keyed_by_identity() {
        let out = flat(map(vec![(
            "servers",
            Node::List(vec![
                map(vec![("id", Node::Int(2)), ("name", s("web"))]),
                map(vec![("id", Node::Int(1)), ("name", s("db"))]),
            ]),
        )]));
        let keys: Vec<&str> = out.iter().map(|(k, _)| k.as_str()).collect();
        assert!(
            keys.contains(&"config:f.yaml:servers[name=web].id"),
            "{keys:?}"
        );
        assert!(
            keys.contains(&"config:f.yaml:servers[name=db].id"),
            "{keys:?}"
        );
    }

    #[test]
    fn identity_falls_back_to_the_next_field_then_to_the_index() {
        let dup_names = Node::List(vec![
            map(vec![("name", s("a")), ("id", Node::Int(1))]),
            map(vec![("name", s("a")), ("id", Node::Int(2))]),
        ]);
        let keys: Vec<String> = flat(dup_names).into_iter().map(|(k, _)| k).collect();
        assert!(
            keys.contains(&"config:f.yaml:[id=1].name".to_owned()),
            "{keys:?}"
        );
        let no_ids = Node::List(vec![map(vec![("x", Node::Int(1))]), Node::Int(3)]);
        let keys: Vec<String> = flat(no_ids).into_iter().map(|(k, _)| k).collect();
        assert_eq!(keys, ["config:f.yaml:[0].x", "config:f.yaml:[1]"]);
    }

    #[test]
    fn empty_collections_are_recorded() {
        let out = flat(map(vec![("a", map(vec![])), ("b", Node::List(vec![]))]));
        assert_eq!(out[0].1, Value::Object(BTreeMap::new()));
        assert_eq!(out[1].1, Value::List(vec![]));
    }
}
