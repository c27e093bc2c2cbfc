//! Remote hosts and fleets against real OpenSSH servers (ignored without
//! sshd; CI installs it and runs them).

use std::path::{Path, PathBuf};

use drift_test_support::sshd::Sshd;

use crate::support::Drift;

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(&p, text).unwrap();
    p
}

/// The `[ssh]` table trusting and logging in to `servers`, with no ssh config.
fn ssh_table(dir: &Path, servers: &[&Sshd]) -> String {
    let known: String = servers
        .iter()
        .map(|s| s.known_hosts_line() + "\n")
        .collect();
    let kh = write(dir, "known_hosts", &known);
    let empty = write(dir, "ssh_config", "");
    let ids: Vec<String> = servers
        .iter()
        .map(|s| format!("{:?}", s.user_key().display().to_string()))
        .collect();
    format!(
        "[ssh]\nknown_hosts = {:?}\nconfig_file = {:?}\nidentity_files = [{}]\nconnect_timeout = 5\n",
        kh.display().to_string(),
        empty.display().to_string(),
        ids.join(", ")
    )
}

fn target(s: &Sshd) -> String {
    format!("ssh://{}@127.0.0.1:{}", s.user(), s.port())
}

fn entries(path: &Path) -> serde_json::Value {
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    v["entries"].clone()
}

#[test]
#[ignore = "needs sshd: apt-get install -y openssh-server, then cargo test -- --ignored"]
fn a_remote_snapshot_equals_the_local_snapshot_of_the_same_folder() {
    let sshd = Sshd::start();
    let dir = tempfile::tempdir().unwrap();
    let tree = dir.path().join("config");
    write(
        &tree,
        "app.yaml",
        "db:\n  pool: 20\nservers:\n  - {name: web, port: 80}\n",
    );
    write(&tree, "nested/flags.json", "{\"a\": true, \"b\": [1, 2]}");
    write(&tree, "nginx.conf", "worker_processes 4;\n");
    write(
        &tree,
        "certs/server.key",
        "-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----\n",
    );
    let kh = sshd.write_known_hosts(dir.path());
    let local = dir.path().join("local.json");
    let remote = dir.path().join("remote.json");
    Drift::new()
        .args(["snapshot", "--env", "prod", "--config-dir"])
        .arg_path(&tree)
        .args(["--output"])
        .arg_path(&local)
        .status(0);
    Drift::new()
        .env_remove("SSH_AUTH_SOCK")
        .args(["snapshot", "--env", "prod", "--config-dir"])
        .arg_path(&tree)
        .args(["--host", &target(&sshd), "--known-hosts"])
        .arg_path(&kh)
        .args(["--identity"])
        .arg_path(&sshd.user_key())
        .args(["--ssh-config"])
        .arg_path(&write(dir.path(), "ssh_config", ""))
        .args(["--output"])
        .arg_path(&remote)
        .status(0);
    assert_eq!(entries(&local), entries(&remote));
    let text = std::fs::read_to_string(&remote).unwrap();
    assert!(text.contains(&format!(
        "\"target\": \"ssh://root@127.0.0.1:{}\"",
        sshd.port()
    )));
}

