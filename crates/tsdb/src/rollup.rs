//! Rollups: per series, 5-minute and 1-hour min/max/sum/count buckets computed when a block is written and
//! kept in their own file per window (`rollups/<start>.rup`), so raw blocks can be dropped by retention while
//! long-range dashboards keep working. Each of the four columns is stored with the chunk codec (bucket
//! starts are regular, counts are integers, so those columns cost almost nothing).
//!
//! NaN samples are left out of every aggregate (sum, count, min, max) — in raw aggregation too, so rollup
//! answers equal raw ones.

use crate::bits::{get_ivarint, get_uvarint, put_ivarint, put_uvarint};
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
        let start = b.ts.div_euclid(self.step).saturating_mul(self.step);
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
pub(crate) fn entry(win: i64, samples: &[(i64, f64)]) -> Vec<u8> {
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
    encode(win, &r5, &r1h)
}

/// Marks a bucket list whose values are stored as raw float bits rather than decimals.
const RAW_FLOATS: u8 = 0xff;

/// Encodes a series' 5-minute and 1-hour buckets of the window starting at `win` for a rollup file entry.
///
/// A window holds few buckets (two hourly ones in a two-hour block), so per-column chunk headers would
/// dominate; instead each bucket is its slot in the window, its count, and min, max - min and
/// sum - count * min as decimal integers (or raw float bits when the values are not short decimals).
pub(crate) fn encode(win: i64, r5: &[Bucket], r1h: &[Bucket]) -> Vec<u8> {
    let mut out = Vec::new();
    for (list, res) in [(r5, RES_5M), (r1h, RES_1H)] {
        put_uvarint(&mut out, list.len() as u64);
        if list.is_empty() {
            continue;
        }
        let vals: Vec<(i64, f64)> = list
            .iter()
            .flat_map(|b| [(0, b.min), (0, b.max), (0, b.sum)])
            .collect();
        let exp = codec::decimal_exponent(&vals);
        out.push(exp.map_or(RAW_FLOATS, |e| e as u8));
        let pow = 10f64.powi(exp.unwrap_or(0) as i32);
        for b in list {
            put_uvarint(&mut out, (b.ts.wrapping_sub(win) / res) as u64);
            put_uvarint(&mut out, b.count);
            if exp.is_some() {
                // Exact: `decimal_exponent` checked that each value is n / 10^e with n rounded this way.
                let int = |v: f64| (v * pow).round() as i64;
                let (mn, mx, sm) = (int(b.min), int(b.max), int(b.sum));
                put_ivarint(&mut out, mn);
                put_ivarint(&mut out, mx.wrapping_sub(mn));
                put_ivarint(&mut out, sm.wrapping_sub((b.count as i64).wrapping_mul(mn)));
            } else {
                for v in [b.min, b.max, b.sum] {
                    out.extend_from_slice(&v.to_bits().to_le_bytes());
                }
            }
        }
    }
    out
}

