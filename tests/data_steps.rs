//! Rust data steps (`m.run_rust(f)`) on PostgreSQL and SQLite: the function
//! changes rows with the tables as they stand at that step, its reverse
//! restores them, a failure rolls the whole migration back and names the
//! migration and the step, and the round-trip check passes through them.

use diesel::prelude::*;
use integration_tests::on_both_backends;
use migration_runtime::testing::{PgTestDatabase, check_round_trip, generated_rows};
use migration_runtime::{AnyConnection, Backend, Direction, Runner};

/// Members whose emails a Rust step lower-cases the Unicode way (SQLite's
/// `lower()` only knows ASCII), keeping what was written to restore it.
#[migration_runtime::migrations]
mod emails {
    use diesel::prelude::*;
    use migration_runtime::{AnyConnection, DataStepResult};

    #[migration(id = "2024_03_01_000001")]
    fn create_members(m: &mut Up) {
        m.create_table("members", |t| {
            t.id("id");
            t.column("email", text());
            t.column("visits", integer().default(0));
        });
    }

    /// Emails in lower case; the address as written is kept beside it.
    #[migration(id = "2024_03_02_000001")]
    fn lowercase_emails(m: &mut Up) {
        m.add_column("members", "email_as_written", text().nullable());
        m.run_rust(lowercase).reverse_with(restore_case);
    }

    fn lowercase(conn: &mut AnyConnection) -> DataStepResult {
        use schema_at::lowercase::members::dsl::*;
        let rows: Vec<(i64, String)> = members.select((id, email)).order(id).load(conn)?;
        for (key, written) in rows {
            diesel::update(members.find(key))
                .set((
                    email.eq(written.to_lowercase()),
                    email_as_written.eq(Some(&written)),
                ))
                .execute(conn)?;
        }
        Ok(())
    }

    fn restore_case(conn: &mut AnyConnection) -> DataStepResult {
        use schema_at::restore_case::members::dsl::*;
        let rows: Vec<(i64, Option<String>)> = members
            .select((id, email_as_written))
            .filter(email_as_written.is_not_null())
            .load(conn)?;
        for (key, written) in rows {
            diesel::update(members.find(key))
                .set(email.eq(written.unwrap_or_default()))
                .execute(conn)?;
        }
        Ok(())
    }

    /// Counts a visit for everyone, then finds a member it cannot accept.
    #[migration(id = "2024_03_03_000001")]
    fn refuse_shouting(m: &mut Up) {
        m.add_column("members", "note", text().nullable());
        m.run_rust(count_visits_then_refuse)
            .reverse_with(uncount_visits);
    }

    fn count_visits_then_refuse(conn: &mut AnyConnection) -> DataStepResult {
        use schema_at::count_visits_then_refuse::members::dsl::*;
        diesel::update(members)
            .set(visits.eq(visits + 1))
            .execute(conn)?;
        let shouting: Vec<String> = members.select(email).filter(email.like("%!%")).load(conn)?;
        match shouting.first() {
            Some(address) => Err(format!("cannot accept the address {address}").into()),
            None => Ok(()),
        }
    }

    fn uncount_visits(conn: &mut AnyConnection) -> DataStepResult {
        use schema_at::uncount_visits::members::dsl::*;
        diesel::update(members)
            .set(visits.eq(visits - 1))
            .execute(conn)?;
        Ok(())
    }
}

const MEMBERS: &str = "INSERT INTO members (email) VALUES \
    ('ÉLODIE@Example.ORG'), ('zoë@example.org'), ('ΣΩΚΡΆΤΗΣ@EXAMPLE.ORG')";

fn emails(conn: &mut AnyConnection) -> Vec<Option<String>> {
    conn.text_column("SELECT email AS v FROM members ORDER BY id")
        .expect("read emails")
}

fn texts(values: &[&str]) -> Vec<Option<String>> {
    values.iter().map(|v| Some((*v).to_owned())).collect()
}

fn as_written() -> Vec<Option<String>> {
    texts(&[
        "ÉLODIE@Example.ORG",
        "zoë@example.org",
        "ΣΩΚΡΆΤΗΣ@EXAMPLE.ORG",
    ])
}

fn lowered() -> Vec<Option<String>> {
    texts(&[
        "élodie@example.org",
        "zoë@example.org",
        "σωκράτης@example.org",
    ])
}

fn applied(conn: &mut AnyConnection) -> Vec<String> {
    conn.applied_migrations().expect("applied migrations")
}

