//! A fresh database per test: PostgreSQL, created and dropped around the
//! test, and SQLite in memory.

use std::sync::atomic::{AtomicUsize, Ordering};

use diesel::{Connection, PgConnection, RunQueryDsl, SqliteConnection};

/// The environment variable naming the PostgreSQL server for tests.
pub const TEST_DATABASE_URL: &str = "TEST_DATABASE_URL";

/// A PostgreSQL database that exists for one test and is dropped after it.
pub struct PgTestDatabase {
    server_url: String,
    name: String,
    url: String,
}

impl PgTestDatabase {
    /// Creates a fresh, empty database on the server named by `TEST_DATABASE_URL`.
    ///
    /// Returns `None` (after saying so on stderr) when no server is
    /// configured outside CI. Panics under `CI=true` when none is configured
    /// or reachable: CI must never skip the PostgreSQL tests silently.
    pub fn create() -> Option<PgTestDatabase> {
        let in_ci = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
        let Ok(server_url) = std::env::var(TEST_DATABASE_URL) else {
            assert!(
                !in_ci,
                "{TEST_DATABASE_URL} is not set, and under CI=true the PostgreSQL tests must run: \
                 start a server (pg_ctlcluster 15 main start) and set {TEST_DATABASE_URL}=postgres://user:pass@localhost/postgres"
            );
            eprintln!("skipped: set {TEST_DATABASE_URL} to run this test on PostgreSQL");
            return None;
        };
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let name = format!(
            "migration_test_{}_{}_{nanos}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        );
        let mut server = match PgConnection::establish(&server_url) {
            Ok(conn) => conn,
            Err(error) => panic!(
                "cannot reach the PostgreSQL server at {TEST_DATABASE_URL}: {error}; \
                 start one (pg_ctlcluster 15 main start) or unset {TEST_DATABASE_URL} outside CI"
            ),
        };
        diesel::sql_query(format!("CREATE DATABASE \"{name}\""))
            .execute(&mut server)
            .unwrap_or_else(|e| panic!("cannot create test database {name}: {e}"));
        let url = replace_database(&server_url, &name);
        Some(PgTestDatabase {
            server_url,
            name,
            url,
        })
    }

    /// The URL of the test database.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// A new connection to the test database.
    pub fn connect(&self) -> PgConnection {
        PgConnection::establish(&self.url)
            .unwrap_or_else(|e| panic!("cannot connect to {}: {e}", self.name))
    }
}

impl Drop for PgTestDatabase {
    fn drop(&mut self) {
        if let Ok(mut server) = PgConnection::establish(&self.server_url) {
            let _ = diesel::sql_query(format!(
                "DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)",
                self.name
            ))
            .execute(&mut server);
        }
    }
}

/// `url` with its database name replaced by `database`.
fn replace_database(url: &str, database: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let path_start = base[scheme_end..].find('/').map(|i| scheme_end + i);
    let mut replaced = match path_start {
        Some(start) => format!("{}/{database}", &base[..start]),
        None => format!("{base}/{database}"),
    };
    if let Some(query) = query {
        replaced.push('?');
        replaced.push_str(query);
    }
    replaced
}

/// A fresh in-memory SQLite database.
pub fn sqlite_memory() -> SqliteConnection {
    SqliteConnection::establish(":memory:")
        .unwrap_or_else(|e| panic!("cannot open an in-memory SQLite database: {e}"))
}

#[cfg(test)]
mod tests {
    use super::replace_database;

    #[test]
    fn the_database_name_is_replaced_and_the_rest_kept() {
        assert_eq!(
            replace_database("postgres://u:p@localhost:5432/postgres", "t1"),
            "postgres://u:p@localhost:5432/t1"
        );
        assert_eq!(
            replace_database("postgres://u@localhost", "t1"),
            "postgres://u@localhost/t1"
        );
        assert_eq!(
            replace_database("postgres://u@localhost/postgres?sslmode=disable", "t1"),
            "postgres://u@localhost/t1?sslmode=disable"
        );
    }
}
