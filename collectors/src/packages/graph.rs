//! Which packages of a lockfile are development-only, for lockfiles that
//! record a dependency graph rather than a flag (pnpm v9, uv).

use std::collections::{BTreeMap, BTreeSet};

/// A dependency graph over node ids.
#[derive(Debug, Default)]
pub(super) struct Graph {
    edges: BTreeMap<String, Vec<String>>,
    prod_roots: Vec<String>,
}

impl Graph {
    /// Adds an edge `from` → `to`.
    pub(super) fn edge(&mut self, from: &str, to: String) {
        self.edges.entry(from.to_owned()).or_default().push(to);
    }

    /// Marks a node as needed in production.
    pub(super) fn prod_root(&mut self, node: String) {
        self.prod_roots.push(node);
    }

    /// The nodes reachable from the production roots; everything else in
    /// the lockfile is development-only.
    pub(super) fn prod_reachable(&self) -> BTreeSet<String> {
        let mut seen = BTreeSet::new();
        let mut stack: Vec<&str> = self.prod_roots.iter().map(String::as_str).collect();
        while let Some(n) = stack.pop() {
            if !seen.insert(n.to_owned()) {
                continue;
            }
            if let Some(next) = self.edges.get(n) {
                stack.extend(next.iter().map(String::as_str));
            }
        }
        seen
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reachability_handles_cycles() {
        let mut g = Graph::default();
        g.edge("a", "b".into());
        g.edge("b", "a".into());
        g.edge("dev", "c".into());
        g.prod_root("a".into());
        let r = g.prod_reachable();
        assert!(r.contains("a") && r.contains("b") && !r.contains("c"));
    }
}
