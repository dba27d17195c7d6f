//! SQL for each backend. `sql` writes what the backends share; each backend
//! module writes only what differs (types, defaults, the functions SQLite
//! spells otherwise, and the table rebuilds SQLite needs for `ALTER COLUMN`).

mod postgres;
mod postgres_online;
mod sql;
mod sqlite;
mod sqlite_arithmetic;
mod statement;

use migration_model::{Expr, Op, Schema, Table};

pub use sql::{quote_ident, quote_text};
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
    /// `before`: the `UPDATE` limited to the rows whose single-column key
    /// is after `after` (when given) and at most `upto` (when given). Key
    /// bounds are text literals the database converts.
    pub fn render_batch(
        self,
        op: &Op,
        before: &Schema,
        key: &str,
        after: Option<&str>,
        upto: Option<&str>,
    ) -> Result<String, String> {
        let Op::Backfill {
            table,
            column,
            value,
            only_where,
            ..
        } = op
        else {
            return Err(format!("{op} is not a backfill"));
        };
        let row = sql::table(before, table)?;
        let render = |expr: &Expr| self.render_expr(expr, row);
        let mut conditions = Vec::new();
        if let Some(after) = after {
            conditions.push(format!("{} > {}", quote_ident(key), quote_text(after)));
        }
        if let Some(upto) = upto {
            conditions.push(format!("{} <= {}", quote_ident(key), quote_text(upto)));
        }
        if let Some(condition) = only_where {
            conditions.push(render(condition)?);
        }
        let mut sql = format!(
            "UPDATE {} SET {} = {}",
            quote_ident(table),
            quote_ident(column),
            match self {
                Backend::Postgres => sql::assigned_to(&postgres::Postgres, value, row, column)?,
                Backend::Sqlite =>
                    sql::assigned_to(&sqlite::Sqlite::default(), value, row, column)?,
            }
        );
        if !conditions.is_empty() {
            sql.push_str(&format!(" WHERE {}", conditions.join(" AND ")));
        }
        Ok(sql)
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
