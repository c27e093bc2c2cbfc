//! A drift.toml from an untrusted change, played as an attacker would
//! (issue 17): it must not dump the run's environment, hang the run, nor
//! send a secret the user did not allow to a server it names. Every server
//! here is a fake on loopback.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::support::Drift;

/// A secret of the run that a drift.toml must not reach.
const CANARY: &str = "ghp_Zq8vK3mW9xR2tY7uP4sL6nB1cV5hJ0dF";

fn write(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap();
}

/// Asserts that neither `secret` nor any 8-character window of it is in
/// `text`.
pub fn assert_absent(secret: &str, text: &str, what: &str) {
    for w in secret.as_bytes().windows(8.min(secret.len())) {
        let w = String::from_utf8_lossy(w);
        assert!(
            !text.contains(&*w),
            "`{w}` of the secret in {what}:\n{text}"
        );
    }
}

/// Every file under `dir`, as text.
fn files_text(dir: &Path) -> String {
    let mut out = String::new();
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            out.push_str(&String::from_utf8_lossy(
                &std::fs::read(e.path()).unwrap_or_default(),
            ));
        }
    }
    out
}

#[test]
fn a_drift_toml_cannot_read_the_environment_of_the_run() {
    let dir = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink("/proc/self/environ", dir.path().join("innocent.env")).unwrap();
    write(
        &dir.path().join("drift.toml"),
        "[environments.a]\ndotenv = [\"/proc/self/environ\"]\n\
         [environments.b]\ndotenv = [\"innocent.env\"]\n",
    );
    let saved = dir.path().join("saved");
    let run = Drift::new()
        .env("GH_PAT", CANARY)
        .args(["check", "--format", "json", "--save-manifests"])
        .arg_path(&saved)
        .args(["--config"])
        .arg_path(&dir.path().join("drift.toml"))
        .status(3)
        .stdout_has("under /proc")
        .stdout_has("process_env");
    assert_absent(CANARY, &run.stdout(), "the report");
    assert_absent(CANARY, &run.stderr(), "stderr");
    assert_absent(CANARY, &files_text(&saved), "the manifests");
}

#[test]
fn no_other_source_reads_proc_files() {
    for args in [
        ["--schema-file", "/proc/self/environ"],
        ["--dotenv", "/dev/stdin"],
        ["--process-env-pidfile", "/proc/self/environ"],
        ["--schema", "sqlite:///proc/self/environ"],
    ] {
        let run = Drift::new()
            .env("GH_PAT", CANARY)
            .args(["snapshot", "--env", "a"])
            .args(args)
            .status(3)
            .stderr_has("only regular files are read as sources");
        assert_absent(CANARY, &run.stdout(), "the manifest");
        assert_absent(CANARY, &run.stderr(), "stderr");
    }
}

#[test]
fn a_config_file_holding_nul_bytes_is_hashed_not_parsed() {
    let dir = tempfile::tempdir().unwrap();
    let conf = dir.path().join("conf");
    std::fs::create_dir(&conf).unwrap();
    write(&conf.join("app.env"), &format!("MODE=x\0GH_PAT={CANARY}\0"));
    let run = Drift::new()
        .args(["snapshot", "--env", "a", "--config-dir"])
        .arg_path(&conf)
        .status(0);
    let v = run.json();
    let entries = v["entries"].as_object().unwrap();
    let keys: Vec<&String> = entries.keys().collect();
    assert_eq!(keys, ["file:app.env"], "{keys:?}");
    assert_absent(CANARY, &run.stdout(), "the manifest");
}

