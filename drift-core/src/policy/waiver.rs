//! Waivers: known drift, accepted for a reason until a date.

use crate::date::Date;
use crate::pattern::KeyPattern;

/// A waiver: findings on matching keys do not fail the gate until it
/// expires. An expired waiver stops waiving, and the report says so.
#[derive(Debug, Clone)]
pub struct Waiver {
    /// The key globs it covers.
    pub keys: Vec<KeyPattern>,
    /// Why the drift is accepted (required).
    pub reason: String,
    /// The last day the waiver holds; `None` for no expiry.
    pub expires: Option<Date>,
    /// Limit to findings that involve these environments (`None`: any).
    pub environments: Option<Vec<String>>,
    /// Where it was written (`drift.toml:12`).
    pub origin: Option<String>,
}

/// Whether a waiver holds on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum WaiverState {
    /// It waives.
    Active,
    /// Its expiry date has passed: it no longer waives.
    Expired,
}

impl Waiver {
    /// Whether it covers `key`.
    pub fn matches(&self, key: &str) -> bool {
        self.keys.iter().any(|p| p.matches(key))
    }

    /// Its state on `today`; without a date, every waiver is active.
    pub fn state(&self, today: Option<Date>) -> WaiverState {
        match (self.expires, today) {
            (Some(exp), Some(today)) if today > exp => WaiverState::Expired,
            _ => WaiverState::Active,
        }
    }
}
