#[migration_runtime::migrations]
mod history {
    #[migration(id = "2024_01_10_000001")]
    fn create_members(m: &mut Up) {
        m.create_table("members", |t| {
            t.id("id");
            t.column("status", varchar(20).default("active"));
        });
    }

    #[migration(id = "2024_01_11_000001")]
    fn widen_status(m: &mut Up) {
        m.change_type("members", "status", varchar(40));
    }

    // Narrows the column back but also drops its default.
    #[downgrade]
    fn narrow_status(m: &mut Down) {
        m.change_type("members", "status", varchar(20));
        m.drop_default("members", "status");
    }
}

fn main() {}
