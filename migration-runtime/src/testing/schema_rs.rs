//! Does the schema at the head of history match the diesel `table!`
//! definitions the application compiles against (its `schema.rs`)?

use std::path::Path;

use proc_macro2::{Delimiter, TokenStream, TokenTree};

use migration_model::{Schema, SqlType};

use crate::error::Error;
use crate::set::MigrationSet;

/// One `table!` entry: its name, primary key and columns.
#[derive(Debug)]
struct DieselTable {
    name: String,
    primary_key: Vec<String>,
    columns: Vec<DieselColumn>,
}

#[derive(Debug)]
struct DieselColumn {
    name: String,
    ty: String,
    nullable: bool,
    max_length: Option<u32>,
}

/// What differs between the schema at the head of `set` and the `table!`
/// definitions in the Rust source `schema_rs`, one sentence each; empty when
/// they agree.
pub fn schema_rs_differences(set: MigrationSet, schema_rs: &str) -> Result<Vec<String>, Error> {
    let head = head_schema(set)?;
    let tables = parse_tables(schema_rs)?;
    let mut found = Vec::new();
    for table in &head.tables {
        let Some(declared) = tables.iter().find(|t| t.name == *table.name) else {
            found.push(format!("table `{}` is missing from schema.rs", table.name));
            continue;
        };
        if declared
            .primary_key
            .iter()
            .map(String::as_str)
            .ne(table.primary_key.iter().map(|c| c.as_ref()))
        {
            found.push(format!(
                "`{}` has primary key {:?} in the migrations but {:?} in schema.rs",
                table.name, table.primary_key, declared.primary_key
            ));
        }
        for column in table.columns.iter() {
            let Some(other) = declared.columns.iter().find(|c| c.name == *column.name) else {
                found.push(format!(
                    "column `{}.{}` is missing from schema.rs",
                    table.name, column.name
                ));
                continue;
            };
            if !diesel_type_fits(column.ty, &other.ty, other.max_length) {
                let length = other
                    .max_length
                    .map(|n| format!(" with max_length = {n}"))
                    .unwrap_or_default();
                found.push(format!(
                    "column `{}.{}` is {} in the migrations but `{}`{length} in schema.rs",
                    table.name, column.name, column.ty, other.ty
                ));
            }
            if column.nullable != other.nullable {
                let (migrations, schema_rs) = if column.nullable {
                    ("nullable", "not")
                } else {
                    ("NOT NULL", "Nullable")
                };
                found.push(format!(
                    "column `{}.{}` is {migrations} in the migrations but {schema_rs} in schema.rs",
                    table.name, column.name
                ));
            }
        }
        for column in &declared.columns {
            if table.column(&column.name).is_none() {
                found.push(format!(
                    "column `{}.{}` in schema.rs does not exist at head",
                    table.name, column.name
                ));
            }
        }
    }
    for table in &tables {
        if head.table(&table.name).is_none() {
            found.push(format!(
                "table `{}` in schema.rs does not exist at head",
                table.name
            ));
        }
    }
    Ok(found)
}

/// [`schema_rs_differences`] for a file, as a test assertion.
pub fn assert_schema_rs_matches(set: MigrationSet, path: impl AsRef<Path>) {
    let path = path.as_ref();
    let source = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let differences = schema_rs_differences(set, &source).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        differences.is_empty(),
        "{} does not match the head of the migrations:\n  - {}",
        path.display(),
        differences.join("\n  - ")
    );
}

fn head_schema(set: MigrationSet) -> Result<Schema, Error> {
    let ids: Vec<&str> = set.migrations().iter().map(|m| m.id()).collect();
    set.schema_of(&ids)
}

/// Whether the diesel SQL type `diesel` (as `table!` spells it) is `ty`.
fn diesel_type_fits(ty: SqlType, diesel: &str, max_length: Option<u32>) -> bool {
    let names: &[&str] = match ty {
        SqlType::SmallInt => &["Int2", "SmallInt"],
        SqlType::Integer => &["Int4", "Integer"],
        SqlType::BigInt => &["Int8", "BigInt"],
        SqlType::Double => &["Float8", "Double"],
        SqlType::Decimal { .. } => &["Numeric", "Decimal"],
        SqlType::Text => &["Text"],
        SqlType::Varchar(length) => {
            return matches!(diesel, "Varchar" | "VarChar")
                && max_length.is_none_or(|m| m == length);
        }
        SqlType::Bool => &["Bool"],
        SqlType::Uuid => &["Uuid"],
        SqlType::Date => &["Date"],
        SqlType::Timestamp => &["Timestamp"],
        SqlType::TimestampTz => &["Timestamptz", "TimestamptzSqlite"],
        SqlType::Bytes => &["Bytea", "Binary", "Blob"],
        SqlType::Json => &["Jsonb", "Json"],
    };
    names.contains(&diesel)
}

