//! SQLite: what it cannot `ALTER` (types, defaults, NOT NULL, foreign keys)
//! is done by rebuilding the table inside the migration's transaction:
//! create the new shape, copy every row, drop the old table, rename, and
//! recreate its indexes.
//!
//! Foreign keys must be off while a table is rebuilt (SQLite's documented
//! procedure): dropping a referenced table with them on would delete, or
//! cascade to, the rows that reference it.

use migration_model::{Column, ColumnDefault, Expr, Function, Literal, Op, Schema, SqlType, Table};

use super::sql::{self, Dialect, quote_ident};
use super::sqlite_arithmetic;

/// SQLite's SQL. Expressions call the functions the toolkit defines on its
/// connections (`unicode_lower`, `int_add`, ..: see `sqlite_functions`),
/// except in plain SQL.
#[derive(Clone, Copy, Debug, Default)]
pub struct Sqlite {
    /// Plain SQL only, for a `CHECK` that connections without the toolkit's
    /// functions evaluate too.
    pub plain: bool,
}

/// The name a table is rebuilt under before it replaces the original.
const REBUILD_PREFIX: &str = "__rebuild_";

/// The table a rebuild statement (the `CREATE TABLE` that starts one) rebuilds.
pub fn rebuilt_table(statement: &str) -> Option<&str> {
    statement
        .strip_prefix("CREATE TABLE \"")?
        .strip_prefix(REBUILD_PREFIX)?
        .split_once("\" (")
        .map(|(table, _)| table)
}

/// A random version-4 UUID as text: SQLite has no UUID function.
const RANDOM_UUID: &str = "(lower(hex(randomblob(4))) || '-' || lower(hex(randomblob(2))) || '-4' || \
     substr(lower(hex(randomblob(2))), 2) || '-' || substr('89ab', 1 + (abs(random()) % 4), 1) || \
     substr(lower(hex(randomblob(2))), 2) || '-' || lower(hex(randomblob(6))))";

impl Dialect for Sqlite {
    fn column_type(&self, ty: SqlType) -> String {
        match ty {
            SqlType::SmallInt => "SMALLINT".into(),
            SqlType::Integer => "INTEGER".into(),
            SqlType::BigInt => "BIGINT".into(),
            SqlType::Double => "DOUBLE".into(),
            SqlType::Decimal { precision, scale } => format!("DECIMAL({precision}, {scale})"),
            SqlType::Text => "TEXT".into(),
            SqlType::Varchar(length) => format!("VARCHAR({length})"),
            SqlType::Bool => "BOOLEAN".into(),
            SqlType::Uuid => "UUID".into(),
            SqlType::Date => "DATE".into(),
            SqlType::Timestamp => "TIMESTAMP".into(),
            SqlType::TimestampTz => "TIMESTAMPTZ".into(),
            SqlType::Bytes => "BLOB".into(),
            SqlType::Json => "JSON".into(),
        }
    }

    fn default_clause(&self, default: &ColumnDefault, ty: SqlType) -> Result<String, String> {
        Ok(match default {
            ColumnDefault::Value(value) => format!("DEFAULT {}", sql::literal(value)?),
            ColumnDefault::Now if ty == SqlType::Date => "DEFAULT CURRENT_DATE".into(),
            ColumnDefault::Now => "DEFAULT CURRENT_TIMESTAMP".into(),
            ColumnDefault::RandomUuid => format!("DEFAULT {RANDOM_UUID}"),
            // Declared with the key itself: see `column_definition`.
            ColumnDefault::Identity => String::new(),
        })
    }

    fn special_call(
        &self,
        function: Function,
        args: &[Expr],
        row: &Table,
    ) -> Option<Result<String, String>> {
        let first = || match args.first() {
            Some(arg) => sql::expr(self, arg, row),
            None => Err(format!("`{}` is missing an argument", function.dsl_name())),
        };
        match function {
            Function::Concat => Some(concat(self, args, row)),
            Function::SplitPart => Some(split_part(self, args, row)),
            Function::AfterFirst => {
                Some(
                    sql::exprs(self, args, row).and_then(|args| match args.as_slice() {
                        [text, delimiter] => {
                            Ok(sql::after_first(text, delimiter, "INSTR", "LENGTH"))
                        }
                        _ => Err("after_first takes a text and a delimiter".into()),
                    }),
                )
            }
            Function::Length => Some(first().map(|arg| format!("LENGTH({arg})"))),
            // SQLite's own LOWER/UPPER fold ASCII only: see `sqlite_functions`.
            Function::Lower => Some(first().map(|arg| format!("unicode_lower({arg})"))),
            Function::Upper => Some(first().map(|arg| format!("unicode_upper({arg})"))),
            Function::Cast(ty @ (SqlType::SmallInt | SqlType::Integer | SqlType::BigInt)) => {
                Some(first().map(|arg| checked_integer_cast(&arg, ty)))
            }
            // Between integers, checked against the result type's range.
            Function::Add | Function::Sub | Function::Mul | Function::Div => {
                sqlite_arithmetic::arithmetic(self, function, args, row)
            }
            _ => None,
        }
    }

