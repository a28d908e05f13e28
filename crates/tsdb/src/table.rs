//! Immutable table files: one entry of bytes per series, looked up by series id. Block files (raw chunks)
//! and rollup files use the same container with different magics.
//!
//! Layout: `magic(8) | entry bytes + crc32 ... | index | footer`. The index is `uvarint count`, then per
//! entry `uvarint id delta, uvarint length` (offsets are cumulative, so an entry costs ~3 bytes — at 120
//! samples per series per block, index overhead stays near 0.03 bytes/sample). The 32-byte footer holds the
//! index offset, length and CRC, the time range and an end magic. Every entry carries its own CRC, checked
//! when read, so one damaged chunk is reported (file and offset) and skipped without losing the rest.
//!
//! Files are written to `*.tmp`, fsynced and renamed, so a crash leaves either the old or the new file.

use std::fs::{self, File};
use std::io::Write;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

use crate::bits::{get_uvarint, put_uvarint};
use crate::error::{Error, Result};
use crate::series::SeriesId;

const FOOTER: usize = 32;

/// Writes a table: entries must be added in ascending id order.
pub(crate) struct TableWriter {
    buf: Vec<u8>,
    index: Vec<u8>,
    count: u64,
    last_id: Option<SeriesId>,
}

impl TableWriter {
    pub(crate) fn new(magic: [u8; 8]) -> Self {
        Self {
            buf: magic.to_vec(),
            index: Vec::new(),
            count: 0,
            last_id: None,
        }
    }

    pub(crate) fn add(&mut self, id: SeriesId, bytes: &[u8]) {
        let delta = match self.last_id {
            Some(prev) => id - prev,
            None => id,
        };
        self.last_id = Some(id);
        put_uvarint(&mut self.index, u64::from(delta));
        put_uvarint(&mut self.index, bytes.len() as u64 + 4);
        self.buf.extend_from_slice(bytes);
        self.buf
            .extend_from_slice(&crc32fast::hash(bytes).to_le_bytes());
        self.count += 1;
    }

    /// Writes the file durably at `path` (via a temporary name and a rename).
    pub(crate) fn finish(mut self, path: &Path, min_ts: i64, max_ts: i64) -> Result<u64> {
        let index_off = self.buf.len() as u64;
        let mut index = Vec::with_capacity(self.index.len() + 10);
        put_uvarint(&mut index, self.count);
        index.extend_from_slice(&self.index);
        self.buf.extend_from_slice(&index);
        self.buf.extend_from_slice(&index_off.to_le_bytes());
        self.buf
            .extend_from_slice(&(index.len() as u32).to_le_bytes());
        self.buf
            .extend_from_slice(&crc32fast::hash(&index).to_le_bytes());
        self.buf.extend_from_slice(&min_ts.to_le_bytes());
        self.buf.extend_from_slice(&max_ts.to_le_bytes());
        let tmp = path.with_extension("tmp");
        let write = || -> std::io::Result<()> {
            let mut f = File::create(&tmp)?;
            f.write_all(&self.buf)?;
            f.sync_all()
        };
        if let Err(e) = write() {
            let _ = fs::remove_file(&tmp);
            return Err(Error::io(&tmp, e));
        }
        fs::rename(&tmp, path).map_err(|e| Error::io(path, e))?;
        if let Some(dir) = path.parent() {
            crate::wal::sync_dir(dir)?;
        }
        Ok(self.buf.len() as u64)
    }
}

/// An open table file; the index is held in memory (8 bytes a series), entries are read with `pread`.
pub(crate) struct Table {
    pub(crate) path: PathBuf,
    file: File,
    /// `(id, offset)` ascending by id, plus a sentinel offset at the end of the last entry.
    entries: Vec<(SeriesId, u64)>,
    end: u64,
}

