#[migration_runtime::migrations]
mod history {
    #[migration(id = "2024_01_10_000001")]
    fn create_counters(m: &mut Up) {
        m.create_table("counters", |t| {
            t.id("id");
            // Just fits.
            t.column("n", integer().default(2147483647));
        });
    }

    #[migration(id = "2024_01_11_000001")]
    fn create_gauges(m: &mut Up) {
        m.create_table("gauges", |t| {
            t.id("id");
            t.column("reading", integer().default(3000000000));
        });
    }

    #[migration(id = "2024_01_12_000001")]
    fn add_columns(m: &mut Up) {
        m.add_column("counters", "small", smallint().default(40000));
        m.add_column("counters", "wide", bigint().default(3000000000));
        m.set_default("counters", "n", -2147483649);
        m.backfill("counters", "n", 3000000000)
            .restore_with(col("n"));
    }
}

fn main() {}
