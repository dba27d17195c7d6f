//! The bridge to diesel: a [`MigrationSet`] is a diesel `MigrationSource`
//! for PostgreSQL and SQLite, so `MigrationHarness` runs it and records it
//! in `__diesel_schema_migrations`.

use std::fmt;

use diesel::backend::Backend as DieselBackend;
use diesel::connection::BoxableConnection;
use diesel::migration::{
    self, MigrationMetadata, MigrationName, MigrationSource, MigrationVersion,
};
use diesel::pg::Pg;
use diesel::sqlite::Sqlite;

use crate::dialect::Backend;
use crate::set::{Direction, MigrationSet};

/// One migration of a set, as diesel sees it.
struct DieselMigration {
    set: MigrationSet,
    id: &'static str,
    backend: Backend,
}

struct Metadata;

impl MigrationMetadata for Metadata {}

impl MigrationName for DieselMigration {
    fn version(&self) -> MigrationVersion<'_> {
        MigrationVersion::from(self.id)
    }
}

impl fmt::Display for DieselMigration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = self.set.get(self.id).map_or("", |m| m.name());
        write!(f, "{}_{}", self.id, name)
    }
}

impl DieselMigration {
    fn execute<DB: DieselBackend>(
        &self,
        conn: &mut dyn BoxableConnection<DB>,
        direction: Direction,
        guard: Guard<DB>,
    ) -> migration::Result<()> {
        let statements = self.set.render(self.id, direction, self.backend)?;
        guard(conn, self.id, &statements)?;
        for statement in statements {
            conn.batch_execute(&statement)
                .map_err(|source| crate::Error::Statement {
                    migration: self.id.to_owned(),
                    statement: statement.clone(),
                    source,
                })?;
        }
        Ok(())
    }
}

/// SQLite drops the old table when it rebuilds one; with foreign keys on,
/// that drop deletes (or cascades to) the rows of other tables referencing
/// it, and foreign keys cannot be turned off inside the transaction diesel
/// opens. Such a migration is refused before anything runs.
///
/// It also defines the functions the SQLite dialect relies on (see
/// [`register_sqlite_functions`](crate::register_sqlite_functions)), so
/// that `lower`/`upper` fold every letter through diesel's harness too.
fn refuse_rebuild_with_foreign_keys_on(
    conn: &mut dyn BoxableConnection<Sqlite>,
    id: &str,
    statements: &[String],
) -> migration::Result<()> {
    if let Some(sqlite) = conn.as_any_mut().downcast_mut::<diesel::SqliteConnection>() {
        crate::sqlite_functions::register_sqlite_functions(sqlite)?;
    }
    let Some(rebuilt) = statements
        .iter()
        .find_map(|s| crate::dialect::sqlite_rebuilt_table(s))
    else {
        return Ok(());
    };
    let Some(sqlite) = conn.as_any_mut().downcast_mut::<diesel::SqliteConnection>() else {
        return Ok(());
    };
    if crate::connection::sqlite_foreign_keys_on(sqlite)?
        && crate::connection::sqlite_is_referenced(sqlite, rebuilt)?
    {
        return Err(Box::new(crate::Error::ForeignKeysOn {
            migration: id.to_owned(),
            table: rebuilt.to_owned(),
        }));
    }
    Ok(())
}

/// A check run on the rendered statements before any of them runs.
type Guard<DB> = fn(&mut dyn BoxableConnection<DB>, &str, &[String]) -> migration::Result<()>;

fn no_guard(_: &mut dyn BoxableConnection<Pg>, _: &str, _: &[String]) -> migration::Result<()> {
    Ok(())
}

macro_rules! source_for {
    ($db:ty, $backend:expr, $guard:expr) => {
        impl migration::Migration<$db> for DieselMigration {
            fn run(&self, conn: &mut dyn BoxableConnection<$db>) -> migration::Result<()> {
                self.execute(conn, Direction::Up, $guard)
            }

            fn revert(&self, conn: &mut dyn BoxableConnection<$db>) -> migration::Result<()> {
                self.execute(conn, Direction::Down, $guard)
            }

            fn metadata(&self) -> &dyn MigrationMetadata {
                &Metadata
            }

            fn name(&self) -> &dyn MigrationName {
                self
            }
        }

        impl MigrationSource<$db> for MigrationSet {
            fn migrations(&self) -> migration::Result<Vec<Box<dyn migration::Migration<$db>>>> {
                Ok(self
                    .migrations()
                    .iter()
                    .map(|m| {
                        Box::new(DieselMigration {
                            set: *self,
                            id: m.id(),
                            backend: $backend,
                        }) as Box<dyn migration::Migration<$db>>
                    })
                    .collect())
            }
        }
    };
}

source_for!(Pg, Backend::Postgres, no_guard);
source_for!(Sqlite, Backend::Sqlite, refuse_rebuild_with_foreign_keys_on);
