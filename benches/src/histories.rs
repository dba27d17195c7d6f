//! The migrations the workloads run: the generated 200-migration history
//! of W1 (see `build.rs`), and the few migrations of the large-table
//! workloads, one set per batch size (a batch size is part of a migration).

include!(concat!(env!("OUT_DIR"), "/history.rs"));

/// W2 and the memory workload: a full name added to people and backfilled
/// `$rows` rows per transaction, as the history `$module`.
macro_rules! backfill_by {
    ($module:ident, $rows:tt) => {
        #[migration_runtime::migrations]
        pub mod $module {
            #[migration(id = "2024_12_01_000001")]
            fn create_people(m: &mut Up) {
                m.create_table("people", |t| {
                    t.id("id");
                    t.column("first_name", text());
                    t.column("last_name", text());
                });
            }

            #[migration(id = "2024_12_02_000001")]
            fn add_full_name(m: &mut Up) {
                m.add_column("people", "full_name", text().nullable());
                m.backfill(
                    "people",
                    "full_name",
                    concat([col("first_name"), " ", col("last_name")]),
                )
                .only_where(col("full_name").is_null())
                .batched($rows);
            }
        }
    };
}

backfill_by!(backfill_by_1k, 1_000);
backfill_by!(backfill_by_5k, 5_000);
backfill_by!(backfill_by_10k, 10_000);
backfill_by!(backfill_by_50k, 50_000);

/// W3: a column known to hold no NULL made NOT NULL.
#[migration_runtime::migrations]
pub mod tighten {
    #[migration(id = "2024_12_01_000001")]
    fn create_people(m: &mut Up) {
        m.create_table("people", |t| {
            t.id("id");
            t.column("name", text().nullable());
        });
    }

    #[migration(id = "2024_12_02_000001")]
    fn name_required(m: &mut Up) {
        m.tighten_not_null("people", "name").assume_no_nulls();
    }
}
