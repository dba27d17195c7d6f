#[migration_runtime::migrations]
mod history {
    #[migration(id = "2024_01_10_000001")]
    fn create_members(m: &mut Up) {
        m.create_table("members", |t| {
            t.id("id");
        });
    }

    #[migration(id = "2024_01_11_000001")]
    fn add_view(m: &mut Up) {
        m.sql("CREATE VIEW active_members AS SELECT * FROM members");
    }
}

fn main() {}
