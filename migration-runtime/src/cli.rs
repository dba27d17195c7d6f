//! The command line a project embeds in its own binary:
//! `migration_runtime::cli::main(history::MIGRATIONS)`.
//!
//! Exit codes: 0 success; 1 `check` found something to fix; 2 bad usage;
//! 3 the database or a migration failed.

use std::io::Write;
use std::process::ExitCode;

use clap::{ColorChoice, CommandFactory, FromArgMatches, Parser, Subcommand};

use crate::connection::{AnyConnection, BoxError};
use crate::dialect::{Backend, Placement};
use crate::runner::Runner;
use crate::set::{Direction, MigrationSet, Mode};

mod style;

use style::Paint;

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
    /// The source file holding the `#[migrations]` module (for `revision` and `merge`).
    #[arg(
        long,
        env = "MIGRATION_HISTORY_FILE",
        default_value = "src/migrations.rs",
        global = true
    )]
    pub history_file: std::path::PathBuf,
    /// Upgrade or downgrade in one transaction: all of it applies, or none.
    #[arg(long, global = true)]
    pub single_transaction: bool,
    /// Run even if applied migrations were edited since they ran.
    #[arg(long, global = true)]
    pub allow_changed: bool,
    /// PostgreSQL: how long a statement waits for a lock before the
    /// migration's attempt gives up and is rolled back (milliseconds).
    #[arg(long, global = true, default_value_t = 5000, value_name = "MS")]
    pub lock_timeout_ms: u64,
    /// PostgreSQL: how many times a migration is tried when it gives up waiting for a lock.
    #[arg(long, global = true, default_value_t = 3, value_name = "N")]
    pub lock_attempts: u32,
    /// PostgreSQL: how long one statement may run (milliseconds; 0 keeps the server's setting).
    #[arg(long, global = true, default_value_t = 3_600_000, value_name = "MS")]
    pub statement_timeout_ms: u64,
    /// Pause between two batches of a batched backfill (milliseconds), leaving room for the application's writes.
    #[arg(long, global = true, default_value_t = 0, value_name = "MS")]
    pub batch_pause_ms: u64,
    /// Color the output: `auto` when it goes to a terminal (`NO_COLOR`
    /// turns it off, `CLICOLOR_FORCE` on), `always`, or `never`.
    #[arg(long, global = true, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,
    /// Whether the database URL was given (`--database-url` or
    /// `DATABASE_URL`) rather than left to the default: `revision
    /// --autogenerate` reads the live database only then. Set by
    /// [`Cli::try_parse_with_defaults`].
    #[arg(skip)]
    pub database_url_given: bool,
    /// What to do (default: upgrade).
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The commands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Apply pending migrations: all (`head`), the next N (`+N`), or up to an id.
    #[command(
        after_help = "Examples:\n  app upgrade                       apply every pending migration\n  app upgrade +2                    apply the next two\n  app upgrade 2024_01_15_000003     apply up to this one, and its ancestors\n  app upgrade --backup-if-dropping  back up first when a migration drops data"
    )]
    Upgrade {
        /// `head`, `+N`, or a migration id.
        #[arg(default_value = "head")]
        target: String,
        /// Back the database up first when a migration to apply drops a table or column.
        #[arg(long)]
        backup_if_dropping: bool,
    },
    /// Revert migrations: the last N (`-N`), back to an id (kept applied), or all (`base`).
    #[command(
        after_help = "Examples:\n  app downgrade -1                 revert the last migration\n  app downgrade 2024_01_15_000003  revert what came after it; it stays applied\n  app downgrade base               revert everything"
    )]
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
    /// The migrations more than one migration comes after (where history branched).
    Branches,
    /// Write a new migration after the head into the history file: empty,
    /// or with `--autogenerate` the steps that bring the head to `schema.rs`.
    #[command(
        after_help = "With --autogenerate, steps that lose data (drop_table, drop_column, a narrowing \
                            change_type, tighten_not_null, a NOT NULL column without a default) are written \
                            with a comment, and do not compile until you give their way back; a `todo!(..)` \
                            says what else to decide. With --database-url (or DATABASE_URL), the live \
                            database is first compared with its applied migrations, and drift is reported.\n\n\
                            Examples:\n  \
                            app revision -m \"Add phone to members\"                an empty migration to fill in\n  \
                            app revision --autogenerate -m \"Sync with schema.rs\"  the steps from the head to src/schema.rs\n  \
                            app revision --autogenerate -m \"Rename\" --rename members.phone=phone_number\n    \
                            (a rename, not a drop and an add)"
    )]
    Revision {
        /// What the migration does (its doc comment and function name).
        #[arg(short, long)]
        message: String,
        /// Write the steps from the head of history to `--schema-rs`.
        #[arg(long)]
        autogenerate: bool,
        /// The diesel `schema.rs` the application compiles against (for --autogenerate).
        #[arg(long, default_value = "src/schema.rs", requires = "autogenerate")]
        schema_rs: std::path::PathBuf,
        /// A rename instead of a drop and an add (for --autogenerate): `table.old=new`
        /// for a column, `old=new` for a table; may be repeated.
        #[arg(long, value_name = "OLD=NEW", requires = "autogenerate")]
        rename: Vec<crate::autogenerate::Rename>,
    },
    /// Write a migration that merges two heads into the history file.
    #[command(
        after_help = "Examples:\n  app merge 2024_02_05_000001 2024_02_05_000002  the two heads `app heads` lists\n  app merge A B -m \"Notes and capacity\"          with a description"
    )]
    Merge {
        /// The heads to merge.
        #[arg(num_args = 2, required = true)]
        heads: Vec<String>,
        /// What the merge is for.
        #[arg(short, long, default_value = "Merge heads")]
        message: String,
    },
    /// One migration: its description, steps both ways, and SQL.
    #[command(
        after_help = "Examples:\n  app show 2024_01_15_000003                   for the database URL's backend\n  app show 2024_01_15_000003 --backend sqlite  SQLite's SQL, without a database"
    )]
    Show {
        /// The migration id.
        id: String,
        /// The backend whose SQL to print (default: the database URL's).
        #[arg(long)]
        backend: Option<Backend>,
    },
    /// The SQL of the migrations, without connecting (alembic's offline mode).
    #[command(
        after_help = "Examples:\n  app sql --backend postgres > up.sql  for `psql -1 -f up.sql`\n  app sql 2024_01_12_000001:head       what comes after a deployed migration\n  app sql --backend postgres --online  concurrent index builds, BEGIN/COMMIT written out\n  app sql --backend sqlite --down      every downgrade, newest first\n  app sql --down head:2024_01_12_000001  the downgrades back to a migration (kept)"
    )]
    Sql {
        /// `FROM:TO`: the migrations after FROM (an id, or `base`) up to TO
        /// (an id, or `head`); with `--down`, from FROM (an id, or `head`)
        /// back to TO (an id, kept, or `base`). Default: all of them.
        range: Option<String>,
        /// The backend whose SQL to print (default: the database URL's).
        #[arg(long)]
        backend: Option<Backend>,
        /// Print the downgrades, newest first, instead of the upgrades.
        #[arg(long)]
        down: bool,
        /// Print what the runner runs on PostgreSQL: concurrent index builds
        /// and NOT VALID constraints, with `BEGIN`/`COMMIT` around each
        /// transaction (for `psql` without `-1`). Without it, the SQL is one
        /// transaction's worth, for `psql -1`.
        #[arg(long)]
        online: bool,
    },
    /// Exit 1 when migrations are pending, the history has several heads,
    /// an applied migration was changed, or `--schema-rs` differs from the head.
    #[command(
        after_help = "Examples:\n  app check                            in CI or before a deploy: exit 1 when something is off\n  app check --schema-rs src/schema.rs  also compare schema.rs with the head of history"
    )]
    Check {
        /// The diesel `schema.rs` the application compiles against, to compare with the head.
        #[arg(long)]
        schema_rs: Option<std::path::PathBuf>,
    },
    /// Back the database up (PostgreSQL: pg_dump; SQLite: a copy of the file).
    #[command(
        after_help = "Examples:\n  app backup                to backup_<unix time>.sql (.db for SQLite)\n  app backup before-v2.sql  to this file; an existing file is never overwritten"
    )]
    Backup {
        /// The file to write (default: `backup_<unix time>.sql`, or `.db` for SQLite).
        file: Option<std::path::PathBuf>,
    },
    /// Replace the database with a backup. Stop the application first.
    #[command(
        after_help = "Examples:\n  app restore before-v2.sql  the schema, rows and applied migrations of the backup"
    )]
    Restore {
        /// The backup file.
        file: std::path::PathBuf,
    },
    /// What the pending migrations will lock, drop or rewrite, and the safer
    /// form; exit 1 when one is dangerous and not reviewed in its migration
    /// (`.reviewed("why")` on the step).
    #[command(
        after_help = "Examples:\n  app review        the migrations not yet applied to the database\n  app review --all  every migration, without a database"
    )]
    Review {
        /// Review every migration of the history, without connecting.
        #[arg(long)]
        all: bool,
    },
    /// Undo what a runner stopped in the middle of `CREATE INDEX CONCURRENTLY`
    /// (or another statement run outside a transaction) may have left, so
    /// the next `upgrade` runs that statement again.
    Repair,
    /// Record a migration and its ancestors as applied without running them
    /// (`base` records nothing).
    #[command(
        after_help = "Examples:\n  app stamp 2024_01_15_000003  adopt a database whose schema is already there\n  app stamp base               record nothing as applied"
    )]
    Stamp {
        /// A migration id, or `base`.
        target: String,
    },
}

