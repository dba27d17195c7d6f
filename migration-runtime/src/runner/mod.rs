//! The runner: applies and reverts migrations with what diesel's harness
//! lacks: a lock so many application instances can start at once, a
//! checksum per applied migration, integrity checks before anything runs,
//! and `stamp`.
//!
//! Each migration and its history rows commit together or not at all.

mod history;
mod lock;
mod verify;

use std::time::Instant;

pub use history::{Applied, HISTORY_TABLE, checksum};
pub use verify::verify;

use crate::connection::AnyConnection;
use crate::dialect::Backend;
use crate::error::Error;
use crate::migration::Migration;
use crate::set::{Direction, MigrationSet};

/// Applies and reverts the migrations of one set on one database.
pub struct Runner<'a> {
    conn: &'a mut AnyConnection,
    set: MigrationSet,
    allow_changed: bool,
}

impl<'a> Runner<'a> {
    /// A runner for `set` on the database behind `conn`.
    pub fn new(conn: &'a mut AnyConnection, set: MigrationSet) -> Self {
        Runner {
            conn,
            set,
            allow_changed: false,
        }
    }

    /// Accepts applied migrations whose steps changed since they ran (the
    /// explicit override of the checksum check).
    pub fn allow_changed(mut self, allow: bool) -> Self {
        self.allow_changed = allow;
        self
    }

    /// The applied migrations, in id order.
    pub fn applied(&mut self) -> Result<Vec<Applied>, Error> {
        self.with_lock(|runner| history::applied(runner.conn))
    }

