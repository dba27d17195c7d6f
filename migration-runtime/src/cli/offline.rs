//! What the commands write without a database: SQL, a migration's steps,
//! the review, new migrations in the history file.

use std::io::Write;
use std::process::ExitCode;

use super::style::Paint;
use crate::connection::BoxError;
use crate::dialect::{Backend, Placement};
use crate::set::{Direction, MigrationSet, Mode};

/// The ids `sql` prints for `range` (`FROM:TO`), in the order they run:
/// upgrades oldest first, downgrades newest first.
pub(super) fn sql_range(
    set: MigrationSet,
    range: Option<&str>,
    direction: Direction,
) -> Result<Vec<&'static str>, BoxError> {
    let (newer, older) = match range {
        None => ("head", "base"),
        Some(range) => {
            let (from, to) = range
                .split_once(':')
                .ok_or_else(|| format!("`{range}` is not a range: expected FROM:TO"))?;
            let (newer, older) = match direction {
                Direction::Up => (to, from),
                Direction::Down => (from, to),
            };
            (
                if newer.is_empty() { "head" } else { newer },
                if older.is_empty() { "base" } else { older },
            )
        }
    };
    select(set, newer, older, direction)
}

/// The migrations in the lineage of `newer` (or all, for `head`) and not in
/// that of `older` (none, for `base`), in the order they run `direction`.
pub(super) fn select(
    set: MigrationSet,
    newer: &str,
    older: &str,
    direction: Direction,
) -> Result<Vec<&'static str>, BoxError> {
    let wanted: Vec<&str> = if newer == "head" {
        set.migrations().iter().map(|m| m.id()).collect()
    } else {
        set.lineage(newer)?
    };
    let kept: Vec<&str> = if older == "base" {
        Vec::new()
    } else {
        set.lineage(older)?
    };
    let mut ids: Vec<&'static str> = set
        .migrations()
        .iter()
        .map(|m| m.id())
        .filter(|id| wanted.contains(id) && !kept.contains(id))
        .collect();
    if direction == Direction::Down {
        ids.reverse();
    }
    Ok(ids)
}

/// Writes a new migration after `parents` into the history file and says so.
pub(super) fn append_migration(
    set: MigrationSet,
    file: &std::path::Path,
    message: &str,
    parents: &[&str],
    out: &mut impl Write,
) -> Result<(), BoxError> {
    let id = crate::revision::next_id(set, crate::revision::today());
    crate::revision::write(file, &id, message, parents)?;
    let name = crate::revision::function_name(message);
    writeln!(out, "wrote {id} {name} into {}", file.display())?;
    Ok(())
}

/// Prints the review of `ids`; exit 1 when a danger is not reviewed in its migration.
pub(super) fn print_review(
    set: MigrationSet,
    ids: &[&str],
    paint: Paint,
    out: &mut impl Write,
) -> Result<ExitCode, BoxError> {
    let findings = crate::review::review(set, ids)?;
    for finding in &findings {
        let label = finding.label();
        // The finding's text starts with its label: only the label is painted.
        let text = finding.to_string();
        let rest = text.strip_prefix(label).unwrap_or(&text);
        writeln!(out, "{}{rest}", paint.severity(label))?;
    }
    let dangers = findings.iter().filter(|f| f.blocks()).count();
    let reviewed = findings.iter().filter(|f| f.reviewed.is_some()).count();
    let dangerous = format!("{dangers} dangerous");
    let dangerous = if dangers > 0 {
        paint.problem(dangerous)
    } else {
        dangerous
    };
    let reviewed = if reviewed > 0 {
        format!(" ({reviewed} reviewed)")
    } else {
        String::new()
    };
    writeln!(
        out,
        "{} migration(s) reviewed: {} finding(s), {dangerous}{reviewed}",
        ids.len(),
        findings.len()
    )?;
    Ok(if dangers > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

pub(super) fn show(
    set: MigrationSet,
    id: &str,
    backend: Backend,
    out: &mut impl Write,
) -> Result<(), BoxError> {
    let migration = set
        .get(id)
        .ok_or_else(|| crate::Error::UnknownMigration(id.to_owned()))?;
    writeln!(out, "{} {}", migration.id(), migration.name())?;
    if !migration.description().is_empty() {
        writeln!(out, "  {}", migration.description().replace('\n', "\n  "))?;
    }
    writeln!(
        out,
        "parents: {}",
        if migration.parents().is_empty() {
            "(base)".to_owned()
        } else {
            migration.parents().join(", ")
        }
    )?;
    writeln!(out, "upgrade:")?;
    for (index, op) in migration.up().iter().enumerate() {
        match migration.reviewed(index) {
            Some(reason) => writeln!(out, "  {op}.reviewed({reason:?})")?,
            None => writeln!(out, "  {op}")?,
        }
    }
    match migration.downgrade() {
        crate::Downgrade::Derived(ops) | crate::Downgrade::Written(ops) => {
            let how = if matches!(migration.downgrade(), crate::Downgrade::Derived(_)) {
                "derived"
            } else {
                "written"
            };
            writeln!(out, "downgrade ({how}):")?;
            for op in ops {
                writeln!(out, "  {op}")?;
            }
        }
        crate::Downgrade::Irreversible(reason) => {
            writeln!(out, "downgrade: none, irreversible: {reason}")?
        }
    }
    writeln!(
        out,
        "upgrade SQL ({}, as the runner runs it):",
        backend.name()
    )?;
    write_transactions(
        out,
        &set.plan(id, Direction::Up, backend, Mode::Online)?,
        "  ",
    )?;
    if migration.down().is_ok() {
        writeln!(out, "downgrade SQL ({}):", backend.name())?;
        for statement in set.render(id, Direction::Down, backend)? {
            writeln!(out, "  {};", statement.replace('\n', "\n  "))?;
        }
    }
    Ok(())
}

/// Writes planned steps as SQL a plain `psql` session can run: each
/// transaction between `BEGIN` and `COMMIT`, statements that must run
/// outside a transaction on their own, and a batched backfill as the one
/// `UPDATE` it stands for, with how the runner cuts it.
pub(super) fn write_transactions(
    out: &mut impl Write,
    steps: &[crate::set::PlannedStep],
    indent: &str,
) -> Result<(), BoxError> {
    let mut open = false;
    for step in steps {
        let batch = step.batch.as_ref().map(|batch| batch.rows);
        for statement in &step.statements {
            let starts_anew = statement.placement != Placement::InTransaction || batch.is_some();
            if open && starts_anew {
                writeln!(out, "{indent}COMMIT;")?;
                open = false;
            }
            if let Some(rows) = batch {
                writeln!(
                    out,
                    "{indent}-- in batches of up to {rows} rows in key order, each its own transaction:"
                )?;
            } else if statement.placement == Placement::Alone {
                writeln!(out, "{indent}-- outside a transaction:")?;
            } else if !open {
                writeln!(out, "{indent}BEGIN;")?;
                open = true;
            }
            let nl = format!("\n{indent}");
            writeln!(out, "{indent}{};", statement.sql.replace('\n', &nl))?;
        }
    }
    if open {
        writeln!(out, "{indent}COMMIT;")?;
    }
    Ok(())
}
