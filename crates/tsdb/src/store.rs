//! The store: ties the index, WAL, head, block files and rollups together; append, flush, retention.
//! Queries live in `query.rs`.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicUsize, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::thread::JoinHandle;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rustc_hash::FxHashMap;

use crate::bits::{get_ivarint, get_uvarint, put_ivarint, put_uvarint};
use crate::cache::PageCache;
use crate::error::{Error, Result};
use crate::head::{SeriesHead, dedup_keep_last, window_start};
use crate::series::{Index, Matcher, SeriesId, SeriesKey};
use crate::table::{Table, TableWriter};
use crate::wal::Wal;
use crate::{codec, rollup};

pub(crate) const BLOCK_MAGIC: [u8; 8] = *b"SNDBLK02";
pub(crate) const ROLLUP_MAGIC: [u8; 8] = *b"SNDRUP02";
const REC_SAMPLES: u8 = 1;
const DAY_MS: i64 = 86_400_000;

/// Store settings. `Options::default()` suits the server.
#[derive(Clone, Debug)]
pub struct Options {
    /// Time span of one block file, ms. Must be a multiple of one hour so rollup buckets never straddle
    /// blocks. Default two hours (as Prometheus): long enough that a 60 s series has 120 samples per chunk.
    pub block_ms: i64,
    /// How long after a window's end (measured against the newest sample seen) it stays in the head for
    /// late samples before it is written to a block. Default 10 minutes.
    pub flush_grace_ms: i64,
    /// Head size (samples) that forces a flush of everything, bounding memory. Default 30 million (~0.5 GB).
    pub max_head_samples: usize,
    /// Raw blocks whose window ended longer ago than this are deleted. Default 30 days.
    pub raw_retention_ms: i64,
    /// Rollup files are kept this long. Default 400 days.
    pub rollup_retention_ms: i64,
    /// How often the background thread checks whether to flush; `None` runs no thread (tests and tools call
    /// [`Store::flush`] themselves). Default one second.
    pub background_interval: Option<Duration>,
    /// Size of a preallocated WAL segment. Default 16 MiB: a few hundred thousand samples, small enough to
    /// zero-fill quickly, large enough that rolling to the next segment is rare.
    pub wal_segment_bytes: u64,
    /// Inflated table pages kept in memory for queries, bytes. Default 128 MiB: the last day of blocks of a
    /// few hundred hosts, so dashboards over the recent past never inflate twice.
    pub page_cache_bytes: usize,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            block_ms: 2 * 3_600_000,
            flush_grace_ms: 600_000,
            max_head_samples: 30_000_000,
            raw_retention_ms: 30 * DAY_MS,
            rollup_retention_ms: 400 * DAY_MS,
            background_interval: Some(Duration::from_secs(1)),
            wal_segment_bytes: 16 << 20,
            page_cache_bytes: 128 << 20,
        }
    }
}

/// One sample for [`Store::append`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Sample {
    /// From [`Store::series_id`].
    pub series: SeriesId,
    /// Milliseconds since the epoch.
    pub ts_ms: i64,
    /// The value, stored bit for bit (NaN included).
    pub value: f64,
}

/// Samples taken out of the head by a flush and not yet in block files; queries read them meanwhile.
pub(crate) type Frozen = BTreeMap<i64, FxHashMap<SeriesId, Vec<(i64, f64)>>>;

pub(crate) struct Inner {
    pub(crate) dir: PathBuf,
    pub(crate) opts: Options,
    pub(crate) index: RwLock<Index>,
    index_dirty: AtomicBool,
    wal: Wal,
    /// Appenders hold it shared from WAL write to head insert; a flush holds it exclusively while it
    /// rotates the WAL and takes data out of the head, so no acknowledged sample is in neither place.
    pub(crate) gate: RwLock<()>,
    pub(crate) head: RwLock<Vec<Mutex<SeriesHead>>>,
    head_samples: AtomicUsize,
    /// Earliest head window start (i64::MAX when the head is empty) and newest sample time.
    min_window: AtomicI64,
    max_ts: AtomicI64,
    pub(crate) frozen: RwLock<Option<Arc<Frozen>>>,
    pub(crate) blocks: RwLock<BTreeMap<i64, Arc<Table>>>,
    pub(crate) rollups: RwLock<BTreeMap<i64, Arc<Table>>>,
    page_cache: Arc<PageCache>,
    damage: Mutex<Vec<String>>,
    flush_lock: Mutex<()>,
}

