//! TLS of live database sources: the mode (libpq's `sslmode`, MySQL's
//! `ssl-mode`), the CA and client certificate, read from a URL's parameters
//! or set by the caller, and the rule for a password when the server offers
//! no TLS.
//!
//! The modes are libpq's, and MySQL's are read as the same five:
//!
//! | drift | libpq `sslmode` | MySQL `ssl-mode` | TLS | chain | host name |
//! |---|---|---|---|---|---|
//! | `disable` | `disable` | `DISABLED` | never | – | – |
//! | `allow` | `allow` | – | only if the server refuses plaintext | as `require` | – |
//! | `prefer` (default) | `prefer` | `PREFERRED` | if the server offers it | as `require` | – |
//! | `require` | `require` | `REQUIRED` | always | only when a CA is given | no |
//! | `verify-ca` | `verify-ca` | `VERIFY_CA` | always | yes | no |
//! | `verify-full` | `verify-full` | `VERIFY_IDENTITY` | always | yes | yes |
//!
//! As in libpq, a CA given to a weaker mode makes it check the chain, and
//! `sslrootcert=system` (the system's root certificates) makes the default
//! mode `verify-full` and refuses any weaker one. Without a CA, `verify-ca`
//! and `verify-full` check against the system's root certificates (libpq
//! would read `~/.postgresql/root.crt`; drift reads no file it is not
//! told of).
//!
//! Two rules are drift's own, both closing a downgrade: a TLS handshake
//! that fails is an error in every mode (libpq's `prefer` would then try
//! without TLS), and when a server offers no TLS under `prefer`, drift goes
//! on without it only if no password is to be sent, the host is this
//! machine, or the connection goes through an SSH tunnel.

#[cfg(any(feature = "postgres", feature = "mysql"))]
pub(crate) mod client;

use std::fmt;
use std::path::PathBuf;

use super::source::{Engine, is_loopback_host};

/// How a live database connection uses TLS: libpq's `sslmode`, with
/// MySQL's `ssl-mode` read as the same (`DISABLED` = `Disable`,
/// `PREFERRED` = `Prefer`, `REQUIRED` = `Require`, `VERIFY_CA` =
/// `VerifyCa`, `VERIFY_IDENTITY` = `VerifyFull`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum TlsMode {
    /// Never TLS.
    Disable,
    /// Plaintext first; TLS only if the server refuses plaintext.
    Allow,
    /// TLS if the server offers it (the default, as in libpq).
    Prefer,
    /// TLS always; the certificate is checked only when a CA is given.
    Require,
    /// TLS always; the certificate chain is checked, not the host name.
    VerifyCa,
    /// TLS always; the chain and the host name are checked.
    VerifyFull,
}

impl TlsMode {
    /// Reads a mode in libpq's words (`verify-full`) or MySQL's
    /// (`VERIFY_IDENTITY`), in any case.
    ///
    /// ```
    /// use drift_collectors::schema::TlsMode;
    /// assert_eq!(TlsMode::parse("VERIFY_IDENTITY"), Some(TlsMode::VerifyFull));
    /// assert_eq!(TlsMode::parse("require"), Some(TlsMode::Require));
    /// assert_eq!(TlsMode::parse("on"), None);
    /// ```
    pub fn parse(text: &str) -> Option<TlsMode> {
        let t = text.trim().to_ascii_lowercase().replace('_', "-");
        Some(match t.as_str() {
            "disable" | "disabled" => TlsMode::Disable,
            "allow" => TlsMode::Allow,
            "prefer" | "preferred" => TlsMode::Prefer,
            "require" | "required" => TlsMode::Require,
            "verify-ca" => TlsMode::VerifyCa,
            "verify-full" | "verify-identity" => TlsMode::VerifyFull,
            _ => return None,
        })
    }

    /// The mode in libpq's words.
    pub fn as_str(self) -> &'static str {
        match self {
            TlsMode::Disable => "disable",
            TlsMode::Allow => "allow",
            TlsMode::Prefer => "prefer",
            TlsMode::Require => "require",
            TlsMode::VerifyCa => "verify-ca",
            TlsMode::VerifyFull => "verify-full",
        }
    }

    /// The mode as `PARAMETER=VALUE` in `engine`'s URL words.
    pub(crate) fn param(self, engine: Engine) -> String {
        match engine {
            Engine::Mysql => {
                let v = match self {
                    TlsMode::Disable => "DISABLED",
                    TlsMode::Allow => "allow",
                    TlsMode::Prefer => "PREFERRED",
                    TlsMode::Require => "REQUIRED",
                    TlsMode::VerifyCa => "VERIFY_CA",
                    TlsMode::VerifyFull => "VERIFY_IDENTITY",
                };
                format!("ssl-mode={v}")
            }
            _ => format!("sslmode={}", self.as_str()),
        }
    }
}

