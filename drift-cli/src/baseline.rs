//! Baseline files: reading, writing, and which one applies.
//!
//! The matching lives in drift-core ([`drift_core::policy::baseline`]); this
//! module reads and writes the TOML file (through the `toml` crate, with
//! spans so that every entry knows its line), refuses to overwrite one
//! unless told, reads the clock, and keeps a drift.toml's `baseline =` inside
//! the drift.toml's folder, as `password_file` is (docs/security.md).

use std::path::{Path, PathBuf};
use std::str::FromStr;

use anyhow::{Context, bail};
use drift_collectors::transport::{Local, Transport};
use drift_core::policy::baseline::{self, BaselineEntry};
use drift_core::{Date, Fingerprint, Fingerprinter, KeyPattern, Report};
use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::cli::BaselineArgs;
use crate::exit::Exit;
use crate::settings::Config;

/// A baseline file larger than this is refused (about 200,000 entries).
const MAX_BASELINE_FILE: u64 = 64 << 20;

/// Days a written entry holds unless `--baseline-expires` says otherwise.
pub const DEFAULT_DAYS: u32 = 90;

/// The most days `--baseline-expires` may give (ten years).
const MAX_DAYS: u32 = 3660;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    baseline: Vec<Spanned<RawEntry>>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    key: String,
    environments: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    within: Option<String>,
    fingerprint: String,
    reason: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    expires: Option<String>,
}

#[derive(Serialize)]
struct OutFile<'a> {
    baseline: &'a [RawEntry],
}

/// The baseline to apply: `--baseline`, else drift.toml's `baseline =`.
pub fn to_apply(args: &BaselineArgs, config: Option<&Config>) -> anyhow::Result<Option<PathBuf>> {
    if args.write_baseline.is_some() {
        // Writing takes every finding as it is today.
        return Ok(None);
    }
    if let Some(p) = &args.baseline {
        return Ok(Some(p.clone()));
    }
    let Some(config) = config else {
        return Ok(None);
    };
    let Some(path) = &config.settings.baseline else {
        return Ok(None);
    };
    let at = config
        .settings
        .baseline_line
        .map(|l| format!(" line {l}"))
        .unwrap_or_default();
    let origin = format!("`baseline` in `{}`{at}", config.path.display());
    // Not shown until it is known to exist and to be inside: a drift.toml
    // from a pull request may point anywhere.
    let resolved = std::fs::canonicalize(path)
        .map_err(|e| anyhow::anyhow!("{origin} names a file that cannot be read: {e}"))?;
    let folder = config
        .path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let inside = std::fs::canonicalize(folder).is_ok_and(|d| resolved.starts_with(d));
    if !inside {
        bail!(
            "{origin} names a file outside the drift.toml's folder, which a drift.toml may not read: move the baseline next to the drift.toml, or give it with `--baseline PATH`"
        );
    }
    Ok(Some(resolved))
}

/// Reads a baseline file.
pub fn read(path: &Path) -> anyhow::Result<Vec<BaselineEntry>> {
    let shown = path.display();
    let bytes = Local::new()
        .read_source_file(path, MAX_BASELINE_FILE)
        .map_err(|e| {
            anyhow::anyhow!(
                "cannot read the baseline `{shown}`: {}",
                crate::allow::transport_reason(&e)
            )
        })?;
    let text = String::from_utf8(bytes)
        .map_err(|_| anyhow::anyhow!("the baseline `{shown}` is not UTF-8 text"))?;
    parse(path, &text)
}

