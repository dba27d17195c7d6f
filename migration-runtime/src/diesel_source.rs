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
    ) -> migration::Result<()> {
        for statement in self.set.render(self.id, direction, self.backend)? {
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

macro_rules! source_for {
    ($db:ty, $backend:expr) => {
        impl migration::Migration<$db> for DieselMigration {
            fn run(&self, conn: &mut dyn BoxableConnection<$db>) -> migration::Result<()> {
                self.execute(conn, Direction::Up)
            }

            fn revert(&self, conn: &mut dyn BoxableConnection<$db>) -> migration::Result<()> {
                self.execute(conn, Direction::Down)
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

source_for!(Pg, Backend::Postgres);
source_for!(Sqlite, Backend::Sqlite);
