//! W3: NOT NULL tightened on a large table while another session inserts a
//! row every millisecond, in the runner's online form and in the plain
//! `SET NOT NULL` (`--single-transaction`), with the longest insert and the
//! longest wait for a lock of each; beside them, the writer alone shows
//! its own slowest inserts, and a plain scan of the same table what the
//! machine's own contention does to them.
//!
//! Each run measures each form twice: once timing the inserts alone, once
//! sampling the writer's lock waits. Sampling every millisecond takes a
//! good part of a core, which on two cores slows the inserts it watches.

use std::time::{Duration, Instant};

use migration_runtime::{AnyConnection, Runner};

use crate::Result;
use crate::database::{filled, median, settle, value};
use crate::histories::tighten;
use crate::report::{Table, ms, ms1, thousands, under};
use crate::sampler::{Longest, Spell, watching};
use crate::writer::{Inserts, writing};

/// The people W3 starts from, `ROWS` of them, each with a name.
const PEOPLE: &str =
    "INSERT INTO people (name) SELECT 'person ' || n FROM generate_series(1, ROWS) AS n";

/// What the application inserts meanwhile.
const INSERT: &str = "INSERT INTO people (name) VALUES ('written meanwhile')";

/// A scan of the whole table like `VALIDATE`'s (one process), taking no
/// lock that blocks inserts.
const SCAN: &str = "SELECT CAST(count(*) AS TEXT) AS v FROM people WHERE name IS NULL";

/// The longest an insert may wait (the target).
const LONGEST_TARGET: Duration = Duration::from_millis(2);

const NULLABLE: &str = "SELECT is_nullable AS v FROM information_schema.columns \
    WHERE table_name = 'people' AND column_name = 'name'";

/// What one pass of one form did to the writer: the inserts' latencies, or
/// the lock waits sampled.
enum Measured {
    Latency { time: Duration, inserts: Inserts },
    LockWait(Longest),
}

/// What the runs of one form did to the writer.
struct Tally {
    name: &'static str,
    sql: &'static str,
    target: bool,
    times: Vec<Duration>,
    longest_inserts: Vec<Duration>,
    lock_wait: Longest,
    over: usize,
    inserts: usize,
}

impl Tally {
    fn new(name: &'static str, sql: &'static str, target: bool) -> Tally {
        Tally {
            name,
            sql,
            target,
            times: Vec::new(),
            longest_inserts: Vec::new(),
            lock_wait: Longest::default(),
            over: 0,
            inserts: 0,
        }
    }

    fn add(&mut self, measured: Measured) {
        match measured {
            Measured::Latency { time, inserts } => {
                self.times.push(time);
                self.longest_inserts.push(inserts.longest());
                self.over += inserts.over(LONGEST_TARGET);
                self.inserts += inserts.latencies.len();
            }
            Measured::LockWait(longest) => self.lock_wait.merge(longest),
        }
    }

    fn row(&self, rows: u64) -> Vec<String> {
        let worst = self
            .longest_inserts
            .iter()
            .copied()
            .max()
            .unwrap_or_default();
        vec![
            self.name.to_owned(),
            thousands(rows),
            self.sql.to_owned(),
            ms(median(self.times.clone())),
            format!(
                "{} (worst {})",
                ms1(median(self.longest_inserts.clone())),
                ms1(worst)
            ),
            format!(
                "{}–{}",
                ms1(self.lock_wait.seen),
                ms1(self.lock_wait.at_most)
            ),
            format!("{} of {}", self.over, self.inserts),
            if self.target {
                // Blocked: waiting for the migration's lock. The insert's
                // whole time also holds what the machine does to it.
                format!(
                    "lock wait {}; whole insert {}",
                    under(self.lock_wait.at_most, LONGEST_TARGET),
                    under(worst, LONGEST_TARGET)
                )
            } else {
                String::new()
            },
        ]
    }
}

