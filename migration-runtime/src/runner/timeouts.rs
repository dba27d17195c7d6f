//! How long a migration may wait for a lock, and how long a statement may
//! run, on PostgreSQL. A migration waiting for a lock queues every later
//! query on that table behind it, so it waits briefly, gives up, and tries
//! again a bounded number of times.

use std::time::Duration;

use crate::connection::AnyConnection;
use crate::dialect::{Backend, quote_text};
use crate::error::Error;

/// The limits a runner sets on its PostgreSQL session.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timeouts {
    /// How long one statement waits for a lock before the attempt gives up.
    pub lock: Duration,
    /// How long one statement may run; `None` keeps the server's setting.
    pub statement: Option<Duration>,
    /// How many times a migration is tried when it gives up waiting for a lock.
    pub attempts: u32,
}

impl Default for Timeouts {
    /// Five seconds of waiting for a lock, three attempts, and statements of
    /// up to an hour: long enough for a large `VALIDATE`, short enough that
    /// a forgotten migration does not run for a day.
    fn default() -> Self {
        Timeouts {
            lock: Duration::from_secs(5),
            statement: Some(Duration::from_secs(3600)),
            attempts: 3,
        }
    }
}

/// The session's settings before the runner changed them, to put them back.
pub struct Saved {
    lock: String,
    statement: String,
}

/// Sets `timeouts` on a PostgreSQL session; returns what was there before.
pub fn set(conn: &mut AnyConnection, timeouts: Timeouts) -> Result<Option<Saved>, Error> {
    if conn.backend() != Backend::Postgres {
        return Ok(None);
    }
    let current = |conn: &mut AnyConnection, name: &str| -> Result<String, Error> {
        Ok(conn
            .text_column(&format!("SELECT current_setting('{name}') AS v"))?
            .into_iter()
            .flatten()
            .next()
            .unwrap_or_else(|| "0".to_owned()))
    };
    let saved = Saved {
        lock: current(conn, "lock_timeout")?,
        statement: current(conn, "statement_timeout")?,
    };
    let mut sql = format!("SET lock_timeout = '{}ms'", timeouts.lock.as_millis());
    if let Some(statement) = timeouts.statement {
        sql.push_str(&format!(
            "; SET statement_timeout = '{}ms'",
            statement.as_millis()
        ));
    }
    conn.batch_execute(&sql)?;
    Ok(Some(saved))
}

/// Puts back the settings [`set`] found.
pub fn restore(conn: &mut AnyConnection, saved: Option<Saved>) -> Result<(), Error> {
    let Some(saved) = saved else {
        return Ok(());
    };
    conn.batch_execute(&format!(
        "SET lock_timeout = {}; SET statement_timeout = {}",
        quote_text(&saved.lock),
        quote_text(&saved.statement)
    ))
}

/// Whether `error` is PostgreSQL giving up waiting for a lock (`lock_timeout`).
pub fn is_lock_timeout(error: &Error) -> bool {
    let source = match error {
        Error::Database(source) | Error::Statement { source, .. } => source,
        _ => return false,
    };
    match source {
        diesel::result::Error::DatabaseError(_, info) => {
            info.message().contains("due to lock timeout")
        }
        _ => false,
    }
}

/// The pause before attempt `attempt` (counted from 1): half a second more
/// for each attempt already made.
pub fn backoff(attempt: u32) -> Duration {
    Duration::from_millis(500 * u64::from(attempt.saturating_sub(1)).min(20))
}
