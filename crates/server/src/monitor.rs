//! Monitors and the alerts they raise.
//!
//! A monitor is evaluated every few seconds. Each evaluation gives a level
//! (OK, WARNING, CRITICAL) per *segment* — per host for a host metric, per
//! `query`/`service` pair for a request-latency metric segmented that way, per
//! check and host for check results. [`Tracker`] turns those levels into alert
//! changes with damping: a segment must breach `max_check_attempts` evaluations
//! in a row before an alert opens, and be OK `recovery_attempts` evaluations in
//! a row before it resolves, so a value flapping around its threshold does
//! not open and close an alert every few seconds. An open alert escalates from
//! WARNING to CRITICAL (and back) at once.
//!
//! Kinds (begun with issue 5): `metric` (a series' average over a duration
//! against warning/critical thresholds, any labels, segmented by labels),
//! `connectivity` (an agent silent for N minutes), `check` (check-plugin
//! results as the agents report them). Expressions over several series come
//! next.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

/// A level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Level {
    Ok,
    Warning,
    Critical,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Ok => "OK",
            Level::Warning => "WARNING",
            Level::Critical => "CRITICAL",
        }
    }
}

/// `>` or `<`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Operator {
    #[serde(rename = ">")]
    Above,
    #[serde(rename = "<")]
    Below,
}

/// What a monitor watches.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum Kind {
    /// A series (by name and labels), averaged over `duration` seconds, per
    /// segment.
    Metric {
        metric: String,
        #[serde(default)]
        labels: BTreeMap<String, String>,
        /// Labels whose values make a segment (default: `host`).
        #[serde(default = "default_segment")]
        segment_by: Vec<String>,
        operator: Operator,
        warning: Option<f64>,
        critical: Option<f64>,
        /// Seconds averaged (default 300).
        #[serde(default = "default_duration")]
        duration: u64,
    },
    /// An expression over several series (see [`expr`]), per segment.
    Expression {
        expression: String,
        #[serde(default = "default_segment")]
        segment_by: Vec<String>,
        operator: Operator,
        warning: Option<f64>,
        critical: Option<f64>,
        #[serde(default = "default_duration")]
        duration: u64,
    },
    /// An agent that has not posted for `minutes`.
    Connectivity {
        #[serde(default = "default_minutes")]
        minutes: u64,
    },
    /// Check-plugin results (all checks, or the one named).
    Check {
        #[serde(default)]
        check: Option<String>,
    },
}

fn default_segment() -> Vec<String> {
    vec!["host".into()]
}
fn default_duration() -> u64 {
    300
}
fn default_minutes() -> u64 {
    5
}
fn one() -> u32 {
    1
}

/// A monitor as created through the API (unknown keys are refused by
/// [`Monitor::parse`]: serde cannot deny them through the flattened kind).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Monitor {
    #[serde(default)]
    pub id: Option<i64>,
    pub name: String,
    #[serde(flatten)]
    pub kind: Kind,
    /// Breaching evaluations in a row before an alert opens.
    #[serde(default = "one")]
    pub max_check_attempts: u32,
    /// OK evaluations in a row before it resolves.
    #[serde(default = "one")]
    pub recovery_attempts: u32,
    #[serde(default)]
    pub memo: String,
}

