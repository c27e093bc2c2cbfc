//! Aligning manifests by key in parallel, and assembling the report.

use std::ops::Range;
use std::sync::Arc;

use rayon::prelude::*;

use crate::key::KeyPath;
use crate::manifest::Manifest;
use crate::policy::defaults::{self, DefaultKind};
use crate::policy::{Expect, Policy, Resolved, WaiverState};
use crate::report::{
    EnvironmentSummary, Finding, FindingKind, HostSummary, MatchCount, Name, Note, PolicyMatches,
    Report, ReportError, Summary, WaiverNote,
};
use crate::secret::HiddenBy;
use crate::value::Value;

use super::classify::{Check, Verdict, judge};
use super::{DiffError, DiffOptions, Environment, group};

/// Per-key scratch lists: environments are few, fleets rarely many.
type Small<T> = smallvec::SmallVec<[T; 8]>;

/// Key ranges smaller than this are not split further.
pub(super) const MIN_CHUNK: usize = 8192;
/// At most this many key ranges.
const MAX_CHUNKS: usize = 256;
/// Key ranges compared at once, per thread.
pub(super) const CHUNKS_PER_THREAD: usize = 8;

struct Ctx<'a> {
    policy: &'a Policy,
    options: &'a DiffOptions,
    env_names: Vec<&'a str>,
    host_names: Vec<Vec<&'a str>>,
    rule_origins: Vec<Option<Arc<str>>>,
    rule_reasons: Vec<Option<Arc<str>>>,
    waiver_notes: Vec<Arc<WaiverNote>>,
    env_cols: Vec<Range<usize>>,
    secrets_comparable: bool,
    check_equal_keys: bool,
}

#[derive(Default)]
struct ChunkOut {
    /// The names as shared by this chunk's findings: each chunk has its own
    /// copies, so that threads do not contend on one reference count.
    env_arcs: Vec<Name>,
    host_arcs: Vec<Vec<Name>>,
    findings: Vec<Finding>,
    /// What ignore rules hid ([`DiffOptions::keep_ignored`]).
    ignored: Vec<Finding>,
    keys: usize,
    waiver_hits: Vec<usize>,
    /// Keys each rule matched.
    rule_keys: Vec<usize>,
    /// Keys each waiver matched.
    waiver_keys: Vec<usize>,
    secrets_skipped: bool,
    /// Keys whose value is hidden in some manifests and plain in others.
    partly_hidden: Vec<KeyPath>,
}

