//! A migration's planned steps cut into the units the runner commits one by
//! one. Most migrations are a single transaction; lock-friendly PostgreSQL
//! forms and batched backfills cut it where a commit must come between.

use crate::data_step;
use crate::dialect::{Placement, Statement};
use crate::set::PlannedStep;

/// What runs inside a transaction.
#[derive(Clone, Copy, Debug)]
pub enum Work<'p> {
    /// A SQL statement.
    Sql(&'p str),
    /// A Rust data step, run on the connection between the statements.
    Rust(&'static str),
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

/// Where a segment starts in the migration's steps: the step its first
/// work belongs to, and whether that step already ran part of its work in
/// an earlier segment (a lock-friendly form cut in phases).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Start {
    /// The step's position in the migration.
    pub step: usize,
    /// Whether the step began in an earlier segment.
    pub midway: bool,
}

/// Cuts `steps` into segments, each with where it starts. With `batches`,
/// a batched backfill on a table with a single-column key is a segment of
/// its own; otherwise it is one `UPDATE` in the transaction around it. The
/// last segment is always a transaction: the history rows commit with it.
pub fn split<'p>(steps: &'p [PlannedStep], batches: bool) -> Vec<(Segment<'p>, Start)> {
    let mut cutter = Cutter::default();
    for (index, step) in steps.iter().enumerate() {
        let here = Start {
            step: index,
            midway: false,
        };
        if batches && step.batch.is_some() {
            cutter.close();
            cutter.segments.push((Segment::Batched(step), here));
            continue;
        }
        if let Some(function) = data_step::function_of(step.op) {
            cutter.push(Work::Rust(function), here);
            continue;
        }
        for (k, statement) in step.statements.iter().enumerate() {
            let here = Start {
                step: index,
                midway: k > 0,
            };
            match statement.placement {
                Placement::InTransaction => cutter.push(Work::Sql(&statement.sql), here),
                Placement::NewTransaction => {
                    cutter.close();
                    cutter.push(Work::Sql(&statement.sql), here);
                }
                Placement::Alone => {
                    cutter.close();
                    cutter.segments.push((Segment::Alone(statement), here));
                }
            }
        }
    }
    let end = Start {
        step: steps.len(),
        midway: false,
    };
    let last = std::mem::take(&mut cutter.current);
    let start = cutter.start.unwrap_or(end);
    cutter.segments.push((Segment::Transaction(last), start));
    cutter.segments
}

/// The segments cut so far and the transaction being gathered.
#[derive(Default)]
struct Cutter<'p> {
    segments: Vec<(Segment<'p>, Start)>,
    current: Vec<Work<'p>>,
    start: Option<Start>,
}

impl<'p> Cutter<'p> {
    fn push(&mut self, work: Work<'p>, here: Start) {
        self.start.get_or_insert(here);
        self.current.push(work);
    }

    /// Ends the transaction being gathered, if it has anything in it.
    fn close(&mut self) {
        if let Some(start) = self.start.take() {
            let work = std::mem::take(&mut self.current);
            self.segments.push((Segment::Transaction(work), start));
        }
    }
}
