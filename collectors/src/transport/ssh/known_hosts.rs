//! known_hosts files: parsing (plain and hashed `|1|` entries, patterns,
//! `[host]:port`, `@revoked`), checking an offered host key, and recording a
//! new one (under a lock, atomically: an exclusive temp file and a rename).

use std::fs;
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
use hmac::{Hmac, Mac};
use sha1::Sha1;
use sha2::{Digest, Sha256};

use super::config::host_matches;

/// A host key: its type name (`ssh-ed25519`) and its wire-format blob.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct HostKey {
    pub key_type: String,
    pub blob: Vec<u8>,
}

impl HostKey {
    /// Reads the type name from a key blob (its first SSH string).
    pub(super) fn from_blob(blob: &[u8]) -> Option<HostKey> {
        let len = u32::from_be_bytes(blob.get(..4)?.try_into().ok()?) as usize;
        let name = blob.get(4..4 + len)?;
        let key_type = std::str::from_utf8(name).ok()?.to_owned();
        Some(HostKey {
            key_type,
            blob: blob.to_vec(),
        })
    }

    /// `SHA256:` and the unpadded base64 of the SHA-256 of the blob, as
    /// OpenSSH shows it.
    pub(super) fn fingerprint(&self) -> String {
        format!(
            "SHA256:{}",
            STANDARD_NO_PAD.encode(Sha256::digest(&self.blob))
        )
    }

    /// The known_hosts line for `host_name`.
    pub(super) fn line(&self, host_name: &str) -> String {
        format!(
            "{host_name} {} {}",
            self.key_type,
            STANDARD.encode(&self.blob)
        )
    }
}

/// The name a host is recorded under: `host` on port 22, `[host]:port`
/// otherwise. Lowercase, like `ssh`.
pub(crate) fn host_name_for(host: &str, port: u16) -> String {
    let host = host.to_ascii_lowercase();
    if port == 22 {
        host
    } else {
        format!("[{host}]:{port}")
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Marker {
    None,
    Revoked,
    CertAuthority,
}

#[derive(Debug, Clone)]
enum Hosts {
    Patterns(Vec<String>),
    Hashed { salt: Vec<u8>, hash: Vec<u8> },
}

#[derive(Debug, Clone)]
struct Entry {
    marker: Marker,
    hosts: Hosts,
    key: HostKey,
    /// Where the entry is, for messages: `path:line`.
    location: String,
}

/// The entries of one or more known_hosts files.
#[derive(Debug, Clone, Default)]
pub(crate) struct KnownHosts {
    entries: Vec<Entry>,
}

/// What known_hosts says about an offered key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// A matching entry holds this key.
    Known,
    /// No entry for this host.
    Unknown,
    /// Entries for this host hold another key of the same type.
    Changed {
        /// `path:line` of the entries.
        locations: Vec<String>,
    },
    /// Entries for this host hold keys of other types only.
    OtherTypes {
        /// The types recorded.
        types: Vec<String>,
        /// `path:line` of the entries.
        locations: Vec<String>,
    },
    /// The key is marked `@revoked`.
    Revoked {
        /// `path:line` of the entry.
        location: String,
    },
}

impl KnownHosts {
    /// Adds the entries of one file's text; `origin` names the file in
    /// messages. Lines that cannot be parsed are skipped, like `ssh` does.
    pub(super) fn add_text(&mut self, text: &str, origin: &str) {
        for (i, line) in text.lines().enumerate() {
            if let Some(entry) = parse_line(line, &format!("{origin}:{}", i + 1)) {
                self.entries.push(entry);
            }
        }
    }

    /// The key types recorded for `host_name`, in file order.
    pub(super) fn known_types(&self, host_name: &str) -> Vec<String> {
        let mut types: Vec<String> = Vec::new();
        for e in self.matching(host_name) {
            if e.marker == Marker::None && !types.contains(&e.key.key_type) {
                types.push(e.key.key_type.clone());
            }
        }
        types
    }

    /// Checks the key `host_name` offered.
    pub(super) fn check(&self, host_name: &str, key: &HostKey) -> Verdict {
        let mut changed = Vec::new();
        let mut other = Vec::new();
        let mut other_types: Vec<String> = Vec::new();
        for e in &self.entries {
            if e.marker == Marker::Revoked && e.key.blob == key.blob {
                return Verdict::Revoked {
                    location: e.location.clone(),
                };
            }
        }
        for e in self.matching(host_name) {
            if e.marker != Marker::None {
                continue;
            }
            if e.key.blob == key.blob {
                return Verdict::Known;
            }
            if e.key.key_type == key.key_type {
                changed.push(e.location.clone());
            } else {
                other.push(e.location.clone());
                if !other_types.contains(&e.key.key_type) {
                    other_types.push(e.key.key_type.clone());
                }
            }
        }
        if !changed.is_empty() {
            Verdict::Changed { locations: changed }
        } else if !other.is_empty() {
            Verdict::OtherTypes {
                types: other_types,
                locations: other,
            }
        } else {
            Verdict::Unknown
        }
    }

    fn matching<'a>(&'a self, host_name: &'a str) -> impl Iterator<Item = &'a Entry> + 'a {
        self.entries
            .iter()
            .filter(move |e| e.hosts.matches(host_name))
    }
}

