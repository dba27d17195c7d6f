//! The embeddable command line, driven as a user's binary would drive it,
//! on SQLite and PostgreSQL.

use integration_tests::run_cli;
use std::process::ExitCode;

use migration_runtime::testing::PgTestDatabase;

fn cms(url: &str, args: &[&str]) -> (ExitCode, String) {
    run_cli(cms::history::MIGRATIONS, url, args).unwrap_or_else(|e| panic!("cms {args:?}: {e}"))
}

fn lines(text: &str) -> Vec<&str> {
    text.lines().collect()
}

fn cms_result(url: &str, args: &[&str]) -> Result<String, String> {
    run_cli(cms::history::MIGRATIONS, url, args).map(|(_, out)| out)
}

/// The workflow of the migration guide, command by command, on one database.
fn walk_through_the_guide(url: &str) {
    let (code, out) = cms(url, &["check"]);
    assert_eq!(
        code,
        ExitCode::from(1),
        "pending migrations make check fail:\n{out}"
    );
    assert!(
        out.contains("pending: 2024_01_10_000001 create_members"),
        "{out}"
    );

    let (_, out) = cms(url, &["current"]);
    assert_eq!(lines(&out), ["(base): nothing applied"]);

    let (_, out) = cms(url, &["upgrade", "+2"]);
    assert_eq!(
        lines(&out),
        [
            "applied 2024_01_10_000001 create_members",
            "applied 2024_01_10_000002 create_users"
        ]
    );

    let (_, out) = cms(url, &["upgrade", "2024_01_12_000001"]);
    assert_eq!(
        lines(&out),
        [
            "applied 2024_01_11_000001 create_events",
            "applied 2024_01_11_000002 create_event_participants",
            "applied 2024_01_12_000001 add_emergency_contact",
        ]
    );

    let (_, out) = cms(url, &["upgrade", "2024_01_15_000003"]);
    assert!(
        out.ends_with("applied 2024_01_15_000003 add_full_name\n"),
        "{out}"
    );
    let (_, out) = cms(url, &["current"]);
    assert_eq!(lines(&out), ["2024_01_15_000003 add_full_name"]);

    let (_, out) = cms(url, &["downgrade", "-1"]);
    assert_eq!(lines(&out), ["reverted 2024_01_15_000003 add_full_name"]);

    let (_, out) = cms(url, &["history"]);
    let history = lines(&out);
    assert_eq!(history.len(), cms::history::MIGRATIONS.migrations().len());
    assert_eq!(history[0], "[x] 2024_01_10_000001 create_members");
    assert!(
        history.contains(&"[ ] 2024_01_15_000003 add_full_name"),
        "{out}"
    );

    let (_, out) = cms(url, &["downgrade", "2024_01_10_000002"]);
    assert!(
        out.starts_with("reverted 2024_01_13_000002 add_secondary_phone\n"),
        "{out}"
    );
    let (_, out) = cms(url, &["current"]);
    assert_eq!(lines(&out), ["2024_01_10_000002 create_users"]);

    let (_, out) = cms(url, &["downgrade", "base"]);
    assert_eq!(
        lines(&out),
        [
            "reverted 2024_01_10_000002 create_users",
            "reverted 2024_01_10_000001 create_members"
        ]
    );
    let (_, out) = cms(url, &["current"]);
    assert_eq!(lines(&out), ["(base): nothing applied"]);

    let (_, out) = cms(url, &["upgrade"]);
    assert!(
        out.ends_with(
            "applied 2024_02_05_000001 add_member_notes\n\
             applied 2024_02_05_000002 add_event_capacity\n\
             applied 2024_02_06_000001 merge_notes_and_capacity\n\
             applied 2024_02_10_000001 lowercase_member_emails\n"
        ),
        "{out}"
    );
    let (_, out) = cms(url, &["upgrade"]);
    assert_eq!(lines(&out), ["up to date, nothing to apply"]);
    let (code, out) = cms(url, &["check"]);
    assert_eq!((code, lines(&out)), (ExitCode::SUCCESS, vec!["up to date"]));

    // Back to the branch point: the emails, the merge and both branches revert.
    let (_, out) = cms(url, &["downgrade", "2024_02_01_000001"]);
    assert_eq!(
        lines(&out),
        [
            "reverted 2024_02_10_000001 lowercase_member_emails",
            "reverted 2024_02_06_000001 merge_notes_and_capacity",
            "reverted 2024_02_05_000002 add_event_capacity",
            "reverted 2024_02_05_000001 add_member_notes",
        ]
    );

    // The split reverts; the consolidation before it says plainly why it cannot.
    let (_, out) = cms(url, &["downgrade", "-1"]);
    assert_eq!(lines(&out), ["reverted 2024_02_01_000001 split_full_name"]);
    let error = cms_result(url, &["downgrade", "-1"]).expect_err("irreversible");
    assert!(
        error.contains(
            "migration `2024_01_20_000001` cannot be undone: first and last names cannot be recovered"
        ),
        "{error}"
    );
    let (_, out) = cms(url, &["current"]);
    assert_eq!(lines(&out), ["2024_01_20_000001 consolidate_names"]);
}

#[test]
fn sqlite_walks_through_the_guides_workflow() {
    let path = std::env::temp_dir().join(format!("cli-test-{}.db", std::process::id()));
    let _ = std::fs::remove_file(&path);
    walk_through_the_guide(path.to_str().expect("utf-8 path"));
    std::fs::remove_file(&path).expect("clean up");
}

#[test]
fn postgres_walks_through_the_guides_workflow() {
    let Some(db) = PgTestDatabase::create() else {
        return;
    };
    walk_through_the_guide(db.url());
}

