//! The steps a migration is made of, as plain data.

use std::fmt;

use crate::expr::{Expr, Function, Literal};
use crate::table::{ColumnDefault, ForeignKey, Index, RefAction, Table};
use crate::types::SqlType;
use crate::{Column, Name};

/// SQL written by hand, in each backend's dialect.
#[derive(Clone, Debug, PartialEq)]
pub struct RawSql {
    /// What runs on PostgreSQL.
    pub postgres: Name,
    /// What runs on SQLite.
    pub sqlite: Name,
}

/// One step of a migration.
#[derive(Clone, Debug, PartialEq)]
pub enum Op {
    /// Create a table with its columns and constraints.
    CreateTable(Table),
    /// Drop a table and its rows.
    DropTable {
        /// The table.
        table: Name,
    },
    /// Rename a table.
    RenameTable {
        /// Its current name.
        from: Name,
        /// Its new name.
        to: Name,
    },
    /// Add a column.
    AddColumn {
        /// The table.
        table: Name,
        /// The new column.
        column: Column,
    },
    /// Drop a column and its values.
    DropColumn {
        /// The table.
        table: Name,
        /// The column.
        column: Name,
        /// How the downgrade computes the column's values again from the others.
        restore: Option<Expr>,
    },
    /// Rename a column.
    RenameColumn {
        /// The table.
        table: Name,
        /// The column's current name.
        from: Name,
        /// Its new name.
        to: Name,
    },
    /// Change a column's type.
    ChangeType {
        /// The table.
        table: Name,
        /// The column.
        column: Name,
        /// Its new type.
        ty: SqlType,
        /// How each old value becomes a new one, when a plain conversion will not do.
        using: Option<Expr>,
    },
    /// Set or drop a column's default.
    SetDefault {
        /// The table.
        table: Name,
        /// The column.
        column: Name,
        /// The new default; `None` drops it.
        default: Option<ColumnDefault>,
    },
    /// Make a column NOT NULL (`nullable: false`) or accept NULL again.
    SetNullable {
        /// The table.
        table: Name,
        /// The column.
        column: Name,
        /// Whether the column accepts NULL afterwards.
        nullable: bool,
    },
    /// Create an index.
    CreateIndex(Index),
    /// Drop an index.
    DropIndex {
        /// The index's name.
        name: Name,
    },
    /// Add a foreign key to a table.
    AddForeignKey {
        /// The referencing table.
        table: Name,
        /// The key.
        key: ForeignKey,
    },
    /// Drop a foreign key.
    DropForeignKey {
        /// The referencing table.
        table: Name,
        /// The key's name.
        name: Name,
    },
    /// Set a column from an expression over the row's own columns.
    Backfill {
        /// The table.
        table: Name,
        /// The column written.
        column: Name,
        /// The value written.
        value: Expr,
        /// Only rows where this holds are written.
        only_where: Option<Expr>,
        /// How the downgrade computes the overwritten values again.
        restore: Option<Expr>,
        /// Rows per batch, each batch its own transaction (`None`: one UPDATE).
        batch_size: Option<u32>,
    },
    /// SQL written by hand: views, triggers, functions, data fixes.
    Sql {
        /// What the upgrade runs.
        up: RawSql,
        /// What undoes it; `None` when it cannot be undone.
        down: Option<RawSql>,
    },
    /// A Rust function run on the database connection, for data changes SQL
    /// cannot express. It changes rows, never the schema.
    RunRust {
        /// The function the step calls, by its name in the history module.
        function: Name,
        /// The function that undoes it; `None` when it cannot be undone.
        reverse: Option<Name>,
    },
}

impl Op {
    /// The table this step changes, if it changes one.
    pub fn table(&self) -> Option<&str> {
        match self {
            Op::CreateTable(table) => Some(&table.name),
            Op::CreateIndex(index) => Some(&index.table),
            Op::RenameTable { from, .. } => Some(from),
            Op::DropTable { table }
            | Op::AddColumn { table, .. }
            | Op::DropColumn { table, .. }
            | Op::RenameColumn { table, .. }
            | Op::ChangeType { table, .. }
            | Op::SetDefault { table, .. }
            | Op::SetNullable { table, .. }
            | Op::AddForeignKey { table, .. }
            | Op::DropForeignKey { table, .. }
            | Op::Backfill { table, .. } => Some(table),
            Op::DropIndex { .. } | Op::Sql { .. } | Op::RunRust { .. } => None,
        }
    }

