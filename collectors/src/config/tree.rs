//! The parsed form shared by every format, and its flattening into entries.
//!
//! What needs the whole picture (lists, whose items may be keyed by
//! identity, and the formats read by a full parser) is parsed into a
//! [`Node`] tree, which [`flatten`] turns into `(KeyPath, Value)` entries:
//! one entry per scalar, a list of scalars as one [`Value::List`], lists of
//! objects keyed by an identity field when every item has a unique one, and
//! empty objects and lists as empty values.

use std::collections::{BTreeMap, HashSet};

use drift_core::__private::KeyedValues;
use drift_core::Value;
use drift_core::key::KeyBuilder;

/// The deepest nesting of lists and mappings read in one configuration
/// document: a deeper one is an error at its line. Documents this deep are
/// read (and at least 5,000 levels always are); the limit bounds what one
/// hostile file can cost, and keeps keys to a length a person can use.
pub(crate) const MAX_DEPTH: usize = 10_000;

/// The message of a document nested deeper than [`MAX_DEPTH`].
pub(crate) fn too_deep() -> String {
    format!("nested deeper than {MAX_DEPTH} levels; drift refuses such a document")
}

/// Runs one level of a recursion over a document with enough stack left
/// for it, whatever the thread: when less than 128 KiB remain, `f` runs on
/// a fresh segment of 4 MiB (stacker, as rustc does), so that a document
/// nested [`MAX_DEPTH`] levels deep reads on a worker thread of 2 MiB.
pub(crate) fn with_stack<R>(f: impl FnOnce() -> R) -> R {
    stacker::maybe_grow(128 * 1024, 4 * 1024 * 1024, f)
}

/// A parsed configuration value.
#[derive(Debug, PartialEq)]
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

impl Clone for Node {
    /// Clones level by level on [`with_stack`] (YAML anchors copy whole
    /// subtrees, as deep as a document goes).
    fn clone(&self) -> Node {
        with_stack(|| match self {
            Node::Null => Node::Null,
            Node::Bool(b) => Node::Bool(*b),
            Node::Int(i) => Node::Int(*i),
            Node::Float(f) => Node::Float(*f),
            Node::Str(s) => Node::Str(s.clone()),
            Node::List(items) => Node::List(items.clone()),
            Node::Map(entries) => Node::Map(entries.clone()),
        })
    }
}

impl Node {
    /// Drops a tree without recursing (the compiler's drop glue recurses
    /// once per level): each list or map is emptied into a work list first.
    pub(crate) fn dispose(self) {
        let mut work = vec![self];
        while let Some(mut node) = work.pop() {
            match &mut node {
                Node::List(items) => work.append(items),
                Node::Map(entries) => work.extend(entries.drain(..).map(|(_, v)| v)),
                _ => {}
            }
        }
    }

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
        with_stack(|| match self {
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
        })
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
///
/// The index is a table of its own (open addressing, linear probing) rather
/// than a hash map: each name is hashed once, and a slot holds what tells
/// most names apart without looking at them.
#[derive(Debug, Default)]
pub(crate) struct DupCheck {
    /// Per slot: the high half of a name's hash and its entry's index plus
    /// one (0: an empty slot). Its length is a power of two, at least twice
    /// the names indexed.
    slots: Vec<(u32, u32)>,
    /// The names indexed.
    indexed: usize,
}

/// A fast string hash for duplicate checks, where a collision only costs a
/// comparison: a name's first and last 8 bytes (which overlap in names of
/// 8 to 16 bytes, most names) read as two words, and the words between
/// them, each mixed in by a multiplication.
fn hash_name(s: &str) -> u64 {
    const K: u64 = 0x9e37_79b9_7f4a_7c15;
    let b = s.as_bytes();
    let mix = |h: u64, w: u64| {
        let x = (h ^ w).wrapping_mul(K);
        x ^ (x >> 32)
    };
    let mut h = (b.len() as u64).wrapping_mul(K);
    match (b.first_chunk::<8>(), b.last_chunk::<8>()) {
        (Some(first), Some(last)) => {
            h = mix(h, u64::from_le_bytes(*first));
            let middle = b.get(8..b.len().saturating_sub(8)).unwrap_or_default();
            for w in middle.chunks(8) {
                h = mix(h, w.iter().fold(0, |n, &c| n << 8 | u64::from(c)));
            }
            h = mix(h, u64::from_le_bytes(*last));
        }
        _ => h = mix(h, b.iter().fold(0, |n, &c| n << 8 | u64::from(c))),
    }
    // Every byte moves the high half (the tag) and the low bits (the slot).
    let h = h.wrapping_mul(K);
    h ^ (h >> 32)
}

/// Maps up to this size are checked for duplicates by scanning.
const SCAN_LIMIT: usize = 6;

impl DupCheck {
    /// Forgets the names seen, for another map: its first look at the
    /// index builds it anew, sized for that map.
    pub(crate) fn clear(&mut self) {
        self.indexed = 0;
    }