fn a_rust_step_changes_rows_and_its_reverse_restores_them(conn: &mut AnyConnection) {
    Runner::new(conn, emails::MIGRATIONS)
        .upgrade("2024_03_01_000001")
        .expect("create members");
    conn.batch_execute(MEMBERS).expect("insert members");

    Runner::new(conn, emails::MIGRATIONS)
        .upgrade("2024_03_02_000001")
        .expect("lowercase emails");
    assert_eq!(emails(conn), lowered());
    assert_eq!(
        conn.text_column("SELECT email_as_written AS v FROM members ORDER BY id")
            .expect("read"),
        as_written()
    );

    Runner::new(conn, emails::MIGRATIONS)
        .downgrade("-1")
        .expect("revert lowercase emails");
    assert_eq!(emails(conn), as_written());
    assert_eq!(applied(conn), ["2024_03_01_000001"]);

    // diesel's harness on the AnyConnection runs the step too.
    conn.run_next_migration(emails::MIGRATIONS)
        .expect("lowercase through diesel's harness");
    assert_eq!(emails(conn), lowered());
    conn.revert_last_migration(emails::MIGRATIONS)
        .expect("revert through diesel's harness");
    assert_eq!(emails(conn), as_written());
}

on_both_backends!(a_rust_step_changes_rows_and_its_reverse_restores_them => sqlite_rust_step_changes_rows_and_its_reverse_restores_them, postgres_rust_step_changes_rows_and_its_reverse_restores_them);

fn visits(conn: &mut AnyConnection) -> Vec<Option<String>> {
    conn.text_column("SELECT CAST(visits AS TEXT) AS v FROM members ORDER BY id")
        .expect("read visits")
}

fn member_columns(conn: &mut AnyConnection) -> Vec<String> {
    let schema = conn.introspect().expect("introspect");
    let members = schema.table("members").expect("members exists");
    members.columns.iter().map(|c| c.name.to_string()).collect()
}

fn a_failing_rust_step_rolls_the_whole_migration_back(conn: &mut AnyConnection) {
    Runner::new(conn, emails::MIGRATIONS)
        .upgrade("2024_03_02_000001")
        .expect("first two migrations");
    conn.batch_execute(
        "INSERT INTO members (email) VALUES ('quiet@example.org'), ('LOUD!@example.org')",
    )
    .expect("insert members");

    let error = Runner::new(conn, emails::MIGRATIONS)
        .upgrade("head")
        .expect_err("the step fails")
        .to_string();
    assert_eq!(
        error,
        "migration `2024_03_03_000001` failed in its Rust step `count_visits_then_refuse`: \
         cannot accept the address LOUD!@example.org (rolled back)"
    );
    // Neither the visits the step counted nor the column before it remain.
    assert_eq!(visits(conn), texts(&["0", "0"]));
    assert!(!member_columns(conn).contains(&"note".to_owned()));
    assert_eq!(applied(conn), ["2024_03_01_000001", "2024_03_02_000001"]);

    // Through diesel's harness the same: its transaction is rolled back.
    let error = conn
        .run_pending_migrations(emails::MIGRATIONS)
        .expect_err("the step fails")
        .to_string();
    assert!(error.contains("count_visits_then_refuse"), "{error}");
    assert!(error.contains("2024_03_03_000001"), "{error}");
    assert_eq!(visits(conn), texts(&["0", "0"]));
    assert!(!member_columns(conn).contains(&"note".to_owned()));
    assert_eq!(applied(conn), ["2024_03_01_000001", "2024_03_02_000001"]);

    // Once the address is fixed, the migration applies.
    conn.batch_execute("UPDATE members SET email = 'loud@example.org' WHERE email LIKE '%!%'")
        .expect("fix the address");
    Runner::new(conn, emails::MIGRATIONS)
        .upgrade("head")
        .expect("applies now");
    assert_eq!(visits(conn), texts(&["1", "1"]));
}

on_both_backends!(a_failing_rust_step_rolls_the_whole_migration_back => sqlite_failing_rust_step_rolls_the_whole_migration_back, postgres_failing_rust_step_rolls_the_whole_migration_back);

#[test]
fn postgres_single_transaction_runs_rust_steps_in_place() {
    let Some(db) = PgTestDatabase::create() else {
        return;
    };
    let mut conn = AnyConnection::establish(db.url()).expect("connect");
    Runner::new(&mut conn, emails::MIGRATIONS)
        .upgrade("2024_03_01_000001")
        .expect("create members");
    conn.batch_execute(MEMBERS).expect("insert members");
    Runner::new(&mut conn, emails::MIGRATIONS)
        .single_transaction(true)
        .upgrade("head")
        .expect("the rest in one transaction");
    assert_eq!(emails(&mut conn), lowered());
    assert_eq!(visits(&mut conn), texts(&["1", "1", "1"]));
}

