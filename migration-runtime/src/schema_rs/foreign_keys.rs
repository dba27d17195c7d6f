//! Which foreign keys a `schema.rs` can declare: `joinable!` says only
//! "this column references that table's primary key", and `diesel
//! print-schema` leaves it out when a table references another twice.

use migration_model::{ForeignKey, Table};

use super::SchemaRs;

/// Whether `key` of `table` is one a `schema.rs` declares with `joinable!`
/// (when it does not, `schema.rs` says nothing about the key either way):
/// one column, referencing the single-column primary key of `parent` (the
/// referenced table), and the only key of `table` to that table.
pub fn expected_in_schema_rs(table: &Table, key: &ForeignKey, parent: Option<&Table>) -> bool {
    let [_] = key.columns.as_ref() else {
        return false;
    };
    let [referenced] = key.ref_columns.as_ref() else {
        return false;
    };
    parent.is_some_and(|parent| parent.primary_key.as_ref() == [referenced.clone()])
        && table
            .foreign_keys
            .iter()
            .filter(|k| k.ref_table == key.ref_table)
            .count()
            == 1
}

/// Whether a `joinable!` of `schema_rs` declares `key` of `table`.
pub fn declares_foreign_key(schema_rs: &SchemaRs, table: &str, key: &ForeignKey) -> bool {
    schema_rs
        .joinables
        .iter()
        .any(|join| join.is_key(table, key))
}
