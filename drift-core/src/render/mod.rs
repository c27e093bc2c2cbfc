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

/// Items formatted per batch when rendering in parallel.
const BATCH: usize = 2048;

/// Formats `items` in parallel batches and writes them in order: reports of
/// a million findings render several times faster, with the same bytes.
/// Each group of batches is written while the next one is formatted, and at
/// most two groups are held in memory at once.
pub(crate) fn write_parallel<T: Sync>(
    items: &[T],
    out: &mut dyn io::Write,
    format: impl Fn(usize, &T, &mut Vec<u8>) -> io::Result<()> + Sync,
) -> io::Result<()> {
    use rayon::prelude::*;
    let threads = rayon::current_num_threads().max(1);
    let group = BATCH * threads * 4;
    let render = |g: usize| -> io::Result<Vec<Vec<u8>>> {
        let start = g * group;
        let part = items.get(start..(start + group).min(items.len()));
        part.unwrap_or_default()
            .par_chunks(BATCH)
            .enumerate()
            .map(|(b, batch)| {
                let mut buf = Vec::with_capacity(batch.len() * 128);
                for (i, item) in batch.iter().enumerate() {
                    format(start + b * BATCH + i, item, &mut buf)?;
                }
                Ok(buf)
            })
            .collect()
    };
    // Written here (the writer may be bound to this thread) while the pool
    // formats the next group.
    crate::pipeline::in_order(items.len().div_ceil(group), 1, render, |_, ready| {
        ready?.iter().try_for_each(|buf| out.write_all(buf))
    })
}

/// Formats a count with thousands separators: `1,234,567`.
pub(crate) fn thousands(n: impl std::fmt::Display) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests;
