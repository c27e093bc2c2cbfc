//! Helpers for the tests, in this crate and (with the `twin-tests`
//! feature) in the others. Test support only: unlike the rest of the crate,
//! [`twins::fixtures`] reads files.

pub mod twins;

/// A small deterministic generator for generated inputs: each call gives a
/// number below `n`.
#[cfg(test)]
pub(crate) fn xorshift(mut seed: u64) -> impl FnMut(usize) -> usize {
    move |n| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n as u64) as usize
    }
}

/// A `changed` error finding of `key` across environments (name, value;
/// `None`: absent), with nothing else set.
#[cfg(test)]
pub(crate) fn changed_finding(key: &str, values: &[(&str, Option<&str>)]) -> crate::Finding {
    crate::Finding {
        key: crate::KeyPath::new(key).unwrap(),
        kind: crate::report::FindingKind::Changed,
        severity: crate::Severity::Error,
        environment: None,
        values: values
            .iter()
            .map(|(n, v)| (std::sync::Arc::from(*n), v.map(crate::Value::from)))
            .collect(),
        odd_one_out: Vec::new(),
        detail: None,
        waived: None,
        expired_waiver: None,
        rule: None,
        reason: None,
        change_class: None,
    }
}
