#[migration_runtime::migrations]
mod history {
    #[migration(id = "2024_01_10_000001")]
    fn create_tables(m: &mut Up) {
        m.create_table("members", |t| {
            t.id("id");
        });
        m.create_table("notes", |t| {
            t.id("id");
        });
    }

    #[migration(id = "2024_01_11_000001", irreversible = "the rows are archived")]
    fn drop_tables(m: &mut Up) {
        m.drop_table("members").reviewed(" ");
        m.drop_table("notes")
            .reviewed("replaced by the wiki")
            .reviewed("archived first");
    }
}

fn main() {}