    /// The table this step changes, a dropped index's table looked up in
    /// `schema`, the schema the step runs on.
    pub fn table_in<'a>(&'a self, schema: &'a crate::Schema) -> Option<&'a str> {
        match self {
            Op::DropIndex { name } => schema.index(name).map(|index| &*index.table),
            other => other.table(),
        }
    }

    /// Whether this step removes something that holds data.
    pub fn drops_data(&self) -> bool {
        matches!(self, Op::DropTable { .. } | Op::DropColumn { .. })
    }
}

/// Writes the step as the migration language spells it, for `show`, reviews and messages.
impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Op::CreateTable(table) => {
                write!(f, "create_table({:?}, |t| {{", table.name)?;
                for column in table.columns.iter() {
                    write!(f, " t.column({:?}, {});", column.name, ColumnSpec(column))?;
                }
                if !table.primary_key.is_empty() {
                    write!(f, " t.primary_key({:?});", table.primary_key)?;
                }
                for unique in table.uniques.iter() {
                    write!(f, " t.unique({:?});", unique.columns)?;
                }
                for check in table.checks.iter() {
                    write!(f, " t.check({:?}, {});", check.name, check.condition)?;
                }
                for key in table.foreign_keys.iter() {
                    write!(f, " t.{};", ForeignKeySpec(key))?;
                }
                f.write_str(" })")
            }
            Op::DropTable { table } => write!(f, "drop_table({table:?})"),
            Op::RenameTable { from, to } => write!(f, "rename_table({from:?}, {to:?})"),
            Op::AddColumn { table, column } => write!(
                f,
                "add_column({table:?}, {:?}, {})",
                column.name,
                ColumnSpec(column)
            ),
            Op::DropColumn {
                table,
                column,
                restore,
            } => {
                write!(f, "drop_column({table:?}, {column:?})")?;
                if let Some(restore) = restore {
                    write!(f, ".restore_with({restore})")?;
                }
                Ok(())
            }
            Op::RenameColumn { table, from, to } => {
                write!(f, "rename_column({table:?}, {from:?}, {to:?})")
            }
            Op::ChangeType {
                table,
                column,
                ty,
                using,
            } => {
                write!(f, "change_type({table:?}, {column:?}, {ty})")?;
                if let Some(using) = using {
                    write!(f, ".using({using})")?;
                }
                Ok(())
            }
            Op::SetDefault {
                table,
                column,
                default: Some(default),
            } => write!(f, "set_default({table:?}, {column:?}, {})", default),
            Op::SetDefault {
                table,
                column,
                default: None,
            } => write!(f, "drop_default({table:?}, {column:?})"),
            Op::SetNullable {
                table,
                column,
                nullable: false,
            } => write!(f, "tighten_not_null({table:?}, {column:?})"),
            Op::SetNullable {
                table,
                column,
                nullable: true,
            } => write!(f, "loosen_not_null({table:?}, {column:?})"),
            Op::CreateIndex(index) => {
                write!(
                    f,
                    "create_index({:?}, {:?}).name({:?})",
                    index.table, index.columns, index.name
                )?;
                if index.unique {
                    f.write_str(".unique()")?;
                }
                if let Some(condition) = &index.predicate {
                    write!(f, ".only_where({condition})")?;
                }
                Ok(())
            }
            Op::DropIndex { name } => write!(f, "drop_index({name:?})"),
            Op::AddForeignKey { table, key } => {
                write!(f, "add_{}", ForeignKeySpec(key))?;
                write!(f, " /* on {table:?} */")
            }
            Op::DropForeignKey { table, name } => {
                write!(f, "drop_foreign_key({table:?}, {name:?})")
            }
            Op::Backfill {
                table,
                column,
                value,
                only_where,
                restore,
                batch_size,
            } => {
                write!(f, "backfill({table:?}, {column:?}, {value})")?;
                if let Some(size) = batch_size {
                    write!(f, ".batched({size})")?;
                }
                if let Some(condition) = only_where {
                    write!(f, ".only_where({condition})")?;
                }
                if let Some(restore) = restore {
                    write!(f, ".restore_with({restore})")?;
                }
                Ok(())
            }
            Op::Sql { up, down } => {
                write!(f, "sql({:?})", up.postgres)?;
                match down {
                    Some(down) => write!(f, ".reverse_with({:?})", down.postgres),
                    None => Ok(()),
                }
            }
            Op::RunRust { function, reverse } => {
                write!(f, "run_rust({function})")?;
                match reverse {
                    Some(reverse) => write!(f, ".reverse_with({reverse})"),
                    None => Ok(()),
                }
            }
        }
    }
}

