//! SQL for each backend. `sql` writes what the backends share; each backend
//! module writes only what differs (types, defaults, the functions SQLite
//! spells otherwise, and the table rebuilds SQLite needs for `ALTER COLUMN`).

mod postgres;
mod postgres_online;
mod sql;
mod sqlite;
mod sqlite_arithmetic;
mod statement;

use migration_model::{Expr, Op, Schema, SqlType, Table};

pub use sql::{KeyRange, quote_ident, quote_text};
pub use sqlite::rebuilt_table as sqlite_rebuilt_table;
pub use statement::{Placement, Statement};

/// A database the migrations can run on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Backend {
    /// PostgreSQL (13 or later).
    Postgres,
    /// SQLite (3.35 or later; bundled).
    Sqlite,
}

impl Backend {
    /// The SQL statements that perform `op` on a database whose schema is `before`.
    pub fn render(self, op: &Op, before: &Schema) -> Result<Vec<String>, String> {
        match self {
            Backend::Postgres => postgres::render(op, before),
            Backend::Sqlite => sqlite::render(op, before),
        }
    }

    /// The statements that perform `op` with where each must run. With
    /// `online` (a PostgreSQL table that existed before the migration, run
    /// by the runner), steps that would block writes for long take their
    /// lock-friendly form (see `postgres_online`); otherwise everything runs
    /// in the migration's one transaction, as [`render`](Self::render) gives.
    pub fn render_placed(
        self,
        op: &Op,
        before: &Schema,
        online: bool,
    ) -> Result<Vec<Statement>, String> {
        if online
            && self == Backend::Postgres
            && let Some(statements) = postgres_online::render(op, before)
        {
            return statements;
        }
        Ok(self
            .render(op, before)?
            .into_iter()
            .map(Statement::in_transaction)
            .collect())
    }

    /// What undoes the committed phases of `op`'s lock-friendly form when a
    /// later phase failed (see [`render_placed`](Self::render_placed)).
    pub fn undo_partial(self, op: &Op) -> Vec<String> {
        match self {
            Backend::Postgres => postgres_online::undo_partial(op),
            Backend::Sqlite => Vec::new(),
        }
    }

    /// The SQL for an expression over a row of `row`, as this backend
    /// evaluates it. The table's column types tell which comparisons are
    /// between text, which order by code point on every backend.
    pub fn render_expr(self, expr: &Expr, row: &Table) -> Result<String, String> {
        match self {
            Backend::Postgres => sql::expr(&postgres::Postgres, expr, row),
            Backend::Sqlite => sql::expr(&sqlite::Sqlite::default(), expr, row),
        }
    }

    /// One batch of a batched backfill on a database whose schema is
    /// `before`: the step's `UPDATE` limited to the rows of `range`.
    pub fn render_batch(
        self,
        op: &Op,
        before: &Schema,
        range: &KeyRange,
    ) -> Result<String, String> {
        match self {
            Backend::Postgres => sql::backfill(&postgres::Postgres, op, before, Some(range)),
            Backend::Sqlite => sql::backfill(&sqlite::Sqlite::default(), op, before, Some(range)),
        }
    }

    /// Whether batches can be bounded by a key of type `ty`, written as the
    /// text literals [`KeyRange`] holds: not on SQLite for a `bytes()` key,
    /// since a blob never compares equal to, or below, text there.
    pub fn bounds_batches_by(self, ty: SqlType) -> bool {
        !(self == Backend::Sqlite && ty == SqlType::Bytes)
    }

    /// The backend's usual name.
    pub fn name(self) -> &'static str {
        match self {
            Backend::Postgres => "postgres",
            Backend::Sqlite => "sqlite",
        }
    }
}

impl std::str::FromStr for Backend {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "postgres" | "postgresql" | "pg" => Ok(Backend::Postgres),
            "sqlite" | "sqlite3" => Ok(Backend::Sqlite),
            other => Err(format!(
                "unknown backend `{other}`: expected postgres or sqlite"
            )),
        }
    }
}
