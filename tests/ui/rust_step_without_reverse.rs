#[migration_runtime::migrations]
mod history {
    use diesel::prelude::*;
    use migration_runtime::{AnyConnection, DataStepResult};

    #[migration(id = "2024_01_10_000001")]
    fn create_members(m: &mut Up) {
        m.create_table("members", |t| {
            t.id("id");
            t.column("email", text());
        });
    }

    #[migration(id = "2024_01_11_000001")]
    fn lowercase_emails(m: &mut Up) {
        m.run_rust(lowercase);
    }

    fn lowercase(conn: &mut AnyConnection) -> DataStepResult {
        use schema_at::lowercase::members::dsl::*;
        diesel::update(members).set(email.eq("")).execute(conn)?;
        Ok(())
    }
}

fn main() {}
