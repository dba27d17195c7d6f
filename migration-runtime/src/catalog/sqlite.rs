//! SQLite: tables from `sqlite_master`, their shape from the `pragma_*`
//! table functions, and what the pragmas do not tell (constraint names,
//! checks, which key is self-assigned) from the table's `CREATE TABLE` text.
//!
//! Conventions of our renderer this relies on:
//! - an identity key is written `"id" INTEGER PRIMARY KEY`, the one form in
//!   which SQLite assigns the next key itself; such a column reads back as a
//!   NOT NULL `bigint()` with [`ColumnDefault::Identity`], whatever integer
//!   width the migration asked for (see [`comparable`](super::comparable));
//! - a random UUID default is an expression calling `randomblob`;
//! - unique constraints, checks and foreign keys are written at table level
//!   as `CONSTRAINT "name" ...`. One written without a name gets the name
//!   PostgreSQL would give it (`t_a_b_key`, `t_a_fkey`, `t_check`).

use std::borrow::Cow;

use diesel::sql_types::{Integer, Nullable, Text};
use diesel::{QueryableByName, RunQueryDsl, SqliteConnection};
use migration_model::ident::default_name;
use migration_model::{
    Check, Column, ColumnDefault, Expr, ForeignKey, Index, List, Literal, Name, RefAction, Schema,
    SqlType, Table, Unique,
};

use super::unsupported;
use crate::Error;

/// Whether `table` is bookkeeping (migration history, SQLite's own tables,
/// a table mid-rebuild) rather than part of the schema.
fn ignored(table: &str) -> bool {
    table == "__diesel_schema_migrations" || table.starts_with("sqlite_") || table.starts_with("__")
}

#[derive(QueryableByName)]
struct MasterRow {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Nullable<Text>)]
    sql: Option<String>,
}

#[derive(QueryableByName)]
struct ColumnRow {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    declared_type: String,
    #[diesel(sql_type = Integer)]
    not_null: i32,
    #[diesel(sql_type = Nullable<Text>)]
    default_value: Option<String>,
    #[diesel(sql_type = Integer)]
    pk: i32,
}

#[derive(QueryableByName)]
struct IndexListRow {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Integer)]
    is_unique: i32,
    #[diesel(sql_type = Text)]
    origin: String,
    #[diesel(sql_type = Integer)]
    partial: i32,
}

#[derive(QueryableByName)]
struct IndexColumnRow {
    #[diesel(sql_type = Nullable<Text>)]
    name: Option<String>,
}

#[derive(QueryableByName)]
struct ForeignKeyRow {
    #[diesel(sql_type = Integer)]
    id: i32,
    #[diesel(sql_type = Text)]
    ref_table: String,
    #[diesel(sql_type = Text)]
    from_column: String,
    #[diesel(sql_type = Nullable<Text>)]
    to_column: Option<String>,
    #[diesel(sql_type = Text)]
    on_update: String,
    #[diesel(sql_type = Text)]
    on_delete: String,
}

/// The tables and indexes of the main database, read back into the model.
///
/// Tables named `__diesel_schema_migrations`, `sqlite_*` or starting with
/// `__` are left out. Checks are read by name only, with a `NULL` condition
/// (see [`comparable`](super::comparable)); a partial index's condition is
/// the text after `WHERE` in its `CREATE INDEX`, as a text literal. The
/// module documentation lists the renderer's conventions this relies on.
/// Anything the model cannot express (another declared type, a default that
/// is neither a constant nor one of the model's, an expression index) is an
/// error.
pub fn introspect_sqlite(conn: &mut SqliteConnection) -> Result<Schema, Error> {
    let tables: Vec<MasterRow> = diesel::sql_query(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table' ORDER BY rowid",
    )
    .load(conn)?;
    let mut schema = Schema::new();
    for table in tables.iter().filter(|t| !ignored(&t.name)) {
        let create = parse_create(table.sql.as_deref().unwrap_or_default()).ok_or_else(|| {
            unsupported(format!(
                "cannot read the CREATE TABLE statement of `{}`",
                table.name
            ))
        })?;
        let (built, indexes) = read_table(conn, &table.name, &create)?;
        schema.tables.push(built);
        schema.indexes.extend(indexes);
    }
    Ok(schema)
}

