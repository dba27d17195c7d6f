//! The runner's guarantees on real databases: many processes at once, a
//! process killed mid-migration, a failing statement, edited migrations,
//! unknown revisions, and stamp.

use std::process::{Command, Stdio};
use std::time::Duration;

use migration_runtime::runner::checksum;
use migration_runtime::testing::PgTestDatabase;
use migration_runtime::{AnyConnection, Error, Runner};

#[migration_runtime::migrations]
mod history {
    #[migration(id = "2024_05_01_000001")]
    fn create_events(m: &mut Up) {
        m.create_table("events", |t| {
            t.id("id");
            t.column("name", text());
        });
    }

    /// A data migration: its rows must exist once, however many runners start.
    #[migration(id = "2024_05_02_000001")]
    fn seed_events(m: &mut Up) {
        m.sql("INSERT INTO events (name) VALUES ('opening'), ('closing')")
            .reverse_with("DELETE FROM events WHERE name IN ('opening', 'closing')");
    }

    #[migration(id = "2024_05_03_000001")]
    fn add_place(m: &mut Up) {
        m.add_column("events", "place", text().nullable());
        m.create_index("events", ["place"]);
    }
}

/// Three statements, the third of which fails.
#[migration_runtime::migrations]
mod failing {
    #[migration(id = "2024_06_01_000001")]
    fn breaks_at_the_third_statement(m: &mut Up) {
        m.create_table("drafts", |t| {
            t.id("id");
        });
        m.sql("INSERT INTO drafts (id) VALUES (1)")
            .reverse_with("DELETE FROM drafts");
        m.sql("INSERT INTO no_such_table VALUES (1)")
            .reverse_with("SELECT 1");
    }
}

/// Two good migrations and a failing third, for the single-transaction run.
#[migration_runtime::migrations]
mod third_fails {
    #[migration(id = "2024_06_10_000001")]
    fn first(m: &mut Up) {
        m.create_table("first", |t| {
            t.id("id");
        });
    }

    #[migration(id = "2024_06_10_000002")]
    fn second(m: &mut Up) {
        m.create_table("second", |t| {
            t.id("id");
        });
    }

    #[migration(id = "2024_06_10_000003")]
    fn third(m: &mut Up) {
        m.sql("INSERT INTO no_such_table VALUES (1)")
            .reverse_with("SELECT 1");
    }
}

/// A migration that takes a while, to be killed in the middle.
#[migration_runtime::migrations]
mod slow {
    #[migration(id = "2024_07_01_000001")]
    fn slow_table(m: &mut Up) {
        m.create_table("slow", |t| {
            t.id("id");
        });
        m.sql("SELECT pg_sleep(3)").reverse_with("SELECT 1");
    }
}

fn count(conn: &mut AnyConnection, query: &str) -> String {
    conn.text_column(query).expect("count")[0]
        .clone()
        .expect("a count")
}

/// Not a test: one application instance, run by the tests below as a
/// separate process (`spawn_worker`).
#[test]
#[ignore = "a worker process the tests below start"]
fn worker_upgrades_when_asked() {
    let url = std::env::var("RUNNER_WORKER_URL")
        .expect("started by spawn_worker, which sets RUNNER_WORKER_URL");
    let set = match std::env::var("RUNNER_WORKER_SET").as_deref() {
        Ok("slow") => slow::MIGRATIONS,
        _ => history::MIGRATIONS,
    };
    let mut conn = AnyConnection::establish(&url).expect("connect");
    Runner::new(&mut conn, set)
        .upgrade("head")
        .unwrap_or_else(|e| panic!("worker: {e}"));
}

