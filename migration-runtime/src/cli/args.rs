//! The commands and options, as clap reads them.

use clap::{ColorChoice, CommandFactory, FromArgMatches, Parser, Subcommand};

use crate::dialect::Backend;

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
    /// Upgrade or downgrade in one transaction: all of it applies, or none (an upgrade from an empty database without raw `sql(..)` steps always does).
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
    /// How long each batch of a batched backfill should hold its transaction (milliseconds): batches are sized to it, up to the step's `.batched(n)` rows; 0 makes every batch `n` rows.
    #[arg(long, global = true, default_value_t = crate::runner::DEFAULT_BATCH_TIME.as_millis() as u64, value_name = "MS")]
    pub batch_time_ms: u64,
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
    /// Parses `args` (the program name first) as [`main`](super::main) does, with
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