impl Hosts {
    fn matches(&self, host_name: &str) -> bool {
        match self {
            Hosts::Patterns(p) => host_matches(host_name, p),
            Hosts::Hashed { salt, hash } => {
                let Ok(mut mac) = Hmac::<Sha1>::new_from_slice(salt) else {
                    return false;
                };
                mac.update(host_name.as_bytes());
                mac.verify_slice(hash).is_ok()
            }
        }
    }
}

fn parse_line(line: &str, location: &str) -> Option<Entry> {
    let line = line.trim();
    if line.is_empty() || line.starts_with('#') {
        return None;
    }
    let mut fields = line.split_whitespace();
    let mut first = fields.next()?;
    let marker = match first {
        "@revoked" => Marker::Revoked,
        "@cert-authority" => Marker::CertAuthority,
        m if m.starts_with('@') => return None,
        _ => Marker::None,
    };
    if marker != Marker::None {
        first = fields.next()?;
    }
    let hosts = if let Some(hashed) = first.strip_prefix("|1|") {
        let (salt, hash) = hashed.split_once('|')?;
        Hosts::Hashed {
            salt: STANDARD.decode(salt).ok()?,
            hash: STANDARD.decode(hash).ok()?,
        }
    } else {
        Hosts::Patterns(first.split(',').map(str::to_owned).collect())
    };
    let key_type = fields.next()?;
    let blob = STANDARD.decode(fields.next()?).ok()?;
    let key = HostKey::from_blob(&blob)?;
    if key.key_type != key_type {
        return None;
    }
    Some(Entry {
        marker,
        hosts,
        key,
        location: location.to_owned(),
    })
}

/// How long to wait for another writer's lock.
const LOCK_WAIT: Duration = Duration::from_secs(10);

/// Why a key could not be recorded.
#[derive(Debug, thiserror::Error)]
#[error("cannot record the host key in `{}`: {message}", path.display())]
pub(crate) struct RecordError {
    pub path: PathBuf,
    pub message: String,
}

