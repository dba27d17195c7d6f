//! One runner at a time per database.
//!
//! PostgreSQL: a session advisory lock, taken by polling
//! `pg_try_advisory_lock`: a runner blocked in `pg_advisory_lock` would hold
//! a snapshot that makes a peer's `CREATE INDEX CONCURRENTLY` wait for it
//! forever. SQLite: every migration runs in `BEGIN IMMEDIATE`, which takes
//! the write lock, with a busy timeout so a peer waits instead of failing.

use std::time::{Duration, Instant};

use crate::connection::AnyConnection;
use crate::dialect::Backend;
use crate::error::Error;

/// The advisory lock key: one per database and history table.
const KEY: &str = "hashtext(current_database() || '.__migration_history')";

/// How long a runner waits for another to finish before giving up.
pub const WAIT: Duration = Duration::from_secs(600);

/// Takes the lock for this database, waiting while another runner holds it.
pub fn acquire(conn: &mut AnyConnection) -> Result<(), Error> {
    match conn.backend() {
        Backend::Sqlite => conn.batch_execute("PRAGMA busy_timeout = 600000"),
        Backend::Postgres => {
            // A runner killed while the server runs its migration must not
            // see it committed behind its back: the server checks the client
            // is still there and rolls back if not (PostgreSQL 14+; older
            // servers refuse the setting, which changes nothing else).
            let _ = conn.batch_execute("SET client_connection_check_interval = 250");
            let started = Instant::now();
            loop {
                let got = conn.text_column(&format!(
                    "SELECT CAST(pg_try_advisory_lock({KEY}) AS TEXT) AS v"
                ))?;
                if got.first().and_then(Option::as_deref) == Some("true") {
                    return Ok(());
                }
                if started.elapsed() > WAIT {
                    return Err(Error::LockTimeout(WAIT.as_secs()));
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        }
    }
}

/// Releases the lock taken by [`acquire`].
pub fn release(conn: &mut AnyConnection) -> Result<(), Error> {
    match conn.backend() {
        Backend::Sqlite => Ok(()),
        Backend::Postgres => conn
            .text_column(&format!(
                "SELECT CAST(pg_advisory_unlock({KEY}) AS TEXT) AS v"
            ))
            .map(drop),
    }
}

/// The statement that opens a migration's transaction.
pub fn begin(backend: Backend) -> &'static str {
    match backend {
        Backend::Postgres => "BEGIN",
        Backend::Sqlite => "BEGIN IMMEDIATE",
    }
}
