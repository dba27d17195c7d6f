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
use crate::data_step;
use crate::dialect::Backend;
use crate::dialect::{quote_ident, quote_text};
use crate::error::Error;
use crate::migration::Migration;
use crate::set::{Direction, MigrationSet, PlannedStep};
use migration_model::Op;

/// For a batched backfill on a table with a single-column key: the table,
/// the key and the batch size. Anything else runs as one statement.
fn batch_key(step: &PlannedStep) -> Option<(String, String, u32)> {
    let Op::Backfill {
        table,
        batch_size: Some(size),
        ..
    } = step.op
    else {
        return None;
    };
    match step.before.table(table)?.primary_key.as_ref() {
        [key] => Some((table.to_string(), key.to_string(), *size)),
        _ => None,
    }
}

/// Applies and reverts the migrations of one set on one database.
pub struct Runner<'a> {
    conn: &'a mut AnyConnection,
    set: MigrationSet,
    allow_changed: bool,
    single_transaction: bool,
    /// Migrations a stopped runner left partly applied, read under the lock.
    partly_applied: Vec<String>,
}

impl<'a> Runner<'a> {
    /// A runner for `set` on the database behind `conn`.
    pub fn new(conn: &'a mut AnyConnection, set: MigrationSet) -> Self {
        Runner {
            conn,
            set,
            allow_changed: false,
            single_transaction: false,
            partly_applied: Vec::new(),
        }
    }

    /// Accepts applied migrations whose steps changed since they ran (the
    /// explicit override of the checksum check).
    pub fn allow_changed(mut self, allow: bool) -> Self {
        self.allow_changed = allow;
        self
    }

    /// Runs the whole upgrade or downgrade as one transaction: all of it
    /// applies, or none of it. Batched backfills then run as one `UPDATE`.
    pub fn single_transaction(mut self, single: bool) -> Self {
        self.single_transaction = single;
        self
    }

    /// The applied migrations, in id order.
    pub fn applied(&mut self) -> Result<Vec<Applied>, Error> {
        self.with_lock(|runner| history::applied(runner.conn))
    }

