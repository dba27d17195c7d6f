//! PostgreSQL: the `public` schema, read from `pg_catalog` (which, unlike
//! `information_schema`, keeps key columns in key order and tells which
//! indexes back a constraint).

use std::borrow::Cow;

use diesel::sql_types::{Array, Bool, Nullable, Text};
use diesel::{PgConnection, QueryableByName, RunQueryDsl};
use migration_model::{
    Check, Column, ColumnDefault, Expr, ForeignKey, Index, List, Literal, RefAction, Schema,
    SqlType, Table, Unique,
};

use super::unsupported;
use crate::Error;

/// Whether `table` is bookkeeping rather than part of the schema.
fn ignored(table: &str) -> bool {
    table == "__diesel_schema_migrations" || table.starts_with("__migration")
}

#[derive(QueryableByName)]
struct TableRow {
    #[diesel(sql_type = Text)]
    name: String,
}

const TABLES: &str = "\
    SELECT c.relname::text AS name \
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
    WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') \
    ORDER BY c.oid";

#[derive(QueryableByName)]
struct ColumnRow {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    data_type: String,
    #[diesel(sql_type = Bool)]
    not_null: bool,
    #[diesel(sql_type = Bool)]
    identity: bool,
    #[diesel(sql_type = Nullable<Text>)]
    default_expr: Option<String>,
}

const COLUMNS: &str = "\
    SELECT c.relname::text AS table_name, a.attname::text AS name, \
           format_type(a.atttypid, a.atttypmod) AS data_type, a.attnotnull AS not_null, \
           a.attidentity <> '' AS identity, pg_get_expr(d.adbin, d.adrelid) AS default_expr \
    FROM pg_attribute a \
    JOIN pg_class c ON c.oid = a.attrelid \
    JOIN pg_namespace n ON n.oid = c.relnamespace \
    LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum \
    WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped \
    ORDER BY c.relname, a.attnum";

#[derive(QueryableByName)]
struct ConstraintRow {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    kind: String,
    #[diesel(sql_type = Array<Text>)]
    columns: Vec<String>,
    #[diesel(sql_type = Nullable<Text>)]
    ref_table: Option<String>,
    #[diesel(sql_type = Array<Text>)]
    ref_columns: Vec<String>,
    #[diesel(sql_type = Text)]
    on_delete: String,
    #[diesel(sql_type = Text)]
    on_update: String,
}

// Key columns are unnested WITH ORDINALITY: `conkey` is in key order, and
// a primary key, unique constraint or foreign key is compared in that order.
const CONSTRAINTS: &str = "\
    SELECT c.relname::text AS table_name, k.conname::text AS name, k.contype::text AS kind, \
           ARRAY(SELECT a.attname::text \
                 FROM unnest(k.conkey) WITH ORDINALITY AS u(attnum, position) \
                 JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.attnum \
                 ORDER BY u.position) AS columns, \
           r.relname::text AS ref_table, \
           ARRAY(SELECT a.attname::text \
                 FROM unnest(k.confkey) WITH ORDINALITY AS u(attnum, position) \
                 JOIN pg_attribute a ON a.attrelid = k.confrelid AND a.attnum = u.attnum \
                 ORDER BY u.position) AS ref_columns, \
           k.confdeltype::text AS on_delete, k.confupdtype::text AS on_update \
    FROM pg_constraint k \
    JOIN pg_class c ON c.oid = k.conrelid \
    JOIN pg_namespace n ON n.oid = c.relnamespace \
    LEFT JOIN pg_class r ON r.oid = k.confrelid \
    WHERE n.nspname = 'public' AND k.contype IN ('p', 'u', 'c', 'f') \
    ORDER BY c.relname, k.conname";

#[derive(QueryableByName)]
struct IndexRow {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Bool)]
    is_unique: bool,
    #[diesel(sql_type = Nullable<Text>)]
    predicate: Option<String>,
    #[diesel(sql_type = Array<Nullable<Text>>)]
    columns: Vec<Option<String>>,
}

// An index backing a primary key or unique constraint is that constraint's
// business (a foreign key's `conindid` is the referenced side's, hence the
// `contype` filter). An expression column has attnum 0 and so no name.
const INDEXES: &str = "\
    SELECT i.relname::text AS name, c.relname::text AS table_name, x.indisunique AS is_unique, \
           pg_get_expr(x.indpred, x.indrelid) AS predicate, \
           ARRAY(SELECT a.attname::text \
                 FROM unnest(x.indkey::int2[]) WITH ORDINALITY AS u(attnum, position) \
                 LEFT JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = u.attnum \
                 WHERE u.position <= x.indnkeyatts \
                 ORDER BY u.position) AS columns \
    FROM pg_index x \
    JOIN pg_class i ON i.oid = x.indexrelid \
    JOIN pg_class c ON c.oid = x.indrelid \
    JOIN pg_namespace n ON n.oid = c.relnamespace \
    WHERE n.nspname = 'public' \
      AND NOT EXISTS (SELECT 1 FROM pg_constraint k \
                      WHERE k.conindid = x.indexrelid AND k.contype IN ('p', 'u', 'x')) \
    ORDER BY i.relname";

