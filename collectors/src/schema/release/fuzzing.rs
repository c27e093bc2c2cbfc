//! The migration-file readers as the fuzz target `migration_files` calls
//! them: the files of a migrations folder, made of a fuzzer's bytes, read
//! as each tool reads them (ids, checksums, the operations of their SQL).

use drift_core::Collection;

use super::{MigrationTool, ReleaseMigrations};

/// The files of a migrations folder cut from `data`: NUL-separated
/// fields, alternately a file's path and its bytes (a path without bytes
/// is an empty file). At most `max_files` files.
pub fn files_of(data: &[u8], max_files: usize) -> Vec<(String, Vec<u8>)> {
    let mut fields = data.split(|b| *b == 0);
    let mut files = Vec::new();
    while files.len() < max_files {
        let Some(path) = fields.next() else {
            break;
        };
        let bytes = fields.next().unwrap_or_default();
        files.push((String::from_utf8_lossy(path).into_owned(), bytes.to_vec()));
    }
    files
}

/// Reads `files` as the migrations of `tool` (detected from the layout
/// when `None`), under `label` (by default the dialect's engine), as the
/// `migrations` collector reads a folder.
pub fn read(
    tool: Option<MigrationTool>,
    label: Option<&str>,
    files: &[(String, Vec<u8>)],
) -> Collection {
    let mut r = ReleaseMigrations::new("migrations");
    if let Some(t) = tool {
        r = r.tool(t);
    }
    if let Some(l) = label {
        r = r.label(l);
    }
    let mut out = Collection::new();
    r.read_files(files, &mut out);
    out
}