pub(super) fn run(
    envs: &[Environment<'_>],
    policy: &Policy,
    options: &DiffOptions,
) -> Result<Report, DiffError> {
    validate(envs)?;
    let compared = compare(envs, policy, options);
    Ok(assemble(envs, policy, options, compared))
}

/// Compares the manifests of `envs` (validated) key by key: the findings
/// and what the report counts about them.
pub(super) fn compare(
    envs: &[Environment<'_>],
    policy: &Policy,
    options: &DiffOptions,
) -> Gathered {
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
    let secrets_comparable = columns
        .windows(2)
        .all(|w| w[0].fingerprint_key == w[1].fingerprint_key);
    let ctx = Ctx {
        policy,
        options,
        env_names: envs.iter().map(|e| e.name).collect(),
        host_names: envs
            .iter()
            .map(|e| e.hosts.iter().map(|h| h.name).collect())
            .collect(),
        rule_origins: policy
            .rules
            .iter()
            .map(|r| r.origin.as_deref().map(Arc::from))
            .collect(),
        rule_reasons: policy
            .rules
            .iter()
            .map(|r| r.reason.as_deref().map(Arc::from))
            .collect(),
        waiver_notes: policy
            .waivers
            .iter()
            .map(|w| Arc::new(waiver_note(w)))
            .collect(),
        env_cols,
        secrets_comparable,
        check_equal_keys: policy.has_differ_rules(),
    };
    let chunks = plan_chunks(&columns);
    // Findings come out in key order, chunk after chunk. The chunks are
    // compared a group at a time, each group's findings moved into the one
    // vector while the next group is compared: the memory of one group's
    // findings is used again by the next but one, rather than every
    // chunk's held until the end beside the vector they are copied into.
    let group = (rayon::current_num_threads() * CHUNKS_PER_THREAD).max(1);
    let mut gathered = Gathered {
        findings: Vec::new(),
        ignored: Vec::new(),
        keys: 0,
        hits: vec![0usize; policy.waivers.len()],
        rule_keys: vec![0usize; policy.rules.len()],
        waiver_keys: vec![0usize; policy.waivers.len()],
        secrets_skipped: false,
        partly_hidden: Vec::new(),
        groups: chunks.len().div_ceil(group),
    };
    let done = crate::pipeline::in_order(
        gathered.groups,
        1,
        |g| {
            let part = chunks.get(g * group..((g + 1) * group).min(chunks.len()));
            part.unwrap_or_default()
                .par_iter()
                .map(|ranges| compare_range(&ctx, &columns, ranges))
                .collect::<Vec<ChunkOut>>()
        },
        |_, outs| {
            gathered.add(outs);
            Ok::<(), std::convert::Infallible>(())
        },
    );
    let Ok(()) = done;
    gathered
}

/// The report of `envs` from what the comparison gathered: the
/// environments, the collection errors, the notes and the counts. The
/// notes on fingerprints speak of every manifest of `envs`, whether or not
/// the comparison took it.
pub(super) fn assemble(
    envs: &[Environment<'_>],
    policy: &Policy,
    options: &DiffOptions,
    gathered: Gathered,
) -> Report {
    let Gathered {
        findings,
        ignored,
        keys,
        hits,
        rule_keys,
        waiver_keys,
        secrets_skipped,
        partly_hidden,
        ..
    } = gathered;
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
    let mut notes = Vec::new();
    if !fp_keys.windows(2).all(|w| w[0].1 == w[1].1) {
        notes.push(Note::FingerprintKeysDiffer { keys: fp_keys });
    }
    let unkeyed: Vec<String> = envs
        .iter()
        .flat_map(|e| e.hosts.iter())
        .filter(|h| {
            h.manifest.fingerprint_key.is_none()
                && h.manifest.entries().iter().any(|e| e.value.is_secret())
        })
        .map(|h| h.name.to_owned())
        .collect();
    if !unkeyed.is_empty() {
        notes.push(Note::UnkeyedFingerprints {
            environments: unkeyed,
        });
    }
    if !partly_hidden.is_empty() {
        notes.push(Note::HiddenInSome {
            keys: partly_hidden
                .iter()
                .map(|k| k.as_str().to_owned())
                .collect(),
        });
    }
    for (r, &n) in policy.rules.iter().zip(&rule_keys) {
        if n == 0 {
            notes.push(Note::RuleUnused {
                origin: r.origin.clone(),
                keys: globs(&r.keys),
            });
        }
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
    let summary = Summary::of(&findings, keys, errors.is_empty() && !secrets_skipped);
    Report {
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
                        hidden: hidden_counts(&h.manifest.coverage),
                    })
                    .collect(),
            })
            .collect(),
        findings,
        errors,
        notes,
        summary,
        readiness: Vec::new(),
        matches: PolicyMatches {
            rules: policy
                .rules
                .iter()
                .zip(rule_keys)
                .map(|(r, keys)| MatchCount {
                    origin: r.origin.clone(),
                    globs: globs(&r.keys),
                    keys,
                    findings: None,
                })
                .collect(),
            waivers: policy
                .waivers
                .iter()
                .zip(waiver_keys.into_iter().zip(hits))
                .map(|(w, (keys, findings))| MatchCount {
                    origin: w.origin.clone(),
                    globs: globs(&w.keys),
                    keys,
                    findings: Some(findings),
                })
                .collect(),
            baseline: Vec::new(),
        },
        ignored,
    }
}

