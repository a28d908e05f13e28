//! Per interface, from /proc/net/dev, as per-second rates:
//! `interface.<if>.rxBytes.delta` and `interface.<if>.txBytes.delta` (as
//! Mackerel posts them), and the packets, errors and drops beside them,
//! `interface.<if>.{rx,tx}{Packets,Errors,Drops}.delta` (the names
//! mackerel-agent gives these columns when it reads them, though it posts
//! only the bytes). `veth*` (one per container) left out, as Mackerel does.

use crate::counter::Rates;
use crate::{Metric, ReadError, Roots};

/// The columns posted, by their index after the `name:` and their names.
/// Receive: bytes packets errs drop fifo frame compressed multicast;
/// transmit: bytes packets errs drop fifo colls carrier compressed.
const COLUMNS: [(usize, &str); 8] = [
    (0, "rxBytes"),
    (8, "txBytes"),
    (1, "rxPackets"),
    (2, "rxErrors"),
    (3, "rxDrops"),
    (9, "txPackets"),
    (10, "txErrors"),
    (11, "txDrops"),
];

/// The counters of one reading, by metric name.
pub fn parse(text: &str) -> Vec<(String, u64)> {
    let mut out = Vec::new();
    for line in text.lines() {
        let Some((name, rest)) = line.split_once(':') else {
            continue;
        };
        let name = name.trim();
        if name.starts_with("veth") {
            continue;
        }
        let f: Vec<&str> = rest.split_ascii_whitespace().collect();
        let (Some(Ok(_)), Some(Ok(_))) = (
            f.first().map(|v| v.parse::<u64>()),
            f.get(8).map(|v| v.parse::<u64>()),
        ) else {
            continue;
        };
        for (i, metric) in COLUMNS {
            if let Some(Ok(v)) = f.get(i).map(|v| v.parse::<u64>()) {
                out.push((format!("interface.{name}.{metric}.delta"), v));
            }
        }
    }
    out
}

/// Reads /proc/net/dev; rates from the second reading on.
pub fn collect(roots: &Roots, rates: &mut Rates, at: f64) -> Result<Vec<Metric>, ReadError> {
    Ok(rates.sample(at, parse(&roots.read_proc("net/dev")?)))
}
