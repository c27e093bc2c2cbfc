use super::layout::{MigrationTool, detect, read};
use super::*;

fn files(list: &[(&str, &str)]) -> Vec<(String, Vec<u8>)> {
    list.iter()
        .map(|(p, b)| ((*p).to_owned(), b.as_bytes().to_vec()))
        .collect()
}

fn ids(tool: MigrationTool, list: &[(&str, &str)]) -> Vec<String> {
    let (d, issues) = read(tool, &files(list));
    assert!(issues.is_empty(), "{issues:?}");
    d.into_iter().map(|d| d.id).collect()
}

#[test]
fn layouts_name_their_tool() {
    let cases: &[(&[(&str, &str)], MigrationTool)] = &[
        (&[("V1__init.sql", "")], MigrationTool::Flyway),
        (
            &[("1_init.up.sql", ""), ("1_init.down.sql", "")],
            MigrationTool::GolangMigrate,
        ),
        (
            &[("20240101000000_init.sql", "CREATE TABLE a (id int);")],
            MigrationTool::Sqlx,
        ),
        (
            &[("00001_init.sql", "-- +goose Up\nCREATE TABLE a();")],
            MigrationTool::Goose,
        ),
        (
            &[("20240101000000_init.sql", "-- migrate:up\n")],
            MigrationTool::Dbmate,
        ),
        (
            &[("20240101000000_init.js", "exports.up = ...")],
            MigrationTool::Knex,
        ),
        (
            &[("2024-01-01-000000_init/up.sql", "")],
            MigrationTool::Diesel,
        ),
        (
            &[("20240101000000_create_orders.rb", "")],
            MigrationTool::Rails,
        ),
        (
            &[(
                "versions/ab12_init.py",
                "revision = 'ab12'\ndown_revision = None\n",
            )],
            MigrationTool::Alembic,
        ),
        (
            &[("shop/migrations/0001_initial.py", "")],
            MigrationTool::Django,
        ),
        (
            &[("1_a.sql", ""), ("atlas.sum", "h1:x\n")],
            MigrationTool::Atlas,
        ),
        (
            &[("changelog.xml", "<databaseChangeLog>")],
            MigrationTool::Liquibase,
        ),
    ];
    for (list, tool) in cases {
        assert_eq!(detect(&files(list)), Some(*tool), "{list:?}");
    }
    assert_eq!(detect(&files(&[("README.md", "")])), None);
}

#[test]
fn ids_are_written_as_each_tool_writes_them() {
    assert_eq!(
        ids(
            MigrationTool::Flyway,
            &[
                ("V1__a.sql", ""),
                ("V1_1__b.sql", ""),
                ("R__views.sql", ""),
                ("U1__undo.sql", "")
            ]
        ),
        ["1", "1.1", "R:R__views.sql"]
    );
    assert_eq!(
        ids(
            MigrationTool::GolangMigrate,
            &[("000002_b.up.sql", ""), ("000002_b.down.sql", "")]
        ),
        ["2"]
    );
    assert_eq!(ids(MigrationTool::Sqlx, &[("0003_c_d.sql", "")]), ["3"]);
    assert_eq!(
        ids(MigrationTool::Dbmate, &[("20240101000000_x.sql", "")]),
        ["20240101000000"]
    );
    assert_eq!(
        ids(MigrationTool::Knex, &[("20240101_x.js", "")]),
        ["20240101_x.js"]
    );
    assert_eq!(
        ids(
            MigrationTool::Diesel,
            &[
                ("2024-01-02-030405_users/up.sql", ""),
                ("2024-01-02-030405_users/down.sql", "")
            ]
        ),
        ["20240102030405"]
    );
    assert_eq!(
        ids(
            MigrationTool::Django,
            &[
                ("shop/migrations/0002_orders.py", ""),
                ("shop/migrations/__init__.py", "")
            ]
        ),
        ["shop/0002_orders"]
    );
    assert_eq!(
        ids(
            MigrationTool::Liquibase,
            &[
                (
                    "c.xml",
                    "<databaseChangeLog>\n <changeSet id=\"1\" author=\"ann\">\n</changeSet>\n <changeSet author='bob' id='two'>"
                ),
                (
                    "d.sql",
                    "--liquibase formatted sql\n--changeset carl:3 runOnChange:true\nSELECT 1;"
                ),
                (
                    "e.yaml",
                    "databaseChangeLog:\n  - changeSet:\n      id: 4\n      author: dee\n      changes: []\n"
                ),
            ]
        ),
        [
            "c.xml::1::ann",
            "c.xml::two::bob",
            "d.sql::3::carl",
            "e.yaml::4::dee"
        ]
    );
}

