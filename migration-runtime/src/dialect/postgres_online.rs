//! PostgreSQL's lock-friendly forms of the steps that would otherwise block
//! a busy table: used by the runner for tables that existed before the
//! migration (a table the migration creates is empty and nobody uses it).
//!
//! - An index is built `CONCURRENTLY`, outside the transaction: writes go on
//!   while it is built; a failed build's invalid index is dropped.
//! - NOT NULL is proven by a `CHECK (c IS NOT NULL) NOT VALID` constraint,
//!   validated in its own transaction (which lets writes go on), after which
//!   `SET NOT NULL` skips its scan; the check is then dropped.
//! - A foreign key is added `NOT VALID`, then validated in its own transaction.

use migration_model::{Op, Schema};
use sha2::{Digest, Sha256};

use super::postgres::Postgres;
use super::sql::{self, quote_ident};
use super::statement::Statement;

/// The lock-friendly statements for `op`, or `None` when the step has no
/// such form (or needs none) and renders as usual.
pub fn render(op: &Op, before: &Schema) -> Option<Result<Vec<Statement>, String>> {
    let statements = match op {
        Op::CreateIndex(index) => {
            let build = sql::table(before, &index.table)
                .and_then(|table| sql::create_index(&Postgres, index, table, true));
            return Some(build.map(|build| {
                vec![Statement::alone(
                    build,
                    Some(format!(
                        "DROP INDEX CONCURRENTLY IF EXISTS {}",
                        quote_ident(&index.name)
                    )),
                )]
            }));
        }
        Op::DropIndex { name } => before.index(name).map(|_| {
            vec![Statement::alone(
                format!("DROP INDEX CONCURRENTLY IF EXISTS {}", quote_ident(name)),
                None,
            )]
        }),
        Op::SetNullable {
            table,
            column,
            nullable: false,
        } => {
            let check = quote_ident(&not_null_check_name(table, column));
            let table = quote_ident(table);
            Some(vec![
                Statement::in_transaction(format!(
                    "ALTER TABLE {table} ADD CONSTRAINT {check} CHECK ({} IS NOT NULL) NOT VALID",
                    quote_ident(column)
                )),
                Statement::new_transaction(format!(
                    "ALTER TABLE {table} VALIDATE CONSTRAINT {check}"
                )),
                Statement::new_transaction(format!(
                    "ALTER TABLE {table} ALTER COLUMN {} SET NOT NULL",
                    quote_ident(column)
                )),
                Statement::in_transaction(format!("ALTER TABLE {table} DROP CONSTRAINT {check}")),
            ])
        }
        Op::AddForeignKey { table, key } => {
            let table_sql = quote_ident(table);
            Some(vec![
                Statement::in_transaction(format!(
                    "ALTER TABLE {table_sql} ADD {} NOT VALID",
                    sql::foreign_key_clause(key)
                )),
                Statement::new_transaction(format!(
                    "ALTER TABLE {table_sql} VALIDATE CONSTRAINT {}",
                    quote_ident(&key.name)
                )),
            ])
        }
        _ => None,
    };
    statements.map(Ok)
}

/// What undoes the phases of `op`'s lock-friendly form that committed before
/// a later phase failed: the NOT VALID check or key is dropped. Safe to run
/// whatever phase was reached.
pub fn undo_partial(op: &Op) -> Vec<String> {
    match op {
        Op::SetNullable {
            table,
            column,
            nullable: false,
        } => vec![format!(
            "ALTER TABLE {} DROP CONSTRAINT IF EXISTS {}",
            quote_ident(table),
            quote_ident(&not_null_check_name(table, column))
        )],
        Op::AddForeignKey { table, key } => vec![format!(
            "ALTER TABLE {} DROP CONSTRAINT IF EXISTS {}",
            quote_ident(table),
            quote_ident(&key.name)
        )],
        _ => Vec::new(),
    }
}

/// The name of the temporary check that proves `table.column` has no NULL:
/// readable when it fits PostgreSQL's 63 bytes, a digest when it does not
/// (PostgreSQL would truncate it, and two long names could then collide).
fn not_null_check_name(table: &str, column: &str) -> String {
    let readable = format!("{table}_{column}_not_null");
    if readable.len() <= 63 {
        return readable;
    }
    let digest = Sha256::digest(format!("{table}\0{column}").as_bytes());
    let hex: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
    format!("not_null_{hex}")
}

#[cfg(test)]
mod tests {
    use super::not_null_check_name;

    #[test]
    fn long_names_get_a_digest_that_fits() {
        assert_eq!(
            not_null_check_name("members", "email"),
            "members_email_not_null"
        );
        let long = "x".repeat(60);
        let name = not_null_check_name(&long, "a");
        assert!(name.len() <= 63, "{name}");
        assert_ne!(name, not_null_check_name(&long, "b"));
    }
}
