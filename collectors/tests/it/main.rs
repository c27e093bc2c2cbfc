//! Integration tests of drift-collectors, one module per area.

mod local;
#[cfg(feature = "ssh")]
mod ssh;
#[cfg(feature = "ssh")]
mod sshd;
