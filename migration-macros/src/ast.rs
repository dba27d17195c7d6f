//! Parsing: the `#[migrations]` module into a [`History`], with every
//! token kept where a later error may need to point at it. Knows no SQL.

mod expr;
mod step;
mod table;
mod types;

use proc_macro2::{Span, TokenStream};
use syn::parse::Parser;
use syn::{Attribute, Expr, FnArg, Ident, Item, ItemFn, ItemMod, LitStr, Pat, Stmt};

pub use expr::ExprAst;
pub use step::Step;

/// The whole history: the module and its migrations, oldest first.
pub struct History {
    /// The module's attributes other than docs we keep verbatim.
    pub attrs: Vec<Attribute>,
    /// The module's visibility.
    pub vis: syn::Visibility,
    /// The module's name.
    pub ident: Ident,
    /// Items of the module that are not migrations (helpers, Rust data steps).
    pub items: Vec<Item>,
    /// The migrations, in the order written.
    pub migrations: Vec<Migration>,
    /// `#[migrations(allow_branches)]`: several heads are reported at run time
    /// instead of refused at compile time.
    pub allow_branches: bool,
}

/// One `#[migration]` function and its optional `#[downgrade]`.
pub struct Migration {
    /// The function's name, for messages and as the migration's name.
    pub name: Ident,
    /// `id = "..."`.
    pub id: LitStr,
    /// `parent = "..."` or `parents = [..]`; `None` when omitted (the previous migration).
    pub parents: Option<Vec<LitStr>>,
    /// `irreversible = "why"`.
    pub irreversible: Option<LitStr>,
    /// The doc comment, as the migration's description.
    pub doc: String,
    /// The upgrade's steps.
    pub up: Vec<Step>,
    /// A hand-written downgrade: the function's name and its steps.
    pub down: Option<(Ident, Vec<Step>)>,
}

impl History {
    /// Parses the attribute's arguments and the module it is on.
    pub fn parse(args: TokenStream, input: TokenStream) -> syn::Result<History> {
        let allow_branches = parse_module_args(args)?;
        let module: ItemMod = syn::parse2(input)?;
        let Some((_, content)) = module.content else {
            return Err(syn::Error::new_spanned(
                &module,
                "#[migrations] needs the module's body inline: `mod history { ... }`",
            ));
        };
        let mut history = History {
            attrs: module.attrs,
            vis: module.vis,
            ident: module.ident,
            items: Vec::new(),
            migrations: Vec::new(),
            allow_branches,
        };
        let mut errors = Errors::default();
        for item in content {
            match item {
                Item::Fn(function) if has_attr(&function.attrs, "migration") => {
                    match Migration::parse(function) {
                        Ok(migration) => history.migrations.push(migration),
                        Err(error) => errors.push(error),
                    }
                }
                Item::Fn(function) if has_attr(&function.attrs, "downgrade") => {
                    let attr = find_attr(&function.attrs, "downgrade");
                    match history.migrations.last_mut() {
                        Some(migration) if migration.down.is_none() => {
                            match parse_body(&function, "Down", &migration.id()) {
                                Ok(steps) => migration.down = Some((function.sig.ident.clone(), steps)),
                                Err(error) => errors.push(error),
                            }
                        }
                        _ => errors.push(syn::Error::new_spanned(
                            attr,
                            "#[downgrade] must directly follow the #[migration] function it reverts",
                        )),
                    }
                }
                other => history.items.push(other),
            }
        }
        errors.finish()?;
        Ok(history)
    }
}

fn parse_module_args(args: TokenStream) -> syn::Result<bool> {
    let mut allow_branches = false;
    let parser = syn::meta::parser(|meta| {
        if meta.path.is_ident("allow_branches") {
            allow_branches = true;
            Ok(())
        } else {
            Err(meta.error("unknown #[migrations] option; expected `allow_branches`"))
        }
    });
    parser.parse2(args)?;
    Ok(allow_branches)
}