/// Measures W3 at each size, `runs` times (the forms taking turns on the
/// same rows), and prints its table.
pub fn tighten(sizes: &[u64], runs: usize) -> Result<()> {
    let mut table = Table::new(
        &format!("W3: tighten NOT NULL, a row inserted every ms (median of {runs})"),
        &[
            "rows",
            "SQL it runs",
            "time",
            "longest insert",
            "longest lock wait",
            "inserts over 2 ms",
            "target",
        ],
    );
    let mut widest_gap = Duration::ZERO;
    for &rows in sizes {
        let db = filled(tighten::MIGRATIONS, PEOPLE, rows)?;
        let mut conn = AnyConnection::establish(db.url())?;
        // One process, as `VALIDATE` scans.
        conn.batch_execute("SET max_parallel_workers_per_gather = 0")?;
        let mut alone = Tally::new("the writer alone", "nothing else runs (200 ms)", false);
        let mut control = Tally::new(
            "control: a scan of the same table",
            "`SELECT count(*) .. WHERE name IS NULL`, no parallel workers",
            false,
        );
        let mut online = Tally::new(
            "runner (default)",
            "`CHECK .. NOT VALID`; `VALIDATE`; `SET NOT NULL` (no scan), `DROP CONSTRAINT`",
            true,
        );
        let mut plain = Tally::new(
            "runner `--single-transaction`",
            "`SET NOT NULL` (scans under `ACCESS EXCLUSIVE`)",
            false,
        );
        for _ in 0..runs {
            for sample_locks in [false, true] {
                alone.add(while_writing(db.url(), sample_locks, || {
                    std::thread::sleep(Duration::from_millis(200));
                    Ok(())
                })?);
                control.add(while_writing(db.url(), sample_locks, || {
                    value(&mut conn, SCAN)?;
                    Ok(())
                })?);
                online.add(tightened(&mut conn, db.url(), false, sample_locks)?);
                plain.add(tightened(&mut conn, db.url(), true, sample_locks)?);
            }
        }
        for tally in [&alone, &control, &online, &plain] {
            widest_gap = widest_gap.max(tally.lock_wait.widest_gap);
            table.row(tally.row(rows));
        }
    }
    table.print();
    println!(
        "Longest insert: as the writing session timed it, the median of each run's longest and \
         the worst. Longest lock wait: the writer's wait for a lock (`pg_locks.waitstart`) in \
         separate passes, the longest seen by sampling about every ms and the most it can have \
         lasted (worst of the runs; widest gap between samples {}).\n",
        ms1(widest_gap)
    );
    Ok(())
}

/// Runs `work` while the writer inserts; times the inserts that overlapped
/// `work` itself, or samples the writer's lock waits.
fn while_writing(
    url: &str,
    sample_locks: bool,
    work: impl FnOnce() -> Result<()>,
) -> Result<Measured> {
    if sample_locks {
        let (lock_wait, _) = writing(url, INSERT, |writer| {
            let spell = Spell::LockWait {
                pid: writer.to_owned(),
            };
            Ok(watching(url, &spell, work)?.1)
        })?;
        return Ok(Measured::LockWait(lock_wait));
    }
    let ((from, to), writes) = writing(url, INSERT, |_| {
        let from = Instant::now();
        work()?;
        Ok((from, Instant::now()))
    })?;
    Ok(Measured::Latency {
        time: to - from,
        inserts: writes.during(from, to),
    })
}

/// Tightens `people.name` while the writer inserts; checks it is NOT NULL
/// after, then makes it nullable again for the next run.
fn tightened(
    conn: &mut AnyConnection,
    url: &str,
    single_transaction: bool,
    sample_locks: bool,
) -> Result<Measured> {
    let measured = while_writing(url, sample_locks, || {
        Runner::new(conn, tighten::MIGRATIONS)
            .single_transaction(single_transaction)
            .upgrade("head")?;
        Ok(())
    })?;
    let nullable = value(conn, NULLABLE)?;
    if nullable != "NO" {
        return Err(format!("people.name is still nullable ({nullable})").into());
    }
    Runner::new(conn, tighten::MIGRATIONS).downgrade("-1")?;
    settle(conn)?;
    Ok(measured)
}
