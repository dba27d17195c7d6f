//! The CMS's migration command: `cms upgrade`, `cms history`, `cms show ..`.
//! With no command it upgrades a SQLite file `cms.db` in the working folder;
//! `--database-url` / `DATABASE_URL` choose another database. `revision`
//! and `merge` write into this example's `src/history.rs`. `cms seed`
//! inserts the example's generated members.

use std::process::ExitCode;

use clap::Parser;

/// `cms seed`: inserts realistic generated members (the same ones every time).
#[derive(Parser)]
#[command(name = "cms seed")]
struct Seed {
    /// The database: a SQLite path or a `postgres://` URL.
    #[arg(long, env = "DATABASE_URL", default_value = "cms.db")]
    database_url: String,
    /// How many members.
    #[arg(long, default_value_t = cms::seed::MEMBERS)]
    count: usize,
}

fn main() -> ExitCode {
    if std::env::args_os().nth(1).is_some_and(|arg| arg == "seed") {
        // As the migration commands do: a `.env` file may name the database.
        let _ = dotenvy::dotenv();
        return seed(Seed::parse_from(std::env::args_os().skip(1)));
    }
    migration_runtime::cli::main(
        cms::history::MIGRATIONS,
        "cms.db",
        concat!(env!("CARGO_MANIFEST_DIR"), "/src/history.rs"),
    )
}

fn seed(args: Seed) -> ExitCode {
    let seeded = migration_runtime::AnyConnection::establish(&args.database_url)
        .and_then(|mut conn| cms::seed::seed(&mut conn, args.count));
    match seeded {
        Ok(()) => {
            println!("seeded {} members", args.count);
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("error: seeding members: {error}");
            ExitCode::from(3)
        }
    }
}
