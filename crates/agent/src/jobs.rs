//! What the scheduler runs: the built-in collectors (one job each, so their
//! starts spread over the interval like plugins'), metric plugins (commands
//! or built-ins), check plugins and metadata plugins. A job's run gives an
//! [`Output`]; problems are logged through [`Log`], once per kind until the
//! job succeeds again, so a broken plugin cannot flood the log.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

use sonde_metrics::counter::Rates;
use sonde_metrics::plugin::{CheckStatus, check_message, parse_meta, parse_metrics};
use sonde_metrics::runner::{PluginCommand, RunSpec, User, lookup_user, run};
use sonde_metrics::{Metric, ReadError, Roots};

use crate::config::{self, Config};

/// A value to post: Mackerel's name, the epoch second it was read at.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Point {
    pub name: String,
    pub time: i64,
    pub value: f64,
}

/// A check's result, as posted.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckReport {
    pub name: String,
    pub status: String,
    pub message: String,
    pub occurred_at: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_check_attempts: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notification_interval: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memo: Option<String>,
}

/// What one run of a job gave.
#[derive(Debug, Default)]
pub struct Output {
    pub points: Vec<Point>,
    pub check: Option<CheckReport>,
    /// A metadata plugin's JSON.
    pub metadata: Option<(String, serde_json::Value)>,
}

/// The agent's log: problems reported once per (job, kind) until the job
/// succeeds again.
#[derive(Debug, Default)]
pub struct Log {
    said: Mutex<std::collections::HashSet<String>>,
    pub quiet: bool,
    /// How many messages were held back as repeats (for tests and the
    /// agent's own metrics).
    pub repeats: std::sync::atomic::AtomicU64,
}

impl Log {
    pub fn new(quiet: bool) -> Log {
        Log {
            quiet,
            ..Log::default()
        }
    }

    /// Logs `message` unless `key` was logged since its last [`Log::clear`].
    pub fn once(&self, key: &str, message: &str) {
        let mut said = self.said.lock().unwrap_or_else(|e| e.into_inner());
        if said.insert(key.to_string()) {
            if !self.quiet {
                eprintln!("sonde agent: {message}");
            }
        } else {
            self.repeats
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
    }

    /// `key` works again: its next problem is logged.
    pub fn clear(&self, key: &str) {
        let mut said = self.said.lock().unwrap_or_else(|e| e.into_inner());
        if said.remove(key) && !self.quiet {
            eprintln!("sonde agent: {key}: working again");
        }
    }

    /// Logs always (start-up, delivery state changes).
    pub fn info(&self, message: &str) {
        if !self.quiet {
            eprintln!("sonde agent: {message}");
        }
    }
}

/// What a job needs from the agent.
pub struct Ctx<'a> {
    pub roots: &'a Roots,
    pub rootfs: &'a std::path::Path,
    pub log: &'a Log,
    /// The epoch second of this run.
    pub now: i64,
    /// Seconds on a monotonic clock (for rates).
    pub mono: f64,
    /// Whether checks run their `action` (not in `sonde agent once`).
    pub actions: bool,
}

/// One schedulable job.
pub trait Job: Send {
    fn name(&self) -> &str;
    /// Time between runs.
    fn interval(&self) -> Duration;
    fn run(&mut self, ctx: &Ctx) -> Output;
    /// Graph definitions to post once at start (metric plugins).
    fn graph_defs(&self, _log: &Log) -> Option<serde_json::Value> {
        None
    }
}

/// Turns collector metrics into points, dropping names an `ignore` regex
/// matches in their device part (`disk.<dev>.…`).
fn points(metrics: Vec<Metric>, now: i64, ignore: Option<&regex::Regex>) -> Vec<Point> {
    metrics
        .into_iter()
        .filter(|m| {
            let Some(re) = ignore else { return true };
            let dev = m.name.split('.').nth(1).unwrap_or("");
            !re.is_match(dev)
        })
        .map(|m| Point {
            name: m.name,
            time: now,
            value: m.value,
        })
        .collect()
}

