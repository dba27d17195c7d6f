//! Floating-point arithmetic on SQLite as PostgreSQL does it.
//!
//! PostgreSQL fails `double precision` arithmetic whose result is infinite
//! from finite operands (`value out of range: overflow`), and a product or
//! quotient that rounds to zero from nonzero operands (`value out of range:
//! underflow`). SQLite gives infinity or zero. The SQLite dialect writes
//! `+ - * /` whose result is a `double` as calls to `real_add`, `real_sub`,
//! `real_mul` and `real_div`, which compute in 64-bit floating point, as
//! PostgreSQL does (an integer operand becomes a `double` first), and fail
//! the statement with PostgreSQL's message. NULL gives NULL; `real_div`
//! gives NULL for a zero divisor, as the toolkit's `/` does on every backend.

use diesel::SqliteConnection;
use diesel::serialize::{IsNull, Output, ToSql};
use diesel::sql_types::{Double, Nullable};
use diesel::sqlite::Sqlite;

#[diesel::declare_sql_function]
extern "SQL" {
    /// `a + b` in `double precision`.
    fn real_add(a: Nullable<Double>, b: Nullable<Double>) -> Nullable<Double>;
    /// `a - b` in `double precision`.
    fn real_sub(a: Nullable<Double>, b: Nullable<Double>) -> Nullable<Double>;
    /// `a * b` in `double precision`.
    fn real_mul(a: Nullable<Double>, b: Nullable<Double>) -> Nullable<Double>;
    /// `a / b` in `double precision`; NULL when `b` is 0.
    fn real_div(a: Nullable<Double>, b: Nullable<Double>) -> Nullable<Double>;
}

/// PostgreSQL's error for an infinite result from finite operands.
pub(crate) const OVERFLOW: &str = "value out of range: overflow";
/// PostgreSQL's error for a zero result from nonzero operands.
pub(crate) const UNDERFLOW: &str = "value out of range: underflow";

/// A function's result: a value, NULL, or the message that fails the
/// statement.
#[derive(Debug, PartialEq)]
struct Checked(Result<Option<f64>, &'static str>);

impl ToSql<Nullable<Double>, Sqlite> for Checked {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Sqlite>) -> diesel::serialize::Result {
        match self.0 {
            Ok(Some(value)) => {
                out.set_value(value);
                Ok(IsNull::No)
            }
            Ok(None) => Ok(IsNull::Yes),
            // diesel hands the message to SQLite, which fails the statement
            // with it.
            Err(message) => Err(message.into()),
        }
    }
}

/// The arithmetic operations, each checked as PostgreSQL's `float8`
/// operators check them (`float8_pl`, `float8_mi`, `float8_mul`,
/// `float8_div`).
#[derive(Clone, Copy, Debug)]
enum Operation {
    Add,
    Sub,
    Mul,
    Div,
}

/// `a operation b`: NULL for a NULL operand or a zero divisor; a failure
/// where PostgreSQL fails.
fn checked(operation: Operation, a: Option<f64>, b: Option<f64>) -> Checked {
    let (Some(a), Some(b)) = (a, b) else {
        return Checked(Ok(None));
    };
    let result = match operation {
        Operation::Add => a + b,
        Operation::Sub => a - b,
        Operation::Mul => a * b,
        Operation::Div if b == 0.0 => return Checked(Ok(None)),
        Operation::Div => a / b,
    };
    // An infinite operand may give an infinite result (PostgreSQL lets
    // `'Infinity'` through); only finite ones overflowing fail. A divisor
    // alone never makes the quotient infinite but by being tiny.
    let finite_operands = match operation {
        Operation::Div => a.is_finite(),
        _ => a.is_finite() && b.is_finite(),
    };
    if result.is_infinite() && finite_operands {
        return Checked(Err(OVERFLOW));
    }
    let underflow = result == 0.0
        && match operation {
            Operation::Mul => a != 0.0 && b != 0.0,
            Operation::Div => a != 0.0 && !b.is_infinite(),
            Operation::Add | Operation::Sub => false,
        };
    if underflow {
        return Checked(Err(UNDERFLOW));
    }
    Checked(Ok(Some(result)))
}

/// Defines `real_add`, `real_sub`, `real_mul` and `real_div` on `conn`.
pub(crate) fn register(conn: &mut SqliteConnection) -> diesel::QueryResult<()> {
    real_add_utils::register_impl(conn, |a, b| checked(Operation::Add, a, b))?;
    real_sub_utils::register_impl(conn, |a, b| checked(Operation::Sub, a, b))?;
    real_mul_utils::register_impl(conn, |a, b| checked(Operation::Mul, a, b))?;
    real_div_utils::register_impl(conn, |a, b| checked(Operation::Div, a, b))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{Checked, OVERFLOW, Operation, UNDERFLOW, checked};

    fn value(operation: Operation, a: f64, b: f64) -> Result<Option<f64>, &'static str> {
        checked(operation, Some(a), Some(b)).0
    }

    #[test]
    fn infinite_results_from_finite_operands_overflow() {
        assert_eq!(value(Operation::Mul, 1e308, 10.0), Err(OVERFLOW));
        assert_eq!(value(Operation::Mul, -1e308, 10.0), Err(OVERFLOW));
        assert_eq!(value(Operation::Add, 1e308, 1e308), Err(OVERFLOW));
        assert_eq!(value(Operation::Sub, -1e308, 1e308), Err(OVERFLOW));
        assert_eq!(value(Operation::Div, 1e308, 1e-10), Err(OVERFLOW));
        assert_eq!(value(Operation::Div, 1e308, 0.5), Err(OVERFLOW));
        assert_eq!(value(Operation::Add, 1e308, 7e307), Ok(Some(1.7e308)));
    }

    #[test]
    fn zero_products_and_quotients_of_nonzero_operands_underflow() {
        assert_eq!(value(Operation::Mul, 1e-308, 1e-308), Err(UNDERFLOW));
        assert_eq!(value(Operation::Div, 5e-324, 2.0), Err(UNDERFLOW));
        // Subnormal results are not zero: PostgreSQL keeps them too.
        assert_eq!(value(Operation::Div, 1e-308, 1e10), Ok(Some(1e-318)));
        assert_eq!(value(Operation::Mul, 0.0, 1e-308), Ok(Some(0.0)));
        // A difference of equal numbers is zero, not an underflow.
        assert_eq!(value(Operation::Sub, 1e-308, 1e-308), Ok(Some(0.0)));
    }

    #[test]
    fn infinite_operands_give_infinity_as_on_postgresql() {
        assert_eq!(
            value(Operation::Mul, f64::INFINITY, 2.0),
            Ok(Some(f64::INFINITY))
        );
        assert_eq!(value(Operation::Div, 1.0, f64::INFINITY), Ok(Some(0.0)));
    }

    #[test]
    fn null_and_a_zero_divisor_give_null() {
        assert_eq!(checked(Operation::Add, None, Some(1.0)), Checked(Ok(None)));
        assert_eq!(checked(Operation::Mul, Some(1.0), None), Checked(Ok(None)));
        assert_eq!(value(Operation::Div, 1e308, 0.0), Ok(None));
        assert_eq!(value(Operation::Div, 7.0, 2.0), Ok(Some(3.5)));
    }
}
