//! Details of changed values: differing object fields, text line diffs.

use std::collections::BTreeSet;

use similar::TextDiff as LineDiff;

use crate::report::{Detail, FieldDiff, Name, TextDiff};
use crate::value::Value;

use super::group;

/// A detail for values of one type that differ, when one helps.
pub(super) fn describe(names: &[&str], vals: &[&Value], max_lines: usize) -> Option<Detail> {
    match vals.first()? {
        Value::Object(_) => fields(names, vals),
        Value::File(_) => text(names, vals, max_lines),
        _ => None,
    }
}

fn fields(names: &[&str], vals: &[&Value]) -> Option<Detail> {
    let maps: Option<Vec<_>> = vals
        .iter()
        .map(|v| match v {
            Value::Object(m) => Some(m),
            _ => None,
        })
        .collect();
    let maps = maps?;
    let all_fields: BTreeSet<&String> = maps.iter().flat_map(|m| m.keys()).collect();
    let diffs: Vec<FieldDiff> = all_fields
        .into_iter()
        .filter(|f| {
            let first = maps[0].get(*f);
            maps.iter().any(|m| m.get(*f) != first)
        })
        .map(|f| FieldDiff {
            field: f.clone(),
            values: names
                .iter()
                .zip(&maps)
                .map(|(n, m)| (Name::from(*n), m.get(f).cloned()))
                .collect(),
        })
        .collect();
    (!diffs.is_empty()).then_some(Detail::Fields(diffs))
}

fn text(names: &[&str], vals: &[&Value], max_lines: usize) -> Option<Detail> {
    let files: Option<Vec<_>> = vals
        .iter()
        .map(|v| match v {
            Value::File(f) => f.text.as_deref().map(|t| (f, t)),
            _ => None,
        })
        .collect();
    let files = files?;
    // The reference is the majority's text, or the first environment's.
    let opts: Vec<Option<&Value>> = vals.iter().map(|v| Some(*v)).collect();
    let groups = group::groups(&opts);
    let reference = group::majority(&groups, vals.len()).map_or(0, |g| g[0]);
    let (ref_file, ref_text) = files[reference];
    let mut diffs = Vec::new();
    for (i, (file, text)) in files.iter().enumerate() {
        if i == reference || file.blake3 == ref_file.blake3 {
            continue;
        }
        let diff = LineDiff::from_lines(ref_text, *text);
        let mut unified = diff
            .unified_diff()
            .context_radius(3)
            .header(names[reference], names[i])
            .to_string();
        truncate_lines(&mut unified, max_lines);
        if unified.is_empty() {
            // Only the mode differs.
            continue;
        }
        diffs.push(TextDiff {
            from: names[reference].to_owned(),
            to: names[i].to_owned(),
            unified,
        });
    }
    (!diffs.is_empty()).then_some(Detail::Text(diffs))
}

fn truncate_lines(text: &mut String, max_lines: usize) {
    let total = text.lines().count();
    if total <= max_lines {
        return;
    }
    let cut = text
        .match_indices('\n')
        .nth(max_lines.saturating_sub(1))
        .map_or(text.len(), |(i, _)| i + 1);
    text.truncate(cut);
    text.push_str(&format!("… {} more lines\n", total - max_lines));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::FileInfo;

    fn file(text: &str) -> Value {
        Value::from(FileInfo {
            blake3: blake3::hash(text.as_bytes()).to_hex().to_string(),
            size: text.len() as u64,
            mode: Some(0o644),
            text: Some(text.to_owned()),
        })
    }

    #[test]
    fn text_files_get_a_line_diff_against_the_majority() {
        let a = file("worker_processes 4;\nlisten 80;\n");
        let b = file("worker_processes 8;\nlisten 80;\n");
        let Some(Detail::Text(d)) = describe(&["dev", "staging", "prod"], &[&a, &a, &b], 100)
        else {
            panic!("expected a text diff")
        };
        assert_eq!(d.len(), 1);
        assert_eq!((d[0].from.as_str(), d[0].to.as_str()), ("dev", "prod"));
        assert!(
            d[0].unified.contains("-worker_processes 4;"),
            "{}",
            d[0].unified
        );
        assert!(d[0].unified.contains("+worker_processes 8;"));
    }

    #[test]
    fn long_diffs_are_truncated() {
        let mut s = "a\nb\nc\nd\ne\n".to_owned();
        truncate_lines(&mut s, 2);
        assert_eq!(s, "a\nb\n… 3 more lines\n");
    }

    #[test]
    fn object_fields_that_differ() {
        let mut a = std::collections::BTreeMap::new();
        a.insert("type".to_owned(), Value::from("integer"));
        a.insert("nullable".to_owned(), Value::Bool(false));
        let mut b = a.clone();
        b.insert("nullable".to_owned(), Value::Bool(true));
        let (a, b) = (Value::Object(a), Value::Object(b));
        let Some(Detail::Fields(f)) = describe(&["staging", "prod"], &[&a, &b], 10) else {
            panic!("expected fields")
        };
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].field, "nullable");
    }
}
