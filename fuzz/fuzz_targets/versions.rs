//! The version orderings: for every scheme and up to three versions (lines
//! of the input), a version orders equal to itself (read back from its
//! text), the order is antisymmetric and transitive (rpm: for strict
//! chains; see [`transitive`]), equal versions order alike against a third, and the skew class does not depend on the order
//! of the two.
#![no_main]

use std::cmp::Ordering::{self, Equal, Greater, Less};

use drift_core::version::Scheme;
use libfuzzer_sys::fuzz_target;

/// Whether `a ab b bc c` and `a ac c` agree. rpm's order is transitive
/// for strict chains only: a version without a release equals the same
/// version with any release (`1.0 == 1.0-1` and `1.0 == 1.0-2`, yet
/// `1.0-1 < 1.0-2`), as rpm compares them; `weak_equal` says so.
fn transitive(ab: Ordering, bc: Ordering, ac: Ordering, weak_equal: bool) -> bool {
    match (ab, bc) {
        (Equal, _) | (_, Equal) if weak_equal => true,
        (Equal, o) | (o, Equal) => ac == o,
        (Less, Less) => ac == Less,
        (Greater, Greater) => ac == Greater,
        _ => true,
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut parts = text.splitn(3, '\n');
    let v: [&str; 3] = std::array::from_fn(|_| parts.next().unwrap_or(""));
    for s in Scheme::ALL {
        assert_eq!(Scheme::from_name(s.as_str()), Some(s));
        for x in v {
            assert_eq!(s.compare(x, x), Some(Equal), "{s}: {x:?} vs itself");
        }
        for (x, y) in [(0, 1), (1, 2), (0, 2)] {
            let (a, b) = (v[x], v[y]);
            assert_eq!(
                s.compare(a, b),
                s.compare(b, a).map(Ordering::reverse),
                "{s}: {a:?} vs {b:?} is not antisymmetric"
            );
            assert_eq!(s.skew(a, b), s.skew(b, a), "{s}: skew of {a:?} and {b:?}");
        }
        let [a, b, c] = v;
        if let (Some(ab), Some(bc), Some(ac)) = (s.compare(a, b), s.compare(b, c), s.compare(a, c))
        {
            assert!(
                transitive(ab, bc, ac, s == Scheme::Rpm),
                "{s}: {a:?} {ab:?} {b:?} {bc:?} {c:?} but {a:?} {ac:?} {c:?}"
            );
        }
    }
});
