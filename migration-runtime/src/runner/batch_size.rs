//! How many rows the next batch of a batched backfill takes.
//!
//! `.batched(n)` caps a batch at `n` rows. Within that cap the runner sizes
//! each batch from how long the last one took, so that a transaction lasts
//! about the batch time whatever the table's rows cost: a short transaction
//! holds its row locks briefly and a stall of the server shows in one batch,
//! not in every one.

use std::time::Duration;

/// The first batch's size when batches are timed: small, since nothing is
/// known yet of what a row costs.
const FIRST: u32 = 100;

/// The sizes of one backfill's batches.
#[derive(Clone, Debug)]
pub(super) struct BatchSize {
    most: u32,
    time: Option<Duration>,
    next: u32,
}

impl BatchSize {
    /// Batches of at most `most` rows, each sized to take about `time`;
    /// with no time, every batch takes `most` rows.
    pub(super) fn new(most: u32, time: Option<Duration>) -> Self {
        let most = most.max(1);
        let next = match time {
            Some(_) => most.min(FIRST),
            None => most,
        };
        BatchSize { most, time, next }
    }

    /// The next batch's size.
    pub(super) fn next(&self) -> u32 {
        self.next
    }

    /// Learns from a batch of `rows` that took `took`: the next one is sized
    /// to take the batch time at the same rate, growing at most twofold (one
    /// quick batch proves little) and shrinking at once after a slow one.
    pub(super) fn record(&mut self, rows: u32, took: Duration) {
        let Some(time) = self.time else {
            return;
        };
        let rows = rows.max(1);
        let grown = rows.saturating_mul(2);
        let fitting = if took.is_zero() {
            grown
        } else {
            let fitting = f64::from(rows) * time.as_secs_f64() / took.as_secs_f64();
            // Saturates at `u32::MAX`; the minimum below caps it anyway.
            fitting as u32
        };
        self.next = fitting.min(grown).min(self.most).max(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: Duration = Duration::from_millis(1);

    #[test]
    fn without_a_time_every_batch_takes_the_cap() {
        let mut size = BatchSize::new(5_000, None);
        assert_eq!(size.next(), 5_000);
        size.record(5_000, 400 * MS);
        assert_eq!(size.next(), 5_000);
    }

    #[test]
    fn timed_batches_start_small_and_double_while_quick() {
        let mut size = BatchSize::new(50_000, Some(20 * MS));
        assert_eq!(size.next(), 100);
        size.record(100, MS);
        assert_eq!(size.next(), 200);
        size.record(200, 2 * MS);
        assert_eq!(size.next(), 400);
    }

    #[test]
    fn timed_batches_settle_where_a_batch_takes_the_time() {
        // One millisecond a batch plus 3 µs a row: 20 ms is 6,333 rows.
        let cost = |rows: u32| MS + Duration::from_micros(3) * rows;
        let mut size = BatchSize::new(50_000, Some(20 * MS));
        for _ in 0..30 {
            let rows = size.next();
            size.record(rows, cost(rows));
        }
        let settled = size.next();
        assert!((6_200..=6_334).contains(&settled), "settled at {settled}");
        assert!(cost(settled) <= 20 * MS);
    }

    #[test]
    fn a_slow_batch_shrinks_the_next_at_once() {
        let mut size = BatchSize::new(50_000, Some(20 * MS));
        size.record(6_000, 80 * MS);
        assert_eq!(size.next(), 1_500);
    }

    #[test]
    fn timed_batches_never_pass_the_cap_nor_drop_to_zero() {
        let mut size = BatchSize::new(300, Some(20 * MS));
        size.record(300, Duration::ZERO);
        assert_eq!(size.next(), 300);
        size.record(300, Duration::from_secs(60));
        assert_eq!(size.next(), 1);
        assert_eq!(BatchSize::new(0, None).next(), 1);
    }
}
