//! Write-ahead log with group commit.
//!
//! Records are framed `[len u32 LE][crc32 u32 LE][payload]`. The log is a directory of numbered segments
//! (`wal/00000001.seg`, ...); a flush starts a new segment and, once the flushed data is in block files,
//! deletes the older ones.
//!
//! Group commit: an appender queues its framed record and then either waits or, when no commit is under
//! way, becomes the leader — it takes every queued record, writes them with one `write` and one
//! `fdatasync`, and wakes the others. So under load one fsync covers many appenders' batches.
//! An appender returns only after the commit holding its record succeeded; if the write or the sync fails
//! (a full disk), the segment is cut back to its last good length and every appender in that commit gets
//! an error — nothing is acknowledged that is not durable.
//!
//! Replay reads segments in order and stops a segment at its first incomplete or damaged frame, so a torn
//! tail from a crash mid-write is dropped and everything before it is kept.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Condvar, Mutex, MutexGuard};

use crate::error::{Error, Result};

/// Frames a payload: length, CRC-32 of the payload, payload.
pub(crate) fn frame(payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(payload.len() + 8);
    frame_into(&mut out, payload);
    out
}

pub(crate) fn frame_into(out: &mut Vec<u8>, payload: &[u8]) {
    out.extend_from_slice(&(payload.len() as u32).to_le_bytes());
    out.extend_from_slice(&crc32fast::hash(payload).to_le_bytes());
    out.extend_from_slice(payload);
}

/// The complete, checksum-valid frame at `pos`, and where the next one starts; `None` for a torn or
/// damaged frame (or the end).
pub(crate) fn frame_at(buf: &[u8], pos: usize) -> Option<(&[u8], usize)> {
    let hdr = buf.get(pos..pos.checked_add(8)?)?;
    let len = u32::from_le_bytes([hdr[0], hdr[1], hdr[2], hdr[3]]) as usize;
    let crc = u32::from_le_bytes([hdr[4], hdr[5], hdr[6], hdr[7]]);
    let end = (pos + 8).checked_add(len)?;
    let payload = buf.get(pos + 8..end)?;
    (crc32fast::hash(payload) == crc).then_some((payload, end))
}

struct State {
    /// Framed records queued for the next commit.
    queued: Vec<u8>,
    /// Sequence number the next queued record gets.
    next_seq: u64,
    /// Every record with a smaller sequence number has been committed or has failed.
    done_seq: u64,
    /// Recent failed commits: `[start, end)` sequence ranges and the error.
    failed: Vec<(u64, u64, String)>,
    /// Appenders inside `append`; failures are forgotten only when none is left to read them.
    waiting: usize,
    /// A leader is writing; the file is out of `file` meanwhile.
    committing: bool,
    file: Option<File>,
    segment: u64,
    /// Bytes of complete records in the current segment.
    len: u64,
}

/// The write-ahead log.
pub(crate) struct Wal {
    dir: PathBuf,
    state: Mutex<State>,
    cond: Condvar,
}

fn segment_path(dir: &Path, n: u64) -> PathBuf {
    dir.join(format!("{n:08}.seg"))
}

/// Segment numbers present in `dir`, ascending.
fn segments(dir: &Path) -> Result<Vec<u64>> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        let name = entry.file_name();
        if let Some(n) = name
            .to_str()
            .and_then(|s| s.strip_suffix(".seg"))
            .and_then(|s| s.parse::<u64>().ok())
        {
            out.push(n);
        }
    }
    out.sort_unstable();
    Ok(out)
}

pub(crate) fn sync_dir(dir: &Path) -> Result<()> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| Error::io(dir, e))
}

/// What replay found: every complete record's payload in log order, plus damage reports for segments that
/// were cut short before their last one.
pub(crate) struct Replay {
    pub(crate) records: Vec<Vec<u8>>,
    pub(crate) damage: Vec<Error>,
}

