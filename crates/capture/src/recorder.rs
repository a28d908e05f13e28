//! The flight recorder: the most recent events of a live capture, kept in
//! memory up to a size, to be written out when something asks for them (a
//! signal, an alert) together with what follows.

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// Bytes per chunk: events are stored back to back in chunks, and the
/// oldest chunk goes when the recorder is full (no allocation per event).
const CHUNK: usize = 1 << 20;
/// Each event's prefix in a chunk: the CPU (u16) and the length (u32).
const PREFIX: usize = 6;

/// The most recent events, at most `capacity` bytes of them (give or take
/// one chunk).
pub struct FlightRecorder {
    capacity: usize,
    chunks: VecDeque<Vec<u8>>,
    bytes: usize,
    /// Events dropped from the front since the start.
    forgotten: u64,
}

impl FlightRecorder {
    pub fn new(capacity: usize) -> FlightRecorder {
        FlightRecorder {
            capacity: capacity.max(CHUNK),
            chunks: VecDeque::new(),
            bytes: 0,
            forgotten: 0,
        }
    }

    /// Keeps one event (its scap bytes and the CPU it was recorded on),
    /// forgetting the oldest ones if the recorder is full.
    pub fn push(&mut self, cpu: u16, event: &[u8]) {
        let need = PREFIX + event.len();
        let fits = self
            .chunks
            .back()
            .is_some_and(|c| c.len() + need <= c.capacity());
        if !fits {
            let mut chunk = if self.bytes + CHUNK.max(need) > self.capacity {
                self.forget_oldest().unwrap_or_default()
            } else {
                Vec::new()
            };
            chunk.clear();
            chunk.reserve(CHUNK.max(need));
            self.chunks.push_back(chunk);
        }
        if let Some(c) = self.chunks.back_mut() {
            c.extend_from_slice(&cpu.to_le_bytes());
            c.extend_from_slice(&(event.len() as u32).to_le_bytes());
            c.extend_from_slice(event);
            self.bytes += need;
        }
    }

    /// Drops the oldest chunk; returns it for reuse.
    fn forget_oldest(&mut self) -> Option<Vec<u8>> {
        let c = self.chunks.pop_front()?;
        self.bytes -= c.len();
        self.forgotten += events_in(&c) as u64;
        Some(c)
    }

    /// The events kept, oldest first, as `(cpu, bytes)`.
    pub fn events(&self) -> impl Iterator<Item = (u16, &[u8])> {
        self.chunks.iter().flat_map(|c| ChunkEvents { rest: c })
    }

    /// How many bytes of events are kept.
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// How many events were forgotten to make room.
    pub fn forgotten(&self) -> u64 {
        self.forgotten
    }

    /// Forgets everything (after the events were written out).
    pub fn clear(&mut self) {
        self.chunks.clear();
        self.bytes = 0;
    }
}

fn events_in(chunk: &[u8]) -> usize {
    ChunkEvents { rest: chunk }.count()
}

struct ChunkEvents<'a> {
    rest: &'a [u8],
}

impl<'a> Iterator for ChunkEvents<'a> {
    type Item = (u16, &'a [u8]);

    fn next(&mut self) -> Option<Self::Item> {
        let head = self.rest.get(..PREFIX)?;
        let cpu = u16::from_le_bytes([head[0], head[1]]);
        let len = u32::from_le_bytes([head[2], head[3], head[4], head[5]]) as usize;
        let ev = self.rest.get(PREFIX..PREFIX + len)?;
        self.rest = &self.rest[PREFIX + len..];
        Some((cpu, ev))
    }
}

/// Asks a running flight recorder to write out what it holds: fired by
/// SIGUSR1, or by any part of sonde that holds a clone (an alert, an
/// incident's runbook).
#[derive(Clone, Default)]
pub struct Trigger(Arc<AtomicBool>);

impl Trigger {
    pub fn new() -> Trigger {
        Trigger::default()
    }

    /// Asks for a dump; several asks before the recorder looks are one.
    pub fn fire(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    /// Whether a dump was asked for since the last call (and resets it).
    pub fn take(&self) -> bool {
        self.0.swap(false, Ordering::SeqCst)
    }

    /// The flag a signal handler sets (`signal_hook::flag::register`).
    pub fn flag(&self) -> Arc<AtomicBool> {
        Arc::clone(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_newest_events_within_its_capacity() {
        let mut r = FlightRecorder::new(CHUNK * 2);
        let ev = vec![7u8; 1000];
        let n = 10_000u32;
        for i in 0..n {
            let mut e = ev.clone();
            e[..4].copy_from_slice(&i.to_le_bytes());
            r.push((i % 2) as u16, &e);
        }
        assert!(r.bytes() <= CHUNK * 2, "{} bytes kept", r.bytes());
        let kept: Vec<(u16, u32)> = r
            .events()
            .map(|(cpu, e)| (cpu, u32::from_le_bytes([e[0], e[1], e[2], e[3]])))
            .collect();
        // The newest events, in order, none missing between the oldest kept
        // and the last.
        let first = kept[0].1;
        assert_eq!(kept.last().map(|k| k.1), Some(n - 1));
        assert!(
            kept.iter()
                .zip(first..)
                .all(|(k, i)| k.1 == i && k.0 == (i % 2) as u16)
        );
        assert_eq!(r.forgotten(), u64::from(first));
        assert!(kept.len() > 1000, "at least one chunk's worth is kept");
    }

    #[test]
    fn an_event_larger_than_a_chunk_is_kept_whole() {
        let mut r = FlightRecorder::new(CHUNK);
        let big = vec![1u8; CHUNK + 10];
        r.push(3, b"small");
        r.push(1, &big);
        let last = r.events().last().expect("an event");
        assert_eq!((last.0, last.1.len()), (1, CHUNK + 10));
    }

    #[test]
    fn a_trigger_fires_once_per_ask() {
        let t = Trigger::new();
        let other = t.clone();
        assert!(!t.take());
        other.fire();
        other.fire();
        assert!(t.take());
        assert!(!t.take());
    }
}
