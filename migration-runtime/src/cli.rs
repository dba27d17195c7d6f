//! The command line a project embeds in its own binary:
//! `migration_runtime::cli::main(history::MIGRATIONS)`.
//!
//! Exit codes: 0 success; 1 `check` found something to fix; 2 bad usage;
//! 3 the database or a migration failed.

use std::io::Write;
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

use crate::connection::{AnyConnection, BoxError};
use crate::dialect::Backend;
use crate::set::{Direction, MigrationSet};

/// Typed, reversible migrations for this project's database.
#[derive(Parser, Debug)]
#[command(
    version,
    after_help = "Examples:\n  app upgrade                 apply every pending migration\n  \
                  app downgrade -1            revert the last migration\n  \
                  app show 2024_01_15_000003  the steps and SQL of one migration\n  \
                  app sql --backend postgres  the whole upgrade as SQL, without a database"
)]
pub struct Cli {
    /// The database: `postgres://...` for PostgreSQL, or a SQLite file path.
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "db.sqlite3",
        global = true
    )]
    pub database_url: String,
    /// What to do (default: upgrade).
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The commands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Apply pending migrations: all (`head`), the next N (`+N`), or up to an id.
    Upgrade {
        /// `head`, `+N`, or a migration id.
        #[arg(default_value = "head")]
        target: String,
    },
    /// Revert migrations: the last N (`-N`), back to an id (kept applied), or all (`base`).
    Downgrade {
        /// `-N`, a migration id, or `base`.
        #[arg(allow_hyphen_values = true)]
        target: String,
    },
    /// The last applied migration.
    Current,
    /// Every migration, oldest first, marked applied `[x]` or pending `[ ]`.
    History,
    /// The migrations nothing comes after.
    Heads,
    /// One migration: its description, steps both ways, and SQL.
    Show {
        /// The migration id.
        id: String,
        /// The backend whose SQL to print (default: the database URL's).
        #[arg(long)]
        backend: Option<Backend>,
    },
    /// The SQL of every migration, without connecting (alembic's offline mode).
    Sql {
        /// The backend whose SQL to print (default: the database URL's).
        #[arg(long)]
        backend: Option<Backend>,
        /// Print the downgrades, newest first, instead of the upgrades.
        #[arg(long)]
        down: bool,
    },
    /// Exit 1 when migrations are pending or the history has several heads.
    Check,
}

/// Parses the process's arguments and runs the command on `set`; the
/// database is `default_url` unless `--database-url` or `DATABASE_URL` say otherwise.
pub fn main(set: MigrationSet, default_url: &'static str) -> ExitCode {
    let command = Cli::command().mut_arg("database_url", |arg| arg.default_value(default_url));
    let parsed = command
        .try_get_matches()
        .and_then(|matches| Cli::from_arg_matches(&matches));
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
    let mut out = std::io::stdout().lock();
    match run(set, cli, &mut out) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::from(3)
        }
    }
}

