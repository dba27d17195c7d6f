//! The condition of a partial index (`create_index(..).only_where(..)`):
//! what makes one valid, the same on every backend.
//!
//! The database evaluates the condition on every write to the table, from
//! any connection, not only the toolkit's, and each backend restricts what
//! it may call: SQLite only built-in deterministic functions (the toolkit's
//! `unicode_lower`/`unicode_upper`, which `lower`/`upper` render as there,
//! exist only on its own connections, and a connection without them could
//! not write the table at all), PostgreSQL only immutable ones (its
//! `CONCAT` is merely stable). Such calls are refused, as in a check.

use crate::expr::{Expr, Function};
use crate::schema::{SchemaError, Subject};
use crate::table::Table;
use crate::types::{Family, SqlType};

/// Checks `condition` as the condition of index `index` on a row of `table`:
/// its columns exist, it is a condition, and every backend can evaluate it
/// in an index. The error's subject is the sub-expression at fault.
pub fn check(index: &str, condition: &Expr, table: &Table) -> Result<(), SchemaError> {
    let ty = condition
        .checked_type_in(table)
        .map_err(|error| SchemaError {
            subject: Subject::Condition(error.path),
            message: error.message,
        })?;
    if let Some(ty) = ty.filter(|ty| ty.family() != Family::Bool) {
        return Err(SchemaError {
            subject: Subject::Condition(Vec::new()),
            message: format!("the condition of index `{index}` must be a condition, found {ty}"),
        });
    }
    if let Some((path, reason)) =
        unindexable(condition).or_else(|| zone_dependent(condition, table))
    {
        return Err(SchemaError {
            subject: Subject::Condition(path),
            message: format!("the condition of index `{index}` cannot use {reason}"),
        });
    }
    Ok(())
}

/// The first part of `value` PostgreSQL computes through the session's
/// time zone, which makes it not immutable: a comparison (or `coalesce`,
/// `nullif`, `case_when`) of a `timestamptz()` with a `timestamp()` or
/// `date()`, or a cast between a `timestamptz()` and another type. Its path
/// and why, as [`unindexable`] gives them.
fn zone_dependent(value: &Expr, table: &Table) -> Option<(Vec<usize>, &'static str)> {
    let Expr::Call(function, args) = value else {
        return None;
    };
    let type_of = |arg: &Expr| arg.type_in(table).ok().flatten();
    let zoned = |ty: Option<SqlType>| ty == Some(SqlType::TimestampTz);
    let local = |ty: Option<SqlType>| matches!(ty, Some(SqlType::Timestamp | SqlType::Date));
    let mixes = match function {
        Function::Cast(target) => args
            .first()
            .map(type_of)
            .is_some_and(|from| from.is_some() && zoned(from) != zoned(Some(*target))),
        Function::Eq
        | Function::Ne
        | Function::Lt
        | Function::Le
        | Function::Gt
        | Function::Ge
        | Function::Coalesce
        | Function::NullIf
        | Function::Case => {
            let types: Vec<_> = args.iter().map(type_of).collect();
            types.iter().any(|ty| zoned(*ty)) && types.iter().any(|ty| local(*ty))
        }
        _ => false,
    };
    if mixes {
        return Some((
            Vec::new(),
            "a `timestamptz()` with a `timestamp()` or `date()`, or a cast to or from \
             `timestamptz()`: PostgreSQL converts them through the session's time zone, so the \
             result is not immutable, which an index condition must be; compare values of one type",
        ));
    }
    args.iter().enumerate().find_map(|(index, arg)| {
        zone_dependent(arg, table).map(|(mut path, reason)| {
            path.insert(0, index);
            (path, reason)
        })
    })
}

