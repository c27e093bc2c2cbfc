//! A release held to a fleet: compared with every host, one way, and the
//! hosts' findings merged into findings that name the hosts where they
//! hold, as the ordinary comparison of a fleet names its odd ones out.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::{ChangeClass, HostReadiness, Readiness, compare, verdict_of};
use crate::manifest::Manifest;
use crate::report::{Finding, FindingKind, Name};
use crate::value::Value;

/// One host of the fleet: its name and its manifest.
pub(crate) type FleetHost<'a> = (&'a str, &'a Manifest);

/// A finding of some hosts, as it is being merged.
struct Merged {
    finding: Finding,
    /// Per host of the fleet, the host's value when the finding holds there.
    on: Vec<Option<Option<Value>>>,
}

/// Compares `release` with each host of the fleet `env` and merges the
/// hosts' findings: one finding per key, kind and change class, of
/// environment `env`, whose values are the release's and every host's, in
/// the fleet's order, and whose odd ones out are the hosts where it holds.
/// Sorted by key.
pub(crate) fn compare_fleet(
    release: &Manifest,
    env: &str,
    hosts: &[FleetHost<'_>],
) -> Vec<Finding> {
    let env_name: Name = Arc::from(env);
    let names: Vec<Name> = hosts.iter().map(|(n, _)| Arc::from(*n)).collect();
    let mut merged: BTreeMap<(String, FindingKind, Option<ChangeClass>), Merged> = BTreeMap::new();
    for (i, (_, manifest)) in hosts.iter().enumerate() {
        let (findings, _) = compare(release, manifest);
        for mut f in findings {
            let there = f.values.get_mut(1).and_then(|(_, v)| v.take());
            let id = (f.key.as_str().to_owned(), f.kind, f.change_class);
            let m = merged.entry(id).or_insert_with(|| Merged {
                on: vec![None; hosts.len()],
                finding: f,
            });
            if let Some(slot) = m.on.get_mut(i) {
                *slot = Some(there);
            }
        }
    }
    merged
        .into_values()
        .map(|Merged { mut finding, on }| {
            let release_value = finding.values.first().cloned();
            finding.values = release_value.into_iter().collect();
            finding.odd_one_out.clear();
            for (((_, manifest), on), arc) in hosts.iter().zip(on).zip(&names) {
                let value = match on {
                    Some(there) => {
                        finding.odd_one_out.push(arc.clone());
                        there
                    }
                    None => manifest.get(finding.key.as_str()).cloned(),
                };
                finding.values.push((arc.clone(), value));
            }
            finding.environment = Some(env_name.clone());
            finding
        })
        .collect()
}

/// The readiness of `release` for the fleet `env` from the merged findings
/// (policy applied): each host's verdict from the findings that hold on
/// it, and the environment's the worst of them.
pub(crate) fn verdict(
    release: &str,
    env: &str,
    hosts: &[FleetHost<'_>],
    findings: &[Finding],
) -> Readiness {
    let mut r = verdict_of(release, env, findings);
    r.hosts = hosts
        .iter()
        .map(|(host, _)| {
            let on = findings
                .iter()
                .filter(|f| f.odd_one_out.iter().any(|n| &**n == *host));
            let h = verdict_of(release, host, on);
            HostReadiness {
                host: (*host).to_owned(),
                verdict: h.verdict,
                pending: h.pending,
                contract: h.contract,
                blocking: h.blocking,
            }
        })
        .collect();
    r
}

#[cfg(test)]
#[path = "fleet_tests.rs"]
mod tests;