type Collect = Box<dyn FnMut(&Ctx) -> Result<Vec<Metric>, ReadError> + Send>;

/// A built-in collector.
pub struct Collector {
    name: String,
    interval: Duration,
    ignore: Option<regex::Regex>,
    collect: Collect,
}

impl Job for Collector {
    fn name(&self) -> &str {
        &self.name
    }

    fn interval(&self) -> Duration {
        self.interval
    }

    fn run(&mut self, ctx: &Ctx) -> Output {
        let key = format!("collector {}", self.name);
        match (self.collect)(ctx) {
            Ok(metrics) => {
                ctx.log.clear(&key);
                Output {
                    points: points(metrics, ctx.now, self.ignore.as_ref()),
                    ..Output::default()
                }
            }
            Err(e) => {
                ctx.log.once(&key, &format!("{key}: {e}"));
                Output::default()
            }
        }
    }
}

fn compile(re: &Option<String>) -> Option<regex::Regex> {
    re.as_deref().and_then(|r| regex::Regex::new(r).ok())
}

/// A collector's metrics plus `sonde.agent.counter_resets.<collector>`: the
/// samples it dropped, over the agent's life, because a counter went
/// backwards (posted, so a misbehaving kernel counter is seen, not hidden).
fn resets(
    out: Result<Vec<Metric>, ReadError>,
    collector: &str,
    dropped: u64,
) -> Result<Vec<Metric>, ReadError> {
    out.map(|mut m| {
        m.push(Metric::new(
            format!("sonde.agent.counter_resets.{collector}"),
            dropped as f64,
        ));
        m
    })
}

/// The built-in collectors, configured.
pub fn collectors(config: &Config) -> Vec<Box<dyn Job>> {
    let interval = config.interval();
    let mut out: Vec<Box<dyn Job>> = Vec::new();
    let mut add = |name: &str, ignore: Option<regex::Regex>, collect: Collect| {
        out.push(Box::new(Collector {
            name: name.into(),
            interval,
            ignore,
            collect,
        }));
    };
    let mut cpu = sonde_metrics::cpu::CpuUsage::default();
    add(
        "cpu",
        None,
        Box::new(move |c| {
            let out = cpu.collect(c.roots);
            resets(out, "cpu", cpu.dropped.0)
        }),
    );
    add(
        "loadavg",
        None,
        Box::new(|c| sonde_metrics::loadavg::collect(c.roots)),
    );
    add(
        "memory",
        None,
        Box::new(|c| sonde_metrics::memory::collect(c.roots)),
    );
    let mut disk = Rates::default();
    add(
        "disk",
        compile(&config.disks.ignore),
        Box::new(move |c| {
            let out = sonde_metrics::disk::collect(c.roots, &mut disk, c.mono);
            resets(out, "disk", disk.dropped.0)
        }),
    );
    let mut net = Rates::default();
    add(
        "interface",
        compile(&config.interfaces.ignore),
        Box::new(move |c| {
            let out = sonde_metrics::interface::collect(c.roots, &mut net, c.mono);
            resets(out, "interface", net.dropped.0)
        }),
    );
    let fs = sonde_metrics::filesystem::Filesystems::default();
    add(
        "filesystem",
        compile(&config.filesystems.ignore),
        Box::new(move |c| {
            let (metrics, hung) = fs.collect(c.roots, c.rootfs, Duration::from_secs(5))?;
            for path in hung {
                c.log.once(
                    &format!("statvfs {}", path.display()),
                    &format!(
                        "{}: statvfs did not answer within 5 s; skipped until it does",
                        path.display()
                    ),
                );
            }
            Ok(metrics)
        }),
    );
    add(
        "processes",
        None,
        Box::new(|c| sonde_metrics::processes::collect(c.roots)),
    );
    add(
        "tcp",
        None,
        Box::new(|c| sonde_metrics::tcp::collect(c.roots)),
    );
    let mut netstat = Rates::default();
    add(
        "netstat",
        None,
        Box::new(move |c| {
            let out = sonde_metrics::netstat::collect(c.roots, &mut netstat, c.mono);
            resets(out, "netstat", netstat.dropped.0)
        }),
    );
    // inet_diag answers for the agent's own network namespace.
    add(
        "listen",
        None,
        Box::new(|_| sonde_metrics::listen::collect()),
    );
    out
}

