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

#[cfg(test)]
mod tests {
    use super::*;

    const MINUTE: Duration = Duration::from_secs(60);

    #[test]
    fn offsets_are_stable_and_spread_over_the_interval() {
        assert_eq!(offset("h", "p", MINUTE), offset("h", "p", MINUTE));
        // Forty plugins on one host: spread over the minute, not bunched.
        let secs: Vec<u64> = (0..40)
            .map(|i| offset("web-1", &format!("plugin.metrics.p{i}"), MINUTE).as_secs())
            .collect();
        let mut per_second = [0u32; 60];
        for s in &secs {
            per_second[*s as usize] += 1;
        }
        assert!(per_second[0] < 5, "{secs:?}");
        assert!(*per_second.iter().max().unwrap_or(&0) <= 5, "{secs:?}");
        let distinct = per_second.iter().filter(|n| **n > 0).count();
        assert!(distinct >= 20, "{distinct} distinct seconds: {secs:?}");
        // The same plugin on different hosts starts at different times.
        let hosts: std::collections::BTreeSet<u64> = (0..20)
            .map(|h| {
                offset(&format!("host-{h}"), "plugin.metrics.mysql", MINUTE).as_millis() as u64
            })
            .collect();
        assert!(hosts.len() >= 18);
    }

    #[test]
    fn jitter_changes_every_run_and_stays_small() {
        let runs: Vec<Duration> = (0..50).map(|r| jitter("p", r, MINUTE)).collect();
        assert!(runs.iter().all(|j| *j < Duration::from_secs(1)), "{runs:?}");
        let distinct: std::collections::BTreeSet<_> = runs.iter().collect();
        assert!(distinct.len() > 40, "the jitter moves: {runs:?}");
        // A run starts within its own interval.
        for r in 0..50 {
            let s = start("h", "p", r, MINUTE);
            assert!(s >= MINUTE * r as u32 && s < MINUTE * (r as u32 + 1) + Duration::from_secs(1));
        }
    }
}
