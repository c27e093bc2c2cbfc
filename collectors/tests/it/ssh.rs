//! The SSH transport against real OpenSSH servers (see
//! `test-support/src/sshd.rs`). Ignored in a plain `cargo test`; run with
//! `cargo test -p drift-collectors --features ssh --test it ssh -- --include-ignored`.

use std::fs;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use drift_collectors::transport::{
    AllowedCommand, FileKind, Local, Passphrase, Ssh, SshOptions, SshTarget, Transport,
    TransportError, WalkOptions,
};
use drift_collectors::{Collector, snapshot};
use drift_core::value::FileInfo;
use drift_core::{Collection, KeyPath, Sanitizer, Value};

use crate::sshd::{Sshd, SshdExt, keygen};

/// A small config tree: nested dirs, modes, an empty file, a symlink.
fn make_tree(root: &Path) {
    fs::create_dir_all(root.join("app/conf.d")).unwrap();
    fs::create_dir_all(root.join("empty-dir")).unwrap();
    fs::write(root.join("app/settings.yaml"), "db:\n  pool: 10\n").unwrap();
    fs::write(root.join("app/conf.d/10-cache.ini"), "[cache]\nttl=60\n").unwrap();
    fs::write(root.join(".env"), "PAYMENT_TIMEOUT_MS=3000\n").unwrap();
    fs::write(root.join("empty"), "").unwrap();
    let big: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
    fs::write(root.join("app/blob.bin"), big).unwrap();
    fs::write(root.join("secret.key"), "x").unwrap();
    fs::set_permissions(root.join("secret.key"), fs::Permissions::from_mode(0o600)).unwrap();
    std::os::unix::fs::symlink("app/settings.yaml", root.join("current.yaml")).unwrap();
}

/// Walks a tree and records each file's hash, size and mode.
#[derive(Debug)]
struct TreeHash(PathBuf);

impl Collector for TreeHash {
    fn name(&self) -> &'static str {
        "tree"
    }

    fn collect(&self, t: &dyn Transport) -> Collection {
        let mut c = Collection::new();
        let walk = match t.walk(&self.0, &WalkOptions::default()) {
            Ok(w) => w,
            Err(e) => {
                c.error(e.to_collection_error(self.name()));
                return c;
            }
        };
        for e in walk.errors {
            c.error(e.to_collection_error(self.name()));
        }
        let mut n = 0;
        for entry in walk.entries {
            if entry.meta.kind != FileKind::File {
                continue;
            }
            match t.read_file(&entry.path, 1 << 20) {
                Ok(bytes) => {
                    n += 1;
                    c.insert(
                        KeyPath::file(&entry.rel_path.to_string_lossy()),
                        Value::from(FileInfo {
                            blake3: blake3::hash(&bytes).to_hex().to_string(),
                            size: bytes.len() as u64,
                            mode: entry.meta.mode,
                            text: None,
                        }),
                    );
                }
                Err(e) => c.error(e.to_collection_error(self.name())),
            }
        }
        c.cover(self.name(), &self.0.display().to_string(), n);
        c
    }
}

#[test]
#[ignore = "needs sshd: install openssh-server and run with --include-ignored"]
fn the_remote_read_of_a_folder_equals_the_local_read() {
    let sshd = Sshd::start();
    let tree = tempfile::tempdir().unwrap();
    make_tree(tree.path());
    let remote = Ssh::connect(&sshd.target(), &sshd.options()).unwrap();
    let local = Local::new();
    assert_eq!(
        remote.target(),
        format!("ssh://root@127.0.0.1:{}", sshd.port())
    );

    let lw = local.walk(tree.path(), &WalkOptions::default()).unwrap();
    let rw = remote.walk(tree.path(), &WalkOptions::default()).unwrap();
    assert!(rw.errors.is_empty(), "{:?}", rw.errors);
    assert_eq!(lw.entries, rw.entries);
    assert_eq!(rw.entries.len(), 7);
    for e in &lw.entries {
        assert_eq!(
            local.read_file(&e.path, 1 << 20).ok(),
            remote.read_file(&e.path, 1 << 20).ok(),
            "{}",
            e.rel_path.display()
        );
    }
    assert_eq!(
        local.read_dir(&tree.path().join("app")).unwrap(),
        remote.read_dir(&tree.path().join("app")).unwrap()
    );
    for follow in [false, true] {
        let p = tree.path().join("current.yaml");
        assert_eq!(
            local.metadata(&p, follow).unwrap(),
            remote.metadata(&p, follow).unwrap()
        );
    }

    let collectors: Vec<Box<dyn Collector>> = vec![Box::new(TreeHash(tree.path().to_path_buf()))];
    let lm = snapshot("dev", &local, &collectors, Sanitizer::default(), None);
    let rm = snapshot("dev", &remote, &collectors, Sanitizer::default(), None);
    assert!(rm.errors.is_empty(), "{:?}", rm.errors);
    assert_eq!(lm.entries(), rm.entries());
    assert_eq!(rm.entries().len(), 6);
    assert_eq!(rm.target, remote.target());
}

