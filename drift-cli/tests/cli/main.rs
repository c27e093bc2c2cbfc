//! End-to-end tests of the `drift` binary, one module per command.

mod check;
mod diff;
mod snapshot;
mod support;
