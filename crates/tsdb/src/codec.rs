//! Chunk codec: one series' samples within one block window, sorted by time and free of duplicates.
//!
//! Timestamps are delta-of-delta encoded (Gorilla) after dividing by 1000 when every timestamp is a whole
//! second — the agent reports epoch seconds, so a regular 60 s series costs about one bit per timestamp.
//!
//! Values are encoded two ways and the smaller wins:
//! - *decimal*: when every value is exactly `n / 10^e` for a small `e` (counters, byte gauges, percentages
//!   with a few decimals — most agent metrics), the integers `n` are stored as deltas or deltas-of-deltas in
//!   variable-size classes. This is what lets slowly changing gauges cost a few bits.
//! - *XOR*: Gorilla's float XOR scheme, exact for any bit pattern (NaN payloads, ±inf, -0.0).
//!
//! Decoding never panics: damaged input is a [`CodecError`].

use crate::bits::{
    BitReader, BitWriter, OutOfBits, get_ivarint, get_uvarint, put_ivarint, put_uvarint,
    read_signed, read_signed_after_one, write_signed,
};

/// A chunk could not be decoded.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CodecError {
    /// The chunk ends before all its samples were read.
    #[error("chunk truncated")]
    Truncated,
    /// The header names an encoding this version does not know.
    #[error("unknown chunk encoding {0:#x}")]
    UnknownEncoding(u8),
}

impl From<OutOfBits> for CodecError {
    fn from(_: OutOfBits) -> Self {
        CodecError::Truncated
    }
}

const VALUES_XOR: u8 = 0;
// Decimal modes 1..=6: (mode - 1) % 2 chooses deltas of deltas over deltas, (mode - 1) / 2 is the
// integer coding (classes, zero runs, packed groups).
const VALUES_DELTA: u8 = 1;
const VALUES_LAST: u8 = 6;
/// Values per packed group: small enough to follow changes in volatility, large enough that the group
/// header (minimum and width) is amortized.
const GROUP: usize = 16;
const TS_SECONDS: u8 = 0x10;
/// Bits 5-6 of the header byte: the integer coding of the timestamp stream.
const TS_CODING_SHIFT: u8 = 5;
/// Bit 7: timestamps are offsets from a regular grid (step in the header) rather than deltas of deltas.
const TS_GRID: u8 = 0x80;

fn varint_len(v: i64) -> usize {
    let mut out = Vec::with_capacity(10);
    put_ivarint(&mut out, v);
    out.len()
}

/// Ways to write a stream of small signed integers; the encoder tries each and keeps the shortest.
#[derive(Clone, Copy)]
enum Coding {
    /// [`write_signed`] size classes per value.
    Classes = 0,
    /// Like classes, but a run of up to 16 zeros costs five bits: regular timestamps and unchanging
    /// values are mostly zeros.
    Runs = 1,
    /// Frame-of-reference groups ([`write_packed`]): best for noisy values.
    Packed = 2,
}

const CODINGS: [Coding; 3] = [Coding::Classes, Coding::Runs, Coding::Packed];

fn write_seq(w: &mut BitWriter, seq: &[i64], coding: Coding) {
    match coding {
        Coding::Classes => seq.iter().for_each(|&x| write_signed(w, x)),
        Coding::Packed => write_packed(w, seq),
        Coding::Runs => {
            let mut i = 0;
            while i < seq.len() {
                if seq[i] == 0 {
                    let run = seq[i..].iter().take(16).take_while(|&&x| x == 0).count();
                    w.bit(false);
                    w.write(run as u64 - 1, 4);
                    i += run;
                } else {
                    // Non-zero size classes all start with a 1 bit, so they cannot be mistaken for a run.
                    write_signed(w, seq[i]);
                    i += 1;
                }
            }
        }
    }
}

