//! The on-disk queue between collection and delivery: every batch the agent
//! seals is a file in `ROOT/queue/` before anything tries to post it, so a
//! server that is down for a day, an agent restarted during the outage, or a
//! crash loses nothing. Files are written whole and renamed into place, so
//! a crash mid-write leaves no half batch; they are named by a sequence
//! number, so delivery takes the oldest first.
//!
//! The queue is bounded in bytes: past the bound the oldest batches are
//! dropped and counted (`ROOT/queue/dropped` keeps the count across
//! restarts). When the disk itself refuses a write (full, read-only), the
//! batch is held in memory (up to a day of batches) and written when the
//! disk takes it again; it is still delivered if the server answers first.

use std::collections::VecDeque;
use std::io::Write;
use std::path::{Path, PathBuf};

/// One thing to post: what it is (`metrics`, `checks`, `graph-defs`,
/// `metadata/NAME`) and its JSON body.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Item {
    pub kind: String,
    pub body: serde_json::Value,
}

/// Where an item handed out by [`Queue::peek`] is: a file, or taken out of
/// the memory spill while it is being posted (so that writing the spill to
/// disk meanwhile cannot copy it, and removing it cannot remove another).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    File(u64),
    Memory,
}

#[derive(Debug)]
pub struct Queue {
    dir: PathBuf,
    max_bytes: u64,
    next_seq: u64,
    /// Files on disk, oldest first: (sequence, size).
    files: VecDeque<(u64, u64)>,
    bytes: u64,
    /// Batches the disk refused.
    spill: VecDeque<Item>,
    /// Batches dropped to keep the bound, ever.
    dropped: u64,
    /// The spilled batch being posted, out of `spill` until it is taken
    /// ([`Queue::remove`]) or handed back ([`Queue::release`]).
    inflight: Option<Item>,
    /// The last write error, while the disk refuses writes.
    pub disk_error: Option<String>,
    /// Held for the queue's life: two agents on one state directory would
    /// reuse each other's sequence numbers.
    _lock: std::fs::File,
}

/// Batches held in memory at most when the disk refuses them (a day of
/// one-minute batches).
const MAX_SPILL: usize = 1440;

impl Queue {
    /// Opens (creating) the queue in `dir`, picking up the batches a
    /// previous run left; half-written files are removed.
    pub fn open(dir: &Path, max_bytes: u64) -> std::io::Result<Queue> {
        std::fs::create_dir_all(dir)?;
        let lock = std::fs::File::create(dir.join("lock"))?;
        lock.try_lock().map_err(|_| {
            std::io::Error::new(
                std::io::ErrorKind::WouldBlock,
                "another sonde agent uses this state directory",
            )
        })?;
        let mut files = Vec::new();
        let mut bytes = 0;
        for entry in std::fs::read_dir(dir)? {
            let entry = entry?;
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if name.ends_with(".tmp") {
                let _ = std::fs::remove_file(entry.path());
                continue;
            }
            if let Some(seq) = name
                .strip_suffix(".json")
                .and_then(|s| s.parse::<u64>().ok())
            {
                let size = entry.metadata()?.len();
                bytes += size;
                files.push((seq, size));
            }
        }
        files.sort_unstable();
        let dropped = std::fs::read_to_string(dir.join("dropped"))
            .ok()
            .and_then(|s| s.trim().parse().ok())
            .unwrap_or(0);
        Ok(Queue {
            dir: dir.to_owned(),
            max_bytes,
            next_seq: files.last().map_or(0, |(s, _)| s + 1),
            files: files.into(),
            bytes,
            spill: VecDeque::new(),
            inflight: None,
            dropped,
            disk_error: None,
            _lock: lock,
        })
    }

    /// Makes renames and removals durable (a power cut must not bring back
    /// a delivered batch or lose a written one).
    fn sync_dir(&self) {
        if let Ok(d) = std::fs::File::open(&self.dir) {
            let _ = d.sync_all();
        }
    }

    fn path(&self, seq: u64) -> PathBuf {
        self.dir.join(format!("{seq:016}.json"))
    }

    fn write(&self, seq: u64, item: &Item) -> std::io::Result<u64> {
        let bytes = serde_json::to_vec(item).map_err(std::io::Error::other)?;
        let tmp = self.dir.join(format!("{seq:016}.tmp"));
        let result = (|| {
            let mut f = std::fs::File::create(&tmp)?;
            f.write_all(&bytes)?;
            f.sync_data()?;
            std::fs::rename(&tmp, self.path(seq))?;
            self.sync_dir();
            Ok(())
        })();
        if result.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        result.map(|()| bytes.len() as u64)
    }

