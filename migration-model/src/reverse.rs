//! Deriving a migration's downgrade from its upgrade.
//!
//! Each step is undone by steps computed from the schema just before it;
//! a step whose inverse would need data that no longer exists is [`Lossy`]
//! and the author must give its way back.

use crate::op::Op;
use crate::schema::Schema;
use crate::table::Column;

/// A step that cannot be undone from the schema alone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lossy {
    /// The position of the step in the migration.
    pub step: usize,
    /// What would be lost, in the migration language's terms.
    pub reason: String,
}

/// The steps that undo `op`, given the schema just before it; or what would
/// be lost.
///
/// `fresh` says whether a column was created earlier in the same migration:
/// overwriting such a column loses nothing.
pub fn reverse_step(
    op: &Op,
    before: &Schema,
    fresh: impl Fn(&str, &str) -> bool,
) -> Result<Vec<Op>, String> {
    let column = |table: &str, column: &str| -> Option<Column> {
        before.table(table)?.column(column).cloned()
    };
    let inverse = match op {
        Op::CreateTable(table) => vec![Op::DropTable {
            table: table.name.clone(),
        }],
        Op::DropTable { table } => {
            return Err(format!(
                "drop_table({table:?}) loses the table's rows: write a downgrade or mark the migration `irreversible = \"why\"`"
            ));
        }
        Op::RenameTable { from, to } => vec![Op::RenameTable {
            from: to.clone(),
            to: from.clone(),
        }],
        Op::AddColumn { table, column } => vec![Op::DropColumn {
            table: table.clone(),
            column: column.name.clone(),
            restore: None,
        }],
        Op::DropColumn {
            table,
            column: name,
            restore,
        } => {
            let (Some(restore), Some(dropped)) = (restore, column(table, name)) else {
                return Err(format!(
                    "drop_column({table:?}, {name:?}) loses data: add .restore_with(..) or mark the migration `irreversible = \"why\"`"
                ));
            };
            let mut ops = vec![
                Op::AddColumn {
                    table: table.clone(),
                    column: Column {
                        nullable: true,
                        ..dropped.clone()
                    },
                },
                Op::Backfill {
                    table: table.clone(),
                    column: name.clone(),
                    value: restore.clone(),
                    only_where: None,
                    restore: None,
                    batch_size: None,
                },
            ];
            if !dropped.nullable {
                ops.push(Op::SetNullable {
                    table: table.clone(),
                    column: name.clone(),
                    nullable: false,
                });
            }
            ops
        }
        Op::RenameColumn { table, from, to } => vec![Op::RenameColumn {
            table: table.clone(),
            from: to.clone(),
            to: from.clone(),
        }],
        Op::ChangeType {
            table,
            column: name,
            ty,
            using,
        } => match column(table, name) {
            Some(old) if using.is_none() && old.ty.widens_to(*ty) => vec![Op::ChangeType {
                table: table.clone(),
                column: name.clone(),
                ty: old.ty,
                using: None,
            }],
            _ => {
                return Err(format!(
                    "change_type({table:?}, {name:?}, {ty}) can lose values: write a downgrade or mark the migration `irreversible = \"why\"`"
                ));
            }
        },
        Op::SetDefault {
            table,
            column: name,
            ..
        } => vec![Op::SetDefault {
            table: table.clone(),
            column: name.clone(),
            default: column(table, name).and_then(|c| c.default),
        }],
        Op::SetNullable {
            table,
            column: name,
            nullable,
        } => vec![Op::SetNullable {
            table: table.clone(),
            column: name.clone(),
            nullable: !nullable,
        }],
        Op::CreateIndex(index) => vec![Op::DropIndex {
            name: index.name.clone(),
        }],
        Op::DropIndex { name } => match before.index(name) {
            Some(index) => vec![Op::CreateIndex(index.clone())],
            None => return Err(format!("index `{name}` does not exist")),
        },
        Op::AddForeignKey { table, key } => vec![Op::DropForeignKey {
            table: table.clone(),
            name: key.name.clone(),
        }],
        Op::DropForeignKey { table, name } => {
            match before
                .table(table)
                .and_then(|t| t.foreign_keys.iter().find(|k| k.name == *name))
            {
                Some(key) => vec![Op::AddForeignKey {
                    table: table.clone(),
                    key: key.clone(),
                }],
                None => return Err(format!("table `{table}` has no foreign key `{name}`")),
            }
        }
        Op::Backfill {
            table,
            column: name,
            only_where,
            restore,
            batch_size,
            ..
        } => {
            let fills_only_nulls = only_where.as_ref().is_some_and(|c| c.requires_null(name));
            match restore {
                Some(restore) => vec![Op::Backfill {
                    table: table.clone(),
                    column: name.clone(),
                    value: restore.clone(),
                    only_where: None,
                    restore: None,
                    batch_size: *batch_size,
                }],
                // The values written replace only NULLs (or a column this
                // migration created, which its own inverse drops): nothing to undo.
                None if fills_only_nulls || fresh(table, name) => Vec::new(),
                None => {
                    return Err(format!(
                        "backfill({table:?}, {name:?}, ..) overwrites existing values: add .restore_with(..), \
                         limit it with .only_where(col({name:?}).is_null()), or mark the migration `irreversible = \"why\"`"
                    ));
                }
            }
        }
        Op::Sql { up, down } => match down {
            Some(down) => vec![Op::Sql {
                up: down.clone(),
                down: Some(up.clone()),
            }],
            None => {
                return Err(
                    "sql(..) has no reverse: add .reverse_with(..) or mark the migration `irreversible = \"why\"`"
                        .to_owned(),
                );
            }
        },
        Op::RunRust { function, reverse } => match reverse {
            Some(reverse) => vec![Op::RunRust {
                function: reverse.clone(),
                reverse: Some(function.clone()),
            }],
            None => {
                return Err(format!(
                    "run_rust({function}) has no reverse: add .reverse_with(a function that undoes it) \
                     or mark the migration `irreversible = \"why\"`"
                ));
            }
        },
    };
    Ok(inverse)
}

/// The downgrade of a migration whose upgrade is `ops`, applied to `before`:
/// each step's inverse, last step first.
///
/// The steps must apply to `before` (the macro checks that first).
pub fn reverse(ops: &[Op], before: &Schema) -> Result<Vec<Op>, Vec<Lossy>> {
    let mut schema = before.clone();
    let mut fresh: Vec<(String, String)> = Vec::new();
    let mut inverses = Vec::with_capacity(ops.len());
    let mut lossy = Vec::new();
    for (step, op) in ops.iter().enumerate() {
        let is_fresh = |table: &str, column: &str| {
            fresh
                .iter()
                .any(|(t, c)| t == table && (c == column || c.is_empty()))
        };
        match reverse_step(op, &schema, is_fresh) {
            Ok(inverse) => inverses.push(inverse),
            Err(reason) => lossy.push(Lossy { step, reason }),
        }
        match op {
            Op::CreateTable(table) => fresh.push((table.name.to_string(), String::new())),
            Op::AddColumn { table, column } => {
                fresh.push((table.to_string(), column.name.to_string()));
            }
            _ => {}
        }
        // A step that does not apply was reported by the caller; the
        // following steps are still examined so every loss is reported.
        let _ = schema.apply(op);
    }
    if lossy.is_empty() {
        Ok(inverses.into_iter().rev().flatten().collect())
    } else {
        Err(lossy)
    }
}
