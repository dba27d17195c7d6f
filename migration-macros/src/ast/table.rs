//! `create_table("name", |t| { ... })`: a table's columns and constraints.

use syn::{Expr, LitStr, Stmt};

use migration_model::ident::default_name;
use migration_model::{
    Check, Column, ColumnDefault, ForeignKey, List, Name, RefAction, SqlType, Table, Unique,
};

use super::types::{parse_column_spec, parse_ref_action};
use super::{Chain, Errors, expect_args, expr, string_list, string_literal};

/// A parsed table definition and every name literal in it.
pub struct TableAst {
    /// The table, as the model holds it.
    pub table: Table,
    /// Every string literal naming a column, key or referenced table.
    pub names: Vec<LitStr>,
}

fn owned(lit: &LitStr) -> Name {
    Name::Owned(lit.value())
}

fn owned_list(list: &[LitStr]) -> List<Name> {
    List::Owned(list.iter().map(owned).collect())
}

/// Parses the closure's body, building the table named `name`.
pub fn parse(name: &LitStr, closure: &Expr) -> syn::Result<TableAst> {
    let Expr::Closure(closure) = closure else {
        return Err(syn::Error::new_spanned(
            closure,
            "expected `|t| { t.column(..); .. }`",
        ));
    };
    let Some(syn::Pat::Ident(param)) = closure.inputs.first() else {
        return Err(syn::Error::new_spanned(
            &closure.inputs,
            "expected one parameter: `|t|`",
        ));
    };
    let receiver = &param.ident;
    let stmts: Vec<&Expr> = match &*closure.body {
        Expr::Block(block) => block
            .block
            .stmts
            .iter()
            .filter_map(|stmt| match stmt {
                Stmt::Expr(expr, _) => Some(expr),
                _ => None,
            })
            .collect(),
        other => vec![other],
    };
    let table_name = name.value();
    let mut columns: Vec<Column> = Vec::new();
    let mut primary_key: Vec<Name> = Vec::new();
    let mut uniques = Vec::new();
    let mut checks = Vec::new();
    let mut foreign_keys = Vec::new();
    let mut names = vec![name.clone()];
    let mut errors = Errors::default();
    for stmt in stmts {
        let chain = Chain::of(stmt);
        let receiver_ok = matches!(chain.receiver, Expr::Path(p) if p.path.is_ident(receiver));
        let Some(((method, args), modifiers)) = chain.calls.split_first().filter(|_| receiver_ok)
        else {
            errors.push(syn::Error::new_spanned(
                stmt,
                format!("expected `{receiver}.column(\"name\", type)` and the like"),
            ));
            continue;
        };
        let modifier_name =
            |modifiers: &[(&syn::Ident, Vec<&Expr>)]| -> syn::Result<Option<LitStr>> {
                let mut found = None;
                for (modifier, args) in modifiers {
                    if *modifier == "name" {
                        expect_args(modifier, args, 1, "name(\"constraint_name\")")?;
                        found = Some(string_literal(args[0])?);
                    } else if *modifier != "on_delete" && *modifier != "on_update" {
                        return Err(syn::Error::new(
                            modifier.span(),
                            format!("unknown option `{modifier}` here; expected `name`"),
                        ));
                    }
                }
                Ok(found)
            };
        let result: syn::Result<()> = (|| {
            match method.to_string().as_str() {
                "column" => {
                    expect_args(method, args, 2, "column(\"name\", type)")?;
                    let column_name = string_literal(args[0])?;
                    if let Some((modifier, _)) = modifiers.first() {
                        return Err(syn::Error::new(
                            modifier.span(),
                            "put column options on the type: `varchar(10).nullable()`",
                        ));
                    }
                    let spec = parse_column_spec(&column_name, args[1])?;
                    names.push(column_name.clone());
                    if spec.primary_key.is_some() {
                        primary_key.push(owned(&column_name));
                    }
                    if spec.unique.is_some() {
                        uniques.push(Unique {
                            name: Name::Owned(default_name(
                                &table_name,
                                &[column_name.value()],
                                "key",
                            )),
                            columns: List::Owned(vec![owned(&column_name)]),
                        });
                    }
                    if let Some(reference) = spec.references {
                        names.push(reference.table.clone());
                        names.push(reference.column.clone());
                        foreign_keys.push(ForeignKey {
                            name: Name::Owned(default_name(
                                &table_name,
                                &[column_name.value()],
                                "fkey",
                            )),
                            columns: List::Owned(vec![owned(&column_name)]),
                            ref_table: owned(&reference.table),
                            ref_columns: List::Owned(vec![owned(&reference.column)]),
                            on_delete: reference.on_delete,
                            on_update: reference.on_update,
                        });
                    }
                    columns.push(spec.column);
                }
                "id" | "uuid_id" => {
                    expect_args(method, args, 1, &format!("{method}(\"name\")"))?;
                    let column_name = string_literal(args[0])?;
                    names.push(column_name.clone());
                    let (ty, default) = if *method == "id" {
                        (SqlType::BigInt, ColumnDefault::Identity)
                    } else {
                        (SqlType::Uuid, ColumnDefault::RandomUuid)
                    };
                    primary_key.push(owned(&column_name));
                    columns.push(Column {
                        name: owned(&column_name),
                        ty,
                        nullable: false,
                        default: Some(default),
                    });
                }
                "primary_key" => {
                    expect_args(method, args, 1, "primary_key([\"a\", \"b\"])")?;
                    let list = string_list(args[0])?;
                    names.extend(list.iter().cloned());
                    primary_key.extend(list.iter().map(owned));
                }
                "unique" => {
                    expect_args(method, args, 1, "unique([\"a\", \"b\"])")?;
                    let list = string_list(args[0])?;
                    names.extend(list.iter().cloned());
                    let values: Vec<String> = list.iter().map(LitStr::value).collect();
                    let name = modifier_name(modifiers)?
                        .map(|n| n.value())
                        .unwrap_or_else(|| default_name(&table_name, &values, "key"));
                    uniques.push(Unique {
                        name: Name::Owned(name),
                        columns: owned_list(&list),
                    });
                }
                "check" => {
                    expect_args(method, args, 2, "check(\"name\", condition)")?;
                    let check_name = string_literal(args[0])?;
                    names.push(check_name.clone());
                    let (condition, _) = expr::parse(args[1])?;
                    checks.push(Check {
                        name: owned(&check_name),
                        condition,
                    });
                }
                "foreign_key" => {
                    expect_args(
                        method,
                        args,
                        3,
                        "foreign_key([\"column\"], \"table\", [\"column\"])",
                    )?;
                    let own = string_list(args[0])?;
                    let ref_table = string_literal(args[1])?;
                    let ref_columns = string_list(args[2])?;
                    names.extend(own.iter().cloned());
                    names.push(ref_table.clone());
                    names.extend(ref_columns.iter().cloned());
                    let values: Vec<String> = own.iter().map(LitStr::value).collect();
                    let name = modifier_name(modifiers)?
                        .map(|n| n.value())
                        .unwrap_or_else(|| default_name(&table_name, &values, "fkey"));
                    let mut key = ForeignKey {
                        name: Name::Owned(name),
                        columns: owned_list(&own),
                        ref_table: owned(&ref_table),
                        ref_columns: owned_list(&ref_columns),
                        on_delete: RefAction::NoAction,
                        on_update: RefAction::NoAction,
                    };
                    for (modifier, args) in modifiers {
                        if *modifier == "on_delete" || *modifier == "on_update" {
                            expect_args(modifier, args, 1, &format!("{modifier}(cascade)"))?;
                            let action = parse_ref_action(args[0])?;
                            if *modifier == "on_delete" {
                                key.on_delete = action
                            } else {
                                key.on_update = action
                            }
                        }
                    }
                    foreign_keys.push(key);
                }
                other => {
                    return Err(syn::Error::new(
                        method.span(),
                        format!(
                            "unknown table entry `{other}`; expected column, id, uuid_id, primary_key, unique, check or foreign_key"
                        ),
                    ));
                }
            }
            Ok(())
        })();
        if let Err(error) = result {
            errors.push(error);
        }
    }
    errors.finish()?;
    let table = Table {
        name: owned(name),
        columns: List::Owned(columns),
        primary_key: List::Owned(primary_key),
        uniques: List::Owned(uniques),
        checks: List::Owned(checks),
        foreign_keys: List::Owned(foreign_keys),
    };
    Ok(TableAst { table, names })
}
