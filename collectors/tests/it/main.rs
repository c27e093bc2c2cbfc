//! Integration tests of drift-collectors, one module per area.

mod fake;
mod host;
mod local;
mod packages;
mod runtime;
