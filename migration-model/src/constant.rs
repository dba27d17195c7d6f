//! Literals alone, computed as PostgreSQL computes them when it plans a
//! statement.
//!
//! PostgreSQL replaces every part of an expression made of literals alone by
//! its value before it reads a row, so `2147483647 + 1` fails a statement
//! that writes no row at all, and a literal written into a column is checked
//! against the column's type at once. SQLite computes the same parts row by
//! row and fails only on a row. Computing them here turns those failures
//! into compile errors, the same for both backends.
//!
//! The folding follows PostgreSQL's planner (`eval_const_expressions`): the
//! arguments of a call are computed before the call; a `CASE` arm whose
//! condition is known to be false is left alone, and so is everything after
//! a condition known to be true; `COALESCE` stops at its first constant that
//! is not NULL; `AND` stops at a constant false, `OR` at a constant true.

use crate::expr::{Expr, ExprError, Function, Literal};
use crate::table::{Column, Table};
use crate::types::SqlType;

/// What PostgreSQL knows of a value when it plans a statement.
#[derive(Clone, Debug, PartialEq)]
pub enum Constant {
    /// Known only on a row: it reads a column, or is computed by what is not folded here.
    Unknown,
    /// NULL.
    Null,
    /// A boolean.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A `double`.
    Float(f64),
    /// A text.
    Text(String),
}

/// Why a part made of literals alone fails on PostgreSQL and not on SQLite.
const PLANNED: &str = "PostgreSQL computes literals alone when it plans the statement, \
                       so it would fail even with no row to write, where SQLite fails only on a row";

/// The smallest and largest value of an integer type.
pub fn integer_range(ty: SqlType) -> Option<(i64, i64)> {
    match ty {
        SqlType::SmallInt => Some((i16::MIN.into(), i16::MAX.into())),
        SqlType::Integer => Some((i32::MIN.into(), i32::MAX.into())),
        SqlType::BigInt => Some((i64::MIN, i64::MAX)),
        _ => None,
    }
}

/// `ty` with its range, for messages: `integer() (-2147483648 to 2147483647)`.
fn with_range(ty: SqlType) -> String {
    match integer_range(ty) {
        Some((min, max)) => format!("{ty} ({min} to {max})"),
        None => ty.to_string(),
    }
}

impl Expr {
    /// The type of this expression on a row of `table`, once its parts made
    /// of literals alone are computed as PostgreSQL computes them when it
    /// plans the statement: an error when one of them fails there.
    pub fn checked_type_in(&self, table: &Table) -> Result<Option<SqlType>, ExprError> {
        let ty = self.type_in(table)?;
        self.constant_in(table)?;
        Ok(ty)
    }

    /// The value PostgreSQL gives this expression when it plans a statement
    /// over a row of `table` ([`Constant::Unknown`] when it depends on the
    /// row), or the error it fails with there. The expression must be well
    /// typed ([`Expr::type_in`]).
    pub fn constant_in(&self, table: &Table) -> Result<Constant, ExprError> {
        match self {
            Expr::Column(_) => Ok(Constant::Unknown),
            Expr::Literal(literal) => Ok(match literal {
                Literal::Null => Constant::Null,
                Literal::Bool(value) => Constant::Bool(*value),
                Literal::Int(value) => Constant::Int(*value),
                Literal::Float(value) => Constant::Float(*value),
                Literal::Text(text) => Constant::Text(text.to_string()),
            }),
            Expr::Call(Function::And, args) => logic(args, table, false),
            Expr::Call(Function::Or, args) => logic(args, table, true),
            Expr::Call(Function::Coalesce, args) => coalesce(args, table),
            Expr::Call(Function::Case, args) => case(args, table),
            Expr::Call(function, args) => {
                let mut values = Vec::with_capacity(args.len());
                for (index, arg) in args.iter().enumerate() {
                    values.push(arg.constant_in(table).map_err(|e| e.within(index))?);
                }
                call(self, *function, &values, table)
            }
        }
    }
}

/// Checks that `value`, written into `column` of a row of `table`, fits the
/// column's range when PostgreSQL knows it at plan time (it checks it then,
/// where SQLite would store a wider integer or fail only on a row).
pub fn check_assigned(value: &Expr, table: &Table, column: &Column) -> Result<(), ExprError> {
    let Constant::Int(written) = value.constant_in(table)? else {
        return Ok(());
    };
    match integer_range(column.ty) {
        Some((min, max)) if !(min..=max).contains(&written) => Err(ExprError::at(format!(
            "{written} is past the range of {}, the type of `{}.{}`: PostgreSQL converts it \
             when it plans the statement, so it would fail even with no row to write, where SQLite \
             fails only on a row",
            with_range(column.ty),
            table.name,
            column.name
        ))),
        _ => Ok(()),
    }
}

