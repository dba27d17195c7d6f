//! Every step of the language, applied, checked in the catalog, reverted
//! and checked again, on PostgreSQL and SQLite, with rows in the tables.

use migration_runtime::testing::{PgTestDatabase, check_round_trip};
use migration_runtime::{AnyConnection, Migration};

#[migration_runtime::migrations]
mod every_step {
    /// Tables with every kind of key and constraint.
    #[migration(id = "2024_03_01_000001")]
    fn create_tables(m: &mut Up) {
        m.create_table("clubs", |t| {
            t.id("id");
            t.column("name", varchar(100).unique());
            t.column("founded", date().nullable());
            t.column("fee", decimal(8, 2).default(12.5));
            t.check("clubs_fee_positive", col("fee").ge(0));
        });
        m.create_table("people", |t| {
            t.uuid_id("id");
            t.column("name", text());
            t.column("age", text().nullable());
            t.column("club_id", bigint().nullable());
            t.column("active", boolean().default(true));
            t.foreign_key(["club_id"], "clubs", ["id"])
                .on_delete(set_null);
        });
        m.create_table("memberships", |t| {
            t.column("club_id", bigint());
            t.column("person_id", uuid());
            t.column("since", timestamptz().default_now());
            t.primary_key(["club_id", "person_id"]);
            t.foreign_key(["club_id"], "clubs", ["id"])
                .on_delete(cascade);
        });
    }

    #[migration(id = "2024_03_02_000001")]
    fn rename_things(m: &mut Up) {
        m.rename_table("people", "persons");
        m.rename_column("persons", "name", "display_name");
    }

    #[migration(id = "2024_03_03_000001")]
    fn columns(m: &mut Up) {
        m.add_column("persons", "nickname", varchar(20).nullable());
        m.add_column("persons", "tier", smallint().default(1));
        m.change_type("persons", "nickname", varchar(80));
        m.set_default("persons", "nickname", "none");
        m.drop_default("persons", "active");
    }

    #[migration(id = "2024_03_04_000001")]
    fn nullability(m: &mut Up) {
        m.backfill("persons", "nickname", lower(col("display_name")))
            .only_where(col("nickname").is_null());
        m.tighten_not_null("persons", "nickname");
        m.loosen_not_null("clubs", "name");
    }

    #[migration(id = "2024_03_05_000001")]
    fn indexes_and_keys(m: &mut Up) {
        m.create_index("persons", ["display_name", "tier"]).unique();
        m.create_index("clubs", ["founded"])
            .name("clubs_by_founding");
        m.add_foreign_key("memberships", ["person_id"], "persons", ["id"])
            .on_delete(cascade)
            .name("memberships_person_fkey");
    }

    #[migration(id = "2024_03_06_000001")]
    fn drop_keys_and_indexes(m: &mut Up) {
        m.drop_index("clubs_by_founding");
        m.drop_foreign_key("memberships", "memberships_person_fkey");
    }

    /// Upper-cases names, remembering how to give the old ones back.
    #[migration(id = "2024_03_07_000001")]
    fn data(m: &mut Up) {
        m.add_column("persons", "original_name", text().nullable());
        m.backfill("persons", "original_name", col("display_name"));
        m.add_column("persons", "name_key", text().nullable());
        m.backfill("persons", "name_key", lower(col("display_name")));
        m.backfill("persons", "display_name", upper(col("display_name")))
            .restore_with(col("original_name"));
    }

    /// The key can be computed again from the name.
    #[migration(id = "2024_03_08_000001")]
    fn drop_with_restore(m: &mut Up) {
        m.drop_column("persons", "name_key")
            .restore_with(lower(col("display_name")));
    }

    /// Age as a number: the downgrade is written because a conversion can lose values.
    #[migration(id = "2024_03_09_000001")]
    fn age_as_number(m: &mut Up) {
        m.change_type("persons", "age", integer())
            .using(cast(nullif(trim(col("age")), ""), integer()));
    }

    #[downgrade]
    fn age_as_text(m: &mut Down) {
        m.change_type("persons", "age", text());
    }

    #[migration(id = "2024_03_10_000001")]
    fn raw_sql(m: &mut Up) {
        m.sql(r#"CREATE VIEW "active_persons" AS SELECT * FROM "persons" WHERE "active""#)
            .reverse_with(r#"DROP VIEW "active_persons""#);
    }

    #[migration(
        id = "2024_03_11_000001",
        irreversible = "the archive moved to cold storage"
    )]
    fn drop_archive(m: &mut Up) {
        m.create_table("archive", |t| {
            t.id("id");
        });
        m.drop_table("archive");
    }
}

type Seeded = Result<(), Box<dyn std::error::Error + Send + Sync>>;

/// Rows for every table, with ages written as clean numbers.
fn seed(conn: &mut AnyConnection, migration: &Migration) -> Seeded {
    seed_with_ages(conn, migration, ["'36'", "'41'", "NULL"])
}