impl Monitor {
    /// A monitor from JSON: its keys checked against its kind's, then its
    /// values ([`Monitor::problem`]).
    pub fn parse(v: &serde_json::Value) -> Result<Monitor, String> {
        let obj = v.as_object().ok_or("a monitor is a JSON object")?;
        let common = [
            "id",
            "name",
            "type",
            "max_check_attempts",
            "recovery_attempts",
            "memo",
        ];
        let kind: &[&str] = match obj.get("type").and_then(|t| t.as_str()) {
            Some("metric") => &[
                "metric",
                "labels",
                "segment_by",
                "operator",
                "warning",
                "critical",
                "duration",
            ],
            Some("expression") => &[
                "expression",
                "segment_by",
                "operator",
                "warning",
                "critical",
                "duration",
            ],
            Some("connectivity") => &["minutes"],
            Some("check") => &["check"],
            Some(t) => {
                return Err(format!(
                    "type {t:?} is not one of metric, expression, connectivity, check"
                ));
            }
            None => return Err("a monitor needs a \"type\"".into()),
        };
        if let Some(k) = obj
            .keys()
            .find(|k| !common.contains(&k.as_str()) && !kind.contains(&k.as_str()))
        {
            return Err(format!(
                "unknown key {k:?} (known here: {})",
                common
                    .iter()
                    .chain(kind)
                    .copied()
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        let m: Monitor = serde_json::from_value(v.clone()).map_err(|e| e.to_string())?;
        match m.problem() {
            Some(p) => Err(p),
            None => Ok(m),
        }
    }

    /// What is wrong with it, if anything.
    pub fn problem(&self) -> Option<String> {
        if self.name.trim().is_empty() || self.name.len() > 255 {
            return Some("a monitor needs a name of 1 to 255 bytes".into());
        }
        if self.max_check_attempts == 0 || self.recovery_attempts == 0 {
            return Some("max_check_attempts and recovery_attempts are at least 1".into());
        }
        match &self.kind {
            Kind::Metric {
                metric,
                warning,
                critical,
                operator,
                duration,
                segment_by,
                ..
            } => {
                if metric.is_empty() {
                    return Some("a metric monitor needs a \"metric\"".into());
                }
                if warning.is_none() && critical.is_none() {
                    return Some("give \"warning\", \"critical\" or both".into());
                }
                if let (Some(w), Some(c)) = (warning, critical) {
                    let ordered = match operator {
                        Operator::Above => w <= c,
                        Operator::Below => w >= c,
                    };
                    if !ordered {
                        return Some(format!(
                            "warning {w} is past critical {c} for operator {}",
                            if *operator == Operator::Above {
                                ">"
                            } else {
                                "<"
                            }
                        ));
                    }
                }
                if *duration == 0 || *duration > 86_400 {
                    return Some("duration is 1 to 86400 seconds".into());
                }
                if segment_by.iter().any(String::is_empty) {
                    return Some("segment_by holds label names".into());
                }
                None
            }
            Kind::Expression {
                expression,
                warning,
                critical,
                duration,
                ..
            } => {
                if let Err(e) = expr::parse(expression) {
                    return Some(format!("expression: {e}"));
                }
                if warning.is_none() && critical.is_none() {
                    return Some("give \"warning\", \"critical\" or both".into());
                }
                if *duration == 0 || *duration > 86_400 {
                    return Some("duration is 1 to 86400 seconds".into());
                }
                None
            }
            Kind::Connectivity { minutes } => {
                (*minutes == 0).then(|| "minutes is at least 1".to_string())
            }
            Kind::Check { .. } => None,
        }
    }
}

/// The level of `value` against thresholds.
pub fn level(value: f64, op: Operator, warning: Option<f64>, critical: Option<f64>) -> Level {
    let past = |t: Option<f64>| {
        t.is_some_and(|t| match op {
            Operator::Above => value > t,
            Operator::Below => value < t,
        })
    };
    if past(critical) {
        Level::Critical
    } else if past(warning) {
        Level::Warning
    } else {
        Level::Ok
    }
}

/// One segment's reading in one evaluation.
#[derive(Debug, Clone, PartialEq)]
pub struct Reading {
    /// The segment's labels (e.g. `host=…`, or `query=…, service=…`).
    pub segment: BTreeMap<String, String>,
    pub level: Level,
    /// The value compared (for metric monitors).
    pub value: Option<f64>,
    pub message: String,
}

/// A change to an alert.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    Opened { level: Level },
    Escalated { from: Level, to: Level },
    Resolved { was: Level },
}

/// Where a segment stands.
#[derive(Debug, Clone, Default)]
struct SegmentState {
    /// The open alert's level, if one is open.
    open: Option<Level>,
    breaches: u32,
    oks: u32,
}

/// Damping and alert state for one monitor.
#[derive(Debug, Default)]
pub struct Tracker {
    segments: HashMap<String, SegmentState>,
}

/// A segment's key.
pub fn segment_key(segment: &BTreeMap<String, String>) -> String {
    segment
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",")
}

impl Tracker {
    /// A segment with an alert open at `level` (after a restart, from the
    /// database).
    pub fn restore(&mut self, key: String, level: Level) {
        self.segments.insert(
            key,
            SegmentState {
                open: Some(level),
                breaches: 0,
                oks: 0,
            },
        );
    }

