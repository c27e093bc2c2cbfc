//! End-to-end tests of the `drift` binary, one module per command.

mod check;
mod deep;
mod diff;
mod diff_fleet;
mod echoes;
mod fleet;
mod hard;
mod hostile;
mod killed;
mod schema;
mod secrets;
mod snapshot;
mod support;
mod terminal;
mod terminal_tools;
