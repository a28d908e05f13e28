//! Delivery: a thread that registers the host with the server (once; the id
//! is kept in `ROOT/id`), then posts the queue's batches oldest first. A
//! batch leaves the queue only when the server took it. When the server is
//! down or failing, it waits with exponential back-off and jitter (so a
//! thousand agents do not come back in step), up to five intervals. The API
//! is documented in docs/agent-api.md.
//!
//! Answers: 2xx taken; 404 for the host (the server forgot it) registers
//! again; 401/403 (a key being fixed), 408, 429 and 5xx are retried; any
//! other 4xx means the server will never take that batch: it is dropped,
//! logged and counted rather than blocking every later batch.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use crate::http::{Base, request};
use crate::jobs::Log;
use crate::queue::{Item, Queue};

/// The queue, shared by the collector side and delivery, with a signal for
/// "something was added".
#[derive(Debug)]
pub struct Shared {
    pub queue: Mutex<Queue>,
    pub added: Condvar,
}

impl Shared {
    pub fn new(queue: Queue) -> Arc<Shared> {
        Arc::new(Shared {
            queue: Mutex::new(queue),
            added: Condvar::new(),
        })
    }

    pub fn lock(&self) -> std::sync::MutexGuard<'_, Queue> {
        self.queue.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn push(&self, item: Item) {
        self.lock().push(item);
        self.added.notify_all();
    }
}

/// Delivery's counters, for the agent's own metrics and tests.
#[derive(Debug, Default)]
pub struct Stats {
    pub posted: AtomicU64,
    pub failed: AtomicU64,
    pub refused: AtomicU64,
}

pub struct Delivery {
    pub base: Base,
    pub apikey: String,
    /// The host's specs (registration body), refreshed by the caller.
    pub specs: Arc<Mutex<serde_json::Value>>,
    pub id_file: PathBuf,
    pub shared: Arc<Shared>,
    pub log: Arc<Log>,
    pub stop: Arc<AtomicBool>,
    pub stats: Arc<Stats>,
    /// The longest wait between tries.
    pub max_backoff: Duration,
}

/// What a post came to.
enum Outcome {
    Taken,
    /// Never to be taken (a 4xx): drop it.
    Refused(String),
    /// The host id is unknown to the server.
    Unknown,
    /// Try again later.
    Failed(String),
}

/// A small xorshift, seeded from the clock and pid: jitter needs no more.
struct Jitter(u64);

impl Jitter {
    fn new() -> Jitter {
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(1);
        Jitter(t ^ (u64::from(std::process::id()) << 32) | 1)
    }

    /// A factor in [0.5, 1).
    fn factor(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        0.5 + (self.0 >> 11) as f64 / (1u64 << 53) as f64 / 2.0
    }
}

impl Delivery {
    fn post(&self, method: &str, path: &str, body: &serde_json::Value) -> Outcome {
        let bytes = serde_json::to_vec(body).unwrap_or_default();
        let headers = [
            ("X-Api-Key", self.apikey.as_str()),
            ("Content-Type", "application/json"),
            (
                "User-Agent",
                concat!("sonde-agent/", env!("CARGO_PKG_VERSION")),
            ),
        ];
        match request(
            &self.base,
            method,
            path,
            &headers,
            &bytes,
            Duration::from_secs(30),
        ) {
            Ok(r) if (200..300).contains(&r.status) => Outcome::Taken,
            Ok(r) if r.status == 404 && path.starts_with("/api/v1/hosts/") => Outcome::Unknown,
            // 1xx and 3xx (a proxy redirecting to https) say nothing about
            // the batch: it is kept and tried again.
            Ok(r)
                if matches!(r.status, 401 | 403 | 408 | 429)
                    || r.status >= 500
                    || r.status < 200
                    || (300..400).contains(&r.status) =>
            {
                Outcome::Failed(format!(
                    "{method} {}{path}: {} {}",
                    self.base,
                    r.status,
                    String::from_utf8_lossy(&r.body).trim()
                ))
            }
            Ok(r) => Outcome::Refused(format!(
                "{method} {}{path}: {} {}",
                self.base,
                r.status,
                String::from_utf8_lossy(&r.body).trim()
            )),
            Err(e) => Outcome::Failed(format!("{method} {}{path}: {e}", self.base)),
        }
    }