    /// Applies one evaluation. Segments not read this time (a host gone
    /// quiet, a series no longer sent) count as OK: what is not seen cannot
    /// be said to breach (the connectivity monitor watches silence).
    pub fn apply(
        &mut self,
        m: &Monitor,
        readings: &[Reading],
    ) -> Vec<(String, Change, Option<&'static str>)> {
        let mut changes = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for r in readings {
            let key = segment_key(&r.segment);
            seen.insert(key.clone());
            let s = self.segments.entry(key.clone()).or_default();
            if let Some(c) = step(s, r.level, m) {
                changes.push((key, c, None));
            }
        }
        let unseen: Vec<String> = self
            .segments
            .keys()
            .filter(|k| !seen.contains(*k))
            .cloned()
            .collect();
        for key in unseen {
            if let Some(s) = self.segments.get_mut(&key) {
                if let Some(c) = step(s, Level::Ok, m) {
                    changes.push((key.clone(), c, Some("no longer reported")));
                }
                if s.open.is_none() && s.breaches == 0 {
                    self.segments.remove(&key);
                }
            }
        }
        changes
    }
}

fn step(s: &mut SegmentState, level: Level, m: &Monitor) -> Option<Change> {
    if level == Level::Ok {
        s.breaches = 0;
        s.oks += 1;
        if let Some(was) = s.open
            && s.oks >= m.recovery_attempts
        {
            s.open = None;
            return Some(Change::Resolved { was });
        }
        return None;
    }
    s.oks = 0;
    s.breaches += 1;
    match s.open {
        Some(cur) if cur != level => {
            s.open = Some(level);
            Some(Change::Escalated {
                from: cur,
                to: level,
            })
        }
        Some(_) => None,
        None if s.breaches >= m.max_check_attempts => {
            s.open = Some(level);
            Some(Change::Opened { level })
        }
        None => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn monitor(attempts: u32, recovery: u32) -> Monitor {
        Monitor {
            id: Some(1),
            name: "load".into(),
            kind: Kind::Metric {
                metric: "loadavg5".into(),
                labels: BTreeMap::new(),
                segment_by: vec!["host".into()],
                operator: Operator::Above,
                warning: Some(2.0),
                critical: Some(4.0),
                duration: 60,
            },
            max_check_attempts: attempts,
            recovery_attempts: recovery,
            memo: String::new(),
        }
    }

    fn reading(host: &str, level: Level) -> Reading {
        Reading {
            segment: BTreeMap::from([("host".to_string(), host.to_string())]),
            level,
            value: None,
            message: String::new(),
        }
    }

    #[test]
    fn thresholds() {
        assert_eq!(
            level(5.0, Operator::Above, Some(2.0), Some(4.0)),
            Level::Critical
        );
        assert_eq!(
            level(3.0, Operator::Above, Some(2.0), Some(4.0)),
            Level::Warning
        );
        assert_eq!(level(2.0, Operator::Above, Some(2.0), Some(4.0)), Level::Ok);
        assert_eq!(
            level(1.0, Operator::Below, Some(10.0), Some(5.0)),
            Level::Critical
        );
        assert_eq!(level(7.0, Operator::Below, None, Some(5.0)), Level::Ok);
    }

    #[test]
    fn alerts_open_after_the_attempts_escalate_and_resolve() {
        let m = monitor(2, 1);
        let mut t = Tracker::default();
        assert!(
            t.apply(&m, &[reading("a", Level::Warning)]).is_empty(),
            "one breach is not enough"
        );
        let c = t.apply(&m, &[reading("a", Level::Warning)]);
        assert_eq!(
            c[0].1,
            Change::Opened {
                level: Level::Warning
            }
        );
        let c = t.apply(&m, &[reading("a", Level::Critical)]);
        assert_eq!(
            c[0].1,
            Change::Escalated {
                from: Level::Warning,
                to: Level::Critical
            }
        );
        let c = t.apply(&m, &[reading("a", Level::Ok)]);
        assert_eq!(
            c[0].1,
            Change::Resolved {
                was: Level::Critical
            }
        );
    }

    #[test]
    fn flapping_is_damped() {
        // A value crossing its threshold every evaluation never opens an
        // alert that needs two breaches in a row ...
        let m = monitor(2, 2);
        let mut t = Tracker::default();
        for i in 0..20 {
            let l = if i % 2 == 0 {
                Level::Warning
            } else {
                Level::Ok
            };
            assert!(t.apply(&m, &[reading("a", l)]).is_empty());
        }
        // ... and an open alert needs two OKs in a row to resolve.
        t.apply(&m, &[reading("a", Level::Warning)]);
        t.apply(&m, &[reading("a", Level::Warning)]);
        for i in 0..10 {
            let l = if i % 2 == 0 {
                Level::Ok
            } else {
                Level::Warning
            };
            assert!(t.apply(&m, &[reading("a", l)]).is_empty(), "round {i}");
        }
        t.apply(&m, &[reading("a", Level::Ok)]);
        let c = t.apply(&m, &[reading("a", Level::Ok)]);
        assert_eq!(
            c[0].1,
            Change::Resolved {
                was: Level::Warning
            }
        );
    }

    #[test]
    fn segments_are_separate_and_vanished_ones_resolve() {
        let m = monitor(1, 1);
        let mut t = Tracker::default();
        let c = t.apply(
            &m,
            &[reading("a", Level::Critical), reading("b", Level::Ok)],
        );
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].0, "host=a");
        let c = t.apply(&m, &[reading("b", Level::Ok)]);
        assert_eq!(
            c[0].1,
            Change::Resolved {
                was: Level::Critical
            }
        );
        assert_eq!(c[0].2, Some("no longer reported"));
    }

