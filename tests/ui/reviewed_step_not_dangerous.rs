#[migration_runtime::migrations]
mod history {
    #[migration(id = "2024_01_10_000001")]
    fn create_members(m: &mut Up) {
        m.create_table("members", |t| {
            t.id("id");
            t.column("email", varchar(100));
            t.column("nickname", text().nullable());
        });
    }

    #[migration(id = "2024_01_11_000001")]
    fn tidy_members(m: &mut Up) {
        // Built concurrently by the runner: only a note.
        m.create_index("members", ["email"])
            .reviewed("writes go on during the build");
        // Nothing at all to review.
        m.add_column("members", "phone", varchar(20).nullable())
            .reviewed("nobody reads it yet");
        // Dangerous: the acknowledgement is what lets the deploy go on.
        m.drop_column("members", "nickname")
            .restore_with(null())
            .reviewed("nicknames were never shown");
    }
}

fn main() {}
