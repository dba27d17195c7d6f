//! Review before deploy: what each migration will lock, drop or rewrite on
//! PostgreSQL, and the safer form where there is one. A pure function of
//! the steps and the schema they run on, so it needs no database.

use std::fmt;

use migration_model::{ColumnDefault, Op, Schema};

use crate::error::Error;
use crate::set::MigrationSet;

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

/// One thing a step will do that the team should know before deploying.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// The migration.
    pub migration: String,
    /// The step, as the migration language spells it.
    pub step: String,
    /// How much it matters.
    pub severity: Severity,
    /// What it does and what it locks.
    pub message: String,
    /// The safer way, when there is one.
    pub suggestion: Option<String>,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let label = match self.severity {
            Severity::Note => "note",
            Severity::Warning => "warning",
            Severity::Danger => "danger",
        };
        write!(
            f,
            "{label}: {}: {}\n  {}",
            self.migration, self.step, self.message
        )?;
        if let Some(suggestion) = &self.suggestion {
            write!(f, "\n  safer: {suggestion}")?;
        }
        Ok(())
    }
}

/// The findings for the migrations `ids` of `set`, in order.
///
/// ```
/// #[migration_runtime::migrations]
/// mod history {
///     #[migration(id = "2024_01_10_000001")]
///     fn create_members(m: &mut Up) {
///         m.create_table("members", |t| {
///             t.id("id");
///             t.column("code", text());
///         });
///     }
///
///     #[migration(id = "2024_01_12_000001", irreversible = "codes are re-issued")]
///     fn codes_as_numbers(m: &mut Up) {
///         m.change_type("members", "code", bigint()).using(cast(col("code"), bigint()));
///     }
/// }
///
/// use migration_runtime::review::{Severity, review};
///
/// let findings = review(history::MIGRATIONS, &["2024_01_12_000001"])?;
/// assert_eq!(findings[0].severity, Severity::Danger);
/// assert!(findings[0].message.contains("rewrites the table"));
/// # Ok::<(), migration_runtime::Error>(())
/// ```
pub fn review(set: MigrationSet, ids: &[&str]) -> Result<Vec<Finding>, Error> {
    let mut findings = Vec::new();
    for id in ids {
        let migration = set
            .get(id)
            .ok_or_else(|| Error::UnknownMigration((*id).to_owned()))?;
        let mut schema = set.schema_before(id)?;
        let before = schema.clone();
        for op in migration.up() {
            if let Some((severity, message, suggestion)) = assess(op, &before, &schema) {
                findings.push(Finding {
                    migration: migration.id().to_owned(),
                    step: op.to_string(),
                    severity,
                    message,
                    suggestion: suggestion.map(str::to_owned),
                });
            }
            schema.apply(op).map_err(|e| Error::Model {
                migration: migration.id().to_owned(),
                message: e.message,
            })?;
        }
    }
    Ok(findings)
}

/// Whether any finding is dangerous.
pub fn has_danger(findings: &[Finding]) -> bool {
    findings.iter().any(|f| f.severity == Severity::Danger)
}

type Assessment = (Severity, String, Option<&'static str>);

/// The lock-friendly forms are the runner's; the others run every step in
/// one transaction.
const BLOCKING: &str =
    " (through diesel's harness or --single-transaction: the blocking form, in one transaction)";

/// What `op` does to a table that existed before its migration (`before`);
/// tables the migration creates are empty and nobody uses them yet.
fn assess(op: &Op, before: &Schema, now: &Schema) -> Option<Assessment> {
    let existing = |table: &str| before.table(table).is_some();
    use Severity::*;
    Some(match op {
        Op::CreateTable(table) => {
            use migration_model::SqlType::{Integer, SmallInt};
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
            use migration_model::SqlType::{Text, Varchar};
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
        Op::DropIndex { name } if now.index(name).is_some_and(|i| existing(&i.table)) => (
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
        } if existing(table) => (
            Note,
            format!(
                "updates `{table}.{column}` in batches of {size} rows, each its own transaction (resumable)"
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
    })
}
