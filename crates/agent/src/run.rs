//! The agent's main loop: a scheduler thread hands due jobs to a fixed pool
//! of workers (the concurrency limit), results come back over a channel,
//! and the loop keeps the latest values (for `/metrics`), seals a metrics
//! batch into the on-disk queue once per interval, and queues check reports
//! and metadata as they come. Delivery runs on its own thread.
//!
//! Every job starts at its own stable offset within its interval plus a
//! small jitter that changes each run (`sonde_metrics::schedule`), so the
//! agent never starts everything at second :00 (which lines up with the
//! kernel's load sampling and shows as a load spike every ~7 hours). A job
//! still running when it is due again skips that run, and says so once.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use sonde_metrics::Roots;
use sonde_metrics::schedule;

use crate::config::Config;
use crate::deliver::{Delivery, Shared, Stats};
use crate::jobs::{self, Ctx, Job, Latest, Log, Output, Point};
use crate::queue::{Item, Queue};

fn epoch_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// What a running agent shares with the outside (tests, the binary).
#[derive(Clone)]
pub struct Handle {
    pub latest: Arc<Mutex<Latest>>,
    pub stats: Arc<Stats>,
    pub log: Arc<Log>,
    pub stop: Arc<AtomicBool>,
}

/// Why the agent could not start.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct StartError(pub String);

/// A job shared with the workers, and whether a run of it is under way.
struct Slot {
    job: Mutex<Box<dyn Job>>,
    busy: AtomicBool,
    interval: Duration,
    name: String,
}

