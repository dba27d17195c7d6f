//! The history every autogenerate case starts from: authors, their posts, tags.

#[migration_runtime::migrations]
pub mod history {
    /// Authors.
    #[migration(id = "2024_01_10_000001")]
    fn create_authors(m: &mut Up) {
        m.create_table("authors", |t| {
            t.id("id");
            t.column("name", varchar(100));
            t.column("email", varchar(255).nullable());
            t.column("bio", text().nullable());
        });
        m.create_index("authors", ["email"]);
    }

    /// Posts by authors, and tags.
    #[migration(id = "2024_01_11_000001")]
    fn create_posts(m: &mut Up) {
        m.create_table("posts", |t| {
            t.id("id");
            t.column("author_id", bigint());
            t.column("title", varchar(200));
            t.column("views", integer().default(0));
            t.column("legacy_code", varchar(20).nullable());
        });
        m.add_foreign_key("posts", ["author_id"], "authors", ["id"]);
        m.create_table("tags", |t| {
            t.id("id");
            t.column("label", varchar(50));
        });
    }
}
