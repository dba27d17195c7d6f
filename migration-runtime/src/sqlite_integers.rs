//! Integer arithmetic on SQLite as PostgreSQL does it.
//!
//! PostgreSQL computes `smallint`, `integer` and `bigint` arithmetic in the
//! wider operand's type and fails past its range (`integer out of range`).
//! SQLite's integers are all 64 bits, and it turns a result past them into
//! a floating-point number. The SQLite dialect writes `+ - * /` between
//! integers as calls to `int_add`, `int_sub`, `int_mul` and `int_div`, and a
//! value written into a narrower integer column through `int_fit`; each
//! takes the width of its type in bits last (`int_add("n", 1, 32)`), checks
//! the result against that type's range, and fails the statement with
//! PostgreSQL's message otherwise. NULL gives NULL; `int_div` gives NULL
//! for a zero divisor, as the toolkit's `/` does on every backend.

use diesel::SqliteConnection;
use diesel::serialize::{IsNull, Output, ToSql};
use diesel::sql_types::{BigInt, Integer, Nullable};
use diesel::sqlite::Sqlite;
use migration_model::SqlType;

#[diesel::declare_sql_function]
extern "SQL" {
    /// `a + b` in the integer type of `bits`.
    fn int_add(a: Nullable<BigInt>, b: Nullable<BigInt>, bits: Integer) -> Nullable<BigInt>;
    /// `a - b` in the integer type of `bits`.
    fn int_sub(a: Nullable<BigInt>, b: Nullable<BigInt>, bits: Integer) -> Nullable<BigInt>;
    /// `a * b` in the integer type of `bits`.
    fn int_mul(a: Nullable<BigInt>, b: Nullable<BigInt>, bits: Integer) -> Nullable<BigInt>;
    /// `a / b` in the integer type of `bits`, truncated; NULL when `b` is 0.
    fn int_div(a: Nullable<BigInt>, b: Nullable<BigInt>, bits: Integer) -> Nullable<BigInt>;
    /// `value` as stored in a column of the integer type of `bits`.
    fn int_fit(value: Nullable<BigInt>, bits: Integer) -> Nullable<BigInt>;
}

/// An integer type, by the width SQLite's functions take.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Width {
    /// `smallint`, 16 bits.
    Small,
    /// `integer`, 32 bits.
    Regular,
    /// `bigint`, 64 bits.
    Big,
}

impl Width {
    /// The width of an integer type; `None` for other types.
    pub(crate) fn of(ty: SqlType) -> Option<Width> {
        match ty {
            SqlType::SmallInt => Some(Width::Small),
            SqlType::Integer => Some(Width::Regular),
            SqlType::BigInt => Some(Width::Big),
            _ => None,
        }
    }

    /// Its number of bits, as the SQL functions take it.
    pub(crate) fn bits(self) -> i32 {
        match self {
            Width::Small => 16,
            Width::Regular => 32,
            Width::Big => 64,
        }
    }

    fn from_bits(bits: i32) -> Option<Width> {
        [Width::Small, Width::Regular, Width::Big]
            .into_iter()
            .find(|width| width.bits() == bits)
    }

    /// The smallest and largest values of the type.
    pub(crate) fn range(self) -> (i64, i64) {
        match self {
            Width::Small => (i16::MIN.into(), i16::MAX.into()),
            Width::Regular => (i32::MIN.into(), i32::MAX.into()),
            Width::Big => (i64::MIN, i64::MAX),
        }
    }

    /// PostgreSQL's error for a result past the type's range.
    pub(crate) fn out_of_range(self) -> &'static str {
        match self {
            Width::Small => "smallint out of range",
            Width::Regular => "integer out of range",
            Width::Big => "bigint out of range",
        }
    }
}

/// Why an integer function failed the statement.
#[derive(Debug, thiserror::Error)]
enum IntegerError {
    /// The result is past the range of its type.
    #[error("{}", .0.out_of_range())]
    OutOfRange(Width),
    /// The SQL asked for a width no integer type has.
    #[error("no integer type is {0} bits wide (16, 32 or 64)")]
    UnknownWidth(i32),
}

/// A function's result: a value, NULL, or the error that fails the statement.
#[derive(Debug)]
struct Checked(Result<Option<i64>, IntegerError>);

impl ToSql<Nullable<BigInt>, Sqlite> for Checked {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Sqlite>) -> diesel::serialize::Result {
        match &self.0 {
            Ok(Some(value)) => {
                out.set_value(*value);
                Ok(IsNull::No)
            }
            Ok(None) => Ok(IsNull::Yes),
            // diesel hands the error's message to SQLite, which fails the
            // statement with it.
            Err(error) => Err(error.to_string().into()),
        }
    }
}

