//! A release held to a fleet of three hosts: one up to date, one a
//! migration behind, one without a configuration key the code reads.

use std::collections::BTreeMap;

use crate::diff::{DiffOptions, Environment, Host, diff};
use crate::key::KeyPath;
use crate::manifest::{Collection, Manifest, ManifestBuilder, Role};
use crate::policy::{Policy, Severity, Waiver};
use crate::readiness::Verdict;
use crate::report::{Finding, FindingKind, Report};
use crate::secret::Sanitizer;
use crate::value::Value;

const M2: &str = "schema:shop:migration:flyway:2";
const M3: &str = "schema:shop:migration:flyway:3";
const KEY: &str = "env:PAYMENT_TIMEOUT_MS";

fn manifest(env: &str, role: Role, entries: &[(&str, Value)]) -> Manifest {
    let mut c = Collection::new();
    for (k, v) in entries {
        c.insert(KeyPath::new(*k).unwrap(), v.clone());
    }
    let mut b = ManifestBuilder::new(env, "local", Sanitizer::default());
    b.role(role);
    b.add("test", "1", c);
    b.finish(None)
}

fn mig(checksum: &str) -> Value {
    Value::Object(BTreeMap::from([
        ("checksum".to_owned(), Value::from(checksum)),
        ("success".to_owned(), Value::Bool(true)),
    ]))
}

/// The release and the three hosts of prod: web-1 up to date, web-2
/// without migration 3, web-3 without the key.
fn fleet() -> (Manifest, [Manifest; 3]) {
    let release = manifest(
        "release",
        Role::Release,
        &[(M2, mig("2")), (M3, mig("3")), (KEY, Value::from(""))],
    );
    let host = |m3: bool, key: bool| {
        let mut e = vec![(M2, mig("2"))];
        if m3 {
            e.push((M3, mig("3")));
        }
        if key {
            e.push((KEY, Value::from("2500")));
        }
        manifest("prod", Role::Environment, &e)
    };
    (
        release,
        [host(true, true), host(false, true), host(true, false)],
    )
}

fn report(release: &Manifest, hosts: &[Manifest; 3], policy: &Policy) -> Report {
    let prod = Environment {
        name: "prod",
        hosts: ["web-1", "web-2", "web-3"]
            .iter()
            .zip(hosts)
            .map(|(name, manifest)| Host { name, manifest })
            .collect(),
    };
    diff(
        &[Environment::single(release), prod],
        policy,
        &DiffOptions::default(),
    )
    .unwrap()
}

/// The readiness finding of `key` (not the fleet's own comparison).
fn readiness_finding<'a>(r: &'a Report, key: &str) -> &'a Finding {
    r.findings
        .iter()
        .find(|f| f.key.as_str() == key && f.kind != FindingKind::Outlier)
        .unwrap()
}

fn names(list: &[crate::report::Name]) -> Vec<&str> {
    list.iter().map(|n| &**n).collect()
}

#[test]
fn every_host_of_a_fleet_is_held_to_the_release() {
    let (release, hosts) = fleet();
    let r = report(&release, &hosts, &Policy::default());
    // The migration pending on web-2 only.
    let pending = readiness_finding(&r, M3);
    assert_eq!(pending.kind, FindingKind::Pending);
    assert_eq!(pending.environment.as_deref(), Some("prod"));
    assert_eq!(names(&pending.odd_one_out), ["web-2"]);
    let values: Vec<(&str, bool)> = pending
        .values
        .iter()
        .map(|(n, v)| (&**n, v.is_some()))
        .collect();
    assert_eq!(
        values,
        [
            ("release", true),
            ("web-1", true),
            ("web-2", false),
            ("web-3", true)
        ]
    );
    // The key web-3 lacks: an error there.
    let missing = readiness_finding(&r, KEY);
    assert_eq!(missing.kind, FindingKind::Missing);
    assert_eq!(missing.severity, Severity::Error);
    assert_eq!(names(&missing.odd_one_out), ["web-3"]);
    // Nothing else: migration 2 is applied everywhere, and web-1 is odd
    // nowhere.
    let readiness: Vec<&Finding> = r
        .findings
        .iter()
        .filter(|f| f.kind != FindingKind::Outlier)
        .collect();
    assert_eq!(readiness.len(), 2, "{readiness:?}");
    // The verdict: the worst over the hosts, each host's own beside it.
    assert_eq!(r.readiness.len(), 1);
    let v = &r.readiness[0];
    assert_eq!(v.environment, "prod");
    assert_eq!(v.verdict, Verdict::Blocked);
    assert_eq!(v.blocking, [KEY]);
    assert_eq!(v.pending, [M3]);
    let per_host: Vec<(&str, Verdict)> = v.hosts.iter().map(|h| (&*h.host, h.verdict)).collect();
    assert_eq!(
        per_host,
        [
            ("web-1", Verdict::Ready),
            ("web-2", Verdict::MigrateFirst),
            ("web-3", Verdict::Blocked)
        ]
    );
    assert_eq!(v.hosts[1].pending, [M3]);
    assert!(v.hosts[1].blocking.is_empty());
    assert_eq!(v.hosts[2].blocking, [KEY]);
    // The fleet's own comparison still names its odd ones out.
    let outliers: Vec<(&str, Vec<&str>)> = r
        .findings
        .iter()
        .filter(|f| f.kind == FindingKind::Outlier)
        .map(|f| (f.key.as_str(), names(&f.odd_one_out)))
        .collect();
    assert_eq!(outliers, [(KEY, vec!["web-3"]), (M3, vec!["web-2"])]);
}