#[test]
fn sqlx_description_and_checksum() {
    let (d, _) = read(MigrationTool::Sqlx, &files(&[("0003_add_orders.sql", "")]));
    assert_eq!(d[0].fields["description"], Value::from("add orders"));
    assert_eq!(d[0].fields["checksum"], Value::from(checksum::sqlx(b"")));
}

#[test]
fn alembic_reads_the_down_revision_chain() {
    let (d, issues) = read(
        MigrationTool::Alembic,
        &files(&[
            ("versions/a.py", "revision = 'aaa'\ndown_revision = None\n"),
            (
                "versions/b.py",
                "revision: str = \"bbb\"\ndown_revision: Union[str, None] = 'aaa'\n",
            ),
            (
                "versions/m.py",
                "revision = 'mmm'\ndown_revision = ('bbb', 'ccc')\n",
            ),
            ("versions/bad.py", "down_revision = 'x'\n"),
        ]),
    );
    assert_eq!(issues.len(), 1);
    let ids: Vec<_> = d.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(ids, ["aaa", "bbb", "mmm"]);
    assert_eq!(d[1].fields["down_revision"], list(&["aaa"]));
    assert_eq!(d[2].fields["down_revision"], list(&["bbb", "ccc"]));
    assert_eq!(d[0].fields["down_revision"], list::<&str>(&[]));
}

#[test]
fn atlas_hashes_are_checked_against_atlas_sum() {
    let hashes = checksum::atlas([("1_a.sql", b"x".as_slice())]);
    let sum = format!("h1:whatever\n1_a.sql h1:{}\n", hashes[0]);
    let (d, issues) = read(
        MigrationTool::Atlas,
        &files(&[("1_a.sql", "x"), ("atlas.sum", &sum)]),
    );
    assert!(issues.is_empty());
    assert_eq!(d[0].id, "1");
    assert_eq!(d[0].fields["description"], Value::from("a"));
    let (_, issues) = read(
        MigrationTool::Atlas,
        &files(&[("1_a.sql", "edited"), ("atlas.sum", &sum)]),
    );
    assert_eq!(issues.len(), 1);
}

#[test]
fn the_collector_keys_meet_the_live_history() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("V1__init.sql"),
        "CREATE TABLE a (id bigint);\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("V2__more.sql"),
        "ALTER TABLE a ADD COLUMN b text;\n",
    )
    .unwrap();
    let c = ReleaseMigrations::new(dir.path()).label("shop");
    let got = c.collect(&crate::transport::Local::new());
    assert!(got.errors.is_empty(), "{:?}", got.errors);
    let keys: Vec<&str> = got.entries.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        keys,
        [
            "schema:shop:migration:flyway:1",
            "schema:shop:migration:flyway:2",
            "schema:shop:migrations:flyway"
        ]
    );
    let refused = ReleaseMigrations::new(dir.path())
        .table("my_history")
        .collect(&crate::transport::Local::new());
    assert_eq!(refused.errors.len(), 1);
}

