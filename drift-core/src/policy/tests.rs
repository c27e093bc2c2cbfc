use super::*;
use crate::date::Date;
use crate::key::KeyPath;

fn key(s: &str) -> KeyPath {
    KeyPath::new(s).unwrap()
}

#[test]
fn defaults_without_rules() {
    let p = Policy::default();
    assert_eq!(p.resolve(&key("env:TIMEOUT_MS")).expect, Expect::Equal);
    assert_eq!(p.resolve(&key("env:DATABASE_HOST")).expect, Expect::Present);
    assert_eq!(
        p.resolve(&key("config:a.yaml:api.base_url")).expect,
        Expect::Present
    );
    assert_eq!(
        p.resolve(&key("schema:postgres:column:public.links.url"))
            .expect,
        Expect::Equal
    );
    assert!(!p.resolve(&key("env:API_TOKEN")).expect_explicit);
}

#[test]
fn later_rules_override_the_settings_they_name() {
    let mut a = Rule::new("env:*").unwrap();
    a.severity = Some(Severity::Error);
    a.expect = Some(Expect::Present);
    let mut b = Rule::new("env:FLAG_*").unwrap();
    b.expect = Some(Expect::Equal);
    b.environments = Some(vec!["staging".into(), "prod".into()]);
    let p = Policy {
        rules: vec![a, b],
        waivers: vec![],
    };
    let r = p.resolve(&key("env:FLAG_NEW_CHECKOUT"));
    assert_eq!(r.expect, Expect::Equal);
    assert_eq!(r.severity, Some(Severity::Error));
    assert_eq!(r.environments.unwrap(), ["staging", "prod"]);
    let r = p.resolve(&key("env:OTHER"));
    assert_eq!(r.expect, Expect::Present);
    assert!(r.environments.is_none());
    assert!(p.resolve(&key("config:x:y")).severity.is_none());
}

#[test]
fn settings_parse_with_clear_errors() {
    assert_eq!("error".parse::<Severity>(), Ok(Severity::Error));
    let e = "fatal".parse::<Severity>().unwrap_err().to_string();
    assert!(e.contains("`fatal` is not a valid severity"), "{e}");
    assert_eq!("differ".parse::<Expect>(), Ok(Expect::Differ));
    assert!("same".parse::<Expect>().is_err());
    assert_eq!("10%".parse::<Tolerance>(), Ok(Tolerance::Relative(0.1)));
    assert_eq!("5".parse::<Tolerance>(), Ok(Tolerance::Absolute(5.0)));
    assert!("-1".parse::<Tolerance>().is_err());
    assert!(parse_tolerate("minor").is_ok());
    assert!(parse_tolerate("tiny").is_err());
}

#[test]
fn tolerances() {
    assert!(Tolerance::Relative(0.1).accepts(100.0, 109.0));
    assert!(!Tolerance::Relative(0.1).accepts(100.0, 112.0));
    assert!(Tolerance::Absolute(5.0).accepts(10.0, 15.0));
    assert!(!Tolerance::Absolute(5.0).accepts(10.0, 15.5));
}

#[test]
fn waivers_expire_after_their_last_day() {
    let w = Waiver {
        keys: vec![crate::pattern::KeyPattern::new("env:X").unwrap()],
        reason: "rollout".into(),
        expires: Some("2026-11-30".parse().unwrap()),
        environments: None,
        origin: None,
    };
    let day = |s: &str| Some(s.parse::<Date>().unwrap());
    assert_eq!(w.state(day("2026-11-30")), WaiverState::Active);
    assert_eq!(w.state(day("2026-12-01")), WaiverState::Expired);
    assert_eq!(w.state(None), WaiverState::Active);
    assert!(w.matches("env:X"));
}

#[test]
fn default_severities() {
    use crate::version::Skew;
    use defaults::{DefaultKind, severity};
    assert_eq!(
        severity(&key("env:A"), DefaultKind::Missing, false),
        Severity::Error
    );
    assert_eq!(
        severity(&key("env:A"), DefaultKind::Changed(None), false),
        Severity::Warning
    );
    assert_eq!(
        severity(
            &key("schema:postgres:column:public.t.c"),
            DefaultKind::Changed(None),
            false
        ),
        Severity::Error
    );
    assert_eq!(
        severity(
            &key("schema:postgres:column_order:public.t"),
            DefaultKind::Changed(None),
            false
        ),
        Severity::Info
    );
    assert_eq!(
        severity(
            &key("package:npm:x"),
            DefaultKind::Changed(Some(Skew::Major)),
            false
        ),
        Severity::Error
    );
    assert_eq!(
        severity(
            &key("package:npm:x"),
            DefaultKind::Changed(Some(Skew::Patch)),
            false
        ),
        Severity::Info
    );
    assert_eq!(
        severity(&key("package:npm:x"), DefaultKind::Missing, true),
        Severity::Warning
    );
}
