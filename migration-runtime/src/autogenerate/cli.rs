//! The `revision --autogenerate` command.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use super::{Rename, drift, generate, write};
use crate::cli::Cli;
use crate::connection::{AnyConnection, BoxError};
use crate::revision;
use crate::set::MigrationSet;

/// Reports drift when a database was named, then writes the migration from
/// the head of `set` to `schema_rs` into the history file and says what is
/// left to decide.
pub fn revision(
    set: MigrationSet,
    cli: &Cli,
    message: &str,
    schema_rs: &Path,
    renames: &[Rename],
    out: &mut impl Write,
) -> Result<ExitCode, BoxError> {
    let parents = revision::sole_head(set)?;
    if cli.database_url_given {
        let mut conn = AnyConnection::establish(&cli.database_url)?;
        let found = drift(set, &mut conn)?;
        if found.is_empty() {
            writeln!(
                out,
                "no drift: the database holds what its migrations built"
            )?;
        }
        for line in found {
            writeln!(out, "{line}")?;
        }
    }
    let source = std::fs::read_to_string(schema_rs)
        .map_err(|e| format!("reading {}: {e}", schema_rs.display()))?;
    let changes = generate(set, &source, renames)?;
    if changes.is_empty() {
        writeln!(
            out,
            "{} matches the head of history: nothing to generate",
            schema_rs.display()
        )?;
        return Ok(ExitCode::SUCCESS);
    }
    let id = revision::next_id(set, revision::today());
    revision::write_with_body(&cli.history_file, &id, message, &parents, &write(&changes))?;
    writeln!(
        out,
        "wrote {id} {} into {}: {} step(s)",
        revision::function_name(message),
        cli.history_file.display(),
        changes.iter().filter(|c| c.op.is_some()).count()
    )?;
    for change in &changes {
        if let Some(decide) = &change.decide {
            writeln!(out, "  to decide: {decide}")?;
        }
        for comment in &change.comments {
            writeln!(out, "  note: {comment}")?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
