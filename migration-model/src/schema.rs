//! A schema model and the simulator that applies steps to it.
//!
//! `apply` enforces what the database itself would enforce (a column that
//! does not exist, a name already taken, a key that references nothing) and
//! what the backends disagree on, so that a history accepted here runs the
//! same on each. Safety rules (data loss, NOT NULL without a value) are
//! policy, not schema facts, and live in the macro's checks.

use std::fmt;

use crate::constant::{self, integer_range};
use crate::expr::{Expr, ExprError, fits};
use crate::ident::invalid_identifier;
use crate::op::Op;
use crate::predicate;
use crate::table::{Column, ColumnDefault, ForeignKey, Index, Table};
use crate::types::{Family, SqlType};
use crate::{Literal, Name};

/// The tables and indexes that exist at one point of history.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Schema {
    /// Tables, in the order they were created.
    pub tables: Vec<Table>,
    /// Indexes, in the order they were created.
    pub indexes: Vec<Index>,
}

/// What a [`SchemaError`] is about, so that the macro can point at the token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Subject {
    /// The step's argument (or table-definition entry) spelled as this name.
    Name(String),
    /// A sub-expression of the step's value (`backfill`'s value, `using`).
    Value(Vec<usize>),
    /// A sub-expression of the step's condition (`only_where`, a check).
    Condition(Vec<usize>),
    /// A sub-expression of the step's restore expression.
    Restore(Vec<usize>),
    /// The step as a whole.
    Step,
}

/// A step that cannot apply to the schema as it stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SchemaError {
    /// What the error is about.
    pub subject: Subject,
    /// Why, in the migration language's terms.
    pub message: String,
}

impl fmt::Display for SchemaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for SchemaError {}

fn fail<T>(subject: Subject, message: impl Into<String>) -> Result<T, SchemaError> {
    Err(SchemaError {
        subject,
        message: message.into(),
    })
}

fn name(value: &str) -> Subject {
    Subject::Name(value.to_owned())
}

fn expr_error(wrap: fn(Vec<usize>) -> Subject) -> impl Fn(ExprError) -> SchemaError {
    move |error| SchemaError {
        subject: wrap(error.path),
        message: error.message,
    }
}

impl Schema {
    /// An empty schema: the state before the first migration.
    pub fn new() -> Self {
        Schema::default()
    }

    /// The table named `name`.
    pub fn table(&self, name: &str) -> Option<&Table> {
        self.tables.iter().find(|table| table.name == name)
    }

    fn table_mut(&mut self, name: &str) -> Result<&mut Table, SchemaError> {
        match self.tables.iter_mut().find(|table| table.name == name) {
            Some(table) => Ok(table),
            None => fail(self::name(name), format!("table `{name}` does not exist")),
        }
    }

    fn existing_table(&self, name: &str) -> Result<&Table, SchemaError> {
        self.table(name).ok_or_else(|| SchemaError {
            subject: self::name(name),
            message: format!("table `{name}` does not exist"),
        })
    }

