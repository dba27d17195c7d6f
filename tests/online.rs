//! On PostgreSQL the runner changes busy tables without blocking the
//! application's writes: NOT NULL proven by a validated check, indexes built
//! concurrently outside the transaction (with `repair` for a runner stopped
//! during one), foreign keys validated apart, and a bounded wait for locks.

use integration_tests::value;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use migration_runtime::runner::Timeouts;
use migration_runtime::testing::PgTestDatabase;
use migration_runtime::{AnyConnection, Error, Runner};

#[migration_runtime::migrations]
mod tighten {
    #[migration(id = "2024_11_01_000001")]
    fn create_people(m: &mut Up) {
        m.create_table("people", |t| {
            t.id("id");
            t.column("name", text().nullable());
        });
    }

    #[migration(id = "2024_11_02_000001")]
    fn name_required(m: &mut Up) {
        m.tighten_not_null("people", "name").assume_no_nulls();
    }
}

#[migration_runtime::migrations]
mod indexed {
    #[migration(id = "2024_11_01_000001")]
    fn create_items(m: &mut Up) {
        m.create_table("items", |t| {
            t.id("id");
            t.column("code", text());
        });
    }

    #[migration(id = "2024_11_02_000001")]
    fn index_codes(m: &mut Up) {
        m.create_index("items", ["code"]).unique();
    }
}

#[migration_runtime::migrations]
mod related {
    #[migration(id = "2024_11_01_000001")]
    fn create_tables(m: &mut Up) {
        m.create_table("owners", |t| {
            t.id("id");
        });
        m.create_table("pets", |t| {
            t.id("id");
            t.column("owner_id", bigint());
        });
    }

    #[migration(id = "2024_11_02_000001")]
    fn pets_have_owners(m: &mut Up) {
        m.add_foreign_key("pets", ["owner_id"], "owners", ["id"]);
    }
}

fn connect(db: &PgTestDatabase) -> AnyConnection {
    AnyConnection::establish(db.url()).expect("connect")
}

/// Whether another session is running a statement whose text contains `sql`.
fn running(conn: &mut AnyConnection, sql: &str) -> bool {
    value(
        conn,
        &format!(
            "SELECT CAST(count(*) AS TEXT) AS v FROM pg_stat_activity \
             WHERE state = 'active' AND pid <> pg_backend_pid() AND query LIKE '%{sql}%'"
        ),
    ) != "0"
}

/// Tightens `people.name` over three million rows while another session
/// inserts rows without pause, each giving up after waiting 100 ms for a
/// lock; returns (inserted, gave up).
fn tighten_while_writing(single_transaction: bool) -> (u32, u32) {
    let db = PgTestDatabase::create().expect("checked by the caller");
    let mut conn = connect(&db);
    Runner::new(&mut conn, tighten::MIGRATIONS)
        .upgrade("+1")
        .expect("create people");
    conn.batch_execute(
        "INSERT INTO people (name) SELECT 'person ' || n FROM generate_series(1, 3000000) AS n",
    )
    .expect("three million people");
    conn.batch_execute("VACUUM ANALYZE people").expect("vacuum");
    let done = AtomicBool::new(false);
    let db = &db;
    let (inserted, gave_up) = std::thread::scope(|scope| {
        let writer = scope.spawn(|| {
            let mut writer = connect(db);
            writer
                .batch_execute("SET lock_timeout = '100ms'")
                .expect("bounded waits");
            let (mut inserted, mut gave_up) = (0, 0);
            while !done.load(Ordering::SeqCst) {
                match writer.batch_execute("INSERT INTO people (name) VALUES ('written meanwhile')")
                {
                    Ok(()) => inserted += 1,
                    Err(error) if error.to_string().contains("lock timeout") => gave_up += 1,
                    Err(error) => panic!("insert: {error}"),
                }
            }
            (inserted, gave_up)
        });
        Runner::new(&mut conn, tighten::MIGRATIONS)
            .single_transaction(single_transaction)
            .upgrade("head")
            .expect("tighten");
        done.store(true, Ordering::SeqCst);
        writer.join().expect("writer")
    });
    let nullable = value(
        &mut conn,
        "SELECT is_nullable AS v FROM information_schema.columns \
         WHERE table_name = 'people' AND column_name = 'name'",
    );
    assert_eq!(nullable, "NO", "the column is NOT NULL in the end");
    let leftover = value(
        &mut conn,
        "SELECT CAST(count(*) AS TEXT) AS v FROM pg_constraint \
         WHERE contype = 'c' AND conrelid = 'people'::regclass",
    );
    assert_eq!(leftover, "0", "the temporary check is gone");
    (inserted, gave_up)
}

