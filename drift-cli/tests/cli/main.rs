//! End-to-end tests of the `drift` binary, one module per command.

mod diff;
mod support;
