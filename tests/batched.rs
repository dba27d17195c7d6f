//! Batched backfills: each batch its own transaction, in key order, sized
//! to the runner's batch time up to `.batched(n)` rows, and a runner killed
//! midway resumes after the last batch done, writing no row twice.

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

/// The rows each transaction wrote, in key order (PostgreSQL: a row's
/// `xmin` is the transaction that wrote it).
fn batch_sizes(conn: &mut AnyConnection) -> Vec<u64> {
    conn.text_column(
        "SELECT CAST(count(*) AS TEXT) AS v FROM people \
         GROUP BY CAST(xmin AS TEXT) ORDER BY min(id)",
    )
    .expect("batch sizes")
    .into_iter()
    .map(|rows| rows.expect("a count").parse().expect("a number"))
    .collect()
}

/// Backfills `rows` people with `runner`'s batch time on a fresh database;
/// returns the rows of each batch.
fn backfilled_in(rows: u64, batch_time: Option<Duration>) -> Option<Vec<u64>> {
    let db = PgTestDatabase::create()?;
    let mut conn = AnyConnection::establish(db.url()).expect("connect");
    people(&mut conn, rows, PG_PEOPLE);
    let mut runner = Runner::new(&mut conn, history::MIGRATIONS);
    if let Some(time) = batch_time {
        runner = runner.batch_time(time);
    }
    runner.upgrade("head").expect("upgrade");
    assert_eq!(count(&mut conn, WRONG), 0, "every row has its full name");
    let marker =
        "SELECT CAST(count(*) AS TEXT) AS v FROM __migration_history WHERE state <> 'applied'";
    assert_eq!(count(&mut conn, marker), 0, "no in-progress marker is left");
    Some(batch_sizes(&mut conn))
}

#[test]
fn postgres_backfills_in_batches_of_n_rows_each_in_its_own_transaction_without_a_batch_time() {
    let Some(sizes) = backfilled_in(10_500, Some(Duration::ZERO)) else {
        return;
    };
    let mut expected = vec![1000; 10];
    expected.push(500);
    assert_eq!(sizes, expected);
}

#[test]
fn postgres_batches_start_small_and_grow_to_n_rows_while_quicker_than_the_batch_time() {
    // No batch of at most 1,000 short rows takes ten seconds: sizes double
    // from the first batch's 100 rows until `.batched(1000)` caps them.
    let Some(sizes) = backfilled_in(10_500, Some(Duration::from_secs(10))) else {
        return;
    };
    let mut expected = vec![100, 200, 400, 800];
    expected.extend([1000; 9]);
    assert_eq!(sizes, expected);
}

#[test]
fn postgres_batches_shrink_to_fit_a_batch_time_no_batch_can_meet() {
    // Every batch takes longer than a microsecond: after the first, each
    // batch is sized down as far as it goes, to one row.
    let Some(sizes) = backfilled_in(500, Some(Duration::from_micros(1))) else {
        return;
    };
    let mut expected = vec![100];
    expected.extend([1; 400]);
    assert_eq!(sizes, expected);
}

#[test]
fn postgres_default_batches_never_pass_n_rows() {
    let Some(sizes) = backfilled_in(10_500, None) else {
        return;
    };
    assert_eq!(sizes.iter().sum::<u64>(), 10_500);
    assert_eq!(sizes[0], 100, "the first batch is small: {sizes:?}");
    assert!(sizes.iter().all(|&rows| rows <= 1000), "{sizes:?}");
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
    // Batches of exactly 1,000 rows, so that what committed is countable.
    Runner::new(&mut conn, history::MIGRATIONS)
        .batch_time(Duration::ZERO)
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
        .batch_time(Duration::ZERO)
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

#[test]
fn the_cli_sizes_batches_to_batch_time_ms() {
    use clap::Parser;
    let Some(db) = PgTestDatabase::create() else {
        return;
    };
    let mut conn = AnyConnection::establish(db.url()).expect("connect");
    people(&mut conn, 10_500, PG_PEOPLE);
    let argv = ["app", "--database-url", db.url(), "--batch-time-ms", "0"];
    let parsed = migration_runtime::cli::Cli::try_parse_from(argv).expect("arguments");
    let mut out = Vec::new();
    migration_runtime::cli::run(history::MIGRATIONS, parsed, &mut out).expect("upgrade");
    let mut expected = vec![1000; 10];
    expected.push(500);
    assert_eq!(batch_sizes(&mut conn), expected);
}

/// A table keyed by a `bytes()` column, then a batched backfill of it.
#[migration_runtime::migrations]
mod tokens {
    #[migration(id = "2024_10_05_000001")]
    fn create_tokens(m: &mut Up) {
        m.create_table("tokens", |t| {
            t.column("digest", bytes().primary_key());
            t.column("uses", integer().nullable());
        });
    }

    #[migration(id = "2024_10_06_000001")]
    fn count_uses(m: &mut Up) {
        m.backfill("tokens", "uses", 0)
            .only_where(col("uses").is_null())
            .restore_with(null())
            .batched(2);
    }
}

/// Backfills five tokens on the database at `url` (`INSERT`ed with
/// `tokens_sql`) and checks that every token was written; returns the
/// connection, or why not, within 20 seconds (a runner whose batches never
/// advance would run on).
fn backfilled_tokens(url: String, tokens_sql: &'static str) -> Result<AnyConnection, String> {
    let (done, finished) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let result = (|| {
            let mut conn = AnyConnection::establish(&url).map_err(|e| e.to_string())?;
            Runner::new(&mut conn, tokens::MIGRATIONS)
                .upgrade("+1")
                .map_err(|e| e.to_string())?;
            conn.batch_execute(tokens_sql).map_err(|e| e.to_string())?;
            Runner::new(&mut conn, tokens::MIGRATIONS)
                .batch_time(Duration::ZERO)
                .upgrade("head")
                .map_err(|e| e.to_string())?;
            let left = count(
                &mut conn,
                "SELECT CAST(count(*) AS TEXT) AS v FROM tokens WHERE uses IS NULL",
            );
            match left {
                0 => Ok(conn),
                _ => Err(format!("{left} tokens left without uses")),
            }
        })();
        let _ = done.send(result);
    });
    finished
        .recv_timeout(Duration::from_secs(20))
        .map_err(|_| "the backfill was still running after 20 seconds".to_owned())?
}

#[test]
fn sqlite_backfills_a_table_keyed_by_bytes() {
    // A blob never compares to the text a batch's bounds are written as:
    // the backfill runs as one UPDATE.
    let result = backfilled_tokens(
        ":memory:".to_owned(),
        "INSERT INTO tokens (digest) VALUES (X'00'), (X'01'), (X'41'), (X'4142'), (X'ff')",
    );
    if let Err(error) = result {
        panic!("{error}");
    }
}

#[test]
fn postgres_backfills_a_table_keyed_by_bytes_in_batches() {
    let Some(db) = PgTestDatabase::create() else {
        return;
    };
    let result = backfilled_tokens(
        db.url().to_owned(),
        r"INSERT INTO tokens (digest) VALUES ('\x00'), ('\x01'), ('\x41'), ('\x4142'), ('\xff')",
    );
    let mut conn = result.unwrap_or_else(|error| panic!("{error}"));
    let transactions = count(
        &mut conn,
        "SELECT CAST(count(DISTINCT CAST(xmin AS TEXT)) AS TEXT) AS v FROM tokens",
    );
    assert_eq!(transactions, 3, "batches of 2, 2 and 1 tokens");
}
