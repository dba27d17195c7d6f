//! Procedural macros of the migration toolkit. Use them through
//! `migration_runtime`, which re-exports them and documents the language.
//!
//! One migration travels `ast` (parse the module) → `check` (replay the
//! history and apply every rule) → `expand` (emit the `static` set, and
//! `expand_tables`: the typed tables each Rust step sees).

mod ast;
mod check;
mod expand;
mod expand_tables;
mod quote_model;

use proc_macro::TokenStream;

/// Compiles a module of `#[migration]` functions into a checked, ordered
/// `MIGRATIONS` set. See `migration_runtime` for the language.
#[proc_macro_attribute]
pub fn migrations(args: TokenStream, input: TokenStream) -> TokenStream {
    migrations_inner(args.into(), input.into()).into()
}

fn migrations_inner(
    args: proc_macro2::TokenStream,
    input: proc_macro2::TokenStream,
) -> proc_macro2::TokenStream {
    let history = match ast::History::parse(args, input) {
        Ok(history) => history,
        Err(error) => return error.to_compile_error(),
    };
    match check::check(&history) {
        Ok(checked) => expand::expand(&history, &checked),
        Err((errors, checked)) => expand::expand_errors(&history, errors, &checked),
    }
}
