#[migration_runtime::migrations]
mod history {
    #[migration(id = "2024_01_10_000001")]
    fn create_members(m: &mut Up) {
        m.create_table("members", |t| {
            t.id("id");
            t.column("email", varchar(255));
            t.column("deleted_at", timestamptz().nullable());
        });
    }

    // The condition is a value, not a condition.
    #[migration(id = "2024_01_11_000001")]
    fn unique_emails(m: &mut Up) {
        m.create_index("members", ["email"])
            .unique()
            .only_where(coalesce([col("deleted_at"), col("deleted_at")]));
    }
}

fn main() {}
