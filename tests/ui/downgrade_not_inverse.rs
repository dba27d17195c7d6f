#[migration_runtime::migrations]
mod history {
    #[migration(id = "2024_01_10_000001")]
    fn create_members(m: &mut Up) {
        m.create_table("members", |t| {
            t.id("id");
            t.column("phone_number", varchar(20).nullable());
        });
    }

    #[migration(id = "2024_01_11_000001")]
    fn add_contacts(m: &mut Up) {
        m.add_column("members", "emergency_contact", varchar(255).nullable());
        m.add_column("members", "phone_secondary", varchar(20).nullable());
    }

    // Forgets `phone_secondary`.
    #[downgrade]
    fn remove_contacts(m: &mut Down) {
        m.drop_column("members", "emergency_contact");
    }
}

fn main() {}
