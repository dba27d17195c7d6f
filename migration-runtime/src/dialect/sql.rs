//! The SQL every backend shares, written through the [`Dialect`] hooks
//! where backends differ. Identifiers are always quoted, literals escaped.
//!
//! An expression is written for a row of one table: the table's column
//! types tell which comparisons are between text.

use migration_model::types::Family;
use migration_model::{
    Column, ColumnDefault, Expr, ForeignKey, Function, Index, Literal, Op, RefAction, Schema,
    SqlType, Table, predicate,
};

/// What a backend spells its own way.
pub trait Dialect {
    /// The column type's SQL.
    fn column_type(&self, ty: SqlType) -> String;
    /// The `DEFAULT ...` clause (or identity clause) for a column.
    fn default_clause(&self, default: &ColumnDefault, ty: SqlType) -> Result<String, String>;
    /// A function call over a row of `row` whose SQL differs from
    /// [`common_call`], or `None`.
    fn special_call(
        &self,
        function: Function,
        args: &[Expr],
        row: &Table,
    ) -> Option<Result<String, String>>;
    /// A column definition inside `CREATE TABLE`.
    fn column_definition(&self, column: &Column) -> Result<String, String> {
        column_definition(self, column)
    }
    /// Whether the table's primary key was already declared on its column.
    fn primary_key_inline(&self, _table: &Table) -> bool {
        false
    }
    /// `operand` compared by code point, whatever the column's or database's
    /// collation (PostgreSQL's spelling; SQLite's is `BINARY`).
    fn code_point_order(&self, operand: &str) -> String {
        format!("{operand} COLLATE \"C\"")
    }
    /// The condition of a `CHECK` constraint on `table`, which every
    /// connection to the database evaluates, not only the toolkit's.
    fn check_condition(&self, condition: &Expr, table: &Table) -> Result<String, String> {
        expr(self, condition, table)
    }

    /// The condition of a partial index on `table`, which, like a check,
    /// every connection that writes the table evaluates: rendered as a
    /// check's (no function only the toolkit's connections define), and
    /// calls a backend refuses there are refused on all (as the macro does).
    fn index_condition(&self, condition: &Expr, table: &Table) -> Result<String, String> {
        if let Some((_, reason)) = predicate::unindexable(condition) {
            return Err(format!("the condition cannot use {reason}"));
        }
        self.check_condition(condition, table)
    }

    /// `value`, over a row of `row`, as written into a column of type
    /// `column` (PostgreSQL checks itself that an integer fits the column).
    fn assigned(&self, value: &Expr, row: &Table, _column: SqlType) -> Result<String, String> {
        expr(self, value, row)
    }
}

