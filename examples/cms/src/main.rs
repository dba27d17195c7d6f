//! Applies the CMS migrations to a database: a SQLite file in the working
//! folder by default, or the database `--database-url` / `DATABASE_URL` names.

use std::process::ExitCode;

use clap::Parser;
use migration_runtime::AnyConnection;

/// Apply the CMS migrations.
#[derive(Parser)]
#[command(version, about)]
struct Args {
    /// The database: `postgres://...` for PostgreSQL, or a SQLite file path.
    #[arg(long, env = "DATABASE_URL", default_value = "cms.db")]
    database_url: String,
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args.database_url) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

fn run(url: &str) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let mut conn = AnyConnection::establish(url)?;
    let applied = conn.run_pending_migrations(cms::history::MIGRATIONS)?;
    if applied.is_empty() {
        println!("{url}: up to date, nothing to apply");
    }
    for id in &applied {
        let name = cms::history::MIGRATIONS.get(id).map_or("", |m| m.name());
        println!("{url}: applied {id} {name}");
    }
    Ok(())
}
