//! `review` tells before deploy what each migration locks, drops or
//! rewrites, and exits 1 when something is dangerous.

use std::process::ExitCode;

use migration_runtime::review::{Severity, has_danger, review};

#[migration_runtime::migrations]
mod history {
    #[migration(id = "2024_09_01_000001")]
    fn create_tables(m: &mut Up) {
        m.create_table("accounts", |t| {
            t.id("id");
            t.column("email", varchar(100));
            t.column("code", text());
        });
        m.create_table("orders", |t| {
            t.id("id");
            t.column("account_id", bigint());
        });
        // A new table is empty: indexing it locks nothing anyone uses.
        m.create_index("orders", ["account_id"]);
    }

    #[migration(id = "2024_09_02_000001")]
    fn online_unsafe(m: &mut Up) {
        m.create_index("accounts", ["email"]);
        m.add_foreign_key("orders", ["account_id"], "accounts", ["id"]);
        m.change_type("accounts", "email", varchar(200));
        m.add_column("accounts", "token", uuid().default_random_uuid());
    }

    #[migration(id = "2024_09_03_000001", irreversible = "codes are re-issued")]
    fn code_as_number(m: &mut Up) {
        m.change_type("accounts", "code", bigint())
            .using(cast(col("code"), bigint()));
    }

    #[migration(id = "2024_09_04_000001")]
    fn create_tags(m: &mut Up) {
        m.create_table("tags", |t| {
            t.column("id", integer().primary_key());
            t.column("label", text());
        });
    }
}

#[test]
fn each_risky_step_is_named_with_its_lock_and_the_safer_form() {
    let ids: Vec<&str> = history::MIGRATIONS
        .migrations()
        .iter()
        .map(|m| m.id())
        .collect();
    let findings = review(history::MIGRATIONS, &ids).expect("review");
    let summary: Vec<(&str, Severity)> = findings
        .iter()
        .map(|f| (f.step.as_str(), f.severity))
        .collect();
    assert_eq!(
        summary,
        [
            (
                "create_index(\"accounts\", [\"email\"]).name(\"accounts_email_idx\")",
                Severity::Note
            ),
            (
                "add_foreign_key([\"account_id\"], \"accounts\", [\"id\"]).name(\"orders_account_id_fkey\") /* on \"orders\" */",
                Severity::Note
            ),
            (
                "change_type(\"accounts\", \"email\", varchar(200))",
                Severity::Note
            ),
            (
                "add_column(\"accounts\", \"token\", uuid().default_random_uuid())",
                Severity::Danger
            ),
            (
                "change_type(\"accounts\", \"code\", bigint()).using(cast(col(\"code\"), bigint()))",
                Severity::Danger
            ),
            (
                "create_table(\"tags\", |t| { t.column(\"id\", integer()); t.column(\"label\", text()); t.primary_key([\"id\"]); })",
                Severity::Warning
            ),
        ]
    );
    // The runner takes the lock-friendly form by itself: the review says so.
    assert!(
        findings[0].message.contains("CONCURRENTLY") && findings[0].suggestion.is_none(),
        "{}",
        findings[0]
    );
    assert!(
        findings[1].message.contains("NOT VALID, then validates it"),
        "{}",
        findings[1]
    );
    assert!(
        findings[5].message.contains("runs out at 2^31"),
        "{}",
        findings[5]
    );
    assert!(
        findings[4].message.contains("rewrites the table"),
        "{}",
        findings[4]
    );
    assert!(has_danger(&findings));
    let safe = review(history::MIGRATIONS, &ids[..1]).expect("review");
    assert!(safe.is_empty(), "creating tables is safe: {safe:?}");
}

fn cms(url: &str, args: &[&str]) -> (ExitCode, String) {
    run_on(cms::history::MIGRATIONS, url, args)
}

