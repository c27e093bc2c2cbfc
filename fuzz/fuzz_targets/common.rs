//! Shared by the fuzz targets: the twin tester kept across inputs, with a
//! summary of how much each fast path accepted every 2^n inputs.

use std::cell::RefCell;
use std::thread::LocalKey;

use drift_core::testing::twins::Twins;

/// Runs `input` through the twins in `cell` (asserting that every fast path
/// that answers agrees with the reference), printing the tally of accepted
/// inputs at every power of two.
pub fn check<I: ?Sized, O: PartialEq + std::fmt::Debug>(
    cell: &'static LocalKey<RefCell<Twins<'static, I, O>>>,
    label: &str,
    input: &I,
) -> O {
    cell.with(|t| {
        let mut t = t.borrow_mut();
        let out = t.check(label, input);
        let n = t.inputs();
        if n.is_power_of_two() && n >= 1 << 14 {
            eprintln!("twins: {}", t.summary());
        }
        out
    })
}
