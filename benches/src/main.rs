//! Benchmarks on PostgreSQL, each side by side with what it is measured
//! against, printed as Markdown tables:
//!
//! - W1: a generated 200-migration history applied by the runner, by
//!   diesel's harness and by `psql -1` running the same SQL; the round trip
//!   (up, down, up).
//! - W2: a backfill over a million rows, batched by the runner and as one
//!   `UPDATE`, with the longest transaction of each.
//! - W3: NOT NULL tightened on large tables while another session inserts a
//!   row every millisecond, with the longest insert.
//! - Memory: the peak resident memory of a batched backfill at two sizes.
//!
//! `TEST_DATABASE_URL=postgres://user:pass@localhost/postgres cargo run --release -p migration-bench`

mod database;
mod histories;
mod memory;
mod report;
mod sampler;
mod w1;
mod w2;
mod w3;
mod writer;

use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

/// Benchmark the runner against psql, diesel's harness and plain SQL.
#[derive(Parser)]
struct Args {
    #[command(subcommand)]
    child: Option<Child>,
    /// The workloads to run (all by default), e.g. `--only w2,w3`.
    #[arg(long, value_enum, value_delimiter = ',')]
    only: Vec<Workload>,
    /// Runs per W1 and round-trip measurement; the median is reported.
    #[arg(long, default_value_t = 5)]
    runs: usize,
    /// Runs per W2 measurement; the median time and the worst transaction
    /// are reported.
    #[arg(long, default_value_t = 3)]
    backfill_runs: usize,
    /// The batch times of W2's timed contenders (milliseconds), beside its
    /// fixed batch sizes.
    #[arg(long, value_delimiter = ',', default_values_t = [20])]
    batch_times_ms: Vec<u64>,
    /// Rows of the W2 backfill.
    #[arg(long, default_value_t = 1_000_000)]
    rows: u64,
    /// Runs per W3 measurement, the forms taking turns on the same rows.
    #[arg(long, default_value_t = 3)]
    tighten_runs: usize,
    /// Table sizes of W3.
    #[arg(long, value_delimiter = ',', default_values_t = [1_000_000, 4_000_000])]
    tighten_rows: Vec<u64>,
    /// Table sizes of the memory workload.
    #[arg(long, value_delimiter = ',', default_values_t = [250_000, 1_000_000])]
    memory_rows: Vec<u64>,
}

/// The workloads.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Workload {
    /// W1: apply the 200-migration history.
    W1,
    /// The round trip (up, down, up) of the history.
    Trip,
    /// `testing::check_round_trip` over the history (slow).
    Check,
    /// W2: the batched backfill against one `UPDATE`.
    W2,
    /// W3: tighten NOT NULL while another session inserts.
    W3,
    /// Peak resident memory of a batched backfill.
    Memory,
}

/// What the benchmark runs in a child process.
#[derive(Subcommand)]
enum Child {
    /// Runs the memory workload's backfill on the prepared database at URL
    /// and prints the peak resident memory (kB) after connecting and at the
    /// end.
    #[command(hide = true)]
    BackfillChild {
        /// The prepared database.
        url: String,
    },
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
    if let Some(Child::BackfillChild { url }) = &args.child {
        return memory::child(url);
    }
    let wanted = |workload| args.only.is_empty() || args.only.contains(&workload);
    if wanted(Workload::W1) {
        w1::apply(args.runs)?;
    }
    if wanted(Workload::Trip) || wanted(Workload::Check) {
        w1::round_trip(args.runs, wanted(Workload::Trip), wanted(Workload::Check))?;
    }
    if wanted(Workload::W2) {
        let batch_times: Vec<_> = args
            .batch_times_ms
            .iter()
            .map(|ms| std::time::Duration::from_millis(*ms))
            .collect();
        w2::backfill(args.rows, args.backfill_runs, &batch_times)?;
    }
    if wanted(Workload::W3) {
        w3::tighten(&args.tighten_rows, args.tighten_runs)?;
    }
    if wanted(Workload::Memory) {
        memory::memory(&args.memory_rows)?;
    }
    Ok(())
}
