#[migration_runtime::migrations]
mod history {
    #[migration(id = "2024_01_10_000001")]
    fn create_members(m: &mut Up) {
        m.create_table("members", |t| {
            t.id("id");
            t.column("legacy", text().nullable());
        });
    }

    #[migration(id = "2024_01_11_000001", irreversible = "legacy data is archived elsewhere")]
    fn drop_legacy(m: &mut Up) {
        m.drop_column("members", "legacy");
    }

    #[downgrade]
    fn restore_legacy(m: &mut Down) {
        m.add_column("members", "legacy", text().nullable());
    }
}

fn main() {}
