//! Column types and column specifications: `varchar(255).nullable()`.

use syn::spanned::Spanned;
use syn::{Expr, Ident, LitStr};

use migration_model::{Column, ColumnDefault, Literal, Name, RefAction, SqlType};

use super::{Chain, expect_args, expr::parse_literal, string_literal};

/// A column as written: its definition and the table-level facts that only
/// `create_table` accepts.
pub struct ColumnSpec {
    /// The column (its name filled in by the caller).
    pub column: Column,
    /// `.primary_key()`.
    pub primary_key: Option<Ident>,
    /// `.unique()`.
    pub unique: Option<Ident>,
    /// `.references("table", "column")` with its actions.
    pub references: Option<Reference>,
}

/// `.references("table", "column")`, with `.on_delete(..)` / `.on_update(..)`.
pub struct Reference {
    /// The `references` token.
    pub method: Ident,
    /// The referenced table.
    pub table: LitStr,
    /// The referenced column.
    pub column: LitStr,
    /// What happens on delete.
    pub on_delete: RefAction,
    /// What happens on update.
    pub on_update: RefAction,
}

/// Parses a bare type: `varchar(255)`, `integer()`, `decimal(10, 2)`.
pub fn parse_type(expr: &Expr) -> syn::Result<SqlType> {
    let Expr::Call(call) = expr else {
        return Err(unknown_type(expr));
    };
    let Expr::Path(path) = &*call.func else {
        return Err(unknown_type(expr));
    };
    let Some(ident) = path.path.get_ident() else {
        return Err(unknown_type(expr));
    };
    let args: Vec<&Expr> = call.args.iter().collect();
    let number = |index: usize| -> syn::Result<u32> {
        match args[index] {
            Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Int(int),
                ..
            }) => int.base10_parse(),
            other => Err(syn::Error::new_spanned(
                other,
                "expected an integer literal",
            )),
        }
    };
    let no_args = || expect_args(ident, &args, 0, &format!("{ident}()"));
    let ty = match ident.to_string().as_str() {
        "smallint" => no_args().map(|_| SqlType::SmallInt)?,
        "integer" => no_args().map(|_| SqlType::Integer)?,
        "bigint" => no_args().map(|_| SqlType::BigInt)?,
        "double" => no_args().map(|_| SqlType::Double)?,
        "text" => no_args().map(|_| SqlType::Text)?,
        "boolean" => no_args().map(|_| SqlType::Bool)?,
        "uuid" => no_args().map(|_| SqlType::Uuid)?,
        "date" => no_args().map(|_| SqlType::Date)?,
        "timestamp" => no_args().map(|_| SqlType::Timestamp)?,
        "timestamptz" => no_args().map(|_| SqlType::TimestampTz)?,
        "bytes" => no_args().map(|_| SqlType::Bytes)?,
        "json" => no_args().map(|_| SqlType::Json)?,
        "varchar" => {
            expect_args(ident, &args, 1, "varchar(length)")?;
            let length = number(0)?;
            if length == 0 || length > 10_485_760 {
                return Err(syn::Error::new_spanned(
                    args[0],
                    "varchar length must be between 1 and 10485760",
                ));
            }
            SqlType::Varchar(length)
        }
        "decimal" => {
            expect_args(ident, &args, 2, "decimal(precision, scale)")?;
            let (precision, scale) = (number(0)?, number(1)?);
            if !(1..=1000).contains(&precision) || scale > precision {
                return Err(syn::Error::new_spanned(
                    call,
                    "decimal needs 1 <= precision <= 1000 and scale <= precision",
                ));
            }
            let narrow = |n: u32| {
                u8::try_from(n).map_err(|_| {
                    syn::Error::new_spanned(call, "decimal precision above 255 is not supported")
                })
            };
            SqlType::Decimal {
                precision: narrow(precision)?,
                scale: narrow(scale)?,
            }
        }
        _ => return Err(unknown_type(expr)),
    };
    Ok(ty)
}

fn unknown_type(expr: &Expr) -> syn::Error {
    syn::Error::new_spanned(
        expr,
        "unknown column type; expected smallint(), integer(), bigint(), double(), decimal(p, s), text(), \
         varchar(n), boolean(), uuid(), date(), timestamp(), timestamptz(), bytes() or json()",
    )
}

