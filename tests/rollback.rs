//! A migration the runner cuts into several transactions (a lock-friendly
//! step on an existing PostgreSQL table, a batched backfill) still fails
//! whole: when a later transaction fails, what the earlier ones committed is
//! undone, and the database is as it was before the migration.

use integration_tests::on_both_backends;
use integration_tests::value;
use migration_runtime::testing::PgTestDatabase;
use migration_runtime::{AnyConnection, Runner};

#[migration_runtime::migrations]
mod codes {
    #[migration(id = "2024_12_01_000001")]
    fn create_items(m: &mut Up) {
        m.create_table("items", |t| {
            t.id("id");
            t.column("code", text());
        });
    }

    /// A column, then a unique index built concurrently: the column commits
    /// before the index build, which fails on duplicate codes.
    #[migration(id = "2024_12_02_000001")]
    fn unique_codes(m: &mut Up) {
        m.add_column("items", "note", text().nullable());
        m.create_index("items", ["code"]).unique();
    }
}

#[migration_runtime::migrations]
mod numbers {
    #[migration(id = "2024_12_01_000001")]
    fn create_items(m: &mut Up) {
        m.create_table("items", |t| {
            t.id("id");
            t.column("code", text());
        });
    }

    /// Codes as numbers, in batches of 100: a code that is no number fails
    /// a batch after earlier batches committed.
    #[migration(id = "2024_12_02_000001")]
    fn numeric_codes(m: &mut Up) {
        m.add_column("items", "number", bigint().nullable());
        m.backfill("items", "number", cast(col("code"), bigint()))
            .batched(100);
    }
}

/// The history rows and the columns of `items`, to compare before and after.
fn state(conn: &mut AnyConnection) -> (String, String, Vec<String>) {
    let applied = value(
        conn,
        "SELECT CAST(count(*) AS TEXT) AS v FROM __diesel_schema_migrations",
    );
    let marks = value(
        conn,
        "SELECT CAST(count(*) AS TEXT) AS v FROM __migration_history WHERE state <> 'applied'",
    );
    let columns = conn
        .introspect()
        .expect("read the schema")
        .table("items")
        .expect("items")
        .columns
        .iter()
        .map(|c| c.name.to_string())
        .collect();
    (applied, marks, columns)
}

#[test]
fn a_failed_concurrent_index_build_undoes_the_column_added_before_it() {
    let Some(db) = PgTestDatabase::create() else {
        return;
    };
    let mut conn = AnyConnection::establish(db.url()).expect("connect");
    Runner::new(&mut conn, codes::MIGRATIONS)
        .upgrade("+1")
        .expect("create items");
    conn.batch_execute("INSERT INTO items (code) VALUES ('a'), ('b'), ('a')")
        .expect("a duplicate code");
    let before = state(&mut conn);

    let error = Runner::new(&mut conn, codes::MIGRATIONS)
        .upgrade("head")
        .expect_err("duplicates");
    assert!(
        error.to_string().starts_with(
            "migration `2024_12_02_000001` failed at `CREATE UNIQUE INDEX CONCURRENTLY"
        ),
        "{error}"
    );
    assert_eq!(state(&mut conn), before, "the database is as it was");
    assert_eq!(
        value(
            &mut conn,
            "SELECT CAST(count(*) AS TEXT) AS v FROM pg_class WHERE relname = 'items_code_idx'"
        ),
        "0"
    );
}

fn failed_batch_undoes_earlier_batches(conn: &mut AnyConnection) {
    Runner::new(conn, numbers::MIGRATIONS)
        .upgrade("+1")
        .expect("create items");
    conn.batch_execute(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300) \
         INSERT INTO items (code) SELECT CAST(i AS TEXT) FROM n",
    )
    .expect("300 items");
    conn.batch_execute("UPDATE items SET code = 'two hundred and fifty' WHERE id = 250")
        .expect("one code is no number");
    let before = state(conn);

    let error = Runner::new(conn, numbers::MIGRATIONS)
        .upgrade("head")
        .expect_err("a batch fails");
    let message = error.to_string();
    assert!(
        message
            .contains("migration `2024_12_02_000001` failed at `UPDATE \"items\" SET \"number\"")
            && message.contains("two hundred and fifty"),
        "{message}"
    );
    assert_eq!(
        state(conn),
        before,
        "the batches that committed are undone with the column"
    );

    conn.batch_execute("UPDATE items SET code = '250' WHERE id = 250")
        .expect("fix the data");
    Runner::new(conn, numbers::MIGRATIONS)
        .upgrade("head")
        .expect("upgrade");
    assert_eq!(
        value(
            conn,
            "SELECT CAST(count(*) AS TEXT) AS v FROM items WHERE number = id"
        ),
        "300"
    );
}

on_both_backends!(failed_batch_undoes_earlier_batches => a_failed_batch_undoes_the_earlier_batches_on_sqlite, a_failed_batch_undoes_the_earlier_batches_on_postgres);

/// Codes overwritten in batches, irreversibly: a failing batch leaves the
/// migration partly applied (the codes it overwrote cannot be put back).
#[migration_runtime::migrations]
mod overwrite {
    #[migration(id = "2024_12_01_000001")]
    fn create_items(m: &mut Up) {
        m.create_table("items", |t| {
            t.id("id");
            t.column("code", text());
            t.check("not_bad", col("code").ne("BAD"));
        });
    }

    #[migration(id = "2024_12_02_000001", irreversible = "codes are derived")]
    fn upper_codes(m: &mut Up) {
        m.backfill("items", "code", upper(col("code"))).batched(2);
    }
}

/// The same history, with the second migration edited since.
#[migration_runtime::migrations]
mod overwrite_edited {
    #[migration(id = "2024_12_01_000001")]
    fn create_items(m: &mut Up) {
        m.create_table("items", |t| {
            t.id("id");
            t.column("code", text());
            t.check("not_bad", col("code").ne("BAD"));
        });
    }

    #[migration(id = "2024_12_02_000001", irreversible = "codes are derived")]
    fn upper_codes(m: &mut Up) {
        m.backfill("items", "code", upper(trim(col("code"))))
            .batched(2);
    }
}

fn an_edited_partly_applied_migration_is_not_resumed(conn: &mut AnyConnection) {
    Runner::new(conn, overwrite::MIGRATIONS)
        .upgrade("+1")
        .expect("create items");
    conn.batch_execute("INSERT INTO items (code) VALUES ('a'), ('b'), ('bad'), ('d')")
        .expect("items");
    let error = Runner::new(conn, overwrite::MIGRATIONS)
        .upgrade("head")
        .expect_err("'BAD' breaks the check in the second batch");
    assert!(
        error.to_string().contains("marked partly applied"),
        "{error}"
    );

    let error = Runner::new(conn, overwrite_edited::MIGRATIONS)
        .upgrade("head")
        .expect_err("an edited migration does not resume");
    assert_eq!(
        error.to_string(),
        "migration `2024_12_02_000001` is partly applied and was changed since it started: \
         put it back as it was and run `upgrade` to finish it, then write the change as a new migration"
    );

    conn.batch_execute("UPDATE items SET code = 'bd' WHERE id = 3")
        .expect("fix the data");
    let applied = Runner::new(conn, overwrite::MIGRATIONS)
        .upgrade("head")
        .expect("the unedited migration resumes");
    assert_eq!(applied, ["2024_12_02_000001"]);
}

on_both_backends!(an_edited_partly_applied_migration_is_not_resumed => an_edited_partly_applied_migration_is_not_resumed_on_sqlite, an_edited_partly_applied_migration_is_not_resumed_on_postgres);
