//! What is applied: diesel's `__diesel_schema_migrations` (so diesel's
//! harness and this runner always agree), plus `__migration_history`, which
//! adds for each migration a checksum, when it ran and how long it took.

use sha2::{Digest, Sha256};

use crate::connection::AnyConnection;
use crate::dialect::{Backend, quote_text};
use crate::error::Error;
use crate::migration::Migration;

/// The table this runner keeps beside diesel's.
pub const HISTORY_TABLE: &str = "__migration_history";

/// One applied migration as recorded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Applied {
    /// The migration id (diesel's version).
    pub id: String,
    /// The checksum recorded when it ran; `None` when diesel's harness applied it.
    pub checksum: Option<String>,
}

/// The checksum of what a migration does: its steps both ways, written out
/// as data. Line endings in hand-written SQL are normalized so a checkout
/// on another platform does not count as an edit.
pub fn checksum(migration: &Migration) -> String {
    let steps =
        format!("{:?}\n{:?}", migration.up(), migration.downgrade()).replace("\\r\\n", "\\n");
    let digest = Sha256::digest(steps.as_bytes());
    digest.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// Creates both tables when missing.
pub fn ensure_tables(conn: &mut AnyConnection) -> Result<(), Error> {
    conn.setup_diesel_table()?;
    let started = match conn.backend() {
        Backend::Postgres => "TIMESTAMPTZ NOT NULL DEFAULT CURRENT_TIMESTAMP",
        Backend::Sqlite => "TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP",
    };
    conn.batch_execute(&format!(
        "CREATE TABLE IF NOT EXISTS {HISTORY_TABLE} (\
            id VARCHAR(50) PRIMARY KEY NOT NULL, \
            checksum VARCHAR(64) NOT NULL, \
            applied_at {started}, \
            duration_ms BIGINT NOT NULL, \
            state VARCHAR(20) NOT NULL DEFAULT 'applied', \
            step INTEGER NULL, \
            progress TEXT NULL)"
    ))
}

/// Every applied migration, in id order.
pub fn applied(conn: &mut AnyConnection) -> Result<Vec<Applied>, Error> {
    let ids =
        conn.text_column("SELECT version AS v FROM __diesel_schema_migrations ORDER BY version")?;
    // Checksums are hexadecimal: the last space separates them from the id.
    let recorded = conn.text_column(&format!(
        "SELECT id || ' ' || checksum AS v FROM {HISTORY_TABLE} WHERE state = 'applied'"
    ))?;
    let checksums: std::collections::HashMap<&str, &str> = recorded
        .iter()
        .flatten()
        .filter_map(|row| row.rsplit_once(' '))
        .collect();
    Ok(ids
        .iter()
        .flatten()
        .map(|id| Applied {
            id: id.clone(),
            checksum: checksums.get(id.as_str()).map(|c| (*c).to_owned()),
        })
        .collect())
}

/// The statements that record `migration` as applied (replacing its
/// in-progress marker, if any).
pub fn record(migration: &Migration, duration_ms: u128) -> String {
    let id = quote_text(migration.id());
    format!(
        "DELETE FROM {HISTORY_TABLE} WHERE id = {id}; \
         INSERT INTO __diesel_schema_migrations (version) VALUES ({id}); \
         INSERT INTO {HISTORY_TABLE} (id, checksum, duration_ms) VALUES ({id}, {}, {duration_ms})",
        quote_text(&checksum(migration))
    )
}

/// The statement that marks `migration` as partly applied: every segment
/// before `step` (see `segments`) is committed, and `step` is next.
pub fn mark_in_progress(migration: &Migration, step: usize) -> String {
    mark(migration, step, "in_progress")
}

fn mark(migration: &Migration, step: usize, state: &str) -> String {
    let id = quote_text(migration.id());
    format!(
        "DELETE FROM {HISTORY_TABLE} WHERE id = {id}; \
         INSERT INTO {HISTORY_TABLE} (id, checksum, duration_ms, state, step) \
         VALUES ({id}, {}, 0, {}, {step})",
        quote_text(&checksum(migration)),
        quote_text(state)
    )
}

/// The statement that marks `migration` as running `step` outside a
/// transaction. Found by a later runner, it means the runner stopped while
/// the statement ran, so whether it finished is unknown: `repair` decides.
pub fn mark_running_alone(migration: &Migration, step: usize) -> String {
    mark(migration, step, "running_alone")
}

/// The migrations a runner stopped in the middle of a statement run outside
/// a transaction, with that statement's segment.
pub fn interrupted(conn: &mut AnyConnection) -> Result<Vec<(String, usize)>, Error> {
    let rows = conn.text_column(&format!(
        "SELECT id || ' ' || CAST(step AS TEXT) AS v FROM {HISTORY_TABLE} \
         WHERE state = 'running_alone' ORDER BY id"
    ))?;
    Ok(rows
        .into_iter()
        .flatten()
        .filter_map(|row| {
            let (id, step) = row.rsplit_once(' ')?;
            Some((id.to_owned(), step.parse().ok()?))
        })
        .collect())
}

/// The statement that records an interrupted migration as repaired: it
/// resumes at `step` on the next upgrade.
pub fn repaired(id: &str, step: usize) -> String {
    format!(
        "UPDATE {HISTORY_TABLE} SET state = 'in_progress', step = {step}, progress = NULL WHERE id = {}",
        quote_text(id)
    )
}

/// The statement that records a batch done: `step` is next, resuming after key `progress`.
pub fn set_progress(id: &str, step: usize, progress: Option<&str>) -> String {
    format!(
        "UPDATE {HISTORY_TABLE} SET step = {step}, progress = {} WHERE id = {}",
        progress.map_or("NULL".to_owned(), quote_text),
        quote_text(id)
    )
}

/// Where a partly applied migration stopped: the next step and the last
/// key done. Refused when the migration changed since it started: its
/// steps, and so where it stopped, no longer mean the same.
pub fn in_progress(
    conn: &mut AnyConnection,
    migration: &Migration,
) -> Result<Option<(usize, Option<String>)>, Error> {
    let id = migration.id();
    let query = |column: &str| {
        format!(
            "SELECT CAST({column} AS TEXT) AS v FROM {HISTORY_TABLE} WHERE id = {} AND state = 'in_progress'",
            quote_text(id)
        )
    };
    let Some(step) = conn.text_column(&query("step"))?.into_iter().next() else {
        return Ok(None);
    };
    let step = step.and_then(|s| s.parse().ok()).unwrap_or(0);
    let recorded = conn
        .text_column(&query("checksum"))?
        .into_iter()
        .next()
        .flatten();
    if recorded.as_deref() != Some(checksum(migration).as_str()) {
        return Err(Error::ChangedWhilePartlyApplied(id.to_owned()));
    }
    let progress = conn
        .text_column(&query("progress"))?
        .into_iter()
        .next()
        .flatten();
    Ok(Some((step, progress)))
}

/// The migrations marked partly applied (including interrupted ones).
pub fn partly_applied(conn: &mut AnyConnection) -> Result<Vec<String>, Error> {
    let ids = conn.text_column(&format!(
        "SELECT id AS v FROM {HISTORY_TABLE} WHERE state IN ('in_progress', 'running_alone') ORDER BY id"
    ))?;
    Ok(ids.into_iter().flatten().collect())
}

/// The statements that forget `id` was applied.
pub fn forget(id: &str) -> String {
    let id = quote_text(id);
    format!(
        "DELETE FROM __diesel_schema_migrations WHERE version = {id}; \
         DELETE FROM {HISTORY_TABLE} WHERE id = {id}"
    )
}