/// The history rows a tool itself wrote (committed under
/// `testdata/release/TOOL/history-ENGINE.tsv`, see its README), read by the
/// live reader, against the release's files read by this module: the keys
/// and values must be the same, checksums included.
fn fixture_matches(tool: &str, history: super::super::migrations::Tool, engine: &str) {
    use super::super::migrations::record;
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../testdata/release")
        .join(tool);
    let tsv = std::fs::read_to_string(root.join(format!("history-{engine}.tsv"))).unwrap();
    let rows: Vec<Vec<Option<String>>> = tsv
        .lines()
        .map(|l| l.split('\t').map(|c| Some(c.to_owned())).collect())
        .collect();
    assert!(!rows.is_empty());
    let mut live = Model::default();
    record(&mut live, history, &rows);
    let mut want = Collection::new();
    emit::emit(&live, "shop", &mut want);
    let got = ReleaseMigrations::new(root.join("migrations"))
        .label("shop")
        .collect(&crate::transport::Local::new());
    assert!(got.errors.is_empty(), "{:?}", got.errors);
    // What a migration does is the release's own: not in the history.
    let mut entries = got.entries;
    for (_, v) in &mut entries {
        if let Value::Object(f) = v {
            f.remove("operations");
        }
    }
    assert_eq!(entries, want.entries, "{tool} on {engine}");
}

#[test]
fn sqlx_checksums_equal_what_sqlx_wrote() {
    use super::super::migrations::Tool;
    fixture_matches("sqlx", Tool::Sqlx, "postgres");
    fixture_matches("sqlx", Tool::Sqlx, "mysql");
}

#[test]
fn dbmate_versions_equal_what_dbmate_wrote() {
    use super::super::migrations::Tool;
    fixture_matches("dbmate", Tool::Rails, "postgres");
    fixture_matches("dbmate", Tool::Rails, "mysql");
}

#[test]
fn knex_names_equal_what_knex_wrote() {
    use super::super::migrations::Tool;
    fixture_matches("knex", Tool::Knex, "postgres");
    fixture_matches("knex", Tool::Knex, "mysql");
}

/// Found by the `migration_files` fuzz target: an attribute of a Liquibase
/// `<changeSet>` whose value starts with a multi-byte character (no quote)
/// was cut inside that character.
#[test]
fn liquibase_xml_attribute_starting_with_a_multibyte_character() {
    let xml = "<databaseChangeLog>\n  <changeSet id=\"1\" author=\u{fe}\u{fe}\"ann\">\n  \
               </changeSet>\n  <changeSet author='bob' id='2'/>\n</databaseChangeLog>\n";
    assert_eq!(
        ids(MigrationTool::Liquibase, &[("changelog.xml", xml)]),
        ["changelog.xml::2::bob"]
    );
    // The fuzzer's own input, through the whole reader.
    let data = b"changelog.xml\0<databaseChangeLog>\n<changeSet id=\"1\" author=\xc3\xbe\xc3\xbe\"ann\">\n</changeSet>\n</databaseChangeLog>\n";
    let files = fuzzing::files_of(data, 64);
    let c = fuzzing::read(Some(MigrationTool::Liquibase), None, &files);
    let mut b = drift_core::ManifestBuilder::new("r", "local", drift_core::Sanitizer::default());
    b.add("migrations", "1", c);
    // The change set has no author the reader can take: no migration.
    assert!(
        b.finish(None)
            .entries()
            .iter()
            .all(|e| !e.key.as_str().contains(":migration:")),
    );
}

/// Found reading the Liquibase reader for the `migration_files` fuzz
/// target: a `<changeSet` without a closing `>` was read to the end of the
/// file, for every `<changeSet` after it — quadratic work on a large file.
#[test]
fn liquibase_xml_unclosed_change_sets_are_read_in_linear_time() {
    let mut xml = String::from("<changeSet id=\"1\" author=\"ann\"/>\n");
    xml.push_str(&"<changeSet id=\"x\" author=\"y\" ".repeat(200_000));
    let started = std::time::Instant::now();
    assert_eq!(
        ids(MigrationTool::Liquibase, &[("changelog.xml", &xml)]),
        ["changelog.xml::1::ann"]
    );
    // About 6 MB: milliseconds when linear, minutes when quadratic.
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
}
