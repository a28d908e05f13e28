//! Crash safety: WAL replay after a torn write at every byte offset, and a real `kill -9` during ingest.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use sonde_tsdb::{Matcher, Options, Points, Sample, Store};

use crate::util::{TempDir, key, manual, t0};

fn raw_values(store: &Store, host: &str) -> Vec<(i64, f64)> {
    match store
        .query_range(&[Matcher::eq("host", host)], i64::MIN / 2, i64::MAX / 2, 0)
        .expect("query")
        .pop()
    {
        Some(s) => match s.points {
            Points::Raw(v) => v,
            Points::Buckets(_) => unreachable!("step 0"),
        },
        None => Vec::new(),
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read_dir") {
        let e = e.expect("entry");
        let target = to.join(e.file_name());
        if e.file_type().expect("type").is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), &target).expect("copy");
        }
    }
}

#[test]
fn a_wal_torn_anywhere_in_its_last_record_keeps_every_complete_record() {
    let dir = TempDir::new("torn");
    let seg = dir.path().join("wal").join("00000001.seg");
    let batch = |k: i64, id| -> Vec<Sample> {
        (0..5)
            .map(|j| Sample {
                series: id,
                ts_ms: t0() + (k * 5 + j) * 1000,
                value: (k * 100 + j) as f64,
            })
            .collect()
    };
    let (len2, len3) = {
        let store = Store::open(dir.path(), manual()).expect("open");
        let id = store.series_id(&key("m", "a")).expect("id");
        store.append(&batch(0, id)).expect("1");
        store.append(&batch(1, id)).expect("2");
        store.append(&batch(2, id)).expect("3");
        // Segments are preallocated, so record boundaries come from walking the length fields.
        let bytes = std::fs::read(&seg).expect("seg");
        let mut ends = Vec::new();
        let mut pos = 0usize;
        loop {
            let len = u32::from_le_bytes(bytes[pos..pos + 4].try_into().expect("4 bytes")) as usize;
            if len == 0 {
                break;
            }
            pos += 8 + len;
            ends.push(pos as u64);
        }
        assert_eq!(ends.len(), 3, "three records");
        (ends[1], ends[2])
    };
    let first_two: Vec<(i64, f64)> = batch(0, 0)
        .into_iter()
        .chain(batch(1, 0))
        .map(|s| (s.ts_ms, s.value))
        .collect();
    assert!(len3 > len2 + 8);
    // A torn write leaves the record's tail missing (file cut short), never written (zeros in the
    // preallocated segment) or half-written garbage.
    for (cut, tail) in (len2..=len3).flat_map(|c| [(c, None), (c, Some(0u8)), (c, Some(0xa5u8))]) {
        let case = TempDir::new("torn-case");
        copy_dir(dir.path(), case.path());
        let f = std::fs::OpenOptions::new()
            .write(true)
            .open(case.path().join("wal").join("00000001.seg"))
            .expect("seg");
        match tail {
            None => f.set_len(cut).expect("truncate"),
            Some(b) => {
                use std::os::unix::fs::FileExt;
                f.write_all_at(&vec![b; (len3 - cut) as usize], cut)
                    .expect("overwrite the tail");
            }
        }
        drop(f);
        let store =
            Store::open(case.path(), manual()).expect("recovery never fails on a torn tail");
        let got = raw_values(&store, "a");
        if cut == len3 {
            assert_eq!(got.len(), 15, "the complete third record is kept");
        } else {
            assert_eq!(
                got, first_two,
                "cut at {cut} ({tail:?}): exactly the two complete records"
            );
        }
        // Appends after recovery land after the last good record and survive another reopen.
        store
            .append(&[Sample {
                series: 0,
                ts_ms: t0() + 999_000,
                value: 7.0,
            }])
            .expect("append after recovery");
        drop(store);
        let store = Store::open(case.path(), manual()).expect("reopen");
        assert_eq!(
            raw_values(&store, "a").last(),
            Some(&(t0() + 999_000, 7.0)),
            "cut at {cut}"
        );
    }
}

const CHILD_ENV: &str = "SONDE_TSDB_KILL9_DIR";
const THREADS: usize = 4;
const SERIES_PER_THREAD: usize = 10;

/// The child side of the kill -9 test: does nothing unless the parent set the environment variable.
#[test]
fn kill9_child_helper() {
    let Ok(dir) = std::env::var(CHILD_ENV) else {
        return;
    };
    // Flushes run in the background while samples stream in, so the kill can land mid-flush too.
    let opts = Options {
        background_interval: Some(Duration::from_millis(20)),
        flush_grace_ms: 0,
        // Small segments, so the kill can also land while the log rolls to a new one.
        wal_segment_bytes: 256 << 10,
        ..Options::default()
    };
    let store = std::sync::Arc::new(Store::open(&dir, opts).expect("child open"));
    let mut handles = Vec::new();
    for t in 0..THREADS {
        let store = store.clone();
        handles.push(std::thread::spawn(move || {
            let ids: Vec<u32> = (0..SERIES_PER_THREAD)
                .map(|s| {
                    store
                        .series_id(&key("m", &format!("t{t}-s{s}")))
                        .expect("id")
                })
                .collect();
            for k in 0i64.. {
                let batch: Vec<Sample> = ids
                    .iter()
                    .map(|&id| Sample {
                        series: id,
                        ts_ms: t0() + k * 60_000,
                        value: k as f64,
                    })
                    .collect();
                store.append(&batch).expect("child append");
                use std::io::Write;
                let mut out = std::io::stdout().lock();
                let _ = writeln!(out, "ACK {t} {k}");
                let _ = out.flush();
            }
        }));
    }
    for h in handles {
        let _ = h.join();
    }
}

