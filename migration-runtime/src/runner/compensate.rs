//! Undoing what a migration cut into several transactions committed before
//! one of its later phases failed, so that a failed migration leaves the
//! database as it was, as a one-transaction migration does.
//!
//! What committed is known from where the failing segment starts: every
//! step before it ran whole (a batched backfill counts as run: its batches
//! are undone with it), and a lock-friendly step cut in phases may have run
//! its first phases. The inverse of the whole steps is derived as a
//! downgrade is; the phases of the cut step are undone by the dialect.

use migration_model::reverse;

use super::segments::{Segment, Start};
use super::{Runner, history, lock};
use crate::data_step;
use crate::migration::Migration;

/// One piece of the undoing: SQL, or a Rust step's reverse function.
enum Undo<'a> {
    Sql(String),
    Rust(&'a str),
}

impl Runner<'_> {
    /// Undoes what `migration`'s upgrade committed before `failed` (the
    /// segment that failed, where it starts) in one transaction, and
    /// forgets its in-progress mark. `Err` says why it could not.
    pub(super) fn compensate(
        &mut self,
        migration: &Migration,
        failed: (&Segment, Start),
    ) -> Result<(), String> {
        let (segment, start) = failed;
        let ops = migration.up();
        let done = match segment {
            Segment::Batched(_) => start.step + 1,
            _ => start.step,
        };
        let cut = match segment {
            Segment::Transaction(_) if start.midway => ops.get(start.step),
            _ => None,
        };
        let before = self
            .set
            .schema_before(migration.id())
            .map_err(|e| e.to_string())?;
        let inverse = reverse(&ops[..done], &before).map_err(|lossy| {
            lossy
                .iter()
                .map(|l| l.reason.clone())
                .collect::<Vec<_>>()
                .join("; ")
        })?;
        let mut schema = before;
        schema
            .apply_all(&ops[..done])
            .map_err(|e| e.message.clone())?;
        let backend = self.conn.backend();
        let mut work: Vec<Undo> = cut
            .map(|op| backend.undo_partial(op))
            .unwrap_or_default()
            .into_iter()
            .map(Undo::Sql)
            .collect();
        for op in &inverse {
            if let Some(function) = data_step::function_of(op) {
                work.push(Undo::Rust(function));
            } else {
                work.extend(backend.render(op, &schema)?.into_iter().map(Undo::Sql));
            }
            schema.apply(op).map_err(|e| e.message.clone())?;
        }
        self.conn
            .begin_transaction(lock::begin(backend))
            .map_err(|e| e.to_string())?;
        let result = (|| {
            for item in &work {
                match item {
                    Undo::Sql(sql) => self.execute(migration.id(), sql)?,
                    Undo::Rust(function) => data_step::run(self.conn, migration, function)?,
                }
            }
            self.conn.batch_execute(&history::forget(migration.id()))
        })();
        match result {
            Ok(()) => self.conn.commit_transaction().map_err(|e| e.to_string()),
            Err(error) => {
                let _ = self.conn.rollback_transaction();
                Err(error.to_string())
            }
        }
    }
}
