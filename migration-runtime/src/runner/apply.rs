//! Running one migration: its planned steps cut into segments (see
//! `segments`), each committed with a mark saying where to resume, the
//! history rows committed with the last one.
//!
//! Most migrations are one segment: one transaction, sent to PostgreSQL in
//! one round trip. A statement that must run outside a transaction is
//! preceded by a mark that a later runner reads as "interrupted: repair
//! first", since only the database knows whether it finished.

use std::time::{Duration, Instant};

use migration_model::Op;

use super::batch_size::BatchSize;
use super::segments::{self, Segment, Work};
use super::{Runner, history, lock, timeouts};
use crate::data_step;
use crate::dialect::{Backend, KeyRange, Statement, quote_ident, quote_text};
use crate::error::Error;
use crate::migration::Migration;
use crate::set::{Direction, Mode, PlannedStep};

/// What a batch's transaction sets first. On PostgreSQL a batch's commit
/// does not wait for its WAL to reach the disk: the batch and its progress
/// row commit together, so a crash that loses the last batches loses their
/// progress too and the next run does them again; and the history row that
/// ends the migration commits durably, which flushes every batch before it.
/// The batch's row locks go as soon as it commits.
fn batch_settings(backend: Backend) -> Option<&'static str> {
    match backend {
        Backend::Postgres => Some("SET LOCAL synchronous_commit = off"),
        Backend::Sqlite => None,
    }
}

/// A transaction as one script, sent in one round trip: `begin`, the
/// statements, and `COMMIT`.
fn script<'s>(begin: &str, statements: impl IntoIterator<Item = &'s str>) -> String {
    let mut script = format!("{begin};\n");
    for statement in statements {
        script.push_str(statement);
        script.push_str(";\n");
    }
    script.push_str("COMMIT");
    script
}

