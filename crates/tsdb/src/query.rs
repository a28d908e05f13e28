//! The read path: raw ranges, step aggregation (from rollups where they answer exactly), last values.
//!
//! A query snapshots its sources under the flush gate — head copies, the frozen set being flushed, and the
//! block/rollup tables — so a concurrent flush can never hide a sample from it; it decodes outside the gate.
//! Overlapping sources are merged oldest first (blocks, then frozen, then head) and de-duplicated keeping
//! the newest write of a timestamp.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::codec;
use crate::error::Result;
use crate::head::{dedup_keep_last, window_start};
use crate::rollup::{self, Bucket, Folder};
use crate::series::{Matcher, SeriesId, SeriesKey};
use crate::store::{Store, lock, read};
use crate::table::Table;

/// A series' answer to [`Store::query_range`].
#[derive(Clone, Debug, PartialEq)]
pub enum Points {
    /// Raw samples, ascending (`step == 0`).
    Raw(Vec<(i64, f64)>),
    /// One bucket per step that holds at least one non-NaN sample, ascending; bucket `ts` is the step start.
    Buckets(Vec<Bucket>),
}

/// One series in a query result.
#[derive(Clone, Debug, PartialEq)]
pub struct SeriesPoints {
    /// Series id.
    pub id: SeriesId,
    /// Series key.
    pub key: SeriesKey,
    /// The points.
    pub points: Points,
}

/// Sources for one query, taken under the gate.
struct Snapshot {
    blocks: BTreeMap<i64, Arc<Table>>,
    rollups: BTreeMap<i64, Arc<Table>>,
    /// Per requested series: frozen and head samples in range, merged and sorted.
    recent: Vec<Vec<(i64, f64)>>,
}

impl Store {
    /// Samples of the series matching `matchers` in `[start, end)` (milliseconds).
    ///
    /// `step == 0` returns raw samples. A positive `step` returns per-step buckets (avg via
    /// [`Bucket::avg`], min, max, count); when `step`, `start` and `end` are multiples of one hour (or five
    /// minutes), flushed windows are answered from the rollups instead of raw chunks, which is what keeps
    /// 30-day queries cheap. Damaged chunks are skipped and reported in [`Store::damage`].
    pub fn query_range(
        &self,
        matchers: &[Matcher],
        start: i64,
        end: i64,
        step: i64,
    ) -> Result<Vec<SeriesPoints>> {
        let ids = self.select(matchers);
        let snap = self.snapshot(&ids, start, end);
        let w = self.inner.opts.block_ms;
        let res = [rollup::RES_1H, rollup::RES_5M].into_iter().find(|&r| {
            step > 0 && step % r == 0 && start.rem_euclid(r) == 0 && end.rem_euclid(r) == 0
        });
        let mut out = Vec::with_capacity(ids.len());
        // Where each table's previous lookup ended (ids come ascending; see `Table::get_hinted`).
        let mut block_hints: BTreeMap<i64, usize> = BTreeMap::new();
        let mut rollup_hints: BTreeMap<i64, usize> = BTreeMap::new();
        for (i, &id) in ids.iter().enumerate() {
            let Some(key) = self.series_key(id) else {
                continue;
            };
            let recent = &snap.recent[i];
            let points = if step <= 0 {
                let mut all = Vec::new();
                for (win, b) in snap.blocks.range(window_start(start, w)..end) {
                    let hint = block_hints.entry(*win).or_default();
                    self.block_samples(b, id, hint, start, end, &mut all);
                }
                all.extend_from_slice(recent);
                all.sort_by_key(|s| s.0);
                dedup_keep_last(&mut all);
                Points::Raw(all)
            } else {
                let mut folder = Folder::new(step);
                // Only windows that hold something: a range may span the whole i64 line.
                let mut wins: Vec<i64> = snap
                    .blocks
                    .keys()
                    .chain(snap.rollups.keys())
                    .copied()
                    .collect();
                wins.extend(recent.iter().map(|s| window_start(s.0, w)));
                wins.sort_unstable();
                wins.dedup();
                for win in wins {
                    let a = recent.partition_point(|s| s.0 < win);
                    let b = recent.partition_point(|s| s.0 < win.saturating_add(w));
                    let recent_here = &recent[a..b];
                    let from_rollup = match (res, snap.rollups.get(&win)) {
                        (Some(r), Some(t)) if recent_here.is_empty() => {
                            let has_raw = snap.blocks.contains_key(&win);
                            let hint = rollup_hints.entry(win).or_default();
                            self.rollup_buckets((t, hint), id, r, (start, end), has_raw, win)
                        }
                        _ => None,
                    };
                    match from_rollup {
                        Some(buckets) => buckets.iter().for_each(|bk| folder.add_bucket(bk)),
                        None => {
                            let mut raw = Vec::new();
                            if let Some(t) = snap.blocks.get(&win) {
                                let hint = block_hints.entry(win).or_default();
                                self.block_samples(t, id, hint, start, end, &mut raw);
                            }
                            if !recent_here.is_empty() {
                                raw.extend_from_slice(recent_here);
                                raw.sort_by_key(|s| s.0);
                                dedup_keep_last(&mut raw);
                            }
                            raw.iter().for_each(|&(t, v)| folder.add(t, v));
                        }
                    }
                }
                Points::Buckets(folder.finish())
            };
            out.push(SeriesPoints { id, key, points });
        }
        Ok(out)
    }

