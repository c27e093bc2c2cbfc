//! Which PostgreSQL schemas (namespaces) of a source are read:
//! `--schema-include GLOB` / `--schema-exclude GLOB`, as the peers'
//! `--schema` / `--exclude-schema`. The schemas left out are named in the
//! coverage, so that nothing reads as "in sync" that was never compared.

use drift_core::KeyPattern;
use drift_core::pattern::PatternError;

use super::model::Model;

/// The schemas a source reads: those matching an include glob (every one
/// when there is none) and no exclude glob.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Scope {
    include: Vec<KeyPattern>,
    exclude: Vec<KeyPattern>,
}

impl Scope {
    /// A scope of the given globs.
    pub(crate) fn new<S: AsRef<str>>(include: &[S], exclude: &[S]) -> Result<Scope, PatternError> {
        let compile = |globs: &[S]| {
            globs
                .iter()
                .map(|g| KeyPattern::new(g.as_ref()))
                .collect::<Result<Vec<_>, _>>()
        };
        Ok(Scope {
            include: compile(include)?,
            exclude: compile(exclude)?,
        })
    }

    /// Whether every schema is read.
    pub(crate) fn is_all(&self) -> bool {
        self.include.is_empty() && self.exclude.is_empty()
    }

    /// Whether `schema` is read.
    pub(crate) fn keeps(&self, schema: &str) -> bool {
        (self.include.is_empty() || self.include.iter().any(|p| p.matches(schema)))
            && !self.exclude.iter().any(|p| p.matches(schema))
    }

    /// Drops the objects of the schemas left out from `m` and returns those
    /// schemas' names, sorted. Extensions (database-wide), settings, the
    /// server and the migration history stay.
    pub(crate) fn apply(&self, m: &mut Model) -> Vec<String> {
        if self.is_all() {
            return Vec::new();
        }
        let mut seen: std::collections::BTreeSet<String> = m.schemas.keys().cloned().collect();
        {
            let mut note = |n: &[String]| {
                if let Some(s) = n.first() {
                    seen.insert(s.clone());
                }
            };
            m.tables.keys().for_each(|n| note(n));
            m.indexes.keys().for_each(|n| note(n));
            m.constraints.keys().for_each(|n| note(n));
            m.sequences.keys().for_each(|n| note(n));
            m.views.keys().for_each(|n| note(n));
            m.routines.keys().for_each(|n| note(n));
            m.triggers.keys().for_each(|n| note(n));
            m.enums.keys().for_each(|n| note(n));
            m.domains.keys().for_each(|n| note(n));
            m.policies.keys().for_each(|n| note(n));
            m.collations.keys().for_each(|n| note(n));
            m.partitions.keys().for_each(|n| note(n));
        }
        let keep = |n: &[String]| n.first().is_none_or(|s| self.keeps(s));
        m.schemas.retain(|s, _| self.keeps(s));
        m.tables.retain(|n, _| keep(n));
        m.indexes.retain(|n, _| keep(n));
        m.constraints.retain(|n, _| keep(n));
        m.sequences.retain(|n, _| keep(n));
        m.views.retain(|n, _| keep(n));
        m.routines.retain(|n, _| keep(n));
        m.triggers.retain(|n, _| keep(n));
        m.enums.retain(|n, _| keep(n));
        m.domains.retain(|n, _| keep(n));
        m.policies.retain(|n, _| keep(n));
        m.collations.retain(|n, _| keep(n));
        m.partitions.retain(|n, _| keep(n));
        m.owners.retain(|(_, n), _| keep(n));
        m.grants.retain(|(_, n), _| keep(n));
        m.comments.retain(|(_, n), _| keep(n));
        m.extras.retain(|(_, n), _| keep(n));
        m.others.retain(|(_, n), _| keep(n));
        seen.into_iter().filter(|s| !self.keeps(s)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::model::Table;

    #[test]
    fn includes_then_excludes() {
        let s = Scope::new(&["app*", "billing"], &["app_tmp*"]).unwrap();
        assert!(s.keeps("app") && s.keeps("app_core") && s.keeps("billing"));
        assert!(!s.keeps("app_tmp1") && !s.keeps("public"));
        let all = Scope::new::<&str>(&[], &[]).unwrap();
        assert!(all.is_all() && all.keeps("anything"));
        assert!(Scope::new(&["{a"], &[]).is_err());
    }

    #[test]
    fn left_out_schemas_are_named_and_their_objects_dropped() {
        let mut m = Model::default();
        for s in ["public", "audit", "app"] {
            m.schemas.insert(s.into(), Default::default());
            m.tables
                .insert(vec![s.into(), "t".into()], Table::default());
        }
        m.comments
            .insert(("schema".into(), vec!["audit".into()]), "old".into());
        let left = Scope::new(&[] as &[&str], &["audit", "pub*"])
            .unwrap()
            .apply(&mut m);
        assert_eq!(left, ["audit", "public"]);
        assert_eq!(
            m.tables.keys().collect::<Vec<_>>(),
            [&vec!["app".to_owned(), "t".to_owned()]]
        );
        assert!(m.comments.is_empty());
    }
}
