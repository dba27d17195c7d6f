//! The bridge to diesel: a [`MigrationSet`] is a diesel `MigrationSource`
//! for PostgreSQL and SQLite, so `MigrationHarness` runs it and records it
//! in `__diesel_schema_migrations`.
//!
//! It is a source for [`AnyConnection`]'s own backend too, which is the only
//! connection a Rust step can be given: on a bare `PgConnection` or
//! `SqliteConnection`, a migration with a Rust step is refused before it
//! runs anything.

use std::fmt;

use diesel::backend::Backend as DieselBackend;
use diesel::connection::BoxableConnection;
use diesel::migration::{
    self, MigrationMetadata, MigrationName, MigrationSource, MigrationVersion,
};
use diesel::pg::Pg;
use diesel::sqlite::Sqlite;

use crate::connection::{AnyConnection, MultiBackend};
use crate::data_step;
use crate::dialect::Backend;
use crate::error::Error;
use crate::set::{Direction, MigrationSet, Mode};

/// One migration of a set, as diesel sees it.
struct DieselMigration {
    set: MigrationSet,
    id: &'static str,
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
    /// On a bare connection of `backend`: the statements, after `guard`.
    fn execute<DB: DieselBackend>(
        &self,
        conn: &mut dyn BoxableConnection<DB>,
        direction: Direction,
        backend: Backend,
        guard: Guard<DB>,
    ) -> migration::Result<()> {
        let steps = self
            .set
            .plan(self.id, direction, backend, Mode::OneTransaction)?;
        if let Some(function) = steps.iter().find_map(|s| data_step::function_of(s.op)) {
            return Err(Box::new(Error::DataStepNeedsAnyConnection {
                migration: self.id.to_owned(),
                function: function.to_owned(),
            }));
        }
        let statements: Vec<String> = steps
            .into_iter()
            .flat_map(|s| s.statements)
            .map(|s| s.sql)
            .collect();
        guard(conn, self.id, &statements)?;
        for statement in statements {
            conn.batch_execute(&statement)
                .map_err(|source| Error::Statement {
                    migration: self.id.to_owned(),
                    statement: statement.clone(),
                    source,
                })?;
        }
        Ok(())
    }
}

impl DieselMigration {
    /// On an [`AnyConnection`]: the statements, and each Rust step's function
    /// on the connection itself, in order, inside diesel's transaction.
    fn execute_any(
        &self,
        conn: &mut dyn BoxableConnection<MultiBackend>,
        direction: Direction,
    ) -> migration::Result<()> {
        let Some(any) = conn.as_any_mut().downcast_mut::<AnyConnection>() else {
            return Err(format!(
                "migration `{}`: diesel gave a connection of another type than AnyConnection",
                self.id
            )
            .into());
        };
        let migration = self
            .set
            .get(self.id)
            .ok_or_else(|| Error::UnknownMigration(self.id.to_owned()))?;
        // diesel runs each migration in its own transaction: no online forms.
        let steps = self
            .set
            .plan(self.id, direction, any.backend(), Mode::OneTransaction)?;
        if let AnyConnection::Sqlite(sqlite) = any {
            let statements: Vec<String> = steps
                .iter()
                .flat_map(|s| &s.statements)
                .map(|s| s.sql.clone())
                .collect();
            // A connection the application wrapped itself lacks the
            // functions the SQL may call (`unicode_lower`, `int_add`, ..).
            crate::sqlite_functions::register_sqlite_functions(sqlite)?;
            refuse_rebuild_with_foreign_keys_on(sqlite, self.id, &statements)?;
        }
        for step in &steps {
            if let Some(function) = data_step::function_of(step.op) {
                data_step::run(any, migration, function)?;
                continue;
            }
            for statement in &step.statements {
                any.batch_execute(&statement.sql)
                    .map_err(|error| error.in_statement(self.id, &statement.sql))?;
            }
        }
        Ok(())
    }
}

/// SQLite drops the old table when it rebuilds one; with foreign keys on,
/// that drop deletes (or cascades to) the rows of other tables referencing
/// it, and foreign keys cannot be turned off inside the transaction diesel
/// opens. Such a migration is refused before anything runs.
///
fn refuse_rebuild_with_foreign_keys_on(
    conn: &mut dyn BoxableConnection<Sqlite>,
    id: &str,
    statements: &[String],
) -> migration::Result<()> {
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
        return Err(Box::new(Error::ForeignKeysOn {
            migration: id.to_owned(),
            table: rebuilt.to_owned(),
        }));
    }
    Ok(())
}

/// What diesel's harness on a bare SQLite connection needs before a
/// migration runs: the functions the SQLite dialect relies on (see
/// [`register_sqlite_functions`](crate::register_sqlite_functions)), so
/// that `lower`/`upper` fold every letter, and the refusal above.
fn prepare_sqlite(
    conn: &mut dyn BoxableConnection<Sqlite>,
    id: &str,
    statements: &[String],
) -> migration::Result<()> {
    if let Some(sqlite) = conn.as_any_mut().downcast_mut::<diesel::SqliteConnection>() {
        crate::sqlite_functions::register_sqlite_functions(sqlite)?;
    }
    refuse_rebuild_with_foreign_keys_on(conn, id, statements)
}

/// A check run on the rendered statements before any of them runs.
type Guard<DB> = fn(&mut dyn BoxableConnection<DB>, &str, &[String]) -> migration::Result<()>;

fn no_guard(_: &mut dyn BoxableConnection<Pg>, _: &str, _: &[String]) -> migration::Result<()> {
    Ok(())
}

/// diesel's `Migration` and `MigrationSource` for one diesel backend, each
/// migration run by `$execute` (with `$arg`s after the direction).
macro_rules! source_for {
    ($db:ty => $execute:ident($($arg:expr),*)) => {
        impl migration::Migration<$db> for DieselMigration {
            fn run(&self, conn: &mut dyn BoxableConnection<$db>) -> migration::Result<()> {
                self.$execute(conn, Direction::Up $(, $arg)*)
            }

            fn revert(&self, conn: &mut dyn BoxableConnection<$db>) -> migration::Result<()> {
                self.$execute(conn, Direction::Down $(, $arg)*)
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
                        }) as Box<dyn migration::Migration<$db>>
                    })
                    .collect())
            }
        }
    };
}

source_for!(Pg => execute(Backend::Postgres, no_guard));
source_for!(Sqlite => execute(Backend::Sqlite, prepare_sqlite));
source_for!(MultiBackend => execute_any());
