//! Grouping equal values: majorities, odd ones out, consensus.

use crate::value::Value;

/// Groups the indices of `values` by equality (absence is a value too), in
/// order of first appearance.
pub(super) fn groups(values: &[Option<&Value>]) -> Vec<Vec<usize>> {
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for (i, v) in values.iter().enumerate() {
        match groups.iter_mut().find(|g| values[g[0]] == *v) {
            Some(g) => g.push(i),
            None => groups.push(vec![i]),
        }
    }
    groups
}

/// The group holding a strict majority, if any.
pub(super) fn majority(groups: &[Vec<usize>], n: usize) -> Option<&Vec<usize>> {
    groups.iter().find(|g| g.len() * 2 > n)
}

/// The indices outside the strict majority, when there is a majority and
/// more than two values.
pub(super) fn odd_ones(values: &[Option<&Value>]) -> Vec<usize> {
    let n = values.len();
    if n < 3 {
        return Vec::new();
    }
    let g = groups(values);
    match majority(&g, n) {
        Some(m) => (0..n).filter(|i| !m.contains(i)).collect(),
        None => Vec::new(),
    }
}

/// The consensus of a fleet's values: `Some(value)` (possibly absent) when
/// a strict majority agrees, `None` when there is none.
pub(super) fn consensus<'v>(values: &[Option<&'v Value>]) -> Option<Option<&'v Value>> {
    if values.windows(2).all(|w| w[0] == w[1]) {
        return values.first().copied();
    }
    let g = groups(values);
    majority(&g, values.len()).map(|m| values[m[0]])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn odd_one_out_needs_a_strict_majority_of_three_or_more() {
        let a = Value::from("a");
        let b = Value::from("b");
        assert_eq!(odd_ones(&[Some(&a), Some(&a), Some(&b)]), [2]);
        assert_eq!(odd_ones(&[Some(&a), Some(&a), None]), [2]);
        assert!(odd_ones(&[Some(&a), Some(&b)]).is_empty());
        let c = Value::from("c");
        assert!(odd_ones(&[Some(&a), Some(&b), Some(&c)]).is_empty());
    }

    #[test]
    fn consensus_of_a_fleet() {
        let a = Value::from("a");
        let b = Value::from("b");
        assert_eq!(consensus(&[Some(&a), Some(&a), Some(&b)]), Some(Some(&a)));
        assert_eq!(consensus(&[None, None, Some(&b)]), Some(None));
        assert_eq!(consensus(&[Some(&a), Some(&b)]), None);
        assert_eq!(consensus(&[Some(&a)]), Some(Some(&a)));
    }
}