    /// Adds a batch at the end; drops the oldest past the bound.
    pub fn push(&mut self, item: Item) {
        // What the disk refused before goes first, to keep the order.
        while let Some(old) = self.spill.pop_front() {
            if let Err(e) = self.store(&old) {
                self.spill.push_front(old);
                self.refused(item, e);
                return;
            }
        }
        if let Err(e) = self.store(&item) {
            self.refused(item, e);
            return;
        }
        self.disk_error = None;
    }

    fn store(&mut self, item: &Item) -> std::io::Result<()> {
        let seq = self.next_seq;
        let size = self.write(seq, item)?;
        self.next_seq += 1;
        self.files.push_back((seq, size));
        self.bytes += size;
        while self.bytes > self.max_bytes && self.files.len() > 1 {
            if let Some((old, size)) = self.files.pop_front() {
                let _ = std::fs::remove_file(self.path(old));
                self.bytes -= size;
                self.dropped += 1;
            }
        }
        let _ = std::fs::write(self.dir.join("dropped"), self.dropped.to_string());
        Ok(())
    }

    fn refused(&mut self, item: Item, e: std::io::Error) {
        self.disk_error = Some(format!("{}: {e}", self.dir.display()));
        self.spill.push_back(item);
        while self.spill.len() > MAX_SPILL {
            self.spill.pop_front();
            self.dropped += 1;
        }
    }

