//! One step: `m.add_column("members", "phone", varchar(20).nullable());`.

use proc_macro2::Span;
use syn::spanned::Spanned;
use syn::{Expr, Ident, LitStr};

use migration_model::ident::default_name;
use migration_model::op::RawSql;
use migration_model::{ForeignKey, Index, List, Name, Op, RefAction, Subject};

use super::types::{parse_column_spec, parse_default_value, parse_ref_action, parse_type};
use super::{Chain, ExprAst, expect_args, expr, string_list, string_literal, table};

/// The steps the language knows, for the "unknown step" message.
pub const STEP_NAMES: &str = "create_table, drop_table, rename_table, add_column, drop_column, \
     rename_column, change_type, set_default, drop_default, tighten_not_null, loosen_not_null, \
     create_index, drop_index, add_foreign_key, drop_foreign_key, backfill, sql, run_rust";

/// A parsed step and where each of its parts was written.
pub struct Step {
    /// The step, as the model holds it.
    pub op: Op,
    /// The whole statement.
    pub span: Span,
    /// The step's name token (`add_column`).
    pub method: Ident,
    /// Every string literal naming a table, column, index or key.
    pub names: Vec<LitStr>,
    /// The value expression (`backfill`'s value, `change_type`'s `using`).
    pub value: Option<ExprAst>,
    /// The condition (`only_where` of a backfill or an index).
    pub condition: Option<ExprAst>,
    /// The restore expression (`restore_with`).
    pub restore: Option<ExprAst>,
    /// `.assume_no_nulls()` on `tighten_not_null`: the author vouches that no NULL is left.
    pub assume_no_nulls: bool,
    /// `run_rust(f).reverse_with(g)`: the functions named, as written (`f`, then `g`).
    pub functions: Vec<Ident>,
    /// `.reviewed("why")`: the author accepts the danger the review finds
    /// in this step; the modifier's name token and the reason, as often as
    /// written (once is right; the check says so).
    pub reviewed: Vec<(Ident, LitStr)>,
}

impl Step {
    /// Where to point an error about `subject`.
    pub fn span_of(&self, subject: &Subject) -> Span {
        let in_expr = |ast: &Option<ExprAst>, path: &[usize]| {
            ast.as_ref().map_or(self.span, |ast| ast.span_at(path))
        };
        match subject {
            Subject::Name(name) => self
                .names
                .iter()
                .find(|lit| lit.value() == *name)
                .map_or(self.span, LitStr::span),
            Subject::Value(path) => in_expr(&self.value, path),
            Subject::Condition(path) => in_expr(&self.condition, path),
            Subject::Restore(path) => in_expr(&self.restore, path),
            Subject::Step => self.method.span(),
        }
    }
}

fn owned(lit: &LitStr) -> Name {
    Name::Owned(lit.value())
}