impl Cli {
    /// Parses `args` (the program name first) as [`main`] does, with
    /// `default_url` and `history_file` as the defaults of
    /// `--database-url` and `--history-file`.
    pub fn try_parse_with_defaults<I, T>(
        args: I,
        default_url: &'static str,
        history_file: &'static str,
    ) -> Result<Cli, clap::Error>
    where
        I: IntoIterator<Item = T>,
        T: Into<std::ffi::OsString> + Clone,
    {
        let matches = Cli::command()
            .mut_arg("database_url", |arg| arg.default_value(default_url))
            .mut_arg("history_file", |arg| arg.default_value(history_file))
            .try_get_matches_from(args)?;
        let mut cli = Cli::from_arg_matches(&matches)?;
        cli.database_url_given = matches
            .value_source("database_url")
            .is_some_and(|source| source != clap::parser::ValueSource::DefaultValue);
        Ok(cli)
    }
}

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
            let heads = set.heads();
            let parents: Vec<&str> = heads.iter().map(|m| m.id()).collect();
            if parents.len() > 1 {
                return Err(format!(
                    "the history has several heads ({}): merge them first",
                    parents.join(", ")
                )
                .into());
            }
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

fn run_connected(
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

/// The ids `sql` prints for `range` (`FROM:TO`), in the order they run:
/// upgrades oldest first, downgrades newest first.
fn sql_range(
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
fn select(
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
fn append_migration(
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
fn print_review(
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

/// `backup_<unix time>[_before_<id>].sql` (or `.db` for SQLite) in the working folder.
fn default_backup_file(url: &str, before: Option<&str>) -> Result<std::path::PathBuf, BoxError> {
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
fn write_transactions(
    out: &mut impl Write,
    steps: &[crate::set::PlannedStep],
    indent: &str,
) -> Result<(), BoxError> {
    let mut open = false;
    for step in steps {
        let batch = match step.op {
            crate::model::Op::Backfill {
                batch_size: Some(rows),
                ..
            } => Some(rows),
            _ => None,
        };
        for statement in &step.statements {
            let starts_anew = statement.placement != Placement::InTransaction || batch.is_some();
            if open && starts_anew {
                writeln!(out, "{indent}COMMIT;")?;
                open = false;
            }
            if let Some(rows) = batch {
                writeln!(
                    out,
                    "{indent}-- in batches of {rows} rows in key order, each its own transaction:"
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
