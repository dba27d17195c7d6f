#[migration_runtime::migrations]
mod history {
    #[migration(id = "2024_01_10_000001")]
    fn create_products(m: &mut Up) {
        m.create_table("products", |t| {
            t.id("id");
            t.column("price", double());
        });
    }

    // PostgreSQL rounds 9.99 to 10 on the way in; SQLite would keep 9.99.
    #[migration(id = "2024_01_11_000001")]
    fn price_in_whole_units(m: &mut Up) {
        m.add_column("products", "whole_price", bigint().nullable());
        m.backfill("products", "whole_price", col("price"));
    }

    #[migration(id = "2024_01_12_000001")]
    fn add_stock(m: &mut Up) {
        m.add_column("products", "stock", integer().default(1.5));
    }
}

fn main() {}
