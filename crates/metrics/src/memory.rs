//! `memory.*` in bytes from /proc/meminfo, as Mackerel posts them: total,
//! used (total - MemAvailable when the kernel has it, else total - free -
//! buffers - cached), mem_available, free, buffers, cached, swap, and for
//! capacity planning CommitLimit and Committed_AS.

use crate::{Metric, ReadError, Roots};

pub fn collect(roots: &Roots) -> Result<Vec<Metric>, ReadError> {
    Ok(parse(&roots.read_proc("meminfo")?))
}

/// The metrics of a meminfo text (values in kB; lines it does not know are
/// ignored, missing ones are not posted).
pub fn parse(text: &str) -> Vec<Metric> {
    let get = |key: &str| -> Option<f64> {
        text.lines().find_map(|l| {
            let (k, rest) = l.split_once(':')?;
            if k != key {
                return None;
            }
            let kb: u64 = rest.split_ascii_whitespace().next()?.parse().ok()?;
            Some(kb as f64 * 1024.0)
        })
    };
    let mut out = Vec::new();
    let Some(total) = get("MemTotal") else {
        return out;
    };
    out.push(Metric::new("memory.total", total));
    let (free, buffers, cached) = (
        get("MemFree").unwrap_or(0.0),
        get("Buffers").unwrap_or(0.0),
        get("Cached").unwrap_or(0.0),
    );
    match get("MemAvailable") {
        Some(avail) => {
            out.push(Metric::new("memory.used", (total - avail).max(0.0)));
            out.push(Metric::new("memory.mem_available", avail));
        }
        None => out.push(Metric::new(
            "memory.used",
            (total - free - buffers - cached).max(0.0),
        )),
    }
    // mackerel-agent posts these three only when the kernel lacks
    // MemAvailable; they are posted always here (a dashboard that does not
    // use them loses nothing, one that splits the page cache out needs them).
    out.push(Metric::new("memory.free", free));
    out.push(Metric::new("memory.buffers", buffers));
    out.push(Metric::new("memory.cached", cached));
    for (key, name) in [
        ("SwapTotal", "memory.swap_total"),
        ("SwapCached", "memory.swap_cached"),
        ("SwapFree", "memory.swap_free"),
        ("CommitLimit", "memory.commit_limit"),
        ("Committed_AS", "memory.committed_as"),
    ] {
        if let Some(v) = get(key) {
            out.push(Metric::new(name, v));
        }
    }
    out
}
