//! Fresh PostgreSQL databases for the workloads, filled and settled the same
//! way before anything is timed.

use std::time::Duration;

use migration_runtime::testing::PgTestDatabase;
use migration_runtime::{AnyConnection, MigrationSet, Runner};

use crate::Result;

/// A fresh, empty database on the server named by `TEST_DATABASE_URL`.
pub fn fresh() -> Result<PgTestDatabase> {
    PgTestDatabase::create()
        .ok_or_else(|| "set TEST_DATABASE_URL to a PostgreSQL server (see the README)".into())
}

/// The first value of the first row of `query`, whose column is `v`.
pub fn value(conn: &mut AnyConnection, query: &str) -> Result<String> {
    conn.text_column(query)?
        .into_iter()
        .flatten()
        .next()
        .ok_or_else(|| format!("no value from `{query}`").into())
}

/// The server process behind `conn`, as `pg_stat_activity.pid` shows it.
pub fn backend_pid(conn: &mut AnyConnection) -> Result<String> {
    value(conn, "SELECT CAST(pg_backend_pid() AS TEXT) AS v")
}

/// A fresh database where `set`'s first migration created the table, then
/// `fill` (with `ROWS` replaced by `rows`) filled it, settled by
/// [`settle`].
pub fn filled(set: MigrationSet, fill: &str, rows: u64) -> Result<PgTestDatabase> {
    let db = fresh()?;
    let mut conn = AnyConnection::establish(db.url())?;
    Runner::new(&mut conn, set).upgrade("+1")?;
    conn.batch_execute(&fill.replace("ROWS", &rows.to_string()))?;
    settle(&mut conn)?;
    Ok(db)
}

/// Vacuums and analyzes, so that no timed scan pays for hint bits or
/// visibility the insert left, then checkpoints, so that no checkpoint the
/// fill made due starts during the measurement.
pub fn settle(conn: &mut AnyConnection) -> Result<()> {
    conn.batch_execute("VACUUM ANALYZE")?;
    // CHECKPOINT needs a superuser or pg_checkpoint; without it the
    // figures are only noisier.
    if let Err(error) = conn.batch_execute("CHECKPOINT") {
        eprintln!("note: CHECKPOINT refused ({error}); figures may be noisier");
    }
    Ok(())
}

/// The median of `times` (the upper one of an even count).
pub fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times.get(times.len() / 2).copied().unwrap_or_default()
}