/// The embedded metrics store. Cheap to share: all methods take `&self` and are safe from many threads.
pub struct Store {
    pub(crate) inner: Arc<Inner>,
    stop: Option<(mpsc::Sender<()>, JoinHandle<()>)>,
}

pub(crate) fn read<T>(l: &RwLock<T>) -> RwLockReadGuard<'_, T> {
    l.read().unwrap_or_else(|p| p.into_inner())
}
pub(crate) fn write<T>(l: &RwLock<T>) -> RwLockWriteGuard<'_, T> {
    l.write().unwrap_or_else(|p| p.into_inner())
}
pub(crate) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// Encodes samples as one WAL record.
fn encode_samples(samples: &[Sample]) -> Vec<u8> {
    let mut out = Vec::with_capacity(1 + 5 + samples.len() * 14);
    out.push(REC_SAMPLES);
    put_uvarint(&mut out, samples.len() as u64);
    let mut prev_ts = 0i64;
    for s in samples {
        put_uvarint(&mut out, u64::from(s.series));
        put_ivarint(&mut out, s.ts_ms.wrapping_sub(prev_ts));
        prev_ts = s.ts_ms;
        out.extend_from_slice(&s.value.to_bits().to_le_bytes());
    }
    out
}

fn decode_samples(rec: &[u8]) -> Option<Vec<Sample>> {
    if rec.first() != Some(&REC_SAMPLES) {
        return None;
    }
    let mut pos = 1;
    let n = get_uvarint(rec, &mut pos)? as usize;
    let mut out = Vec::with_capacity(n.min(rec.len()));
    let mut ts = 0i64;
    for _ in 0..n {
        let series = u32::try_from(get_uvarint(rec, &mut pos)?).ok()?;
        ts = ts.wrapping_add(get_ivarint(rec, &mut pos)?);
        let b = rec.get(pos..pos + 8)?;
        pos += 8;
        out.push(Sample {
            series,
            ts_ms: ts,
            value: f64::from_bits(u64::from_le_bytes(b.try_into().ok()?)),
        });
    }
    Some(out)
}

fn parse_start(path: &Path, ext: &str) -> Option<i64> {
    let name = path.file_name()?.to_str()?;
    name.strip_suffix(ext)?.parse().ok()
}