    fn existing_column<'a>(&'a self, table: &str, column: &str) -> Result<&'a Column, SchemaError> {
        self.existing_table(table)?
            .column(column)
            .ok_or_else(|| SchemaError {
                subject: name(column),
                message: format!("table `{table}` has no column `{column}`"),
            })
    }

    /// The index named `name`.
    pub fn index(&self, name: &str) -> Option<&Index> {
        self.indexes.iter().find(|index| index.name == name)
    }

    /// The indexes on `table`.
    pub fn indexes_on<'a>(&'a self, table: &'a str) -> impl Iterator<Item = &'a Index> + 'a {
        self.indexes
            .iter()
            .filter(move |index| index.table == table)
    }

    /// The foreign keys of other tables that reference `table`.
    pub fn references_to<'a>(
        &'a self,
        table: &'a str,
    ) -> impl Iterator<Item = (&'a Table, &'a ForeignKey)> + 'a {
        self.tables
            .iter()
            .filter(move |t| t.name != table)
            .flat_map(|t| t.foreign_keys.iter().map(move |key| (t, key)))
            .filter(move |(_, key)| key.ref_table == table)
    }

    /// Whether a table, index or constraint already uses `name`: they share
    /// one namespace in PostgreSQL.
    fn relation_name_taken(&self, name: &str) -> bool {
        self.table(name).is_some()
            || self.index(name).is_some()
            || self
                .tables
                .iter()
                .any(|table| table.uniques.iter().any(|u| u.name == name) || pk_name(table) == name)
    }

    /// Applies `op`, or says why it cannot apply (leaving the schema unchanged).
    pub fn apply(&mut self, op: &Op) -> Result<(), SchemaError> {
        self.check(op)?;
        self.change(op);
        Ok(())
    }

    /// Applies every step in order.
    pub fn apply_all<'a>(
        &mut self,
        ops: impl IntoIterator<Item = &'a Op>,
    ) -> Result<(), SchemaError> {
        ops.into_iter().try_for_each(|op| self.apply(op))
    }

    /// The same schema with tables, columns, indexes and constraints in name
    /// order: two schemas are the same when their normal forms are equal.
    /// Column order is not compared: no backend can put a re-added column
    /// back in its old place.
    pub fn normalized(&self) -> Schema {
        let mut schema = self.clone();
        for table in &mut schema.tables {
            table.columns.to_mut().sort_by(|a, b| a.name.cmp(&b.name));
            table.uniques.to_mut().sort_by(|a, b| a.name.cmp(&b.name));
            table.checks.to_mut().sort_by(|a, b| a.name.cmp(&b.name));
            table
                .foreign_keys
                .to_mut()
                .sort_by(|a, b| a.name.cmp(&b.name));
        }
        schema.tables.sort_by(|a, b| a.name.cmp(&b.name));
        schema.indexes.sort_by(|a, b| a.name.cmp(&b.name));
        schema
    }

    fn check(&self, op: &Op) -> Result<(), SchemaError> {
        match op {
            Op::CreateTable(table) => self.check_create_table(table),
            Op::DropTable { table } => {
                self.existing_table(table)?;
                if let Some((other, key)) = self.references_to(table).next() {
                    return fail(
                        name(table),
                        format!(
                            "table `{}` still references `{table}` through foreign key `{}`: drop that key first",
                            other.name, key.name
                        ),
                    );
                }
                Ok(())
            }
            Op::RenameTable { from, to } => {
                self.existing_table(from)?;
                check_identifier(to)?;
                if self.relation_name_taken(to) {
                    return fail(name(to), format!("the name `{to}` is already taken"));
                }
                Ok(())
            }
            Op::AddColumn { table, column } => {
                let existing = self.existing_table(table)?;
                check_identifier(&column.name)?;
                if existing.column(&column.name).is_some() {
                    return fail(
                        name(&column.name),
                        format!("table `{table}` already has a column `{}`", column.name),
                    );
                }
                if column.default == Some(ColumnDefault::Identity) {
                    return fail(
                        name(&column.name),
                        format!(
                            "`identity()` can only be given when the table is created (column `{table}.{}`)",
                            column.name
                        ),
                    );
                }
                check_default(table, column)
            }
            Op::DropColumn {
                table,
                column,
                restore,
            } => {
                let dropped = self.existing_column(table, column)?;
                let existing = self.existing_table(table)?;
                if existing.constrains(column) {
                    return fail(
                        name(column),
                        format!(
                            "column `{table}.{column}` is part of a key or constraint: drop that first"
                        ),
                    );
                }
                if let Some(index) = self
                    .indexes_on(table)
                    .find(|i| i.columns.iter().any(|c| c == column))
                {
                    return fail(
                        name(column),
                        format!(
                            "column `{table}.{column}` is indexed by `{}`: drop the index first",
                            index.name
                        ),
                    );
                }
                if let Some(index) = self.indexes_on(table).find(|i| i.condition_reads(column)) {
                    return fail(
                        name(column),
                        format!(
                            "column `{table}.{column}` is read by the condition of index `{}`: drop the index first",
                            index.name
                        ),
                    );
                }
                if existing.columns.len() == 1 {
                    return fail(
                        name(column),
                        format!(
                            "`{column}` is the last column of `{table}`: drop the table instead"
                        ),
                    );
                }
                if let Some(restore) = restore {
                    let mut without = existing.clone();
                    without.columns.to_mut().retain(|c| c.name != *column);
                    check_written(restore, &without, dropped, Subject::Restore)?;
                }
                Ok(())
            }
            Op::RenameColumn { table, from, to } => {
                let existing = self.existing_table(table)?;
                self.existing_column(table, from)?;
                check_identifier(to)?;
                if existing.column(to).is_some() {
                    return fail(
                        name(to),
                        format!("table `{table}` already has a column `{to}`"),
                    );
                }
                Ok(())
            }
            Op::ChangeType {
                table,
                column,
                ty,
                using,
            } => {
                let existing = self.existing_column(table, column)?;
                let referenced = self.tables.iter().any(|t| {
                    t.foreign_keys.iter().any(|k| {
                        (t.name == *table && k.columns.contains(column))
                            || (k.ref_table == *table && k.ref_columns.contains(column))
                    })
                });
                if referenced {
                    return fail(
                        name(column),
                        format!(
                            "column `{table}.{column}` takes part in a foreign key: drop the key, change both sides, then add it again"
                        ),
                    );
                }
                self.check_conditions_after_type_change(table, column, *ty)?;
                match using {
                    Some(using) => {
                        let target = Column {
                            ty: *ty,
                            ..existing.clone()
                        };
                        let row = self.existing_table(table)?;
                        check_written(using, row, &target, Subject::Value)
                    }
                    None if existing.ty.converts_implicitly_to(*ty) => Ok(()),
                    None => fail(
                        Subject::Step,
                        format!(
                            "`{table}.{column}` cannot become {ty} from {} without `.using(..)`",
                            existing.ty
                        ),
                    ),
                }
            }
            Op::SetDefault {
                table,
                column,
                default,
            } => {
                let existing = self.existing_column(table, column)?;
                if default == &Some(ColumnDefault::Identity) {
                    return fail(
                        Subject::Step,
                        "`identity()` can only be given when the table is created",
                    );
                }
                let changed = Column {
                    default: default.clone(),
                    ..existing.clone()
                };
                check_default(table, &changed)
            }
            Op::SetNullable {
                table,
                column,
                nullable,
            } => {
                self.existing_column(table, column)?;
                let existing = self.existing_table(table)?;
                if *nullable && existing.primary_key.contains(column) {
                    return fail(
                        name(column),
                        format!(
                            "`{table}.{column}` is part of the primary key and cannot accept NULL"
                        ),
                    );
                }
                Ok(())
            }
            Op::CreateIndex(index) => {
                check_identifier(&index.name)?;
                if self.relation_name_taken(&index.name) {
                    return fail(
                        name(&index.name),
                        format!("the name `{}` is already taken", index.name),
                    );
                }
                if index.columns.is_empty() {
                    return fail(Subject::Step, "an index needs at least one column");
                }
                for column in index.columns.iter() {
                    self.existing_column(&index.table, column)?;
                }
                if let Some(condition) = &index.predicate {
                    let table = self.existing_table(&index.table)?;
                    predicate::check(&index.name, condition, table)?;
                }
                Ok(())
            }
            Op::DropIndex { name: index } => match self.index(index) {
                Some(_) => Ok(()),
                None => fail(name(index), format!("index `{index}` does not exist")),
            },
            Op::AddForeignKey { table, key } => {
                let existing = self.existing_table(table)?;
                check_identifier(&key.name)?;
                if existing.foreign_keys.iter().any(|k| k.name == key.name)
                    || existing.checks.iter().any(|c| c.name == key.name)
                {
                    return fail(
                        name(&key.name),
                        format!("table `{table}` already has a constraint `{}`", key.name),
                    );
                }
                self.check_foreign_key(existing, key)
            }
            Op::DropForeignKey { table, name: key } => {
                let existing = self.existing_table(table)?;
                if existing.foreign_keys.iter().any(|k| k.name == *key) {
                    Ok(())
                } else {
                    fail(
                        name(key),
                        format!("table `{table}` has no foreign key `{key}`"),
                    )
                }
            }
            Op::Backfill {
                table,
                column,
                value,
                only_where,
                restore,
                ..
            } => {
                let target = self.existing_column(table, column)?;
                let existing = self.existing_table(table)?;
                check_written(value, existing, target, Subject::Value)?;
                if let Some(condition) = only_where {
                    let ty = condition
                        .checked_type_in(existing)
                        .map_err(expr_error(Subject::Condition))?;
                    if ty.is_some_and(|ty| ty.family() != Family::Bool) {
                        return fail(
                            Subject::Condition(Vec::new()),
                            format!(
                                "`only_where` expects a condition, found {}",
                                ty.map_or("NULL".into(), |t| t.to_string())
                            ),
                        );
                    }
                }
                if let Some(restore) = restore {
                    check_written(restore, existing, target, Subject::Restore)?;
                }
                Ok(())
            }
            Op::Sql { .. } | Op::RunRust { .. } => Ok(()),
        }
    }

    /// The conditions of partial indexes on `table` that read `column` must
    /// still be conditions once the column is of type `ty`.
    fn check_conditions_after_type_change(
        &self,
        table: &str,
        column: &str,
        ty: SqlType,
    ) -> Result<(), SchemaError> {
        let mut changed = self.existing_table(table)?.clone();
        if let Some(changed) = changed.column_mut(column) {
            changed.ty = ty;
        }
        for index in self.indexes_on(table).filter(|i| i.condition_reads(column)) {
            if let Some(condition) = &index.predicate
                && let Err(error) = predicate::check(&index.name, condition, &changed)
            {
                return fail(
                    name(column),
                    format!(
                        "the condition of index `{}` reads `{table}.{column}` and would not hold as {ty} ({}): \
                         drop the index first",
                        index.name, error.message
                    ),
                );
            }
        }
        Ok(())
    }

    fn check_create_table(&self, table: &Table) -> Result<(), SchemaError> {
        check_identifier(&table.name)?;
        if self.relation_name_taken(&table.name) {
            return fail(
                name(&table.name),
                format!("table `{}` already exists", table.name),
            );
        }
        if table.columns.is_empty() {
            return fail(
                name(&table.name),
                format!("table `{}` needs at least one column", table.name),
            );
        }
        for (index, column) in table.columns.iter().enumerate() {
            check_identifier(&column.name)?;
            if table.columns[..index].iter().any(|c| c.name == column.name) {
                return fail(
                    name(&column.name),
                    format!(
                        "table `{}` declares column `{}` twice",
                        table.name, column.name
                    ),
                );
            }
            check_default(&table.name, column)?;
            if column.default == Some(ColumnDefault::Identity)
                && !table.primary_key.contains(&column.name)
            {
                return fail(
                    name(&column.name),
                    format!(
                        "`identity()` is only supported on the primary key (`{}.{}`)",
                        table.name, column.name
                    ),
                );
            }
        }
        let key_columns = table
            .primary_key
            .iter()
            .chain(table.uniques.iter().flat_map(|u| u.columns.iter()));
        for column in key_columns {
            if table.column(column).is_none() {
                return fail(
                    name(column),
                    format!("table `{}` has no column `{column}`", table.name),
                );
            }
        }
        if table
            .columns
            .iter()
            .any(|c| c.default == Some(ColumnDefault::Identity))
            && table.primary_key.len() != 1
        {
            return fail(
                name(&table.name),
                format!(
                    "`identity()` needs a single-column primary key in `{}`",
                    table.name
                ),
            );
        }
        for check in table.checks.iter() {
            check_identifier(&check.name)?;
            let ty = check
                .condition
                .checked_type_in(table)
                .map_err(|error| SchemaError {
                    subject: name(&check.name),
                    message: format!("check `{}`: {}", check.name, error.message),
                })?;
            if ty.is_some_and(|ty| ty.family() != Family::Bool) {
                return fail(
                    name(&check.name),
                    format!("check `{}` is not a condition", check.name),
                );
            }
        }
        for key in table.foreign_keys.iter() {
            check_identifier(&key.name)?;
            self.check_foreign_key(table, key)?;
        }
        Ok(())
    }

    fn check_foreign_key(&self, table: &Table, key: &ForeignKey) -> Result<(), SchemaError> {
        let referenced = if key.ref_table == table.name {
            table
        } else {
            self.existing_table(&key.ref_table)?
        };
        if key.columns.is_empty() || key.columns.len() != key.ref_columns.len() {
            return fail(
                Subject::Step,
                format!(
                    "foreign key `{}` lists {} column(s) but references {}",
                    key.name,
                    key.columns.len(),
                    key.ref_columns.len()
                ),
            );
        }
        for (column, ref_column) in key.columns.iter().zip(key.ref_columns.iter()) {
            let own = table.column(column).ok_or_else(|| SchemaError {
                subject: name(column),
                message: format!("table `{}` has no column `{column}`", table.name),
            })?;
            let other = referenced.column(ref_column).ok_or_else(|| SchemaError {
                subject: name(ref_column),
                message: format!("table `{}` has no column `{ref_column}`", referenced.name),
            })?;
            if own.ty.family() != other.ty.family() {
                return fail(
                    name(column),
                    format!(
                        "`{}.{column}` is {} but references `{}.{ref_column}`, which is {}",
                        table.name, own.ty, referenced.name, other.ty
                    ),
                );
            }
        }
        let is_key = |columns: &[Name]| {
            columns.len() == key.ref_columns.len()
                && columns.iter().all(|c| key.ref_columns.contains(c))
        };
        if !is_key(&referenced.primary_key)
            && !referenced.uniques.iter().any(|u| is_key(&u.columns))
        {
            return fail(
                name(&key.ref_table),
                format!(
                    "foreign key `{}` must reference the primary key or a unique constraint of `{}`",
                    key.name, referenced.name
                ),
            );
        }
        Ok(())
    }

    fn change(&mut self, op: &Op) {
        match op {
            Op::CreateTable(table) => self.tables.push(table.clone()),
            Op::DropTable { table } => {
                self.tables.retain(|t| t.name != *table);
                self.indexes.retain(|i| i.table != *table);
            }
            Op::RenameTable { from, to } => {
                for table in &mut self.tables {
                    if table.name == *from {
                        table.name = to.clone();
                    }
                    for key in table.foreign_keys.to_mut() {
                        if key.ref_table == *from {
                            key.ref_table = to.clone();
                        }
                    }
                }
                for index in &mut self.indexes {
                    if index.table == *from {
                        index.table = to.clone();
                    }
                }
            }
            Op::AddColumn { table, column } => {
                if let Ok(table) = self.table_mut(table) {
                    table.columns.to_mut().push(column.clone());
                }
            }
            Op::DropColumn { table, column, .. } => {
                if let Ok(table) = self.table_mut(table) {
                    table.columns.to_mut().retain(|c| c.name != *column);
                }
            }
            Op::RenameColumn { table, from, to } => self.rename_column(table, from, to),
            Op::ChangeType {
                table, column, ty, ..
            } => {
                if let Some(column) = self
                    .table_mut(table)
                    .ok()
                    .and_then(|t| t.column_mut(column))
                {
                    column.ty = *ty;
                }
            }
            Op::SetDefault {
                table,
                column,
                default,
            } => {
                if let Some(column) = self
                    .table_mut(table)
                    .ok()
                    .and_then(|t| t.column_mut(column))
                {
                    column.default = default.clone();
                }
            }
            Op::SetNullable {
                table,
                column,
                nullable,
            } => {
                if let Some(column) = self
                    .table_mut(table)
                    .ok()
                    .and_then(|t| t.column_mut(column))
                {
                    column.nullable = *nullable;
                }
            }
            Op::CreateIndex(index) => self.indexes.push(index.clone()),
            Op::DropIndex { name } => self.indexes.retain(|i| i.name != *name),
            Op::AddForeignKey { table, key } => {
                if let Ok(table) = self.table_mut(table) {
                    table.foreign_keys.to_mut().push(key.clone());
                }
            }
            Op::DropForeignKey { table, name } => {
                if let Ok(table) = self.table_mut(table) {
                    table.foreign_keys.to_mut().retain(|k| k.name != *name);
                }
            }
            Op::Backfill { .. } | Op::Sql { .. } | Op::RunRust { .. } => {}
        }
    }

    fn rename_column(&mut self, table_name: &str, from: &str, to: &Name) {
        let rename = |list: &mut crate::List<Name>| {
            for column in list.to_mut() {
                if column == from {
                    *column = to.clone();
                }
            }
        };
        for table in &mut self.tables {
            if table.name == table_name {
                if let Some(column) = table.column_mut(from) {
                    column.name = to.clone();
                }
                rename(&mut table.primary_key);
                for unique in table.uniques.to_mut() {
                    rename(&mut unique.columns);
                }
                for check in table.checks.to_mut() {
                    check.condition.rename_column(from, to);
                }
                for key in table.foreign_keys.to_mut() {
                    rename(&mut key.columns);
                }
            }
            for key in table.foreign_keys.to_mut() {
                if key.ref_table == table_name {
                    rename(&mut key.ref_columns);
                }
            }
        }
        for index in &mut self.indexes {
            if index.table == table_name {
                rename(&mut index.columns);
                if let Some(condition) = &mut index.predicate {
                    condition.rename_column(from, to);
                }
            }
        }
    }
}

