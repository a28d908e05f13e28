//! Zero-copy decoding of one event: the `ppm_evt_hdr`, the parameter
//! lengths and the parameter values.

use crate::{ParamType, event_info};

/// Events carry at most this many parameters (`PPM_MAX_EVENT_PARAMS`).
pub const MAX_PARAMS: usize = 32;

/// Which event header the bytes carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeaderVersion {
    /// 22 bytes, no `nparams`: EV and EVF blocks. The parameter count is
    /// inferred from the table and the event length.
    V1,
    /// 26 bytes, with `nparams`.
    V2,
}

impl HeaderVersion {
    pub const fn header_len(self) -> usize {
        match self {
            HeaderVersion::V1 => 22,
            HeaderVersion::V2 => 26,
        }
    }
}

/// Why an event's bytes could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("event header needs {need} bytes, {have} available")]
    ShortHeader { need: usize, have: usize },
    #[error("event length {len} is shorter than its header")]
    LengthTooSmall { len: u32 },
    #[error("event length {len} runs past the {have} bytes available")]
    LengthPastBuffer { len: u32, have: usize },
    #[error("event declares {nparams} parameters, more than {MAX_PARAMS}")]
    TooManyParams { nparams: u32 },
    #[error("parameter {index} (length {len}) runs past the event's {event_len} bytes")]
    ParamPastEvent {
        index: usize,
        len: u32,
        event_len: u32,
    },
    #[error("cannot infer the parameter count of a v1 event of type {ty}")]
    NoParamCount { ty: u16 },
}

/// One decoded event. Parameter values borrow the bytes they were decoded
/// from.
#[derive(Clone, Copy)]
pub struct RawEvent<'a> {
    pub ts: u64,
    pub tid: u64,
    /// The whole event's length, header included, as the event says.
    pub len: u32,
    pub ty: u16,
    pub cpu: u16,
    /// The dump flags of an EVF block (0 otherwise).
    pub dump_flags: u32,
    /// The header the bytes carry.
    pub version: HeaderVersion,
    /// The bytes of the whole event, header included.
    pub bytes: &'a [u8],
    nparams: u8,
    /// Whether parameter lengths are `u32` (else `u16`).
    large: bool,
    /// Offset of the parameter lengths in `bytes` (the header length).
    lens_at: u8,
    /// Where the first [`QUICK`] parameters start in `bytes` (u16 lengths
    /// only: such events are below 64 KiB), 16 bits each, the first in the
    /// low bits, so that reading them is a shift. (One integer is built in
    /// a register; an array of u16 would be built in memory with narrow
    /// stores and read back wide, which stalls.)
    offs: u128,
}

/// How many parameter offsets an event keeps at hand.
const QUICK: usize = 8;

/// What [`RawEvent::decode`] learned about an event's bytes, so that the event
/// can be rebuilt from the same bytes without decoding them again (a reader
/// thread decodes, the consumer rebuilds).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Layout {
    pub version: HeaderVersion,
    /// The bytes of the event that count (see the v1 notification quirk).
    pub bytes_len: u32,
    pub nparams: u8,
    pub large: bool,
    offs: u128,
}