    #[test]
    fn monitors_are_checked() {
        let mut m = monitor(1, 1);
        assert_eq!(m.problem(), None);
        if let Kind::Metric { warning, .. } = &mut m.kind {
            *warning = Some(9.0);
        }
        assert!(m.problem().is_some_and(|p| p.contains("past critical")));
        let parsed: Monitor = serde_json::from_str(
            r#"{"name":"slow queries","type":"metric","metric":"net.sql.request.time.worst",
                "segment_by":["query","service"],"operator":">","critical":3.8,"duration":60}"#,
        )
        .expect("a monitor");
        assert_eq!(parsed.problem(), None);
        let bogus = serde_json::json!({"name":"x","type":"metric","metric":"m","operator":">","critical":1,"bogus":1});
        assert!(Monitor::parse(&bogus).is_err_and(|e| e.starts_with("unknown key \"bogus\"")));
        let ok = serde_json::json!({"name":"x","type":"connectivity","minutes":3});
        assert_eq!(
            Monitor::parse(&ok).map(|m| m.kind),
            Ok(Kind::Connectivity { minutes: 3 })
        );
        assert!(Monitor::parse(&serde_json::json!({"name":"x","type":"nope"})).is_err());
    }
}

/// The evaluator: trackers per monitor, restored from the open alerts at
/// start.
#[derive(Debug, Default)]
pub struct Evaluator {
    trackers: HashMap<i64, Tracker>,
    restored: bool,
}

fn worst(op: Operator, a: f64, b: f64) -> f64 {
    match op {
        Operator::Above => a.max(b),
        Operator::Below => a.min(b),
    }
}

/// Values per segment: by segment key, the segment's labels and the value.
pub type Segments = BTreeMap<String, (BTreeMap<String, String>, f64)>;

/// Each series named `metric` with `labels`, averaged over `[from, now]`
/// (epoch seconds, finite values only), grouped by the `segment_by` labels'
/// values; the series of one segment are combined with `combine`.
fn segment_averages(
    api: &crate::api::Api,
    metric: &str,
    labels: &[(String, String)],
    from: i64,
    now: i64,
    segment_by: &[String],
    combine: impl Fn(f64, f64) -> f64,
) -> Result<Segments, String> {
    let mut matchers = vec![sonde_tsdb::Matcher::eq(sonde_tsdb::NAME_LABEL, metric)];
    for (k, v) in labels {
        matchers.push(sonde_tsdb::Matcher::eq(k, v));
    }
    let series = api
        .metrics
        .query_range(&matchers, from * 1000, now * 1000 + 1, 0)
        .map_err(|e| e.to_string())?;
    let mut out = Segments::new();
    for s in series {
        let sonde_tsdb::Points::Raw(points) = s.points else {
            continue;
        };
        let (sum, n) = points
            .iter()
            .map(|(_, v)| *v)
            .filter(|v| v.is_finite())
            .fold((0.0, 0usize), |(sum, n), v| (sum + v, n + 1));
        if n == 0 {
            continue;
        }
        let avg = sum / n as f64;
        let segment: BTreeMap<String, String> = segment_by
            .iter()
            .map(|l| {
                let v = s
                    .key
                    .labels
                    .iter()
                    .find(|(k, _)| k == l)
                    .map(|(_, v)| v.clone())
                    .unwrap_or_default();
                (l.clone(), v)
            })
            .collect();
        out.entry(segment_key(&segment))
            .and_modify(|e| e.1 = combine(e.1, avg))
            .or_insert((segment, avg));
    }
    Ok(out)
}

