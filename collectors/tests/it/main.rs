//! Integration tests of drift-collectors, one module per area.

mod fake;
mod host;
mod local;
#[cfg(feature = "ssh")]
mod ssh;
#[cfg(feature = "ssh")]
mod sshd;
mod packages;
mod runtime;
