// The step's function sees `members` as it is at that step: `nickname` is
// only added by the next migration, so naming it does not compile.
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

    #[migration(id = "2024_01_11_000001", irreversible = "the original case is lost")]
    fn lowercase_emails(m: &mut Up) {
        m.run_rust(lowercase);
    }

    fn lowercase(conn: &mut AnyConnection) -> DataStepResult {
        use schema_at::lowercase::members::dsl::*;
        diesel::update(members).set(nickname.eq("")).execute(conn)?;
        Ok(())
    }

    #[migration(id = "2024_01_12_000001")]
    fn add_nickname(m: &mut Up) {
        m.add_column("members", "nickname", text().nullable());
    }
}

fn main() {}
