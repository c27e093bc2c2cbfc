//! The version orderings: for every scheme and up to three versions (lines
//! of the input), a version orders equal to itself (read back from its
//! text), the order is antisymmetric and transitive, equal versions order
//! alike against a third, and the skew class does not depend on the order
//! of the two. For rpm, whose `RpmVersion` implements `Ord`, the parsed
//! versions' `==` agrees with their order too.
#![no_main]

use std::cmp::Ordering::{self, Equal, Greater, Less};

use drift_core::version::Scheme;
use drift_core::version::fuzzing::RpmVersion;
use libfuzzer_sys::fuzz_target;

/// Whether `a ab b bc c` and `a ac c` agree.
fn transitive(ab: Ordering, bc: Ordering, ac: Ordering) -> bool {
    match (ab, bc) {
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
                transitive(ab, bc, ac),
                "{s}: {a:?} {ab:?} {b:?} {bc:?} {c:?} but {a:?} {ac:?} {c:?}"
            );
        }
    }
    let rpm: Vec<RpmVersion<'_>> = v.iter().filter_map(|t| RpmVersion::parse(t)).collect();
    for x in &rpm {
        for y in &rpm {
            assert_eq!(
                x == y,
                x.cmp(y) == Equal,
                "rpm: {x:?} == {y:?} disagrees with cmp"
            );
            assert_eq!(x.cmp(y), y.cmp(x).reverse(), "rpm: {x:?} vs {y:?}");
        }
    }
});
