#[migration_runtime::migrations]
mod history {
    #[migration(id = "2024_01_10_000001")]
    fn add_phone(m: &mut Up) {
        m.add_column("memebers", "phone", varchar(20).nullable());
    }
}

fn main() {}
