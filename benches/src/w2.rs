//! W2: a text column backfilled over a million rows with
//! `concat(first_name, ' ', last_name)`, by the runner in batches of a few
//! fixed sizes, in batches sized to a batch time, and by one `UPDATE`, with
//! the longest transaction of each.

use std::time::{Duration, Instant};

use migration_runtime::runner::DEFAULT_BATCH_TIME;
use migration_runtime::{AnyConnection, Backend, Direction, MigrationSet, Runner};

use crate::Result;
use crate::database::{backend_pid, filled, median, value};
use crate::histories::{backfill_by_1k, backfill_by_5k, backfill_by_10k, backfill_by_50k};
use crate::report::{Table, ms, ms1, thousands, times, under, verdict};
use crate::sampler::{Longest, Spell, watching};

/// The people W2 starts from, `ROWS` of them.
pub const PEOPLE: &str = "INSERT INTO people (first_name, last_name) \
    SELECT 'First' || n, 'Last ' || n FROM generate_series(1, ROWS) AS n";

/// The backfill's migration, the same in every set.
pub const BACKFILL: &str = "2024_12_02_000001";

/// The rows the backfill missed or got wrong.
pub const WRONG: &str = "SELECT CAST(count(*) AS TEXT) AS v FROM people \
    WHERE full_name IS NULL OR full_name <> first_name || ' ' || last_name";

/// The longest a backfill's transaction may last (the target).
const LONGEST_TARGET: Duration = Duration::from_millis(50);

/// One way of running the backfill.
struct Contender {
    name: String,
    sql: String,
    set: MigrationSet,
    /// `None`: the migration's SQL as one transaction on a plain connection.
    batch: Option<u32>,
    /// The runner's batch time (zero: every batch `batch` rows).
    batch_time: Duration,
    times: Vec<Duration>,
    longest: Longest,
}

impl Contender {
    fn new(
        name: String,
        sql: &str,
        set: MigrationSet,
        batch: Option<u32>,
        batch_time: Duration,
    ) -> Contender {
        Contender {
            name,
            sql: sql.to_owned(),
            set,
            batch,
            batch_time,
            times: Vec::new(),
            longest: Longest::default(),
        }
    }

    /// Fills a fresh database, runs the backfill while watching its
    /// transactions, and checks every row got its full name.
    fn measure(&mut self, rows: u64) -> Result<()> {
        let db = filled(self.set, PEOPLE, rows)?;
        let mut conn = AnyConnection::establish(db.url())?;
        let spell = Spell::Transaction {
            pid: backend_pid(&mut conn)?,
        };
        let one_transaction = match self.batch {
            None => Some(format!(
                "BEGIN;\n{};\nCOMMIT",
                self.set
                    .render(BACKFILL, Direction::Up, Backend::Postgres)?
                    .join(";\n")
            )),
            Some(_) => None,
        };
        let (time, longest) = watching(db.url(), &spell, || {
            let started = Instant::now();
            match &one_transaction {
                Some(sql) => conn.batch_execute(sql)?,
                None => {
                    Runner::new(&mut conn, self.set)
                        .batch_time(self.batch_time)
                        .upgrade("head")?;
                }
            }
            Ok(started.elapsed())
        })?;
        let wrong = value(&mut conn, WRONG)?;
        if wrong != "0" {
            return Err(format!("{}: {wrong} rows lack their full name", self.name).into());
        }
        self.times.push(time);
        self.longest.merge(longest);
        Ok(())
    }
}

/// Measures W2 on `rows` rows, `runs` times each (the contenders taking
/// turns, so that a busy moment of the machine hits them alike), and prints
/// its table: batches of fixed sizes, then `.batched(50,000)` sized to each
/// of `batch_times`.
pub fn backfill(rows: u64, runs: usize, batch_times: &[Duration]) -> Result<()> {
    let fixed = |size: u32, set: MigrationSet| {
        Contender::new(
            format!(
                "runner `--batch-time-ms 0`, `.batched({})`",
                thousands(u64::from(size))
            ),
            &format!(
                "{} batches of {} rows: `UPDATE .. WHERE id > $last AND id <= $upto`, each committed with its progress",
                thousands(rows.div_ceil(u64::from(size))),
                thousands(u64::from(size)),
            ),
            set,
            Some(size),
            Duration::ZERO,
        )
    };
    let timed = |time: Duration| {
        let default = time == DEFAULT_BATCH_TIME;
        Contender::new(
            format!(
                "runner{} `--batch-time-ms {}`, `.batched(50,000)`",
                if default { " (default)" } else { "" },
                time.as_millis()
            ),
            &format!(
                "batches sized to take {} ms each (up to 50,000 rows)",
                time.as_millis()
            ),
            backfill_by_50k::MIGRATIONS,
            Some(50_000),
            time,
        )
    };
    let mut contenders = vec![
        Contender::new(
            "one `UPDATE` on a plain connection".to_owned(),
            "`ADD COLUMN`, then `UPDATE people SET full_name = CONCAT(..) WHERE full_name IS NULL`, one transaction",
            backfill_by_10k::MIGRATIONS,
            None,
            Duration::ZERO,
        ),
        fixed(1_000, backfill_by_1k::MIGRATIONS),
        fixed(5_000, backfill_by_5k::MIGRATIONS),
        fixed(10_000, backfill_by_10k::MIGRATIONS),
        fixed(50_000, backfill_by_50k::MIGRATIONS),
    ];
    contenders.extend(batch_times.iter().copied().map(timed));
    for _ in 0..runs {
        for contender in &mut contenders {
            contender.measure(rows)?;
        }
    }
    let base = median(contenders[0].times.clone());
    let mut table = Table::new(
        &format!("W2: backfill {} rows (median of {runs})", thousands(rows)),
        &[
            "SQL it runs",
            "time",
            "vs one `UPDATE`",
            "longest transaction",
            "transactions over 50 ms",
            "target",
        ],
    );
    let mut widest_gap = Duration::ZERO;
    for contender in &contenders {
        let time = median(contender.times.clone());
        let longest = &contender.longest;
        widest_gap = widest_gap.max(longest.widest_gap);
        let target = match contender.batch {
            None => String::new(),
            Some(_) => format!(
                "{}; {}",
                verdict(time, base, "1.10x"),
                under(longest.at_most, LONGEST_TARGET)
            ),
        };
        table.row(vec![
            contender.name.clone(),
            contender.sql.clone(),
            ms(time),
            times(time, base),
            format!("{}–{}", ms1(longest.seen), ms1(longest.at_most)),
            format!(
                "{} of {}",
                longest.over(LONGEST_TARGET),
                longest.spells.len()
            ),
            target,
        ]);
    }
    table.print();
    println!(
        "Longest transaction: the longest seen by sampling `pg_stat_activity` from a second \
         connection, and the most it can have lasted (worst of {runs} runs; transactions over \
         50 ms: those that can have lasted longer, of all seen in the {runs} runs; widest gap between \
         samples {}).\n",
        ms1(widest_gap)
    );
    Ok(())
}
