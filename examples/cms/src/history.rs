//! The CMS schema history, oldest first.

/// Every migration of the CMS, checked at compile time.
#[migration_runtime::migrations]
pub mod migrations {
    use diesel::prelude::*;
    use migration_runtime::data_step::sql_types::uuid;
    use migration_runtime::{AnyConnection, DataStepResult};

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

    /// Events members take part in.
    #[migration(id = "2024_01_11_000001")]
    fn create_events(m: &mut Up) {
        m.create_table("events", |t| {
            t.uuid_id("id");
            t.column("name", varchar(255));
            t.column("starts_at", timestamptz().nullable());
            t.column("created_at", timestamptz().default_now());
        });
    }

    /// Who takes part in which event: the relationship between members and events.
    #[migration(id = "2024_01_11_000002")]
    fn create_event_participants(m: &mut Up) {
        m.create_table("event_participants", |t| {
            t.uuid_id("id");
            t.column("member_id", uuid());
            t.column("event_id", uuid());
            t.foreign_key(["member_id"], "members", ["id"])
                .on_delete(cascade);
            t.foreign_key(["event_id"], "events", ["id"])
                .on_delete(cascade);
            t.unique(["member_id", "event_id"]);
        });
        m.create_index("event_participants", ["event_id"]);
    }

    /// Whom to call in an emergency.
    #[migration(id = "2024_01_12_000001")]
    fn add_emergency_contact(m: &mut Up) {
        m.add_column("members", "emergency_contact", varchar(255).nullable());
    }

    /// Membership status, `active` for everyone already there.
    #[migration(id = "2024_01_12_000002")]
    fn add_status(m: &mut Up) {
        m.add_column("members", "status", varchar(20).default("active"));
    }

    /// International phone numbers need more than 20 characters.
    #[migration(id = "2024_01_13_000001")]
    fn widen_phone_number(m: &mut Up) {
        m.change_type("members", "phone_number", varchar(50));
    }

    /// A second phone number.
    #[migration(id = "2024_01_13_000002")]
    fn add_secondary_phone(m: &mut Up) {
        m.add_column("members", "phone_secondary", varchar(20).nullable());
    }

    /// The full name, filled from first and last name, then required.
    /// Trimmed, so that a member with no last name is not left with a
    /// trailing space.
    #[migration(id = "2024_01_15_000003")]
    fn add_full_name(m: &mut Up) {
        m.add_column("members", "full_name", varchar(255).nullable());
        m.backfill(
            "members",
            "full_name",
            trim(concat([col("first_name"), " ", col("last_name")])),
        )
        .only_where(col("full_name").is_null());
        m.tighten_not_null("members", "full_name");
    }

    /// Names live in `full_name` alone.
    ///
    /// Cannot be undone: a first name with a space in it ("Jean Claude")
    /// cannot be told apart from the last name once they are joined.
    #[migration(
        id = "2024_01_20_000001",
        irreversible = "first and last names cannot be recovered from full_name when a first name has a space"
    )]
    fn consolidate_names(m: &mut Up) {
        m.drop_column("members", "first_name");
        m.drop_column("members", "last_name");
    }

    /// Split `full_name` into first and last name again (the guide's split, corrected).
    ///
    /// The guide takes `SPLIT_PART(full_name, ' ', 2)` as the last name,
    /// which drops the third word of "Jean Claude Van Damme"; the round-trip
    /// test catches it. The last name here is everything after the first
    /// space, so joining the two gives every full name back.
    #[migration(id = "2024_02_01_000001")]
    fn split_full_name(m: &mut Up) {
        m.add_column("members", "first_name", varchar(100).nullable());
        m.add_column("members", "last_name", varchar(155).nullable());
        m.backfill(
            "members",
            "first_name",
            split_part(col("full_name"), " ", 1),
        );
        m.backfill("members", "last_name", after_first(col("full_name"), " "));
        m.tighten_not_null("members", "first_name");
        m.tighten_not_null("members", "last_name");
        m.drop_column("members", "full_name")
            .restore_with(case_when(
                [(col("last_name").eq(""), col("first_name"))],
                concat([col("first_name"), " ", col("last_name")]),
            ));
    }

    // Two developers branched from the split at the same time; the merge
    // below orders their work. Without it the history would not compile.

    /// Free-form notes on members (one developer's branch).
    #[migration(id = "2024_02_05_000001", parent = "2024_02_01_000001")]
    fn add_member_notes(m: &mut Up) {
        m.add_column("members", "notes", text().nullable());
    }

    /// How many people an event takes (the other developer's branch).
    #[migration(id = "2024_02_05_000002", parent = "2024_02_01_000001")]
    fn add_event_capacity(m: &mut Up) {
        m.add_column("events", "capacity", integer().default(100));
    }

    /// Merge the two branches.
    #[migration(
        id = "2024_02_06_000001",
        parents = ["2024_02_05_000001", "2024_02_05_000002"]
    )]
    fn merge_notes_and_capacity(m: &mut Up) {}

    /// Member emails in lower case, so that an address matches however it
    /// was typed. Lower-cased the Unicode way ("ÉLODIE@…" becomes
    /// "élodie@…"), which SQLite's `lower()` cannot do (it knows ASCII
    /// only): a Rust step. The address as written is kept beside it, so the
    /// downgrade gives it back.
    #[migration(id = "2024_02_10_000001")]
    fn lowercase_member_emails(m: &mut Up) {
        m.add_column("members", "email_as_written", text().nullable());
        m.run_rust(lowercase_emails)
            .reverse_with(restore_emails_as_written);
    }

    /// Sees `members` as it stands at this step (`schema_at::lowercase_emails`,
    /// with `email_as_written` just added), not as in `schema.rs`. Two
    /// addresses that differ only by case collide on the unique email and
    /// stop the migration, rolled back.
    fn lowercase_emails(conn: &mut AnyConnection) -> DataStepResult {
        use schema_at::lowercase_emails::members::dsl::*;
        let rows: Vec<(String, String)> = members.select((id, email)).load(conn)?;
        for (key, written) in rows {
            diesel::update(members.find(uuid(key)))
                .set((
                    email.eq(written.to_lowercase()),
                    email_as_written.eq(&written),
                ))
                .execute(conn)?;
        }
        Ok(())
    }

    /// The addresses as they were written, back.
    fn restore_emails_as_written(conn: &mut AnyConnection) -> DataStepResult {
        use schema_at::restore_emails_as_written::members::dsl::*;
        let rows: Vec<(String, Option<String>)> =
            members.select((id, email_as_written)).load(conn)?;
        for (key, written) in rows {
            if let Some(written) = written {
                diesel::update(members.find(uuid(key)))
                    .set(email.eq(written))
                    .execute(conn)?;
            }
        }
        Ok(())
    }
}

pub use migrations::MIGRATIONS;
