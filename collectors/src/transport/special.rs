//! Special files: what a source named by a drift.toml or a flag must not
//! be. `dotenv = ["/proc/self/environ"]` would read the whole environment of
//! the run as one variable, and a FIFO would hang the read forever; such
//! files are read only by the sources made for them (`process_env*`, host
//! facts).

use std::path::{Component, Path, PathBuf};

use super::{FileKind, Transport, TransportError};

/// The file systems of the kernel and of devices, refused as sources.
pub(crate) const SPECIAL_ROOTS: &[&str] = &["/proc", "/sys", "/dev"];

/// Most symbolic links followed while resolving a path (as Linux's 40).
const MAX_LINKS: usize = 40;

/// Whether an absolute, resolved path lies under `/proc`, `/sys` or `/dev`;
/// the root it lies under.
pub(crate) fn is_special_path(path: &Path) -> Option<&'static str> {
    SPECIAL_ROOTS
        .iter()
        .copied()
        .find(|root| path.starts_with(root))
}

/// The refusal of a path under a special root.
pub(crate) fn under_special(path: &Path, root: &str) -> TransportError {
    TransportError::Special {
        path: path.to_path_buf(),
        what: format!("under {root}"),
        hint: hint(root == "/proc"),
    }
}

/// The refusal of a file of another kind than a regular file.
pub(crate) fn not_regular(path: &Path, what: &str) -> TransportError {
    TransportError::Special {
        path: path.to_path_buf(),
        what: what.to_owned(),
        hint: hint(what != "a directory"),
    }
}

fn hint(process: bool) -> String {
    if process {
        "only regular files are read as sources; a process's environment is read with \
         `process_env`, `process_env_of` or `process_env_pidfile`"
            .to_owned()
    } else {
        "only regular files are read as sources".to_owned()
    }
}

/// The default of [`Transport::read_source_file`]'s checks: the kind
/// (links followed), then the path with every link the transport can read
/// resolved, lexically.
pub(crate) fn check_source<T: Transport + ?Sized>(
    transport: &T,
    path: &Path,
) -> Result<(), TransportError> {
    let meta = transport.metadata(path, true)?;
    match meta.kind {
        FileKind::File => {}
        FileKind::Dir => return Err(not_regular(path, "a directory")),
        _ => return Err(not_regular(path, "a special file (FIFO, socket or device)")),
    }
    let resolved = resolve(transport, path);
    if let Some(root) = is_special_path(&resolved) {
        return Err(under_special(path, root));
    }
    Ok(())
}

/// `path` with `.`/`..` folded and the symbolic links the transport can
/// read followed (at most [`MAX_LINKS`]); a relative path stays relative.
fn resolve<T: Transport + ?Sized>(transport: &T, path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    let mut links = 0;
    // Components still to walk, the next one last.
    let mut todo: Vec<std::ffi::OsString> = Vec::new();
    push_components(path, &mut out, &mut todo);
    while let Some(c) = todo.pop() {
        if c == ".." {
            out.pop();
            continue;
        }
        out.push(&c);
        let is_link = transport
            .metadata(&out, false)
            .is_ok_and(|m| m.kind == FileKind::Symlink);
        if !is_link || links >= MAX_LINKS {
            continue;
        }
        let Ok(target) = transport.read_link(&out) else {
            continue;
        };
        links += 1;
        out.pop();
        push_components(&target, &mut out, &mut todo);
    }
    out
}

/// Queues the components of `p` (an absolute `p` resets `out` to `/`).
fn push_components(p: &Path, out: &mut PathBuf, todo: &mut Vec<std::ffi::OsString>) {
    let mut parts = Vec::new();
    for c in p.components() {
        match c {
            Component::RootDir => {
                *out = PathBuf::from("/");
                parts.clear();
            }
            Component::CurDir | Component::Prefix(_) => {}
            Component::ParentDir => parts.push("..".into()),
            Component::Normal(n) => parts.push(n.to_os_string()),
        }
    }
    todo.extend(parts.into_iter().rev());
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A transport that has only the trait's defaults for sources and
    /// links (as a remote one may).
    #[derive(Debug)]
    struct Plain(crate::transport::Local);

    impl Transport for Plain {
        fn target(&self) -> &str {
            "plain"
        }
        fn read_file(&self, path: &Path, limit: u64) -> Result<Vec<u8>, TransportError> {
            self.0.read_file(path, limit)
        }
        fn metadata(
            &self,
            path: &Path,
            follow: bool,
        ) -> Result<crate::transport::FileMeta, TransportError> {
            self.0.metadata(path, follow)
        }
        fn read_link(&self, path: &Path) -> Result<PathBuf, TransportError> {
            self.0.read_link(path)
        }
        fn read_dir(&self, path: &Path) -> Result<Vec<crate::transport::DirEntry>, TransportError> {
            self.0.read_dir(path)
        }
        fn run(
            &self,
            command: &crate::transport::AllowedCommand,
        ) -> Result<crate::transport::CommandOutput, TransportError> {
            self.0.run(command)
        }
        fn open_tunnel(
            &self,
            host: &str,
            port: u16,
        ) -> Result<crate::transport::Tunnel, TransportError> {
            self.0.open_tunnel(host, port)
        }
    }

    #[test]
    fn the_default_check_resolves_links_and_kinds() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir(root.join("d")).unwrap();
        std::fs::write(root.join("d/ok.env"), "A=1\n").unwrap();
        std::os::unix::fs::symlink("/proc/self", root.join("d/p")).unwrap();
        std::os::unix::fs::symlink("../d/p/environ", root.join("d/rel")).unwrap();
        std::os::unix::fs::symlink("/dev/null", root.join("null")).unwrap();
        let t = Plain(crate::transport::Local::new());
        assert_eq!(
            t.read_source_file(&root.join("d/ok.env"), 10).unwrap(),
            b"A=1\n"
        );
        for p in [
            root.join("d/p/environ"),
            root.join("d/rel"),
            root.join("d/../d/p/environ"),
            PathBuf::from("/proc/self/environ"),
        ] {
            let e = t.read_source_file(&p, 1 << 20).unwrap_err().to_string();
            assert!(e.contains("under /proc"), "{p:?}: {e}");
        }
        let e = t
            .read_source_file(&root.join("null"), 10)
            .unwrap_err()
            .to_string();
        assert!(e.contains("special file"), "{e}");
        let e = t.read_source_file(root, 10).unwrap_err().to_string();
        assert!(e.contains("a directory"), "{e}");
    }

    #[test]
    fn special_roots_are_whole_components() {
        assert_eq!(is_special_path(Path::new("/proc/1/environ")), Some("/proc"));
        assert_eq!(is_special_path(Path::new("/sys")), Some("/sys"));
        assert_eq!(is_special_path(Path::new("/dev/stdin")), Some("/dev"));
        assert_eq!(is_special_path(Path::new("/process/x")), None);
        assert_eq!(is_special_path(Path::new("/home/dev/x")), None);
    }
}
