#[migration_runtime::migrations]
mod history {
    #[migration(id = "2024_01_10_000001")]
    fn create_members(m: &mut Up) {
        m.create_table("members", |t| {
            t.id("id");
            t.column("email", varchar(255));
        });
        m.create_index("members", ["email"]);
    }

    #[migration(id = "2024_01_11_000001")]
    fn replace_email_index(m: &mut Up) {
        m.drop_index("members_email_idx");
        m.create_index("members", ["email"]).unique().name("members_email_unique");
    }

    // Drops the new index but forgets to bring the old one back.
    #[downgrade]
    fn restore_email_index(m: &mut Down) {
        m.drop_index("members_email_unique");
    }
}

fn main() {}