/// One monitor's readings now.
pub fn readings(api: &crate::api::Api, m: &Monitor, now: i64) -> Result<Vec<Reading>, String> {
    match &m.kind {
        Kind::Metric {
            metric,
            labels,
            segment_by,
            operator,
            warning,
            critical,
            duration,
        } => {
            let labels: Vec<(String, String)> =
                labels.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
            let op = *operator;
            let by_segment = segment_averages(
                api,
                metric,
                &labels,
                now - *duration as i64,
                now,
                segment_by,
                |a, b| worst(op, a, b),
            )?;
            Ok(by_segment
                .into_values()
                .map(|(segment, v)| {
                    let l = level(v, *operator, *warning, *critical);
                    let op = if *operator == Operator::Above {
                        ">"
                    } else {
                        "<"
                    };
                    let threshold = match l {
                        Level::Critical => critical.map(|c| format!(" {op} {c} (critical)")),
                        Level::Warning => warning.map(|w| format!(" {op} {w} (warning)")),
                        Level::Ok => None,
                    }
                    .unwrap_or_default();
                    Reading {
                        message: format!("{metric} = {v}{threshold}, average over {duration} s"),
                        segment,
                        level: l,
                        value: Some(v),
                    }
                })
                .collect())
        }
        Kind::Expression {
            expression,
            segment_by,
            operator,
            warning,
            critical,
            duration,
        } => {
            let e = expr::parse(expression)?;
            let from = now - *duration as i64;
            let mut select =
                |metric: &str, labels: &[(String, String)]| -> Result<expr::Value, String> {
                    // Series of one segment add up (a ratio of totals).
                    let out =
                        segment_averages(api, metric, labels, from, now, segment_by, |a, b| a + b)?;
                    Ok(expr::Value::Segments(out))
                };
            let value = expr::eval(&e, &mut select)?;
            let segments = match value {
                expr::Value::Segments(m) => m.into_values().collect::<Vec<_>>(),
                expr::Value::Scalar(v) => vec![(BTreeMap::new(), v)],
            };
            Ok(segments
                .into_iter()
                .filter(|(_, v)| v.is_finite())
                .map(|(segment, v)| {
                    let l = level(v, *operator, *warning, *critical);
                    Reading {
                        message: format!("{expression} = {v} ({}), over {duration} s", l.as_str()),
                        segment,
                        level: l,
                        value: Some(v),
                    }
                })
                .collect())
        }
        Kind::Connectivity { minutes } => {
            let hosts = api.state.hosts().map_err(|e| e.to_string())?;
            Ok(hosts
                .into_iter()
                .map(|h| {
                    let last = h.last_seen.unwrap_or(h.registered_at);
                    let silent = now - last;
                    let l = if silent > *minutes as i64 * 60 {
                        Level::Critical
                    } else {
                        Level::Ok
                    };
                    Reading {
                        segment: BTreeMap::from([("host".to_string(), h.id.clone())]),
                        level: l,
                        value: Some(silent as f64),
                        message: format!("{}: last post {silent} s ago", h.name),
                    }
                })
                .collect())
        }
        Kind::Check { check } => {
            let mut out = Vec::new();
            for h in api.state.hosts().map_err(|e| e.to_string())? {
                for c in api.state.checks(&h.id).map_err(|e| e.to_string())? {
                    if check.as_ref().is_some_and(|n| *n != c.name) {
                        continue;
                    }
                    let l = match c.status.as_str() {
                        "OK" => Level::Ok,
                        "CRITICAL" => Level::Critical,
                        _ => Level::Warning,
                    };
                    out.push(Reading {
                        segment: BTreeMap::from([
                            ("check".to_string(), c.name.clone()),
                            ("host".to_string(), h.id.clone()),
                        ]),
                        level: l,
                        value: None,
                        message: format!("{} on {}: {} {}", c.name, h.name, c.status, c.message),
                    });
                }
            }
            Ok(out)
        }
    }
}

/// An alert change, recorded.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertChange {
    pub monitor_id: i64,
    pub monitor: String,
    pub segment: String,
    pub change: Change,
    pub alert_id: i64,
    pub value: Option<f64>,
    pub message: String,
}

impl Evaluator {
    /// Evaluates every monitor once at `now` and records the alert changes;
    /// returns them as (monitor id, segment, change) for notifications.
    pub fn run_once(
        &mut self,
        api: &crate::api::Api,
        now: i64,
    ) -> Result<Vec<(i64, String, Change)>, String> {
        Ok(self
            .evaluate(api, now)?
            .into_iter()
            .map(|c| (c.monitor_id, c.segment, c.change))
            .collect())
    }

    /// [`Evaluator::run_once`], with everything incidents and notifications
    /// need.
    pub fn evaluate(
        &mut self,
        api: &crate::api::Api,
        now: i64,
    ) -> Result<Vec<AlertChange>, String> {
        if !self.restored {
            for (mid, seg, status) in api.state.open_alerts().map_err(|e| e.to_string())? {
                let level = if status == "CRITICAL" {
                    Level::Critical
                } else {
                    Level::Warning
                };
                self.trackers.entry(mid).or_default().restore(seg, level);
            }
            self.restored = true;
            // An alert stored just before a crash, without its incident and
            // notifications: it is reported now, as if it had just opened.
            let names: HashMap<i64, String> = api
                .state
                .monitors()
                .map_err(|e| e.to_string())?
                .into_iter()
                .map(|(id, d)| (id, d["name"].as_str().unwrap_or("").to_string()))
                .collect();
            let orphans = api
                .state
                .alerts_without_incident()
                .map_err(|e| e.to_string())?;
            let mut late = Vec::new();
            for (alert_id, mid, segment, status, message) in orphans {
                let level = if status == "CRITICAL" {
                    Level::Critical
                } else {
                    Level::Warning
                };
                late.push(AlertChange {
                    monitor_id: mid,
                    monitor: names.get(&mid).cloned().unwrap_or_default(),
                    segment,
                    change: Change::Opened { level },
                    alert_id,
                    value: None,
                    message,
                });
            }
            if !late.is_empty() {
                return Ok(late);
            }
        }
        let monitors = api.state.monitors().map_err(|e| e.to_string())?;
        let mut all = Vec::new();
        let live: std::collections::HashSet<i64> = monitors.iter().map(|(id, _)| *id).collect();
        self.trackers.retain(|id, _| live.contains(id));
        for (id, def) in monitors {
            let Ok(m) = serde_json::from_value::<Monitor>(def) else {
                continue;
            };
            let rs = match readings(api, &m, now) {
                Ok(r) => r,
                Err(_) => continue,
            };
            let by_key: HashMap<String, &Reading> =
                rs.iter().map(|r| (segment_key(&r.segment), r)).collect();
            let changes = self.trackers.entry(id).or_default().apply(&m, &rs);
            for (key, change, why) in changes {
                let r = by_key.get(&key);
                let value = r.and_then(|r| r.value);
                let message = match (r, why) {
                    (Some(r), _) => r.message.clone(),
                    (None, Some(w)) => w.to_string(),
                    (None, None) => String::new(),
                };
                let stored = match &change {
                    Change::Opened { level } => api
                        .state
                        .open_alert(id, &key, level.as_str(), value, &message, now)
                        .map(Some),
                    Change::Escalated { to, .. } => {
                        api.state
                            .update_alert(id, &key, to.as_str(), value, &message, now)
                    }
                    Change::Resolved { .. } => {
                        api.state.update_alert(id, &key, "OK", value, &message, now)
                    }
                };
                let Some(alert_id) = stored.map_err(|e| e.to_string())? else {
                    continue;
                };
                all.push(AlertChange {
                    monitor_id: id,
                    monitor: m.name.clone(),
                    segment: key,
                    change,
                    alert_id,
                    value,
                    message,
                });
            }
        }
        Ok(all)
    }
}

