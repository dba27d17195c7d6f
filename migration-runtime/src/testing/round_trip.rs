//! The round-trip check: every migration goes up, down and up again on a
//! real database, and the schema and the data must come back exactly.

use std::collections::BTreeMap;

use migration_model::{Schema, diff};

use crate::catalog::{comparable, comparable_introspected};
use crate::connection::{AnyConnection, BoxError};
use crate::dialect::quote_ident;
use crate::migration::Migration;
use crate::runner::Runner;
use crate::set::MigrationSet;

/// Why a history does not round-trip, naming the migration and what differs.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RoundTripFailure {
    /// The history has no single head to upgrade to.
    #[error("the history has {} heads ({}): merge them", .0.len(), .0.join(", "))]
    Heads(Vec<String>),
    /// A migration failed to apply or revert.
    #[error("migration `{migration}`: {action} failed: {error}")]
    Failed {
        /// The migration.
        migration: String,
        /// `up`, `down`, `up again` or `seed`.
        action: &'static str,
        /// The error.
        error: String,
    },
    /// The database's schema is not the one expected.
    #[error("migration `{migration}`: {what}:\n  - {}", .differences.join("\n  - "))]
    SchemaDiffers {
        /// The migration.
        migration: String,
        /// Which comparison failed.
        what: &'static str,
        /// What differs, one line each.
        differences: Vec<String>,
    },
    /// Values present before the migration are not there after up and down.
    #[error("{0}")]
    DataLost(Box<DataLoss>),
    /// The database could not be read.
    #[error("reading the database: {0}")]
    Database(#[from] crate::Error),
}

/// The first value a migration's up and down did not keep.
#[derive(Debug, thiserror::Error)]
#[error(
    "migration `{migration}`: up then down does not keep the data of `{table}.{column}`: \
     the row with {row} was {before:?} and is {after:?}"
)]
pub struct DataLoss {
    /// The migration.
    pub migration: String,
    /// The table.
    pub table: String,
    /// The column.
    pub column: String,
    /// The first row that differs, by its key (`id = 3`), or by position
    /// (`#2`) in a table without a primary key.
    pub row: String,
    /// Its value before.
    pub before: Option<String>,
    /// Its value after.
    pub after: Option<String>,
}

/// Every value of every table, by table name.
type Data = BTreeMap<String, TableData>;

/// The rows of one table, in key order.
#[derive(Debug, PartialEq)]
struct TableData {
    /// Each row's key, as a reader finds the row (`id = 3`).
    keys: Vec<String>,
    /// Each column's values, by column name.
    columns: BTreeMap<String, Vec<Option<String>>>,
}

