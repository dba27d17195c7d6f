//! Batched backfills: each batch its own transaction, in key order, and a
//! runner killed midway resumes after the last batch done, writing no row
//! twice.

use std::process::{Command, Stdio};
use std::time::Duration;

use migration_runtime::testing::PgTestDatabase;
use migration_runtime::{AnyConnection, Runner};

#[migration_runtime::migrations]
mod history {
    #[migration(id = "2024_10_01_000001")]
    fn create_people(m: &mut Up) {
        m.create_table("people", |t| {
            t.id("id");
            t.column("first_name", text());
            t.column("last_name", text());
        });
    }

    #[migration(id = "2024_10_02_000001")]
    fn add_full_name(m: &mut Up) {
        m.add_column("people", "full_name", text().nullable());
        m.backfill(
            "people",
            "full_name",
            concat([col("first_name"), " ", col("last_name")]),
        )
        .only_where(col("full_name").is_null())
        .batched(1000);
        m.tighten_not_null("people", "full_name");
    }
}

fn count(conn: &mut AnyConnection, query: &str) -> u64 {
    conn.text_column(query).expect("count")[0]
        .as_deref()
        .expect("a count")
        .parse()
        .expect("a number")
}

/// `rows` people, then the first migration applied.
fn people(conn: &mut AnyConnection, rows: u64, generate: &str) {
    Runner::new(conn, history::MIGRATIONS)
        .upgrade("+1")
        .expect("create people");
    conn.batch_execute(&generate.replace("ROWS", &rows.to_string()))
        .expect("insert people");
}

const WRONG: &str = "SELECT CAST(count(*) AS TEXT) AS v FROM people \
    WHERE full_name IS NULL OR full_name <> first_name || ' ' || last_name";

const PG_PEOPLE: &str = "INSERT INTO people (first_name, last_name) \
    SELECT 'First' || n, 'Last ' || n FROM generate_series(1, ROWS) AS n";

#[test]
fn postgres_backfills_in_batches_each_in_its_own_transaction() {
    let Some(db) = PgTestDatabase::create() else {
        return;
    };
    let mut conn = AnyConnection::establish(db.url()).expect("connect");
    people(&mut conn, 10_500, PG_PEOPLE);
    Runner::new(&mut conn, history::MIGRATIONS)
        .upgrade("head")
        .expect("upgrade");
    assert_eq!(count(&mut conn, WRONG), 0, "every row has its full name");
    // Each batch commits on its own: 11 transactions wrote the 10,500 rows.
    assert_eq!(
        count(
            &mut conn,
            "SELECT CAST(count(DISTINCT CAST(xmin AS TEXT)) AS TEXT) AS v FROM people"
        ),
        11
    );
    let marker =
        "SELECT CAST(count(*) AS TEXT) AS v FROM __migration_history WHERE state <> 'applied'";
    assert_eq!(count(&mut conn, marker), 0, "no in-progress marker is left");
}

#[test]
fn sqlite_backfills_in_batches() {
    let mut conn = AnyConnection::establish(":memory:").expect("open SQLite");
    people(
        &mut conn,
        2_500,
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ROWS) \
         INSERT INTO people (first_name, last_name) SELECT 'First' || i, 'Last ' || i FROM n",
    );
    Runner::new(&mut conn, history::MIGRATIONS)
        .upgrade("head")
        .expect("upgrade");
    assert_eq!(count(&mut conn, WRONG), 0);
    assert_eq!(
        count(
            &mut conn,
            "SELECT CAST(count(*) AS TEXT) AS v FROM __diesel_schema_migrations"
        ),
        2
    );
}

/// Run by the kill test as a separate process.
#[test]
fn batched_worker_upgrades_when_asked() {
    let Ok(url) = std::env::var("BATCHED_WORKER_URL") else {
        return;
    };
    let mut conn = AnyConnection::establish(&url).expect("connect");
    Runner::new(&mut conn, history::MIGRATIONS)
        .upgrade("head")
        .unwrap_or_else(|e| panic!("worker: {e}"));
}

#[test]
fn a_backfill_killed_midway_resumes_after_the_last_batch_and_ends_right() {
    let Some(db) = PgTestDatabase::create() else {
        return;
    };
    let mut conn = AnyConnection::establish(db.url()).expect("connect");
    let rows = 300_000;
    people(&mut conn, rows, PG_PEOPLE);

    let mut worker = Command::new(std::env::current_exe().expect("this test binary"))
        .args([
            "--exact",
            "batched_worker_upgrades_when_asked",
            "--nocapture",
        ])
        .env("BATCHED_WORKER_URL", db.url())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the worker");
    let done = "SELECT CAST(count(*) AS TEXT) AS v FROM people WHERE full_name IS NOT NULL";
    // Until the worker has added the column, the query fails: nothing written yet.
    let written_so_far = |conn: &mut AnyConnection| {
        conn.text_column(done)
            .ok()
            .and_then(|v| v[0].as_deref()?.parse::<u64>().ok())
            .unwrap_or(0)
    };
    for _ in 0..400 {
        if written_so_far(&mut conn) >= 20_000 {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    worker.kill().expect("SIGKILL the worker");
    worker.wait().expect("reap the worker");
    std::thread::sleep(Duration::from_millis(200));

    let written = count(&mut conn, done);
    assert!(
        written >= 20_000 && written < rows,
        "killed midway: {written} of {rows} rows written"
    );
    assert_eq!(written % 1000, 0, "only whole batches were committed");
    let marker =
        "SELECT CAST(count(*) AS TEXT) AS v FROM __migration_history WHERE state = 'in_progress'";
    assert_eq!(
        count(&mut conn, marker),
        1,
        "the migration is marked partly applied"
    );

    let cli = |args: &[&str]| {
        use clap::Parser;
        let mut argv = vec!["app", "--database-url", db.url()];
        argv.extend_from_slice(args);
        let parsed = migration_runtime::cli::Cli::try_parse_from(argv).expect("arguments");
        let mut out = Vec::new();
        let code =
            migration_runtime::cli::run(history::MIGRATIONS, parsed, &mut out).expect("command");
        (code, String::from_utf8(out).expect("utf-8"))
    };
    let (_, out) = cli(&["history"]);
    assert_eq!(
        out,
        "[x] 2024_10_01_000001 create_people\n[~] 2024_10_02_000001 add_full_name\n"
    );
    let (code, out) = cli(&["check"]);
    assert_eq!(code, std::process::ExitCode::from(1));
    assert!(
        out.starts_with("partly applied: 2024_10_02_000001"),
        "{out}"
    );

    let applied = Runner::new(&mut conn, history::MIGRATIONS)
        .upgrade("head")
        .expect("resume");
    assert_eq!(applied, ["2024_10_02_000001"]);
    assert_eq!(count(&mut conn, WRONG), 0, "every row has its full name");
    // Every batch ran once, before or after the kill: 300 transactions wrote the rows.
    assert_eq!(
        count(
            &mut conn,
            "SELECT CAST(count(DISTINCT CAST(xmin AS TEXT)) AS TEXT) AS v FROM people"
        ),
        300
    );
    assert_eq!(count(&mut conn, marker), 0);
}
