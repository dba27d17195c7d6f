//! The command line a project embeds in its own binary:
//! `migration_runtime::cli::main(history::MIGRATIONS)`.
//!
//! Exit codes: 0 success; 1 `check` found something to fix; 2 bad usage;
//! 3 the database or a migration failed.
//!
//! `args` declares the commands, `run` below answers those that need no
//! database, `connected` the others; `offline` writes SQL and reports.

mod args;
mod connected;
mod offline;
mod style;

use std::io::Write;
use std::process::ExitCode;

use crate::connection::BoxError;
use crate::set::{Direction, MigrationSet, Mode};

pub use args::{Cli, Command};
use connected::{default_backup_file, run_connected};
use offline::{append_migration, print_review, show, sql_range, write_transactions};
use style::Paint;

/// Parses the process's arguments and runs the command on `set`; the
/// database is `default_url` unless `--database-url` or `DATABASE_URL` say
/// otherwise (a `.env` file in the working folder counts), and
/// `revision`/`merge` write into `history_file`.
pub fn main(set: MigrationSet, default_url: &'static str, history_file: &'static str) -> ExitCode {
    // `DATABASE_URL` and friends may come from a `.env` file in the working
    // folder; variables already set win, and no file is no error.
    let _ = dotenvy::dotenv();
    let parsed = Cli::try_parse_with_defaults(std::env::args_os(), default_url, history_file);
    let cli = match parsed {
        Ok(cli) => cli,
        Err(error) => {
            let _ = error.print();
            return if error.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    let choice = cli.color;
    let on = style::wants_color(choice, &std::io::stdout());
    let cli = Cli {
        color: style::resolved(on),
        ..cli
    };
    let result = run(set, cli, &mut style::stream(std::io::stdout().lock(), on));
    match result {
        Ok(code) => code,
        Err(error) => {
            let on = style::wants_color(choice, &std::io::stderr());
            let label = Paint::new(style::resolved(on)).error_label();
            let mut stderr = style::stream(std::io::stderr().lock(), on);
            let _ = writeln!(stderr, "{label} {error}");
            ExitCode::from(3)
        }
    }
}

/// Runs a parsed command, writing what it reports to `out`.
///
/// The output is colored only with `--color always`: `run` cannot tell
/// whether `out` is a terminal, so `auto` is plain here ([`main`] resolves
/// `auto` against its standard output before calling it).
pub fn run(set: MigrationSet, mut cli: Cli, out: &mut impl Write) -> Result<ExitCode, BoxError> {
    let paint = Paint::new(cli.color);
    let url_backend = crate::connection::backend_of(&cli.database_url);
    let command = cli.command.take().unwrap_or(Command::Upgrade {
        target: "head".into(),
        backup_if_dropping: false,
    });
    match command {
        Command::Heads => {
            for head in set.heads() {
                writeln!(out, "{} {} (head)", head.id(), head.name())?;
            }
        }
        Command::Show { id, backend } => {
            let backend = backend.map_or(url_backend, Ok)?;
            show(set, &id, backend, out)?;
        }
        Command::Sql {
            range,
            backend,
            down,
            online,
        } => {
            let backend = backend.map_or(url_backend, Ok)?;
            let direction = if down { Direction::Down } else { Direction::Up };
            let ids = sql_range(set, range.as_deref(), direction)?;
            for id in ids {
                writeln!(out, "-- {id}")?;
                if online {
                    write_transactions(out, &set.plan(id, direction, backend, Mode::Online)?, "")?;
                    continue;
                }
                for statement in set.render(id, direction, backend)? {
                    writeln!(out, "{statement};")?;
                }
            }
        }
        Command::Branches => {
            for migration in set.migrations() {
                let children: Vec<&str> = set
                    .migrations()
                    .iter()
                    .filter(|m| m.parents().contains(&migration.id()))
                    .map(|m| m.id())
                    .collect();
                if children.len() > 1 {
                    writeln!(
                        out,
                        "{} {} -> {}",
                        migration.id(),
                        migration.name(),
                        children.join(", ")
                    )?;
                }
            }
        }
        Command::Revision {
            message,
            autogenerate: true,
            schema_rs,
            rename,
        } => {
            return crate::autogenerate::cli::revision(
                set, &cli, &message, &schema_rs, &rename, out,
            );
        }
        Command::Revision { message, .. } => {
            let parents = crate::revision::sole_head(set)?;
            append_migration(set, &cli.history_file, &message, &parents, out)?;
        }
        Command::Merge { heads, message } => {
            for head in &heads {
                set.get(head)
                    .ok_or_else(|| crate::Error::UnknownMigration(head.clone()))?;
            }
            let parents: Vec<&str> = heads.iter().map(String::as_str).collect();
            append_migration(set, &cli.history_file, &message, &parents, out)?;
        }
        Command::Review { all: true } => {
            let ids: Vec<&str> = set.migrations().iter().map(|m| m.id()).collect();
            return print_review(set, &ids, paint, out);
        }
        Command::Backup { file } => {
            let file = match file {
                Some(file) => file,
                None => default_backup_file(&cli.database_url, None)?,
            };
            crate::backup::backup(&cli.database_url, &file)?;
            writeln!(out, "{} {}", paint.done("backed up to"), file.display())?;
        }
        Command::Restore { file } => {
            crate::backup::restore(&cli.database_url, &file)?;
            writeln!(out, "{} {}", paint.done("restored from"), file.display())?;
        }
        command => return run_connected(set, cli, command, paint, out),
    }
    Ok(ExitCode::SUCCESS)
}
