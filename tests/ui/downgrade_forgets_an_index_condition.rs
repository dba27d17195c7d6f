#[migration_runtime::migrations]
mod history {
    #[migration(id = "2024_01_10_000001")]
    fn create_members(m: &mut Up) {
        m.create_table("members", |t| {
            t.id("id");
            t.column("email", varchar(255));
            t.column("deleted_at", timestamptz().nullable());
        });
        m.create_index("members", ["email"])
            .unique()
            .only_where(col("deleted_at").is_null());
    }

    #[migration(id = "2024_01_11_000001")]
    fn drop_email_index(m: &mut Up) {
        m.drop_index("members_email_idx");
    }

    // Rebuilt over every row, the index would refuse deleted members'
    // emails that the original allowed.
    #[downgrade]
    fn restore_email_index(m: &mut Down) {
        m.create_index("members", ["email"]).unique();
    }
}

fn main() {}