#[test]
#[ignore = "needs sshd: install openssh-server and run with --include-ignored"]
fn reads_honour_limits_and_report_missing_paths() {
    let sshd = Sshd::start();
    let tree = tempfile::tempdir().unwrap();
    make_tree(tree.path());
    let t = Ssh::connect(&sshd.target(), &sshd.options()).unwrap();
    let blob = tree.path().join("app/blob.bin");
    assert!(matches!(
        t.read_file(&blob, 1000),
        Err(TransportError::TooLarge {
            size: 200_000,
            limit: 1000,
            ..
        })
    ));
    assert_eq!(t.read_file(&blob, 200_000).unwrap().len(), 200_000);
    assert!(matches!(
        t.read_file(&tree.path().join("nope"), 10),
        Err(TransportError::NotFound { .. })
    ));
    assert!(matches!(
        t.walk(&tree.path().join("nope"), &WalkOptions::default()),
        Err(TransportError::NotFound { .. })
    ));
    assert!(matches!(
        t.walk(&blob, &WalkOptions::default()),
        Err(TransportError::NotADirectory { .. })
    ));
    // Files that report size 0 are read to the end.
    let status = t
        .read_file(Path::new("/proc/self/status"), 1 << 20)
        .unwrap();
    assert!(String::from_utf8_lossy(&status).contains("Name:"));
    assert!(matches!(
        t.read_file(Path::new("/proc/self/status"), 10),
        Err(TransportError::TooLarge { .. })
    ));
}

fn fingerprint(pub_key_file: &Path) -> String {
    let out = Command::new("ssh-keygen")
        .arg("-lf")
        .arg(pub_key_file)
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    text.split_whitespace().nth(1).unwrap().to_owned()
}

fn auth_message(r: Result<Ssh, TransportError>) -> String {
    match r {
        Err(e @ TransportError::Auth { .. }) => e.to_string(),
        Err(e) => panic!("expected an auth error, got {e:?}"),
        Ok(_) => panic!("expected an auth error, connected"),
    }
}

#[test]
#[ignore = "needs sshd: install openssh-server and run with --include-ignored"]
fn an_unknown_host_key_is_refused_with_its_fingerprint() {
    let sshd = Sshd::start();
    let dir = tempfile::tempdir().unwrap();
    let kh = dir.path().join("known_hosts");
    let options = sshd.options().known_hosts_file(&kh);
    let msg = auth_message(Ssh::connect(&sshd.target(), &options));
    let fp = fingerprint(&sshd.dir().join("host_key.pub"));
    assert!(msg.contains(&format!("ssh-ed25519 {fp}")), "{msg}");
    assert!(msg.contains("SHA256:"), "{msg}");
    assert!(msg.contains("--accept-new-host-keys"), "{msg}");
    assert!(
        msg.contains(&format!("ssh-keyscan -p {}", sshd.port())),
        "{msg}"
    );
    assert!(
        !kh.exists(),
        "nothing may be written without --accept-new-host-keys"
    );
}

