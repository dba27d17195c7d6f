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
    let is_applied = |id: &str| applied.iter().any(|a| a.id == id);
    for record in applied {
        for ancestor in set.lineage(&record.id)? {
            if !is_applied(ancestor) {
                return Err(Error::OutOfOrder {
                    pending: ancestor.to_owned(),
                    applied: record.id.clone(),
                });
            }
        }
    }
    Ok(())
}
