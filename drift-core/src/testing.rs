//! Helpers for the tests, in this crate and (with the `twin-tests`
//! feature) in the others. Test support only: unlike the rest of the crate,
//! [`twins::fixtures`] reads files.

pub mod twins;

/// A small deterministic generator for generated inputs: each call gives a
/// number below `n`.
#[cfg(test)]
pub(crate) fn xorshift(mut seed: u64) -> impl FnMut(usize) -> usize {
    move |n| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n as u64) as usize
    }
}
