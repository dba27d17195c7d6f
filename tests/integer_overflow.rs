//! Integer overflow means the same on PostgreSQL and SQLite: arithmetic in
//! `smallint`, `integer` or `bigint`, and a value written into a narrower
//! integer column, fail past the type's range on both backends (SQLite alone
//! would compute in 64 bits, then in floating point). A migration that
//! overflows fails whole, naming itself, and leaves the database as it was.

use diesel::connection::SimpleConnection;
use integration_tests::{on_both_backends, value};
use migration_runtime::model::{Check, Expr, Function, List, Literal, Op, Schema, SqlType};
use migration_runtime::testing::{PgTestDatabase, sqlite_memory};
use migration_runtime::{AnyConnection, Backend, Runner};

/// Scaled counters, in an `integer` column: `n * 1000` is an `integer`
/// too, past 2147483647 from n = 2147484.
#[migration_runtime::migrations]
mod scaled {
    #[migration(id = "2025_01_01_000001")]
    fn create_counters(m: &mut Up) {
        m.create_table("counters", |t| {
            t.id("id");
            t.column("n", integer());
        });
    }

    #[migration(id = "2025_01_02_000001")]
    fn scale_counters(m: &mut Up) {
        m.add_column("counters", "scaled", integer().nullable());
        m.backfill("counters", "scaled", col("n") * 1000)
            .only_where(col("scaled").is_null());
    }
}

/// The history rows and the columns of `table`, to compare before and after.
fn state(conn: &mut AnyConnection, table: &str) -> (String, Vec<String>) {
    let applied = value(
        conn,
        "SELECT CAST(count(*) AS TEXT) AS v FROM __diesel_schema_migrations",
    );
    let columns = conn
        .introspect()
        .expect("read the schema")
        .table(table)
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
        .expect("create counters");
    conn.batch_execute("INSERT INTO counters (n) VALUES (1), (2147483), (2147484), (-5)")
        .expect("counters");
    let before = state(conn, "counters");

    let error = Runner::new(conn, scaled::MIGRATIONS)
        .upgrade("head")
        .expect_err("2147484 * 1000 is past integer");
    let message = error.to_string();
    assert!(
        message.contains("migration `2025_01_02_000001` failed at `UPDATE \"counters\"")
            && message.contains("integer out of range"),
        "{message}"
    );
    assert_eq!(
        state(conn, "counters"),
        before,
        "the column added before the backfill is gone, the migration not recorded"
    );

    conn.batch_execute("UPDATE counters SET n = 2 WHERE n = 2147484")
        .expect("fix the data");
    Runner::new(conn, scaled::MIGRATIONS)
        .upgrade("head")
        .expect("upgrade");
    let scaled = conn
        .text_column("SELECT CAST(scaled AS TEXT) AS v FROM counters ORDER BY id")
        .expect("read the counters");
    // 2147483 * 1000 just fits.
    let expected = ["1000", "2147483000", "2000", "-5000"];
    assert_eq!(scaled, expected.map(|v| Some(v.to_owned())));
}

on_both_backends!(an_overflowing_backfill_fails_the_migration_whole => an_overflowing_backfill_fails_the_migration_whole_on_sqlite, an_overflowing_backfill_fails_the_migration_whole_on_postgres);

/// Totals copied into a narrower column, in batches, then the wide column
/// narrowed itself.
#[migration_runtime::migrations]
mod narrowed {
    #[migration(id = "2025_02_01_000001")]
    fn create_totals(m: &mut Up) {
        m.create_table("totals", |t| {
            t.id("id");
            t.column("total", bigint());
            t.column("small", integer().nullable());
        });
    }

    #[migration(id = "2025_02_02_000001")]
    fn copy_totals(m: &mut Up) {
        m.backfill("totals", "small", col("total"))
            .restore_with(null())
            .batched(2);
    }

    #[migration(
        id = "2025_02_03_000001",
        irreversible = "totals past integer are lost"
    )]
    fn narrow_totals(m: &mut Up) {
        m.change_type("totals", "total", integer());
    }
}

fn a_value_past_a_narrower_column_fails_the_migration(conn: &mut AnyConnection) {
    Runner::new(conn, narrowed::MIGRATIONS)
        .upgrade("+1")
        .expect("create totals");
    conn.batch_execute(
        "INSERT INTO totals (total) VALUES (1), (2147483647), (-2147483648), (2147483648), (7)",
    )
    .expect("totals");
    let before = state(conn, "totals");

    let error = Runner::new(conn, narrowed::MIGRATIONS)
        .upgrade("+1")
        .expect_err("2147483648 does not fit an integer column");
    let message = error.to_string();
    assert!(
        message.contains("migration `2025_02_02_000001` failed at `UPDATE \"totals\"")
            && message.contains("integer out of range"),
        "{message}"
    );
    assert_eq!(state(conn, "totals"), before);
    assert_eq!(
        value(
            conn,
            "SELECT CAST(count(*) AS TEXT) AS v FROM totals WHERE small IS NOT NULL"
        ),
        "0",
        "the batches that committed are undone"
    );

    conn.batch_execute("UPDATE totals SET total = 3 WHERE total = 2147483648")
        .expect("fix the data");
    Runner::new(conn, narrowed::MIGRATIONS)
        .upgrade("+1")
        .expect("copy the totals");
    conn.batch_execute("UPDATE totals SET total = -2147483649 WHERE id = 3")
        .expect("a total past integer");
    let error = Runner::new(conn, narrowed::MIGRATIONS)
        .upgrade("head")
        .expect_err("-2147483649 does not fit an integer");
    let message = error.to_string();
    assert!(
        message.contains("migration `2025_02_03_000001` failed at")
            && message.contains("integer out of range"),
        "{message}"
    );
    let totals = "SELECT CAST(total AS TEXT) AS v FROM totals ORDER BY id";
    let kept = conn.text_column(totals).expect("read the totals");
    let wide = ["1", "2147483647", "-2147483649", "3", "7"];
    assert_eq!(
        kept,
        wide.map(|v| Some(v.to_owned())),
        "the totals are kept"
    );

    conn.batch_execute("UPDATE totals SET total = -2147483648 WHERE id = 3")
        .expect("fix the data");
    Runner::new(conn, narrowed::MIGRATIONS)
        .upgrade("head")
        .expect("narrow the totals");
    let narrow = ["1", "2147483647", "-2147483648", "3", "7"];
    assert_eq!(
        conn.text_column(totals).expect("read the totals"),
        narrow.map(|v| Some(v.to_owned()))
    );
}