    /// The migrations a stopped runner left partly applied; the next
    /// `upgrade` finishes them.
    pub fn partly_applied(&mut self) -> Result<Vec<String>, Error> {
        self.with_lock(|runner| history::partly_applied(runner.conn))
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
            runner.partly_applied = history::partly_applied(runner.conn)?;
            let chosen = runner.plan_upgrade(applied, target)?;
            runner.run_all(&chosen, Direction::Up)
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
            runner.run_all(&chosen, Direction::Down)
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

    /// Runs `migrations` one way, in order; returns their ids.
    fn run_all(
        &mut self,
        migrations: &[&'static Migration],
        direction: Direction,
    ) -> Result<Vec<String>, Error> {
        if !self.single_transaction {
            for migration in migrations {
                self.run(migration, direction)?;
            }
            return Ok(migrations.iter().map(|m| m.id().to_owned()).collect());
        }
        self.conn.batch_execute(lock::begin(self.conn.backend()))?;
        let result = migrations
            .iter()
            .try_for_each(|migration| self.run(migration, direction))
            .and_then(|()| match (self.conn.backend(), migrations.last()) {
                (Backend::Sqlite, Some(last)) => self.check_sqlite_foreign_keys(last.id()),
                _ => Ok(()),
            });
        match result {
            Ok(()) => self.conn.batch_execute("COMMIT")?,
            Err(error) => {
                let _ = self.conn.batch_execute("ROLLBACK");
                return Err(error);
            }
        }
        Ok(migrations.iter().map(|m| m.id().to_owned()).collect())
    }

    /// Runs one migration one way with its history rows.
    ///
    /// Normally one transaction. An upgrade with batched backfills commits
    /// the steps before each one together with an in-progress marker, runs
    /// the backfill in batches that each commit with the marker's progress,
    /// and records the migration with its last steps; a runner stopped in
    /// between resumes where the marker says.
    fn run(&mut self, migration: &Migration, direction: Direction) -> Result<(), Error> {
        let id = migration.id();
        let steps = self.set.plan(id, direction, self.conn.backend())?;
        let started = Instant::now();
        let resumed = match direction {
            Direction::Up if self.partly_applied.iter().any(|p| p == id) => {
                history::in_progress(self.conn, id)?
            }
            _ => None,
        };
        let (mut next, mut progress) = resumed.clone().unwrap_or((0, None));
        loop {
            let batched = match direction {
                Direction::Up if !self.single_transaction => {
                    (next..steps.len()).find(|&k| batch_key(&steps[k]).is_some())
                }
                _ => None,
            };
            let Some(k) = batched else {
                let bookkeeping = match direction {
                    Direction::Up => history::record(migration, started.elapsed().as_millis()),
                    Direction::Down => history::forget(id),
                };
                return self.transaction(id, &steps[next..], &bookkeeping);
            };
            // Resuming inside this backfill: its earlier steps and marker are committed.
            let resuming_here = resumed.as_ref().is_some_and(|(step, _)| *step == k) && next == k;
            if !resuming_here {
                self.transaction(
                    id,
                    &steps[next..k],
                    &history::mark_in_progress(migration, k),
                )?;
                progress = None;
            }
            self.run_batches(id, &steps[k], k, progress.take())?;
            next = k + 1;
        }
    }

    /// Runs `steps` and `bookkeeping` in one transaction, or none of them.
    fn transaction(
        &mut self,
        id: &str,
        steps: &[PlannedStep],
        bookkeeping: &str,
    ) -> Result<(), Error> {
        let backend = self.conn.backend();
        let statements: Vec<&str> = steps
            .iter()
            .flat_map(|step| &step.statements)
            .map(String::as_str)
            .collect();
        if self.single_transaction {
            // Inside the run's own transaction (see `run_all`).
            self.run_steps(id, steps)?;
            return self.conn.batch_execute(bookkeeping);
        }
        // PostgreSQL: the whole migration in one round trip; a failure is
        // then replayed statement by statement (and rolled back) to name the
        // statement at fault. SQLite runs in-process: statement by statement.
        // A Rust step runs on the connection between the statements.
        let has_rust = steps.iter().any(|s| data_step::function_of(s.op).is_some());
        if backend == Backend::Postgres && !has_rust {
            let mut batch = String::from("BEGIN;\n");
            for statement in &statements {
                batch.push_str(statement);
                batch.push_str(";\n");
            }
            batch.push_str(bookkeeping);
            batch.push_str(";\nCOMMIT");
            return match self.conn.batch_execute(&batch) {
                Ok(()) => Ok(()),
                Err(error) => {
                    let _ = self.conn.batch_execute("ROLLBACK");
                    Err(self
                        .find_failing_statement(id, &statements)
                        .unwrap_or(error))
                }
            };
        }
        self.conn.batch_execute(lock::begin(backend))?;
        let result = (|| {
            self.run_steps(id, steps)?;
            if backend == Backend::Sqlite {
                self.check_sqlite_foreign_keys(id)?;
            }
            self.conn.batch_execute(bookkeeping)
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

    /// Runs each step's statements, and each Rust step's function, in order.
    fn run_steps(&mut self, id: &str, steps: &[PlannedStep]) -> Result<(), Error> {
        for step in steps {
            if data_step::function_of(step.op).is_some() {
                let migration = self
                    .set
                    .get(id)
                    .ok_or_else(|| Error::UnknownMigration(id.to_owned()))?;
                data_step::run(self.conn, migration, step.op)?;
                continue;
            }
            for statement in &step.statements {
                self.execute(id, statement)?;
            }
        }
        Ok(())
    }

    /// Replays `statements` in a transaction that is rolled back, and
    /// returns the error of the first that fails.
    fn find_failing_statement(&mut self, id: &str, statements: &[&str]) -> Option<Error> {
        self.conn.batch_execute("BEGIN").ok()?;
        let failure = statements
            .iter()
            .find_map(|statement| self.execute(id, statement).err());
        let _ = self.conn.batch_execute("ROLLBACK");
        failure
    }

    /// A batched backfill, in key order: each batch commits with the
    /// marker's progress, so a stopped runner resumes after the last batch
    /// done and no row is written twice.
    fn run_batches(
        &mut self,
        id: &str,
        step: &PlannedStep,
        index: usize,
        mut after: Option<String>,
    ) -> Result<(), Error> {
        let Some((table, key, size)) = batch_key(step) else {
            return Ok(());
        };
        let backend = self.conn.backend();
        loop {
            let from = after
                .as_ref()
                .map(|last| format!(" WHERE {} > {}", quote_ident(&key), quote_text(last)));
            let upto = self
                .conn
                .text_column(&format!(
                    "SELECT CAST({key} AS TEXT) AS v FROM {table}{} ORDER BY {key} LIMIT 1 OFFSET {}",
                    from.unwrap_or_default(),
                    size - 1,
                    key = quote_ident(&key),
                    table = quote_ident(&table),
                ))?
                .into_iter()
                .flatten()
                .next();
            let update = backend
                .render_batch(step.op, &key, after.as_deref(), upto.as_deref())
                .map_err(|message| Error::Render {
                    migration: id.to_owned(),
                    step: step.op.to_string(),
                    message,
                })?;
            // The last batch hands over to the next step.
            let progress = match &upto {
                Some(upto) => history::set_progress(id, index, Some(upto)),
                None => history::set_progress(id, index + 1, None),
            };
            self.conn.batch_execute(lock::begin(backend))?;
            let result = self
                .execute(id, &update)
                .and_then(|()| self.conn.batch_execute(&progress));
            match result {
                Ok(()) => self.conn.batch_execute("COMMIT")?,
                Err(error) => {
                    let _ = self.conn.batch_execute("ROLLBACK");
                    return Err(error);
                }
            }
            match upto {
                Some(upto) => after = Some(upto),
                None => return Ok(()),
            }
        }
    }

    fn execute(&mut self, id: &str, statement: &str) -> Result<(), Error> {
        self.conn
            .batch_execute(statement)
            .map_err(|error| match error {
                Error::Database(source) => Error::Statement {
                    migration: id.to_owned(),
                    statement: statement.to_owned(),
                    source,
                },
                other => other,
            })
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