fn read_table(
    conn: &mut SqliteConnection,
    table: &str,
    create: &CreateTable,
) -> Result<(Table, Vec<Index>), Error> {
    let column_rows: Vec<ColumnRow> = diesel::sql_query(
        "SELECT name, type AS declared_type, \"notnull\" AS not_null, \
                dflt_value AS default_value, pk \
         FROM pragma_table_info(?) ORDER BY cid",
    )
    .bind::<Text, _>(table)
    .load(conn)?;

    let mut key: Vec<&ColumnRow> = column_rows.iter().filter(|c| c.pk > 0).collect();
    key.sort_by_key(|c| c.pk);
    let primary_key: Vec<Name> = key.iter().map(|c| Cow::Owned(c.name.clone())).collect();

    let mut columns = Vec::new();
    for row in &column_rows {
        let identity = primary_key.len() == 1
            && row.pk == 1
            && row.declared_type.eq_ignore_ascii_case("INTEGER")
            && create.inline_primary_key.contains(&row.name);
        columns.push(if identity {
            Column {
                name: Cow::Owned(row.name.clone()),
                ty: SqlType::BigInt,
                // A rowid alias never holds NULL: inserting one assigns a key.
                nullable: false,
                default: Some(ColumnDefault::Identity),
            }
        } else {
            column(table, row)?
        });
    }

    let mut uniques = Vec::new();
    let mut indexes = Vec::new();
    let index_rows: Vec<IndexListRow> = diesel::sql_query(
        "SELECT name, \"unique\" AS is_unique, origin, partial \
         FROM pragma_index_list(?) ORDER BY name",
    )
    .bind::<Text, _>(table)
    .load(conn)?;
    for index in &index_rows {
        if index.origin == "pk" {
            continue;
        }
        let predicate = match index.partial {
            0 => None,
            _ => Some(index_condition(conn, &index.name)?),
        };
        let index_columns = index_columns(conn, &index.name)?;
        if index.origin == "u" {
            let name = create
                .named(Kind::Unique, &index_columns, None)
                .unwrap_or_else(|| default_name(table, &index_columns, "key"));
            uniques.push(Unique {
                name: Cow::Owned(name),
                columns: owned(&index_columns),
            });
        } else {
            indexes.push(Index {
                name: Cow::Owned(index.name.clone()),
                table: Cow::Owned(table.to_owned()),
                columns: owned(&index_columns),
                unique: index.is_unique != 0,
                predicate,
            });
        }
    }

    let table_model = Table {
        name: Cow::Owned(table.to_owned()),
        columns: List::Owned(columns),
        primary_key: List::Owned(primary_key),
        uniques: List::Owned(uniques),
        checks: List::Owned(checks(table, create)),
        foreign_keys: List::Owned(foreign_keys(conn, table, create)?),
    };
    Ok((table_model, indexes))
}

/// The condition of partial index `index`, as its `CREATE INDEX` text
/// writes it (see [`introspect_sqlite`]).
fn index_condition(conn: &mut SqliteConnection, index: &str) -> Result<Expr, Error> {
    let rows: Vec<MasterRow> =
        diesel::sql_query("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND name = ?")
            .bind::<Text, _>(index)
            .load(conn)?;
    rows.first()
        .and_then(|row| row.sql.as_deref())
        .and_then(where_clause)
        .map(|condition| Expr::Literal(Literal::Text(Cow::Owned(condition.to_owned()))))
        .ok_or_else(|| {
            unsupported(format!(
                "cannot read the condition of partial index `{index}` from its CREATE INDEX statement"
            ))
        })
}

/// The condition after `WHERE` in a `CREATE INDEX .. ON t (..) WHERE ..`:
/// everything after the parenthesis that closes the column list.
fn where_clause(sql: &str) -> Option<&str> {
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    for (at, c) in sql.char_indices() {
        match (quote, c) {
            // A doubled quote inside a quoted name or text reopens it at once.
            (Some(open), c) if c == if open == '[' { ']' } else { open } => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"' | '`' | '[') => quote = Some(c),
            (None, '(') => depth += 1,
            (None, ')') => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    let rest = sql[at + 1..].trim_start();
                    let keyword = rest.get(..5)?;
                    return keyword
                        .eq_ignore_ascii_case("where")
                        .then(|| rest[5..].trim())
                        .filter(|condition| !condition.is_empty());
                }
            }
            _ => {}
        }
    }
    None
}

