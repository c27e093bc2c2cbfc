//! A release among the environments: held one way to each of the others
//! (`docs/readiness.md`), never joining their vote, while the others are
//! compared with each other as always.

use super::{DiffError, DiffOptions, Environment, engine};
use crate::manifest::Manifest;
use crate::policy::Policy;
use crate::report::{Finding, Report};

/// The manifests of every host of `list`.
fn manifests<'a>(list: &[&Environment<'a>]) -> Vec<&'a Manifest> {
    list.iter()
        .flat_map(|e| e.hosts.iter().map(|h| h.manifest))
        .collect()
}

/// The report of a comparison with a release among `environments`: the
/// ordinary comparison of the targets (the environments that are not
/// releases) — the diff engine runs once, over them alone — and each
/// release held one way to each target, every host of a fleet.
///
/// The releases take no part in the engine's run: what the report says of
/// them (their environment, collection errors, fingerprint key, the keys
/// they add to the count and the rules those match) is read off their
/// manifests, without an N-way comparison.
pub(super) fn run(
    environments: &[Environment<'_>],
    policy: &Policy,
    options: &DiffOptions,
    is_release: &dyn Fn(&Environment<'_>) -> bool,
) -> Result<Report, DiffError> {
    engine::validate(environments)?;
    let (releases, targets): (Vec<&Environment<'_>>, Vec<&Environment<'_>>) =
        environments.iter().partition(|e| is_release(e));
    if targets.is_empty() {
        return Err(DiffError::TooFew);
    }
    let (target_manifests, release_manifests) = (manifests(&targets), manifests(&releases));
    // The ordinary comparison of the targets (of their hosts, for one
    // fleet), when there are two things to compare.
    let gathered = if target_manifests.len() >= 2 {
        let owned: Vec<Environment<'_>> = targets.iter().map(|e| (*e).clone()).collect();
        let mut g = engine::compare(&owned, policy, options);
        g.count_keys_outside(&target_manifests, &release_manifests, policy);
        g
    } else {
        let mut g = engine::Gathered::empty(policy);
        let all: Vec<&Manifest> = target_manifests
            .iter()
            .chain(&release_manifests)
            .copied()
            .collect();
        g.count_keys_outside(&[], &all, policy);
        g
    };
    let among_hits = gathered.waiver_hits().to_vec();
    let mut report = engine::assemble(environments, policy, options, gathered);
    let mut hits = vec![0usize; policy.waivers.len()];
    for r in &releases {
        let Some(rh) = r.hosts.first() else {
            continue;
        };
        for t in &targets {
            let (mut findings, verdict) = if let [th] = t.hosts.as_slice() {
                let (mut findings, _) = crate::readiness::compare(rh.manifest, th.manifest);
                apply_policy(&mut findings, policy, options, &mut hits);
                let verdict = crate::readiness::verdict_of(r.name, t.name, &findings);
                (findings, verdict)
            } else {
                let hosts: Vec<crate::readiness::fleet::FleetHost<'_>> =
                    t.hosts.iter().map(|h| (h.name, h.manifest)).collect();
                let mut findings =
                    crate::readiness::fleet::compare_fleet(rh.manifest, t.name, &hosts);
                apply_policy(&mut findings, policy, options, &mut hits);
                let verdict = crate::readiness::fleet::verdict(r.name, t.name, &hosts, &findings);
                (findings, verdict)
            };
            report.findings.append(&mut findings);
            report.readiness.push(verdict);
        }
    }
    count_waiver_hits(&mut report, policy, options, &among_hits, &hits);
    report.findings.sort_by(|a, b| a.key.cmp(&b.key));
    report.recount();
    Ok(report)
}

/// The policy on readiness findings: `ignore` rules drop them, a rule's
/// severity replaces theirs, and waivers waive them (an expired waiver
/// says so), as the ordinary comparison does. Adds to `hits` the findings
/// each waiver matched.
fn apply_policy(
    findings: &mut Vec<Finding>,
    policy: &Policy,
    options: &DiffOptions,
    hits: &mut [usize],
) {
    use crate::policy::Expect;
    findings.retain(|f| {
        let r = policy.resolve(&f.key);
        !(r.expect_explicit && r.expect == Expect::Ignore)
    });
    for f in findings.iter_mut() {
        let r = policy.resolve(&f.key);
        if let Some(s) = r.severity {
            f.severity = s;
        }
        if r.rule.is_some() {
            f.rule = r.rule.map(std::sync::Arc::from);
        }
        if r.reason.is_some() {
            f.reason = r.reason.map(std::sync::Arc::from);
        }
        for (i, w) in policy.waivers.iter().enumerate() {
            if !w.matches(f.key.as_str()) {
                continue;
            }
            // A waiver for some environments: the release's, the target's,
            // or (for a fleet) its hosts'.
            if let Some(envs) = &w.environments
                && !f
                    .values
                    .iter()
                    .map(|(n, _)| n)
                    .chain(&f.environment)
                    .any(|n| envs.iter().any(|e| e == &**n))
            {
                continue;
            }
            if let Some(h) = hits.get_mut(i) {
                *h += 1;
            }
            let note = std::sync::Arc::new(engine::waiver_note(w));
            engine::waive(f, w.state(options.today), &note);
        }
    }
}

/// Counts what each waiver matched among the findings the report keeps —
/// those among the targets (`among`) and the readiness findings (`hits`);
/// the comparison of every manifest, release included, counted findings
/// the report drops — and says again which waivers matched nothing or
/// have expired.
fn count_waiver_hits(
    report: &mut Report,
    policy: &Policy,
    options: &DiffOptions,
    among: &[usize],
    hits: &[usize],
) {
    use crate::policy::WaiverState;
    use crate::report::Note;
    report
        .notes
        .retain(|n| !matches!(n, Note::WaiverUnused { .. } | Note::WaiverExpired { .. }));
    for (i, w) in policy.waivers.iter().enumerate() {
        let n = among.get(i).copied().unwrap_or(0) + hits.get(i).copied().unwrap_or(0);
        if let Some(m) = report.matches.waivers.get_mut(i) {
            m.findings = Some(n);
        }
        let waiver = engine::waiver_note(w);
        match (w.state(options.today), n) {
            (_, 0) => report.notes.push(Note::WaiverUnused { waiver }),
            (WaiverState::Expired, findings) => {
                report.notes.push(Note::WaiverExpired { waiver, findings })
            }
            _ => {}
        }
    }
}

#[cfg(test)]
#[path = "readiness_tests.rs"]
mod tests;
