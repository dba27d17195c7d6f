//! Expressions: `col("a")`, literals, `concat([..])`, `split_part(..)`,
//! operators and comparison methods.

use proc_macro2::Span;
use syn::spanned::Spanned;
use syn::{BinOp, Expr, ExprCall, Lit, UnOp};

use migration_model::{Expr as Model, Function, Literal, Name};

use super::{Chain, expect_args, string_literal, types};

/// Where each node of a parsed expression was written, in the same shape
/// as the model's expression (one child per argument).
pub struct ExprAst {
    /// The node's tokens.
    pub span: Span,
    /// Its arguments, in order.
    pub args: Vec<ExprAst>,
}

impl ExprAst {
    fn leaf(span: Span) -> ExprAst {
        ExprAst {
            span,
            args: Vec::new(),
        }
    }

    /// The span of the node reached by following `path` (argument indexes).
    pub fn span_at(&self, path: &[usize]) -> Span {
        match path.split_first() {
            Some((first, rest)) => match self.args.get(*first) {
                Some(arg) => arg.span_at(rest),
                None => self.span,
            },
            None => self.span,
        }
    }
}

/// Parses an expression into the model and its spans.
pub fn parse(expr: &Expr) -> syn::Result<(Model, ExprAst)> {
    match expr {
        Expr::Lit(literal) => Ok((
            Model::Literal(parse_literal(&literal.lit)?),
            ExprAst::leaf(expr.span()),
        )),
        Expr::Paren(inner) => parse(&inner.expr),
        Expr::Group(inner) => parse(&inner.expr),
        Expr::Unary(unary) => match unary.op {
            UnOp::Neg(_) => match parse(&unary.expr)? {
                (Model::Literal(Literal::Int(n)), _) => {
                    Ok((Model::Literal(Literal::Int(-n)), ExprAst::leaf(expr.span())))
                }
                (Model::Literal(Literal::Float(n)), _) => Ok((
                    Model::Literal(Literal::Float(-n)),
                    ExprAst::leaf(expr.span()),
                )),
                (operand, operand_ast) => call(
                    Function::Sub,
                    vec![
                        (Model::Literal(Literal::Int(0)), ExprAst::leaf(expr.span())),
                        (operand, operand_ast),
                    ],
                    expr.span(),
                ),
            },
            UnOp::Not(_) => call(Function::Not, vec![parse(&unary.expr)?], expr.span()),
            _ => Err(unsupported(expr)),
        },
        Expr::Binary(binary) => {
            let function = match binary.op {
                BinOp::Add(_) => Function::Add,
                BinOp::Sub(_) => Function::Sub,
                BinOp::Mul(_) => Function::Mul,
                BinOp::Div(_) => Function::Div,
                BinOp::Eq(_) => Function::Eq,
                BinOp::Ne(_) => Function::Ne,
                BinOp::Lt(_) => Function::Lt,
                BinOp::Le(_) => Function::Le,
                BinOp::Gt(_) => Function::Gt,
                BinOp::Ge(_) => Function::Ge,
                BinOp::And(_) => Function::And,
                BinOp::Or(_) => Function::Or,
                _ => {
                    return Err(syn::Error::new_spanned(
                        binary.op,
                        "this operator is not part of the migration language",
                    ));
                }
            };
            call(
                function,
                vec![parse(&binary.left)?, parse(&binary.right)?],
                expr.span(),
            )
        }
        Expr::Call(call_expr) => parse_function(call_expr),
        Expr::MethodCall(_) => parse_method(expr),
        _ => Err(unsupported(expr)),
    }
}

fn unsupported(expr: &Expr) -> syn::Error {
    syn::Error::new_spanned(
        expr,
        "expected an expression: `col(\"name\")`, a literal, `concat([..])`, `split_part(..)`, `coalesce([..])`, ...",
    )
}

fn call(
    function: Function,
    args: Vec<(Model, ExprAst)>,
    span: Span,
) -> syn::Result<(Model, ExprAst)> {
    let (models, spans): (Vec<Model>, Vec<ExprAst>) = args.into_iter().unzip();
    Ok((
        Model::Call(function, models.into()),
        ExprAst { span, args: spans },
    ))
}

/// A literal, as the model stores it.
pub fn parse_literal(lit: &Lit) -> syn::Result<Literal> {
    match lit {
        Lit::Str(text) => Ok(Literal::Text(Name::Owned(text.value()))),
        Lit::Int(int) => Ok(Literal::Int(int.base10_parse()?)),
        Lit::Float(float) => Ok(Literal::Float(float.base10_parse()?)),
        Lit::Bool(value) => Ok(Literal::Bool(value.value)),
        other => Err(syn::Error::new_spanned(
            other,
            "expected a string, integer, float or boolean literal",
        )),
    }
}

fn function_name(call_expr: &ExprCall) -> syn::Result<String> {
    match &*call_expr.func {
        Expr::Path(path) => match path.path.segments.last() {
            Some(segment) => Ok(segment.ident.to_string()),
            None => Err(syn::Error::new_spanned(
                &call_expr.func,
                "expected a function name",
            )),
        },
        other => Err(syn::Error::new_spanned(other, "expected a function name")),
    }
}

