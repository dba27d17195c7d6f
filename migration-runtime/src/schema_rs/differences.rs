//! Does the schema at the head of history match the diesel `table!`
//! definitions the application compiles against (its `schema.rs`)?

use migration_model::Schema;

use super::{DeclaredType, SchemaRs, declares_foreign_key, expected_in_schema_rs};
use crate::error::Error;
use crate::set::MigrationSet;

/// What differs between the schema at the head of `set` and the `table!`
/// and `joinable!` definitions in the Rust source `schema_rs`, one sentence
/// each; empty when they agree.
pub fn schema_rs_differences(set: MigrationSet, schema_rs: &str) -> Result<Vec<String>, Error> {
    Ok(differences(&set.head_schema()?, &super::parse(schema_rs)?))
}

/// What differs between `head` (the schema the migrations build, or one
/// read from a live database) and a parsed `schema.rs`, one sentence each.
pub fn differences(head: &Schema, declared: &SchemaRs) -> Vec<String> {
    let mut found = Vec::new();
    for table in &head.tables {
        let Some(other) = declared.table(&table.name) else {
            found.push(format!("table `{}` is missing from schema.rs", table.name));
            continue;
        };
        if other
            .primary_key
            .iter()
            .map(String::as_str)
            .ne(table.primary_key.iter().map(|c| c.as_ref()))
        {
            found.push(format!(
                "`{}` has primary key {:?} in the migrations but {:?} in schema.rs",
                table.name, table.primary_key, other.primary_key
            ));
        }
        for column in table.columns.iter() {
            let Some(declared_column) = other.column(&column.name) else {
                found.push(format!(
                    "column `{}.{}` is missing from schema.rs",
                    table.name, column.name
                ));
                continue;
            };
            if !DeclaredType::of(declared_column).fits(column.ty) {
                let length = declared_column
                    .max_length
                    .map(|n| format!(" with max_length = {n}"))
                    .unwrap_or_default();
                found.push(format!(
                    "column `{}.{}` is {} in the migrations but `{}`{length} in schema.rs",
                    table.name, column.name, column.ty, declared_column.ty
                ));
            }
            if column.nullable != declared_column.nullable {
                let (migrations, schema_rs) = if column.nullable {
                    ("nullable", "not")
                } else {
                    ("NOT NULL", "Nullable")
                };
                found.push(format!(
                    "column `{}.{}` is {migrations} in the migrations but {schema_rs} in schema.rs",
                    table.name, column.name
                ));
            }
        }
        for column in &other.columns {
            if table.column(&column.name).is_none() {
                found.push(format!(
                    "column `{}.{}` in schema.rs does not exist at head",
                    table.name, column.name
                ));
            }
        }
        for key in table.foreign_keys.iter() {
            if expected_in_schema_rs(table, key, head.table(&key.ref_table))
                && !declares_foreign_key(declared, &table.name, key)
            {
                found.push(format!(
                    "foreign key `{}` ({}.{} -> {}) has no joinable! in schema.rs",
                    key.name, table.name, key.columns[0], key.ref_table
                ));
            }
        }
    }
    for table in &declared.tables {
        if head.table(&table.name).is_none() {
            found.push(format!(
                "table `{}` in schema.rs does not exist at head",
                table.name
            ));
        }
    }
    for join in &declared.joinables {
        let exists = head.table(&join.child).is_some_and(|table| {
            table
                .foreign_keys
                .iter()
                .any(|key| join.is_key(&table.name, key))
        });
        if !exists {
            found.push(format!("{join} in schema.rs has no foreign key at head"));
        }
    }
    found
}