#[test]
fn kill9_during_ingest_loses_no_acknowledged_sample() {
    let dir = TempDir::new("kill9");
    let exe = std::env::current_exe().expect("test binary");
    let mut child = Command::new(exe)
        .args([
            "--exact",
            "crash::kill9_child_helper",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_ENV, dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn child");
    let stdout = child.stdout.take().expect("piped");
    let mut acked = [-1i64; THREADS];
    let started = Instant::now();
    let mut lines = BufReader::new(stdout).lines();
    let mut n = 0usize;
    // Let it run past several background flushes (every 120 batches of sim time close a window).
    while started.elapsed() < Duration::from_millis(1500) || n < 2000 {
        let Some(Ok(line)) = lines.next() else { break };
        let parts: Vec<&str> = line.split_whitespace().collect();
        if let ["ACK", t, k] = parts[..] {
            let (t, k): (usize, i64) = (t.parse().expect("t"), k.parse().expect("k"));
            acked[t] = acked[t].max(k);
            n += 1;
        }
        if started.elapsed() > Duration::from_secs(30) {
            break;
        }
    }
    kill9(child.id());
    // Drain what the child printed before it died: those batches were acknowledged too.
    for line in lines.map_while(Result::ok) {
        if let ["ACK", t, k] = line.split_whitespace().collect::<Vec<_>>()[..] {
            let t: usize = t.parse().expect("t");
            acked[t] = acked[t].max(k.parse().expect("k"));
        }
    }
    let status = child.wait().expect("wait");
    assert!(!status.success(), "the child was killed, not finished");
    assert!(
        acked.iter().all(|&k| k > 200),
        "the child got going: {acked:?}"
    );

    let store = Store::open(dir.path(), manual()).expect("reopen after kill -9");
    let blocks = std::fs::read_dir(dir.path().join("blocks"))
        .expect("blocks")
        .count();
    assert!(blocks > 0, "flushes ran before the kill");
    for (t, &max_k) in acked.iter().enumerate() {
        for s in 0..SERIES_PER_THREAD {
            let got = raw_values(&store, &format!("t{t}-s{s}"));
            let have: std::collections::HashMap<i64, f64> = got.into_iter().collect();
            for k in 0..=max_k {
                assert_eq!(
                    have.get(&(t0() + k * 60_000)),
                    Some(&(k as f64)),
                    "thread {t} series {s} batch {k} was acknowledged"
                );
            }
        }
    }
}

#[allow(unsafe_code)]
fn kill9(pid: u32) {
    // SAFETY: kill(2) with a pid we spawned and own; no memory is involved.
    let r = unsafe { libc::kill(pid as libc::pid_t, libc::SIGKILL) };
    assert_eq!(r, 0, "kill -9 the child");
}

#[test]
fn recycled_wal_segments_never_replay_their_old_records() {
    let dir = TempDir::new("recycle");
    let n_batches = 40i64;
    let batch = |id, k: i64, v: f64| -> Vec<Sample> {
        (0..1000)
            .map(|j| Sample {
                series: id,
                ts_ms: t0() + (k * 1000 + j) * 1000,
                value: v,
            })
            .collect()
    };
    {
        let store = Store::open(dir.path(), manual()).expect("open");
        let id = store.series_id(&key("m", "a")).expect("id");
        // Fill a few segments with value 1, then make it history.
        (0..n_batches).for_each(|k| store.append(&batch(id, k, 1.0)).expect("append 1"));
        store.flush().expect("flush");
        let spares = std::fs::read_dir(dir.path().join("wal"))
            .expect("wal")
            .filter(|e| {
                e.as_ref()
                    .is_ok_and(|e| e.file_name().to_string_lossy().starts_with("spare-"))
            })
            .count();
        assert!(spares >= 2, "retired segments are kept for recycling");
        // The same samples re-delivered with value 2 go into recycled segments full of value-1 records.
        (0..n_batches).for_each(|k| store.append(&batch(id, k, 2.0)).expect("append 2"));
        store.flush().expect("flush");
        store
            .append(&batch(id, n_batches, 2.0))
            .expect("one more, left in the WAL");
    }
    let store = Store::open(dir.path(), manual()).expect("reopen");
    let got = raw_values(&store, "a");
    assert_eq!(got.len(), (n_batches as usize + 1) * 1000);
    assert!(
        got.iter().all(|s| s.1 == 2.0),
        "a stale value-1 record from a recycled segment was replayed"
    );
    assert!(store.damage().is_empty(), "{:?}", store.damage());
}
