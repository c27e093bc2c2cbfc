//! Aligning manifests by key in parallel, and assembling the report.

use std::ops::Range;

use rayon::prelude::*;

use crate::key::{KeyPath, Layer};
use crate::manifest::Manifest;
use crate::policy::defaults::{self, DefaultKind};
use crate::policy::{Expect, Policy, Resolved, WaiverState};
use crate::report::{
    EnvironmentSummary, Finding, FindingKind, HostSummary, Note, Report, ReportError, Summary,
    WaiverNote,
};
use crate::value::Value;

use super::classify::{Check, Verdict, judge};
use super::{DiffError, DiffOptions, Environment, group};

/// Key ranges smaller than this are not split further.
const MIN_CHUNK: usize = 8192;
/// At most this many key ranges.
const MAX_CHUNKS: usize = 256;

struct Ctx<'a> {
    policy: &'a Policy,
    options: &'a DiffOptions,
    env_names: Vec<&'a str>,
    host_names: Vec<Vec<&'a str>>,
    env_cols: Vec<Range<usize>>,
    secrets_comparable: bool,
    check_equal_keys: bool,
}

#[derive(Default)]
struct ChunkOut {
    findings: Vec<Finding>,
    keys: usize,
    waiver_hits: Vec<usize>,
    secrets_skipped: bool,
}