impl Store {
    /// Opens or creates a store in `dir`: loads the series log, opens block and rollup files (a damaged one
    /// is reported by [`Store::damage`] and skipped), and replays the WAL into the head.
    pub fn open(dir: impl AsRef<Path>, opts: Options) -> Result<Store> {
        let dir = dir.as_ref().to_path_buf();
        if opts.block_ms <= 0 || opts.block_ms % rollup::RES_1H != 0 {
            return Err(Error::Commit(format!(
                "block_ms {} is not a positive multiple of one hour",
                opts.block_ms
            )));
        }
        for sub in ["blocks", "rollups", "wal"] {
            let p = dir.join(sub);
            fs::create_dir_all(&p).map_err(|e| Error::io(&p, e))?;
        }
        let index = Index::open(&dir)?;
        let mut damage = Vec::new();
        let page_cache = Arc::new(PageCache::new(opts.page_cache_bytes));
        let mut tables = |sub: &str, ext: &str, magic| -> Result<BTreeMap<i64, Arc<Table>>> {
            let d = dir.join(sub);
            let mut map = BTreeMap::new();
            for entry in fs::read_dir(&d).map_err(|e| Error::io(&d, e))? {
                let path = entry.map_err(|e| Error::io(&d, e))?.path();
                if path.extension().is_some_and(|e| e == "tmp") {
                    // A flush interrupted before its rename; the data is still in the WAL.
                    let _ = fs::remove_file(&path);
                    continue;
                }
                let Some(start) = parse_start(&path, ext) else {
                    continue;
                };
                match Table::open(&path, magic, &page_cache) {
                    Ok(t) => {
                        map.insert(start, Arc::new(t));
                    }
                    Err(e) => damage.push(e.to_string()),
                }
            }
            Ok(map)
        };
        let blocks = tables("blocks", ".blk", BLOCK_MAGIC)?;
        let rollups = tables("rollups", ".rup", ROLLUP_MAGIC)?;
        let (wal, replay) = Wal::open(&dir.join("wal"), opts.wal_segment_bytes)?;
        damage.extend(replay.damage.iter().map(|e| e.to_string()));
        let head: Vec<Mutex<SeriesHead>> = (0..index.len())
            .map(|_| Mutex::new(SeriesHead::default()))
            .collect();
        let inner = Arc::new(Inner {
            dir,
            opts: opts.clone(),
            index: RwLock::new(index),
            index_dirty: AtomicBool::new(false),
            wal,
            gate: RwLock::new(()),
            head: RwLock::new(head),
            head_samples: AtomicUsize::new(0),
            min_window: AtomicI64::new(i64::MAX),
            max_ts: AtomicI64::new(i64::MIN),
            frozen: RwLock::new(None),
            blocks: RwLock::new(blocks),
            rollups: RwLock::new(rollups),
            page_cache,
            damage: Mutex::new(damage),
            flush_lock: Mutex::new(()),
        });
        for rec in &replay.records {
            match decode_samples(rec) {
                Some(samples) => {
                    if let Err(e) = inner.apply(&samples) {
                        lock(&inner.damage).push(format!("WAL replay: {e}"));
                    }
                }
                None => lock(&inner.damage)
                    .push("WAL replay: a record of unknown type was skipped".into()),
            }
        }
        let stop = opts.background_interval.map(|every| {
            let (tx, rx) = mpsc::channel::<()>();
            let bg = Arc::clone(&inner);
            let handle = std::thread::Builder::new()
                .name("tsdb-flush".into())
                .spawn(move || {
                    loop {
                        match rx.recv_timeout(every) {
                            Err(RecvTimeoutError::Timeout) => {}
                            _ => return,
                        }
                        if let Err(e) = bg.maybe_flush(now_ms()) {
                            lock(&bg.damage).push(format!("background flush: {e}"));
                        }
                        // Keep preallocated WAL segments ready; failing here (a full disk) only means
                        // the committer preallocates, and reports, itself.
                        let _ = bg.wal.ensure_spares(2);
                    }
                })
                .map_err(|e| Error::io(Path::new("tsdb-flush thread"), e));
            handle.map(|h| (tx, h))
        });
        let stop = match stop {
            Some(Ok(s)) => Some(s),
            Some(Err(e)) => return Err(e),
            None => None,
        };
        Ok(Store { inner, stop })
    }

    /// The id of `key`, creating the series if new. The series record is written at once and made durable
    /// by the next commit, before any sample using the id is acknowledged.
    pub fn series_id(&self, key: &SeriesKey) -> Result<SeriesId> {
        if let Some(id) = read(&self.inner.index).get(key) {
            return Ok(id);
        }
        let mut index = write(&self.inner.index);
        let id = index.create(key)?;
        self.inner.index_dirty.store(true, Ordering::Release);
        let mut head = write(&self.inner.head);
        while head.len() <= id as usize {
            head.push(Mutex::new(SeriesHead::default()));
        }
        Ok(id)
    }

    /// The key of a series id.
    pub fn series_key(&self, id: SeriesId) -> Option<SeriesKey> {
        read(&self.inner.index).key(id).cloned()
    }

    /// Appends samples; returns `Ok` only once they are durable in the WAL (fsynced, group-committed with
    /// concurrent appenders). On error nothing of the batch is acknowledged; a retry is safe because
    /// duplicates of a `(series, ts)` are idempotent. Samples may be in any order and of any age.
    pub fn append(&self, samples: &[Sample]) -> Result<()> {
        if samples.is_empty() {
            return Ok(());
        }
        {
            let head = read(&self.inner.head);
            if let Some(s) = samples.iter().find(|s| s.series as usize >= head.len()) {
                return Err(Error::UnknownSeries(s.series));
            }
        }
        let rec = encode_samples(samples);
        let inner = &*self.inner;
        let _gate = read(&inner.gate);
        inner.wal.append(&rec, &|| {
            if inner.index_dirty.swap(false, Ordering::AcqRel) {
                let res = read(&inner.index).sync();
                if res.is_err() {
                    inner.index_dirty.store(true, Ordering::Release);
                }
                return res;
            }
            Ok(())
        })?;
        inner.apply(samples)
    }