    fn code_point_order(&self, operand: &str) -> String {
        format!("{operand} COLLATE BINARY")
    }

    fn check_condition(&self, condition: &Expr, table: &Table) -> Result<String, String> {
        if uses_case_folding(condition) {
            return Err(
                "`lower`/`upper` in a check constraint: SQLite's own LOWER/UPPER fold ASCII letters only, \
                 and the toolkit's unicode_lower/unicode_upper exist only on its own connections"
                    .into(),
            );
        }
        sql::expr(&Sqlite { plain: true }, condition, table)
    }

    fn assigned(&self, value: &Expr, row: &Table, column: SqlType) -> Result<String, String> {
        let from = value.type_in(row).map_err(|error| error.message)?;
        let sql = sql::expr(self, value, row)?;
        Ok(sqlite_arithmetic::assigned(self, sql, from, column))
    }

    fn column_definition(&self, column: &Column) -> Result<String, String> {
        if column.default == Some(ColumnDefault::Identity) {
            // Only `INTEGER PRIMARY KEY` makes SQLite assign the next key itself.
            return Ok(format!("{} INTEGER PRIMARY KEY", quote_ident(&column.name)));
        }
        let mut sql = format!(
            "{} {}",
            quote_ident(&column.name),
            self.column_type(column.ty)
        );
        if !column.nullable {
            sql.push_str(" NOT NULL");
        }
        if let Some(default) = &column.default {
            sql.push(' ');
            sql.push_str(&self.default_clause(default, column.ty)?);
        }
        Ok(sql)
    }

    fn primary_key_inline(&self, table: &Table) -> bool {
        table
            .columns
            .iter()
            .any(|c| c.default == Some(ColumnDefault::Identity))
    }
}

fn uses_case_folding(value: &Expr) -> bool {
    match value {
        Expr::Call(Function::Lower | Function::Upper, _) => true,
        Expr::Call(_, args) => args.iter().any(uses_case_folding),
        _ => false,
    }
}

/// `CAST(text AS INTEGER)` as PostgreSQL does it: an optional sign and digits,
/// spaces around, within the type's range; anything else fails the statement
/// (SQLite alone would read `'abc'` as 0 and `'12abc'` as 12). The text is
/// repeated rather than named in a subquery, which a `CHECK` cannot hold.
fn checked_integer_cast(value: &str, ty: SqlType) -> String {
    let text = format!("TRIM(CAST({value} AS TEXT), ' ' || CHAR(9, 10, 11, 12, 13))");
    let digits = format!("LTRIM({text}, '+-')");
    let number = format!("CAST({text} AS INTEGER)");
    let in_range = match ty {
        SqlType::SmallInt => format!("{number} BETWEEN -32768 AND 32767"),
        SqlType::Integer => format!("{number} BETWEEN -2147483648 AND 2147483647"),
        // SQLite clamps what overflows a 64-bit integer to its bounds: a
        // long number must read back as written.
        _ => format!(
            "(LENGTH(LTRIM({digits}, '0')) < 19 OR CAST({number} AS TEXT) = \
             (CASE WHEN SUBSTR({text}, 1, 1) = '-' THEN '-' ELSE '' END) || LTRIM({digits}, '0'))"
        ),
    };
    let type_name = Sqlite::default().column_type(ty).to_lowercase();
    format!(
        "(CASE WHEN {value} IS NULL THEN NULL \
         WHEN {digits} <> '' AND LENGTH({text}) - LENGTH({digits}) <= 1 \
         AND {digits} NOT GLOB '*[^0-9]*' AND {in_range} THEN {number} \
         ELSE {} END)",
        fail(&format!(
            "{} || {value} || '\"'",
            sql::quote_text(&format!("invalid input for type {type_name}: \""))
        ))
    )
}

/// An expression that fails the statement with `message` (SQL text) in the
/// error: SQLite has no `RAISE` outside triggers, but reports a malformed
/// JSON path with the path's text.
pub(super) fn fail(message: &str) -> String {
    format!("JSON_EXTRACT('{{}}', {message})")
}