impl Layout {
    /// Checks the event at the start of `buf` and notes where its
    /// parameters lie (what [`RawEvent::decode`] does, without building the
    /// event). Bytes after the event's declared length are ignored.
    #[inline]
    pub fn decode(buf: &[u8], version: HeaderVersion) -> Result<Layout, DecodeError> {
        let hlen = version.header_len();
        if buf.len() < hlen {
            return Err(DecodeError::ShortHeader {
                need: hlen,
                have: buf.len(),
            });
        }
        let len = u32_at(buf, 16);
        let ty = u16_at(buf, 20);
        if (len as usize) < hlen {
            return Err(DecodeError::LengthTooSmall { len });
        }
        if len as usize > buf.len() {
            return Err(DecodeError::LengthPastBuffer {
                len,
                have: buf.len(),
            });
        }
        let mut bytes = &buf[..len as usize];
        // v1 headers always have u16 lengths; old notification and
        // infrastructure events declare 3 bytes too many (libscap corrects
        // this the same way).
        if version == HeaderVersion::V1
            && (ty == NOTIFICATION_E || ty == INFRASTRUCTURE_EVENT_E)
            && bytes.len() >= hlen + 3
        {
            bytes = &bytes[..bytes.len() - 3];
        }
        if version == HeaderVersion::V1
            && let Some(layout) = v1_with_table_count(bytes, ty)
        {
            return Ok(layout);
        }
        let large =
            version == HeaderVersion::V2 && event_info(ty).is_some_and(|i| i.large_payload());
        let lsize = if large { 4 } else { 2 };
        let nparams = match version {
            HeaderVersion::V2 => {
                let n = u32_at(buf, 22);
                if n as usize > MAX_PARAMS {
                    return Err(DecodeError::TooManyParams { nparams: n });
                }
                n as usize
            }
            HeaderVersion::V1 => {
                infer_nparams(bytes, ty, lsize).ok_or(DecodeError::NoParamCount { ty })?
            }
        };
        let lens_end = hlen + nparams * lsize;
        if lens_end > bytes.len() {
            return Err(DecodeError::ParamPastEvent {
                index: 0,
                len: (nparams * lsize) as u32,
                event_len: len,
            });
        }
        // Check once that every parameter lies inside the event, noting where
        // the first few start; `param` finds later ones by adding lengths,
        // which keeps this struct small (it is copied along the hot path).
        let mut off = lens_end as u64;
        let mut offs: u128 = 0;
        if version == HeaderVersion::V1 {
            // The count was inferred from these very lengths: they add up to
            // the event exactly, so only the first offsets are left to note.
            for (i, c) in bytes[hlen..lens_end]
                .chunks_exact(2)
                .take(QUICK)
                .enumerate()
            {
                offs |= u128::from(off as u16) << (16 * i);
                off += u64::from(u16::from_le_bytes([c[0], c[1]]));
            }
        } else {
            for i in 0..nparams {
                let at = hlen + i * lsize;
                let plen = if large {
                    u32_at(bytes, at)
                } else {
                    u32::from(u16_at(bytes, at))
                };
                if i < QUICK {
                    offs |= u128::from(off as u16) << (16 * i);
                }
                off += u64::from(plen);
                if off > bytes.len() as u64 {
                    return Err(DecodeError::ParamPastEvent {
                        index: i,
                        len: plen,
                        event_len: len,
                    });
                }
            }
        }
        Ok(Layout {
            version,
            bytes_len: bytes.len() as u32,
            nparams: nparams as u8,
            large,
            offs,
        })
    }
}

impl std::fmt::Debug for RawEvent<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RawEvent")
            .field("ts", &self.ts)
            .field("tid", &self.tid)
            .field("ty", &self.ty)
            .field("cpu", &self.cpu)
            .field("nparams", &self.nparams)
            .finish()
    }
}

#[inline]
fn u16_at(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}

#[inline]
fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

#[inline]
fn u64_at(b: &[u8], at: usize) -> u64 {
    let mut a = [0u8; 8];
    a.copy_from_slice(&b[at..at + 8]);
    u64::from_le_bytes(a)
}