    /// Convenience for callers that hold keys: interns each key, then appends.
    pub fn append_keyed(&self, samples: &[(SeriesKey, i64, f64)]) -> Result<()> {
        let mut out = Vec::with_capacity(samples.len());
        for (k, ts, v) in samples {
            out.push(Sample {
                series: self.series_id(k)?,
                ts_ms: *ts,
                value: *v,
            });
        }
        self.append(&out)
    }

    /// Series ids matching all matchers (all series when empty), ascending.
    pub fn select(&self, matchers: &[Matcher]) -> Vec<SeriesId> {
        read(&self.inner.index).select(matchers)
    }

    /// All label names, including `__name__`.
    pub fn label_names(&self) -> Vec<String> {
        read(&self.inner.index).label_names()
    }

    /// Values of `label` among the series matching `matchers`; `label_values("__name__", [host="web-1"])`
    /// lists a host's metrics.
    pub fn label_values(&self, label: &str, matchers: &[Matcher]) -> Vec<String> {
        read(&self.inner.index).label_values(label, matchers)
    }

    /// Writes to block files every head window that ended at least the flush grace before the newest
    /// sample, or everything when the head is over its size limit. The background thread calls this.
    pub fn maybe_flush(&self) -> Result<()> {
        self.inner.maybe_flush(now_ms())
    }

    /// Writes everything in the head to block files and truncates the WAL (used at shutdown and by tools).
    pub fn flush(&self) -> Result<()> {
        self.inner.flush(i64::MAX)
    }

    /// Deletes raw blocks and rollup files past their retention, measured from `now_ms`.
    pub fn apply_retention(&self, now_ms: i64) -> Result<()> {
        self.inner.apply_retention(now_ms)
    }

    /// Damage found so far (files and offsets skipped), oldest first.
    pub fn damage(&self) -> Vec<String> {
        lock(&self.inner.damage).clone()
    }

    pub(crate) fn report(&self, e: &Error) {
        lock(&self.inner.damage).push(e.to_string());
    }

    /// Bytes used by block files, rollup files and the WAL, for benchmarks and status pages.
    pub fn disk_usage(&self) -> DiskUsage {
        let size = |sub: &str| -> u64 {
            fs::read_dir(self.inner.dir.join(sub))
                .map(|rd| {
                    rd.filter_map(|e| e.ok()?.metadata().ok())
                        .map(|m| m.len())
                        .sum()
                })
                .unwrap_or(0)
        };
        DiskUsage {
            blocks: size("blocks"),
            rollups: size("rollups"),
            wal: size("wal"),
        }
    }

    /// Number of samples waiting in the head.
    pub fn head_samples(&self) -> usize {
        self.inner.head_samples.load(Ordering::Relaxed)
    }
}

/// Bytes on disk by kind.
#[derive(Clone, Copy, Debug, Default)]
pub struct DiskUsage {
    /// Raw block files.
    pub blocks: u64,
    /// Rollup files.
    pub rollups: u64,
    /// Write-ahead log segments.
    pub wal: u64,
}

impl Drop for Store {
    fn drop(&mut self) {
        if let Some((tx, handle)) = self.stop.take() {
            drop(tx);
            let _ = handle.join();
        }
    }
}

impl Inner {
    /// Inserts durable samples into the head.
    fn apply(&self, samples: &[Sample]) -> Result<()> {
        let head = read(&self.head);
        let w = self.opts.block_ms;
        let mut min_window = i64::MAX;
        let mut max_ts = i64::MIN;
        let mut unknown = None;
        let mut n = 0;
        for s in samples {
            // `append` checked ids; only a WAL replayed against a damaged series log gets here. Keep the
            // rest of the record rather than stop at the first unknown id.
            let Some(h) = head.get(s.series as usize) else {
                unknown = Some(s.series);
                continue;
            };
            let start = lock(h).push(s.ts_ms, s.value, w);
            min_window = min_window.min(start);
            max_ts = max_ts.max(s.ts_ms);
            n += 1;
        }
        self.head_samples.fetch_add(n, Ordering::Relaxed);
        self.min_window.fetch_min(min_window, Ordering::Relaxed);
        self.max_ts.fetch_max(max_ts, Ordering::Relaxed);
        match unknown {
            Some(id) => Err(Error::UnknownSeries(id)),
            None => Ok(()),
        }
    }

