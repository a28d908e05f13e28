//! CPU time per mode, as percentages (`cpu.<mode>.percentage`), from the
//! aggregate `cpu` line of /proc/stat, as Mackerel computes them: each mode's
//! share of the total time between two samples, times the number of CPUs
//! (so the modes add up to `ncpu x 100`); `user` without `guest` (which the
//! kernel counts in both); the total without guest and guest_nice.

use crate::counter::{Dropped, clamp, delta};
use crate::{Metric, ReadError, Roots};

/// The modes, in /proc/stat's column order, by their metric names.
pub const MODES: [&str; 10] = [
    "user",
    "nice",
    "system",
    "idle",
    "iowait",
    "irq",
    "softirq",
    "steal",
    "guest",
    "guest_nice",
];

/// One reading of /proc/stat's `cpu` line (clock ticks per mode; modes an
/// old kernel lacks are absent) and the number of CPUs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CpuTimes {
    pub ticks: Vec<u64>,
    pub ncpu: u32,
}

/// Reads /proc/stat's aggregate line and counts the `cpuN` lines.
pub fn parse_stat(text: &str) -> Result<CpuTimes, ReadError> {
    let mut ticks = None;
    let mut ncpu = 0;
    for (i, line) in text.lines().enumerate() {
        let mut f = line.split_ascii_whitespace();
        match f.next() {
            Some("cpu") => {
                let v: Result<Vec<u64>, _> = f.map(str::parse::<u64>).collect();
                ticks = Some(v.map_err(|e| ReadError::Parse {
                    path: "stat".into(),
                    line: i + 1,
                    what: format!("a cpu time is not a number ({e})"),
                })?);
            }
            Some(name) if name.starts_with("cpu") => ncpu += 1,
            _ => {}
        }
    }
    match ticks {
        Some(ticks) if ticks.len() >= 4 => Ok(CpuTimes {
            ticks,
            ncpu: ncpu.max(1),
        }),
        _ => Err(ReadError::Parse {
            path: "stat".into(),
            line: 1,
            what: "no aggregate cpu line with at least four modes".into(),
        }),
    }
}

/// Turns successive readings into percentages.
#[derive(Debug, Default)]
pub struct CpuUsage {
    prev: Option<CpuTimes>,
    /// Samples dropped because a mode's counter went backwards.
    pub dropped: Dropped,
}

impl CpuUsage {
    /// Reads /proc/stat and returns the percentages since the last reading
    /// (none at the first, none when a counter went backwards).
    pub fn collect(&mut self, roots: &Roots) -> Result<Vec<Metric>, ReadError> {
        let text = roots.read_proc("stat")?;
        Ok(self.sample(parse_stat(&text)?))
    }

    /// The percentages between the previous reading and `cur`.
    pub fn sample(&mut self, cur: CpuTimes) -> Vec<Metric> {
        let Some(prev) = self.prev.replace(cur.clone()) else {
            return Vec::new();
        };
        let n = prev.ticks.len().min(cur.ticks.len());
        let mut deltas = Vec::with_capacity(n);
        for i in 0..n {
            match delta(prev.ticks[i], cur.ticks[i]) {
                Some(d) => deltas.push(d),
                None => {
                    // One mode went backwards: the whole sample is wrong
                    // (its total too).
                    self.dropped.0 += 1;
                    return Vec::new();
                }
            }
        }
        let guest = deltas.get(8).copied().unwrap_or(0);
        let guest_nice = deltas.get(9).copied().unwrap_or(0);
        let total: u64 = deltas.iter().sum::<u64>() - guest - guest_nice;
        if total == 0 {
            return Vec::new();
        }
        let scale = f64::from(cur.ncpu) * 100.0 / total as f64;
        let max = f64::from(cur.ncpu) * 100.0;
        // guest_nice is read but not posted, as Mackerel does.
        MODES[..9]
            .iter()
            .enumerate()
            .filter(|(i, _)| *i < n)
            .filter_map(|(i, mode)| {
                let ticks = if i == 0 {
                    deltas[0].saturating_sub(guest)
                } else {
                    deltas[i]
                };
                clamp(ticks as f64 * scale, max)
                    .map(|v| Metric::new(format!("cpu.{mode}.percentage"), v))
            })
            .collect()
    }
}
