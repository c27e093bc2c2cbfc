//! The manifests `drift diff` is given: files, directories (their `*.json`
//! files) and globs, expanded here rather than by a shell (a CI step may
//! quote them, and Windows shells do not expand them). A glob is matched
//! with `globset` over a `walkdir` walk bounded in depth and entries, so a
//! pattern over a huge tree cannot keep drift busy; and a run takes at most
//! [`MAX_MANIFESTS`] manifests.

use std::path::{Component, Path, PathBuf};

use anyhow::{Context, bail};
use globset::GlobBuilder;

/// The most manifests one run reads.
pub const MAX_MANIFESTS: usize = 10_000;
/// The most directory entries a glob looks at.
const MAX_GLOB_ENTRIES: usize = 200_000;
/// How deep a `**` glob goes below its fixed prefix.
const MAX_GLOB_DEPTH: usize = 16;

/// Whether `s` holds a glob character.
fn is_glob(s: &str) -> bool {
    s.contains(['*', '?', '[', '{'])
}

/// Expands each argument: `-` and files as they are, a directory into its
/// `*.json` files (sorted), a glob into the files it matches (sorted). A
/// path that does not exist is kept, to be refused when it is read.
pub fn expand(args: &[PathBuf]) -> anyhow::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for arg in args {
        let more = if arg.as_os_str() == "-" || arg.is_file() {
            vec![arg.clone()]
        } else if arg.is_dir() {
            directory(arg)?
        } else if arg.to_str().is_some_and(is_glob) {
            glob(arg)?
        } else {
            vec![arg.clone()]
        };
        out.extend(more);
        if out.len() > MAX_MANIFESTS {
            bail!("more than {MAX_MANIFESTS} manifests given; compare fewer at once");
        }
    }
    Ok(out)
}

/// The `*.json` files directly in `dir`, sorted.
fn directory(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    let read = std::fs::read_dir(dir)
        .with_context(|| format!("cannot read the folder `{}`", dir.display()))?;
    for entry in read {
        let entry = entry.with_context(|| format!("cannot read the folder `{}`", dir.display()))?;
        let path = entry.path();
        if path.extension().is_some_and(|e| e == "json") && path.is_file() {
            files.push(path);
            if files.len() > MAX_MANIFESTS {
                bail!(
                    "the folder `{}` holds more than {MAX_MANIFESTS} manifests; compare fewer at once",
                    dir.display()
                );
            }
        }
    }
    if files.is_empty() {
        bail!(
            "the folder `{}` holds no manifest (`*.json` file)",
            dir.display()
        );
    }
    files.sort();
    Ok(files)
}

/// The files `pattern` matches, sorted.
fn glob(pattern: &Path) -> anyhow::Result<Vec<PathBuf>> {
    // The fixed leading folders are walked from; the rest is matched.
    let mut base = PathBuf::new();
    let mut rest: Vec<&str> = Vec::new();
    for c in pattern.components() {
        let text = c.as_os_str().to_str().unwrap_or_default();
        if rest.is_empty() && !is_glob(text) {
            base.push(c);
        } else {
            if matches!(c, Component::ParentDir) {
                bail!(
                    "the pattern `{}` has `..` after a glob character; put the folders first",
                    pattern.display()
                );
            }
            rest.push(text);
        }
    }
    let depth = if rest.iter().any(|r| r.contains("**")) {
        MAX_GLOB_DEPTH
    } else {
        rest.len()
    };
    let matcher = GlobBuilder::new(&rest.join("/"))
        .literal_separator(true)
        .build()
        .with_context(|| format!("`{}` is not a valid pattern", pattern.display()))?
        .compile_matcher();
    let root = if base.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        base.clone()
    };
    let mut files = Vec::new();
    for (seen, entry) in walkdir::WalkDir::new(&root)
        .min_depth(1)
        .max_depth(depth)
        .into_iter()
        .enumerate()
    {
        if seen >= MAX_GLOB_ENTRIES {
            bail!(
                "the pattern `{}` looked at {MAX_GLOB_ENTRIES} entries; give a narrower one",
                pattern.display()
            );
        }
        let Ok(entry) = entry else { continue };
        if !entry.file_type().is_file() {
            continue;
        }
        let Ok(rel) = entry.path().strip_prefix(&root) else {
            continue;
        };
        if matcher.is_match(rel) {
            files.push(base.join(rel));
            if files.len() > MAX_MANIFESTS {
                bail!(
                    "the pattern `{}` matches more than {MAX_MANIFESTS} files; compare fewer at once",
                    pattern.display()
                );
            }
        }
    }
    if files.is_empty() {
        bail!("the pattern `{}` matches no file", pattern.display());
    }
    files.sort();
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn touch(root: &Path, rel: &str) -> PathBuf {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, "{}").unwrap();
        p
    }

    #[test]
    fn folders_and_globs_expand_sorted() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let b = touch(d, "fleet/web-2.json");
        let a = touch(d, "fleet/web-1.json");
        touch(d, "fleet/notes.txt");
        let deep = touch(d, "fleet/eu/web-3.json");
        assert_eq!(
            expand(&[d.join("fleet")]).unwrap(),
            vec![a.clone(), b.clone()]
        );
        assert_eq!(
            expand(&[d.join("fleet/web-*.json")]).unwrap(),
            vec![a.clone(), b.clone()]
        );
        assert_eq!(
            expand(&[d.join("fleet/**/*.json")]).unwrap(),
            vec![deep, a.clone(), b.clone()]
        );
        // A file and `-` stay as they are; a missing one is refused later.
        let missing = d.join("none.json");
        assert_eq!(
            expand(&[a.clone(), PathBuf::from("-"), missing.clone()]).unwrap(),
            vec![a, PathBuf::from("-"), missing]
        );
    }

    #[test]
    fn empty_expansions_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("empty")).unwrap();
        let e = expand(&[dir.path().join("empty")]).unwrap_err();
        assert!(e.to_string().contains("holds no manifest"), "{e}");
        let e = expand(&[dir.path().join("*.json")]).unwrap_err();
        assert!(e.to_string().contains("matches no file"), "{e}");
    }
}