/// Applies every migration of `set` in order on the empty database behind
/// `conn`, and for each one checks that:
/// - the database then holds exactly the schema the migration describes;
/// - its downgrade restores the schema as it was and keeps every row and
///   every value that was there (a dropped column restored with
///   `restore_with` must come back with the same values; a NULL may come
///   back filled, as a backfill limited to NULLs leaves it);
/// - applying it again gives the same schema as the first time.
///
/// `seed` runs after each migration's upgrade, to put rows in its tables so
/// that the later migrations run on data (rows only: the schema is the
/// migrations' business); irreversible migrations are only applied.
///
/// ```
/// #[migration_runtime::migrations]
/// mod history {
///     #[migration(id = "2024_01_10_000001")]
///     fn create_members(m: &mut Up) {
///         m.create_table("members", |t| {
///             t.id("id");
///             t.column("full_name", text());
///         });
///     }
///
///     /// The guide's split: it loses the third word of a three-word name.
///     #[migration(id = "2024_02_01_000001")]
///     fn split_full_name(m: &mut Up) {
///         m.add_column("members", "first_name", text().nullable());
///         m.add_column("members", "last_name", text().nullable());
///         m.backfill("members", "first_name", split_part(col("full_name"), " ", 1));
///         m.backfill("members", "last_name", split_part(col("full_name"), " ", 2));
///         m.drop_column("members", "full_name")
///             .restore_with(concat([col("first_name"), " ", col("last_name")]));
///     }
/// }
///
/// use migration_runtime::AnyConnection;
/// use migration_runtime::testing::check_round_trip;
///
/// let mut conn = AnyConnection::establish(":memory:")?;
/// let failure = check_round_trip(&mut conn, history::MIGRATIONS, |conn, migration| {
///     if migration.name() == "create_members" {
///         conn.batch_execute("INSERT INTO members (full_name) VALUES ('Jean Claude Van Damme')")?;
///     }
///     Ok(())
/// })
/// .expect_err("the split loses data");
/// assert!(failure.to_string().contains("Van Damme"), "{failure}");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn check_round_trip(
    conn: &mut AnyConnection,
    set: MigrationSet,
    mut seed: impl FnMut(&mut AnyConnection, &Migration) -> Result<(), BoxError>,
) -> Result<(), RoundTripFailure> {
    let heads = set.heads();
    if heads.len() != 1 {
        return Err(RoundTripFailure::Heads(
            heads.iter().map(|m| m.id().to_owned()).collect(),
        ));
    }
    let mut applied: Vec<&str> = Vec::new();
    // The schema as last read: a seed adds rows, not tables, so the state
    // after one migration is the state before the next.
    let mut current = conn.introspect()?;
    for migration in set.migrations() {
        let id = migration.id();
        let failed = |action, error: BoxError| RoundTripFailure::Failed {
            migration: id.to_owned(),
            action,
            error: error.to_string(),
        };
        let before = current;
        // Only the tables the migration touches can lose data (raw SQL may touch any).
        let watched = touched_schema(migration, &before);
        let before_data = snapshot(conn, &watched)?;

        Runner::new(conn, set)
            .upgrade(id)
            .map_err(|e| failed("up", e.into()))?;
        applied.push(id);
        let after = conn.introspect()?;
        let expected = set.schema_of(&applied)?;
        compare(
            id,
            "after up, the database does not hold the schema the migration describes",
            &comparable(&expected),
            &comparable(&after),
        )?;

        if migration.down().is_ok() {
            Runner::new(conn, set)
                .downgrade("-1")
                .map_err(|e| failed("down", e.into()))?;
            compare(
                id,
                "up then down does not restore the schema",
                &comparable_introspected(&before),
                &comparable_introspected(&conn.introspect()?),
            )?;
            compare_data(id, &before_data, &snapshot(conn, &watched)?)?;
            Runner::new(conn, set)
                .upgrade(id)
                .map_err(|e| failed("up again", e.into()))?;
            let again = conn.introspect()?;
            compare(
                id,
                "up, down, up gives another schema than the first up",
                &comparable_introspected(&after),
                &comparable_introspected(&again),
            )?;
        }
        current = after;
        seed(conn, migration).map_err(|e| failed("seed", e))?;
    }
    Ok(())
}

/// Everything a database holds: its schema and every value, for comparing
/// a database before and after (a backup restored, a round trip).
#[derive(Debug, PartialEq)]
pub struct Contents {
    /// The schema, as introspected, in name order (see [`Schema::normalized`]).
    pub schema: Schema,
    data: Data,
}

/// What the database behind `conn` holds now.
pub fn contents(conn: &mut AnyConnection) -> Result<Contents, crate::Error> {
    let schema = conn.introspect()?.normalized();
    let data = snapshot(conn, &schema)?;
    Ok(Contents { schema, data })
}

/// Compares two schemas already in a comparable form (simulated against
/// introspected, or introspected against introspected: see `catalog`).
fn compare(
    migration: &str,
    what: &'static str,
    expected: &Schema,
    actual: &Schema,
) -> Result<(), RoundTripFailure> {
    let differences = diff(expected, actual);
    if differences.is_empty() {
        Ok(())
    } else {
        Err(RoundTripFailure::SchemaDiffers {
            migration: migration.to_owned(),
            what,
            differences,
        })
    }
}

