//! A migration's planned steps cut into the units the runner commits one by
//! one. Most migrations are a single transaction; lock-friendly PostgreSQL
//! forms and batched backfills cut it where a commit must come between.

use migration_model::Op;

use crate::data_step;
use crate::dialect::{Placement, Statement};
use crate::set::PlannedStep;

/// What runs inside a transaction.
#[derive(Clone, Copy, Debug)]
pub enum Work<'p> {
    /// A SQL statement.
    Sql(&'p str),
    /// A Rust data step, run on the connection between the statements.
    Rust(&'static Op),
}

/// One unit of a migration, committed (or run) on its own.
#[derive(Debug)]
pub enum Segment<'p> {
    /// Work that commits together.
    Transaction(Vec<Work<'p>>),
    /// One statement run outside any transaction.
    Alone(&'p Statement),
    /// A batched backfill: each batch its own transaction.
    Batched(&'p PlannedStep),
}

/// Cuts `steps` into segments. With `batches`, a batched backfill on a
/// table with a single-column key is a segment of its own; otherwise it is
/// one `UPDATE` in the transaction around it. The last segment is always a
/// transaction: the history rows commit with it.
pub fn split<'p>(
    steps: &'p [PlannedStep],
    batches: bool,
    is_batched: impl Fn(&PlannedStep) -> bool,
) -> Vec<Segment<'p>> {
    let mut segments = Vec::new();
    let mut current: Vec<Work<'p>> = Vec::new();
    for step in steps {
        if batches && is_batched(step) {
            close(&mut segments, &mut current);
            segments.push(Segment::Batched(step));
            continue;
        }
        if data_step::function_of(step.op).is_some() {
            current.push(Work::Rust(step.op));
            continue;
        }
        for statement in &step.statements {
            match statement.placement {
                Placement::InTransaction => current.push(Work::Sql(&statement.sql)),
                Placement::NewTransaction => {
                    close(&mut segments, &mut current);
                    current.push(Work::Sql(&statement.sql));
                }
                Placement::Alone => {
                    close(&mut segments, &mut current);
                    segments.push(Segment::Alone(statement));
                }
            }
        }
    }
    segments.push(Segment::Transaction(current));
    segments
}

/// Ends the transaction being gathered, if it has anything in it.
fn close<'p>(segments: &mut Vec<Segment<'p>>, current: &mut Vec<Work<'p>>) {
    if !current.is_empty() {
        segments.push(Segment::Transaction(std::mem::take(current)));
    }
}
