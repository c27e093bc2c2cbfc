//! The subcommands.

pub mod check;
pub mod completions;
pub mod diff;
pub mod explain;
pub mod init;
pub mod snapshot;