/// Incidents and notifications for alert changes: an opened alert opens an
/// incident; every change goes on its timeline and is queued for every
/// channel, unless a silence mutes it (then the timeline says so).
pub fn record(api: &crate::api::Api, changes: &[AlertChange], now: i64) -> Result<(), String> {
    let fail = |e: crate::state::StateError| e.to_string();
    let silences = api.state.silences(now).map_err(fail)?;
    for c in changes {
        let (event, status) = match &c.change {
            Change::Opened { level } => ("opened", level.as_str()),
            Change::Escalated { to, .. } => ("changed", to.as_str()),
            Change::Resolved { .. } => ("resolved", "OK"),
        };
        let text = format!("{status}: {}", c.message);
        let muted = silences.iter().any(|s| s.covers(c.monitor_id, &c.segment));
        let title = format!("{}: {}", c.monitor, c.segment);
        let step = match &c.change {
            Change::Opened { .. } => crate::state::IncidentStep::Open { title: &title },
            Change::Escalated { .. } => crate::state::IncidentStep::Update { resolve: false },
            Change::Resolved { .. } => crate::state::IncidentStep::Update { resolve: true },
        };
        let payload = |incident: Option<i64>| {
            serde_json::json!({
                "event": event,
                "status": status,
                "monitor": c.monitor,
                "monitor_id": c.monitor_id,
                "segment": c.segment,
                "alert_id": c.alert_id,
                "incident_id": incident,
                "value": c.value,
                "message": c.message,
                "at": now,
            })
        };
        let incident = api
            .state
            .record_alert_change(c.alert_id, step, &text, muted, &payload, now)
            .map_err(fail)?;
        if let (Change::Opened { .. }, Some(id)) = (&c.change, incident)
            && let Some(hook) = api.on_incident.get()
        {
            hook(id);
        }
    }
    Ok(())
}

/// Evaluates every `every` until `stop`, on a thread of its own.
pub fn spawn(
    api: std::sync::Arc<crate::api::Api>,
    every: std::time::Duration,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        let mut ev = Evaluator::default();
        let mut said = false;
        let mut leading = false;
        while !stop.load(std::sync::atomic::Ordering::Relaxed) {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs() as i64)
                .unwrap_or(0);
            // One evaluator across instances sharing a PostgreSQL state:
            // the others wait, and start afresh from the stored alerts
            // when leadership comes to them.
            let lead = api.state.is_leader();
            if lead != leading && api.state.db().backend() == crate::sql::Backend::Postgres {
                if lead {
                    eprintln!(
                        "sonde server: this instance now evaluates monitors and sends notifications"
                    );
                } else {
                    eprintln!(
                        "sonde server: another instance evaluates monitors and sends notifications"
                    );
                }
            }
            leading = lead;
            if !lead {
                ev = Evaluator::default();
            } else {
                match ev
                    .evaluate(&api, now)
                    .and_then(|changes| record(&api, &changes, now))
                {
                    Ok(()) => said = false,
                    Err(e) => {
                        if !said {
                            eprintln!("sonde server: evaluating monitors: {e}");
                            said = true;
                        }
                        // Trackers may now disagree with the database: start
                        // again from the alerts it holds.
                        ev = Evaluator::default();
                    }
                }
            }
            let until = std::time::Instant::now() + every;
            while std::time::Instant::now() < until
                && !stop.load(std::sync::atomic::Ordering::Relaxed)
            {
                std::thread::sleep(std::time::Duration::from_millis(100));
            }
        }
    })
}

