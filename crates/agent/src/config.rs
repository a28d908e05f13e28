//! `/etc/sonde/agent.toml`: typed, every section and key known. A key the
//! agent does not know is an error naming its line and the closest known
//! key, so a typo never silently turns a setting off.
//!
//! The file is a superset of mackerel-agent's `mackerel-agent.conf`: a config
//! written for mackerel-agent (its top-level keys, `[filesystems]`,
//! `[disks]`, `[interfaces]`, `[host_status]`, `[plugin.metrics.X]`,
//! `[plugin.checks.X]`, `[plugin.metadata.X]`) works after renaming the file.
//! sonde's own settings live in `[agent]` and `[prometheus]`, and a plugin may
//! name a built-in (`builtin = ["mysql", "--socket", "..."]`) instead of a
//! `command`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

/// Where the agent looks for its config when none is given.
pub const DEFAULT_PATH: &str = "/etc/sonde/agent.toml";

/// The whole file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The API key the server issued for this organisation (sent as
    /// `X-Api-Key`). Without one the agent still collects, serves
    /// `/metrics` and queues, but does not post.
    pub apikey: Option<String>,
    /// The sonde server's base URL, e.g. `http://sonde.example:7070`.
    pub apibase: Option<String>,
    /// The agent's state directory: the host id and the on-disk queue
    /// (default `/var/lib/sonde`).
    pub root: Option<PathBuf>,
    /// Write the agent's pid here.
    pub pidfile: Option<PathBuf>,
    /// Log at debug level.
    #[serde(default)]
    pub verbose: bool,
    /// Log only errors.
    #[serde(default)]
    pub silent: bool,
    /// Post the agent's own memory and thread figures too.
    #[serde(default)]
    pub diagnostic: bool,
    /// The host's name on the dashboard (default: the hostname).
    pub display_name: Option<String>,
    /// `Service:role` names the host belongs to.
    #[serde(default)]
    pub roles: Vec<String>,
    /// Accepted for mackerel-agent configs; the agent talks to the server
    /// directly.
    pub http_proxy: Option<String>,
    pub https_proxy: Option<String>,
    /// Accepted for mackerel-agent configs (cloud metadata is not read).
    pub cloud_platform: Option<String>,
    #[serde(default)]
    pub disable_http_keep_alive: bool,
    /// More config files (a glob), merged in order: their plugins are
    /// added.
    pub include: Option<String>,
    #[serde(default)]
    pub host_status: HostStatus,
    #[serde(default)]
    pub filesystems: Filesystems,
    #[serde(default)]
    pub disks: Ignore,
    #[serde(default)]
    pub interfaces: Interfaces,
    #[serde(default)]
    pub plugin: Plugins,
    /// sonde's own settings.
    #[serde(default)]
    pub agent: AgentSection,
    #[serde(default)]
    pub prometheus: Prometheus,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HostStatus {
    pub on_start: Option<String>,
    pub on_stop: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Filesystems {
    /// A regular expression: devices it matches are not posted.
    pub ignore: Option<String>,
    /// Name file systems by mount point instead of device.
    #[serde(default)]
    pub use_mountpoint: bool,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ignore {
    /// A regular expression: names it matches are not posted.
    pub ignore: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Interfaces {
    pub ignore: Option<String>,
    /// Accepted for mackerel-agent configs (Windows only there).
    pub use_adapter: Option<bool>,
}

/// `[plugin.metrics.NAME]`, `[plugin.checks.NAME]`, `[plugin.metadata.NAME]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Plugins {
    #[serde(default)]
    pub metrics: BTreeMap<String, MetricPlugin>,
    #[serde(default)]
    pub checks: BTreeMap<String, CheckPlugin>,
    #[serde(default)]
    pub metadata: BTreeMap<String, MetadataPlugin>,
}

/// A command as mackerel-agent takes it: a string run with `sh -c`, or an
/// argument list run directly.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum Command {
    Shell(String),
    Argv(Vec<String>),
}

/// A built-in plugin: its name and arguments, as `sonde plugin` takes them
/// (a string is split on whitespace).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum BuiltinArgs {
    Line(String),
    Argv(Vec<String>),
}