    fn maybe_flush(&self, now: i64) -> Result<()> {
        if self.head_samples.load(Ordering::Relaxed) > self.opts.max_head_samples {
            return self.flush(i64::MAX);
        }
        let max_ts = self.max_ts.load(Ordering::Relaxed);
        if max_ts == i64::MIN {
            return Ok(());
        }
        // Windows that closed at least the grace period before the newest sample — or before the wall clock,
        // so a store that stops receiving data still flushes eventually.
        let horizon = max_ts.max(now).saturating_sub(self.opts.flush_grace_ms);
        let cutoff = window_start(horizon, self.opts.block_ms);
        if self
            .min_window
            .load(Ordering::Relaxed)
            .saturating_add(self.opts.block_ms)
            <= cutoff
        {
            self.flush(cutoff)?;
        }
        Ok(())
    }

    /// Moves every head window ending at or before `cutoff` into block files, then drops WAL segments that
    /// held only flushed data. Samples of later windows are re-logged into the new segment first.
    fn flush(&self, cutoff: i64) -> Result<()> {
        let _one = lock(&self.flush_lock);
        let w = self.opts.block_ms;
        let mut frozen: Frozen = BTreeMap::new();
        let keep_from;
        let frozen = {
            let _gate = write(&self.gate);
            keep_from = self.wal.rotate()?;
            let head = read(&self.head);
            let mut kept: Vec<Sample> = Vec::new();
            let mut taken = 0usize;
            let mut min_window = i64::MAX;
            for (id, h) in head.iter().enumerate() {
                let mut h = lock(h);
                for win in h.take_before(cutoff, w) {
                    taken += win.samples.len();
                    frozen
                        .entry(win.start)
                        .or_default()
                        .insert(id as SeriesId, win.samples);
                }
                for win in &h.windows {
                    min_window = min_window.min(win.start);
                    kept.extend(win.samples.iter().map(|&(t, v)| Sample {
                        series: id as SeriesId,
                        ts_ms: t,
                        value: v,
                    }));
                }
            }
            self.head_samples.fetch_sub(taken, Ordering::Relaxed);
            self.min_window.store(min_window, Ordering::Relaxed);
            let checkpoint = kept
                .chunks(65_536)
                .try_for_each(|c| self.wal.write_direct(&encode_samples(c)));
            if let Err(e) = checkpoint {
                // The old segments stay (they are only removed below), so nothing is lost; put the data
                // back so a later flush retries.
                self.unfreeze(&head, &frozen);
                return Err(e);
            }
            // Installed before the gate opens, so no query can find a sample in neither the head nor the
            // frozen set. Shared, not copied: it can be a whole head's worth of samples.
            let frozen = Arc::new(frozen);
            *write(&self.frozen) = Some(frozen.clone());
            frozen
        };
        let result = frozen
            .iter()
            .try_for_each(|(&start, series)| self.write_window(start, series));
        if let Err(e) = result {
            // Lock order as in the exclusive phase above: gate, then head.
            let _gate = write(&self.gate);
            let head = read(&self.head);
            *write(&self.frozen) = None;
            self.unfreeze(&head, &frozen);
            return Err(e);
        }
        *write(&self.frozen) = None;
        self.wal.remove_before(keep_from)?;
        self.apply_retention(now_ms())
    }

    /// Returns frozen samples to the head after a failed flush.
    fn unfreeze(&self, head: &[Mutex<SeriesHead>], frozen: &Frozen) {
        let mut n = 0;
        for series in frozen.values() {
            for (&id, samples) in series {
                if let Some(h) = head.get(id as usize) {
                    let mut h = lock(h);
                    for &(t, v) in samples {
                        let start = h.push(t, v, self.opts.block_ms);
                        self.min_window.fetch_min(start, Ordering::Relaxed);
                        n += 1;
                    }
                }
            }
        }
        self.head_samples.fetch_add(n, Ordering::Relaxed);
    }