fn seed_with_ages(conn: &mut AnyConnection, migration: &Migration, ages: [&str; 3]) -> Seeded {
    if migration.name() == "create_tables" {
        let [ada, grace, zoe] = ages;
        conn.batch_execute(&format!(
            "INSERT INTO clubs (name, founded) VALUES ('Chess', '1999-05-01'), ('Rowing', NULL); \
             INSERT INTO people (name, age, club_id) VALUES \
               ('Ada Lovelace', {ada}, 1), ('Grace Hopper', {grace}, 2), ('Zoë', {zoe}, NULL); \
             INSERT INTO memberships (club_id, person_id) SELECT club_id, id FROM people WHERE club_id IS NOT NULL"
        ))?;
    }
    Ok(())
}

fn ages_after(conn: &mut AnyConnection) -> Vec<Option<String>> {
    conn.text_column("SELECT CAST(age AS TEXT) AS v FROM persons ORDER BY display_name")
        .expect("read ages")
}

fn expected_ages() -> Vec<Option<String>> {
    vec![Some("36".to_owned()), Some("41".to_owned()), None]
}

fn sqlite_file(name: &str) -> (std::path::PathBuf, AnyConnection) {
    let path = std::env::temp_dir().join(format!("steps-{name}-{}.db", std::process::id()));
    let _ = std::fs::remove_file(&path);
    let conn = AnyConnection::establish(path.to_str().expect("utf-8 path")).expect("open SQLite");
    (path, conn)
}

#[test]
fn every_step_round_trips_on_sqlite() {
    let (path, mut conn) = sqlite_file("all");
    check_round_trip(&mut conn, every_step::MIGRATIONS, seed).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(ages_after(&mut conn), expected_ages());
    std::fs::remove_file(path).expect("clean up");
}

#[test]
fn every_step_round_trips_on_postgres() {
    let Some(db) = PgTestDatabase::create() else {
        return;
    };
    let mut conn = AnyConnection::establish(db.url()).expect("connect");
    check_round_trip(&mut conn, every_step::MIGRATIONS, seed).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(ages_after(&mut conn), expected_ages());
}

/// Text that is not a clean number does not survive text → integer → text:
/// the written downgrade restores the type, not the spelling.
#[test]
fn a_conversion_that_loses_the_spelling_is_caught() {
    let (path, mut conn) = sqlite_file("ages");
    let failure = check_round_trip(&mut conn, every_step::MIGRATIONS, |conn, migration| {
        seed_with_ages(conn, migration, ["' 36 '", "'41'", "NULL"])
    })
    .expect_err("caught");
    let ada = conn
        .text_column(
            "SELECT CAST(id AS TEXT) AS v FROM persons WHERE original_name = 'Ada Lovelace'",
        )
        .expect("Ada's id");
    let ada = ada[0].as_deref().expect("Ada has an id");
    assert_eq!(
        failure.to_string(),
        format!(
            "migration `2024_03_09_000001`: up then down does not keep the data of `persons.age`: \
             the row with id = {ada} was Some(\" 36 \") and is Some(\"36\")"
        )
    );
    std::fs::remove_file(path).expect("clean up");
}

/// Generated memberships point at people that do not exist (the key is
/// only added later), so adding the foreign key fails, and both backends say
/// so: PostgreSQL while validating the key, SQLite in the runner's
/// foreign-key check before commit. Nothing of the migration remains.
#[test]
fn generated_rows_expose_a_foreign_key_added_over_rows_that_reference_nothing() {
    use migration_runtime::testing::generated_rows;
    let (path, mut conn) = sqlite_file("generated");
    let failure =
        check_round_trip(&mut conn, every_step::MIGRATIONS, generated_rows).expect_err("caught");
    assert_eq!(
        failure.to_string(),
        "migration `2024_03_05_000001`: up failed: migration `2024_03_05_000001` leaves rows in `memberships` \
         whose foreign key points nowhere (rolled back)"
    );
    let indexes = conn
        .text_column("SELECT name AS v FROM sqlite_master WHERE name = 'clubs_by_founding'")
        .expect("read indexes");
    assert!(
        indexes.is_empty(),
        "the migration's index was rolled back too"
    );
    std::fs::remove_file(path).expect("clean up");

    let Some(db) = PgTestDatabase::create() else {
        return;
    };
    let mut conn = AnyConnection::establish(db.url()).expect("connect");
    let failure =
        check_round_trip(&mut conn, every_step::MIGRATIONS, generated_rows).expect_err("caught");
    let message = failure.to_string();
    assert!(
        message.starts_with("migration `2024_03_05_000001`: up failed: "),
        "{message}"
    );
    assert!(
        message.contains("violates foreign key constraint \"memberships_person_fkey\""),
        "{message}"
    );
}