#[test]
fn review_exits_1_on_danger_and_reviews_only_what_is_pending() {
    let (code, out) = cms("postgres://nobody@127.0.0.1:1/none", &["review", "--all"]);
    assert_eq!(code, ExitCode::from(1), "{out}");
    assert!(out.contains("danger: 2024_01_20_000001: drop_column(\"members\", \"first_name\")\n  drops `members.first_name` and its values"), "{out}");
    assert!(
        out.ends_with("15 migration(s) reviewed: 11 finding(s), 3 dangerous\n"),
        "{out}"
    );

    let path = std::env::temp_dir().join(format!("review-{}.db", std::process::id()));
    let _ = std::fs::remove_file(&path);
    let url = path.to_str().expect("utf-8 path");
    cms(url, &["upgrade", "2024_01_20_000001"]);
    let (code, out) = cms(url, &["review"]);
    assert_eq!(code, ExitCode::from(1), "{out}");
    assert!(
        out.ends_with("5 migration(s) reviewed: 6 finding(s), 1 dangerous\n"),
        "{out}"
    );
    cms(url, &["upgrade"]);
    let (code, out) = cms(url, &["review"]);
    assert_eq!(
        (code, out.as_str()),
        (
            ExitCode::SUCCESS,
            "0 migration(s) reviewed: 0 finding(s), 0 dangerous\n"
        )
    );
    std::fs::remove_file(path).expect("clean up");
}

/// The same history twice: as first deployed, then with the danger of its
/// second migration reviewed by the author.
#[migration_runtime::migrations]
mod before_review {
    #[migration(id = "2024_10_01_000001")]
    fn create_members(m: &mut Up) {
        m.create_table("members", |t| {
            t.id("id");
            t.column("email", text());
            t.column("full_name", text().nullable());
        });
    }

    #[migration(id = "2024_10_02_000001")]
    fn drop_full_name(m: &mut Up) {
        m.create_index("members", ["email"]);
        m.drop_column("members", "full_name")
            .restore_with(col("email"));
    }
}

#[migration_runtime::migrations]
mod after_review {
    #[migration(id = "2024_10_01_000001")]
    fn create_members(m: &mut Up) {
        m.create_table("members", |t| {
            t.id("id");
            t.column("email", text());
            t.column("full_name", text().nullable());
        });
    }

    #[migration(id = "2024_10_02_000001")]
    fn drop_full_name(m: &mut Up) {
        m.create_index("members", ["email"]);
        m.drop_column("members", "full_name")
            .restore_with(col("email"))
            .reviewed("the app stopped reading full_name in v2.3");
    }
}

fn run_on(set: migration_runtime::MigrationSet, url: &str, args: &[&str]) -> (ExitCode, String) {
    integration_tests::run_cli(set, url, args).unwrap_or_else(|e| panic!("{args:?}: {e}"))
}

#[test]
fn a_reviewed_danger_is_shown_with_its_reason_and_does_not_block() {
    let ids = ["2024_10_01_000001", "2024_10_02_000001"];
    let unreviewed = review(before_review::MIGRATIONS, &ids).expect("review");
    let reviewed = review(after_review::MIGRATIONS, &ids).expect("review");
    assert!(has_danger(&unreviewed));
    assert!(!has_danger(&reviewed), "{reviewed:?}");
    let danger = reviewed
        .iter()
        .find(|f| f.severity == Severity::Danger)
        .expect("still dangerous, only accepted");
    assert_eq!(
        danger.reviewed.as_deref(),
        Some("the app stopped reading full_name in v2.3")
    );
    // The index build on the same migration is not covered by the note.
    assert_eq!(reviewed[0].reviewed, None, "{}", reviewed[0]);

    let nowhere = "postgres://nobody@127.0.0.1:1/none";
    let (code, out) = run_on(before_review::MIGRATIONS, nowhere, &["review", "--all"]);
    assert_eq!(code, ExitCode::from(1), "{out}");
    let (code, out) = run_on(after_review::MIGRATIONS, nowhere, &["review", "--all"]);
    assert_eq!(code, ExitCode::SUCCESS, "{out}");
    assert!(
        out.contains(
            "danger (reviewed): 2024_10_02_000001: drop_column(\"members\", \"full_name\")\
             .restore_with(col(\"email\"))\n  drops `members.full_name` and its values; \
             running code that selects it will fail\n  \
             reviewed: the app stopped reading full_name in v2.3\n"
        ),
        "{out}"
    );
    assert!(
        !out.contains("safer:"),
        "an accepted danger needs no advice: {out}"
    );
    assert!(
        out.ends_with("2 migration(s) reviewed: 2 finding(s), 0 dangerous (1 reviewed)\n"),
        "{out}"
    );
    let (_, out) = run_on(
        after_review::MIGRATIONS,
        nowhere,
        &["show", "2024_10_02_000001"],
    );
    assert!(
        out.contains(
            "  drop_column(\"members\", \"full_name\").restore_with(col(\"email\"))\
             .reviewed(\"the app stopped reading full_name in v2.3\")\n"
        ),
        "show gives the note with its step: {out}"
    );
}

