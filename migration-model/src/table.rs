//! Tables and what belongs to them: columns, keys, constraints and indexes.

use std::fmt;

use crate::expr::{Expr, Literal};
use crate::types::SqlType;
use crate::{List, Name};

/// A column of a table.
#[derive(Clone, Debug, PartialEq)]
pub struct Column {
    /// The column's name.
    pub name: Name,
    /// Its type.
    pub ty: SqlType,
    /// Whether it accepts NULL.
    pub nullable: bool,
    /// The value it takes when an insert does not give one.
    pub default: Option<ColumnDefault>,
}

/// The value a column takes when an insert does not give one.
#[derive(Clone, Debug, PartialEq)]
pub enum ColumnDefault {
    /// A constant.
    Value(Literal),
    /// The current timestamp (or date) at insert time.
    Now,
    /// A new random (version 4) UUID.
    RandomUuid,
    /// The next value of the column's own sequence (an auto-incrementing key).
    Identity,
}

/// What a foreign key does when the referenced row is deleted or its key updated.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum RefAction {
    /// Refuse the change at the end of the statement (the SQL default).
    #[default]
    NoAction,
    /// Refuse the change at once.
    Restrict,
    /// Delete or update the referencing rows too.
    Cascade,
    /// Set the referencing columns to NULL.
    SetNull,
    /// Set the referencing columns to their defaults.
    SetDefault,
}

/// A foreign key from columns of one table to a key of another.
#[derive(Clone, Debug, PartialEq)]
pub struct ForeignKey {
    /// The constraint's name.
    pub name: Name,
    /// The referencing columns, in this table.
    pub columns: List<Name>,
    /// The referenced table.
    pub ref_table: Name,
    /// The referenced columns.
    pub ref_columns: List<Name>,
    /// What happens when the referenced row is deleted.
    pub on_delete: RefAction,
    /// What happens when the referenced key is updated.
    pub on_update: RefAction,
}

/// A unique constraint over one or more columns.
#[derive(Clone, Debug, PartialEq)]
pub struct Unique {
    /// The constraint's name.
    pub name: Name,
    /// The columns whose values together are unique.
    pub columns: List<Name>,
}

/// A check constraint.
#[derive(Clone, Debug, PartialEq)]
pub struct Check {
    /// The constraint's name.
    pub name: Name,
    /// The condition every row satisfies.
    pub condition: Expr,
}

/// An index on columns of a table.
#[derive(Clone, PartialEq)]
pub struct Index {
    /// The index's name (unique in the whole schema).
    pub name: Name,
    /// The indexed table.
    pub table: Name,
    /// The indexed columns, in order.
    pub columns: List<Name>,
    /// Whether the index also enforces uniqueness.
    pub unique: bool,
    /// The condition of a partial index: only rows where it holds are
    /// indexed (and, for a unique index, must be unique). `None` indexes
    /// every row.
    pub predicate: Option<Expr>,
}

/// Leaves out an absent condition: a migration's checksum is its steps'
/// `Debug` form, which must not change for indexes written before partial
/// indexes existed.
impl fmt::Debug for Index {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut index = f.debug_struct("Index");
        index
            .field("name", &self.name)
            .field("table", &self.table)
            .field("columns", &self.columns)
            .field("unique", &self.unique);
        if let Some(predicate) = &self.predicate {
            index.field("predicate", predicate);
        }
        index.finish()
    }
}

impl Index {
    /// Whether the index's condition reads `column`.
    pub fn condition_reads(&self, column: &str) -> bool {
        self.predicate
            .as_ref()
            .is_some_and(|p| p.columns().contains(&column))
    }
}

/// A table: its columns and the constraints that live with it.
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    /// The table's name.
    pub name: Name,
    /// Its columns, in order.
    pub columns: List<Column>,
    /// The primary key's columns; empty when there is none.
    pub primary_key: List<Name>,
    /// Unique constraints.
    pub uniques: List<Unique>,
    /// Check constraints.
    pub checks: List<Check>,
    /// Foreign keys to other tables.
    pub foreign_keys: List<ForeignKey>,
}

impl Table {
    /// The column named `name`.
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|column| column.name == name)
    }

    /// The column named `name`, to change it.
    pub fn column_mut(&mut self, name: &str) -> Option<&mut Column> {
        self.columns
            .to_mut()
            .iter_mut()
            .find(|column| column.name == name)
    }

    /// Whether `column` takes part in the primary key, a unique constraint,
    /// a check or a foreign key of this table.
    pub fn constrains(&self, column: &str) -> bool {
        self.primary_key.iter().any(|c| c == column)
            || self
                .uniques
                .iter()
                .any(|u| u.columns.iter().any(|c| c == column))
            || self
                .checks
                .iter()
                .any(|c| c.condition.columns().contains(&column))
            || self
                .foreign_keys
                .iter()
                .any(|f| f.columns.iter().any(|c| c == column))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_index_without_condition_reads_as_before_partial_indexes() {
        let mut index = Index {
            name: "members_email_idx".into(),
            table: "members".into(),
            columns: List::Owned(vec!["email".into()]),
            unique: true,
            predicate: None,
        };
        assert_eq!(
            format!("{index:?}"),
            r#"Index { name: "members_email_idx", table: "members", columns: ["email"], unique: true }"#
        );
        index.predicate = Some(Expr::Column("active".into()));
        assert_eq!(
            format!("{index:?}"),
            r#"Index { name: "members_email_idx", table: "members", columns: ["email"], unique: true, predicate: Column("active") }"#
        );
    }
}
