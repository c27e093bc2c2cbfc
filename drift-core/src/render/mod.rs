//! Renderers: a [`Report`] as text for people or JSON for machines.
//!
//! Renderers write to any `io::Write` the caller gives; they never print on
//! their own, and never show a secret: values in a report are already
//! fingerprints.

mod json;
mod text;

use std::io;

pub use json::JsonRenderer;
pub use text::TextRenderer;

use crate::report::Report;

/// Writes a report in some format.
pub trait Renderer {
    /// Writes `report` to `out`.
    fn render(&self, report: &Report, out: &mut dyn io::Write) -> io::Result<()>;
}

/// Formats a count with thousands separators: `1,234,567`.
pub(crate) fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests;
