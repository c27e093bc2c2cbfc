//! Where findings are in the repository, for the CI report formats (SARIF,
//! GitHub, GitLab): the file a finding's key came from when it lives in the
//! working directory (a configuration file, a dotenv file, a schema file, a
//! lockfile — as the manifest's coverage records them), otherwise the
//! drift.toml line of its rule or environment, otherwise the drift.toml or
//! manifest given on the command line.
//!
//! Paths are made relative to the working directory (where CI checks the
//! repository out); a source outside it, or on a remote host, is not a
//! place in the repository and is not used.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use drift_core::Manifest;
use drift_core::key::Layer;
use drift_core::render::{Context, Location};
use drift_core::report::{Finding, Report};

/// The largest drift.toml or dotenv file read for its lines.
const MAX_POLICY_BYTES: u64 = 16 << 20;

/// What is known about where a report's findings came from.
#[derive(Debug, Default)]
pub struct Origins<'a> {
    /// Each column's manifest, by its name in the report (environments and
    /// hosts).
    pub manifests: Vec<(&'a str, &'a Manifest)>,
    /// The drift.toml whose rules applied, if any.
    pub policy: Option<&'a Path>,
    /// The place of findings with no other: the drift.toml, or the first
    /// manifest given.
    pub fallback: Option<&'a Path>,
}

/// The working directory's view of paths.
struct Repo {
    cwd: Option<PathBuf>,
    /// Whether a path is a file, asked once per path.
    files: HashMap<PathBuf, bool>,
    /// The line of each variable of a dotenv file, read once per file.
    /// Only names and line numbers are kept, never a value.
    dotenv_lines: HashMap<PathBuf, HashMap<String, u32>>,
}

impl Repo {
    /// `path` relative to the working directory, when it is inside it.
    fn relative(&self, path: &Path) -> Option<String> {
        let rel = if path.is_absolute() {
            path.strip_prefix(self.cwd.as_ref()?).ok()?
        } else {
            path
        };
        Some(rel.to_str()?.to_owned())
    }

    /// A location of the file `path`, when it is a file in the repository.
    fn file(&mut self, path: &Path, line: Option<u32>) -> Option<Location> {
        let is_file = *self
            .files
            .entry(path.to_path_buf())
            .or_insert_with(|| path.is_file());
        if !is_file {
            return None;
        }
        Location::new(&self.relative(path)?, line)
    }
}

impl Repo {
    /// The line that sets `name` in the dotenv file `path`, if it does.
    fn dotenv_line(&mut self, path: &Path, name: &str) -> Option<u32> {
        if !self
            .files
            .get(path)
            .copied()
            .unwrap_or_else(|| path.is_file())
        {
            return None;
        }
        let lines = self
            .dotenv_lines
            .entry(path.to_path_buf())
            .or_insert_with(|| dotenv_names(path));
        lines.get(name).copied()
    }
}

/// The first line of each variable a dotenv file sets (`NAME=…`,
/// `export NAME=…`). Values are not kept; a file over the size limit, or
/// unreadable, gives none.
fn dotenv_names(path: &Path) -> HashMap<String, u32> {
    let mut out = HashMap::new();
    if std::fs::metadata(path).map_or(true, |m| m.len() > MAX_POLICY_BYTES) {
        return out;
    }
    let Ok(bytes) = std::fs::read(path) else {
        return out;
    };
    for (i, line) in bytes.split(|&b| b == b'\n').enumerate() {
        let line = line.trim_ascii_start();
        let line = line.strip_prefix(b"export ").unwrap_or(line);
        let Some(eq) = line.iter().position(|&b| b == b'=') else {
            continue;
        };
        let Ok(name) = std::str::from_utf8(line[..eq].trim_ascii()) else {
            continue;
        };
        if !name.is_empty() && !name.starts_with('#') {
            let n = u32::try_from(i + 1).unwrap_or(u32::MAX);
            out.entry(name.to_owned()).or_insert(n);
        }
    }
    out
}

/// The file part of a `config:` or `file:` key's body: the text before the
/// first `:` (a quoted path is not looked for).
fn file_part(f: &Finding) -> Option<&str> {
    let body = f.key.body();
    if body.starts_with('"') {
        return None;
    }
    Some(match f.key.layer() {
        Layer::Config => body.split(':').next().unwrap_or(body),
        _ => body,
    })
}

/// The names of the columns to look in, most telling first: the odd ones
/// out, then those that hold the key.
fn columns(f: &Finding) -> impl Iterator<Item = &str> {
    f.odd_one_out.iter().map(|n| &**n).chain(
        f.values
            .iter()
            .filter(|(_, v)| v.is_some())
            .map(|(n, _)| &**n),
    )
}

