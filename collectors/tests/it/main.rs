//! Integration tests of drift-collectors, one module per area.

mod config;
mod env;
mod local;
