//! Checking: replays the whole history on a simulated schema and applies
//! every rule, gathering all errors so the author sees them in one build.
//!
//! Each rule is a small `check_*` function with a sentence on why it exists.

use std::collections::HashMap;

use proc_macro2::{Ident, Span};

use migration_model::review::Severity;
use migration_model::{Op, Schema, reverse};

use crate::ast::{Errors, History, Migration, Step};

/// What checking learned, for expansion.
pub struct Checked {
    /// Per migration, in order: its parents' ids and its downgrade.
    pub migrations: Vec<CheckedMigration>,
}

/// One migration, checked.
pub struct CheckedMigration {
    /// The ids of its parents.
    pub parents: Vec<String>,
    /// How it is undone.
    pub downgrade: Downgrade,
    /// Each function its Rust steps call, as written, with the schema it sees.
    pub data_steps: Vec<(Ident, Schema)>,
}

/// How a migration is undone.
pub enum Downgrade {
    /// Derived from the upgrade's steps.
    Derived(Vec<Op>),
    /// Written by the author (and checked to restore the schema).
    Written(Vec<Op>),
    /// Cannot be undone, for the reason given.
    Irreversible(String),
}

/// Checks `history`, returning what expansion needs, or every error found
/// with what could be learned all the same (so the typed tables of Rust
/// steps still exist and the user's functions add no errors of their own).
pub fn check(history: &History) -> Result<Checked, (syn::Error, Checked)> {
    let mut errors = Errors::default();
    check_unique_ids(history, &mut errors);
    let parents = resolve_parents(history, &mut errors);
    check_ids_sort_after_parents(history, &parents, &mut errors);
    // An unknown parent already explains any extra head: report it alone.
    let parents_resolved = errors.is_empty();
    if !history.allow_branches && parents_resolved {
        check_single_head(history, &parents, &mut errors);
    }
    let mut after: Vec<Schema> = Vec::with_capacity(history.migrations.len());
    let mut migrations = Vec::with_capacity(history.migrations.len());
    let mut functions = HashMap::new();
    for (index, migration) in history.migrations.iter().enumerate() {
        let before = schema_before(index, &parents, &after, history);
        let mut schema = before.clone();
        let mut context = Context {
            migration,
            errors: &mut errors,
        };
        context.apply_steps(&migration.up, &mut schema);
        context.check_rules(&before);
        let downgrade = context.downgrade(&before, &schema);
        let mut data_steps = data_step_schemas(&migration.up, &before);
        if let Some((_, steps)) = &migration.down {
            data_steps.extend(data_step_schemas(steps, &schema));
        }
        context.check_one_step_per_function(&data_steps, &mut functions);
        after.push(schema);
        migrations.push(CheckedMigration {
            parents: parents[index].clone(),
            downgrade,
            data_steps,
        });
    }
    let checked = Checked { migrations };
    match errors.into_error() {
        Some(error) => Err((error, checked)),
        None => Ok(checked),
    }
}

/// Two migrations with one id would be indistinguishable in the history table.
fn check_unique_ids(history: &History, errors: &mut Errors) {
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (index, migration) in history.migrations.iter().enumerate() {
        if let Some(first) = seen.insert(migration.id(), index) {
            errors.at(
                migration.id.span(),
                format!(
                    "migration id `{}` is already used by `{}`: every migration needs its own id",
                    migration.id(),
                    history.migrations[first].name
                ),
            );
        }
    }
}

/// Each migration's parents: as written, or the one before it. A parent
/// must be written earlier, so the module order is an order of application
/// and no cycle can exist.
fn resolve_parents(history: &History, errors: &mut Errors) -> Vec<Vec<String>> {
    let position: HashMap<String, usize> = history
        .migrations
        .iter()
        .enumerate()
        .map(|(index, m)| (m.id(), index))
        .collect();
    let mut all = Vec::with_capacity(history.migrations.len());
    for (index, migration) in history.migrations.iter().enumerate() {
        let Some(written) = &migration.parents else {
            let previous = index.checked_sub(1).map(|p| history.migrations[p].id());
            all.push(previous.into_iter().collect());
            continue;
        };
        let mut parents = Vec::new();
        for parent in written {
            match position.get(&parent.value()) {
                Some(&at) if at < index => parents.push(parent.value()),
                Some(&at) if at == index => errors.at(
                    parent.span(),
                    format!("migration `{}` cannot be its own parent", migration.id()),
                ),
                Some(_) => errors.at(
                    parent.span(),
                    format!(
                        "migration `{}`: parent `{}` is written after it; list migrations oldest first \
                         (a parent that comes later would make a cycle)",
                        migration.id(),
                        parent.value()
                    ),
                ),
                None => errors.at(
                    parent.span(),
                    format!(
                        "migration `{}`: parent `{}` does not exist in this history",
                        migration.id(),
                        parent.value()
                    ),
                ),
            }
        }
        all.push(parents);
    }
    all
}

