//! Snapshots database schemas and prints the manifest (or, with `--diff`,
//! the keys that differ between the first two sources).
//!
//! ```text
//! cargo run -p drift-collectors --features postgres,mysql,sqlite --example snapshot_schema -- \
//!     postgres://postgres@127.0.0.1/shop [file:db/structure.sql] [--diff] [--grants]
//! ```
//! A `file:PATH` argument is a schema file; anything else a database URL.

use std::collections::BTreeMap;
use std::io::Write;

use drift_collectors::Collector;
use drift_collectors::schema::{SchemaCollector, SchemaOptions, SchemaSource};
use drift_collectors::snapshot;
use drift_collectors::transport::Local;
use drift_core::Sanitizer;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut sources = Vec::new();
    let mut diff = false;
    let mut options = SchemaOptions::default();
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--diff" => diff = true,
            "--grants" => options.include_grants = true,
            a => match a.strip_prefix("file:") {
                Some(p) => sources.push(SchemaSource::file(p)),
                None => sources.push(SchemaSource::url(a)?),
            },
        }
    }
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    if !diff {
        let collectors: Vec<Box<dyn Collector>> = vec![Box::new(
            SchemaCollector::new(sources).with_options(options),
        )];
        let m = snapshot(
            "example",
            &Local::new(),
            &collectors,
            Sanitizer::default(),
            None,
        );
        m.write_to(&mut out)?;
        out.flush()?;
        for e in &m.errors {
            eprintln!("error: {e}");
        }
        return Ok(());
    }
    // Each source on its own, in parallel, then a key-by-key comparison.
    let manifests: Vec<_> = std::thread::scope(|s| {
        let handles: Vec<_> = sources
            .into_iter()
            .map(|src| {
                let options = options.clone();
                s.spawn(move || {
                    let c: Vec<Box<dyn Collector>> = vec![Box::new(
                        SchemaCollector::new(vec![src]).with_options(options),
                    )];
                    snapshot("env", &Local::new(), &c, Sanitizer::default(), None)
                })
            })
            .collect();
        handles.into_iter().filter_map(|h| h.join().ok()).collect()
    });
    let mut keys: BTreeMap<&str, Vec<Option<&drift_core::Value>>> = BTreeMap::new();
    for (i, m) in manifests.iter().enumerate() {
        for e in m.entries() {
            let v = keys
                .entry(e.key.as_str())
                .or_insert_with(|| vec![None; manifests.len()]);
            v[i] = Some(&e.value);
        }
    }
    let mut differing = 0;
    for (k, vals) in &keys {
        if vals.windows(2).any(|w| w[0] != w[1]) {
            differing += 1;
            let shown: Vec<String> = vals
                .iter()
                .map(|v| v.map_or_else(|| "(missing)".to_owned(), ToString::to_string))
                .collect();
            writeln!(out, "{k}: {}", shown.join(" | "))?;
        }
    }
    writeln!(out, "{} keys, {differing} differ", keys.len())?;
    out.flush()?;
    for m in &manifests {
        for e in &m.errors {
            eprintln!("error: {e}");
        }
    }
    Ok(())
}