fn read_seq(
    r: &mut BitReader<'_>,
    n: usize,
    coding: Coding,
    out: &mut Vec<i64>,
) -> Result<(), CodecError> {
    match coding {
        Coding::Classes => {
            for _ in 0..n {
                out.push(read_signed(r)?);
            }
        }
        Coding::Packed => read_packed(r, n, out)?,
        Coding::Runs => {
            let end = out.len() + n;
            while out.len() < end {
                if r.bit()? {
                    out.push(read_signed_after_one(r)?);
                } else {
                    let run = r.read(4)? as usize + 1;
                    if out.len() + run > end {
                        return Err(CodecError::Truncated);
                    }
                    out.extend(std::iter::repeat_n(0, run));
                }
            }
        }
    }
    Ok(())
}

fn coding_from(bits: u8) -> Option<Coding> {
    CODINGS.get(usize::from(bits)).copied()
}
/// Largest decimal exponent tried; beyond it values are rarely exact decimals and XOR does as well.
const MAX_EXP: u32 = 6;

/// Encodes samples that are sorted by timestamp (duplicates removed by the caller).
pub fn encode(samples: &[(i64, f64)]) -> Vec<u8> {
    let mut out = Vec::with_capacity(16 + samples.len());
    if samples.is_empty() {
        out.push(VALUES_XOR);
        put_uvarint(&mut out, 0);
        return out;
    }
    let seconds = samples.iter().all(|s| s.0 % 1000 == 0);
    let scale = if seconds { 1000 } else { 1 };
    let ts: Vec<i64> = samples.iter().map(|s| s.0 / scale).collect();

    // Pick the value encoding that costs fewest bits.
    let mut best: (u8, u32, i64, u64, BitWriter) = (VALUES_XOR, 0, 0, 1, encode_xor(samples));
    if let Some((exp, ints)) = as_decimals(samples) {
        // Deltas share a common factor more often than one would think: byte gauges move in pages,
        // counters in fixed increments. Dividing it out shrinks every delta.
        let deltas: Vec<i64> = ints.windows(2).map(|w| w[1] - w[0]).collect();
        let g = deltas
            .iter()
            .fold(0u64, |g, &d| gcd(g, d.unsigned_abs()))
            .max(1);
        let scaled: Vec<i64> = deltas.iter().map(|&d| d / g as i64).collect();
        let mut dod = scaled.clone();
        for i in (1..dod.len()).rev() {
            dod[i] = scaled[i].wrapping_sub(scaled[i - 1]);
        }
        for mode in VALUES_DELTA..=VALUES_LAST {
            let seq = if (mode - 1) % 2 == 0 { &scaled } else { &dod };
            let mut w = BitWriter::new();
            write_seq(&mut w, seq, CODINGS[usize::from((mode - 1) / 2)]);
            if w.len_bits() < best.4.len_bits() {
                best = (mode, exp, ints[0], g, w);
            }
        }
    }
    let (mode, exp, first_int, g, values) = best;
    let mut seq = Vec::with_capacity(ts.len());
    let mut prev_delta = 0i64;
    for i in 1..ts.len() {
        let delta = ts[i].wrapping_sub(ts[i - 1]);
        seq.push(delta.wrapping_sub(prev_delta));
        prev_delta = delta;
    }
    let smallest = |seq: &[i64]| {
        CODINGS
            .iter()
            .map(|&c| {
                let mut w = BitWriter::new();
                write_seq(&mut w, seq, c);
                (c, w)
            })
            .min_by_key(|(_, w)| w.len_bits())
            .unwrap_or_else(|| (Coding::Classes, BitWriter::new()))
    };
    let (mut ts_coding, mut ts_bits) = smallest(&seq);
    // Grid alternative: offsets from `t0 + i * step` with the median step. A one-second jitter then
    // costs one non-zero instead of the three (+1, -2, +1) it makes in deltas of deltas.
    let mut grid = None;
    if ts.len() > 2 {
        let mut deltas: Vec<i64> = ts.windows(2).map(|w| w[1].wrapping_sub(w[0])).collect();
        deltas.sort_unstable();
        let step = deltas[deltas.len() / 2];
        let offsets: Vec<i64> = (1..ts.len())
            .map(|i| ts[i].wrapping_sub(ts[0].wrapping_add((i as i64).wrapping_mul(step))))
            .collect();
        let (c, w) = smallest(&offsets);
        // The step costs a varint in the header; count it.
        if w.len_bits() + 8 * varint_len(step) < ts_bits.len_bits() {
            (ts_coding, ts_bits, grid) = (c, w, Some(step));
        }
    }
    out.push(
        mode | if seconds { TS_SECONDS } else { 0 }
            | (ts_coding as u8) << TS_CODING_SHIFT
            | if grid.is_some() { TS_GRID } else { 0 },
    );
    put_uvarint(&mut out, samples.len() as u64);
    put_ivarint(&mut out, ts[0]);
    if let Some(step) = grid {
        put_ivarint(&mut out, step);
    }
    if mode != VALUES_XOR {
        out.push(exp as u8);
        put_ivarint(&mut out, first_int);
        put_uvarint(&mut out, g);
    }
    let ts_bytes = ts_bits.into_bytes();
    put_uvarint(&mut out, ts_bytes.len() as u64);
    out.extend_from_slice(&ts_bytes);
    out.extend_from_slice(&values.into_bytes());
    out
}

