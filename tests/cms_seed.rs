//! The CMS history round-trips over a thousand generated members on both
//! backends, and every name survives the consolidation and the corrected
//! split; the guide's own split (`SPLIT_PART(full_name, ' ', 2)` as the last
//! name) is caught on the first member with a three-word name.

use cms::seed::{MEMBERS, Member, insert_statements, members};
use integration_tests::on_both_backends;
use migration_runtime::testing::{DataLoss, RoundTripFailure, check_round_trip};
use migration_runtime::{AnyConnection, Migration};

type Seeded = Result<(), Box<dyn std::error::Error + Send + Sync>>;

fn seed_members(conn: &mut AnyConnection, migration: &Migration) -> Seeded {
    match migration.name() {
        "create_members" => {
            for statement in insert_statements(&members(MEMBERS)) {
                conn.batch_execute(&statement)?;
            }
        }
        "create_event_participants" => conn.batch_execute(
            "INSERT INTO events (name) VALUES ('AGM'); \
             INSERT INTO event_participants (member_id, event_id) SELECT m.id, e.id FROM members m, events e",
        )?,
        _ => {}
    }
    Ok(())
}

/// First and last name as the corrected split computes them from the full
/// name: the first word, and everything after the first space.
fn split(full_name: &str) -> (String, String) {
    match full_name.split_once(' ') {
        Some((first, rest)) => (first.to_owned(), rest.to_owned()),
        None => (full_name.to_owned(), String::new()),
    }
}

fn round_trip_keeps_every_name(conn: &mut AnyConnection) {
    check_round_trip(conn, cms::history::MIGRATIONS, seed_members)
        .unwrap_or_else(|e| panic!("{e}"));
    let read = |conn: &mut AnyConnection, column: &str| {
        conn.text_column(&format!(
            "SELECT CAST({column} AS TEXT) AS v FROM members ORDER BY email"
        ))
        .expect("read members")
    };
    let first_names = read(conn, "first_name");
    let last_names = read(conn, "last_name");
    let seeded = members(MEMBERS);
    assert_eq!(
        first_names.len(),
        seeded.len(),
        "every member is still there"
    );
    for ((member, first), last) in seeded.iter().zip(&first_names).zip(&last_names) {
        let (expected_first, expected_last) = split(&member.full_name());
        assert_eq!(
            (first.as_deref(), last.as_deref()),
            (Some(expected_first.as_str()), Some(expected_last.as_str())),
            "{}: {:?} {:?}",
            member.email,
            member.first_name,
            member.last_name
        );
    }
}

on_both_backends!(round_trip_keeps_every_name => the_cms_history_round_trips_over_a_thousand_members_on_sqlite, the_cms_history_round_trips_over_a_thousand_members_on_postgres);

/// The guide's split, with a way back that handles one-word names as the
/// corrected one does: only the words after the second are lost.
#[migration_runtime::migrations]
mod guide_split {
    #[migration(id = "2024_01_15_000003")]
    fn create_members(m: &mut Up) {
        m.create_table("members", |t| {
            t.id("id");
            t.column("full_name", varchar(255));
        });
    }

    #[migration(id = "2024_02_01_000001")]
    fn split_full_name(m: &mut Up) {
        m.add_column("members", "first_name", varchar(100).nullable());
        m.add_column("members", "last_name", varchar(155).nullable());
        m.backfill(
            "members",
            "first_name",
            split_part(col("full_name"), " ", 1),
        );
        m.backfill("members", "last_name", split_part(col("full_name"), " ", 2));
        m.tighten_not_null("members", "first_name");
        m.tighten_not_null("members", "last_name");
        m.drop_column("members", "full_name")
            .restore_with(case_when(
                [(col("last_name").eq(""), col("first_name"))],
                concat([col("first_name"), " ", col("last_name")]),
            ));
    }
}

fn seed_full_names(conn: &mut AnyConnection, migration: &Migration) -> Seeded {
    if migration.name() == "create_members" {
        for chunk in members(MEMBERS).chunks(250) {
            let rows: Vec<String> = chunk
                .iter()
                .map(|m| {
                    format!(
                        "({})",
                        migration_runtime::dialect::quote_text(&m.full_name())
                    )
                })
                .collect();
            conn.batch_execute(&format!(
                "INSERT INTO members (full_name) VALUES {}",
                rows.join(", ")
            ))?;
        }
    }
    Ok(())
}

fn assert_third_word_loss_caught(failure: RoundTripFailure) {
    let seeded = members(MEMBERS);
    let (index, first_long) = seeded
        .iter()
        .map(Member::full_name)
        .enumerate()
        .find(|(_, name)| name.split(' ').count() >= 3)
        .expect("the seed has three-word names");
    let two_words: Vec<&str> = first_long.split(' ').take(2).collect();
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
            assert_eq!(row, format!("id = {}", index + 1));
            assert_eq!(before, Some(first_long.clone()));
            assert_eq!(after, Some(two_words.join(" ")));
        }
        other => panic!("expected {first_long:?} to lose its third word, got: {other}"),
    }
}

fn guides_split_is_caught(conn: &mut AnyConnection) {
    let failure =
        check_round_trip(conn, guide_split::MIGRATIONS, seed_full_names).expect_err("caught");
    assert_third_word_loss_caught(failure);
}

on_both_backends!(guides_split_is_caught => the_guides_split_is_caught_on_the_first_three_word_name_on_sqlite, the_guides_split_is_caught_on_the_first_three_word_name_on_postgres);