/// `operation` on two operands in the type of `bits`: `None` from the
/// operation means its result is past 64 bits.
fn checked(
    a: Option<i64>,
    b: Option<i64>,
    bits: i32,
    operation: fn(i64, i64) -> Option<Option<i64>>,
) -> Checked {
    Checked(
        Width::from_bits(bits)
            .ok_or(IntegerError::UnknownWidth(bits))
            .and_then(|width| {
                let (Some(a), Some(b)) = (a, b) else {
                    return Ok(None);
                };
                let result = operation(a, b).ok_or(IntegerError::OutOfRange(width))?;
                fit(result, width)
            }),
    )
}

fn fit(value: Option<i64>, width: Width) -> Result<Option<i64>, IntegerError> {
    let (min, max) = width.range();
    match value {
        Some(value) if !(min..=max).contains(&value) => Err(IntegerError::OutOfRange(width)),
        _ => Ok(value),
    }
}

/// Integer division truncates toward zero on both backends; a zero divisor
/// gives NULL, and `i64::MIN / -1` is past 64 bits.
fn divide(a: i64, b: i64) -> Option<Option<i64>> {
    if b == 0 {
        Some(None)
    } else {
        a.checked_div(b).map(Some)
    }
}

/// Defines `int_add`, `int_sub`, `int_mul`, `int_div` and `int_fit` on `conn`.
pub(crate) fn register(conn: &mut SqliteConnection) -> diesel::QueryResult<()> {
    int_add_utils::register_impl(conn, |a, b, bits| {
        checked(a, b, bits, |a, b| a.checked_add(b).map(Some))
    })?;
    int_sub_utils::register_impl(conn, |a, b, bits| {
        checked(a, b, bits, |a, b| a.checked_sub(b).map(Some))
    })?;
    int_mul_utils::register_impl(conn, |a, b, bits| {
        checked(a, b, bits, |a, b| a.checked_mul(b).map(Some))
    })?;
    int_div_utils::register_impl(conn, |a, b, bits| checked(a, b, bits, divide))?;
    int_fit_utils::register_impl(conn, |value: Option<i64>, bits: i32| {
        Checked(
            Width::from_bits(bits)
                .ok_or(IntegerError::UnknownWidth(bits))
                .and_then(|width| fit(value, width)),
        )
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{Checked, checked, divide};

    fn value(result: Checked) -> Result<Option<i64>, String> {
        result.0.map_err(|error| error.to_string())
    }

    #[test]
    fn results_past_the_type_fail_with_postgresql_message() {
        let add = |a: i64, b: i64| a.checked_add(b).map(Some);
        let multiply = |a: i64, b: i64| a.checked_mul(b).map(Some);
        assert_eq!(
            value(checked(Some(32766), Some(1), 16, add)),
            Ok(Some(32767))
        );
        let smallint = Err("smallint out of range".to_owned());
        assert_eq!(value(checked(Some(32767), Some(1), 16, add)), smallint);
        assert_eq!(
            value(checked(Some(32767), Some(1), 32, add)),
            Ok(Some(32768))
        );
        let integer = Err("integer out of range".to_owned());
        assert_eq!(
            value(checked(Some(65536), Some(32768), 32, multiply)),
            integer
        );
        let bigint = Err("bigint out of range".to_owned());
        assert_eq!(value(checked(Some(i64::MAX), Some(1), 64, add)), bigint);
        assert_eq!(value(checked(Some(i64::MIN), Some(-1), 64, divide)), bigint);
        assert_eq!(value(checked(Some(-32768), Some(-1), 16, divide)), smallint);
    }

    #[test]
    fn null_and_a_zero_divisor_give_null() {
        assert_eq!(value(checked(None, Some(1), 32, divide)), Ok(None));
        assert_eq!(value(checked(Some(1), None, 32, divide)), Ok(None));
        assert_eq!(value(checked(Some(7), Some(0), 32, divide)), Ok(None));
        assert_eq!(value(checked(Some(-7), Some(2), 32, divide)), Ok(Some(-3)));
    }

    #[test]
    fn a_width_no_type_has_is_refused() {
        let result = checked(Some(1), Some(1), 8, |a, b| a.checked_add(b).map(Some));
        assert_eq!(
            value(result),
            Err("no integer type is 8 bits wide (16, 32 or 64)".to_owned())
        );
    }
}
