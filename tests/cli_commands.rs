//! The commands `cli.rs` does not walk through, each on PostgreSQL and
//! SQLite where it touches a database: `stamp`, `review` of what is
//! pending, `repair` and `check` around a partly applied migration,
//! `backup` and `restore`, `upgrade --backup-if-dropping`; and the colors
//! and help every command shares.

use integration_tests::run_cli as app;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use migration_runtime::AnyConnection;
use migration_runtime::cli::Cli;
use migration_runtime::testing::PgTestDatabase;

/// `app` on the CMS history, which must succeed.
fn cms(url: &str, args: &[&str]) -> (ExitCode, String) {
    app(cms::history::MIGRATIONS, url, args).unwrap_or_else(|e| panic!("cms {args:?}: {e}"))
}

fn lines(text: &str) -> Vec<&str> {
    text.lines().collect()
}

fn one_value(url: &str, query: &str) -> Option<String> {
    let mut conn = AnyConnection::establish(url).expect("connect");
    conn.text_column(query)
        .expect(query)
        .into_iter()
        .next()
        .flatten()
}

fn has_table(url: &str, table: &str) -> bool {
    let query = match migration_runtime::backend_of(url).expect("a backend") {
        migration_runtime::Backend::Postgres => format!(
            "SELECT CAST(count(*) AS TEXT) AS v FROM information_schema.tables \
             WHERE table_schema = 'public' AND table_name = '{table}'"
        ),
        migration_runtime::Backend::Sqlite => format!(
            "SELECT CAST(count(*) AS TEXT) AS v FROM sqlite_master \
             WHERE type = 'table' AND name = '{table}'"
        ),
    };
    one_value(url, &query).as_deref() == Some("1")
}

/// A scratch file in the temporary folder, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let path = std::env::temp_dir().join(format!("cli-commands-{}-{name}", std::process::id()));
        let _ = std::fs::remove_file(&path);
        Scratch(path)
    }

    fn path(&self) -> &str {
        self.0.to_str().expect("utf-8 path")
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Two tests of `check`, which takes a database URL: one on a fresh SQLite
/// file, one on a fresh PostgreSQL database (when there is a server).
macro_rules! on_both_backends {
    ($check:ident => $sqlite:ident, $postgres:ident) => {
        #[test]
        fn $sqlite() {
            let database = Scratch::new(concat!(stringify!($sqlite), ".db"));
            $check(database.path());
        }

        #[test]
        fn $postgres() {
            if let Some(db) = PgTestDatabase::create() {
                $check(db.url());
            }
        }
    };
}

/// `stamp` records a migration and its ancestors without running them;
/// `stamp base` forgets them, and `upgrade` then runs everything.
fn stamp(url: &str) {
    let (code, out) = cms(url, &["stamp", "2024_01_10_000002"]);
    assert_eq!(
        (code, lines(&out)),
        (ExitCode::SUCCESS, vec!["stamped 2024_01_10_000002"])
    );
    let (_, out) = cms(url, &["history"]);
    assert_eq!(
        lines(&out)[..3],
        [
            "[x] 2024_01_10_000001 create_members",
            "[x] 2024_01_10_000002 create_users",
            "[ ] 2024_01_11_000001 create_events"
        ]
    );
    let (_, out) = cms(url, &["current"]);
    assert_eq!(lines(&out), ["2024_01_10_000002 create_users"]);
    assert!(!has_table(url, "members"), "stamp runs nothing");

    let error = app(
        cms::history::MIGRATIONS,
        url,
        &["stamp", "2099_01_01_000001"],
    )
    .expect_err("an unknown id");
    assert!(error.contains("2099_01_01_000001"), "{error}");

    let (_, out) = cms(url, &["stamp", "base"]);
    assert_eq!(lines(&out), ["stamped base"]);
    let (_, out) = cms(url, &["current"]);
    assert_eq!(lines(&out), ["(base): nothing applied"]);
    let (_, out) = cms(url, &["upgrade", "+1"]);
    assert_eq!(lines(&out), ["applied 2024_01_10_000001 create_members"]);
    assert!(has_table(url, "members"));
}

on_both_backends!(stamp =>
    sqlite_stamp_records_without_running,
    postgres_stamp_records_without_running);

/// `review` looks only at what the database has not applied yet.
fn review_of_pending(url: &str) {
    let (code, out) = cms(url, &["review"]);
    assert_eq!(code, ExitCode::from(1), "{out}");
    assert!(
        out.ends_with("15 migration(s) reviewed: 11 finding(s), 3 dangerous\n"),
        "{out}"
    );
    cms(url, &["upgrade", "2024_02_01_000001"]);
    let (code, out) = cms(url, &["review"]);
    assert_eq!(code, ExitCode::SUCCESS, "{out}");
    assert_eq!(
        lines(&out),
        [
            "warning: 2024_02_10_000001: run_rust(lowercase_emails).reverse_with(restore_emails_as_written)",
            "  Rust step `lowercase_emails`: what it locks or rewrites is not known to the review",
            "4 migration(s) reviewed: 1 finding(s), 0 dangerous",
        ]
    );
}

on_both_backends!(review_of_pending =>
    sqlite_review_reads_what_is_pending,
    postgres_review_reads_what_is_pending);

/// A batched backfill that overwrites codes, in an irreversible migration,
/// fails in its second batch: the first batch cannot be undone (the codes
/// it overwrote are gone), so it stays, and the migration is partly
/// applied until the data is fixed. (A migration whose committed part can
/// be undone is rolled back whole: `tests/rollback.rs`.)
#[migration_runtime::migrations]
mod codes {
    #[migration(id = "2024_12_01_000001")]
    fn create_people(m: &mut Up) {
        m.create_table("people", |t| {
            t.id("id");
            t.column("name", text());
            t.column("code", text().nullable());
            t.check("short_code", length(col("code")) <= 3);
        });
    }

    #[migration(
        id = "2024_12_02_000001",
        irreversible = "codes are derived from names"
    )]
    fn fill_codes(m: &mut Up) {
        m.backfill("people", "code", upper(col("name"))).batched(2);
    }
}

