//! Mackerel-format plugins, the output side: what a metric plugin prints
//! (`name<TAB>value<TAB>epoch` lines; with `MACKEREL_AGENT_PLUGIN_META=1`, a
//! `# mackerel-agent-plugin` line and the graph definitions as JSON) and what
//! a check plugin's exit code means. Running them is the runner's job.

/// A plugin's metric, named as posted (`custom.` + the plugin's name).
#[derive(Debug, Clone, PartialEq)]
pub struct PluginMetric {
    pub name: String,
    pub value: f64,
    /// Seconds since the epoch.
    pub time: i64,
}

/// One run's metrics, and what was wrong with the rest of its output.
#[derive(Debug, Default, PartialEq)]
pub struct Parsed {
    pub metrics: Vec<PluginMetric>,
    /// Lines that are not `name value epoch` with a valid name, a finite
    /// value and an integer epoch (skipped).
    pub malformed: u64,
    /// Lines whose epoch was more than 15 minutes from now: they are given
    /// the agent's time instead.
    pub retimed: u64,
}

/// How far a plugin's own timestamp may be from the agent's clock.
pub const TIMESTAMP_WINDOW_SECS: i64 = 15 * 60;

/// Whether a metric name is one Mackerel accepts (`^[-a-zA-Z0-9_.]+$`).
pub fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
}

/// Parses a metric plugin's stdout at time `now` (fields split on any
/// whitespace, as mackerel-agent splits them; blank lines are not errors).
pub fn parse_metrics(stdout: &str, now: i64) -> Parsed {
    let mut out = Parsed::default();
    for line in stdout.lines() {
        let f: Vec<&str> = line.split_ascii_whitespace().collect();
        if f.is_empty() {
            continue;
        }
        let (Some(name), Some(value), Some(epoch)) = (f.first(), f.get(1), f.get(2)) else {
            out.malformed += 1;
            continue;
        };
        let value = value.parse::<f64>().ok().filter(|v| v.is_finite());
        let epoch = epoch.parse::<i64>().ok();
        let (true, Some(value), Some(epoch)) = (valid_name(name), value, epoch) else {
            out.malformed += 1;
            continue;
        };
        let time = if (epoch - now).abs() <= TIMESTAMP_WINDOW_SECS {
            epoch
        } else {
            out.retimed += 1;
            now
        };
        out.metrics.push(PluginMetric {
            name: format!("custom.{name}"),
            value,
            time,
        });
    }
    out
}

/// Why a plugin's meta output was refused.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum MetaError {
    #[error("the first line is not `# mackerel-agent-plugin`")]
    NoHeader,
    #[error("meta version {0} is not supported (only 1)")]
    Version(String),
    #[error("the graph definitions are not valid JSON: {0}")]
    Json(String),
    #[error("graph {graph:?}: {what}")]
    Graph { graph: String, what: String },
}

/// The graph definitions of a plugin's meta output, checked: a `graphs`
/// object whose graphs each have a `metrics` list of objects with a `name`
/// (`#` and `*` wildcards allowed in names). Returned as the JSON the server
/// keeps.
pub fn parse_meta(stdout: &str) -> Result<serde_json::Value, MetaError> {
    let (first, rest) = stdout.split_once('\n').unwrap_or((stdout, ""));
    let tail = first
        .strip_prefix('#')
        .map(str::trim_start)
        .and_then(|l| l.strip_prefix("mackerel-agent-plugin"))
        .filter(|t| t.is_empty() || t.starts_with(char::is_whitespace))
        .ok_or(MetaError::NoHeader)?;
    for word in tail.split_ascii_whitespace() {
        if let Some(v) = word.strip_prefix("version=")
            && v != "1"
        {
            return Err(MetaError::Version(v.into()));
        }
    }
    let json: serde_json::Value =
        serde_json::from_str(rest).map_err(|e| MetaError::Json(e.to_string()))?;
    let graphs = json
        .get("graphs")
        .and_then(serde_json::Value::as_object)
        .ok_or_else(|| MetaError::Json("no \"graphs\" object".into()))?;
    for (graph, def) in graphs {
        let bad = |what: &str| MetaError::Graph {
            graph: graph.clone(),
            what: what.into(),
        };
        let metrics = def
            .get("metrics")
            .and_then(serde_json::Value::as_array)
            .ok_or_else(|| bad("no \"metrics\" list"))?;
        for m in metrics {
            let name = m
                .get("name")
                .and_then(serde_json::Value::as_str)
                .ok_or_else(|| bad("a metric without a \"name\""))?;
            if !valid_name(&name.replace(['#', '*'], "x")) {
                return Err(bad(&format!(
                    "metric name {name:?} has characters Mackerel refuses"
                )));
            }
        }
    }
    Ok(json)
}

/// A check plugin's result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckStatus {
    Ok,
    Warning,
    Critical,
    Unknown,
}

impl CheckStatus {
    /// From the exit code (none: killed, timed out or not run): 0 OK,
    /// 1 WARNING, 2 CRITICAL, anything else UNKNOWN.
    pub fn from_exit(code: Option<i32>) -> CheckStatus {
        match code {
            Some(0) => CheckStatus::Ok,
            Some(1) => CheckStatus::Warning,
            Some(2) => CheckStatus::Critical,
            _ => CheckStatus::Unknown,
        }
    }

    /// The name `action` commands see in `MACKEREL_STATUS`.
    pub fn as_str(self) -> &'static str {
        match self {
            CheckStatus::Ok => "OK",
            CheckStatus::Warning => "WARNING",
            CheckStatus::Critical => "CRITICAL",
            CheckStatus::Unknown => "UNKNOWN",
        }
    }
}

/// A check's message as posted: stdout, at most 1024 characters.
pub fn check_message(stdout: &str) -> String {
    stdout.trim_end().chars().take(1024).collect()
}
