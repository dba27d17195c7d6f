//! A rendered statement and where it must run relative to the migration's
//! transaction. Most statements share the migration's one transaction; the
//! lock-friendly PostgreSQL forms need commits between them, or no
//! transaction at all.

/// Where a statement runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Placement {
    /// In the current transaction, with the statements around it.
    InTransaction,
    /// First in a new transaction: what came before commits first, so the
    /// locks it took are released (`VALIDATE CONSTRAINT` must not run while
    /// the `ACCESS EXCLUSIVE` lock of the `ADD CONSTRAINT` before it is held).
    NewTransaction,
    /// Alone, outside any transaction (`CREATE INDEX CONCURRENTLY`). If the
    /// runner stops while it runs, whether it finished is unknown: the
    /// migration then needs `repair`.
    Alone,
}

/// One SQL statement of a step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Statement {
    /// The SQL.
    pub sql: String,
    /// Where it runs.
    pub placement: Placement,
    /// For a statement run alone: what undoes a failed or interrupted run
    /// (an invalid index left by `CREATE INDEX CONCURRENTLY` is dropped).
    pub cleanup: Option<String>,
}

impl Statement {
    /// A statement run in the migration's transaction.
    pub fn in_transaction(sql: String) -> Self {
        Statement {
            sql,
            placement: Placement::InTransaction,
            cleanup: None,
        }
    }

    /// A statement that starts a new transaction.
    pub fn new_transaction(sql: String) -> Self {
        Statement {
            sql,
            placement: Placement::NewTransaction,
            cleanup: None,
        }
    }

    /// A statement run outside any transaction, with what cleans up after a
    /// failure (`None`: running it again is safe as it is).
    pub fn alone(sql: String, cleanup: Option<String>) -> Self {
        Statement {
            sql,
            placement: Placement::Alone,
            cleanup,
        }
    }
}