/// Parses a baseline file's text; `path` names it in errors and origins.
pub fn parse(path: &Path, text: &str) -> anyhow::Result<Vec<BaselineEntry>> {
    let at = |offset: usize| crate::settings::line_of(text, offset);
    let shown = path.display();
    let raw: RawFile = toml::from_str(text).map_err(|e| {
        let line = e.span().map(|s| format!(" line {}", at(s.start)));
        anyhow::anyhow!(
            "the baseline `{shown}`{}: {}",
            line.unwrap_or_default(),
            crate::settings::without_values(e.message())
        )
    })?;
    let name = path
        .file_name()
        .map_or_else(|| shown.to_string(), |n| n.to_string_lossy().into_owned());
    raw.baseline
        .iter()
        .map(|spanned| {
            let line = at(spanned.span().start);
            let e = spanned.get_ref();
            let bad = |what: &str| anyhow::anyhow!("the baseline `{shown}` line {line}: {what}");
            let key = KeyPattern::new(&e.key).map_err(|_| {
                bad("`key` is not a key glob; write it as drift does (`*`, `?`, `{`, `}`, `,` and `\\` escaped with `\\`)")
            })?;
            if e.environments.is_empty() {
                return Err(bad("`environments` is empty"));
            }
            let fingerprint = Fingerprint::parse(&e.fingerprint)
                .map_err(|_| bad("`fingerprint` is not a fingerprint (`blake3:HEX` or `blake3k:ID:HEX`)"))?;
            let expires = match &e.expires {
                Some(d) => Some(
                    Date::from_str(d)
                        .map_err(|_| bad("`expires` is not a date: write it as YYYY-MM-DD"))?,
                ),
                None => None,
            };
            if e.reason.trim().is_empty() {
                return Err(bad("`reason` is empty: say why the drift is accepted"));
            }
            Ok(BaselineEntry {
                key,
                environments: e.environments.clone(),
                within: e.within.clone(),
                fingerprint,
                reason: e.reason.clone(),
                expires,
                origin: Some(format!("{name}:{line}")),
            })
        })
        .collect()
}

/// The baseline file's text for `entries`.
pub fn render(entries: &[BaselineEntry], today: Date) -> anyhow::Result<String> {
    let raw: Vec<RawEntry> = entries
        .iter()
        .map(|e| RawEntry {
            key: e.key.as_str().to_owned(),
            environments: e.environments.clone(),
            within: e.within.clone(),
            fingerprint: e.fingerprint.as_str().to_owned(),
            reason: e.reason.clone(),
            expires: e.expires.map(|d| d.to_string()),
        })
        .collect();
    let body = toml::to_string(&OutFile { baseline: &raw })
        .context("failed to write the baseline as TOML")?;
    Ok(format!(
        "# drift baseline of {today}: {} finding(s) accepted as they are.\n\
         # Each entry holds a fingerprint of the values it accepted, never the values:\n\
         # if they drift further, the finding counts again. Remove entries as the drift\n\
         # is fixed (drift names them as stale), or write the file again.\n\n{body}",
        entries.len()
    ))
}

/// When written entries expire: `--baseline-expires` as a date or a number
/// of days, else 90 days from `today`.
pub fn expiry(given: Option<&str>, today: Date) -> anyhow::Result<Date> {
    let days = match given {
        None => DEFAULT_DAYS,
        Some(text) => {
            if let Ok(d) = Date::from_str(text) {
                if d < today {
                    bail!(
                        "--baseline-expires is a date in the past; give a later date or a number of days"
                    );
                }
                return Ok(d);
            }
            match text.trim().parse::<u32>() {
                Ok(n) if (1..=MAX_DAYS).contains(&n) => n,
                _ => bail!(
                    "--baseline-expires must be a date (YYYY-MM-DD) or a number of days from 1 to {MAX_DAYS}"
                ),
            }
        }
    };
    Ok(add_days(today, days))
}

/// `date` plus `days` days.
fn add_days(date: Date, days: u32) -> Date {
    let start = (days_from_civil(date) + i64::from(days)) * 86_400;
    Date::from_unix_seconds(start)
}

