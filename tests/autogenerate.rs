//! `revision --autogenerate`: for each way `schema.rs` can change, the
//! command writes the next migration into a copy of a small history; the
//! copies are compiled for real (a throwaway crate on this workspace's
//! `migration-runtime`), applied on SQLite and PostgreSQL, and the database
//! then holds what `schema.rs` says (no drift from the new head, and the
//! head matches `schema.rs`). A lossy change does not compile until its
//! author decides, and the build says what to decide; with the decision
//! written in, it compiles and applies too.

#[path = "autogenerate/history.rs"]
mod base;
#[path = "autogenerate/project.rs"]
mod project;

use std::path::Path;
use std::process::ExitCode;

use migration_runtime::cli::{Cli, run};
use migration_runtime::testing::PgTestDatabase;

use project::{Case, Project};

const BASE_SCHEMA_RS: &str = include_str!("autogenerate/schema.rs");
const BASE_HISTORY: &str = include_str!("autogenerate/history.rs");

/// The parent every generated migration names: the head of the base history.
const HEAD: &str = "parent = \"2024_01_11_000001\")]";

fn irreversible(why: &str) -> String {
    format!("parent = \"2024_01_11_000001\", irreversible = {why:?})]")
}

fn cases() -> Vec<Case> {
    vec![
        Case::new("new_table")
            .edit(
                "diesel::joinable!(posts -> authors (author_id));",
                "diesel::table! {\n    comments (id) {\n        id -> Int8,\n        post_id -> Int8,\n        \
                 body -> Text,\n        written_at -> Nullable<Timestamptz>,\n    }\n}\n\n\
                 diesel::joinable!(posts -> authors (author_id));\ndiesel::joinable!(comments -> posts (post_id));",
            )
            .writes(&[
                "        m.create_table(\"comments\", |t| {\n            t.id(\"id\");\n            \
                 t.column(\"post_id\", bigint());\n            t.column(\"body\", text());\n            \
                 t.column(\"written_at\", timestamptz().nullable());\n            \
                 t.foreign_key([\"post_id\"], \"posts\", [\"id\"]);\n        });\n",
            ]),
        Case::new("new_nullable_column")
            .edit(
                "        bio -> Nullable<Text>,\n",
                "        bio -> Nullable<Text>,\n        #[max_length = 200]\n        website -> Nullable<Varchar>,\n",
            )
            .writes(&["        m.add_column(\"authors\", \"website\", varchar(200).nullable());\n"]),
        Case::new("loosened_not_null")
            .edit("        title -> Varchar,", "        title -> Nullable<Varchar>,")
            .writes(&["        m.loosen_not_null(\"posts\", \"title\");\n"]),
        Case::new("widened_types")
            .edit(
                "#[max_length = 100]\n        name",
                "#[max_length = 150]\n        name",
            )
            .edit("views -> Int4", "views -> Int8")
            .writes(&[
                "        m.change_type(\"authors\", \"name\", varchar(150));\n",
                "        m.change_type(\"posts\", \"views\", bigint());\n",
            ]),
        Case::new("new_foreign_key")
            .edit(
                "        label -> Varchar,\n",
                "        label -> Varchar,\n        post_id -> Nullable<Int8>,\n",
            )
            .edit(
                "diesel::joinable!(posts -> authors (author_id));",
                "diesel::joinable!(posts -> authors (author_id));\ndiesel::joinable!(tags -> posts (post_id));",
            )
            .writes(&[
                "        m.add_column(\"tags\", \"post_id\", bigint().nullable());\n",
                "        m.add_foreign_key(\"tags\", [\"post_id\"], \"posts\", [\"id\"]);\n",
            ]),
        Case::new("dropped_foreign_key")
            .edit("diesel::joinable!(posts -> authors (author_id));\n", "")
            .writes(&[
                "        // Foreign key `posts_author_id_fkey`: schema.rs has no joinable!(posts -> authors\n\
                 \x20       // (author_id)).\n        m.drop_foreign_key(\"posts\", \"posts_author_id_fkey\");\n",
            ]),
        Case::new("renamed_column_with_hint")
            .edit("bio -> Nullable<Text>", "biography -> Nullable<Text>")
            .rename("authors.bio=biography")
            .writes(&["        m.rename_column(\"authors\", \"bio\", \"biography\");\n"]),
        Case::new("renamed_table_with_hint")
            .edit("    tags (id) {", "    labels (id) {")
            .edit("posts, tags);", "posts, labels);")
            .rename("tags=labels")
            .writes(&["        m.rename_table(\"tags\", \"labels\");\n"]),
        // Long names: calls laid out one argument per line, as rustfmt does.
        Case::new("long_names")
            .edit(
                "diesel::joinable!(posts -> authors (author_id));",
                "diesel::table! {\n    editorial_calendar_assignments_of_authors (id) {\n        id -> Int8,\n        \
                 the_responsible_author_identifier_of_the_slot -> Int8,\n        \
                 scheduled_publication_timestamp -> Nullable<Timestamptz>,\n    }\n}\n\n\
                 diesel::joinable!(posts -> authors (author_id));\n\
                 diesel::joinable!(editorial_calendar_assignments_of_authors -> authors (the_responsible_author_identifier_of_the_slot));",
            )
            .edit(
                "        views -> Int4,\n",
                "        views -> Int4,\n        #[max_length = 300]\n        \
                 a_rather_long_column_name_for_the_summary -> Nullable<Varchar>,\n",
            )
            .writes(&[
                "        m.add_column(\n            \"posts\",\n            \"a_rather_long_column_name_for_the_summary\",\n            \
                 varchar(300).nullable(),\n        );\n",
                "            t.foreign_key(\n                [\"the_responsible_author_identifier_of_the_slot\"],\n                \"authors\",\n                \
                 [\"id\"],\n            )\n            .name(\"editorial_calendar_assignments_of_authors_the_responsible_fkey\");\n",
            ]),
        // Lossy: written plainly, refused until the author decides.
        Case::new("dropped_table")
            .edit(
                "diesel::table! {\n    tags (id) {\n        id -> Int8,\n        #[max_length = 50]\n        \
                 label -> Varchar,\n    }\n}\n\n",
                "",
            )
            .edit("posts, tags);", "posts);")
            .writes(&[
                "        // Dropping `tags` loses its rows: write a #[downgrade], or mark the migration irreversible\n",
                "        m.drop_table(\"tags\");\n",
            ])
            .refused_with(&["drop_table(\"tags\") loses the table's rows"])
            .decide(HEAD, &irreversible("tags are no longer used")),
        Case::new("dropped_column")
            .edit(
                "        #[max_length = 20]\n        legacy_code -> Nullable<Varchar>,\n",
                "",
            )
            .writes(&["        m.drop_column(\"posts\", \"legacy_code\");\n"])
            .refused_with(&["drop_column(\"posts\", \"legacy_code\") loses data"])
            .decide(
                "m.drop_column(\"posts\", \"legacy_code\");",
                "m.drop_column(\"posts\", \"legacy_code\").restore_with(null());",
            )
            .reversible(),
        Case::new("dropped_indexed_column")
            .edit(
                "        #[max_length = 255]\n        email -> Nullable<Varchar>,\n",
                "",
            )
            .writes(&[
                "        // Index `authors_email_idx` covers `authors.email`, which is dropped below.\n\
                 \x20       m.drop_index(\"authors_email_idx\");\n",
                "        m.drop_column(\"authors\", \"email\");\n",
            ])
            .refused_with(&["drop_column(\"authors\", \"email\") loses data"])
            .decide(
                "m.drop_column(\"authors\", \"email\");",
                "m.drop_column(\"authors\", \"email\").restore_with(null());",
            )
            .reversible(),
        Case::new("new_not_null_column")
            .edit(
                "        bio -> Nullable<Text>,\n",
                "        bio -> Nullable<Text>,\n        #[max_length = 20]\n        status -> Varchar,\n",
            )
            .writes(&["        m.add_column(\"authors\", \"status\", varchar(20));\n"])
            .refused_with(&[
                "add_column(\"authors\", \"status\", ..) is NOT NULL with no default",
            ])
            .decide("varchar(20));", "varchar(20).default(\"active\"));")
            .reversible(),
        Case::new("tightened_not_null")
            .edit("email -> Nullable<Varchar>", "email -> Varchar")
            .writes(&["        m.tighten_not_null(\"authors\", \"email\");\n"])
            .refused_with(&["tighten_not_null(\"authors\", \"email\") has nothing before it that fills NULLs"])
            .decide(
                "m.tighten_not_null(\"authors\", \"email\");",
                "m.tighten_not_null(\"authors\", \"email\").assume_no_nulls();",
            )
            .reversible(),
        Case::new("narrowed_type")
            .edit(
                "#[max_length = 200]\n        title",
                "#[max_length = 120]\n        title",
            )
            .writes(&["        m.change_type(\"posts\", \"title\", varchar(120));\n"])
            .refused_with(&["change_type(\"posts\", \"title\", varchar(120)) can lose values"])
            .decide(HEAD, &irreversible("titles were cut to 120 characters")),
        Case::new("type_needing_a_conversion")
            .edit("bio -> Nullable<Text>", "bio -> Nullable<Int4>")
            .writes(&["        m.change_type(\"authors\", \"bio\", integer());\n"])
            .refused_with(&["cannot become integer() from text() without `.using(..)`"])
            .decide(
                "m.change_type(\"authors\", \"bio\", integer());",
                "m.change_type(\"authors\", \"bio\", integer()).using(cast(col(\"bio\"), integer()));",
            )
            .decide(HEAD, &irreversible("bios became numbers")),
        Case::new("rename_without_hint")
            .edit("bio -> Nullable<Text>", "biography -> Nullable<Text>")
            .writes(&[
                "m.rename_column(\"authors\", \"bio\", \"biography\")",
                "        m.add_column(\"authors\", \"biography\", text().nullable());\n",
                "        m.drop_column(\"authors\", \"bio\");\n",
            ])
            .refused_with(&["drop_column(\"authors\", \"bio\") loses data"])
            .decide(
                "m.add_column(\"authors\", \"biography\", text().nullable());",
                "m.rename_column(\"authors\", \"bio\", \"biography\");",
            )
            .decide("        m.drop_column(\"authors\", \"bio\");\n", "")
            .reversible(),
        Case::new("numeric_without_precision")
            .edit(
                "        views -> Int4,\n",
                "        views -> Int4,\n        price -> Nullable<Numeric>,\n",
            )
            .writes(&["        m.add_column(\"posts\", \"price\", decimal(10, 2).nullable());\n"])
            .refused_with(&[
                "to decide: schema.rs says `Numeric` for `posts.price` without precision and scale: \
                 check decimal(10, 2) below (then delete this `todo!`)",
            ])
            .decide_by(|text| {
                // The author checks decimal(10, 2) and deletes the `todo!(..);`.
                let start = text.find("todo!(").expect("a todo!");
                let end = start + text[start..].find(");").expect("its end") + 2;
                format!("{}{}", &text[..start], &text[end..])
            })
            .reversible(),
    ]
}