/// Decodes a chunk written by [`encode`].
pub fn decode(buf: &[u8]) -> Result<Vec<(i64, f64)>, CodecError> {
    let mut pos = 0;
    let head = *buf.first().ok_or(CodecError::Truncated)?;
    pos += 1;
    let mode = head & 0x0f;
    let ts_coding = coding_from((head >> TS_CODING_SHIFT) & 3);
    let Some(ts_coding) = ts_coding.filter(|_| mode <= VALUES_LAST) else {
        return Err(CodecError::UnknownEncoding(head));
    };
    let scale = if head & TS_SECONDS != 0 { 1000 } else { 1 };
    let count = get_uvarint(buf, &mut pos).ok_or(CodecError::Truncated)? as usize;
    if count == 0 {
        return Ok(Vec::new());
    }
    // No coding packs more than 16 integers into five bits, so a count beyond that is damage, not data;
    // refusing it also bounds the allocation below.
    if count > buf.len() * 8 * 4 + 1 {
        return Err(CodecError::Truncated);
    }
    let t0 = get_ivarint(buf, &mut pos).ok_or(CodecError::Truncated)?;
    let grid = if head & TS_GRID != 0 {
        Some(get_ivarint(buf, &mut pos).ok_or(CodecError::Truncated)?)
    } else {
        None
    };
    let (exp, first_int, g) = if mode == VALUES_XOR {
        (0, 0, 1)
    } else {
        let e = *buf.get(pos).ok_or(CodecError::Truncated)?;
        pos += 1;
        if u32::from(e) > MAX_EXP {
            return Err(CodecError::UnknownEncoding(e));
        }
        let first = get_ivarint(buf, &mut pos).ok_or(CodecError::Truncated)?;
        (
            u32::from(e),
            first,
            get_uvarint(buf, &mut pos).ok_or(CodecError::Truncated)? as i64,
        )
    };
    let ts_len = get_uvarint(buf, &mut pos).ok_or(CodecError::Truncated)? as usize;
    let ts_end = pos
        .checked_add(ts_len)
        .filter(|&e| e <= buf.len())
        .ok_or(CodecError::Truncated)?;
    let mut tr = BitReader::new(&buf[pos..ts_end]);
    let mut vr = BitReader::new(&buf[ts_end..]);

    let mut out = Vec::with_capacity(count);
    let mut t = t0;
    let mut delta = 0i64;
    let mut times = Vec::with_capacity(count);
    let mut dods = Vec::with_capacity(count - 1);
    read_seq(&mut tr, count - 1, ts_coding, &mut dods)?;
    times.push(t.wrapping_mul(scale));
    match grid {
        Some(step) => {
            for (i, off) in dods.into_iter().enumerate() {
                let t = t0
                    .wrapping_add((i as i64 + 1).wrapping_mul(step))
                    .wrapping_add(off);
                times.push(t.wrapping_mul(scale));
            }
        }
        None => {
            for dod in dods {
                delta = delta.wrapping_add(dod);
                t = t.wrapping_add(delta);
                times.push(t.wrapping_mul(scale));
            }
        }
    }
    if mode == VALUES_XOR {
        let mut xor = XorState::default();
        for (i, &t) in times.iter().enumerate() {
            out.push((t, xor.read(&mut vr, i == 0)?));
        }
        return Ok(out);
    }
    let mut seq = Vec::with_capacity(count - 1);
    let coding = coding_from((mode - 1) / 2).ok_or(CodecError::UnknownEncoding(head))?;
    read_seq(&mut vr, count - 1, coding, &mut seq)?;
    if (mode - 1) % 2 == 1 {
        for i in 1..seq.len() {
            seq[i] = seq[i].wrapping_add(seq[i - 1]);
        }
    }
    let pow = 10f64.powi(exp as i32);
    let mut n = first_int;
    out.push((times[0], n as f64 / pow));
    for (i, &d) in seq.iter().enumerate() {
        n = n.wrapping_add(d.wrapping_mul(g));
        out.push((times[i + 1], n as f64 / pow));
    }
    Ok(out)
}

