//! Applies a generated 200-migration history to fresh PostgreSQL databases
//! with the runner, with diesel's harness, and with `psql -1` running the
//! same SQL, and prints the medians as a Markdown table.
//!
//! `TEST_DATABASE_URL=postgres://user:pass@localhost/postgres cargo run --release -p migration-bench`

use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

use clap::Parser;
use diesel_migrations::MigrationHarness;
use migration_runtime::testing::PgTestDatabase;
use migration_runtime::{AnyConnection, Backend, Direction, MigrationSet, Runner};

include!(concat!(env!("OUT_DIR"), "/history.rs"));

/// Benchmark the runner against psql and diesel's harness.
#[derive(Parser)]
struct Args {
    /// Runs per measurement; the median is reported.
    #[arg(long, default_value_t = 5)]
    runs: usize,
}

type Result<T> = std::result::Result<T, Box<dyn std::error::Error + Send + Sync>>;

fn main() -> ExitCode {
    match run(Args::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: Args) -> Result<()> {
    let set = history::MIGRATIONS;
    let dir = std::env::temp_dir().join(format!("migration-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let up = dir.join("up.sql");
    let down = dir.join("down.sql");
    let planning = Instant::now();
    std::fs::write(&up, script(set, Direction::Up)?)?;
    let planning = planning.elapsed();
    std::fs::write(&down, script(set, Direction::Down)?)?;
    let up = up.to_str().ok_or("temporary path is not UTF-8")?.to_owned();
    let down = down
        .to_str()
        .ok_or("temporary path is not UTF-8")?
        .to_owned();

    let apply_psql = median(args.runs, |url| psql(url, &[&up]))?;
    let apply_runner = median(args.runs, |url| {
        Runner::new(&mut AnyConnection::establish(url)?, set).upgrade("head")?;
        Ok(())
    })?;
    let apply_single = median(args.runs, |url| {
        Runner::new(&mut AnyConnection::establish(url)?, set)
            .single_transaction(true)
            .upgrade("head")?;
        Ok(())
    })?;
    let apply_diesel = median(args.runs, |url| {
        let mut conn = <diesel::PgConnection as diesel::Connection>::establish(url)?;
        conn.run_pending_migrations(set)?;
        Ok(())
    })?;
    let trip_psql = median(args.runs, |url| psql(url, &[&up, &down, &up]))?;
    let trip_runner = median(args.runs, |url| {
        let mut conn = AnyConnection::establish(url)?;
        Runner::new(&mut conn, set).upgrade("head")?;
        Runner::new(&mut conn, set).downgrade("base")?;
        Runner::new(&mut conn, set).upgrade("head")?;
        Ok(())
    })?;

    let check = median(args.runs.min(3), |url| {
        migration_runtime::testing::check_round_trip(
            &mut AnyConnection::establish(url)?,
            set,
            migration_runtime::testing::generated_rows,
        )?;
        Ok(())
    })?;
    let ratio = |t: Duration, base: Duration| t.as_secs_f64() / base.as_secs_f64();
    println!(
        "| workload ({} migrations, median of {}) | time | vs `psql -1` |",
        set.migrations().len(),
        args.runs
    );
    println!("| --- | ---: | ---: |");
    println!(
        "| W1 apply: `psql -1 -f` | {} ms | 1.00x |",
        apply_psql.as_millis()
    );
    println!(
        "| W1 apply: runner (lock, checksums, one transaction per migration) | {} ms | {:.2}x |",
        apply_runner.as_millis(),
        ratio(apply_runner, apply_psql)
    );
    println!(
        "| W1 apply: runner `--single-transaction` | {} ms | {:.2}x |",
        apply_single.as_millis(),
        ratio(apply_single, apply_psql)
    );
    println!(
        "| W1 apply: diesel `MigrationHarness` | {} ms | {:.2}x |",
        apply_diesel.as_millis(),
        ratio(apply_diesel, apply_psql)
    );
    println!(
        "| round trip (up, down, up): `psql -1 -f` x3 | {} ms | 1.00x |",
        trip_psql.as_millis()
    );
    println!(
        "| round trip (up, down, up): runner | {} ms | {:.2}x |",
        trip_runner.as_millis(),
        ratio(trip_runner, trip_psql)
    );
    println!(
        "| `testing::check_round_trip` over generated rows (catalog read after every step) | {} ms | {:.2}x |",
        check.as_millis(),
        ratio(check, trip_psql)
    );
    println!(
        "| planning the SQL of all 200 upgrades (schema model only, no database) | {} ms | |",
        planning.as_millis()
    );
    std::fs::remove_dir_all(dir)?;
    Ok(())
}

/// Every migration's SQL one way, in the order it runs.
fn script(set: MigrationSet, direction: Direction) -> Result<String> {
    let mut ids: Vec<&str> = set.migrations().iter().map(|m| m.id()).collect();
    if direction == Direction::Down {
        ids.reverse();
    }
    let mut sql = String::new();
    for id in ids {
        for statement in set.render(id, direction, Backend::Postgres)? {
            sql.push_str(&statement);
            sql.push_str(";\n");
        }
    }
    Ok(sql)
}

fn psql(url: &str, files: &[&str]) -> Result<()> {
    for file in files {
        let status = Command::new("psql")
            .args(["-q", "-X", "-1", "-v", "ON_ERROR_STOP=1", "-f", file, url])
            .status()?;
        if !status.success() {
            return Err(format!("psql failed on {file}").into());
        }
    }
    Ok(())
}

/// The median time of `work` over `runs` fresh databases.
fn median(runs: usize, work: impl Fn(&str) -> Result<()>) -> Result<Duration> {
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let db = PgTestDatabase::create().ok_or("set TEST_DATABASE_URL to a PostgreSQL server")?;
        let started = Instant::now();
        work(db.url())?;
        times.push(started.elapsed());
    }
    times.sort();
    Ok(times[times.len() / 2])
}
