//! The typed tables a Rust step sees: for each function a Rust step calls,
//! a module `schema_at::<function>` of `diesel::table!` definitions for the
//! schema at that step of history, not as it is today.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote};
use syn::Ident;

use migration_model::{Schema, SqlType, Table};

use crate::check::Checked;

/// `pub mod schema_at { pub mod <function> { table!.. } .. }`, or nothing
/// when the history has no Rust step.
pub fn schema_at(checked: &Checked) -> TokenStream {
    let mut steps: Vec<&(Ident, Schema)> = Vec::new();
    for step in checked.migrations.iter().flat_map(|m| &m.data_steps) {
        // A function run twice is an error reported by `check`; one module is enough.
        if !steps.iter().any(|(seen, _)| *seen == step.0) {
            steps.push(step);
        }
    }
    if steps.is_empty() {
        return TokenStream::new();
    }
    let modules = steps.iter().map(|(function, schema)| {
        let module = format_ident!("{}", function.to_string());
        let doc = format!(
            "The tables as the Rust step `{function}` sees them: the schema at that step of history."
        );
        let tables = tables(schema);
        quote! {
            #[doc = #doc]
            pub mod #module {
                #tables
            }
        }
    });
    quote! {
        /// The tables each Rust step sees, as they are at that step of
        /// history: `schema_at::<function>::<table>`.
        #[allow(dead_code, unused_imports)]
        pub mod schema_at {
            #(#modules)*
        }
    }
}

fn tables(schema: &Schema) -> TokenStream {
    // diesel needs a column to make a table of.
    let readable: Vec<&Table> = schema
        .tables
        .iter()
        .filter(|t| t.columns.iter().any(|c| diesel_type(c.ty).is_some()))
        .collect();
    let definitions = readable.iter().map(|t| table(t));
    let names: Vec<Ident> = readable.iter().map(|t| rust_name(&t.name).0).collect();
    let together = (names.len() > 1)
        .then(|| quote!(diesel::allow_tables_to_appear_in_same_query!(#(#names),*);));
    quote!(#(#definitions)* #together)
}

fn table(table: &Table) -> TokenStream {
    let (name, sql_name) = rust_name(&table.name);
    let columns: Vec<(Ident, TokenStream)> = table
        .columns
        .iter()
        .filter_map(|column| {
            let ty = diesel_type(column.ty)?;
            let ty = if column.nullable {
                quote!(diesel::sql_types::Nullable<#ty>)
            } else {
                ty
            };
            let (ident, sql_name) = rust_name(&column.name);
            let doc = format!("`{}`: {}", column.name, spelled(column));
            Some((
                ident.clone(),
                quote!(#[doc = #doc] #sql_name #ident -> #ty,),
            ))
        })
        .collect();
    let included = |name: &str| columns.iter().any(|(ident, _)| rust_name(name).0 == *ident);
    // diesel needs a key; a table without one (or with a key of a type left
    // out) is keyed by every column.
    let key: Vec<Ident> =
        if !table.primary_key.is_empty() && table.primary_key.iter().all(|c| included(c)) {
            table.primary_key.iter().map(|c| rust_name(c).0).collect()
        } else {
            columns.iter().map(|(ident, _)| ident.clone()).collect()
        };
    let left_out: Vec<String> = table
        .columns
        .iter()
        .filter(|c| diesel_type(c.ty).is_none())
        .map(|c| format!("`{}` ({})", c.name, c.ty))
        .collect();
    let mut doc = format!("The table `{}`.", table.name);
    if !left_out.is_empty() {
        doc.push_str(&format!(
            " Left out, as no Rust type reads them alike on PostgreSQL and SQLite: {}.",
            left_out.join(", ")
        ));
    }
    let definitions = columns.iter().map(|(_, definition)| definition);
    quote! {
        diesel::table! {
            #[doc = #doc]
            #sql_name
            #name (#(#key),*) {
                #(#definitions)*
            }
        }
    }
}

/// The diesel SQL type a column is read and written as, on both backends;
/// `None` for the types with no common Rust representation.
fn diesel_type(ty: SqlType) -> Option<TokenStream> {
    Some(match ty {
        SqlType::SmallInt => quote!(diesel::sql_types::SmallInt),
        SqlType::Integer => quote!(diesel::sql_types::Integer),
        SqlType::BigInt => quote!(diesel::sql_types::BigInt),
        SqlType::Double => quote!(diesel::sql_types::Double),
        SqlType::Text | SqlType::Varchar(_) => quote!(diesel::sql_types::Text),
        SqlType::Bool => quote!(diesel::sql_types::Bool),
        SqlType::Bytes => quote!(diesel::sql_types::Binary),
        SqlType::Uuid => quote!(::migration_runtime::data_step::sql_types::Uuid),
        SqlType::Json => quote!(::migration_runtime::data_step::sql_types::Json),
        SqlType::Decimal { .. } | SqlType::Date | SqlType::Timestamp | SqlType::TimestampTz => {
            return None;
        }
    })
}

fn spelled(column: &migration_model::Column) -> String {
    migration_model::op::ColumnSpec(column).to_string()
}

/// The Rust name for a table or column, with `#[sql_name = ".."]` when the
/// SQL name is not a Rust identifier (a keyword, a space, a capital letter).
fn rust_name(sql: &str) -> (Ident, Option<TokenStream>) {
    match syn::parse_str::<Ident>(sql) {
        Ok(ident)
            if sql
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_') =>
        {
            (ident, None)
        }
        _ => {
            let mut cleaned: String = sql
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() {
                        c.to_ascii_lowercase()
                    } else {
                        '_'
                    }
                })
                .collect();
            if cleaned.starts_with(|c: char| c.is_ascii_digit()) || cleaned.is_empty() {
                cleaned.insert(0, '_');
            }
            cleaned.push('_');
            (
                Ident::new(&cleaned, Span::call_site()),
                Some(quote!(#[sql_name = #sql])),
            )
        }
    }
}