/// A bare diesel connection cannot be handed to a Rust step: the migration
/// is refused before anything runs, with what to do instead.
#[test]
fn diesel_harness_on_a_bare_connection_refuses_rust_steps() {
    use diesel::connection::SimpleConnection;
    use diesel_migrations::MigrationHarness;

    let mut conn = migration_runtime::testing::sqlite_memory();
    conn.run_next_migration(emails::MIGRATIONS)
        .expect("create members");
    conn.batch_execute(MEMBERS).expect("insert members");
    let error = conn
        .run_next_migration(emails::MIGRATIONS)
        .expect_err("refused")
        .to_string();
    assert!(
        error.starts_with(
            "migration `2024_03_02_000001` has a Rust step (`lowercase`), which runs on a `migration_runtime::AnyConnection`"
        ),
        "{error}"
    );
    let columns: Vec<String> = diesel::sql_query("SELECT name FROM pragma_table_info('members')")
        .load::<Name>(&mut conn)
        .expect("columns")
        .into_iter()
        .map(|n| n.name)
        .collect();
    assert_eq!(columns, ["id", "email", "visits"]);
}

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = diesel::sql_types::Text)]
    name: String,
}

#[test]
fn offline_sql_says_where_a_rust_step_runs() {
    for backend in [Backend::Postgres, Backend::Sqlite] {
        for (direction, function) in [
            (Direction::Up, "lowercase"),
            (Direction::Down, "restore_case"),
        ] {
            let statements = emails::MIGRATIONS
                .render("2024_03_02_000001", direction, backend)
                .expect("render");
            let note = format!(
                "-- Rust step `{function}`: runs only through the runner or an AnyConnection, not as SQL"
            );
            assert!(
                statements.contains(&note),
                "{backend:?} {direction:?}: {statements:?}"
            );
        }
    }
}

/// Only the first two migrations: the third refuses a generated row on purpose.
#[migration_runtime::migrations]
mod reversible_emails {
    use diesel::prelude::*;
    use migration_runtime::{AnyConnection, DataStepResult};

    #[migration(id = "2024_03_01_000001")]
    fn create_members(m: &mut Up) {
        m.create_table("members", |t| {
            t.id("id");
            t.column("email", text());
            t.column("nickname", varchar(50).nullable());
        });
    }

    /// Emails in lower case; the address as written is kept beside it.
    #[migration(id = "2024_03_02_000001")]
    fn lowercase_emails(m: &mut Up) {
        m.add_column("members", "email_as_written", text().nullable());
        m.run_rust(lowercase).reverse_with(restore_case);
    }

    fn lowercase(conn: &mut AnyConnection) -> DataStepResult {
        use schema_at::lowercase::members::dsl::*;
        let rows: Vec<(i64, String, Option<String>)> =
            members.select((id, email, nickname)).load(conn)?;
        for (key, written, _nickname) in rows {
            diesel::update(members.find(key))
                .set((
                    email.eq(written.to_lowercase()),
                    email_as_written.eq(&written),
                ))
                .execute(conn)?;
        }
        Ok(())
    }

    fn restore_case(conn: &mut AnyConnection) -> DataStepResult {
        use schema_at::restore_case::members::dsl::*;
        let rows: Vec<(i64, Option<String>)> = members.select((id, email_as_written)).load(conn)?;
        for (key, written) in rows {
            if let Some(written) = written {
                diesel::update(members.find(key))
                    .set(email.eq(written))
                    .execute(conn)?;
            }
        }
        Ok(())
    }
}

fn round_trip(conn: &mut AnyConnection) {
    check_round_trip(conn, reversible_emails::MIGRATIONS, generated_rows)
        .unwrap_or_else(|failure| panic!("{failure}"));
}

on_both_backends!(round_trip => sqlite_history_with_rust_steps_round_trips, postgres_history_with_rust_steps_round_trips);

/// UUID keys and JSON documents read and written as `String`s, alike on
/// both backends (PostgreSQL stores them as `UUID` and `JSONB`).
#[migration_runtime::migrations]
mod profiles {
    use diesel::prelude::*;
    use migration_runtime::data_step::sql_types::{json, uuid};
    use migration_runtime::{AnyConnection, DataStepResult};