    /// Writes (or rewrites, merging late samples into) the block and rollup files of one window.
    fn write_window(&self, start: i64, new: &FxHashMap<SeriesId, Vec<(i64, f64)>>) -> Result<()> {
        let old_block = read(&self.blocks).get(&start).cloned();
        let old_rollup = read(&self.rollups).get(&start).cloned();
        let mut ids: Vec<SeriesId> = new.keys().copied().collect();
        if let Some(b) = &old_block {
            ids.extend(b.ids());
        }
        ids.sort_unstable();
        ids.dedup();
        let mut blk = TableWriter::new(BLOCK_MAGIC);
        let mut rup = TableWriter::new(ROLLUP_MAGIC);
        // Time range of the rewritten series (informational, in the footer).
        let (mut min_ts, mut max_ts) = (i64::MAX, i64::MIN);
        for id in ids {
            let old = match &old_block {
                Some(b) => match b.get(id) {
                    Ok(c) => c,
                    Err(e) => {
                        // A damaged chunk cannot be merged; report it and keep what is new.
                        lock(&self.damage).push(e.to_string());
                        None
                    }
                },
                None => None,
            };
            let samples = match (new.get(&id), old) {
                (Some(n), None) => n.clone(),
                (Some(n), Some(chunk)) => {
                    let mut merged = match codec::decode(&chunk) {
                        Ok(s) => s,
                        Err(e) => {
                            lock(&self.damage).push(format!(
                                "{}: series {id}: {e}",
                                self.block_path(start).display()
                            ));
                            Vec::new()
                        }
                    };
                    merged.extend_from_slice(n);
                    merged.sort_by_key(|s| s.0);
                    dedup_keep_last(&mut merged);
                    merged
                }
                (None, Some(chunk)) => {
                    // Untouched series: copy chunk and rollup bytes as they are.
                    blk.add(id, &chunk);
                    if let Some(r) = old_rollup.as_ref().and_then(|r| r.get(id).ok().flatten()) {
                        rup.add(id, &r);
                    }
                    continue;
                }
                (None, None) => continue,
            };
            if let (Some(a), Some(b)) = (samples.first(), samples.last()) {
                min_ts = min_ts.min(a.0);
                max_ts = max_ts.max(b.0);
            }
            blk.add(id, &codec::encode(&samples));
            rup.add(id, &rollup::entry(start, &samples));
        }
        let bpath = self.block_path(start);
        let rpath = self.dir.join("rollups").join(format!("{start}.rup"));
        blk.finish(&bpath, min_ts, max_ts)?;
        rup.finish(&rpath, min_ts, max_ts)?;
        let b = Table::open(&bpath, BLOCK_MAGIC, &self.page_cache)?;
        let r = Table::open(&rpath, ROLLUP_MAGIC, &self.page_cache)?;
        write(&self.blocks).insert(start, Arc::new(b));
        write(&self.rollups).insert(start, Arc::new(r));
        Ok(())
    }

    pub(crate) fn block_path(&self, start: i64) -> PathBuf {
        self.dir.join("blocks").join(format!("{start}.blk"))
    }

    fn apply_retention(&self, now: i64) -> Result<()> {
        let w = self.opts.block_ms;
        let sweep = |map: &RwLock<BTreeMap<i64, Arc<Table>>>, keep: i64| -> Result<()> {
            let old: Vec<(i64, PathBuf)> = read(map)
                .iter()
                .filter(|(s, _)| s.saturating_add(w) < now.saturating_sub(keep))
                .map(|(s, t)| (*s, t.path.clone()))
                .collect();
            for (s, path) in old {
                write(map).remove(&s);
                fs::remove_file(&path).map_err(|e| Error::io(&path, e))?;
            }
            Ok(())
        };
        sweep(&self.blocks, self.opts.raw_retention_ms)?;
        sweep(&self.rollups, self.opts.rollup_retention_ms)
    }
}
