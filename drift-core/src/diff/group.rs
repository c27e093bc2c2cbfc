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

/// The value a strict majority holds, if any (absence counts as a value):
/// Boyer–Moore voting, then a count, without allocating.
pub(super) fn majority_value<'v>(values: &[Option<&'v Value>]) -> Option<Option<&'v Value>> {
    let mut candidate = *values.first()?;
    let mut votes = 0usize;
    for v in values {
        if votes == 0 {
            candidate = *v;
            votes = 1;
        } else if *v == candidate {
            votes += 1;
        } else {
            votes -= 1;
        }
    }
    let count = values.iter().filter(|v| **v == candidate).count();
    (count * 2 > values.len()).then_some(candidate)
}

/// The indices outside the strict majority, when there is a majority and
/// more than two values.
pub(super) fn odd_ones<'a>(values: &'a [Option<&'a Value>]) -> impl Iterator<Item = usize> + 'a {
    let m = if values.len() < 3 {
        None
    } else {
        majority_value(values)
    };
    values
        .iter()
        .enumerate()
        .filter(move |(_, v)| m.is_some_and(|m| **v != m))
        .map(|(i, _)| i)
}

/// The consensus of a fleet's values: `Some(value)` (possibly absent) when
/// a strict majority agrees, `None` when there is none.
pub(super) fn consensus<'v>(values: &[Option<&'v Value>]) -> Option<Option<&'v Value>> {
    majority_value(values)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn odd_one_out_needs_a_strict_majority_of_three_or_more() {
        let a = Value::from("a");
        let b = Value::from("b");
        let odd = |v: &[Option<&Value>]| odd_ones(v).collect::<Vec<_>>();
        assert_eq!(odd(&[Some(&a), Some(&a), Some(&b)]), [2]);
        assert_eq!(odd(&[Some(&a), Some(&a), None]), [2]);
        assert_eq!(odd(&[Some(&b), Some(&a), Some(&a)]), [0]);
        assert!(odd(&[Some(&a), Some(&b)]).is_empty());
        let c = Value::from("c");
        assert!(odd(&[Some(&a), Some(&b), Some(&c)]).is_empty());
        assert!(odd(&[Some(&a), Some(&b), Some(&a), Some(&b)]).is_empty());
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