impl<'a> RawEvent<'a> {
    /// Decodes the event at the start of `buf`. Bytes after the event's
    /// declared length are ignored.
    pub fn decode(
        buf: &'a [u8],
        version: HeaderVersion,
        cpu: u16,
        dump_flags: u32,
    ) -> Result<RawEvent<'a>, DecodeError> {
        let layout = Layout::decode(buf, version)?;
        Ok(RawEvent::from_layout(buf, layout, cpu, dump_flags))
    }

    /// The layout of this event, for [`RawEvent::from_layout`].
    pub fn layout(&self) -> Layout {
        Layout {
            version: self.version,
            bytes_len: self.bytes.len() as u32,
            nparams: self.nparams,
            large: self.large,
            offs: self.offs,
        }
    }

    /// Rebuilds an event from the bytes `decode` was given and the layout it
    /// returned. With other bytes the parameters may come out wrong (or
    /// missing), never out of bounds.
    #[inline]
    pub fn from_layout(buf: &'a [u8], layout: Layout, cpu: u16, dump_flags: u32) -> RawEvent<'a> {
        let hlen = layout.version.header_len();
        let bytes = buf.get(..layout.bytes_len as usize).unwrap_or(buf);
        let (ts, tid, len, ty) = if bytes.len() >= hlen {
            (
                u64_at(bytes, 0),
                u64_at(bytes, 8),
                u32_at(bytes, 16),
                u16_at(bytes, 20),
            )
        } else {
            (0, 0, 0, 0)
        };
        RawEvent {
            ts,
            tid,
            len,
            ty,
            cpu,
            dump_flags,
            version: layout.version,
            bytes,
            nparams: if bytes.len() >= hlen {
                layout.nparams
            } else {
                0
            },
            large: layout.large,
            lens_at: hlen as u8,
            offs: layout.offs,
        }
    }

    /// The number of parameters the event carries (which may differ from the
    /// table's count for events written by newer or older drivers).
    #[inline]
    pub fn nparams(&self) -> usize {
        self.nparams as usize
    }

    /// The bytes of parameter `i`, if the event carries it.
    #[inline]
    pub fn param(&self, i: usize) -> Option<&'a [u8]> {
        let n = self.nparams as usize;
        if i >= n {
            return None;
        }
        let b = self.bytes;
        let at = self.lens_at as usize;
        let mut off = if self.large { at + n * 4 } else { at + n * 2 };
        if off > b.len() {
            return None;
        }
        if !self.large && i < QUICK {
            let start = (self.offs >> (16 * i)) as u16 as usize;
            return b.get(start..start + u16_at(b, at + i * 2) as usize);
        }
        let len_of = |k: usize| {
            if self.large {
                u32_at(b, at + k * 4) as usize
            } else {
                u16_at(b, at + k * 2) as usize
            }
        };
        for k in 0..i {
            off += len_of(k);
        }
        // In bounds: `decode` checked every parameter against the event.
        b.get(off..off + len_of(i))
    }

    /// The event's bytes from parameter `i`'s start to the end of the
    /// event: where libsinsp's pointer to a parameter of length 0 points,
    /// so what it reads as that parameter's string.
    pub fn param_tail(&self, i: usize) -> &'a [u8] {
        let n = self.nparams as usize;
        let b = self.bytes;
        let at = self.lens_at as usize;
        let mut off = if self.large { at + n * 4 } else { at + n * 2 };
        for k in 0..i.min(n) {
            off += if self.large {
                u32_at(b, at + k * 4) as usize
            } else {
                u16_at(b, at + k * 2) as usize
            };
        }
        b.get(off..).unwrap_or(&[])
    }

    /// Every parameter's bytes, in order.
    pub fn params(&self) -> impl Iterator<Item = &'a [u8]> + 'a {
        let b = self.bytes;
        let at = self.lens_at as usize;
        let n = self.nparams as usize;
        let large = self.large;
        let lsize = if large { 4 } else { 2 };
        let mut off = at + n * lsize;
        let mut k = 0;
        std::iter::from_fn(move || {
            if k >= n || off > b.len() {
                return None;
            }
            let la = at + k * lsize;
            let len = if large {
                b.get(la..la + 4)
                    .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]) as usize)?
            } else {
                b.get(la..la + 2)
                    .map(|c| usize::from(u16::from_le_bytes([c[0], c[1]])))?
            };
            let v = b.get(off..off + len)?;
            off += len;
            k += 1;
            Some(v)
        })
    }

    /// Parameter `i` as a little-endian integer of the parameter's width,
    /// sign- or zero-extended to `i64` as its width and signedness say. A
    /// parameter shorter than the width reads as `None`.
    #[inline]
    pub fn param_int(&self, i: usize) -> Option<i64> {
        let b = self.param(i)?;
        Some(match b.len() {
            1 => i64::from(b[0]),
            2 => i64::from(u16_at(b, 0)),
            4 => i64::from(u32_at(b, 0)),
            8 => u64_at(b, 0) as i64,
            _ => return None,
        })
    }

    /// Parameter `i` as a signed integer, honouring the table type's sign.
    #[inline]
    pub fn param_i64(&self, i: usize) -> Option<i64> {
        let b = self.param(i)?;
        Some(match b.len() {
            1 => i64::from(b[0] as i8),
            2 => i64::from(u16_at(b, 0) as i16),
            4 => i64::from(u32_at(b, 0) as i32),
            8 => u64_at(b, 0) as i64,
            _ => return None,
        })
    }

    /// Parameter `i` as an unsigned integer of its width.
    #[inline]
    pub fn param_u64(&self, i: usize) -> Option<u64> {
        self.param_int(i).map(|v| v as u64)
    }

    /// Parameter `i` as a string: the bytes up to the first NUL.
    pub fn param_str(&self, i: usize) -> Option<&'a [u8]> {
        let b = self.param(i)?;
        Some(match b.iter().position(|&c| c == 0) {
            Some(n) => &b[..n],
            None => b,
        })
    }
}

