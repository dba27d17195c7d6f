//! Reading the `table!` and `joinable!` invocations of a diesel `schema.rs`
//! (as `diesel print-schema` writes them, or by hand) from its tokens.

use proc_macro2::{Delimiter, TokenStream, TokenTree};

use super::{DieselColumn, DieselTable, Joinable, SchemaRs};
use crate::error::Error;

/// Parses the Rust source of a `schema.rs`: every `table!` and `joinable!`,
/// at the top level or in modules; other items are ignored.
pub fn parse(source: &str) -> Result<SchemaRs, Error> {
    let file =
        syn::parse_file(source).map_err(|e| Error::SchemaRs(format!("does not parse: {e}")))?;
    let mut schema = SchemaRs::default();
    read_items(&file.items, &mut schema)?;
    // `joinable!` names Rust identifiers; the model speaks SQL names.
    for join in &mut schema.joinables {
        if let Some(child) = schema.tables.iter().find(|t| t.rust_name == join.child) {
            if let Some(column) = child.columns.iter().find(|c| c.rust_name == join.column) {
                join.column = column.name.clone();
            }
            join.child = child.name.clone();
        }
        if let Some(parent) = schema.tables.iter().find(|t| t.rust_name == join.parent) {
            join.parent = parent.name.clone();
        }
    }
    Ok(schema)
}

fn read_items(items: &[syn::Item], schema: &mut SchemaRs) -> Result<(), Error> {
    for item in items {
        match item {
            syn::Item::Macro(item) => {
                let Some(name) = item.mac.path.segments.last().map(|s| s.ident.to_string()) else {
                    continue;
                };
                match name.as_str() {
                    "table" => schema
                        .tables
                        .extend(parse_table_macro(item.mac.tokens.clone())?),
                    "joinable" => schema
                        .joinables
                        .push(parse_joinable(item.mac.tokens.clone())?),
                    _ => {}
                }
            }
            // `diesel print-schema` puts tables of other database schemas in modules.
            syn::Item::Mod(module) => {
                if let Some((_, items)) = &module.content {
                    read_items(items, schema)?;
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// `child -> parent (column)`.
fn parse_joinable(tokens: TokenStream) -> Result<Joinable, Error> {
    let tokens: Vec<TokenTree> = tokens.into_iter().collect();
    let bad = || {
        Error::SchemaRs(format!(
            "cannot read `joinable!({})`: expected `child -> parent (column)`",
            stream(&tokens)
        ))
    };
    let [
        TokenTree::Ident(child),
        TokenTree::Punct(dash),
        TokenTree::Punct(arrow),
        TokenTree::Ident(parent),
        TokenTree::Group(column),
    ] = tokens.as_slice()
    else {
        return Err(bad());
    };
    if dash.as_char() != '-' || arrow.as_char() != '>' {
        return Err(bad());
    }
    let column: Vec<TokenTree> = column.stream().into_iter().collect();
    let [TokenTree::Ident(column)] = column.as_slice() else {
        return Err(bad());
    };
    Ok(Joinable {
        child: child.to_string(),
        parent: parent.to_string(),
        column: column.to_string(),
    })
}

/// `#[sql_name = "x"] name (pk, ..) { #[max_length = n] column -> Type, .. }`, possibly several.
fn parse_table_macro(tokens: TokenStream) -> Result<Vec<DieselTable>, Error> {
    let mut tables = Vec::new();
    let mut name: Option<String> = None;
    let mut sql_name: Option<String> = None;
    let mut primary_key = vec!["id".to_owned()];
    for token in tokens {
        match token {
            TokenTree::Ident(ident) => {
                name = Some(ident.to_string());
                primary_key = vec!["id".to_owned()];
            }
            TokenTree::Group(group) if group.delimiter() == Delimiter::Bracket => {
                if let Some(value) = attribute_text(&group.stream(), "sql_name") {
                    sql_name = Some(value);
                }
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
                let rust_name = table.clone();
                let table = sql_name.take().unwrap_or(table);
                let columns = parse_columns(&table, group.stream())?;
                // The key names Rust identifiers; a column may have another SQL name.
                let primary_key = std::mem::take(&mut primary_key)
                    .into_iter()
                    .map(|key| {
                        columns
                            .iter()
                            .find(|c| c.rust_name == key)
                            .map_or(key, |c| c.name.clone())
                    })
                    .collect();
                tables.push(DieselTable {
                    columns,
                    name: table,
                    rust_name,
                    primary_key,
                });
            }
            // `use` lines, `schema.` prefixes: not compared.
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
        let mut sql_name = None;
        let mut rest = entry;
        while let [TokenTree::Punct(hash), TokenTree::Group(attr), tail @ ..] = rest {
            if hash.as_char() != '#' {
                break;
            }
            if let Some(value) = attribute_text(&attr.stream(), "max_length") {
                max_length = value.parse().ok();
            }
            if let Some(value) = attribute_text(&attr.stream(), "sql_name") {
                sql_name = Some(value);
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
        let rust_name = column.to_string();
        columns.push(DieselColumn {
            name: sql_name.unwrap_or_else(|| rust_name.clone()),
            rust_name,
            ty,
            nullable,
            max_length,
        });
    }
    Ok(columns)
}

/// The value of `#[key = value]` (the tokens inside the brackets), unquoted.
fn attribute_text(tokens: &TokenStream, key: &str) -> Option<String> {
    let tokens: Vec<TokenTree> = tokens.clone().into_iter().collect();
    let [
        TokenTree::Ident(ident),
        TokenTree::Punct(eq),
        TokenTree::Literal(value),
    ] = tokens.as_slice()
    else {
        return None;
    };
    if *ident != key || eq.as_char() != '=' {
        return None;
    }
    let text = value.to_string();
    Some(
        text.strip_prefix('"')
            .and_then(|t| t.strip_suffix('"'))
            .unwrap_or(&text)
            .to_owned(),
    )
}

fn stream(tokens: &[TokenTree]) -> String {
    tokens.iter().cloned().collect::<TokenStream>().to_string()
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn tables_keys_names_and_joinables() {
        let schema = parse(
            r#"
            diesel::table! {
                use diesel::sql_types::*;
                #[sql_name = "Posts"]
                posts (post_id) {
                    #[sql_name = "postId"]
                    post_id -> Int8,
                    #[max_length = 80]
                    title -> Nullable<diesel::sql_types::Varchar>,
                    author_id -> Int4,
                }
            }
            diesel::table! {
                authors {
                    id -> Int4,
                }
            }
            diesel::joinable!(posts -> authors (author_id));
            "#,
        )
        .expect("parses");
        let posts = &schema.tables[0];
        assert_eq!(posts.name, "Posts");
        assert_eq!(posts.primary_key, ["postId"]);
        assert_eq!(posts.columns[1].ty, "Varchar");
        assert_eq!(posts.columns[1].max_length, Some(80));
        assert!(posts.columns[1].nullable);
        assert_eq!(schema.tables[1].primary_key, ["id"]);
        assert_eq!(schema.joinables[0].child, "Posts");
        assert_eq!(schema.joinables[0].parent, "authors");
        assert_eq!(schema.joinables[0].column, "author_id");
    }
}
