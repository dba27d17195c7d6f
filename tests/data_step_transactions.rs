//! A Rust data step that opens a transaction the diesel way
//! (`conn.transaction(..)`) gets a savepoint inside the migration's
//! transaction: it cannot commit part of the migration, a later failure
//! still rolls the whole migration back, and its own failure undoes only
//! its own work, on PostgreSQL and SQLite, whether the migration runs alone
//! or in a run that is one transaction.

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

/// A step whose own transaction fails and is rolled back, and the
/// migration goes on.
#[migration_runtime::migrations]
mod undone {
    use diesel::prelude::*;
    use migration_runtime::{AnyConnection, DataStepResult};

    #[migration(id = "2024_03_01_000001")]
    fn create_members(m: &mut Up) {
        m.create_table("members", |t| {
            t.id("id");
            t.column("visits", integer().default(0));
        });
    }

    /// Adds a column, then counts one visit after a transaction of its
    /// own that counted a hundred failed.
    #[migration(id = "2024_03_03_000001")]
    fn add_note_and_count(m: &mut Up) {
        m.add_column("members", "note", text().nullable());
        m.run_rust(count_after_an_undone_transaction)
            .reverse_with(uncount);
    }

    fn count_after_an_undone_transaction(conn: &mut AnyConnection) -> DataStepResult {
        use schema_at::count_after_an_undone_transaction::members::dsl::*;
        let undone = conn.transaction(|conn| {
            diesel::update(members)
                .set(visits.eq(visits + 100))
                .execute(conn)?;
            Err::<(), _>(diesel::result::Error::RollbackTransaction)
        });
        match undone {
            Err(diesel::result::Error::RollbackTransaction) => {}
            other => return Err(format!("the step's own transaction: {other:?}").into()),
        }
        diesel::update(members)
            .set(visits.eq(visits + 1))
            .execute(conn)?;
        Ok(())
    }

    fn uncount(conn: &mut AnyConnection) -> DataStepResult {
        use schema_at::uncount::members::dsl::*;
        diesel::update(members)
            .set(visits.eq(visits - 1))
            .execute(conn)?;
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

fn a_failed_step_transaction_undoes_only_its_own_work(conn: &mut AnyConnection) {
    // One migration applied: the next is a transaction of its own.
    Runner::new(conn, undone::MIGRATIONS)
        .upgrade("+1")
        .expect("create members");
    conn.batch_execute("INSERT INTO members (visits) VALUES (0), (5)")
        .expect("members");
    Runner::new(conn, undone::MIGRATIONS)
        .upgrade("head")
        .expect("the step goes on after its own transaction fails");
    assert_eq!(
        state(conn),
        ("7".to_owned(), "2".to_owned()),
        "one visit counted per member, the hundred undone, the migration applied"
    );
    assert_eq!(
        value(
            conn,
            "SELECT CAST(count(*) AS TEXT) AS v FROM members WHERE note IS NULL"
        ),
        "2",
        "the column the migration added before the step is there"
    );

    // From an empty database: the whole run is one transaction.
    Runner::new(conn, undone::MIGRATIONS)
        .downgrade("base")
        .expect("down to nothing");
    Runner::new(conn, undone::MIGRATIONS)
        .upgrade("head")
        .expect("the whole run goes on after the step's transaction fails");
    assert_eq!(
        value(
            conn,
            "SELECT CAST(count(*) AS TEXT) AS v FROM __diesel_schema_migrations"
        ),
        "2"
    );
    assert_eq!(
        value(
            conn,
            "SELECT CAST(count(*) AS TEXT) AS v FROM members WHERE note IS NULL"
        ),
        "0",
        "an empty table, with its added column"
    );
}

on_both_backends!(a_failed_step_transaction_undoes_only_its_own_work =>
    sqlite_a_failed_step_transaction_undoes_only_its_own_work,
    postgres_a_failed_step_transaction_undoes_only_its_own_work);
