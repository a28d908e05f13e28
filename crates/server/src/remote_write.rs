//! Prometheus remote write (protocol 1.0): a snappy-compressed (block format)
//! protobuf `WriteRequest`, decoded here by sonde's own small decoders so that
//! any Prometheus, Grafana Agent or vmagent can send to sonde. Both decoders
//! check every length against what is left; bad input is an error naming
//! the byte offset, never a panic. The encoders are for the other direction:
//! sonde writing to VictoriaMetrics (`victoria.rs`).
//!
//! ```text
//! WriteRequest { repeated TimeSeries timeseries = 1; ... }
//! TimeSeries   { repeated Label labels = 1; repeated Sample samples = 2; ... }
//! Label        { string name = 1; string value = 2; }
//! Sample       { double value = 1; int64 timestamp = 2; }
//! ```

/// The most a request may decompress to.
pub const MAX_DECODED: usize = 64 << 20;

/// Decompresses a snappy block (not the framed format).
pub fn snappy_decode(src: &[u8]) -> Result<Vec<u8>, String> {
    let (len, mut i) = varint(src, 0).ok_or("snappy: no length")?;
    let len = usize::try_from(len).map_err(|_| "snappy: length too large")?;
    if len > MAX_DECODED {
        return Err(format!(
            "snappy: decompresses to {len} bytes; at most {MAX_DECODED}"
        ));
    }
    let mut out = Vec::with_capacity(len);
    while i < src.len() {
        let tag = src[i];
        let at = i;
        i += 1;
        let (copy_len, offset) = match tag & 3 {
            0 => {
                let mut n = usize::from(tag >> 2);
                if n >= 60 {
                    let bytes = n - 59;
                    let b = src
                        .get(i..i + bytes)
                        .ok_or(format!("snappy: literal length cut at byte {at}"))?;
                    n = b
                        .iter()
                        .rev()
                        .fold(0usize, |acc, &x| (acc << 8) | usize::from(x));
                    i += bytes;
                }
                let n = n + 1;
                let lit = src
                    .get(i..i.saturating_add(n))
                    .ok_or(format!("snappy: literal of {n} bytes cut at byte {at}"))?;
                if out.len() + n > len {
                    return Err(format!("snappy: output longer than declared at byte {at}"));
                }
                out.extend_from_slice(lit);
                i += n;
                continue;
            }
            1 => {
                let b = *src.get(i).ok_or(format!("snappy: copy cut at byte {at}"))?;
                i += 1;
                (
                    4 + usize::from((tag >> 2) & 7),
                    (usize::from(tag >> 5) << 8) | usize::from(b),
                )
            }
            2 => {
                let b = src
                    .get(i..i + 2)
                    .ok_or(format!("snappy: copy cut at byte {at}"))?;
                i += 2;
                (
                    1 + usize::from(tag >> 2),
                    usize::from(u16::from_le_bytes([b[0], b[1]])),
                )
            }
            _ => {
                let b = src
                    .get(i..i + 4)
                    .ok_or(format!("snappy: copy cut at byte {at}"))?;
                i += 4;
                (
                    1 + usize::from(tag >> 2),
                    u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize,
                )
            }
        };
        if offset == 0 || offset > out.len() {
            return Err(format!(
                "snappy: copy from {offset} bytes back with {} written, at byte {at}",
                out.len()
            ));
        }
        if out.len() + copy_len > len {
            return Err(format!("snappy: output longer than declared at byte {at}"));
        }
        // Byte by byte: a copy may overlap what it writes (a run).
        let start = out.len() - offset;
        for k in 0..copy_len {
            let b = out[start + k];
            out.push(b);
        }
    }
    if out.len() != len {
        return Err(format!(
            "snappy: {} bytes decoded, {len} declared",
            out.len()
        ));
    }
    Ok(out)
}

/// A varint at `at`: (value, next offset).
fn varint(b: &[u8], mut at: usize) -> Option<(u64, usize)> {
    let mut v = 0u64;
    for shift in (0..64).step_by(7) {
        let byte = *b.get(at)?;
        at += 1;
        v |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return Some((v, at));
        }
    }
    None
}