/// Appends `key` for `host_name` to the known_hosts file at `path`,
/// unless it is there already. A symlinked file is written through to its
/// target; a path that is not a regular file (`/dev/null`) is refused.
///
/// Writers (threads, or several drift processes at once) take an
/// exclusive `flock` on a lock file beside it (`.NAME.drift.lock`, opened
/// without following links) and re-read the file under it, so that no key
/// is lost. The new text goes to a temporary file created exclusively
/// with a random name in the same folder (the `tempfile` crate), which is
/// then renamed over the file: a link planted where the temporary file
/// would go is never written through.
pub(crate) fn record(path: &Path, host_name: &str, key: &HostKey) -> Result<(), RecordError> {
    let fail = |message: String| RecordError {
        path: path.to_path_buf(),
        message,
    };
    let real = match fs::canonicalize(path) {
        Ok(p) => p,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => path.to_path_buf(),
        Err(e) => return Err(fail(e.to_string())),
    };
    let dir = match real.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if !dir.exists() {
        fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(&dir)
            .map_err(|e| fail(format!("cannot create `{}`: {e}", dir.display())))?;
    }
    let file_name = real.file_name().map_or_else(
        || "known_hosts".into(),
        |n| n.to_string_lossy().into_owned(),
    );
    let _lock = lock(&dir.join(format!(".{file_name}.drift.lock"))).map_err(fail)?;
    // Read under the lock: another writer may have added keys.
    let (existing, mode) = match fs::metadata(&real) {
        Ok(m) if !m.is_file() => return Err(fail("it is not a regular file".into())),
        Ok(m) => (
            fs::read_to_string(&real).map_err(|e| fail(e.to_string()))?,
            m.permissions().mode() & 0o7777,
        ),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => (String::new(), 0o644),
        Err(e) => return Err(fail(e.to_string())),
    };
    let mut known = KnownHosts::default();
    known.add_text(&existing, "");
    if known.check(host_name, key) == Verdict::Known {
        return Ok(());
    }
    let mut text = existing;
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    text.push_str(&key.line(host_name));
    text.push('\n');
    let write = || -> std::io::Result<()> {
        // O_CREAT | O_EXCL with a random name, mode 0600 until set.
        let mut tmp = tempfile::Builder::new()
            .prefix(&format!(".{file_name}.drift-"))
            .suffix(".tmp")
            .tempfile_in(&dir)?;
        tmp.as_file()
            .set_permissions(fs::Permissions::from_mode(mode))?;
        tmp.write_all(text.as_bytes())?;
        tmp.as_file().sync_all()?;
        tmp.persist(&real).map_err(|e| e.error)?;
        Ok(())
    };
    write().map_err(|e| fail(e.to_string()))
}

