//! Process and thread counts: `processes.total` (the numeric entries of
//! /proc), `processes.running` and `processes.blocked` (/proc/stat's
//! procs_running and procs_blocked), `threads.total` (the kernel's count of
//! scheduling entities, the denominator of /proc/loadavg's fourth field).

use crate::{Metric, ReadError, Roots};

pub fn collect(roots: &Roots) -> Result<Vec<Metric>, ReadError> {
    let mut out = Vec::new();
    let entries = std::fs::read_dir(&roots.proc).map_err(|source| ReadError::Io {
        path: roots.proc.clone(),
        source,
    })?;
    let total = entries
        .filter_map(Result::ok)
        .filter(|e| {
            e.file_name()
                .to_str()
                .is_some_and(|n| n.bytes().all(|b| b.is_ascii_digit()))
        })
        .count();
    out.push(Metric::new("processes.total", total as f64));
    let stat = roots.read_proc("stat")?;
    for (key, name) in [
        ("procs_running", "processes.running"),
        ("procs_blocked", "processes.blocked"),
    ] {
        let v = stat.lines().find_map(|l| {
            let mut f = l.split_ascii_whitespace();
            (f.next() == Some(key))
                .then(|| f.next()?.parse::<u64>().ok())
                .flatten()
        });
        if let Some(v) = v {
            out.push(Metric::new(name, v as f64));
        }
    }
    let loadavg = roots.read_proc("loadavg")?;
    if let Some(threads) = loadavg
        .split_ascii_whitespace()
        .nth(3)
        .and_then(|f| f.split_once('/'))
        .and_then(|(_, t)| t.parse::<u64>().ok())
    {
        out.push(Metric::new("threads.total", threads as f64));
    }
    Ok(out)
}
