//! Catalog introspection: reads a live database's schema back into the
//! [`Schema`] model, so that a test can compare the schema the simulator
//! predicts with the schema the database really has.
//!
//! ```
//! use diesel::connection::SimpleConnection;
//! use migration_runtime::catalog::{comparable, introspect_sqlite};
//!
//! let mut conn = migration_runtime::testing::sqlite_memory();
//! conn.batch_execute(r#"CREATE TABLE "notes" ("id" INTEGER PRIMARY KEY, "body" TEXT NOT NULL)"#)?;
//! let schema = introspect_sqlite(&mut conn)?;
//! let notes = schema.table("notes").expect("the table was created");
//! assert_eq!(notes.primary_key.as_ref(), ["id"]);
//! # let _ = comparable(&schema);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Only what the model can express is read: a type, default or index the
//! model has no form for (an expression index, a `numeric` without
//! precision, a default calling some other function) is an error rather
//! than a silent approximation. Check conditions cannot be read back as
//! model expressions, so checks are read by name only: compare a simulated
//! and an introspected schema through [`comparable`].
//!
//! A partial index's condition is read as the database's own text of it,
//! held as a text literal (`Expr::Literal(Literal::Text(..))`): PostgreSQL's
//! `pg_get_expr(indpred, indrelid)`, which normalizes what was written
//! (`("deleted_at" IS NULL)` reads back `(deleted_at IS NULL)`), and on
//! SQLite the text after `WHERE` in the index's `CREATE INDEX`, as the
//! renderer wrote it. A model condition is a condition, never a bare text,
//! so the two cannot be confused. Between a simulated and an introspected
//! schema, [`comparable`] compares conditions by presence: an index that
//! lost its condition, or gained one, is a difference. Between two
//! introspected schemas of one backend (a round trip's up, down and up
//! again), [`comparable_introspected`] compares the texts exactly: the same
//! renderer writes the same condition, and the database reads it back the
//! same way.

mod postgres;
mod sqlite;

use std::borrow::Cow;

use migration_model::types::Family;
use migration_model::{ColumnDefault, Expr, Literal, Schema, SqlType};

pub use postgres::introspect_postgres;
pub use sqlite::introspect_sqlite;

/// A copy of `schema` in the form both a simulated and an introspected
/// schema take, so that `migration_model::diff(&comparable(&a), &comparable(&b))`
/// is empty when the database holds the schema the simulator predicts.
///
/// - Every check's condition becomes `NULL`: checks compare by name only.
/// - Every partial index's condition becomes `NULL`: an index compares as
///   partial or not, its condition unread (see the module documentation).
/// - An identity column's type becomes `bigint()`.
/// - A `NULL` default becomes no default.
/// - An integer default of a `double()` or `decimal(..)` column becomes a float.
pub fn comparable(schema: &Schema) -> Schema {
    let mut schema = comparable_introspected(schema);
    for index in &mut schema.indexes {
        if index.predicate.is_some() {
            index.predicate = Some(Expr::Literal(Literal::Null));
        }
    }
    schema
}

/// A copy of `schema`, read from a database, in the form to compare it
/// with another schema read from a database of the same backend: as
/// [`comparable`], except that partial indexes keep the database's text of
/// their conditions, so a changed condition is a difference.
pub fn comparable_introspected(schema: &Schema) -> Schema {
    let mut schema = schema.clone();
    for table in &mut schema.tables {
        for check in table.checks.to_mut() {
            // The catalogs hold the condition as SQL text, which is not parsed back.
            check.condition = Expr::Literal(Literal::Null);
        }
        for column in table.columns.to_mut() {
            match column.default {
                // SQLite's self-assigned key is `INTEGER PRIMARY KEY`, whatever width was asked for.
                Some(ColumnDefault::Identity) => column.ty = SqlType::BigInt,
                // PostgreSQL stores no default for `DEFAULT NULL`; both mean NULL.
                Some(ColumnDefault::Value(Literal::Null)) => column.default = None,
                // PostgreSQL prints a whole float like 1e16 without point or exponent.
                Some(ColumnDefault::Value(Literal::Int(value)))
                    if matches!(column.ty, SqlType::Double | SqlType::Decimal { .. }) =>
                {
                    column.default = Some(ColumnDefault::Value(Literal::Float(value as f64)));
                }
                _ => {}
            }
        }
    }
    schema
}

/// The error for something in the catalog the model cannot express.
fn unsupported(message: String) -> crate::Error {
    crate::Error::Introspection(message)
}

/// The constant `text` (as SQL spells it, without a cast) as a default of a
/// column of type `ty`, or `None` when it is not a constant the model has.
fn literal(text: &str, ty: SqlType) -> Option<Literal> {
    let text = text.trim();
    if let Some(quoted) = unquote(text) {
        // A quoted constant takes its meaning from the column it is cast to.
        return match ty.family() {
            Family::Text => Some(Literal::Text(Cow::Owned(quoted))),
            Family::Number => number(&quoted),
            Family::Bool => boolean(&quoted),
            _ => None,
        };
    }
    if text.eq_ignore_ascii_case("null") {
        return Some(Literal::Null);
    }
    boolean(text).or_else(|| number(text))
}