/// The tables and indexes of the `public` schema, read back into the model.
///
/// Migration bookkeeping (`__diesel_schema_migrations`, tables starting with
/// `__migration`) is left out. Checks are read by name only, with a `NULL`
/// condition (see [`comparable`](super::comparable)); a partial index's
/// condition is PostgreSQL's text of it, `pg_get_expr(indpred, indrelid)`,
/// as a text literal. Anything the model cannot express (another type, a
/// default that is neither a constant nor one of the model's, an expression
/// index) is an error.
pub fn introspect_postgres(conn: &mut PgConnection) -> Result<Schema, Error> {
    let tables: Vec<TableRow> = diesel::sql_query(TABLES).load(conn)?;
    let columns: Vec<ColumnRow> = diesel::sql_query(COLUMNS).load(conn)?;
    let constraints: Vec<ConstraintRow> = diesel::sql_query(CONSTRAINTS).load(conn)?;
    let indexes: Vec<IndexRow> = diesel::sql_query(INDEXES).load(conn)?;

    let mut schema = Schema::new();
    for table in tables.iter().filter(|t| !ignored(&t.name)) {
        let mut built = Table {
            name: Cow::Owned(table.name.clone()),
            columns: List::Owned(Vec::new()),
            primary_key: List::Owned(Vec::new()),
            uniques: List::Owned(Vec::new()),
            checks: List::Owned(Vec::new()),
            foreign_keys: List::Owned(Vec::new()),
        };
        for row in columns.iter().filter(|c| c.table_name == table.name) {
            built.columns.to_mut().push(column(row)?);
        }
        for row in constraints.iter().filter(|k| k.table_name == table.name) {
            constraint(&mut built, row)?;
        }
        schema.tables.push(built);
    }
    for row in indexes.iter().filter(|i| !ignored(&i.table_name)) {
        schema.indexes.push(index(row)?);
    }
    Ok(schema)
}

fn column(row: &ColumnRow) -> Result<Column, Error> {
    let ty = sql_type(&row.data_type).ok_or_else(|| {
        unsupported(format!(
            "column `{}.{}` has type `{}`, which the schema model has no type for",
            row.table_name, row.name, row.data_type
        ))
    })?;
    let default = if row.identity {
        Some(ColumnDefault::Identity)
    } else {
        match &row.default_expr {
            None => None,
            Some(expr) => Some(default(expr, ty).ok_or_else(|| {
                unsupported(format!(
                    "column `{}.{}` has default `{expr}`, which the schema model cannot express",
                    row.table_name, row.name
                ))
            })?),
        }
    };
    Ok(Column {
        name: Cow::Owned(row.name.clone()),
        ty,
        nullable: !row.not_null,
        default,
    })
}

/// The model type for what `format_type` prints.
fn sql_type(printed: &str) -> Option<SqlType> {
    let (name, modifier) = match printed.split_once('(') {
        Some((name, rest)) => (name.trim(), Some(rest.strip_suffix(')')?)),
        None => (printed.trim(), None),
    };
    Some(match (name, modifier) {
        ("smallint", None) => SqlType::SmallInt,
        ("integer", None) => SqlType::Integer,
        ("bigint", None) => SqlType::BigInt,
        ("double precision", None) => SqlType::Double,
        ("numeric", Some(modifier)) => {
            let (precision, scale) = modifier.split_once(',')?;
            SqlType::Decimal {
                precision: precision.trim().parse().ok()?,
                scale: scale.trim().parse().ok()?,
            }
        }
        ("text", None) => SqlType::Text,
        ("character varying", Some(length)) => SqlType::Varchar(length.trim().parse().ok()?),
        ("boolean", None) => SqlType::Bool,
        ("uuid", None) => SqlType::Uuid,
        ("date", None) => SqlType::Date,
        ("timestamp without time zone", None) => SqlType::Timestamp,
        ("timestamp with time zone", None) => SqlType::TimestampTz,
        ("bytea", None) => SqlType::Bytes,
        ("jsonb", None) => SqlType::Json,
        _ => return None,
    })
}

/// The model default for what `pg_get_expr` prints, on a column of type `ty`.
fn default(expr: &str, ty: SqlType) -> Option<ColumnDefault> {
    let expr = expr.trim();
    let lower = expr.to_ascii_lowercase();
    match lower.as_str() {
        "gen_random_uuid()" => return Some(ColumnDefault::RandomUuid),
        "current_timestamp" | "now()" | "current_date" => return Some(ColumnDefault::Now),
        // A `serial` column: the older spelling of an identity.
        _ if lower.starts_with("nextval(") => return Some(ColumnDefault::Identity),
        _ => {}
    }
    super::literal(without_cast(expr), ty).map(ColumnDefault::Value)
}

