//! The head: samples acknowledged but not yet in a block file, per series and per block window.
//!
//! Samples are kept raw (16 bytes each) in arrival order; a window is sorted and de-duplicated only when it
//! is read or flushed, so the append path is a lock and a push. Out-of-order and repeated samples simply
//! land in their window; the later write of a `(series, ts)` wins, which makes re-delivery idempotent.

/// Samples of one series in one block window.
pub(crate) struct HeadWindow {
    pub(crate) start: i64,
    pub(crate) samples: Vec<(i64, f64)>,
    /// Whether `samples` is strictly ascending by time (no sort needed).
    sorted: bool,
}

/// One series' unflushed samples.
#[derive(Default)]
pub(crate) struct SeriesHead {
    /// Windows ascending by start; usually one or two.
    pub(crate) windows: Vec<HeadWindow>,
    /// Newest sample seen since open (by timestamp), for `last_value`.
    pub(crate) last: Option<(i64, f64)>,
}

/// Floor of `ts` to a multiple of `window` (also for negative times).
pub(crate) fn window_start(ts: i64, window: i64) -> i64 {
    // Saturating: a timestamp near i64::MIN must not overflow (no input may panic).
    ts.div_euclid(window).saturating_mul(window)
}

impl SeriesHead {
    /// Adds one sample; returns the start of the window it went to.
    pub(crate) fn push(&mut self, ts: i64, v: f64, window: i64) -> i64 {
        let start = window_start(ts, window);
        let w = match self.windows.iter().rposition(|w| w.start <= start) {
            Some(i) if self.windows[i].start == start => &mut self.windows[i],
            pos => {
                let at = pos.map_or(0, |i| i + 1);
                self.windows.insert(
                    at,
                    HeadWindow {
                        start,
                        samples: Vec::new(),
                        sorted: true,
                    },
                );
                &mut self.windows[at]
            }
        };
        if w.samples.last().is_some_and(|&(t, _)| t >= ts) {
            w.sorted = false;
        }
        w.samples.push((ts, v));
        if self.last.is_none_or(|(t, _)| ts >= t) {
            self.last = Some((ts, v));
        }
        start
    }

    /// Sorted, de-duplicated samples in `[from, to)`.
    pub(crate) fn range(&mut self, from: i64, to: i64) -> Vec<(i64, f64)> {
        let mut out = Vec::new();
        for w in &mut self.windows {
            normalize(w);
            let a = w.samples.partition_point(|s| s.0 < from);
            let b = w.samples.partition_point(|s| s.0 < to);
            if a < b {
                out.extend_from_slice(&w.samples[a..b]);
            }
        }
        out
    }

    /// Removes and returns the windows that end at or before `cutoff`, each sorted and de-duplicated.
    pub(crate) fn take_before(&mut self, cutoff: i64, window: i64) -> Vec<HeadWindow> {
        let n = self
            .windows
            .iter()
            .take_while(|w| w.start.saturating_add(window) <= cutoff)
            .count();
        let mut taken: Vec<HeadWindow> = self.windows.drain(..n).collect();
        for w in &mut taken {
            normalize(w);
        }
        taken
    }

    #[cfg(test)]
    pub(crate) fn sample_count(&self) -> usize {
        self.windows.iter().map(|w| w.samples.len()).sum()
    }
}

/// Sorts a window by time and keeps the last written sample of each timestamp.
fn normalize(w: &mut HeadWindow) {
    if w.sorted {
        return;
    }
    w.samples.sort_by_key(|s| s.0); // stable: equal timestamps stay in write order
    dedup_keep_last(&mut w.samples);
    w.sorted = true;
}

/// Given samples sorted by time (stable, write order within a timestamp), keeps the last of each timestamp.
pub(crate) fn dedup_keep_last(v: &mut Vec<(i64, f64)>) {
    let mut out = 0;
    for i in 0..v.len() {
        if out > 0 && v[out - 1].0 == v[i].0 {
            v[out - 1] = v[i];
        } else {
            v[out] = v[i];
            out += 1;
        }
    }
    v.truncate(out);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn out_of_order_and_duplicates_come_back_sorted_and_unique() {
        let mut h = SeriesHead::default();
        for (t, v) in [
            (3000, 3.0),
            (1000, 1.0),
            (2000, 2.0),
            (1000, 1.5),
            (7_200_000, 9.0),
        ] {
            h.push(t, v, 7_200_000);
        }
        assert_eq!(h.windows.len(), 2);
        assert_eq!(
            h.range(0, i64::MAX),
            vec![(1000, 1.5), (2000, 2.0), (3000, 3.0), (7_200_000, 9.0)]
        );
        assert_eq!(h.last, Some((7_200_000, 9.0)));
        let taken = h.take_before(7_200_000, 7_200_000);
        assert_eq!(taken.len(), 1);
        assert_eq!(h.sample_count(), 1);
    }
}
