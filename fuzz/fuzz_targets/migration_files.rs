//! The migration-file readers of a release (`drift snapshot --release
//! --migrations DIR`): a folder made of the input (NUL-separated paths and
//! contents, so that names are the fuzzer's too) read as each tool's
//! migrations — Flyway, golang-migrate, sqlx, goose, dbmate, knex, diesel,
//! Rails, Alembic, Django, Atlas (`atlas.sum`), Liquibase changelogs — and
//! with the tool detected from the layout, the SQL in each dialect: no
//! crash, and work bounded by the input (at most a key per byte).
#![no_main]

use drift_collectors::schema::{MigrationTool, fuzzing};
use drift_core::{ManifestBuilder, Sanitizer};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let files = fuzzing::files_of(data, 64);
    let tools = std::iter::once(None).chain(MigrationTool::ALL.iter().copied().map(Some));
    for tool in tools {
        for label in [None, Some("mysql")] {
            let collection = fuzzing::read(tool, label, &files);
            let mut b = ManifestBuilder::new("release", "local", Sanitizer::default());
            b.add("migrations", "1", collection);
            let manifest = b.finish(None);
            assert!(
                manifest.len() <= data.len() + 2,
                "{tool:?}: {} keys from {} bytes",
                manifest.len(),
                data.len()
            );
        }
    }
});
