//! `tsdb-bench`: ingest rate, bytes per sample and dashboard query latency of sonde-tsdb on agent-like data.
//!
//! Data: `hosts` x `series` per host, one sample per series every `interval` seconds over `hours`, with
//! whole-second timestamps (as the agent posts) and an occasional one-second jitter. Series kinds mimic an
//! agent (per ten series): three two-decimal gauges (cpu %, load) in a random walk, two byte gauges moving
//! in pages, two counters, two constants (sizes, totals) and one full-precision float (a computed rate). Ingest goes through `append` (WAL + group commit + fsync) from several threads,
//! one batch per host per interval like agent posts, with the background flush running. Then everything is
//! flushed and the block/rollup bytes are divided by the sample count. Queries: 24 h x 100 series of one
//! host, raw and at a 5-minute step.
//!
//! Usage: `tsdb-bench [--hosts N] [--series N] [--interval S] [--hours H] [--threads N] [--queries N]
//! [--dir PATH] [--keep] [--export FILE]`. High-rate variant: `--hosts 100 --interval 10`. `--export` writes
//! the same samples as Prometheus text (for VictoriaMetrics' `/api/v1/import/prometheus`) and exits.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use sonde_tsdb::{MatchOp, Matcher, Options, Sample, SeriesKey, Store};

struct Args {
    hosts: usize,
    series: usize,
    interval_s: i64,
    hours: i64,
    threads: usize,
    queries: usize,
    dir: Option<std::path::PathBuf>,
    keep: bool,
    /// Write the data as Prometheus text to this file instead of running the benchmark.
    export: Option<std::path::PathBuf>,
}

fn parse_args() -> Result<Args, String> {
    let mut a = Args {
        hosts: 1000,
        series: 130,
        interval_s: 60,
        hours: 24,
        threads: 8,
        queries: 200,
        dir: None,
        keep: false,
        export: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        if flag == "--keep" {
            a.keep = true;
            continue;
        }
        let v = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
        let num = || v.parse::<i64>().map_err(|e| format!("{flag} {v}: {e}"));
        match flag.as_str() {
            "--hosts" => a.hosts = num()? as usize,
            "--series" => a.series = num()? as usize,
            "--interval" => a.interval_s = num()?,
            "--hours" => a.hours = num()?,
            "--threads" => a.threads = num()? as usize,
            "--queries" => a.queries = num()? as usize,
            "--dir" => a.dir = Some(v.into()),
            "--export" => a.export = Some(v.into()),
            _ => return Err(format!("unknown flag {flag}")),
        }
    }
    if a.hosts == 0 || a.series == 0 || a.interval_s <= 0 || a.hours <= 0 || a.threads == 0 {
        return Err("counts must be positive".into());
    }
    Ok(a)
}

/// xorshift64: cheap deterministic randomness so generation does not dominate the measurement.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

/// Per-series generator state.
#[derive(Clone, Copy)]
enum Gen {
    /// Two-decimal gauge in [0, 100] moving by small steps (cpu %, load average).
    Percent(i64),
    /// Byte gauge moving in 4 KiB pages now and then (memory, disk used).
    Bytes(i64),
    /// Counter growing by a varying amount (network bytes, requests).
    Counter(i64),
    /// Full-precision float (a computed rate).
    Float(f64),
    /// A value that does not change (filesystem size, memory total, CPU count).
    Constant(f64),
}

impl Gen {
    fn new(i: usize, r: &mut Rng) -> Gen {
        match i % 10 {
            0..=2 => Gen::Percent((r.next() % 10_000) as i64),
            3 | 4 => Gen::Bytes((r.next() % (1 << 34)) as i64 & !4095),
            5 | 6 => Gen::Counter((r.next() % 1_000_000_000) as i64),
            7 | 8 => Gen::Constant(((r.next() % (1 << 30)) * 4096) as f64),
            _ => Gen::Float((r.next() % 1000) as f64 / 7.0),
        }
    }

