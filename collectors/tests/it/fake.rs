//! A transport for tests: files from a directory on disk, canned command
//! outputs, and programs that are "not installed".

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use drift_collectors::transport::{
    AllowedCommand, CommandOutput, DirEntry, FileMeta, Local, Transport, TransportError, Tunnel,
};

/// Reads files under `root` (an absolute path `/x` is `root/x`) and answers
/// commands from a table; a command not in the table is not installed.
#[derive(Debug)]
pub struct Fake {
    root: PathBuf,
    local: Local,
    commands: BTreeMap<String, CommandOutput>,
}

impl Fake {
    pub fn new(root: impl Into<PathBuf>) -> Fake {
        Fake {
            root: root.into(),
            local: Local::new(),
            commands: BTreeMap::new(),
        }
    }

    pub fn command(
        mut self,
        command: AllowedCommand,
        status: i32,
        stdout: &str,
        stderr: &str,
    ) -> Fake {
        self.commands.insert(
            command.command_line(),
            CommandOutput {
                status,
                stdout: stdout.as_bytes().to_vec(),
                stderr: stderr.as_bytes().to_vec(),
            },
        );
        self
    }

    fn map(&self, path: &Path) -> PathBuf {
        self.root.join(path.strip_prefix("/").unwrap_or(path))
    }
}

impl Transport for Fake {
    fn target(&self) -> &str {
        "fake"
    }

    fn read_file(&self, path: &Path, limit: u64) -> Result<Vec<u8>, TransportError> {
        self.local.read_file(&self.map(path), limit)
    }

    fn metadata(&self, path: &Path, follow: bool) -> Result<FileMeta, TransportError> {
        self.local.metadata(&self.map(path), follow)
    }

    fn read_dir(&self, path: &Path) -> Result<Vec<DirEntry>, TransportError> {
        self.local.read_dir(&self.map(path))
    }

    fn run(&self, command: &AllowedCommand) -> Result<CommandOutput, TransportError> {
        self.commands
            .get(&command.command_line())
            .cloned()
            .ok_or_else(|| TransportError::Command {
                command: command.command_line(),
                message: "not installed (not found on PATH)".into(),
            })
    }

    fn open_tunnel(&self, host: &str, port: u16) -> Result<Tunnel, TransportError> {
        Ok(Tunnel::direct(host, port))
    }
}

/// The workspace's `testdata/` directory.
pub fn testdata() -> PathBuf {
    drift_test_support::workspace_root().join("testdata")
}