fn spawn_worker(url: &str, set: &str) -> std::process::Child {
    Command::new(std::env::current_exe().expect("this test binary"))
        .args([
            "--exact",
            "worker_upgrades_when_asked",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("RUNNER_WORKER_URL", url)
        .env("RUNNER_WORKER_SET", set)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start a worker")
}

#[test]
fn ten_processes_at_once_apply_each_migration_exactly_once() {
    let Some(db) = PgTestDatabase::create() else {
        return;
    };
    let workers: Vec<_> = (0..10).map(|_| spawn_worker(db.url(), "history")).collect();
    for worker in workers {
        let output = worker.wait_with_output().expect("worker ends");
        assert!(
            output.status.success(),
            "a worker failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let mut conn = AnyConnection::establish(db.url()).expect("connect");
    assert_eq!(
        count(
            &mut conn,
            "SELECT CAST(count(*) AS TEXT) AS v FROM __diesel_schema_migrations"
        ),
        "3"
    );
    assert_eq!(
        count(
            &mut conn,
            "SELECT CAST(count(*) AS TEXT) AS v FROM __migration_history"
        ),
        "3"
    );
    assert_eq!(
        count(&mut conn, "SELECT CAST(count(*) AS TEXT) AS v FROM events"),
        "2"
    );
    let again = Runner::new(&mut conn, history::MIGRATIONS)
        .upgrade("head")
        .expect("upgrade");
    assert!(
        again.is_empty(),
        "a further run applies nothing, not {again:?}"
    );
}

#[test]
fn a_runner_killed_mid_migration_leaves_nothing_and_the_next_run_applies_it_once() {
    let Some(db) = PgTestDatabase::create() else {
        return;
    };
    let mut worker = spawn_worker(db.url(), "slow");
    let mut conn = AnyConnection::establish(db.url()).expect("connect");
    // Wait until the worker is inside the migration (its table exists in its transaction).
    let sleeping = "SELECT CAST(count(*) AS TEXT) AS v FROM pg_stat_activity \
        WHERE query LIKE '%pg_sleep(3)%' AND pid <> pg_backend_pid()";
    for _ in 0..200 {
        if count(&mut conn, sleeping) != "0" {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(
        count(&mut conn, sleeping),
        "1",
        "the worker reached the slow statement"
    );
    worker.kill().expect("SIGKILL the worker");
    worker.wait().expect("reap the worker");
    // The server notices the dead client and rolls its transaction back.
    for _ in 0..200 {
        if count(&mut conn, sleeping) == "0" {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let tables = "SELECT CAST(count(*) AS TEXT) AS v FROM pg_tables WHERE tablename = 'slow'";
    assert_eq!(count(&mut conn, tables), "0", "no schema change survives");
    assert_eq!(
        count(
            &mut conn,
            "SELECT CAST(count(*) AS TEXT) AS v FROM __diesel_schema_migrations"
        ),
        "0"
    );

    let applied = Runner::new(&mut conn, slow::MIGRATIONS)
        .upgrade("head")
        .expect("the next run");
    assert_eq!(applied, ["2024_07_01_000001"]);
    assert_eq!(count(&mut conn, tables), "1");
    assert_eq!(
        count(
            &mut conn,
            "SELECT CAST(count(*) AS TEXT) AS v FROM __migration_history"
        ),
        "1"
    );
}
fn check_failing_statement(conn: &mut AnyConnection, tables: &str) {
    let error = Runner::new(conn, failing::MIGRATIONS)
        .upgrade("head")
        .expect_err("fails");
    let message = error.to_string();
    assert!(matches!(error, Error::Statement { .. }), "{message}");
    assert!(
        message.starts_with(
            "migration `2024_06_01_000001` failed at `INSERT INTO no_such_table VALUES (1)`"
        ),
        "{message}"
    );
    assert_eq!(
        count(conn, tables),
        "0",
        "the table of the first statement is rolled back"
    );
    assert_eq!(
        count(
            conn,
            "SELECT CAST(count(*) AS TEXT) AS v FROM __diesel_schema_migrations"
        ),
        "0"
    );
    assert_eq!(
        count(
            conn,
            "SELECT CAST(count(*) AS TEXT) AS v FROM __migration_history"
        ),
        "0"
    );
}

#[test]
fn the_third_of_three_statements_fails_and_nothing_remains_on_postgres() {
    let Some(db) = PgTestDatabase::create() else {
        return;
    };
    let mut conn = AnyConnection::establish(db.url()).expect("connect");
    check_failing_statement(
        &mut conn,
        "SELECT CAST(count(*) AS TEXT) AS v FROM pg_tables WHERE tablename = 'drafts'",
    );
}

#[test]
fn the_third_of_three_statements_fails_and_nothing_remains_on_sqlite() {
    let mut conn = AnyConnection::establish(":memory:").expect("open SQLite");
    check_failing_statement(
        &mut conn,
        "SELECT CAST(count(*) AS TEXT) AS v FROM sqlite_master WHERE name = 'drafts'",
    );
}

fn check_integrity(conn: &mut AnyConnection) {
    Runner::new(conn, history::MIGRATIONS)
        .upgrade("head")
        .expect("upgrade");

    // An applied migration edited by one byte: its recorded checksum no longer matches.
    conn.batch_execute(
        "UPDATE __migration_history \
         SET checksum = CASE WHEN substr(checksum, 1, 1) = '0' THEN '1' ELSE '0' END || substr(checksum, 2) \
         WHERE id = '2024_05_02_000001'",
    )
    .expect("simulate an edit");
    let error = Runner::new(conn, history::MIGRATIONS)
        .downgrade("-1")
        .expect_err("refused");
    assert!(
        matches!(error, Error::Changed(ref id) if id == "2024_05_02_000001"),
        "{error}"
    );
    assert!(error.to_string().contains("--allow-changed"), "{error}");
    let reverted = Runner::new(conn, history::MIGRATIONS)
        .allow_changed(true)
        .downgrade("-1")
        .expect("override");
    assert_eq!(reverted, ["2024_05_03_000001"]);

    // A revision the code no longer has.
    conn.batch_execute(
        "INSERT INTO __diesel_schema_migrations (version) VALUES ('2099_01_01_000001')",
    )
    .expect("a stranger's row");
    let error = Runner::new(conn, history::MIGRATIONS)
        .allow_changed(true)
        .upgrade("head")
        .expect_err("refused");
    assert_eq!(
        error.to_string(),
        "can't locate revision `2099_01_01_000001`: no migration of this history has that id"
    );
    conn.batch_execute(
        "DELETE FROM __diesel_schema_migrations WHERE version = '2099_01_01_000001'",
    )
    .expect("clean");

    // Stamp: record without running, then a pending migration older than an applied one is refused.
    let mut runner = Runner::new(conn, history::MIGRATIONS).allow_changed(true);
    runner.stamp("base").expect("stamp base");
    assert!(runner.applied().expect("applied").is_empty());
    conn.batch_execute(
        "INSERT INTO __diesel_schema_migrations (version) VALUES ('2024_05_03_000001')",
    )
    .expect("applied out of order");
    let error = Runner::new(conn, history::MIGRATIONS)
        .upgrade("head")
        .expect_err("refused");
    assert!(matches!(error, Error::OutOfOrder { .. }), "{error}");
    assert!(
        error
            .to_string()
            .starts_with("migration `2024_05_01_000001` is pending but `2024_05_03_000001`"),
        "{error}"
    );
    let mut runner = Runner::new(conn, history::MIGRATIONS);
    runner.stamp("2024_05_03_000001").expect("stamp head");
    let ids: Vec<String> = runner
        .applied()
        .expect("applied")
        .into_iter()
        .map(|a| a.id)
        .collect();
    assert_eq!(
        ids,
        [
            "2024_05_01_000001",
            "2024_05_02_000001",
            "2024_05_03_000001"
        ]
    );
    assert!(runner.upgrade("head").expect("nothing to do").is_empty());
}

#[test]
fn edited_and_unknown_migrations_are_refused_on_postgres() {
    let Some(db) = PgTestDatabase::create() else {
        return;
    };
    let mut conn = AnyConnection::establish(db.url()).expect("connect");
    check_integrity(&mut conn);
}

#[test]
fn edited_and_unknown_migrations_are_refused_on_sqlite() {
    let mut conn = AnyConnection::establish(":memory:").expect("open SQLite");
    check_integrity(&mut conn);
}

#[migration_runtime::migrations]
mod unix_endings {
    #[migration(id = "2024_08_01_000001")]
    fn view(m: &mut Up) {
        m.sql("CREATE VIEW v AS\nSELECT 1 AS one")
            .reverse_with("DROP VIEW v");
    }
}

#[migration_runtime::migrations]
mod windows_endings {
    #[migration(id = "2024_08_01_000001")]
    fn view(m: &mut Up) {
        m.sql("CREATE VIEW v AS\r\nSELECT 1 AS one")
            .reverse_with("DROP VIEW v");
    }
}

#[migration_runtime::migrations]
mod one_byte_edited {
    #[migration(id = "2024_08_01_000001")]
    fn view(m: &mut Up) {
        m.sql("CREATE VIEW v AS\nSELECT 2 AS one")
            .reverse_with("DROP VIEW v");
    }
}

#[test]
fn checksums_ignore_line_endings_but_not_a_changed_byte() {
    let of = |set: migration_runtime::MigrationSet| checksum(&set.migrations()[0]);
    assert_eq!(
        of(unix_endings::MIGRATIONS),
        of(windows_endings::MIGRATIONS)
    );
    assert_ne!(
        of(unix_endings::MIGRATIONS),
        of(one_byte_edited::MIGRATIONS)
    );
}

fn check_single_transaction(conn: &mut AnyConnection, tables: &str) {
    let error = Runner::new(conn, third_fails::MIGRATIONS)
        .single_transaction(true)
        .upgrade("head")
        .expect_err("the third fails");
    assert!(
        error
            .to_string()
            .starts_with("migration `2024_06_10_000003` failed at"),
        "{error}"
    );
    assert_eq!(
        count(conn, tables),
        "0",
        "the first two migrations are rolled back with it"
    );
    assert_eq!(
        count(
            conn,
            "SELECT CAST(count(*) AS TEXT) AS v FROM __diesel_schema_migrations"
        ),
        "0"
    );
    // Without the option, each migration is its own transaction (raw SQL
    // keeps its commits even from an empty history): the first two stay.
    let error = Runner::new(conn, third_fails::MIGRATIONS)
        .upgrade("head")
        .expect_err("the third fails");
    assert!(
        error
            .to_string()
            .starts_with("migration `2024_06_10_000003` failed at"),
        "{error}"
    );
    assert_eq!(
        count(
            conn,
            "SELECT CAST(count(*) AS TEXT) AS v FROM __diesel_schema_migrations"
        ),
        "2"
    );
}

#[test]
fn a_single_transaction_run_applies_all_or_nothing_on_postgres() {
    let Some(db) = PgTestDatabase::create() else {
        return;
    };
    let mut conn = AnyConnection::establish(db.url()).expect("connect");
    check_single_transaction(
        &mut conn,
        "SELECT CAST(count(*) AS TEXT) AS v FROM pg_tables WHERE tablename IN ('first', 'second')",
    );
}

#[test]
fn a_single_transaction_run_applies_all_or_nothing_on_sqlite() {
    let mut conn = AnyConnection::establish(":memory:").expect("open SQLite");
    check_single_transaction(
        &mut conn,
        "SELECT CAST(count(*) AS TEXT) AS v FROM sqlite_master WHERE name IN ('first', 'second')",
    );
}
