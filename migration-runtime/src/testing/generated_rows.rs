//! Rows generated for every table a migration creates, so that a history
//! round-trips over data even without fixtures: several rows of valid typed
//! values with a NULL in every nullable column, empty text, non-ASCII text,
//! quotes and multi-word names.

use migration_model::{ColumnDefault, Expr, Literal, Op, SqlType, Table};

use crate::connection::{AnyConnection, BoxError};
use crate::dialect::quote_ident;
use crate::migration::Migration;

/// How many rows each new table gets.
pub const ROWS: usize = 4;

const TEXTS: [&str; ROWS] = [
    "Ada Lovelace",
    "",
    "Zoë O'Brien \"Jr\"",
    "Jean Claude Van Damme",
];

/// A seed for [`check_round_trip`](super::check_round_trip): after a
/// migration creates tables, fills each with [`ROWS`] generated rows.
/// Foreign keys point at rows of the referenced table; a row a check
/// constraint refuses is left out.
pub fn generated_rows(conn: &mut AnyConnection, migration: &Migration) -> Result<(), BoxError> {
    for op in migration.up() {
        if let Op::CreateTable(table) = op {
            fill(conn, table)?;
        }
    }
    Ok(())
}

fn fill(conn: &mut AnyConnection, table: &Table) -> Result<(), BoxError> {
    let backend = conn.backend();
    for row in 0..ROWS {
        let mut names = Vec::new();
        let mut values = Vec::new();
        for column in table.columns.iter() {
            if column.default == Some(ColumnDefault::Identity)
                || (row == 0 && column.default.is_some())
            {
                continue; // The database's own value (and the default) is part of what is tested.
            }
            let value = match referenced_value(conn, table, &column.name, row)? {
                Some(reference) => reference,
                None if column.nullable && row == 1 => Literal::Null,
                None => generated(column.ty, row),
            };
            names.push(quote_ident(&column.name));
            values.push(backend.render_expr(&Expr::Literal(value), table)?);
        }
        let insert = if names.is_empty() {
            format!("INSERT INTO {} DEFAULT VALUES", quote_ident(&table.name))
        } else {
            format!(
                "INSERT INTO {} ({}) VALUES ({})",
                quote_ident(&table.name),
                names.join(", "),
                values.join(", ")
            )
        };
        // A row that breaks a check or key of the user's is not a finding:
        // the rows that fit are enough to carry the data through the history.
        let _ = conn.batch_execute(&insert);
    }
    Ok(())
}

/// For a column that is part of a foreign key, a value from the referenced
/// table's rows (row `row`, wrapping), as text.
fn referenced_value(
    conn: &mut AnyConnection,
    table: &Table,
    column: &str,
    row: usize,
) -> Result<Option<Literal>, BoxError> {
    let Some((key, position)) = table
        .foreign_keys
        .iter()
        .find_map(|k| k.columns.iter().position(|c| c == column).map(|p| (k, p)))
    else {
        return Ok(None);
    };
    let referenced = quote_ident(&key.ref_columns[position]);
    let values = conn.text_column(&format!(
        "SELECT CAST({referenced} AS TEXT) AS v FROM {} ORDER BY {referenced}",
        quote_ident(&key.ref_table)
    ))?;
    let present: Vec<String> = values.into_iter().flatten().collect();
    Ok(match present.len() {
        0 => Some(Literal::Null),
        n => Some(Literal::Text(present[row % n].clone().into())),
    })
}

fn generated(ty: SqlType, row: usize) -> Literal {
    let n = row + 1;
    match ty {
        SqlType::SmallInt | SqlType::Integer | SqlType::BigInt => Literal::Int(n as i64),
        SqlType::Double => Literal::Float(n as f64 + 0.5),
        SqlType::Decimal { scale, .. } if scale > 0 => Literal::Text(format!("{n}.25").into()),
        SqlType::Decimal { .. } => Literal::Int(n as i64),
        SqlType::Text => Literal::Text(TEXTS[row % ROWS].into()),
        SqlType::Varchar(length) => Literal::Text(
            TEXTS[row % ROWS]
                .chars()
                .take(length as usize)
                .collect::<String>()
                .into(),
        ),
        SqlType::Bool => Literal::Bool(row.is_multiple_of(2)),
        SqlType::Uuid => Literal::Text(format!("00000000-0000-4000-8000-{n:012}").into()),
        SqlType::Date => Literal::Text(format!("2024-01-{n:02}").into()),
        SqlType::Timestamp | SqlType::TimestampTz => {
            Literal::Text(format!("2024-01-{n:02} 12:30:00").into())
        }
        SqlType::Bytes => Literal::Text(format!("\\x{n:02x}").into()),
        SqlType::Json => Literal::Text(format!("{{\"n\": {n}}}").into()),
    }
}
