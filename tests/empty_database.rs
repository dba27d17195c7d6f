//! An upgrade that starts from an empty history runs as one transaction
//! when every step is typed: all of it applies or none. Raw SQL keeps a
//! transaction per migration, since it may need the commits between them.
//! In any run that is one transaction, a failure names its own migration.

use integration_tests::{on_both_backends, value};
use migration_runtime::testing::PgTestDatabase;
use migration_runtime::{AnyConnection, Runner};

/// Typed steps only; the second migration's table is one the database
/// already has (made by hand), so it fails.
#[migration_runtime::migrations]
mod typed {
    #[migration(id = "2025_05_01_000001")]
    fn create_members(m: &mut Up) {
        m.create_table("members", |t| {
            t.id("id");
            t.column("email", text());
        });
    }

    #[migration(id = "2025_05_02_000001")]
    fn create_teams(m: &mut Up) {
        m.create_table("teams", |t| {
            t.id("id");
        });
        m.create_index("members", ["email"]);
    }
}

/// A new enum value, usable only once the migration that adds it has
/// committed.
#[migration_runtime::migrations]
mod moods {
    #[migration(id = "2025_06_01_000001")]
    fn create_mood(m: &mut Up) {
        m.sql("CREATE TYPE mood AS ENUM ('sad')")
            .reverse_with("DROP TYPE mood");
    }

    #[migration(
        id = "2025_06_02_000001",
        irreversible = "PostgreSQL cannot drop an enum value"
    )]
    fn add_glad(m: &mut Up) {
        m.sql("ALTER TYPE mood ADD VALUE 'glad'");
    }

    #[migration(id = "2025_06_03_000001")]
    fn use_glad(m: &mut Up) {
        m.sql("CREATE TABLE days (feeling mood NOT NULL DEFAULT 'glad')")
            .reverse_with("DROP TABLE days");
    }
}

fn applied(conn: &mut AnyConnection) -> String {
    value(
        conn,
        "SELECT CAST(count(*) AS TEXT) AS v FROM __diesel_schema_migrations",
    )
}

fn all_or_nothing_from_an_empty_history(conn: &mut AnyConnection) {
    conn.batch_execute("CREATE TABLE teams (id INTEGER)")
        .expect("a table made by hand");
    let error = Runner::new(conn, typed::MIGRATIONS)
        .upgrade("head")
        .expect_err("`teams` exists");
    assert!(error.to_string().contains("2025_05_02_000001"), "{error}");
    assert_eq!(applied(conn), "0", "nothing is recorded");
    assert!(
        conn.batch_execute("SELECT 1 FROM members").is_err(),
        "the first migration's table is rolled back with the second"
    );

    // Once a migration is applied, each is its own transaction again.
    Runner::new(conn, typed::MIGRATIONS)
        .upgrade("+1")
        .expect("the first alone");
    Runner::new(conn, typed::MIGRATIONS)
        .upgrade("head")
        .expect_err("`teams` still exists");
    assert_eq!(applied(conn), "1", "the first stays applied");
}

on_both_backends!(all_or_nothing_from_an_empty_history =>
    sqlite_an_upgrade_from_an_empty_history_is_all_or_nothing,
    postgres_an_upgrade_from_an_empty_history_is_all_or_nothing);

#[test]
fn postgres_an_upgrade_from_an_empty_history_is_one_transaction() {
    let Some(db) = PgTestDatabase::create() else {
        return;
    };
    let mut conn = AnyConnection::establish(db.url()).expect("connect");
    Runner::new(&mut conn, typed::MIGRATIONS)
        .upgrade("head")
        .expect("upgrade");
    // A catalog row's `xmin` is the transaction that created the relation.
    assert_eq!(
        value(
            &mut conn,
            "SELECT CAST(count(DISTINCT CAST(xmin AS TEXT)) AS TEXT) AS v FROM pg_class \
             WHERE relname IN ('members', 'teams', 'members_email_idx')"
        ),
        "1"
    );
}

#[test]
fn postgres_raw_sql_from_an_empty_history_keeps_a_transaction_per_migration() {
    let Some(db) = PgTestDatabase::create() else {
        return;
    };
    let mut conn = AnyConnection::establish(db.url()).expect("connect");
    Runner::new(&mut conn, moods::MIGRATIONS)
        .upgrade("head")
        .expect("`glad` is committed before it is used");
    assert_eq!(applied(&mut conn), "3");
    conn.batch_execute("INSERT INTO days DEFAULT VALUES")
        .expect("a glad day");
    // In one transaction PostgreSQL refuses the new value, as the runner
    // would have had it from the empty history.
    let other = PgTestDatabase::create().expect("a second database");
    let mut conn = AnyConnection::establish(other.url()).expect("connect");
    let error = Runner::new(&mut conn, moods::MIGRATIONS)
        .single_transaction(true)
        .upgrade("head")
        .expect_err("unsafe use of new value");
    assert!(error.to_string().contains("glad"), "{error}");
}

/// Owners and pets; the pets' owners become a foreign key, then a second
/// migration follows.
#[migration_runtime::migrations]
mod pets {
    #[migration(id = "2025_07_01_000001")]
    fn create_pets(m: &mut Up) {
        m.create_table("owners", |t| {
            t.id("id");
        });
        m.create_table("pets", |t| {
            t.id("id");
            t.column("owner_id", bigint());
        });
    }

    #[migration(id = "2025_07_02_000001")]
    fn pets_have_owners(m: &mut Up) {
        m.add_foreign_key("pets", ["owner_id"], "owners", ["id"]);
    }

    #[migration(id = "2025_07_03_000001")]
    fn create_toys(m: &mut Up) {
        m.create_table("toys", |t| {
            t.id("id");
        });
    }
}

/// In a run that is one transaction, a migration whose foreign key breaks
/// on rows already there is the one the error names, on SQLite (which
/// checks foreign keys when the migration is done) as on PostgreSQL.
fn a_broken_foreign_key_names_its_migration_in_one_transaction(conn: &mut AnyConnection) {
    Runner::new(conn, pets::MIGRATIONS)
        .upgrade("+1")
        .expect("create pets");
    conn.batch_execute("INSERT INTO pets (owner_id) VALUES (7)")
        .expect("a pet whose owner is gone");
    let error = Runner::new(conn, pets::MIGRATIONS)
        .single_transaction(true)
        .upgrade("head")
        .expect_err("pet 1's owner does not exist");
    assert!(
        error.to_string().contains("2025_07_02_000001"),
        "the foreign key's migration is named: {error}"
    );
    assert_eq!(applied(conn), "1");
}

on_both_backends!(a_broken_foreign_key_names_its_migration_in_one_transaction =>
    sqlite_a_broken_foreign_key_names_its_migration_in_one_transaction,
    postgres_a_broken_foreign_key_names_its_migration_in_one_transaction);