    fn step(&mut self, r: &mut Rng) -> f64 {
        let x = r.next();
        match self {
            Gen::Percent(c) => {
                *c = (*c + (x % 41) as i64 - 20).clamp(0, 10_000);
                *c as f64 / 100.0
            }
            Gen::Bytes(b) => {
                if x.is_multiple_of(4) {
                    *b = (*b + ((x >> 8) % 64) as i64 * 4096 - 32 * 4096).max(0);
                }
                *b as f64
            }
            Gen::Counter(c) => {
                *c += 1000 + ((x >> 8) % 5000) as i64;
                *c as f64
            }
            Gen::Constant(c) => *c,
            Gen::Float(f) => {
                *f = (*f * 0.9 + ((x >> 11) as f64 / (1u64 << 53) as f64) * 10.0).abs();
                *f
            }
        }
    }
}

/// The data's shape, shared by the generator threads.
#[derive(Clone, Copy)]
struct Shape {
    hosts: usize,
    series: usize,
    interval_s: i64,
    threads: usize,
    steps: i64,
}

/// Generates generator-thread `th`'s share of the data (every `threads`-th host), calling
/// `emit(host, ts_ms, values)` per host per interval, in time order. Deterministic per `th`, so an export
/// holds exactly what the ingest appends.
fn generate<E>(
    th: usize,
    shape: Shape,
    start_s: i64,
    mut emit: impl FnMut(usize, i64, &[f64]) -> Result<(), E>,
) -> Result<(), E> {
    let mine: Vec<usize> = (th..shape.hosts).step_by(shape.threads).collect();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ (th as u64 + 1));
    let mut gens: Vec<Vec<Gen>> = mine
        .iter()
        .map(|_| (0..shape.series).map(|i| Gen::new(i, &mut rng)).collect())
        .collect();
    let mut values = Vec::with_capacity(shape.series);
    for k in 0..shape.steps {
        for (hi, &h) in mine.iter().enumerate() {
            let jitter = if rng.next().is_multiple_of(20) { 1 } else { 0 };
            let ts = (start_s + k * shape.interval_s + jitter) * 1000;
            values.clear();
            values.extend(gens[hi].iter_mut().map(|g| g.step(&mut rng)));
            emit(h, ts, &values)?;
        }
    }
    Ok(())
}

/// Writes the data as Prometheus text exposition lines with millisecond timestamps (what
/// VictoriaMetrics' `/api/v1/import/prometheus` takes), for a side-by-side run on the same samples.
fn export(path: &std::path::Path, shape: Shape, start_s: i64) -> std::io::Result<()> {
    use std::io::Write;
    let mut out = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(path)?);
    for th in 0..shape.threads {
        generate(th, shape, start_s, |h, ts, values| {
            for (s, v) in values.iter().enumerate() {
                writeln!(out, "g{s}{{host=\"host-{h:04}\"}} {v} {ts}")?;
            }
            Ok::<(), std::io::Error>(())
        })?;
    }
    out.flush()
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn main() {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("tsdb-bench: {e}");
            std::process::exit(2);
        }
    };
    if let Err(e) = run(&args) {
        eprintln!("tsdb-bench: {e}");
        std::process::exit(1);
    }
}