/// How a plugin runs: a command, or a built-in in the agent's process.
enum Runs {
    Command(RunSpec),
    Builtin(sonde_plugins::Builtin, sonde_plugins::Differ),
}

const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
const DEFAULT_MAX_OUTPUT: usize = 1 << 20;

fn run_spec(
    command: &config::Command,
    env: &std::collections::BTreeMap<String, String>,
    timeout: Option<u64>,
    max_output: Option<usize>,
    user: Option<User>,
) -> RunSpec {
    RunSpec {
        command: match command {
            config::Command::Shell(s) => PluginCommand::Shell(s.clone()),
            config::Command::Argv(v) => PluginCommand::Argv(v.clone()),
        },
        env: env.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
        timeout: timeout.map_or(DEFAULT_TIMEOUT, Duration::from_secs),
        max_output: max_output.unwrap_or(DEFAULT_MAX_OUTPUT),
        meta: false,
        user,
    }
}

/// Why a plugin section cannot be turned into a job.
#[derive(Debug, thiserror::Error)]
#[error("[plugin.{kind}.{name}]: {what}")]
pub struct PluginSetupError {
    pub kind: &'static str,
    pub name: String,
    pub what: String,
}

fn user_of(
    kind: &'static str,
    name: &str,
    user: &Option<String>,
    passwd: &std::path::Path,
) -> Result<Option<User>, PluginSetupError> {
    user.as_deref()
        .map(|u| lookup_user(passwd, u))
        .transpose()
        .map_err(|what| PluginSetupError {
            kind,
            name: name.into(),
            what,
        })
}

/// How a `[plugin.metrics.X]` or `[plugin.checks.X]` section runs: its
/// command, or its built-in, which must be of the section's kind.
#[allow(clippy::type_complexity)]
fn plugin_runs(
    kind: &'static str,
    name: &str,
    (command, builtin): (&Option<config::Command>, &Option<config::BuiltinArgs>),
    (env, timeout, max_output, user): (
        &std::collections::BTreeMap<String, String>,
        Option<u64>,
        Option<usize>,
        &Option<String>,
    ),
    passwd: &std::path::Path,
) -> Result<Runs, PluginSetupError> {
    let err = |what: String| PluginSetupError {
        kind,
        name: name.into(),
        what,
    };
    match (command, builtin) {
        (Some(c), _) => Ok(Runs::Command(run_spec(
            c,
            env,
            timeout,
            max_output,
            user_of(kind, name, user, passwd)?,
        ))),
        (None, Some(b)) => {
            let (plugin, args) = b.split();
            match sonde_plugins::lookup(&plugin, &args).map_err(|e| err(e.to_string()))? {
                sonde_plugins::Builtin::Check(_) if kind == "metrics" => Err(err(format!(
                    "built-in {plugin:?} is a check: put it under [plugin.checks.{name}]"
                ))),
                sonde_plugins::Builtin::Metrics(_) if kind == "checks" => Err(err(format!(
                    "built-in {plugin:?} gives metrics: put it under [plugin.metrics.{name}]"
                ))),
                b => Ok(Runs::Builtin(b, sonde_plugins::Differ::default())),
            }
        }
        (None, None) => Err(err("no command".into())),
    }
}

/// A metric plugin.
pub struct MetricJob {
    name: String,
    interval: Duration,
    runs: Runs,
    include: Option<regex::Regex>,
    exclude: Option<regex::Regex>,
    use_plugin_timestamp: bool,
}

impl MetricJob {
    pub fn new(
        name: &str,
        p: &config::MetricPlugin,
        interval: Duration,
        passwd: &std::path::Path,
    ) -> Result<MetricJob, PluginSetupError> {
        let runs = plugin_runs(
            "metrics",
            name,
            (&p.command, &p.builtin),
            (&p.env, p.timeout_seconds, p.max_output_bytes, &p.user),
            passwd,
        )?;
        Ok(MetricJob {
            name: format!("plugin.metrics.{name}"),
            interval,
            runs,
            include: compile(&p.include_pattern),
            exclude: compile(&p.exclude_pattern),
            use_plugin_timestamp: p.use_plugin_timestamp,
        })
    }

