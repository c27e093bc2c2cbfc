//! `drift explain KEY`: every rule, waiver, baseline entry, secret rule and
//! default that applies to one key, in order, with where it was written,
//! and the expectation that results — in the spirit of
//! `git check-ignore -v`. Given manifests, it also says whether the key's
//! value is hidden in each, and by which judgement.
//!
//! A manifest records how many values each layer of the secret judge hid,
//! not which layer hid which value (recording it would add a field to every
//! hidden entry of the `drift-manifest/1` format). The key is therefore
//! judged again with the same judge ([`drift_core::Sanitizer`]), configured
//! from this drift.toml and the flags: a policy glob or the key's own name
//! hide every value of the key and can be told from the key alone; when
//! neither does, the value itself (its content, shape or structure) was
//! judged secret, and the manifest's counts per layer are shown.

use std::io::Write;

use anyhow::Context;
use drift_core::display::escape;
use drift_core::policy::baseline::BaselineEntry;
use drift_core::policy::{Expect, Rule, Tolerance, Waiver, WaiverState, default_expect};
use drift_core::secret::{HIDDEN_COVERAGE, HiddenBy};
use drift_core::{Date, KeyPath, Layer, Manifest, Value};
use serde::Deserialize;
use toml::Spanned;

use crate::cli::{BaselineArgs, ExplainArgs};
use crate::exit::Exit;
use crate::settings::{self, Config};

/// drift.toml's `[secrets]` with the spans of its globs (the loaded
/// settings keep the globs only); everything else is left to the loader,
/// which has validated the file already.
#[derive(Default, Deserialize)]
struct SecretSpans {
    #[serde(default)]
    secrets: SecretLists,
}

#[derive(Default, Deserialize)]
struct SecretLists {
    #[serde(default)]
    keys: Vec<Spanned<String>>,
    #[serde(default)]
    public: Vec<Spanned<String>>,
}

/// One line of the explanation: where it was written, what it is, what it
/// does to the key.
struct Step {
    origin: String,
    what: &'static str,
    effect: String,
}

/// Runs `drift explain`.
pub fn run(args: ExplainArgs) -> anyhow::Result<Exit> {
    let key = KeyPath::new(&args.key).map_err(|e| anyhow::anyhow!("{e}"))?;
    let config = settings::load(&args.config)?;
    let text = std::fs::read_to_string(&config.path)
        .with_context(|| format!("cannot read `{}`", config.path.display()))?;
    let today = crate::output::today();
    let baseline_args = BaselineArgs {
        baseline: args.baseline.clone(),
        ..BaselineArgs::default()
    };
    let baseline = match crate::baseline::to_apply(&baseline_args, Some(&config))? {
        Some(path) => crate::baseline::read(&path)?,
        None => Vec::new(),
    };
    let mut globs = config.secrets.clone();
    globs.keys.extend(args.secret_globs.secrets.iter().cloned());
    globs.overriding_public = args.secret_globs.public.clone();
    let sanitizer = crate::sanitizer::sanitizer(None, None, &globs)?;

    let mut steps = policy_steps(&config, &key, today);
    steps.extend(baseline_steps(&baseline, &key, today));
    steps.extend(secret_steps(&config, &text, &args, &key));
    let judgement = sanitizer.key_judgement(&key);

    let mut out = std::io::stdout().lock();
    let mut line = |s: &str| writeln!(out, "{}", escape(s));
    line(&format!("key: {}", key.as_str()))?;
    let width = steps.iter().map(|s| s.origin.len()).max().unwrap_or(0);
    for s in &steps {
        line(&format!(
            "  {:<width$}  {:<8}  {}",
            s.origin, s.what, s.effect
        ))?;
    }
    line(&format!("result: {}", result(&config, &key)))?;
    line(&format!(
        "secret: {}",
        match judgement {
            Some(HiddenBy::Policy) => "hidden in every environment, by a secret glob".to_owned(),
            Some(_) => "hidden in every environment, by its name".to_owned(),
            None => "shown, unless a value's content, shape or structure is secret".to_owned(),
        }
    ))?;
    for path in &args.manifests {
        let m = crate::commands::diff::read_manifest(
            path,
            drift_core::manifest::DEFAULT_MAX_MANIFEST_SIZE,
        )?;
        line(&format!(
            "{} ({}): {}",
            path.display(),
            m.environment,
            in_manifest(&m, &key, judgement)
        ))?;
    }
    Ok(Exit::Clean)
}

