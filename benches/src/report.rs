//! The figures as Markdown tables, ready for the README.

use std::time::Duration;

/// One Markdown table: a title line, a header, and rows.
pub struct Table {
    title: String,
    headers: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// A table whose first column is headed `title`, then `headers`.
    pub fn new(title: &str, headers: &[&str]) -> Table {
        Table {
            title: title.to_owned(),
            headers: headers.iter().map(|h| (*h).to_owned()).collect(),
            rows: Vec::new(),
        }
    }

    /// A row of cells, the first naming it.
    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    /// A row: what ran, the SQL it runs, its time, its ratio to `base`, and
    /// the target ratio (empty for none).
    pub fn timed_row(
        &mut self,
        name: &str,
        sql: &str,
        time: Duration,
        base: Duration,
        target: &str,
    ) {
        self.row(vec![
            name.to_owned(),
            sql.to_owned(),
            ms(time),
            times(time, base),
            verdict(time, base, target),
        ]);
    }

    /// A row: what ran, its time, its ratio to `base`, and the target
    /// ratio (empty for none).
    pub fn ratio_row(&mut self, name: &str, time: Duration, base: Duration, target: &str) {
        self.row(vec![
            name.to_owned(),
            ms(time),
            times(time, base),
            verdict(time, base, target),
        ]);
    }

    /// Prints the table on standard output, followed by a blank line.
    pub fn print(&self) {
        let line = |cells: Vec<&str>| println!("| {} |", cells.join(" | "));
        let mut header = vec![self.title.as_str()];
        header.extend(self.headers.iter().map(String::as_str));
        line(header);
        let mut rule = vec!["---"];
        rule.extend(self.headers.iter().map(|_| "---:"));
        line(rule);
        for row in &self.rows {
            line(row.iter().map(String::as_str).collect());
        }
        println!();
    }
}

/// A duration in whole milliseconds.
pub fn ms(time: Duration) -> String {
    format!("{} ms", time.as_millis())
}

/// A duration in milliseconds with one decimal, for short ones.
pub fn ms1(time: Duration) -> String {
    format!("{:.1} ms", time.as_secs_f64() * 1000.0)
}

/// `time` as a multiple of `base`.
pub fn times(time: Duration, base: Duration) -> String {
    format!("{:.2}x", ratio(time, base))
}

fn ratio(time: Duration, base: Duration) -> f64 {
    time.as_secs_f64() / base.as_secs_f64().max(f64::MIN_POSITIVE)
}

/// `target` (a ratio such as `1.10x`) and whether `time` meets it against
/// `base`; empty without a target.
pub fn verdict(time: Duration, base: Duration, target: &str) -> String {
    let Some(limit) = target.strip_suffix('x').and_then(|t| t.parse::<f64>().ok()) else {
        return target.to_owned();
    };
    // Judged on the ratio as printed.
    let met = (ratio(time, base) * 100.0).round() / 100.0 <= limit;
    format!("≤ {target}: {}", if met { "met" } else { "not met" })
}

/// Whether `value` is under `limit`, said with the limit.
pub fn under(value: Duration, limit: Duration) -> String {
    let met = value < limit;
    format!("< {}: {}", ms(limit), if met { "met" } else { "not met" })
}

/// `n` with thousands separated by commas.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{thousands, verdict};
    use std::time::Duration;

    #[test]
    fn thousands_are_separated_by_commas() {
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000), "1,000");
        assert_eq!(thousands(4_000_000), "4,000,000");
    }

    #[test]
    fn a_target_is_judged_on_the_ratio_as_printed() {
        let ms = Duration::from_millis;
        assert_eq!(verdict(ms(1104), ms(1000), "1.10x"), "≤ 1.10x: met");
        assert_eq!(verdict(ms(1106), ms(1000), "1.10x"), "≤ 1.10x: not met");
        assert_eq!(verdict(ms(1106), ms(1000), ""), "");
    }
}