#[test]
#[ignore = "needs sshd: install openssh-server and run with --include-ignored"]
fn a_changed_host_key_is_refused_even_with_accept_new() {
    let sshd = Sshd::start();
    let dir = tempfile::tempdir().unwrap();
    keygen(&dir.path().join("other"), "ed25519");
    let other = fs::read_to_string(dir.path().join("other.pub")).unwrap();
    let other: Vec<&str> = other.split_whitespace().collect();
    let kh = dir.path().join("known_hosts");
    let line = format!("[127.0.0.1]:{} {} {}\n", sshd.port(), other[0], other[1]);
    fs::write(&kh, &line).unwrap();
    for accept in [false, true] {
        let options = sshd
            .options()
            .known_hosts_file(&kh)
            .accept_new_host_keys(accept);
        let msg = auth_message(Ssh::connect(&sshd.target(), &options));
        assert!(msg.contains("CHANGED"), "{msg}");
        assert!(msg.contains("man-in-the-middle"), "{msg}");
        let fp = fingerprint(&sshd.dir().join("host_key.pub"));
        assert!(msg.contains(&fp), "{msg}");
        assert!(msg.contains(&format!("{}:1", kh.display())), "{msg}");
    }
    assert_eq!(
        fs::read_to_string(&kh).unwrap(),
        line,
        "known_hosts untouched"
    );
}

#[test]
#[ignore = "needs sshd: install openssh-server and run with --include-ignored"]
fn accept_new_records_the_key_and_the_next_connection_needs_no_flag() {
    let sshd = Sshd::start();
    let dir = tempfile::tempdir().unwrap();
    let kh = dir.path().join("ssh/known_hosts");
    let options = sshd.options().known_hosts_file(&kh);
    Ssh::connect(&sshd.target(), &options.clone().accept_new_host_keys(true)).unwrap();
    assert_eq!(
        fs::read_to_string(&kh).unwrap(),
        format!("{}\n", sshd.known_hosts_line())
    );
    let t = Ssh::connect(&sshd.target(), &options).unwrap();
    assert_eq!(t.run(&AllowedCommand::Uname).unwrap().status, 0);
    // Recorded once, not again.
    Ssh::connect(&sshd.target(), &options.accept_new_host_keys(true)).unwrap();
    assert_eq!(fs::read_to_string(&kh).unwrap().lines().count(), 1);
}

#[test]
#[ignore = "needs sshd: install openssh-server and run with --include-ignored"]
fn hashed_known_hosts_entries_are_honoured() {
    let sshd = Sshd::start();
    let dir = tempfile::tempdir().unwrap();
    let kh = dir.path().join("known_hosts");
    fs::write(&kh, format!("{}\n", sshd.known_hosts_line())).unwrap();
    let status = Command::new("ssh-keygen")
        .args(["-q", "-H", "-f"])
        .arg(&kh)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    assert!(fs::read_to_string(&kh).unwrap().starts_with("|1|"));
    Ssh::connect(&sshd.target(), &sshd.options().known_hosts_file(&kh)).unwrap();
}

#[test]
#[ignore = "needs sshd: install openssh-server and run with --include-ignored"]
fn a_wrong_user_key_is_refused_and_the_message_says_what_was_tried() {
    let sshd = Sshd::start();
    let dir = tempfile::tempdir().unwrap();
    let wrong = dir.path().join("wrong_key");
    keygen(&wrong, "ed25519");
    let kh = sshd.write_known_hosts(dir.path());
    let options = SshOptions::new()
        .no_ssh_config()
        .known_hosts_file(kh)
        .identity_file(&wrong)
        .identity_file(dir.path().join("missing_key"));
    let msg = auth_message(Ssh::connect(&sshd.target(), &options));
    assert!(
        msg.contains(&format!(
            "identity file `{}` (not accepted)",
            wrong.display()
        )),
        "{msg}"
    );
    assert!(msg.contains("missing_key` (does not exist)"), "{msg}");
}

#[test]
#[ignore = "needs sshd: install openssh-server and run with --include-ignored"]
fn an_encrypted_key_needs_a_passphrase() {
    let sshd = Sshd::start();
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("enc_key");
    fs::copy(sshd.user_key(), &key).unwrap();
    let status = Command::new("ssh-keygen")
        .args(["-q", "-p", "-N", "s3cret-pass", "-f"])
        .arg(&key)
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    let kh = sshd.write_known_hosts(dir.path());
    let base = SshOptions::new().no_ssh_config().known_hosts_file(kh);
    let msg = auth_message(Ssh::connect(
        &sshd.target(),
        &base.clone().identity_file(&key),
    ));
    assert!(
        msg.contains("encrypted, and no passphrase was given"),
        "{msg}"
    );
    assert!(msg.contains("ssh-add"), "{msg}");
    let bad = base
        .clone()
        .identity_file_with_passphrase(&key, Passphrase::new("wrong-pass"));
    let msg = auth_message(Ssh::connect(&sshd.target(), &bad));
    assert!(!msg.contains("wrong-pass"), "{msg}");
    let good = base.identity_file_with_passphrase(&key, Passphrase::new("s3cret-pass"));
    Ssh::connect(&sshd.target(), &good).unwrap();
}

