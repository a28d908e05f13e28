//! The agent's built-in plugins. Each is configured from an argument list
//! (the same arguments whether the agent runs it in-process from its config,
//! `builtin = ["mysql", "--socket", "/run/mysqld/mysqld.sock"]`, or a user
//! runs it as a Mackerel-format command, `sonde plugin mysql --socket ...`)
//! and is one of two kinds:
//!
//! - a [`MetricPlugin`] reads gauges and counters; [`Differ`] turns counters
//!   into per-minute rates as go-mackerel-plugin does (so dashboards made
//!   for mackerel-agent-plugins carry over), except that a counter that went
//!   backwards gives no value instead of a zero;
//! - a [`CheckPlugin`] returns a status and a message.
//!
//! Plugins never fork: they speak their service's protocol themselves.

use std::collections::HashMap;
use std::io::Write;
use std::path::PathBuf;

pub use sonde_metrics::plugin::CheckStatus;

pub mod checks;
pub mod services;

/// One value a metric plugin read.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Reading {
    /// Posted as it is.
    Gauge(f64),
    /// A monotonic counter: posted as its change per minute since the last
    /// reading.
    Counter(u64),
}

/// A named reading; the name is as a Mackerel plugin prints it (the agent
/// adds `custom.`), e.g. `mysql.cmd.Com_select`.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    pub name: String,
    pub reading: Reading,
}

impl Sample {
    pub fn gauge(name: impl Into<String>, v: f64) -> Sample {
        Sample {
            name: name.into(),
            reading: Reading::Gauge(v),
        }
    }

    pub fn counter(name: impl Into<String>, v: u64) -> Sample {
        Sample {
            name: name.into(),
            reading: Reading::Counter(v),
        }
    }
}

/// Why a plugin could not read its service (the service is down, refused
/// the credentials, answered something unexpected). The message names the
/// address.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct PluginError(pub String);

impl PluginError {
    pub fn new(what: impl Into<String>) -> PluginError {
        PluginError(what.into())
    }
}

/// Bad arguments for a built-in plugin.
#[derive(Debug, thiserror::Error)]
#[error("{plugin}: {what}")]
pub struct UsageError {
    pub plugin: String,
    pub what: String,
}

/// A plugin that reads metrics.
pub trait MetricPlugin: Send {
    /// One reading of the service.
    fn fetch(&mut self) -> Result<Vec<Sample>, PluginError>;
    /// The graph definitions, as a Mackerel plugin's meta output carries
    /// them: `{"graphs": {"mysql.cmd": {"label": ..., "unit": ...,
    /// "metrics": [{"name": ..., "label": ..., "stacked": ...}]}}}`.
    fn graphs(&self) -> serde_json::Value;
}

/// What a check found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckResult {
    pub status: CheckStatus,
    pub message: String,
}

/// A plugin that checks something.
pub trait CheckPlugin: Send {
    fn check(&mut self) -> CheckResult;
}

/// A built-in plugin, configured.
pub enum Builtin {
    Metrics(Box<dyn MetricPlugin>),
    Check(Box<dyn CheckPlugin>),
}

impl std::fmt::Debug for Builtin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Builtin::Metrics(_) => "Builtin::Metrics",
            Builtin::Check(_) => "Builtin::Check",
        })
    }
}

/// The built-in plugin `name` configured from `args` (the arguments after
/// the name).
pub fn lookup(name: &str, args: &[String]) -> Result<Builtin, UsageError> {
    services::lookup(name, args)
        .or_else(|| checks::lookup(name, args))
        .unwrap_or_else(|| {
            Err(UsageError {
                plugin: name.into(),
                what: format!(
                    "no such built-in plugin (there are: {})",
                    names().join(", ")
                ),
            })
        })
}

/// Every built-in plugin's name.
pub fn names() -> Vec<&'static str> {
    services::NAMES
        .iter()
        .chain(checks::NAMES)
        .map(|(n, _)| *n)
        .collect()
}

/// Every built-in plugin's name and summary.
pub fn catalogue() -> impl Iterator<Item = &'static (&'static str, &'static str)> {
    services::NAMES.iter().chain(checks::NAMES)
}

/// Turns counters into per-minute rates between readings (go-mackerel-plugin's
/// `Diff`): `(cur - prev) * 60 / seconds`. A counter that went backwards (a
/// restarted server) or a gap longer than ten minutes gives no value for
/// that reading; the new value is the next one's base. Gauges pass through.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Differ {
    last: HashMap<String, u64>,
    at: Option<f64>,
    /// Counters that went backwards, over the Differ's life.
    pub reset: u64,
}

/// Longest gap between two readings over which a rate is still taken.
const MAX_GAP_SECS: f64 = 600.0;

impl Differ {
    /// The values to post for `samples` read at `at` (seconds on any clock
    /// that does not go backwards; the state file uses the epoch).
    pub fn apply(&mut self, at: f64, samples: Vec<Sample>) -> Vec<(String, f64)> {
        let dt = self
            .at
            .map(|t| at - t)
            .filter(|dt| *dt > 0.0 && *dt <= MAX_GAP_SECS);
        self.at = Some(at);
        let mut out = Vec::with_capacity(samples.len());
        for s in samples {
            match s.reading {
                Reading::Gauge(v) => {
                    if v.is_finite() {
                        out.push((s.name, v));
                    }
                }
                Reading::Counter(v) => {
                    let prev = self.last.insert(s.name.clone(), v);
                    let (Some(p), Some(dt)) = (prev, dt) else {
                        continue;
                    };
                    match sonde_metrics::counter::delta(p, v) {
                        Some(d) => out.push((s.name, d as f64 * 60.0 / dt)),
                        None => self.reset += 1,
                    }
                }
            }
        }
        out
    }

