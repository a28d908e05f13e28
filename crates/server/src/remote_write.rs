//! Prometheus remote write (protocol 1.0): a snappy-compressed (block format)
//! protobuf `WriteRequest`, decoded here by sonde's own small decoders so that
//! any Prometheus, Grafana Agent or vmagent can send to sonde. Both decoders
//! check every length against what is left; bad input is an error naming
//! the byte offset, never a panic.
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

#[cfg(test)]
mod tests {
    use super::*;

    fn put_varint(out: &mut Vec<u8>, mut v: u64) {
        while v >= 0x80 {
            out.push((v as u8) | 0x80);
            v >>= 7;
        }
        out.push(v as u8);
    }

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
}