/// One protobuf field: number and value.
enum Field<'a> {
    Varint(u64),
    Fixed64(u64),
    Bytes(&'a [u8]),
    Fixed32,
}

/// Walks the fields of a message.
fn fields<'a>(
    msg: &'a [u8],
    what: &str,
    mut each: impl FnMut(u64, Field<'a>) -> Result<(), String>,
) -> Result<(), String> {
    let mut i = 0;
    while i < msg.len() {
        let (key, next) = varint(msg, i).ok_or(format!("{what}: a field key cut at byte {i}"))?;
        let at = i;
        i = next;
        let (num, wire) = (key >> 3, key & 7);
        let field = match wire {
            0 => {
                let (v, n) = varint(msg, i).ok_or(format!("{what}: a varint cut at byte {at}"))?;
                i = n;
                Field::Varint(v)
            }
            1 => {
                let b = msg
                    .get(i..i + 8)
                    .ok_or(format!("{what}: a 64-bit field cut at byte {at}"))?;
                i += 8;
                let mut a = [0u8; 8];
                a.copy_from_slice(b);
                Field::Fixed64(u64::from_le_bytes(a))
            }
            2 => {
                let (len, n) =
                    varint(msg, i).ok_or(format!("{what}: a length cut at byte {at}"))?;
                let len =
                    usize::try_from(len).map_err(|_| format!("{what}: length at byte {at}"))?;
                let b = msg.get(n..n.saturating_add(len)).ok_or(format!(
                    "{what}: {len} bytes announced at byte {at}, fewer left"
                ))?;
                i = n + len;
                Field::Bytes(b)
            }
            5 => {
                if msg.len() < i + 4 {
                    return Err(format!("{what}: a 32-bit field cut at byte {at}"));
                }
                i += 4;
                Field::Fixed32
            }
            w => {
                return Err(format!(
                    "{what}: wire type {w} at byte {at} is not protobuf"
                ));
            }
        };
        each(num, field)?;
    }
    Ok(())
}

/// One series of a write request.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// `__name__` first removed: the metric name.
    pub name: String,
    /// The other labels, as sent.
    pub labels: Vec<(String, String)>,
    /// (timestamp ms, value).
    pub samples: Vec<(i64, f64)>,
}

fn utf8(b: &[u8], what: &str) -> Result<String, String> {
    String::from_utf8(b.to_vec()).map_err(|_| format!("{what} is not UTF-8"))
}

/// Decodes a `WriteRequest` (already decompressed).
pub fn decode(msg: &[u8]) -> Result<Vec<Series>, String> {
    let mut out = Vec::new();
    fields(msg, "WriteRequest", |num, f| {
        if let (1, Field::Bytes(ts)) = (num, f) {
            let n = out.len();
            let mut labels = Vec::new();
            let mut samples = Vec::new();
            fields(ts, &format!("timeseries[{n}]"), |num, f| {
                match (num, f) {
                    (1, Field::Bytes(label)) => {
                        let (mut name, mut value) = (String::new(), String::new());
                        fields(label, &format!("timeseries[{n}] label"), |num, f| {
                            match (num, f) {
                                (1, Field::Bytes(b)) => name = utf8(b, "a label name")?,
                                (2, Field::Bytes(b)) => value = utf8(b, "a label value")?,
                                _ => {}
                            }
                            Ok(())
                        })?;
                        labels.push((name, value));
                    }
                    (2, Field::Bytes(sample)) => {
                        let (mut v, mut t) = (0f64, 0i64);
                        fields(sample, &format!("timeseries[{n}] sample"), |num, f| {
                            match (num, f) {
                                (1, Field::Fixed64(bits)) => v = f64::from_bits(bits),
                                (2, Field::Varint(x)) => t = x as i64,
                                _ => {}
                            }
                            Ok(())
                        })?;
                        samples.push((t, v));
                    }
                    _ => {}
                }
                Ok(())
            })?;
            let Some(pos) = labels.iter().position(|(k, _)| k == "__name__") else {
                return Err(format!("timeseries[{n}] has no __name__ label"));
            };
            let name = labels.remove(pos).1;
            out.push(Series {
                name,
                labels,
                samples,
            });
        }
        Ok(())
    })?;
    Ok(out)
}

