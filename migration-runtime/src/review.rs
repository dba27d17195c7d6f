//! Review before deploy: what each migration will lock, drop or rewrite on
//! PostgreSQL, and the safer form where there is one. A pure function of
//! the steps and the schema they run on, so it needs no database. The rules
//! themselves are in [`migration_model::review`], shared with the macro.

use std::fmt;

use crate::error::Error;
use crate::set::MigrationSet;

pub use migration_model::review::Severity;

/// One thing a step will do that the team should know before deploying.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// The migration.
    pub migration: String,
    /// The step, as the migration language spells it.
    pub step: String,
    /// How much it matters.
    pub severity: Severity,
    /// What it does and what it locks.
    pub message: String,
    /// The safer way, when there is one.
    pub suggestion: Option<String>,
    /// Why the author accepts this danger, as written in the migration
    /// (`.reviewed("why")` on the step).
    pub reviewed: Option<String>,
}

impl Finding {
    /// Whether this finding should stop a deploy: dangerous, and not
    /// reviewed in the migration.
    pub fn blocks(&self) -> bool {
        self.severity == Severity::Danger && self.reviewed.is_none()
    }

    /// The first line's label: `note`, `warning`, `danger`, or
    /// `danger (reviewed)`.
    pub fn label(&self) -> &'static str {
        match (self.severity, &self.reviewed) {
            (Severity::Danger, Some(_)) => "danger (reviewed)",
            (severity, _) => severity.label(),
        }
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {}: {}\n  {}",
            self.label(),
            self.migration,
            self.step,
            self.message
        )?;
        if let Some(reason) = &self.reviewed {
            write!(f, "\n  reviewed: {reason}")?;
        } else if let Some(suggestion) = &self.suggestion {
            write!(f, "\n  safer: {suggestion}")?;
        }
        Ok(())
    }
}

/// The findings for the migrations `ids` of `set`, in order.
///
/// ```
/// #[migration_runtime::migrations]
/// mod history {
///     #[migration(id = "2024_01_10_000001")]
///     fn create_members(m: &mut Up) {
///         m.create_table("members", |t| {
///             t.id("id");
///             t.column("code", text());
///         });
///     }
///
///     #[migration(id = "2024_01_12_000001", irreversible = "codes are re-issued")]
///     fn codes_as_numbers(m: &mut Up) {
///         m.change_type("members", "code", bigint()).using(cast(col("code"), bigint()));
///     }
/// }
///
/// use migration_runtime::review::{Severity, review};
///
/// let findings = review(history::MIGRATIONS, &["2024_01_12_000001"])?;
/// assert_eq!(findings[0].severity, Severity::Danger);
/// assert!(findings[0].message.contains("rewrites the table"));
/// # Ok::<(), migration_runtime::Error>(())
/// ```
pub fn review(set: MigrationSet, ids: &[&str]) -> Result<Vec<Finding>, Error> {
    let mut findings = Vec::new();
    for id in ids {
        let migration = set
            .get(id)
            .ok_or_else(|| Error::UnknownMigration((*id).to_owned()))?;
        let mut schema = set.schema_before(id)?;
        let before = schema.clone();
        for (index, op) in migration.up().iter().enumerate() {
            if let Some(found) = migration_model::review::assess(op, &before, &schema) {
                findings.push(Finding {
                    migration: migration.id().to_owned(),
                    step: op.to_string(),
                    severity: found.severity,
                    message: found.message,
                    suggestion: found.suggestion.map(str::to_owned),
                    reviewed: migration.reviewed(index).map(str::to_owned),
                });
            }
            schema.apply(op).map_err(|e| Error::Model {
                migration: migration.id().to_owned(),
                message: e.message,
            })?;
        }
    }
    Ok(findings)
}

/// Whether any finding is dangerous and not reviewed in its migration.
pub fn has_danger(findings: &[Finding]) -> bool {
    findings.iter().any(Finding::blocks)
}