/// Reviewing a danger changes nothing that runs: a database upgraded before
/// the note was written runs the reviewed build without `--allow-changed`.
fn reviewing_is_not_an_edit(url: &str) {
    let (code, out) = run_on(before_review::MIGRATIONS, url, &["upgrade"]);
    assert_eq!(code, ExitCode::SUCCESS, "{out}");
    let (code, out) = run_on(after_review::MIGRATIONS, url, &["check"]);
    assert_eq!((code, out.as_str()), (ExitCode::SUCCESS, "up to date\n"));
    let (code, out) = run_on(after_review::MIGRATIONS, url, &["downgrade", "-1"]);
    assert_eq!(
        (code, out.as_str()),
        (
            ExitCode::SUCCESS,
            "reverted 2024_10_02_000001 drop_full_name\n"
        )
    );
    // Pending again, the reviewed danger no longer stops the deploy.
    let (code, out) = run_on(after_review::MIGRATIONS, url, &["review"]);
    assert_eq!(code, ExitCode::SUCCESS, "{out}");
    assert!(
        out.contains("danger (reviewed): 2024_10_02_000001"),
        "{out}"
    );
    let (code, _) = run_on(before_review::MIGRATIONS, url, &["review"]);
    assert_eq!(code, ExitCode::from(1));
}

#[test]
fn reviewing_is_not_an_edit_on_sqlite() {
    let path = std::env::temp_dir().join(format!("reviewed-{}.db", std::process::id()));
    let _ = std::fs::remove_file(&path);
    reviewing_is_not_an_edit(path.to_str().expect("utf-8 path"));
    std::fs::remove_file(path).expect("clean up");
}

#[test]
fn reviewing_is_not_an_edit_on_postgres() {
    let Some(db) = migration_runtime::testing::PgTestDatabase::create() else {
        return;
    };
    reviewing_is_not_an_edit(db.url());
}

#[migration_runtime::migrations]
mod composite_key {
    #[migration(id = "2024_10_01_000001")]
    fn create_memberships(m: &mut Up) {
        m.create_table("memberships", |t| {
            t.column("member_id", bigint());
            t.column("team_id", bigint());
            t.column("role", text().nullable());
            t.primary_key(["member_id", "team_id"]);
        });
    }

    #[migration(id = "2024_10_02_000001")]
    fn default_roles(m: &mut Up) {
        m.backfill("memberships", "role", "member")
            .only_where(col("role").is_null())
            .batched(1000);
    }
}

#[test]
fn batches_without_a_single_column_key_are_said_to_run_as_one_update() {
    let findings = review(composite_key::MIGRATIONS, &["2024_10_02_000001"]).expect("review");
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert_eq!(findings[0].severity, Severity::Warning);
    assert!(
        findings[0].message.contains(
            "`memberships` has no single-column key to walk in order: it runs as one UPDATE"
        ),
        "{}",
        findings[0]
    );
}

#[migration_runtime::migrations]
mod partial {
    #[migration(id = "2024_09_01_000001")]
    fn create_members(m: &mut Up) {
        m.create_table("members", |t| {
            t.id("id");
            t.column("email", text());
            t.column("deleted_at", timestamptz().nullable());
        });
        // A new table is empty: a partial index on it locks nothing anyone uses.
        m.create_index("members", ["deleted_at"])
            .only_where(col("deleted_at").is_not_null());
    }

    #[migration(id = "2024_09_02_000001")]
    fn unique_live_emails(m: &mut Up) {
        m.create_index("members", ["email"])
            .unique()
            .only_where(col("deleted_at").is_null());
    }
}

#[test]
fn a_partial_index_is_reviewed_as_any_index() {
    let findings = review(
        partial::MIGRATIONS,
        &["2024_09_01_000001", "2024_09_02_000001"],
    )
    .expect("review");
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert_eq!(
        findings[0].step,
        "create_index(\"members\", [\"email\"]).name(\"members_email_idx\").unique().only_where(col(\"deleted_at\").is_null())"
    );
    assert_eq!(findings[0].severity, Severity::Note);
    assert!(
        findings[0].message.contains("CONCURRENTLY") && findings[0].suggestion.is_none(),
        "{}",
        findings[0]
    );
}