/// diesel's harness applies pending migrations in id order, so an id must
/// sort after its parents' for that order to respect the history.
fn check_ids_sort_after_parents(history: &History, parents: &[Vec<String>], errors: &mut Errors) {
    for (migration, parents) in history.migrations.iter().zip(parents) {
        if let Some(parent) = parents.iter().find(|p| **p > migration.id()) {
            errors.at(
                migration.id.span(),
                format!(
                    "migration id `{}` must sort after its parent `{parent}`: diesel applies migrations in id order \
                     (use ids like \"2024_01_15_000003\")",
                    migration.id()
                ),
            );
        }
    }
}

/// Two heads mean two developers' migrations that were never ordered: the
/// schema depends on which runs first, so they must be merged explicitly.
fn check_single_head(history: &History, parents: &[Vec<String>], errors: &mut Errors) {
    let heads: Vec<&Migration> = history
        .migrations
        .iter()
        .filter(|m| !parents.iter().flatten().any(|p| *p == m.id()))
        .collect();
    if heads.len() > 1 {
        let ids: Vec<String> = heads.iter().map(|m| format!("\"{}\"", m.id())).collect();
        for head in &heads {
            errors.at(
                head.id.span(),
                format!(
                    "the history has {} heads ({}): add a merge migration with `parents = [{}]`, \
                     or allow branches with #[migrations(allow_branches)]",
                    heads.len(),
                    ids.join(", "),
                    ids.join(", ")
                ),
            );
        }
    }
}

/// The schema a migration starts from: everything its ancestors did.
fn schema_before(
    index: usize,
    parents: &[Vec<String>],
    after: &[Schema],
    history: &History,
) -> Schema {
    let previous_id = index.checked_sub(1).map(|p| history.migrations[p].id());
    match parents[index].as_slice() {
        [] => Schema::new(),
        [only] if Some(only) == previous_id.as_ref() => after[index - 1].clone(),
        _ => {
            // A branch or a merge: replay the ancestors in history order.
            let ancestors = ancestors(index, parents, history);
            let mut schema = Schema::new();
            for ancestor in ancestors {
                for step in &history.migrations[ancestor].up {
                    // Errors in ancestors are reported where they were written.
                    let _ = schema.apply(&step.op);
                }
            }
            schema
        }
    }
}

fn ancestors(index: usize, parents: &[Vec<String>], history: &History) -> Vec<usize> {
    let mut found = vec![false; history.migrations.len()];
    let mut stack = vec![index];
    while let Some(current) = stack.pop() {
        for parent in &parents[current] {
            if let Some(at) = history.migrations.iter().position(|m| m.id() == *parent)
                && !found[at]
            {
                found[at] = true;
                stack.push(at);
            }
        }
    }
    (0..history.migrations.len())
        .filter(|&i| found[i])
        .collect()
}

/// Each function the Rust steps of `steps` call, with the schema at that
/// step (a Rust step changes no schema, so its reverse sees the same).
fn data_step_schemas(steps: &[Step], start: &Schema) -> Vec<(Ident, Schema)> {
    let mut schema = start.clone();
    let mut found = Vec::new();
    for step in steps {
        for function in &step.functions {
            found.push((function.clone(), schema.clone()));
        }
        // A step that does not apply was reported where it was written.
        let _ = schema.apply(&step.op);
    }
    found
}

struct Context<'a> {
    migration: &'a Migration,
    errors: &'a mut Errors,
}

