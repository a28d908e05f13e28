//! A temporary directory removed on drop, and store helpers.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use sonde_tsdb::{Options, SeriesKey};

pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> Self {
        static N: AtomicUsize = AtomicUsize::new(0);
        let p = std::env::temp_dir().join(format!(
            "sonde-tsdb-{tag}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).expect("create temp dir");
        Self(p)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Options with no background thread, so tests decide when to flush.
pub fn manual() -> Options {
    Options {
        background_interval: None,
        // Small WAL segments: quick to preallocate, and long tests roll over several.
        wal_segment_bytes: 256 << 10,
        ..Options::default()
    }
}

pub fn key(name: &str, host: &str) -> SeriesKey {
    SeriesKey::new(name, &[("host", host)])
}

/// Base time of test data: four days ago, aligned to a two-hour block. Recent, because every flush applies
/// the default 30-day retention against the wall clock.
pub fn t0() -> i64 {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock after 1970")
        .as_millis() as i64;
    let t = now - 4 * 86_400_000;
    t - t % 7_200_000
}