fn partly_applied_then_finished(url: &str) {
    let set = codes::MIGRATIONS;
    app(set, url, &["upgrade", "+1"]).expect("create people");
    let mut conn = AnyConnection::establish(url).expect("connect");
    conn.batch_execute("INSERT INTO people (name) VALUES ('ada'), ('bob'), ('carlos'), ('dan')")
        .expect("insert people");

    let error = app(set, url, &["upgrade"]).expect_err("`CARLOS` breaks the check");
    assert!(
        error.contains("2024_12_02_000001") && error.contains("marked partly applied"),
        "{error}"
    );
    let codes = || {
        let mut conn = AnyConnection::establish(url).expect("connect");
        conn.text_column("SELECT code AS v FROM people ORDER BY id")
            .expect("codes")
    };
    assert_eq!(
        codes(),
        [Some("ADA".to_owned()), Some("BOB".to_owned()), None, None],
        "the first batch is committed, the second rolled back"
    );
    let (_, out) = app(set, url, &["history"]).expect("history");
    assert_eq!(
        lines(&out),
        [
            "[x] 2024_12_01_000001 create_people",
            "[~] 2024_12_02_000001 fill_codes"
        ]
    );
    let (code, out) = app(set, url, &["check"]).expect("check");
    assert_eq!(code, ExitCode::from(1), "{out}");
    assert!(
        out.starts_with("partly applied: 2024_12_02_000001"),
        "{out}"
    );
    // Nothing ran outside a transaction: repair has nothing to undo and
    // leaves the migration to `upgrade`.
    let (code, out) = app(set, url, &["repair"]).expect("repair");
    assert_eq!(
        (code, lines(&out)),
        (ExitCode::SUCCESS, vec!["nothing to repair"])
    );

    conn.batch_execute("UPDATE people SET name = 'cal' WHERE name = 'carlos'")
        .expect("fix the data");
    let (_, out) = app(set, url, &["upgrade"]).expect("resume");
    assert_eq!(lines(&out), ["applied 2024_12_02_000001 fill_codes"]);
    assert_eq!(
        codes(),
        ["ADA", "BOB", "CAL", "DAN"].map(|c| Some(c.to_owned()))
    );
    let (code, out) = app(set, url, &["check"]).expect("check");
    assert_eq!((code, out.as_str()), (ExitCode::SUCCESS, "up to date\n"));
}