/// `AND` (`stop_at` false) or `OR` (`stop_at` true), with SQL's three values.
fn logic(args: &[Expr], table: &Table, stop_at: bool) -> Result<Constant, ExprError> {
    let mut result = Constant::Bool(!stop_at);
    for (index, arg) in args.iter().enumerate() {
        match arg.constant_in(table).map_err(|e| e.within(index))? {
            Constant::Bool(value) if value == stop_at => return Ok(Constant::Bool(stop_at)),
            Constant::Bool(_) => {}
            Constant::Null if result != Constant::Unknown => result = Constant::Null,
            _ => result = Constant::Unknown,
        }
    }
    Ok(result)
}

/// The first argument that is not NULL: PostgreSQL computes none after the
/// first constant that is not NULL.
fn coalesce(args: &[Expr], table: &Table) -> Result<Constant, ExprError> {
    let mut known = true;
    for (index, arg) in args.iter().enumerate() {
        match arg.constant_in(table).map_err(|e| e.within(index))? {
            Constant::Null => {}
            Constant::Unknown => known = false,
            value => return Ok(if known { value } else { Constant::Unknown }),
        }
    }
    Ok(if known {
        Constant::Null
    } else {
        Constant::Unknown
    })
}

/// `CASE`: an arm whose condition is known to be false (or NULL) is never
/// computed, nor anything after a condition known to be true.
fn case(args: &[Expr], table: &Table) -> Result<Constant, ExprError> {
    let mut known = true;
    let pairs = args.len() / 2;
    for pair in 0..pairs {
        let (condition, value) = (pair * 2, pair * 2 + 1);
        let fold = |index: usize| args[index].constant_in(table).map_err(|e| e.within(index));
        match fold(condition)? {
            Constant::Bool(false) | Constant::Null => {}
            Constant::Bool(true) => {
                let value = fold(value)?;
                return Ok(if known { value } else { Constant::Unknown });
            }
            _ => {
                fold(value)?;
                known = false;
            }
        }
    }
    let Some(otherwise) = args.len().checked_sub(1) else {
        return Ok(Constant::Unknown);
    };
    let value = args[otherwise]
        .constant_in(table)
        .map_err(|e| e.within(otherwise))?;
    Ok(if known { value } else { Constant::Unknown })
}

/// The value of `function` over the constants `values` (`whole` is the call).
fn call(
    whole: &Expr,
    function: Function,
    values: &[Constant],
    table: &Table,
) -> Result<Constant, ExprError> {
    use Constant::{Bool, Float, Int, Null, Text, Unknown};
    use Function::*;
    let value = match (function, values) {
        (Add | Sub | Mul | Div, [a, b]) => match (a, b) {
            (Null, _) | (_, Null) => Null,
            (Int(a), Int(b)) => match whole.type_in(table) {
                Ok(Some(ty)) if ty.is_integer() => arithmetic(function, *a, *b, ty)?,
                _ => Unknown,
            },
            (Int(_) | Float(_), Int(_) | Float(_)) => double_arithmetic(function, a, b)?,
            _ => Unknown,
        },
        (Cast(to), [value]) => cast(value, to)?,
        (Length, [Null]) => Null,
        (Length, [Text(text)]) => Int(i64::try_from(text.chars().count()).unwrap_or(i64::MAX)),
        (Eq | Ne | Lt | Le | Gt | Ge, [a, b]) => {
            let order = match (a, b) {
                (Null, _) | (_, Null) => return Ok(Null),
                (Int(a), Int(b)) => a.cmp(b),
                // Text compares by code point on every backend.
                (Text(a), Text(b)) => a.cmp(b),
                (Bool(a), Bool(b)) => a.cmp(b),
                _ => return Ok(Unknown),
            };
            Bool(match function {
                Eq => order.is_eq(),
                Ne => order.is_ne(),
                Lt => order.is_lt(),
                Le => order.is_le(),
                Gt => order.is_gt(),
                _ => order.is_ge(),
            })
        }
        (Not, [Bool(value)]) => Bool(!value),
        (Not, [Null]) => Null,
        (IsNull | IsNotNull, [value]) if *value != Unknown => {
            Bool((*value == Null) == (function == IsNull))
        }
        _ => Unknown,
    };
    Ok(value)
}

