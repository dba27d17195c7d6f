//! Peak resident memory of a batched backfill at several table sizes, each
//! run in a child process (this binary, re-run with `backfill-child`) so
//! that one process's peak holds one backfill only.

use std::process::Command;

use migration_runtime::{AnyConnection, Runner};

use crate::Result;
use crate::database::{filled, value};
use crate::histories::backfill_by_10k;
use crate::report::{Table, thousands};
use crate::w2::{PEOPLE, WRONG};

/// Measures the peak resident memory at each size and prints its table.
pub fn memory(sizes: &[u64]) -> Result<()> {
    let mut table = Table::new(
        "Memory: peak resident memory (`VmHWM`) of a batched backfill",
        &["rows", "after connecting", "after the backfill"],
    );
    for &rows in sizes {
        let db = filled(backfill_by_10k::MIGRATIONS, PEOPLE, rows)?;
        let output = Command::new(std::env::current_exe()?)
            .args(["backfill-child", db.url()])
            .output()?;
        if !output.status.success() {
            return Err(format!(
                "the backfill child failed: {}",
                String::from_utf8_lossy(&output.stderr)
            )
            .into());
        }
        let stdout = String::from_utf8(output.stdout)?;
        let (before, after) = stdout
            .trim()
            .split_once(' ')
            .ok_or_else(|| format!("unexpected output from the backfill child: `{stdout}`"))?;
        let wrong = value(&mut AnyConnection::establish(db.url())?, WRONG)?;
        if wrong != "0" {
            return Err(format!("{wrong} rows lack their full name after the child ran").into());
        }
        table.row(vec![
            "runner, `.batched(10,000)`, in a process of its own".to_owned(),
            thousands(rows),
            mib(before.parse()?),
            mib(after.parse()?),
        ]);
    }
    table.print();
    Ok(())
}

/// In the child: connects, runs the backfill, and prints the peak resident
/// memory (kB) after connecting and at the end.
pub fn child(url: &str) -> Result<()> {
    let mut conn = AnyConnection::establish(url)?;
    let before = peak_kb()?;
    Runner::new(&mut conn, backfill_by_10k::MIGRATIONS).upgrade("head")?;
    let after = peak_kb()?;
    println!("{before} {after}");
    Ok(())
}

/// This process's peak resident memory so far (`VmHWM`), in kB.
fn peak_kb() -> Result<u64> {
    let status = std::fs::read_to_string("/proc/self/status")?;
    let line = status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .ok_or("no VmHWM in /proc/self/status (Linux only)")?;
    Ok(line.trim().trim_end_matches("kB").trim().parse()?)
}

fn mib(kb: u64) -> String {
    format!("{:.1} MiB", kb as f64 / 1024.0)
}
