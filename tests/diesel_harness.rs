//! The CMS example's migrations, applied and reverted through diesel's own
//! `MigrationHarness`, checked in each backend's catalog.

use diesel::connection::SimpleConnection;
use diesel_migrations::MigrationHarness;
use integration_tests::*;
use migration_runtime::AnyConnection;
use migration_runtime::testing::{PgTestDatabase, sqlite_memory};

const MEMBERS: &str = "2024_01_10_000001";
const USERS: &str = "2024_01_10_000002";

fn all_ids() -> Vec<String> {
    let set = cms::history::MIGRATIONS;
    set.migrations().iter().map(|m| m.id().to_owned()).collect()
}

/// The CMS's last migration has a Rust step, which runs only on an `AnyConnection`.
const RUST_STEP_REFUSED: &str = "migration `2024_02_10_000001` has a Rust step (`lowercase_emails`), \
     which runs on a `migration_runtime::AnyConnection`";

fn ids_before_the_rust_step() -> Vec<String> {
    let mut ids = all_ids();
    assert_eq!(ids.pop().as_deref(), Some("2024_02_10_000001"));
    ids
}

#[test]
fn postgres_applies_records_and_reverts_the_first_migrations() {
    let Some(db) = PgTestDatabase::create() else {
        return;
    };
    let mut conn = db.connect();
    let set = cms::history::MIGRATIONS;

    let first = conn
        .run_next_migration(set)
        .expect("apply members")
        .to_string();
    let second = conn
        .run_next_migration(set)
        .expect("apply users")
        .to_string();
    assert_eq!([first, second], [MEMBERS, USERS]);
    assert_eq!(pg_applied(&mut conn), [MEMBERS, USERS]);
    assert_eq!(
        pg_tables(&mut conn),
        ["__diesel_schema_migrations", "members", "users"]
    );
    assert_eq!(
        pg_columns(&mut conn, "members"),
        [
            column("id", "uuid", false),
            column("first_name", "character varying(100)", false),
            column("last_name", "character varying(100)", false),
            column("email", "character varying(255)", false),
            column("phone_number", "character varying(20)", true),
            column("created_at", "timestamp with time zone", false),
        ]
    );
    assert_eq!(
        pg_indexes(&mut conn, "users"),
        ["users_created_at_idx", "users_email_key", "users_pkey"]
    );

    conn.revert_last_migration(set).expect("revert users");
    assert_eq!(pg_applied(&mut conn), [MEMBERS]);
    assert_eq!(
        pg_tables(&mut conn),
        ["__diesel_schema_migrations", "members"]
    );

    conn.revert_last_migration(set).expect("revert members");
    assert!(pg_applied(&mut conn).is_empty());
    assert_eq!(pg_tables(&mut conn), ["__diesel_schema_migrations"]);

    // Every migration up to the Rust step applies on the bare connection;
    // the Rust step needs an AnyConnection, which finishes the history.
    let error = conn
        .run_pending_migrations(set)
        .expect_err("the Rust step is refused")
        .to_string();
    assert!(error.contains(RUST_STEP_REFUSED), "{error}");
    assert_eq!(pg_applied(&mut conn), ids_before_the_rust_step());
    let mut conn = AnyConnection::Postgres(conn);
    conn.run_pending_migrations(set).expect("apply the rest");
    assert_eq!(conn.applied_migrations().expect("applied"), all_ids());
}

#[test]
fn sqlite_applies_records_and_reverts_the_first_migrations() {
    let mut conn = sqlite_memory();
    // The bundled SQLite enforces foreign keys by default; rebuilding a
    // referenced table (widen_phone_number) needs them off.
    conn.batch_execute("PRAGMA foreign_keys = OFF")
        .expect("foreign keys off");
    let set = cms::history::MIGRATIONS;

    let first = conn
        .run_next_migration(set)
        .expect("apply members")
        .to_string();
    let second = conn
        .run_next_migration(set)
        .expect("apply users")
        .to_string();
    assert_eq!([first, second], [MEMBERS, USERS]);
    assert_eq!(sqlite_applied(&mut conn), [MEMBERS, USERS]);
    assert_eq!(
        sqlite_tables(&mut conn),
        ["__diesel_schema_migrations", "members", "users"]
    );
    assert_eq!(
        sqlite_columns(&mut conn, "members"),
        [
            column("id", "UUID", false),
            column("first_name", "VARCHAR(100)", false),
            column("last_name", "VARCHAR(100)", false),
            column("email", "VARCHAR(255)", false),
            column("phone_number", "VARCHAR(20)", true),
            column("created_at", "TIMESTAMPTZ", false),
        ]
    );
    assert_eq!(
        sqlite_indexes(&mut conn, "users"),
        [
            "sqlite_autoindex_users_1",
            "sqlite_autoindex_users_2",
            "users_created_at_idx"
        ]
    );

    conn.revert_last_migration(set).expect("revert users");
    assert_eq!(sqlite_applied(&mut conn), [MEMBERS]);
    assert_eq!(
        sqlite_tables(&mut conn),
        ["__diesel_schema_migrations", "members"]
    );

    conn.revert_last_migration(set).expect("revert members");
    assert!(sqlite_applied(&mut conn).is_empty());
    assert_eq!(sqlite_tables(&mut conn), ["__diesel_schema_migrations"]);

    let error = conn
        .run_pending_migrations(set)
        .expect_err("the Rust step is refused")
        .to_string();
    assert!(error.contains(RUST_STEP_REFUSED), "{error}");
    assert_eq!(sqlite_applied(&mut conn), ids_before_the_rust_step());
    let mut conn = AnyConnection::Sqlite(conn);
    conn.run_pending_migrations(set).expect("apply the rest");
    assert_eq!(conn.applied_migrations().expect("applied"), all_ids());
}
