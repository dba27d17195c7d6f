//! Floating-point overflow means the same on PostgreSQL and SQLite:
//! `double` arithmetic whose result is infinite from finite operands, or a
//! product or quotient that is zero from nonzero ones, fails on both
//! backends (SQLite alone gives infinity or zero). A migration that
//! overflows fails whole, naming itself, and leaves the database as it was.

use integration_tests::{on_both_backends, value};
use migration_runtime::model::{Check, Expr, Function, List, Literal, Op, Schema, SqlType};
use migration_runtime::testing::{PgTestDatabase, sqlite_memory};
use migration_runtime::{AnyConnection, Backend, Runner};

/// Measurements scaled by a factor, in a `double` column.
#[migration_runtime::migrations]
mod scaled {
    #[migration(id = "2025_03_01_000001")]
    fn create_readings(m: &mut Up) {
        m.create_table("readings", |t| {
            t.id("id");
            t.column("value", double());
        });
    }

    #[migration(id = "2025_03_02_000001")]
    fn scale_readings(m: &mut Up) {
        m.add_column("readings", "scaled", double().nullable());
        m.backfill("readings", "scaled", col("value") * 1e10)
            .only_where(col("scaled").is_null());
    }
}

/// The history rows and the columns of `readings`, to compare before and
/// after.
fn state(conn: &mut AnyConnection) -> (String, Vec<String>) {
    let applied = value(
        conn,
        "SELECT CAST(count(*) AS TEXT) AS v FROM __diesel_schema_migrations",
    );
    let columns = conn
        .introspect()
        .expect("read the schema")
        .table("readings")
        .expect("the table")
        .columns
        .iter()
        .map(|c| c.name.to_string())
        .collect();
    (applied, columns)
}

fn an_overflowing_backfill_fails_the_migration_whole(conn: &mut AnyConnection) {
    Runner::new(conn, scaled::MIGRATIONS)
        .upgrade("+1")
        .expect("create readings");
    conn.batch_execute("INSERT INTO readings (value) VALUES (1.5), (-1e298), (1e300), (0)")
        .expect("readings");
    let before = state(conn);

    let error = Runner::new(conn, scaled::MIGRATIONS)
        .upgrade("head")
        .expect_err("1e300 * 1e10 is past double precision");
    let message = error.to_string();
    assert!(
        message.contains("migration `2025_03_02_000001` failed at `UPDATE \"readings\"")
            && message.contains("value out of range: overflow"),
        "{message}"
    );
    assert_eq!(
        state(conn),
        before,
        "the column added before the backfill is gone, the migration not recorded"
    );

    conn.batch_execute("UPDATE readings SET value = 3 WHERE value = 1e300")
        .expect("fix the data");
    Runner::new(conn, scaled::MIGRATIONS)
        .upgrade("head")
        .expect("upgrade");
    // Compared as numbers: the backends write doubles as text differently.
    let scaled = conn
        .text_column(
            "SELECT CASE WHEN scaled = value * 1e10 THEN 'scaled' ELSE 'other' END AS v \
             FROM readings ORDER BY id",
        )
        .expect("read the readings");
    assert_eq!(scaled, ["scaled"; 4].map(|v| Some(v.to_owned())));
}

on_both_backends!(an_overflowing_backfill_fails_the_migration_whole => an_overflowing_backfill_fails_the_migration_whole_on_sqlite, an_overflowing_backfill_fails_the_migration_whole_on_postgres);

fn col(name: &str) -> Expr {
    Expr::Column(name.to_owned().into())
}

/// PostgreSQL's outcome for `x op y` in `double precision`, as a check
/// computing it gives it: fine, or the error's message.
fn expected(op: Function, x: f64, y: f64) -> Result<(), &'static str> {
    let result = match op {
        Function::Add => x + y,
        Function::Sub => x - y,
        Function::Mul => x * y,
        _ if y == 0.0 => return Ok(()),
        _ => x / y,
    };
    let scales = matches!(op, Function::Mul | Function::Div);
    if result.is_infinite() {
        Err("value out of range: overflow")
    } else if scales && result == 0.0 && x != 0.0 && y != 0.0 {
        Err("value out of range: underflow")
    } else {
        Ok(())
    }
}

/// A table of two `double` columns whose check computes `x op y`: holds
/// for every value, fails only when the computation does.
fn computing_table(op: Function) -> Op {
    let computed = Expr::Call(op, vec![col("x"), col("y")].into());
    let condition = Expr::Call(
        Function::Ge,
        vec![computed, Expr::Literal(Literal::Float(f64::MIN))].into(),
    );
    let mut table = integration_tests::nullable_columns(
        "computed",
        &[("x", SqlType::Double), ("y", SqlType::Double)],
    );
    table.checks = List::Owned(vec![Check {
        name: "computes".to_owned().into(),
        condition,
    }]);
    Op::CreateTable(table)
}

/// A check is evaluated by every connection, the toolkit's or not: on
/// SQLite its `double` arithmetic is plain SQL that fails on overflow and
/// underflow as PostgreSQL does, on a connection without the toolkit's
/// functions too.
#[test]
fn a_check_computes_doubles_as_postgresql_does_on_any_sqlite_connection() {
    let Some(db) = PgTestDatabase::create() else {
        return;
    };
    let mut pg = AnyConnection::establish(db.url()).expect("connect");
    let mut sqlite = AnyConnection::Sqlite(sqlite_memory());
    let pairs = [
        (1e308, 10.0),
        (-1e308, 10.0),
        (1e308, 1e308),
        (-1e308, 1e308),
        (1e308, -1e308),
        (1e-308, 1e-308),
        (1e308, 1e-10),
        (1e-308, 1e10),
        (1e-308, 1e308),
        (0.0, 1e-308),
        (1e308, 0.0),
        (7.0, 2.0),
    ];
    let mut failures = 0;
    for op in [Function::Add, Function::Sub, Function::Mul, Function::Div] {
        let create = computing_table(op);
        for (backend, conn) in [(Backend::Postgres, &mut pg), (Backend::Sqlite, &mut sqlite)] {
            let statements = backend.render(&create, &Schema::new()).expect("render");
            conn.batch_execute(&statements.join(";\n"))
                .expect("create the table");
            for (x, y) in pairs {
                let want = expected(op, x, y);
                let inserted = conn
                    .batch_execute(&format!(
                        "INSERT INTO computed (x, y) VALUES ({x:e}, {y:e})"
                    ))
                    .map_err(|e| e.to_string());
                match (&want, &inserted) {
                    (Ok(()), Ok(())) => {}
                    (Err(message), Err(error)) if error.contains(message) => {}
                    _ => panic!(
                        "{op:?} of {x:e} and {y:e} on {}: {inserted:?}, not {want:?}",
                        backend.name()
                    ),
                }
            }
            conn.batch_execute("DROP TABLE computed")
                .expect("drop the table");
        }
        failures += pairs
            .iter()
            .filter(|(x, y)| expected(op, *x, *y).is_err())
            .count();
    }
    assert!(failures >= 10, "the rows reach past double: {failures}");
}