    /// The state as JSON, for a standalone run's state file.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({ "at": self.at, "last": self.last })
    }

    /// The state from [`Differ::to_json`]; anything unreadable is a fresh
    /// start.
    pub fn from_json(v: &serde_json::Value) -> Differ {
        let at = v.get("at").and_then(serde_json::Value::as_f64);
        let last = v
            .get("last")
            .and_then(serde_json::Value::as_object)
            .map(|m| {
                m.iter()
                    .filter_map(|(k, v)| Some((k.clone(), v.as_u64()?)))
                    .collect()
            })
            .unwrap_or_default();
        Differ { last, at, reset: 0 }
    }
}

/// Seconds since the epoch, now.
pub fn epoch_now() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

/// Where a standalone run keeps its counters between runs:
/// `$MACKEREL_PLUGIN_WORKDIR` (else the temporary directory), one file per
/// plugin and argument list.
fn state_file(name: &str, args: &[String]) -> PathBuf {
    let dir = std::env::var_os("MACKEREL_PLUGIN_WORKDIR")
        .map(PathBuf::from)
        .unwrap_or_else(std::env::temp_dir);
    let mut h = 0xcbf2_9ce4_8422_2325u64;
    for b in args.join("\0").bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    dir.join(format!("sonde-plugin-{name}-{h:016x}.json"))
}

/// `sonde plugin NAME ARGS...`: runs the plugin once as a Mackerel-format
/// command. A metric plugin prints `name\tvalue\tepoch` lines, or with
/// `MACKEREL_AGENT_PLUGIN_META=1` its graph definitions; a check prints its
/// message and exits with its status (0 OK, 1 WARNING, 2 CRITICAL, 3
/// UNKNOWN). Errors go to stderr. Returns the exit code.
pub fn run_standalone(name: &str, args: &[String], out: &mut dyn Write) -> i32 {
    let plugin = match lookup(name, args) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("sonde plugin {e}");
            return 64;
        }
    };
    let written = match plugin {
        Builtin::Metrics(mut p) => {
            if std::env::var("MACKEREL_AGENT_PLUGIN_META").is_ok_and(|v| !v.is_empty()) {
                let json = serde_json::to_string(&p.graphs()).unwrap_or_default();
                writeln!(out, "# mackerel-agent-plugin\n{json}").map(|()| 0)
            } else {
                let samples = match p.fetch() {
                    Ok(s) => s,
                    Err(e) => {
                        eprintln!("sonde plugin {name}: {e}");
                        return 1;
                    }
                };
                let path = state_file(name, args);
                let mut differ = std::fs::read(&path)
                    .ok()
                    .and_then(|b| serde_json::from_slice(&b).ok())
                    .map(|v| Differ::from_json(&v))
                    .unwrap_or_default();
                let now = epoch_now();
                let values = differ.apply(now, samples);
                if let Err(e) = std::fs::write(&path, differ.to_json().to_string()) {
                    eprintln!(
                        "sonde plugin {name}: {}: cannot keep the counters: {e}",
                        path.display()
                    );
                }
                let mut text = String::new();
                for (n, v) in values {
                    text.push_str(&format!("{n}\t{v}\t{}\n", now as i64));
                }
                out.write_all(text.as_bytes()).map(|()| 0)
            }
        }
        Builtin::Check(mut c) => {
            let r = c.check();
            writeln!(out, "{}", r.message).map(|()| match r.status {
                CheckStatus::Ok => 0,
                CheckStatus::Warning => 1,
                CheckStatus::Critical => 2,
                CheckStatus::Unknown => 3,
            })
        }
    };
    written.unwrap_or_else(|e| {
        eprintln!("sonde plugin {name}: writing the output: {e}");
        1
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_become_per_minute_rates() {
        let mut d = Differ::default();
        let first = d.apply(
            100.0,
            vec![Sample::counter("q", 1000), Sample::gauge("g", 7.0)],
        );
        assert_eq!(first, vec![("g".to_string(), 7.0)]);
        let second = d.apply(130.0, vec![Sample::counter("q", 1600)]);
        assert_eq!(second, vec![("q".to_string(), 1200.0)]);
    }

    #[test]
    fn a_counter_going_backwards_or_a_long_gap_gives_nothing() {
        let mut d = Differ::default();
        d.apply(0.0, vec![Sample::counter("q", 1000)]);
        assert!(d.apply(60.0, vec![Sample::counter("q", 10)]).is_empty());
        assert_eq!(d.reset, 1);
        assert_eq!(
            d.apply(120.0, vec![Sample::counter("q", 70)]),
            vec![("q".to_string(), 60.0)]
        );
        assert!(d.apply(1000.0, vec![Sample::counter("q", 80)]).is_empty());
    }

    #[test]
    fn the_state_survives_a_round_trip() {
        let mut d = Differ::default();
        d.apply(5.0, vec![Sample::counter("a.b", 42)]);
        let back = Differ::from_json(&d.to_json());
        assert_eq!(back, d);
    }
}
