//! The CMS example's whole history on both backends, with members in the
//! table: every migration applies, the data steps compute what they promise,
//! and reverting to an earlier point keeps the rows that were there.

use diesel::{PgConnection, SqliteConnection};
use integration_tests::on_both_backends;
use integration_tests::*;
use migration_runtime::AnyConnection;
use migration_runtime::testing::{PgTestDatabase, sqlite_memory};

/// The history has a Rust step, which diesel's harness runs on an
/// `AnyConnection`; the catalog helpers read through the backend's own.
fn pg(conn: &mut AnyConnection) -> &mut PgConnection {
    match conn {
        AnyConnection::Postgres(pg) => pg,
        AnyConnection::Sqlite(_) => panic!("a PostgreSQL connection"),
    }
}

fn sqlite(conn: &mut AnyConnection) -> &mut SqliteConnection {
    match conn {
        AnyConnection::Sqlite(sqlite) => sqlite,
        AnyConnection::Postgres(_) => panic!("a SQLite connection"),
    }
}

const MEMBERS: &str = "INSERT INTO members (first_name, last_name, email, phone_number) VALUES \
    ('Ada', 'Lovelace', 'ada@example.org', '+44 20 7946 0000'), \
    ('Zoë', 'Ñúñez', 'zoe@example.org', NULL), \
    ('Seán', 'O''Brien', 'sean@example.org', '555-0100')";

const FULL_NAMES: &str = "SELECT full_name AS v FROM members ORDER BY email";
const FIRST_NAMES: &str = "SELECT first_name AS v FROM members ORDER BY email";
const STATUSES: &str = "SELECT status AS v FROM members ORDER BY email";

fn some(values: &[&str]) -> Vec<Option<String>> {
    values.iter().map(|v| Some((*v).to_owned())).collect()
}

fn expected_full_names() -> Vec<Option<String>> {
    some(&["Ada Lovelace", "Seán O'Brien", "Zoë Ñúñez"])
}

/// How many migrations there are up to `add_full_name`, which the data
/// checks below stop at (the names are consolidated after it, for good).
fn migrations_through_full_name() -> usize {
    let all = cms::history::MIGRATIONS.migrations();
    1 + all
        .iter()
        .position(|m| m.name() == "add_full_name")
        .expect("add_full_name exists")
}

/// How many migrations come after `create_users` up to `add_full_name`.
fn migrations_after_users() -> usize {
    migrations_through_full_name() - 2
}

const LAST_NAMES: &str = "SELECT last_name AS v FROM members ORDER BY email";

#[test]
fn postgres_runs_the_whole_history_with_data_and_back() {
    let Some(db) = PgTestDatabase::create() else {
        return;
    };
    let mut conn = AnyConnection::Postgres(db.connect());
    let set = cms::history::MIGRATIONS;

    conn.run_next_migration(set).expect("create members");
    conn.batch_execute(MEMBERS).expect("insert members");
    for _ in 1..migrations_through_full_name() {
        conn.run_next_migration(set)
            .expect("apply through add_full_name");
    }

    assert_eq!(pg_strings(pg(&mut conn), FULL_NAMES), expected_full_names());
    assert_eq!(
        pg_strings(pg(&mut conn), STATUSES),
        some(&["active", "active", "active"])
    );
    let phone = pg_columns(pg(&mut conn), "members")
        .into_iter()
        .find(|c| c.name == "phone_number");
    assert_eq!(
        phone,
        Some(column("phone_number", "character varying(50)", true))
    );
    let full_name = pg_columns(pg(&mut conn), "members")
        .into_iter()
        .find(|c| c.name == "full_name");
    assert_eq!(
        full_name,
        Some(column("full_name", "character varying(255)", false))
    );

    for _ in 0..migrations_after_users() {
        conn.revert_last_migration(set).expect("revert");
    }
    assert_eq!(
        pg_tables(pg(&mut conn)),
        ["__diesel_schema_migrations", "members", "users"]
    );
    let names: Vec<String> = pg_columns(pg(&mut conn), "members")
        .into_iter()
        .map(|c| c.name)
        .collect();
    assert_eq!(
        names,
        [
            "id",
            "first_name",
            "last_name",
            "email",
            "phone_number",
            "created_at"
        ]
    );
    assert_eq!(
        pg_strings(pg(&mut conn), FIRST_NAMES),
        some(&["Ada", "Seán", "Zoë"])
    );

    for _ in 0..migrations_after_users() {
        conn.run_next_migration(set).expect("apply again");
    }
    assert_eq!(pg_strings(pg(&mut conn), FULL_NAMES), expected_full_names());

    // Consolidated into full_name, then split again: every name comes back.
    conn.run_pending_migrations(set)
        .expect("consolidate and split");
    assert_eq!(
        pg_strings(pg(&mut conn), FIRST_NAMES),
        some(&["Ada", "Seán", "Zoë"])
    );
    assert_eq!(
        pg_strings(pg(&mut conn), LAST_NAMES),
        some(&["Lovelace", "O'Brien", "Ñúñez"])
    );
}

