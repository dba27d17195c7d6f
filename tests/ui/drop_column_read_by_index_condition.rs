#[migration_runtime::migrations]
mod history {
    #[migration(id = "2024_01_10_000001")]
    fn create_members(m: &mut Up) {
        m.create_table("members", |t| {
            t.id("id");
            t.column("email", varchar(255));
            t.column("deleted_at", timestamptz().nullable());
            t.column("score", integer().nullable());
        });
        m.create_index("members", ["email"])
            .unique()
            .only_where(col("deleted_at").is_null().and(col("score").gt(0)));
    }

    // PostgreSQL would drop the index with the column and SQLite refuses
    // the drop: the index must go first, on both. A type the condition no
    // longer fits would fail the index's rebuild.
    #[migration(id = "2024_01_11_000001", irreversible = "deletions are forgotten")]
    fn forget_deletions(m: &mut Up) {
        m.drop_column("members", "deleted_at");
        m.change_type("members", "score", text());
    }
}

fn main() {}