/// `'active'::character varying` without its `::character varying`: the
/// column's type already says what the constant is.
fn without_cast(expr: &str) -> &str {
    let end = super::quoted_len(expr)
        .or_else(|| expr.find("::"))
        .unwrap_or(expr.len());
    let (value, rest) = expr.split_at(end);
    let only_casts = rest.is_empty()
        || (rest.starts_with("::")
            && rest
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || " _:(),.\"".contains(c)));
    if only_casts {
        value
    } else {
        // Not a lone (cast) constant: leave it whole so that it is refused.
        expr
    }
}

fn action(code: &str) -> Result<RefAction, Error> {
    Ok(match code {
        "a" => RefAction::NoAction,
        "r" => RefAction::Restrict,
        "c" => RefAction::Cascade,
        "n" => RefAction::SetNull,
        "d" => RefAction::SetDefault,
        other => {
            return Err(unsupported(format!(
                "unknown foreign key action code `{other}`"
            )));
        }
    })
}

fn names(list: &[String]) -> List<Cow<'static, str>> {
    List::Owned(list.iter().map(|n| Cow::Owned(n.clone())).collect())
}

fn constraint(table: &mut Table, row: &ConstraintRow) -> Result<(), Error> {
    let name = Cow::Owned(row.name.clone());
    match row.kind.as_str() {
        "p" => table.primary_key = names(&row.columns),
        "u" => table.uniques.to_mut().push(Unique {
            name,
            columns: names(&row.columns),
        }),
        "c" => table.checks.to_mut().push(Check {
            name,
            // SQL text is not parsed back: checks compare by name.
            condition: Expr::Literal(Literal::Null),
        }),
        "f" => {
            let ref_table = row.ref_table.clone().ok_or_else(|| {
                unsupported(format!(
                    "foreign key `{}` of `{}` references no table",
                    row.name, row.table_name
                ))
            })?;
            table.foreign_keys.to_mut().push(ForeignKey {
                name,
                columns: names(&row.columns),
                ref_table: Cow::Owned(ref_table),
                ref_columns: names(&row.ref_columns),
                on_delete: action(&row.on_delete)?,
                on_update: action(&row.on_update)?,
            });
        }
        _ => {}
    }
    Ok(())
}

fn index(row: &IndexRow) -> Result<Index, Error> {
    let columns = row
        .columns
        .iter()
        .map(|column| column.clone().map(Cow::Owned))
        .collect::<Option<Vec<_>>>()
        .ok_or_else(|| {
            unsupported(format!(
                "index `{}` indexes an expression, which the schema model cannot express",
                row.name
            ))
        })?;
    Ok(Index {
        name: Cow::Owned(row.name.clone()),
        table: Cow::Owned(row.table_name.clone()),
        columns: List::Owned(columns),
        unique: row.is_unique,
        // PostgreSQL's own text of the condition: see `introspect_postgres`.
        predicate: row
            .predicate
            .clone()
            .map(|text| Expr::Literal(Literal::Text(Cow::Owned(text)))),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printed_types_map_back() {
        assert_eq!(
            sql_type("character varying(20)"),
            Some(SqlType::Varchar(20))
        );
        assert_eq!(
            sql_type("numeric(10,2)"),
            Some(SqlType::Decimal {
                precision: 10,
                scale: 2
            })
        );
        assert_eq!(
            sql_type("timestamp with time zone"),
            Some(SqlType::TimestampTz)
        );
        assert_eq!(sql_type("numeric"), None);
        assert_eq!(sql_type("character varying"), None);
        assert_eq!(sql_type("timestamp(3) without time zone"), None);
        assert_eq!(sql_type("json"), None);
    }

    #[test]
    fn printed_defaults_map_back() {
        let text = |s: &str| Some(ColumnDefault::Value(Literal::Text(s.to_owned().into())));
        assert_eq!(
            default("'active'::character varying", SqlType::Varchar(20)),
            text("active")
        );
        assert_eq!(default("'a::b'::text", SqlType::Text), text("a::b"));
        assert_eq!(
            default("'-1'::integer", SqlType::Integer),
            Some(ColumnDefault::Value(Literal::Int(-1)))
        );
        assert_eq!(
            default("'100000000000000000000'::numeric", SqlType::Double),
            Some(ColumnDefault::Value(Literal::Float(1e20)))
        );
        assert_eq!(
            default("true", SqlType::Bool),
            Some(ColumnDefault::Value(Literal::Bool(true)))
        );
        assert_eq!(
            default("CURRENT_TIMESTAMP", SqlType::TimestampTz),
            Some(ColumnDefault::Now)
        );
        assert_eq!(
            default("gen_random_uuid()", SqlType::Uuid),
            Some(ColumnDefault::RandomUuid)
        );
        assert_eq!(
            default("nextval('t_id_seq'::regclass)", SqlType::Integer),
            Some(ColumnDefault::Identity)
        );
        assert_eq!(default("'a'::text || 'b'::text", SqlType::Text), None);
        assert_eq!(default("random()", SqlType::Double), None);
    }
}
