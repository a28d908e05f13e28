//! Rollups: per series, 5-minute and 1-hour min/max/sum/count buckets computed when a block is written and
//! kept in their own file per window (`rollups/<start>.rup`), so raw blocks can be dropped by retention while
//! long-range dashboards keep working. Each of the four columns is stored with the chunk codec (bucket
//! starts are regular, counts are integers, so those columns cost almost nothing).
//!
//! NaN samples are left out of every aggregate (sum, count, min, max) — in raw aggregation too, so rollup
//! answers equal raw ones.

use crate::bits::{get_uvarint, put_uvarint};
use crate::codec::{self, CodecError};

/// Rollup resolutions, milliseconds.
pub const RES_5M: i64 = 300_000;
/// One hour in milliseconds.
pub const RES_1H: i64 = 3_600_000;

/// Aggregate of the samples in `[ts, ts + step)`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Bucket {
    /// Bucket start, milliseconds.
    pub ts: i64,
    /// Smallest non-NaN value.
    pub min: f64,
    /// Largest non-NaN value.
    pub max: f64,
    /// Sum of non-NaN values.
    pub sum: f64,
    /// Number of non-NaN samples (a bucket exists only when this is at least 1).
    pub count: u64,
}

impl Bucket {
    /// Mean of the bucket's samples.
    pub fn avg(&self) -> f64 {
        self.sum / self.count as f64
    }

    fn merge(&mut self, o: &Bucket) {
        self.min = self.min.min(o.min);
        self.max = self.max.max(o.max);
        self.sum += o.sum;
        self.count += o.count;
    }
}

/// Folds samples and buckets into buckets of a fixed step, in time order.
pub(crate) struct Folder {
    step: i64,
    pub(crate) out: Vec<Bucket>,
}

impl Folder {
    pub(crate) fn new(step: i64) -> Self {
        Self {
            step,
            out: Vec::new(),
        }
    }

    /// Adds a sample; samples must come in ascending time order (buckets may then arrive out of order only
    /// across separate `add_bucket` calls, which [`Folder::finish`] sorts out).
    pub(crate) fn add(&mut self, ts: i64, v: f64) {
        if v.is_nan() {
            return;
        }
        self.add_bucket(&Bucket {
            ts,
            min: v,
            max: v,
            sum: v,
            count: 1,
        });
    }

    pub(crate) fn add_bucket(&mut self, b: &Bucket) {
        let start = b.ts.div_euclid(self.step) * self.step;
        match self.out.last_mut() {
            Some(last) if last.ts == start => last.merge(b),
            _ => self.out.push(Bucket { ts: start, ..*b }),
        }
    }

    /// The buckets ascending by time, merging any that were added out of order.
    pub(crate) fn finish(mut self) -> Vec<Bucket> {
        if self.out.windows(2).any(|w| w[0].ts >= w[1].ts) {
            self.out.sort_by_key(|b| b.ts);
            let mut merged: Vec<Bucket> = Vec::with_capacity(self.out.len());
            for b in self.out {
                match merged.last_mut() {
                    Some(last) if last.ts == b.ts => last.merge(&b),
                    _ => merged.push(b),
                }
            }
            return merged;
        }
        self.out
    }
}

/// Computes the buckets of sorted samples at resolution `res`.
pub(crate) fn compute(samples: &[(i64, f64)], res: i64) -> Vec<Bucket> {
    let mut f = Folder::new(res);
    for &(t, v) in samples {
        f.add(t, v);
    }
    f.finish()
}

/// Fewest samples per 5-minute bucket, on average over a window, for 5-minute rollups to be stored. A
/// 60 s series has five: its 5-minute rollup would cost most of what the raw chunk does and save a query
/// little, so such series are answered from raw samples (and from hourly buckets once raw data is gone).
pub(crate) const MIN_SAMPLES_PER_5M: usize = 7;

/// The rollup file entry of one series' samples in one window.
pub(crate) fn entry(samples: &[(i64, f64)]) -> Vec<u8> {
    let mut r5 = compute(samples, RES_5M);
    if samples.len() < r5.len() * MIN_SAMPLES_PER_5M {
        r5.clear();
    }
    let mut r1h = compute(samples, RES_1H);
    // Sums of decimal values (two-decimal gauges, integers) come out of float addition a few ulps off
    // the decimal they should be (0.1 + 0.2), which defeats the decimal codec and costs 8 bytes a bucket.
    // Rounding to the inputs' decimals is more exact, not less.
    if let Some(exp) = codec::decimal_exponent(samples) {
        let pow = 10f64.powi(exp as i32);
        for b in r5.iter_mut().chain(r1h.iter_mut()) {
            let r = (b.sum * pow).round() / pow;
            if r.is_finite() {
                b.sum = r;
            }
        }
    }
    encode(&r5, &r1h)
}

/// Encodes a series' 5-minute and 1-hour buckets for a rollup file entry.
pub(crate) fn encode(r5: &[Bucket], r1h: &[Bucket]) -> Vec<u8> {
    let mut out = Vec::new();
    for list in [r5, r1h] {
        let cols: [fn(&Bucket) -> f64; 4] = [|b| b.min, |b| b.max, |b| b.sum, |b| b.count as f64];
        for col in cols {
            let samples: Vec<(i64, f64)> = list.iter().map(|b| (b.ts, col(b))).collect();
            let c = codec::encode(&samples);
            put_uvarint(&mut out, c.len() as u64);
            out.extend_from_slice(&c);
        }
    }
    out
}

/// Decodes an entry written by [`encode`]: `(5-minute, 1-hour)` buckets.
pub(crate) fn decode(buf: &[u8]) -> Result<(Vec<Bucket>, Vec<Bucket>), CodecError> {
    let mut pos = 0;
    let mut lists = Vec::with_capacity(2);
    for _ in 0..2 {
        let mut cols = Vec::with_capacity(4);
        for _ in 0..4 {
            let n = get_uvarint(buf, &mut pos).ok_or(CodecError::Truncated)? as usize;
            let end = pos
                .checked_add(n)
                .filter(|&e| e <= buf.len())
                .ok_or(CodecError::Truncated)?;
            cols.push(codec::decode(&buf[pos..end])?);
            pos = end;
        }
        let n = cols[0].len();
        if cols.iter().any(|c| c.len() != n) {
            return Err(CodecError::Truncated);
        }
        lists.push(
            (0..n)
                .map(|i| Bucket {
                    ts: cols[0][i].0,
                    min: cols[0][i].1,
                    max: cols[1][i].1,
                    sum: cols[2][i].1,
                    count: cols[3][i].1 as u64,
                })
                .collect::<Vec<_>>(),
        );
    }
    let r1h = lists.pop().unwrap_or_default();
    let r5 = lists.pop().unwrap_or_default();
    Ok((r5, r1h))
}
