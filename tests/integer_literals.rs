//! Integer literals at the edges of their types work the same on PostgreSQL
//! and SQLite: a default that just fits its column, literals alone whose
//! result just fits `integer`, and a literal past `integer`, which is a
//! `bigint` in the arithmetic it takes part in. (One past the edge is a
//! compile error: `tests/ui/literal_arithmetic_past_its_type.rs`,
//! `tests/ui/integer_default_past_its_range.rs`.)

use integration_tests::on_both_backends;
use migration_runtime::{AnyConnection, Runner};

#[migration_runtime::migrations]
mod edges {
    #[migration(id = "2025_03_01_000001")]
    fn create_gauges(m: &mut Up) {
        m.create_table("gauges", |t| {
            t.id("id");
            t.column("reading", integer().default(2147483647));
            t.column("low", smallint().default(-32768));
            t.column("wide", bigint().nullable());
        });
    }

    #[migration(id = "2025_03_02_000001")]
    fn fill_gauges(m: &mut Up) {
        m.add_column("gauges", "high", smallint().default(32767));
        m.set_default("gauges", "reading", -2147483648);
        m.add_column("gauges", "total", integer().nullable());
        // 2147483647: just fits `integer`, computed in it.
        m.backfill("gauges", "total", lit(2147483646) + 1)
            .only_where(col("total").is_null());
        // `reading + 2147483648` is a `bigint`: 4294967295 for the largest reading.
        m.backfill("gauges", "wide", col("reading") + 2147483648)
            .only_where(col("wide").is_null());
    }
}

/// Each gauge's columns, in key order, as text.
fn gauges(conn: &mut AnyConnection) -> Vec<String> {
    let row = "CAST(reading AS TEXT) || ' ' || CAST(low AS TEXT) || ' ' || \
               COALESCE(CAST(wide AS TEXT), '-') || ' ' || CAST(high AS TEXT) || ' ' || \
               COALESCE(CAST(total AS TEXT), '-')";
    conn.text_column(&format!("SELECT {row} AS v FROM gauges ORDER BY id"))
        .expect("read the gauges")
        .into_iter()
        .map(Option::unwrap_or_default)
        .collect()
}

fn literals_at_the_edges_of_their_types_work(conn: &mut AnyConnection) {
    Runner::new(conn, edges::MIGRATIONS)
        .upgrade("+1")
        .expect("create gauges");
    conn.batch_execute(
        "INSERT INTO gauges DEFAULT VALUES; INSERT INTO gauges (reading) VALUES (5)",
    )
    .expect("gauges, the first with every default");

    Runner::new(conn, edges::MIGRATIONS)
        .upgrade("head")
        .expect("fill the gauges");
    conn.batch_execute("INSERT INTO gauges (total) VALUES (0)")
        .expect("a gauge with the new default");
    assert_eq!(
        gauges(conn),
        [
            "2147483647 -32768 4294967295 32767 2147483647",
            "5 -32768 2147483653 32767 2147483647",
            "-2147483648 -32768 - 32767 0",
        ]
    );

    Runner::new(conn, edges::MIGRATIONS)
        .downgrade("-1")
        .expect("downgrade");
    conn.batch_execute("DELETE FROM gauges WHERE id > 1; INSERT INTO gauges (wide) VALUES (1)")
        .expect("a gauge with the first default again");
    let readings = conn
        .text_column("SELECT CAST(reading AS TEXT) AS v FROM gauges ORDER BY id")
        .expect("read the readings");
    assert_eq!(
        readings,
        ["2147483647", "2147483647"].map(|v| Some(v.to_owned()))
    );
}

on_both_backends!(literals_at_the_edges_of_their_types_work => literals_at_the_edges_of_their_types_work_on_sqlite, literals_at_the_edges_of_their_types_work_on_postgres);