/// The source file of a finding's key in one manifest.
fn source(repo: &mut Repo, f: &Finding, m: &Manifest) -> Option<Location> {
    if m.target != "local" {
        return None;
    }
    let sources = |collector: &'static str| {
        m.coverage
            .iter()
            .filter(move |c| c.collector == collector)
            .map(|c| PathBuf::from(&c.source))
    };
    match f.key.layer() {
        Layer::Config | Layer::File => {
            let rel = file_part(f)?;
            for dir in sources("config") {
                if let Some(l) = repo.file(&dir.join(rel), None) {
                    return Some(l);
                }
                // A named directory's keys start with its name.
                if let Some((_, rest)) = rel.split_once('/')
                    && let Some(l) = repo.file(&dir.join(rest), None)
                {
                    return Some(l);
                }
            }
            None
        }
        // The last dotenv file that sets the variable, as when it is
        // read; else the last one.
        Layer::Env => {
            let files: Vec<PathBuf> = sources("env").collect();
            let name = f.key.body();
            files
                .iter()
                .rev()
                .find_map(|p| {
                    let line = repo.dotenv_line(p, name)?;
                    repo.file(p, Some(line))
                })
                .or_else(|| files.iter().rev().find_map(|p| repo.file(p, None)))
        }
        Layer::Schema => sources("schema").find_map(|p| repo.file(&p, None)),
        Layer::Package => sources("packages").find_map(|p| repo.file(&p, None)),
        _ => None,
    }
}

/// `[environments.NAME]`'s line in a drift.toml, by name.
fn environment_lines(policy: &Path) -> BTreeMap<String, u32> {
    #[derive(serde::Deserialize)]
    struct Raw {
        #[serde(default)]
        environments: BTreeMap<String, toml::Spanned<toml::Value>>,
    }
    let too_large = std::fs::metadata(policy).map_or(true, |m| m.len() > MAX_POLICY_BYTES);
    let text = match std::fs::read_to_string(policy) {
        Ok(t) if !too_large => t,
        _ => return BTreeMap::new(),
    };
    let Ok(raw) = toml::from_str::<Raw>(&text) else {
        return BTreeMap::new();
    };
    raw.environments
        .into_iter()
        .map(|(name, v)| {
            let at = v.span().start.min(text.len());
            let line = text[..at].matches('\n').count() + 1;
            (name, u32::try_from(line).unwrap_or(u32::MAX))
        })
        .collect()
}

/// The line of a rule's origin (`drift.toml:27`).
fn origin_line(origin: &str) -> Option<u32> {
    origin.rsplit_once(':')?.1.parse().ok()
}

/// Where each of `report`'s findings is.
pub fn context(report: &Report, origins: &Origins<'_>) -> Context {
    let mut repo = Repo {
        cwd: std::env::current_dir().ok(),
        files: HashMap::new(),
        dotenv_lines: HashMap::new(),
    };
    let manifests: HashMap<&str, &Manifest> = origins.manifests.iter().copied().collect();
    let env_lines = origins.policy.map(environment_lines).unwrap_or_default();
    let policy = origins.policy.and_then(|p| repo.file(p, None));
    let at_policy_line = |line: u32| {
        policy
            .as_ref()
            .and_then(|p| Location::new(p.path(), Some(line)))
    };
    let locations = report
        .findings
        .iter()
        .map(|f| {
            let from_source = columns(f)
                .filter_map(|n| manifests.get(n))
                .find_map(|m| source(&mut repo, f, m));
            from_source
                .or_else(|| {
                    f.rule
                        .as_deref()
                        .and_then(origin_line)
                        .and_then(at_policy_line)
                })
                .or_else(|| {
                    let env = f.environment.as_deref().or_else(|| columns(f).next())?;
                    env_lines.get(env).copied().and_then(at_policy_line)
                })
        })
        .collect();
    let fallback = origins
        .fallback
        .and_then(|p| repo.file(p, None))
        .or(policy.clone());
    Context {
        locations,
        fallback,
        layers: layers(origins),
    }
}

/// The layers the manifests hold keys of.
fn layers(origins: &Origins<'_>) -> Vec<Layer> {
    let mut out: Vec<Layer> = Vec::new();
    for (_, m) in &origins.manifests {
        for e in m.entries() {
            let layer = e.key.layer();
            if !out.contains(&layer) {
                out.push(layer);
            }
        }
    }
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dotenv_lines_name_variables_and_keep_no_value() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join(".env");
        std::fs::write(
            &p,
            "# A=comment\nA=1\n\n  export B = two\nA=again\nnot a line\nC=x=y\n",
        )
        .unwrap();
        let names = dotenv_names(&p);
        assert_eq!(names.get("A"), Some(&2));
        assert_eq!(names.get("B"), Some(&4));
        assert_eq!(names.get("C"), Some(&7));
        assert_eq!(names.len(), 3, "{names:?}");
    }
}