/// Runs the command line in this process on the base history.
fn autogenerate(history_file: &Path, schema_rs: &Path, renames: &[&str]) -> String {
    let mut argv: Vec<String> = [
        "app",
        "--history-file",
        path_str(history_file),
        "revision",
        "--autogenerate",
        "-m",
        "Follow schema.rs",
        "--schema-rs",
        path_str(schema_rs),
    ]
    .map(str::to_owned)
    .to_vec();
    for rename in renames {
        argv.extend(["--rename".to_owned(), (*rename).to_owned()]);
    }
    let cli = Cli::try_parse_with_defaults(argv, "unused.db", "unused.rs").expect("arguments");
    let mut out = Vec::new();
    let code = run(base::history::MIGRATIONS, cli, &mut out).expect("autogenerate");
    assert_eq!(code, ExitCode::SUCCESS);
    String::from_utf8(out).expect("utf-8")
}

fn path_str(path: &Path) -> &str {
    path.to_str().expect("a UTF-8 path")
}

#[test]
fn each_change_of_schema_rs_compiles_applies_and_matches() {
    let project = Project::new("autogenerate");
    let cases = cases();
    let mut wrong = Vec::new();
    for case in &cases {
        let schema_rs = project.write(
            &format!("{}.schema.rs", case.name),
            &case.schema_rs(BASE_SCHEMA_RS),
        );
        let file = project.write(&format!("src/case_{}.rs", case.name), BASE_HISTORY);
        let out = autogenerate(&file, &schema_rs, &case.renames);
        assert!(
            out.starts_with("wrote ") && out.contains("case_"),
            "{}: {out}",
            case.name
        );
        let written = std::fs::read_to_string(&file).expect("read the history");
        for expected in &case.writes {
            if !written.contains(expected) {
                wrong.push(format!(
                    "{}: the migration lacks\n{expected}\nin\n{written}",
                    case.name
                ));
            }
        }
        project.assert_rustfmt_clean(&file);
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n\n"));

    // As generated, every lossy case is refused, with what to decide.
    let lossy: Vec<&Case> = cases.iter().filter(|c| !c.refusals.is_empty()).collect();
    let failure = project
        .build(&lossy, false)
        .expect_err("lossy migrations must not compile");
    for case in &lossy {
        for refusal in &case.refusals {
            let file = format!("src/case_{}.rs", case.name);
            assert!(
                failure
                    .lines()
                    .any(|error| error.contains(refusal) && error.contains(&file)),
                "{}: the build does not say `{refusal}` at {file}:\n{failure}",
                case.name
            );
        }
    }

    // With the decisions written in, everything compiles and applies.
    for case in &lossy {
        project.decide(case);
    }
    let all: Vec<&Case> = cases.iter().collect();
    let binary = project.build(&all, true).unwrap_or_else(|e| panic!("{e}"));
    for case in &cases {
        let schema_rs = project.path(&format!("{}.schema.rs", case.name));
        let sqlite = project.path(&format!("{}.db", case.name));
        let _ = std::fs::remove_file(&sqlite);
        check_applies(&binary, case, path_str(&sqlite), &schema_rs);
        match PgTestDatabase::create() {
            Some(db) => check_applies(&binary, case, db.url(), &schema_rs),
            None => eprintln!("{}: PostgreSQL part skipped", case.name),
        }
    }
    project.remove();
}

/// Upgrades, then finds no drift from the new head and nothing left to
/// generate from `schema.rs`; a reversible case then downgrades back to the
/// base history's schema.
fn check_applies(binary: &Path, case: &Case, url: &str, schema_rs: &Path) {
    let run = |args: &[&str]| project::run_case(binary, case.name, url, args);
    let (ok, out) = run(&["upgrade"]);
    assert!(ok, "{} on {url}: upgrade failed: {out}", case.name);
    let again = [
        "revision",
        "--autogenerate",
        "-m",
        "again",
        "--schema-rs",
        path_str(schema_rs),
    ];
    let (ok, out) = run(&again);
    assert!(ok, "{}: {out}", case.name);
    assert_eq!(
        out,
        format!(
            "no drift: the database holds what its migrations built\n\
             {} matches the head of history: nothing to generate\n",
            schema_rs.display()
        ),
        "{} on {url}",
        case.name
    );
    if case.reversible {
        let (ok, out) = run(&["downgrade", "-1"]);
        assert!(ok, "{} on {url}: downgrade failed: {out}", case.name);
        let (_, out) = run(&again);
        assert_eq!(
            out.lines().next(),
            Some(
                "the database has 1 migration(s) to apply: it is compared with the 2 it has applied"
            ),
            "{} on {url}: after the downgrade the database differs from the base history:\n{out}",
            case.name
        );
        assert!(!out.contains("drift:"), "{} on {url}: {out}", case.name);
    }
}

#[test]
fn drift_is_reported_before_generating() {
    let dir = std::env::temp_dir().join(format!("autogenerate-drift-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let history = dir.join("history.rs");
    let schema_rs = dir.join("schema.rs");
    std::fs::write(&history, BASE_HISTORY).expect("write");
    std::fs::write(
        &schema_rs,
        BASE_SCHEMA_RS.replace("views -> Int4", "views -> Int8"),
    )
    .expect("write");
    let check = |url: &str| {
        let mut conn = migration_runtime::AnyConnection::establish(url).expect("connect");
        conn.run_pending_migrations(base::history::MIGRATIONS)
            .expect("apply the base history");
        conn.batch_execute("CREATE TABLE audit_log (id INTEGER PRIMARY KEY, note TEXT)")
            .expect("a table made by hand");
        let argv = [
            "app",
            "--database-url",
            url,
            "--history-file",
            path_str(&history),
            "revision",
            "--autogenerate",
            "-m",
            "Longer view counts",
            "--schema-rs",
            path_str(&schema_rs),
        ];
        let cli = Cli::try_parse_with_defaults(argv, "unused.db", "unused.rs").expect("arguments");
        assert!(cli.database_url_given);
        let mut out = Vec::new();
        run(base::history::MIGRATIONS, cli, &mut out).expect("autogenerate");
        let out = String::from_utf8(out).expect("utf-8");
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(
            lines[0], "drift: table `audit_log` should not exist",
            "{out}"
        );
        assert!(lines[1].starts_with("wrote "), "{out}");
        std::fs::write(&history, BASE_HISTORY).expect("reset");
    };
    let sqlite = dir.join("drift.db");
    let _ = std::fs::remove_file(&sqlite);
    check(path_str(&sqlite));
    if let Some(db) = PgTestDatabase::create() {
        check(db.url());
    }
    std::fs::remove_dir_all(dir).expect("clean up");
}

#[test]
fn revision_help_explains_autogenerate() {
    let error =
        Cli::try_parse_with_defaults(["app", "revision", "--help"], "unused.db", "unused.rs")
            .expect_err("help is shown instead of running");
    let help = error.to_string();
    for expected in [
        "--autogenerate",
        "--schema-rs <SCHEMA_RS>",
        "--rename <OLD=NEW>",
        "do not compile until you give their way back",
    ] {
        assert!(help.contains(expected), "`{expected}` is not in:\n{help}");
    }
}

#[test]
fn hints_need_autogenerate() {
    let error = Cli::try_parse_with_defaults(
        ["app", "revision", "-m", "x", "--rename", "a=b"],
        "unused.db",
        "unused.rs",
    )
    .expect_err("--rename alone is refused");
    assert!(error.to_string().contains("--autogenerate"), "{error}");
    Cli::try_parse_with_defaults(["app", "revision", "-m", "x"], "unused.db", "unused.rs")
        .expect("a plain revision needs no schema.rs");
}

/// The binary's default database is not one the user named: autogenerate
/// reads a live database for drift only when `--database-url` or
/// `DATABASE_URL` names one.
#[test]
fn the_default_database_url_does_not_count_as_given() {
    let cli = Cli::try_parse_with_defaults(
        ["app", "revision", "--autogenerate", "-m", "x"],
        "unused.db",
        "unused.rs",
    )
    .expect("arguments");
    assert!(!cli.database_url_given);
}

#[test]
fn bad_hints_and_unknown_types_are_refused_with_the_name() {
    let dir = std::env::temp_dir().join(format!("autogenerate-refusals-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let history = dir.join("history.rs");
    std::fs::write(&history, BASE_HISTORY).expect("write");
    let attempt = |schema: &str, renames: &[&str]| -> String {
        let schema_rs = dir.join("schema.rs");
        std::fs::write(&schema_rs, schema).expect("write");
        let mut argv = vec![
            "app".to_owned(),
            "--history-file".to_owned(),
            path_str(&history).to_owned(),
            "revision".to_owned(),
            "--autogenerate".to_owned(),
            "-m".to_owned(),
            "x".to_owned(),
            "--schema-rs".to_owned(),
            path_str(&schema_rs).to_owned(),
        ];
        for rename in renames {
            argv.extend(["--rename".to_owned(), (*rename).to_owned()]);
        }
        let cli = Cli::try_parse_with_defaults(argv, "unused.db", "unused.rs").expect("arguments");
        run(base::history::MIGRATIONS, cli, &mut Vec::new())
            .expect_err("refused")
            .to_string()
    };
    assert_eq!(
        attempt(
            &BASE_SCHEMA_RS.replace("views -> Int4", "views -> Interval"),
            &[]
        ),
        "autogenerate: column `posts.views` is `Interval` in schema.rs, which the migration language \
         has no type for: write this change by hand with m.sql(..)"
    );
    assert_eq!(
        attempt(BASE_SCHEMA_RS, &["authors.nickname=alias"]),
        "autogenerate: --rename authors.nickname=alias: there is no column `authors.nickname` at the head of history"
    );
    assert_eq!(
        std::fs::read_to_string(&history).expect("read"),
        BASE_HISTORY,
        "nothing is written when generation is refused"
    );
    std::fs::remove_dir_all(dir).expect("clean up");
}