fn owned(names: &[String]) -> List<Name> {
    List::Owned(names.iter().map(|n| Cow::Owned(n.clone())).collect())
}

fn column(table: &str, row: &ColumnRow) -> Result<Column, Error> {
    let ty = sql_type(&row.declared_type).ok_or_else(|| {
        unsupported(format!(
            "column `{table}.{}` is declared `{}`, which the schema model has no type for",
            row.name, row.declared_type
        ))
    })?;
    let default = match &row.default_value {
        None => None,
        Some(text) => Some(default(text, ty).ok_or_else(|| {
            unsupported(format!(
                "column `{table}.{}` has default `{text}`, which the schema model cannot express",
                row.name
            ))
        })?),
    };
    Ok(Column {
        name: Cow::Owned(row.name.clone()),
        ty,
        nullable: row.not_null == 0,
        default,
    })
}

/// The model type for a declared type, as our renderer spells them.
fn sql_type(declared: &str) -> Option<SqlType> {
    let spelled: String = declared
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_uppercase();
    let (name, arguments) = match spelled.split_once('(') {
        Some((name, rest)) => (name.to_owned(), Some(rest.strip_suffix(')')?.to_owned())),
        None => (spelled, None),
    };
    Some(match (name.as_str(), arguments.as_deref()) {
        ("SMALLINT", None) => SqlType::SmallInt,
        ("INTEGER", None) => SqlType::Integer,
        ("BIGINT", None) => SqlType::BigInt,
        ("DOUBLE", None) => SqlType::Double,
        ("DECIMAL", Some(arguments)) => {
            let (precision, scale) = arguments.split_once(',')?;
            SqlType::Decimal {
                precision: precision.parse().ok()?,
                scale: scale.parse().ok()?,
            }
        }
        ("TEXT", None) => SqlType::Text,
        ("VARCHAR", Some(length)) => SqlType::Varchar(length.parse().ok()?),
        ("BOOLEAN", None) => SqlType::Bool,
        ("UUID", None) => SqlType::Uuid,
        ("DATE", None) => SqlType::Date,
        ("TIMESTAMP", None) => SqlType::Timestamp,
        ("TIMESTAMPTZ", None) => SqlType::TimestampTz,
        ("BLOB", None) => SqlType::Bytes,
        ("JSON", None) => SqlType::Json,
        _ => return None,
    })
}

/// The model default for a default's SQL text, on a column of type `ty`.
fn default(text: &str, ty: SqlType) -> Option<ColumnDefault> {
    let text = text.trim();
    let upper = text.to_ascii_uppercase();
    if upper.contains("RANDOMBLOB") {
        // SQLite has no UUID function: our renderer builds one from randomblob.
        return Some(ColumnDefault::RandomUuid);
    }
    if upper == "CURRENT_TIMESTAMP" || upper == "CURRENT_DATE" {
        return Some(ColumnDefault::Now);
    }
    let inner = text
        .strip_prefix('(')
        .and_then(|t| t.strip_suffix(')'))
        .unwrap_or(text);
    super::literal(inner, ty).map(ColumnDefault::Value)
}

fn index_columns(conn: &mut SqliteConnection, index: &str) -> Result<Vec<String>, Error> {
    let rows: Vec<IndexColumnRow> =
        diesel::sql_query("SELECT name FROM pragma_index_info(?) ORDER BY seqno")
            .bind::<Text, _>(index)
            .load(conn)?;
    rows.into_iter()
        .map(|row| row.name)
        .collect::<Option<Vec<_>>>()
        .ok_or_else(|| {
            unsupported(format!(
                "index `{index}` indexes an expression, which the schema model cannot express"
            ))
        })
}

fn checks(table: &str, create: &CreateTable) -> Vec<Check> {
    let mut unnamed = 0;
    create
        .constraints
        .iter()
        .filter(|c| c.kind == Kind::Check)
        .map(|c| {
            let name = c.name.clone().unwrap_or_else(|| {
                // PostgreSQL's names for unnamed table checks: t_check, t_check1, ..
                let name = match unnamed {
                    0 => format!("{table}_check"),
                    n => format!("{table}_check{n}"),
                };
                unnamed += 1;
                name
            });
            Check {
                name: Cow::Owned(name),
                // SQL text is not parsed back: checks compare by name.
                condition: Expr::Literal(Literal::Null),
            }
        })
        .collect()
}