/// An ssh-agent on a socket of a temp dir, holding `key`; killed on drop.
struct Agent {
    child: Child,
    socket: PathBuf,
    _dir: tempfile::TempDir,
}

impl Agent {
    fn start(key: &Path) -> Agent {
        let dir = tempfile::tempdir().unwrap();
        let socket = dir.path().join("agent.sock");
        let child = Command::new("ssh-agent")
            .arg("-D")
            .arg("-a")
            .arg(&socket)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // The socket exists from the agent's bind(), before its listen():
        // an ssh-add in between is refused, so it is retried until then.
        let deadline = Instant::now() + Duration::from_secs(5);
        let added = loop {
            let added = socket.exists()
                && Command::new("ssh-add")
                    .arg(key)
                    .env("SSH_AUTH_SOCK", &socket)
                    .stderr(Stdio::null())
                    .status()
                    .unwrap()
                    .success();
            if added || Instant::now() >= deadline {
                break added;
            }
            std::thread::sleep(Duration::from_millis(10));
        };
        assert!(added, "ssh-add could not add the key to the test agent");
        Agent {
            child,
            socket,
            _dir: dir,
        }
    }
}

impl Drop for Agent {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
#[ignore = "needs sshd: install openssh-server and run with --include-ignored"]
fn the_agent_is_tried_first() {
    let sshd = Sshd::start();
    let agent = Agent::start(&sshd.user_key());
    let dir = tempfile::tempdir().unwrap();
    let kh = sshd.write_known_hosts(dir.path());
    let options = SshOptions::new()
        .no_ssh_config()
        .known_hosts_file(kh)
        .agent_socket(&agent.socket);
    let t = Ssh::connect(&sshd.target(), &options).unwrap();
    assert_eq!(t.run(&AllowedCommand::Uname).unwrap().status, 0);
    // An agent without the right key is listed among what was tried.
    let other = tempfile::tempdir().unwrap();
    keygen(&other.path().join("k"), "ed25519");
    let agent2 = Agent::start(&other.path().join("k"));
    let msg = auth_message(Ssh::connect(
        &sshd.target(),
        &options.agent_socket(&agent2.socket),
    ));
    assert!(msg.contains("ssh-agent at"), "{msg}");
    assert!(msg.contains("(1 key, not accepted)"), "{msg}");
}

#[test]
#[ignore = "needs sshd: install openssh-server and run with --include-ignored"]
fn a_lost_connection_is_reconnected_once_for_reads() {
    let sshd = Sshd::start();
    let tree = tempfile::tempdir().unwrap();
    make_tree(tree.path());
    let t = Ssh::connect(&sshd.target(), &sshd.options()).unwrap();
    let p = tree.path().join("app/settings.yaml");
    assert_eq!(t.read_file(&p, 1024).unwrap(), b"db:\n  pool: 10\n");
    sshd.drop_connections();
    std::thread::sleep(Duration::from_millis(100));
    assert_eq!(t.read_file(&p, 1024).unwrap(), b"db:\n  pool: 10\n");
    assert_eq!(t.run(&AllowedCommand::Uname).unwrap().status, 0);
    sshd.drop_connections();
    std::thread::sleep(Duration::from_millis(100));
    assert_eq!(t.run(&AllowedCommand::Uname).unwrap().status, 0);
    assert_eq!(
        t.walk(tree.path(), &WalkOptions::default())
            .unwrap()
            .entries
            .len(),
        7
    );
}

#[test]
fn an_unreachable_host_is_a_quick_connect_error() {
    // A port nothing listens on.
    let port = TcpListener::bind(("127.0.0.1", 0))
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let started = Instant::now();
    let target = SshTarget::new("127.0.0.1")
        .with_user("root")
        .with_port(port);
    let r = Ssh::connect(&target, &SshOptions::new().no_ssh_config());
    let Err(e @ TransportError::Connect { .. }) = r else {
        panic!("expected a connect error: {r:?}");
    };
    assert!(started.elapsed() < Duration::from_secs(2));
    assert!(e.to_string().contains("connection refused"), "{e}");
    let target = SshTarget::new("no-such-host.invalid").with_user("root");
    let options = SshOptions::new()
        .no_ssh_config()
        .connect_timeout(Duration::from_secs(3));
    let e = Ssh::connect(&target, &options).unwrap_err();
    assert!(
        matches!(
            e,
            TransportError::Connect { .. } | TransportError::Timeout { .. }
        ),
        "{e:?}"
    );
}

#[test]
fn a_server_that_never_answers_is_a_timeout() {
    // Accepts TCP connections but never sends an SSH banner.
    let l = TcpListener::bind(("127.0.0.1", 0)).unwrap();
    let port = l.local_addr().unwrap().port();
    let target = SshTarget::new("127.0.0.1")
        .with_user("root")
        .with_port(port);
    let options = SshOptions::new()
        .no_ssh_config()
        .connect_timeout(Duration::from_millis(700));
    let started = Instant::now();
    let e = Ssh::connect(&target, &options).unwrap_err();
    assert!(matches!(e, TransportError::Timeout { .. }), "{e:?}");
    assert!(e.to_string().contains("handshake"), "{e}");
    assert!(started.elapsed() < Duration::from_secs(3));
    drop(l);
}

#[test]
#[ignore = "needs sshd: install openssh-server and run with --include-ignored"]
fn five_hosts_are_read_in_parallel() {
    let tree = tempfile::tempdir().unwrap();
    make_tree(tree.path());
    let servers: Vec<Sshd> = (0..5).map(|_| Sshd::start()).collect();
    let expected = Local::new()
        .walk(tree.path(), &WalkOptions::default())
        .unwrap()
        .entries;
    std::thread::scope(|s| {
        let handles: Vec<_> = servers
            .iter()
            .map(|sshd| {
                let root = tree.path();
                s.spawn(move || {
                    let t = Ssh::connect(&sshd.target(), &sshd.options()).unwrap();
                    let walk = t.walk(root, &WalkOptions::default()).unwrap();
                    for e in &walk.entries {
                        if e.meta.kind == FileKind::File {
                            t.read_file(&e.path, 1 << 20).unwrap();
                        }
                    }
                    (t.target().to_owned(), walk.entries)
                })
            })
            .collect();
        let mut targets = Vec::new();
        for h in handles {
            let (target, entries) = h.join().unwrap();
            assert_eq!(entries, expected);
            targets.push(target);
        }
        targets.sort();
        targets.dedup();
        assert_eq!(targets.len(), 5);
    });
}

#[test]
#[ignore = "needs sshd: install openssh-server and run with --include-ignored"]
fn allow_listed_commands_run() {
    let sshd = Sshd::start();
    let t = Ssh::connect(&sshd.target(), &sshd.options()).unwrap();
    let out = t.run(&AllowedCommand::Uname).unwrap();
    assert_eq!(out.status, 0);
    let local = Local::new().run(&AllowedCommand::Uname).unwrap();
    assert_eq!(out.text(), local.text());
    // Parallel callers each get a session of the pool.
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| assert_eq!(t.run(&AllowedCommand::Uname).unwrap().status, 0));
        }
    });
}