impl BuiltinArgs {
    /// The plugin's name and its arguments.
    pub fn split(&self) -> (String, Vec<String>) {
        let mut words: Vec<String> = match self {
            BuiltinArgs::Line(s) => s.split_whitespace().map(String::from).collect(),
            BuiltinArgs::Argv(v) => v.clone(),
        };
        if words.is_empty() {
            return (String::new(), Vec::new());
        }
        let name = words.remove(0);
        (name, words)
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetricPlugin {
    pub command: Option<Command>,
    /// A built-in plugin run in the agent's process (no fork).
    pub builtin: Option<BuiltinArgs>,
    /// Run the command as this user.
    pub user: Option<String>,
    #[serde(default)]
    pub env: BTreeMap<String, String>,
    /// Kill the plugin's process group after this long (default 30).
    pub timeout_seconds: Option<u64>,
    /// mackerel-agent posts these metrics as another host's; accepted so
    /// that its configs load, and the metrics are posted as this host's.
    pub custom_identifier: Option<String>,
    /// Post only metrics whose name (without `custom.`) matches.
    pub include_pattern: Option<String>,
    /// Do not post metrics whose name matches.
    pub exclude_pattern: Option<String>,
    /// Use the plugin's timestamps (within 15 minutes of the agent's
    /// clock; others get the agent's time).
    #[serde(default)]
    pub use_plugin_timestamp: bool,
    /// Bytes of output kept per run (default 1 MiB); the rest is discarded.
    pub max_output_bytes: Option<usize>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckPlugin {
    pub command: Option<Command>,
    pub builtin: Option<BuiltinArgs>,
    pub user: Option<String>,
    #[serde(default)]
    pub env: BTreeMap<String, String>,
    pub timeout_seconds: Option<u64>,
    /// Minutes between runs, 1 to 60 (default 1).
    pub check_interval: Option<u64>,
    /// Consecutive failures before the server opens an alert.
    pub max_check_attempts: Option<u32>,
    /// Minutes between repeated notifications (at least 10).
    pub notification_interval: Option<u64>,
    #[serde(default)]
    pub prevent_alert_auto_close: bool,
    /// A note posted with the check (at most 250 characters).
    pub memo: Option<String>,
    pub custom_identifier: Option<String>,
    /// Run after every check, with `MACKEREL_STATUS`,
    /// `MACKEREL_PREVIOUS_STATUS` and `MACKEREL_CHECK_MESSAGE`.
    pub action: Option<Action>,
    pub max_output_bytes: Option<usize>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Action {
    pub command: Option<Command>,
    pub user: Option<String>,
    #[serde(default)]
    pub env: BTreeMap<String, String>,
    pub timeout_seconds: Option<u64>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetadataPlugin {
    pub command: Option<Command>,
    pub user: Option<String>,
    #[serde(default)]
    pub env: BTreeMap<String, String>,
    pub timeout_seconds: Option<u64>,
    /// Minutes between runs (at least 10).
    pub execution_interval: Option<u64>,
}

/// `[agent]`: what mackerel-agent hard-codes.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AgentSection {
    /// Seconds between collections (default 60).
    pub interval_seconds: u64,
    /// At most this many plugins and collectors run at once (default 4).
    pub concurrency: usize,
    /// Where the host's /proc, /sys and / are (an agent in a container
    /// reads the host's, mounted elsewhere).
    pub procfs: PathBuf,
    pub sysfs: PathBuf,
    pub rootfs: PathBuf,
    /// Bound of the on-disk queue in bytes (default 256 MiB: days of
    /// batches); past it the oldest batches are dropped, and counted.
    pub queue_max_bytes: u64,
    /// The hostname to report (default: the kernel's).
    pub hostname: Option<String>,
}

impl Default for AgentSection {
    fn default() -> AgentSection {
        AgentSection {
            interval_seconds: 60,
            concurrency: 4,
            procfs: PathBuf::from("/proc"),
            sysfs: PathBuf::from("/sys"),
            rootfs: PathBuf::from("/"),
            queue_max_bytes: 256 << 20,
            hostname: None,
        }
    }
}

/// `[prometheus]`: the `/metrics` endpoint.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Prometheus {
    /// `host:port` to serve `/metrics` on; empty to serve nothing
    /// (default `127.0.0.1:9464`).
    pub listen: String,
}

impl Default for Prometheus {
    fn default() -> Prometheus {
        Prometheus {
            listen: "127.0.0.1:9464".into(),
        }
    }
}

impl Config {
    pub fn interval(&self) -> Duration {
        Duration::from_secs(self.agent.interval_seconds.max(1))
    }

    pub fn root(&self) -> PathBuf {
        self.root
            .clone()
            .unwrap_or_else(|| PathBuf::from("/var/lib/sonde"))
    }
}

/// What is wrong with a config file.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: line {line}: {what}")]
    Invalid {
        path: PathBuf,
        line: usize,
        what: String,
    },
}

/// Reads and checks the config at `path`, and the files its `include`
/// names.
pub fn load(path: &Path) -> Result<Config, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.to_owned(),
        source,
    })?;
    let mut config = parse(&text, path)?;
    if let Some(pattern) = config.include.clone() {
        for extra in glob(&pattern) {
            let text = std::fs::read_to_string(&extra).map_err(|source| ConfigError::Read {
                path: extra.clone(),
                source,
            })?;
            let more = parse(&text, &extra)?;
            config.plugin.metrics.extend(more.plugin.metrics);
            config.plugin.checks.extend(more.plugin.checks);
            config.plugin.metadata.extend(more.plugin.metadata);
        }
    }
    Ok(config)
}

