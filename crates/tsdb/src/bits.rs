//! Bit-level writer and reader for the chunk codecs.
//!
//! Bits are packed most-significant first into a byte vector, so a chunk is a plain byte string that can be
//! checksummed and stored as is. The reader never panics: reading past the end is an error the caller turns
//! into "chunk truncated".

/// Appends bits to a growing byte vector.
#[derive(Default)]
pub(crate) struct BitWriter {
    bytes: Vec<u8>,
    /// Bits already used in the last byte (0 means the last byte is full or there is none).
    used: u32,
}

impl BitWriter {
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// Writes the low `n` bits of `value` (n <= 64), most significant first.
    pub(crate) fn write(&mut self, value: u64, n: u32) {
        let mut left = n;
        while left > 0 {
            if self.used == 0 {
                self.bytes.push(0);
            }
            let free = 8 - self.used;
            let take = free.min(left);
            let shift = left - take;
            let chunk = ((value >> shift) & ((1u64 << take) - 1)) as u8;
            let last = self.bytes.len() - 1;
            self.bytes[last] |= chunk << (free - take);
            self.used = (self.used + take) % 8;
            left -= take;
        }
    }

    pub(crate) fn bit(&mut self, b: bool) {
        self.write(u64::from(b), 1);
    }

    /// Number of bits written so far; used to pick the cheaper of two encodings.
    pub(crate) fn len_bits(&self) -> usize {
        if self.used == 0 {
            self.bytes.len() * 8
        } else {
            (self.bytes.len() - 1) * 8 + self.used as usize
        }
    }

    pub(crate) fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }
}

/// Reads bits written by [`BitWriter`].
pub(crate) struct BitReader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

/// Reading past the end of the chunk.
#[derive(Debug)]
pub(crate) struct OutOfBits;

impl<'a> BitReader<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        Self { bytes, pos: 0 }
    }

    pub(crate) fn read(&mut self, n: u32) -> Result<u64, OutOfBits> {
        if n == 0 {
            return Ok(0);
        }
        if self.pos + n as usize > self.bytes.len() * 8 {
            return Err(OutOfBits);
        }
        let mut out = 0u64;
        let mut left = n;
        while left > 0 {
            let byte = self.bytes[self.pos / 8];
            let off = (self.pos % 8) as u32;
            let avail = 8 - off;
            let take = avail.min(left);
            let bits = (u64::from(byte) >> (avail - take)) & ((1u64 << take) - 1);
            out = if take == 64 {
                bits
            } else {
                (out << take) | bits
            };
            self.pos += take as usize;
            left -= take;
        }
        Ok(out)
    }

    pub(crate) fn bit(&mut self) -> Result<bool, OutOfBits> {
        Ok(self.read(1)? == 1)
    }
}

/// Writes a signed integer in one of six size classes: 0 costs one bit, [-8, 7] six, [-128, 127] eleven,
/// 16-bit values twenty. Small values are the common case for delta-of-delta timestamps and deltas of slowly
/// changing gauges.
pub(crate) fn write_signed(w: &mut BitWriter, x: i64) {
    const CLASSES: [(u64, u32, u32); 4] = [
        (0b10, 2, 4),
        (0b110, 3, 8),
        (0b1110, 4, 16),
        (0b11110, 5, 32),
    ];
    if x == 0 {
        w.bit(false);
        return;
    }
    for (prefix, plen, bits) in CLASSES {
        let lo = -(1i64 << (bits - 1));
        let hi = (1i64 << (bits - 1)) - 1;
        if (lo..=hi).contains(&x) {
            w.write(prefix, plen);
            w.write(x as u64 & ((1u64 << bits) - 1), bits);
            return;
        }
    }
    w.write(0b11111, 5);
    w.write(x as u64, 64);
}

/// Reads what [`write_signed`] wrote.
pub(crate) fn read_signed(r: &mut BitReader<'_>) -> Result<i64, OutOfBits> {
    read_signed_from(r, 0)
}

/// [`read_signed`] when the caller already consumed the first prefix bit and it was a 1.
pub(crate) fn read_signed_after_one(r: &mut BitReader<'_>) -> Result<i64, OutOfBits> {
    read_signed_from(r, 1)
}

fn read_signed_from(r: &mut BitReader<'_>, mut ones: u32) -> Result<i64, OutOfBits> {
    while ones < 5 && r.bit()? {
        ones += 1;
    }
    let bits = match ones {
        0 => return Ok(0),
        1 => 4,
        2 => 8,
        3 => 16,
        4 => 32,
        _ => return Ok(r.read(64)? as i64),
    };
    let raw = r.read(bits)?;
    // Sign-extend from `bits` bits.
    let shift = 64 - bits;
    Ok(((raw << shift) as i64) >> shift)
}

/// LEB128 varint helpers for headers and file indexes (byte-aligned, unlike the bit streams).
pub(crate) fn put_uvarint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

pub(crate) fn put_ivarint(out: &mut Vec<u8>, v: i64) {
    put_uvarint(out, ((v << 1) ^ (v >> 63)) as u64);
}

/// Reads a varint at `*pos`, advancing it; `None` when the input ends or the varint is over-long.
pub(crate) fn get_uvarint(buf: &[u8], pos: &mut usize) -> Option<u64> {
    let mut v = 0u64;
    let mut shift = 0;
    loop {
        let b = *buf.get(*pos)?;
        *pos += 1;
        if shift >= 64 {
            return None;
        }
        v |= u64::from(b & 0x7f) << shift;
        if b < 0x80 {
            return Some(v);
        }
        shift += 7;
    }
}

pub(crate) fn get_ivarint(buf: &[u8], pos: &mut usize) -> Option<i64> {
    let u = get_uvarint(buf, pos)?;
    Some(((u >> 1) as i64) ^ -((u & 1) as i64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signed_classes_round_trip_at_their_edges() {
        let xs = [
            0i64,
            1,
            -1,
            7,
            -8,
            8,
            -9,
            127,
            -128,
            128,
            32767,
            -32768,
            32768,
            i32::MAX as i64,
            i32::MIN as i64,
            i64::MAX,
            i64::MIN,
        ];
        let mut w = BitWriter::new();
        for &x in &xs {
            write_signed(&mut w, x);
        }
        let bytes = w.into_bytes();
        let mut r = BitReader::new(&bytes);
        for &x in &xs {
            assert_eq!(read_signed(&mut r).expect("enough bits"), x);
        }
    }

    #[test]
    fn reading_past_the_end_is_an_error() {
        let mut r = BitReader::new(&[0xff]);
        assert!(r.read(8).is_ok());
        assert!(r.read(1).is_err());
    }
}