/// Expressions over several series, for `expression` monitors:
///
/// ```text
/// expr     := term (("+" | "-") term)*
/// term     := factor (("*" | "/") factor)*
/// factor   := number | "(" expr ")" | "-" factor | selector
/// selector := metric_name [ "{" label "=" "\"" value "\"" ("," ...)* "}" ]
/// ```
///
/// Each selector is the average of each matching series over the monitor's
/// duration, grouped by the monitor's `segment_by` labels (the worst per
/// segment is not meant here: series of one segment are summed, so
/// `errors{…} / requests{…}` over several instances is a ratio of totals).
/// A binary operation keeps the segments both sides have; a number applies to
/// every segment.
pub mod expr {
    use std::collections::BTreeMap;

    /// A parsed expression.
    #[derive(Debug, Clone, PartialEq)]
    pub enum Expr {
        Number(f64),
        Selector {
            metric: String,
            labels: Vec<(String, String)>,
        },
        Neg(Box<Expr>),
        Binary(Box<Expr>, char, Box<Expr>),
    }

    struct P<'a> {
        s: &'a [u8],
        i: usize,
    }

    impl P<'_> {
        fn ws(&mut self) {
            while self.s.get(self.i).is_some_and(u8::is_ascii_whitespace) {
                self.i += 1;
            }
        }

        fn peek(&mut self) -> Option<u8> {
            self.ws();
            self.s.get(self.i).copied()
        }

        fn err(&self, what: &str) -> String {
            format!("{what} at column {}", self.i + 1)
        }

        fn expr(&mut self, depth: u32) -> Result<Expr, String> {
            if depth > 64 {
                return Err(self.err("nested too deep"));
            }
            let mut e = self.term(depth)?;
            while let Some(op @ (b'+' | b'-')) = self.peek() {
                self.i += 1;
                e = Expr::Binary(Box::new(e), op as char, Box::new(self.term(depth)?));
            }
            Ok(e)
        }

        fn term(&mut self, depth: u32) -> Result<Expr, String> {
            let mut e = self.factor(depth)?;
            while let Some(op @ (b'*' | b'/')) = self.peek() {
                self.i += 1;
                e = Expr::Binary(Box::new(e), op as char, Box::new(self.factor(depth)?));
            }
            Ok(e)
        }

        fn factor(&mut self, depth: u32) -> Result<Expr, String> {
            match self.peek() {
                Some(b'(') => {
                    self.i += 1;
                    let e = self.expr(depth + 1)?;
                    if self.peek() != Some(b')') {
                        return Err(self.err("`)` expected"));
                    }
                    self.i += 1;
                    Ok(e)
                }
                Some(b'-') => {
                    self.i += 1;
                    Ok(Expr::Neg(Box::new(self.factor(depth + 1)?)))
                }
                Some(c) if c.is_ascii_digit() || c == b'.' => {
                    let start = self.i;
                    while self
                        .s
                        .get(self.i)
                        .is_some_and(|c| c.is_ascii_digit() || matches!(c, b'.' | b'e' | b'E'))
                    {
                        self.i += 1;
                    }
                    let text = std::str::from_utf8(&self.s[start..self.i]).unwrap_or("");
                    text.parse()
                        .map(Expr::Number)
                        .map_err(|_| self.err(&format!("{text:?} is not a number")))
                }
                Some(c) if c.is_ascii_alphabetic() || c == b'_' => {
                    let start = self.i;
                    while self.s.get(self.i).is_some_and(|c| {
                        c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'-' | b':')
                    }) {
                        self.i += 1;
                    }
                    let metric = String::from_utf8_lossy(&self.s[start..self.i]).into_owned();
                    let mut labels = Vec::new();
                    if self.s.get(self.i) == Some(&b'{') {
                        self.i += 1;
                        loop {
                            if self.peek() == Some(b'}') {
                                self.i += 1;
                                break;
                            }
                            let ls = self.i;
                            while self
                                .s
                                .get(self.i)
                                .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_')
                            {
                                self.i += 1;
                            }
                            let label = String::from_utf8_lossy(&self.s[ls..self.i]).into_owned();
                            if label.is_empty() || self.peek() != Some(b'=') {
                                return Err(self.err("`label=\"value\"` expected"));
                            }
                            self.i += 1;
                            if self.peek() != Some(b'"') {
                                return Err(self.err("`\"` expected"));
                            }
                            self.i += 1;
                            let vs = self.i;
                            while self.s.get(self.i).is_some_and(|c| *c != b'"') {
                                self.i += 1;
                            }
                            if self.s.get(self.i) != Some(&b'"') {
                                return Err(self.err("the label value is not closed"));
                            }
                            let value = String::from_utf8_lossy(&self.s[vs..self.i]).into_owned();
                            self.i += 1;
                            labels.push((label, value));
                            match self.peek() {
                                Some(b',') => self.i += 1,
                                Some(b'}') => {}
                                _ => return Err(self.err("`,` or `}` expected")),
                            }
                        }
                    }
                    Ok(Expr::Selector { metric, labels })
                }
                _ => Err(self.err("a number, a metric or `(` expected")),
            }
        }
    }

    /// Parses an expression.
    pub fn parse(text: &str) -> Result<Expr, String> {
        let mut p = P {
            s: text.as_bytes(),
            i: 0,
        };
        let e = p.expr(0)?;
        if p.peek().is_some() {
            return Err(p.err("unexpected text"));
        }
        Ok(e)
    }

    /// A value per segment, or one for all.
    #[derive(Debug, Clone, PartialEq)]
    pub enum Value {
        Scalar(f64),
        Segments(BTreeMap<String, (BTreeMap<String, String>, f64)>),
    }

    /// What gives a selector's (metric, labels) value per segment.
    pub type Select<'a> = dyn FnMut(&str, &[(String, String)]) -> Result<Value, String> + 'a;

    /// Evaluates with `select` giving a selector's value per segment.
    pub fn eval(e: &Expr, select: &mut Select<'_>) -> Result<Value, String> {
        Ok(match e {
            Expr::Number(n) => Value::Scalar(*n),
            Expr::Selector { metric, labels } => select(metric, labels)?,
            Expr::Neg(x) => match eval(x, select)? {
                Value::Scalar(v) => Value::Scalar(-v),
                Value::Segments(m) => {
                    Value::Segments(m.into_iter().map(|(k, (s, v))| (k, (s, -v))).collect())
                }
            },
            Expr::Binary(a, op, b) => {
                let (a, b) = (eval(a, select)?, eval(b, select)?);
                let f = |x: f64, y: f64| match op {
                    '+' => x + y,
                    '-' => x - y,
                    '*' => x * y,
                    _ => x / y,
                };
                match (a, b) {
                    (Value::Scalar(x), Value::Scalar(y)) => Value::Scalar(f(x, y)),
                    (Value::Segments(m), Value::Scalar(y)) => Value::Segments(
                        m.into_iter().map(|(k, (s, x))| (k, (s, f(x, y)))).collect(),
                    ),
                    (Value::Scalar(x), Value::Segments(m)) => Value::Segments(
                        m.into_iter().map(|(k, (s, y))| (k, (s, f(x, y)))).collect(),
                    ),
                    (Value::Segments(m), Value::Segments(n)) => Value::Segments(
                        m.into_iter()
                            .filter_map(|(k, (s, x))| n.get(&k).map(|(_, y)| (k, (s, f(x, *y)))))
                            .collect(),
                    ),
                }
            }
        })
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        fn seg(host: &str, v: f64) -> (String, (BTreeMap<String, String>, f64)) {
            (
                format!("host={host}"),
                (BTreeMap::from([("host".into(), host.into())]), v),
            )
        }

        #[test]
        fn parses_and_evaluates_with_segments_joined() {
            let e = parse("100 * errors{code=\"500\"} / (requests + 0)").expect("parses");
            let mut select = |m: &str, labels: &[(String, String)]| -> Result<Value, String> {
                Ok(match m {
                    "errors" => {
                        assert_eq!(labels, [("code".to_string(), "500".to_string())]);
                        Value::Segments(BTreeMap::from([seg("a", 5.0), seg("b", 1.0)]))
                    }
                    _ => Value::Segments(BTreeMap::from([seg("a", 50.0), seg("c", 10.0)])),
                })
            };
            let Value::Segments(v) = eval(&e, &mut select).expect("evaluates") else {
                panic!("segments")
            };
            assert_eq!(v.len(), 1, "only the segment both sides have");
            assert_eq!(v["host=a"].1, 10.0);
            assert_eq!(
                eval(&parse("-(2 + 3) * 2").expect("p"), &mut select),
                Ok(Value::Scalar(-10.0))
            );
        }

        #[test]
        fn bad_expressions_say_where() {
            assert_eq!(
                parse("a +").expect_err("x"),
                "a number, a metric or `(` expected at column 4"
            );
            assert!(parse("a{b=c}").is_err());
            assert!(parse("(a").is_err());
            assert!(parse("a b").is_err());
            assert!(parse(&"(".repeat(100)).is_err(), "depth is bounded");
            for cut in 0..20 {
                let s = "x{a=\"1\"} / (y - 2)";
                let _ = parse(&s[..cut.min(s.len())]);
            }
        }
    }
}
