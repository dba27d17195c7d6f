#[migration_runtime::migrations]
mod history {
    #[migration(id = "2024_01_10_000001")]
    fn create_members(m: &mut Up) {
        m.create_table("members", |t| {
            t.id("id");
            t.column("first_name", varchar(100));
        });
    }

    // `full_name` only exists from the next migration on.
    #[migration(id = "2024_01_11_000001")]
    fn fill_full_name(m: &mut Up) {
        m.backfill("members", "full_name", col("first_name"))
            .only_where(col("full_name").is_null());
    }

    #[migration(id = "2024_01_12_000001")]
    fn add_full_name(m: &mut Up) {
        m.add_column("members", "full_name", varchar(255).nullable());
    }
}

fn main() {}
