//! Monotonic counters, the one place their differences are taken.
//!
//! Kernel counters are meant to only grow, but some do not (a kernel bug made
//! /proc/stat's steal go backwards; iowait can decrease; devices and
//! interfaces are reset). Subtracting unsigned values then wraps to about
//! 1.8e19 and an agent posts an absurd number. Here a counter that goes
//! backwards gives no difference: the sample is dropped and counted, and the
//! new value is the next sample's base.

/// `cur - prev`, or `None` when the counter went backwards.
pub fn delta(prev: u64, cur: u64) -> Option<u64> {
    cur.checked_sub(prev)
}

/// `value` clamped to `[0, max]` (a percentage cannot leave its range); NaN
/// is no value.
pub fn clamp(value: f64, max: f64) -> Option<f64> {
    if value.is_nan() {
        None
    } else {
        Some(value.clamp(0.0, max))
    }
}

/// Samples dropped because a counter went backwards, for the agent's own
/// metrics.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Dropped(pub u64);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_counter_going_backwards_has_no_delta() {
        assert_eq!(delta(10, 15), Some(5));
        assert_eq!(delta(15, 15), Some(0));
        assert_eq!(delta(15, 10), None);
        assert_eq!(delta(u64::MAX, 0), None);
    }

    #[test]
    fn percentages_stay_in_range() {
        assert_eq!(clamp(150.0, 100.0), Some(100.0));
        assert_eq!(clamp(-0.5, 100.0), Some(0.0));
        assert_eq!(clamp(f64::NAN, 100.0), None);
        assert_eq!(clamp(42.0, 200.0), Some(42.0));
    }
}

/// Per-second rates of named counters between two samples (disk I/O,
/// network bytes): a counter that went backwards (a reset device) gives no
/// rate for that sample, and is counted.
#[derive(Debug, Default)]
pub struct Rates {
    last: std::collections::HashMap<String, u64>,
    at: Option<f64>,
    pub dropped: Dropped,
}

impl Rates {
    /// The rates since the previous sample, taken `at` seconds on some
    /// monotonic clock.
    pub fn sample(
        &mut self,
        at: f64,
        values: impl IntoIterator<Item = (String, u64)>,
    ) -> Vec<crate::Metric> {
        let dt = self.at.map(|t| at - t).filter(|dt| *dt > 0.0);
        self.at = Some(at);
        let mut out = Vec::new();
        for (name, v) in values {
            let prev = self.last.insert(name.clone(), v);
            if let (Some(p), Some(dt)) = (prev, dt) {
                match delta(p, v) {
                    Some(d) => out.push(crate::Metric::new(name, d as f64 / dt)),
                    None => self.dropped.0 += 1,
                }
            }
        }
        out
    }
}
