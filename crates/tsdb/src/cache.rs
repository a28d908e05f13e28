//! The store-wide cache of inflated table pages, bounded in bytes.
//!
//! A dashboard query asks for one metric on every host: its series are spread over most pages of every
//! block in the range (ids are given in arrival order, host by host), so each query touches nearly every
//! page. A per-table cache smaller than a table thrashes and every query inflates every page again; one
//! cache for the whole store, sized in bytes, keeps the working set of recent blocks inflated instead.
//!
//! Eviction is least-recently-used by a use counter; the eviction scan is linear, which at the default
//! size (a few thousand pages) costs microseconds beside the inflate it saves.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// Identifies a table for its lifetime (a rewritten block is a new table with a new id).
static NEXT_TABLE: AtomicU64 = AtomicU64::new(1);

pub(crate) fn next_table_id() -> u64 {
    NEXT_TABLE.fetch_add(1, Ordering::Relaxed)
}

/// Inflated pages by `(table id, page number)`.
pub(crate) struct PageCache {
    capacity: usize,
    inner: Mutex<Inner>,
}

/// A cached page and the tick of its last use.
struct Entry(Arc<Vec<u8>>, u64);

struct Inner {
    pages: HashMap<(u64, u32), Entry>,
    bytes: usize,
    tick: u64,
}

impl PageCache {
    /// A cache holding at most `capacity` inflated bytes (0 keeps nothing).
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            capacity,
            inner: Mutex::new(Inner {
                pages: HashMap::new(),
                bytes: 0,
                tick: 0,
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(crate) fn get(&self, table: u64, page: u32) -> Option<Arc<Vec<u8>>> {
        let mut g = self.lock();
        g.tick += 1;
        let tick = g.tick;
        let e = g.pages.get_mut(&(table, page))?;
        e.1 = tick;
        Some(e.0.clone())
    }

    pub(crate) fn insert(&self, table: u64, page: u32, raw: Arc<Vec<u8>>) {
        if raw.len() > self.capacity {
            return;
        }
        let mut g = self.lock();
        g.tick += 1;
        let tick = g.tick;
        let len = raw.len();
        if let Some(old) = g.pages.insert((table, page), Entry(raw, tick)) {
            g.bytes -= old.0.len();
        }
        g.bytes += len;
        while g.bytes > self.capacity {
            let Some(&victim) = g.pages.iter().min_by_key(|(_, v)| v.1).map(|(k, _)| k) else {
                break;
            };
            if let Some(v) = g.pages.remove(&victim) {
                g.bytes -= v.0.len();
            }
        }
    }

    /// Drops a table's pages (its file was replaced or deleted).
    pub(crate) fn forget(&self, table: u64) {
        let mut g = self.lock();
        let mut freed = 0;
        g.pages.retain(|k, v| {
            let keep = k.0 != table;
            if !keep {
                freed += v.0.len();
            }
            keep
        });
        g.bytes -= freed;
    }

    #[cfg(test)]
    fn bytes(&self) -> usize {
        self.lock().bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evicts_the_least_recently_used_within_its_bytes() {
        let c = PageCache::new(300);
        c.insert(1, 0, Arc::new(vec![0; 100]));
        c.insert(1, 1, Arc::new(vec![1; 100]));
        c.insert(1, 2, Arc::new(vec![2; 100]));
        assert!(c.get(1, 0).is_some(), "page 0 used again");
        c.insert(2, 0, Arc::new(vec![3; 100]));
        assert!(c.get(1, 1).is_none(), "the least recently used page goes");
        assert!(c.get(1, 0).is_some() && c.get(1, 2).is_some() && c.get(2, 0).is_some());
        assert_eq!(c.bytes(), 300);
        c.forget(1);
        assert_eq!(c.bytes(), 100);
        assert!(c.get(1, 0).is_none() && c.get(2, 0).is_some());
        c.insert(3, 0, Arc::new(vec![0; 301]));
        assert!(
            c.get(3, 0).is_none(),
            "a page larger than the cache is not kept"
        );
    }
}