/// Compresses `src` as one snappy block (the format remote write sends),
/// for writing to VictoriaMetrics. Input is taken 64 KiB at a time (so
/// every copy's offset fits two bytes, as the reference encoder does); in
/// each, a hash table of 4-byte sequences finds earlier occurrences, a match
/// is extended as far as it goes and sent as copies, the rest as literals.
/// Misses make the scan skip ahead faster, so incompressible input costs
/// little time.
pub fn snappy_encode(src: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(32 + src.len() + src.len() / 6);
    put_varint(&mut out, src.len() as u64);
    for block in src.chunks(BLOCK) {
        compress_block(block, &mut out);
    }
    out
}

/// How much input one hash table covers (offsets then fit 16 bits).
const BLOCK: usize = 1 << 16;
/// Hash table size (entries).
const TABLE_BITS: u32 = 14;

fn load32(b: &[u8], i: usize) -> u32 {
    u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]])
}

fn hash(v: u32) -> usize {
    (v.wrapping_mul(0x1e35_a7bd) >> (32 - TABLE_BITS)) as usize
}

fn compress_block(block: &[u8], out: &mut Vec<u8>) {
    // Positions + 1 (0 is "empty"); a block is at most 64 KiB, so u32 fits.
    let mut table = vec![0u32; 1 << TABLE_BITS];
    let mut literal_start = 0;
    let mut i = 0;
    let mut skip = 32usize;
    while i + 4 <= block.len() {
        let v = load32(block, i);
        let h = hash(v);
        let candidate = table[h] as usize;
        table[h] = (i + 1) as u32;
        if candidate == 0 || load32(block, candidate - 1) != v {
            i += skip >> 5;
            skip += 1;
            continue;
        }
        skip = 32;
        let from = candidate - 1;
        let mut len = 4;
        while i + len < block.len() && block[from + len] == block[i + len] {
            len += 1;
        }
        emit_literal(&block[literal_start..i], out);
        emit_copy(i - from, len, out);
        i += len;
        literal_start = i;
        // The position just before the next search point, so a run of
        // repeats right after this match is found.
        if i >= 1 && i + 3 <= block.len() {
            table[hash(load32(block, i - 1))] = i as u32;
        }
    }
    emit_literal(&block[literal_start..], out);
}

fn emit_literal(lit: &[u8], out: &mut Vec<u8>) {
    if lit.is_empty() {
        return;
    }
    let n = lit.len() - 1;
    if n < 60 {
        out.push((n as u8) << 2);
    } else {
        let bytes = (usize::BITS - n.leading_zeros()).div_ceil(8) as usize;
        out.push(((59 + bytes) as u8) << 2);
        out.extend_from_slice(&n.to_le_bytes()[..bytes]);
    }
    out.extend_from_slice(lit);
}

/// A copy of `len` bytes from `offset` back (`offset < 65536`): pieces of at
/// most 64 bytes, never leaving a piece shorter than 4 for the end (the
/// one-byte-offset form needs 4 to 11).
fn emit_copy(offset: usize, mut len: usize, out: &mut Vec<u8>) {
    let off = offset as u16;
    while len >= 68 {
        out.push((63 << 2) | 2);
        out.extend_from_slice(&off.to_le_bytes());
        len -= 64;
    }
    if len > 64 {
        out.push((59 << 2) | 2);
        out.extend_from_slice(&off.to_le_bytes());
        len -= 60;
    }
    if (4..12).contains(&len) && offset < 2048 {
        out.push((((offset >> 8) as u8) << 5) | (((len - 4) as u8) << 2) | 1);
        out.push(offset as u8);
    } else {
        out.push((((len - 1) as u8) << 2) | 2);
        out.extend_from_slice(&off.to_le_bytes());
    }
}

fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn put_bytes(out: &mut Vec<u8>, field: u64, b: &[u8]) {
    put_varint(out, (field << 3) | 2);
    put_varint(out, b.len() as u64);
    out.extend_from_slice(b);
}

