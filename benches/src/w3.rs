//! W3: NOT NULL tightened on a large table while another session inserts a
//! row every millisecond, in the runner's online form and in the plain
//! `SET NOT NULL` (`--single-transaction`), with the longest insert and the
//! longest wait for a lock of each; beside them, a plain scan of the same
//! table shows what the machine's own contention does to the inserts.

use std::time::{Duration, Instant};

use migration_runtime::{AnyConnection, Runner};

use crate::Result;
use crate::database::{filled, settle, value};
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

/// What one form did to the writer.
struct Measured {
    time: Duration,
    inserts: Inserts,
    lock_wait: Longest,
}

/// Measures W3 at each size and prints its table.
pub fn tighten(sizes: &[u64]) -> Result<()> {
    let mut table = Table::new(
        "W3: tighten NOT NULL, a row inserted every ms",
        &[
            "rows",
            "SQL it runs",
            "time",
            "longest insert",
            "longest lock wait",
            "inserts over 2 ms",
            "inserts meanwhile",
            "target",
        ],
    );
    let mut widest_gap = Duration::ZERO;
    for &rows in sizes {
        let db = filled(tighten::MIGRATIONS, PEOPLE, rows)?;
        let mut conn = AnyConnection::establish(db.url())?;
        // One process, as `VALIDATE` scans.
        conn.batch_execute("SET max_parallel_workers_per_gather = 0")?;
        let control = while_writing(db.url(), || {
            value(&mut conn, SCAN)?;
            Ok(())
        })?;
        let mut rows_of = |name: &str, sql: &str, measured: &Measured, target: bool| {
            widest_gap = widest_gap.max(measured.lock_wait.widest_gap);
            let longest = measured.inserts.longest();
            table.row(vec![
                name.to_owned(),
                thousands(rows),
                sql.to_owned(),
                ms(measured.time),
                ms1(longest),
                format!(
                    "{}–{}",
                    ms1(measured.lock_wait.seen),
                    ms1(measured.lock_wait.at_most)
                ),
                measured.inserts.over(LONGEST_TARGET).to_string(),
                measured.inserts.latencies.len().to_string(),
                if target {
                    under(longest, LONGEST_TARGET)
                } else {
                    String::new()
                },
            ]);
        };
        rows_of(
            "control: a scan of the same table",
            "`SELECT count(*) .. WHERE name IS NULL`, no parallel workers",
            &control,
            false,
        );
        for single_transaction in [false, true] {
            let measured = tightened(&mut conn, db.url(), single_transaction)?;
            if single_transaction {
                rows_of(
                    "runner `--single-transaction`",
                    "`SET NOT NULL` (scans under `ACCESS EXCLUSIVE`)",
                    &measured,
                    false,
                );
            } else {
                rows_of(
                    "runner (default)",
                    "`CHECK .. NOT VALID`; `VALIDATE`; `SET NOT NULL` (no scan), `DROP CONSTRAINT`",
                    &measured,
                    true,
                );
            }
            // Back to nullable, for the other form on the same rows.
            Runner::new(&mut conn, tighten::MIGRATIONS).downgrade("-1")?;
            settle(&mut conn)?;
        }
    }
    table.print();
    println!(
        "Longest insert: as the writing session timed it. Longest lock wait: the writer's wait \
         for a lock (`pg_locks.waitstart`), the longest seen by sampling about every ms and the \
         most it can have lasted (widest gap between samples {}).\n",
        ms1(widest_gap)
    );
    Ok(())
}

/// Runs `work` while the writer inserts and its lock waits are sampled.
fn while_writing(url: &str, work: impl FnOnce() -> Result<()>) -> Result<Measured> {
    let ((time, lock_wait), inserts) = writing(url, INSERT, |writer| {
        let spell = Spell::LockWait {
            pid: writer.to_owned(),
        };
        watching(url, &spell, || {
            let started = Instant::now();
            work()?;
            Ok(started.elapsed())
        })
    })?;
    Ok(Measured {
        time,
        inserts,
        lock_wait,
    })
}

/// Tightens `people.name` while the writer inserts; checks it is NOT NULL
/// after.
fn tightened(conn: &mut AnyConnection, url: &str, single_transaction: bool) -> Result<Measured> {
    let measured = while_writing(url, || {
        Runner::new(conn, tighten::MIGRATIONS)
            .single_transaction(single_transaction)
            .upgrade("head")?;
        Ok(())
    })?;
    let nullable = value(conn, NULLABLE)?;
    if nullable != "NO" {
        return Err(format!("people.name is still nullable ({nullable})").into());
    }
    Ok(measured)
}