on_both_backends!(partly_applied_then_finished =>
    sqlite_check_and_repair_around_a_partly_applied_migration,
    postgres_check_and_repair_around_a_partly_applied_migration);

/// `backup FILE` then `restore FILE` through the command line gives back
/// the rows and the applied migrations.
fn backup_then_restore(url: &str) {
    cms(url, &["upgrade", "+1"]);
    let mut conn = AnyConnection::establish(url).expect("connect");
    conn.batch_execute(
        "INSERT INTO members (first_name, last_name, email) VALUES ('Ada', 'Lovelace', 'ada@example.org')",
    )
    .expect("insert a member");
    drop(conn);
    let file = Scratch::new(match migration_runtime::backend_of(url) {
        Ok(migration_runtime::Backend::Postgres) => "backup.sql",
        _ => "backup.db",
    });

    let (code, out) = cms(url, &["backup", file.path()]);
    assert_eq!(
        (code, out),
        (ExitCode::SUCCESS, format!("backed up to {}\n", file.path()))
    );
    let error = app(cms::history::MIGRATIONS, url, &["backup", file.path()])
        .expect_err("an existing backup is never overwritten");
    assert!(error.contains(file.path()), "{error}");

    cms(url, &["upgrade", "+1"]);
    let mut conn = AnyConnection::establish(url).expect("connect");
    conn.batch_execute("DELETE FROM members")
        .expect("lose the rows");
    drop(conn);

    let (code, out) = cms(url, &["restore", file.path()]);
    assert_eq!(
        (code, out),
        (
            ExitCode::SUCCESS,
            format!("restored from {}\n", file.path())
        )
    );
    assert_eq!(
        one_value(url, "SELECT email AS v FROM members").as_deref(),
        Some("ada@example.org")
    );
    let (_, out) = cms(url, &["current"]);
    assert_eq!(lines(&out), ["2024_01_10_000001 create_members"]);
}

on_both_backends!(backup_then_restore =>
    sqlite_backup_and_restore_commands,
    postgres_backup_and_restore_commands);

/// `upgrade --backup-if-dropping` backs up before the first migration that
/// drops data, and says which.
fn backup_before_dropping(url: &str) {
    let (_, out) = cms(url, &["upgrade", "--backup-if-dropping", "+2"]);
    assert!(!out.contains("backed up"), "nothing dropped yet: {out}");
    cms(url, &["upgrade", "2024_01_15_000003"]);
    let (_, out) = cms(
        url,
        &["upgrade", "--backup-if-dropping", "2024_01_20_000001"],
    );
    let first = lines(&out)[0];
    let file = first
        .strip_prefix("backed up to ")
        .and_then(|rest| rest.strip_suffix(" (2024_01_20_000001 drops data)"))
        .unwrap_or_else(|| panic!("{out}"));
    // The backup is written in the working folder, named after the migration.
    let file = PathBuf::from(file);
    let written = std::fs::metadata(&file).map(|m| m.len());
    let _ = std::fs::remove_file(&file);
    assert!(written.is_ok_and(|bytes| bytes > 0), "{}", file.display());
    assert!(
        file.to_string_lossy()
            .ends_with("_before_2024_01_20_000001.sql")
            || file
                .to_string_lossy()
                .ends_with("_before_2024_01_20_000001.db"),
        "{}",
        file.display()
    );
    assert_eq!(
        lines(&out)[1..],
        ["applied 2024_01_20_000001 consolidate_names"]
    );
}

on_both_backends!(backup_before_dropping =>
    sqlite_upgrade_backs_up_before_dropping,
    postgres_upgrade_backs_up_before_dropping);

const ESC: char = '\u{1b}';