/// The layout of a v1 event that carries as many parameters as the table
/// says (nearly all of them): one pass over the lengths sums them and notes
/// the offsets. `None` when the lengths do not add up to the event; then
/// [`infer_nparams`] searches for the count.
#[inline]
fn v1_with_table_count(bytes: &[u8], ty: u16) -> Option<Layout> {
    let hlen = HeaderVersion::V1.header_len();
    let n = event_info(ty)?.params.len();
    if n > MAX_PARAMS {
        return None;
    }
    let lens = bytes.get(hlen..hlen + 2 * n)?;
    let mut off = (hlen + 2 * n) as u64;
    let mut offs: u128 = 0;
    for (i, c) in lens.chunks_exact(2).enumerate() {
        if i < QUICK {
            offs |= u128::from(off as u16) << (16 * i);
        }
        off += u64::from(u16::from_le_bytes([c[0], c[1]]));
    }
    (off == bytes.len() as u64).then_some(Layout {
        version: HeaderVersion::V1,
        bytes_len: bytes.len() as u32,
        nparams: n as u8,
        large: false,
        offs,
    })
}

/// The v1 header has no parameter count. Start from the table's count and
/// go down until the lengths add up to the event's length, as libscap does.
/// The parameter count of a v1 event: `None` when no count fits. (An
/// `Option` comes back in registers; a `Result` carrying a `DecodeError`
/// would come back through memory, which stalls the caller that reads it
/// at once.)
fn infer_nparams(bytes: &[u8], ty: u16, lsize: usize) -> Option<usize> {
    let hlen = HeaderVersion::V1.header_len();
    let table_n = event_info(ty).map_or(0, |i| i.params.len()).min(MAX_PARAMS);
    let len = bytes.len();
    let read_len = |i: usize| {
        let at = hlen + i * lsize;
        if lsize == 4 {
            u32_at(bytes, at) as usize
        } else {
            u16_at(bytes, at) as usize
        }
    };
    // The largest n whose lengths fit is where the search starts; sums for
    // smaller n follow by subtraction, so the search is linear.
    let mut n = table_n;
    while n > 0 && hlen + n * lsize > len {
        n -= 1;
    }
    let mut sum: usize = if lsize == 2 {
        bytes[hlen..hlen + 2 * n]
            .chunks_exact(2)
            .map(|c| usize::from(u16::from_le_bytes([c[0], c[1]])))
            .sum()
    } else {
        (0..n).map(read_len).sum()
    };
    loop {
        let lens_end = hlen + n * lsize;
        // Fewer bytes than the lengths claim can only shrink further as
        // n decreases: the event is corrupt, as libscap also concludes.
        if sum < len - lens_end {
            return None;
        }
        if sum == len - lens_end {
            return Some(n);
        }
        if n == 0 {
            return None;
        }
        n -= 1;
        sum -= read_len(n);
    }
}

const NOTIFICATION_E: u16 = 280;
const INFRASTRUCTURE_EVENT_E: u16 = 286;

/// The fixed width of a parameter type, for types that have one.
pub fn fixed_width(ty: ParamType) -> Option<usize> {
    use ParamType as P;
    Some(match ty {
        P::Int8 | P::Uint8 | P::Flags8 | P::Sigtype | P::L4proto | P::Sockfamily => 1,
        P::Int16 | P::Uint16 | P::Flags16 | P::Port | P::Syscallid => 2,
        P::Int32
        | P::Uint32
        | P::Flags32
        | P::Mode
        | P::Uid
        | P::Gid
        | P::Bool
        | P::Sigset
        | P::Ipv4addr => 4,
        P::Int64 | P::Uint64 | P::Errno | P::Fd | P::Pid | P::Reltime | P::Abstime | P::Double => 8,
        _ => return None,
    })
}