fn echo_server() -> u16 {
    let l = TcpListener::bind(("127.0.0.1", 0)).unwrap();
    let port = l.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for conn in l.incoming() {
            let Ok(mut conn) = conn else { break };
            std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                while let Ok(n) = conn.read(&mut buf) {
                    if n == 0 || conn.write_all(&buf[..n]).is_err() {
                        break;
                    }
                }
            });
        }
    });
    port
}

#[test]
#[ignore = "needs sshd: install openssh-server and run with --include-ignored"]
fn a_tunnel_reaches_a_service_behind_the_host() {
    let sshd = Sshd::start();
    let echo = echo_server();
    let t = Ssh::connect(&sshd.target(), &sshd.options()).unwrap();
    let tunnel = t.open_tunnel("127.0.0.1", echo).unwrap();
    assert_eq!(tunnel.host(), "127.0.0.1");
    assert_ne!(tunnel.port(), echo);
    let payload: Vec<u8> = (0..300_000u32).map(|i| (i % 253) as u8).collect();
    for _ in 0..3 {
        let mut c = TcpStream::connect((tunnel.host(), tunnel.port())).unwrap();
        c.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        c.write_all(b"ping").unwrap();
        let mut buf = [0u8; 4];
        c.read_exact(&mut buf).unwrap();
        assert_eq!(&buf, b"ping");
        let mut writer = c.try_clone().unwrap();
        let data = payload.clone();
        let w = std::thread::spawn(move || writer.write_all(&data).unwrap());
        let mut back = vec![0u8; payload.len()];
        c.read_exact(&mut back).unwrap();
        w.join().unwrap();
        assert!(back == payload);
    }
    let port = tunnel.port();
    drop(tunnel);
    assert!(TcpStream::connect(("127.0.0.1", port)).is_err());
    // A port nothing listens on behind the host is an error up front.
    let closed = TcpListener::bind(("127.0.0.1", 0))
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let e = t.open_tunnel("127.0.0.1", closed).unwrap_err();
    assert!(matches!(e, TransportError::Connect { .. }), "{e:?}");
}