    #[migration(id = "2024_04_01_000001")]
    fn create_profiles(m: &mut Up) {
        m.create_table("profiles", |t| {
            t.uuid_id("id");
            t.column("owner", uuid().nullable());
            t.column("settings", json());
        });
    }

    /// Each profile's own id written into its settings, and as its owner.
    #[migration(
        id = "2024_04_02_000001",
        irreversible = "the settings before are not kept"
    )]
    fn stamp_settings(m: &mut Up) {
        m.run_rust(stamp);
    }

    fn stamp(conn: &mut AnyConnection) -> DataStepResult {
        use schema_at::stamp::profiles::dsl::*;
        let rows: Vec<(String, String)> = profiles.select((id, settings)).load(conn)?;
        for (key, old) in rows {
            let stamped = format!("{{\"id\": \"{key}\", \"was\": {old}}}");
            diesel::update(profiles.find(uuid(key.clone())))
                .set((settings.eq(json(stamped)), owner.eq(uuid(key).nullable())))
                .execute(conn)?;
        }
        Ok(())
    }
}

fn uuids_and_json_are_strings_on_both_backends(conn: &mut AnyConnection) {
    Runner::new(conn, profiles::MIGRATIONS)
        .upgrade("2024_04_01_000001")
        .expect("create profiles");
    conn.batch_execute(
        "INSERT INTO profiles (id, settings) VALUES \
         ('67e55044-10b1-426f-9247-bb680e5fe0c8', '{\"theme\": \"dark\"}'), \
         ('0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d', '[]')",
    )
    .expect("insert profiles");
    Runner::new(conn, profiles::MIGRATIONS)
        .upgrade("head")
        .expect("stamp settings");
    let rows = conn
        .text_column(
            "SELECT CAST(owner AS TEXT) || ' ' || CAST(settings AS TEXT) AS v FROM profiles ORDER BY CAST(id AS TEXT)",
        )
        .expect("read profiles");
    // PostgreSQL writes JSONB back in its own spacing; parse-free checks:
    let rows: Vec<String> = rows
        .into_iter()
        .flatten()
        .map(|r| r.replace(' ', ""))
        .collect();
    assert_eq!(
        rows,
        [
            "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d{\"id\":\"0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d\",\"was\":[]}",
            "67e55044-10b1-426f-9247-bb680e5fe0c8{\"id\":\"67e55044-10b1-426f-9247-bb680e5fe0c8\",\"was\":{\"theme\":\"dark\"}}",
        ]
    );
}

on_both_backends!(uuids_and_json_are_strings_on_both_backends => sqlite_uuids_and_json_are_strings, postgres_uuids_and_json_are_strings);

#[migration_runtime::migrations]
mod panicking {
    use migration_runtime::{AnyConnection, DataStepResult};

    #[migration(id = "2024_06_01_000001")]
    fn create_notes(m: &mut Up) {
        m.create_table("notes", |t| {
            t.id("id");
            t.column("body", text());
        });
    }

    #[migration(id = "2024_06_02_000001", irreversible = "a test of a panicking step")]
    fn tidy_notes(m: &mut Up) {
        m.add_column("notes", "tidy", text().nullable());
        m.run_rust(tidy);
    }

    fn tidy(_conn: &mut AnyConnection) -> DataStepResult {
        panic!("a note nobody expected")
    }
}

fn a_panicking_rust_step_rolls_the_migration_back(conn: &mut AnyConnection) {
    Runner::new(conn, panicking::MIGRATIONS)
        .upgrade("+1")
        .expect("create notes");
    let error = Runner::new(conn, panicking::MIGRATIONS)
        .upgrade("head")
        .expect_err("the step panics");
    assert_eq!(
        error.to_string(),
        "migration `2024_06_02_000001` failed in its Rust step `tidy`: panicked: a note nobody expected (rolled back)"
    );
    let columns: Vec<String> = conn
        .introspect()
        .expect("schema")
        .table("notes")
        .expect("notes")
        .columns
        .iter()
        .map(|c| c.name.to_string())
        .collect();
    assert_eq!(
        columns,
        ["id", "body"],
        "the column added before it is gone"
    );
    assert_eq!(applied(conn), ["2024_06_01_000001"]);
}

on_both_backends!(a_panicking_rust_step_rolls_the_migration_back => sqlite_panicking_rust_step_rolls_the_migration_back, postgres_panicking_rust_step_rolls_the_migration_back);