/// Encodes a `WriteRequest` (to be snappy-compressed): each series with
/// `__name__` and its labels sorted by name, as receivers expect.
pub fn encode(series: &[Series]) -> Vec<u8> {
    let mut out = Vec::new();
    let (mut ts, mut label, mut sample) = (Vec::new(), Vec::new(), Vec::new());
    for s in series {
        ts.clear();
        let mut labels: Vec<(&str, &str)> = s
            .labels
            .iter()
            .filter(|(k, _)| k != "__name__")
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        labels.push(("__name__", &s.name));
        labels.sort_by(|a, b| a.0.cmp(b.0));
        for (k, v) in labels {
            label.clear();
            put_bytes(&mut label, 1, k.as_bytes());
            put_bytes(&mut label, 2, v.as_bytes());
            put_bytes(&mut ts, 1, &label);
        }
        for &(t, v) in &s.samples {
            sample.clear();
            sample.push((1 << 3) | 1);
            sample.extend_from_slice(&v.to_bits().to_le_bytes());
            put_varint(&mut sample, 2 << 3);
            put_varint(&mut sample, t as u64);
            put_bytes(&mut ts, 2, &sample);
        }
        put_bytes(&mut out, 1, &ts);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes_field(out: &mut Vec<u8>, num: u64, b: &[u8]) {
        put_varint(out, (num << 3) | 2);
        put_varint(out, b.len() as u64);
        out.extend_from_slice(b);
    }

    /// A WriteRequest with one series, built field by field.
    fn request() -> Vec<u8> {
        let label = |k: &str, v: &str| {
            let mut l = Vec::new();
            bytes_field(&mut l, 1, k.as_bytes());
            bytes_field(&mut l, 2, v.as_bytes());
            l
        };
        let mut ts = Vec::new();
        bytes_field(&mut ts, 1, &label("__name__", "up"));
        bytes_field(&mut ts, 1, &label("job", "node"));
        for (t, v) in [(1000i64, 1.0f64), (2000, 0.5)] {
            let mut s = Vec::new();
            s.push((1 << 3) | 1);
            s.extend_from_slice(&v.to_bits().to_le_bytes());
            put_varint(&mut s, 2 << 3);
            put_varint(&mut s, t as u64);
            bytes_field(&mut ts, 2, &s);
        }
        let mut req = Vec::new();
        bytes_field(&mut req, 1, &ts);
        req
    }

    /// Snappy with literals only (a valid stream any decoder takes).
    fn literal_snappy(b: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        put_varint(&mut out, b.len() as u64);
        for chunk in b.chunks(60) {
            out.push(((chunk.len() - 1) as u8) << 2);
            out.extend_from_slice(chunk);
        }
        out
    }

    #[test]
    fn a_write_request_decodes() {
        let req = request();
        let got = decode(&snappy_decode(&literal_snappy(&req)).expect("snappy")).expect("decode");
        assert_eq!(
            got,
            vec![Series {
                name: "up".into(),
                labels: vec![("job".into(), "node".into())],
                samples: vec![(1000, 1.0), (2000, 0.5)],
            }]
        );
    }

    #[test]
    fn snappy_copies_and_runs() {
        // "abcd" then a 1-byte-offset copy of 8 from 4 back: "abcdabcdabcd".
        let src = [12u8, 3 << 2, b'a', b'b', b'c', b'd', 0b0001_0001, 4];
        assert_eq!(snappy_decode(&src).expect("ok"), b"abcdabcdabcd");
        // A run: "a" then copy 5 from 1 back (2-byte offset form).
        let src = [6u8, 0, b'a', (4 << 2) | 2, 1, 0];
        assert_eq!(snappy_decode(&src).expect("ok"), b"aaaaaa");
    }

    #[test]
    fn damaged_input_is_an_error_never_a_panic() {
        let good = literal_snappy(&request());
        for cut in 0..good.len() {
            assert!(snappy_decode(&good[..cut]).is_err(), "cut at {cut}");
        }
        assert!(
            snappy_decode(&[5, 1 | (1 << 2), 9]).is_err(),
            "copy before any output"
        );
        assert!(
            snappy_decode(&[0xff, 0xff, 0xff, 0xff, 0x7f]).is_err(),
            "huge length"
        );
        let req = request();
        for cut in 1..req.len() {
            // Any prefix either decodes (a field boundary) or is an error.
            let _ = decode(&req[..cut]);
        }
        assert!(decode(&[0x0f]).is_err(), "wire type 7");
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..20_000 {
            let n = (x % 64) as usize;
            let bytes: Vec<u8> = (0..n)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    x as u8
                })
                .collect();
            let _ = snappy_decode(&bytes);
            let _ = decode(&bytes);
        }
    }

    #[test]
    fn encoded_requests_decode_to_what_was_encoded() {
        let series = vec![
            Series {
                name: "cpu.user.percentage".into(),
                labels: vec![
                    ("host".into(), "web-1".into()),
                    ("Zone".into(), "a\"b".into()),
                ],
                samples: vec![(1_700_000_000_000, 12.5), (-5, -0.0), (i64::MAX, f64::MIN)],
            },
            Series {
                name: "up".into(),
                labels: vec![],
                samples: vec![],
            },
        ];
        let got = decode(&snappy_decode(&snappy_encode(&encode(&series))).expect("snappy"))
            .expect("decode");
        // Labels come back sorted by name (as sent on the wire).
        let mut want = series.clone();
        want[0].labels.sort();
        assert_eq!(got, want);
    }

    #[test]
    fn snappy_round_trips_edge_cases() {
        let mut cases: Vec<Vec<u8>> = vec![
            vec![],
            vec![7],
            b"abcd".to_vec(),
            vec![0; 70_000],
            (0..200_000u32).map(|i| (i % 251) as u8).collect(),
        ];
        // Runs of every length around the copy-splitting boundaries.
        for n in 60..140 {
            let mut v = b"xyzw".to_vec();
            v.extend(std::iter::repeat_n(b'q', n));
            v.extend_from_slice(b"end");
            cases.push(v);
        }
        for c in cases {
            let enc = snappy_encode(&c);
            assert_eq!(snappy_decode(&enc).expect("decodes"), c, "len {}", c.len());
        }
    }

    #[test]
    fn repetitive_input_compresses_well() {
        // What sonde sends: the same label sets over and over.
        let series: Vec<Series> = (0..500)
            .map(|i| Series {
                name: "cpu.user.percentage".into(),
                labels: vec![("host".into(), format!("web-{}", i % 10))],
                samples: vec![(1_700_000_000_000 + i * 60_000, 1.5)],
            })
            .collect();
        let raw = encode(&series);
        let packed = snappy_encode(&raw);
        assert!(
            packed.len() * 5 < raw.len(),
            "{} bytes packed from {}",
            packed.len(),
            raw.len()
        );
        let zeros = snappy_encode(&[0u8; 1 << 20]);
        assert!(zeros.len() < (1 << 20) / 20, "{} bytes", zeros.len());
    }

    proptest::proptest! {
        #[test]
        fn snappy_round_trips_any_input(
            data in proptest::collection::vec(
                proptest::prop_oneof![proptest::num::u8::ANY, 0u8..4], 0..5000),
            repeat in 1usize..4,
        ) {
            let input: Vec<u8> = data.iter().copied().cycle().take(data.len() * repeat).collect();
            let enc = snappy_encode(&input);
            proptest::prop_assert_eq!(snappy_decode(&enc).expect("decodes"), input);
        }

        #[test]
        fn requests_round_trip_any_series(
            series in proptest::collection::vec(
                ("[a-z_.]{1,20}",
                 proptest::collection::btree_map("[a-z_]{1,8}", "\\PC{0,12}", 0..4),
                 proptest::collection::vec((proptest::num::i64::ANY, proptest::num::f64::NORMAL), 0..20)),
                0..20),
        ) {
            let series: Vec<Series> = series
                .into_iter()
                .map(|(name, labels, samples)| Series {
                    name,
                    labels: labels.into_iter().filter(|(k, _)| k != "__name__").collect(),
                    samples,
                })
                .collect();
            let got = decode(&snappy_decode(&snappy_encode(&encode(&series))).expect("snappy"))
                .expect("decode");
            proptest::prop_assert_eq!(got, series);
        }
    }
}