fn foreign_keys(
    conn: &mut SqliteConnection,
    table: &str,
    create: &CreateTable,
) -> Result<Vec<ForeignKey>, Error> {
    let rows: Vec<ForeignKeyRow> = diesel::sql_query(
        "SELECT id, \"table\" AS ref_table, \"from\" AS from_column, \"to\" AS to_column, \
                on_update, on_delete \
         FROM pragma_foreign_key_list(?) ORDER BY id, seq",
    )
    .bind::<Text, _>(table)
    .load(conn)?;
    let mut keys = Vec::new();
    for group in rows.chunk_by(|a, b| a.id == b.id) {
        let Some(first) = group.first() else {
            continue;
        };
        let columns: Vec<String> = group.iter().map(|r| r.from_column.clone()).collect();
        let mut ref_columns: Vec<String> =
            group.iter().filter_map(|r| r.to_column.clone()).collect();
        if ref_columns.len() != columns.len() {
            // `REFERENCES t` without columns means t's primary key.
            ref_columns = referenced_key(conn, &first.ref_table)?;
        }
        let name = create
            .named(Kind::ForeignKey, &columns, Some(&first.ref_table))
            .unwrap_or_else(|| default_name(table, &columns, "fkey"));
        keys.push(ForeignKey {
            name: Cow::Owned(name),
            columns: owned(&columns),
            ref_table: Cow::Owned(first.ref_table.clone()),
            ref_columns: owned(&ref_columns),
            on_delete: action(&first.on_delete)?,
            on_update: action(&first.on_update)?,
        });
    }
    Ok(keys)
}

fn referenced_key(conn: &mut SqliteConnection, table: &str) -> Result<Vec<String>, Error> {
    let rows: Vec<ColumnRow> = diesel::sql_query(
        "SELECT name, type AS declared_type, \"notnull\" AS not_null, \
                dflt_value AS default_value, pk \
         FROM pragma_table_info(?) WHERE pk > 0 ORDER BY pk",
    )
    .bind::<Text, _>(table)
    .load(conn)?;
    Ok(rows.into_iter().map(|row| row.name).collect())
}

fn action(spelled: &str) -> Result<RefAction, Error> {
    Ok(match spelled.to_ascii_uppercase().as_str() {
        "NO ACTION" => RefAction::NoAction,
        "RESTRICT" => RefAction::Restrict,
        "CASCADE" => RefAction::Cascade,
        "SET NULL" => RefAction::SetNull,
        "SET DEFAULT" => RefAction::SetDefault,
        other => {
            return Err(unsupported(format!("unknown foreign key action `{other}`")));
        }
    })
}

/// What a table's `CREATE TABLE` text says that the pragmas do not.
#[derive(Debug, Default, PartialEq)]
struct CreateTable {
    /// Columns declared `PRIMARY KEY` in their own definition.
    inline_primary_key: Vec<String>,
    /// Table-level constraints, in order.
    constraints: Vec<TableConstraint>,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    PrimaryKey,
    Unique,
    Check,
    ForeignKey,
}

#[derive(Debug, PartialEq)]
struct TableConstraint {
    name: Option<String>,
    kind: Kind,
    /// The constrained columns (none for a check).
    columns: Vec<String>,
    /// The referenced table, for a foreign key.
    ref_table: Option<String>,
}