fn boolean(text: &str) -> Option<Literal> {
    if text.eq_ignore_ascii_case("true") {
        Some(Literal::Bool(true))
    } else if text.eq_ignore_ascii_case("false") {
        Some(Literal::Bool(false))
    } else {
        None
    }
}

fn number(text: &str) -> Option<Literal> {
    let text = text.trim();
    // `f64::from_str` also takes `inf` and `NaN`, which are no SQL number.
    let numeric = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '+' | '-' | '.' | 'e' | 'E'));
    if !numeric {
        return None;
    }
    if let Ok(value) = text.parse::<i64>() {
        return Some(Literal::Int(value));
    }
    text.parse::<f64>()
        .ok()
        .filter(|value| value.is_finite())
        .map(Literal::Float)
}

/// The length of the quoted string `text` starts with (`'..'` or
/// PostgreSQL's `E'..'`), or `None` when it does not start with one.
fn quoted_len(text: &str) -> Option<usize> {
    let escapes = text.starts_with(['E', 'e']);
    let start = if escapes { 1 } else { 0 };
    let bytes = text.as_bytes();
    if bytes.get(start) != Some(&b'\'') {
        return None;
    }
    let mut at = start + 1;
    while at < bytes.len() {
        match bytes[at] {
            b'\\' if escapes => at += 2,
            b'\'' if bytes.get(at + 1) == Some(&b'\'') => at += 2,
            b'\'' => return Some(at + 1),
            _ => at += 1,
        }
    }
    None
}

/// The value of `text` when it is exactly one quoted string.
fn unquote(text: &str) -> Option<String> {
    if quoted_len(text)? != text.len() {
        return None;
    }
    let escapes = text.starts_with(['E', 'e']);
    let inner = &text[if escapes { 2 } else { 1 }..text.len() - 1];
    let mut value = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            // Only the escapes PostgreSQL writes itself when it prints a constant.
            '\\' if escapes => value.extend(chars.next()),
            '\'' => value.extend(chars.next()),
            c => value.push(c),
        }
    }
    Some(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constants_read_back_as_the_literals_the_renderer_wrote() {
        let text = SqlType::Varchar(20);
        assert_eq!(literal("'it''s'", text), Some(Literal::Text("it's".into())));
        assert_eq!(literal("''", text), Some(Literal::Text("".into())));
        assert_eq!(
            literal(r"E'a\\b'", text),
            Some(Literal::Text(r"a\b".into()))
        );
        assert_eq!(literal("TRUE", SqlType::Bool), Some(Literal::Bool(true)));
        assert_eq!(literal("false", SqlType::Bool), Some(Literal::Bool(false)));
        assert_eq!(literal("0", SqlType::Integer), Some(Literal::Int(0)));
        assert_eq!(literal("'-1'", SqlType::Integer), Some(Literal::Int(-1)));
        assert_eq!(literal("1.5", SqlType::Double), Some(Literal::Float(1.5)));
        assert_eq!(
            literal("1e300", SqlType::Double),
            Some(Literal::Float(1e300))
        );
        assert_eq!(literal("NULL", SqlType::Text), Some(Literal::Null));
        assert_eq!(literal("inf", SqlType::Double), None);
        assert_eq!(literal("'x' || 'y'", text), None);
        assert_eq!(literal("'2024-01-01'", SqlType::Date), None);
    }

    #[test]
    fn comparable_forgets_what_catalogs_cannot_tell() {
        use migration_model::{Check, Column, List, Table};
        let table = Table {
            name: "t".into(),
            columns: List::Owned(vec![
                Column {
                    name: "id".into(),
                    ty: SqlType::Integer,
                    nullable: false,
                    default: Some(ColumnDefault::Identity),
                },
                Column {
                    name: "note".into(),
                    ty: SqlType::Text,
                    nullable: true,
                    default: Some(ColumnDefault::Value(Literal::Null)),
                },
                Column {
                    name: "ratio".into(),
                    ty: SqlType::Double,
                    nullable: false,
                    default: Some(ColumnDefault::Value(Literal::Int(2))),
                },
            ]),
            primary_key: List::Owned(vec!["id".into()]),
            uniques: List::Borrowed(&[]),
            checks: List::Owned(vec![Check {
                name: "t_ratio_check".into(),
                condition: Expr::Column("ratio".into()),
            }]),
            foreign_keys: List::Borrowed(&[]),
        };
        let schema = comparable(&Schema {
            tables: vec![table],
            indexes: Vec::new(),
        });
        let table = &schema.tables[0];
        assert_eq!(table.columns[0].ty, SqlType::BigInt);
        assert_eq!(table.columns[1].default, None);
        assert_eq!(
            table.columns[2].default,
            Some(ColumnDefault::Value(Literal::Float(2.0)))
        );
        assert_eq!(table.checks[0].condition, Expr::Literal(Literal::Null));
        assert_eq!(table.checks[0].name, "t_ratio_check");
    }
}
