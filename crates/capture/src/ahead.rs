//! Reading ahead on a second thread.
//!
//! The reader thread runs a [`BlockReader`] and copies each event's bytes
//! into a chunk with the event's [`Layout`]; metadata blocks travel as the
//! owned records they decode to. The consumer rebuilds every event with
//! [`RawEvent::from_layout`], which costs a few loads, so reading,
//! decompressing, framing and validating all happen off the consumer's
//! thread. Chunk buffers are handed back for reuse.

use std::io::{self, Read};
use std::sync::mpsc::{Receiver, Sender, SyncSender, sync_channel};
use std::thread;

use sonde_event::{HeaderVersion, Layout, RawEvent};
use sonde_scap::{Block, BlockReader, EventFrame, ReadError};

/// Bytes of events per chunk.
const CHUNK_BYTES: usize = 256 << 10;
/// How far ahead the consumer touches event bytes.
const PREFETCH_ITEMS: usize = 24;
/// Chunks in flight.
const DEPTH: usize = 4;

/// One block of a chunk. Items are plain data (no drop glue), so that
/// emptying a chunk of thousands of events costs nothing.
#[derive(Clone, Copy)]
enum Item {
    Event {
        start: u32,
        layout: Layout,
        cpu: u16,
        dump_flags: u32,
    },
    /// An event framed but not decoded: the consumer decodes it
    /// (see [`ReadAhead::spawn`]).
    Frame {
        start: u32,
        len: u32,
        version: HeaderVersion,
        cpu: u16,
        offset: u64,
    },
    /// Anything else, held in the chunk's `side` list at this index.
    Side(u32),
}

/// What does not borrow the reader's buffer: metadata blocks and errors
/// (rare next to events).
enum Side {
    Block(Block<'static>),
    Error(ReadError),
}

struct Chunk {
    data: Vec<u8>,
    items: Vec<Item>,
    /// Taken by the consumer as it reaches them.
    side: Vec<Option<Side>>,
}

impl Chunk {
    fn push_side(&mut self, s: Side) {
        self.items.push(Item::Side(self.side.len() as u32));
        self.side.push(Some(s));
    }

    /// The parts of item `i` when it is an event: an `Event`'s as noted, a
    /// `Frame`'s (an event left to the consumer's thread) once checked here.
    /// A bad frame becomes the error `next_block` reports; other items are
    /// `None` and stay.
    #[inline]
    fn event_parts(&mut self, i: usize) -> Option<(u32, Layout, u16, u32)> {
        match *self.items.get(i)? {
            Item::Event {
                start,
                layout,
                cpu,
                dump_flags,
            } => Some((start, layout, cpu, dump_flags)),
            Item::Frame {
                start,
                len,
                version,
                cpu,
                offset,
            } => match self.frame(start, len, version, cpu, offset).layout() {
                Ok(layout) => Some((start, layout, cpu, 0)),
                Err(e) => {
                    self.items[i] = Item::Side(self.side.len() as u32);
                    self.side.push(Some(Side::Error(e)));
                    None
                }
            },
            Item::Side(_) => None,
        }
    }

    /// The event of a `Frame` item, framed but not yet checked.
    fn frame(
        &self,
        start: u32,
        len: u32,
        version: HeaderVersion,
        cpu: u16,
        offset: u64,
    ) -> EventFrame<'_> {
        EventFrame {
            bytes: self
                .data
                .get(start as usize..start as usize + len as usize)
                .unwrap_or(&[]),
            version,
            cpu,
            offset,
        }
    }

    /// The reader thread wrote the items and the bytes on the other core:
    /// asks for those of the event `PREFETCH_ITEMS` after item `i`, so that
    /// they are on their way while item `i` is processed.
    #[inline]
    fn prefetch_after(&self, i: usize) {
        if let Some(ahead) = self.items.get(i + PREFETCH_ITEMS) {
            prefetch(std::ptr::from_ref(ahead).cast());
            if let Item::Event { start, .. } = *ahead
                && let Some(b) = self.data.get(start as usize)
            {
                prefetch(std::ptr::from_ref(b));
            }
        }
    }
}

pub(crate) struct ReadAhead {
    rx: Receiver<Chunk>,
    recycle: Sender<Chunk>,
    cur: Option<Chunk>,
    next: usize,
    done: bool,
}

/// Starts loading the cache line at `p` without waiting for it.
#[inline(always)]
#[allow(unsafe_code)]
fn prefetch(p: *const u8) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch is a hint: it reads nothing the program sees and
    // never faults, whatever the address; SSE is part of x86_64.
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(p.cast());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}