    /// The newest sample of a series, from the head or the newest block holding it.
    pub fn last_value(&self, id: SeriesId) -> Option<(i64, f64)> {
        let mut best = {
            let head = read(&self.inner.head);
            head.get(id as usize).and_then(|h| lock(h).last)
        };
        if let Some(f) = read(&self.inner.frozen).clone() {
            for series in f.values() {
                if let Some(&last) = series.get(&id).and_then(|s| s.last())
                    && best.is_none_or(|b| last.0 > b.0)
                {
                    best = Some(last);
                }
            }
        }
        let blocks: Vec<(i64, Arc<Table>)> = read(&self.inner.blocks)
            .iter()
            .rev()
            .map(|(s, t)| (*s, t.clone()))
            .collect();
        for (start, t) in blocks {
            if best.is_some_and(|b| b.0 >= start.saturating_add(self.inner.opts.block_ms)) {
                break;
            }
            let mut s = Vec::new();
            self.block_samples_where(&t, id, &mut 0, |_| true, &mut s);
            if let Some(&last) = s.last() {
                if best.is_none_or(|b| last.0 > b.0) {
                    best = Some(last);
                }
                break;
            }
        }
        best
    }

    fn snapshot(&self, ids: &[SeriesId], start: i64, end: i64) -> Snapshot {
        let inner = &*self.inner;
        let w = inner.opts.block_ms;
        let _gate = read(&inner.gate);
        let frozen = read(&inner.frozen).clone();
        let lo = window_start(start, w);
        let blocks = read(&inner.blocks)
            .range(lo..end.max(lo))
            .map(|(s, t)| (*s, t.clone()))
            .collect();
        let rollups = read(&inner.rollups)
            .range(lo..end.max(lo))
            .map(|(s, t)| (*s, t.clone()))
            .collect();
        let head = read(&inner.head);
        let recent = ids
            .iter()
            .map(|&id| {
                let mut v = Vec::new();
                if let Some(f) = &frozen {
                    for (_, series) in f.range(lo..end.max(lo)) {
                        if let Some(s) = series.get(&id) {
                            let a = s.partition_point(|x| x.0 < start);
                            let b = s.partition_point(|x| x.0 < end);
                            v.extend_from_slice(&s[a..b.max(a)]);
                        }
                    }
                }
                if let Some(h) = head.get(id as usize) {
                    v.extend(lock(h).range(start, end));
                }
                v.sort_by_key(|s| s.0);
                dedup_keep_last(&mut v);
                v
            })
            .collect();
        Snapshot {
            blocks,
            rollups,
            recent,
        }
    }

    /// Appends the block's samples of `id` within `[start, end)` to `out`; damage is reported, not returned.
    fn block_samples(
        &self,
        t: &Table,
        id: SeriesId,
        hint: &mut usize,
        start: i64,
        end: i64,
        out: &mut Vec<(i64, f64)>,
    ) {
        self.block_samples_where(t, id, hint, |ts| ts >= start && ts < end, out);
    }

    fn block_samples_where(
        &self,
        t: &Table,
        id: SeriesId,
        hint: &mut usize,
        keep: impl Fn(i64) -> bool,
        out: &mut Vec<(i64, f64)>,
    ) {
        match t.get_hinted(id, hint) {
            Ok(Some(chunk)) => match codec::decode(&chunk) {
                Ok(s) => out.extend(s.into_iter().filter(|x| keep(x.0))),
                Err(e) => self.report(&crate::error::Error::Corrupt {
                    path: t.path.clone(),
                    offset: 0,
                    reason: format!("chunk of series {id}: {e}"),
                }),
            },
            Ok(None) => {}
            Err(e) => self.report(&e),
        }
    }

    fn rollup_buckets(
        &self,
        (t, hint): (&Table, &mut usize),
        id: SeriesId,
        res: i64,
        (start, end): (i64, i64),
        has_raw: bool,
        win: i64,
    ) -> Option<Vec<Bucket>> {
        match t.get_hinted(id, hint) {
            Ok(Some(bytes)) => match rollup::decode(win, &bytes) {
                Ok((r5, r1h)) => {
                    // 5-minute buckets are not stored for sparse series (see rollup.rs): read raw while
                    // it is kept, the hourly buckets after that.
                    let list = if res == rollup::RES_1H || (r5.is_empty() && !r1h.is_empty()) {
                        if res != rollup::RES_1H && has_raw {
                            return None;
                        }
                        r1h
                    } else {
                        r5
                    };
                    Some(
                        list.into_iter()
                            .filter(|b| b.ts >= start && b.ts < end)
                            .collect(),
                    )
                }
                Err(e) => {
                    self.report(&crate::error::Error::Corrupt {
                        path: t.path.clone(),
                        offset: 0,
                        reason: format!("rollup of series {id}: {e}"),
                    });
                    None
                }
            },
            Ok(None) => Some(Vec::new()),
            Err(e) => {
                self.report(&e);
                None
            }
        }
    }
}
