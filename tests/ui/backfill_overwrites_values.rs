#[migration_runtime::migrations]
mod history {
    #[migration(id = "2024_01_10_000001")]
    fn create_members(m: &mut Up) {
        m.create_table("members", |t| {
            t.id("id");
            t.column("email", varchar(255));
        });
    }

    // Lower-casing every email cannot be undone: the original case is gone.
    #[migration(id = "2024_01_11_000001")]
    fn lower_emails(m: &mut Up) {
        m.backfill("members", "email", lower(col("email")));
    }
}

fn main() {}