impl Table {
    /// Opens a table, checking the magic, footer and index checksum.
    pub(crate) fn open(path: &Path, magic: [u8; 8]) -> Result<Self> {
        let corrupt = |offset: u64, reason: &str| Error::Corrupt {
            path: path.to_path_buf(),
            offset,
            reason: reason.into(),
        };
        let file = File::open(path).map_err(|e| Error::io(path, e))?;
        let size = file.metadata().map_err(|e| Error::io(path, e))?.len();
        if size < (8 + FOOTER) as u64 {
            return Err(corrupt(0, "file too short for a header and footer"));
        }
        let mut head = [0u8; 8];
        file.read_exact_at(&mut head, 0)
            .map_err(|e| Error::io(path, e))?;
        if head != magic {
            return Err(corrupt(0, "bad magic"));
        }
        let mut foot = [0u8; FOOTER];
        let foot_off = size - FOOTER as u64;
        file.read_exact_at(&mut foot, foot_off)
            .map_err(|e| Error::io(path, e))?;
        let u64_at = |i: usize| u64::from_le_bytes(foot[i..i + 8].try_into().unwrap_or([0; 8]));
        let index_off = u64_at(0);
        let index_len = u32::from_le_bytes(foot[8..12].try_into().unwrap_or([0; 4])) as u64;
        let index_crc = u32::from_le_bytes(foot[12..16].try_into().unwrap_or([0; 4]));
        if index_off < 8 || index_off.checked_add(index_len) != Some(foot_off) {
            return Err(corrupt(foot_off, "footer points outside the file"));
        }
        let mut index = vec![0u8; index_len as usize];
        file.read_exact_at(&mut index, index_off)
            .map_err(|e| Error::io(path, e))?;
        if crc32fast::hash(&index) != index_crc {
            return Err(corrupt(index_off, "index checksum mismatch"));
        }
        let mut pos = 0;
        let bad_index = || corrupt(index_off, "index does not parse");
        let count = get_uvarint(&index, &mut pos).ok_or_else(bad_index)?;
        let mut entries = Vec::with_capacity(count.min(index.len() as u64) as usize);
        let mut id = 0u64;
        let mut off = 8u64;
        for i in 0..count {
            let delta = get_uvarint(&index, &mut pos).ok_or_else(bad_index)?;
            let len = get_uvarint(&index, &mut pos).ok_or_else(bad_index)?;
            id = if i == 0 {
                delta
            } else {
                id.checked_add(delta).ok_or_else(bad_index)?
            };
            if id > u64::from(u32::MAX) || len < 4 {
                return Err(bad_index());
            }
            entries.push((id as SeriesId, off));
            off = off.checked_add(len).ok_or_else(bad_index)?;
        }
        if off != index_off {
            return Err(corrupt(
                index_off,
                "entry lengths do not add up to the index offset",
            ));
        }
        Ok(Self {
            path: path.to_path_buf(),
            file,
            entries,
            end: off,
        })
    }

    /// Series ids present, ascending.
    pub(crate) fn ids(&self) -> impl Iterator<Item = SeriesId> + '_ {
        self.entries.iter().map(|e| e.0)
    }

    /// The entry for `id`, CRC-checked; `Ok(None)` when the series has no entry in this table.
    pub(crate) fn get(&self, id: SeriesId) -> Result<Option<Vec<u8>>> {
        let Ok(i) = self.entries.binary_search_by_key(&id, |e| e.0) else {
            return Ok(None);
        };
        let start = self.entries[i].1;
        let end = self.entries.get(i + 1).map_or(self.end, |e| e.1);
        let mut buf = vec![0u8; (end - start) as usize];
        self.file
            .read_exact_at(&mut buf, start)
            .map_err(|e| Error::io(&self.path, e))?;
        let split = buf.len() - 4;
        let crc = u32::from_le_bytes(buf[split..].try_into().unwrap_or([0; 4]));
        buf.truncate(split);
        if crc32fast::hash(&buf) != crc {
            return Err(Error::Corrupt {
                path: self.path.clone(),
                offset: start,
                reason: format!("checksum mismatch in the entry of series {id}"),
            });
        }
        Ok(Some(buf))
    }
}