impl fmt::Display for TlsMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What the server's certificate is checked against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Ca {
    /// The system's root certificates (`sslrootcert=system`).
    System,
    /// The certificates of a PEM file.
    File(PathBuf),
}

impl Ca {
    /// `system`, or a file.
    pub(crate) fn from_text(text: &str) -> Ca {
        if text == "system" {
            Ca::System
        } else {
            Ca::File(PathBuf::from(text))
        }
    }
}

/// The TLS settings of one server source.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct TlsSettings {
    /// The mode as given; `None`: the default.
    pub mode: Option<TlsMode>,
    /// The CA, when given.
    pub ca: Option<Ca>,
    /// The client certificate (PEM).
    pub cert: Option<PathBuf>,
    /// The client certificate's private key (PEM).
    pub key: Option<PathBuf>,
    /// Send the host name in the handshake (libpq's `sslsni`).
    pub no_sni: bool,
}

impl TlsSettings {
    /// The mode in force: the one given, else `verify-full` with the
    /// system's roots (as libpq), else `prefer`.
    pub(crate) fn effective_mode(&self) -> TlsMode {
        match (self.mode, &self.ca) {
            (Some(m), _) => m,
            (None, Some(Ca::System)) => TlsMode::VerifyFull,
            (None, _) => TlsMode::Prefer,
        }
    }

    /// Takes one URL query parameter if it is a TLS one of `engine`
    /// (`Ok(true)`); an unknown or unsupported TLS parameter is an error
    /// naming it (never its value).
    pub(crate) fn take_param(
        &mut self,
        engine: Engine,
        key: &str,
        value: &str,
    ) -> Result<bool, String> {
        let k = key.to_ascii_lowercase();
        let (mode, ca, cert, key_name, sni): (&str, &str, &str, &str, &str) = match engine {
            Engine::Mysql => ("ssl-mode", "ssl-ca", "ssl-cert", "ssl-key", ""),
            _ => ("sslmode", "sslrootcert", "sslcert", "sslkey", "sslsni"),
        };
        let k = if engine == Engine::Mysql {
            k.replace('_', "-")
        } else {
            k
        };
        if k == mode {
            let m =
                TlsMode::parse(value).filter(|m| engine != Engine::Mysql || *m != TlsMode::Allow);
            self.mode = Some(m.ok_or_else(|| {
                match engine {
                    Engine::Mysql => {
                        "`ssl-mode` must be DISABLED, PREFERRED, REQUIRED, VERIFY_CA or \
                                  VERIFY_IDENTITY"
                            .to_owned()
                    }
                    _ => "`sslmode` must be disable, allow, prefer, require, verify-ca or \
                      verify-full"
                        .to_owned(),
                }
            })?);
        } else if k == ca {
            self.ca = Some(Ca::from_text(value));
        } else if k == cert {
            self.cert = Some(PathBuf::from(value));
        } else if k == key_name {
            self.key = Some(PathBuf::from(value));
        } else if !sni.is_empty() && k == sni {
            self.no_sni = match value {
                "0" => true,
                "1" => false,
                _ => return Err("`sslsni` must be 0 or 1".to_owned()),
            };
        } else if (engine == Engine::Mysql && k.starts_with("ssl"))
            || (engine == Engine::Postgres
                && (k.starts_with("ssl") || k == "requiressl" || k == "gssencmode"))
        {
            // A CRL, an encrypted key, a minimum version… not honoured
            // would be a silent weakening.
            let supported = if sni.is_empty() {
                format!("`{mode}`, `{ca}`, `{cert}` and `{key_name}`")
            } else {
                format!("`{mode}`, `{ca}`, `{cert}`, `{key_name}` and `{sni}`")
            };
            return Err(format!(
                "the TLS parameter `{key}` is not supported by drift; the supported ones are \
                 {supported}"
            ));
        } else {
            return Ok(false);
        }
        Ok(true)
    }