/// The name PostgreSQL gives a table's primary key constraint.
pub fn pk_name(table: &Table) -> String {
    format!("{}_pkey", table.name)
}

impl Expr {
    /// Renames every reference to column `from` as `to`.
    pub fn rename_column(&mut self, from: &str, to: &Name) {
        match self {
            Expr::Column(name) if name == from => *name = to.clone(),
            Expr::Call(_, args) => args
                .to_mut()
                .iter_mut()
                .for_each(|arg| arg.rename_column(from, to)),
            _ => {}
        }
    }
}

fn check_identifier(value: &str) -> Result<(), SchemaError> {
    match invalid_identifier(value) {
        Some(message) => fail(name(value), message),
        None => Ok(()),
    }
}

/// Checks `value`, written into `column` on a row of `row`: its type fits
/// the column's, and a value PostgreSQL knows when it plans the statement
/// is within the column's range (it fails there at once; SQLite would store
/// a wider integer, or fail only on a row).
fn check_written(
    value: &Expr,
    row: &Table,
    column: &Column,
    subject: fn(Vec<usize>) -> Subject,
) -> Result<(), SchemaError> {
    let ty = value.checked_type_in(row).map_err(expr_error(subject))?;
    check_fits(ty, column, subject(Vec::new()))?;
    constant::check_assigned(value, row, column).map_err(expr_error(subject))
}