/// Runs the agent until `handle.stop` is set.
pub fn run(config: &Config, handle: &Handle) -> Result<(), StartError> {
    let roots = Roots {
        proc: config.agent.procfs.clone(),
        sys: config.agent.sysfs.clone(),
    };
    let rootfs = config.agent.rootfs.clone();
    let host = crate::host::hostname(config.agent.hostname.as_deref());
    let interval = config.interval();
    let log = Arc::clone(&handle.log);
    let stop = Arc::clone(&handle.stop);
    let all = jobs::all(config).map_err(|e| StartError(e.to_string()))?;

    // Delivery, when there is a server to deliver to.
    let delivery = match (&config.apibase, &config.apikey) {
        (Some(base), Some(key)) => {
            let base = crate::http::Base::parse(base).map_err(StartError)?;
            let root = config.root();
            std::fs::create_dir_all(&root).map_err(|e| {
                StartError(format!(
                    "{}: cannot create the state directory: {e}",
                    root.display()
                ))
            })?;
            let queue = Queue::open(&root.join("queue"), config.agent.queue_max_bytes)
                .map_err(|e| StartError(format!("{}: {e}", root.join("queue").display())))?;
            if !queue.is_empty() {
                log.info(&format!(
                    "{} batch(es) from before the restart are waiting to be delivered",
                    queue.len()
                ));
            }
            Some((base, key.clone(), root, Shared::new(queue)))
        }
        (Some(_), None) => {
            log.info("no apikey in the config: collecting and serving /metrics, not posting");
            None
        }
        _ => None,
    };

    let checks: Vec<(String, Option<String>)> = config
        .plugin
        .checks
        .iter()
        .map(|(n, c)| (n.clone(), c.memo.clone()))
        .collect();
    let specs = Arc::new(Mutex::new(crate::host::specs(
        &roots,
        &rootfs,
        &host,
        config.display_name.as_deref(),
        &config.roles,
        &checks,
    )));

    let mut threads = Vec::new();
    let mut metrics_addr = None;
    if !config.prometheus.listen.is_empty() {
        let listener = std::net::TcpListener::bind(&config.prometheus.listen).map_err(|e| {
            StartError(format!(
                "[prometheus] listen = {:?}: cannot listen: {e}",
                config.prometheus.listen
            ))
        })?;
        log.info(&format!(
            "serving /metrics on http://{}",
            listener
                .local_addr()
                .map_or(config.prometheus.listen.clone(), |a| a.to_string())
        ));
        let latest = Arc::clone(&handle.latest);
        let stop = Arc::clone(&stop);
        metrics_addr = listener.local_addr().ok();
        threads.push(std::thread::spawn(move || {
            crate::prometheus::serve(listener, latest, stop)
        }));
    }
    let shared = delivery.as_ref().map(|(_, _, _, s)| Arc::clone(s));
    let delivery_stop = Arc::new(AtomicBool::new(false));
    let delivery_thread = delivery.map(|(base, apikey, root, shared)| {
        let d = Delivery {
            base,
            apikey,
            specs: Arc::clone(&specs),
            id_file: root.join("id"),
            shared,
            log: Arc::clone(&log),
            stop: Arc::clone(&delivery_stop),
            stats: Arc::clone(&handle.stats),
            max_backoff: (interval * 5).min(Duration::from_secs(300)),
        };
        std::thread::spawn(move || d.run(Duration::from_secs(5)))
    });

    // Graph definitions, once (metric plugins in meta mode).
    if let Some(shared) = &shared {
        let defs: Vec<serde_json::Value> = all
            .iter()
            .filter_map(|j| j.graph_defs(&log))
            .flat_map(|v| v.as_array().cloned().unwrap_or_default())
            .collect();
        if !defs.is_empty() {
            shared.push(Item {
                kind: "graph-defs".into(),
                body: serde_json::Value::Array(defs),
            });
        }
    }

    let slots: Vec<Arc<Slot>> = all
        .into_iter()
        .map(|j| {
            Arc::new(Slot {
                interval: j.interval(),
                name: j.name().to_string(),
                job: Mutex::new(j),
                busy: AtomicBool::new(false),
            })
        })
        .collect();

    // The workers.
    let (work_tx, work_rx) = mpsc::channel::<Arc<Slot>>();
    let work_rx = Arc::new(Mutex::new(work_rx));
    let (out_tx, out_rx) = mpsc::channel::<Output>();
    let started = Instant::now();
    for _ in 0..config.agent.concurrency {
        let rx = Arc::clone(&work_rx);
        let tx = out_tx.clone();
        let roots = roots.clone();
        let rootfs = rootfs.clone();
        let log = Arc::clone(&log);
        let stop = Arc::clone(&stop);
        threads.push(std::thread::spawn(move || {
            loop {
                let next = rx.lock().unwrap_or_else(|e| e.into_inner()).recv();
                let Ok(slot) = next else { break };
                if stop.load(Ordering::Relaxed) {
                    // Stopping: what was queued but not started is not run.
                    slot.busy.store(false, Ordering::Release);
                    continue;
                }
                let ctx = Ctx {
                    roots: &roots,
                    rootfs: &rootfs,
                    log: &log,
                    now: (epoch_ms() / 1000) as i64,
                    mono: started.elapsed().as_secs_f64(),
                    actions: true,
                };
                // A job that panics loses its run, not the worker (nor its
                // `busy` flag, nor the agent).
                let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    slot.job.lock().unwrap_or_else(|e| e.into_inner()).run(&ctx)
                }))
                .unwrap_or_else(|_| {
                    log.once(
                        &format!("{} panic", slot.name),
                        &format!("{}: the job panicked; its run is lost", slot.name),
                    );
                    Output::default()
                });
                // The output is on its way before the job counts as done, so
                // a stop that sees no busy job has every output to take.
                let sent = tx.send(out);
                slot.busy.store(false, Ordering::Release);
                if sent.is_err() {
                    break;
                }
            }
        }));
    }
    drop(out_tx);

    // Each job's next run, by due time (epoch ms).
    let start = epoch_ms();
    let mut due: BinaryHeap<Reverse<(u64, usize, u64)>> = BinaryHeap::new();
    let first_due = |slot: &Slot, run: u64| -> u64 {
        let i = slot.interval.as_millis() as u64;
        let base = start - start % i;
        base + schedule::start(&host, &slot.name, run, slot.interval).as_millis() as u64
    };
    for (idx, slot) in slots.iter().enumerate() {
        let mut run = 0;
        while first_due(slot, run) < start {
            run += 1;
        }
        due.push(Reverse((first_due(slot, run), idx, run)));
    }
    let seal_every = interval.as_millis() as u64;
    let seal_offset = schedule::offset(&host, "post", interval).as_millis() as u64;
    let mut next_seal = start - start % seal_every + seal_offset;
    if next_seal <= start {
        next_seal += seal_every;
    }
    let mut batch: Vec<Point> = Vec::new();

    // When each served value was last given (epoch ms): a value nobody gave
    // for three intervals (an interface that went away, a plugin that
    // stopped printing a metric) is no longer served.
    let seen: Mutex<HashMap<String, u64>> = Mutex::new(HashMap::new());
    let handle_output = |mut out: Output, batch: &mut Vec<Point>| {
        // NaN and infinities are not values (JSON has no word for them).
        out.points.retain(|p| p.value.is_finite());
        if !out.points.is_empty() {
            let mut latest = handle.latest.lock().unwrap_or_else(|e| e.into_inner());
            let mut seen = seen.lock().unwrap_or_else(|e| e.into_inner());
            let now = epoch_ms();
            for p in &out.points {
                latest.insert(p.name.clone(), p.clone());
                seen.insert(p.name.clone(), now);
            }
        }
        if let Some(shared) = &shared {
            batch.extend(out.points);
            if let Some(report) = out.check {
                shared.push(Item {
                    kind: "checks".into(),
                    body: serde_json::json!({ "reports": [report] }),
                });
            }
            if let Some((ns, v)) = out.metadata {
                shared.push(Item {
                    kind: format!("metadata/{ns}"),
                    body: v,
                });
            }
        }
    };
    let mut spec_refresh = Instant::now();

    while !stop.load(Ordering::Relaxed) {
        let now = epoch_ms();
        while let Some(Reverse((at, idx, run))) = due.peek().copied() {
            if at > now {
                break;
            }
            due.pop();
            let slot = &slots[idx];
            if slot.busy.swap(true, Ordering::AcqRel) {
                log.once(
                    &format!("{} overrun", slot.name),
                    &format!(
                        "{}: still running when due again; this run is skipped",
                        slot.name
                    ),
                );
            } else {
                let _ = work_tx.send(Arc::clone(slot));
            }
            let mut next = run + 1;
            while first_due(slot, next) <= now {
                next += 1;
            }
            due.push(Reverse((first_due(slot, next), idx, next)));
        }
        if now >= next_seal {
            next_seal += seal_every;
            seal(&shared, &mut batch, &handle.latest, &log, &handle.stats);
            let stale = now.saturating_sub(3 * seal_every);
            let mut seen = seen.lock().unwrap_or_else(|e| e.into_inner());
            let mut latest = handle.latest.lock().unwrap_or_else(|e| e.into_inner());
            seen.retain(|name, at| {
                let keep = *at >= stale;
                if !keep {
                    latest.remove(name);
                }
                keep
            });
        }
        if spec_refresh.elapsed() >= Duration::from_secs(3600) {
            spec_refresh = Instant::now();
            // On a thread of its own: reading specs may wait on a slow
            // mount, and the scheduler must not.
            let (roots, rootfs, host, checks) =
                (roots.clone(), rootfs.clone(), host.clone(), checks.clone());
            let (display, roles) = (config.display_name.clone(), config.roles.clone());
            let specs = Arc::clone(&specs);
            std::thread::spawn(move || {
                let fresh =
                    crate::host::specs(&roots, &rootfs, &host, display.as_deref(), &roles, &checks);
                *specs.lock().unwrap_or_else(|e| e.into_inner()) = fresh;
            });
        }
        let wake = due
            .peek()
            .map_or(next_seal, |Reverse((at, _, _))| (*at).min(next_seal));
        // Until the next job or seal, or a second at most (how soon a stop
        // is seen): an idle agent sleeps.
        let wait = Duration::from_millis(wake.saturating_sub(epoch_ms()).clamp(1, 1000));
        match out_rx.recv_timeout(wait) {
            Ok(out) => handle_output(out, &mut batch),
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        }
        while let Ok(out) = out_rx.try_recv() {
            handle_output(out, &mut batch);
        }
    }

    // Stopping: let running jobs finish (bounded by their timeouts), keep
    // what they gave, seal, and give delivery a few seconds to post.
    // Workers end once the work channel is closed and empty; the outputs
    // channel disconnects when the last one has sent its last output.
    drop(work_tx);
    let deadline = Instant::now() + Duration::from_secs(35);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match out_rx.recv_timeout(left.max(Duration::from_millis(1))) {
            Ok(out) => handle_output(out, &mut batch),
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
            Err(mpsc::RecvTimeoutError::Timeout) => {
                log.info("a job did not end within 35 s of the stop; its output is lost");
                break;
            }
        }
    }
    seal(&shared, &mut batch, &handle.latest, &log, &handle.stats);
    delivery_stop.store(true, Ordering::Relaxed);
    if let Some(t) = delivery_thread {
        let _ = t.join();
    }
    if let Some(addr) = metrics_addr {
        crate::prometheus::wake(addr);
    }
    for t in threads {
        let _ = t.join();
    }
    Ok(())
}

