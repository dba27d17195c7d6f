//! The review's rules: what a step will lock, drop or rewrite on
//! PostgreSQL, and the safer form where there is one. They live in the
//! model so that the `#[migrations]` macro can refuse a `.reviewed(..)` on a
//! step the review has nothing dangerous to say about, and the runtime's
//! `review` command reports the same findings.

use crate::{ColumnDefault, Op, Schema};

/// How much a finding matters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Worth knowing; safe.
    Note,
    /// Blocks or slows the application on a large table.
    Warning,
    /// Loses data, or rewrites a table while nothing else can use it.
    Danger,
}

impl Severity {
    /// The severity as the review prints it: `note`, `warning`, `danger`.
    pub fn label(self) -> &'static str {
        match self {
            Severity::Note => "note",
            Severity::Warning => "warning",
            Severity::Danger => "danger",
        }
    }
}

/// What the review says about one step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Assessment {
    /// How much it matters.
    pub severity: Severity,
    /// What it does and what it locks.
    pub message: String,
    /// The safer way, when there is one.
    pub suggestion: Option<&'static str>,
}

/// The lock-friendly forms are the runner's; the others run every step in
/// one transaction.
const BLOCKING: &str =
    " (through diesel's harness or --single-transaction: the blocking form, in one transaction)";

/// What the review says about `op`, given the schema before its migration
/// (`before`) and just before the step (`now`); `None` when nothing.
/// Only tables that existed before the migration count: tables the
/// migration creates are empty and nobody uses them yet.
pub fn assess(op: &Op, before: &Schema, now: &Schema) -> Option<Assessment> {
    let existing = |table: &str| before.table(table).is_some();
    use Severity::*;
    let (severity, message, suggestion) = match op {
        Op::CreateTable(table) => {
            use crate::SqlType::{Integer, SmallInt};
            let narrow_key = match table.primary_key.as_ref() {
                [key] => table
                    .column(key)
                    .filter(|c| matches!(c.ty, Integer | SmallInt)),
                _ => None,
            }?;
            (
                Warning,
                format!(
                    "`{}.{}` is a {} key: it runs out at {} rows, and widening it later rewrites the table",
                    table.name,
                    narrow_key.name,
                    narrow_key.ty,
                    if narrow_key.ty == Integer {
                        "2^31"
                    } else {
                        "2^15"
                    }
                ),
                Some("use a bigint key (`t.id(..)`) or a UUID key (`t.uuid_id(..)`)"),
            )
        }
        Op::DropTable { table } => (
            Danger,
            format!("drops table `{table}` and every row in it (ACCESS EXCLUSIVE lock)"),
            Some(
                "deploy code that no longer reads the table first, and back up (`upgrade --backup-if-dropping`)",
            ),
        ),
        Op::DropColumn { table, column, .. } if existing(table) => (
            Danger,
            format!(
                "drops `{table}.{column}` and its values; running code that selects it will fail"
            ),
            Some("deploy code that no longer uses the column first, and back up"),
        ),
        Op::RenameTable { from, .. } if existing(from) => (
            Warning,
            format!("renames `{from}`: running code that uses the old name breaks at once"),
            Some("create the new table, copy, switch the code, then drop the old one"),
        ),
        Op::RenameColumn { table, from, .. } if existing(table) => (
            Warning,
            format!("renames `{table}.{from}`: running code that uses the old name breaks at once"),
            Some("add the new column, backfill it, switch the code, then drop the old one"),
        ),
        Op::AddColumn { table, column }
            if existing(table) && column.default == Some(ColumnDefault::RandomUuid) =>
        {
            (
                Danger,
                format!(
                    "adds `{table}.{}` with a volatile default: rewrites the whole table under ACCESS EXCLUSIVE",
                    column.name
                ),
                Some("add it nullable without default, backfill, then set the default and tighten"),
            )
        }
        Op::ChangeType {
            table,
            column,
            ty,
            using,
        } if existing(table) => {
            use crate::SqlType::{Text, Varchar};
            let old = now
                .table(table)
                .and_then(|t| t.column(column))
                .map(|c| c.ty);
            // PostgreSQL only rewrites when a value could change.
            let metadata_only = using.is_none()
                && old.is_some_and(|old| match (old, *ty) {
                    (Varchar(from), Varchar(to)) => to >= from,
                    (Varchar(_), Text) => true,
                    _ => false,
                });
            if metadata_only {
                (
                    Note,
                    format!("widens `{table}.{column}` to {ty}: a catalog change, no rewrite"),
                    None,
                )
            } else {
                (
                    Danger,
                    format!(
                        "changes `{table}.{column}` to {ty}: rewrites the table and its indexes under ACCESS EXCLUSIVE, and can fail or lose values"
                    ),
                    Some("add a new column, backfill it, switch the code, then drop the old one"),
                )
            }
        }
        Op::SetNullable {
            table,
            column,
            nullable: false,
        } if existing(table) => (
            Note,
            format!(
                "tightens `{table}.{column}` to NOT NULL without blocking writes: a CHECK added NOT VALID, \
                 validated in its own transaction (SHARE UPDATE EXCLUSIVE), then SET NOT NULL without a scan{BLOCKING}"
            ),
            None,
        ),
        Op::CreateIndex(index) if existing(&index.table) => (
            Note,
            format!(
                "builds index `{}` on `{}` CONCURRENTLY, outside the transaction: writes go on; \
                 a failed build's invalid index is dropped{BLOCKING}",
                index.name, index.table
            ),
            None,
        ),
        Op::DropIndex { name } if op.table_in(now).is_some_and(existing) => (
            Note,
            format!("drops index `{name}` CONCURRENTLY, outside the transaction{BLOCKING}"),
            None,
        ),
        Op::AddForeignKey { table, key } if existing(table) => (
            Note,
            format!(
                "adds foreign key `{}` NOT VALID, then validates it in its own transaction: \
                 writes to `{table}` and `{}` go on{BLOCKING}",
                key.name, key.ref_table
            ),
            None,
        ),
        Op::Backfill {
            table,
            column,
            batch_size: Some(size),
            ..
        } if existing(table) && now.table(table).is_some_and(|t| t.primary_key.len() != 1) => (
            Warning,
            format!(
                "asks for batches of {size} rows, but `{table}` has no single-column key to walk in order: \
                     it runs as one UPDATE in one transaction"
            ),
            Some("give the table a single-column key, or backfill it in smaller migrations"),
        ),
        Op::Backfill {
            table,
            column,
            batch_size: Some(size),
            ..
        } if existing(table) => (
            Note,
            format!(
                "updates `{table}.{column}` in batches of up to {size} rows, each its own transaction (resumable)"
            ),
            None,
        ),
        Op::Backfill { table, column, .. } if existing(table) => (
            Warning,
            format!(
                "updates `{table}.{column}` on every matching row in one transaction: long row locks on a large table"
            ),
            Some("backfill in batches of a few thousand rows, each its own transaction"),
        ),
        Op::Sql { .. } => (
            Warning,
            "raw SQL: what it locks is not known to the review".to_owned(),
            None,
        ),
        Op::RunRust { function, .. } => (
            Warning,
            format!("Rust step `{function}`: what it locks or rewrites is not known to the review"),
            None,
        ),
        _ => return None,
    };
    Some(Assessment {
        severity,
        message,
        suggestion,
    })
}
