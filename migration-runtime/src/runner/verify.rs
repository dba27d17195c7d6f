//! Integrity of what is applied against what the code holds, checked before
//! anything runs. A pure function, so every case is tested without a database.

use super::history::{Applied, checksum};
use crate::error::Error;
use crate::set::MigrationSet;

/// Refuses to run when an applied migration is unknown to this build
/// ("can't locate revision"), when one changed since it ran (unless
/// `allow_changed`), or when a pending migration comes before an applied
/// one in the history (it would run out of order).
pub fn verify(set: MigrationSet, applied: &[Applied], allow_changed: bool) -> Result<(), Error> {
    for record in applied {
        let Some(migration) = set.get(&record.id) else {
            return Err(Error::UnknownMigration(record.id.clone()));
        };
        let changed = record
            .checksum
            .as_ref()
            .is_some_and(|recorded| *recorded != checksum(migration));
        if changed && !allow_changed {
            return Err(Error::Changed(record.id.clone()));
        }
    }
    let applied_ids: std::collections::HashSet<&str> =
        applied.iter().map(|a| a.id.as_str()).collect();
    for record in applied {
        // All direct parents applied, for every applied migration, means all
        // ancestors are; only when one is not is the whole lineage walked,
        // to name the earliest migration left behind.
        let Some(migration) = set.get(&record.id) else {
            continue;
        };
        if migration.parents().iter().all(|p| applied_ids.contains(p)) {
            continue;
        }
        if let Some(ancestor) = set
            .lineage(&record.id)?
            .into_iter()
            .find(|a| !applied_ids.contains(a))
        {
            return Err(Error::OutOfOrder {
                pending: ancestor.to_owned(),
                applied: record.id.clone(),
            });
        }
    }
    Ok(())
}