fn globs(patterns: &[crate::pattern::KeyPattern]) -> Vec<String> {
    patterns.iter().map(|p| p.as_str().to_owned()).collect()
}

/// The findings of the chunks compared so far, in key order, and their
/// counts.
pub(super) struct Gathered {
    findings: Vec<Finding>,
    ignored: Vec<Finding>,
    keys: usize,
    hits: Vec<usize>,
    rule_keys: Vec<usize>,
    waiver_keys: Vec<usize>,
    secrets_skipped: bool,
    partly_hidden: Vec<KeyPath>,
    /// The number of groups of chunks.
    groups: usize,
}

impl Gathered {
    /// Nothing compared yet.
    pub(super) fn empty(policy: &Policy) -> Gathered {
        Gathered {
            findings: Vec::new(),
            ignored: Vec::new(),
            keys: 0,
            hits: vec![0; policy.waivers.len()],
            rule_keys: vec![0; policy.rules.len()],
            waiver_keys: vec![0; policy.waivers.len()],
            secrets_skipped: false,
            partly_hidden: Vec::new(),
            groups: 0,
        }
    }

    /// The waiver hits among the findings gathered, one count a waiver.
    pub(super) fn waiver_hits(&self) -> &[usize] {
        &self.hits
    }

    /// Counts the keys of `extra` that neither `compared` (the manifests
    /// the comparison took) nor an earlier manifest of `extra` holds, and
    /// the rules and waivers they match, as the comparison counts every key
    /// once: what a report says of manifests it does not compare key by
    /// key (a release, held to each target one way), without comparing
    /// them.
    pub(super) fn count_keys_outside(
        &mut self,
        compared: &[&Manifest],
        extra: &[&Manifest],
        policy: &Policy,
    ) {
        for (i, m) in extra.iter().enumerate() {
            // Every manifest's keys are sorted: one pass over each, a
            // cursor a manifest, instead of a search per key.
            let others: Vec<&[crate::manifest::Entry]> = compared
                .iter()
                .chain(&extra[..i])
                .map(|o| o.entries())
                .collect();
            let mut at = vec![0usize; others.len()];
            for e in m.entries() {
                let mut seen = false;
                for (o, c) in others.iter().zip(at.iter_mut()) {
                    while o.get(*c).is_some_and(|x| x.key < e.key) {
                        *c += 1;
                    }
                    seen |= o.get(*c).is_some_and(|x| x.key == e.key);
                }
                if seen {
                    continue;
                }
                let key = e.key.as_str();
                self.keys += 1;
                for (n, r) in self.rule_keys.iter_mut().zip(&policy.rules) {
                    *n += usize::from(r.matches(key));
                }
                for (n, w) in self.waiver_keys.iter_mut().zip(&policy.waivers) {
                    *n += usize::from(w.matches(key));
                }
            }
        }
    }

    /// Adds one group's chunks, in order.
    fn add(&mut self, outs: Vec<ChunkOut>) {
        if outs.is_empty() {
            return;
        }
        if self.findings.capacity() == 0 {
            // Room for all, at the first group's rate and a tenth more
            // (room not written to costs no memory).
            let first: usize = outs.iter().map(|o| o.findings.len()).sum();
            self.findings
                .reserve(first.saturating_mul(self.groups) / 10 * 11);
        }
        for out in outs {
            self.findings.extend(out.findings);
            self.ignored.extend(out.ignored);
            self.keys += out.keys;
            for (h, n) in self.hits.iter_mut().zip(out.waiver_hits) {
                *h += n;
            }
            for (h, n) in self.rule_keys.iter_mut().zip(out.rule_keys) {
                *h += n;
            }
            for (h, n) in self.waiver_keys.iter_mut().zip(out.waiver_keys) {
                *h += n;
            }
            self.secrets_skipped |= out.secrets_skipped;
            self.partly_hidden.extend(out.partly_hidden);
        }
    }
}

