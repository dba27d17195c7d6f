//! Backup and restore, as the guide does them: `pg_dump`/`psql` for
//! PostgreSQL (found on the PATH), SQLite's own `VACUUM INTO` and a file copy.

use std::path::Path;
use std::process::Command;

use crate::connection::{AnyConnection, backend_of};
use crate::dialect::{Backend, quote_text};
use crate::error::Error;

/// Writes a backup of the database at `url` to `file`, which must not exist.
///
/// PostgreSQL backups are SQL scripts that drop and recreate every object,
/// so restoring one replaces what is there; SQLite backups are database files.
pub fn backup(url: &str, file: &Path) -> Result<(), Error> {
    if file.exists() {
        return Err(Error::Backup(format!(
            "{} already exists; choose another file",
            file.display()
        )));
    }
    match backend_of(url)? {
        Backend::Postgres => run_tool(
            "pg_dump",
            Command::new("pg_dump")
                .args(["--clean", "--if-exists", "--no-owner", "--file"])
                .arg(file)
                .arg(url),
        ),
        Backend::Sqlite => {
            let target = file
                .to_str()
                .ok_or_else(|| Error::Backup(format!("{} is not UTF-8", file.display())))?;
            AnyConnection::establish(url)?
                .batch_execute(&format!("VACUUM INTO {}", quote_text(target)))
        }
    }
}

/// Replaces the database at `url` with the backup in `file`.
///
/// Stop the application first, as the guide says: connections open during a
/// restore see the database change under them.
pub fn restore(url: &str, file: &Path) -> Result<(), Error> {
    if !file.exists() {
        return Err(Error::Backup(format!("{} does not exist", file.display())));
    }
    match backend_of(url)? {
        Backend::Postgres => run_tool(
            "psql",
            Command::new("psql")
                .args([
                    "--quiet",
                    "--no-psqlrc",
                    "--set",
                    "ON_ERROR_STOP=1",
                    "--single-transaction",
                    "--file",
                ])
                .arg(file)
                .arg(url),
        ),
        Backend::Sqlite => {
            let path = url.strip_prefix("sqlite://").unwrap_or(url);
            if path == ":memory:" {
                return Err(Error::Backup(
                    "an in-memory database cannot be restored into".into(),
                ));
            }
            // Copy to a neighbour, then rename: the database is never half written.
            let incoming = format!("{path}.restoring");
            std::fs::copy(file, &incoming)
                .map_err(|e| Error::Backup(format!("copying {}: {e}", file.display())))?;
            for stale in [format!("{path}-wal"), format!("{path}-shm")] {
                let _ = std::fs::remove_file(stale);
            }
            std::fs::rename(&incoming, path)
                .map_err(|e| Error::Backup(format!("replacing {path}: {e}")))
        }
    }
}

fn run_tool(tool: &str, command: &mut Command) -> Result<(), Error> {
    let output = command.output().map_err(|error| {
        Error::Backup(format!(
            "cannot run `{tool}` ({error}): install the PostgreSQL client tools (Debian: apt-get install postgresql-client) \
             and make sure `{tool}` is on the PATH"
        ))
    })?;
    if output.status.success() {
        Ok(())
    } else {
        Err(Error::Backup(format!(
            "`{tool}` failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        )))
    }
}
