#[migration_runtime::migrations]
mod history {
    #[migration(id = "2024_01_10_000001")]
    fn create_members(m: &mut Up) {
        m.create_table("members", |t| {
            t.id("id");
            t.column("email", varchar(255));
        });
    }

    // SQLite evaluates the condition on every write, from any connection:
    // the toolkit's unicode_lower is not there.
    #[migration(id = "2024_01_11_000001")]
    fn index_example_emails(m: &mut Up) {
        m.create_index("members", ["email"])
            .only_where(col("email").ne("").and(lower(col("email")).ge("m")));
    }
}

fn main() {}
