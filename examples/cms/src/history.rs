//! The CMS schema history, oldest first.

/// Every migration of the CMS, checked at compile time.
#[migration_runtime::migrations]
pub mod migrations {
    /// Members of the association.
    #[migration(id = "2024_01_10_000001")]
    fn create_members(m: &mut Up) {
        m.create_table("members", |t| {
            t.uuid_id("id");
            t.column("first_name", varchar(100));
            t.column("last_name", varchar(100));
            t.column("email", varchar(255).unique());
            t.column("phone_number", varchar(20).nullable());
            t.column("created_at", timestamptz().default_now());
        });
    }

    /// Users who sign in to the CMS.
    #[migration(id = "2024_01_10_000002")]
    fn create_users(m: &mut Up) {
        m.create_table("users", |t| {
            t.uuid_id("id");
            t.column("email", varchar(255).unique());
            t.column("hashed_password", varchar(255));
            t.column("is_active", boolean().default(true));
            t.column("created_at", timestamptz().default_now());
        });
        m.create_index("users", ["created_at"]);
    }
}

pub use migrations::MIGRATIONS;