impl Wal {
    /// Opens the log in `dir`, returning the records to replay. The torn tail of the last segment is cut off
    /// so new records follow the last complete one.
    pub(crate) fn open(dir: &Path) -> Result<(Self, Replay)> {
        fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        let segs = segments(dir)?;
        let mut replay = Replay {
            records: Vec::new(),
            damage: Vec::new(),
        };
        let mut last_len = 0u64;
        for (i, &n) in segs.iter().enumerate() {
            let path = segment_path(dir, n);
            let buf = fs::read(&path).map_err(|e| Error::io(&path, e))?;
            let mut pos = 0;
            while let Some((payload, next)) = frame_at(&buf, pos) {
                replay.records.push(payload.to_vec());
                pos = next;
            }
            if pos < buf.len() {
                if i + 1 == segs.len() {
                    // A crash mid-write: drop the torn tail so appends continue after the last good record.
                    let f = OpenOptions::new()
                        .write(true)
                        .open(&path)
                        .map_err(|e| Error::io(&path, e))?;
                    f.set_len(pos as u64).map_err(|e| Error::io(&path, e))?;
                    f.sync_all().map_err(|e| Error::io(&path, e))?;
                } else {
                    replay.damage.push(Error::Corrupt {
                        path: path.clone(),
                        offset: pos as u64,
                        reason:
                            "damaged record in a sealed segment; the rest of the segment is skipped"
                                .into(),
                    });
                }
            }
            last_len = pos as u64;
        }
        let segment = match segs.last() {
            Some(&n) => n,
            None => {
                last_len = 0;
                1
            }
        };
        let path = segment_path(dir, segment);
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(|e| Error::io(&path, e))?;
        if segs.is_empty() {
            sync_dir(dir)?;
        }
        let state = State {
            queued: Vec::new(),
            next_seq: 0,
            done_seq: 0,
            failed: Vec::new(),
            waiting: 0,
            committing: false,
            file: Some(file),
            segment,
            len: last_len,
        };
        Ok((
            Self {
                dir: dir.to_path_buf(),
                state: Mutex::new(state),
                cond: Condvar::new(),
            },
            replay,
        ))
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A poisoned lock means a panic elsewhere; the state itself stays consistent (every field is updated
        // before any call that could panic), so carry on.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Appends one record and returns once it is durable (or its commit failed). `before_sync` runs in the
    /// leader before the log is written — the store uses it to fsync the series log, so a series record is
    /// durable before any sample that refers to it.
    pub(crate) fn append(
        &self,
        payload: &[u8],
        before_sync: &dyn Fn() -> Result<()>,
    ) -> Result<()> {
        let mut st = self.lock();
        let seq = st.next_seq;
        st.next_seq += 1;
        frame_into(&mut st.queued, payload);
        st.waiting += 1;
        loop {
            if seq < st.done_seq {
                let res = match st.failed.iter().find(|(a, b, _)| (*a..*b).contains(&seq)) {
                    Some((_, _, msg)) => Err(Error::Commit(msg.clone())),
                    None => Ok(()),
                };
                st.waiting -= 1;
                if st.waiting == 0 {
                    st.failed.clear();
                }
                return res;
            }
            if st.committing {
                st = self.cond.wait(st).unwrap_or_else(|p| p.into_inner());
                continue;
            }
            // Become the leader for everything queued so far.
            st.committing = true;
            let batch = std::mem::take(&mut st.queued);
            let end_seq = st.next_seq;
            let start_seq = st.done_seq;
            let Some(mut file) = st.file.take() else {
                // Unreachable while `committing` guards the file; fail this commit rather than hang.
                st.failed
                    .push((start_seq, end_seq, "log file is not open".into()));
                st.done_seq = end_seq;
                st.committing = false;
                self.cond.notify_all();
                continue;
            };
            let good_len = st.len;
            let path = segment_path(&self.dir, st.segment);
            drop(st);
            let res = before_sync()
                .and_then(|()| file.write_all(&batch).map_err(|e| Error::io(&path, e)))
                .and_then(|()| file.sync_data().map_err(|e| Error::io(&path, e)));
            if res.is_err() {
                // Cut off whatever part of the batch reached the file so replay cannot resurrect samples
                // whose appenders were told they failed.
                let _ = file.set_len(good_len);
            }
            st = self.lock();
            st.file = Some(file);
            match res {
                Ok(()) => st.len = good_len + batch.len() as u64,
                Err(e) => st.failed.push((start_seq, end_seq, e.to_string())),
            }
            st.done_seq = end_seq;
            st.committing = false;
            self.cond.notify_all();
        }
    }

    /// Starts a new segment and returns its number; older segments can be removed once their data is in
    /// blocks. The caller guarantees no appender is active (it holds the store's flush gate).
    pub(crate) fn rotate(&self) -> Result<u64> {
        let mut st = self.lock();
        let next = st.segment + 1;
        let path = segment_path(&self.dir, next);
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(|e| Error::io(&path, e))?;
        sync_dir(&self.dir)?;
        st.file = Some(file);
        st.segment = next;
        st.len = 0;
        Ok(next)
    }

    /// Writes and syncs a record directly (flush checkpoints, written while appenders are held off).
    pub(crate) fn write_direct(&self, payload: &[u8]) -> Result<()> {
        let mut st = self.lock();
        let path = segment_path(&self.dir, st.segment);
        let rec = frame(payload);
        let good_len = st.len;
        let file = st
            .file
            .as_mut()
            .ok_or_else(|| Error::Commit("log file is not open".into()))?;
        let res = file.write_all(&rec).and_then(|()| file.sync_data());
        if let Err(e) = res {
            let _ = file.set_len(good_len);
            return Err(Error::io(&path, e));
        }
        st.len += rec.len() as u64;
        Ok(())
    }

    /// Deletes segments numbered below `keep_from`.
    pub(crate) fn remove_before(&self, keep_from: u64) -> Result<()> {
        for n in segments(&self.dir)? {
            if n < keep_from {
                let p = segment_path(&self.dir, n);
                fs::remove_file(&p).map_err(|e| Error::io(&p, e))?;
            }
        }
        sync_dir(&self.dir)
    }
}