/// The first call in `value` that a backend refuses in an index condition:
/// its path (argument indexes from the root) and why, in a sentence that
/// follows "cannot use".
pub fn unindexable(value: &Expr) -> Option<(Vec<usize>, &'static str)> {
    let reason = match value {
        Expr::Call(Function::Lower | Function::Upper, _) => Some(
            "`lower`/`upper`: SQLite's own LOWER/UPPER fold ASCII letters only, and the toolkit's \
             unicode_lower/unicode_upper, which the database would call on every write, exist only \
             on the toolkit's own connections",
        ),
        Expr::Call(Function::Concat, _) => Some(
            "`concat`: PostgreSQL's CONCAT is not immutable, which a function in an index condition \
             must be; compare the parts instead",
        ),
        _ => None,
    };
    if let Some(reason) = reason {
        return Some((Vec::new(), reason));
    }
    let Expr::Call(_, args) = value else {
        return None;
    };
    args.iter().enumerate().find_map(|(index, arg)| {
        unindexable(arg).map(|(mut path, reason)| {
            path.insert(0, index);
            (path, reason)
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_tables::table;
    use crate::{List, Literal, SqlType};

    fn members() -> Table {
        table(
            "members",
            &[
                ("email", SqlType::Text),
                ("deleted", SqlType::Bool),
                ("starts_at", SqlType::TimestampTz),
                ("ends_at", SqlType::TimestampTz),
                ("booked_at", SqlType::Timestamp),
            ],
        )
    }

    fn call(function: Function, args: Vec<Expr>) -> Expr {
        Expr::Call(function, List::Owned(args))
    }

    #[test]
    fn a_condition_over_the_tables_columns_passes() {
        let condition = call(
            Function::And,
            vec![
                call(Function::IsNotNull, vec![Expr::Column("email".into())]),
                call(Function::Not, vec![Expr::Column("deleted".into())]),
            ],
        );
        assert_eq!(check("i", &condition, &members()), Ok(()));
    }

    #[test]
    fn an_unknown_column_points_at_it() {
        let condition = call(Function::IsNull, vec![Expr::Column("deleted_at".into())]);
        let error = check("i", &condition, &members()).expect_err("no such column");
        assert_eq!(error.subject, Subject::Condition(vec![0]));
        assert!(error.message.contains("deleted_at"), "{}", error.message);
    }

    #[test]
    fn a_value_is_not_a_condition() {
        let error = check("i", &Expr::Column("email".into()), &members())
            .expect_err("text is no condition");
        assert_eq!(error.subject, Subject::Condition(Vec::new()));
        assert!(error.message.contains("found text"), "{}", error.message);
    }

    #[test]
    fn case_folding_is_refused_where_it_is_written() {
        let condition = call(
            Function::Eq,
            vec![
                call(Function::Lower, vec![Expr::Column("email".into())]),
                Expr::Literal(Literal::Text("a@b.c".into())),
            ],
        );
        let error = check("i", &condition, &members()).expect_err("lower is refused");
        assert_eq!(error.subject, Subject::Condition(vec![0]));
        assert!(
            error.message.contains("`lower`/`upper`"),
            "{}",
            error.message
        );
    }

    #[test]
    fn timestamps_of_one_kind_compare_but_not_across_time_zones() {
        let column = |name: &'static str| Expr::Column(name.into());
        let gt = |a: &'static str, b: &'static str| call(Function::Gt, vec![column(a), column(b)]);
        assert_eq!(check("i", &gt("ends_at", "starts_at"), &members()), Ok(()));
        let condition = call(
            Function::And,
            vec![
                call(Function::IsNotNull, vec![column("booked_at")]),
                gt("starts_at", "booked_at"),
            ],
        );
        let error = check("i", &condition, &members()).expect_err("through the time zone");
        assert_eq!(error.subject, Subject::Condition(vec![1]));
        assert!(error.message.contains("time zone"), "{}", error.message);
        let as_text = call(
            Function::Eq,
            vec![
                call(Function::Cast(SqlType::Text), vec![column("starts_at")]),
                Expr::Literal(Literal::Text("2024-01-01".into())),
            ],
        );
        let error = check("i", &as_text, &members()).expect_err("a cast through the time zone");
        assert_eq!(error.subject, Subject::Condition(vec![0]));
    }
}