#[test]
#[ignore = "needs sshd: install openssh-server and run with --include-ignored"]
fn proxy_jump_from_the_ssh_config() {
    let bastion = Sshd::start();
    let inner = Sshd::start();
    let dir = tempfile::tempdir().unwrap();
    let kh = dir.path().join("known_hosts");
    fs::write(
        &kh,
        format!(
            "{}\n{}\n",
            bastion.known_hosts_line(),
            inner.known_hosts_line()
        ),
    )
    .unwrap();
    let config = dir.path().join("config");
    fs::write(
        &config,
        format!(
            "Host inner\n  HostName 127.0.0.1\n  Port {}\n  IdentityFile {}\n  ProxyJump bastion\n\nHost bastion\n  HostName 127.0.0.1\n  Port {}\n  IdentityFile {}\n",
            inner.port(),
            inner.user_key().display(),
            bastion.port(),
            bastion.user_key().display()
        ),
    )
    .unwrap();
    let options = SshOptions::new()
        .ssh_config_file(&config)
        .known_hosts_file(&kh)
        .local_user("root");
    let t = Ssh::connect(&SshTarget::new("inner"), &options).unwrap();
    assert_eq!(t.target(), format!("ssh://root@inner:{}", inner.port()));
    let tree = tempfile::tempdir().unwrap();
    make_tree(tree.path());
    let walk = t.walk(tree.path(), &WalkOptions::default()).unwrap();
    assert_eq!(walk.entries.len(), 7);
    let blob = t
        .read_file(&tree.path().join("app/blob.bin"), 1 << 20)
        .unwrap();
    assert_eq!(blob.len(), 200_000);
    // The inner host's key is checked too.
    fs::write(&kh, format!("{}\n", bastion.known_hosts_line())).unwrap();
    let msg = auth_message(Ssh::connect(&SshTarget::new("inner"), &options));
    assert!(
        msg.contains(&format!("[127.0.0.1]:{}", inner.port())),
        "{msg}"
    );
}

#[test]
#[ignore = "needs sshd: install openssh-server and run with --include-ignored"]
fn followed_symlink_loops_are_reported_as_locally() {
    let sshd = Sshd::start();
    let tree = tempfile::tempdir().unwrap();
    let root = tree.path();
    fs::create_dir_all(root.join("sub")).unwrap();
    fs::write(root.join("a.conf"), "a=1\n").unwrap();
    fs::write(root.join("sub/b.conf"), "b=1\n").unwrap();
    // Each would double the tree at every level: 2^64 directories.
    std::os::unix::fs::symlink(".", root.join("l1")).unwrap();
    std::os::unix::fs::symlink(".", root.join("l2")).unwrap();
    std::os::unix::fs::symlink("..", root.join("sub/up")).unwrap();
    // Not a loop: a second way into `sub` (whose `up` then is one).
    std::os::unix::fs::symlink("sub", root.join("other")).unwrap();
    std::os::unix::fs::symlink("/proc/self", root.join("p")).unwrap();
    let options = WalkOptions {
        follow_symlinks: true,
        ..WalkOptions::default()
    };
    let t = Ssh::connect(&sshd.target(), &sshd.options()).unwrap();
    let started = Instant::now();
    let rw = t.walk(root, &options).unwrap();
    assert!(started.elapsed() < Duration::from_secs(5));
    let lw = Local::new().walk(root, &options).unwrap();
    assert_eq!(lw.entries, rw.entries);
    let rel: Vec<_> = rw.entries.iter().map(|e| e.rel_path.clone()).collect();
    assert_eq!(
        rel,
        ["a.conf", "other/b.conf", "sub/b.conf"].map(PathBuf::from)
    );
    let messages = |w: &drift_collectors::transport::Walk| {
        let mut m: Vec<_> = w.errors.iter().map(ToString::to_string).collect();
        // The same errors; the generic walk gives a directory's before
        // those of its subdirectories.
        m.sort();
        m
    };
    assert_eq!(messages(&lw), messages(&rw));
    let errors = messages(&rw);
    assert_eq!(errors.len(), 5, "{errors:?}");
    let r = root.display();
    assert!(
        errors.contains(&format!(
            "failed to read `{r}/l1`: File system loop found: {r}/l1 points to an ancestor {r}"
        )),
        "{errors:?}"
    );
    assert!(
        errors.contains(&format!(
            "failed to read `{r}/other/up`: File system loop found: {r}/other/up points to an ancestor {r}"
        )),
        "{errors:?}"
    );
    assert!(
        errors.iter().any(|e| e.contains("/p` is under /proc")),
        "{errors:?}"
    );
}