/// Parses `receiver.step(args).modifier(args)...`.
pub fn parse(statement: &Expr, receiver: &Ident) -> syn::Result<Step> {
    let chain = Chain::of(statement);
    let receiver_ok = matches!(chain.receiver, Expr::Path(p) if p.path.is_ident(receiver));
    let Some(((method, args), modifiers)) = chain.calls.split_first().filter(|_| receiver_ok)
    else {
        return Err(syn::Error::new_spanned(
            statement,
            format!("expected a step: `{receiver}.add_column(..);`"),
        ));
    };
    let method = (*method).clone();
    let mut step = Step {
        op: Op::Sql {
            up: raw(String::new()),
            down: None,
        },
        span: statement.span(),
        method: method.clone(),
        names: Vec::new(),
        value: None,
        condition: None,
        restore: None,
        assume_no_nulls: false,
        functions: Vec::new(),
        reviewed: Vec::new(),
    };
    let name_arg = |index: usize, step: &mut Step| -> syn::Result<Name> {
        let lit = string_literal(args[index])?;
        step.names.push(lit.clone());
        Ok(owned(&lit))
    };
    let mut allowed: &[&str] = &[];
    step.op = match method.to_string().as_str() {
        "create_table" => {
            expect_args(&method, args, 2, "create_table(\"table\", |t| { .. })")?;
            let name = string_literal(args[0])?;
            let parsed = table::parse(&name, args[1])?;
            step.names = parsed.names;
            Op::CreateTable(parsed.table)
        }
        "drop_table" => {
            expect_args(&method, args, 1, "drop_table(\"table\")")?;
            Op::DropTable {
                table: name_arg(0, &mut step)?,
            }
        }
        "rename_table" => {
            expect_args(&method, args, 2, "rename_table(\"from\", \"to\")")?;
            Op::RenameTable {
                from: name_arg(0, &mut step)?,
                to: name_arg(1, &mut step)?,
            }
        }
        "add_column" => {
            expect_args(&method, args, 3, "add_column(\"table\", \"column\", type)")?;
            let table = name_arg(0, &mut step)?;
            let column_name = string_literal(args[1])?;
            step.names.push(column_name.clone());
            let spec = parse_column_spec(&column_name, args[2])?;
            if let Some(token) = spec.primary_key.or(spec.unique) {
                return Err(syn::Error::new(
                    token.span(),
                    "add_column cannot add a key: use create_index(..).unique() or create the table with it",
                ));
            }
            if let Some(reference) = spec.references {
                return Err(syn::Error::new(
                    reference.method.span(),
                    "add_column cannot add a foreign key: follow it with add_foreign_key(..)",
                ));
            }
            Op::AddColumn {
                table,
                column: spec.column,
            }
        }
        "drop_column" => {
            expect_args(&method, args, 2, "drop_column(\"table\", \"column\")")?;
            allowed = &["restore_with"];
            Op::DropColumn {
                table: name_arg(0, &mut step)?,
                column: name_arg(1, &mut step)?,
                restore: None,
            }
        }
        "rename_column" => {
            expect_args(
                &method,
                args,
                3,
                "rename_column(\"table\", \"from\", \"to\")",
            )?;
            Op::RenameColumn {
                table: name_arg(0, &mut step)?,
                from: name_arg(1, &mut step)?,
                to: name_arg(2, &mut step)?,
            }
        }
        "change_type" => {
            expect_args(&method, args, 3, "change_type(\"table\", \"column\", type)")?;
            allowed = &["using"];
            Op::ChangeType {
                table: name_arg(0, &mut step)?,
                column: name_arg(1, &mut step)?,
                ty: parse_type(args[2])?,
                using: None,
            }
        }
        "set_default" => {
            expect_args(
                &method,
                args,
                3,
                "set_default(\"table\", \"column\", value)",
            )?;
            Op::SetDefault {
                table: name_arg(0, &mut step)?,
                column: name_arg(1, &mut step)?,
                default: Some(parse_default_value(args[2])?),
            }
        }
        "drop_default" => {
            expect_args(&method, args, 2, "drop_default(\"table\", \"column\")")?;
            Op::SetDefault {
                table: name_arg(0, &mut step)?,
                column: name_arg(1, &mut step)?,
                default: None,
            }
        }
        "tighten_not_null" | "loosen_not_null" => {
            expect_args(
                &method,
                args,
                2,
                &format!("{method}(\"table\", \"column\")"),
            )?;
            if method == "tighten_not_null" {
                allowed = &["assume_no_nulls"];
            }
            Op::SetNullable {
                table: name_arg(0, &mut step)?,
                column: name_arg(1, &mut step)?,
                nullable: method == "loosen_not_null",
            }
        }
        "create_index" => {
            expect_args(
                &method,
                args,
                2,
                "create_index(\"table\", [\"column\", ..])",
            )?;
            allowed = &["unique", "name", "only_where"];
            let table = name_arg(0, &mut step)?;
            let columns = string_list(args[1])?;
            step.names.extend(columns.iter().cloned());
            let values: Vec<String> = columns.iter().map(LitStr::value).collect();
            Op::CreateIndex(Index {
                name: Name::Owned(default_name(&table, &values, "idx")),
                table,
                columns: List::Owned(columns.iter().map(owned).collect()),
                unique: false,
                predicate: None,
            })
        }
        "drop_index" => {
            expect_args(&method, args, 1, "drop_index(\"name\")")?;
            Op::DropIndex {
                name: name_arg(0, &mut step)?,
            }
        }
        "add_foreign_key" => {
            expect_args(
                &method,
                args,
                4,
                "add_foreign_key(\"table\", [\"column\"], \"ref_table\", [\"ref_column\"])",
            )?;
            allowed = &["on_delete", "on_update", "name"];
            let table = name_arg(0, &mut step)?;
            let columns = string_list(args[1])?;
            let ref_table = name_arg(2, &mut step)?;
            let ref_columns = string_list(args[3])?;
            step.names
                .extend(columns.iter().chain(&ref_columns).cloned());
            let values: Vec<String> = columns.iter().map(LitStr::value).collect();
            Op::AddForeignKey {
                key: ForeignKey {
                    name: Name::Owned(default_name(&table, &values, "fkey")),
                    columns: List::Owned(columns.iter().map(owned).collect()),
                    ref_table,
                    ref_columns: List::Owned(ref_columns.iter().map(owned).collect()),
                    on_delete: RefAction::NoAction,
                    on_update: RefAction::NoAction,
                },
                table,
            }
        }
        "drop_foreign_key" => {
            expect_args(&method, args, 2, "drop_foreign_key(\"table\", \"name\")")?;
            Op::DropForeignKey {
                table: name_arg(0, &mut step)?,
                name: name_arg(1, &mut step)?,
            }
        }
        "backfill" => {
            expect_args(&method, args, 3, "backfill(\"table\", \"column\", value)")?;
            allowed = &["only_where", "restore_with", "batched"];
            let table = name_arg(0, &mut step)?;
            let column = name_arg(1, &mut step)?;
            let (value, value_ast) = expr::parse(args[2])?;
            step.value = Some(value_ast);
            Op::Backfill {
                table,
                column,
                value,
                only_where: None,
                restore: None,
                batch_size: None,
            }
        }
        "sql" => {
            expect_args(&method, args, 1, "sql(\"statement\")")?;
            allowed = &["reverse_with", "sqlite", "sqlite_reverse_with"];
            let text = string_literal(args[0])?.value();
            Op::Sql {
                up: raw(text),
                down: None,
            }
        }
        "run_rust" => {
            expect_args(&method, args, 1, "run_rust(function_of_this_module)")?;
            allowed = &["reverse_with"];
            let function = function_name(args[0])?;
            let op = Op::RunRust {
                function: Name::Owned(function.to_string()),
                reverse: None,
            };
            step.functions.push(function);
            op
        }
        other => {
            return Err(syn::Error::new(
                method.span(),
                format!("unknown step `{other}`; expected one of: {STEP_NAMES}"),
            ));
        }
    };
    for (modifier, args) in modifiers {
        apply_modifier(&mut step, modifier, args, allowed)?;
    }
    Ok(step)
}

