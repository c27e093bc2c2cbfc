//! Finding package sources: files named by the user, root filesystems
//! (OS databases at their well-known paths) and project directories
//! (searched for lockfiles).

use std::path::{Path, PathBuf};

use drift_core::{CollectionError, ErrorKind};

use super::Format;
use crate::transport::{FileKind, Transport};

/// How to read one source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum SourceKind {
    /// A file in a known format.
    File(Format),
    /// An RPM BDB/NDB database, listed by `rpm -qa` on the target.
    RpmCommand,
}

/// One source to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Source {
    pub(super) path: PathBuf,
    pub(super) kind: SourceKind,
}

/// Search settings.
#[derive(Debug, Clone, Copy)]
pub(super) struct Search {
    pub(super) max_depth: usize,
    pub(super) max_dirs: usize,
}

/// Directories never searched for lockfiles: installed dependencies,
/// version control and build output hold copies that are not the project's.
const SKIP_DIRS: [&str; 6] = [
    "node_modules",
    ".git",
    "vendor",
    "target",
    "__pycache__",
    ".hg",
];

/// OS databases relative to a root filesystem, in order of preference.
const OS_DATABASES: [(&str, SourceKind); 4] = [
    ("var/lib/dpkg/status", SourceKind::File(Format::Dpkg)),
    ("lib/apk/db/installed", SourceKind::File(Format::Apk)),
    (
        "usr/lib/sysimage/rpm/rpmdb.sqlite",
        SourceKind::File(Format::RpmSqlite),
    ),
    (
        "var/lib/rpm/rpmdb.sqlite",
        SourceKind::File(Format::RpmSqlite),
    ),
];

/// RPM databases that only `rpm` itself can read.
const RPM_BERKELEY: [&str; 3] = [
    "usr/lib/sysimage/rpm/Packages.db",
    "var/lib/rpm/Packages.db",
    "var/lib/rpm/Packages",
];

const COLLECTOR: &str = "packages";

/// The sources under one user-given path.
pub(super) fn discover(
    transport: &dyn Transport,
    path: &Path,
    search: Search,
    errors: &mut Vec<CollectionError>,
) -> Vec<Source> {
    let meta = match transport.metadata(path, true) {
        Ok(m) => m,
        Err(e) => {
            errors.push(e.to_collection_error(COLLECTOR));
            return Vec::new();
        }
    };
    if meta.kind != FileKind::Dir {
        return file_source(path, errors).into_iter().collect();
    }
    let os = os_databases(transport, path, errors);
    if !os.is_empty() {
        // A root filesystem: its OS databases are its packages; it is not
        // searched for lockfiles (name application directories separately).
        return os;
    }
    let mut out = Vec::new();
    walk(transport, path, search, &mut out, errors);
    out
}

fn file_source(path: &Path, errors: &mut Vec<CollectionError>) -> Option<Source> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    if let Some(format) = Format::from_file_name(&name) {
        return Some(Source {
            path: path.to_path_buf(),
            kind: SourceKind::File(format),
        });
    }
    if RPM_BERKELEY.iter().any(|p| Path::new("/").join(p) == path) {
        return Some(Source {
            path: path.to_path_buf(),
            kind: SourceKind::RpmCommand,
        });
    }
    let message = if matches!(&*name, "Packages" | "Packages.db") {
        "an RPM Berkeley DB or NDB database can only be listed by `rpm` on the machine that \
         uses it: name `/var/lib/rpm/Packages` itself, or convert it with `rpmdb --rebuilddb` \
         to rpmdb.sqlite"
            .to_owned()
    } else if name == "go.sum" {
        "go.sum lists every version a build consulted, not the selected ones: name go.mod instead"
            .to_owned()
    } else {
        "not a package database or lockfile drift knows (see docs/packages.md for the file names)"
            .to_owned()
    };
    errors.push(CollectionError::new(
        COLLECTOR,
        path.display().to_string(),
        ErrorKind::Unsupported,
        message,
    ));
    None
}