/// `a op b` in `ty`, or PostgreSQL's failure past its range. `/` by zero
/// is NULL, as the toolkit writes it.
fn arithmetic(function: Function, a: i64, b: i64, ty: SqlType) -> Result<Constant, ExprError> {
    let (wide_a, wide_b) = (i128::from(a), i128::from(b));
    let exact = match function {
        Function::Add => wide_a + wide_b,
        Function::Sub => wide_a - wide_b,
        Function::Mul => wide_a * wide_b,
        _ if b == 0 => return Ok(Constant::Null),
        _ => wide_a / wide_b,
    };
    if let Some(value) = fits(exact, ty) {
        return Ok(Constant::Int(value));
    }
    let operand = |n: i64| {
        if n < 0 {
            format!("({n})")
        } else {
            n.to_string()
        }
    };
    let written = format!("{a} {} {}", function.dsl_name(), operand(b));
    let hint = if ty == SqlType::BigInt {
        String::new()
    } else {
        format!(
            "; compute it in bigint(): `cast({a}, bigint()) {} {}`",
            function.dsl_name(),
            operand(b)
        )
    };
    Err(ExprError::at(format!(
        "`{written}` is past the range of {}: {PLANNED}{hint}",
        with_range(ty)
    )))
}

/// `a op b` in `double precision`, where one of them is a `double`, or
/// PostgreSQL's failure: an infinite result from finite operands
/// (`value out of range: overflow`), a zero product or quotient of nonzero
/// ones (`value out of range: underflow`). `/` by zero is NULL, as the
/// toolkit writes it.
fn double_arithmetic(
    function: Function,
    a: &Constant,
    b: &Constant,
) -> Result<Constant, ExprError> {
    // An integer operand is converted to `double precision` first, as
    // PostgreSQL converts it (rounding past 2^53).
    let number = |value: &Constant| match value {
        Constant::Int(n) => (*n as f64, n.to_string()),
        Constant::Float(x) => (*x, format!("{x:?}")),
        _ => (f64::NAN, String::new()),
    };
    let ((x, written_x), (y, written_y)) = (number(a), number(b));
    let result = match function {
        Function::Add => x + y,
        Function::Sub => x - y,
        Function::Mul => x * y,
        _ if y == 0.0 => return Ok(Constant::Null),
        _ => x / y,
    };
    let scales = matches!(function, Function::Mul | Function::Div);
    let failure = if result.is_infinite() {
        "overflow"
    } else if scales && result == 0.0 && x != 0.0 && y != 0.0 {
        "underflow"
    } else {
        return Ok(Constant::Float(result));
    };
    let written_y = if y < 0.0 {
        format!("({written_y})")
    } else {
        written_y
    };
    Err(ExprError::at(format!(
        "`{written_x} {} {written_y}` is past the range of double() (value out of range: {failure}): {PLANNED}",
        function.dsl_name()
    )))
}

/// `value` when it is within the range of `ty`.
fn fits(value: i128, ty: SqlType) -> Option<i64> {
    let (min, max) = integer_range(ty)?;
    i64::try_from(value)
        .ok()
        .filter(|v| (min..=max).contains(v))
}

/// `cast(value, to)` as PostgreSQL computes it, when `to` is an integer
/// type (or text, which a later cast may read).
fn cast(value: &Constant, to: SqlType) -> Result<Constant, ExprError> {
    let (number, written) = match value {
        Constant::Null => return Ok(Constant::Null),
        Constant::Int(n) if to.is_integer() => (i128::from(*n), n.to_string()),
        Constant::Text(text) if to.is_integer() => match parse_integer(text) {
            Some(n) => (n, format!("{text:?}")),
            None => {
                return Err(ExprError::at(format!(
                    "`cast({text:?}, {to})` fails: invalid input for type {}: {text:?}; {PLANNED}",
                    type_name(to)
                )));
            }
        },
        Constant::Int(n) if to == SqlType::Text => return Ok(Constant::Text(n.to_string())),
        Constant::Text(text) if to == SqlType::Text => return Ok(Constant::Text(text.clone())),
        _ => return Ok(Constant::Unknown),
    };
    fits(number, to).map(Constant::Int).ok_or_else(|| {
        ExprError::at(format!(
            "`cast({written}, {to})` is past the range of {}: {PLANNED}",
            with_range(to)
        ))
    })
}

/// PostgreSQL's name for an integer type, as its errors write it.
fn type_name(ty: SqlType) -> &'static str {
    match ty {
        SqlType::SmallInt => "smallint",
        SqlType::Integer => "integer",
        _ => "bigint",
    }
}