/// An exclusive `flock` on the lock file at `path`, released when the
/// file is closed.
fn lock(path: &Path) -> Result<fs::File, String> {
    let file = fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .custom_flags(rustix::fs::OFlags::NOFOLLOW.bits() as i32)
        .open(path)
        .map_err(|e| format!("cannot open the lock file `{}`: {e}", path.display()))?;
    if !file.metadata().is_ok_and(|m| m.is_file()) {
        return Err(format!(
            "the lock file `{}` is not a regular file",
            path.display()
        ));
    }
    let started = Instant::now();
    loop {
        match rustix::fs::flock(&file, rustix::fs::FlockOperation::NonBlockingLockExclusive) {
            Ok(()) => return Ok(file),
            Err(rustix::io::Errno::WOULDBLOCK | rustix::io::Errno::INTR)
                if started.elapsed() < LOCK_WAIT =>
            {
                std::thread::sleep(Duration::from_millis(5));
            }
            Err(e) => {
                return Err(format!(
                    "cannot lock `{}` within {} s: {e}",
                    path.display(),
                    LOCK_WAIT.as_secs()
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Public keys of throwaway pairs made with `ssh-keygen -t ed25519`.
    const KEY_A: &str = "AAAAC3NzaC1lZDI1NTE5AAAAIIw4gUBjvhlPz0uWcZHOVFokuLgu30CFUmmiqm443MNe";
    const KEY_B: &str = "AAAAC3NzaC1lZDI1NTE5AAAAIJaRGiH8QrzDW9yC0a/33dwjfumTUIPSc4wXmvBadd8J";

    fn key(b64: &str) -> HostKey {
        HostKey::from_blob(&STANDARD.decode(b64).unwrap()).unwrap()
    }

    #[test]
    fn fingerprints_look_like_openssh() {
        let k = key(KEY_A);
        assert_eq!(k.key_type, "ssh-ed25519");
        // `ssh-keygen -lf` of this key.
        assert_eq!(
            k.fingerprint(),
            "SHA256:A6VZYm8zu4RG1n/kacU3CcKSQ9msiqQUdHhaGoNw67w"
        );
    }

    #[test]
    fn plain_patterns_and_ports() {
        let mut kh = KnownHosts::default();
        kh.add_text(
            &format!(
                "# comment\nweb-1,10.0.0.1 ssh-ed25519 {KEY_A}\n[web-2]:2222 ssh-ed25519 {KEY_A}\n*.example.com,!bad.example.com ssh-ed25519 {KEY_A}\nnot a valid line\n"
            ),
            "kh",
        );
        let a = key(KEY_A);
        assert_eq!(kh.check("web-1", &a), Verdict::Known);
        assert_eq!(kh.check("10.0.0.1", &a), Verdict::Known);
        assert_eq!(kh.check("[web-2]:2222", &a), Verdict::Known);
        // A non-22 port needs its own `[host]:port` entry, as in OpenSSH.
        assert_eq!(kh.check("[web-1]:2222", &a), Verdict::Unknown);
        assert_eq!(kh.check("web-2", &a), Verdict::Unknown);
        assert_eq!(kh.check("x.example.com", &a), Verdict::Known);
        assert_eq!(kh.check("bad.example.com", &a), Verdict::Unknown);
        assert_eq!(
            kh.check("web-1", &key(KEY_B)),
            Verdict::Changed {
                locations: vec!["kh:2".into()]
            }
        );
        assert_eq!(kh.known_types("web-1"), ["ssh-ed25519"]);
    }

    #[test]
    fn hashed_entries_match() {
        // `ssh-keygen -H` style: HMAC-SHA1 of the name keyed by the salt.
        let salt = b"0123456789abcdefghij";
        let mut mac = Hmac::<Sha1>::new_from_slice(salt).unwrap();
        mac.update(b"[db.internal]:2200");
        let hash = mac.finalize().into_bytes();
        let line = format!(
            "|1|{}|{} ssh-ed25519 {KEY_A}",
            STANDARD.encode(salt),
            STANDARD.encode(hash)
        );
        let mut kh = KnownHosts::default();
        kh.add_text(&line, "kh");
        assert_eq!(kh.check("[db.internal]:2200", &key(KEY_A)), Verdict::Known);
        assert_eq!(kh.check("db.internal", &key(KEY_A)), Verdict::Unknown);
        assert!(matches!(
            kh.check("[db.internal]:2200", &key(KEY_B)),
            Verdict::Changed { .. }
        ));
    }

    #[test]
    fn revoked_and_other_types() {
        let mut kh = KnownHosts::default();
        kh.add_text(
            &format!(
                "@revoked * ssh-ed25519 {KEY_B}\nh ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBIgaDSafNNLJcfwK8+i/Z3gfdMa2kOHpTmOa8q8l9aJL6LNK5xkfKPVN6b/jOMpkgd615GgpYxEFLbpKRyoGvlY=\n@cert-authority * ssh-ed25519 {KEY_A}\n"
            ),
            "kh",
        );
        assert!(matches!(
            kh.check("anything", &key(KEY_B)),
            Verdict::Revoked { .. }
        ));
        // A CA line is not a host key.
        assert_eq!(kh.check("h2", &key(KEY_A)), Verdict::Unknown);
        assert!(matches!(
            kh.check("h", &key(KEY_A)),
            Verdict::OtherTypes { .. }
        ));
    }

    #[test]
    fn recording_is_atomic_and_idempotent() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/known_hosts");
        record(&path, "[h]:2222", &key(KEY_A)).unwrap();
        record(&path, "[h]:2222", &key(KEY_A)).unwrap();
        let text = fs::read_to_string(&path).unwrap();
        assert_eq!(text, format!("[h]:2222 ssh-ed25519 {KEY_A}\n"));
        fs::write(&path, "other ssh-ed25519 AAAA").unwrap();
        record(&path, "h", &key(KEY_B)).unwrap();
        let text = fs::read_to_string(&path).unwrap();
        assert_eq!(
            text,
            format!("other ssh-ed25519 AAAA\nh ssh-ed25519 {KEY_B}\n")
        );
        // The file and the lock file.
        assert_eq!(fs::read_dir(path.parent().unwrap()).unwrap().count(), 2);
        let e = record(Path::new("/dev/null"), "h", &key(KEY_A)).unwrap_err();
        assert!(e.to_string().contains("not a regular file"), "{e}");
    }

    #[test]
    fn planted_links_are_never_written_through() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim");
        fs::write(&victim, "precious\n").unwrap();
        let ssh = dir.path().join("ssh");
        fs::create_dir(&ssh).unwrap();
        let path = ssh.join("known_hosts");
        // The temporary file's old, guessable name.
        let old_tmp = ssh.join(format!(".known_hosts.drift-{}.tmp", std::process::id()));
        std::os::unix::fs::symlink(&victim, &old_tmp).unwrap();
        record(&path, "h", &key(KEY_A)).unwrap();
        assert_eq!(fs::read_to_string(&victim).unwrap(), "precious\n");
        assert!(
            fs::symlink_metadata(&old_tmp)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert!(fs::read_to_string(&path).unwrap().contains(KEY_A));
        // Nothing left behind but the lock file.
        let mut names: Vec<_> = fs::read_dir(&ssh)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        assert_eq!(
            names,
            [
                format!(".known_hosts.drift-{}.tmp", std::process::id()),
                ".known_hosts.drift.lock".to_owned(),
                "known_hosts".to_owned()
            ]
        );
        // A link planted at the lock file's name is refused, not followed.
        fs::remove_file(ssh.join(".known_hosts.drift.lock")).unwrap();
        std::os::unix::fs::symlink(&victim, ssh.join(".known_hosts.drift.lock")).unwrap();
        let e = record(&path, "h2", &key(KEY_A)).unwrap_err().to_string();
        assert!(e.contains("cannot open the lock file"), "{e}");
        assert_eq!(fs::read_to_string(&victim).unwrap(), "precious\n");
    }

    /// Run by `concurrent_writers_lose_no_key` in processes of its own:
    /// records a key for the host in `DRIFT_TEST_KH_HOST`.
    #[test]
    #[ignore = "a helper of concurrent_writers_lose_no_key, run in its own process"]
    fn record_one_key_in_a_process() {
        let (Ok(path), Ok(host)) = (
            std::env::var("DRIFT_TEST_KH_PATH"),
            std::env::var("DRIFT_TEST_KH_HOST"),
        ) else {
            return;
        };
        record(Path::new(&path), &host, &key(KEY_A)).unwrap();
    }

    #[test]
    fn concurrent_writers_lose_no_key() {
        let exe = std::env::current_exe().unwrap();
        for round in 0..3 {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("known_hosts");
            // Six processes and six threads at once.
            let children: Vec<_> = (0..6)
                .map(|i| {
                    std::process::Command::new(&exe)
                        .args([
                            "--exact",
                            "transport::ssh::known_hosts::tests::record_one_key_in_a_process",
                            "--ignored",
                            "--quiet",
                        ])
                        .env("DRIFT_TEST_KH_PATH", &path)
                        .env("DRIFT_TEST_KH_HOST", format!("process-{i}"))
                        .stdout(std::process::Stdio::null())
                        .spawn()
                        .unwrap()
                })
                .collect();
            std::thread::scope(|s| {
                for i in 0..6 {
                    let path = &path;
                    s.spawn(move || record(path, &format!("thread-{i}"), &key(KEY_B)).unwrap());
                }
            });
            for mut c in children {
                assert!(c.wait().unwrap().success());
            }
            let text = fs::read_to_string(&path).unwrap();
            for i in 0..6 {
                assert!(
                    text.contains(&format!("process-{i} ")),
                    "round {round}: {text}"
                );
                assert!(
                    text.contains(&format!("thread-{i} ")),
                    "round {round}: {text}"
                );
            }
            assert_eq!(text.lines().count(), 12, "round {round}: {text}");
        }
    }

    #[test]
    fn recording_writes_through_symlinks() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real");
        fs::write(&real, "").unwrap();
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        record(&link, "h", &key(KEY_A)).unwrap();
        assert!(
            fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert!(fs::read_to_string(&real).unwrap().contains(KEY_A));
    }
}