#[test]
fn a_fifo_given_as_a_dotenv_file_is_refused_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("fifo.env");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let out = assert_cmd::Command::cargo_bin("drift")
        .unwrap()
        .args(["snapshot", "--env", "a", "--dotenv"])
        .arg(&fifo)
        .timeout(Duration::from_secs(20))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("a FIFO"), "{stderr}");
    // Nor as an SQLite database (SQLite's open would wait for a writer).
    let out = assert_cmd::Command::cargo_bin("drift")
        .unwrap()
        .args(["snapshot", "--env", "a", "--schema"])
        .arg(format!("sqlite://{}", fifo.display()))
        .timeout(Duration::from_secs(20))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("not a regular file"), "{stderr}");
}

#[test]
fn huge_durations_are_an_input_error_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    write(
        &dir.path().join("drift.toml"),
        "[environments.a]\n[environments.b]\n[ssh]\nconnect_timeout = 18446744073709551615\n",
    );
    Drift::new()
        .args(["check", "--config"])
        .arg_path(&dir.path().join("drift.toml"))
        .status(2)
        .stderr_has("line 4: `connect_timeout` must be from 1 to 86400 (seconds)");
    Drift::new()
        .args(["check", "--jobs", "100000", "--config"])
        .arg_path(&dir.path().join("drift.toml"))
        .status(2);
    Drift::new()
        .args(["snapshot", "--env", "a", "--process-env"])
        .args(["--max-file-size", "18446744073709551615"])
        .status(2);
}

/// A fake PostgreSQL server on loopback that asks for a cleartext password
/// and logs every byte it receives.
struct FakePostgres {
    port: u16,
    log: Arc<Mutex<Vec<u8>>>,
    connections: Arc<Mutex<usize>>,
}

impl FakePostgres {
    fn start() -> FakePostgres {
        let listener = TcpListener::bind(("127.0.0.1", 0)).unwrap();
        let port = listener.local_addr().unwrap().port();
        let log = Arc::new(Mutex::new(Vec::new()));
        let connections = Arc::new(Mutex::new(0));
        let (l, c) = (log.clone(), connections.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { return };
                *c.lock().unwrap() += 1;
                let l = l.clone();
                std::thread::spawn(move || serve(stream, &l));
            }
        });
        FakePostgres {
            port,
            log,
            connections,
        }
    }

    fn received(&self) -> (usize, String) {
        (
            *self.connections.lock().unwrap(),
            String::from_utf8_lossy(&self.log.lock().unwrap()).into_owned(),
        )
    }
}

/// Reads the startup message, asks for a cleartext password, logs what
/// comes, then hangs up.
fn serve(mut s: TcpStream, log: &Mutex<Vec<u8>>) {
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let read_msg = |s: &mut TcpStream, typed: bool| -> Option<()> {
        let mut head = vec![0u8; if typed { 5 } else { 4 }];
        s.read_exact(&mut head).ok()?;
        let len = u32::from_be_bytes(head[head.len() - 4..].try_into().ok()?) as usize;
        let mut body = vec![0u8; len.saturating_sub(4).min(1 << 20)];
        s.read_exact(&mut body).ok()?;
        let mut l = log.lock().unwrap();
        l.extend_from_slice(&head);
        l.extend_from_slice(&body);
        Some(())
    };
    if read_msg(&mut s, false).is_none() {
        return;
    }
    // AuthenticationCleartextPassword.
    let _ = s.write_all(b"R\0\0\0\x08\0\0\0\x03");
    let _ = read_msg(&mut s, true);
}

fn schema_toml(dir: &Path, port: u16, password: &str) -> std::path::PathBuf {
    let toml = dir.join("drift.toml");
    write(
        &toml,
        &format!(
            "[environments.a]\nschema = [{{ url = \"postgres://ci@127.0.0.1:{port}/x\", {password} }}]\n\
             [environments.b]\nschema = [{{ url = \"postgres://ci@127.0.0.1:{port}/x\" }}]\n"
        ),
    );
    toml
}