    /// Whether `name` is already in `entries`. Call it before pushing each
    /// entry, in order.
    pub(crate) fn is_duplicate<E: Named>(&mut self, entries: &[E], name: &str) -> bool {
        // (A map of four billion names, were there one, is scanned.)
        if entries.len() < SCAN_LIMIT || entries.len() >= u32::MAX as usize {
            return entries.iter().any(|e| e.name() == name);
        }
        if self.indexed != entries.len() || (self.indexed + 1) * 2 > self.slots.len() {
            self.rebuild(entries);
        }
        let h = hash_name(name);
        let (found, at) = self.find(entries, name, h);
        if !found {
            self.slots[at] = (tag(h), slot_index(entries.len()));
            self.indexed += 1;
        }
        found
    }

    /// Whether `name` (of hash `h`) is in `entries`, and else the empty
    /// slot where it goes.
    fn find<E: Named>(&self, entries: &[E], name: &str, h: u64) -> (bool, usize) {
        let mask = self.slots.len() - 1;
        let mut at = h as usize & mask;
        loop {
            let (t, i) = self.slots[at];
            if i == 0 {
                return (false, at);
            }
            if t == tag(h) && entries[i as usize - 1].name() == name {
                return (true, at);
            }
            at = (at + 1) & mask;
        }
    }

    /// Indexes every name of `entries` anew, in a table with room for as
    /// many again and more (its memory kept from map to map): at least 64
    /// names, so that the maps of most files are indexed once.
    fn rebuild<E: Named>(&mut self, entries: &[E]) {
        let size = (entries.len() * 4).next_power_of_two().max(128);
        self.slots.clear();
        self.slots.resize(size, (0, 0));
        self.indexed = 0;
        for (i, e) in entries.iter().enumerate() {
            let h = hash_name(e.name());
            // Of two equal names (a caller that pushed a duplicate), the
            // first is the one found.
            if let (false, at) = self.find(entries, e.name(), h) {
                self.slots[at] = (tag(h), slot_index(i));
            }
            self.indexed += 1;
        }
    }
}

/// The part of a hash kept in a slot: the part that did not pick it.
fn tag(h: u64) -> u32 {
    (h >> 32) as u32
}

/// An entry's index as a slot holds it: plus one, 0 being an empty slot
/// (maps with as many names as a `u32` counts are scanned, not indexed).
fn slot_index(i: usize) -> u32 {
    u32::try_from(i + 1).unwrap_or(u32::MAX)
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
    with_stack(|| flatten_level(builder, node, out));
}

fn flatten_level(builder: &mut KeyBuilder, node: Node, out: &mut KeyedValues) {
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

    #[test]
    fn the_last_of_a_name_set_twice_wins() {
        for names in [4, 40] {
            let mut entries: Vec<(String, usize)> =
                (0..names).map(|i| (format!("k{i}"), i)).collect();
            let mut once = last_wins(entries.clone());
            once.sort();
            let mut sorted = entries.clone();
            sorted.sort();
            assert_eq!(once, sorted, "each name once");
            entries.insert(1, ("k3".to_owned(), 100));
            entries.push(("k1".to_owned(), 200));
            let mut kept = last_wins(entries);
            kept.sort();
            let mut expected: Vec<(String, usize)> =
                (0..names).map(|i| (format!("k{i}"), i)).collect();
            expected[1].1 = 200;
            expected.sort();
            assert_eq!(kept, expected, "{names} names");
        }
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

    #[test]
    fn duplicate_names_are_found_in_maps_of_every_size_and_after_a_clear() {
        let mut dups = DupCheck::default();
        // Sizes below the scan limit, at it, and past several growths of
        // the table; names that share long prefixes and hash alike.
        for (round, size) in [3, SCAN_LIMIT, SCAN_LIMIT + 1, 40, 1000, 5000, 20]
            .into_iter()
            .enumerate()
        {
            dups.clear();
            // Names of every length up to 40 bytes in odd rounds.
            let all: Vec<String> = (0..size)
                .map(|i| match round % 2 {
                    0 => format!("section_{}_key_{i}", i % 4),
                    _ => format!("{i}{}", "ab_".repeat(i % 13)),
                })
                .collect();
            let mut names: Vec<&str> = Vec::new();
            for name in &all {
                assert!(!dups.is_duplicate(&names, name), "round {round}: {name}");
                names.push(name);
            }
            for probe in [0, size / 2, size - 1] {
                let again = all[probe].clone();
                assert!(dups.is_duplicate(&names, &again), "round {round}: {again}");
            }
            assert!(!dups.is_duplicate(&names, "section_0_key_"));
            assert!(!dups.is_duplicate(&names, ""));
        }
    }

    #[test]
    fn an_index_built_late_sees_every_name_before_it() {
        // The entries grow by other hands between checks: the index is
        // rebuilt from them.
        let mut dups = DupCheck::default();
        let mut names: Vec<&str> = vec!["a", "b", "c", "d", "e", "f", "g", "h"];
        names.extend(["i", "j", "k", "l", "m", "n", "o", "p", "q", "r"]);
        assert!(dups.is_duplicate(&names, "q"));
        assert!(!dups.is_duplicate(&names, "s"));
        names.push("s");
        names.push("t");
        assert!(dups.is_duplicate(&names, "t"));
        assert!(dups.is_duplicate(&names, "a"));
    }
}
