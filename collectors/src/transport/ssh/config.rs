//! The basics of `ssh_config(5)`: `Host` blocks (patterns with `*`, `?`
//! and `!` negation), `HostName`, `User`, `Port`, `IdentityFile` and
//! `ProxyJump`. Other keywords are ignored, and so are `Match` blocks and
//! `Include` (documented in `docs/ssh.md`). As in `ssh`, the first value
//! found for a keyword wins, except `IdentityFile`, whose values add up.

/// A parsed config file.
#[derive(Debug, Clone, Default)]
pub(crate) struct SshConfig {
    blocks: Vec<Block>,
}

#[derive(Debug, Clone)]
struct Block {
    /// `None`: a `Match` block, which never applies.
    patterns: Option<Vec<String>>,
    settings: Vec<Setting>,
}

#[derive(Debug, Clone)]
struct Setting {
    keyword: Keyword,
    value: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Keyword {
    HostName,
    User,
    Port,
    IdentityFile,
    ProxyJump,
}

/// What the config says about one host alias.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct HostConfig {
    /// The real host name (`%h` expanded).
    pub host_name: Option<String>,
    /// The login user.
    pub user: Option<String>,
    /// The port.
    pub port: Option<u16>,
    /// Identity files, unexpanded (`~`, `%d`, `%h`, `%r`, `%p`).
    pub identity_files: Vec<String>,
    /// Jump hosts, first hop first; empty for none.
    pub proxy_jump: Vec<String>,
}

/// A line the config parser cannot accept.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub(crate) struct ConfigError {
    pub line: usize,
    pub message: String,
}

impl SshConfig {
    /// Parses the text of a config file.
    pub(super) fn parse(text: &str) -> Result<SshConfig, ConfigError> {
        let mut blocks = vec![Block {
            patterns: Some(vec!["*".to_owned()]),
            settings: Vec::new(),
        }];
        for (i, raw) in text.lines().enumerate() {
            let line = i + 1;
            let trimmed = raw.trim();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            let (keyword, rest) = split_keyword(trimmed);
            let args = split_args(rest).map_err(|message| ConfigError { line, message })?;
            let err = |message: String| ConfigError { line, message };
            match keyword.to_ascii_lowercase().as_str() {
                "host" => {
                    if args.is_empty() {
                        return Err(err("`Host` needs at least one pattern".into()));
                    }
                    blocks.push(Block {
                        patterns: Some(args),
                        settings: Vec::new(),
                    });
                }
                "match" => blocks.push(Block {
                    patterns: None,
                    settings: Vec::new(),
                }),
                other => {
                    let keyword = match other {
                        "hostname" => Keyword::HostName,
                        "user" => Keyword::User,
                        "port" => Keyword::Port,
                        "identityfile" => Keyword::IdentityFile,
                        "proxyjump" => Keyword::ProxyJump,
                        _ => continue,
                    };
                    let value = match args.as_slice() {
                        [one] => one.clone(),
                        [] => {
                            return Err(err(format!(
                                "`{keyword_text}` needs a value",
                                keyword_text = keyword_name(keyword)
                            )));
                        }
                        _ => {
                            return Err(err(format!(
                                "`{}` takes one value",
                                keyword_name(keyword)
                            )));
                        }
                    };
                    if keyword == Keyword::Port && parse_port(&value).is_none() {
                        return Err(err(format!(
                            "`Port {value}` is not a number from 1 to 65535"
                        )));
                    }
                    if let Some(block) = blocks.last_mut() {
                        block.settings.push(Setting { keyword, value });
                    }
                }
            }
        }
        Ok(SshConfig { blocks })
    }

    /// What applies to `alias` (the host as given by the user).
    pub(super) fn resolve(&self, alias: &str) -> HostConfig {
        let mut out = HostConfig::default();
        let mut jump_seen = false;
        for block in &self.blocks {
            let Some(patterns) = &block.patterns else {
                continue;
            };
            if !host_matches(alias, patterns) {
                continue;
            }
            for s in &block.settings {
                match s.keyword {
                    Keyword::HostName if out.host_name.is_none() => {
                        out.host_name = Some(expand_percent_h(&s.value, alias));
                    }
                    Keyword::User if out.user.is_none() => out.user = Some(s.value.clone()),
                    Keyword::Port if out.port.is_none() => out.port = parse_port(&s.value),
                    Keyword::IdentityFile if !out.identity_files.contains(&s.value) => {
                        out.identity_files.push(s.value.clone());
                    }
                    Keyword::ProxyJump if !jump_seen => {
                        jump_seen = true;
                        if !s.value.eq_ignore_ascii_case("none") {
                            out.proxy_jump = s
                                .value
                                .split(',')
                                .map(str::trim)
                                .filter(|h| !h.is_empty())
                                .map(str::to_owned)
                                .collect();
                        }
                    }
                    _ => {}
                }
            }
        }
        out
    }
}

fn keyword_name(k: Keyword) -> &'static str {
    match k {
        Keyword::HostName => "HostName",
        Keyword::User => "User",
        Keyword::Port => "Port",
        Keyword::IdentityFile => "IdentityFile",
        Keyword::ProxyJump => "ProxyJump",
    }
}

fn parse_port(text: &str) -> Option<u16> {
    text.parse::<u16>().ok().filter(|p| *p > 0)
}

/// `Keyword value`, `Keyword=value` or `Keyword = value`.
fn split_keyword(line: &str) -> (&str, &str) {
    let end = line
        .find(|c: char| c.is_whitespace() || c == '=')
        .unwrap_or(line.len());
    let (keyword, rest) = line.split_at(end);
    let rest = rest.trim_start();
    let rest = rest.strip_prefix('=').unwrap_or(rest).trim_start();
    (keyword, rest)
}