#[test]
#[ignore = "needs sshd: apt-get install -y openssh-server, then cargo test -- --ignored"]
fn an_unknown_host_key_is_refused_with_its_fingerprint() {
    let sshd = Sshd::start();
    let dir = tempfile::tempdir().unwrap();
    let empty = write(dir.path(), "known_hosts", "");
    let run = Drift::new()
        .env_remove("SSH_AUTH_SOCK")
        .args([
            "snapshot",
            "--env",
            "prod",
            "--runtimes",
            "--host",
            &target(&sshd),
            "--known-hosts",
        ])
        .arg_path(&empty)
        .args(["--identity"])
        .arg_path(&sshd.user_key())
        .args(["--ssh-config"])
        .arg_path(&write(dir.path(), "ssh_config", ""))
        .status(3);
    let stderr = run.stderr();
    assert!(stderr.contains("SHA256:"), "{stderr}");
    assert!(stderr.contains("--accept-new-host-keys"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(&empty).unwrap(),
        "",
        "the key was recorded without consent"
    );
}

#[test]
#[ignore = "needs sshd: apt-get install -y openssh-server, then cargo test -- --ignored"]
fn a_fleet_outlier_and_an_unreachable_host() {
    // Five hosts; web-3's sessions see another version.
    let servers: Vec<Sshd> = (0..5)
        .map(|i| {
            let version = if i == 2 { "1.22.1" } else { "1.24.0" };
            Sshd::start_with(&format!("SetEnv NGINX_VERSION={version} APP_MODE=live"))
        })
        .collect();
    let refs: Vec<&Sshd> = servers.iter().collect();
    let dir = tempfile::tempdir().unwrap();
    let closed = std::net::TcpListener::bind(("127.0.0.1", 0))
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut hosts: Vec<String> = servers.iter().map(target).collect();
    hosts.push(format!("ssh://root@127.0.0.1:{closed}"));
    let hosts: Vec<String> = hosts.iter().map(|h| format!("{h:?}")).collect();
    let config = format!(
        "{}\n[environments.prod]\nprocess_env = true\nhosts = [{}]\n",
        ssh_table(dir.path(), &refs),
        hosts.join(", ")
    );
    let toml = write(dir.path(), "drift.toml", &config);
    let run = Drift::new()
        .env_remove("SSH_AUTH_SOCK")
        .args(["check", "--jobs", "4", "--format", "json", "--config"])
        .arg_path(&toml)
        .status(3);
    let v = run.json();
    let findings = v["findings"].as_array().unwrap();
    let outlier = findings
        .iter()
        .find(|f| f["key"] == "env:NGINX_VERSION")
        .unwrap_or_else(|| panic!("no outlier: {}", run.stdout()));
    assert_eq!(outlier["kind"], "outlier");
    assert_eq!(outlier["environment"], "prod");
    let odd = format!("127.0.0.1:{}", servers[2].port());
    assert_eq!(outlier["odd_one_out"], serde_json::json!([odd]));
    assert_eq!(outlier["values"].as_object().unwrap().len(), 5);
    // Nothing else differs between the hosts that were reached.
    assert_eq!(findings.len(), 1, "{}", run.stdout());
    let errors = v["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0]["kind"], "connect");
    assert!(
        errors[0]["target"]
            .as_str()
            .unwrap()
            .ends_with(&format!(":{closed}"))
    );
    assert_eq!(v["outcome"], "incomplete");
}

#[test]
fn a_drift_toml_alone_cannot_turn_on_trust_on_first_use() {
    let dir = tempfile::tempdir().unwrap();
    let kh = write(dir.path(), "known_hosts", "");
    let toml = write(
        dir.path(),
        "drift.toml",
        &format!(
            "[environments.a]\nhosts = [\"ssh://root@127.0.0.1:9\"]\n[environments.b]\n\
             [ssh]\naccept_new_host_keys = true\nknown_hosts = {:?}\n",
            kh.display().to_string()
        ),
    );
    Drift::new()
        .env_remove("DRIFT_ACCEPT_NEW_HOST_KEYS")
        .args(["check", "--config"])
        .arg_path(&toml)
        .status(2)
        .stderr_has("`accept_new_host_keys = true` in drift.toml's [ssh] is not enough on its own")
        .stderr_has("--accept-new-host-keys");
    // The person running drift decides: then it only fails to connect
    // (nothing listens on port 9), past the check.
    for run in [
        Drift::new().args(["check", "--accept-new-host-keys", "--config"]),
        Drift::new()
            .env("DRIFT_ACCEPT_NEW_HOST_KEYS", "1")
            .args(["check", "--config"]),
    ] {
        let out = run.arg_path(&toml).status(3);
        assert!(
            !out.stderr().contains("not enough on its own"),
            "{}",
            out.stderr()
        );
        assert!(
            out.stdout().contains("connection refused"),
            "{}",
            out.stdout()
        );
    }
    assert_eq!(std::fs::read_to_string(&kh).unwrap(), "");
}
