//! Immutable table files: one entry of bytes per series, looked up by series id. Block files (raw chunks)
//! and rollup files use the same container with different magics.
//!
//! Layout: `magic(8) | pages | index | footer`. Entries (in ascending id order) are packed into pages of
//! about 64 KiB, and each page is deflate-compressed with a CRC-32 of its compressed bytes. The chunk codec
//! leaves byte-level redundancy (headers, first values and sizes that repeat across the hosts of a
//! fleet); deflate over a page of neighbouring series removes ~18% more, which is what brings the store
//! under VictoriaMetrics' bytes per sample. Series of one host have neighbouring ids, so a host page
//! inflates one or two pages per block; a fleet-wide query touches most pages, and the store-wide page
//! cache (`cache.rs`) keeps repeated queries from inflating them again.
//!
//! The index is `uvarint count`, per entry `uvarint id delta, uvarint length`, then `uvarint pages`, per
//! page `uvarint entries, uvarint compressed length, uvarint raw length`. The 32-byte footer holds the
//! index offset, length and CRC and the time range. A damaged page is reported (file and offset) and its
//! series skipped; the rest of the file is served.
//!
//! Files are written to `*.tmp`, fsynced and renamed, so a crash leaves either the old or the new file.

use std::fs::{self, File};
use std::io::{Read, Write};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::bits::{get_uvarint, put_uvarint};
use crate::cache::{PageCache, next_table_id};
use crate::error::{Error, Result};
use crate::series::SeriesId;

const FOOTER: usize = 32;
/// Raw bytes per page before compression.
const PAGE_BYTES: usize = 64 << 10;

/// Writes a table: entries must be added in ascending id order.
pub(crate) struct TableWriter {
    buf: Vec<u8>,
    entries: Vec<u8>,
    pages: Vec<u8>,
    page: Vec<u8>,
    page_entries: u64,
    page_count: u64,
    count: u64,
    last_id: Option<SeriesId>,
}

fn deflate(raw: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::DeflateEncoder::new(
        Vec::with_capacity(raw.len() / 2),
        flate2::Compression::new(3),
    );
    // Writing to a Vec cannot fail.
    let _ = enc.write_all(raw);
    enc.finish().unwrap_or_default()
}

