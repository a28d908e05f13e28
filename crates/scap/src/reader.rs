//! Splitting a byte stream into blocks, and decoding each one.

use std::io::{self, Read};

use sonde_event::{DecodeError, HeaderVersion, Layout, RawEvent, event_info};

use crate::FdRecord;
use crate::block::BlockType;
use crate::records::{self, InterfaceRecord, MachineInfo, RecordError, ThreadRecord, UserList};

/// The largest non-LARGE block body libscap accepts (`READER_BUF_SIZE`).
const MAX_SMALL_BLOCK: u32 = 65536;
/// The ids of EV_V2 and EV blocks, by far the commonest.
const EV_V2: u32 = 0x216;
const EV_V1: u32 = 0x204;
/// A sanity bound for LARGE blocks, so a corrupt length cannot make us
/// allocate gigabytes.
const MAX_LARGE_BLOCK: u32 = 256 << 20;

/// Where [`BlockReader::fast_frame`] found an event block.
struct Frame {
    at: usize,
    total: usize,
    version: HeaderVersion,
    cpu: u16,
    offset: u64,
}

/// An event block framed by [`BlockReader::next_event_frame`], not yet
/// decoded.
#[derive(Debug, Clone, Copy)]
pub struct EventFrame<'a> {
    /// The event: header and parameters (the block's body after the cpu).
    pub bytes: &'a [u8],
    pub version: HeaderVersion,
    pub cpu: u16,
    /// The offset of the block (in the uncompressed stream).
    pub offset: u64,
}

impl EventFrame<'_> {
    /// Checks the event and notes where its parameters lie, for
    /// [`RawEvent::from_layout`] (on the frame's bytes), with the error
    /// [`BlockReader::next_block`] would have given.
    #[inline]
    pub fn layout(&self) -> Result<Layout, ReadError> {
        Layout::decode(self.bytes, self.version)
            .map_err(|e| frame_error(self.offset, self.version, e))
    }
}

fn frame_error(offset: u64, version: HeaderVersion, e: DecodeError) -> ReadError {
    let raw_type = match version {
        HeaderVersion::V2 => EV_V2,
        HeaderVersion::V1 => EV_V1,
    };
    ReadError {
        offset,
        block: Some(BlockType::from_u32(raw_type)),
        kind: ErrorKind::Event(e),
    }
}

/// A read failure, with where it happened.
#[derive(Debug, thiserror::Error)]
#[error("at byte offset {offset}{}: {kind}", block.map(|b| format!(" in {} block", b.name())).unwrap_or_default())]
pub struct ReadError {
    /// The offset of the start of the block (in the uncompressed stream).
    pub offset: u64,
    pub block: Option<BlockType>,
    pub kind: ErrorKind,
}

