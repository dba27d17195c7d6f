//! Turns model values into the Rust expressions that rebuild them as
//! constants in the user's crate, under `::migration_runtime::model`.

use proc_macro2::TokenStream;
use quote::quote;

use migration_model::op::RawSql;
use migration_model::{
    Check, Column, ColumnDefault, Expr, ForeignKey, Function, Index, List, Literal, Name, Op,
    RefAction, SqlType, Table, Unique,
};

/// A model value that can be written as a constant expression.
pub trait Quote {
    /// The expression that rebuilds `self`.
    fn quote(&self) -> TokenStream;
}

impl Quote for Name {
    fn quote(&self) -> TokenStream {
        let text: &str = self;
        quote!(::std::borrow::Cow::Borrowed(#text))
    }
}

impl<T: Quote + Clone> Quote for List<T> {
    fn quote(&self) -> TokenStream {
        let items = self.iter().map(Quote::quote);
        quote!(::std::borrow::Cow::Borrowed(&[#(#items),*]))
    }
}

impl<T: Quote> Quote for Option<T> {
    fn quote(&self) -> TokenStream {
        match self {
            Some(value) => {
                let value = value.quote();
                quote!(::std::option::Option::Some(#value))
            }
            None => quote!(::std::option::Option::None),
        }
    }
}

impl Quote for bool {
    fn quote(&self) -> TokenStream {
        quote!(#self)
    }
}

impl Quote for SqlType {
    fn quote(&self) -> TokenStream {
        let ty = quote!(::migration_runtime::model::SqlType);
        match self {
            SqlType::SmallInt => quote!(#ty::SmallInt),
            SqlType::Integer => quote!(#ty::Integer),
            SqlType::BigInt => quote!(#ty::BigInt),
            SqlType::Double => quote!(#ty::Double),
            SqlType::Decimal { precision, scale } => {
                quote!(#ty::Decimal { precision: #precision, scale: #scale })
            }
            SqlType::Text => quote!(#ty::Text),
            SqlType::Varchar(length) => quote!(#ty::Varchar(#length)),
            SqlType::Bool => quote!(#ty::Bool),
            SqlType::Uuid => quote!(#ty::Uuid),
            SqlType::Date => quote!(#ty::Date),
            SqlType::Timestamp => quote!(#ty::Timestamp),
            SqlType::TimestampTz => quote!(#ty::TimestampTz),
            SqlType::Bytes => quote!(#ty::Bytes),
            SqlType::Json => quote!(#ty::Json),
        }
    }
}

impl Quote for Literal {
    fn quote(&self) -> TokenStream {
        let ty = quote!(::migration_runtime::model::Literal);
        match self {
            Literal::Null => quote!(#ty::Null),
            Literal::Bool(value) => quote!(#ty::Bool(#value)),
            Literal::Int(value) => quote!(#ty::Int(#value)),
            Literal::Float(value) => quote!(#ty::Float(#value)),
            Literal::Text(value) => {
                let value = value.quote();
                quote!(#ty::Text(#value))
            }
        }
    }
}

impl Quote for Function {
    fn quote(&self) -> TokenStream {
        let ty = quote!(::migration_runtime::model::Function);
        let variant = match self {
            Function::Cast(to) => {
                let to = to.quote();
                return quote!(#ty::Cast(#to));
            }
            Function::Concat => quote!(Concat),
            Function::SplitPart => quote!(SplitPart),
            Function::AfterFirst => quote!(AfterFirst),
            Function::Coalesce => quote!(Coalesce),
            Function::Lower => quote!(Lower),
            Function::Upper => quote!(Upper),
            Function::Trim => quote!(Trim),
            Function::Substring => quote!(Substring),
            Function::Length => quote!(Length),
            Function::NullIf => quote!(NullIf),
            Function::Add => quote!(Add),
            Function::Sub => quote!(Sub),
            Function::Mul => quote!(Mul),
            Function::Div => quote!(Div),
            Function::Eq => quote!(Eq),
            Function::Ne => quote!(Ne),
            Function::Lt => quote!(Lt),
            Function::Le => quote!(Le),
            Function::Gt => quote!(Gt),
            Function::Ge => quote!(Ge),
            Function::And => quote!(And),
            Function::Or => quote!(Or),
            Function::Not => quote!(Not),
            Function::IsNull => quote!(IsNull),
            Function::IsNotNull => quote!(IsNotNull),
            Function::Case => quote!(Case),
        };
        quote!(#ty::#variant)
    }
}

impl Quote for Expr {
    fn quote(&self) -> TokenStream {
        let ty = quote!(::migration_runtime::model::Expr);
        match self {
            Expr::Column(name) => {
                let name = name.quote();
                quote!(#ty::Column(#name))
            }
            Expr::Literal(literal) => {
                let literal = literal.quote();
                quote!(#ty::Literal(#literal))
            }
            Expr::Call(function, args) => {
                let function = function.quote();
                let args = args.quote();
                quote!(#ty::Call(#function, #args))
            }
        }
    }
}

impl Quote for ColumnDefault {
    fn quote(&self) -> TokenStream {
        let ty = quote!(::migration_runtime::model::ColumnDefault);
        match self {
            ColumnDefault::Value(literal) => {
                let literal = literal.quote();
                quote!(#ty::Value(#literal))
            }
            ColumnDefault::Now => quote!(#ty::Now),
            ColumnDefault::RandomUuid => quote!(#ty::RandomUuid),
            ColumnDefault::Identity => quote!(#ty::Identity),
        }
    }
}

impl Quote for Column {
    fn quote(&self) -> TokenStream {
        let Column {
            name,
            ty,
            nullable,
            default,
        } = self;
        let (name, ty, default) = (name.quote(), ty.quote(), default.quote());
        quote!(::migration_runtime::model::Column { name: #name, ty: #ty, nullable: #nullable, default: #default })
    }
}

impl Quote for RefAction {
    fn quote(&self) -> TokenStream {
        let ty = quote!(::migration_runtime::model::RefAction);
        match self {
            RefAction::NoAction => quote!(#ty::NoAction),
            RefAction::Restrict => quote!(#ty::Restrict),
            RefAction::Cascade => quote!(#ty::Cascade),
            RefAction::SetNull => quote!(#ty::SetNull),
            RefAction::SetDefault => quote!(#ty::SetDefault),
        }
    }
}

impl Quote for ForeignKey {
    fn quote(&self) -> TokenStream {
        let (name, columns, ref_table, ref_columns) = (
            self.name.quote(),
            self.columns.quote(),
            self.ref_table.quote(),
            self.ref_columns.quote(),
        );
        let (on_delete, on_update) = (self.on_delete.quote(), self.on_update.quote());
        quote!(::migration_runtime::model::ForeignKey {
            name: #name, columns: #columns, ref_table: #ref_table, ref_columns: #ref_columns,
            on_delete: #on_delete, on_update: #on_update,
        })
    }
}

impl Quote for Unique {
    fn quote(&self) -> TokenStream {
        let (name, columns) = (self.name.quote(), self.columns.quote());
        quote!(::migration_runtime::model::Unique { name: #name, columns: #columns })
    }
}

impl Quote for Check {
    fn quote(&self) -> TokenStream {
        let (name, condition) = (self.name.quote(), self.condition.quote());
        quote!(::migration_runtime::model::Check { name: #name, condition: #condition })
    }
}

impl Quote for Index {
    fn quote(&self) -> TokenStream {
        let (name, table, columns, unique, predicate) = (
            self.name.quote(),
            self.table.quote(),
            self.columns.quote(),
            self.unique,
            self.predicate.quote(),
        );
        quote!(::migration_runtime::model::Index {
            name: #name,
            table: #table,
            columns: #columns,
            unique: #unique,
            predicate: #predicate,
        })
    }
}

impl Quote for Table {
    fn quote(&self) -> TokenStream {
        let (name, columns, primary_key) = (
            self.name.quote(),
            self.columns.quote(),
            self.primary_key.quote(),
        );
        let (uniques, checks, foreign_keys) = (
            self.uniques.quote(),
            self.checks.quote(),
            self.foreign_keys.quote(),
        );
        quote!(::migration_runtime::model::Table {
            name: #name, columns: #columns, primary_key: #primary_key,
            uniques: #uniques, checks: #checks, foreign_keys: #foreign_keys,
        })
    }
}

impl Quote for RawSql {
    fn quote(&self) -> TokenStream {
        let (postgres, sqlite) = (self.postgres.quote(), self.sqlite.quote());
        quote!(::migration_runtime::model::op::RawSql { postgres: #postgres, sqlite: #sqlite })
    }
}

impl Quote for Op {
    fn quote(&self) -> TokenStream {
        let op = quote!(::migration_runtime::model::Op);
        match self {
            Op::CreateTable(table) => {
                let table = table.quote();
                quote!(#op::CreateTable(#table))
            }
            Op::DropTable { table } => {
                let table = table.quote();
                quote!(#op::DropTable { table: #table })
            }
            Op::RenameTable { from, to } => {
                let (from, to) = (from.quote(), to.quote());
                quote!(#op::RenameTable { from: #from, to: #to })
            }
            Op::AddColumn { table, column } => {
                let (table, column) = (table.quote(), column.quote());
                quote!(#op::AddColumn { table: #table, column: #column })
            }
            Op::DropColumn {
                table,
                column,
                restore,
            } => {
                let (table, column, restore) = (table.quote(), column.quote(), restore.quote());
                quote!(#op::DropColumn { table: #table, column: #column, restore: #restore })
            }
            Op::RenameColumn { table, from, to } => {
                let (table, from, to) = (table.quote(), from.quote(), to.quote());
                quote!(#op::RenameColumn { table: #table, from: #from, to: #to })
            }
            Op::ChangeType {
                table,
                column,
                ty,
                using,
            } => {
                let (table, column, ty, using) =
                    (table.quote(), column.quote(), ty.quote(), using.quote());
                quote!(#op::ChangeType { table: #table, column: #column, ty: #ty, using: #using })
            }
            Op::SetDefault {
                table,
                column,
                default,
            } => {
                let (table, column, default) = (table.quote(), column.quote(), default.quote());
                quote!(#op::SetDefault { table: #table, column: #column, default: #default })
            }
            Op::SetNullable {
                table,
                column,
                nullable,
            } => {
                let (table, column) = (table.quote(), column.quote());
                quote!(#op::SetNullable { table: #table, column: #column, nullable: #nullable })
            }
            Op::CreateIndex(index) => {
                let index = index.quote();
                quote!(#op::CreateIndex(#index))
            }
            Op::DropIndex { name } => {
                let name = name.quote();
                quote!(#op::DropIndex { name: #name })
            }
            Op::AddForeignKey { table, key } => {
                let (table, key) = (table.quote(), key.quote());
                quote!(#op::AddForeignKey { table: #table, key: #key })
            }
            Op::DropForeignKey { table, name } => {
                let (table, name) = (table.quote(), name.quote());
                quote!(#op::DropForeignKey { table: #table, name: #name })
            }
            Op::Backfill {
                table,
                column,
                value,
                only_where,
                restore,
                batch_size,
            } => {
                let batch_size = match batch_size {
                    Some(size) => quote!(::std::option::Option::Some(#size)),
                    None => quote!(::std::option::Option::None),
                };
                let (table, column, value) = (table.quote(), column.quote(), value.quote());
                let (only_where, restore) = (only_where.quote(), restore.quote());
                quote!(#op::Backfill {
                    table: #table, column: #column, value: #value, only_where: #only_where, restore: #restore, batch_size: #batch_size,
                })
            }
            Op::Sql { up, down } => {
                let (up, down) = (up.quote(), down.quote());
                quote!(#op::Sql { up: #up, down: #down })
            }
            Op::RunRust { function, reverse } => {
                let (function, reverse) = (function.quote(), reverse.quote());
                quote!(#op::RunRust { function: #function, reverse: #reverse })
            }
        }
    }
}