/// Runs a parsed command, writing what it reports to `out`.
pub fn run(set: MigrationSet, cli: Cli, out: &mut impl Write) -> Result<ExitCode, BoxError> {
    let url_backend = crate::connection::backend_of(&cli.database_url);
    let command = cli.command.unwrap_or(Command::Upgrade {
        target: "head".into(),
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
        Command::Sql { backend, down } => {
            let backend = backend.map_or(url_backend, Ok)?;
            let (direction, ids): (_, Vec<_>) = if down {
                (
                    Direction::Down,
                    set.migrations().iter().rev().map(|m| m.id()).collect(),
                )
            } else {
                (
                    Direction::Up,
                    set.migrations().iter().map(|m| m.id()).collect(),
                )
            };
            for id in ids {
                writeln!(out, "-- {id}")?;
                for statement in set.render(id, direction, backend)? {
                    writeln!(out, "{statement};")?;
                }
            }
        }
        command => return run_connected(set, &cli.database_url, command, out),
    }
    Ok(ExitCode::SUCCESS)
}

fn run_connected(
    set: MigrationSet,
    url: &str,
    command: Command,
    out: &mut impl Write,
) -> Result<ExitCode, BoxError> {
    let mut conn = AnyConnection::establish(url)?;
    match command {
        Command::Upgrade { target } => {
            let applied = upgrade(set, &mut conn, &target)?;
            if applied.is_empty() {
                writeln!(out, "up to date, nothing to apply")?;
            }
            for id in applied {
                writeln!(
                    out,
                    "applied {id} {}",
                    set.get(&id).map_or("", |m| m.name())
                )?;
            }
        }
        Command::Downgrade { target } => {
            for id in downgrade(set, &mut conn, &target)? {
                writeln!(
                    out,
                    "reverted {id} {}",
                    set.get(&id).map_or("", |m| m.name())
                )?;
            }
        }
        Command::Current => match conn.applied_migrations()?.last() {
            Some(id) => writeln!(
                out,
                "{id} {}",
                set.get(id).map_or("(unknown to this build)", |m| m.name())
            )?,
            None => writeln!(out, "(base): nothing applied")?,
        },
        Command::History => {
            let applied = conn.applied_migrations()?;
            for migration in set.migrations() {
                let mark = if applied.iter().any(|a| a == migration.id()) {
                    "[x]"
                } else {
                    "[ ]"
                };
                writeln!(out, "{mark} {} {}", migration.id(), migration.name())?;
            }
        }
        Command::Check => {
            let applied = conn.applied_migrations()?;
            let pending: Vec<_> = set
                .migrations()
                .iter()
                .filter(|m| !applied.iter().any(|a| a == m.id()))
                .collect();
            let heads = set.heads();
            for migration in &pending {
                writeln!(out, "pending: {} {}", migration.id(), migration.name())?;
            }
            if heads.len() > 1 {
                let ids: Vec<_> = heads.iter().map(|m| m.id()).collect();
                writeln!(out, "several heads: {}; merge them", ids.join(", "))?;
            }
            if !pending.is_empty() || heads.len() > 1 {
                return Ok(ExitCode::from(1));
            }
            writeln!(out, "up to date")?;
        }
        Command::Heads | Command::Show { .. } | Command::Sql { .. } => {}
    }
    Ok(ExitCode::SUCCESS)
}

/// Applies migrations up to `target`: `head`, `+N`, or an id.
fn upgrade(
    set: MigrationSet,
    conn: &mut AnyConnection,
    target: &str,
) -> Result<Vec<String>, BoxError> {
    if target == "head" {
        return conn.run_pending_migrations(set);
    }
    let mut applied = Vec::new();
    if let Some(count) = target.strip_prefix('+') {
        let count: usize = count
            .parse()
            .map_err(|_| format!("`{target}`: expected +N"))?;
        for _ in 0..count {
            applied.push(conn.run_next_migration(set)?);
        }
        return Ok(applied);
    }
    set.get(target)
        .ok_or_else(|| crate::Error::UnknownMigration(target.to_owned()))?;
    while !conn.applied_migrations()?.iter().any(|a| a == target) {
        applied.push(conn.run_next_migration(set)?);
    }
    Ok(applied)
}

/// Reverts migrations down to `target`: `-N`, an id (which stays applied), or `base`.
fn downgrade(
    set: MigrationSet,
    conn: &mut AnyConnection,
    target: &str,
) -> Result<Vec<String>, BoxError> {
    let mut reverted = Vec::new();
    if let Some(count) = target.strip_prefix('-') {
        let count: usize = count
            .parse()
            .map_err(|_| format!("`{target}`: expected -N"))?;
        for _ in 0..count {
            reverted.push(conn.revert_last_migration(set)?);
        }
        return Ok(reverted);
    }
    if target != "base" {
        set.get(target)
            .ok_or_else(|| crate::Error::UnknownMigration(target.to_owned()))?;
    }
    while let Some(last) = conn.applied_migrations()?.last().cloned() {
        if last == target {
            break;
        }
        reverted.push(conn.revert_last_migration(set)?);
    }
    Ok(reverted)
}

fn show(
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
    for op in migration.up() {
        writeln!(out, "  {op}")?;
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
    writeln!(out, "upgrade SQL ({}):", backend.name())?;
    for statement in set.render(id, Direction::Up, backend)? {
        writeln!(out, "  {};", statement.replace('\n', "\n  "))?;
    }
    if migration.down().is_ok() {
        writeln!(out, "downgrade SQL ({}):", backend.name())?;
        for statement in set.render(id, Direction::Down, backend)? {
            writeln!(out, "  {};", statement.replace('\n', "\n  "))?;
        }
    }
    Ok(())
}
