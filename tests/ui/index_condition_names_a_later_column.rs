#[migration_runtime::migrations]
mod history {
    #[migration(id = "2024_01_10_000001")]
    fn create_members(m: &mut Up) {
        m.create_table("members", |t| {
            t.id("id");
            t.column("email", varchar(255));
        });
    }

    // `deleted_at` only exists from the next migration on.
    #[migration(id = "2024_01_11_000001")]
    fn unique_live_emails(m: &mut Up) {
        m.create_index("members", ["email"])
            .unique()
            .only_where(col("deleted_at").is_null());
    }

    #[migration(id = "2024_01_12_000001")]
    fn soft_delete(m: &mut Up) {
        m.add_column("members", "deleted_at", timestamptz().nullable());
    }
}

fn main() {}