#[test]
#[ignore = "needs sshd: install openssh-server and run with --include-ignored"]
fn special_source_files_are_refused_as_locally() {
    let sshd = Sshd::start();
    let tree = tempfile::tempdir().unwrap();
    let d = tree.path();
    let fifo = d.join("fifo.env");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    std::os::unix::fs::symlink("/proc/self/environ", d.join("linked.env")).unwrap();
    std::os::unix::fs::symlink("/proc/self", d.join("p")).unwrap();
    std::os::unix::fs::symlink("p/../p/environ", d.join("rel.env")).unwrap();
    std::os::unix::fs::symlink("fifo.env", d.join("to-fifo.env")).unwrap();
    fs::write(d.join("ok.env"), "A=1\n").unwrap();
    let t = Ssh::connect(&sshd.target(), &sshd.options()).unwrap();
    let local = Local::new();
    for p in [
        d.join("linked.env"),
        fifo.clone(),
        d.join("to-fifo.env"),
        d.join("rel.env"),
        PathBuf::from("/proc/self/environ"),
        PathBuf::from("/dev/null"),
        d.to_path_buf(),
        d.join("missing.env"),
    ] {
        let started = Instant::now();
        let remote = t.read_source_file(&p, 1 << 20).unwrap_err();
        assert!(started.elapsed() < Duration::from_secs(3), "{p:?}");
        let here = local.read_source_file(&p, 1 << 20).unwrap_err();
        assert_eq!(remote.to_string(), here.to_string(), "{p:?}");
        assert_eq!(remote.kind(), here.kind(), "{p:?}");
    }
    assert_eq!(t.read_source_file(&d.join("ok.env"), 10).unwrap(), b"A=1\n");
    // The connection is still usable: nothing hangs the sftp-server.
    assert_eq!(t.read_file(&d.join("ok.env"), 10).unwrap(), b"A=1\n");
}

#[cfg(feature = "postgres")]
#[test]
#[ignore = "needs sshd and the PostgreSQL cluster with TLS: run scripts/ci-db-setup"]
fn verify_full_through_an_ssh_tunnel_checks_the_url_host_not_the_tunnel() {
    use crate::schema_tls_support::{
        assert_read, collect_url_with, only_error, pg_tls_port, tls_file,
    };
    let sshd = Sshd::start();
    let t = Ssh::connect(&sshd.target(), &sshd.options()).unwrap();
    let q = format!("sslmode=verify-full&sslrootcert={}", tls_file("ca.crt"));
    let port = pg_tls_port();
    // The socket goes to the tunnel's 127.0.0.1; the certificate names
    // localhost, the URL's host. drift_tls_only is refused without TLS.
    assert_read(&collect_url_with(
        &format!("postgres://drift_tls_only@localhost:{port}/postgres?{q}"),
        &t,
    ));
    let e = only_error(&collect_url_with(
        &format!("postgres://postgres@127.0.0.1:{port}/postgres?{q}"),
        &t,
    ));
    assert!(e.contains("(wrong host name)"), "{e}");
}