impl Context<'_> {
    fn error(&mut self, span: Span, message: impl std::fmt::Display) {
        self.errors.at(
            span,
            format!("migration `{}`: {message}", self.migration.id()),
        );
    }

    /// Applies each step, reporting those that do not fit the schema of their moment.
    fn apply_steps(&mut self, steps: &[Step], schema: &mut Schema) {
        for step in steps {
            if let Err(error) = schema.apply(&step.op) {
                self.error(step.span_of(&error.subject), error.message);
            }
        }
    }

    /// A Rust step's function sees the tables as they are at that step
    /// (`schema_at::function`); run by two steps it would need two shapes.
    fn check_one_step_per_function(
        &mut self,
        data_steps: &[(Ident, Schema)],
        seen: &mut HashMap<String, String>,
    ) {
        for (function, _) in data_steps {
            let id = self.migration.id();
            if let Some(first) = seen.insert(function.to_string(), id) {
                self.error(
                    function.span(),
                    format!(
                        "the function `{function}` is already run by a Rust step of migration `{first}`: \
                         each step needs its own function, since it sees the tables of its own moment \
                         in history (`schema_at::{function}`)"
                    ),
                );
            }
        }
    }

    fn check_rules(&mut self, before: &Schema) {
        let steps = &self.migration.up;
        for (index, step) in steps.iter().enumerate() {
            self.check_not_null_column_has_default(step, before);
            self.check_tighten_is_filled(step, &steps[..index]);
        }
        self.check_reviewed_steps_are_dangerous(before);
    }

    /// `.reviewed("why")` accepts a danger the review would stop a deploy
    /// for; on a step with no danger it would vouch for nothing, and stay
    /// behind unnoticed after the step is made safe. The reason is what the
    /// team reads in the review, so it cannot be blank, and one is enough.
    fn check_reviewed_steps_are_dangerous(&mut self, before: &Schema) {
        let mut schema = before.clone();
        for step in &self.migration.up {
            if let Some((modifier, reason)) = step.reviewed.first() {
                if reason.value().trim().is_empty() {
                    self.error(
                        reason.span(),
                        "say why the danger is accepted: `.reviewed(\"the app stopped reading it in v2.3\")`",
                    );
                }
                let found = migration_model::review::assess(&step.op, before, &schema);
                let said = match &found {
                    Some(found) if found.severity == Severity::Danger => None,
                    Some(found) => Some(format!(
                        "the review gives it a {} only",
                        found.severity.label()
                    )),
                    None => Some("the review has nothing to say about it".to_owned()),
                };
                if let Some(said) = said {
                    self.error(
                        modifier.span(),
                        format!(
                            "`.reviewed(..)` accepts a danger, but `{}` is not dangerous ({said}): remove it",
                            step.op
                        ),
                    );
                }
            }
            for (again, _) in step.reviewed.iter().skip(1) {
                self.error(
                    again.span(),
                    format!("`{}` is already marked `reviewed`: keep one", step.method),
                );
            }
            // A step that does not apply was reported by `apply_steps`.
            let _ = schema.apply(&step.op);
        }
    }

    /// Rows already in the table would have no value for a NOT NULL column,
    /// so the database refuses it (PostgreSQL) or the data is invented (none here).
    fn check_not_null_column_has_default(&mut self, step: &Step, before: &Schema) {
        let Op::AddColumn { table, column } = &step.op else {
            return;
        };
        if !column.nullable && column.default.is_none() && before.table(table).is_some() {
            self.error(
                step.span_of(&migration_model::Subject::Name(column.name.to_string())),
                format!(
                    "add_column({table:?}, {:?}, ..) is NOT NULL with no default: existing rows would have no value; \
                     give it .default(..), or add it .nullable(), backfill it, then tighten_not_null",
                    column.name
                ),
            );
        }
    }

    /// Tightening a column that still holds NULLs fails at deploy time; the
    /// migration must fill them first, or the author must say why none are left.
    fn check_tighten_is_filled(&mut self, step: &Step, earlier: &[Step]) {
        let Op::SetNullable {
            table,
            column,
            nullable: false,
        } = &step.op
        else {
            return;
        };
        if step.assume_no_nulls {
            return;
        }
        let filled = earlier.iter().any(|e| match &e.op {
            Op::Backfill {
                table: t,
                column: c,
                only_where,
                ..
            } => {
                t == table
                    && c == column
                    && only_where.as_ref().is_none_or(|w| w.requires_null(column))
            }
            Op::SetDefault {
                table: t,
                column: c,
                default: Some(_),
            } => t == table && c == column,
            Op::CreateTable(created) => created.name == *table,
            _ => false,
        });
        if !filled {
            self.error(
                step.method.span(),
                format!(
                    "tighten_not_null({table:?}, {column:?}) has nothing before it that fills NULLs: \
                     backfill the column first, or add .assume_no_nulls() if none can exist"
                ),
            );
        }
    }

    /// Derives the downgrade, or checks the one written, or takes the
    /// irreversible mark: every migration says how it is undone.
    fn downgrade(&mut self, before: &Schema, after: &Schema) -> Downgrade {
        let migration = self.migration;
        match (&migration.down, &migration.irreversible) {
            (Some((name, _)), Some(_)) => {
                self.error(
                    name.span(),
                    "has both a #[downgrade] and `irreversible`: keep one",
                );
                Downgrade::Irreversible(String::new())
            }
            (None, Some(reason)) => Downgrade::Irreversible(reason.value()),
            (Some((name, steps)), None) => {
                let mut schema = after.clone();
                self.apply_steps(steps, &mut schema);
                let differences = migration_model::diff(before, &schema);
                if !differences.is_empty() {
                    self.error(
                        name.span(),
                        format!(
                            "the downgrade `{name}` does not restore the schema as it was before the upgrade: {}",
                            differences.join("; ")
                        ),
                    );
                }
                Downgrade::Written(steps.iter().map(|s| s.op.clone()).collect())
            }
            (None, None) => {
                let ops: Vec<Op> = migration.up.iter().map(|s| s.op.clone()).collect();
                match reverse(&ops, before) {
                    Ok(inverse) => Downgrade::Derived(inverse),
                    Err(lossy) => {
                        for loss in lossy {
                            let span = migration.up[loss.step].method.span();
                            self.error(span, loss.reason);
                        }
                        Downgrade::Derived(Vec::new())
                    }
                }
            }
        }
    }
}
