#[migration_runtime::migrations]
mod history {
    #[migration(id = "2024_01_10_000001")]
    fn create_readings(m: &mut Up) {
        m.create_table("readings", |t| {
            t.id("id");
            t.column("value", double());
            t.column("scaled", double().nullable());
        });
    }

    #[migration(id = "2024_01_11_000001")]
    fn scale(m: &mut Up) {
        // Literals alone, past double precision: PostgreSQL fails when it
        // plans the statement, even if no row is written.
        m.backfill("readings", "scaled", lit(1e308) * 10)
            .only_where(col("scaled").is_null());
        // A product of nonzero literals that is zero, inside a larger
        // expression.
        m.backfill("readings", "scaled", col("value") + 1e-308 * 1e-308)
            .only_where(col("scaled").is_null());
    }
}

fn main() {}