fn parse_function(call_expr: &ExprCall) -> syn::Result<(Model, ExprAst)> {
    let name = function_name(call_expr)?;
    let span = call_expr.span();
    let args: Vec<&Expr> = call_expr.args.iter().collect();
    let method = match &*call_expr.func {
        Expr::Path(path) => path.path.segments.last().map(|s| s.ident.clone()),
        _ => None,
    };
    let Some(method) = method else {
        return Err(syn::Error::new(span, "expected a function name"));
    };
    let parse_all = |list: &[&Expr]| {
        list.iter()
            .map(|arg| parse(arg))
            .collect::<syn::Result<Vec<_>>>()
    };
    let fixed = |function: Function, wanted: usize, usage: &str| {
        expect_args(&method, &args, wanted, usage)?;
        call(function, parse_all(&args)?, span)
    };
    match name.as_str() {
        "col" => {
            expect_args(&method, &args, 1, "col(\"column\")")?;
            let column = string_literal(args[0])?;
            Ok((
                Model::Column(Name::Owned(column.value())),
                ExprAst::leaf(span),
            ))
        }
        "lit" => {
            expect_args(&method, &args, 1, "lit(value)")?;
            match args[0] {
                Expr::Lit(literal) => Ok((
                    Model::Literal(parse_literal(&literal.lit)?),
                    ExprAst::leaf(span),
                )),
                other => Err(syn::Error::new_spanned(other, "`lit` takes a literal")),
            }
        }
        "null" => {
            expect_args(&method, &args, 0, "null()")?;
            Ok((Model::Literal(Literal::Null), ExprAst::leaf(span)))
        }
        "concat" | "coalesce" => {
            expect_args(&method, &args, 1, "concat([a, b, ..])")?;
            let Expr::Array(items) = args[0] else {
                return Err(syn::Error::new_spanned(
                    args[0],
                    format!("`{name}` takes a list: `{name}([a, b])`"),
                ));
            };
            let function = if name == "concat" {
                Function::Concat
            } else {
                Function::Coalesce
            };
            let items: Vec<&Expr> = items.elems.iter().collect();
            call(function, parse_all(&items)?, span)
        }
        "split_part" => fixed(Function::SplitPart, 3, "split_part(text, \"delimiter\", n)"),
        "after_first" => fixed(Function::AfterFirst, 2, "after_first(text, \"delimiter\")"),
        "substring" => fixed(Function::Substring, 3, "substring(text, start, length)"),
        "lower" => fixed(Function::Lower, 1, "lower(text)"),
        "upper" => fixed(Function::Upper, 1, "upper(text)"),
        "trim" => fixed(Function::Trim, 1, "trim(text)"),
        "length" => fixed(Function::Length, 1, "length(text)"),
        "nullif" => fixed(Function::NullIf, 2, "nullif(a, b)"),
        "cast" => {
            expect_args(&method, &args, 2, "cast(value, type)")?;
            let ty = types::parse_type(args[1])?;
            call(Function::Cast(ty), vec![parse(args[0])?], span)
        }
        "case_when" => {
            expect_args(
                &method,
                &args,
                2,
                "case_when([(condition, value), ..], otherwise)",
            )?;
            let Expr::Array(pairs) = args[0] else {
                return Err(syn::Error::new_spanned(
                    args[0],
                    "expected a list of `(condition, value)` pairs",
                ));
            };
            let mut parsed = Vec::new();
            for pair in &pairs.elems {
                let Expr::Tuple(tuple) = pair else {
                    return Err(syn::Error::new_spanned(
                        pair,
                        "expected `(condition, value)`",
                    ));
                };
                if tuple.elems.len() != 2 {
                    return Err(syn::Error::new_spanned(
                        pair,
                        "expected `(condition, value)`",
                    ));
                }
                parsed.push(parse(&tuple.elems[0])?);
                parsed.push(parse(&tuple.elems[1])?);
            }
            parsed.push(parse(args[1])?);
            call(Function::Case, parsed, span)
        }
        _ => Err(syn::Error::new_spanned(
            &call_expr.func,
            format!(
                "unknown function `{name}`; expected one of: col, lit, null, concat, split_part, after_first, coalesce, \
                 lower, upper, trim, substring, length, nullif, cast, case_when"
            ),
        )),
    }
}

fn parse_method(expr: &Expr) -> syn::Result<(Model, ExprAst)> {
    let chain = Chain::of(expr);
    let mut current = parse(chain.receiver)?;
    for (method, args) in chain.calls {
        let span = method
            .span()
            .join(expr.span())
            .unwrap_or_else(|| expr.span());
        let unary = |function| -> syn::Result<Function> {
            expect_args(method, &args, 0, &format!("{method}()"))?;
            Ok(function)
        };
        let binary = |function| -> syn::Result<Function> {
            expect_args(method, &args, 1, &format!("{method}(other)"))?;
            Ok(function)
        };
        let function = match method.to_string().as_str() {
            "is_null" => unary(Function::IsNull)?,
            "is_not_null" => unary(Function::IsNotNull)?,
            "not" => unary(Function::Not)?,
            "eq" => binary(Function::Eq)?,
            "ne" => binary(Function::Ne)?,
            "lt" => binary(Function::Lt)?,
            "le" => binary(Function::Le)?,
            "gt" => binary(Function::Gt)?,
            "ge" => binary(Function::Ge)?,
            "and" => binary(Function::And)?,
            "or" => binary(Function::Or)?,
            "add" => binary(Function::Add)?,
            "sub" => binary(Function::Sub)?,
            "mul" => binary(Function::Mul)?,
            "div" => binary(Function::Div)?,
            other => {
                return Err(syn::Error::new(
                    method.span(),
                    format!(
                        "unknown method `{other}` on an expression; expected is_null, is_not_null, not, eq, ne, lt, le, gt, ge, and, or, add, sub, mul or div"
                    ),
                ));
            }
        };
        let mut operands = vec![current];
        for arg in args {
            operands.push(parse(arg)?);
        }
        current = call(function, operands, span)?;
    }
    Ok(current)
}