/// A column's type and options as the migration language spells them:
/// `varchar(20).nullable().default("x")`.
pub struct ColumnSpec<'a>(pub &'a Column);

impl fmt::Display for ColumnSpec<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.ty)?;
        if self.0.nullable {
            f.write_str(".nullable()")?;
        }
        if let Some(default) = &self.0.default {
            write!(f, ".{}", default)?;
        }
        Ok(())
    }
}

/// Writes the default as the migration language spells it: `default("active")`.
impl fmt::Display for ColumnDefault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ColumnDefault::Value(literal) => {
                write!(f, "default({})", Expr::Literal(literal.clone()))
            }
            ColumnDefault::Now => f.write_str("default_now()"),
            ColumnDefault::RandomUuid => f.write_str("default_random_uuid()"),
            ColumnDefault::Identity => f.write_str("identity()"),
        }
    }
}

struct ForeignKeySpec<'a>(&'a ForeignKey);

impl fmt::Display for ForeignKeySpec<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let key = self.0;
        write!(
            f,
            "foreign_key({:?}, {:?}, {:?}).name({:?})",
            key.columns, key.ref_table, key.ref_columns, key.name
        )?;
        if key.on_delete != RefAction::NoAction {
            write!(f, ".on_delete({:?})", key.on_delete)?;
        }
        if key.on_update != RefAction::NoAction {
            write!(f, ".on_update({:?})", key.on_update)?;
        }
        Ok(())
    }
}

/// Writes the expression as the migration language spells it.
impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expr::Column(name) => write!(f, "col({name:?})"),
            Expr::Literal(Literal::Null) => f.write_str("null()"),
            Expr::Literal(Literal::Bool(value)) => write!(f, "{value}"),
            Expr::Literal(Literal::Int(value)) => write!(f, "{value}"),
            Expr::Literal(Literal::Float(value)) => write!(f, "{value:?}"),
            Expr::Literal(Literal::Text(value)) => write!(f, "{value:?}"),
            Expr::Call(Function::Cast(ty), args) => write!(f, "cast({}, {ty})", List(args)),
            Expr::Call(
                function @ (Function::Add | Function::Sub | Function::Mul | Function::Div),
                args,
            ) if args.len() == 2 => {
                write!(f, "({} {} {})", args[0], function.dsl_name(), args[1])
            }
            Expr::Call(function @ (Function::Concat | Function::Coalesce), args) => {
                write!(f, "{}([{}])", function.dsl_name(), List(args))
            }
            Expr::Call(
                function @ (Function::IsNull | Function::IsNotNull | Function::Not),
                args,
            ) if args.len() == 1 => write!(f, "{}.{}()", args[0], function.dsl_name()),
            Expr::Call(
                function @ (Function::Eq
                | Function::Ne
                | Function::Lt
                | Function::Le
                | Function::Gt
                | Function::Ge
                | Function::And
                | Function::Or),
                args,
            ) if args.len() == 2 => write!(f, "{}.{}({})", args[0], function.dsl_name(), args[1]),
            Expr::Call(Function::Case, args) if args.len() % 2 == 1 => {
                f.write_str("case_when([")?;
                let (otherwise, pairs) = args.split_last().ok_or(fmt::Error)?;
                for (index, pair) in pairs.chunks(2).enumerate() {
                    if index > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "({}, {})", pair[0], pair[1])?;
                }
                write!(f, "], {otherwise})")
            }
            Expr::Call(function, args) => write!(f, "{}({})", function.dsl_name(), List(args)),
        }
    }
}

struct List<'a>(&'a [Expr]);

impl fmt::Display for List<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, expr) in self.0.iter().enumerate() {
            if index > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{expr}")?;
        }
        Ok(())
    }
}