/// Splits arguments on whitespace, honouring double quotes.
fn split_args(text: &str) -> Result<Vec<String>, String> {
    let mut args = Vec::new();
    let mut current = String::new();
    let mut in_word = false;
    let mut quoted = false;
    for c in text.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                in_word = true;
            }
            c if c.is_whitespace() && !quoted => {
                if in_word {
                    args.push(std::mem::take(&mut current));
                    in_word = false;
                }
            }
            '#' if !quoted && !in_word => break,
            c => {
                current.push(c);
                in_word = true;
            }
        }
    }
    if quoted {
        return Err("unbalanced quote".into());
    }
    if in_word {
        args.push(current);
    }
    Ok(args)
}

/// `%h` → the alias, `%%` → `%` (in `HostName`).
fn expand_percent_h(value: &str, alias: &str) -> String {
    expand_tokens(value, &[('h', alias)])
}

/// Expands `%X` tokens from `values` and `%%`; unknown tokens stay as they
/// are.
pub(crate) fn expand_tokens(value: &str, values: &[(char, &str)]) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('%') => out.push('%'),
            Some(t) => match values.iter().find(|(k, _)| *k == t) {
                Some((_, v)) => out.push_str(v),
                None => {
                    out.push('%');
                    out.push(t);
                }
            },
            None => out.push('%'),
        }
    }
    out
}

/// Whether `host` matches a `Host` line: some pattern matches and no
/// negated (`!`) pattern does. Case-insensitive.
pub(crate) fn host_matches(host: &str, patterns: &[String]) -> bool {
    let host = host.to_ascii_lowercase();
    let mut matched = false;
    for p in patterns {
        let p = p.to_ascii_lowercase();
        if let Some(neg) = p.strip_prefix('!') {
            if glob(neg.as_bytes(), host.as_bytes()) {
                return false;
            }
        } else if glob(p.as_bytes(), host.as_bytes()) {
            matched = true;
        }
    }
    matched
}

/// `*` (any run) and `?` (one character) matching.
pub(crate) fn glob(pattern: &[u8], text: &[u8]) -> bool {
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p) {
            Some(b'*') => {
                star = Some((p, t));
                p += 1;
            }
            Some(&c) if c == b'?' || c == text[t] => {
                p += 1;
                t += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    p = sp + 1;
                    t = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|&c| c == b'*')
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONFIG: &str = r#"
# global first
User fallback-is-not-first

Host web-* !web-bad
    HostName %h.internal.example
    User deploy
    Port 2222
    IdentityFile ~/.ssh/deploy_ed25519

Host=db?
  HostName = 10.0.0.5
  ProxyJump bastion,web-1
  IdentityFile "/keys/with space"

Match host foo
  User nobody

Host *
  User default
  Port 22
  IdentityFile ~/.ssh/id_ed25519
  ProxyJump none
"#;

    #[test]
    fn first_value_wins_and_identity_files_add_up() {
        let c = SshConfig::parse(CONFIG).unwrap();
        let web = c.resolve("web-3");
        // The global `User` before any `Host` is the first value found.
        assert_eq!(web.user.as_deref(), Some("fallback-is-not-first"));
        assert_eq!(web.host_name.as_deref(), Some("web-3.internal.example"));
        assert_eq!(web.port, Some(2222));
        assert_eq!(
            web.identity_files,
            ["~/.ssh/deploy_ed25519", "~/.ssh/id_ed25519"]
        );
        assert!(web.proxy_jump.is_empty());

        let bad = c.resolve("web-bad");
        assert_eq!(bad.host_name, None);
        assert_eq!(bad.port, Some(22));

        let db = c.resolve("DB1");
        assert_eq!(db.host_name.as_deref(), Some("10.0.0.5"));
        assert_eq!(db.proxy_jump, ["bastion", "web-1"]);
        assert_eq!(db.identity_files[0], "/keys/with space");
        // `Match` blocks never apply.
        assert_ne!(c.resolve("foo").user.as_deref(), Some("nobody"));
    }

    #[test]
    fn bad_lines_are_errors_with_their_number() {
        let e = SshConfig::parse("Host a\n  Port http\n").unwrap_err();
        assert_eq!(e.line, 2);
        assert!(e.message.contains("Port http"), "{e}");
        assert!(SshConfig::parse("Host\n").is_err());
        assert!(SshConfig::parse("User \"a\n").is_err());
        assert!(SshConfig::parse("SomethingNew yes\nUser a b # c\n").is_err());
        assert!(SshConfig::parse("SomethingNew yes\nUser a # c\n").is_ok());
    }

    #[test]
    fn globs() {
        assert!(glob(b"*", b""));
        assert!(glob(b"a*c", b"abbbc"));
        assert!(glob(b"a?c", b"abc"));
        assert!(!glob(b"a?c", b"ac"));
        assert!(glob(b"*.example.com", b"x.example.com"));
        assert!(!glob(b"*.example.com", b"example.com"));
        assert!(host_matches("x", &["*".into()]));
        assert!(!host_matches("x", &["!x".into(), "*".into()]));
        assert!(!host_matches("x", &["!y".into()]));
    }

    #[test]
    fn tokens() {
        assert_eq!(
            expand_tokens(
                "%d/.ssh/%h_%r%%%z",
                &[('d', "/h"), ('h', "web"), ('r', "u")]
            ),
            "/h/.ssh/web_u%%z"
        );
    }
}