fn check_fits(
    value: Option<SqlType>,
    column: &Column,
    subject: Subject,
) -> Result<(), SchemaError> {
    if fits(value, column.ty) {
        Ok(())
    } else {
        fail(
            subject,
            format!(
                "column `{}` is {} but this expression is {}{}",
                column.name,
                column.ty,
                value.map_or("NULL".into(), |t| t.to_string()),
                if value.is_some_and(|ty| ty.family() == column.ty.family()) {
                    FRACTION_INTO_INTEGER
                } else {
                    ""
                }
            ),
        )
    }
}

/// Why a number with a fraction does not fit an integer column.
const FRACTION_INTO_INTEGER: &str = ": PostgreSQL would round a fraction written into an integer \
     column where SQLite stores it as it is";

fn check_default(table: &str, column: &Column) -> Result<(), SchemaError> {
    // PostgreSQL refuses an integer default past the column's range (at
    // `add_column`, or on every insert that takes it); SQLite would store it.
    if let Some(ColumnDefault::Value(Literal::Int(value))) = &column.default
        && let Some((min, max)) = integer_range(column.ty)
        && !(min..=max).contains(value)
    {
        return fail(
            name(&column.name),
            format!(
                "the default of `{table}.{}`, {value}, is past the range of its type {} ({min} to {max}): \
                 PostgreSQL cannot store it, where SQLite would",
                column.name, column.ty
            ),
        );
    }
    let fits = match &column.default {
        None => true,
        Some(ColumnDefault::Value(Literal::Null)) => column.nullable,
        Some(ColumnDefault::Value(literal)) => fits(
            Expr::Literal(literal.clone())
                .type_in(&empty_table())
                .unwrap_or(None),
            column.ty,
        ),
        Some(ColumnDefault::Now) => matches!(column.ty.family(), Family::Date | Family::Timestamp),
        Some(ColumnDefault::RandomUuid) => column.ty == SqlType::Uuid,
        Some(ColumnDefault::Identity) => column.ty.is_integer(),
    };
    if fits {
        Ok(())
    } else {
        let fraction = matches!(
            &column.default,
            Some(ColumnDefault::Value(Literal::Float(_)))
        ) && column.ty.is_integer();
        fail(
            name(&column.name),
            format!(
                "the default of `{table}.{}` does not fit its type {}{}",
                column.name,
                column.ty,
                if fraction { FRACTION_INTO_INTEGER } else { "" }
            ),
        )
    }
}

fn empty_table() -> Table {
    Table {
        name: Name::Borrowed(""),
        columns: crate::List::Borrowed(&[]),
        primary_key: crate::List::Borrowed(&[]),
        uniques: crate::List::Borrowed(&[]),
        checks: crate::List::Borrowed(&[]),
        foreign_keys: crate::List::Borrowed(&[]),
    }
}
