//! The config readers' twins, through the one twin tester
//! ([`drift_core::testing::twins`]): each fast reader (JSON, YAML, TOML, the
//! one-pass `.env` reader), and the dispatch the collector calls (the fast
//! reader, else the full one), against the full reader, over every fixture
//! of its shape in `testdata/` and generated texts. Each fast reader must give
//! exactly what the full reader gives where it answers, and must answer a
//! fair share of the fixtures (none under the `reference-paths` feature,
//! which turns the fast readers off).
//!
//! Of the repository's own fixtures, most are edge cases the fast readers
//! decline (lists, quotes, errors); `testdata/twins` holds files of the
//! common shapes, so that each fast reader is seen to take real files.

use drift_core::testing::twins::{Twins, fixtures, named, testdata};

use super::fuzzing::{dotenv_twins, json_twins, toml_twins, yaml_twins};
use super::sink::testing::xorshift;

const REFERENCE_PATHS: bool = cfg!(feature = "reference-paths");

/// The UTF-8 fixtures in `testdata/` whose name ends with one of
/// `suffixes`.
fn texts(suffixes: &[&str]) -> Vec<(String, String)> {
    let root = testdata();
    fixtures(&root, |p| named(p, suffixes))
        .into_iter()
        .filter_map(|(path, bytes)| {
            let rel = path.strip_prefix(&root).ok()?.display().to_string();
            Some((rel, String::from_utf8(bytes).ok()?))
        })
        .collect()
}

/// `count` texts of 1 to `max` lines drawn from `vocabulary`.
fn generated(vocabulary: &[&str], seed: u64, count: usize, max: u64) -> Vec<String> {
    let mut next = xorshift(seed);
    (0..count)
        .map(|_| {
            let n = 1 + next(max);
            let mut text: Vec<&str> = Vec::new();
            for _ in 0..n {
                text.push(vocabulary[next(vocabulary.len() as u64) as usize]);
            }
            text.join("\n") + ["", "\n"][next(2) as usize]
        })
        .collect()
}

/// A JSON object of `depth` levels with values drawn from `scalars`.
fn json_text(next: &mut impl FnMut(u64) -> u64, depth: u32) -> String {
    const SCALARS: &[&str] = &[
        "1",
        "-7",
        "0",
        "-0",
        "1.5",
        "2e3",
        "1E-2",
        "9223372036854775807",
        "9223372036854775808",
        "-9223372036854775809",
        "true",
        "false",
        "null",
        r#""s""#,
        r#""""#,
        r#""a b/c""#,
        r#""esc \" \\ \n""#,
        r#""\u00e9""#,
        r#""é""#,
        "[]",
        "[1, \"x\"]",
        "{}",
    ];
    const NAMES: &[&str] = &["a", "b", "c.d", "", "é", "a b", "k\\\"q"];
    let n = next(4);
    let mut fields = Vec::new();
    for _ in 0..n {
        let name = NAMES[next(NAMES.len() as u64) as usize];
        let value = if depth > 0 && next(3) == 0 {
            json_text(next, depth - 1)
        } else {
            SCALARS[next(SCALARS.len() as u64) as usize].to_owned()
        };
        let space = [" ", "", "\n  "][next(3) as usize];
        fields.push(format!("\"{name}\":{space}{value}"));
    }
    format!("{{{}}}", fields.join(","))
}

const YAML_LINES: &[&str] = &[
    "a: 1",
    "b: text",
    "c:",
    "  d: true",
    "  e: 2.5",
    "  f: ~",
    "    g: deep",
    "# comment",
    "",
    "h: 'quoted'",
    "i: \"dq\"",
    "j: [1, 2]",
    "k: - x",
    "- item",
    "l: &anchor 1",
    "m: 0x1F",
    "n: 0o17",
    "o: .inf",
    "p: yes",
    "q: 1_000",
    "r: a # tail",
    "s: |",
    "  block",
    "t: -1",
    "u: +1",
    "---",
    "v: 2024-01-01",
    "a: again",
    "w:    spaced",
    "x: null",
    "y: 1e3",
    "z: é",
    "hx: 0x-1",
    "hp: 0x+1F",
    "ox: 0o-7",
    "pp: ++1",
    "pm: +-1",
    "# nul \u{0} in a comment",
    "ctl: 1 # \u{1b}",
    "s: |+",
];

const TOML_LINES: &[&str] = &[
    "a = 1",
    "b = \"text\"",
    "c = true",
    "[t]",
    "d = -7",
    "e = 'lit'",
    "[t.u]",
    "f = 1.5",
    "# comment",
    "",
    "g = [1, 2]",
    "h = { x = 1 }",
    "[[arr]]",
    "i = 0x1F",
    "j = 1_000",
    "k = \"esc \\\" q\"",
    "l = 2024-01-01",
    "m.n = 1",
    "\"q k\" = 2",
    "[t]",
    "a = 2",
    "o = +3",
    "p = 9223372036854775807",
    "r = \"\"\"multi\"\"\"",
    "s = \"é\"",
    "t = 1 # tail",
    "[ sp ]",
    "u=1",
];

