//! `interface.<if>.rxBytes.delta` and `interface.<if>.txBytes.delta` (bytes
//! per second) from /proc/net/dev, as Mackerel posts them: `veth*` (one per
//! container) left out.

use crate::counter::Rates;
use crate::{Metric, ReadError, Roots};

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
        let (Some(Ok(rx)), Some(Ok(tx))) = (
            f.first().map(|v| v.parse::<u64>()),
            f.get(8).map(|v| v.parse::<u64>()),
        ) else {
            continue;
        };
        out.push((format!("interface.{name}.rxBytes.delta"), rx));
        out.push((format!("interface.{name}.txBytes.delta"), tx));
    }
    out
}

/// Reads /proc/net/dev; rates from the second reading on.
pub fn collect(roots: &Roots, rates: &mut Rates, at: f64) -> Result<Vec<Metric>, ReadError> {
    Ok(rates.sample(at, parse(&roots.read_proc("net/dev")?)))
}
