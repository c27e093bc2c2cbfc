//! A real OpenSSH server for tests: `/usr/sbin/sshd -D -f CONFIG` on
//! 127.0.0.1 on a free port, with a host key and a user key generated in a
//! temp dir, killed on drop. It lets the current user (root here: the
//! config permits root login with the test key only) log in with the
//! generated key. Nothing touches the real `~/.ssh`.
//!
//! Needs Debian's openssh-server (`/usr/sbin/sshd`) and `ssh-keygen`.
//! drift-collectors' tests build their `SshTarget` and `SshOptions` for it
//! from [`Sshd::user`], [`Sshd::port`], [`Sshd::user_key`] and
//! [`Sshd::write_known_hosts`]; the CLI's tests write the same into a
//! drift.toml.

use std::fs;
use std::io::Read;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const SSHD: &str = "/usr/sbin/sshd";

/// A running sshd.
#[derive(Debug)]
pub struct Sshd {
    dir: tempfile::TempDir,
    port: u16,
    user: String,
    child: Child,
}

/// Makes a key pair at `path` (and `path.pub`).
pub fn keygen(path: &Path, kind: &str) {
    let status = Command::new("ssh-keygen")
        .args(["-q", "-t", kind, "-N", "", "-C", "drift-test", "-f"])
        .arg(path)
        .stdin(Stdio::null())
        .status()
        .expect("ssh-keygen (openssh-client) is needed");
    assert!(status.success(), "ssh-keygen failed for {}", path.display());
}

fn current_user() -> String {
    let out = Command::new("id")
        .arg("-un")
        .output()
        .expect("`id -un` runs");
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

impl Sshd {
    /// Starts a server with a fresh ed25519 host key.
    pub fn start() -> Sshd {
        Sshd::start_with("")
    }

    /// Starts a server whose sshd_config ends with `extra` (for example
    /// `SetEnv APP_VERSION=1.2.3`, seen by every session).
    pub fn start_with(extra: &str) -> Sshd {
        Sshd::start_full(extra, None)
    }

    /// Starts a server whose `Subsystem sftp` runs `command` (a stand-in
    /// for sftp-server) instead of OpenSSH's.
    pub fn start_with_sftp(command: &str) -> Sshd {
        Sshd::start_full("", Some(command))
    }

    fn start_full(extra: &str, sftp: Option<&str>) -> Sshd {
        assert!(
            Path::new(SSHD).exists(),
            "{SSHD} is missing: install openssh-server (`apt-get install -y openssh-server`)"
        );
        // Debian's sshd wants its privilege separation directory.
        let _ = fs::create_dir_all("/run/sshd");
        let dir = tempfile::tempdir().expect("temp dir");
        let d = dir.path();
        keygen(&d.join("host_key"), "ed25519");
        keygen(&d.join("user_key"), "ed25519");
        fs::copy(d.join("user_key.pub"), d.join("authorized_keys")).expect("authorized_keys");
        let user = current_user();
        for _ in 0..10 {
            let port = free_port();
            write_config(d, port, extra, sftp);
            let stderr = fs::File::create(d.join("sshd.log")).expect("sshd.log");
            let mut child = Command::new(SSHD)
                .args(["-D", "-e", "-f"])
                .arg(d.join("sshd_config"))
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(stderr)
                .spawn()
                .expect("sshd starts");
            if wait_ready(&mut child, port) {
                return Sshd {
                    dir,
                    port,
                    user,
                    child,
                };
            }
            // Most likely the port was taken in between: try another.
            let _ = child.kill();
            let _ = child.wait();
        }
        let log = fs::read_to_string(d.join("sshd.log")).unwrap_or_default();
        panic!("sshd did not start: {log}");
    }

    /// The port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Ends the server's per-connection processes (its children), as if the
    /// connections broke; the server keeps listening.
    pub fn drop_connections(&self) {
        let out = Command::new("pgrep")
            .args(["-P", &self.child.id().to_string()])
            .output()
            .expect("pgrep runs");
        for pid in String::from_utf8_lossy(&out.stdout).split_whitespace() {
            let _ = Command::new("kill").args(["-KILL", pid]).status();
        }
    }

    /// The temp dir holding the keys and the config.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// The user that logs in: the current one.
    pub fn user(&self) -> &str {
        &self.user
    }

    /// The private key the server accepts.
    pub fn user_key(&self) -> PathBuf {
        self.dir.path().join("user_key")
    }

    /// The server's public host key as `TYPE BASE64`.
    pub fn host_key(&self) -> String {
        let text = fs::read_to_string(self.dir.path().join("host_key.pub")).expect("host key");
        text.split_whitespace()
            .take(2)
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// The server's known_hosts line: `[127.0.0.1]:PORT TYPE BASE64`.
    pub fn known_hosts_line(&self) -> String {
        format!("[127.0.0.1]:{} {}", self.port, self.host_key())
    }

    /// A known_hosts file in `dir` that holds this server's key.
    pub fn write_known_hosts(&self, dir: &Path) -> PathBuf {
        let path = dir.join("known_hosts");
        fs::write(&path, format!("{}\n", self.known_hosts_line())).expect("known_hosts");
        path
    }
}

impl Drop for Sshd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Waits until the server sends its banner (false if it exits first).
fn wait_ready(child: &mut Child, port: u16) -> bool {
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            return false;
        }
        if let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) {
            let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
            let mut banner = [0u8; 7];
            if s.read_exact(&mut banner).is_ok() && &banner == b"SSH-2.0" {
                return true;
            }
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    false
}

fn free_port() -> u16 {
    let l = TcpListener::bind(("127.0.0.1", 0)).expect("bind 127.0.0.1:0");
    l.local_addr().expect("local addr").port()
}

fn write_config(dir: &Path, port: u16, extra: &str, sftp: Option<&str>) {
    let sftp = match sftp {
        Some(command) => command,
        None if Path::new("/usr/lib/openssh/sftp-server").exists() => {
            "/usr/lib/openssh/sftp-server"
        }
        None => "internal-sftp",
    };
    let d = dir.display();
    let config = format!(
        "Port {port}
ListenAddress 127.0.0.1
HostKey {d}/host_key
PidFile {d}/sshd.pid
AuthorizedKeysFile {d}/authorized_keys
PermitRootLogin prohibit-password
StrictModes no
UsePAM no
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
AllowTcpForwarding yes
AcceptEnv LANG LC_*
MaxStartups 200
MaxSessions 100
LogLevel ERROR
Subsystem sftp {sftp}
{extra}
"
    );
    fs::write(dir.join("sshd_config"), config).expect("sshd_config");
}
