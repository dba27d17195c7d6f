#[migration_runtime::migrations]
mod history {
    #[migration(id = "2024_01_10_000001")]
    fn create_counters(m: &mut Up) {
        m.create_table("counters", |t| {
            t.id("id");
            t.column("n", integer());
            t.column("total", integer().nullable());
            t.column("code", text().nullable());
        });
    }

    #[migration(id = "2024_01_11_000001")]
    fn fill(m: &mut Up) {
        // Literals alone, past integer: PostgreSQL fails when it plans the
        // statement, even if no row is written.
        m.backfill("counters", "total", lit(2147483647) + 1)
            .only_where(col("total").is_null());
        // Inside a larger expression, whatever the rows.
        m.backfill("counters", "total", col("n") + (2147483647 + 1))
            .only_where(col("total").is_null().and(col("n").lt(0)));
        // Text that is not an integer, read when the statement is planned.
        m.backfill("counters", "total", cast("12abc", integer()))
            .only_where(col("total").is_null());
    }
}

fn main() {}
