//! Store behaviour: out-of-order and duplicate samples, flush and reopen, rollups against raw aggregation,
//! retention, last values.

use sonde_tsdb::{Bucket, Matcher, Options, Points, Sample, Store};

use crate::util::{TempDir, key, manual, t0};

const H: i64 = 3_600_000;

fn raw(store: &Store, ms: &[Matcher], start: i64, end: i64) -> Vec<Vec<(i64, f64)>> {
    store
        .query_range(ms, start, end, 0)
        .expect("query")
        .into_iter()
        .map(|s| match s.points {
            Points::Raw(v) => v,
            Points::Buckets(_) => panic!("step 0 gives raw samples"),
        })
        .collect()
}

fn buckets(store: &Store, ms: &[Matcher], start: i64, end: i64, step: i64) -> Vec<Vec<Bucket>> {
    store
        .query_range(ms, start, end, step)
        .expect("query")
        .into_iter()
        .map(|s| match s.points {
            Points::Buckets(v) => v,
            Points::Raw(_) => panic!("a positive step gives buckets"),
        })
        .collect()
}

/// What a step query must return, computed here from raw samples independently of the store's folding.
fn expected_buckets(samples: &[(i64, f64)], step: i64) -> Vec<Bucket> {
    let mut out: Vec<Bucket> = Vec::new();
    for &(t, v) in samples.iter().filter(|s| !s.1.is_nan()) {
        let ts = t.div_euclid(step) * step;
        match out.last_mut() {
            Some(b) if b.ts == ts => {
                b.min = b.min.min(v);
                b.max = b.max.max(v);
                b.sum += v;
                b.count += 1;
            }
            _ => out.push(Bucket {
                ts,
                min: v,
                max: v,
                sum: v,
                count: 1,
            }),
        }
    }
    out
}

fn assert_buckets_eq(got: &[Bucket], want: &[Bucket]) {
    assert_eq!(got.len(), want.len(), "bucket count");
    for (g, w) in got.iter().zip(want) {
        assert_eq!((g.ts, g.count), (w.ts, w.count), "got {g:?} want {w:?}");
        assert_eq!(g.min.to_bits(), w.min.to_bits(), "min at {}", g.ts);
        assert_eq!(g.max.to_bits(), w.max.to_bits(), "max at {}", g.ts);
        assert!(
            (g.sum - w.sum).abs() <= 1e-9 * w.sum.abs().max(1.0),
            "sum at {}: {} vs {}",
            g.ts,
            g.sum,
            w.sum
        );
    }
}

#[test]
fn out_of_order_and_duplicate_samples_are_sorted_and_idempotent() {
    let dir = TempDir::new("ooo");
    let want: Vec<(i64, f64)> = (0..10).map(|i| (t0() + i * 60_000, i as f64)).collect();
    let check = |store: &Store, when: &str| {
        let got = raw(store, &[Matcher::eq("host", "a")], t0(), t0() + 3 * H);
        assert_eq!(got, vec![want.clone()], "{when}");
    };
    {
        let store = Store::open(dir.path(), manual()).expect("open");
        let id = store.series_id(&key("m", "a")).expect("id");
        // Reverse order, with a wrong value first that a re-delivery corrects.
        store
            .append(&[Sample {
                series: id,
                ts_ms: t0() + 5 * 60_000,
                value: -1.0,
            }])
            .expect("append");
        for &(t, v) in want.iter().rev() {
            store
                .append(&[Sample {
                    series: id,
                    ts_ms: t,
                    value: v,
                }])
                .expect("append");
        }
        check(&store, "in the head");
        store.flush().expect("flush");
        check(&store, "after flush");
        // Re-delivery of an old batch after the flush: same samples again, plus one late one at the end.
        let again: Vec<Sample> = want
            .iter()
            .map(|&(t, v)| Sample {
                series: id,
                ts_ms: t,
                value: v,
            })
            .collect();
        store.append(&again).expect("re-deliver");
        check(&store, "re-delivered, in head over the block");
        store.flush().expect("second flush rewrites the window");
        check(&store, "after merging into the block");
        assert_eq!(
            std::fs::read_dir(dir.path().join("blocks"))
                .expect("blocks")
                .count(),
            1,
            "one block per window"
        );
    }
    let store = Store::open(dir.path(), manual()).expect("reopen");
    check(&store, "after reopen");
    assert_eq!(store.last_value(0), Some((t0() + 9 * 60_000, 9.0)));
}