/// Parses a column specification: a type followed by modifiers.
pub fn parse_column_spec(name: &LitStr, expr: &Expr) -> syn::Result<ColumnSpec> {
    let chain = Chain::of(expr);
    let ty = parse_type(chain.receiver)?;
    let mut spec = ColumnSpec {
        column: Column {
            name: Name::Owned(name.value()),
            ty,
            nullable: false,
            default: None,
        },
        primary_key: None,
        unique: None,
        references: None,
    };
    for (method, args) in chain.calls {
        let no_args = || expect_args(method, &args, 0, &format!("{method}()"));
        match method.to_string().as_str() {
            "nullable" => no_args().map(|_| spec.column.nullable = true)?,
            "default" => {
                expect_args(method, &args, 1, "default(value)")?;
                spec.column.default = Some(parse_default_value(args[0])?);
            }
            "default_now" => no_args().map(|_| spec.column.default = Some(ColumnDefault::Now))?,
            "default_random_uuid" => {
                no_args().map(|_| spec.column.default = Some(ColumnDefault::RandomUuid))?
            }
            "identity" => no_args().map(|_| spec.column.default = Some(ColumnDefault::Identity))?,
            "primary_key" => no_args().map(|_| spec.primary_key = Some(method.clone()))?,
            "unique" => no_args().map(|_| spec.unique = Some(method.clone()))?,
            "references" => {
                expect_args(method, &args, 2, "references(\"table\", \"column\")")?;
                spec.references = Some(Reference {
                    method: method.clone(),
                    table: string_literal(args[0])?,
                    column: string_literal(args[1])?,
                    on_delete: RefAction::NoAction,
                    on_update: RefAction::NoAction,
                });
            }
            "on_delete" | "on_update" => {
                expect_args(method, &args, 1, &format!("{method}(cascade)"))?;
                let action = parse_ref_action(args[0])?;
                let Some(reference) = &mut spec.references else {
                    return Err(syn::Error::new(
                        method.span(),
                        format!("`{method}` goes after `.references(..)`"),
                    ));
                };
                if method == "on_delete" {
                    reference.on_delete = action;
                } else {
                    reference.on_update = action;
                }
            }
            other => {
                return Err(syn::Error::new(
                    method.span(),
                    format!(
                        "unknown column option `{other}`; expected nullable, default, default_now, \
                         default_random_uuid, identity, primary_key, unique or references"
                    ),
                ));
            }
        }
    }
    Ok(spec)
}

/// A column default: a literal, `null()`, `now()` or `random_uuid()`.
pub fn parse_default_value(expr: &Expr) -> syn::Result<ColumnDefault> {
    match expr {
        Expr::Lit(literal) => Ok(ColumnDefault::Value(parse_literal(&literal.lit)?)),
        Expr::Unary(syn::ExprUnary {
            op: syn::UnOp::Neg(_),
            expr: inner,
            ..
        }) => match parse_default_value(inner)? {
            ColumnDefault::Value(Literal::Int(n)) => Ok(ColumnDefault::Value(Literal::Int(-n))),
            ColumnDefault::Value(Literal::Float(n)) => Ok(ColumnDefault::Value(Literal::Float(-n))),
            _ => Err(syn::Error::new_spanned(expr, "expected a number")),
        },
        Expr::Call(call) if call.args.is_empty() => {
            let name = match &*call.func {
                Expr::Path(path) => path.path.get_ident().map(ToString::to_string),
                _ => None,
            };
            match name.as_deref() {
                Some("null") => Ok(ColumnDefault::Value(Literal::Null)),
                Some("now") => Ok(ColumnDefault::Now),
                Some("random_uuid") => Ok(ColumnDefault::RandomUuid),
                _ => Err(bad_default(expr)),
            }
        }
        _ => Err(bad_default(expr)),
    }
}

fn bad_default(expr: &Expr) -> syn::Error {
    syn::Error::new(
        expr.span(),
        "a default is a literal, `null()`, `now()` or `random_uuid()`",
    )
}

/// `cascade`, `set_null`, `restrict`, `set_default` or `no_action` (a path or a call).
pub fn parse_ref_action(expr: &Expr) -> syn::Result<RefAction> {
    let ident = match expr {
        Expr::Path(path) => path.path.segments.last().map(|s| s.ident.to_string()),
        Expr::Call(call) => match &*call.func {
            Expr::Path(path) => path.path.segments.last().map(|s| s.ident.to_string()),
            _ => None,
        },
        _ => None,
    };
    match ident
        .as_deref()
        .map(|s| s.to_lowercase().replace('_', ""))
        .as_deref()
    {
        Some("cascade") => Ok(RefAction::Cascade),
        Some("setnull") => Ok(RefAction::SetNull),
        Some("restrict") => Ok(RefAction::Restrict),
        Some("setdefault") => Ok(RefAction::SetDefault),
        Some("noaction") => Ok(RefAction::NoAction),
        _ => Err(syn::Error::new_spanned(
            expr,
            "expected cascade, set_null, restrict, set_default or no_action",
        )),
    }
}