/// The smallest decimal exponent `e` such that every value is an exact `n / 10^e`, if any.
pub(crate) fn decimal_exponent(samples: &[(i64, f64)]) -> Option<u32> {
    as_decimals(samples).map(|(e, _)| e)
}

/// Returns `(e, n_i)` when every value is exactly `n_i / 10^e` with `|n_i| < 2^53`.
fn as_decimals(samples: &[(i64, f64)]) -> Option<(u32, Vec<i64>)> {
    'exp: for exp in 0..=MAX_EXP {
        let pow = 10f64.powi(exp as i32);
        let mut ints = Vec::with_capacity(samples.len());
        for &(_, v) in samples {
            let n = (v * pow).round();
            if !n.is_finite() || n.abs() >= 9_007_199_254_740_992.0 {
                continue 'exp;
            }
            // Check with the decoder's own expression so a value like -0.0 (which would come back as 0.0)
            // falls through to XOR.
            let n = n as i64;
            if (n as f64 / pow).to_bits() != v.to_bits() {
                continue 'exp;
            }
            ints.push(n);
        }
        return Some((exp, ints));
    }
    None
}

fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// Frame-of-reference packing: per group of [`GROUP`] values, the minimum (size-classed) and a bit width,
/// then each value minus the minimum in that width. Beats size classes on noisy data (a random walk of
/// ±20 costs 6 bits a value instead of 11).
fn write_packed(w: &mut BitWriter, seq: &[i64]) {
    for group in seq.chunks(GROUP) {
        let min = group.iter().copied().min().unwrap_or(0);
        let range = group
            .iter()
            .map(|&x| (x as u64).wrapping_sub(min as u64))
            .max()
            .unwrap_or(0);
        let width = 64 - range.leading_zeros();
        write_signed(w, min);
        w.write(u64::from(width), 7);
        for &x in group {
            w.write((x as u64).wrapping_sub(min as u64), width);
        }
    }
}

fn read_packed(r: &mut BitReader<'_>, n: usize, out: &mut Vec<i64>) -> Result<(), CodecError> {
    let mut left = n;
    while left > 0 {
        let len = left.min(GROUP);
        let min = read_signed(r)?;
        let width = r.read(7)? as u32;
        if width > 64 {
            return Err(CodecError::Truncated);
        }
        for _ in 0..len {
            out.push((r.read(width)? as i64).wrapping_add(min));
        }
        left -= len;
    }
    Ok(())
}