/// The function a Rust step calls: a plain name, since the step's typed
/// tables are generated under that name (`schema_at::name`).
fn function_name(expr: &Expr) -> syn::Result<Ident> {
    match expr {
        Expr::Path(path) if path.qself.is_none() => path.path.get_ident().cloned(),
        _ => None,
    }
    .ok_or_else(|| {
        syn::Error::new_spanned(
            expr,
            "expected the name of a function of this module: `run_rust(normalize_emails)`",
        )
    })
}

fn raw(text: String) -> RawSql {
    RawSql {
        postgres: Name::Owned(text.clone()),
        sqlite: Name::Owned(text),
    }
}

fn apply_modifier(
    step: &mut Step,
    modifier: &Ident,
    args: &[&Expr],
    allowed: &[&str],
) -> syn::Result<()> {
    let name = modifier.to_string();
    if name == "reviewed" {
        return apply_reviewed(step, modifier, args);
    }
    if !allowed.contains(&name.as_str()) {
        let expected = if allowed.is_empty() {
            "none".to_owned()
        } else {
            allowed.join(", ")
        };
        return Err(syn::Error::new(
            modifier.span(),
            format!(
                "`{}` has no option `{name}`; its options: {expected} (and `reviewed` on any step)",
                step.method
            ),
        ));
    }
    let one_expr = || -> syn::Result<(migration_model::Expr, ExprAst)> {
        expect_args(modifier, args, 1, &format!("{name}(expression)"))?;
        expr::parse(args[0])
    };
    let one_string = || -> syn::Result<Name> {
        expect_args(modifier, args, 1, &format!("{name}(\"...\")"))?;
        Ok(owned(&string_literal(args[0])?))
    };
    match (&mut step.op, name.as_str()) {
        (Op::DropColumn { restore, .. } | Op::Backfill { restore, .. }, "restore_with") => {
            let (expr, ast) = one_expr()?;
            *restore = Some(expr);
            step.restore = Some(ast);
        }
        (Op::ChangeType { using, .. }, "using") => {
            let (expr, ast) = one_expr()?;
            *using = Some(expr);
            step.value = Some(ast);
        }
        (Op::Backfill { only_where, .. }, "only_where") => {
            let (expr, ast) = one_expr()?;
            *only_where = Some(expr);
            step.condition = Some(ast);
        }
        (Op::Backfill { batch_size, .. }, "batched") => {
            expect_args(modifier, args, 1, "batched(rows_per_batch)")?;
            let size = match args[0] {
                Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Int(int),
                    ..
                }) => int.base10_parse::<u32>()?,
                other => {
                    return Err(syn::Error::new_spanned(
                        other,
                        "expected the number of rows per batch",
                    ));
                }
            };
            if size == 0 {
                return Err(syn::Error::new_spanned(
                    args[0],
                    "a batch holds at least one row",
                ));
            }
            *batch_size = Some(size);
        }
        (Op::SetNullable { .. }, "assume_no_nulls") => {
            expect_args(modifier, args, 0, "assume_no_nulls()")?;
            step.assume_no_nulls = true;
        }
        (Op::CreateIndex(index), "only_where") => {
            let (expr, ast) = one_expr()?;
            index.predicate = Some(expr);
            step.condition = Some(ast);
        }
        (Op::CreateIndex(index), "unique") => {
            expect_args(modifier, args, 0, "unique()")?;
            index.unique = true;
        }
        (Op::CreateIndex(index), "name") => {
            let lit = string_literal(args.first().copied().unwrap_or(&syn::parse_quote!(())))?;
            index.name = owned(&lit);
            step.names.push(lit);
        }
        (Op::AddForeignKey { key, .. }, "name") => {
            let lit = string_literal(args.first().copied().unwrap_or(&syn::parse_quote!(())))?;
            key.name = owned(&lit);
            step.names.push(lit);
        }
        (Op::AddForeignKey { key, .. }, "on_delete" | "on_update") => {
            expect_args(modifier, args, 1, &format!("{name}(cascade)"))?;
            let action = parse_ref_action(args[0])?;
            if name == "on_delete" {
                key.on_delete = action
            } else {
                key.on_update = action
            }
        }
        (Op::RunRust { reverse, .. }, "reverse_with") => {
            expect_args(modifier, args, 1, "reverse_with(function_of_this_module)")?;
            let function = function_name(args[0])?;
            *reverse = Some(Name::Owned(function.to_string()));
            step.functions.push(function);
        }
        (Op::Sql { down, .. }, "reverse_with") => {
            *down = Some(raw(one_string()?.into_owned()));
        }
        (Op::Sql { up, .. }, "sqlite") => up.sqlite = one_string()?,
        (
            Op::Sql {
                down: Some(down), ..
            },
            "sqlite_reverse_with",
        ) => down.sqlite = one_string()?,
        (Op::Sql { .. }, "sqlite_reverse_with") => {
            return Err(syn::Error::new(
                modifier.span(),
                "`sqlite_reverse_with` goes after `reverse_with`",
            ));
        }
        _ => {
            return Err(syn::Error::new(
                modifier.span(),
                format!("`{name}` does not apply here"),
            ));
        }
    }
    Ok(())
}

/// `.reviewed("why")`, which any step may carry: whether the step needs it
/// is for the check, which knows the schema and names the migration.
fn apply_reviewed(step: &mut Step, modifier: &Ident, args: &[&Expr]) -> syn::Result<()> {
    expect_args(
        modifier,
        args,
        1,
        "reviewed(\"why this danger is accepted\")",
    )?;
    let reason = string_literal(args[0])?;
    step.reviewed.push((modifier.clone(), reason));
    Ok(())
}
