//! `sonde-tsdb`: the sonde server's embedded metrics store.
//!
//! A series is a metric name plus sorted string labels (`host`, `service`, ...), interned to a dense
//! [`SeriesId`]. Samples are `(series, ms timestamp, f64)`. The server calls [`Store::open`],
//! [`Store::series_id`] / [`Store::append`], [`Store::select`], [`Store::query_range`],
//! [`Store::last_value`] and [`Store::label_values`].
//!
//! # Code map
//!
//! - `series.rs` — [`SeriesKey`], [`Matcher`] (`=`, `!=`, `=~`, `!~`), the in-memory index with postings
//!   per label value, and `series.log`, the append-only file that persists ids.
//! - `wal.rs` — the write-ahead log: CRC-framed records in numbered, preallocated segments that are
//!   recycled after a flush (CRCs seeded by segment number so a recycled file's old records never replay;
//!   finished segments end in a seal record), group commit (one leader writes and fsyncs everyone's queued
//!   records), torn tail zeroed on replay.
//! - `head.rs` — acknowledged samples not yet in blocks, per series and block window, raw.
//! - `codec.rs` — the chunk codec: delta-of-delta timestamps (in seconds when all are whole seconds);
//!   values as decimal integers (delta or delta-of-delta, common factor divided out) or Gorilla XOR; each
//!   integer stream in size classes, zero runs or packed groups — whichever is smallest.
//! - `table.rs` — immutable table files (an entry per series, packed into deflate-compressed 64 KiB pages
//!   with a CRC each; compact index; footer), used for raw blocks (`blocks/<window start ms>.blk`) and
//!   rollups (`rollups/<window start ms>.rup`). A damaged page costs only its series in that file.
//! - `cache.rs` — the store-wide cache of inflated pages, bounded in bytes (least recently used goes).
//! - `rollup.rs` — 5-minute (for series denser than one sample a minute) and 1-hour min/max/sum/count
//!   buckets per series and window, in compact decimal form.
//! - `store.rs` — [`Store`]: open/replay, append, flush (head → blocks, WAL truncation), retention.
//! - `query.rs` — raw and step-aggregated range queries, rollup use, `last_value`.
//!
//! # Invariants
//!
//! - `append` returns `Ok` only after its samples (and the records of any series they use) are fsynced;
//!   if a commit fails, the WAL is cut back so no sample of a failed batch can reappear on replay.
//! - Every acknowledged sample is in at least one of: the head (and a WAL segment), the frozen set of a
//!   running flush (and an old WAL segment), or a block file. WAL segments are deleted only after the
//!   blocks holding their data are durable (written to `*.tmp`, fsynced, renamed, directory fsynced).
//! - One block file per window; late samples for a flushed window rewrite that block merged, so rollups are
//!   computed from all of a window's samples exactly once.
//! - A `(series, ts)` written twice keeps the later value (re-delivery is idempotent).
//! - Queries see every acknowledged sample even while a flush runs: they snapshot head, frozen set and
//!   tables under the flush gate, and a flush installs new block files before dropping its frozen set.
//! - No input panics: damaged WAL tails are cut, damaged blocks/pages are reported with file and offset
//!   ([`Store::damage`]) and skipped.

mod bits;
mod cache;
pub mod codec;
mod error;
mod head;
mod query;
pub mod rollup;
mod series;
mod store;
mod table;
mod wal;

pub use error::{Error, Result};
pub use query::{Points, SeriesPoints};
pub use rollup::Bucket;
pub use series::{MatchOp, Matcher, NAME_LABEL, SeriesId, SeriesKey};
pub use store::{DiskUsage, Options, Sample, Store};