/// An integer as PostgreSQL reads it from text: spaces around, one optional
/// sign, decimal digits. `None` when the text is not one; a value past 64
/// bits saturates (it is past every integer type's range).
fn parse_integer(text: &str) -> Option<i128> {
    let trimmed = text.trim_matches([' ', '\t', '\n', '\u{b}', '\u{c}', '\r']);
    let (negative, digits) = match trimmed.as_bytes().first() {
        Some(b'-') => (true, &trimmed[1..]),
        Some(b'+') => (false, &trimmed[1..]),
        _ => (false, trimmed),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let magnitude = digits.parse::<i128>().unwrap_or(i128::MAX);
    Some(if negative { -magnitude } else { magnitude })
}

#[cfg(test)]
mod tests {
    use super::{Constant, check_assigned};
    use crate::test_tables::{column, table};
    use crate::{Expr, Function, Literal, SqlType, Table};

    fn counters() -> Table {
        table(
            "counters",
            &[
                ("s", SqlType::SmallInt),
                ("i", SqlType::Integer),
                ("flag", SqlType::Bool),
            ],
        )
    }

    fn col(name: &str) -> Expr {
        Expr::Column(name.to_owned().into())
    }

    fn int(value: i64) -> Expr {
        Expr::Literal(Literal::Int(value))
    }

    fn text(value: &str) -> Expr {
        Expr::Literal(Literal::Text(value.to_owned().into()))
    }

    fn boolean(value: bool) -> Expr {
        Expr::Literal(Literal::Bool(value))
    }

    fn null() -> Expr {
        Expr::Literal(Literal::Null)
    }

    fn call(function: Function, args: Vec<Expr>) -> Expr {
        Expr::Call(function, args.into())
    }

    fn add(a: Expr, b: Expr) -> Expr {
        call(Function::Add, vec![a, b])
    }

    fn overflow() -> Expr {
        add(int(2_147_483_647), int(1))
    }

    /// The value, or the path and message of the failure.
    fn fold(value: &Expr) -> Result<Constant, (Vec<usize>, String)> {
        value
            .checked_type_in(&counters())
            .map_err(|e| (e.path.clone(), e.message.clone()))?;
        value
            .constant_in(&counters())
            .map_err(|e| (e.path, e.message))
    }

    fn fails_at(value: &Expr) -> Vec<usize> {
        match fold(value) {
            Err((path, _)) => path,
            Ok(constant) => panic!("{value:?} gave {constant:?}"),
        }
    }

    /// As PostgreSQL 15 plans them (checked with `UPDATE .. WHERE false`).
    #[test]
    fn literals_alone_are_computed_in_their_postgresql_type() {
        let (path, message) = fold(&overflow()).expect_err("past integer");
        assert!(path.is_empty());
        assert!(
            message.starts_with(
                "`2147483647 + 1` is past the range of integer() (-2147483648 to 2147483647)"
            ),
            "{message}"
        );
        assert_eq!(
            fold(&add(int(2_147_483_646), int(1))),
            Ok(Constant::Int(2_147_483_647))
        );
        assert_eq!(
            fold(&add(int(2_147_483_648), int(1))),
            Ok(Constant::Int(2_147_483_649)),
            "a literal past integer is a bigint"
        );
        assert_eq!(fails_at(&add(col("i"), overflow())), vec![1]);
        assert_eq!(fold(&add(col("i"), int(1))), Ok(Constant::Unknown));
        let small = |n| call(Function::Cast(SqlType::SmallInt), vec![int(n)]);
        assert_eq!(fails_at(&add(small(32_767), small(1))), Vec::<usize>::new());
        assert_eq!(fold(&add(small(32_767), int(1))), Ok(Constant::Int(32_768)));
        let divide = |a, b| call(Function::Div, vec![int(a), int(b)]);
        assert_eq!(fold(&divide(7, 0)), Ok(Constant::Null));
        assert_eq!(fold(&divide(-7, 2)), Ok(Constant::Int(-3)));
        let (_, message) = fold(&divide(-2_147_483_648, -1)).expect_err("past integer");
        assert!(message.starts_with("`-2147483648 / (-1)`"), "{message}");
        let length = call(Function::Length, vec![text("abc")]);
        assert!(fold(&add(length, int(2_147_483_645))).is_err());
        assert_eq!(fails_at(&add(null(), overflow())), vec![1]);
        assert_eq!(fold(&add(null(), int(1))), Ok(Constant::Null));
    }

    /// As PostgreSQL 15 plans them, a fractional literal cast to `double
    /// precision` as the toolkit writes it.
    #[test]
    fn double_literals_alone_fail_on_overflow_and_underflow() {
        let float = |value: f64| Expr::Literal(Literal::Float(value));
        let (path, message) =
            fold(&call(Function::Mul, vec![float(1e308), int(10)])).expect_err("past double");
        assert!(path.is_empty());
        assert!(
            message.starts_with(
                "`1e308 * 10` is past the range of double() (value out of range: overflow)"
            ),
            "{message}"
        );
        let (_, message) =
            fold(&call(Function::Mul, vec![float(1e-308), float(1e-308)])).expect_err("underflows");
        assert!(
            message.contains("(value out of range: underflow)"),
            "{message}"
        );
        let (_, message) =
            fold(&call(Function::Sub, vec![float(-1e308), float(1e308)])).expect_err("past double");
        assert!(message.starts_with("`-1e308 - 1e308`"), "{message}");
        assert_eq!(
            fold(&call(Function::Mul, vec![float(1.5), int(2)])),
            Ok(Constant::Float(3.0))
        );
        assert_eq!(
            fold(&call(Function::Div, vec![float(1e308), int(0)])),
            Ok(Constant::Null)
        );
        assert_eq!(
            fails_at(&add(
                col("i"),
                call(Function::Add, vec![float(1e308), float(1e308)])
            )),
            vec![1]
        );
    }

    #[test]
    fn casts_of_literals_are_checked_as_postgresql_reads_them() {
        let cast = |ty, value| call(Function::Cast(ty), vec![value]);
        assert_eq!(
            fold(&cast(SqlType::Integer, text(" -12\t"))),
            Ok(Constant::Int(-12))
        );
        for bad in ["12abc", "", "+-1", "1 2", "1.5"] {
            let (_, message) = fold(&cast(SqlType::Integer, text(bad))).expect_err(bad);
            assert!(
                message.contains("invalid input for type integer"),
                "{message}"
            );
        }
        let (_, message) = fold(&cast(SqlType::Integer, int(3_000_000_000))).expect_err("range");
        assert!(
            message.starts_with("`cast(3000000000, integer())` is past the range"),
            "{message}"
        );
        assert!(fold(&cast(SqlType::SmallInt, text("40000"))).is_err());
        assert!(fold(&cast(SqlType::BigInt, text("99999999999999999999"))).is_err());
        assert_eq!(
            fold(&cast(SqlType::BigInt, text("-9223372036854775808"))),
            Ok(Constant::Int(i64::MIN))
        );
    }

    /// What PostgreSQL's planner leaves alone is not refused either.
    #[test]
    fn what_postgresql_does_not_compute_is_not_refused() {
        let case = |args| call(Function::Case, args);
        assert!(fold(&case(vec![boolean(true), int(1), overflow()])).is_ok());
        assert!(fold(&case(vec![boolean(false), overflow(), int(1)])).is_ok());
        assert!(fold(&case(vec![null(), overflow(), int(1)])).is_ok());
        assert_eq!(
            fails_at(&case(vec![col("flag"), int(1), overflow()])),
            vec![2]
        );
        let coalesce = |args| call(Function::Coalesce, args);
        assert!(fold(&coalesce(vec![int(1), overflow()])).is_ok());
        assert_eq!(fails_at(&coalesce(vec![col("i"), overflow()])), vec![1]);
        let positive = call(Function::Gt, vec![overflow(), int(0)]);
        let and = |a, b| call(Function::And, vec![a, b]);
        assert!(fold(&and(boolean(false), positive.clone())).is_ok());
        let differ = call(Function::Eq, vec![text("a"), text("b")]);
        assert!(fold(&and(differ, positive.clone())).is_ok());
        assert_eq!(fails_at(&and(positive.clone(), boolean(false))), vec![0, 0]);
        let or = call(Function::Or, vec![boolean(true), positive]);
        assert_eq!(fold(&or), Ok(Constant::Bool(true)));
    }

    #[test]
    fn a_literal_written_into_a_column_fits_its_range() {
        let table = counters();
        let written = |value: Expr, ty| check_assigned(&value, &table, &column("c", ty));
        let error = written(int(3_000_000_000), SqlType::Integer).expect_err("past integer");
        assert!(
            error.message.starts_with(
                "3000000000 is past the range of integer() (-2147483648 to 2147483647), the type of `counters.c`: PostgreSQL converts it"
            ),
            "{}",
            error.message
        );
        assert!(written(int(2_147_483_647), SqlType::Integer).is_ok());
        assert!(written(int(40_000), SqlType::SmallInt).is_err());
        assert!(written(add(int(32_000), int(1_000)), SqlType::SmallInt).is_err());
        assert!(written(int(3_000_000_000), SqlType::BigInt).is_ok());
        assert!(written(col("i"), SqlType::SmallInt).is_ok());
    }
}
