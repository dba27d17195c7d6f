//! Tables for the unit tests of the expression and condition checks.

use crate::{Column, List, SqlType, Table};

/// A nullable column without a default.
pub fn column(name: &str, ty: SqlType) -> Column {
    Column {
        name: name.to_owned().into(),
        ty,
        nullable: true,
        default: None,
    }
}

/// Table `name` with these nullable columns and nothing else.
pub fn table(name: &str, columns: &[(&str, SqlType)]) -> Table {
    Table {
        name: name.to_owned().into(),
        columns: List::Owned(columns.iter().map(|(n, ty)| column(n, *ty)).collect()),
        primary_key: List::Owned(Vec::new()),
        uniques: List::Owned(Vec::new()),
        checks: List::Owned(Vec::new()),
        foreign_keys: List::Owned(Vec::new()),
    }
}