fn exists(transport: &dyn Transport, path: &Path) -> bool {
    transport
        .metadata(path, true)
        .is_ok_and(|m| m.kind == FileKind::File)
}

fn os_databases(
    transport: &dyn Transport,
    root: &Path,
    errors: &mut Vec<CollectionError>,
) -> Vec<Source> {
    let mut out = Vec::new();
    let mut rpm = false;
    for (rel, kind) in OS_DATABASES {
        let path = root.join(rel);
        if kind == SourceKind::File(Format::RpmSqlite) && rpm {
            continue;
        }
        if exists(transport, &path) {
            rpm |= kind == SourceKind::File(Format::RpmSqlite);
            out.push(Source { path, kind });
        }
    }
    // Distroless images: one file per package, no main status file.
    let status_d = root.join("var/lib/dpkg/status.d");
    if let Ok(listing) = transport.read_dir(&status_d) {
        for entry in listing {
            let name = entry.name.to_string_lossy();
            if entry.meta.kind == FileKind::File && !name.ends_with(".md5sums") {
                out.push(Source {
                    path: status_d.join(&entry.name),
                    kind: SourceKind::File(Format::Dpkg),
                });
            }
        }
    }
    if !rpm
        && let Some(path) = RPM_BERKELEY
            .iter()
            .map(|rel| root.join(rel))
            .find(|p| exists(transport, p))
    {
        if root == Path::new("/") {
            out.push(Source {
                path,
                kind: SourceKind::RpmCommand,
            });
        } else {
            errors.push(CollectionError::new(
                COLLECTOR,
                path.display().to_string(),
                ErrorKind::Unsupported,
                "an RPM Berkeley DB or NDB database outside `/` cannot be read: `rpm` on the \
                     target would list the target's own packages; snapshot the image's root \
                     as `/`, or use an image with rpmdb.sqlite",
            ));
        }
    }
    out
}

fn walk(
    transport: &dyn Transport,
    root: &Path,
    search: Search,
    out: &mut Vec<Source>,
    errors: &mut Vec<CollectionError>,
) {
    let mut stack = vec![(root.to_path_buf(), 0usize, false)];
    let mut visited = 0;
    while let Some((dir, depth, in_site_packages)) = stack.pop() {
        visited += 1;
        if visited > search.max_dirs {
            errors.push(CollectionError::new(
                COLLECTOR,
                root.display().to_string(),
                ErrorKind::Limit,
                format!(
                    "more than {} directories under this path; the rest was not searched: \
                     name the project directories themselves",
                    search.max_dirs
                ),
            ));
            return;
        }
        let listing = match transport.read_dir(&dir) {
            Ok(l) => l,
            Err(e) => {
                errors.push(e.to_collection_error(COLLECTOR));
                continue;
            }
        };
        let mut subdirs = Vec::new();
        for entry in listing {
            let name = entry.name.to_string_lossy();
            let path = dir.join(&entry.name);
            match entry.meta.kind {
                FileKind::Dir if name.ends_with(".dist-info") => out.push(Source {
                    path: path.join("METADATA"),
                    kind: SourceKind::File(Format::PythonMetadata),
                }),
                FileKind::Dir => {
                    // Inside site-packages only distributions' metadata counts.
                    if in_site_packages
                        || depth + 1 > search.max_depth
                        || SKIP_DIRS.contains(&&*name)
                    {
                        continue;
                    }
                    let site = matches!(&*name, "site-packages" | "dist-packages");
                    subdirs.push((path, depth + 1, site));
                }
                FileKind::File if !in_site_packages => {
                    if let Some(format) = Format::from_lockfile_name(&name) {
                        out.push(Source {
                            path,
                            kind: SourceKind::File(format),
                        });
                    }
                }
                _ => {}
            }
        }
        subdirs.reverse();
        stack.extend(subdirs);
    }
}
