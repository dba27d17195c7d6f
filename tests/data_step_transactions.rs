//! A Rust data step that opens a transaction the diesel way
//! (`conn.transaction(..)`) gets a savepoint inside the migration's
//! transaction: it cannot commit part of the migration, and a later failure
//! still rolls the whole migration back, on PostgreSQL and SQLite, whether
//! the migration runs alone or in a run that is one transaction.

use integration_tests::{on_both_backends, value};
use migration_runtime::{AnyConnection, Runner};

#[migration_runtime::migrations]
mod visits {
    use diesel::prelude::*;
    use migration_runtime::{AnyConnection, DataStepResult};

    #[migration(id = "2024_03_01_000001")]
    fn create_members(m: &mut Up) {
        m.create_table("members", |t| {
            t.id("id");
            t.column("visits", integer().default(0));
        });
    }

    /// Counts a visit in a transaction of its own making, then fails.
    #[migration(id = "2024_03_02_000001")]
    fn count_then_fail(m: &mut Up) {
        m.run_rust(count_in_a_transaction)
            .reverse_with(uncount_in_a_transaction);
        m.run_rust(refuse).reverse_with(accept);
    }

    fn count_in_a_transaction(conn: &mut AnyConnection) -> DataStepResult {
        use schema_at::count_in_a_transaction::members::dsl::*;
        conn.transaction(|conn| {
            diesel::update(members)
                .set(visits.eq(visits + 1))
                .execute(conn)
        })?;
        Ok(())
    }

    fn uncount_in_a_transaction(conn: &mut AnyConnection) -> DataStepResult {
        use schema_at::uncount_in_a_transaction::members::dsl::*;
        conn.transaction(|conn| {
            diesel::update(members)
                .set(visits.eq(visits - 1))
                .execute(conn)
        })?;
        Ok(())
    }

    fn refuse(_: &mut AnyConnection) -> DataStepResult {
        Err("refused".into())
    }

    fn accept(_: &mut AnyConnection) -> DataStepResult {
        Ok(())
    }
}

/// The visits of every member and the migrations applied.
fn state(conn: &mut AnyConnection) -> (String, String) {
    (
        value(conn, "SELECT CAST(sum(visits) AS TEXT) AS v FROM members"),
        value(
            conn,
            "SELECT CAST(count(*) AS TEXT) AS v FROM __diesel_schema_migrations",
        ),
    )
}

fn the_step_cannot_commit_part_of_the_migration(conn: &mut AnyConnection) {
    // A run of one migration on a database that has one applied.
    Runner::new(conn, visits::MIGRATIONS)
        .upgrade("+1")
        .expect("create members");
    conn.batch_execute("INSERT INTO members (visits) VALUES (0), (5)")
        .expect("members");
    let error = Runner::new(conn, visits::MIGRATIONS)
        .upgrade("head")
        .expect_err("the second step refuses");
    assert!(
        error.to_string().contains("2024_03_02_000001") && error.to_string().contains("refused"),
        "{error}"
    );
    assert_eq!(
        state(conn),
        ("5".to_owned(), "1".to_owned()),
        "the visits counted in the step's own transaction are rolled back with the migration"
    );
    conn.batch_execute("SELECT 1")
        .expect("the connection is usable");

    // The same in a run that is one transaction.
    let error = Runner::new(conn, visits::MIGRATIONS)
        .single_transaction(true)
        .upgrade("head")
        .expect_err("the second step refuses");
    assert!(error.to_string().contains("refused"), "{error}");
    assert_eq!(state(conn), ("5".to_owned(), "1".to_owned()));
}

on_both_backends!(the_step_cannot_commit_part_of_the_migration =>
    sqlite_a_step_cannot_commit_part_of_the_migration,
    postgres_a_step_cannot_commit_part_of_the_migration);