pub(super) fn validate(envs: &[Environment<'_>]) -> Result<(), DiffError> {
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

/// Splits the key space into ranges of about equal work, using the keys of
/// the largest manifest as pivots; each range gives, per column, the slice
/// of entries that fall into it. The work is the entries of all columns:
/// a fleet of a thousand hosts of 2,000 keys is as much to compare as two
/// manifests of a million, and is split as finely.
fn plan_chunks(columns: &[&Manifest]) -> Vec<Vec<Range<usize>>> {
    let Some(largest) = columns.iter().max_by_key(|m| m.len()) else {
        return Vec::new();
    };
    let len = largest.len();
    let work: usize = columns.iter().map(|m| m.len()).sum();
    let n = (work / MIN_CHUNK).clamp(1, MAX_CHUNKS).min(len.max(1));
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
        env_arcs: ctx.env_names.iter().map(|n| Name::from(*n)).collect(),
        host_arcs: ctx
            .host_names
            .iter()
            .map(|hosts| hosts.iter().map(|h| Name::from(*h)).collect())
            .collect(),
        waiver_hits: vec![0; ctx.policy.waivers.len()],
        rule_keys: vec![0; ctx.policy.rules.len()],
        waiver_keys: vec![0; ctx.policy.waivers.len()],
        // Room for a finding per key of the largest column (room not
        // written to costs no memory): no vector grown step by step.
        findings: Vec::with_capacity(ranges.iter().map(Range::len).max().unwrap_or(0)),
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
        count_matches(ctx, key.as_str(), &mut out);
        if all_same && !ctx.check_equal_keys {
            continue;
        }
        evaluate(ctx, key, &vals, &mut out);
    }
    out
}

/// Counts the rules and waivers whose globs match `key`, so that one that
/// matches nothing can be named.
fn count_matches(ctx: &Ctx<'_>, key: &str, out: &mut ChunkOut) {
    for (n, r) in out.rule_keys.iter_mut().zip(&ctx.policy.rules) {
        *n += usize::from(r.matches(key));
    }
    for (n, w) in out.waiver_keys.iter_mut().zip(&ctx.policy.waivers) {
        *n += usize::from(w.matches(key));
    }
}

/// Where a key's findings go.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Sink {
    /// The report's findings, waivers applied.
    Findings,
    /// [`Report::ignored`]: what an ignore rule hides from the comparison.
    Ignored,
}

fn evaluate(ctx: &Ctx<'_>, key: &KeyPath, cols: &[Option<&Value>], out: &mut ChunkOut) {
    let resolved = ctx.policy.resolve(key);
    let (ignored, expect): (&[String], Expect) = match (resolved.expect, resolved.environments) {
        (Expect::Ignore, None) => {
            if ctx.options.keep_ignored {
                evaluate_ignored(ctx, key, cols, resolved, out);
            }
            return;
        }
        (Expect::Ignore, Some(envs)) => (envs, defaults::expect_for(key)),
        (e, _) => (&[], e),
    };
    compare_key(
        ctx,
        key,
        cols,
        &resolved,
        ignored,
        expect,
        Sink::Findings,
        out,
    );
}

/// Compares a key an ignore rule leaves out as if no rule had set its
/// expectation, for [`Report::ignored`]: its findings name the ignoring
/// rule (and its reason, when it gives one).
fn evaluate_ignored(
    ctx: &Ctx<'_>,
    key: &KeyPath,
    cols: &[Option<&Value>],
    mut resolved: Resolved<'_>,
    out: &mut ChunkOut,
) {
    resolved.expect = defaults::expect_for(key);
    resolved.expect_explicit = false;
    resolved.environments = None;
    resolved.rule_index = resolved.expect_index;
    if let Some(i) = resolved.expect_index
        && ctx.rule_reasons[i].is_some()
    {
        resolved.reason_index = Some(i);
    }
    let expect = resolved.expect;
    compare_key(ctx, key, cols, &resolved, &[], expect, Sink::Ignored, out);
}