impl Runner<'_> {
    /// Runs `migrations` one way, in order; returns their ids.
    pub(super) fn run_all(
        &mut self,
        migrations: &[&'static Migration],
        direction: Direction,
    ) -> Result<Vec<String>, Error> {
        if !self.whole_run {
            for migration in migrations {
                self.run(migration, direction)?;
            }
            return Ok(migrations.iter().map(|m| m.id().to_owned()).collect());
        }
        if let Some(batch) = self.one_round_trip(migrations, direction)? {
            if self.conn.batch_execute(&batch).is_ok() {
                return Ok(migrations.iter().map(|m| m.id().to_owned()).collect());
            }
            // Rolled back whole; the run below fails the same way and names
            // the migration and statement.
            let _ = self.conn.batch_execute("ROLLBACK");
        }
        self.conn
            .begin_transaction(lock::begin(self.conn.backend()))?;
        // On SQLite each migration's broken foreign keys are looked for
        // after it, as when it commits alone, so the error names it.
        let result = migrations.iter().try_for_each(|migration| {
            self.run(migration, direction)?;
            match self.conn.backend() {
                Backend::Sqlite => self.check_sqlite_foreign_keys(migration.id()),
                Backend::Postgres => Ok(()),
            }
        });
        match result {
            Ok(()) => self.conn.commit_transaction()?,
            Err(error) => {
                let _ = self.conn.rollback_transaction();
                return Err(error);
            }
        }
        Ok(migrations.iter().map(|m| m.id().to_owned()).collect())
    }

    /// A whole `--single-transaction` run on PostgreSQL as one batch of SQL,
    /// sent in one round trip: every migration's statements and history
    /// rows between `BEGIN` and `COMMIT`. `None` when a Rust step must run
    /// between statements, or a migration is partly applied.
    fn one_round_trip(
        &self,
        migrations: &[&'static Migration],
        direction: Direction,
    ) -> Result<Option<String>, Error> {
        if self.conn.backend() != Backend::Postgres {
            return Ok(None);
        }
        let mut statements = Vec::new();
        for migration in migrations {
            if self.partly_applied.iter().any(|id| id == migration.id()) {
                return Ok(None);
            }
            let steps = self.set.plan(
                migration.id(),
                direction,
                Backend::Postgres,
                Mode::OneTransaction,
            )?;
            for step in steps {
                if data_step::function_of(step.op).is_some() {
                    return Ok(None);
                }
                statements.extend(step.statements.into_iter().map(|s| s.sql));
            }
            statements.push(match direction {
                Direction::Up => history::record(migration, 0),
                Direction::Down => history::forget(migration.id()),
            });
        }
        Ok(Some(script("BEGIN", statements.iter().map(String::as_str))))
    }

    /// The statement of segment `segment` of migration `id`'s upgrade that
    /// runs outside a transaction (for `repair` and its message).
    pub(super) fn alone_statement(&self, id: &str, segment: usize) -> Result<Statement, Error> {
        let backend = self.conn.backend();
        let steps = self.set.plan(id, Direction::Up, backend, Mode::Online)?;
        match segments::split(&steps, true).get(segment) {
            Some((Segment::Alone(statement), _)) => Ok((*statement).clone()),
            _ => Err(Error::Model {
                migration: id.to_owned(),
                message: format!(
                    "the history marks step {segment} as interrupted outside a transaction, \
                     but this build's migration has no such statement there"
                ),
            }),
        }
    }

    /// Runs one migration one way with its history rows: segment after
    /// segment, each committing with the mark of the next; the last commits
    /// with the history rows.
    fn run(&mut self, migration: &Migration, direction: Direction) -> Result<(), Error> {
        let id = migration.id();
        let backend = self.conn.backend();
        let steps = self.set.plan(id, direction, backend, self.mode())?;
        let batches = direction == Direction::Up && !self.whole_run;
        let segments = segments::split(&steps, batches);
        let started = Instant::now();
        let resumed = match direction {
            Direction::Up if self.partly_applied.iter().any(|p| p == id) => {
                history::in_progress(self.conn, migration)?
            }
            _ => None,
        };
        let first = resumed.as_ref().map_or(0, |(segment, _)| *segment);
        let mut progress = resumed.as_ref().and_then(|(_, progress)| progress.clone());
        // Whether the database already holds this migration's mark.
        let mut marked = resumed.is_some();
        let last = segments.len() - 1;
        for (k, (segment, start)) in segments.iter().enumerate().skip(first) {
            let result = match segment {
                Segment::Transaction(work) => {
                    let bookkeeping = if k < last {
                        history::mark_in_progress(migration, k + 1)
                    } else {
                        match direction {
                            Direction::Up => {
                                history::record(migration, started.elapsed().as_millis())
                            }
                            Direction::Down => history::forget(id),
                        }
                    };
                    self.retrying(id, |runner| {
                        runner.transaction(migration, work, &bookkeeping)
                    })
                }
                Segment::Alone(statement) => self.alone(migration, k, statement),
                Segment::Batched(step) => (|| {
                    if !marked {
                        self.conn
                            .batch_execute(&history::mark_in_progress(migration, k))?;
                        marked = true;
                    }
                    self.run_batches(id, step, k, progress.take())
                })(),
            };
            match result {
                Ok(()) => marked = true,
                // Nothing of this migration is committed: the failed
                // transaction rolled back, as a one-transaction migration
                // does; or the whole run is one transaction, which the
                // caller rolls back.
                Err(error)
                    if self.whole_run || (!marked && !matches!(segment, Segment::Alone(_))) =>
                {
                    return Err(error);
                }
                Err(error) => {
                    return match self.compensate(migration, (segment, *start)) {
                        Ok(()) => Err(error),
                        Err(why) => Err(Error::PartlyApplied {
                            migration: id.to_owned(),
                            source: Box::new(error),
                            why,
                        }),
                    };
                }
            }
        }
        Ok(())
    }

    /// Tries `body` again while it gives up waiting for a lock, up to the
    /// configured number of attempts, pausing longer each time.
    fn retrying(
        &mut self,
        id: &str,
        mut body: impl FnMut(&mut Self) -> Result<(), Error>,
    ) -> Result<(), Error> {
        // Inside a run that is one transaction, a timed-out statement has
        // aborted the whole run: there is nothing to try again.
        let attempts = if self.whole_run {
            1
        } else {
            self.timeouts.attempts.max(1)
        };
        for attempt in 1..=attempts {
            match body(self) {
                Err(error) if timeouts::is_lock_timeout(&error) => {
                    if attempt == attempts {
                        return Err(Error::LockNotAvailable {
                            migration: id.to_owned(),
                            attempts,
                            waited_ms: self.timeouts.lock.as_millis() as u64,
                        });
                    }
                    std::thread::sleep(timeouts::backoff(attempt + 1));
                }
                other => return other,
            }
        }
        Ok(())
    }

    /// Runs `statement` outside any transaction, marked first so that a
    /// runner stopped meanwhile leaves a migration that needs `repair`. A
    /// failure is cleaned up (an invalid index dropped) and leaves the
    /// migration marked to run the statement again.
    fn alone(
        &mut self,
        migration: &Migration,
        k: usize,
        statement: &Statement,
    ) -> Result<(), Error> {
        let id = migration.id();
        self.conn
            .batch_execute(&history::mark_running_alone(migration, k))?;
        let result = self.retrying(id, |runner| {
            let result = runner.execute(id, &statement.sql);
            if let (Err(_), Some(cleanup)) = (&result, &statement.cleanup) {
                // The statement's own error is the one to report.
                let _ = runner.conn.batch_execute(cleanup);
            }
            result
        });
        let next = if result.is_ok() { k + 1 } else { k };
        self.conn
            .batch_execute(&history::mark_in_progress(migration, next))?;
        result
    }

    /// Runs `work` and `bookkeeping` in one transaction, or none of them.
    fn transaction(
        &mut self,
        migration: &Migration,
        work: &[Work],
        bookkeeping: &str,
    ) -> Result<(), Error> {
        let id = migration.id();
        let backend = self.conn.backend();
        // PostgreSQL: the whole transaction in one round trip; a failure is
        // then replayed statement by statement (and rolled back) to name the
        // statement at fault. SQLite runs in-process, and a Rust step runs
        // on the connection between statements: one by one.
        let statements: Option<Vec<&str>> = work
            .iter()
            .map(|item| match item {
                Work::Sql(sql) => Some(*sql),
                Work::Rust(_) => None,
            })
            .collect();
        if self.whole_run {
            // Inside the run's own transaction. `run_all` sends a whole run
            // in one round trip; it comes here, statement by statement, for
            // a run with Rust steps or to name the statement that failed.
            self.run_work(migration, work)?;
            return self.conn.batch_execute(bookkeeping);
        }
        if let (Backend::Postgres, Some(statements)) = (backend, statements) {
            let batch = script(
                lock::begin(backend),
                statements.iter().copied().chain([bookkeeping]),
            );
            return match self.conn.batch_execute(&batch) {
                Ok(()) => Ok(()),
                Err(error) => {
                    let _ = self.conn.batch_execute("ROLLBACK");
                    if timeouts::is_lock_timeout(&error) {
                        // Replaying would only wait for the same lock again.
                        return Err(error);
                    }
                    Err(self
                        .find_failing_statement(id, &statements)
                        .unwrap_or(error))
                }
            };
        }
        self.conn.begin_transaction(lock::begin(backend))?;
        let result = (|| {
            self.run_work(migration, work)?;
            if backend == Backend::Sqlite {
                self.check_sqlite_foreign_keys(id)?;
            }
            self.conn.batch_execute(bookkeeping)
        })();
        match result {
            Ok(()) => self.conn.commit_transaction(),
            Err(error) => {
                // The migration's own error is the one to report.
                let _ = self.conn.rollback_transaction();
                Err(error)
            }
        }
    }

    /// Runs each statement, and each Rust step's function, in order.
    fn run_work(&mut self, migration: &Migration, work: &[Work]) -> Result<(), Error> {
        for item in work {
            match item {
                Work::Sql(statement) => self.execute(migration.id(), statement)?,
                Work::Rust(function) => data_step::run(self.conn, migration, function)?,
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
    /// mark's progress, so a stopped runner resumes after the last batch
    /// done and no row is written twice. Batches are sized to the runner's
    /// batch time, never past the step's `.batched(n)`.
    fn run_batches(
        &mut self,
        id: &str,
        step: &PlannedStep,
        index: usize,
        mut after: Option<String>,
    ) -> Result<(), Error> {
        let backend = self.conn.backend();
        let (Some(batch), Op::Backfill { table, .. }) = (&step.batch, step.op) else {
            return Ok(());
        };
        let (table, key) = (table.to_string(), batch.key.clone());
        let bar = self.progress_bar(&table, &key, after.as_deref())?;
        let mut size = BatchSize::new(batch.rows, self.batch_time);
        loop {
            let rows = size.next();
            let from = after
                .as_ref()
                .map(|last| format!(" WHERE {} > {}", quote_ident(&key), quote_text(last)));
            let upto = self
                .conn
                .text_column(&format!(
                    "SELECT CAST({key} AS TEXT) AS v FROM {table}{} ORDER BY {key} LIMIT 1 OFFSET {}",
                    from.unwrap_or_default(),
                    rows - 1,
                    key = quote_ident(&key),
                    table = quote_ident(&table),
                ))?
                .into_iter()
                .flatten()
                .next();
            let update = backend
                .render_batch(
                    step.op,
                    &step.before,
                    &KeyRange {
                        key: &key,
                        after: after.as_deref(),
                        upto: upto.as_deref(),
                    },
                )
                .map_err(|message| Error::Render {
                    migration: id.to_owned(),
                    step: step.op.to_string(),
                    message,
                })?;
            // The last batch hands over to the next segment.
            let progress = match &upto {
                Some(upto) => history::set_progress(id, index, Some(upto)),
                None => history::set_progress(id, index + 1, None),
            };
            let mut took = Duration::ZERO;
            self.retrying(id, |runner| {
                // One round trip: the batch, its progress and the commit.
                let batch = script(
                    lock::begin(backend),
                    batch_settings(backend)
                        .into_iter()
                        .chain([update.as_str(), progress.as_str()]),
                );
                let started = Instant::now();
                let done = runner.conn.batch_execute(&batch);
                took = started.elapsed();
                match done {
                    Ok(()) => Ok(()),
                    Err(error) => {
                        let _ = runner.conn.batch_execute("ROLLBACK");
                        // The progress row is the runner's own: the UPDATE failed.
                        Err(error.in_statement(id, &update))
                    }
                }
            })?;
            match upto {
                Some(upto) => {
                    // Every batch but the last covers exactly `rows` keys.
                    if let Some(bar) = &bar {
                        bar.inc(u64::from(rows));
                    }
                    size.record(rows, took);
                    after = Some(upto);
                }
                None => {
                    if let Some(bar) = bar {
                        bar.finish_and_clear();
                    }
                    return Ok(());
                }
            }
            if !self.batch_pause.is_zero() {
                std::thread::sleep(self.batch_pause);
            }
        }
    }

    /// A progress bar over the rows of `table` left after key `after`, when
    /// progress is shown; hidden by `indicatif` when standard error is not a
    /// terminal.
    fn progress_bar(
        &mut self,
        table: &str,
        key: &str,
        after: Option<&str>,
    ) -> Result<Option<indicatif::ProgressBar>, Error> {
        if !self.progress {
            return Ok(None);
        }
        let mut query = format!(
            "SELECT CAST(count(*) AS TEXT) AS v FROM {}",
            quote_ident(table)
        );
        if let Some(after) = after {
            query.push_str(&format!(
                " WHERE {} > {}",
                quote_ident(key),
                quote_text(after)
            ));
        }
        let rows = self
            .conn
            .text_column(&query)?
            .into_iter()
            .flatten()
            .next()
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        let bar = indicatif::ProgressBar::new(rows);
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "{msg} [{bar:30}] {human_pos}/{human_len} rows, {rate}, {eta} left",
        ) {
            bar.set_style(
                style
                    .with_key(
                        "rate",
                        |state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                            let _ = write!(w, "{:.0} rows/s", state.per_sec());
                        },
                    )
                    .progress_chars("=> "),
            );
        }
        bar.set_message(format!("backfilling {table}"));
        Ok(Some(bar))
    }

    pub(super) fn execute(&mut self, id: &str, statement: &str) -> Result<(), Error> {
        self.conn
            .batch_execute(statement)
            .map_err(|error| error.in_statement(id, statement))
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