#[test]
fn a_password_variable_the_user_did_not_allow_never_reaches_the_server() {
    let server = FakePostgres::start();
    let dir = tempfile::tempdir().unwrap();
    let toml = schema_toml(dir.path(), server.port, "password_env = \"GH_PAT\"");
    let run = Drift::new()
        .env("GH_PAT", CANARY)
        .env_remove("DRIFT_ALLOW_SECRET_ENV")
        .args(["check", "--config"])
        .arg_path(&toml)
        .status(2)
        .stderr_has("`password_env` in `drift.toml` line 2")
        .stderr_has("--allow-secret-env GH_PAT")
        .stderr_has("DRIFT_ALLOW_SECRET_ENV=GH_PAT");
    assert_absent(CANARY, &run.stderr(), "stderr");
    let (connections, log) = server.received();
    assert_eq!(connections, 0, "drift connected before refusing");
    assert_absent(CANARY, &log, "what the server received");

    // Allowed, it is sent: the fake server does see what a password
    // reaching it looks like (so the test above could have failed).
    Drift::new()
        .env("GH_PAT", CANARY)
        .args(["check", "--allow-secret-env", "GH_PAT", "--config"])
        .arg_path(&toml)
        .status(3);
    let (connections, log) = server.received();
    assert!(connections >= 1);
    assert!(log.contains(CANARY), "the fake server logged: {log:?}");
}

#[test]
fn a_password_file_outside_the_folder_never_reaches_the_server() {
    let server = FakePostgres::start();
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("repo");
    std::fs::create_dir(&repo).unwrap();
    let key = dir.path().join("id_ed25519");
    write(
        &key,
        "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n",
    );
    std::os::unix::fs::symlink(&key, repo.join("db.password")).unwrap();
    for password_file in [key.display().to_string(), "db.password".to_owned()] {
        let toml = schema_toml(
            &repo,
            server.port,
            &format!("password_file = {password_file:?}"),
        );
        let run = Drift::new()
            .env_remove("DRIFT_ALLOW_SECRET_FILE")
            .args(["check", "--config"])
            .arg_path(&toml)
            .status(2)
            .stderr_has("`password_file` in `drift.toml` line 2")
            .stderr_has("--allow-secret-file");
        assert!(!run.stderr().contains("BEGIN"), "{}", run.stderr());
    }
    let (connections, log) = server.received();
    assert_eq!(connections, 0, "drift connected before refusing");
    assert!(!log.contains("b3BlbnNzaC1rZXkt"), "{log}");
}

#[test]
fn the_fingerprint_key_is_never_a_password() {
    let server = FakePostgres::start();
    let dir = tempfile::tempdir().unwrap();
    let toml = schema_toml(
        dir.path(),
        server.port,
        "password_env = \"DRIFT_FINGERPRINT_KEY\"",
    );
    Drift::new()
        .env("DRIFT_FINGERPRINT_KEY", CANARY)
        .args(["check", "--allow-secret-env", "DRIFT_FINGERPRINT_KEY"])
        .args(["--config"])
        .arg_path(&toml)
        .status(2)
        .stderr_has("never sent anywhere");
    Drift::new()
        .env("DRIFT_FINGERPRINT_KEY", CANARY)
        .args(["snapshot", "--env", "a", "--schema"])
        .args([format!("postgres://ci@127.0.0.1:{}/x", server.port)])
        .args(["--schema-password-env", "DRIFT_FINGERPRINT_KEY"])
        .status(2)
        .stderr_has("never sent anywhere");
    assert_eq!(server.received().0, 0);
}

#[test]
fn a_drift_variable_is_allowed_by_default() {
    let server = FakePostgres::start();
    let dir = tempfile::tempdir().unwrap();
    let toml = schema_toml(dir.path(), server.port, "password_env = \"DRIFT_DB_PW\"");
    // Sent (to loopback): the run gets as far as the server, which hangs up.
    Drift::new()
        .env("DRIFT_DB_PW", CANARY)
        .args(["check", "--config"])
        .arg_path(&toml)
        .status(3);
    assert!(server.received().1.contains(CANARY));
}