fn quoted(globs: impl IntoIterator<Item = impl AsRef<str>>) -> String {
    let list: Vec<String> = globs
        .into_iter()
        .map(|g| format!("\"{}\"", g.as_ref()))
        .collect();
    list.join(", ")
}

/// The defaults, then every matching rule and waiver, in order.
fn policy_steps(config: &Config, key: &KeyPath, today: Date) -> Vec<Step> {
    let default = default_expect(key);
    let why = if default == Expect::Present {
        "its name looks environment-specific (host, URL, endpoint…): presence is enough"
    } else if matches!(key.layer(), Layer::Env | Layer::Config) {
        "values must be equal everywhere"
    } else {
        "structure must match everywhere"
    };
    let mut steps = vec![Step {
        origin: "default".to_owned(),
        what: "expect",
        effect: format!("expect = \"{}\": {why}", default.as_str()),
    }];
    for rule in config
        .policy
        .rules
        .iter()
        .filter(|r| r.matches(key.as_str()))
    {
        steps.push(Step {
            origin: rule.origin.clone().unwrap_or_else(|| "drift".to_owned()),
            what: "rule",
            effect: rule_effect(rule),
        });
    }
    for w in config
        .policy
        .waivers
        .iter()
        .filter(|w| w.matches(key.as_str()))
    {
        steps.push(Step {
            origin: w.origin.clone().unwrap_or_default(),
            what: "waiver",
            effect: waiver_effect(w, today),
        });
    }
    steps
}

fn rule_effect(r: &Rule) -> String {
    let mut parts = Vec::new();
    if let Some(e) = r.expect {
        parts.push(format!("expect = \"{}\"", e.as_str()));
    }
    if let Some(envs) = &r.environments {
        parts.push(format!("environments = [{}]", quoted(envs)));
    }
    if let Some(s) = r.severity {
        parts.push(format!("severity = \"{s}\""));
    }
    if let Some(t) = r.tolerate {
        parts.push(format!("tolerate = \"{}\"", t.as_str()));
    }
    match r.tolerance {
        Some(Tolerance::Absolute(v)) => parts.push(format!("tolerance = {v}")),
        Some(Tolerance::Relative(v)) => parts.push(format!("tolerance = \"{}%\"", v * 100.0)),
        _ => {}
    }
    if let Some(n) = &r.not_older_than {
        parts.push(format!("not_older_than = \"{n}\""));
    }
    if let Some(d) = r.ignore_dev {
        parts.push(format!("ignore_dev = {d}"));
    }
    let mut out = format!(
        "keys = [{}]: {}",
        quoted(r.keys.iter().map(|k| k.as_str())),
        parts.join(", ")
    );
    if let Some(reason) = &r.reason {
        out.push_str(&format!(" (\"{reason}\")"));
    }
    out
}

fn waiver_effect(w: &Waiver, today: Date) -> String {
    let state = expiry_state(w.state(Some(today)), w.expires, "waives its findings");
    let envs = w
        .environments
        .as_ref()
        .map(|e| format!(" involving [{}]", quoted(e)))
        .unwrap_or_default();
    format!(
        "keys = [{}]: {state}{envs} (\"{}\")",
        quoted(w.keys.iter().map(|k| k.as_str())),
        w.reason
    )
}

/// `does until DATE`, or `expired on DATE: no longer does`.
fn expiry_state(state: WaiverState, expires: Option<Date>, does: &str) -> String {
    match (state, expires) {
        (WaiverState::Expired, Some(d)) => format!("expired on {d}, no longer {does}"),
        (_, Some(d)) => format!("{does} until {d}"),
        _ => does.to_owned(),
    }
}

fn baseline_steps(entries: &[BaselineEntry], key: &KeyPath, today: Date) -> Vec<Step> {
    entries
        .iter()
        .filter(|e| e.key.matches(key.as_str()))
        .map(|e| {
            let state = expiry_state(e.state(Some(today)), e.expires, "accepts");
            let within = e
                .within
                .as_ref()
                .map(|w| format!(" within {w}"))
                .unwrap_or_default();
            Step {
                origin: e.origin.clone().unwrap_or_default(),
                what: "baseline",
                effect: format!(
                    "{state}: the finding among [{}]{within} whose values have fingerprint {} (\"{}\")",
                    quoted(&e.environments),
                    e.fingerprint.short(),
                    e.reason
                ),
            }
        })
        .collect()
}

