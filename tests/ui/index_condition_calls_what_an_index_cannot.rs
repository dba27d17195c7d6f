#[migration_runtime::migrations]
mod history {
    #[migration(id = "2024_01_10_000001")]
    fn create_members(m: &mut Up) {
        m.create_table("members", |t| {
            t.id("id");
            t.column("first_name", varchar(100));
            t.column("last_name", varchar(100));
            t.column("email", varchar(255));
        });
    }

    // SQLite evaluates the condition on every write, from any connection:
    // the toolkit's unicode_lower is not there.
    #[migration(id = "2024_01_11_000001")]
    fn index_late_emails(m: &mut Up) {
        m.create_index("members", ["email"])
            .only_where(col("email").ne("").and(lower(col("email")).ge("m")));
    }

    // PostgreSQL's CONCAT is only stable: no index condition may call it.
    #[migration(id = "2024_01_12_000001")]
    fn index_named_members(m: &mut Up) {
        m.create_index("members", ["last_name"])
            .only_where(concat([col("first_name"), col("last_name")]).ne(""));
    }
}

fn main() {}
