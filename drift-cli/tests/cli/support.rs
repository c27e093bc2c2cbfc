//! A small fluent helper for running `drift`.

use std::path::{Path, PathBuf};
use std::process::Output;

use drift_core::manifest::{Collection, ManifestBuilder};
use drift_core::{KeyPath, Sanitizer, Value};

/// One run of the binary.
pub struct Drift {
    cmd: assert_cmd::Command,
}

impl Drift {
    pub fn new() -> Drift {
        let mut cmd = assert_cmd::Command::cargo_bin("drift").unwrap();
        cmd.env_remove("DRIFT_FINGERPRINT_KEY")
            .env_remove("GITHUB_STEP_SUMMARY")
            .env("NO_COLOR", "1");
        Drift { cmd }
    }

    pub fn args<I, S>(mut self, args: I) -> Drift
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        self.cmd.args(args);
        self
    }

    pub fn arg_path(mut self, p: &Path) -> Drift {
        self.cmd.arg(p);
        self
    }

    /// Runs in `dir` (where CI checks the repository out).
    pub fn current_dir(mut self, dir: &Path) -> Drift {
        self.cmd.current_dir(dir);
        self
    }

    pub fn env_remove(mut self, k: &str) -> Drift {
        self.cmd.env_remove(k);
        self
    }

    pub fn env(mut self, k: &str, v: &str) -> Drift {
        self.cmd.env(k, v);
        self
    }

    pub fn stdin(mut self, input: impl Into<Vec<u8>>) -> Drift {
        self.cmd.write_stdin(input);
        self
    }

    /// Runs, whatever the exit code.
    pub fn run(mut self) -> Run {
        Run(self.cmd.output().unwrap())
    }

    /// Runs and checks the exit code.
    pub fn status(mut self, code: i32) -> Run {
        let out = self.cmd.output().unwrap();
        let run = Run(out);
        assert_eq!(
            run.0.status.code(),
            Some(code),
            "exit code\nstdout:\n{}\nstderr:\n{}",
            run.stdout(),
            run.stderr()
        );
        run
    }
}

/// What a run printed.
pub struct Run(Output);

impl Run {
    pub fn code(&self) -> Option<i32> {
        self.0.status.code()
    }

    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.0.stdout).into_owned()
    }

    /// What the run wrote on standard output, as it wrote it.
    pub fn stdout_bytes(&self) -> &[u8] {
        &self.0.stdout
    }

    /// What the run wrote on standard error, as it wrote it.
    pub fn stderr_bytes(&self) -> &[u8] {
        &self.0.stderr
    }

    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.0.stderr).into_owned()
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.0.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}", self.stdout()))
    }

    pub fn stdout_has(self, text: &str) -> Run {
        assert!(
            self.stdout().contains(text),
            "stdout lacks {text:?}:\n{}",
            self.stdout()
        );
        self
    }

    pub fn stderr_has(self, text: &str) -> Run {
        assert!(
            self.stderr().contains(text),
            "stderr lacks {text:?}:\n{}",
            self.stderr()
        );
        self
    }
}

/// Writes a manifest of `entries` for `env` into `dir`, returns its path.
pub fn manifest(dir: &Path, env: &str, entries: &[(&str, Value)]) -> PathBuf {
    let mut c = Collection::new();
    for (k, v) in entries {
        c.insert(KeyPath::new(*k).unwrap(), v.clone());
    }
    let mut b = ManifestBuilder::new(env, "local", Sanitizer::default());
    b.add("test", "1", c);
    let m = b.finish(Some("2026-11-26T00:00:00Z".into()));
    let path = dir.join(format!("{env}.json"));
    std::fs::write(&path, m.to_json_string()).unwrap();
    path
}

/// The workspace's root.
pub use drift_test_support::workspace_root as root;