/// A metadata block, detached from the reader's buffer.
fn detach(b: Block<'_>) -> Block<'static> {
    match b {
        Block::Section(h) => Block::Section(h),
        Block::MachineInfo(m) => Block::MachineInfo(m),
        Block::Threads(t) => Block::Threads(t),
        Block::Fds { tid, fds } => Block::Fds { tid, fds },
        Block::Interfaces(i) => Block::Interfaces(i),
        Block::Users(u) => Block::Users(u),
        Block::UnknownEvent { ty, ts, tid } => Block::UnknownEvent { ty, ts, tid },
        Block::Unknown { block_type } => Block::Unknown { block_type },
        // Events are copied into chunks by the caller, never detached.
        Block::Event(_) => Block::Unknown { block_type: 0 },
    }
}

fn produce<R: Read>(
    mut reader: BlockReader<R>,
    defer_decode: bool,
    tx: SyncSender<Chunk>,
    recycled: Receiver<Chunk>,
) {
    let fresh = || Chunk {
        data: Vec::with_capacity(CHUNK_BYTES + 4096),
        items: Vec::with_capacity(4096),
        side: Vec::new(),
    };
    let mut chunk = fresh();
    loop {
        // Nearly every block is a whole event block in the reader's buffer:
        // frame it and note its layout here, straight into the chunk.
        let full = if let Some(f) = reader.next_event_frame() {
            let start = chunk.data.len() as u32;
            if defer_decode {
                chunk.items.push(Item::Frame {
                    start,
                    len: f.bytes.len() as u32,
                    version: f.version,
                    cpu: f.cpu,
                    offset: f.offset,
                });
            } else {
                match f.layout() {
                    Ok(layout) => chunk.items.push(Item::Event {
                        start,
                        layout,
                        cpu: f.cpu,
                        dump_flags: 0,
                    }),
                    Err(e) => {
                        chunk.push_side(Side::Error(e));
                        let _ = tx.send(chunk);
                        return;
                    }
                }
            }
            chunk.data.extend_from_slice(f.bytes);
            chunk.data.len() >= CHUNK_BYTES
        } else {
            match reader.next_block() {
                Ok(Some(Block::Event(ev))) => {
                    let start = chunk.data.len() as u32;
                    chunk.data.extend_from_slice(ev.bytes);
                    chunk.items.push(Item::Event {
                        start,
                        layout: ev.layout(),
                        cpu: ev.cpu,
                        dump_flags: ev.dump_flags,
                    });
                    chunk.data.len() >= CHUNK_BYTES
                }
                Ok(Some(other)) => {
                    chunk.push_side(Side::Block(detach(other)));
                    true
                }
                Ok(None) => {
                    let _ = tx.send(chunk);
                    return;
                }
                Err(e) => {
                    chunk.push_side(Side::Error(e));
                    let _ = tx.send(chunk);
                    return;
                }
            }
        };
        if full {
            if tx.send(chunk).is_err() {
                return;
            }
            chunk = reuse(&recycled).unwrap_or_else(fresh);
        }
    }
}

/// A chunk the consumer handed back, emptied.
fn reuse(recycled: &Receiver<Chunk>) -> Option<Chunk> {
    let mut c = recycled.try_recv().ok()?;
    c.data.clear();
    c.items.clear();
    c.side.clear();
    Some(c)
}

impl ReadAhead {
    /// Starts the reader thread. With `defer_decode` it only frames event
    /// blocks and the consumer decodes (and validates) them: the balance for
    /// a consumer with little else to do per event, whose thread would
    /// otherwise wait for the reader's.
    pub(crate) fn spawn<R: Read + Send + 'static>(
        reader: BlockReader<R>,
        defer_decode: bool,
    ) -> io::Result<ReadAhead> {
        let (tx, rx) = sync_channel(DEPTH);
        let (recycle, recycled) = std::sync::mpsc::channel();
        thread::Builder::new()
            .name("sonde-read".into())
            .spawn(move || produce(reader, defer_decode, tx, recycled))?;
        Ok(ReadAhead {
            rx,
            recycle,
            cur: None,
            next: 0,
            done: false,
        })
    }

    /// Makes `cur[next]` the next item; `false` at the end.
    fn advance(&mut self) -> bool {
        loop {
            if self.done {
                return false;
            }
            if self.cur.as_ref().is_some_and(|c| self.next < c.items.len()) {
                return true;
            }
            if let Some(old) = self.cur.take() {
                let _ = self.recycle.send(old);
            }
            match self.rx.recv() {
                Ok(c) => {
                    self.cur = Some(c);
                    self.next = 0;
                }
                Err(_) => {
                    self.done = true;
                    return false;
                }
            }
        }
    }

    /// The next item when it is an event in the current chunk: the fast
    /// path for nearly every block. `None` means "ask
    /// [`next_block`](Self::next_block)", which moves to the next chunk,
    /// returns other blocks and errors, and says where the stream ends.
    ///
    /// The event is built here and used in place by the caller: an event
    /// moved through enums is copied in pieces, which stalls the store
    /// buffer.
    #[inline]
    pub(crate) fn next_event(&mut self) -> Option<RawEvent<'_>> {
        let c = self.cur.as_mut()?;
        let i = self.next;
        let (start, layout, cpu, dump_flags) = c.event_parts(i)?;
        self.next = i + 1;
        c.prefetch_after(i);
        let bytes = c.data.get(start as usize..).unwrap_or(&[]);
        Some(RawEvent::from_layout(bytes, layout, cpu, dump_flags))
    }

    pub(crate) fn next_block(&mut self) -> Result<Option<Block<'_>>, ReadError> {
        // Items are only ever taken at `next`, so the one `advance` finds is
        // always there.
        if !self.advance() {
            return Ok(None);
        }
        let i = self.next;
        let Some(c) = self.cur.as_mut() else {
            return Ok(None);
        };
        if c.event_parts(i).is_some() {
            // An event: the fast path's way.
            return Ok(self.next_event().map(Block::Event));
        }
        if let Some(&Item::Side(k)) = c.items.get(i) {
            self.next = i + 1;
            return match c.side.get_mut(k as usize).and_then(Option::take) {
                Some(Side::Block(b)) => Ok(Some(b)),
                Some(Side::Error(e)) => {
                    self.done = true;
                    Err(e)
                }
                None => Ok(None),
            };
        }
        Ok(None)
    }
}