const DOTENV_LINES: &[&str] = &[
    "A=1",
    "B_2.x-y=some/path:8080",
    "C=",
    "D=a=b",
    "# note",
    "",
    "E=${HOME}/x",
    "F=a b",
    "G='q'",
    "H=\"q\"",
    "I=x #c",
    "export J=1",
    " K=1",
    "L =1",
    "M=1 ",
    "N=a\\b",
    "=1",
    "O",
    "P=\t1",
    "# x=\"",
    "Q=é",
    "R=1\r",
    "S=_-./:@%+,=~^*?!&()[]{}$<>;|",
    "T=\"multi",
    "line\"",
];

/// Runs the fixtures, then the generated texts, through `twins`, and
/// asserts how much the fast path took of each.
fn run<O: PartialEq + std::fmt::Debug>(
    make: impl Fn() -> Twins<'static, str, O>,
    fast: &str,
    fixtures: &[(String, String)],
    fixtures_accepted: usize,
    generated: &[String],
    generated_accepted: usize,
) {
    let mut twins = make();
    for (path, text) in fixtures {
        twins.check(path, text);
    }
    assert_eq!(twins.inputs(), fixtures.len());
    twins.assert_accepts(fast, fixtures_accepted, REFERENCE_PATHS);
    // What the collector calls (the fast path, else the full one) answers
    // everything, as the full reader does.
    twins.assert_accepts("dispatch", fixtures.len(), false);
    let mut twins = make();
    for (i, text) in generated.iter().enumerate() {
        twins.check(format_args!("generated text {i}: {text:?}"), text);
    }
    twins.assert_accepts(fast, generated_accepted, REFERENCE_PATHS);
    twins.assert_accepts("dispatch", generated.len(), false);
}

#[test]
fn json_readers_agree() {
    let fixtures = texts(&[".json", ".lock"]);
    let fixtures: Vec<_> = fixtures
        .into_iter()
        .filter(|(p, _)| !p.ends_with("yarn.lock") && !p.ends_with("Gemfile.lock"))
        .filter(|(_, t)| t.trim_start().starts_with('{'))
        .collect();
    assert!(fixtures.len() >= 15, "{} JSON fixtures", fixtures.len());
    let mut next = xorshift(0x15_0f);
    let generated: Vec<String> = (0..3_000).map(|_| json_text(&mut next, 3)).collect();
    run(json_twins, "fast", &fixtures, 11, &generated, 1_200);
}

#[test]
fn yaml_readers_agree() {
    let fixtures = texts(&[".yaml", ".yml"]);
    assert!(fixtures.len() >= 12, "{} YAML fixtures", fixtures.len());
    let generated = generated(YAML_LINES, 0x9a_31, 3_000, 6);
    run(yaml_twins, "fast", &fixtures, 4, &generated, 500);
}

/// Inputs where the YAML readers disagreed (issue 16): control characters,
/// keys past YAML's 1,024 characters, block scalars without content at the
/// end of a file, and signs after a prefix.
#[test]
fn yaml_readers_agree_on_hard_inputs() {
    let long = |n: usize| format!("{}: 1\n", "k".repeat(n));
    // Each text, and whether it is an error.
    let texts = [
        ("a: 1 # x\u{0}y\nb: 2\n".to_owned(), true),
        ("a: 1\n# \u{7}\nb: 2\n".to_owned(), true),
        ("a: 1\u{1f}\n".to_owned(), true),
        (long(1024), false),
        (long(1025), true),
        (format!("a:\n  {}", long(1025)), true),
        ("a: 1\nx: |\n".to_owned(), false),
        ("a: 1\nx: >-\n".to_owned(), false),
        ("a: 1\nx: |+\n\n".to_owned(), false),
        (
            "a: 0x-1\nb: 0x+1F\nc: 0o-7\nd: ++1\ne: +-1\nf: +1\ng: 0x1F\n".to_owned(),
            false,
        ),
    ];
    let mut twins = yaml_twins();
    for (text, error) in &texts {
        let read = twins.check(format_args!("{text:?}"), text.as_str());
        assert_eq!(read.is_err(), *error, "{text:?}: {read:?}");
    }
    twins.assert_accepts("dispatch", texts.len(), false);
    // The fast reader takes the plain ones, not the ones it would misread.
    twins.assert_accepts("fast", 2, REFERENCE_PATHS);
}

#[test]
fn toml_readers_agree() {
    let fixtures = texts(&[".toml", "Cargo.lock", "poetry.lock", "uv.lock"]);
    assert!(fixtures.len() >= 6, "{} TOML fixtures", fixtures.len());
    let generated = generated(TOML_LINES, 0x70_41, 3_000, 6);
    run(toml_twins, "fast", &fixtures, 2, &generated, 300);
}

#[test]
fn dotenv_readers_agree() {
    let fixtures = texts(&[".env"]);
    assert!(fixtures.len() >= 9, "{} .env fixtures", fixtures.len());
    let generated = generated(DOTENV_LINES, 0x0e_11, 3_000, 5);
    run(dotenv_twins, "one pass", &fixtures, 3, &generated, 300);
}