    fn keep(&self, name: &str) -> bool {
        let bare = name.strip_prefix("custom.").unwrap_or(name);
        self.include.as_ref().is_none_or(|r| r.is_match(bare))
            && self.exclude.as_ref().is_none_or(|r| !r.is_match(bare))
    }

    /// The plugin's graph definitions in the API's form (run in meta mode
    /// for a command), or none when it has none.
    fn meta_graph_defs(&self, log: &Log) -> Option<serde_json::Value> {
        let meta = match &self.runs {
            Runs::Command(spec) => {
                let mut spec = spec.clone();
                spec.meta = true;
                let r = match run(&spec) {
                    Ok(r) => r,
                    Err(e) => {
                        log.once(
                            &format!("{} meta", self.name),
                            &format!("{}: cannot run in meta mode: {e}", self.name),
                        );
                        return None;
                    }
                };
                // Plugins without meta support print metrics: no graphs.
                parse_meta(&r.stdout).ok()?
            }
            Runs::Builtin(sonde_plugins::Builtin::Metrics(p), _) => p.graphs(),
            Runs::Builtin(..) => return None,
        };
        Some(graph_defs(&meta))
    }
}

/// A plugin's meta JSON (`{"graphs": {"g": {"label", "unit", "metrics":
/// [{"name", "label", "stacked"}]}}}`) in the API's form, as mackerel-agent
/// posts it: `[{"name": "custom.g", "displayName", "unit", "metrics":
/// [{"name": "custom.g.m", "displayName", "isStacked"}]}]`.
pub fn graph_defs(meta: &serde_json::Value) -> serde_json::Value {
    let mut out = Vec::new();
    if let Some(graphs) = meta.get("graphs").and_then(|g| g.as_object()) {
        for (graph, def) in graphs {
            let name = format!("custom.{graph}");
            let metrics: Vec<serde_json::Value> = def
                .get("metrics")
                .and_then(|m| m.as_array())
                .into_iter()
                .flatten()
                .map(|m| {
                    serde_json::json!({
                        "name": format!("{name}.{}", m.get("name").and_then(|n| n.as_str()).unwrap_or("")),
                        "displayName": m.get("label").and_then(|l| l.as_str()).unwrap_or(""),
                        "isStacked": m.get("stacked").and_then(|s| s.as_bool()).unwrap_or(false),
                    })
                })
                .collect();
            out.push(serde_json::json!({
                "name": name,
                "displayName": def.get("label").and_then(|l| l.as_str()).unwrap_or(""),
                "unit": def.get("unit").and_then(|u| u.as_str()).unwrap_or("float"),
                "metrics": metrics,
            }));
        }
    }
    serde_json::Value::Array(out)
}

impl Job for MetricJob {
    fn name(&self) -> &str {
        &self.name
    }

    fn graph_defs(&self, log: &Log) -> Option<serde_json::Value> {
        self.meta_graph_defs(log)
    }

    fn interval(&self) -> Duration {
        self.interval
    }