#[derive(Debug, thiserror::Error)]
pub enum ErrorKind {
    #[error("the file is empty")]
    Empty,
    #[error("not a capture file: the first block is not a section header (type 0x{0:08X})")]
    NotCapture(u32),
    #[error("bad byte-order magic 0x{0:08X} (expected 0x1A2B3C4D)")]
    BadMagic(u32),
    #[error("unsupported format version {major}.{minor} (this reader knows 1.x)")]
    Version { major: u16, minor: u16 },
    #[error("truncated: the block needs {need} bytes, the file ends {have} bytes into it")]
    Truncated { need: u64, have: u64 },
    #[error("corrupted block length {0}")]
    BadLength(u32),
    #[error("block trailer says length {trailer}, header says {header}")]
    TrailerMismatch { header: u32, trailer: u32 },
    #[error("event: {0}")]
    Event(#[from] DecodeError),
    #[error("{0}")]
    Record(#[from] RecordError),
    #[error("I/O error: {0}")]
    Io(#[from] io::Error),
}

/// The section header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SectionHeader {
    pub major: u16,
    pub minor: u16,
}

/// One decoded block.
// Events are the hot path and metadata blocks are rare: boxing the event
// would cost an allocation per event to save stack space nobody misses.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum Block<'a> {
    Section(SectionHeader),
    MachineInfo(MachineInfo),
    Threads(Vec<ThreadRecord>),
    Fds {
        tid: u64,
        fds: Vec<FdRecord>,
    },
    Interfaces(Vec<InterfaceRecord>),
    Users(UserList),
    Event(RawEvent<'a>),
    /// An event whose type the table does not know. Sysdig 0.29.3 skips these
    /// silently; the caller counts them.
    UnknownEvent {
        ty: u16,
        ts: u64,
        tid: u64,
    },
    /// A block type this reader does not know, skipped by its length.
    Unknown {
        block_type: u32,
    },
}

/// Reads blocks from a byte stream.
///
/// Blocks are decoded in place in one large buffer that is refilled with big
/// reads, so an event is never copied between the file and its consumer.
pub struct BlockReader<R> {
    inner: R,
    buf: Vec<u8>,
    /// The unread bytes are `buf[start..end]`.
    start: usize,
    end: usize,
    /// Stream offset of `buf[start]`.
    offset: u64,
    eof: bool,
    started: bool,
}

/// How much is read at a time.
const CHUNK: usize = 1 << 20;

impl<R: Read> BlockReader<R> {
    pub fn new(inner: R) -> Self {
        BlockReader {
            inner,
            buf: vec![0; 2 * CHUNK],
            start: 0,
            end: 0,
            offset: 0,
            eof: false,
            started: false,
        }
    }

    /// The offset of the next block in the (uncompressed) stream.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// Makes at least `n` unread bytes available, unless the stream ends
    /// first; returns how many are available.
    #[inline]
    fn ensure(&mut self, n: usize) -> io::Result<usize> {
        let have = self.end - self.start;
        if have >= n {
            return Ok(have);
        }
        self.refill(n)
    }

    #[cold]
    fn refill(&mut self, n: usize) -> io::Result<usize> {
        while self.end - self.start < n && !self.eof {
            if self.buf.len() - self.start < n.max(CHUNK) {
                // Move the unread bytes to the front, growing for big blocks.
                self.buf.copy_within(self.start..self.end, 0);
                self.end -= self.start;
                self.start = 0;
                if self.buf.len() < n + CHUNK {
                    self.buf.resize(n + CHUNK, 0);
                }
            }
            match self.inner.read(&mut self.buf[self.end..]) {
                Ok(0) => self.eof = true,
                Ok(k) => self.end += k,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(self.end - self.start)
    }

    /// The next block, `None` at a clean end of stream.
    #[inline]
    pub fn next_block(&mut self) -> Result<Option<Block<'_>>, ReadError> {
        // Fast path: a whole, well-formed event block already in the buffer
        // (nearly every block of a capture).
        if let Some(f) = self.fast_frame() {
            self.start += f.total;
            self.offset += f.total as u64;
            let body = &self.buf[f.at + 8..f.at + f.total - 4];
            return match RawEvent::decode(&body[2..], f.version, f.cpu, 0) {
                Ok(e) => Ok(Some(Block::Event(e))),
                Err(e) => Err(frame_error(f.offset, f.version, e)),
            };
        }
        self.next_block_slow()
    }

    /// The next block if it is a whole, well-formed event block already in
    /// the buffer, framed but not decoded: for a consumer that decodes on
    /// another thread ([`EventFrame::layout`]). `None` means "call
    /// [`next_block`](Self::next_block)", not the end of the stream.
    pub fn next_event_frame(&mut self) -> Option<EventFrame<'_>> {
        let f = self.fast_frame()?;
        self.start += f.total;
        self.offset += f.total as u64;
        Some(EventFrame {
            bytes: &self.buf[f.at + 10..f.at + f.total - 4],
            version: f.version,
            cpu: f.cpu,
            offset: f.offset,
        })
    }

    /// Where the next block lies when it is a whole EV or EV_V2 block with
    /// a known event type; consumes nothing.
    #[inline]
    fn fast_frame(&self) -> Option<Frame> {
        let avail = self.end - self.start;
        if !self.started || avail < 8 {
            return None;
        }
        let at = self.start;
        let h = &self.buf[at..at + 8];
        let raw_type = u32::from_le_bytes([h[0], h[1], h[2], h[3]]);
        let total = u32::from_le_bytes([h[4], h[5], h[6], h[7]]) as usize;
        let version = match raw_type {
            EV_V2 => HeaderVersion::V2,
            EV_V1 => HeaderVersion::V1,
            _ => return None,
        };
        if total > avail
            || !(12 + 2..=MAX_SMALL_BLOCK as usize + 12).contains(&total)
            || !total.is_multiple_of(4)
        {
            return None;
        }
        let t = &self.buf[at + total - 4..at + total];
        if u32::from_le_bytes([t[0], t[1], t[2], t[3]]) as usize != total {
            return None;
        }
        let body = &self.buf[at + 8..at + total - 4];
        let ev = &body[2..];
        if ev.len() < 22 || event_info(u16::from_le_bytes([ev[20], ev[21]])).is_none() {
            return None;
        }
        Some(Frame {
            at,
            total,
            version,
            cpu: u16::from_le_bytes([body[0], body[1]]),
            offset: self.offset,
        })
    }

    fn next_block_slow(&mut self) -> Result<Option<Block<'_>>, ReadError> {
        let block_start = self.offset;
        let err = |block, kind| ReadError {
            offset: block_start,
            block,
            kind,
        };
        let got = self.ensure(8).map_err(|e| err(None, e.into()))?;
        if got == 0 {
            if !self.started {
                return Err(err(None, ErrorKind::Empty));
            }
            return Ok(None);
        }
        if got < 8 {
            return Err(err(
                None,
                ErrorKind::Truncated {
                    need: 8,
                    have: got as u64,
                },
            ));
        }
        let h = &self.buf[self.start..self.start + 8];
        let raw_type = u32::from_le_bytes([h[0], h[1], h[2], h[3]]);
        let total = u32::from_le_bytes([h[4], h[5], h[6], h[7]]);
        let bt = BlockType::from_u32(raw_type);
        if !self.started && bt != BlockType::SectionHeader {
            return Err(err(None, ErrorKind::NotCapture(raw_type)));
        }
        self.started = true;
        let limit = match bt {
            BlockType::Event { large: false, .. } => MAX_SMALL_BLOCK + 12,
            // Metadata blocks can be large (a process list of a busy host).
            _ => MAX_LARGE_BLOCK,
        };
        if total < 12 || !total.is_multiple_of(4) || total > limit {
            return Err(err(Some(bt), ErrorKind::BadLength(total)));
        }
        let total = total as usize;
        let got = self.ensure(total).map_err(|e| err(Some(bt), e.into()))?;
        if got < total {
            self.offset += got as u64;
            self.start = self.end;
            return Err(err(
                Some(bt),
                ErrorKind::Truncated {
                    need: total as u64,
                    have: got as u64,
                },
            ));
        }
        let at = self.start;
        let t = &self.buf[at + total - 4..at + total];
        let trailer = u32::from_le_bytes([t[0], t[1], t[2], t[3]]);
        if trailer as usize != total {
            return Err(err(
                Some(bt),
                ErrorKind::TrailerMismatch {
                    header: total as u32,
                    trailer,
                },
            ));
        }
        self.start += total;
        self.offset += total as u64;
        let body = &self.buf[at + 8..at + total - 4];
        decode_block(bt, raw_type, body).map_err(|kind| err(Some(bt), kind))
    }
}

fn decode_block(bt: BlockType, raw_type: u32, body: &[u8]) -> Result<Option<Block<'_>>, ErrorKind> {
    Ok(Some(match bt {
        BlockType::SectionHeader => {
            // magic u32, major u16, minor u16, section length u64; pcapng
            // options may follow and are skipped.
            if body.len() < 16 {
                return Err(RecordError::Short {
                    field: "section header",
                    at: body.len(),
                    len: 16,
                }
                .into());
            }
            let magic = u32::from_le_bytes([body[0], body[1], body[2], body[3]]);
            if magic != 0x1A2B_3C4D {
                return Err(ErrorKind::BadMagic(magic));
            }
            let major = u16::from_le_bytes([body[4], body[5]]);
            let minor = u16::from_le_bytes([body[6], body[7]]);
            if major > 1 {
                return Err(ErrorKind::Version { major, minor });
            }
            Block::Section(SectionHeader { major, minor })
        }
        BlockType::MachineInfo => Block::MachineInfo(records::parse_machine_info(body)?),
        BlockType::ProcessList(v) => Block::Threads(records::parse_process_list(v, body)?),
        BlockType::FdList(v) => {
            let (tid, fds) = records::parse_fd_list(v, body)?;
            Block::Fds { tid, fds }
        }
        BlockType::InterfaceList(v) => Block::Interfaces(records::parse_interface_list(v, body)?),
        BlockType::UserList(v) => Block::Users(records::parse_user_list(v, body)?),
        BlockType::Event { flags, v2, .. } => {
            if body.len() < 2 {
                return Err(DecodeError::ShortHeader {
                    need: 2,
                    have: body.len(),
                }
                .into());
            }
            let cpu = u16::from_le_bytes([body[0], body[1]]);
            let (dump_flags, ev) = if flags {
                if body.len() < 6 {
                    return Err(DecodeError::ShortHeader {
                        need: 6,
                        have: body.len(),
                    }
                    .into());
                }
                (
                    u32::from_le_bytes([body[2], body[3], body[4], body[5]]),
                    &body[6..],
                )
            } else {
                (0, &body[2..])
            };
            let version = if v2 {
                HeaderVersion::V2
            } else {
                HeaderVersion::V1
            };
            if ev.len() >= 22 {
                let ty = u16::from_le_bytes([ev[20], ev[21]]);
                if event_info(ty).is_none() {
                    let ts = u64::from_le_bytes(ev[0..8].try_into().unwrap_or_default());
                    let tid = u64::from_le_bytes(ev[8..16].try_into().unwrap_or_default());
                    return Ok(Some(Block::UnknownEvent { ty, ts, tid }));
                }
            }
            Block::Event(RawEvent::decode(ev, version, cpu, dump_flags)?)
        }
        BlockType::Unknown(_) => Block::Unknown {
            block_type: raw_type,
        },
    }))
}
