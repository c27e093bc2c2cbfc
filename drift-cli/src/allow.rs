//! The secret material a drift.toml may name, and reading it.
//!
//! A drift.toml may come from an untrusted change, and a schema source
//! sends its password to the server its URL names. So a drift.toml may
//! name, by itself, only variables called `DRIFT_*` (`password_env`) and
//! files under its own folder, symbolic links resolved (`password_file`).
//! Anything else must be allowed by the person running drift:
//! `--allow-secret-env NAME` / `--allow-secret-file PATH` (repeatable) or
//! `DRIFT_ALLOW_SECRET_ENV` / `DRIFT_ALLOW_SECRET_FILE` (comma-separated).
//! The fingerprint key (`DRIFT_FINGERPRINT_KEY`, `fingerprint_key_file`)
//! is never a password, allowed or not. A variable given with
//! `--schema-password-env` is allowed by being given.
//!
//! Errors name the field, the drift.toml and its line. A variable name is
//! shown back only when it is one (a set variable, or a name in the usual
//! capitals), since a password pasted into `password_env` must not reach a
//! log; a file is shown only once it is found to exist.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use anyhow::bail;
use drift_collectors::transport::{Local, Transport, TransportError};

use crate::sanitizer::KEY_VAR;
use crate::settings::{SchemaSpec, valid_var_name};

/// The variable of the run that allows more variables (comma-separated).
pub const ALLOW_ENV_VAR: &str = "DRIFT_ALLOW_SECRET_ENV";
/// The variable of the run that allows more files (comma-separated).
pub const ALLOW_FILE_VAR: &str = "DRIFT_ALLOW_SECRET_FILE";

/// Most bytes read from a password file.
const MAX_PASSWORD_FILE: u64 = 64 << 10;

/// What the person running drift allowed a drift.toml to name.
#[derive(Debug, Clone, Default)]
pub struct SecretAllow {
    /// The drift.toml's file name, for messages.
    config_name: String,
    /// Its folder, links resolved: files under it are allowed.
    config_dir: Option<PathBuf>,
    /// Variables allowed besides `DRIFT_*`.
    envs: Vec<String>,
    /// Files allowed besides the drift.toml's folder, links resolved.
    files: Vec<PathBuf>,
    /// The fingerprint key file, links resolved: never a password.
    fingerprint_key_file: Option<PathBuf>,
}

/// The items of a comma-separated list, trimmed, without empty ones.
fn split_list(list: &str) -> impl Iterator<Item = &str> {
    list.split(',').map(str::trim).filter(|s| !s.is_empty())
}

impl SecretAllow {
    /// The allowances of a run with the drift.toml at `config`: the flags'
    /// (`envs`, `files`), then the environment's (`lookup` reads the
    /// run's variables). `key_file` is the fingerprint key file.
    pub fn new(
        config: &Path,
        envs: &[String],
        files: &[PathBuf],
        key_file: Option<&Path>,
        lookup: &dyn Fn(&str) -> Option<OsString>,
    ) -> SecretAllow {
        let dir = config
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let mut envs = envs.to_vec();
        let mut files: Vec<PathBuf> = files.to_vec();
        if let Some(list) = lookup(ALLOW_ENV_VAR) {
            envs.extend(split_list(&list.to_string_lossy()).map(str::to_owned));
        }
        if let Some(list) = lookup(ALLOW_FILE_VAR) {
            files.extend(split_list(&list.to_string_lossy()).map(PathBuf::from));
        }
        SecretAllow {
            config_name: config.file_name().map_or_else(
                || "drift.toml".to_owned(),
                |n| n.to_string_lossy().into_owned(),
            ),
            config_dir: std::fs::canonicalize(dir).ok(),
            envs,
            files: files
                .iter()
                .filter_map(|f| std::fs::canonicalize(f).ok())
                .collect(),
            fingerprint_key_file: key_file.and_then(|k| std::fs::canonicalize(k).ok()),
        }
    }

    /// Where a schema source's password setting was written, for messages.
    fn origin(&self, field: &str, spec: &SchemaSpec) -> String {
        match spec.line {
            Some(line) => format!("`{field}` in `{}` line {line}", self.config_name),
            None => "`--schema-password-env`".to_owned(),
        }
    }

