//! Helpers shared by the tests of drift's crates: a dev-dependency of
//! drift-collectors and drift-cli, never published.
//!
//! It depends on none of drift's crates, so that their tests can use it
//! without a dependency cycle (which would turn features such as `ssh` on
//! for every test run of drift-collectors); what needs their types stays in
//! their tests, built from the plain values given here.

use std::path::{Path, PathBuf};

pub mod sarif;
pub mod sshd;

/// The workspace's root directory.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// `rel` under the workspace's `testdata/`.
pub fn testdata(rel: &str) -> PathBuf {
    workspace_root().join("testdata").join(rel)
}