    fn run(&mut self, ctx: &Ctx) -> Output {
        let name = self.name.clone();
        let mut points = Vec::new();
        match &mut self.runs {
            Runs::Command(spec) => {
                let r = match run(spec) {
                    Ok(r) => r,
                    Err(e) => {
                        ctx.log
                            .once(&name, &format!("{name}: cannot run the command: {e}"));
                        return Output::default();
                    }
                };
                if r.timed_out {
                    ctx.log.once(
                        &format!("{name} timeout"),
                        &format!(
                            "{name}: killed after {} s (its output is discarded)",
                            spec.timeout.as_secs()
                        ),
                    );
                    return Output::default();
                }
                ctx.log.clear(&format!("{name} timeout"));
                if r.truncated {
                    ctx.log.once(
                        &format!("{name} flood"),
                        &format!(
                            "{name}: printed more than {} bytes; the rest was discarded",
                            spec.max_output
                        ),
                    );
                }
                let parsed = parse_metrics(&r.stdout, ctx.now);
                if parsed.malformed > 0 {
                    ctx.log.once(
                        &format!("{name} malformed"),
                        &format!(
                            "{name}: {} malformed line(s) skipped (a metric line is `name<TAB>value<TAB>epoch`)",
                            parsed.malformed
                        ),
                    );
                }
                for m in parsed.metrics {
                    points.push(Point {
                        time: if self.use_plugin_timestamp {
                            m.time
                        } else {
                            ctx.now
                        },
                        name: m.name,
                        value: m.value,
                    });
                }
            }
            Runs::Builtin(sonde_plugins::Builtin::Metrics(p), differ) => match p.fetch() {
                Ok(samples) => {
                    ctx.log.clear(&name);
                    for (n, v) in differ.apply(ctx.mono, samples) {
                        points.push(Point {
                            name: format!("custom.{n}"),
                            time: ctx.now,
                            value: v,
                        });
                    }
                }
                Err(e) => ctx.log.once(&name, &format!("{name}: {e}")),
            },
            Runs::Builtin(..) => {}
        }
        points.retain(|p| self.keep(&p.name));
        Output {
            points,
            ..Output::default()
        }
    }
}

/// A check plugin.
pub struct CheckJob {
    name: String,
    interval: Duration,
    runs: Runs,
    action: Option<RunSpec>,
    previous: Option<CheckStatus>,
    last_message: String,
    max_check_attempts: Option<u32>,
    notification_interval: Option<u64>,
    memo: Option<String>,
}

impl CheckJob {
    /// `interval` is the agent's; a check runs every `check_interval` of
    /// them (1 to 60; minutes with the default interval).
    pub fn new(
        name: &str,
        p: &config::CheckPlugin,
        interval: Duration,
        passwd: &std::path::Path,
    ) -> Result<CheckJob, PluginSetupError> {
        let runs = plugin_runs(
            "checks",
            name,
            (&p.command, &p.builtin),
            (&p.env, p.timeout_seconds, p.max_output_bytes, &p.user),
            passwd,
        )?;
        let action = match &p.action {
            Some(a) => match &a.command {
                Some(c) => Some(run_spec(
                    c,
                    &a.env,
                    a.timeout_seconds,
                    None,
                    user_of("checks", name, &a.user, passwd)?,
                )),
                None => None,
            },
            None => None,
        };
        let every = p.check_interval.unwrap_or(1).clamp(1, 60);
        Ok(CheckJob {
            name: name.to_string(),
            interval: interval * every as u32,
            runs,
            action,
            previous: None,
            last_message: String::new(),
            max_check_attempts: if p.prevent_alert_auto_close {
                Some(1)
            } else {
                p.max_check_attempts
            },
            notification_interval: p.notification_interval.map(|m| m.max(10)),
            memo: p.memo.as_ref().map(|m| m.chars().take(250).collect()),
        })
    }
}

impl Job for CheckJob {
    fn name(&self) -> &str {
        &self.name
    }

    fn interval(&self) -> Duration {
        self.interval
    }