    /// The migrations [`upgrade`](Self::upgrade) would apply for `target`, in order.
    pub fn pending(&mut self, target: &str) -> Result<Vec<&'static Migration>, Error> {
        let applied = self.applied()?;
        self.plan_upgrade(&applied, target)
    }

    fn plan_upgrade(
        &self,
        applied: &[Applied],
        target: &str,
    ) -> Result<Vec<&'static Migration>, Error> {
        let pending = self
            .set
            .migrations()
            .iter()
            .filter(|m| !applied.iter().any(|a| a.id == m.id()));
        Ok(if target == "head" {
            pending.collect()
        } else if let Some(count) = target.strip_prefix('+') {
            let count: usize = count
                .parse()
                .map_err(|_| Error::BadTarget(target.to_owned()))?;
            pending.take(count).collect()
        } else {
            let lineage = self.set.lineage(target)?;
            pending.filter(|m| lineage.contains(&m.id())).collect()
        })
    }

    /// Applies pending migrations up to `target`: `head`, `+N`, or an id;
    /// returns the ids applied.
    pub fn upgrade(&mut self, target: &str) -> Result<Vec<String>, Error> {
        self.locked(|runner, applied| {
            let mut done = Vec::new();
            for migration in runner.plan_upgrade(applied, target)? {
                runner.run(migration, Direction::Up)?;
                done.push(migration.id().to_owned());
            }
            Ok(done)
        })
    }

    /// Reverts applied migrations down to `target`: `-N`, an id (which stays
    /// applied), or `base`; returns the ids reverted, newest first.
    pub fn downgrade(&mut self, target: &str) -> Result<Vec<String>, Error> {
        self.locked(|runner, applied| {
            let mut applied_in_order: Vec<&'static Migration> = runner
                .set
                .migrations()
                .iter()
                .filter(|m| applied.iter().any(|a| a.id == m.id()))
                .collect();
            applied_in_order.reverse();
            let chosen: Vec<&'static Migration> = if target == "base" {
                applied_in_order
            } else if let Some(count) = target.strip_prefix('-') {
                let count: usize = count
                    .parse()
                    .map_err(|_| Error::BadTarget(target.to_owned()))?;
                applied_in_order.into_iter().take(count).collect()
            } else {
                let keep = runner.set.lineage(target)?;
                applied_in_order
                    .into_iter()
                    .filter(|m| !keep.contains(&m.id()))
                    .collect()
            };
            let mut done = Vec::new();
            for migration in chosen {
                runner.run(migration, Direction::Down)?;
                done.push(migration.id().to_owned());
            }
            Ok(done)
        })
    }

    /// Records `target` and its ancestors as applied and nothing else,
    /// without running anything (`base` forgets everything).
    pub fn stamp(&mut self, target: &str) -> Result<(), Error> {
        let wanted = if target == "base" {
            Vec::new()
        } else {
            self.set.lineage(target)?
        };
        self.with_lock(|runner| {
            let applied = history::applied(runner.conn)?;
            let mut sql = vec![lock::begin(runner.conn.backend()).to_owned()];
            sql.extend(applied.iter().map(|old| history::forget(&old.id)));
            for id in &wanted {
                let migration = runner
                    .set
                    .get(id)
                    .ok_or_else(|| Error::UnknownMigration((*id).to_owned()))?;
                sql.push(history::record(migration, 0));
            }
            sql.push("COMMIT".to_owned());
            runner.conn.batch_execute(&sql.join(";\n"))
        })
    }

    /// Runs `body` holding the lock, after checking the history's integrity
    /// against what is applied (read once the lock is held).
    fn locked<T>(
        &mut self,
        body: impl FnOnce(&mut Self, &[Applied]) -> Result<T, Error>,
    ) -> Result<T, Error> {
        self.with_lock(|runner| {
            let applied = history::applied(runner.conn)?;
            verify(runner.set, &applied, runner.allow_changed)?;
            body(runner, &applied)
        })
    }

    /// Runs `body` holding the lock, the history tables created first. The
    /// tables are created under the lock too: two runners creating them at
    /// once would collide in PostgreSQL's catalog.
    fn with_lock<T>(
        &mut self,
        body: impl FnOnce(&mut Self) -> Result<T, Error>,
    ) -> Result<T, Error> {
        lock::acquire(self.conn)?;
        let result = history::ensure_tables(self.conn).and_then(|()| body(self));
        let released = lock::release(self.conn);
        let value = result?;
        released?;
        Ok(value)
    }

    /// Runs one migration one way with its history rows, in one transaction.
    fn run(&mut self, migration: &Migration, direction: Direction) -> Result<(), Error> {
        let id = migration.id();
        let backend = self.conn.backend();
        let statements = self.set.render(id, direction, backend)?;
        let started = Instant::now();
        self.conn.batch_execute(lock::begin(backend))?;
        let result = (|| {
            for statement in &statements {
                self.conn
                    .batch_execute(statement)
                    .map_err(|error| match error {
                        Error::Database(source) => Error::Statement {
                            migration: id.to_owned(),
                            statement: statement.clone(),
                            source,
                        },
                        other => other,
                    })?;
            }
            if backend == Backend::Sqlite {
                self.check_sqlite_foreign_keys(id)?;
            }
            let bookkeeping = match direction {
                Direction::Up => history::record(migration, started.elapsed().as_millis()),
                Direction::Down => history::forget(id),
            };
            self.conn.batch_execute(&bookkeeping)
        })();
        match result {
            Ok(()) => self.conn.batch_execute("COMMIT"),
            Err(error) => {
                // The migration's own error is the one to report.
                let _ = self.conn.batch_execute("ROLLBACK");
                Err(error)
            }
        }
    }

    /// With foreign keys off during the migration (see `dialect::sqlite`),
    /// rows that break one are looked for before committing.
    fn check_sqlite_foreign_keys(&mut self, id: &str) -> Result<(), Error> {
        let broken = self
            .conn
            .text_column("SELECT \"table\" AS v FROM pragma_foreign_key_check")?;
        match broken.into_iter().flatten().next() {
            Some(table) => Err(Error::ForeignKeyViolation {
                migration: id.to_owned(),
                table,
            }),
            None => Ok(()),
        }
    }
}
