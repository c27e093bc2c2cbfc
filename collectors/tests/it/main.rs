//! Integration tests of drift-collectors, one module per area.

mod config;
mod env;
mod fake;
mod host;
mod local;
#[cfg(feature = "ssh")]
mod ssh;
#[cfg(feature = "ssh")]
mod sshd;
mod packages;
mod runtime;