fn parse_tables(source: &str) -> Result<Vec<DieselTable>, Error> {
    let file =
        syn::parse_file(source).map_err(|e| Error::SchemaRs(format!("does not parse: {e}")))?;
    let mut tables = Vec::new();
    for item in file.items {
        let syn::Item::Macro(item) = item else {
            continue;
        };
        if item
            .mac
            .path
            .segments
            .last()
            .is_some_and(|s| s.ident == "table")
        {
            tables.extend(parse_table_macro(item.mac.tokens)?);
        }
    }
    Ok(tables)
}

/// `name (pk, ..) { #[max_length = n] column -> Type, .. }`, possibly several.
fn parse_table_macro(tokens: TokenStream) -> Result<Vec<DieselTable>, Error> {
    let mut tables = Vec::new();
    let mut name: Option<String> = None;
    let mut primary_key = vec!["id".to_owned()];
    for token in tokens {
        match token {
            TokenTree::Ident(ident) => {
                name = Some(ident.to_string());
                primary_key = vec!["id".to_owned()];
            }
            TokenTree::Group(group) if group.delimiter() == Delimiter::Parenthesis => {
                primary_key = group
                    .stream()
                    .into_iter()
                    .filter_map(|t| match t {
                        TokenTree::Ident(ident) => Some(ident.to_string()),
                        _ => None,
                    })
                    .collect();
            }
            TokenTree::Group(group) if group.delimiter() == Delimiter::Brace => {
                let table = name
                    .take()
                    .ok_or_else(|| Error::SchemaRs("a table! body without a name".into()))?;
                tables.push(DieselTable {
                    columns: parse_columns(&table, group.stream())?,
                    name: table,
                    primary_key: std::mem::take(&mut primary_key),
                });
            }
            // `use` lines, `#[...]` on the table, `schema.` prefixes: not compared.
            _ => {}
        }
    }
    Ok(tables)
}

fn parse_columns(table: &str, tokens: TokenStream) -> Result<Vec<DieselColumn>, Error> {
    let mut columns = Vec::new();
    let tokens: Vec<TokenTree> = tokens.into_iter().collect();
    for entry in tokens.split(|t| matches!(t, TokenTree::Punct(p) if p.as_char() == ',')) {
        if entry.is_empty() {
            continue;
        }
        let mut max_length = None;
        let mut rest = entry;
        while let [TokenTree::Punct(hash), TokenTree::Group(attr), tail @ ..] = rest {
            if hash.as_char() != '#' {
                break;
            }
            let text = attr.stream().to_string();
            if let Some(value) = text.strip_prefix("max_length =") {
                max_length = value.trim().parse().ok();
            }
            rest = tail;
        }
        let [
            TokenTree::Ident(column),
            TokenTree::Punct(dash),
            TokenTree::Punct(arrow),
            ty @ ..,
        ] = rest
        else {
            return Err(Error::SchemaRs(format!(
                "cannot read a column of `{table}`: `{}`",
                stream(entry)
            )));
        };
        if dash.as_char() != '-' || arrow.as_char() != '>' {
            return Err(Error::SchemaRs(format!(
                "expected `->` in `{table}`: `{}`",
                stream(entry)
            )));
        }
        let ty = stream(ty).replace(' ', "");
        let (nullable, ty) = match ty
            .strip_prefix("Nullable<")
            .and_then(|t| t.strip_suffix('>'))
        {
            Some(inner) => (true, inner.to_owned()),
            None => (false, ty),
        };
        let ty = ty.rsplit("::").next().unwrap_or(&ty).to_owned();
        columns.push(DieselColumn {
            name: column.to_string(),
            ty,
            nullable,
            max_length,
        });
    }
    Ok(columns)
}

fn stream(tokens: &[TokenTree]) -> String {
    tokens.iter().cloned().collect::<TokenStream>().to_string()
}
