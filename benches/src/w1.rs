//! W1 and the round trip: the generated 200-migration history applied to
//! fresh databases by the runner (from an empty database, after the first
//! migration with the online forms, and `--single-transaction`), by
//! diesel's harness, and by `psql` running the same SQL.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use clap::Parser;
use diesel_migrations::MigrationHarness;
use migration_runtime::cli::Cli;
use migration_runtime::dialect::Placement;
use migration_runtime::{AnyConnection, Backend, Direction, MigrationSet, Mode, Runner};

use crate::Result;
use crate::database::{fresh, median};
use crate::histories::history;
use crate::report::Table;

/// Something measured: it runs on the fresh database at the URL given.
type Work<'a> = dyn Fn(&str) -> Result<()> + 'a;

/// The SQL scripts `psql` runs, written to a temporary folder.
struct Scripts {
    dir: PathBuf,
    /// Every upgrade as the offline `sql` command prints it, for `psql -1`.
    up: String,
    /// Every downgrade, newest first, for `psql -1`.
    down: String,
    /// Every upgrade as the runner runs it by default: the lock-friendly
    /// forms, with `BEGIN`/`COMMIT` where the runner commits.
    online: String,
    /// How long planning the upgrades' SQL took (schema model only).
    planning: Duration,
}

impl Scripts {
    fn write(set: MigrationSet) -> Result<Scripts> {
        let dir = std::env::temp_dir().join(format!("migration-bench-{}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        let planning = Instant::now();
        let up = sql_command(set, &[])?;
        let planning = planning.elapsed();
        let down = sql_command(set, &["--down"])?;
        let online = sql_command(set, &["--online"])?;
        let write = |name: &str, sql: &str| -> Result<String> {
            let path = dir.join(name);
            std::fs::write(&path, sql)?;
            Ok(path
                .to_str()
                .ok_or("temporary path is not UTF-8")?
                .to_owned())
        };
        Ok(Scripts {
            up: write("up.sql", &up)?,
            down: write("down.sql", &down)?,
            online: write("online.sql", &online)?,
            planning,
            dir,
        })
    }
}

impl Drop for Scripts {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Measures W1 (apply) and prints its table.
pub fn apply(runs: usize) -> Result<()> {
    let set = history::MIGRATIONS;
    let scripts = Scripts::write(set)?;
    let counts = OnlineCounts::of(set)?;
    let upgrade = |to: &'static str| {
        move |url: &str| -> Result<()> {
            Runner::new(&mut AnyConnection::establish(url)?, set).upgrade(to)?;
            Ok(())
        }
    };
    let (first, rest) = (upgrade("+1"), upgrade("head"));
    let times = in_turns_prepared(
        runs,
        &[
            (None, &|url| psql(url, true, &[&scripts.up])),
            (None, &rest),
            (Some(&first), &rest),
            (None, &|url| {
                Runner::new(&mut AnyConnection::establish(url)?, set)
                    .single_transaction(true)
                    .upgrade("head")?;
                Ok(())
            }),
            (None, &|url| {
                let mut conn = <diesel::PgConnection as diesel::Connection>::establish(url)?;
                conn.run_pending_migrations(set)?;
                Ok(())
            }),
            (None, &|url| psql(url, false, &[&scripts.online])),
        ],
    )?;
    let [psql_one, fresh_runner, runner, single, diesel, psql_online] = times[..] else {
        return Err("one time per contender".into());
    };
    let mut table = Table::new(
        &format!(
            "W1 apply ({} migrations, median of {runs})",
            set.migrations().len()
        ),
        &["SQL it runs", "time", "vs `psql -1`", "target"],
    );
    let plain = "plain forms";
    table.timed_row("`psql -1 -f`", plain, psql_one, psql_one, "");
    table.timed_row(
        "runner (default), on an empty database",
        &format!("{plain}, one transaction (nobody can be using the tables yet)"),
        fresh_runner,
        psql_one,
        "1.00x",
    );
    table.timed_row(
        "runner (default), after the first migration (timed: the other 199)",
        &format!(
            "online forms: {} `CREATE INDEX CONCURRENTLY` outside a transaction, \
             {} foreign keys `NOT VALID` then `VALIDATE`",
            counts.alone, counts.validated
        ),
        runner,
        psql_one,
        "1.00x",
    );
    table.timed_row(
        "runner `--single-transaction`",
        &format!("{plain}, one transaction"),
        single,
        psql_one,
        "1.00x",
    );
    table.timed_row(
        "diesel `MigrationHarness`",
        &format!("{plain}, a transaction per migration"),
        diesel,
        psql_one,
        "",
    );
    table.timed_row(
        "`psql -f` of the runner's online SQL (no lock, no history)",
        "online forms, committed where the runner commits",
        psql_online,
        psql_one,
        "",
    );
    table.print();
    println!(
        "Planning the SQL of all {} upgrades (schema model only, no database): {} ms.\n",
        set.migrations().len(),
        scripts.planning.as_millis()
    );
    Ok(())
}

/// Measures the round trip (up, down, up) when `with_trip`, and the
/// round-trip check when `with_check`; prints their table.
pub fn round_trip(runs: usize, with_trip: bool, with_check: bool) -> Result<()> {
    let set = history::MIGRATIONS;
    let scripts = Scripts::write(set)?;
    let trip = |single: bool| {
        move |url: &str| -> Result<()> {
            let mut conn = AnyConnection::establish(url)?;
            Runner::new(&mut conn, set)
                .single_transaction(single)
                .upgrade("head")?;
            Runner::new(&mut conn, set)
                .single_transaction(single)
                .downgrade("base")?;
            Runner::new(&mut conn, set)
                .single_transaction(single)
                .upgrade("head")?;
            Ok(())
        }
    };
    let psql_trip = |url: &str| psql(url, true, &[&scripts.up, &scripts.down, &scripts.up]);
    let (online, single) = (trip(false), trip(true));
    let mut contenders: Vec<&Work<'_>> = vec![&psql_trip];
    if with_trip {
        contenders.extend([&online as &Work<'_>, &single]);
    }
    let times = in_turns(runs, &contenders)?;
    let base = times[0];
    let mut table = Table::new(
        &format!(
            "Round trip: up, down, up ({} migrations, median of {runs})",
            set.migrations().len()
        ),
        &["time", "vs `psql -1`", "target"],
    );
    table.ratio_row("`psql -1 -f` three times", base, base, "");
    if let [_, online, single] = times[..] {
        table.ratio_row(
            "runner (default: upgrades from an empty database in one transaction, a transaction per downgrade)",
            online,
            base,
            "1.00x",
        );
        table.ratio_row(
            "runner `--single-transaction` (each of the three one transaction)",
            single,
            base,
            "1.00x",
        );
    }
    if with_check {
        let check_runs = runs.min(3);
        let check = in_turns(
            check_runs,
            &[&|url| {
                migration_runtime::testing::check_round_trip(
                    &mut AnyConnection::establish(url)?,
                    set,
                    migration_runtime::testing::generated_rows,
                )?;
                Ok(())
            }],
        )?;
        table.ratio_row(
            &format!(
                "`testing::check_round_trip` over generated rows (catalog read after every step; median of {check_runs})"
            ),
            check[0],
            base,
            "",
        );
    }
    table.print();
    Ok(())
}

/// What the runner's online forms make of the history.
struct OnlineCounts {
    /// Statements run outside a transaction.
    alone: usize,
    /// Constraints added `NOT VALID` and validated in a later transaction.
    validated: usize,
}

impl OnlineCounts {
    fn of(set: MigrationSet) -> Result<OnlineCounts> {
        let mut counts = OnlineCounts {
            alone: 0,
            validated: 0,
        };
        for migration in set.migrations() {
            let steps = set.plan(
                migration.id(),
                Direction::Up,
                Backend::Postgres,
                Mode::Online,
            )?;
            for statement in steps.iter().flat_map(|step| &step.statements) {
                match statement.placement {
                    Placement::InTransaction => {}
                    Placement::NewTransaction => {
                        counts.validated += usize::from(statement.sql.contains(" VALIDATE "));
                    }
                    Placement::Alone => counts.alone += 1,
                }
            }
        }
        Ok(counts)
    }
}

/// What `app sql --backend postgres ARGS` prints, the SQL a user feeds to
/// `psql`: one transaction's worth by default, `--down` the downgrades,
/// `--online` the runner's forms with `BEGIN`/`COMMIT` where it commits.
fn sql_command(set: MigrationSet, args: &[&str]) -> Result<String> {
    let mut argv = vec![
        "bench",
        "--database-url",
        "postgres://unused",
        "sql",
        "--backend",
        "postgres",
    ];
    argv.extend_from_slice(args);
    let mut out = Vec::new();
    migration_runtime::cli::run(set, Cli::try_parse_from(argv)?, &mut out)?;
    Ok(String::from_utf8(out)?)
}

/// Runs `psql` on each file in turn, each in one transaction when `single`.
fn psql(url: &str, single: bool, files: &[&str]) -> Result<()> {
    for file in files {
        let mut command = Command::new("psql");
        command.args(["-q", "-X", "-v", "ON_ERROR_STOP=1"]);
        if single {
            command.arg("-1");
        }
        let status = command.args(["-f", file, url]).status()?;
        if !status.success() {
            return Err(format!("psql failed on {}", Path::new(file).display()).into());
        }
    }
    Ok(())
}

/// The median time of each of `contenders`, each run `runs` times on a
/// fresh database; they take turns, so that a busy moment of the machine
/// hits them alike.
fn in_turns(runs: usize, contenders: &[&Work<'_>]) -> Result<Vec<Duration>> {
    let unprepared: Vec<_> = contenders.iter().map(|work| (None, *work)).collect();
    in_turns_prepared(runs, &unprepared)
}

/// As [`in_turns`], each contender's database first prepared by the work
/// beside it, untimed.
fn in_turns_prepared(
    runs: usize,
    contenders: &[(Option<&Work<'_>>, &Work<'_>)],
) -> Result<Vec<Duration>> {
    let mut times = vec![Vec::with_capacity(runs); contenders.len()];
    for _ in 0..runs {
        for ((prepare, work), times) in contenders.iter().zip(&mut times) {
            let db = fresh()?;
            if let Some(prepare) = prepare {
                prepare(db.url())?;
            }
            let started = Instant::now();
            work(db.url())?;
            times.push(started.elapsed());
        }
    }
    Ok(times.into_iter().map(median).collect())
}
