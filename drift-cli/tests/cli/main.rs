//! End-to-end tests of the `drift` binary, one module per command.

// A test crate exports nothing (see the workspace's `unreachable_pub`).
#![allow(unreachable_pub)]

mod baseline;
mod check;
mod deep;
mod diff;
mod diff_fleet;
mod echoes;
mod fleet;
mod hard;
mod hostile;
mod html;
mod killed;
mod kube;
mod kube_map;
mod readiness;
mod reports;
mod rules;
mod schema;
mod secrets;
mod snapshot;
mod support;
mod terminal;
mod terminal_tools;
