#[migration_runtime::migrations]
mod history {
    use migration_runtime::{AnyConnection, DataStepResult};

    #[migration(id = "2024_01_10_000001")]
    fn create_members(m: &mut Up) {
        m.create_table("members", |t| {
            t.id("id");
        });
        m.run_rust(fix_members).reverse_with(unfix_members);
    }

    #[migration(id = "2024_01_11_000001")]
    fn add_email(m: &mut Up) {
        m.add_column("members", "email", text().nullable());
        m.run_rust(fix_members).reverse_with(unfix_members);
    }

    fn fix_members(_conn: &mut AnyConnection) -> DataStepResult {
        Ok(())
    }

    fn unfix_members(_conn: &mut AnyConnection) -> DataStepResult {
        Ok(())
    }
}

fn main() {}