fn compare_data(migration: &str, before: &Data, after: &Data) -> Result<(), RoundTripFailure> {
    for (table, old) in before {
        let new = after.get(table);
        for (column, values) in &old.columns {
            let now_values = new
                .and_then(|t| t.columns.get(column))
                .map(Vec::as_slice)
                .unwrap_or_default();
            // A NULL that became a value lost nothing: a backfill that fills
            // only NULLs has no way to know, going down, which rows it filled.
            let kept = |row: usize| match (values.get(row), now_values.get(row)) {
                (Some(None), Some(_)) => true,
                (before, after) => before == after,
            };
            let differs = (0..values.len().max(now_values.len())).find(|&row| !kept(row));
            if let Some(row) = differs {
                return Err(RoundTripFailure::DataLost(Box::new(DataLoss {
                    migration: migration.to_owned(),
                    table: table.clone(),
                    column: column.clone(),
                    row: old
                        .keys
                        .get(row)
                        .cloned()
                        .unwrap_or_else(|| format!("#{row}")),
                    before: values.get(row).cloned().flatten(),
                    after: now_values.get(row).cloned().flatten(),
                })));
            }
        }
    }
    Ok(())
}

/// Every value of every table in `schema`, as text, rows ordered by the
/// primary key (or by every column when there is none).
/// The part of `schema` that `migration` can change the rows of.
fn touched_schema(migration: &Migration, schema: &Schema) -> Schema {
    let down = migration.down().unwrap_or_default();
    let ops = migration.up().iter().chain(down);
    let mut tables: Vec<&str> = Vec::new();
    for op in ops {
        match op {
            migration_model::Op::Sql { .. } | migration_model::Op::RunRust { .. } => {
                return schema.clone();
            }
            migration_model::Op::RenameTable { from, to } => {
                tables.extend([from.as_ref(), to.as_ref()])
            }
            migration_model::Op::DropIndex { .. } => {}
            other => tables.extend(other.table()),
        }
    }
    Schema {
        tables: schema
            .tables
            .iter()
            .filter(|t| tables.contains(&t.name.as_ref()))
            .cloned()
            .collect(),
        indexes: Vec::new(),
    }
}

fn snapshot(conn: &mut AnyConnection, schema: &Schema) -> Result<Data, crate::Error> {
    let mut data = Data::new();
    for table in &schema.tables {
        let as_text = |column: &str| format!("CAST({} AS TEXT)", quote_ident(column));
        let order: Vec<String> = if table.primary_key.is_empty() {
            table.columns.iter().map(|c| as_text(&c.name)).collect()
        } else {
            table.primary_key.iter().map(|c| quote_ident(c)).collect()
        };
        let select = |value: &str| {
            format!(
                "SELECT {value} AS v FROM {} ORDER BY {}",
                quote_ident(&table.name),
                order.join(", ")
            )
        };
        let keys = if table.primary_key.is_empty() {
            let rows = conn.text_column(&select("NULL"))?.len();
            (0..rows).map(|row| format!("#{row}")).collect()
        } else {
            let key: Vec<String> = table.primary_key.iter().map(|c| as_text(c)).collect();
            let names: Vec<&str> = table.primary_key.iter().map(|c| c.as_ref()).collect();
            conn.text_column(&select(&key.join(" || ', ' || ")))?
                .into_iter()
                .map(|value| format!("{} = {}", names.join(", "), value.unwrap_or_default()))
                .collect()
        };
        let mut columns = BTreeMap::new();
        for column in table.columns.iter() {
            columns.insert(
                column.name.to_string(),
                conn.text_column(&select(&as_text(&column.name)))?,
            );
        }
        data.insert(table.name.to_string(), TableData { keys, columns });
    }
    Ok(data)
}
