//! Cross-scheme properties: no panics, identical texts are equal, and
//! `compare` is antisymmetric.

use super::*;

const SAMPLES: [&str; 28] = [
    "",
    " ",
    "0",
    "1",
    "1.0",
    "1.0.0",
    "v1.0.0",
    "1.0.0-rc.1",
    "1.0.0+b",
    "1:1.0-1",
    "1.0~rc1",
    "1.0^git1",
    "1!2.0",
    "1.0.post1",
    "1.0.dev1",
    "1.0a1",
    "1.0+local.7",
    "1.0.0.pre.1",
    "v0.0.0-20191109021931-daa7c04131f5",
    "v2.0.0+incompatible",
    "3.1.4-r5",
    "1.0_p1",
    "99999999999999999999999999.0",
    "dev-main",
    "1.x-dev",
    "::::",
    "-",
    "ü.1",
];

#[test]
fn every_scheme_is_total_on_odd_input_without_panicking() {
    for scheme in Scheme::ALL {
        for a in SAMPLES {
            assert_eq!(
                scheme.compare(a, a),
                Some(Ordering::Equal),
                "{scheme} {a:?}"
            );
            for b in SAMPLES {
                let ab = scheme.compare(a, b);
                let ba = scheme.compare(b, a);
                assert_eq!(ab, ba.map(Ordering::reverse), "{scheme} {a:?} {b:?}");
                let _ = scheme.skew(a, b);
            }
        }
    }
}

#[test]
fn unknown_schemes_order_as_generic() {
    assert_eq!(compare("maven", "1.10", "1.9"), Some(Ordering::Greater));
    assert_eq!(skew("maven", "1.10", "2.0"), Skew::Major);
}

#[test]
fn scheme_names_round_trip() {
    for s in Scheme::ALL {
        assert_eq!(Scheme::from_name(s.as_str()), Some(s));
    }
    assert_eq!(Scheme::from_name("nope"), None);
    assert_eq!(Skew::from_name("minor"), Some(Skew::Minor));
    assert!(Scheme::Deb.is_valid("1:2.3-4"));
    assert!(!Scheme::Semver.is_valid("latest"));
}

#[test]
fn skew_is_symmetric() {
    for scheme in Scheme::ALL {
        for a in SAMPLES {
            for b in SAMPLES {
                assert_eq!(scheme.skew(a, b), scheme.skew(b, a), "{scheme} {a:?} {b:?}");
            }
        }
    }
}
