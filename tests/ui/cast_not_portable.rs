#[migration_runtime::migrations]
mod history {
    #[migration(id = "2024_01_10_000001")]
    fn create_products(m: &mut Up) {
        m.create_table("products", |t| {
            t.id("id");
            t.column("price", double());
            t.column("code", varchar(40));
            t.column("price_cents", bigint().nullable());
            t.column("label", varchar(10).nullable());
        });
    }

    #[migration(id = "2024_01_11_000001")]
    fn fill(m: &mut Up) {
        // PostgreSQL rounds 1.5 to 2, SQLite truncates it to 1.
        m.backfill("products", "price_cents", cast(col("price"), bigint()))
            .only_where(col("price_cents").is_null());
        // PostgreSQL cuts the code at 10 characters, SQLite keeps it whole.
        m.backfill("products", "label", cast(col("code"), varchar(10)))
            .only_where(col("label").is_null());
    }
}

fn main() {}
