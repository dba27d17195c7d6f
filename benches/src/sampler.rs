//! The longest spell of something one server process does while some work
//! goes on (a transaction, a wait for a lock), seen from a second
//! connection that samples the server's views about every millisecond.
//!
//! Sampling from the server's side measures what other sessions live with
//! (a transaction holds its locks and its snapshot from `BEGIN` to
//! `COMMIT`, round trips included) without instrumenting the runner. Each
//! spell is known by its start (`xact_start`, `pg_locks.waitstart`): its
//! length is at least the age it had when last seen, and at most the age it
//! would have had at the first sample that no longer saw it. A spell that
//! starts and ends between two samples is shorter than the widest gap
//! between samples, which is reported too.

use std::sync::Barrier;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use migration_runtime::AnyConnection;

use crate::Result;

/// What the samples saw of the spells, the longest first of all.
#[derive(Clone, Debug, Default)]
pub struct Longest {
    /// The greatest age a spell was seen at: a lower bound.
    pub seen: Duration,
    /// The greatest age a spell could have reached before a sample found it
    /// over: an upper bound.
    pub at_most: Duration,
    /// The widest gap between two samples.
    pub widest_gap: Duration,
    /// The most each spell seen can have lasted, in the order they ended.
    pub spells: Vec<Duration>,
}

impl Longest {
    /// Adds another measurement's spells: the worst of both.
    pub fn merge(&mut self, other: Longest) {
        self.seen = self.seen.max(other.seen);
        self.at_most = self.at_most.max(other.at_most);
        self.widest_gap = self.widest_gap.max(other.widest_gap);
        self.spells.extend(other.spells);
    }

    /// How many spells seen can have lasted longer than `limit`.
    pub fn over(&self, limit: Duration) -> usize {
        self.spells.iter().filter(|s| **s > limit).count()
    }
}

/// What to sample: a query giving the start of the current spell.
pub enum Spell {
    /// The transaction server process `pid` is in.
    Transaction { pid: String },
    /// The lock server process `pid` is waiting for.
    LockWait { pid: String },
}

impl Spell {
    /// The server's clock and the spell's start, in microseconds since the
    /// epoch, as `now start` (`-` for no spell).
    fn query(&self) -> String {
        let micros =
            |t: &str| format!("CAST(CAST(extract(epoch FROM {t}) * 1000000 AS bigint) AS TEXT)");
        let start = match self {
            Spell::Transaction { pid } => {
                format!("(SELECT xact_start FROM pg_stat_activity WHERE pid = {pid})")
            }
            Spell::LockWait { pid } => {
                format!("(SELECT min(waitstart) FROM pg_locks WHERE pid = {pid} AND NOT granted)")
            }
        };
        format!(
            "SELECT {} || ' ' || coalesce({}, '-') AS v",
            micros("clock_timestamp()"),
            micros(&start)
        )
    }
}

/// Runs `work` while sampling `spell` on the database at `url`; returns
/// what `work` returned and the longest spell seen.
pub fn watching<T: Send>(
    url: &str,
    spell: &Spell,
    work: impl FnOnce() -> Result<T>,
) -> Result<(T, Longest)> {
    let mut watcher = AnyConnection::establish(url)?;
    let query = spell.query();
    let done = AtomicBool::new(false);
    let started = Barrier::new(2);
    std::thread::scope(|scope| {
        let sampler = scope.spawn(|| -> Result<Longest> {
            let mut samples = Samples::default();
            let mut first = true;
            loop {
                // Read `done` before sampling, so the last sample comes
                // after the work ended.
                let last = done.load(Ordering::SeqCst);
                let sample = sample(&mut watcher, &query);
                if first {
                    started.wait();
                    first = false;
                }
                let (now, start) = sample?;
                samples.add(now, start);
                if last {
                    return Ok(samples.longest);
                }
                std::thread::sleep(Duration::from_millis(1));
            }
        });
        started.wait();
        let result = work();
        done.store(true, Ordering::SeqCst);
        let longest = sampler.join().map_err(|_| "the sampler thread panicked")?;
        Ok((result?, longest?))
    })
}

/// The server's clock and the start of the current spell (none when there
/// is none), both in microseconds since the epoch.
fn sample(conn: &mut AnyConnection, query: &str) -> Result<(i64, Option<i64>)> {
    let row = crate::database::value(conn, query)?;
    let (now, start) = row
        .split_once(' ')
        .ok_or_else(|| format!("unexpected sample `{row}`"))?;
    let start = match start {
        "-" => None,
        start => Some(start.parse()?),
    };
    Ok((now.parse()?, start))
}

/// The samples so far.
#[derive(Default)]
struct Samples {
    /// The start of the spell seen at the last sample.
    current: Option<i64>,
    /// The time of the last sample.
    last: Option<i64>,
    longest: Longest,
}

impl Samples {
    fn add(&mut self, now: i64, start: Option<i64>) {
        let micros = |us: i64| Duration::from_micros(u64::try_from(us).unwrap_or(0));
        if let Some(last) = self.last {
            self.longest.widest_gap = self.longest.widest_gap.max(micros(now - last));
        }
        if let Some(current) = self.current.filter(|c| Some(*c) != start) {
            let at_most = micros(now - current);
            self.longest.at_most = self.longest.at_most.max(at_most);
            self.longest.spells.push(at_most);
        }
        if let Some(start) = start {
            self.longest.seen = self.longest.seen.max(micros(now - start));
        }
        self.current = start;
        self.last = Some(now);
    }
}

#[cfg(test)]
mod tests {
    use super::Samples;
    use std::time::Duration;

    #[test]
    fn a_spell_lasts_from_its_last_age_seen_to_the_sample_that_found_it_over() {
        let mut samples = Samples::default();
        samples.add(1_000, None);
        samples.add(2_000, Some(1_500));
        samples.add(3_000, Some(1_500));
        samples.add(4_000, None);
        samples.add(4_100, Some(4_050));
        samples.add(9_000, None);
        let longest = samples.longest;
        assert_eq!(longest.spells.len(), 2);
        assert_eq!(longest.over(Duration::from_micros(3_000)), 1);
        assert_eq!(longest.seen, Duration::from_micros(1_500));
        // The second spell was seen young, but the sample that found it
        // over came late: it may have lasted 4,950 µs.
        assert_eq!(longest.at_most, Duration::from_micros(4_950));
        assert_eq!(longest.widest_gap, Duration::from_micros(4_900));
    }

    #[test]
    fn spells_back_to_back_are_told_apart_by_their_start() {
        let mut samples = Samples::default();
        samples.add(1_000, Some(0));
        samples.add(2_000, Some(1_800));
        samples.add(2_100, None);
        let longest = samples.longest;
        assert_eq!(longest.seen, Duration::from_micros(1_000));
        assert_eq!(longest.at_most, Duration::from_micros(2_000));
    }
}
