//! Documents nested past any stack: every format reads [`MAX_DEPTH`]
//! levels, on a thread of 2 MiB like the collectors' workers, and refuses a
//! deeper one with an error at its line, never a crash. (Where a
//! third-party parser has a lower limit of its own, its error at the line
//! stands.)

use super::format::Format;
use super::sink::testing::{entries, fast_path};
use super::tree::MAX_DEPTH;
use super::{json_fast, yaml_fast};

/// The stack of rayon's and the CLI's worker threads (Rust's default).
const WORKER_STACK: usize = 2 * 1024 * 1024;

/// Runs `f` on a thread of [`WORKER_STACK`] bytes.
fn on_worker<R: Send>(f: impl FnOnce() -> R + Send) -> R {
    std::thread::scope(|s| {
        std::thread::Builder::new()
            .stack_size(WORKER_STACK)
            .spawn_scoped(s, f)
            .unwrap()
            .join()
            .unwrap()
    })
}

/// The documents of `depth` levels of each shape that nests: objects,
/// arrays and both in JSON; block mappings, compact block sequences and
/// flow sequences and mappings in YAML; inline tables, arrays and dotted
/// keys in TOML.
fn shapes(depth: usize) -> Vec<(&'static str, Format, String)> {
    let json_objects = format!("{}1{}", "{\"a\":".repeat(depth), "}".repeat(depth));
    let json_arrays = format!("{}1{}", "[".repeat(depth), "]".repeat(depth));
    let (open, close): (String, String) = (0..depth)
        .map(|i| {
            if i % 2 == 0 {
                ("{\"a\":", '}')
            } else {
                ("[", ']')
            }
        })
        .unzip();
    let json_mixed = format!("{open}1{}", close.chars().rev().collect::<String>());
    let yaml_sequences = format!("{}1\n", "- ".repeat(depth));
    let yaml_flow = format!("x: {}1{}\n", "[".repeat(depth - 1), "]".repeat(depth - 1));
    let toml_tables = format!(
        "x = {}1{}\n",
        "{a = ".repeat(depth - 1),
        "}".repeat(depth - 1)
    );
    let toml_arrays = format!("x = {}1{}\n", "[".repeat(depth - 1), "]".repeat(depth - 1));
    let toml_dotted = format!("{} = 1\n", vec!["k"; depth].join("."));
    let yaml_flow_maps = format!(
        "x: {}1{}\n",
        "{a: ".repeat(depth - 1),
        "}".repeat(depth - 1)
    );
    // (Block mappings nest by indentation, quadratic in size: the fast
    // path's test below has them.)
    vec![
        ("json objects", Format::Json, json_objects),
        ("json arrays", Format::Json, json_arrays),
        ("json mixed", Format::Json, json_mixed),
        ("yaml sequences", Format::Yaml, yaml_sequences),
        ("yaml flow", Format::Yaml, yaml_flow),
        ("yaml flow mappings", Format::Yaml, yaml_flow_maps),
        ("toml tables", Format::Toml, toml_tables),
        ("toml arrays", Format::Toml, toml_arrays),
        ("toml dotted keys", Format::Toml, toml_dotted),
    ]
}

fn parse(format: Format, text: &str) -> Result<usize, super::error::ParseError> {
    entries("deep", |sink| format.parse_into(text, sink)).map(|e| e.len())
}

#[test]
fn documents_of_the_depth_limit_read_on_a_small_stack() {
    on_worker(|| {
        for (shape, format, text) in shapes(MAX_DEPTH) {
            assert_eq!(parse(format, &text).unwrap(), 1, "{shape}");
        }
    });
}

#[test]
fn deeper_documents_are_an_error_at_their_line_on_a_small_stack() {
    for depth in [MAX_DEPTH + 1, 100_000] {
        on_worker(|| {
            for (shape, format, text) in shapes(depth) {
                let e = parse(format, &text).unwrap_err();
                assert_eq!(e.line, Some(1), "{shape} {depth}: {e:?}");
                assert!(e.message.contains("nested deeper"), "{shape}: {e:?}");
            }
        });
    }
}

#[test]
fn five_thousand_levels_read_in_every_format() {
    on_worker(|| {
        for (shape, format, text) in shapes(5_000) {
            assert_eq!(parse(format, &text).unwrap(), 1, "{shape}");
        }
    });
}

#[test]
#[cfg_attr(
    feature = "reference-paths",
    ignore = "the fast path is off under reference-paths"
)]
fn fast_paths_read_to_the_limit_and_decline_past_it() {
    on_worker(|| {
        let json = |d: usize| format!("{}1{}", "{\"a\":".repeat(d), "}".repeat(d));
        assert!(fast_path("f.json", &json(MAX_DEPTH), json_fast::parse_into).is_some());
        assert!(fast_path("f.json", &json(MAX_DEPTH + 1), json_fast::parse_into).is_none());
        let yaml = |d: usize| -> String {
            (0..d)
                .map(|i| format!("{}a:\n", " ".repeat(i)))
                .chain([format!("{}b: 1\n", " ".repeat(d))])
                .collect()
        };
        // `d` mappings hold the `a` keys, one more holds `b`.
        assert!(fast_path("f.yaml", &yaml(MAX_DEPTH - 1), yaml_fast::parse_into).is_some());
        assert!(fast_path("f.yaml", &yaml(MAX_DEPTH), yaml_fast::parse_into).is_none());
    });
}

/// Files of blanks and comments only have no `config:` entries in any
/// format (their `file:` entry tells they are there); an explicit `{}` in
/// JSON or YAML is an empty object, and an empty INI or TOML table too.
#[test]
fn blank_and_comment_only_files_have_no_entries() {
    for (format, text) in [
        (Format::Ini, "; nothing\n\n# none\n"),
        (Format::Toml, "# nothing\n\n"),
        (Format::Toml, "\r\n"),
        (Format::Properties, "! nothing\n# none\n\n"),
        (Format::Env, "# nothing\n\n"),
        (Format::Yaml, "# nothing\n"),
        (Format::Json, " \n"),
    ] {
        for text in [text, ""] {
            assert_eq!(parse(format, text).unwrap(), 0, "{format:?} {text:?}");
        }
    }
    for (format, text) in [
        (Format::Json, "{}"),
        (Format::Yaml, "{}\n"),
        (Format::Ini, "[empty]\n"),
        (Format::Toml, "[empty]\n"),
    ] {
        assert_eq!(parse(format, text).unwrap(), 1, "{format:?} {text:?}");
    }
}
