//! Faults: damaged block files and a full disk.

use std::process::Command;

use sonde_tsdb::{Matcher, Points, Sample, Store};

use crate::util::{TempDir, key, manual, t0};

fn raw_all(store: &Store) -> Vec<(String, Vec<(i64, f64)>)> {
    store
        .query_range(&[], i64::MIN / 2, i64::MAX / 2, 0)
        .expect("query")
        .into_iter()
        .map(|s| match s.points {
            Points::Raw(v) => (s.key.to_string(), v),
            Points::Buckets(_) => unreachable!("step 0"),
        })
        .collect()
}

fn fill(store: &Store, hosts: &[&str], n: i64) {
    for h in hosts {
        let id = store.series_id(&key("m", h)).expect("id");
        let batch: Vec<Sample> = (0..n)
            .map(|i| Sample {
                series: id,
                ts_ms: t0() + i * 60_000,
                value: i as f64,
            })
            .collect();
        store.append(&batch).expect("append");
    }
}

#[test]
fn a_damaged_page_is_reported_with_file_and_offset_and_only_its_series_skipped() {
    let dir = TempDir::new("damage-page");
    let hosts = 5000;
    {
        let store = Store::open(dir.path(), manual()).expect("open");
        let mut batch = Vec::new();
        for h in 0..hosts {
            let id = store.series_id(&key("m", &format!("h{h:05}"))).expect("id");
            batch.extend((0..100).map(|i| Sample {
                series: id,
                ts_ms: t0() + i * 60_000,
                value: (i * h) as f64,
            }));
        }
        store.append(&batch).expect("append");
        store.flush().expect("flush");
    }
    let block = dir.path().join("blocks").join(format!("{}.blk", t0()));
    let mut bytes = std::fs::read(&block).expect("block");
    // The first page (the lowest series ids) starts right after the 8-byte magic.
    bytes[12] ^= 0xff;
    std::fs::write(&block, &bytes).expect("write");
    let store = Store::open(dir.path(), manual()).expect("a damaged page is not fatal");
    let got = raw_all(&store);
    assert_eq!(got.len(), hosts as usize);
    assert!(
        got[0].1.is_empty(),
        "series 0's page is damaged and skipped"
    );
    assert_eq!(
        got[hosts as usize - 1].1.len(),
        100,
        "the last series lives in a later, intact page"
    );
    // Exactly the first page's series (a prefix of the ids) are lost; every later page is intact.
    let lost = got.iter().take_while(|s| s.1.is_empty()).count();
    assert!(
        lost > 0 && lost < hosts as usize,
        "one page of series lost: {lost}"
    );
    assert!(
        got[lost..].iter().all(|s| s.1.len() == 100),
        "the other pages are served whole"
    );
    let damage = store.damage().join("\n");
    assert!(
        damage.contains(&block.display().to_string()) && damage.contains("at byte 8"),
        "{damage}"
    );
}

#[test]
fn a_block_with_a_broken_footer_is_skipped_and_the_rest_served() {
    let dir = TempDir::new("damage-footer");
    {
        let store = Store::open(dir.path(), manual()).expect("open");
        fill(&store, &["a"], 300); // five hours: three blocks
        store.flush().expect("flush");
    }
    let block = dir
        .path()
        .join("blocks")
        .join(format!("{}.blk", t0() + 2 * 3_600_000));
    let len = std::fs::metadata(&block).expect("meta").len();
    std::fs::OpenOptions::new()
        .write(true)
        .open(&block)
        .expect("open")
        .set_len(len - 5)
        .expect("truncate");
    let store = Store::open(dir.path(), manual()).expect("open with a damaged block");
    let got = raw_all(&store);
    assert_eq!(got[0].1.len(), 300 - 120, "the two good blocks are served");
    assert!(
        store
            .damage()
            .iter()
            .any(|d| d.contains(&block.display().to_string())),
        "{:?}",
        store.damage()
    );
}

#[test]
fn a_full_disk_fails_append_without_acknowledging_and_reads_go_on() {
    if unsafe_free_geteuid() != 0 {
        println!("skipped: mounting a small tmpfs needs root (CI runs as root)");
        return;
    }
    let dir = TempDir::new("full");
    let mnt = dir.path().join("mnt");
    std::fs::create_dir_all(&mnt).expect("mnt");
    let ok = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=256k", "tmpfs"])
        .arg(&mnt)
        .status()
        .expect("mount");
    assert!(ok.success(), "mount tmpfs");
    struct Unmount(std::path::PathBuf);
    impl Drop for Unmount {
        fn drop(&mut self) {
            let _ = Command::new("umount").arg(&self.0).status();
        }
    }
    let _guard = Unmount(mnt.clone());
    let data = mnt.join("db");
    // WAL segments small enough that the disk fills while the log rolls over.
    let opts = sonde_tsdb::Options {
        wal_segment_bytes: 16 << 10,
        ..manual()
    };
    let mut acked = Vec::new();
    let mut refused = Vec::new();
    {
        let store = Store::open(&data, opts.clone()).expect("open");
        let id = store.series_id(&key("m", "a")).expect("id");
        for i in 0..100_000i64 {
            let batch: Vec<Sample> = (0..50)
                .map(|j| Sample {
                    series: id,
                    ts_ms: t0() + (i * 50 + j) * 1000,
                    value: (i * 50 + j) as f64,
                })
                .collect();
            match store.append(&batch) {
                Ok(()) => acked.push(i),
                Err(e) => {
                    assert!(
                        e.to_string().contains("wal"),
                        "the error names the log file: {e}"
                    );
                    refused.push(i);
                    if refused.len() == 3 {
                        break;
                    }
                }
            }
        }
        assert_eq!(refused.len(), 3, "the disk filled up");
        assert!(acked.len() > 10);
        // Reads keep working on a full disk.
        let got = raw_all(&store);
        assert_eq!(got[0].1.len(), acked.len() * 50);
    }
    let store = Store::open(&data, opts).expect("reopen after the disk filled");
    let got = raw_all(&store);
    let want: Vec<i64> = acked
        .iter()
        .flat_map(|&i| (0..50).map(move |j| i * 50 + j))
        .collect();
    let have: Vec<i64> = got[0].1.iter().map(|s| s.1 as i64).collect();
    assert_eq!(
        have, want,
        "exactly the acknowledged samples, none from refused batches"
    );
    let _ = Matcher::name("m");
}

#[allow(unsafe_code)]
fn unsafe_free_geteuid() -> u32 {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() }
}