#[test]
fn tightening_not_null_lets_writes_go_on() {
    if PgTestDatabase::create().is_none() {
        return;
    }
    let (inserted, gave_up) = tighten_while_writing(false);
    assert!(inserted > 0, "the writer wrote during the tightening");
    assert_eq!(gave_up, 0, "no insert waited 100 ms for a lock");
    // The plain form, as `--single-transaction` runs it, holds ACCESS
    // EXCLUSIVE while it scans three million rows: inserts give up. Without
    // the online form, the assertion above would fail the same way.
    let (_, gave_up) = tighten_while_writing(true);
    assert!(gave_up > 0, "inserts wait behind a plain SET NOT NULL");
}

/// Not a test: one application instance, run by the tests below as a
/// separate process (`spawn_worker`).
#[test]
#[ignore = "a worker process the tests below start"]
fn worker_upgrades_when_asked() {
    let url = std::env::var("ONLINE_WORKER_URL")
        .expect("started by spawn_worker, which sets ONLINE_WORKER_URL");
    let mut conn = AnyConnection::establish(&url).expect("connect");
    Runner::new(&mut conn, indexed::MIGRATIONS)
        .upgrade("head")
        .unwrap_or_else(|e| panic!("worker: {e}"));
}

fn spawn_worker(url: &str) -> std::process::Child {
    Command::new(std::env::current_exe().expect("this test binary"))
        .args([
            "--exact",
            "worker_upgrades_when_asked",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("ONLINE_WORKER_URL", url)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start a worker")
}

fn cli(url: &str, args: &[&str]) -> String {
    integration_tests::run_cli(indexed::MIGRATIONS, url, args)
        .unwrap_or_else(|e| panic!("{e}"))
        .1
}

const INDEX_STATE: &str = "SELECT CASE WHEN i.indisvalid THEN 'valid' ELSE 'invalid' END AS v \
    FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = 'items_code_idx' \
    UNION ALL SELECT 'none' AS v WHERE NOT EXISTS (SELECT 1 FROM pg_class WHERE relname = 'items_code_idx')";

fn wait_for(conn: &mut AnyConnection, what: &str, condition: impl Fn(&mut AnyConnection) -> bool) {
    for _ in 0..400 {
        if condition(conn) {
            return;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    panic!("timed out waiting until {what}");
}

#[test]
fn an_index_build_lets_writes_go_on_and_a_runner_killed_during_it_needs_repair() {
    let Some(db) = PgTestDatabase::create() else {
        return;
    };
    let mut conn = connect(&db);
    Runner::new(&mut conn, indexed::MIGRATIONS)
        .upgrade("+1")
        .expect("create items");
    conn.batch_execute(
        "INSERT INTO items (code) SELECT 'code ' || n FROM generate_series(1, 1000) AS n",
    )
    .expect("items");
    // An application transaction with a write in flight: a concurrent index
    // build waits for it to end.
    let mut app = connect(&db);
    app.batch_execute("BEGIN; INSERT INTO items (code) VALUES ('in flight')")
        .expect("open transaction");

    let mut worker = spawn_worker(db.url());
    wait_for(&mut conn, "the worker builds the index", |conn| {
        running(conn, "CREATE UNIQUE INDEX CONCURRENTLY")
    });
    // Meanwhile other writes go on: nothing holds a lock they need.
    let mut writer = connect(&db);
    writer
        .batch_execute(
            "SET lock_timeout = '1ms'; INSERT INTO items (code) VALUES ('written meanwhile')",
        )
        .expect("a write during the index build does not wait");

    worker.kill().expect("SIGKILL the worker");
    worker.wait().expect("reap the worker");
    wait_for(
        &mut conn,
        "the server ends the dead worker's build",
        |conn| !running(conn, "CREATE UNIQUE INDEX CONCURRENTLY"),
    );
    app.batch_execute("COMMIT")
        .expect("the application commits");
    assert_eq!(
        value(&mut conn, INDEX_STATE),
        "invalid",
        "the stopped build left an invalid index"
    );

    let refused = Runner::new(&mut conn, indexed::MIGRATIONS).upgrade("head");
    match refused {
        Err(error @ Error::NeedsRepair { .. }) => {
            let message = error.to_string();
            assert!(
                message.contains("2024_11_02_000001")
                    && message.contains("CREATE UNIQUE INDEX CONCURRENTLY")
                    && message.contains("run `repair`"),
                "{message}"
            );
        }
        other => panic!("expected a refusal until repaired, got {other:?}"),
    }
    assert!(cli(db.url(), &["history"]).contains("[!] 2024_11_02_000001 index_codes"));
    assert!(cli(db.url(), &["check"]).contains("needs repair: 2024_11_02_000001"));

    let repaired = cli(db.url(), &["repair"]);
    assert!(
        repaired.contains("repaired 2024_11_02_000001 index_codes"),
        "{repaired}"
    );
    assert_eq!(
        value(&mut conn, INDEX_STATE),
        "none",
        "repair dropped the invalid index"
    );
    assert_eq!(cli(db.url(), &["repair"]), "nothing to repair\n");

    let applied = Runner::new(&mut conn, indexed::MIGRATIONS)
        .upgrade("head")
        .expect("upgrade after repair");
    assert_eq!(applied, ["2024_11_02_000001"]);
    assert_eq!(value(&mut conn, INDEX_STATE), "valid");
    assert_eq!(
        value(
            &mut conn,
            "SELECT CAST(count(*) AS TEXT) AS v FROM __migration_history WHERE state = 'applied'"
        ),
        "2"
    );
}

#[test]
fn a_failed_index_build_is_cleaned_up_and_runs_again_once_the_data_is_fixed() {
    let Some(db) = PgTestDatabase::create() else {
        return;
    };
    let mut conn = connect(&db);
    Runner::new(&mut conn, indexed::MIGRATIONS)
        .upgrade("+1")
        .expect("create items");
    conn.batch_execute("INSERT INTO items (code) VALUES ('a'), ('b'), ('a')")
        .expect("a duplicate code");
    let error = Runner::new(&mut conn, indexed::MIGRATIONS)
        .upgrade("head")
        .expect_err("a unique index over duplicates fails");
    let message = error.to_string();
    assert!(
        message
            .contains("migration `2024_11_02_000001` failed at `CREATE UNIQUE INDEX CONCURRENTLY"),
        "{message}"
    );
    assert_eq!(
        value(&mut conn, INDEX_STATE),
        "none",
        "the invalid index was dropped"
    );
    assert_eq!(
        value(
            &mut conn,
            "SELECT CAST(count(*) AS TEXT) AS v FROM __diesel_schema_migrations"
        ),
        "1",
        "the migration is not recorded as applied"
    );

    conn.batch_execute("DELETE FROM items WHERE id = 3")
        .expect("fix the data");
    let applied = Runner::new(&mut conn, indexed::MIGRATIONS)
        .upgrade("head")
        .expect("upgrade");
    assert_eq!(applied, ["2024_11_02_000001"]);
    assert_eq!(value(&mut conn, INDEX_STATE), "valid");
}

#[test]
fn ten_processes_at_once_with_a_concurrent_index_build_do_not_deadlock() {
    let Some(db) = PgTestDatabase::create() else {
        return;
    };
    let workers: Vec<_> = (0..10).map(|_| spawn_worker(db.url())).collect();
    for worker in workers {
        let output = worker.wait_with_output().expect("worker ends");
        assert!(
            output.status.success(),
            "a worker failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let mut conn = connect(&db);
    assert_eq!(value(&mut conn, INDEX_STATE), "valid");
    assert_eq!(
        value(
            &mut conn,
            "SELECT CAST(count(*) AS TEXT) AS v FROM __diesel_schema_migrations"
        ),
        "2"
    );
    assert_eq!(
        value(
            &mut conn,
            "SELECT CAST(count(*) AS TEXT) AS v FROM __migration_history WHERE state = 'applied'"
        ),
        "2"
    );
}

#[test]
fn a_foreign_key_is_validated_apart_and_checked_in_the_end() {
    let Some(db) = PgTestDatabase::create() else {
        return;
    };
    let mut conn = connect(&db);
    Runner::new(&mut conn, related::MIGRATIONS)
        .upgrade("+1")
        .expect("create tables");
    conn.batch_execute(
        "INSERT INTO owners (id) VALUES (1); INSERT INTO pets (owner_id) VALUES (1), (2)",
    )
    .expect("a pet whose owner is missing");
    let error = Runner::new(&mut conn, related::MIGRATIONS)
        .upgrade("head")
        .expect_err("validation finds the orphan");
    let message = error.to_string();
    assert!(
        message.contains("2024_11_02_000001")
            && message.contains("VALIDATE CONSTRAINT \"pets_owner_id_fkey\""),
        "{message}"
    );
    assert_eq!(
        value(
            &mut conn,
            "SELECT CAST(count(*) AS TEXT) AS v FROM pg_constraint WHERE conname = 'pets_owner_id_fkey'"
        ),
        "0",
        "the key added NOT VALID before the failed validation is dropped again"
    );
    assert_eq!(
        value(
            &mut conn,
            "SELECT CAST(count(*) AS TEXT) AS v FROM __migration_history WHERE state <> 'applied'"
        ),
        "0",
        "no partly applied mark is left"
    );

    conn.batch_execute("INSERT INTO owners (id) VALUES (2)")
        .expect("fix the data");
    Runner::new(&mut conn, related::MIGRATIONS)
        .upgrade("head")
        .expect("upgrade");
    assert_eq!(
        value(
            &mut conn,
            "SELECT CAST(convalidated AS TEXT) AS v FROM pg_constraint WHERE conname = 'pets_owner_id_fkey'"
        ),
        "true",
        "the key ends validated"
    );
    let orphan = conn.batch_execute("INSERT INTO pets (owner_id) VALUES (3)");
    assert!(orphan.is_err(), "the key is enforced");
}

#[test]
fn a_migration_waiting_too_long_for_a_lock_is_tried_again_then_gives_up() {
    let Some(db) = PgTestDatabase::create() else {
        return;
    };
    let mut conn = connect(&db);
    Runner::new(&mut conn, tighten::MIGRATIONS)
        .upgrade("+1")
        .expect("create people");
    let mut reader = connect(&db);
    reader
        .batch_execute("BEGIN; SELECT count(*) FROM people")
        .expect("a long read holds its lock");
    let quick = Timeouts {
        lock: Duration::from_millis(100),
        statement: None,
        attempts: 3,
    };
    let error = Runner::new(&mut conn, tighten::MIGRATIONS)
        .timeouts(quick)
        .upgrade("head")
        .expect_err("the lock never comes");
    assert!(
        matches!(&error, Error::LockNotAvailable { migration, attempts: 3, .. } if migration == "2024_11_02_000001"),
        "{error}"
    );
    assert_eq!(
        value(
            &mut conn,
            "SELECT CAST(count(*) AS TEXT) AS v FROM __diesel_schema_migrations"
        ),
        "1",
        "nothing of the migration was applied"
    );
    assert_eq!(
        value(
            &mut conn,
            "SELECT CAST(count(*) AS TEXT) AS v FROM pg_constraint WHERE contype = 'c' AND conrelid = 'people'::regclass"
        ),
        "0",
        "not even its first statement"
    );

    // The reader ends while the runner is between two attempts: it succeeds.
    let releaser = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(300));
        reader.batch_execute("COMMIT").expect("commit");
    });
    let patient = Timeouts {
        attempts: 20,
        ..quick
    };
    let applied = Runner::new(&mut conn, tighten::MIGRATIONS)
        .timeouts(patient)
        .upgrade("head")
        .expect("the lock comes in time");
    releaser.join().expect("releaser");
    assert_eq!(applied, ["2024_11_02_000001"]);
}