#[test]
fn a_fleet_whose_hosts_agree_has_one_verdict_for_all() {
    let (release, [web1, _, _]) = fleet();
    let r = report(
        &release,
        &[web1.clone(), web1.clone(), web1],
        &Policy::default(),
    );
    assert!(r.findings.is_empty(), "{:?}", r.findings);
    assert_eq!(r.readiness[0].verdict, Verdict::Ready);
    assert!(
        r.readiness[0]
            .hosts
            .iter()
            .all(|h| h.verdict == Verdict::Ready)
    );
    // A key every host lacks: one finding naming the three.
    let (release, [_, _, web3]) = fleet();
    let r = report(
        &release,
        &[web3.clone(), web3.clone(), web3],
        &Policy::default(),
    );
    let f = readiness_finding(&r, KEY);
    assert_eq!(names(&f.odd_one_out), ["web-1", "web-2", "web-3"]);
    assert!(
        r.readiness[0]
            .hosts
            .iter()
            .all(|h| h.verdict == Verdict::Blocked)
    );
    // One line for the three hosts' equal value, not one a host.
    use crate::render::{Renderer, TextRenderer};
    let mut out = Vec::new();
    TextRenderer::default().render(&r, &mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    assert_eq!(
        text.lines()
            .filter(|l| l.contains("(absent)") && l.contains("web-1, web-2, web-3"))
            .count(),
        1,
        "{text}"
    );
}

#[test]
fn a_waiver_for_the_fleets_environment_waives_on_its_hosts() {
    let (release, hosts) = fleet();
    let policy = Policy {
        rules: vec![],
        waivers: vec![Waiver {
            keys: vec![crate::KeyPattern::new(KEY).unwrap()],
            reason: "ships dark".into(),
            expires: None,
            environments: Some(vec!["prod".into()]),
            origin: None,
        }],
    };
    let r = report(&release, &hosts, &policy);
    assert!(readiness_finding(&r, KEY).waived.is_some());
    let v = &r.readiness[0];
    assert_eq!(v.verdict, Verdict::MigrateFirst);
    assert_eq!(v.hosts[2].verdict, Verdict::Ready);
}

#[test]
fn the_reports_name_the_hosts() {
    use crate::render::{HtmlRenderer, JsonRenderer, MarkdownRenderer, Renderer, TextRenderer};
    let (release, hosts) = fleet();
    let r = report(&release, &hosts, &Policy::default());
    let render = |x: &dyn Renderer| {
        let mut out = Vec::new();
        x.render(&r, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    };
    let text = render(&TextRenderer::default());
    assert!(text.contains("release → prod (3 hosts): blocked"), "{text}");
    assert!(text.contains(&format!("blocked by: {KEY}")), "{text}");
    assert!(
        text.contains("hosts: web-1 ready · web-2 migrate first · web-3 blocked"),
        "{text}"
    );
    // Each readiness finding names the hosts where it holds.
    assert!(text.contains("(prod: web-2)"), "{text}");
    assert!(text.contains("(prod: web-3)"), "{text}");
    let json: serde_json::Value = serde_json::from_str(&render(&JsonRenderer::default())).unwrap();
    let hosts = &json["readiness"][0]["hosts"];
    assert_eq!(hosts[1]["host"], "web-2");
    assert_eq!(hosts[1]["verdict"], "migrate_first");
    assert_eq!(hosts[1]["pending"][0], M3);
    assert_eq!(hosts[2]["blocking"][0], KEY);
    let pending = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["key"] == M3 && f["kind"] == "pending")
        .unwrap();
    assert_eq!(pending["environment"], "prod");
    assert_eq!(pending["odd_one_out"][0], "web-2");
    let md = render(&MarkdownRenderer {
        fail_on: Severity::Error,
        max_bytes: crate::render::MAX_MARKDOWN_BYTES,
    });
    assert!(md.contains("web-2"), "{md}");
    // The release's value in its own column, the hosts in prod's.
    let html = render(&HtmlRenderer::default());
    assert!(html.contains("<li class=\"odd\">web-2: "), "{html}");
    assert!(!html.contains("<li>release: "), "{html}");
}