impl Migration {
    fn parse(function: ItemFn) -> syn::Result<Migration> {
        let attr = find_attr(&function.attrs, "migration");
        let mut id = None;
        let mut parents = None;
        let mut irreversible = None;
        attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("id") {
                id = Some(meta.value()?.parse::<LitStr>()?);
            } else if meta.path.is_ident("parent") {
                parents = Some(vec![meta.value()?.parse::<LitStr>()?]);
            } else if meta.path.is_ident("parents") {
                let list: syn::ExprArray = meta.value()?.parse()?;
                parents = Some(list.elems.iter().map(string_literal).collect::<syn::Result<_>>()?);
            } else if meta.path.is_ident("irreversible") {
                irreversible = Some(meta.value()?.parse::<LitStr>()?);
            } else {
                return Err(meta.error(
                    "unknown #[migration] option; expected `id`, `parent`, `parents` or `irreversible`",
                ));
            }
            Ok(())
        })?;
        let Some(id) = id else {
            return Err(syn::Error::new_spanned(
                attr,
                "#[migration] needs `id = \"...\"`",
            ));
        };
        if id.value().is_empty() {
            return Err(syn::Error::new_spanned(
                &id,
                "a migration id cannot be empty",
            ));
        }
        let up = parse_body(&function, "Up", &id.value())?;
        Ok(Migration {
            name: function.sig.ident.clone(),
            id,
            parents,
            irreversible,
            doc: doc_comment(&function.attrs),
            up,
            down: None,
        })
    }

    /// The id as written.
    pub fn id(&self) -> String {
        self.id.value()
    }
}

/// Parses `fn name(m: &mut Up) { m.step(..); ... }` into steps.
fn parse_body(function: &ItemFn, expected_type: &str, id: &str) -> syn::Result<Vec<Step>> {
    let receiver = receiver_name(function, expected_type)?;
    let mut errors = Errors::default();
    let mut steps = Vec::new();
    for stmt in &function.block.stmts {
        let expr = match stmt {
            Stmt::Expr(expr, Some(_)) => expr,
            Stmt::Expr(expr, None) => {
                errors.push(syn::Error::new_spanned(expr, "end each step with `;`"));
                continue;
            }
            Stmt::Macro(todo) if todo.mac.path.is_ident("todo") => {
                errors.push(decision_left(todo, id));
                continue;
            }
            other => {
                errors.push(syn::Error::new_spanned(
                    other,
                    format!("a migration is a list of steps on `{receiver}`: `{receiver}.add_column(..);`"),
                ));
                continue;
            }
        };
        match step::parse(expr, &receiver) {
            Ok(step) => steps.push(step),
            Err(error) => errors.push(error),
        }
    }
    errors.finish()?;
    Ok(steps)
}

/// `todo!("what to decide")`: a decision left to the author (as
/// `revision --autogenerate` writes them). The migration does not compile
/// until it is made, and the message says what it is.
fn decision_left(todo: &syn::StmtMacro, id: &str) -> syn::Error {
    let what = todo
        .mac
        .parse_body::<LitStr>()
        .map_or_else(|_| todo.mac.tokens.to_string(), |text| text.value());
    syn::Error::new_spanned(
        &todo.mac,
        format!("migration `{id}`: to decide: {what} (then delete this `todo!`)"),
    )
}

fn receiver_name(function: &ItemFn, expected_type: &str) -> syn::Result<Ident> {
    let signature = &function.sig;
    let wrong = || {
        syn::Error::new_spanned(
            signature,
            format!("expected `fn {}(m: &mut {expected_type})`", signature.ident),
        )
    };
    if signature.inputs.len() != 1 {
        return Err(wrong());
    }
    let Some(FnArg::Typed(arg)) = signature.inputs.first() else {
        return Err(wrong());
    };
    let Pat::Ident(pat) = &*arg.pat else {
        return Err(wrong());
    };
    let syn::Type::Reference(reference) = &*arg.ty else {
        return Err(wrong());
    };
    let is_expected = matches!(&*reference.elem, syn::Type::Path(path)
        if path.path.segments.last().is_some_and(|s| s.ident == expected_type));
    if reference.mutability.is_none() || !is_expected {
        return Err(wrong());
    }
    Ok(pat.ident.clone())
}