/// Puts the interval's points into the queue as one batch.
fn seal(
    shared: &Option<Arc<Shared>>,
    batch: &mut Vec<Point>,
    latest: &Arc<Mutex<Latest>>,
    log: &Log,
    stats: &Stats,
) {
    // The agent's own figures, posted and served like any metric: what
    // waits, what was lost to the bound or refused, repeats held back.
    let now = (epoch_ms() / 1000) as i64;
    let mut own = vec![(
        "sonde.agent.log.repeats",
        log.repeats.load(Ordering::Relaxed) as f64,
    )];
    if let Some(shared) = shared {
        let q = shared.lock();
        own.push(("sonde.agent.queue.batches", q.len() as f64));
        own.push(("sonde.agent.queue.bytes", q.bytes() as f64));
        own.push(("sonde.agent.queue.dropped", q.dropped() as f64));
        drop(q);
        own.push((
            "sonde.agent.delivery.refused",
            stats.refused.load(Ordering::Relaxed) as f64,
        ));
    }
    {
        let mut l = latest.lock().unwrap_or_else(|e| e.into_inner());
        for (name, value) in &own {
            let p = Point {
                name: (*name).to_string(),
                time: now,
                value: *value,
            };
            l.insert(p.name.clone(), p);
        }
    }
    let Some(shared) = shared else {
        batch.clear();
        return;
    };
    if batch.is_empty() {
        return;
    }
    let mut points = std::mem::take(batch);
    points.extend(own.into_iter().map(|(name, value)| Point {
        name: name.to_string(),
        time: now,
        value,
    }));
    shared.push(Item {
        kind: "metrics".into(),
        body: serde_json::json!({ "metrics": points }),
    });
    let q = shared.lock();
    if let Some(e) = &q.disk_error {
        log.once(
            "queue disk",
            &format!("{e}: batches are held in memory until the disk takes them"),
        );
    } else {
        drop(q);
        log.clear("queue disk");
    }
}