/// Compares one key's values: the hosts of each environment, then the
/// environments (but those in `ignored`), under `expect`.
#[allow(clippy::too_many_arguments)]
fn compare_key(
    ctx: &Ctx<'_>,
    key: &KeyPath,
    cols: &[Option<&Value>],
    resolved: &Resolved<'_>,
    ignored: &[String],
    expect: Expect,
    sink: Sink,
    out: &mut ChunkOut,
) {
    let mut check =
        Check::from_resolved(resolved, ctx.secrets_comparable, ctx.options.max_diff_lines);
    check.expect = expect;
    check.secret_by_name = crate::secret::is_secret_by_name(key);
    if sink == Sink::Findings {
        note_partly_hidden(key, cols, out);
    }

    // Hosts of one environment first, then each environment's consensus.
    let mut env_idx: Small<usize> = Small::new();
    let mut env_vals: Small<Option<&Value>> = Small::new();
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
                secret_by_name: check.secret_by_name,
                ..Check::from_resolved(resolved, ctx.secrets_comparable, ctx.options.max_diff_lines)
            };
            let names = &ctx.host_names[e];
            match judge(&fleet, names, vals) {
                Some(v) => {
                    let arcs = Arcs {
                        all: &out.host_arcs[e],
                        picked: None,
                    };
                    let f = finding(ctx, key, resolved, Some(e), names, arcs, vals, v, out);
                    push(ctx, f, sink, out);
                }
                None if sink == Sink::Findings => note_skipped_secret(ctx, resolved, vals, out),
                None => {}
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
    let names: Small<&str> = env_idx.iter().map(|&e| ctx.env_names[e]).collect();
    let scope: Option<Small<usize>> = match (resolved.expect, resolved.environments) {
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
        Some(v) => {
            let arcs = Arcs {
                all: &out.env_arcs,
                picked: Some(&env_idx),
            };
            let f = finding(ctx, key, resolved, None, &names, arcs, &env_vals, v, out);
            push(ctx, f, sink, out);
        }
        None if sink == Sink::Findings => note_skipped_secret(ctx, resolved, &env_vals, out),
        None => {}
    }
}

/// Remembers a key whose value is hidden in some manifests and plain in
/// others, for a note that asks for fresh snapshots.
fn note_partly_hidden(key: &KeyPath, cols: &[Option<&Value>], out: &mut ChunkOut) {
    let present = cols.iter().flatten();
    let hidden = present.clone().filter(|v| v.is_secret()).count();
    if hidden > 0 && hidden < present.count() {
        out.partly_hidden.push(key.clone());
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

/// The shared names of the columns compared: `all[i]` for each index
/// picked, or all of them.
#[derive(Clone, Copy)]
struct Arcs<'a> {
    all: &'a [Name],
    picked: Option<&'a [usize]>,
}

impl Arcs<'_> {
    fn get(&self, i: usize) -> &Name {
        match self.picked {
            Some(p) => &self.all[p[i]],
            None => &self.all[i],
        }
    }

    fn iter(&self) -> impl Iterator<Item = &Name> + '_ {
        let n = self.picked.map_or(self.all.len(), <[usize]>::len);
        (0..n).map(|i| self.get(i))
    }
}

/// Waives `f` where a waiver matches, and keeps it; or keeps it apart as
/// ignored.
fn push(ctx: &Ctx<'_>, mut f: Finding, sink: Sink, out: &mut ChunkOut) {
    match sink {
        Sink::Findings => {
            apply_waivers(ctx, &mut f, &mut out.waiver_hits);
            out.findings.push(f);
        }
        Sink::Ignored => out.ignored.push(f),
    }
}

