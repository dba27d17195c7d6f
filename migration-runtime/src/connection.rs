//! A connection to whichever backend a database URL names.

use diesel::{Connection, PgConnection, SqliteConnection};
use diesel_migrations::MigrationHarness;

use crate::dialect::Backend;
use crate::error::Error;
use crate::set::MigrationSet;

/// The error diesel's migration harness reports.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// A connection to PostgreSQL or SQLite, chosen by the URL.
///
/// It is a diesel connection itself (`#[derive(diesel::MultiConnection)]`):
/// queries on tables of common types run on it whichever the backend, which
/// is what a Rust data step is given.
#[derive(diesel::MultiConnection)]
pub enum AnyConnection {
    /// A PostgreSQL connection.
    Postgres(PgConnection),
    /// A SQLite connection.
    Sqlite(SqliteConnection),
}

/// The backend a database URL names: `postgres://` and `postgresql://` are
/// PostgreSQL; `sqlite://path`, `file:` URLs, `:memory:` and plain paths are SQLite.
pub fn backend_of(url: &str) -> Result<Backend, Error> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Backend::Postgres)
    } else if url.contains("://") && !url.starts_with("sqlite://") {
        Err(Error::UnsupportedUrl(url.to_owned()))
    } else {
        Ok(Backend::Sqlite)
    }
}

impl AnyConnection {
    /// Connects to the database at `url` (see [`backend_of`]).
    pub fn establish(url: &str) -> Result<Self, Error> {
        Ok(match backend_of(url)? {
            Backend::Postgres => AnyConnection::Postgres(PgConnection::establish(url)?),
            Backend::Sqlite => {
                let path = url.strip_prefix("sqlite://").unwrap_or(url);
                let mut conn = SqliteConnection::establish(path)?;
                // Table rebuilds must not cascade into referencing rows; see
                // `dialect::sqlite`. Migrations run with foreign keys off.
                diesel::connection::SimpleConnection::batch_execute(
                    &mut conn,
                    "PRAGMA foreign_keys = OFF",
                )?;
                crate::sqlite_functions::register_sqlite_functions(&mut conn)?;
                AnyConnection::Sqlite(conn)
            }
        })
    }

    /// Which backend this is.
    pub fn backend(&self) -> Backend {
        match self {
            AnyConnection::Postgres(_) => Backend::Postgres,
            AnyConnection::Sqlite(_) => Backend::Sqlite,
        }
    }

    /// Applies every pending migration of `set` through diesel's harness
    /// (on this connection, so Rust steps run too); returns the ids applied,
    /// oldest first.
    pub fn run_pending_migrations(&mut self, set: MigrationSet) -> Result<Vec<String>, BoxError> {
        let versions = MigrationHarness::<MultiBackend>::run_pending_migrations(self, set)?;
        Ok(versions.iter().map(ToString::to_string).collect())
    }

    /// Applies the next pending migration of `set`; returns its id.
    pub fn run_next_migration(&mut self, set: MigrationSet) -> Result<String, BoxError> {
        Ok(MigrationHarness::<MultiBackend>::run_next_migration(self, set)?.to_string())
    }

    /// The ids recorded as applied, in id order.
    pub fn applied_migrations(&mut self) -> Result<Vec<String>, BoxError> {
        let mut applied: Vec<String> = MigrationHarness::<MultiBackend>::applied_migrations(self)?
            .iter()
            .map(ToString::to_string)
            .collect();
        applied.sort();
        Ok(applied)
    }

    /// The schema the database holds now.
    pub fn introspect(&mut self) -> Result<migration_model::Schema, Error> {
        match self {
            AnyConnection::Postgres(conn) => crate::catalog::introspect_postgres(conn),
            AnyConnection::Sqlite(conn) => crate::catalog::introspect_sqlite(conn),
        }
    }

    /// Creates diesel's `__diesel_schema_migrations` when missing, as diesel does.
    pub fn setup_diesel_table(&mut self) -> Result<(), Error> {
        use diesel::migration::MigrationConnection;
        match self {
            AnyConnection::Postgres(conn) => conn.setup()?,
            AnyConnection::Sqlite(conn) => conn.setup()?,
        };
        Ok(())
    }