    /// Checks that the settings go together (libpq's rules).
    pub(crate) fn validate(&self, engine: Engine) -> Result<(), String> {
        let (ca, cert, key) = match engine {
            Engine::Mysql => ("ssl-ca", "ssl-cert", "ssl-key"),
            _ => ("sslrootcert", "sslcert", "sslkey"),
        };
        if engine == Engine::Mysql && self.mode == Some(TlsMode::Allow) {
            return Err(
                "MySQL has no `allow` mode: use PREFERRED, REQUIRED, VERIFY_CA or \
                        VERIFY_IDENTITY"
                    .to_owned(),
            );
        }
        if self.cert.is_some() != self.key.is_some() {
            return Err(format!(
                "a client certificate needs both `{cert}` and `{key}` (`tls_cert` and \
                 `tls_key` in drift.toml)"
            ));
        }
        if self.ca == Some(Ca::System) && self.effective_mode() < TlsMode::VerifyFull {
            return Err(format!(
                "`{ca}=system` trusts every public certificate authority, so it needs the host \
                 name checked: use {} (as libpq does)",
                TlsMode::VerifyFull.param(engine)
            ));
        }
        Ok(())
    }

    /// Whether the chain is checked: `verify-*`, or a CA file given to a
    /// weaker mode (as libpq).
    pub(crate) fn checks_chain(&self) -> bool {
        self.effective_mode() >= TlsMode::VerifyCa || self.ca.is_some()
    }
}

/// Whether a connection without TLS may carry the password: always when
/// there is none, to this machine, through an SSH tunnel, or when the mode
/// says plaintext is wanted (`disable`, `allow`). Under `prefer` and the
/// stronger modes a password never goes in cleartext off this machine.
pub(crate) fn plaintext_may_carry_password(
    has_password: bool,
    host: &str,
    mode: TlsMode,
    tunnelled: bool,
) -> bool {
    !has_password
        || tunnelled
        || is_loopback_host(host)
        || matches!(mode, TlsMode::Disable | TlsMode::Allow)
}

/// Which check of a TLS connection failed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TlsFailure {
    /// The server's certificate is not signed by a trusted CA.
    UnknownCa,
    /// The server's certificate does not name the host.
    WrongHostName,
    /// The server's certificate has expired.
    Expired,
    /// The server's certificate is not valid yet.
    NotYetValid,
    /// The server's certificate is otherwise unusable (revoked, bad
    /// signature, wrong purpose).
    BadCertificate,
    /// The server offers no TLS, and the mode requires it.
    ServerWithoutTls,
    /// The server offers no TLS under `prefer`, and a password would go
    /// in cleartext to a host that is not this machine.
    PlaintextRefused,
    /// The server refused the client certificate (or its absence).
    ClientCertificateRefused,
    /// A CA, certificate or key file could not be used.
    CertificateFile,
    /// The handshake failed otherwise.
    Handshake,
}