impl TableWriter {
    pub(crate) fn new(magic: [u8; 8]) -> Self {
        Self {
            buf: magic.to_vec(),
            entries: Vec::new(),
            pages: Vec::new(),
            page: Vec::new(),
            page_entries: 0,
            page_count: 0,
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
        put_uvarint(&mut self.entries, u64::from(delta));
        put_uvarint(&mut self.entries, bytes.len() as u64);
        self.page.extend_from_slice(bytes);
        self.page_entries += 1;
        self.count += 1;
        if self.page.len() >= PAGE_BYTES {
            self.seal_page();
        }
    }

    fn seal_page(&mut self) {
        if self.page_entries == 0 {
            return;
        }
        let comp = deflate(&self.page);
        put_uvarint(&mut self.pages, self.page_entries);
        put_uvarint(&mut self.pages, comp.len() as u64 + 4);
        put_uvarint(&mut self.pages, self.page.len() as u64);
        self.buf.extend_from_slice(&comp);
        self.buf
            .extend_from_slice(&crc32fast::hash(&comp).to_le_bytes());
        self.page.clear();
        self.page_entries = 0;
        self.page_count += 1;
    }

    /// Writes the file durably at `path` (via a temporary name and a rename).
    pub(crate) fn finish(mut self, path: &Path, min_ts: i64, max_ts: i64) -> Result<u64> {
        self.seal_page();
        let index_off = self.buf.len() as u64;
        let mut index = Vec::with_capacity(self.entries.len() + self.pages.len() + 20);
        put_uvarint(&mut index, self.count);
        index.extend_from_slice(&self.entries);
        put_uvarint(&mut index, self.page_count);
        index.extend_from_slice(&self.pages);
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

/// Where a page is: file offset and compressed length (with its CRC), inflated length.
struct Page {
    offset: u64,
    len: u32,
    raw_len: u32,
}

/// An open table file; the index is held in memory, pages are read with `pread` and inflated on demand.
pub(crate) struct Table {
    pub(crate) path: PathBuf,
    file: File,
    /// `(id, page, offset in page, length)` ascending by id.
    entries: Vec<(SeriesId, u32, u32, u32)>,
    pages: Vec<Page>,
    /// This table's key in the store-wide page cache.
    uid: u64,
    cache: Arc<PageCache>,
}

impl Drop for Table {
    fn drop(&mut self) {
        self.cache.forget(self.uid);
    }
}

impl Table {
    /// Opens a table, checking the magic, footer and index checksum.
    pub(crate) fn open(path: &Path, magic: [u8; 8], cache: &Arc<PageCache>) -> Result<Self> {
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
        let bad_index = || corrupt(index_off, "index does not parse");
        let mut pos = 0;
        let count = get_uvarint(&index, &mut pos).ok_or_else(bad_index)?;
        let mut raw = Vec::with_capacity(count.min(index.len() as u64) as usize);
        let mut id = 0u64;
        for i in 0..count {
            let delta = get_uvarint(&index, &mut pos).ok_or_else(bad_index)?;
            let len = get_uvarint(&index, &mut pos).ok_or_else(bad_index)?;
            id = if i == 0 {
                delta
            } else {
                id.checked_add(delta).ok_or_else(bad_index)?
            };
            if id > u64::from(u32::MAX) || len > u64::from(u32::MAX) {
                return Err(bad_index());
            }
            raw.push((id as SeriesId, len as u32));
        }
        let n_pages = get_uvarint(&index, &mut pos).ok_or_else(bad_index)?;
        let mut pages = Vec::with_capacity(n_pages.min(index.len() as u64) as usize);
        let mut entries = Vec::with_capacity(raw.len());
        let mut off = 8u64;
        let mut next = raw.iter();
        for p in 0..n_pages {
            let n = get_uvarint(&index, &mut pos).ok_or_else(bad_index)?;
            let len = get_uvarint(&index, &mut pos).ok_or_else(bad_index)?;
            let raw_len = get_uvarint(&index, &mut pos).ok_or_else(bad_index)?;
            if len < 4 || len > u64::from(u32::MAX) || raw_len > u64::from(u32::MAX) {
                return Err(bad_index());
            }
            let mut in_page = 0u64;
            for _ in 0..n {
                let &(id, elen) = next.next().ok_or_else(bad_index)?;
                entries.push((id, p as u32, in_page as u32, elen));
                in_page += u64::from(elen);
            }
            if in_page != raw_len {
                return Err(bad_index());
            }
            pages.push(Page {
                offset: off,
                len: len as u32,
                raw_len: raw_len as u32,
            });
            off = off.checked_add(len).ok_or_else(bad_index)?;
        }
        if off != index_off || next.next().is_some() {
            return Err(corrupt(
                index_off,
                "page lengths do not add up to the index offset",
            ));
        }
        Ok(Self {
            path: path.to_path_buf(),
            file,
            entries,
            pages,
            uid: next_table_id(),
            cache: cache.clone(),
        })
    }

    /// Series ids present, ascending.
    pub(crate) fn ids(&self) -> impl Iterator<Item = SeriesId> + '_ {
        self.entries.iter().map(|e| e.0)
    }

    /// The inflated page `p`, CRC-checked, from the cache when it is there.
    fn page(&self, p: u32) -> Result<Arc<Vec<u8>>> {
        if let Some(page) = self.cache.get(self.uid, p) {
            return Ok(page);
        }
        let page = &self.pages[p as usize];
        let mut buf = vec![0u8; page.len as usize];
        self.file
            .read_exact_at(&mut buf, page.offset)
            .map_err(|e| Error::io(&self.path, e))?;
        let split = buf.len() - 4;
        let crc = u32::from_le_bytes(buf[split..].try_into().unwrap_or([0; 4]));
        let corrupt = |reason: &str| Error::Corrupt {
            path: self.path.clone(),
            offset: page.offset,
            reason: format!("page {p}: {reason}"),
        };
        if crc32fast::hash(&buf[..split]) != crc {
            return Err(corrupt("checksum mismatch"));
        }
        let mut raw = Vec::with_capacity(page.raw_len as usize);
        flate2::read::DeflateDecoder::new(&buf[..split])
            .take(u64::from(page.raw_len) + 1)
            .read_to_end(&mut raw)
            .map_err(|e| corrupt(&format!("does not inflate: {e}")))?;
        if raw.len() != page.raw_len as usize {
            return Err(corrupt("inflates to the wrong length"));
        }
        let raw = Arc::new(raw);
        self.cache.insert(self.uid, p, raw.clone());
        Ok(raw)
    }

    /// The entry for `id`; `Ok(None)` when the series has no entry in this table.
    pub(crate) fn get(&self, id: SeriesId) -> Result<Option<Vec<u8>>> {
        self.get_hinted(id, &mut 0)
    }

    /// [`Table::get`] for ids asked in ascending order: `hint` (0 at first) is where the previous lookup
    /// ended, and the search gallops forward from it. A query asks every block for its series in id order,
    /// so each lookup touches a few neighbouring index entries instead of a binary search's cache misses
    /// across the whole index. Ids out of order are still found (the search restarts from the front).
    pub(crate) fn get_hinted(&self, id: SeriesId, hint: &mut usize) -> Result<Option<Vec<u8>>> {
        let e = &self.entries;
        let mut lo = (*hint).min(e.len());
        if lo > 0 && e[lo - 1].0 >= id {
            lo = 0;
        }
        // Every entry before `lo` is below `id`; widen the window until its end is not.
        let mut width = 1;
        while lo + width < e.len() && e[lo + width].0 < id {
            lo += width;
            width *= 2;
        }
        let hi = (lo + width + 1).min(e.len());
        let i = lo + e[lo..hi].partition_point(|x| x.0 < id);
        *hint = i;
        if e.get(i).is_none_or(|x| x.0 != id) {
            return Ok(None);
        }
        let (_, p, off, len) = self.entries[i];
        let page = self.page(p)?;
        let (a, b) = (off as usize, off as usize + len as usize);
        Ok(Some(
            page.get(a..b)
                .ok_or_else(|| Error::Corrupt {
                    path: self.path.clone(),
                    offset: self.pages[p as usize].offset,
                    reason: format!("entry of series {id} outside its page"),
                })?
                .to_vec(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(name: &str, ids: &[SeriesId]) -> Table {
        let dir =
            std::env::temp_dir().join(format!("sonde-tsdb-table-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).expect("dir");
        let path = dir.join("t.blk");
        let mut w = TableWriter::new(*b"SNDTEST0");
        for &id in ids {
            w.add(id, &id.to_le_bytes());
        }
        w.finish(&path, 0, 1).expect("write");
        Table::open(&path, *b"SNDTEST0", &Arc::new(PageCache::new(1 << 20))).expect("open")
    }

    /// Lookups with a hint find exactly what a lookup without one finds, whatever the order of the ids
    /// asked (ascending as a query asks, descending, repeated, absent, beyond the last).
    #[test]
    fn hinted_lookups_agree_with_plain_ones_in_any_order() {
        let present: Vec<SeriesId> = (0..5000).map(|i| i * 8 + (i % 7)).collect();
        let t = table("hinted", &present);
        let want = |id: SeriesId| present.contains(&id).then(|| id.to_le_bytes().to_vec());
        let mut asks: Vec<SeriesId> = (0..41_000).step_by(5).collect();
        asks.extend((0..41_000).rev().step_by(11));
        asks.extend([7, 7, 0, 50_000, 3, 39_998]);
        let mut hint = 0;
        for id in asks {
            assert_eq!(
                t.get_hinted(id, &mut hint).expect("read"),
                want(id),
                "id {id}"
            );
            assert_eq!(t.get(id).expect("read"), want(id), "id {id}");
        }
    }
}
