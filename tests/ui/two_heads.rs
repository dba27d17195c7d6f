#[migration_runtime::migrations]
mod history {
    #[migration(id = "2024_01_10_000001")]
    fn create_members(m: &mut Up) {
        m.create_table("members", |t| {
            t.id("id");
        });
    }

    // Two developers branched from the same parent and nobody merged.
    #[migration(id = "2024_01_11_000001", parent = "2024_01_10_000001")]
    fn add_phone(m: &mut Up) {
        m.add_column("members", "phone", varchar(20).nullable());
    }

    #[migration(id = "2024_01_11_000002", parent = "2024_01_10_000001")]
    fn add_status(m: &mut Up) {
        m.add_column("members", "status", varchar(20).default("active"));
    }
}

fn main() {}
