#[migration_runtime::migrations]
mod history {
    #[migration(id = "2024_01_10_000001")]
    fn create_members(m: &mut Up) {
        m.create_table("members", |t| {
            t.id("id");
            t.column("first_name", varchar(100));
        });
    }

    #[migration(id = "2024_01_11_000001")]
    fn several_mistakes(m: &mut Up) {
        m.add_column("members", "first_name", text().nullable());
        m.rename_column("members", "last_name", "surname");
        m.drop_table("members");
    }
}

fn main() {}
