//! Expansion: the checked history becomes a `static MIGRATIONS` set of
//! constant data in the user's module.

use proc_macro2::TokenStream;
use quote::quote;

use crate::ast::History;
use crate::check::{Checked, Downgrade};
use crate::quote_model::Quote;

/// The module, with its migrations replaced by the `MIGRATIONS` set.
pub fn expand(history: &History, checked: &Checked) -> TokenStream {
    let migrations =
        history
            .migrations
            .iter()
            .zip(&checked.migrations)
            .map(|(migration, checked)| {
                let id = migration.id();
                let name = migration.name.to_string();
                let doc = &migration.doc;
                let parents = &checked.parents;
                let up = migration.up.iter().map(|step| step.op.quote());
                let down = match &checked.downgrade {
                    Downgrade::Derived(ops) => {
                        let ops = ops.iter().map(Quote::quote);
                        quote!(::migration_runtime::Downgrade::Derived(&[#(#ops),*]))
                    }
                    Downgrade::Written(ops) => {
                        let ops = ops.iter().map(Quote::quote);
                        quote!(::migration_runtime::Downgrade::Written(&[#(#ops),*]))
                    }
                    Downgrade::Irreversible(reason) => {
                        quote!(::migration_runtime::Downgrade::Irreversible(#reason))
                    }
                };
                // The user's own token, so a missing function or a wrong signature
                // is reported where the step names it.
                let data_steps = checked.data_steps.iter().map(|(function, _)| {
                    let name = function.to_string();
                    quote!(::migration_runtime::DataStep::__new(#name, #function))
                });
                let reviewed = migration.up.iter().enumerate().filter_map(|(index, step)| {
                    let (_, reason) = step.reviewed.first()?;
                    Some(quote!((#index, #reason)))
                });
                quote! {
                    ::migration_runtime::Migration::__new(
                        #id, #name, #doc, &[#(#parents),*], &[#(#up),*], #down, &[#(#data_steps),*],
                    )
                    .__reviewed(&[#(#reviewed),*])
                }
            });
    module(history, checked, quote!(&[#(#migrations),*]))
}

/// Every error, plus the module with an empty set so the user's code that
/// names `MIGRATIONS` does not add errors of its own.
pub fn expand_errors(history: &History, error: syn::Error, checked: &Checked) -> TokenStream {
    let errors = error.to_compile_error();
    let module = module(history, checked, quote!(&[]));
    quote!(#errors #module)
}

fn module(history: &History, checked: &Checked, migrations: TokenStream) -> TokenStream {
    let History {
        attrs,
        vis,
        ident,
        items,
        allow_branches,
        ..
    } = history;
    let schema_at = crate::expand_tables::schema_at(checked);
    quote! {
        #(#attrs)*
        #vis mod #ident {
            #(#items)*

            #schema_at

            /// Every migration of this history, oldest first.
            pub static MIGRATIONS: ::migration_runtime::MigrationSet =
                ::migration_runtime::MigrationSet::__new(#migrations, #allow_branches);
        }
    }
}
