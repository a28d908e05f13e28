//! Per device, from /proc/diskstats, as per-second rates:
//! `disk.<dev>.reads.delta` and `disk.<dev>.writes.delta` (operations, as
//! Mackerel posts them), and `disk.<dev>.readBytes.delta` and
//! `disk.<dev>.writeBytes.delta` (bytes). Device-mapper devices (`dm-*`)
//! and devices that never did any I/O are left out, as Mackerel does.
//!
//! Mackerel posts no disk bytes: its agent reads `sectorsRead` and
//! `sectorsWritten` but posts only operations. The byte names follow its
//! `interface.<if>.rxBytes.delta`. The kernel counts diskstats sectors in
//! 512-byte units whatever the device's sector size.

use crate::counter::Rates;
use crate::{Metric, ReadError, Roots};

/// The unit of /proc/diskstats' sector counts.
const SECTOR: u64 = 512;

/// The counters of one reading, by metric name.
pub fn parse(text: &str) -> Vec<(String, u64)> {
    let mut out = Vec::new();
    for line in text.lines() {
        // major minor name reads merged sectors ms writes merged sectors ms ...
        let mut f = line.split_ascii_whitespace().skip(2);
        let Some(name) = f.next() else {
            continue;
        };
        let cols: Vec<Option<u64>> = f.take(7).map(|v| v.parse::<u64>().ok()).collect();
        let (Some(Some(reads)), Some(Some(writes))) = (cols.first(), cols.get(4)) else {
            continue;
        };
        let (reads, writes) = (*reads, *writes);
        if name.starts_with("dm-") || (reads == 0 && writes == 0) {
            continue;
        }
        out.push((format!("disk.{name}.reads.delta"), reads));
        out.push((format!("disk.{name}.writes.delta"), writes));
        let bytes = |i: usize| {
            cols.get(i)
                .copied()
                .flatten()
                .and_then(|s| s.checked_mul(SECTOR))
        };
        if let (Some(read), Some(written)) = (bytes(2), bytes(6)) {
            out.push((format!("disk.{name}.readBytes.delta"), read));
            out.push((format!("disk.{name}.writeBytes.delta"), written));
        }
    }
    out
}

/// Reads /proc/diskstats; rates from the second reading on.
pub fn collect(roots: &Roots, rates: &mut Rates, at: f64) -> Result<Vec<Metric>, ReadError> {
    Ok(rates.sample(at, parse(&roots.read_proc("diskstats")?)))
}