/// With `--color always` the words that matter are colored; by default
/// (output captured, not a terminal) and with `--color never` nothing is.
fn colors(url: &str) {
    let (_, plain) = cms(url, &["upgrade", "+1"]);
    assert!(!plain.contains(ESC), "{plain:?}");
    let (_, colored) = cms(url, &["--color", "always", "upgrade", "+1"]);
    assert_eq!(
        colored,
        "\u{1b}[32mapplied\u{1b}[0m 2024_01_10_000002 create_users\n"
    );

    let (_, colored) = cms(url, &["history", "--color", "always"]);
    let history = lines(&colored);
    assert_eq!(
        history[0],
        "\u{1b}[32m[x]\u{1b}[0m 2024_01_10_000001 create_members"
    );
    assert_eq!(
        history[2],
        "\u{1b}[2m[ ]\u{1b}[0m 2024_01_11_000001 create_events"
    );
    let (_, never) = cms(url, &["--color", "never", "history"]);
    assert!(!never.contains(ESC), "{never:?}");
    assert_eq!(never, cms(url, &["history"]).1);

    let (code, colored) = cms(url, &["--color", "always", "check"]);
    assert_eq!(code, ExitCode::from(1));
    assert!(
        colored.starts_with("\u{1b}[33mpending:\u{1b}[0m 2024_01_11_000001 create_events\n"),
        "{colored:?}"
    );
    let (_, colored) = cms(url, &["--color", "always", "downgrade", "-1"]);
    assert_eq!(
        colored,
        "\u{1b}[33mreverted\u{1b}[0m 2024_01_10_000002 create_users\n"
    );
}

on_both_backends!(colors =>
    sqlite_colors_only_when_asked,
    postgres_colors_only_when_asked);

#[test]
fn review_colors_each_severity() {
    let nowhere = "postgres://nobody@127.0.0.1:1/none";
    let (_, colored) = cms(nowhere, &["--color", "always", "review", "--all"]);
    let bold_red = "\u{1b}[1m\u{1b}[31m";
    assert!(
        colored.contains(&format!(
            "{bold_red}danger\u{1b}[0m: 2024_01_20_000001: drop_column(\"members\", \"first_name\")"
        )),
        "{colored:?}"
    );
    assert!(colored.contains("\u{1b}[36mnote\u{1b}[0m: "), "{colored:?}");
    assert!(
        colored.ends_with(&format!("11 finding(s), {bold_red}3 dangerous\u{1b}[0m\n")),
        "{colored:?}"
    );
    let (_, plain) = cms(nowhere, &["review", "--all"]);
    assert!(!plain.contains(ESC));
    // The colors add codes and nothing else.
    let stripped: String = without_colors(&colored);
    assert_eq!(stripped, plain);
}

/// `text` without its ANSI color codes (`ESC [ ... m`).
fn without_colors(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == ESC {
            for code in chars.by_ref() {
                if code == 'm' {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[test]
fn color_takes_auto_always_never_only() {
    for choice in ["auto", "always", "never"] {
        Cli::try_parse_from(["app", "--color", choice, "heads"])
            .unwrap_or_else(|e| panic!("{choice}: {e}"));
    }
    let error =
        Cli::try_parse_from(["app", "--color", "sometimes", "heads"]).expect_err("not a choice");
    assert!(
        error
            .to_string()
            .contains("[possible values: auto, always, never]"),
        "{error}"
    );
}

#[test]
fn each_command_that_takes_arguments_shows_examples_in_its_help() {
    for (command, example) in [
        ("upgrade", "app upgrade +2"),
        ("downgrade", "app downgrade -1"),
        ("show", "app show 2024_01_15_000003 --backend sqlite"),
        ("sql", "app sql --backend postgres --online"),
        ("check", "app check --schema-rs src/schema.rs"),
        ("review", "app review --all"),
        ("stamp", "app stamp base"),
        ("backup", "app backup before-v2.sql"),
        ("restore", "app restore before-v2.sql"),
        ("merge", "app merge 2024_02_05_000001 2024_02_05_000002"),
        ("revision", "app revision --autogenerate -m"),
    ] {
        let help = Cli::try_parse_from(["app", command, "--help"])
            .expect_err("help is shown instead of running")
            .to_string();
        let examples = help
            .split_once("Examples:\n")
            .map(|(_, examples)| examples)
            .unwrap_or_else(|| panic!("no examples for `{command}`:\n{help}"));
        assert!(
            examples
                .lines()
                .any(|line| line.trim_start().starts_with(example)),
            "`{example}` is not among the examples of `{command}`:\n{help}"
        );
    }
}
