#[migration_runtime::migrations]
mod history {
    #[migration(id = "2024_01_10_000001")]
    fn create_members(m: &mut Up) {
        m.create_table("members", |t| {
            t.id("id");
            t.column("first_name", varchar(100));
            t.column("age", integer().nullable());
            t.column("initial", text().nullable());
        });
    }

    #[migration(id = "2024_01_11_000001")]
    fn fill(m: &mut Up) {
        // Text into an integer column.
        m.backfill("members", "age", col("first_name"))
            .only_where(col("age").is_null());
        // `split_part` of an integer.
        m.backfill("members", "initial", split_part(col("age"), " ", 1))
            .only_where(col("initial").is_null());
    }
}

fn main() {}
