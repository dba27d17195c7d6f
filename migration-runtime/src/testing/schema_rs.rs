//! The test assertion over [`crate::schema_rs::schema_rs_differences`].

use std::path::Path;

use crate::schema_rs::schema_rs_differences;
use crate::set::MigrationSet;

/// [`schema_rs_differences`] for a file, as a test assertion.
pub fn assert_schema_rs_matches(set: MigrationSet, path: impl AsRef<Path>) {
    let path = path.as_ref();
    let source = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let differences = schema_rs_differences(set, &source).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        differences.is_empty(),
        "{} does not match the head of the migrations:\n  - {}",
        path.display(),
        differences.join("\n  - ")
    );
}