/// `CONCAT` skips NULLs, as PostgreSQL's does.
fn concat(dialect: &Sqlite, args: &[Expr], row: &Table) -> Result<String, String> {
    let parts = args
        .iter()
        .map(|arg| {
            let sql = sql::expr(dialect, arg, row)?;
            Ok(match arg {
                Expr::Literal(Literal::Text(_)) => sql,
                _ => format!("COALESCE({sql}, '')"),
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    Ok(format!("({})", parts.join(" || ")))
}

/// `SPLIT_PART(text, delimiter, n)` as PostgreSQL computes it: the n-th
/// field, empty text when there are fewer fields, NULL for NULL text.
///
/// With a delimiter appended, every field ends with one; skipping n-1
/// fields leaves the n-th at the front. The text expression is repeated
/// 2^(n-1) times, so the macro keeps n a small literal.
fn split_part(dialect: &Sqlite, args: &[Expr], row: &Table) -> Result<String, String> {
    let [
        text,
        Expr::Literal(Literal::Text(delimiter)),
        Expr::Literal(Literal::Int(n)),
    ] = args
    else {
        return Err(
            "split_part needs a text, a delimiter literal and a field number literal".into(),
        );
    };
    if *n < 1 || *n > 16 {
        return Err(format!(
            "split_part field number {n} is out of range 1..=16 on SQLite"
        ));
    }
    let delimiter = sql::quote_text(delimiter);
    let mut rest = format!("({} || {delimiter})", sql::expr(dialect, text, row)?);
    for _ in 1..*n {
        rest = format!("SUBSTR({rest}, INSTR({rest}, {delimiter}) + LENGTH({delimiter}))");
    }
    Ok(format!("SUBSTR({rest}, 1, INSTR({rest}, {delimiter}) - 1)"))
}

/// The statements for `op` on SQLite.
pub fn render(op: &Op, before: &Schema) -> Result<Vec<String>, String> {
    let dialect = &Sqlite::default();
    let statement = match op {
        Op::CreateTable(table) => sql::create_table(dialect, table, &table.name)?,
        Op::DropTable { table } => format!("DROP TABLE {}", quote_ident(table)),
        Op::RenameTable { from, to } => format!(
            "ALTER TABLE {} RENAME TO {}",
            quote_ident(from),
            quote_ident(to)
        ),
        Op::AddColumn { table, column } => {
            let constant_default = matches!(column.default, None | Some(ColumnDefault::Value(_)));
            if !constant_default || (!column.nullable && column.default.is_none()) {
                // SQLite's ADD COLUMN takes only constant defaults, and a
                // NOT NULL column only with one.
                return rebuild(op, before, table);
            }
            format!(
                "ALTER TABLE {} ADD COLUMN {}",
                quote_ident(table),
                dialect.column_definition(column)?
            )
        }
        Op::DropColumn { table, column, .. } => {
            format!(
                "ALTER TABLE {} DROP COLUMN {}",
                quote_ident(table),
                quote_ident(column)
            )
        }
        Op::RenameColumn { table, from, to } => format!(
            "ALTER TABLE {} RENAME COLUMN {} TO {}",
            quote_ident(table),
            quote_ident(from),
            quote_ident(to)
        ),
        Op::ChangeType { table, .. }
        | Op::SetDefault { table, .. }
        | Op::SetNullable { table, .. }
        | Op::AddForeignKey { table, .. }
        | Op::DropForeignKey { table, .. } => return rebuild(op, before, table),
        Op::CreateIndex(index) => {
            sql::create_index(dialect, index, sql::table(before, &index.table)?, false)?
        }
        Op::DropIndex { name } => format!("DROP INDEX {}", quote_ident(name)),
        Op::Backfill { .. } => sql::backfill(dialect, op, before, None)?,
        Op::Sql { up, .. } => up.sqlite.to_string(),
        Op::RunRust { function, .. } => sql::rust_step_note(function),
    };
    Ok(vec![statement])
}

/// Rebuilds `table` into the shape it has after `op`, keeping every row.
fn rebuild(op: &Op, before: &Schema, table: &str) -> Result<Vec<String>, String> {
    let dialect = &Sqlite::default();
    let old = sql::table(before, table)?;
    let mut after = before.clone();
    after.apply(op).map_err(|e| e.message)?;
    let new = sql::table(&after, table)?;
    let temporary = format!("{REBUILD_PREFIX}{table}");
    let mut targets = Vec::new();
    let mut sources = Vec::new();
    for column in new.columns.iter() {
        let source = match op {
            Op::ChangeType {
                column: changed,
                using: Some(using),
                ty,
                ..
            } if *changed == column.name => dialect.assigned(using, old, *ty)?,
            Op::ChangeType {
                column: changed,
                ty,
                ..
            } if *changed == column.name => sqlite_arithmetic::assigned(
                dialect,
                format!(
                    "CAST({} AS {})",
                    quote_ident(changed),
                    dialect.column_type(*ty)
                ),
                old.column(changed).map(|c| c.ty),
                *ty,
            ),
            Op::AddColumn { column: added, .. } if added.name == column.name => continue,
            _ if old.column(&column.name).is_some() => quote_ident(&column.name),
            _ => continue,
        };
        targets.push(quote_ident(&column.name));
        sources.push(source);
    }
    let mut statements = vec![
        sql::create_table(dialect, new, &temporary)?,
        format!(
            "INSERT INTO {} ({}) SELECT {} FROM {}",
            quote_ident(&temporary),
            targets.join(", "),
            sources.join(", "),
            quote_ident(table)
        ),
        format!("DROP TABLE {}", quote_ident(table)),
        format!(
            "ALTER TABLE {} RENAME TO {}",
            quote_ident(&temporary),
            quote_ident(table)
        ),
    ];
    for index in after.indexes_on(table) {
        statements.push(sql::create_index(dialect, index, new, false)?);
    }
    Ok(statements)
}