/// The files a `dir/*.conf`-style pattern names (a `*` in the last
/// component only, as mackerel-agent's includes use it), sorted.
fn glob(pattern: &str) -> Vec<PathBuf> {
    let path = Path::new(pattern);
    let (Some(dir), Some(name)) = (path.parent(), path.file_name().and_then(|n| n.to_str())) else {
        return Vec::new();
    };
    let (prefix, suffix) = name.split_once('*').unwrap_or((name, ""));
    let exact = !name.contains('*');
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let n = e.file_name().into_string().ok()?;
            let hit = if exact {
                n == name
            } else {
                n.len() >= prefix.len() + suffix.len()
                    && n.starts_with(prefix)
                    && n.ends_with(suffix)
            };
            hit.then(|| e.path())
        })
        .collect();
    out.sort();
    out
}

/// Parses a config text (`path` names it in errors) and checks what types
/// cannot: regular expressions compile, every plugin has exactly one of
/// `command` and `builtin`, intervals are in range.
pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
    let config: Config = toml::from_str(text).map_err(|e| {
        let line = e
            .span()
            .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1)
            .unwrap_or(1);
        ConfigError::Invalid {
            path: path.to_owned(),
            line,
            what: explain(e.message()),
        }
    })?;
    check(&config, text, path)?;
    Ok(config)
}