    /// The password of `var`, named by `spec` (`password_env`, or
    /// `--schema-password-env` when the spec comes from flags), once it is
    /// allowed.
    pub fn password_from_env(
        &self,
        spec: &SchemaSpec,
        var: &str,
        lookup: &dyn Fn(&str) -> Option<OsString>,
    ) -> anyhow::Result<String> {
        let origin = self.origin("password_env", spec);
        if !valid_var_name(var) {
            bail!(
                "{origin} is not a variable name: give the name of the variable that holds the password (letters, digits and `_`)"
            );
        }
        if var == KEY_VAR {
            bail!(
                "{origin} names `{KEY_VAR}`, the fingerprint key, which is never sent anywhere: give the database password a variable of its own"
            );
        }
        let value = lookup(var);
        let shown = shown_name(var, value.is_some());
        let from_toml = spec.line.is_some();
        if from_toml && !var.starts_with("DRIFT_") && !self.envs.iter().any(|e| e == var) {
            let (what, name) = match shown {
                Some(n) => (format!("the variable `{n}`"), n),
                None => ("a variable".to_owned(), "NAME"),
            };
            bail!(
                "{origin} names {what}, which a drift.toml may not use by itself (only `DRIFT_*` variables): if it is this database's password, run drift with `--allow-secret-env {name}` or set `{ALLOW_ENV_VAR}={name}`"
            );
        }
        let what = shown.map_or_else(
            || format!("the variable named by {origin}"),
            |n| format!("the variable `{n}` ({origin})"),
        );
        match value {
            None => bail!("{what} is not set: set it to the database password"),
            Some(v) => match v.into_string() {
                Ok(v) => Ok(v),
                Err(_) => bail!("{what} is not UTF-8"),
            },
        }
    }

    /// The password in `file`, named by `password_file` of `spec`, once it
    /// is allowed: a regular file, not the fingerprint key file.
    pub fn password_from_file(&self, spec: &SchemaSpec, file: &Path) -> anyhow::Result<String> {
        let origin = self.origin("password_file", spec);
        // Not shown until it is known to exist: a password pasted into
        // `password_file` must not reach a log.
        let resolved = match std::fs::canonicalize(file) {
            Ok(r) => r,
            Err(e) => bail!(
                "the file named by {origin} cannot be read: {}",
                io_reason(e.kind())
            ),
        };
        if self.fingerprint_key_file.as_ref() == Some(&resolved) {
            bail!(
                "{origin} names the fingerprint key file, which is never sent anywhere: give the database password a file of its own"
            );
        }
        let inside = self
            .config_dir
            .as_ref()
            .is_some_and(|d| resolved.starts_with(d));
        if !inside && !self.files.contains(&resolved) {
            let p = resolved.display();
            bail!(
                "{origin} names `{p}`, outside the drift.toml's folder, which a drift.toml may not read by itself: if it is this database's password, run drift with `--allow-secret-file {p}` or set `{ALLOW_FILE_VAR}={p}`"
            );
        }
        let bytes = Local::new()
            .read_source_file(&resolved, MAX_PASSWORD_FILE)
            .map_err(|e| {
                anyhow::anyhow!(
                    "the file named by {origin} cannot be read: {}",
                    transport_reason(&e)
                )
            })?;
        if bytes.contains(&0) {
            bail!("the file named by {origin} holds NUL bytes: it is not a password file");
        }
        let Ok(text) = String::from_utf8(bytes) else {
            bail!("the file named by {origin} is not UTF-8 text");
        };
        let pw = text.trim_end_matches(['\n', '\r']);
        if pw.is_empty() {
            bail!("the file named by {origin} is empty");
        }
        Ok(pw.to_owned())
    }
}

/// A variable name as it may be shown: only a name that is one (set in
/// the run, or written in the usual capitals), never what may be a pasted
/// password.
pub fn shown_name(var: &str, is_set: bool) -> Option<&str> {
    let conventional = var
        .bytes()
        .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_');
    (valid_var_name(var) && var.len() <= 64 && (is_set || conventional)).then_some(var)
}

/// Why a file could not be opened, without its path.
pub fn io_reason(kind: std::io::ErrorKind) -> &'static str {
    match kind {
        std::io::ErrorKind::NotFound => "no such file",
        std::io::ErrorKind::PermissionDenied => "permission denied",
        _ => "it cannot be opened",
    }
}

