#[migration_runtime::migrations]
mod history {
    #[migration(id = "2024_01_10_000001")]
    fn create_products(m: &mut Up) {
        m.create_table("products", |t| {
            t.id("id");
        });
    }

    #[migration(id = "2024_01_11_000001")]
    fn add_price(m: &mut Up) {
        // schema.rs says `Numeric`, without precision and scale.
        todo!("choose the precision and scale of `products.price`");
        m.add_column("products", "price", decimal(10, 2).nullable());
    }
}

fn main() {}
