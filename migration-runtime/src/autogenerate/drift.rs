//! Drift: what a live database holds that its applied migrations did not
//! build (tables, columns, keys or indexes made by hand), reported before a
//! migration is generated from `schema.rs`.

use migration_model::diff;

use crate::catalog::comparable;
use crate::connection::{AnyConnection, BoxError};
use crate::set::MigrationSet;

/// What differs between the database on `conn` and the schema its applied
/// migrations of `set` build, one line each, after a line saying how far the
/// database is from the head when it is not there; empty when there is no
/// drift and nothing is pending.
pub fn drift(set: MigrationSet, conn: &mut AnyConnection) -> Result<Vec<String>, BoxError> {
    let applied = conn.applied_migrations()?;
    let known: Vec<&str> = set
        .migrations()
        .iter()
        .map(|m| m.id())
        .filter(|id| applied.iter().any(|a| a == id))
        .collect();
    let mut found = Vec::new();
    let pending = set.migrations().len() - known.len();
    if pending > 0 {
        found.push(format!(
            "the database has {pending} migration(s) to apply: it is compared with the {} it has applied",
            known.len()
        ));
    }
    let unknown: Vec<&String> = applied.iter().filter(|a| set.get(a).is_none()).collect();
    if !unknown.is_empty() {
        found.push(format!(
            "the database has applied migrations this build does not know: {}",
            unknown
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    let expected = set.schema_of(&known)?;
    let live = conn.introspect()?;
    for difference in diff(&comparable(&expected), &comparable(&live)) {
        found.push(format!("drift: {difference}"));
    }
    Ok(found)
}