/// `"name"`, with embedded quotes doubled.
pub fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// `'text'`, with embedded quotes doubled.
pub fn quote_text(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

fn ident_list(names: &[impl AsRef<str>]) -> String {
    names
        .iter()
        .map(|n| quote_ident(n.as_ref()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A literal's SQL.
pub fn literal(value: &Literal) -> Result<String, String> {
    Ok(match value {
        Literal::Null => "NULL".to_owned(),
        Literal::Bool(true) => "TRUE".to_owned(),
        Literal::Bool(false) => "FALSE".to_owned(),
        Literal::Int(n) => n.to_string(),
        Literal::Float(f) if f.is_finite() => format!("{f:?}"),
        Literal::Float(f) => return Err(format!("{f} cannot be written as a SQL literal")),
        Literal::Text(text) if text.contains('\0') => {
            return Err("text literals cannot contain NUL characters".to_owned());
        }
        Literal::Text(text) => quote_text(text),
    })
}

/// The table named `name` in `schema`, which a statement reads or changes.
pub fn table<'a>(schema: &'a Schema, name: &str) -> Result<&'a Table, String> {
    schema
        .table(name)
        .ok_or_else(|| format!("table `{name}` does not exist"))
}

/// An expression's SQL, evaluated on a row of `row`.
pub fn expr<D: Dialect + ?Sized>(dialect: &D, value: &Expr, row: &Table) -> Result<String, String> {
    match value {
        Expr::Column(name) => Ok(quote_ident(name)),
        Expr::Literal(value) => literal(value),
        Expr::Call(function, args) => match dialect.special_call(*function, args, row) {
            Some(rendered) => rendered,
            None => common_call(dialect, *function, args, row),
        },
    }
}

/// Each argument's SQL, evaluated on a row of `row`.
pub fn exprs<D: Dialect + ?Sized>(
    dialect: &D,
    args: &[Expr],
    row: &Table,
) -> Result<Vec<String>, String> {
    args.iter().map(|arg| expr(dialect, arg, row)).collect()
}

/// Whether `value` gives text on a row of `row` (column types included).
fn is_text(value: &Expr, row: &Table) -> Result<bool, String> {
    let ty = value.type_in(row).map_err(|error| error.message)?;
    Ok(ty.is_some_and(|ty| ty.family() == Family::Text))
}

/// The SQL of a function that all backends write alike, over a row of `row`.
pub fn common_call<D: Dialect + ?Sized>(
    dialect: &D,
    function: Function,
    args: &[Expr],
    row: &Table,
) -> Result<String, String> {
    let rendered = exprs(dialect, args, row)?;
    let arg = |index: usize| {
        rendered
            .get(index)
            .cloned()
            .ok_or_else(|| format!("`{}` is missing an argument", function.dsl_name()))
    };
    let infix = |operator: &str| -> Result<String, String> {
        Ok(format!("({} {operator} {})", arg(0)?, arg(1)?))
    };
    // Text orders by code point on every backend; a text column's own
    // collation (PostgreSQL's `en_US`, say) would order `'a' < 'B'`. A
    // NULL operand has no type to collate; the other one decides.
    // Equality keeps the column's collation: every collation the toolkit
    // creates compares bytes for `=`, and an index on the column (or a
    // partial index's condition) serves only the uncollated form.
    let compare = |operator: &str| -> Result<String, String> {
        let operand = |index: usize| -> Result<String, String> {
            let sql = arg(index)?;
            Ok(match args.get(index) {
                Some(value) if !is_text(value, row)? => sql,
                Some(Expr::Call(..)) => dialect.code_point_order(&format!("({sql})")),
                _ => dialect.code_point_order(&sql),
            })
        };
        Ok(format!("({} {operator} {})", operand(0)?, operand(1)?))
    };
    Ok(match function {
        Function::Coalesce => format!("COALESCE({})", rendered.join(", ")),
        Function::Lower => format!("LOWER({})", arg(0)?),
        Function::Upper => format!("UPPER({})", arg(0)?),
        Function::Trim => format!("TRIM({})", arg(0)?),
        Function::Substring => format!("SUBSTR({}, {}, {})", arg(0)?, arg(1)?, arg(2)?),
        Function::NullIf => format!("NULLIF({}, {})", arg(0)?, arg(1)?),
        Function::Cast(ty) => format!("CAST({} AS {})", arg(0)?, dialect.column_type(ty)),
        Function::Add => infix("+")?,
        Function::Sub => infix("-")?,
        Function::Mul => infix("*")?,
        // Division by zero is NULL on every backend, as SQLite has it
        // (PostgreSQL would fail the whole migration).
        Function::Div => format!("({} / NULLIF({}, 0))", arg(0)?, arg(1)?),
        Function::Eq => infix("=")?,
        Function::Ne => infix("<>")?,
        Function::Lt => compare("<")?,
        Function::Le => compare("<=")?,
        Function::Gt => compare(">")?,
        Function::Ge => compare(">=")?,
        Function::And => infix("AND")?,
        Function::Or => infix("OR")?,
        Function::Not => format!("(NOT {})", arg(0)?),
        Function::IsNull => format!("({} IS NULL)", arg(0)?),
        Function::IsNotNull => format!("({} IS NOT NULL)", arg(0)?),
        Function::Case => {
            let mut sql = "CASE".to_owned();
            let (otherwise, pairs) = rendered.split_last().ok_or("`case_when` needs arguments")?;
            for pair in pairs.chunks(2) {
                if let [condition, value] = pair {
                    sql.push_str(&format!(" WHEN {condition} THEN {value}"));
                }
            }
            sql.push_str(&format!(" ELSE {otherwise} END"));
            sql
        }
        Function::Concat | Function::SplitPart | Function::AfterFirst | Function::Length => {
            return Err(format!(
                "`{}` has no common SQL; the backend must write it",
                function.dsl_name()
            ));
        }
    })
}

/// Everything after the first `delimiter` in `text`: with the delimiter
/// appended, it is always found, so text without one gives empty text and
/// NULL stays NULL. `position` and `length` are the backend's character
/// functions (`STRPOS`/`CHAR_LENGTH`, `INSTR`/`LENGTH`).
pub fn after_first(text: &str, delimiter: &str, position: &str, length: &str) -> String {
    format!(
        "SUBSTR({text}, {position}({text} || {delimiter}, {delimiter}) + {length}({delimiter}))"
    )
}

fn column_definition<D: Dialect + ?Sized>(dialect: &D, column: &Column) -> Result<String, String> {
    let mut sql = format!(
        "{} {}",
        quote_ident(&column.name),
        dialect.column_type(column.ty)
    );
    if !column.nullable {
        sql.push_str(" NOT NULL");
    }
    if let Some(default) = &column.default {
        sql.push(' ');
        sql.push_str(&dialect.default_clause(default, column.ty)?);
    }
    Ok(sql)
}

fn action(action: RefAction) -> &'static str {
    match action {
        RefAction::NoAction => "NO ACTION",
        RefAction::Restrict => "RESTRICT",
        RefAction::Cascade => "CASCADE",
        RefAction::SetNull => "SET NULL",
        RefAction::SetDefault => "SET DEFAULT",
    }
}

/// `CONSTRAINT "name" FOREIGN KEY (..) REFERENCES "t" (..) ON DELETE ..`.
pub fn foreign_key_clause(key: &ForeignKey) -> String {
    let mut sql = format!(
        "CONSTRAINT {} FOREIGN KEY ({}) REFERENCES {} ({})",
        quote_ident(&key.name),
        ident_list(&key.columns),
        quote_ident(&key.ref_table),
        ident_list(&key.ref_columns)
    );
    if key.on_delete != RefAction::NoAction {
        sql.push_str(&format!(" ON DELETE {}", action(key.on_delete)));
    }
    if key.on_update != RefAction::NoAction {
        sql.push_str(&format!(" ON UPDATE {}", action(key.on_update)));
    }
    sql
}

/// `CREATE TABLE` with every column and constraint, under the name `name`.
pub fn create_table<D: Dialect + ?Sized>(
    dialect: &D,
    table: &Table,
    name: &str,
) -> Result<String, String> {
    let mut parts = Vec::new();
    for column in table.columns.iter() {
        parts.push(dialect.column_definition(column)?);
    }
    if !table.primary_key.is_empty() && !dialect.primary_key_inline(table) {
        parts.push(format!(
            "CONSTRAINT {} PRIMARY KEY ({})",
            quote_ident(&format!("{}_pkey", table.name)),
            ident_list(&table.primary_key)
        ));
    }
    for unique in table.uniques.iter() {
        parts.push(format!(
            "CONSTRAINT {} UNIQUE ({})",
            quote_ident(&unique.name),
            ident_list(&unique.columns)
        ));
    }
    for check in table.checks.iter() {
        parts.push(format!(
            "CONSTRAINT {} CHECK ({})",
            quote_ident(&check.name),
            dialect.check_condition(&check.condition, table)?
        ));
    }
    for key in table.foreign_keys.iter() {
        parts.push(foreign_key_clause(key));
    }
    Ok(format!(
        "CREATE TABLE {} (\n    {}\n)",
        quote_ident(name),
        parts.join(",\n    ")
    ))
}

/// `CREATE [UNIQUE] INDEX [CONCURRENTLY] .. [WHERE condition]`, a partial
/// index's condition evaluated on a row of `table`, the indexed table.
pub fn create_index<D: Dialect + ?Sized>(
    dialect: &D,
    index: &Index,
    table: &Table,
    concurrently: bool,
) -> Result<String, String> {
    let mut sql = format!(
        "CREATE {}INDEX {}{} ON {} ({})",
        if index.unique { "UNIQUE " } else { "" },
        if concurrently { "CONCURRENTLY " } else { "" },
        quote_ident(&index.name),
        quote_ident(&index.table),
        ident_list(&index.columns)
    );
    if let Some(condition) = &index.predicate {
        let condition = dialect
            .index_condition(condition, table)
            .map_err(|error| format!("index `{}`: {error}", index.name))?;
        sql.push_str(&format!(" WHERE {condition}"));
    }
    Ok(sql)
}

/// `value`, over a row of `row`, as written into its column `column`.
pub fn assigned_to<D: Dialect + ?Sized>(
    dialect: &D,
    value: &Expr,
    row: &Table,
    column: &str,
) -> Result<String, String> {
    let target = row
        .column(column)
        .ok_or_else(|| format!("table `{}` has no column `{column}`", row.name))?;
    dialect.assigned(value, row, target.ty)
}

/// The rows of one batch of a batched backfill: those whose single-column
/// `key` is after `after` (when given) and at most `upto` (when given). The
/// bounds are text literals the database converts to the key's type.
pub struct KeyRange<'a> {
    /// The key column.
    pub key: &'a str,
    /// The last key of the batch before, if any.
    pub after: Option<&'a str>,
    /// The last key of this batch; `None` for the last batch.
    pub upto: Option<&'a str>,
}