fn secret_steps(config: &Config, text: &str, args: &ExplainArgs, key: &KeyPath) -> Vec<Step> {
    let mut steps = Vec::new();
    // The judge without any glob: what the key's name alone decides.
    if drift_core::Sanitizer::default()
        .key_judgement(key)
        .is_some()
    {
        steps.push(Step {
            origin: "default".to_owned(),
            what: "secret",
            effect:
                "its name says secret: every value is hidden (unless a public glob says otherwise)"
                    .to_owned(),
        });
    }
    let spans: SecretSpans = toml::from_str(text).unwrap_or_default();
    let name = config.path.file_name().map_or_else(
        || config.path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let at = |s: &Spanned<String>| format!("{name}:{}", settings::line_of(text, s.span().start));
    let matches = |g: &str| drift_core::KeyPattern::new(g).is_ok_and(|p| p.matches(key.as_str()));
    for g in spans.secrets.keys.iter().filter(|g| matches(g.get_ref())) {
        steps.push(Step {
            origin: at(g),
            what: "secret",
            effect: format!("[secrets] keys \"{}\": every value is hidden", g.get_ref()),
        });
    }
    for g in spans.secrets.public.iter().filter(|g| matches(g.get_ref())) {
        steps.push(Step {
            origin: at(g),
            what: "public",
            effect: format!(
                "[secrets] public \"{}\": not secret by name (a value whose content shows a secret stays hidden)",
                g.get_ref()
            ),
        });
    }
    for g in args.secret_globs.secrets.iter().filter(|g| matches(g)) {
        steps.push(Step {
            origin: "--secret".to_owned(),
            what: "secret",
            effect: format!("\"{g}\": every value is hidden"),
        });
    }
    for g in args.secret_globs.public.iter().filter(|g| matches(g)) {
        steps.push(Step {
            origin: "--public".to_owned(),
            what: "public",
            effect: format!("\"{g}\": never hidden, whatever any judgement says"),
        });
    }
    steps
}

/// The expectation that results from the defaults and every rule.
fn result(config: &Config, key: &KeyPath) -> String {
    let r = config.policy.resolve(key);
    let envs = match (r.expect, r.environments) {
        (Expect::Ignore, Some(e)) => format!(" in [{}] (compared among the others)", quoted(e)),
        (_, Some(e)) => format!(" among [{}]", quoted(e)),
        (Expect::Ignore, None) => " everywhere: never compared".to_owned(),
        (_, None) => " among all environments".to_owned(),
    };
    let mut out = format!("expect = \"{}\"{envs}", r.expect.as_str());
    out.push_str(&match r.severity {
        Some(s) => format!("; severity = \"{s}\""),
        None => "; severity: the default for the finding's kind".to_owned(),
    });
    if let Some(t) = r.tolerate {
        out.push_str(&format!("; tolerate = \"{}\"", t.as_str()));
    }
    if let Some(n) = r.not_older_than {
        out.push_str(&format!("; not_older_than = \"{n}\""));
    }
    if let Some(rule) = r.rule {
        out.push_str(&format!(" (last rule: {rule})"));
    }
    out
}

/// Whether the key is in `m`, and how its value is stored.
fn in_manifest(m: &Manifest, key: &KeyPath, judgement: Option<HiddenBy>) -> String {
    let Some(value) = m.get(key.as_str()) else {
        return "absent".to_owned();
    };
    let hidden = match value {
        Value::Secret(fp) => format!("hidden (fingerprint {})", fp.short()),
        Value::Url(u) => format!("its password hidden (fingerprint {})", u.password.short()),
        _ if judgement.is_some() => {
            return "shown, though this drift.toml and these flags would hide it: the manifest was taken with other secret settings".to_owned();
        }
        _ => return "present, shown".to_owned(),
    };
    let by = match judgement {
        Some(HiddenBy::Policy) => "by a secret glob".to_owned(),
        Some(_) => "by its name".to_owned(),
        None => {
            let counts: Vec<String> = m
                .coverage
                .iter()
                .filter(|c| c.collector == HIDDEN_COVERAGE)
                .filter(|c| !matches!(c.source.as_str(), "policy" | "name"))
                .map(|c| format!("{} {}", c.source, c.items))
                .collect();
            format!(
                "by what the value held (content, shape or structure: the manifest records only how many values each hid: {})",
                if counts.is_empty() {
                    "none recorded".to_owned()
                } else {
                    counts.join(", ")
                }
            )
        }
    };
    format!("{hidden}, {by} (judged again with this drift.toml's secret rules)")
}