impl CreateTable {
    /// The name of the table constraint of this kind over exactly `columns`.
    fn named(&self, kind: Kind, columns: &[String], ref_table: Option<&str>) -> Option<String> {
        self.constraints
            .iter()
            .find(|c| c.kind == kind && c.columns == columns && c.ref_table.as_deref() == ref_table)
            .and_then(|c| c.name.clone())
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Token {
    /// A bare word: a keyword, an unquoted name or a number.
    Word(String),
    /// A quoted name (`"x"`, `` `x` `` or `[x]`).
    Quoted(String),
    /// A string constant.
    Text,
    Open,
    Close,
    Comma,
    Other,
}

impl Token {
    fn is(&self, keyword: &str) -> bool {
        matches!(self, Token::Word(word) if word.eq_ignore_ascii_case(keyword))
    }

    fn name(&self) -> Option<String> {
        match self {
            Token::Word(name) | Token::Quoted(name) => Some(name.clone()),
            _ => None,
        }
    }
}

fn tokens(sql: &str) -> Vec<Token> {
    let mut found = Vec::new();
    let mut chars = sql.chars().peekable();
    // Reads up to `close`; a doubled `close` stands for itself.
    let quoted = |chars: &mut std::iter::Peekable<std::str::Chars<'_>>, close: char| {
        let mut value = String::new();
        while let Some(c) = chars.next() {
            if c == close {
                if close != ']' && chars.peek() == Some(&close) {
                    chars.next();
                } else {
                    break;
                }
            }
            value.push(c);
        }
        value
    };
    while let Some(c) = chars.next() {
        match c {
            c if c.is_whitespace() => {}
            '"' | '`' => found.push(Token::Quoted(quoted(&mut chars, c))),
            '[' => found.push(Token::Quoted(quoted(&mut chars, ']'))),
            '\'' => {
                quoted(&mut chars, '\'');
                found.push(Token::Text);
            }
            '(' => found.push(Token::Open),
            ')' => found.push(Token::Close),
            ',' => found.push(Token::Comma),
            '-' if chars.peek() == Some(&'-') => {
                chars.by_ref().find(|&c| c == '\n');
            }
            '/' if chars.peek() == Some(&'*') => {
                chars.next();
                let mut last = ' ';
                for c in chars.by_ref() {
                    if last == '*' && c == '/' {
                        break;
                    }
                    last = c;
                }
            }
            c if c.is_alphanumeric() || c == '_' => {
                let mut word = String::from(c);
                while let Some(&next) = chars.peek() {
                    if next.is_alphanumeric() || next == '_' || next == '$' {
                        word.push(next);
                        chars.next();
                    } else {
                        break;
                    }
                }
                found.push(Token::Word(word));
            }
            _ => found.push(Token::Other),
        }
    }
    found
}

/// Reads the column and table-constraint definitions of a `CREATE TABLE`.
fn parse_create(sql: &str) -> Option<CreateTable> {
    let tokens = tokens(sql);
    let open = tokens.iter().position(|t| *t == Token::Open)?;
    // The definitions, split at the commas between them.
    let mut items: Vec<&[Token]> = Vec::new();
    let mut depth = 0usize;
    let mut start = open + 1;
    let mut closed = false;
    for (at, token) in tokens.iter().enumerate().skip(open + 1) {
        match token {
            Token::Open => depth += 1,
            Token::Close if depth == 0 => {
                items.push(&tokens[start..at]);
                closed = true;
                break;
            }
            Token::Close => depth -= 1,
            Token::Comma if depth == 0 => {
                items.push(&tokens[start..at]);
                start = at + 1;
            }
            _ => {}
        }
    }
    if !closed {
        return None;
    }
    let mut create = CreateTable::default();
    for item in items {
        let (name, rest) = match item {
            [first, name, rest @ ..] if first.is("CONSTRAINT") => (Some(name.name()?), rest),
            _ => (None, item),
        };
        let kind = match rest.first() {
            Some(t) if t.is("PRIMARY") => Kind::PrimaryKey,
            Some(t) if t.is("UNIQUE") => Kind::Unique,
            Some(t) if t.is("CHECK") => Kind::Check,
            Some(t) if t.is("FOREIGN") => Kind::ForeignKey,
            _ => {
                // A column definition.
                let inline_key = rest
                    .windows(2)
                    .any(|pair| pair[0].is("PRIMARY") && pair[1].is("KEY"));
                if inline_key {
                    create.inline_primary_key.push(rest.first()?.name()?);
                }
                continue;
            }
        };
        let (columns, after) = if kind == Kind::Check {
            (Vec::new(), rest)
        } else {
            name_list(rest)?
        };
        let ref_table = match kind {
            Kind::ForeignKey => {
                let at = after.iter().position(|t| t.is("REFERENCES"))?;
                Some(after.get(at + 1)?.name()?)
            }
            _ => None,
        };
        create.constraints.push(TableConstraint {
            name,
            kind,
            columns,
            ref_table,
        });
    }
    Some(create)
}

/// The first parenthesized name list in `tokens` and what follows it; each
/// entry's first token is its name (a `COLLATE` or `ASC` after it is ignored).
fn name_list(tokens: &[Token]) -> Option<(Vec<String>, &[Token])> {
    let open = tokens.iter().position(|t| *t == Token::Open)?;
    let close = open + tokens[open..].iter().position(|t| *t == Token::Close)?;
    let names = tokens[open + 1..close]
        .split(|t| *t == Token::Comma)
        .map(|entry| entry.first().and_then(Token::name))
        .collect::<Option<Vec<_>>>()?;
    Some((names, &tokens[close + 1..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_partial_index_text_gives_its_condition() {
        assert_eq!(
            where_clause(
                r#"CREATE UNIQUE INDEX "a(b" ON "t" ("x", "y)") WHERE ("x" = ')' AND "y)" IS NULL)"#
            ),
            Some(r#"("x" = ')' AND "y)" IS NULL)"#)
        );
        assert_eq!(
            where_clause("create index [i] on t (x) where x > 0"),
            Some("x > 0")
        );
        assert_eq!(where_clause(r#"CREATE INDEX "i" ON "t" ("x")"#), None);
    }

    #[test]
    fn create_table_text_gives_names_and_the_inline_key() {
        let create = parse_create(
            "CREATE TABLE \"posts\" (\n    \"id\" INTEGER PRIMARY KEY,\n    \
             \"price\" DECIMAL(10, 2) DEFAULT 'a,b)',\n    \
             CONSTRAINT \"posts_author_title_key\" UNIQUE (\"author_id\", \"title\"),\n    \
             CONSTRAINT \"posts_price_check\" CHECK ((\"price\" >= 0)),\n    \
             CHECK (1),\n    \
             CONSTRAINT \"posts_author_id_fkey\" FOREIGN KEY (\"author_id\") REFERENCES \"authors\" (\"id\") ON DELETE CASCADE\n)",
        )
        .expect("parses");
        assert_eq!(create.inline_primary_key, ["id"]);
        let columns = |names: &[&str]| names.iter().map(|n| n.to_string()).collect::<Vec<_>>();
        assert_eq!(
            create.named(Kind::Unique, &columns(&["author_id", "title"]), None),
            Some("posts_author_title_key".to_owned())
        );
        assert_eq!(
            create.named(Kind::ForeignKey, &columns(&["author_id"]), Some("authors")),
            Some("posts_author_id_fkey".to_owned())
        );
        assert_eq!(
            checks("posts", &create)
                .iter()
                .map(|c| c.name.to_string())
                .collect::<Vec<_>>(),
            ["posts_price_check", "posts_check"]
        );
    }

    #[test]
    fn declared_types_and_defaults_map_back() {
        assert_eq!(
            sql_type("DECIMAL(10, 2)"),
            Some(SqlType::Decimal {
                precision: 10,
                scale: 2
            })
        );
        assert_eq!(sql_type("varchar(20)"), Some(SqlType::Varchar(20)));
        assert_eq!(sql_type("TIMESTAMPTZ"), Some(SqlType::TimestampTz));
        assert_eq!(sql_type("NUMERIC"), None);
        assert_eq!(
            default(
                "(lower(hex(randomblob(4))) || '-' || lower(hex(randomblob(2))))",
                SqlType::Uuid
            ),
            Some(ColumnDefault::RandomUuid)
        );
        assert_eq!(
            default("CURRENT_TIMESTAMP", SqlType::TimestampTz),
            Some(ColumnDefault::Now)
        );
        assert_eq!(
            default("'draft'", SqlType::Varchar(20)),
            Some(ColumnDefault::Value(Literal::Text("draft".into())))
        );
        assert_eq!(
            default("FALSE", SqlType::Bool),
            Some(ColumnDefault::Value(Literal::Bool(false)))
        );
        assert_eq!(
            default("-1.5", SqlType::Double),
            Some(ColumnDefault::Value(Literal::Float(-1.5)))
        );
        assert_eq!(default("random()", SqlType::Double), None);
    }
}
