//! The commands that need the database: they run on a [`Runner`].

use std::io::Write;
use std::process::ExitCode;

use super::args::{Cli, Command};
use super::offline::print_review;
use super::style::Paint;
use crate::connection::{AnyConnection, BoxError};
use crate::dialect::Backend;
use crate::runner::Runner;
use crate::set::MigrationSet;

pub(super) fn run_connected(
    set: MigrationSet,
    cli: Cli,
    command: Command,
    paint: Paint,
    out: &mut impl Write,
) -> Result<ExitCode, BoxError> {
    let mut conn = AnyConnection::establish(&cli.database_url)?;
    let timeouts = crate::runner::Timeouts {
        lock: std::time::Duration::from_millis(cli.lock_timeout_ms),
        statement: (cli.statement_timeout_ms > 0)
            .then(|| std::time::Duration::from_millis(cli.statement_timeout_ms)),
        attempts: cli.lock_attempts,
    };
    let mut runner = Runner::new(&mut conn, set)
        .allow_changed(cli.allow_changed)
        .single_transaction(cli.single_transaction)
        .timeouts(timeouts)
        .batch_pause(std::time::Duration::from_millis(cli.batch_pause_ms))
        .batch_time(std::time::Duration::from_millis(cli.batch_time_ms))
        .show_progress(true);
    let name = |id: &str| set.get(id).map_or("(unknown to this build)", |m| m.name());
    match command {
        Command::Upgrade {
            target,
            backup_if_dropping,
        } => {
            let dropping = runner
                .pending(&target)?
                .into_iter()
                .find(|m| m.up().iter().any(|op| op.drops_data()));
            if let (true, Some(migration)) = (backup_if_dropping, dropping) {
                let file = default_backup_file(&cli.database_url, Some(migration.id()))?;
                crate::backup::backup(&cli.database_url, &file)?;
                writeln!(
                    out,
                    "{} {} ({} drops data)",
                    paint.done("backed up to"),
                    file.display(),
                    migration.id()
                )?;
            }
            let applied = runner.upgrade(&target)?;
            if applied.is_empty() {
                writeln!(out, "{}", paint.done("up to date, nothing to apply"))?;
            }
            for id in applied {
                writeln!(out, "{} {id} {}", paint.done("applied"), name(&id))?;
            }
        }
        Command::Downgrade { target } => {
            for id in runner.downgrade(&target)? {
                writeln!(out, "{} {id} {}", paint.undone("reverted"), name(&id))?;
            }
        }
        Command::Review { .. } => {
            let pending = runner.pending("head")?;
            let ids: Vec<&str> = pending.iter().map(|m| m.id()).collect();
            return print_review(set, &ids, paint, out);
        }
        Command::Repair => {
            let repaired = runner.repair()?;
            if repaired.is_empty() {
                writeln!(out, "{}", paint.done("nothing to repair"))?;
            }
            for done in repaired {
                writeln!(
                    out,
                    "{} {} {}: `{}` will run again on upgrade",
                    paint.done("repaired"),
                    done.migration,
                    name(&done.migration),
                    done.statement
                )?;
                if let Some(cleanup) = done.cleanup {
                    writeln!(out, "  ran `{cleanup}`")?;
                }
            }
        }
        Command::Stamp { target } => {
            runner.stamp(&target)?;
            writeln!(out, "{} {target}", paint.done("stamped"))?;
        }
        Command::Current => {
            let applied = runner.applied()?;
            let last = set
                .migrations()
                .iter()
                .rev()
                .find(|m| applied.iter().any(|a| a.id == m.id()));
            match last {
                Some(migration) => writeln!(out, "{} {}", migration.id(), migration.name())?,
                None if applied.is_empty() => writeln!(out, "(base): nothing applied")?,
                None => writeln!(
                    out,
                    "{} (unknown to this build)",
                    applied[applied.len() - 1].id
                )?,
            }
        }
        Command::History => {
            let applied = runner.applied()?;
            let partly = runner.partly_applied()?;
            let interrupted = runner.interrupted()?;
            for migration in set.migrations() {
                let mark = if applied.iter().any(|a| a.id == migration.id()) {
                    "[x]"
                } else if interrupted.iter().any(|id| id == migration.id()) {
                    "[!]"
                } else if partly.iter().any(|id| id == migration.id()) {
                    "[~]"
                } else {
                    "[ ]"
                };
                writeln!(
                    out,
                    "{} {} {}",
                    paint.mark(mark),
                    migration.id(),
                    migration.name()
                )?;
            }
        }
        Command::Check { schema_rs } => {
            let applied = runner.applied()?;
            let mut problems = Vec::new();
            if let Some(path) = schema_rs {
                let source = std::fs::read_to_string(&path)
                    .map_err(|e| format!("reading {}: {e}", path.display()))?;
                for difference in crate::schema_rs::schema_rs_differences(set, &source)? {
                    problems.push(paint.problem(format!("{}: {difference}", path.display())));
                }
            }
            if let Err(error) = crate::runner::verify(set, &applied, cli.allow_changed) {
                problems.push(paint.problem(error));
            }
            let interrupted = runner.interrupted()?;
            for id in runner.partly_applied()? {
                if interrupted.contains(&id) {
                    problems.push(paint.problem(format!("needs repair: {id} (a runner stopped while a statement ran outside a transaction; run `repair`)")));
                } else {
                    problems.push(paint.pending(format!("partly applied: {id} (a runner stopped between two of its transactions; `upgrade` finishes it)")));
                }
            }
            for migration in set
                .migrations()
                .iter()
                .filter(|m| !applied.iter().any(|a| a.id == m.id()))
            {
                problems.push(format!(
                    "{} {} {}",
                    paint.pending("pending:"),
                    migration.id(),
                    migration.name()
                ));
            }
            let heads = set.heads();
            if heads.len() > 1 {
                let ids: Vec<_> = heads.iter().map(|m| m.id()).collect();
                problems
                    .push(paint.problem(format!("several heads: {}; merge them", ids.join(", "))));
            }
            for problem in &problems {
                writeln!(out, "{problem}")?;
            }
            if !problems.is_empty() {
                return Ok(ExitCode::from(1));
            }
            writeln!(out, "{}", paint.done("up to date"))?;
        }
        // Answered without a connection in `run`.
        Command::Heads
        | Command::Branches
        | Command::Revision { .. }
        | Command::Merge { .. }
        | Command::Show { .. }
        | Command::Sql { .. }
        | Command::Backup { .. }
        | Command::Restore { .. } => {}
    }
    Ok(ExitCode::SUCCESS)
}

/// `backup_<unix time>[_before_<id>].sql` (or `.db` for SQLite) in the working folder.
pub(super) fn default_backup_file(
    url: &str,
    before: Option<&str>,
) -> Result<std::path::PathBuf, BoxError> {
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_secs();
    let extension = match crate::connection::backend_of(url)? {
        Backend::Postgres => "sql",
        Backend::Sqlite => "db",
    };
    let before = before.map(|id| format!("_before_{id}")).unwrap_or_default();
    Ok(format!("backup_{seconds}{before}.{extension}").into())
}