/// `sonde agent once`: every collector twice a second apart (rates need
/// two readings), every metric and check plugin once; the host's specs,
/// the metrics and the check results as one JSON document.
pub fn once(config: &Config) -> Result<serde_json::Value, StartError> {
    let roots = Roots {
        proc: config.agent.procfs.clone(),
        sys: config.agent.sysfs.clone(),
    };
    let rootfs: PathBuf = config.agent.rootfs.clone();
    let log = Log::default();
    let mut all = jobs::all(config).map_err(|e| StartError(e.to_string()))?;
    let started = Instant::now();
    let ctx = |log| Ctx {
        roots: &roots,
        rootfs: &rootfs,
        log,
        now: (epoch_ms() / 1000) as i64,
        mono: started.elapsed().as_secs_f64(),
        // `once` looks; a check's action is a side effect it does not take.
        actions: false,
    };
    let mut latest: HashMap<String, Point> = HashMap::new();
    let mut checks = Vec::new();
    let collectors = jobs::collectors(config).len();
    for job in all.iter_mut().take(collectors) {
        job.run(&ctx(&log));
    }
    std::thread::sleep(Duration::from_secs(1));
    for job in all.iter_mut() {
        let out = job.run(&ctx(&log));
        for p in out.points.into_iter().filter(|p| p.value.is_finite()) {
            latest.insert(p.name.clone(), p);
        }
        if let Some(c) = out.check {
            checks.push(c);
        }
    }
    let mut metrics: Vec<Point> = latest.into_values().collect();
    metrics.sort_by(|a, b| a.name.cmp(&b.name));
    let host = crate::host::hostname(config.agent.hostname.as_deref());
    let names: Vec<(String, Option<String>)> = config
        .plugin
        .checks
        .iter()
        .map(|(n, c)| (n.clone(), c.memo.clone()))
        .collect();
    Ok(serde_json::json!({
        "host": crate::host::specs(&roots, &rootfs, &host, config.display_name.as_deref(), &config.roles, &names),
        "metrics": metrics,
        "checks": checks,
    }))
}