fn run(args: &Args) -> Result<(), sonde_tsdb::Error> {
    let dir = args
        .dir
        .clone()
        .unwrap_or_else(|| std::env::temp_dir().join(format!("tsdb-bench-{}", std::process::id())));
    let now_s = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let start_s = now_s - args.hours * 3600;
    let steps = args.hours * 3600 / args.interval_s;
    let shape = Shape {
        hosts: args.hosts,
        series: args.series,
        interval_s: args.interval_s,
        threads: args.threads,
        steps,
    };
    if let Some(path) = &args.export {
        export(path, shape, start_s).map_err(|e| sonde_tsdb::Error::Io {
            path: path.clone(),
            source: e,
        })?;
        println!(
            "exported {} samples to {}",
            args.hosts as i64 * args.series as i64 * steps,
            path.display()
        );
        return Ok(());
    }
    let _ = std::fs::remove_dir_all(&dir);
    let store = Arc::new(Store::open(&dir, Options::default())?);

    println!(
        "data: {} hosts x {} series, every {} s for {} h = {} samples; {} threads; dir {}",
        args.hosts,
        args.series,
        args.interval_s,
        args.hours,
        args.hosts as i64 * args.series as i64 * steps,
        args.threads,
        dir.display()
    );

    // Interning is the server's job when an agent first posts; done up front so ingest measures `append`.
    let t = Instant::now();
    let mut ids = Vec::with_capacity(args.hosts);
    for h in 0..args.hosts {
        let host = format!("host-{h:04}");
        let mut row = Vec::with_capacity(args.series);
        for s in 0..args.series {
            row.push(store.series_id(&SeriesKey::new(format!("g{s}"), &[("host", &host)]))?);
        }
        ids.push(row);
    }
    println!(
        "series created: {} in {:.2?}",
        args.hosts * args.series,
        t.elapsed()
    );

    let ids = Arc::new(ids);
    let total = Arc::new(AtomicU64::new(0));
    let t = Instant::now();
    let mut handles = Vec::new();
    for th in 0..args.threads {
        let (store, ids, total) = (store.clone(), ids.clone(), total.clone());
        handles.push(std::thread::spawn(
            move || -> Result<(), sonde_tsdb::Error> {
                let mut batch = Vec::with_capacity(shape.series);
                generate(th, shape, start_s, |h, ts, values| {
                    batch.clear();
                    batch.extend(values.iter().zip(&ids[h]).map(|(&value, &series)| Sample {
                        series,
                        ts_ms: ts,
                        value,
                    }));
                    store.append(&batch)?;
                    total.fetch_add(batch.len() as u64, Ordering::Relaxed);
                    Ok(())
                })
            },
        ));
    }
    for h in handles {
        h.join()
            .map_err(|_| sonde_tsdb::Error::Commit("ingest thread panicked".into()))??;
    }
    let ingest = t.elapsed();
    let n = total.load(Ordering::Relaxed);
    println!(
        "ingest: {n} samples in {ingest:.2?} = {:.0} samples/s (append incl. WAL fsync, background flushes running)",
        n as f64 / ingest.as_secs_f64()
    );
    let t = Instant::now();
    store.flush()?;
    let flush = t.elapsed();
    println!(
        "final flush: {flush:.2?}; ingest + flush = {:.0} samples/s",
        n as f64 / (ingest + flush).as_secs_f64()
    );
    let du = store.disk_usage();
    println!(
        "disk: blocks {} B = {:.3} B/sample; rollups {} B = {:.3} B/sample; total {:.3} B/sample; wal {} B",
        du.blocks,
        du.blocks as f64 / n as f64,
        du.rollups,
        du.rollups as f64 / n as f64,
        (du.blocks + du.rollups) as f64 / n as f64,
        du.wal
    );
    if !store.damage().is_empty() {
        println!("damage: {:?}", store.damage());
    }

    // Reopen, so queries read from files the way a restarted server would (page cache stays warm).
    drop(store);
    let t = Instant::now();
    let store = Store::open(&dir, Options::default())?;
    println!("reopen: {:.2?}", t.elapsed());
    let names = Matcher::new("__name__", MatchOp::Regex, "g[0-9]|g[1-9][0-9]")?;
    let end = now_s * 1000;
    let begin = end - 24 * 3_600_000;
    let mut rng = Rng(42);
    for (label, step) in [("raw", 0i64), ("step 5m", 300_000), ("step 1h", 3_600_000)] {
        let mut lat = Vec::with_capacity(args.queries);
        let mut points = 0usize;
        for _ in 0..args.queries {
            let host = format!("host-{:04}", rng.next() % args.hosts as u64);
            let q = Instant::now();
            let res = store.query_range(
                &[Matcher::eq("host", &host), names.clone()],
                begin - begin % 3_600_000,
                end - end % 3_600_000,
                step,
            )?;
            lat.push(q.elapsed());
            points += res
                .iter()
                .map(|s| match &s.points {
                    sonde_tsdb::Points::Raw(v) => v.len(),
                    sonde_tsdb::Points::Buckets(v) => v.len(),
                })
                .sum::<usize>();
        }
        lat.sort();
        println!(
            "query 24h x {} series ({label}): p50 {:.2?} p99 {:.2?} max {:.2?}; {:.0} points/query",
            args.series.min(100),
            percentile(&lat, 0.5),
            percentile(&lat, 0.99),
            lat.last().copied().unwrap_or_default(),
            points as f64 / args.queries.max(1) as f64
        );
    }
    drop(store);
    if !args.keep && args.dir.is_none() {
        let _ = std::fs::remove_dir_all(&dir);
    }
    Ok(())
}
