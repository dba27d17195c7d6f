#[migration_runtime::migrations]
mod history {
    #[migration(id = "2024_01_10_000001")]
    fn create_members(m: &mut Up) {
        m.create_table("members", |t| {
            t.id("id");
        });
        m.run_rust(|conn| Ok(())).reverse_with(undo);
    }
}

fn main() {}