pub(super) fn run(
    envs: &[Environment<'_>],
    policy: &Policy,
    options: &DiffOptions,
) -> Result<Report, DiffError> {
    validate(envs)?;
    let columns: Vec<&Manifest> = envs
        .iter()
        .flat_map(|e| e.hosts.iter().map(|h| h.manifest))
        .collect();
    let mut env_cols = Vec::with_capacity(envs.len());
    let mut start = 0;
    for e in envs {
        env_cols.push(start..start + e.hosts.len());
        start += e.hosts.len();
    }
    let fp_keys: Vec<(String, String)> = envs
        .iter()
        .flat_map(|e| e.hosts.iter())
        .map(|h| {
            (
                h.name.to_owned(),
                h.manifest
                    .fingerprint_key
                    .clone()
                    .unwrap_or_else(|| "unkeyed".to_owned()),
            )
        })
        .collect();
    let secrets_comparable = fp_keys.windows(2).all(|w| w[0].1 == w[1].1);
    let ctx = Ctx {
        policy,
        options,
        env_names: envs.iter().map(|e| e.name).collect(),
        host_names: envs
            .iter()
            .map(|e| e.hosts.iter().map(|h| h.name).collect())
            .collect(),
        env_cols,
        secrets_comparable,
        check_equal_keys: policy.has_differ_rules(),
    };
    let chunks = plan_chunks(&columns);
    let outs: Vec<ChunkOut> = chunks
        .into_par_iter()
        .map(|ranges| compare_range(&ctx, &columns, &ranges))
        .collect();

    let mut findings = Vec::with_capacity(outs.iter().map(|o| o.findings.len()).sum());
    let mut keys = 0;
    let mut hits = vec![0usize; policy.waivers.len()];
    let mut secrets_skipped = false;
    for out in outs {
        findings.extend(out.findings);
        keys += out.keys;
        for (h, n) in hits.iter_mut().zip(out.waiver_hits) {
            *h += n;
        }
        secrets_skipped |= out.secrets_skipped;
    }
    findings.sort_by_key(|f| layer_rank(&f.key));

    let mut notes = Vec::new();
    if !secrets_comparable {
        notes.push(Note::FingerprintKeysDiffer { keys: fp_keys });
    }
    for (w, &n) in policy.waivers.iter().zip(&hits) {
        let note = waiver_note(w);
        match (w.state(options.today), n) {
            (_, 0) => notes.push(Note::WaiverUnused { waiver: note }),
            (WaiverState::Expired, n) => notes.push(Note::WaiverExpired {
                waiver: note,
                findings: n,
            }),
            _ => {}
        }
    }
    let errors: Vec<ReportError> = envs
        .iter()
        .flat_map(|e| {
            e.hosts.iter().flat_map(move |h| {
                h.manifest.errors.iter().map(move |err| ReportError {
                    environment: e.name.to_owned(),
                    target: h.manifest.target.clone(),
                    error: err.clone(),
                })
            })
        })
        .collect();
    let summary = summarize(&findings, keys, errors.is_empty() && !secrets_skipped);
    Ok(Report {
        environments: envs
            .iter()
            .map(|e| EnvironmentSummary {
                name: e.name.to_owned(),
                hosts: e
                    .hosts
                    .iter()
                    .map(|h| HostSummary {
                        name: h.name.to_owned(),
                        target: h.manifest.target.clone(),
                        created_at: h.manifest.created_at.clone(),
                        entries: h.manifest.len(),
                        errors: h.manifest.errors.len(),
                    })
                    .collect(),
            })
            .collect(),
        findings,
        errors,
        notes,
        summary,
    })
}

fn validate(envs: &[Environment<'_>]) -> Result<(), DiffError> {
    for (i, e) in envs.iter().enumerate() {
        if e.hosts.is_empty() {
            return Err(DiffError::EmptyEnvironment(e.name.to_owned()));
        }
        if envs[..i].iter().any(|o| o.name == e.name) {
            return Err(DiffError::DuplicateEnvironment(e.name.to_owned()));
        }
        for (j, h) in e.hosts.iter().enumerate() {
            if e.hosts[..j].iter().any(|o| o.name == h.name) {
                return Err(DiffError::DuplicateHost {
                    env: e.name.to_owned(),
                    host: h.name.to_owned(),
                });
            }
        }
    }
    let columns: usize = envs.iter().map(|e| e.hosts.len()).sum();
    if envs.is_empty() || columns < 2 {
        return Err(DiffError::TooFew);
    }
    Ok(())
}

fn layer_rank(key: &KeyPath) -> usize {
    let layer = key.layer();
    Layer::ALL
        .iter()
        .position(|l| *l == layer)
        .unwrap_or(Layer::ALL.len())
}

/// Splits the key space into ranges of about equal size, using the keys of
/// the largest manifest as pivots; each range gives, per column, the slice
/// of entries that fall into it.
fn plan_chunks(columns: &[&Manifest]) -> Vec<Vec<Range<usize>>> {
    let Some(largest) = columns.iter().max_by_key(|m| m.len()) else {
        return Vec::new();
    };
    let len = largest.len();
    let n = (len / MIN_CHUNK).clamp(1, MAX_CHUNKS);
    let mut pivots: Vec<&str> = (1..n)
        .map(|i| largest.entries()[i * len / n].key.as_str())
        .collect();
    pivots.dedup();
    let bounds: Vec<Vec<usize>> = columns
        .iter()
        .map(|m| {
            let mut b = Vec::with_capacity(pivots.len() + 2);
            b.push(0);
            b.extend(pivots.iter().map(|p| m.lower_bound(p)));
            b.push(m.len());
            b
        })
        .collect();
    (0..=pivots.len())
        .map(|i| bounds.iter().map(|b| b[i]..b[i + 1]).collect())
        .collect()
}

fn compare_range(ctx: &Ctx<'_>, columns: &[&Manifest], ranges: &[Range<usize>]) -> ChunkOut {
    let mut out = ChunkOut {
        waiver_hits: vec![0; ctx.policy.waivers.len()],
        ..ChunkOut::default()
    };
    let mut pos: Vec<usize> = ranges.iter().map(|r| r.start).collect();
    let mut vals: Vec<Option<&Value>> = vec![None; columns.len()];
    loop {
        let mut min: Option<&KeyPath> = None;
        for (c, m) in columns.iter().enumerate() {
            if pos[c] < ranges[c].end {
                let k = &m.entries()[pos[c]].key;
                if min.is_none_or(|cur| k < cur) {
                    min = Some(k);
                }
            }
        }
        let Some(key) = min else {
            break;
        };
        let mut all_same = true;
        for (c, m) in columns.iter().enumerate() {
            vals[c] = None;
            if pos[c] < ranges[c].end {
                let e = &m.entries()[pos[c]];
                if e.key == *key {
                    vals[c] = Some(&e.value);
                    pos[c] += 1;
                }
            }
            all_same &= vals[c].is_some() && vals[c] == vals[0];
        }
        out.keys += 1;
        if all_same && !ctx.check_equal_keys {
            continue;
        }
        evaluate(ctx, key, &vals, &mut out);
    }
    out
}

fn evaluate(ctx: &Ctx<'_>, key: &KeyPath, cols: &[Option<&Value>], out: &mut ChunkOut) {
    let resolved = ctx.policy.resolve(key);
    let (ignored, expect): (&[String], Expect) = match (resolved.expect, resolved.environments) {
        (Expect::Ignore, None) => return,
        (Expect::Ignore, Some(envs)) => (envs, defaults::expect_for(key)),
        (e, _) => (&[], e),
    };
    let mut check = Check::from_resolved(
        &resolved,
        ctx.secrets_comparable,
        ctx.options.max_diff_lines,
    );
    check.expect = expect;

    // Hosts of one environment first, then each environment's consensus.
    let mut env_idx = Vec::with_capacity(ctx.env_cols.len());
    let mut env_vals: Vec<Option<&Value>> = Vec::with_capacity(ctx.env_cols.len());
    for (e, range) in ctx.env_cols.iter().enumerate() {
        if ignored.iter().any(|n| n == ctx.env_names[e]) {
            continue;
        }
        let vals = &cols[range.clone()];
        if vals.len() == 1 {
            env_idx.push(e);
            env_vals.push(vals[0]);
            continue;
        }
        if !vals.windows(2).all(|w| w[0] == w[1]) {
            let fleet = Check {
                expect: if expect == Expect::Differ {
                    Expect::Equal
                } else {
                    expect
                },
                ..Check::from_resolved(
                    &resolved,
                    ctx.secrets_comparable,
                    ctx.options.max_diff_lines,
                )
            };
            let names = &ctx.host_names[e];
            match judge(&fleet, names, vals) {
                Some(v) => push_finding(ctx, key, &resolved, Some(e), names, vals, v, out),
                None => note_skipped_secret(ctx, &resolved, vals, out),
            }
        }
        if let Some(c) = group::consensus(vals) {
            env_idx.push(e);
            env_vals.push(c);
        }
    }
    if env_vals.len() < 2 {
        return;
    }
    let names: Vec<&str> = env_idx.iter().map(|&e| ctx.env_names[e]).collect();
    let scope: Option<Vec<usize>> = match (resolved.expect, resolved.environments) {
        (Expect::Ignore, _) | (_, None) => None,
        (_, Some(envs)) => Some(
            names
                .iter()
                .enumerate()
                .filter(|(_, n)| envs.iter().any(|e| e == *n))
                .map(|(i, _)| i)
                .collect(),
        ),
    };
    if let Some(s) = &scope
        && s.len() < 2
        && resolved.not_older_than.is_none()
    {
        // Fewer than two environments in scope: presence only.
        check.expect = Expect::Present;
    }
    check.scope = scope.as_deref();
    check.reference = resolved
        .not_older_than
        .and_then(|r| names.iter().position(|n| *n == r));
    match judge(&check, &names, &env_vals) {
        Some(v) => push_finding(ctx, key, &resolved, None, &names, &env_vals, v, out),
        None => note_skipped_secret(ctx, &resolved, &env_vals, out),
    }
}

fn note_skipped_secret(
    ctx: &Ctx<'_>,
    r: &Resolved<'_>,
    vals: &[Option<&Value>],
    out: &mut ChunkOut,
) {
    if !ctx.secrets_comparable
        && r.expect_explicit
        && vals.iter().flatten().any(|v| v.is_secret())
        && vals.windows(2).any(|w| w[0] != w[1])
    {
        out.secrets_skipped = true;
    }
}

#[allow(clippy::too_many_arguments)]
fn push_finding(
    ctx: &Ctx<'_>,
    key: &KeyPath,
    resolved: &Resolved<'_>,
    env: Option<usize>,
    names: &[&str],
    vals: &[Option<&Value>],
    verdict: Verdict,
    out: &mut ChunkOut,
) {
    let odd: Vec<String> = match verdict.kind {
        FindingKind::NotDifferent => Vec::new(),
        FindingKind::Behind => match &verdict.detail {
            Some(crate::report::Detail::Version(v)) => v.behind.clone(),
            _ => Vec::new(),
        },
        _ => {
            let idx: Vec<usize> = match (&verdict.kind, ctx_scope(resolved, names)) {
                (FindingKind::Missing, _) | (_, None) => group::odd_ones(vals),
                (_, Some(scope)) => {
                    let sv: Vec<Option<&Value>> = scope.iter().map(|&i| vals[i]).collect();
                    group::odd_ones(&sv).into_iter().map(|i| scope[i]).collect()
                }
            };
            idx.into_iter().map(|i| names[i].to_owned()).collect()
        }
    };
    let kind = if env.is_some() && !odd.is_empty() {
        FindingKind::Outlier
    } else {
        verdict.kind
    };
    let default_kind = match verdict.kind {
        FindingKind::Missing => DefaultKind::Missing,
        FindingKind::TypeMismatch => DefaultKind::TypeMismatch,
        FindingKind::NotDifferent => DefaultKind::NotDifferent,
        FindingKind::Behind => DefaultKind::Behind,
        _ => DefaultKind::Changed(verdict.skew),
    };
    let severity = resolved
        .severity
        .unwrap_or_else(|| defaults::severity(key, default_kind, verdict.dev));
    let mut finding = Finding {
        key: key.clone(),
        kind,
        severity,
        environment: env.map(|e| ctx.env_names[e].to_owned()),
        values: names
            .iter()
            .zip(vals)
            .map(|(n, v)| ((*n).to_owned(), v.cloned()))
            .collect(),
        odd_one_out: odd,
        detail: verdict.detail,
        waived: None,
        expired_waiver: None,
        rule: resolved.rule.map(str::to_owned),
        reason: resolved.reason.map(str::to_owned),
    };
    apply_waivers(ctx, &mut finding, out);
    out.findings.push(finding);
}

/// The scope of the resolved expectation as indices into `names`.
fn ctx_scope(resolved: &Resolved<'_>, names: &[&str]) -> Option<Vec<usize>> {
    if resolved.expect == Expect::Ignore {
        return None;
    }
    resolved.environments.map(|envs| {
        names
            .iter()
            .enumerate()
            .filter(|(_, n)| envs.iter().any(|e| e == *n))
            .map(|(i, _)| i)
            .collect()
    })
}

fn waiver_note(w: &crate::policy::Waiver) -> WaiverNote {
    WaiverNote {
        reason: w.reason.clone(),
        expires: w.expires,
        origin: w.origin.clone(),
    }
}

fn apply_waivers(ctx: &Ctx<'_>, f: &mut Finding, out: &mut ChunkOut) {
    for (i, w) in ctx.policy.waivers.iter().enumerate() {
        if !w.matches(f.key.as_str()) {
            continue;
        }
        if let Some(envs) = &w.environments {
            let involved: Vec<&str> = match (&f.environment, f.odd_one_out.is_empty()) {
                (Some(env), _) => vec![env.as_str()],
                (None, false) => f.odd_one_out.iter().map(String::as_str).collect(),
                (None, true) => f.values.iter().map(|(n, _)| n.as_str()).collect(),
            };
            if !involved.iter().any(|n| envs.iter().any(|e| e == n)) {
                continue;
            }
        }
        out.waiver_hits[i] += 1;
        match w.state(ctx.options.today) {
            WaiverState::Active => {
                f.waived = Some(waiver_note(w));
                f.expired_waiver = None;
            }
            WaiverState::Expired => {
                if f.waived.is_none() {
                    f.expired_waiver = Some(waiver_note(w));
                }
            }
        }
    }
}

fn summarize(findings: &[Finding], keys: usize, complete: bool) -> Summary {
    let mut s = Summary {
        keys,
        complete,
        ..Summary::default()
    };
    for f in findings {
        if !f.is_active() {
            s.waived += 1;
            continue;
        }
        s.findings += 1;
        match f.severity {
            crate::policy::Severity::Error => s.errors += 1,
            crate::policy::Severity::Warning => s.warnings += 1,
            _ => s.infos += 1,
        }
    }
    s
}
