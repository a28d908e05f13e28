//! `disk.<dev>.reads.delta` and `disk.<dev>.writes.delta` (operations per
//! second) from /proc/diskstats, as Mackerel posts them: device-mapper
//! devices (`dm-*`) and devices that never did any I/O are left out.

use crate::counter::Rates;
use crate::{Metric, ReadError, Roots};

/// The counters of one reading, by metric name.
pub fn parse(text: &str) -> Vec<(String, u64)> {
    let mut out = Vec::new();
    for line in text.lines() {
        let f: Vec<&str> = line.split_ascii_whitespace().collect();
        let (Some(name), Some(reads), Some(writes)) = (f.get(2), f.get(3), f.get(7)) else {
            continue;
        };
        let (Ok(reads), Ok(writes)) = (reads.parse::<u64>(), writes.parse::<u64>()) else {
            continue;
        };
        if name.starts_with("dm-") || (reads == 0 && writes == 0) {
            continue;
        }
        out.push((format!("disk.{name}.reads.delta"), reads));
        out.push((format!("disk.{name}.writes.delta"), writes));
    }
    out
}

/// Reads /proc/diskstats; rates from the second reading on.
pub fn collect(roots: &Roots, rates: &mut Rates, at: f64) -> Result<Vec<Metric>, ReadError> {
    Ok(rates.sample(at, parse(&roots.read_proc("diskstats")?)))
}
