#[migration_runtime::migrations]
mod history {
    #[migration(id = "2024_01_10_000001")]
    fn create_members(m: &mut Up) {
        m.create_table("members", |t| {
            t.id("id");
            t.column("full_name", varchar(255));
        });
    }

    #[migration(id = "2024_02_01_000001")]
    fn drop_full_name(m: &mut Up) {
        m.drop_column("members", "full_name");
    }
}

fn main() {}
