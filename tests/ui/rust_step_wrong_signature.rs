#[migration_runtime::migrations]
mod history {
    #[migration(id = "2024_01_10_000001")]
    fn create_members(m: &mut Up) {
        m.create_table("members", |t| {
            t.id("id");
        });
        m.run_rust(fill).reverse_with(unfill);
    }

    fn fill(_conn: &mut diesel::SqliteConnection) -> diesel::QueryResult<()> {
        Ok(())
    }

    fn unfill(_conn: &mut migration_runtime::AnyConnection) -> migration_runtime::DataStepResult {
        Ok(())
    }
}

fn main() {}