#[allow(clippy::too_many_arguments)]
fn finding(
    ctx: &Ctx<'_>,
    key: &KeyPath,
    resolved: &Resolved<'_>,
    env: Option<usize>,
    names: &[&str],
    arcs: Arcs<'_>,
    vals: &[Option<&Value>],
    verdict: Verdict,
    out: &ChunkOut,
) -> Finding {
    let odd: Vec<Name> = match verdict.kind {
        FindingKind::NotDifferent => Vec::new(),
        FindingKind::Behind => match &verdict.detail {
            Some(crate::report::Detail::Version(v)) => v
                .behind
                .iter()
                .filter_map(|b| arcs.iter().find(|a| ***a == **b).cloned())
                .collect(),
            _ => Vec::new(),
        },
        _ => match (&verdict.kind, ctx_scope(resolved, names)) {
            (FindingKind::Missing, _) | (_, None) => {
                group::odd_ones(vals).map(|i| arcs.get(i).clone()).collect()
            }
            (_, Some(scope)) => {
                let sv: Small<Option<&Value>> = scope.iter().map(|&i| vals[i]).collect();
                group::odd_ones(&sv)
                    .map(|i| arcs.get(scope[i]).clone())
                    .collect()
            }
        },
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
    Finding {
        key: key.clone(),
        kind,
        severity,
        environment: env.map(|e| out.env_arcs[e].clone()),
        values: arcs
            .iter()
            .zip(vals)
            .map(|(n, v)| (n.clone(), v.cloned()))
            .collect(),
        odd_one_out: odd,
        detail: verdict.detail.map(Box::new),
        waived: None,
        expired_waiver: None,
        rule: resolved
            .rule_index
            .and_then(|i| ctx.rule_origins[i].clone()),
        reason: resolved
            .reason_index
            .and_then(|i| ctx.rule_reasons[i].clone()),
        change_class: None,
    }
}

/// The scope of the resolved expectation as indices into `names`.
fn ctx_scope(resolved: &Resolved<'_>, names: &[&str]) -> Option<Small<usize>> {
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

pub(super) fn waiver_note(w: &crate::policy::Waiver) -> WaiverNote {
    WaiverNote {
        reason: w.reason.clone(),
        expires: w.expires,
        origin: w.origin.clone(),
        baseline: false,
    }
}

fn apply_waivers(ctx: &Ctx<'_>, f: &mut Finding, hits: &mut [usize]) {
    for (i, w) in ctx.policy.waivers.iter().enumerate() {
        if !w.matches(f.key.as_str()) {
            continue;
        }
        if let Some(envs) = &w.environments {
            let involved: Vec<&str> = match (&f.environment, f.odd_one_out.is_empty()) {
                (Some(env), _) => vec![&**env],
                (None, false) => f.odd_one_out.iter().map(|n| &**n).collect(),
                (None, true) => f.values.iter().map(|(n, _)| &**n).collect(),
            };
            if !involved.iter().any(|n| envs.iter().any(|e| e == n)) {
                continue;
            }
        }
        hits[i] += 1;
        waive(f, w.state(ctx.options.today), &ctx.waiver_notes[i]);
    }
}

/// Marks `f` waived by an active waiver (its note), or, while no active
/// one waives it, as matched by an expired one.
pub(super) fn waive(f: &mut Finding, state: WaiverState, note: &Arc<WaiverNote>) {
    match state {
        WaiverState::Active => {
            f.waived = Some(note.clone());
            f.expired_waiver = None;
        }
        WaiverState::Expired => {
            if f.waived.is_none() {
                f.expired_waiver = Some(note.clone());
            }
        }
    }
}

/// The hidden-value counts a manifest's coverage records, by layer, in the
/// order reports list them; entries of unknown layers (a newer or forged
/// manifest) are left out rather than shown.
fn hidden_counts(coverage: &[crate::manifest::Coverage]) -> Vec<(HiddenBy, u64)> {
    let mut counts = [0u64; HiddenBy::ALL.len()];
    for c in coverage
        .iter()
        .filter(|c| c.collector == crate::secret::HIDDEN_COVERAGE)
    {
        if let Ok(by) = c.source.parse::<HiddenBy>() {
            counts[by as usize] = counts[by as usize].saturating_add(c.items);
        }
    }
    HiddenBy::ALL
        .into_iter()
        .zip(counts)
        .filter(|(_, n)| *n > 0)
        .collect()
}