#[test]
fn offline_commands_need_no_database() {
    let nowhere = "postgres://nobody@127.0.0.1:1/none";
    let (_, out) = cms(nowhere, &["heads"]);
    assert_eq!(
        lines(&out),
        ["2024_02_10_000001 lowercase_member_emails (head)"]
    );

    let (_, out) = cms(nowhere, &["branches"]);
    assert_eq!(
        lines(&out),
        ["2024_02_01_000001 split_full_name -> 2024_02_05_000001, 2024_02_05_000002"]
    );

    let (_, out) = cms(nowhere, &["show", "2024_01_15_000003"]);
    assert!(out.contains("downgrade (derived):\n  loosen_not_null(\"members\", \"full_name\")\n  drop_column(\"members\", \"full_name\")"), "{out}");
    assert!(out.contains("UPDATE \"members\" SET \"full_name\" = TRIM(CONCAT(\"first_name\", ' ', \"last_name\")) WHERE (\"full_name\" IS NULL);"), "{out}");

    assert!(
        out.contains("ALTER TABLE \"members\" ALTER COLUMN \"full_name\" SET NOT NULL;"),
        "{out}"
    );

    let (_, out) = cms(nowhere, &["show", "2024_01_20_000001"]);
    assert!(
        out.contains("downgrade: none, irreversible: first and last names cannot be recovered"),
        "{out}"
    );

    let (_, out) = cms(nowhere, &["sql", "--backend", "sqlite"]);
    assert!(
        out.starts_with("-- 2024_01_10_000001\nCREATE TABLE \"members\""),
        "{out}"
    );
    assert!(
        out.contains("(COALESCE(\"first_name\", '') || ' ' || COALESCE(\"last_name\", ''))"),
        "{out}"
    );

    // A range: what comes after a deployed migration, and the way back to it.
    let ids = |out: &str| -> Vec<String> {
        out.lines()
            .filter_map(|l| l.strip_prefix("-- 20"))
            .map(|id| format!("20{id}"))
            .collect()
    };
    let (_, out) = cms(
        nowhere,
        &["sql", "2024_02_01_000001:head", "--backend", "postgres"],
    );
    assert_eq!(
        ids(&out),
        [
            "2024_02_05_000001",
            "2024_02_05_000002",
            "2024_02_06_000001",
            "2024_02_10_000001"
        ]
    );
    let (_, out) = cms(
        nowhere,
        &["sql", ":2024_01_10_000002", "--backend", "sqlite"],
    );
    assert_eq!(ids(&out), ["2024_01_10_000001", "2024_01_10_000002"]);
    let (_, out) = cms(
        nowhere,
        &[
            "sql",
            "--down",
            "head:2024_02_05_000001",
            "--backend",
            "postgres",
        ],
    );
    assert_eq!(
        ids(&out),
        [
            "2024_02_10_000001",
            "2024_02_06_000001",
            "2024_02_05_000002"
        ],
        "newest first, down to the migration kept"
    );
    let error = cms_result(nowhere, &["sql", "2024_02_01_000001"]).expect_err("no colon");
    assert!(error.contains("expected FROM:TO"), "{error}");

    // Offline downgrade SQL stops where the history cannot be undone.
    let error =
        cms_result(nowhere, &["sql", "--backend", "postgres", "--down"]).expect_err("irreversible");
    assert!(
        error.contains("migration `2024_01_20_000001` cannot be undone"),
        "{error}"
    );
}

#[test]
fn revision_and_merge_write_new_migrations_into_the_history_file() {
    let file = std::env::temp_dir().join(format!("history-{}.rs", std::process::id()));
    std::fs::copy(
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../examples/cms/src/history.rs"
        ),
        &file,
    )
    .expect("copy");
    let path = file.to_str().expect("utf-8 path");
    let nowhere = "postgres://nobody@127.0.0.1:1/none";

    let (_, out) = cms(
        nowhere,
        &[
            "--history-file",
            path,
            "revision",
            "-m",
            "Add phone to members",
        ],
    );
    let id = out.split(' ').nth(1).expect("the new id").to_owned();
    assert!(id.as_str() > "2024_02_01_000001", "{out}");
    assert_eq!(
        out,
        format!("wrote {id} add_phone_to_members into {path}\n")
    );

    let written = std::fs::read_to_string(&file).expect("read back");
    let stub = format!(
        "    /// Add phone to members\n    #[migration(id = \"{id}\", parent = \"2024_02_10_000001\")]\n    \
         fn add_phone_to_members(m: &mut Up) {{\n"
    );
    let at = written
        .find(&stub)
        .unwrap_or_else(|| panic!("stub missing:\n{written}"));
    assert!(
        at > written
            .find("fn restore_emails_as_written")
            .expect("the last migration"),
        "appended after the head"
    );
    assert!(
        written[at..]
            .trim_end()
            .ends_with("}\n}\n\npub use migrations::MIGRATIONS;"),
        "inside the module:\n{}",
        &written[at..]
    );

    let (_, out) = cms(
        nowhere,
        &[
            "--history-file",
            path,
            "merge",
            "2024_01_13_000001",
            "2024_01_13_000002",
        ],
    );
    assert!(
        out.ends_with(&format!(" merge_heads into {path}\n")),
        "{out}"
    );
    let written = std::fs::read_to_string(&file).expect("read back");
    assert!(
        written.contains("parents = [\"2024_01_13_000001\", \"2024_01_13_000002\"])]\n    fn merge_heads(m: &mut Up) {"),
        "{written}"
    );
    std::fs::remove_file(file).expect("clean up");
}
