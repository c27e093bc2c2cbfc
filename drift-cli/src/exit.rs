//! Exit codes: the contract every CI relies on.

use std::process::ExitCode;

/// The documented exit codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// No finding at or above the threshold.
    Clean = 0,
    /// Drift at or above the threshold.
    Drift = 1,
    /// Usage, configuration or input error.
    Input = 2,
    /// A source could not be read.
    Incomplete = 3,
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> ExitCode {
        ExitCode::from(e as u8)
    }
}

impl From<drift_core::report::Outcome> for Exit {
    fn from(o: drift_core::report::Outcome) -> Exit {
        match o {
            drift_core::report::Outcome::Clean => Exit::Clean,
            drift_core::report::Outcome::Drift => Exit::Drift,
            _ => Exit::Incomplete,
        }
    }
}
