#[migration_runtime::migrations]
mod history {
    #[migration(id = "2024_01_10_000001")]
    fn create_members(m: &mut Up) {
        m.create_table("members", |t| {
            t.id("id");
            t.column("phone_number", varchar(50).nullable());
        });
    }

    #[migration(id = "2024_01_11_000001")]
    fn shorten_phone(m: &mut Up) {
        m.change_type("members", "phone_number", varchar(20))
            .using(substring(col("phone_number"), 1, 20));
    }
}

fn main() {}