#[test]
fn samples_survive_reopen_from_wal_and_blocks_alike() {
    let dir = TempDir::new("reopen");
    let mut want = Vec::new();
    {
        let store = Store::open(dir.path(), manual()).expect("open");
        let id = store.series_id(&key("m", "a")).expect("id");
        for i in 0..300 {
            let s = (t0() + i * 60_000, (i % 7) as f64 * 0.25);
            want.push(s);
            store
                .append(&[Sample {
                    series: id,
                    ts_ms: s.0,
                    value: s.1,
                }])
                .expect("append");
            if i == 150 {
                store.flush().expect("flush half");
            }
        }
        // The second half is only in the WAL when the store is dropped.
        assert!(store.head_samples() > 0);
    }
    let store = Store::open(dir.path(), manual()).expect("reopen");
    assert_eq!(
        raw(&store, &[Matcher::name("m")], t0(), t0() + 10 * H),
        vec![want.clone()]
    );
    assert_eq!(store.last_value(0), want.last().copied());
    // Half-open ranges: [start, end).
    assert_eq!(
        raw(&store, &[Matcher::name("m")], t0() + 60_000, t0() + 180_000),
        vec![want[1..3].to_vec()]
    );
}

/// Deterministic pseudo-random values (xorshift), some NaN.
fn series_values(base: i64, seed: u64, n: i64, interval: i64) -> Vec<(i64, f64)> {
    let mut x = seed | 1;
    (0..n)
        .map(|i| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let v = if x.is_multiple_of(97) {
                f64::NAN
            } else {
                (x % 10_000) as f64 / 100.0 - 20.0
            };
            (base + i * interval + (x % 3) as i64 * 1000, v)
        })
        .collect()
}

#[test]
fn rollup_answers_equal_raw_aggregation_and_outlive_raw_retention() {
    let dir = TempDir::new("rollup");
    let opts = Options {
        raw_retention_ms: 24 * H,
        rollup_retention_ms: 30 * 24 * H,
        ..manual()
    };
    let store = Store::open(dir.path(), opts).expect("open");
    // Ten days ahead, so the wall-clock retention each flush applies leaves the data to this test's calls.
    let base = t0() + 10 * 24 * H;
    let mut all = Vec::new();
    for host in ["a", "b", "c"] {
        let id = store.series_id(&key("m", host)).expect("id");
        // "c" is dense (every 20 s), so it gets 5-minute rollups; "a" and "b" (60 s) only hourly ones.
        let interval = if host == "c" { 20_000 } else { 60_000 };
        let samples = series_values(base, u64::from(id) * 7919 + 1, 72 * H / interval, interval);
        let batch: Vec<Sample> = samples
            .iter()
            .map(|&(t, v)| Sample {
                series: id,
                ts_ms: t,
                value: v,
            })
            .collect();
        store.append(&batch).expect("append");
        all.push(samples);
    }
    store.flush().expect("flush");
    let end = base + 72 * H;
    // One more late sample in the head for a flushed window: the query must fall back to raw there.
    let late = (base + 5 * H + 30_500, 1234.0); // between two samples
    store
        .append(&[Sample {
            series: 0,
            ts_ms: late.0,
            value: late.1,
        }])
        .expect("late");
    all[0].push(late);
    all[0].sort_by_key(|s| s.0);

    for step in [5 * 60_000, H, 2 * H, 7 * 60_000] {
        let got = buckets(&store, &[Matcher::name("m")], base, end, step);
        for (g, samples) in got.iter().zip(&all) {
            assert_buckets_eq(g, &expected_buckets(samples, step));
        }
    }
    // Raw blocks older than a day go; the hourly view of those days stays, answered from rollups.
    let before = buckets(&store, &[Matcher::name("m")], base, end, H);
    let before5 = buckets(&store, &[Matcher::name("m")], base, end, 5 * 60_000);
    store.flush().expect("flush the late sample");
    store.apply_retention(end).expect("retention");
    let raw_left = raw(&store, &[Matcher::name("m")], base, end);
    assert!(
        raw_left
            .iter()
            .all(|s| s.iter().all(|x| x.0 >= end - 26 * H)),
        "raw data older than the retention is gone"
    );
    assert!(!raw_left[0].is_empty());
    let after = buckets(&store, &[Matcher::name("m")], base, end, H);
    for (a, b) in after.iter().zip(&before) {
        assert_buckets_eq(a, b);
    }
    // The dense series keeps its 5-minute view; the sparse ones answer a 5-minute step from hourly buckets
    // where raw data is gone.
    let after5 = buckets(&store, &[Matcher::name("m")], base, end, 5 * 60_000);
    assert_buckets_eq(&after5[2], &before5[2]);
    let cut = window_of_oldest_raw(&raw_left[0]);
    let old: Vec<(i64, f64)> = all[0].iter().copied().filter(|s| s.0 < cut).collect();
    let old_buckets: Vec<Bucket> = after5[0].iter().copied().filter(|b| b.ts < cut).collect();
    assert_buckets_eq(&old_buckets, &expected_buckets(&old, H));
    // With rollups past their own retention, nothing is left for that time.
    store.apply_retention(end + 40 * 24 * H).expect("retention");
    assert!(
        buckets(&store, &[Matcher::name("m")], base, end, H)
            .iter()
            .all(|b| b.is_empty())
    );
}