    fn run(&mut self, ctx: &Ctx) -> Output {
        let (status, message) = match &mut self.runs {
            Runs::Command(spec) => match run(spec) {
                Ok(r) if r.timed_out => (
                    CheckStatus::Unknown,
                    format!("timed out after {} s", spec.timeout.as_secs()),
                ),
                Ok(r) => (CheckStatus::from_exit(r.exit), check_message(&r.stdout)),
                Err(e) => (CheckStatus::Unknown, format!("cannot run the command: {e}")),
            },
            Runs::Builtin(sonde_plugins::Builtin::Check(c), _) => {
                let r = c.check();
                (r.status, check_message(&r.message))
            }
            Runs::Builtin(..) => return Output::default(),
        };
        if let Some(action) = self.action.as_ref().filter(|_| ctx.actions) {
            let mut spec = action.clone();
            spec.env
                .push(("MACKEREL_STATUS".into(), status.as_str().into()));
            spec.env.push((
                "MACKEREL_PREVIOUS_STATUS".into(),
                self.previous.map_or("", CheckStatus::as_str).into(),
            ));
            spec.env
                .push(("MACKEREL_CHECK_MESSAGE".into(), message.clone()));
            let key = format!("check {} action", self.name);
            match run(&spec) {
                Ok(r) if r.timed_out => ctx.log.once(
                    &key,
                    &format!("{key}: killed after {} s", spec.timeout.as_secs()),
                ),
                Ok(_) => ctx.log.clear(&key),
                Err(e) => ctx.log.once(&key, &format!("{key}: cannot run: {e}")),
            }
        }
        // An OK that says what the last report said is not sent again (as
        // mackerel-agent); anything else is.
        let unchanged_ok = status == CheckStatus::Ok
            && self.previous == Some(CheckStatus::Ok)
            && message == self.last_message;
        self.previous = Some(status);
        self.last_message = message.clone();
        if unchanged_ok {
            return Output::default();
        }
        Output {
            check: Some(CheckReport {
                name: self.name.clone(),
                status: status.as_str().into(),
                message,
                occurred_at: ctx.now,
                max_check_attempts: self.max_check_attempts,
                notification_interval: self.notification_interval,
                memo: self.memo.clone(),
            }),
            ..Output::default()
        }
    }
}

/// A metadata plugin: its JSON output is the host's metadata under its
/// name.
pub struct MetadataJob {
    name: String,
    interval: Duration,
    spec: RunSpec,
}

impl MetadataJob {
    pub fn new(
        name: &str,
        p: &config::MetadataPlugin,
        passwd: &std::path::Path,
    ) -> Result<MetadataJob, PluginSetupError> {
        let Some(command) = &p.command else {
            return Err(PluginSetupError {
                kind: "metadata",
                name: name.into(),
                what: "no command".into(),
            });
        };
        Ok(MetadataJob {
            name: name.into(),
            interval: Duration::from_secs(60 * p.execution_interval.unwrap_or(10).max(10)),
            spec: run_spec(
                command,
                &p.env,
                p.timeout_seconds,
                None,
                user_of("metadata", name, &p.user, passwd)?,
            ),
        })
    }
}

impl Job for MetadataJob {
    fn name(&self) -> &str {
        &self.name
    }

    fn interval(&self) -> Duration {
        self.interval
    }

    fn run(&mut self, ctx: &Ctx) -> Output {
        let key = format!("plugin.metadata.{}", self.name);
        let parsed = run(&self.spec).map_err(|e| e.to_string()).and_then(|r| {
            serde_json::from_str::<serde_json::Value>(&r.stdout)
                .map_err(|e| format!("output is not JSON: {e}"))
        });
        match parsed {
            Ok(v) => {
                ctx.log.clear(&key);
                Output {
                    metadata: Some((self.name.clone(), v)),
                    ..Output::default()
                }
            }
            Err(e) => {
                ctx.log.once(&key, &format!("{key}: {e}"));
                Output::default()
            }
        }
    }
}

/// Every job of a config: collectors, then plugins. Errors name the
/// plugin section.
pub fn all(config: &Config) -> Result<Vec<Box<dyn Job>>, PluginSetupError> {
    let passwd = config.agent.rootfs.join("etc/passwd");
    let passwd = if passwd.exists() {
        passwd
    } else {
        PathBuf::from("/etc/passwd")
    };
    let interval = config.interval();
    let mut jobs = collectors(config);
    for (name, p) in &config.plugin.metrics {
        jobs.push(Box::new(MetricJob::new(name, p, interval, &passwd)?));
    }
    for (name, p) in &config.plugin.checks {
        jobs.push(Box::new(CheckJob::new(name, p, interval, &passwd)?));
    }
    for (name, p) in &config.plugin.metadata {
        jobs.push(Box::new(MetadataJob::new(name, p, &passwd)?));
    }
    Ok(jobs)
}

/// The latest value of every metric, for `/metrics` and `once`.
pub type Latest = HashMap<String, Point>;