#[test]
fn sqlite_runs_the_whole_history_with_data_and_back() {
    let mut conn = AnyConnection::Sqlite(sqlite_memory());
    // The bundled SQLite enforces foreign keys by default; table rebuilds
    // need them off (see the test below for what happens otherwise).
    conn.batch_execute("PRAGMA foreign_keys = OFF")
        .expect("foreign keys off");
    let set = cms::history::MIGRATIONS;

    conn.run_next_migration(set).expect("create members");
    conn.batch_execute(MEMBERS).expect("insert members");
    for _ in 1..migrations_through_full_name() {
        conn.run_next_migration(set)
            .expect("apply through add_full_name");
    }

    assert_eq!(
        sqlite_strings(sqlite(&mut conn), FULL_NAMES),
        expected_full_names()
    );
    assert_eq!(
        sqlite_strings(sqlite(&mut conn), STATUSES),
        some(&["active", "active", "active"])
    );
    let phone = sqlite_columns(sqlite(&mut conn), "members")
        .into_iter()
        .find(|c| c.name == "phone_number");
    assert_eq!(phone, Some(column("phone_number", "VARCHAR(50)", true)));
    let full_name = sqlite_columns(sqlite(&mut conn), "members")
        .into_iter()
        .find(|c| c.name == "full_name");
    assert_eq!(full_name, Some(column("full_name", "VARCHAR(255)", false)));
    // The rebuilds kept the table's own index and the rows' keys.
    assert_eq!(
        sqlite_strings(
            sqlite(&mut conn),
            "SELECT count(DISTINCT id) AS v FROM members"
        ),
        some(&["3"])
    );

    for _ in 0..migrations_after_users() {
        conn.revert_last_migration(set).expect("revert");
    }
    assert_eq!(
        sqlite_tables(sqlite(&mut conn)),
        ["__diesel_schema_migrations", "members", "users"]
    );
    let names: Vec<String> = sqlite_columns(sqlite(&mut conn), "members")
        .into_iter()
        .map(|c| c.name)
        .collect();
    assert_eq!(
        names,
        [
            "id",
            "first_name",
            "last_name",
            "email",
            "phone_number",
            "created_at"
        ]
    );
    assert_eq!(
        sqlite_strings(sqlite(&mut conn), FIRST_NAMES),
        some(&["Ada", "Seán", "Zoë"])
    );

    for _ in 0..migrations_after_users() {
        conn.run_next_migration(set).expect("apply again");
    }
    assert_eq!(
        sqlite_strings(sqlite(&mut conn), FULL_NAMES),
        expected_full_names()
    );

    // Consolidated into full_name, then split again: every name comes back.
    conn.run_pending_migrations(set)
        .expect("consolidate and split");
    assert_eq!(
        sqlite_strings(sqlite(&mut conn), FIRST_NAMES),
        some(&["Ada", "Seán", "Zoë"])
    );
    assert_eq!(
        sqlite_strings(sqlite(&mut conn), LAST_NAMES),
        some(&["Lovelace", "O'Brien", "Ñúñez"])
    );
}

/// Rebuilding `members` with foreign keys on would cascade to its event
/// participants: the migration is refused before anything runs.
#[test]
fn sqlite_refuses_to_rebuild_a_referenced_table_with_foreign_keys_on() {
    let mut conn = AnyConnection::Sqlite(sqlite_memory());
    let set = cms::history::MIGRATIONS;

    while conn
        .applied_migrations()
        .expect("applied")
        .iter()
        .all(|v| v != "2024_01_12_000002")
    {
        conn.run_next_migration(set)
            .expect("apply up to add_status");
    }
    conn.batch_execute(MEMBERS).expect("insert members");
    conn.batch_execute(
        "INSERT INTO events (name) VALUES ('AGM'); \
         INSERT INTO event_participants (member_id, event_id) SELECT m.id, e.id FROM members m, events e; \
         PRAGMA foreign_keys = ON;",
    )
    .expect("insert participants");

    let error = conn
        .run_pending_migrations(set)
        .expect_err("refused")
        .to_string();
    assert!(
        error.contains("migration `2024_01_13_000001` rebuilds table `members`"),
        "{error}"
    );
    assert!(error.contains("PRAGMA foreign_keys = OFF"), "{error}");
    let participants = "SELECT count(*) AS v FROM event_participants";
    assert_eq!(
        sqlite_strings(sqlite(&mut conn), participants),
        some(&["3"])
    );
    let applied = sqlite_applied(sqlite(&mut conn));
    assert_eq!(
        applied.last().map(String::as_str),
        Some("2024_01_12_000002")
    );

    conn.batch_execute("PRAGMA foreign_keys = OFF")
        .expect("foreign keys off");
    conn.run_pending_migrations(set).expect("apply the rest");
    assert_eq!(
        sqlite_strings(sqlite(&mut conn), participants),
        some(&["3"])
    );
}

/// The last migration lower-cases emails in Rust (SQLite's `lower()` would
/// leave "É" as it is); its downgrade gives each address back as written.
fn emails_are_lowercased_the_unicode_way_and_restored(conn: &mut AnyConnection) {
    let set = cms::history::MIGRATIONS;
    let last = set.migrations().last().expect("a last migration").id();
    let before_last = set.migrations()[set.migrations().len() - 2].id();
    migration_runtime::Runner::new(conn, set)
        .upgrade(before_last)
        .expect("all but the last");
    conn.batch_execute(
        "INSERT INTO members (first_name, last_name, email) VALUES \
         ('Élodie', 'Durand', 'ÉLODIE@Example.ORG'), ('Zoë', 'Ñúñez', 'zoe@example.org')",
    )
    .expect("insert members");
    let emails = "SELECT email AS v FROM members ORDER BY last_name";

    migration_runtime::Runner::new(conn, set)
        .upgrade(last)
        .expect("lowercase emails");
    assert_eq!(
        conn.text_column(emails).expect("emails"),
        some(&["élodie@example.org", "zoe@example.org"])
    );
    migration_runtime::Runner::new(conn, set)
        .downgrade("-1")
        .expect("revert");
    assert_eq!(
        conn.text_column(emails).expect("emails"),
        some(&["ÉLODIE@Example.ORG", "zoe@example.org"])
    );
}

on_both_backends!(emails_are_lowercased_the_unicode_way_and_restored => sqlite_emails_are_lowercased_the_unicode_way_and_restored, postgres_emails_are_lowercased_the_unicode_way_and_restored);
