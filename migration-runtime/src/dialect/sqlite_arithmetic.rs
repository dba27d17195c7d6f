//! Arithmetic on SQLite that fails where PostgreSQL's does: integers past
//! their type's range, where SQLite alone would give a floating-point
//! number, and `double` results that overflow to infinity or underflow to
//! zero, which SQLite alone gives.
//!
//! Expressions call the toolkit's checked functions (`int_add("n", 1, 32)`,
//! `real_mul("x", 10)`; see `sqlite_integers` and `sqlite_reals`). A
//! `CHECK`, which connections without them evaluate too, gets plain SQL
//! instead: the operation, then a `CASE` that fails the statement when the
//! result is past the range (`9e999` is SQLite's infinity). That form
//! repeats the operation and its operands, so it stays for checks, which
//! are short.

use migration_model::{Expr, Function, SqlType, Table};

use super::sql::{self, quote_text};
use super::sqlite::{Sqlite, fail};
use crate::sqlite_integers::Width;
use crate::sqlite_reals::{OVERFLOW, UNDERFLOW};

/// `+ - * /` over a row of `row` when the result is an integer, checked
/// against its type's range, or a `double`, checked for overflow and
/// underflow; `None` when it is another number.
pub fn arithmetic(
    dialect: &Sqlite,
    function: Function,
    args: &[Expr],
    row: &Table,
) -> Option<Result<String, String>> {
    let ty = match Expr::Call(function, args.to_vec().into()).type_in(row) {
        Ok(ty) => ty?,
        Err(error) => return Some(Err(error.message)),
    };
    if ty == SqlType::Double {
        return Some(
            operands(dialect, function, args, row).map(|(a, b)| real(dialect, function, &a, &b)),
        );
    }
    let width = Width::of(ty)?;
    Some(operands(dialect, function, args, row).map(|(a, b)| {
        if !dialect.plain {
            let name = match function {
                Function::Add => "int_add",
                Function::Sub => "int_sub",
                Function::Mul => "int_mul",
                _ => "int_div",
            };
            return format!("{name}({a}, {b}, {})", width.bits());
        }
        in_range(&operation(function, &a, &b), width)
    }))
}

/// The SQL of both operands of `function`.
fn operands(
    dialect: &Sqlite,
    function: Function,
    args: &[Expr],
    row: &Table,
) -> Result<(String, String), String> {
    match sql::exprs(dialect, args, row)?.as_slice() {
        [a, b] => Ok((a.clone(), b.clone())),
        _ => Err(format!("`{}` takes two operands", function.dsl_name())),
    }
}

/// `a function b` in SQLite's own arithmetic; division by zero is NULL.
fn operation(function: Function, a: &str, b: &str) -> String {
    match function {
        Function::Add => format!("({a} + {b})"),
        Function::Sub => format!("({a} - {b})"),
        Function::Mul => format!("({a} * {b})"),
        _ => format!("({a} / NULLIF({b}, 0))"),
    }
}

/// `a function b` in `double precision`, failing where PostgreSQL's
/// `float8` operators fail: an infinite result from finite operands, or
/// (for `*` and `/`) a zero one from nonzero operands.
fn real(dialect: &Sqlite, function: Function, a: &str, b: &str) -> String {
    if !dialect.plain {
        let name = match function {
            Function::Add => "real_add",
            Function::Sub => "real_sub",
            Function::Mul => "real_mul",
            _ => "real_div",
        };
        return format!("{name}({a}, {b})");
    }
    // An integer operand computes as a `double`, as on PostgreSQL (SQLite
    // would divide two integers as integers).
    let (a, b) = (format!("CAST({a} AS REAL)"), format!("CAST({b} AS REAL)"));
    let result = operation(function, &a, &b);
    let finite = |operand: &str| format!("ABS({operand}) < 9e999");
    let overflow = match function {
        Function::Div => finite(&a),
        _ => format!("{} AND {}", finite(&a), finite(&b)),
    };
    let underflow = match function {
        Function::Mul => format!(
            "WHEN {result} = 0 AND {a} <> 0 AND {b} <> 0 THEN {} ",
            fail(&quote_text(UNDERFLOW))
        ),
        Function::Div => format!(
            "WHEN {result} = 0 AND {a} <> 0 AND {} THEN {} ",
            finite(&b),
            fail(&quote_text(UNDERFLOW))
        ),
        _ => String::new(),
    };
    format!(
        "(CASE WHEN ABS({result}) >= 9e999 AND {overflow} THEN {} {underflow}ELSE {result} END)",
        fail(&quote_text(OVERFLOW))
    )
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