    /// The oldest batch. A file that is not a batch any more (damaged by
    /// hand, or by a disk error) is set aside as `NAME.bad`, counted as
    /// dropped, and the next one is given; a file that cannot be read just
    /// now (no file descriptors, an I/O error) is left for the next try.
    pub fn peek(&mut self) -> Option<(Slot, Item)> {
        if let Some(item) = &self.inflight {
            return Some((Slot::Memory, item.clone()));
        }
        while let Some(&(seq, size)) = self.files.front() {
            let path = self.path(seq);
            let bytes = match std::fs::read(&path) {
                Ok(b) => b,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    self.files.pop_front();
                    self.bytes -= size;
                    continue;
                }
                Err(_) => return None,
            };
            match serde_json::from_slice::<Item>(&bytes) {
                Ok(item) => return Some((Slot::File(seq), item)),
                Err(_) => {
                    let _ = std::fs::rename(&path, path.with_extension("bad"));
                    self.files.pop_front();
                    self.bytes -= size;
                    self.dropped += 1;
                }
            }
        }
        let item = self.spill.pop_front()?;
        self.inflight = Some(item.clone());
        Some((Slot::Memory, item))
    }

    /// Hands back a batch from [`Queue::peek`] that was not delivered.
    pub fn release(&mut self, slot: Slot) {
        if slot == Slot::Memory
            && let Some(item) = self.inflight.take()
        {
            self.spill.push_front(item);
        }
    }

    /// Removes a delivered batch.
    pub fn remove(&mut self, slot: Slot) {
        match slot {
            Slot::File(seq) => {
                if let Some(i) = self.files.iter().position(|(s, _)| *s == seq) {
                    if let Some((_, size)) = self.files.remove(i) {
                        self.bytes -= size;
                    }
                    let _ = std::fs::remove_file(self.path(seq));
                    self.sync_dir();
                }
            }
            Slot::Memory => self.inflight = None,
        }
    }

    /// Batches waiting.
    pub fn len(&self) -> usize {
        self.files.len() + self.spill.len() + usize::from(self.inflight.is_some())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bytes on disk.
    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    /// Batches dropped to keep the bound, over the queue's life.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("sonde-queue-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        d
    }

    fn item(n: u64) -> Item {
        Item {
            kind: "metrics".into(),
            body: serde_json::json!({ "n": n }),
        }
    }

    #[test]
    fn batches_survive_a_restart_in_order() {
        let d = dir("restart");
        let mut q = Queue::open(&d, 1 << 20).expect("open");
        for n in 0..5 {
            q.push(item(n));
        }
        let (slot, first) = q.peek().expect("one");
        assert_eq!(first, item(0));
        q.remove(slot);
        drop(q);
        // A half-written file from a crash is ignored.
        std::fs::write(d.join("0000000000000099.tmp"), b"{").expect("tmp");
        let mut q = Queue::open(&d, 1 << 20).expect("reopen");
        assert!(
            !d.join("0000000000000099.tmp").exists(),
            "the half-written file is removed"
        );
        assert_eq!(q.len(), 4);
        let mut got = Vec::new();
        while let Some((slot, i)) = q.peek() {
            got.push(i);
            q.remove(slot);
        }
        assert_eq!(got, (1..5).map(item).collect::<Vec<_>>());
        q.push(item(9));
        assert_eq!(q.peek().map(|(_, i)| i), Some(item(9)));
        let _ = std::fs::remove_dir_all(&d);
    }

    #[test]
    fn past_the_bound_the_oldest_are_dropped_and_counted() {
        let d = dir("bound");
        let size = serde_json::to_vec(&item(0)).expect("json").len() as u64;
        let mut q = Queue::open(&d, size * 3).expect("open");
        for n in 0..10 {
            q.push(item(n));
        }
        assert_eq!(q.len(), 3);
        assert_eq!(q.dropped(), 7);
        assert_eq!(q.peek().map(|(_, i)| i), Some(item(7)));
        drop(q);
        assert_eq!(Queue::open(&d, size * 3).expect("reopen").dropped(), 7);
        let _ = std::fs::remove_dir_all(&d);
    }

    /// A day of one-minute batches of this agent's ~130 built-in metrics
    /// fits the default bound with room to spare: a 24-hour outage loses
    /// nothing.
    #[test]
    fn the_default_bound_holds_a_day_of_batches() {
        let d = dir("day");
        let default = crate::config::AgentSection::default().queue_max_bytes;
        let mut q = Queue::open(&d, default).expect("open");
        let batch = |minute: i64| Item {
            kind: "metrics".into(),
            body: serde_json::json!({ "metrics": (0..130).map(|i| serde_json::json!({
                "name": format!("interface.eth{}.rxPackets.delta.{i}", i % 4),
                "time": 1_795_000_000 + minute * 60,
                "value": 12345.678_f64 * i as f64,
            })).collect::<Vec<_>>() }),
        };
        for minute in 0..24 * 60 {
            q.push(batch(minute));
        }
        assert_eq!((q.len(), q.dropped()), (1440, 0));
        assert!(q.bytes() * 4 < default, "{} bytes for a day", q.bytes());
        // Oldest first, every value exactly as it went in (floats included).
        assert!(
            q.peek().map(|(_, i)| i) == Some(batch(0)),
            "oldest first, unchanged"
        );
        let _ = std::fs::remove_dir_all(&d);
    }

    #[test]
    fn a_second_queue_on_one_directory_is_refused() {
        let d = dir("lock");
        let _q = Queue::open(&d, 1 << 20).expect("open");
        let e = Queue::open(&d, 1 << 20).expect_err("locked");
        assert!(e.to_string().contains("another sonde agent"), "{e}");
        let _ = std::fs::remove_dir_all(&d);
    }

    /// A batch the disk refused is posted from memory; writing the spill to
    /// disk meanwhile neither copies it (sent twice) nor lets its removal
    /// take another (lost).
    #[test]
    fn a_spilled_batch_in_flight_is_neither_copied_nor_confused() {
        let d = dir("spill");
        let mut q = Queue::open(&d, 1 << 20).expect("open");
        q.spill.push_back(item(0));
        q.spill.push_back(item(1));
        let (slot, first) = q.peek().expect("from memory");
        assert_eq!((slot, first), (Slot::Memory, item(0)));
        // The disk takes writes again while item 0 is being posted.
        q.push(item(2));
        q.remove(slot);
        let mut rest = Vec::new();
        while let Some((slot, i)) = q.peek() {
            rest.push(i);
            q.remove(slot);
        }
        assert_eq!(rest, vec![item(1), item(2)]);
        // A failed post hands the batch back, first in line.
        q.spill.push_back(item(3));
        let (slot, i) = q.peek().expect("one");
        assert_eq!(i, item(3));
        q.release(slot);
        assert_eq!(q.peek().map(|(_, i)| i), Some(item(3)));
        let _ = std::fs::remove_dir_all(&d);
    }

    #[test]
    fn a_damaged_file_is_set_aside_not_fatal() {
        let d = dir("bad");
        let mut q = Queue::open(&d, 1 << 20).expect("open");
        q.push(item(0));
        q.push(item(1));
        std::fs::write(d.join(format!("{:016}.json", 0)), b"not json").expect("damage");
        assert_eq!(q.peek().map(|(_, i)| i), Some(item(1)));
        assert_eq!(q.dropped(), 1);
        assert!(d.join(format!("{:016}.bad", 0)).exists());
        let _ = std::fs::remove_dir_all(&d);
    }
}
