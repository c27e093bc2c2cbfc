//! The allow-list of commands a transport may run.
//!
//! Every command is a fixed argument vector of `'static` strings: nothing
//! read from a manifest, a drift.toml or a target can become part of a
//! command line. Each one only prints versions or package lists.

use std::fmt;

/// A program whose version drift may ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Program {
    /// Node.js.
    Node,
    /// CPython 3.
    Python3,
    /// Ruby.
    Ruby,
    /// Java.
    Java,
    /// Go.
    Go,
    /// PHP.
    Php,
    /// nginx.
    Nginx,
    /// OpenSSL.
    Openssl,
    /// The PostgreSQL client.
    Psql,
    /// The MySQL/MariaDB client.
    Mysql,
    /// The SQLite shell.
    Sqlite3,
    /// Redis server.
    RedisServer,
}

impl Program {
    /// Every program, in report order.
    pub const ALL: [Program; 12] = [
        Program::Node,
        Program::Python3,
        Program::Ruby,
        Program::Java,
        Program::Go,
        Program::Php,
        Program::Nginx,
        Program::Openssl,
        Program::Psql,
        Program::Mysql,
        Program::Sqlite3,
        Program::RedisServer,
    ];

    /// The name used in key paths (`runtime:node`).
    pub fn name(self) -> &'static str {
        match self {
            Program::Node => "node",
            Program::Python3 => "python3",
            Program::Ruby => "ruby",
            Program::Java => "java",
            Program::Go => "go",
            Program::Php => "php",
            Program::Nginx => "nginx",
            Program::Openssl => "openssl",
            Program::Psql => "psql",
            Program::Mysql => "mysql",
            Program::Sqlite3 => "sqlite3",
            Program::RedisServer => "redis-server",
        }
    }

    fn version_argv(self) -> &'static [&'static str] {
        match self {
            Program::Node => &["node", "--version"],
            Program::Python3 => &["python3", "--version"],
            Program::Ruby => &["ruby", "--version"],
            Program::Java => &["java", "-version"],
            Program::Go => &["go", "version"],
            Program::Php => &["php", "--version"],
            Program::Nginx => &["nginx", "-v"],
            Program::Openssl => &["openssl", "version"],
            Program::Psql => &["psql", "--version"],
            Program::Mysql => &["mysql", "--version"],
            Program::Sqlite3 => &["sqlite3", "--version"],
            Program::RedisServer => &["redis-server", "--version"],
        }
    }
}

/// A read-only command a transport may run. There is no way to build one
/// from a string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AllowedCommand {
    /// Print a program's version.
    Version(Program),
    /// List installed RPM packages (for BDB/NDB databases that cannot be
    /// read as files).
    RpmQueryAll,
    /// Print the kernel release and machine (`uname -srm`).
    Uname,
}

impl AllowedCommand {
    /// The argument vector, program first.
    pub fn argv(&self) -> &'static [&'static str] {
        match self {
            AllowedCommand::Version(p) => p.version_argv(),
            AllowedCommand::RpmQueryAll => &[
                "rpm",
                "-qa",
                "--queryformat",
                "%{NAME}\\t%{EPOCHNUM}:%{VERSION}-%{RELEASE}\\t%{ARCH}\\n",
            ],
            AllowedCommand::Uname => &["uname", "-srm"],
        }
    }

    /// The command line as a shell would show it, for messages, and for
    /// transports that must send one string (SSH exec). Every argument is
    /// single-quoted when it holds anything but plain characters.
    pub fn command_line(&self) -> String {
        self.argv()
            .iter()
            .map(|a| {
                if a.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_./".contains(&b))
                {
                    (*a).to_owned()
                } else {
                    format!("'{}'", a.replace('\'', "'\\''"))
                }
            })
            .collect::<Vec<_>>()
            .join(" ")
    }
}

impl fmt::Display for AllowedCommand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.command_line())
    }
}

/// What a command printed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandOutput {
    /// The exit status (`-1` when killed by a signal).
    pub status: i32,
    /// Standard output.
    pub stdout: Vec<u8>,
    /// Standard error (some programs print their version there).
    pub stderr: Vec<u8>,
}

impl CommandOutput {
    /// Standard output, or standard error when standard output is empty,
    /// as lossy UTF-8.
    pub fn text(&self) -> String {
        let bytes = if self.stdout.iter().all(u8::is_ascii_whitespace) {
            &self.stderr
        } else {
            &self.stdout
        };
        String::from_utf8_lossy(bytes).into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_lines_are_quoted() {
        assert_eq!(
            AllowedCommand::Version(Program::Node).command_line(),
            "node --version"
        );
        let rpm = AllowedCommand::RpmQueryAll.command_line();
        assert!(rpm.starts_with("rpm -qa --queryformat '%{NAME}"), "{rpm}");
    }

    #[test]
    fn output_text_falls_back_to_stderr() {
        let out = CommandOutput {
            status: 0,
            stdout: b"\n".to_vec(),
            stderr: b"nginx version: nginx/1.24.0\n".to_vec(),
        };
        assert_eq!(out.text(), "nginx version: nginx/1.24.0\n");
    }
}