/// Days since 1970-01-01 of a date (Howard Hinnant's `days_from_civil`):
/// drift-core's [`Date`] converts only the other way.
fn days_from_civil(d: Date) -> i64 {
    let (m, day) = (i64::from(d.month()), i64::from(d.day()));
    let y = i64::from(d.year()) - i64::from(m <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Writes every active finding of `report` to `path` as a baseline, unless
/// the file exists and overwriting was not asked for; exit 0 once written,
/// 3 when collection was incomplete.
pub fn write(
    path: &Path,
    args: &BaselineArgs,
    report: &Report,
    fingerprinter: &Fingerprinter,
    today: Date,
) -> anyhow::Result<Exit> {
    if !args.overwrite_baseline && std::fs::symlink_metadata(path).is_ok() {
        bail!(
            "`{}` exists: drift does not overwrite a baseline unless told; add --overwrite-baseline, or give another file",
            path.display()
        );
    }
    let expires = expiry(args.baseline_expires.as_deref(), today)?;
    let reason = format!("baseline of {today}");
    let entries: Vec<BaselineEntry> = report
        .findings
        .iter()
        .filter(|f| f.is_active())
        .map(|f| BaselineEntry::accepting(f, fingerprinter, reason.clone(), Some(expires)))
        .collect();
    let text = render(&entries, today)?;
    crate::output::write_atomically(path, |w| std::io::Write::write_all(w, text.as_bytes()))?;
    eprintln!(
        "drift: wrote {} baseline entr{} to `{}` (expires {expires})",
        entries.len(),
        if entries.len() == 1 { "y" } else { "ies" },
        drift_core::display::Escaped(&path.display().to_string())
    );
    Ok(match report.summary.complete {
        true => Exit::Clean,
        false => Exit::Incomplete,
    })
}

/// Applies the baseline the flags or drift.toml name to `report`, or
/// writes one: `Some(exit)` when one was written (the run's exit code
/// then). `fingerprinter` is asked for only when a baseline is in play.
pub fn settle(
    args: &BaselineArgs,
    config: Option<&Config>,
    report: &mut Report,
    fingerprinter: impl FnOnce() -> anyhow::Result<Fingerprinter>,
    today: Date,
) -> anyhow::Result<Option<Exit>> {
    if let Some(path) = &args.write_baseline {
        return write(path, args, report, &fingerprinter()?, today).map(Some);
    }
    if let Some(path) = to_apply(args, config)? {
        let entries = read(&path)?;
        baseline::apply(report, &entries, &fingerprinter()?, Some(today));
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> Date {
        s.parse().unwrap()
    }

    #[test]
    fn expiry_defaults_to_ninety_days_and_takes_dates_or_days() {
        assert_eq!(expiry(None, day("2026-12-07")).unwrap(), day("2027-03-07"));
        assert_eq!(
            expiry(Some("30"), day("2026-12-07")).unwrap(),
            day("2027-01-06")
        );
        assert_eq!(
            expiry(Some("2027-06-30"), day("2026-12-07")).unwrap(),
            day("2027-06-30")
        );
        assert_eq!(
            expiry(Some("1"), day("2028-02-28")).unwrap(),
            day("2028-02-29")
        );
        assert!(expiry(Some("2020-01-01"), day("2026-12-07")).is_err());
        assert!(expiry(Some("0"), day("2026-12-07")).is_err());
        assert!(expiry(Some("soon"), day("2026-12-07")).is_err());
    }

    #[test]
    fn a_written_baseline_reads_back_with_its_lines() {
        let fp = "blake3:".to_owned() + &"a".repeat(64);
        let entry = BaselineEntry {
            key: KeyPattern::new(&drift_core::pattern::escape("env:A*\"x")).unwrap(),
            environments: vec!["staging".into(), "prod".into()],
            within: None,
            fingerprint: Fingerprint::parse(&fp).unwrap(),
            reason: "baseline of 2026-12-07".into(),
            expires: Some(day("2027-03-07")),
            origin: None,
        };
        let text = render(&[entry.clone(), entry], day("2026-12-07")).unwrap();
        let back = parse(Path::new("dir/base.toml"), &text).unwrap();
        assert_eq!(back.len(), 2);
        assert_eq!(back[0].key.as_str(), r#"env:A\*"x"#);
        assert!(back[0].key.matches("env:A*\"x"));
        assert_eq!(back[0].expires, Some(day("2027-03-07")));
        let line = |o: &Option<String>| o.as_deref().unwrap().to_owned();
        assert!(line(&back[0].origin).starts_with("base.toml:"));
        assert_ne!(line(&back[0].origin), line(&back[1].origin));
    }

    #[test]
    fn bad_entries_name_the_line_never_the_value() {
        let text = "[[baseline]]\nkey = \"env:A\"\nenvironments = [\"a\", \"b\"]\nfingerprint = \"hunter2\"\nreason = \"r\"\n";
        let e = parse(Path::new("b.toml"), text).unwrap_err().to_string();
        assert!(e.contains("line 1"), "{e}");
        assert!(!e.contains("hunter2"), "{e}");
        let e = parse(Path::new("b.toml"), "[[baseline]]\nkey = 1\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("b.toml"), "{e}");
    }
}