    /// Registers the host; returns its id.
    fn register(&self) -> Result<String, String> {
        let specs = self.specs.lock().unwrap_or_else(|e| e.into_inner()).clone();
        let bytes = serde_json::to_vec(&specs).unwrap_or_default();
        let r = request(
            &self.base,
            "POST",
            "/api/v1/hosts",
            &[
                ("X-Api-Key", self.apikey.as_str()),
                ("Content-Type", "application/json"),
            ],
            &bytes,
            Duration::from_secs(30),
        )
        .map_err(|e| format!("POST {}/api/v1/hosts: {e}", self.base))?;
        if !(200..300).contains(&r.status) {
            return Err(format!(
                "POST {}/api/v1/hosts: {} {}",
                self.base,
                r.status,
                String::from_utf8_lossy(&r.body).trim()
            ));
        }
        let v: serde_json::Value = serde_json::from_slice(&r.body).map_err(|e| {
            format!(
                "POST {}/api/v1/hosts: the answer is not JSON: {e}",
                self.base
            )
        })?;
        let id = v
            .get("id")
            .and_then(|i| i.as_str())
            .ok_or_else(|| format!("POST {}/api/v1/hosts: no \"id\" in {v}", self.base))?
            .to_string();
        if let Err(e) = std::fs::write(&self.id_file, &id) {
            self.log.once(
                "id file",
                &format!(
                    "{}: cannot keep the host id: {e} (the host registers again at restart)",
                    self.id_file.display()
                ),
            );
        }
        Ok(id)
    }

    /// Sleeps up to `d`, waking early when asked to stop.
    fn pause(&self, d: Duration) {
        let until = std::time::Instant::now() + d;
        while !self.stop.load(Ordering::Relaxed) {
            let now = std::time::Instant::now();
            if now >= until {
                break;
            }
            std::thread::sleep((until - now).min(Duration::from_millis(250)));
        }
    }

    /// Runs until `stop`; then keeps posting for at most `drain` while the
    /// server answers, so a clean stop delivers what it can.
    pub fn run(self, drain: Duration) {
        let mut id = std::fs::read_to_string(&self.id_file)
            .ok()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty());
        let mut jitter = Jitter::new();
        let mut failures = 0u32;
        let mut stopping_since: Option<std::time::Instant> = None;
        let mut was_down = false;
        // Set when the host was just registered: a 404 then is not "the
        // server forgot the host" but "the server has no such endpoint".
        let mut just_registered = false;
        loop {
            if self.stop.load(Ordering::Relaxed) {
                let since = *stopping_since.get_or_insert_with(std::time::Instant::now);
                if failures > 0 || since.elapsed() >= drain || self.shared.lock().is_empty() {
                    break;
                }
            }
            let max = self.max_backoff;
            let backoff = |failures: u32| {
                let exp = Duration::from_secs(1) * 2u32.saturating_pow(failures.min(16));
                exp.min(max)
            };
            let host = match &id {
                Some(i) => i.clone(),
                None => match self.register() {
                    Ok(i) => {
                        self.log
                            .info(&format!("registered as host {i} at {}", self.base));
                        id = Some(i.clone());
                        just_registered = true;
                        i
                    }
                    Err(e) => {
                        failures += 1;
                        self.log.once("delivery", &format!("{e}; will retry"));
                        was_down = true;
                        self.pause(backoff(failures).mul_f64(jitter.factor()));
                        continue;
                    }
                },
            };
            let next = self.shared.lock().peek();
            let Some((slot, item)) = next else {
                let q = self.shared.lock();
                let _ = self.shared.added.wait_timeout(q, Duration::from_secs(1));
                continue;
            };
            let (method, path) = match item.kind.strip_prefix("metadata/") {
                Some(ns) => ("PUT", format!("/api/v1/hosts/{host}/metadata/{ns}")),
                None => ("POST", format!("/api/v1/hosts/{host}/{}", item.kind)),
            };
            let outcome = self.post(method, &path, &item.body);
            let unknown_again = just_registered && matches!(outcome, Outcome::Unknown);
            just_registered = false;
            match outcome {
                Outcome::Unknown if unknown_again => {
                    self.shared.lock().remove(slot);
                    self.stats.refused.fetch_add(1, Ordering::Relaxed);
                    self.log.info(&format!(
                        "{method} {}{path}: 404 right after registering: the server has no such endpoint; this batch is dropped",
                        self.base
                    ));
                }
                Outcome::Taken => {
                    self.shared.lock().remove(slot);
                    self.stats.posted.fetch_add(1, Ordering::Relaxed);
                    failures = 0;
                    if was_down {
                        self.log.clear("delivery");
                        was_down = false;
                    }
                }
                Outcome::Refused(e) => {
                    self.shared.lock().remove(slot);
                    self.stats.refused.fetch_add(1, Ordering::Relaxed);
                    self.log
                        .info(&format!("{e}: the server refused this batch; dropped"));
                }
                Outcome::Unknown => {
                    self.shared.lock().release(slot);
                    self.log.info(&format!(
                        "the server does not know host {host}; registering again"
                    ));
                    id = None;
                }
                Outcome::Failed(e) => {
                    self.shared.lock().release(slot);
                    failures += 1;
                    was_down = true;
                    self.stats.failed.fetch_add(1, Ordering::Relaxed);
                    let waiting = self.shared.lock().len();
                    self.log.once(
                        "delivery",
                        &format!("{e}; {waiting} batch(es) kept on disk, will retry"),
                    );
                    self.pause(backoff(failures).mul_f64(jitter.factor()));
                }
            }
        }
    }
}