fn has_attr(attrs: &[Attribute], name: &str) -> bool {
    attrs.iter().any(|attr| attr.path().is_ident(name))
}

fn find_attr<'a>(attrs: &'a [Attribute], name: &str) -> &'a Attribute {
    // Only called after `has_attr` said it is there.
    attrs
        .iter()
        .find(|attr| attr.path().is_ident(name))
        .unwrap_or(&attrs[0])
}

fn doc_comment(attrs: &[Attribute]) -> String {
    let lines: Vec<String> = attrs
        .iter()
        .filter(|attr| attr.path().is_ident("doc"))
        .filter_map(|attr| match &attr.meta {
            syn::Meta::NameValue(syn::MetaNameValue {
                value:
                    Expr::Lit(syn::ExprLit {
                        lit: syn::Lit::Str(text),
                        ..
                    }),
                ..
            }) => Some(text.value().trim().to_owned()),
            _ => None,
        })
        .collect();
    lines.join("\n").trim().to_owned()
}

/// A string literal argument.
pub fn string_literal(expr: &Expr) -> syn::Result<LitStr> {
    match expr {
        Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(text),
            ..
        }) => Ok(text.clone()),
        other => Err(syn::Error::new_spanned(other, "expected a string literal")),
    }
}

/// A list of string literals: `["a", "b"]`, or one string for a single name.
pub fn string_list(expr: &Expr) -> syn::Result<Vec<LitStr>> {
    match expr {
        Expr::Array(array) => array.elems.iter().map(string_literal).collect(),
        Expr::Reference(reference) => string_list(&reference.expr),
        other => string_literal(other).map(|one| vec![one]),
    }
}

/// A method-call chain `recv.a(..).b(..)` taken apart, innermost first.
pub struct Chain<'a> {
    /// What the chain starts from.
    pub receiver: &'a Expr,
    /// Each call: its method name and arguments.
    pub calls: Vec<(&'a Ident, Vec<&'a Expr>)>,
}

impl<'a> Chain<'a> {
    /// Takes `expr` apart.
    pub fn of(mut expr: &'a Expr) -> Chain<'a> {
        let mut calls = Vec::new();
        while let Expr::MethodCall(call) = expr {
            calls.push((&call.method, call.args.iter().collect()));
            expr = &call.receiver;
        }
        calls.reverse();
        Chain {
            receiver: expr,
            calls,
        }
    }
}

/// Checks a call's argument count, pointing at the method on error.
pub fn expect_args(method: &Ident, args: &[&Expr], wanted: usize, usage: &str) -> syn::Result<()> {
    if args.len() == wanted {
        Ok(())
    } else {
        Err(syn::Error::new(
            method.span(),
            format!("`{method}` takes {wanted} argument(s): {usage}"),
        ))
    }
}

/// Errors gathered so that all of them are reported at once.
#[derive(Default)]
pub struct Errors(Option<syn::Error>);

impl Errors {
    /// Adds an error.
    pub fn push(&mut self, error: syn::Error) {
        match &mut self.0 {
            Some(all) => all.combine(error),
            None => self.0 = Some(error),
        }
    }

    /// Whether no error was gathered.
    pub fn is_empty(&self) -> bool {
        self.0.is_none()
    }

    /// Adds an error at `span`.
    pub fn at(&mut self, span: Span, message: impl std::fmt::Display) {
        self.push(syn::Error::new(span, message));
    }

    /// `Err` with every error, or `Ok` when there were none.
    pub fn finish(self) -> syn::Result<()> {
        match self.0 {
            Some(error) => Err(error),
            None => Ok(()),
        }
    }

    /// The errors gathered, if any.
    pub fn into_error(self) -> Option<syn::Error> {
        self.0
    }
}