/// serde's message, with the closest known key suggested for an unknown
/// one.
fn explain(message: &str) -> String {
    let message = message.trim();
    let Some(rest) = message.strip_prefix("unknown field `") else {
        return message.to_string();
    };
    let Some((field, rest)) = rest.split_once('`') else {
        return message.to_string();
    };
    let known: Vec<&str> = rest.split('`').skip(1).step_by(2).collect();
    match known
        .iter()
        .map(|k| (edit_distance(field, k), *k))
        .filter(|(d, k)| *d <= 2.max(k.len() / 3))
        .min()
    {
        Some((_, best)) => format!("unknown key `{field}`; did you mean `{best}`?"),
        None if known.is_empty() => format!("unknown key `{field}`"),
        None => format!(
            "unknown key `{field}` (known here: {})",
            known
                .iter()
                .map(|k| format!("`{k}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// Levenshtein distance, for suggestions.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = if ca == *cb {
                prev
            } else {
                1 + prev.min(cur).min(row[j])
            };
            prev = cur;
        }
    }
    row[b.len()]
}

/// The line where `[header]` or `key` first appears, for errors found
/// after parsing.
fn line_of(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|l| l.contains(needle))
        .map_or(1, |i| i + 1)
}

fn check(config: &Config, text: &str, path: &Path) -> Result<(), ConfigError> {
    let bad = |needle: &str, what: String| ConfigError::Invalid {
        path: path.to_owned(),
        line: line_of(text, needle),
        what,
    };
    let regex = |needle: &str, what: &str, re: &Option<String>| -> Result<(), ConfigError> {
        if let Some(re) = re {
            regex::Regex::new(re)
                .map_err(|e| bad(needle, format!("{what}: not a regular expression: {e}")))?;
        }
        Ok(())
    };
    regex(
        "[filesystems]",
        "filesystems.ignore",
        &config.filesystems.ignore,
    )?;
    regex("[disks]", "disks.ignore", &config.disks.ignore)?;
    regex(
        "[interfaces]",
        "interfaces.ignore",
        &config.interfaces.ignore,
    )?;
    let one_of = |kind: &str, name: &str, command: bool, builtin: bool| {
        let header = format!("[plugin.{kind}.{name}]");
        match (command, builtin) {
            (true, true) => Err(bad(
                &header,
                format!("{header}: give `command` or `builtin`, not both"),
            )),
            (false, false) => Err(bad(
                &header,
                format!("{header}: no `command` (or `builtin`) to run"),
            )),
            _ => Ok(()),
        }
    };
    for (name, p) in &config.plugin.metrics {
        one_of("metrics", name, p.command.is_some(), p.builtin.is_some())?;
        let header = format!("[plugin.metrics.{name}]");
        regex(&header, "include_pattern", &p.include_pattern)?;
        regex(&header, "exclude_pattern", &p.exclude_pattern)?;
    }
    for (name, p) in &config.plugin.checks {
        one_of("checks", name, p.command.is_some(), p.builtin.is_some())?;
        if let Some(a) = &p.action
            && a.command.is_none()
        {
            let header = format!("[plugin.checks.{name}]");
            return Err(bad(&header, format!("{header}: `action` has no `command`")));
        }
    }
    for (name, p) in &config.plugin.metadata {
        one_of("metadata", name, p.command.is_some(), false)?;
    }
    if !(1..=86_400).contains(&config.agent.interval_seconds) {
        return Err(bad(
            "interval_seconds",
            "agent.interval_seconds: from 1 to 86400".into(),
        ));
    }
    for (name, p) in &config.plugin.metadata {
        if p.execution_interval.is_some_and(|m| m > 1440) {
            let header = format!("[plugin.metadata.{name}]");
            return Err(bad(
                &header,
                format!("{header}: execution_interval is in minutes, at most 1440 (a day)"),
            ));
        }
    }
    if config.agent.concurrency == 0 {
        return Err(bad(
            "concurrency",
            "agent.concurrency: at least 1 job must be able to run".into(),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions_find_the_closest_key() {
        assert_eq!(edit_distance("timout_seconds", "timeout_seconds"), 1);
        assert_eq!(
            explain("unknown field `timout_seconds`, expected one of `command`, `timeout_seconds`"),
            "unknown key `timout_seconds`; did you mean `timeout_seconds`?"
        );
        assert_eq!(
            explain("unknown field `zzz`, expected `command`"),
            "unknown key `zzz` (known here: `command`)"
        );
    }
}
