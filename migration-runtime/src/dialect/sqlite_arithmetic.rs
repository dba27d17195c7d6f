//! Integer arithmetic on SQLite that fails past its type's range, as on
//! PostgreSQL, where SQLite alone would give a floating-point number.
//!
//! Expressions call the toolkit's checked functions (`int_add("n", 1, 32)`;
//! see `sqlite_integers`). A `CHECK`, which connections without them
//! evaluate too, gets plain SQL instead: the operation, then a `CASE` that
//! fails the statement when the result is past the range. That form repeats
//! the operation, so it stays for checks, which are short.

use migration_model::{Expr, Function, SqlType, Table};

use super::sql::{self, quote_text};
use super::sqlite::{Sqlite, fail};
use crate::sqlite_integers::Width;

/// `+ - * /` over a row of `row` when the result is an integer, checked
/// against its type's range; `None` when it is another number.
pub fn arithmetic(
    dialect: &Sqlite,
    function: Function,
    args: &[Expr],
    row: &Table,
) -> Option<Result<String, String>> {
    let width = match Expr::Call(function, args.to_vec().into()).type_in(row) {
        Ok(ty) => Width::of(ty?)?,
        Err(error) => return Some(Err(error.message)),
    };
    Some(sql::exprs(dialect, args, row).and_then(|rendered| {
        let [a, b] = rendered.as_slice() else {
            return Err(format!("`{}` takes two operands", function.dsl_name()));
        };
        if !dialect.plain {
            let name = match function {
                Function::Add => "int_add",
                Function::Sub => "int_sub",
                Function::Mul => "int_mul",
                _ => "int_div",
            };
            return Ok(format!("{name}({a}, {b}, {})", width.bits()));
        }
        let result = match function {
            Function::Add => format!("({a} + {b})"),
            Function::Sub => format!("({a} - {b})"),
            Function::Mul => format!("({a} * {b})"),
            _ => format!("({a} / NULLIF({b}, 0))"),
        };
        Ok(in_range(&result, width))
    }))
}

/// `value` (SQL of type `from`) as written into a column of type `to`:
/// checked against the column's range when it is a narrower integer type,
/// as PostgreSQL checks it.
pub fn assigned(dialect: &Sqlite, value: String, from: Option<SqlType>, to: SqlType) -> String {
    match (from.and_then(Width::of), Width::of(to)) {
        (Some(from), Some(to)) if from > to && dialect.plain => in_range(&value, to),
        (Some(from), Some(to)) if from > to => format!("int_fit({value}, {})", to.bits()),
        _ => value,
    }
}

/// `result` (SQL computed in 64 bits), or a failure of the statement when it
/// is past the range of `width`. Operands within a narrower type's range
/// never overflow 64 bits; past them, SQLite gives a floating-point number.
fn in_range(result: &str, width: Width) -> String {
    let failure = fail(&quote_text(width.out_of_range()));
    match width {
        Width::Big => {
            format!("(CASE WHEN TYPEOF({result}) = 'real' THEN {failure} ELSE {result} END)")
        }
        _ => {
            let (min, max) = width.range();
            format!(
                "(CASE WHEN {result} NOT BETWEEN {min} AND {max} THEN {failure} ELSE {result} END)"
            )
        }
    }
}
