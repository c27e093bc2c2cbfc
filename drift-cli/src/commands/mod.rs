//! The subcommands.

pub mod check;
pub mod diff;
pub mod explain;
pub mod snapshot;
