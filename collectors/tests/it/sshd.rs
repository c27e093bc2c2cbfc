//! The test OpenSSH server of drift-test-support, with the transport's
//! target and options for it.

use std::time::Duration;

use drift_collectors::transport::{SshOptions, SshTarget};
pub use drift_test_support::sshd::{Sshd, keygen};

/// How the SSH transport reaches a test server.
pub trait SshdExt {
    /// `ssh://USER@127.0.0.1:PORT`.
    fn target(&self) -> SshTarget;

    /// Options that trust this server (its key in a known_hosts file of the
    /// temp dir), log in with the user key, read no ssh config, and use
    /// short timeouts.
    fn options(&self) -> SshOptions;
}

impl SshdExt for Sshd {
    fn target(&self) -> SshTarget {
        SshTarget::new("127.0.0.1")
            .with_user(self.user().to_owned())
            .with_port(self.port())
    }

    fn options(&self) -> SshOptions {
        let kh = self.write_known_hosts(self.dir());
        SshOptions::new()
            .no_ssh_config()
            .known_hosts_file(kh)
            .identity_file(self.user_key())
            .connect_timeout(Duration::from_secs(10))
            .operation_timeout(Duration::from_secs(20))
    }
}
