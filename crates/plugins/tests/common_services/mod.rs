//! What the service plugins' tests share: a scratch directory, a free port,
//! a real server process that is stopped when the test ends, and two
//! fetches through the [`Differ`] a minute apart.

#![allow(dead_code)] // each test binary uses part of this

use std::collections::HashMap;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use sonde_plugins::{Builtin, Differ, MetricPlugin, Reading, Sample};

/// A directory removed when dropped.
pub struct Scratch(pub PathBuf);

impl Scratch {
    pub fn new(what: &str) -> Scratch {
        static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let p = std::env::temp_dir().join(format!("sonde-{what}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).expect("create the scratch directory");
        Scratch(p)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A TCP port nobody listens on right now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("bind an ephemeral port")
        .port()
}

/// A server process, killed (by its pid) and reaped when dropped.
pub struct Server {
    pub child: Child,
    pub name: String,
    /// Where its output goes, shown when it fails to start.
    pub log: PathBuf,
    /// The signal that stops it cleanly (`INT` for postgres), sent before
    /// the kill.
    pub stop_signal: Option<&'static str>,
}

impl Server {
    /// Starts `cmd` with its output in `log`.
    pub fn start(name: &str, mut cmd: Command, log: &Path) -> Server {
        let out = std::fs::File::create(log).expect("create the server log");
        let err = out.try_clone().expect("clone the log handle");
        let child = cmd
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .unwrap_or_else(|e| {
                panic!("start {name} ({cmd:?}): {e}; is it installed (scripts/setup.sh)?")
            });
        Server {
            child,
            name: name.into(),
            log: log.to_path_buf(),
            stop_signal: None,
        }
    }

    /// Stops it with `signal` (a `kill -s` name) first when dropped.
    pub fn stop_with(mut self, signal: &'static str) -> Server {
        self.stop_signal = Some(signal);
        self
    }

    /// Waits until `ready` holds, or fails the test with the server's log.
    pub fn wait(&mut self, what: &str, timeout: Duration, mut ready: impl FnMut() -> bool) {
        let start = Instant::now();
        while start.elapsed() < timeout {
            if ready() {
                return;
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!(
                    "{} exited ({status}) before {what}:\n{}",
                    self.name,
                    self.log_text()
                );
            }
            std::thread::sleep(Duration::from_millis(25));
        }
        panic!(
            "{} not {what} after {timeout:?}:\n{}",
            self.name,
            self.log_text()
        );
    }

    /// Waits until `port` on 127.0.0.1 accepts connections.
    pub fn wait_port(&mut self, port: u16) {
        self.wait(
            &format!("listening on port {port}"),
            Duration::from_secs(20),
            || TcpStream::connect(("127.0.0.1", port)).is_ok(),
        );
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(sig) = self.stop_signal {
            let pid = self.child.id().to_string();
            let _ = Command::new("kill").args(["-s", sig, &pid]).status();
            let start = Instant::now();
            while start.elapsed() < Duration::from_secs(10) {
                if let Ok(Some(_)) = self.child.try_wait() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The metric plugin `name` configured from `args`.
pub fn plugin(name: &str, args: &[&str]) -> Box<dyn MetricPlugin> {
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    match sonde_plugins::lookup(name, &args) {
        Ok(Builtin::Metrics(p)) => p,
        Ok(other) => panic!("{name} is {other:?}, not a metric plugin"),
        Err(e) => panic!("{name} {args:?}: {e}"),
    }
}

/// Samples by name.
pub fn by_name(samples: &[Sample]) -> HashMap<String, Reading> {
    samples
        .iter()
        .map(|s| (s.name.clone(), s.reading))
        .collect()
}

/// A gauge's value, failing the test when it is missing or a counter.
pub fn gauge(samples: &HashMap<String, Reading>, name: &str) -> f64 {
    match samples.get(name) {
        Some(Reading::Gauge(v)) => *v,
        other => panic!(
            "{name}: want a gauge, have {other:?}; all: {:?}",
            sorted(samples)
        ),
    }
}

/// A counter's value, failing the test when it is missing or a gauge.
pub fn counter(samples: &HashMap<String, Reading>, name: &str) -> u64 {
    match samples.get(name) {
        Some(Reading::Counter(v)) => *v,
        other => panic!(
            "{name}: want a counter, have {other:?}; all: {:?}",
            sorted(samples)
        ),
    }
}

fn sorted(s: &HashMap<String, Reading>) -> Vec<&String> {
    let mut k: Vec<&String> = s.keys().collect();
    k.sort();
    k
}

/// Fetches, runs `between`, fetches again, and returns what a Differ
/// posts for the second fetch taken exactly 60 s after the first: a
/// counter's per-minute rate is then its plain increase.
pub fn two_fetches(p: &mut dyn MetricPlugin, between: impl FnOnce()) -> HashMap<String, f64> {
    let mut d = Differ::default();
    let first = p.fetch().expect("first fetch");
    d.apply(1000.0, first);
    between();
    let second = p.fetch().expect("second fetch");
    d.apply(1060.0, second).into_iter().collect()
}

/// Every sample name a fetch gave is one the meta output defines, directly
/// or through a `*` line; and the meta output is `{"graphs": {...}}` with
/// label, unit and metrics on each graph.
pub fn assert_graphs_cover(p: &dyn MetricPlugin, samples: &[Sample]) {
    let meta = p.graphs();
    let graphs = meta["graphs"].as_object().expect("a graphs object");
    assert!(!graphs.is_empty());
    let mut names = Vec::new();
    for (g, def) in graphs {
        assert!(
            def["label"].is_string() && def["unit"].is_string(),
            "{g}: {def}"
        );
        for m in def["metrics"].as_array().expect("metrics array") {
            names.push(format!("{g}.{}", m["name"].as_str().expect("metric name")));
        }
    }
    for s in samples {
        let covered = names.iter().any(|n| {
            n == &s.name
                || n.strip_suffix(".*").is_some_and(|g| {
                    s.name
                        .strip_prefix(g)
                        .and_then(|r| r.strip_prefix('.'))
                        .is_some_and(|r| !r.is_empty() && !r.contains('.'))
                })
        });
        assert!(covered, "{} is not in the graph definitions", s.name);
        assert!(
            s.name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b)),
            "{} is not a valid Mackerel metric name",
            s.name
        );
    }
}

/// The first of `candidates` on `PATH` (or in /usr/sbin), else the newest
/// `<parent>/*/<tail>`, for servers kept in versioned directories
/// (`/usr/lib/postgresql/15/bin/postgres`).
pub fn find_program(candidates: &[&str], globs_under: &[(&str, &str)]) -> Option<PathBuf> {
    for c in candidates {
        for dir in std::env::var("PATH")
            .unwrap_or_default()
            .split(':')
            .chain(["/usr/sbin", "/sbin"])
        {
            let p = Path::new(dir).join(c);
            if p.is_file() {
                return Some(p);
            }
        }
    }
    for (parent, tail) in globs_under {
        let mut found: Vec<PathBuf> = std::fs::read_dir(parent)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path().join(tail))
            .filter(|p| p.is_file())
            .collect();
        found.sort();
        if let Some(p) = found.pop() {
            return Some(p);
        }
    }
    None
}

/// Whether we are root (the database tests need it to drop to a service
/// user).
pub fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .and_then(|l| l.split_whitespace().nth(2).map(|u| u == "0"))
        })
        .unwrap_or(false)
}
