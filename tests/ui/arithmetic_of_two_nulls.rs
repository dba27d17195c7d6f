#[migration_runtime::migrations]
mod history {
    #[migration(id = "2024_01_10_000001")]
    fn create_counters(m: &mut Up) {
        m.create_table("counters", |t| {
            t.id("id");
            t.column("n", integer().nullable());
            t.column("label", text().nullable());
        });
    }

    #[migration(id = "2024_01_11_000001")]
    fn clear(m: &mut Up) {
        // PostgreSQL cannot choose which `+` (operator is not unique).
        m.backfill("counters", "n", null() + null())
            .only_where(col("n").is_null());
        // NULLs alone are text on PostgreSQL: no `text + integer`.
        m.backfill("counters", "n", coalesce([null(), null()]) + 1)
            .only_where(col("n").is_null());
    }
}

fn main() {}