fn encode_xor(samples: &[(i64, f64)]) -> BitWriter {
    let mut w = BitWriter::new();
    let mut prev = 0u64;
    // The window of meaningful bits last written: (leading zeros, trailing zeros).
    let mut window: Option<(u32, u32)> = None;
    for (i, &(_, v)) in samples.iter().enumerate() {
        let bits = v.to_bits();
        if i == 0 {
            w.write(bits, 64);
            prev = bits;
            continue;
        }
        let x = bits ^ prev;
        prev = bits;
        if x == 0 {
            w.bit(false);
            continue;
        }
        w.bit(true);
        let lead = x.leading_zeros().min(31);
        let trail = x.trailing_zeros();
        match window {
            Some((pl, pt)) if lead >= pl && trail >= pt => {
                w.bit(false);
                w.write(x >> pt, 64 - pl - pt);
            }
            _ => {
                w.bit(true);
                let sig = 64 - lead - trail;
                w.write(u64::from(lead), 5);
                w.write(u64::from(sig - 1), 6);
                w.write(x >> trail, sig);
                window = Some((lead, trail));
            }
        }
    }
    w
}

#[derive(Default)]
struct XorState {
    prev: u64,
    window: Option<(u32, u32)>,
}

impl XorState {
    fn read(&mut self, r: &mut BitReader<'_>, first: bool) -> Result<f64, CodecError> {
        if first {
            self.prev = r.read(64)?;
            return Ok(f64::from_bits(self.prev));
        }
        if r.bit()? {
            let x = if r.bit()? {
                let lead = r.read(5)? as u32;
                let sig = r.read(6)? as u32 + 1;
                if lead + sig > 64 {
                    return Err(CodecError::Truncated);
                }
                let trail = 64 - lead - sig;
                self.window = Some((lead, trail));
                r.read(sig)? << trail
            } else {
                let (pl, pt) = self.window.ok_or(CodecError::Truncated)?;
                r.read(64 - pl - pt)? << pt
            };
            self.prev ^= x;
        }
        Ok(f64::from_bits(self.prev))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(samples: &[(i64, f64)]) {
        let enc = encode(samples);
        let dec = decode(&enc).expect("decodes");
        assert_eq!(dec.len(), samples.len());
        for (a, b) in samples.iter().zip(&dec) {
            assert_eq!(a.0, b.0);
            assert_eq!(
                a.1.to_bits(),
                b.1.to_bits(),
                "value {} came back as {}",
                a.1,
                b.1
            );
        }
    }

    #[test]
    fn special_floats_survive() {
        round_trip(&[
            (1000, f64::NAN),
            (2000, -0.0),
            (3000, f64::INFINITY),
            (4000, f64::NEG_INFINITY),
            (5000, f64::from_bits(0x7ff8_0000_0000_0001)),
            (6000, 0.0),
            (7000, f64::MIN_POSITIVE),
        ]);
    }

    #[test]
    fn regular_slow_gauge_costs_about_three_bits_a_sample() {
        let samples: Vec<(i64, f64)> = (0..120)
            .map(|i| (1_700_000_000_000 + i * 60_000, 1000.0 + (i / 30) as f64))
            .collect();
        let enc = encode(&samples);
        round_trip(&samples);
        assert!(enc.len() <= 48, "{} bytes for 120 samples", enc.len());
    }

    #[test]
    fn jittery_two_decimal_gauge_costs_under_a_byte_a_sample() {
        // Load average-like: two decimals, moving by a few hundredths; timestamps a second off now and then.
        let samples: Vec<(i64, f64)> = (0..120)
            .map(|i| {
                let jitter = if i % 17 == 0 { 1000 } else { 0 };
                (
                    1_700_000_000_000 + i * 60_000 + jitter,
                    (50 + (i * 7) % 5) as f64 / 100.0,
                )
            })
            .collect();
        let enc = encode(&samples);
        round_trip(&samples);
        assert!(enc.len() < 120, "{} bytes for 120 samples", enc.len());
    }

    #[test]
    fn damaged_chunks_are_errors_not_panics() {
        let samples: Vec<(i64, f64)> = (0..50).map(|i| (i * 1234, (i as f64).sin())).collect();
        let enc = encode(&samples);
        for cut in 0..enc.len() {
            let _ = decode(&enc[..cut]);
        }
        assert_eq!(decode(&[0xee]), Err(CodecError::UnknownEncoding(0xee)));
    }
}