    /// Runs statements that return nothing.
    pub fn batch_execute(&mut self, sql: &str) -> Result<(), Error> {
        use diesel::connection::SimpleConnection;
        match self {
            AnyConnection::Postgres(conn) => conn.batch_execute(sql)?,
            AnyConnection::Sqlite(conn) => conn.batch_execute(sql)?,
        }
        Ok(())
    }

    /// Opens a migration's transaction with `begin` (`BEGIN`, or SQLite's
    /// `BEGIN IMMEDIATE`) through diesel's transaction manager, so that a
    /// Rust data step's own `conn.transaction(..)` is a savepoint inside it
    /// instead of a `BEGIN` that PostgreSQL ignores and a `COMMIT` that ends
    /// the migration's transaction halfway.
    pub(crate) fn begin_transaction(&mut self, begin: &str) -> Result<(), Error> {
        use diesel::connection::AnsiTransactionManager;
        match self {
            AnyConnection::Postgres(conn) => {
                AnsiTransactionManager::begin_transaction_sql(conn, begin)?
            }
            AnyConnection::Sqlite(conn) => {
                AnsiTransactionManager::begin_transaction_sql(conn, begin)?
            }
        }
        Ok(())
    }

    /// Commits the transaction [`Self::begin_transaction`] opened.
    pub(crate) fn commit_transaction(&mut self) -> Result<(), Error> {
        use diesel::connection::{AnsiTransactionManager, TransactionManager};
        match self {
            AnyConnection::Postgres(conn) => AnsiTransactionManager::commit_transaction(conn)?,
            AnyConnection::Sqlite(conn) => AnsiTransactionManager::commit_transaction(conn)?,
        }
        Ok(())
    }

    /// Rolls back the transaction [`Self::begin_transaction`] opened.
    pub(crate) fn rollback_transaction(&mut self) -> Result<(), Error> {
        use diesel::connection::{AnsiTransactionManager, TransactionManager};
        match self {
            AnyConnection::Postgres(conn) => AnsiTransactionManager::rollback_transaction(conn)?,
            AnyConnection::Sqlite(conn) => AnsiTransactionManager::rollback_transaction(conn)?,
        }
        Ok(())
    }

    /// The values of the text column `v` of `query`, in the query's order.
    pub fn text_column(&mut self, query: &str) -> Result<Vec<Option<String>>, Error> {
        use diesel::RunQueryDsl;
        let rows: Vec<TextRow> = match self {
            AnyConnection::Postgres(conn) => diesel::sql_query(query).load(conn)?,
            AnyConnection::Sqlite(conn) => diesel::sql_query(query).load(conn)?,
        };
        Ok(rows.into_iter().map(|row| row.v).collect())
    }

    /// Reverts the last applied migration of `set`; returns its id.
    pub fn revert_last_migration(&mut self, set: MigrationSet) -> Result<String, BoxError> {
        Ok(MigrationHarness::<MultiBackend>::revert_last_migration(self, set)?.to_string())
    }
}

#[derive(diesel::QueryableByName)]
struct ForeignKeysRow {
    #[diesel(sql_type = diesel::sql_types::Integer)]
    foreign_keys: i32,
}

/// Whether this SQLite connection enforces foreign keys.
pub fn sqlite_foreign_keys_on(conn: &mut SqliteConnection) -> Result<bool, Error> {
    use diesel::RunQueryDsl;
    let rows: Vec<ForeignKeysRow> = diesel::sql_query("PRAGMA foreign_keys").load(conn)?;
    Ok(rows.first().is_some_and(|row| row.foreign_keys == 1))
}

#[derive(diesel::QueryableByName)]
struct CountRow {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    count: i64,
}

/// Whether another table of this SQLite database has a foreign key to `table`.
pub fn sqlite_is_referenced(conn: &mut SqliteConnection, table: &str) -> Result<bool, Error> {
    use diesel::RunQueryDsl;
    let rows: Vec<CountRow> = diesel::sql_query(
        "SELECT count(*) AS count FROM sqlite_master m, pragma_foreign_key_list(m.name) f \
         WHERE m.type = 'table' AND m.name <> ? AND f.\"table\" = ?",
    )
    .bind::<diesel::sql_types::Text, _>(table)
    .bind::<diesel::sql_types::Text, _>(table)
    .load(conn)?;
    Ok(rows.first().is_some_and(|row| row.count > 0))
}

#[derive(diesel::QueryableByName)]
struct TextRow {
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    v: Option<String>,
}
