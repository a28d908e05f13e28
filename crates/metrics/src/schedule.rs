//! When collectors and plugins start within their interval. Starting them
//! all at second :00 lines the agent up with the kernel's load sampling
//! (every 5 s + 1 tick, which drifts through the minute in ~7 h) and shows
//! the agent's own burst as a load spike every 7 hours. Each job gets a
//! stable offset from its name, spread over the interval, plus a small
//! jitter that changes every run.

use std::time::Duration;

/// FNV-1a: a stable hash (the same name gets the same offset across
/// restarts and machines of the same name).
fn fnv1a(bytes: &[u8], seed: u64) -> u64 {
    let mut h = 0xcbf2_9ce4_8422_2325u64 ^ seed;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// The stable part: where in `interval` the job named `name` on host
/// `host` starts.
pub fn offset(host: &str, name: &str, interval: Duration) -> Duration {
    let ms = interval.as_millis().max(1) as u64;
    let h = fnv1a(name.as_bytes(), fnv1a(host.as_bytes(), 0));
    Duration::from_millis(h % ms)
}

/// The jitter of run number `run`: up to 2 % of the interval (at most 1 s),
/// so that a job's start wanders and never locks onto a kernel period.
pub fn jitter(name: &str, run: u64, interval: Duration) -> Duration {
    let max = (interval.as_millis() as u64 / 50).clamp(1, 1000);
    Duration::from_millis(fnv1a(name.as_bytes(), run.wrapping_mul(0x9e37_79b9_7f4a_7c15)) % max)
}

/// When run number `run` of a job starts, counted from the agent's start
/// rounded down to the interval.
pub fn start(host: &str, name: &str, run: u64, interval: Duration) -> Duration {
    interval * (run as u32) + offset(host, name, interval) + jitter(name, run, interval)
}