/// Decodes an entry written by [`encode`] for the window starting at `win`: `(5-minute, 1-hour)` buckets.
pub(crate) fn decode(win: i64, buf: &[u8]) -> Result<(Vec<Bucket>, Vec<Bucket>), CodecError> {
    let mut pos = 0;
    let mut lists = Vec::with_capacity(2);
    for res in [RES_5M, RES_1H] {
        let n = get_uvarint(buf, &mut pos).ok_or(CodecError::Truncated)? as usize;
        if n > buf.len() {
            return Err(CodecError::Truncated);
        }
        let mut list = Vec::with_capacity(n);
        if n > 0 {
            let exp = *buf.get(pos).ok_or(CodecError::Truncated)?;
            pos += 1;
            if exp != RAW_FLOATS && u32::from(exp) > 6 {
                return Err(CodecError::UnknownEncoding(exp));
            }
            let pow = 10f64.powi(i32::from(exp));
            for _ in 0..n {
                let slot = get_uvarint(buf, &mut pos).ok_or(CodecError::Truncated)?;
                let count = get_uvarint(buf, &mut pos).ok_or(CodecError::Truncated)?;
                let ts = (slot as i64).wrapping_mul(res).wrapping_add(win);
                let (min, max, sum) = if exp == RAW_FLOATS {
                    let mut v = [0f64; 3];
                    for x in &mut v {
                        let b = buf.get(pos..pos + 8).ok_or(CodecError::Truncated)?;
                        *x = f64::from_bits(u64::from_le_bytes(
                            b.try_into().map_err(|_| CodecError::Truncated)?,
                        ));
                        pos += 8;
                    }
                    (v[0], v[1], v[2])
                } else {
                    let mn = get_ivarint(buf, &mut pos).ok_or(CodecError::Truncated)?;
                    let mx = get_ivarint(buf, &mut pos)
                        .ok_or(CodecError::Truncated)?
                        .wrapping_add(mn);
                    let sm = get_ivarint(buf, &mut pos)
                        .ok_or(CodecError::Truncated)?
                        .wrapping_add((count as i64).wrapping_mul(mn));
                    (mn as f64 / pow, mx as f64 / pow, sm as f64 / pow)
                };
                list.push(Bucket {
                    ts,
                    min,
                    max,
                    sum,
                    count,
                });
            }
        }
        lists.push(list);
    }
    let r1h = lists.pop().unwrap_or_default();
    let r5 = lists.pop().unwrap_or_default();
    Ok((r5, r1h))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rollup_entries_round_trip_decimal_and_raw() {
        let win = 1_700_006_400_000;
        let dec: Vec<(i64, f64)> = (0..240)
            .map(|i| (win + i * 30_000, (i % 13) as f64 / 4.0 - 1.0))
            .collect();
        let raw: Vec<(i64, f64)> = (0..240)
            .map(|i| (win + i * 30_000, (i as f64).sqrt() * -1e10))
            .collect();
        for samples in [dec, raw] {
            let (r5, r1h) = (compute(&samples, RES_5M), compute(&samples, RES_1H));
            let (d5, d1h) = decode(win, &encode(win, &r5, &r1h)).expect("decodes");
            assert_eq!((d5, d1h), (r5, r1h));
        }
        assert!(decode(win, &[3, 0]).is_err());
    }

    proptest::proptest! {
        /// Any samples' rollup entry decodes to the buckets computed from them (decimal sums rounded as
        /// `entry` does), and damaged entries are errors, not panics.
        #[test]
        fn rollup_entries_round_trip(vals in proptest::collection::vec(-1_000_000i64..1_000_000, 1..400),
                                     scale in 0u32..4, raw in proptest::bool::ANY, cut in 0usize..64) {
            let win = 1_700_006_400_000i64;
            let pow = 10f64.powi(scale as i32);
            let samples: Vec<(i64, f64)> = vals
                .iter()
                .enumerate()
                .map(|(i, &n)| (win + i as i64 * 17_000, if raw { n as f64 / 3.0 } else { n as f64 / pow }))
                .collect();
            let bytes = entry(win, &samples);
            let (d5, d1h) = decode(win, &bytes).expect("own entry decodes");
            let r1h = compute(&samples, RES_1H);
            proptest::prop_assert_eq!(d1h.len(), r1h.len());
            for (d, r) in d1h.iter().zip(&r1h) {
                proptest::prop_assert_eq!((d.ts, d.count, d.min.to_bits(), d.max.to_bits()), (r.ts, r.count, r.min.to_bits(), r.max.to_bits()));
                proptest::prop_assert!((d.sum - r.sum).abs() <= 1e-9 * r.sum.abs().max(1.0));
            }
            if !d5.is_empty() {
                proptest::prop_assert_eq!(d5.len(), compute(&samples, RES_5M).len());
            }
            let _ = decode(win, &bytes[..cut.min(bytes.len())]);
        }
    }
}
