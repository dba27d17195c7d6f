//! The CMS's migration command: `cms upgrade`, `cms history`, `cms show ..`.
//! With no command it upgrades a SQLite file `cms.db` in the working folder;
//! `--database-url` / `DATABASE_URL` choose another database. `revision`
//! and `merge` write into this example's `src/history.rs`.

use std::process::ExitCode;

fn main() -> ExitCode {
    migration_runtime::cli::main(
        cms::history::MIGRATIONS,
        "cms.db",
        concat!(env!("CARGO_MANIFEST_DIR"), "/src/history.rs"),
    )
}