impl fmt::Display for TlsFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TlsFailure::UnknownCa => "unknown CA",
            TlsFailure::WrongHostName => "wrong host name",
            TlsFailure::Expired => "expired certificate",
            TlsFailure::NotYetValid => "certificate not valid yet",
            TlsFailure::BadCertificate => "bad certificate",
            TlsFailure::ServerWithoutTls => "server without TLS",
            TlsFailure::PlaintextRefused => "server without TLS, password kept",
            TlsFailure::ClientCertificateRefused => "client certificate refused",
            TlsFailure::CertificateFile => "certificate file",
            TlsFailure::Handshake => "TLS handshake failed",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes_in_both_vocabularies() {
        for (text, mode) in [
            ("disable", TlsMode::Disable),
            ("DISABLED", TlsMode::Disable),
            ("allow", TlsMode::Allow),
            ("prefer", TlsMode::Prefer),
            ("Preferred", TlsMode::Prefer),
            ("require", TlsMode::Require),
            ("REQUIRED", TlsMode::Require),
            ("verify-ca", TlsMode::VerifyCa),
            ("VERIFY_CA", TlsMode::VerifyCa),
            ("verify-full", TlsMode::VerifyFull),
            ("VERIFY_IDENTITY", TlsMode::VerifyFull),
        ] {
            assert_eq!(TlsMode::parse(text), Some(mode), "{text}");
        }
        for bad in ["", "on", "true", "verify", "full", "verify-none"] {
            assert_eq!(TlsMode::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn url_parameters_per_engine() {
        let mut t = TlsSettings::default();
        assert_eq!(
            t.take_param(Engine::Postgres, "sslmode", "verify-ca"),
            Ok(true)
        );
        assert_eq!(
            t.take_param(Engine::Postgres, "sslrootcert", "/ca.pem"),
            Ok(true)
        );
        assert_eq!(t.take_param(Engine::Postgres, "sslsni", "0"), Ok(true));
        assert_eq!(
            t.take_param(Engine::Postgres, "connect_timeout", "5"),
            Ok(false)
        );
        assert_eq!(t.effective_mode(), TlsMode::VerifyCa);
        assert_eq!(t.ca, Some(Ca::File("/ca.pem".into())));
        assert!(t.no_sni);
        // MySQL's names, with `-` or `_`; libpq's are not MySQL's.
        let mut m = TlsSettings::default();
        assert_eq!(
            m.take_param(Engine::Mysql, "ssl_mode", "VERIFY_IDENTITY"),
            Ok(true)
        );
        assert_eq!(m.take_param(Engine::Mysql, "ssl-ca", "ca.pem"), Ok(true));
        assert_eq!(m.effective_mode(), TlsMode::VerifyFull);
        assert!(m.take_param(Engine::Mysql, "sslmode", "disable").is_err());
        assert!(m.take_param(Engine::Mysql, "ssl-mode", "allow").is_err());
        // Unsupported TLS parameters are errors naming the parameter only.
        let e = t
            .take_param(Engine::Postgres, "sslcrl", "s3cretish")
            .unwrap_err();
        assert!(e.contains("`sslcrl`") && !e.contains("s3cretish"), "{e}");
        assert!(t.take_param(Engine::Postgres, "sslpassword", "x").is_err());
        let e = t
            .take_param(Engine::Postgres, "sslmode", "verify")
            .unwrap_err();
        assert!(e.contains("verify-full"), "{e}");
        assert!(m.take_param(Engine::Mysql, "ssl-capath", "/etc").is_err());
    }

    #[test]
    fn libpq_rules_for_the_default_and_system_roots() {
        let mut t = TlsSettings::default();
        assert_eq!(t.effective_mode(), TlsMode::Prefer);
        assert!(!t.checks_chain());
        t.ca = Some(Ca::File("ca.pem".into()));
        assert!(t.checks_chain(), "a CA given to prefer checks the chain");
        t.mode = Some(TlsMode::Require);
        assert!(t.checks_chain(), "a CA given to require checks the chain");
        assert!(t.validate(Engine::Postgres).is_ok());
        let mut s = TlsSettings {
            ca: Some(Ca::from_text("system")),
            ..TlsSettings::default()
        };
        assert_eq!(s.effective_mode(), TlsMode::VerifyFull);
        assert!(s.validate(Engine::Postgres).is_ok());
        s.mode = Some(TlsMode::Require);
        let e = s.validate(Engine::Postgres).unwrap_err();
        assert!(e.contains("sslmode=verify-full"), "{e}");
        let e = s.validate(Engine::Mysql).unwrap_err();
        assert!(e.contains("ssl-mode=VERIFY_IDENTITY"), "{e}");
        let half = TlsSettings {
            cert: Some("c.pem".into()),
            ..TlsSettings::default()
        };
        assert!(
            half.validate(Engine::Postgres)
                .unwrap_err()
                .contains("sslkey")
        );
    }

    #[test]
    fn prefer_sends_a_password_in_cleartext_only_where_allowed() {
        use TlsMode::*;
        let may = plaintext_may_carry_password;
        // Off this machine, with a password: only when plaintext is asked for.
        assert!(!may(true, "db.internal", Prefer, false));
        assert!(!may(true, "10.0.0.5", Require, false));
        assert!(!may(true, "db.internal", VerifyFull, false));
        assert!(may(true, "db.internal", Disable, false));
        assert!(may(true, "db.internal", Allow, false));
        // To this machine, through a tunnel, or without a password: yes.
        assert!(may(true, "127.0.0.1", Prefer, false));
        assert!(may(true, "localhost", Prefer, false));
        assert!(may(true, "db.internal", Prefer, true));
        assert!(may(false, "db.internal", Prefer, false));
        // A name that resolves to loopback is not this machine.
        assert!(!may(true, "localhost.evil.example", Prefer, false));
    }
}
