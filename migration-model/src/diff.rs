//! Readable differences between two schemas, for downgrade checks and
//! round-trip tests.

use crate::op::Op;
use crate::schema::Schema;
use crate::table::{Index, Table};

/// What differs between `expected` and `actual`, one sentence each; empty
/// when they are the same. Column order is ignored (see [`Schema::normalized`]).
pub fn diff(expected: &Schema, actual: &Schema) -> Vec<String> {
    let expected = expected.normalized();
    let actual = actual.normalized();
    let mut found = Vec::new();
    for table in &expected.tables {
        match actual.table(&table.name) {
            None => found.push(format!("table `{}` is missing", table.name)),
            Some(other) => diff_table(table, other, &mut found),
        }
    }
    for table in &actual.tables {
        if expected.table(&table.name).is_none() {
            found.push(format!("table `{}` should not exist", table.name));
        }
    }
    for index in &expected.indexes {
        match actual.index(&index.name) {
            None => found.push(format!("index `{}` is missing", index.name)),
            Some(other) if other != index => found.push(index_difference(index, other)),
            Some(_) => {}
        }
    }
    for index in &actual.indexes {
        if expected.index(&index.name).is_none() {
            found.push(format!("index `{}` should not exist", index.name));
        }
    }
    found
}

fn index_difference(expected: &Index, actual: &Index) -> String {
    let name = &expected.name;
    let same_otherwise = Index {
        predicate: expected.predicate.clone(),
        ..actual.clone()
    } == *expected;
    match (&expected.predicate, &actual.predicate) {
        (Some(_), None) if same_otherwise => {
            format!("index `{name}` indexes every row but should be partial (`.only_where(..)`)")
        }
        (None, Some(_)) if same_otherwise => {
            format!("index `{name}` is partial but should index every row")
        }
        (Some(wanted), Some(found)) if same_otherwise => {
            format!("index `{name}` has the condition {found} but should have {wanted}")
        }
        _ => format!(
            "index `{name}` is `{}` but should be `{}`",
            Op::CreateIndex(actual.clone()),
            Op::CreateIndex(expected.clone())
        ),
    }
}

fn diff_table(expected: &Table, actual: &Table, found: &mut Vec<String>) {
    let name = &expected.name;
    for column in expected.columns.iter() {
        match actual.column(&column.name) {
            None => found.push(format!("column `{name}.{}` is missing", column.name)),
            Some(other) => {
                if other.ty != column.ty {
                    found.push(format!(
                        "column `{name}.{}` is {} but should be {}",
                        column.name, other.ty, column.ty
                    ));
                }
                if other.nullable != column.nullable {
                    let should = if column.nullable {
                        "accept NULL"
                    } else {
                        "be NOT NULL"
                    };
                    found.push(format!("column `{name}.{}` should {should}", column.name));
                }
                if other.default != column.default {
                    let spell = |d: &Option<crate::ColumnDefault>| {
                        d.as_ref()
                            .map_or("no default".to_owned(), ToString::to_string)
                    };
                    found.push(format!(
                        "column `{name}.{}` has {} but should have {}",
                        column.name,
                        spell(&other.default),
                        spell(&column.default)
                    ));
                }
            }
        }
    }
    for column in actual.columns.iter() {
        if expected.column(&column.name).is_none() {
            found.push(format!("column `{name}.{}` should not exist", column.name));
        }
    }
    if expected.primary_key != actual.primary_key {
        found.push(format!(
            "table `{name}` has primary key {:?} but should have {:?}",
            actual.primary_key, expected.primary_key
        ));
    }
    if expected.uniques != actual.uniques {
        found.push(format!(
            "table `{name}` has unique constraints {:?} but should have {:?}",
            actual.uniques, expected.uniques
        ));
    }
    if expected.checks != actual.checks {
        found.push(format!("table `{name}` has different check constraints"));
    }
    if expected.foreign_keys != actual.foreign_keys {
        found.push(format!(
            "table `{name}` has foreign keys {:?} but should have {:?}",
            actual.foreign_keys, expected.foreign_keys
        ));
    }
}