/// A backfill's `UPDATE table SET column = value [WHERE ..]` on a database
/// whose schema is `before`, limited to the batch `range` when given, the
/// expressions evaluated on each row of the table.
pub fn backfill<D: Dialect + ?Sized>(
    dialect: &D,
    op: &Op,
    before: &Schema,
    range: Option<&KeyRange>,
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
    let row = self::table(before, table)?;
    let mut conditions = Vec::new();
    if let Some(range) = range {
        if let Some(after) = range.after {
            conditions.push(format!(
                "{} > {}",
                quote_ident(range.key),
                quote_text(after)
            ));
        }
        if let Some(upto) = range.upto {
            conditions.push(format!(
                "{} <= {}",
                quote_ident(range.key),
                quote_text(upto)
            ));
        }
    }
    if let Some(condition) = only_where {
        conditions.push(expr(dialect, condition, row)?);
    }
    let mut sql = format!(
        "UPDATE {} SET {} = {}",
        quote_ident(&row.name),
        quote_ident(column),
        assigned_to(dialect, value, row, column)?
    );
    if !conditions.is_empty() {
        sql.push_str(&format!(" WHERE {}", conditions.join(" AND ")));
    }
    Ok(sql)
}

/// What a Rust step is in SQL: a comment saying it runs only through the
/// runner (SQL cannot call Rust), so offline SQL shows where it belongs.
pub fn rust_step_note(function: &str) -> String {
    format!(
        "-- Rust step `{function}`: runs only through the runner or an AnyConnection, not as SQL"
    )
}
