//! `testing::check_round_trip` on real databases: the CMS history passes
//! with rows in its tables; broken migrations are caught, with a message
//! that names the migration and what differs.

use integration_tests::on_both_backends;
use migration_runtime::testing::{DataLoss, RoundTripFailure, check_round_trip};
use migration_runtime::{AnyConnection, Migration};

type Seeded = Result<(), Box<dyn std::error::Error + Send + Sync>>;

/// Members, events and participants, inserted as soon as their tables exist.
fn seed_cms(conn: &mut AnyConnection, migration: &Migration) -> Seeded {
    match migration.name() {
        "create_members" => conn.batch_execute(
            "INSERT INTO members (first_name, last_name, email) VALUES \
             ('Ada', 'Lovelace', 'ada@example.org'), ('Jean Claude', 'Van Damme', 'jc@example.org'), \
             ('Zoë', 'O''Brien', 'zoe@example.org'), ('', '', 'empty@example.org')",
        )?,
        "create_event_participants" => conn.batch_execute(
            "INSERT INTO events (name) VALUES ('AGM'); \
             INSERT INTO event_participants (member_id, event_id) SELECT m.id, e.id FROM members m, events e",
        )?,
        _ => {}
    }
    Ok(())
}

fn cms_round_trips(conn: &mut AnyConnection) {
    check_round_trip(conn, cms::history::MIGRATIONS, seed_cms).unwrap_or_else(|e| panic!("{e}"));
}

on_both_backends!(cms_round_trips => the_cms_history_round_trips_on_sqlite, the_cms_history_round_trips_on_postgres);

/// The guide's split of `full_name`, restored with first and last name
/// joined: a three-word name does not come back.
#[migration_runtime::migrations]
mod lossy_split {
    #[migration(id = "2024_01_15_000001")]
    fn create_members(m: &mut Up) {
        m.create_table("members", |t| {
            t.id("id");
            t.column("full_name", varchar(255));
        });
    }

    #[migration(id = "2024_02_01_000001")]
    fn split_full_name(m: &mut Up) {
        m.add_column("members", "first_name", varchar(100).nullable());
        m.add_column("members", "last_name", varchar(100).nullable());
        m.backfill(
            "members",
            "first_name",
            split_part(col("full_name"), " ", 1),
        );
        m.backfill("members", "last_name", split_part(col("full_name"), " ", 2));
        m.tighten_not_null("members", "first_name");
        m.tighten_not_null("members", "last_name");
        m.drop_column("members", "full_name").restore_with(concat([
            col("first_name"),
            " ",
            col("last_name"),
        ]));
    }
}

fn seed_names(conn: &mut AnyConnection, migration: &Migration) -> Seeded {
    if migration.name() == "create_members" {
        conn.batch_execute(
            "INSERT INTO members (full_name) VALUES ('Ada Lovelace'), ('Jean Claude Van Damme'), ('Cher')",
        )?;
    }
    Ok(())
}

fn assert_lossy_split_caught(failure: RoundTripFailure) {
    match failure {
        RoundTripFailure::DataLost(loss) => {
            let DataLoss {
                migration,
                table,
                column,
                row,
                before,
                after,
            } = *loss;
            assert_eq!(
                (migration.as_str(), table.as_str(), column.as_str()),
                ("2024_02_01_000001", "members", "full_name")
            );
            assert_eq!(row, "id = 2");
            assert_eq!(before.as_deref(), Some("Jean Claude Van Damme"));
            assert_eq!(after.as_deref(), Some("Jean Claude"));
        }
        other => panic!("expected the lost third and fourth words, got: {other}"),
    }
}

fn lossy_split_is_caught(conn: &mut AnyConnection) {
    let failure = check_round_trip(conn, lossy_split::MIGRATIONS, seed_names).expect_err("caught");
    assert!(
        failure.to_string().starts_with(
            "migration `2024_02_01_000001`: up then down does not keep the data of `members.full_name`: the row with id = 2"
        ),
        "{failure}"
    );
    assert_lossy_split_caught(failure);
}

on_both_backends!(lossy_split_is_caught => a_split_that_loses_words_is_caught_on_sqlite, a_split_that_loses_words_is_caught_on_postgres);

/// Raw SQL whose reverse forgets the index it should drop.
#[migration_runtime::migrations]
mod forgotten_index {
    #[migration(id = "2024_01_10_000001")]
    fn create_members(m: &mut Up) {
        m.create_table("members", |t| {
            t.id("id");
            t.column("email", varchar(255));
        });
    }

    #[migration(id = "2024_01_11_000001")]
    fn index_emails(m: &mut Up) {
        m.sql(r#"CREATE INDEX "members_email_lower" ON "members" ("email")"#)
            .reverse_with("SELECT 1");
    }
}

fn no_seed(_: &mut AnyConnection, _: &Migration) -> Seeded {
    Ok(())
}

fn assert_forgotten_index_caught(failure: RoundTripFailure) {
    let message = failure.to_string();
    assert!(
        message.starts_with("migration `2024_01_11_000001`: "),
        "{message}"
    );
    match failure {
        RoundTripFailure::SchemaDiffers { differences, .. } => {
            // The migration's declared schema already lacks the index the SQL created.
            assert_eq!(
                differences,
                ["index `members_email_lower` should not exist"]
            );
        }
        other => panic!("expected a schema difference, got: {other}"),
    }
}

fn forgotten_index_is_caught(conn: &mut AnyConnection) {
    let failure = check_round_trip(conn, forgotten_index::MIGRATIONS, no_seed).expect_err("caught");
    assert_forgotten_index_caught(failure);
}

on_both_backends!(forgotten_index_is_caught => raw_sql_that_changes_the_schema_behind_the_models_back_is_caught_on_sqlite, raw_sql_that_changes_the_schema_behind_the_models_back_is_caught_on_postgres);

/// Without fixtures: every table the history creates gets generated rows.
fn round_trip_with_generated_rows(conn: &mut AnyConnection) {
    use migration_runtime::testing::{ROWS, generated_rows};
    check_round_trip(conn, cms::history::MIGRATIONS, generated_rows)
        .unwrap_or_else(|e| panic!("{e}"));
    let count = |conn: &mut AnyConnection, table: &str| {
        conn.text_column(&format!("SELECT CAST(count(*) AS TEXT) AS v FROM {table}"))
            .expect("count")[0]
            .clone()
    };
    let all = Some(ROWS.to_string());
    assert_eq!(
        count(conn, "members"),
        all,
        "every generated member was accepted and kept"
    );
    assert_eq!(count(conn, "events"), all);
    assert_eq!(
        count(conn, "event_participants"),
        all,
        "participants point at generated members and events"
    );
    let names = conn
        .text_column("SELECT CAST(first_name AS TEXT) || '|' || CAST(last_name AS TEXT) AS v FROM members ORDER BY email")
        .expect("names");
    // Each generated member has the same text as first and last name; the
    // split after consolidation keeps every word after the first.
    let expected = "Jean|Claude Van Damme Jean Claude Van Damme";
    assert!(names.contains(&Some(expected.to_owned())), "{names:?}");
}

on_both_backends!(round_trip_with_generated_rows => the_cms_history_round_trips_over_generated_rows_on_sqlite, the_cms_history_round_trips_over_generated_rows_on_postgres);