on_both_backends!(a_value_past_a_narrower_column_fails_the_migration => a_value_past_a_narrower_column_fails_the_migration_on_sqlite, a_value_past_a_narrower_column_fails_the_migration_on_postgres);

/// Whether PostgreSQL computes `x op y` in `ty`, or its error.
fn expected(op: Function, x: i64, y: i64, ty: SqlType) -> Result<(), String> {
    integration_tests::postgres_integer_result(op, x, y, ty).map(|_| ())
}

fn col(name: &str) -> Expr {
    Expr::Column(name.to_owned().into())
}

/// A table of two `ty` columns whose check computes `x op y`: holds for
/// every value, fails only when the computation does.
fn computing_table(op: Function, ty: SqlType) -> Op {
    let computed = Expr::Call(op, vec![col("x"), col("y")].into());
    let condition = Expr::Call(
        Function::Ge,
        vec![computed, Expr::Literal(Literal::Int(i64::MIN))].into(),
    );
    let mut table = integration_tests::nullable_columns("computed", &[("x", ty), ("y", ty)]);
    table.checks = List::Owned(vec![Check {
        name: "computes".to_owned().into(),
        condition,
    }]);
    Op::CreateTable(table)
}

/// A check is evaluated by every connection, the toolkit's or not: on
/// SQLite its arithmetic is plain SQL that fails past the type's range, on
/// a connection without the toolkit's functions too.
#[test]
fn a_check_computes_as_postgresql_does_on_any_sqlite_connection() {
    let Some(db) = PgTestDatabase::create() else {
        return;
    };
    let mut pg = AnyConnection::establish(db.url()).expect("connect");
    let mut sqlite = AnyConnection::Sqlite(sqlite_memory());
    let mut failures = 0;
    for (ty, min, max) in [
        (SqlType::SmallInt, i64::from(i16::MIN), i64::from(i16::MAX)),
        (SqlType::Integer, i64::from(i32::MIN), i64::from(i32::MAX)),
        (SqlType::BigInt, i64::MIN, i64::MAX),
    ] {
        let root = max.isqrt();
        let pairs = [
            (max, 1),
            (max - 1, 1),
            (min, 1),
            (min + 1, 1),
            (min, -1),
            (min + 1, -1),
            (root, root),
            (root + 1, root + 1),
            (min / 2, 2),
            (max / 2 + 1, 2),
            (max, 0),
        ];
        for op in [Function::Add, Function::Sub, Function::Mul, Function::Div] {
            let create = computing_table(op, ty);
            for (backend, conn) in [(Backend::Postgres, &mut pg), (Backend::Sqlite, &mut sqlite)] {
                let statements = backend.render(&create, &Schema::new()).expect("render");
                conn.batch_execute(&statements.join(";\n"))
                    .expect("create the table");
                for (x, y) in pairs {
                    let want = expected(op, x, y, ty);
                    let inserted = conn
                        .batch_execute(&format!("INSERT INTO computed (x, y) VALUES ({x}, {y})"))
                        .map_err(|e| e.to_string());
                    match (&want, &inserted) {
                        (Ok(()), Ok(())) => {}
                        (Err(message), Err(error)) if error.contains(message.as_str()) => {}
                        _ => panic!(
                            "{op:?} of {x} and {y} as {ty} on {}: {inserted:?}, not {want:?}",
                            backend.name()
                        ),
                    }
                }
                conn.batch_execute("DROP TABLE computed")
                    .expect("drop the table");
            }
            failures += pairs
                .iter()
                .filter(|(x, y)| expected(op, *x, *y, ty).is_err())
                .count();
        }
    }
    assert!(failures >= 20, "the rows reach past every type: {failures}");
}

/// The SQL a plain SQLite connection runs by hand needs the toolkit's
/// functions for arithmetic outside checks, and says so.
#[test]
fn arithmetic_outside_checks_needs_the_toolkit_functions_on_sqlite() {
    let mut plain = sqlite_memory();
    plain
        .batch_execute("CREATE TABLE counters (n INTEGER)")
        .expect("counters");
    let row = integration_tests::nullable_columns("counters", &[("n", SqlType::Integer)]);
    let doubled = Expr::Call(
        Function::Mul,
        vec![col("n"), Expr::Literal(Literal::Int(2))].into(),
    );
    let sql = Backend::Sqlite.render_expr(&doubled, &row).expect("render");
    let query = format!("SELECT {sql} FROM counters");
    let error = plain.batch_execute(&query).expect_err("no int_mul");
    assert!(
        error.to_string().contains("no such function: int_mul"),
        "{error}"
    );
    migration_runtime::register_sqlite_functions(&mut plain).expect("register");
    plain.batch_execute(&query).expect("with the functions");
}
