//! The runner: applies and reverts migrations with what diesel's harness
//! lacks: a lock so many application instances can start at once, a
//! checksum per applied migration, integrity checks before anything runs,
//! and `stamp`.
//!
//! Each migration and its history rows commit together or not at all. On
//! PostgreSQL, the steps that would block a busy table take their
//! lock-friendly form, which needs commits between its statements: the
//! migration is then marked in progress at each commit, and a runner stopped
//! midway resumes where the mark says (see `apply`).

mod apply;
mod batch_size;
mod compensate;
mod history;
mod lock;
mod segments;
mod timeouts;
mod verify;

use std::time::Duration;

use migration_model::Op;

pub use history::{Applied, HISTORY_TABLE, checksum};
pub use timeouts::Timeouts;
pub use verify::verify;

use crate::connection::AnyConnection;
use crate::error::Error;
use crate::migration::Migration;
use crate::set::{Direction, MigrationSet, Mode};

/// Applies and reverts the migrations of one set on one database.
///
/// ```
/// #[migration_runtime::migrations]
/// mod history {
///     #[migration(id = "2024_01_10_000001")]
///     fn create_members(m: &mut Up) {
///         m.create_table("members", |t| {
///             t.id("id");
///             t.column("email", varchar(255));
///         });
///     }
///
///     #[migration(id = "2024_01_12_000001")]
///     fn add_phone(m: &mut Up) {
///         m.add_column("members", "phone", varchar(20).nullable());
///     }
/// }
///
/// use migration_runtime::{AnyConnection, Runner};
///
/// let mut conn = AnyConnection::establish(":memory:")?;
/// let applied = Runner::new(&mut conn, history::MIGRATIONS).upgrade("head")?;
/// assert_eq!(applied, ["2024_01_10_000001", "2024_01_12_000001"]);
/// let reverted = Runner::new(&mut conn, history::MIGRATIONS).downgrade("-1")?;
/// assert_eq!(reverted, ["2024_01_12_000001"]);
/// # Ok::<(), migration_runtime::Error>(())
/// ```
pub struct Runner<'a> {
    conn: &'a mut AnyConnection,
    set: MigrationSet,
    allow_changed: bool,
    single_transaction: bool,
    /// Whether the run under way is one transaction: asked for, or an
    /// upgrade from an empty history.
    whole_run: bool,
    timeouts: Timeouts,
    progress: bool,
    batch_pause: Duration,
    batch_time: Option<Duration>,
    /// Migrations a stopped runner left partly applied, read under the lock.
    partly_applied: Vec<String>,
}

/// How long a batch of a batched backfill holds its transaction unless
/// [`Runner::batch_time`] says otherwise: short enough that the
/// application's writes to the batch's rows wait little, long enough that
/// the cost of each commit stays a few percent.
pub const DEFAULT_BATCH_TIME: Duration = Duration::from_millis(20);

/// A migration a runner stopped in the middle of a statement that runs
/// outside a transaction (`CREATE INDEX CONCURRENTLY`), as `repair` found it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Repaired {
    /// The migration.
    pub migration: String,
    /// The statement that was interrupted.
    pub statement: String,
    /// What `repair` ran to undo what it may have left (an invalid index).
    pub cleanup: Option<String>,
}

impl<'a> Runner<'a> {
    /// A runner for `set` on the database behind `conn`.
    pub fn new(conn: &'a mut AnyConnection, set: MigrationSet) -> Self {
        Runner {
            conn,
            set,
            allow_changed: false,
            single_transaction: false,
            whole_run: false,
            timeouts: Timeouts::default(),
            progress: false,
            batch_pause: Duration::ZERO,
            batch_time: Some(DEFAULT_BATCH_TIME),
            partly_applied: Vec::new(),
        }
    }

    /// How long a statement waits for a lock, how long it may run, and how
    /// many times a migration that gave up waiting is tried (PostgreSQL).
    pub fn timeouts(mut self, timeouts: Timeouts) -> Self {
        self.timeouts = timeouts;
        self
    }

    /// Draws a progress bar on standard error for batched backfills (only
    /// when it is a terminal).
    pub fn show_progress(mut self, show: bool) -> Self {
        self.progress = show;
        self
    }

    /// Waits this long between two batches of a batched backfill, leaving
    /// room for the application's own writes.
    pub fn batch_pause(mut self, pause: Duration) -> Self {
        self.batch_pause = pause;
        self
    }

    /// How long one batch of a batched backfill should hold its
    /// transaction ([`DEFAULT_BATCH_TIME`] unless set): each batch is sized
    /// from the rate of the last one, up to the step's `.batched(n)` rows.
    /// Zero makes every batch exactly `n` rows.
    pub fn batch_time(mut self, time: Duration) -> Self {
        self.batch_time = (!time.is_zero()).then_some(time);
        self
    }

    /// The mode migrations run in: lock-friendly unless the whole run is one
    /// transaction.
    fn mode(&self) -> Mode {
        if self.whole_run {
            Mode::OneTransaction
        } else {
            Mode::Online
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
    /// An upgrade from an empty history without raw `sql(..)` steps runs so
    /// without being asked.
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

    /// The migrations a runner stopped in the middle of a statement run
    /// outside a transaction; [`repair`](Self::repair) clears them.
    pub fn interrupted(&mut self) -> Result<Vec<String>, Error> {
        self.with_lock(|runner| {
            Ok(history::interrupted(runner.conn)?
                .into_iter()
                .map(|(id, _)| id)
                .collect())
        })
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
            // On an empty history no application can be using the tables
            // the run creates: the lock-friendly forms would only cost
            // time, and all or nothing leaves no half-built database. Raw
            // SQL may need the commits between migrations (a new enum value
            // is usable only once committed), so it keeps them.
            let fresh = applied.is_empty()
                && runner.partly_applied.is_empty()
                && chosen
                    .iter()
                    .all(|m| !m.up().iter().any(|op| matches!(op, Op::Sql { .. })));
            runner.whole_run = runner.single_transaction || fresh;
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
            runner.whole_run = runner.single_transaction;
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

    /// Clears the mark a runner left when it stopped in the middle of a
    /// statement run outside a transaction: undoes what that statement may
    /// have left (drops an invalid index) so the next `upgrade` runs it
    /// again. Returns what was repaired.
    pub fn repair(&mut self) -> Result<Vec<Repaired>, Error> {
        self.with_lock(|runner| {
            let mut done = Vec::new();
            for (id, segment) in history::interrupted(runner.conn)? {
                let statement = runner.alone_statement(&id, segment)?;
                if let Some(cleanup) = &statement.cleanup {
                    runner.conn.batch_execute(cleanup)?;
                }
                runner
                    .conn
                    .batch_execute(&history::repaired(&id, segment))?;
                done.push(Repaired {
                    migration: id,
                    statement: statement.sql,
                    cleanup: statement.cleanup,
                });
            }
            Ok(done)
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
            if let Some((id, segment)) = history::interrupted(runner.conn)?.into_iter().next() {
                let statement = runner.alone_statement(&id, segment)?.sql;
                return Err(Error::NeedsRepair {
                    migration: id,
                    statement,
                });
            }
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
        let result = timeouts::set(self.conn, self.timeouts).and_then(|saved| {
            let result = history::ensure_tables(self.conn).and_then(|()| body(self));
            timeouts::restore(self.conn, saved).and(result)
        });
        let released = lock::release(self.conn);
        let value = result?;
        released?;
        Ok(value)
    }
}
