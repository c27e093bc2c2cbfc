//! Integration tests of drift-collectors, one module per area.

mod config;
mod env;
mod fake;
mod host;
mod local;
mod packages;
mod runtime;
#[cfg(feature = "ssh")]
mod ssh;
#[cfg(feature = "ssh")]
mod sshd;