/// Start of the two-hour window holding the oldest remaining raw sample.
fn window_of_oldest_raw(samples: &[(i64, f64)]) -> i64 {
    let t = samples.first().expect("some raw data left").0;
    t - t.rem_euclid(2 * H)
}

#[test]
fn extreme_timestamps_and_special_values_are_stored_as_given() {
    let dir = TempDir::new("extreme");
    // Far-past and far-future samples: keep wall-clock retention out of it.
    let opts = Options {
        raw_retention_ms: i64::MAX,
        rollup_retention_ms: i64::MAX,
        ..manual()
    };
    let want = [
        (i64::MIN, f64::NAN),
        (-1, -0.0),
        (0, f64::INFINITY),
        (1, f64::NEG_INFINITY),
        (t0(), f64::from_bits(0x7ff8_dead_beef_0001)),
        (i64::MAX, 1e308),
    ];
    let bits = |v: &[(i64, f64)]| v.iter().map(|s| (s.0, s.1.to_bits())).collect::<Vec<_>>();
    {
        let store = Store::open(dir.path(), opts.clone()).expect("open");
        let id = store.series_id(&key("m", "a")).expect("id");
        let batch: Vec<Sample> = want
            .iter()
            .map(|&(t, v)| Sample {
                series: id,
                ts_ms: t,
                value: v,
            })
            .collect();
        store.append(&batch).expect("append");
        assert_eq!(
            bits(&raw(&store, &[], i64::MIN, i64::MAX)[0]),
            bits(&want[..want.len() - 1]),
            "head, [MIN, MAX)"
        );
        store.flush().expect("flush");
        // Aggregation over everything must not overflow either.
        let _ = store
            .query_range(&[], i64::MIN, i64::MAX, H)
            .expect("aggregate");
        let _ = store
            .query_range(&[], i64::MIN, i64::MAX, 1)
            .expect("aggregate");
    }
    let store = Store::open(dir.path(), opts).expect("reopen");
    assert!(store.damage().is_empty(), "{:?}", store.damage());
    // The i64::MIN sample's block ended more than i64::MAX ms ago, so even the longest retention dropped
    // it at the flush; everything else is back bit for bit.
    assert_eq!(
        bits(&raw(&store, &[], i64::MIN, i64::MAX)[0]),
        bits(&want[1..want.len() - 1])
    );
    assert_eq!(
        store.last_value(0).map(|s| (s.0, s.1.to_bits())),
        Some((i64::MAX, 1e308f64.to_bits()))
    );
}

#[test]
fn samples_never_vanish_from_queries_while_flushes_run() {
    let dir = TempDir::new("concurrent");
    let store = std::sync::Arc::new(Store::open(dir.path(), manual()).expect("open"));
    let ids: Vec<u32> = (0..4)
        .map(|t| store.series_id(&key("m", &format!("t{t}"))).expect("id"))
        .collect();
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let batches = 400i64;
    let writers: Vec<_> = ids
        .iter()
        .map(|&id| {
            let store = store.clone();
            std::thread::spawn(move || {
                for k in 0..batches {
                    // Ten samples a batch, a minute apart: windows close and get flushed as it runs.
                    let batch: Vec<Sample> = (0..10)
                        .map(|j| Sample {
                            series: id,
                            ts_ms: t0() + (k * 10 + j) * 60_000,
                            value: (k * 10 + j) as f64,
                        })
                        .collect();
                    store.append(&batch).expect("append");
                }
            })
        })
        .collect();
    let flusher = {
        let (store, done) = (store.clone(), done.clone());
        std::thread::spawn(move || {
            let mut n = 0;
            while !done.load(std::sync::atomic::Ordering::Relaxed) {
                store.flush().expect("flush");
                n += 1;
            }
            n
        })
    };
    // A reader that must never see a series' sample count go down.
    let mut last = [0usize; 4];
    let mut reads = 0;
    while writers.iter().any(|w| !w.is_finished()) {
        let got = raw(&store, &[Matcher::name("m")], t0(), t0() + 10_000 * 60_000);
        for (i, s) in got.iter().enumerate() {
            assert!(
                s.len() >= last[i],
                "series {i} went from {} to {} samples",
                last[i],
                s.len()
            );
            last[i] = s.len();
        }
        reads += 1;
    }
    writers.into_iter().for_each(|w| w.join().expect("writer"));
    done.store(true, std::sync::atomic::Ordering::Relaxed);
    let flushes = flusher.join().expect("flusher");
    assert!(flushes > 1 && reads > 1, "flushes {flushes}, reads {reads}");
    let got = raw(&store, &[Matcher::name("m")], t0(), t0() + 10_000 * 60_000);
    for s in &got {
        assert_eq!(s.len(), (batches * 10) as usize);
        assert!(s.iter().enumerate().all(|(i, x)| x.1 == i as f64));
    }
}
