//! An application writing while a migration runs: a second session inserts
//! a row every millisecond and records how long each insert took. An
//! insert that waits for a migration's lock takes as long as it waits.

use std::sync::Barrier;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use migration_runtime::AnyConnection;

use crate::Result;

/// How long the writer runs before and after the work, so that it is
/// writing throughout.
const MARGIN: Duration = Duration::from_millis(200);

/// Every insert: when it started and how long it took.
pub struct Writes {
    timed: Vec<(Instant, Duration)>,
}

impl Writes {
    /// The inserts that overlapped the time from `from` to `to`.
    pub fn during(&self, from: Instant, to: Instant) -> Inserts {
        Inserts {
            latencies: self
                .timed
                .iter()
                .filter(|(start, latency)| *start < to && *start + *latency > from)
                .map(|(_, latency)| *latency)
                .collect(),
        }
    }
}

/// The inserts that overlapped some work.
#[derive(Debug, Default)]
pub struct Inserts {
    /// How long each took.
    pub latencies: Vec<Duration>,
}

impl Inserts {
    /// The longest insert.
    pub fn longest(&self) -> Duration {
        self.latencies.iter().copied().max().unwrap_or_default()
    }

    /// How many took longer than `limit`.
    pub fn over(&self, limit: Duration) -> usize {
        self.latencies.iter().filter(|l| **l > limit).count()
    }
}

/// Runs `work` while another session runs `insert` on the database at `url`
/// every millisecond, from a little before `work` to a little after;
/// `work` is given that session's server process id. Returns what `work`
/// returned and every insert (see [`Writes::during`]). An insert that falls behind is not made up for: the next
/// one starts a millisecond after it, as an application's requests would
/// not all arrive at once.
pub fn writing<T: Send>(
    url: &str,
    insert: &str,
    work: impl FnOnce(&str) -> Result<T>,
) -> Result<(T, Writes)> {
    let mut writer = AnyConnection::establish(url)?;
    let pid = crate::database::backend_pid(&mut writer)?;
    let done = AtomicBool::new(false);
    let started = Barrier::new(2);
    std::thread::scope(|scope| {
        let inserts = scope.spawn(|| -> Result<Vec<(Instant, Duration)>> {
            let mut timed = Vec::new();
            let mut next = Instant::now();
            started.wait();
            while !done.load(Ordering::SeqCst) {
                let now = Instant::now();
                if now < next {
                    std::thread::sleep(next - now);
                }
                let start = Instant::now();
                writer.batch_execute(insert)?;
                timed.push((start, start.elapsed()));
                next = (start + Duration::from_millis(1)).max(Instant::now());
            }
            Ok(timed)
        });
        started.wait();
        std::thread::sleep(MARGIN);
        let result = work(&pid);
        std::thread::sleep(MARGIN);
        done.store(true, Ordering::SeqCst);
        let timed = inserts.join().map_err(|_| "the writer thread panicked")??;
        Ok((result?, Writes { timed }))
    })
}
