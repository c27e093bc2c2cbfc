//! # drift-collectors
//!
//! Transports and collectors for drift: they read a target (the local
//! machine, or a host over SSH) into [`drift_core::Collection`]s, which
//! [`snapshot`] turns into a manifest.
//!
//! - [`transport`]: the [`Transport`](transport::Transport) trait, the
//!   [`Local`](transport::Local) transport, and the command allow-list.
//! - [`Collector`]: the trait every collector implements.
//! - [`env`](mod@env): environment variables (injected process environment, dotenv
//!   files, `/proc/PID/environ`).
//! - [`config`]: configuration trees (JSON, YAML, TOML, INI, properties,
//!   dotenv parsed into keys; other files by hash).
//! - [`schema`]: database schemas and migration history (PostgreSQL,
//!   MySQL/MariaDB, SQLite; live databases and schema files).
//!
//! Heavy dependencies sit behind cargo features (`ssh`, `postgres`, `mysql`,
//! `sqlite`), so an embedder takes only what it needs.
//!
//! ## Stability
//!
//! Semantic versioning; public enums are `#[non_exhaustive]`. Collectors
//! never print, never exit, and read nothing but through their transport
//! and what they are given (the process environment is injected).
#![warn(missing_docs)]
#![cfg_attr(not(test), warn(clippy::unwrap_used, clippy::expect_used))]
#![warn(clippy::print_stdout, clippy::print_stderr)]

mod collector;
pub mod config;
pub mod env;
pub mod host;
pub mod kube;
pub mod packages;
pub mod progress;
pub mod runtime;
pub mod schema;
mod snapshot;
mod text;
// The depth guard drift-cli reads drift.toml through: outside the stable
// API (hidden from the docs and the public-API listing), like
// `drift_core::__private`.
#[doc(hidden)]
pub mod toml_depth;
pub mod transport;

pub use collector::Collector;
pub use snapshot::{SnapshotOptions, snapshot, snapshot_to, snapshot_to_with, snapshot_with};

/// The README's Rust example, compiled and run as a doctest so that it
/// stays true.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
mod readme {}
