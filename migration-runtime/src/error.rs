//! Errors of the runtime. Each message starts with what it is about.

/// What went wrong, naming the migration, step or object concerned.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// No migration has this id.
    #[error("can't locate revision `{0}`: no migration of this history has that id")]
    UnknownMigration(String),
    /// The migration cannot be undone.
    #[error("migration `{migration}` cannot be undone: {reason}")]
    Irreversible {
        /// The migration.
        migration: String,
        /// Why, as its author wrote.
        reason: String,
    },
    /// A step cannot be written as SQL for this backend.
    #[error("migration `{migration}`: {step}: {message}")]
    Render {
        /// The migration.
        migration: String,
        /// The step, as the migration language spells it.
        step: String,
        /// Why.
        message: String,
    },
    /// The history does not replay on the schema model (only possible for a
    /// history not built by `#[migrations]`).
    #[error("migration `{migration}`: {message}")]
    Model {
        /// The migration.
        migration: String,
        /// Why.
        message: String,
    },
    /// SQLite must rebuild a table while foreign keys are enforced.
    #[error(
        "migration `{migration}` rebuilds table `{table}`, which SQLite can only do safely with foreign keys off: \
         run `PRAGMA foreign_keys = OFF` on this connection before migrating (nothing was changed)"
    )]
    ForeignKeysOn {
        /// The migration.
        migration: String,
        /// The table to rebuild.
        table: String,
    },
    /// A statement failed in the database.
    #[error("migration `{migration}` failed at `{statement}`: {source}")]
    Statement {
        /// The migration.
        migration: String,
        /// The statement that failed.
        statement: String,
        /// The database's error.
        source: diesel::result::Error,
    },
    /// A Rust step's function returned an error (the migration was rolled back).
    #[error("migration `{migration}` failed in its Rust step `{function}`: {source} (rolled back)")]
    DataStep {
        /// The migration.
        migration: String,
        /// The step's function.
        function: String,
        /// What the function returned.
        source: crate::connection::BoxError,
    },
    /// diesel's harness was given a bare backend connection, on which a Rust step cannot run.
    #[error(
        "migration `{migration}` has a Rust step (`{function}`), which runs on a `migration_runtime::AnyConnection`: \
         run the migrations on one (its `run_pending_migrations`, or diesel's `MigrationHarness` on it) \
         or through the runner (nothing was changed)"
    )]
    DataStepNeedsAnyConnection {
        /// The migration.
        migration: String,
        /// The step's function.
        function: String,
    },
    /// An applied migration's steps changed since it ran.
    #[error(
        "migration `{0}` was changed after it was applied (its checksum differs): \
         revert your edit and write a new migration, or pass --allow-changed if the change is harmless"
    )]
    Changed(String),
    /// A partly applied migration's steps changed since it started.
    #[error(
        "migration `{0}` is partly applied and was changed since it started: \
         put it back as it was and run `upgrade` to finish it, then write the change as a new migration"
    )]
    ChangedWhilePartlyApplied(String),
    /// A pending migration comes before an applied one.
    #[error(
        "migration `{pending}` is pending but `{applied}`, which comes after it, is applied: it would run out of order"
    )]
    OutOfOrder {
        /// The pending migration.
        pending: String,
        /// The applied one that depends on it.
        applied: String,
    },
    /// A migration cut into several transactions failed in a later one, and
    /// what the earlier ones committed could not be undone.
    #[error(
        "{source}; what its earlier transactions committed stays, as it could not be undone ({why}): \
         the migration is marked partly applied; fix the cause and run `upgrade` to finish it"
    )]
    PartlyApplied {
        /// The migration.
        migration: String,
        /// The failure.
        source: Box<Error>,
        /// Why the committed part could not be undone.
        why: String,
    },
    /// A runner stopped while a statement ran outside a transaction.
    #[error(
        "migration `{migration}` was interrupted while `{statement}` ran outside a transaction, \
         so whether it finished is unknown: run `repair`, which undoes what it may have left, \
         then `upgrade` runs it again"
    )]
    NeedsRepair {
        /// The migration.
        migration: String,
        /// The statement that was running.
        statement: String,
    },
    /// A migration kept giving up waiting for a lock (PostgreSQL `lock_timeout`).
    #[error(
        "migration `{migration}` gave up waiting for a lock {attempts} times ({waited_ms} ms each): \
         another session holds a lock on a table it changes; the attempts were rolled back"
    )]
    LockNotAvailable {
        /// The migration.
        migration: String,
        /// How many times it was tried.
        attempts: u32,
        /// How long each attempt waited for the lock.
        waited_ms: u64,
    },
    /// Another runner held the lock for too long.
    #[error("another runner has held the migration lock for {0} s; giving up")]
    LockTimeout(u64),
    /// A target is neither `head`/`base`, `+N`/`-N`, nor an id.
    #[error("`{0}` is not a target: expected head, base, +N, -N or a migration id")]
    BadTarget(String),
    /// A SQLite migration left rows breaking a foreign key.
    #[error(
        "migration `{migration}` leaves rows in `{table}` whose foreign key points nowhere (rolled back)"
    )]
    ForeignKeyViolation {
        /// The migration.
        migration: String,
        /// The table with the broken rows.
        table: String,
    },
    /// A `schema.rs` could not be read.
    #[error("schema.rs: {0}")]
    SchemaRs(String),
    /// `revision --autogenerate` cannot write the migration `schema.rs` asks for.
    #[error("autogenerate: {0}")]
    Autogenerate(String),
    /// A new migration could not be written into the history file.
    #[error("revision: {0}")]
    Revision(String),
    /// A backup or restore could not be made.
    #[error("backup: {0}")]
    Backup(String),
    /// The live schema holds something the schema model cannot express.
    #[error("cannot read the schema: {0}")]
    Introspection(String),
    /// The database could not be reached or queried.
    #[error("database error: {0}")]
    Database(#[from] diesel::result::Error),
    /// The database could not be connected to.
    #[error("cannot connect to the database: {0}")]
    Connection(#[from] diesel::ConnectionError),
    /// The database URL names no supported backend.
    #[error(
        "unsupported database URL `{0}`: expected postgres://, postgresql:// or a SQLite path (sqlite://path, file.db, :memory:)"
    )]
    UnsupportedUrl(String),
}

impl Error {
    /// A database error as the failure of `statement` of `migration`;
    /// other errors as they are.
    pub(crate) fn in_statement(self, migration: &str, statement: &str) -> Error {
        match self {
            Error::Database(source) => Error::Statement {
                migration: migration.to_owned(),
                statement: statement.to_owned(),
                source,
            },
            other => other,
        }
    }
}