/// Why a file could not be read, without its path.
pub fn transport_reason(e: &TransportError) -> String {
    match e {
        TransportError::NotFound { .. } => "no such file".to_owned(),
        TransportError::PermissionDenied { .. } => "permission denied".to_owned(),
        TransportError::TooLarge { limit, .. } => format!("it is over {limit} bytes"),
        TransportError::Special { what, .. } => format!("it is {what}, not a regular file"),
        _ => "it cannot be read".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::SchemaTarget;

    fn spec(line: Option<usize>) -> SchemaSpec {
        SchemaSpec {
            target: SchemaTarget::Url("postgres://ci@127.0.0.1/x".into()),
            name: None,
            password_env: None,
            password_file: None,
            via: None,
            schema_include: Vec::new(),
            schema_exclude: Vec::new(),
            tls: Default::default(),
            line,
        }
    }

    fn env(vars: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<OsString> {
        move |k| {
            vars.iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| OsString::from(v))
        }
    }

    #[test]
    fn a_drift_toml_reads_only_drift_variables_unless_allowed() {
        let lookup = env(&[
            ("GH_PAT", "ghp_secret"),
            ("DRIFT_DB_PW", "pw"),
            (KEY_VAR, "key"),
        ]);
        let allow = SecretAllow::new(Path::new("drift.toml"), &[], &[], None, &lookup);
        let toml = spec(Some(3));
        assert_eq!(
            allow
                .password_from_env(&toml, "DRIFT_DB_PW", &lookup)
                .unwrap(),
            "pw"
        );
        let e = allow
            .password_from_env(&toml, "GH_PAT", &lookup)
            .unwrap_err()
            .to_string();
        assert!(e.contains("`password_env` in `drift.toml` line 3"), "{e}");
        assert!(e.contains("--allow-secret-env GH_PAT"), "{e}");
        assert!(e.contains("DRIFT_ALLOW_SECRET_ENV=GH_PAT"), "{e}");
        // Allowed by a flag, or by the run's environment.
        let by_flag = SecretAllow::new(
            Path::new("drift.toml"),
            &["GH_PAT".into()],
            &[],
            None,
            &lookup,
        );
        assert!(by_flag.password_from_env(&toml, "GH_PAT", &lookup).is_ok());
        let lookup2 = env(&[("GH_PAT", "x"), (ALLOW_ENV_VAR, " A, GH_PAT ,")]);
        let by_env = SecretAllow::new(Path::new("drift.toml"), &[], &[], None, &lookup2);
        assert!(by_env.password_from_env(&toml, "GH_PAT", &lookup2).is_ok());
        // The fingerprint key never, even allowed or given by a flag.
        let all = SecretAllow::new(
            Path::new("drift.toml"),
            &[KEY_VAR.into()],
            &[],
            None,
            &lookup,
        );
        for s in [spec(Some(3)), spec(None)] {
            let e = all
                .password_from_env(&s, KEY_VAR, &lookup)
                .unwrap_err()
                .to_string();
            assert!(e.contains("never sent anywhere"), "{e}");
        }
        // A flag's variable is allowed by being given.
        assert!(
            allow
                .password_from_env(&spec(None), "GH_PAT", &lookup)
                .is_ok()
        );
    }

    #[test]
    fn a_password_pasted_as_a_name_is_never_shown() {
        let lookup = env(&[]);
        let allow = SecretAllow::new(Path::new("drift.toml"), &[], &[], None, &lookup);
        for (s, pw) in [
            (spec(Some(4)), "c0rrect-h0rse!"),
            (spec(None), "c0rrect-h0rse!"),
            (spec(Some(4)), "Tr0ub4dor3xyzzy"),
            (spec(None), "Tr0ub4dor3xyzzy"),
            (spec(Some(4)), "DRIFT_Tr0ub4dor3"),
        ] {
            let e = allow
                .password_from_env(&s, pw, &lookup)
                .unwrap_err()
                .to_string();
            assert!(!e.contains(pw), "{e}");
            assert!(!e.contains("Tr0ub4") && !e.contains("h0rse"), "{e}");
        }
        // A name in capitals is shown: it is one.
        let e = allow
            .password_from_env(&spec(None), "PROD_DB_PASSWORD", &lookup)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("`PROD_DB_PASSWORD`") && e.contains("not set"),
            "{e}"
        );
    }

    #[test]
    fn password_files_under_the_folder_or_allowed() {
        let dir = tempfile::tempdir().unwrap();
        let conf = dir.path().join("repo");
        std::fs::create_dir(&conf).unwrap();
        let config = conf.join("drift.toml");
        std::fs::write(conf.join("pw"), "inside\n").unwrap();
        let outside = dir.path().join("id_rsa");
        std::fs::write(&outside, "-----BEGIN OPENSSH PRIVATE KEY-----\n").unwrap();
        std::os::unix::fs::symlink(&outside, conf.join("link")).unwrap();
        let key = conf.join("fp.key");
        std::fs::write(&key, "k").unwrap();
        let lookup = env(&[]);
        let allow = SecretAllow::new(&config, &[], &[], Some(&key), &lookup);
        let s = spec(Some(7));
        assert_eq!(
            allow.password_from_file(&s, &conf.join("pw")).unwrap(),
            "inside"
        );
        for f in [outside.clone(), conf.join("link")] {
            let e = allow.password_from_file(&s, &f).unwrap_err().to_string();
            assert!(e.contains("`password_file` in `drift.toml` line 7"), "{e}");
            assert!(e.contains("--allow-secret-file"), "{e}");
            assert!(!e.contains("BEGIN"), "{e}");
        }
        let e = allow.password_from_file(&s, &key).unwrap_err().to_string();
        assert!(e.contains("fingerprint key"), "{e}");
        let e = allow
            .password_from_file(&s, Path::new("hunter2-is-my-password"))
            .unwrap_err()
            .to_string();
        assert!(!e.contains("hunter2"), "{e}");
        assert!(e.contains("no such file"), "{e}");
        let allowed = SecretAllow::new(&config, &[], std::slice::from_ref(&outside), None, &lookup);
        assert!(allowed.password_from_file(&s, &conf.join("link")).is_ok());
    }
}
